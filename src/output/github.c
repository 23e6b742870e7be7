/*
 * GitHub Actions workflow commands: one line per finding,
 *   ::warning file=vms/a.xml,line=12,col=25,endColumn=40,title=RULE::MESSAGE
 * which the runner turns into annotations on the pull request.  Severities
 * map to error, warning and notice.  Values are escaped the way the runner
 * unescapes them: %, CR and LF in the message; additionally ':' and ',' in
 * properties, whose syntax they would break.
 *
 * Columns are given only when the region stays on one line (GitHub ignores
 * them otherwise); endColumn is the last column of the start tag or
 * attribute, inclusive.  Suppressed findings are left out, as in text.
 * Unreadable paths become ::error lines without a position.
 */
#include "output/output.h"

#include <stdlib.h>

#include "util/banned.h"

static void escape(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        switch (*s) {
        case '%':  fputs("%25", out); break;
        case '\r': fputs("%0D", out); break;
        case '\n': fputs("%0A", out); break;
        case ':':  property ? fputs("%3A", out) : fputc(':', out); break;
        case ',':  property ? fputs("%2C", out) : fputc(',', out); break;
        default:   fputc(*s, out);
        }
    }
}

static const char *command_of(kvl_severity sev)
{
    return sev == KVL_SEV_ERROR ? "error" : sev == KVL_SEV_WARNING ? "warning" : "notice";
}

/* "file=...," for a path GitHub can place; nothing for standard input. */
static void file_property(FILE *out, const char *path)
{
    char *rel = kvl_output_relpath(path);

    if (rel) {
        fputs("file=", out);
        escape(out, rel, true);
        fputc(',', out);
    }
    free(rel);
}

static void finding_line(FILE *out, const kvl_finding *f)
{
    fprintf(out, "::%s ", command_of(f->severity));
    file_property(out, f->path);
    if (f->line) {
        fprintf(out, "line=%u,", f->line);
        if (f->end_line && f->end_line != f->line)
            fprintf(out, "endLine=%u,", f->end_line);
        if (f->col && (!f->end_line || f->end_line == f->line)) {
            fprintf(out, "col=%u,", f->col);
            if (f->end_line && f->end_col > f->col)
                fprintf(out, "endColumn=%u,", f->end_col - 1);
        }
    }
    fputs("title=", out);
    escape(out, f->rule, true);
    fputs("::", out);
    escape(out, f->message, false);
    if (f->hint) {
        fputs("%0Ahint: ", out);
        escape(out, f->hint, false);
    }
    fputc('\n', out);
}

int kvl_output_github(FILE *out, const kvl_run *run, const kvl_output_opts *opts)
{
    (void)opts;
    for (size_t i = 0; i < run->nfiles; i++) {
        if (!run->files[i].error)
            continue;
        fputs("::error ", out);
        file_property(out, run->files[i].path);
        fputs("title=kvmlint::", out);
        escape(out, run->files[i].path, false);
        fputs(": ", out);
        escape(out, run->files[i].error, false);
        fputc('\n', out);
    }
    for (size_t i = 0; i < run->findings.n; i++)
        if (!run->findings.v[i].suppressed)
            finding_line(out, &run->findings.v[i]);
    return ferror(out) ? -1 : 0;
}
