/*
 * The lint engine: turns paths into documents and domain models, forms the
 * fleets (one per host: the --host's, or per path the config's host
 * mappings), runs every enabled check once per in-scope domain against its
 * fleet's host, marks suppressed findings, and collects findings, per-file
 * status and the reasons checks were skipped.  It prints nothing; the
 * commands render its result.
 */
#ifndef KVL_LINT_ENGINE_H
#define KVL_LINT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/hostmap.h"
#include "config/settings.h"
#include "lint/finding.h"
#include "model/domain.h"
#include "model/host.h"
#include "rules/catalogue.h"
#include "rules/check.h"

typedef enum kvl_file_status {
    KVL_FILE_LINTED,
    KVL_FILE_ERROR,             /* unreadable, or an input-error finding */
} kvl_file_status;

typedef struct kvl_file {
    char *path;                 /* as shown */
    char *domain;               /* domain name, or NULL */
    kvl_file_status status;
    char *error;                /* unreadable path: the message, else NULL */
    kvl_doc *doc;               /* NULL when unreadable */
    kvl_domain *model;          /* NULL unless the root is <domain> */
    /* Its config (config/settings.h), NULL when the run has none; the path
     * its globs are matched against, or NULL; its fleet (run->fleets). */
    const kvl_settings *settings;
    char *cfg_rel;
    size_t fleet;
    bool checked;               /* the checks ran on its domain */
    /* Rules that skipped its domain (kvl_skip), kept only when it has
     * suppressions: a rule that said nothing leaves them unused. */
    const char **skipped;
    size_t nskipped, cap_skipped;
} kvl_file;

typedef struct kvl_skip_note {
    const char *rule;
    const char *reason;         /* static */
    size_t count;               /* domains */
} kvl_skip_note;

typedef struct kvl_run {
    const kvl_catalogue *cat;   /* borrowed */
    const kvl_host *host;       /* borrowed, may be NULL */
    kvl_config cfg;
    /* --validate: set after kvl_run_init and before adding paths; each
     * domain is validated while its DOM exists.  Borrowed; NULL: none. */
    const struct kvl_validator *validator;
    /* `kvmlint fix`: keep the edits checks propose (fix/fix.h) on their
     * findings.  Set after kvl_run_init, before kvl_run_lint. */
    bool collect_fixes;
    /* ... and unsafe ones will not be applied (no --unsafe-fixes): the
     * placement allocator then plans no guest NUMA cells, so that a VM only
     * cells would fit stays where it is and keeps its CPUs from the others. */
    bool safe_fixes_only;

    /* Config files and suppressions (kvl_run_use_config); NULL: defaults
     * and run->cfg for every file, as without a config file. */
    kvl_settings_set *settings;
    bool suppressions;          /* apply them (false: --no-suppressions) */
    char *config_error;         /* a config file is invalid: nothing is linted */
    kvl_fleet_hosts fleets;     /* fleet 0: `host`; more from config <host> mappings */

    kvl_file *files;
    size_t nfiles, cap_files;
    kvl_findings findings;      /* sorted after kvl_run_lint */
    kvl_skip_note *skips;
    size_t nskips, cap_skips;
    char **notes;               /* --verbose remarks (skipped files, out-of-scope domains) */
    size_t nnotes, cap_notes;
    bool input_error;           /* exit status 2 */
} kvl_run;

void kvl_run_init(kvl_run *run, const kvl_catalogue *cat, const kvl_host *host,
                  const kvl_config *cfg);

/*
 * Look up each added path's config file in `set` (borrowed): ignores,
 * thresholds, rule settings, host mappings, marks.  Call before adding
 * paths.  When a config file is invalid, run->config_error says why and
 * nothing more is added.
 */
void kvl_run_use_config(kvl_run *run, kvl_settings_set *set);

/* The sink findings about file `index` go to. */
kvl_sink kvl_run_file_sink(kvl_run *run, size_t index);

/*
 * Add a path: a file, a directory (recursively, *.xml files whose root is
 * <domain>), or "-" for standard input.  Problems become file errors or
 * findings; never fatal.
 */
void kvl_run_add_path(kvl_run *run, const char *path);

/* Add a document held in memory (`len` bytes, copied), shown as `display`,
 * as if it were a file named on the command line (`kvmlint fix` re-lints
 * its edited texts this way). */
void kvl_run_add_text(kvl_run *run, const char *display, const char *bytes, size_t len);

/* Build the fleet and run every check; sorts and fingerprints the findings. */
void kvl_run_lint(kvl_run *run);

/* Give every finding its fingerprint (fingerprint.c); kvl_run_lint calls it
 * once the findings are sorted. */
void kvl_run_fingerprint(kvl_run *run);

/* Worst severity of the reported (not suppressed) findings, KVL_SEV_NONE
 * when there is none. */
kvl_severity kvl_run_worst(const kvl_run *run);

/*
 * Does a reported finding reach its file's --fail-on threshold?  The
 * threshold is the file's settings' (command line > config > default),
 * else `fail_on`; KVL_SEV_NONE never fails.
 */
bool kvl_run_fails(const kvl_run *run, kvl_severity fail_on);

void kvl_run_free(kvl_run *run);

#endif
