/*
 * Text output, read like a compiler's:
 *   vms/sql01.xml:14:5: warning: vCPUs 0-3 ... [numa-pin-cross-node]
 *     hint: ...
 *     fix (safe): ...          when `kvmlint fix` can repair it
 * Files that could not be read come first as "path: error: ...".
 */
#include "output/output.h"

#include <string.h>

#include "util/banned.h"

#define C_RESET   "\033[0m"
#define C_BOLD    "\033[1m"
#define C_RED     "\033[1;31m"
#define C_MAGENTA "\033[1;35m"
#define C_CYAN    "\033[1;36m"
#define C_DIM     "\033[2m"

static const char *sev_color(kvl_severity sev)
{
    switch (sev) {
    case KVL_SEV_ERROR:
        return C_RED;
    case KVL_SEV_WARNING:
        return C_MAGENTA;
    default:
        return C_CYAN;
    }
}

int kvl_output_text(FILE *out, const kvl_run *run, const kvl_output_opts *opts)
{
    bool c = opts && opts->color;

    for (size_t i = 0; i < run->nfiles; i++)
        if (run->files[i].error)
            fprintf(out, "%s%s:%s %serror:%s %s\n", c ? C_BOLD : "", run->files[i].path,
                    c ? C_RESET : "", c ? C_RED : "", c ? C_RESET : "",
                    run->files[i].error);
    for (size_t i = 0; i < run->findings.n; i++) {
        const kvl_finding *f = &run->findings.v[i];

        if (f->suppressed)      /* README "Suppressions"; --verbose counts them */
            continue;
        fprintf(out, "%s%s", c ? C_BOLD : "", f->path);
        if (f->line)
            fprintf(out, ":%u", f->line);
        if (f->line && f->col)
            fprintf(out, ":%u", f->col);
        fprintf(out, ":%s %s%s:%s %s %s[%s]%s\n", c ? C_RESET : "",
                c ? sev_color(f->severity) : "", kvl_severity_name(f->severity),
                c ? C_RESET : "", f->message, c ? C_DIM : "", f->rule, c ? C_RESET : "");
        if (f->hint)
            fprintf(out, "  hint: %s\n", f->hint);
        /* what `kvmlint fix` would do (--unsafe-fixes for an unsafe one) */
        if (f->fixable)
            fprintf(out, "  fix (%s): %s\n", kvl_fix_name(f->fix_kind), f->fix_summary);
        else if (f->no_fix)
            fprintf(out, "  no fix: %s\n", f->no_fix);
    }
    return ferror(out) ? -1 : 0;
}
