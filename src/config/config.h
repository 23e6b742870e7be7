/*
 * One kvmlint config file (.kvmlint.xml, README "Configuration"; shape:
 * schemas/kvmlint-config.rng) as plain structs: per-rule settings, the
 * thresholds it sets, path ignores, host mappings and the intent it states
 * about domains (critical, Windows, hot disks).
 *
 * Relative paths in the file (globs, snapshot files) are relative to the
 * directory holding it; `dir` is that directory, absolute and without
 * symlinks, so that matching does not depend on the working directory.
 *
 * Loading validates the file against the embedded schema, then checks what
 * a schema cannot: rule ids against the catalogue, glob and value syntax,
 * snapshot files that must exist.  The first problem is the error,
 * "FILE:LINE: what" (a usage error for the command line).
 *
 * Ownership: a kvl_cfg_file owns everything in it; kvl_cfg_file_free.
 */
#ifndef KVL_CONFIG_CONFIG_H
#define KVL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/glob.h"
#include "lint/finding.h"
#include "rules/catalogue.h"
#include "rules/check.h"

#define KVL_CONFIG_NAME ".kvmlint.xml"

typedef struct kvl_cfg_rule {
    char *id;
    int enabled;                /* -1 not said, 0 disabled, 1 enabled */
    bool has_severity;
    kvl_severity severity;
    unsigned line;
} kvl_cfg_rule;

/* Which files and domains an entry applies to: both NULL is every one. */
typedef struct kvl_cfg_select {
    kvl_glob *path;             /* relative to the config's directory */
    char *domain;               /* glob on the domain <name> */
} kvl_cfg_select;

typedef struct kvl_cfg_ignore {
    kvl_glob *path;
    char **rules;               /* NULL-terminated; NULL: the file is not linted */
    size_t nrules;
    char *reason;               /* or NULL */
    unsigned line;
} kvl_cfg_ignore;

typedef struct kvl_cfg_host {
    kvl_glob *path;
    char **snapshots;           /* absolute paths, in the order written */
    char **shown;               /* the same as messages show them: relative
                                   to the working directory when the config is */
    size_t nsnapshots;
    unsigned line;
} kvl_cfg_host;

typedef enum kvl_cfg_mark_kind {
    KVL_MARK_CRITICAL,          /* RULES.md "marked critical by config" */
    KVL_MARK_WINDOWS,           /* "marked Windows by config" */
    KVL_MARK_HOT_DISK,          /* "Hot disk": "annotated hot (config ...)" */
} kvl_cfg_mark_kind;

typedef struct kvl_cfg_mark {
    kvl_cfg_mark_kind kind;
    kvl_cfg_select sel;
    char *target;               /* hot-disk: glob on target@dev, or NULL */
    kvl_glob *source;           /* hot-disk: glob on the source path, or NULL */
    unsigned line;
} kvl_cfg_mark;

typedef struct kvl_cfg_file {
    char *path;                 /* as shown in messages */
    char *dir;                  /* absolute, resolved */
    kvl_config thresholds;      /* defaults, then the file's values */
    uint64_t given;             /* bit i: the file sets kvl_thresholds[i] */
    bool has_fail_on;
    kvl_severity fail_on;
    kvl_cfg_rule *rules;
    size_t nrules, cap_rules;
    kvl_cfg_ignore *ignores;
    size_t nignores, cap_ignores;
    kvl_cfg_host *hosts;
    size_t nhosts, cap_hosts;
    kvl_cfg_mark *marks;
    size_t nmarks, cap_marks;
} kvl_cfg_file;

/*
 * Read `path` (shown as `display` in messages).  `cat` is the catalogue
 * rule ids are checked against.  Returns NULL with *err set ("FILE:LINE:
 * ...", caller frees) when it cannot be read or is invalid.
 */
kvl_cfg_file *kvl_cfg_file_load(const char *path, const char *display,
                                const kvl_catalogue *cat, char **err);
void kvl_cfg_file_free(kvl_cfg_file *cfg);

/* The file's entry for `rule`, or NULL. */
const kvl_cfg_rule *kvl_cfg_file_rule(const kvl_cfg_file *cfg, const char *rule);

/* Does the selector match the file (its path relative to the config's
 * directory, NULL when outside it or standard input) and domain name? */
bool kvl_cfg_select_match(const kvl_cfg_select *sel, const char *rel, const char *domain);

#endif
