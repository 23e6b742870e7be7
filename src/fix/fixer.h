/*
 * `kvmlint fix` without the command line: lint the fleet with fixes
 * collected, apply the fixes each file's findings propose (edit.h), re-parse
 * and re-lint, and repeat until nothing changes or a round cap is hit
 * (DESIGN.md principle 5).  A fix whose result is not well-formed, no
 * longer a readable domain, or (when the input was valid) no longer valid
 * against libvirt's schema is reverted and reported; fixes whose edits
 * collide with one applied in the same round wait for the next round.
 *
 * Files with an input error (unreadable, malformed, value-invalid) are left
 * alone, and so are suppressed findings.  All domains of a run stay one
 * fleet in every round, and every round reads the same config files.
 *
 * Ownership: kvl_fix_result owns everything in it (kvl_fix_result_free);
 * the options, catalogue, host and validator are borrowed.
 */
#ifndef KVL_FIX_FIXER_H
#define KVL_FIX_FIXER_H

#include <stdbool.h>
#include <stddef.h>

#include "lint/engine.h"
#include "lint/validate.h"

#define KVL_FIX_MAX_ROUNDS 8

typedef struct kvl_fix_opts {
    bool unsafe;                    /* --unsafe-fixes */
    const char *const *select;      /* rule ids to fix and report; NULL/0: all */
    size_t nselect;
    const char *const *ignore;      /* rule ids never fixed nor reported */
    size_t nignore;
    unsigned max_rounds;            /* 0: KVL_FIX_MAX_ROUNDS */
    const kvl_validator *validator; /* NULL: no schema check */
    kvl_config cfg;
    kvl_settings_set *settings;     /* config files (kvl_run_use_config); NULL: none */
} kvl_fix_opts;

typedef enum kvl_fix_status {
    KVL_FIXST_APPLIED,
    KVL_FIXST_UNPLACEABLE,          /* the edits could not be placed in the text */
    KVL_FIXST_BROKE_XML,            /* reverted: the result was not well-formed */
    KVL_FIXST_BROKE_DOMAIN,         /* reverted: a value kvmlint cannot read */
    KVL_FIXST_BROKE_SCHEMA,         /* reverted: the result was not valid */
} kvl_fix_status;

/* What happened to one proposed fix. */
typedef struct kvl_fix_note {
    size_t file;                    /* index in kvl_fix_result.files */
    const char *rule;
    unsigned round;                 /* 1-based */
    unsigned line, col;             /* in the text of that round */
    kvl_fix_kind kind;
    kvl_fix_status status;
    char *summary;
    char *message;                  /* the finding's */
} kvl_fix_note;

typedef struct kvl_fix_file {
    char *path;                     /* as shown */
    char *original;                 /* the bytes read (NULL: unreadable) */
    size_t original_len;
    char *text;                     /* after the fixes; == original when none */
    size_t len;
    bool error;                     /* input error: left alone */
    bool input_valid;               /* valid against the schema before fixing */
    bool input_checked;             /* input_valid is known (checked on the first fix) */
    unsigned applied;               /* fixes applied */
    size_t last_index;              /* its index in `last`, SIZE_MAX for error files */
} kvl_fix_file;

typedef struct kvl_fix_result {
    kvl_fix_file *files;
    size_t nfiles;
    kvl_fix_note *notes;
    size_t nnotes, cap_notes;
    kvl_run first;                  /* the lint of the inputs */
    kvl_run *last;                  /* the lint of the final texts (may be &first) */
    size_t *file_of_last;           /* a file index in `last` -> index in `files` */
    unsigned rounds;                /* rounds that changed something */
    bool fixpoint;                  /* false: stopped at the round cap */
    char *config_error;             /* an invalid config file: nothing was fixed */
} kvl_fix_result;

void kvl_fix_opts_init(kvl_fix_opts *o);

/* Whether findings of `rule` are fixed and reported under --select/--ignore. */
bool kvl_fix_selected(const kvl_fix_opts *o, const char *rule);

/*
 * Fix every path (files, directories, "-") as one fleet.  Never fails:
 * problems are file errors, findings or notes in `res`.
 */
void kvl_fix_run(kvl_fix_result *res, const kvl_catalogue *cat, const kvl_host *host,
                 const kvl_fix_opts *o, char *const *paths, size_t npaths);

/*
 * Why a finding that remains in `res->last` and proposes a fix was not
 * fixed (a static phrase), or NULL when it is not fixable or not selected.
 */
const char *kvl_fix_why_not(const kvl_fix_result *res, const kvl_fix_opts *o,
                            const kvl_finding *f);

void kvl_fix_result_free(kvl_fix_result *res);

#endif
