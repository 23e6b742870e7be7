/*
 * The lint engine: turns paths into documents and domain models, forms the
 * fleet, runs every registered check once per in-scope domain, and collects
 * findings, per-file status and the reasons checks were skipped.  It prints
 * nothing; the commands render its result.
 */
#ifndef KVL_LINT_ENGINE_H
#define KVL_LINT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

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
 * Add a path: a file, a directory (recursively, *.xml files whose root is
 * <domain>), or "-" for standard input.  Problems become file errors or
 * findings; never fatal.
 */
void kvl_run_add_path(kvl_run *run, const char *path);

/* Build the fleet and run every check; sorts the findings. */
void kvl_run_lint(kvl_run *run);

/* Worst severity present, KVL_SEV_NONE when there is no finding. */
kvl_severity kvl_run_worst(const kvl_run *run);

void kvl_run_free(kvl_run *run);

#endif
