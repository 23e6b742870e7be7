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
        switch (*p) {
        case '"':  fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void field(FILE *out, const char *name, const char *value, bool comma)
{
    fprintf(out, "%s\"%s\":", comma ? "," : "", name);
    kvl_json_string(out, value);
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
    for (size_t i = 0; i < run->findings.n; i++) {
        const kvl_finding *f = &run->findings.v[i];
        counts[f->severity]++;
        fputs(i ? ",\n{" : "\n{", out);
        field(out, "rule", f->rule, false);
        field(out, "severity", kvl_severity_name(f->severity), true);
        field(out, "path", f->path, true);
        fprintf(out, ",\"line\":%u,\"column\":%u", f->line, f->col);
        field(out, "domain", f->domain, true);
        field(out, "message", f->message, true);
        field(out, "hint", f->hint, true);
        field(out, "fix", kvl_fix_name(f->fix), true);
        fputc('}', out);
    }
    fprintf(out, "],\"summary\":{\"files\":%zu,\"error\":%zu,\"warning\":%zu,\"info\":%zu}}\n",
            run->nfiles, counts[KVL_SEV_ERROR], counts[KVL_SEV_WARNING], counts[KVL_SEV_INFO]);
    return ferror(out) ? -1 : 0;
}
