/*
 * JSON output: one document for the whole run, written directly from the
 * findings list.  Its shape is documented in README.md ("JSON output").
 */
#include "output/output.h"

#include "util/banned.h"

void kvl_json_string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const unsigned char *run = p;

        /* the plain stretch in one write: a locked fputc per byte was the
         * bulk of a JSON report's cost */
        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        if (p > run)
            fwrite(run, 1, (size_t)(p - run), out);
        if (!*p)
            break;
        switch (*p) {
        case '"':  fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:   fprintf(out, "\\u%04x", *p); break;    /* other controls */
        }
    }
    fputc('"', out);
}

static void field(FILE *out, const char *name, const char *value, bool comma)
{
    fprintf(out, "%s\"%s\":", comma ? "," : "", name);
    kvl_json_string(out, value);
}

/* One finding object; suppressed ones say by what. */
static void finding(FILE *out, const kvl_finding *f, bool comma)
{
    fputs(comma ? ",\n{" : "\n{", out);
    field(out, "rule", f->rule, false);
    field(out, "severity", kvl_severity_name(f->severity), true);
    field(out, "path", f->path, true);
    fprintf(out, ",\"line\":%u,\"column\":%u", f->line, f->col);
    field(out, "domain", f->domain, true);
    field(out, "message", f->message, true);
    field(out, "hint", f->hint, true);
    field(out, "fix", kvl_fix_name(f->fix), true);
    /* "fix" is the catalogue's kind; this says whether `kvmlint fix` has
     * edits for this very finding */
    fprintf(out, ",\"fixable\":%s", f->fixable ? "true" : "false");
    if (f->no_fix)          /* why not, when the rule has a fix (fix/fix.h) */
        field(out, "no_fix", f->no_fix, true);
    field(out, "fingerprint", f->fingerprint, true);
    if (f->suppressed) {
        fputs(",\"suppression\":{", out);
        field(out, "kind", kvl_suppress_name(f->suppressed), false);
        field(out, "reason", f->suppress_reason, true);
        fputc('}', out);
    }
    fputc('}', out);
}

int kvl_output_json(FILE *out, const kvl_run *run, const kvl_output_opts *opts)
{
    size_t counts[4] = { 0, 0, 0, 0 };

    (void)opts;
    fputs("{\"tool\":\"kvmlint\",\"version\":\"" KVL_VERSION "\",\"files\":[", out);
    for (size_t i = 0; i < run->nfiles; i++) {
        const kvl_file *f = &run->files[i];
        fputs(i ? ",\n{" : "\n{", out);
        field(out, "path", f->path, false);
        field(out, "domain", f->domain, true);
        field(out, "status", f->status == KVL_FILE_ERROR ? "error" : "linted", true);
        if (f->error)
            field(out, "error", f->error, true);
        fputc('}', out);
    }
    fputs("],\"findings\":[", out);
    for (size_t i = 0, k = 0; i < run->findings.n; i++)
        if (!run->findings.v[i].suppressed) {
            counts[run->findings.v[i].severity]++;
            finding(out, &run->findings.v[i], k++ > 0);
        }
    /* README "Suppressions": kept apart, so "findings" is what is reported */
    fputs("],\"suppressed\":[", out);
    for (size_t i = 0, k = 0; i < run->findings.n; i++)
        if (run->findings.v[i].suppressed) {
            counts[KVL_SEV_NONE]++;
            finding(out, &run->findings.v[i], k++ > 0);
        }
    fprintf(out, "],\"summary\":{\"files\":%zu,\"error\":%zu,\"warning\":%zu,\"info\":%zu,"
            "\"suppressed\":%zu}}\n", run->nfiles, counts[KVL_SEV_ERROR],
            counts[KVL_SEV_WARNING], counts[KVL_SEV_INFO], counts[KVL_SEV_NONE]);
    return ferror(out) ? -1 : 0;
}
