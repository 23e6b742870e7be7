/*
 * Effective settings: what applies to one linted file once the command
 * line, its config file and the defaults are combined, with precedence
 * command line > config file > default, field by field.
 *
 * Which config file applies (README "Configuration"):
 *   - discovery (the default): the nearest .kvmlint.xml in the file's
 *     directory or above it, stopping after the filesystem root or the
 *     first directory that holds .git; standard input looks from the
 *     working directory;
 *   - --config FILE: that file for every path;
 *   - --no-config: none.
 * Only the nearest file counts; config files are not merged.
 *
 * A kvl_settings_set owns every config file it read and one kvl_settings
 * per file (plus one for "no config file"); the pointers it hands out stay
 * valid until kvl_settings_set_free.  Directories are looked up once.
 */
#ifndef KVL_CONFIG_SETTINGS_H
#define KVL_CONFIG_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "model/domain.h"

typedef enum kvl_cfg_mode {
    KVL_CFG_DISCOVER,
    KVL_CFG_EXPLICIT,           /* --config FILE */
    KVL_CFG_NONE,               /* --no-config */
} kvl_cfg_mode;

/* What the command line said (the top of the precedence). */
typedef struct kvl_overrides {
    kvl_config cfg;             /* defaults, then the options given */
    uint64_t given;             /* bit i: --kvl_thresholds[i].name was given */
    bool has_fail_on;
    kvl_severity fail_on;
    bool has_host;              /* --host: config host mappings do not apply */
} kvl_overrides;

/* Defaults, nothing given. */
void kvl_overrides_init(kvl_overrides *o);

/*
 * Mark the command-line option `name` (without dashes) as given when it
 * is a threshold; the caller has already parsed its value into o->cfg.
 * Other names are ignored, so a command can call this for every option.
 */
void kvl_overrides_note(kvl_overrides *o, const char *name);

typedef struct kvl_settings {
    const kvl_cfg_file *file;   /* NULL: no config file */
    kvl_config cfg;             /* effective thresholds */
    uint64_t from_file;         /* bit i: threshold i comes from the file */
    uint64_t from_cli;          /* ... from the command line */
    kvl_severity fail_on;       /* effective */
    const char *fail_on_from;   /* "command line", "config", "default" */
    bool host_map;              /* the file's <host> mappings apply */
} kvl_settings;

typedef struct kvl_settings_set kvl_settings_set;

/*
 * A set for `mode`; `explicit_file` is --config's argument (else NULL) and
 * is read now.  Returns NULL with *err set (caller frees) when it is
 * invalid.  `cat` and `over` are borrowed for the set's lifetime.
 */
kvl_settings_set *kvl_settings_set_new(kvl_cfg_mode mode, const char *explicit_file,
                                       const kvl_overrides *over,
                                       const kvl_catalogue *cat, char **err);
void kvl_settings_set_free(kvl_settings_set *set);

/*
 * The settings for `path` (a file, "-" for standard input, or with
 * `is_dir` a directory: settings for files in it).  *rel (may be NULL) is
 * set to the path relative to the config file's directory, the string
 * config globs are matched against, or NULL (no config, stdin, outside the
 * directory); caller frees.  NULL with *err set when a config file found
 * on the way is invalid.
 */
const kvl_settings *kvl_settings_for(kvl_settings_set *set, const char *path, bool is_dir,
                                     char **rel, char **err);

/* Is `rule` to run?  Disabled only by an explicit enabled="no". */
bool kvl_settings_rule_enabled(const kvl_settings *s, const char *rule);

/* The severity the config gives `rule`, if it gives one. */
bool kvl_settings_rule_severity(const kvl_settings *s, const char *rule, kvl_severity *sev);

/* The <ignore> without rules that excludes the file, or NULL. */
const kvl_cfg_ignore *kvl_settings_ignored(const kvl_settings *s, const char *rel);

/* The <host> mapping of the file (first match), or NULL; none when
 * --host was given. */
const kvl_cfg_host *kvl_settings_host(const kvl_settings *s, const char *rel);

/*
 * Set the config-derived intent of a freshly built domain: critical,
 * Windows, hot disks (domain.h "by_config").  `rel` as above.
 */
void kvl_settings_mark(const kvl_settings *s, const char *rel, kvl_domain *dom);

#endif
