/*
 * GitLab Code Quality report: a JSON array of issues (a subset of the Code
 * Climate format), which a job publishes as artifacts:reports:codequality
 * and GitLab shows in merge requests:
 *   [{"description": ..., "check_name": RULE, "fingerprint": ...,
 *     "severity": ..., "location": {"path": ..., "lines": {"begin": N}}}]
 * GitLab compares reports by fingerprint, which must be unique: the run's
 * fingerprints are (src/lint/fingerprint.c).
 *
 * Severities: an input error (the file could not be linted at all) is
 * blocker, error critical, warning major, info info; minor is not used.
 * Suppressed findings and unreadable paths are left out: the report lists
 * defects of files, and the exit status reports unreadable ones.
 */
#include "output/output.h"

#include <stdlib.h>

#include "util/banned.h"

static const char *severity_of(const kvl_finding *f)
{
    if (f->input_error)
        return "blocker";
    switch (f->severity) {
    case KVL_SEV_ERROR:
        return "critical";
    case KVL_SEV_WARNING:
        return "major";
    default:
        return "info";
    }
}

int kvl_output_gitlab(FILE *out, const kvl_run *run, const kvl_output_opts *opts)
{
    bool first = true;

    (void)opts;
    fputc('[', out);
    for (size_t i = 0; i < run->findings.n; i++) {
        const kvl_finding *f = &run->findings.v[i];
        char *rel;

        if (f->suppressed)
            continue;
        rel = kvl_output_relpath(f->path);
        fputs(first ? "\n" : ",\n", out);
        first = false;
        fputs("{\"description\":", out);
        kvl_json_string(out, f->message);
        fputs(",\"check_name\":", out);
        kvl_json_string(out, f->rule);
        fputs(",\"fingerprint\":", out);
        kvl_json_string(out, f->fingerprint ? f->fingerprint : "");
        fprintf(out, ",\"severity\":\"%s\",\"location\":{\"path\":", severity_of(f));
        kvl_json_string(out, rel ? rel : f->path);
        /* GitLab wants a line; 1 stands for "the file" when none is known */
        fprintf(out, ",\"lines\":{\"begin\":%u}}}", f->line ? f->line : 1);
        free(rel);
    }
    fputs(first ? "]\n" : "\n]\n", out);
    return ferror(out) ? -1 : 0;
}
