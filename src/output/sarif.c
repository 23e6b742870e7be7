/*
 * SARIF 2.1.0 output (OASIS Static Analysis Results Interchange Format),
 * shaped for GitHub code scanning: one run whose tool.driver describes
 * every rule of the catalogue (descriptions and help built from its
 * rationale, fix text and references), and one result per finding with a
 * region that spans the start tag or attribute, a partial fingerprint that
 * survives edits elsewhere in the file, and suppressions[] for suppressed
 * findings.  tests/sarif_validate.py checks the output against the schema.
 *
 * A finding whose check proposed a fix gets fixes[]: its summary and the
 * replacements `kvmlint fix` would make, each on its own (SARIF fixes are
 * independent; `kvmlint fix` also drops colliding ones and re-lints).  The
 * run collects edits only for this format (kvl_output_format.fixes).
 * Findings with a manual fix or none carry just their hint.
 *
 * Written directly with a small indenting JSON writer: the document is
 * large but flat enough that a tree would only cost memory.
 */
#include "output/output.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fix/edit.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#define KVL_INFORMATION_URI "https://kvmlint.org/"
#define FINGERPRINT_KEY "kvmlint/v1"
#define JW_MAX_DEPTH 32

/* ---- an indenting JSON writer ---- */

typedef struct jw {
    FILE *out;
    int depth;
    bool empty[JW_MAX_DEPTH];    /* nothing written yet at this depth */
} jw;

/* Comma, newline and indentation before a member, and its key. */
static void jw_key(jw *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->empty[w->depth])
            fputc(',', w->out);
        w->empty[w->depth] = false;
        fprintf(w->out, "\n%*s", 2 * w->depth, "");
    }
    if (key) {
        kvl_json_string(w->out, key);
        fputs(": ", w->out);
    }
}

static void jw_open(jw *w, const char *key, char bracket)
{
    jw_key(w, key);
    fputc(bracket, w->out);
    if (w->depth + 1 < JW_MAX_DEPTH)
        w->depth++;
    w->empty[w->depth] = true;
}

static void jw_close(jw *w, char bracket)
{
    bool empty = w->empty[w->depth];

    w->depth--;
    if (!empty)
        fprintf(w->out, "\n%*s", 2 * w->depth, "");
    fputc(bracket, w->out);
}

static void jw_str(jw *w, const char *key, const char *value)
{
    jw_key(w, key);
    kvl_json_string(w->out, value);
}

static void jw_uint(jw *w, const char *key, unsigned long long value)
{
    jw_key(w, key);
    fprintf(w->out, "%llu", value);
}

static void jw_bool(jw *w, const char *key, bool value)
{
    jw_key(w, key);
    fputs(value ? "true" : "false", w->out);
}

/* {"text": ...} (and "markdown" when not NULL): a SARIF message object. */
static void jw_message(jw *w, const char *key, const char *text, const char *markdown)
{
    jw_open(w, key, '{');
    jw_str(w, "text", text);
    if (markdown)
        jw_str(w, "markdown", markdown);
    jw_close(w, '}');
}

/* ---- pieces ---- */

static const char *level_of(kvl_severity sev)
{
    switch (sev) {
    case KVL_SEV_ERROR:
        return "error";
    case KVL_SEV_WARNING:
        return "warning";
    default:
        return "note";
    }
}

/* "disk-bus-not-virtio" -> "DiskBusNotVirtio", SARIF's readable rule name. */
static char *pascal_case(const char *id)
{
    kvl_buf b = KVL_BUF_INIT;
    bool up = true;

    for (const char *p = id; *p; p++) {
        if (*p == '-' || *p == '_') {
            up = true;
            continue;
        }
        kvl_buf_addc(&b, up ? (char)toupper((unsigned char)*p) : *p);
        up = false;
    }
    return kvl_buf_detach(&b);
}

/* Plain text inside Markdown: the catalogue quotes XML ("<timer .../>"),
 * which a renderer would take for HTML, and names like total_*_sec. */
static void add_md_text(kvl_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            kvl_buf_adds(b, "&lt;");
        else if (*s == '>')
            kvl_buf_adds(b, "&gt;");
        else if (*s == '&')
            kvl_buf_adds(b, "&amp;");
        else {
            if (strchr("[]\\*_`", *s))
                kvl_buf_addc(b, '\\');
            kvl_buf_addc(b, *s);
        }
    }
}

static void rule_help(const kvl_rule_def *r, char **text, char **markdown)
{
    kvl_buf t = KVL_BUF_INIT, m = KVL_BUF_INIT;
    const char *kind = kvl_fix_name(r->fix);

    kvl_buf_adds(&t, r->rationale);
    add_md_text(&m, r->rationale);
    if (r->fix_text || kind) {
        kvl_buf_addf(&t, "\n\nFix%s%s%s: %s", kind ? " (" : "", kind ? kind : "",
                     kind ? ")" : "", r->fix_text ? r->fix_text : "");
        kvl_buf_addf(&m, "\n\n**Fix%s%s%s:** ", kind ? " (" : "", kind ? kind : "",
                     kind ? ")" : "");
        add_md_text(&m, r->fix_text ? r->fix_text : "");
    }
    if (r->nrefs) {
        kvl_buf_adds(&t, "\n\nReferences:");
        kvl_buf_adds(&m, "\n\n**References**\n");
        for (size_t i = 0; i < r->nrefs; i++) {
            const char *title = r->refs[i].title ? r->refs[i].title : r->refs[i].href;

            kvl_buf_addf(&t, "\n- %s: %s", title, r->refs[i].href);
            kvl_buf_adds(&m, "\n- [");
            add_md_text(&m, title);
            kvl_buf_addf(&m, "](%s)", r->refs[i].href);
        }
    }
    *text = kvl_buf_detach(&t);
    *markdown = kvl_buf_detach(&m);
}

static void write_rule(jw *w, const kvl_rule_def *r)
{
    char *name = pascal_case(r->id), *text, *markdown;

    rule_help(r, &text, &markdown);
    jw_open(w, NULL, '{');
    jw_str(w, "id", r->id);
    jw_str(w, "name", name);
    jw_message(w, "shortDescription", r->title, NULL);
    jw_message(w, "fullDescription", r->rationale, NULL);
    jw_message(w, "help", text, markdown);
    if (r->nrefs)
        jw_str(w, "helpUri", r->refs[0].href);
    jw_open(w, "defaultConfiguration", '{');
    jw_str(w, "level", level_of(r->severity));
    jw_close(w, '}');
    jw_open(w, "properties", '{');
    jw_open(w, "tags", '[');
    jw_str(w, NULL, r->category);
    jw_close(w, ']');
    if (kvl_fix_name(r->fix))
        jw_str(w, "fix", kvl_fix_name(r->fix));
    jw_close(w, '}');
    jw_close(w, '}');
    free(name);
    free(text);
    free(markdown);
}

/*
 * A path as a URI reference: relative paths percent-encoded (':' too, so a
 * first segment never reads as a scheme), absolute ones outside the working
 * directory as file:// URIs.
 */
static char *path_uri(const char *rel)
{
    kvl_buf b = KVL_BUF_INIT;

    if (rel[0] == '/')
        kvl_buf_adds(&b, "file://");
    for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
        if (isalnum(*p) || strchr("-._~/", *p))
            kvl_buf_addc(&b, (char)*p);
        else
            kvl_buf_addf(&b, "%%%02X", *p);
    }
    return kvl_buf_detach(&b);
}

static void write_artifact(jw *w, const char *path)
{
    char *rel = kvl_output_relpath(path);

    jw_open(w, "artifactLocation", '{');
    if (rel) {
        char *uri = path_uri(rel);
        jw_str(w, "uri", uri);
        if (rel[0] != '/')
            jw_str(w, "uriBaseId", "%SRCROOT%");
        free(uri);
    } else {
        /* standard input has no URI; say what it was instead */
        jw_message(w, "description", "standard input", NULL);
    }
    jw_close(w, '}');
    free(rel);
}

static void write_location(jw *w, const kvl_finding *f)
{
    jw_open(w, "locations", '[');
    jw_open(w, NULL, '{');
    jw_open(w, "physicalLocation", '{');
    write_artifact(w, f->path);
    if (f->line) {
        jw_open(w, "region", '{');
        jw_uint(w, "startLine", f->line);
        if (f->col)
            jw_uint(w, "startColumn", f->col);
        if (f->end_line) {
            jw_uint(w, "endLine", f->end_line);
            jw_uint(w, "endColumn", f->end_col);
        }
        jw_close(w, '}');
    }
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, ']');
}

static void write_region(jw *w, const char *key, kvl_pos start, kvl_pos end)
{
    jw_open(w, key, '{');
    jw_uint(w, "startLine", start.line);
    jw_uint(w, "startColumn", start.col);
    jw_uint(w, "endLine", end.line);
    jw_uint(w, "endColumn", end.col);
    jw_close(w, '}');
}

static int cmp_patches(const void *pa, const void *pb)
{
    const kvl_patch *a = pa, *b = pb;

    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->end < b->end ? -1 : a->end > b->end;
}

/* fixes[]: the proposed edits as replacements on the file as it is, in
 * file order, every region in the original text's coordinates. */
static void write_fixes(jw *w, const kvl_run *run, const kvl_finding *f)
{
    kvl_doc *doc = f->file < run->nfiles ? run->files[f->file].doc : NULL;
    kvl_patches p = { NULL, 0, 0 };
    kvl_style st;
    const char *why;
    char *desc;

    /* standard input has no artifact a fix could be applied to */
    if (!f->edits || !f->fix_summary || !doc || strcmp(f->path, KVL_STDIN_PATH) == 0)
        return;
    kvl_style_detect(doc, &st);
    if (kvl_fix_resolve(f->edits, doc, &st, &p, &why) < 0 || p.n == 0) {
        kvl_patches_free(&p);
        return;
    }
    /* stable: insertions at one point keep the order the check gave them */
    for (size_t i = 1; i < p.n; i++)
        for (size_t j = i; j > 0 && cmp_patches(&p.v[j - 1], &p.v[j]) > 0; j--) {
            kvl_patch t = p.v[j - 1];
            p.v[j - 1] = p.v[j];
            p.v[j] = t;
        }
    desc = kvl_xasprintf("%s fix: %s", kvl_fix_name(f->fix_kind), f->fix_summary);
    jw_open(w, "fixes", '[');
    jw_open(w, NULL, '{');
    jw_message(w, "description", desc, NULL);
    jw_open(w, "artifactChanges", '[');
    jw_open(w, NULL, '{');
    write_artifact(w, f->path);
    jw_open(w, "replacements", '[');
    for (size_t i = 0; i < p.n; i++) {
        jw_open(w, NULL, '{');
        /* an insertion is the empty region at its point */
        write_region(w, "deletedRegion", kvl_doc_offset_pos(doc, p.v[i].start),
                     kvl_doc_offset_pos(doc, p.v[i].end));
        if (p.v[i].text && *p.v[i].text) {
            jw_open(w, "insertedContent", '{');
            jw_str(w, "text", p.v[i].text);
            jw_close(w, '}');
        }
        jw_close(w, '}');
    }
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, ']');
    free(desc);
    kvl_patches_free(&p);
}

static void write_result(jw *w, const kvl_run *run, const kvl_finding *f)
{
    const kvl_rule_def *def = kvl_catalogue_find(run->cat, f->rule);
    char *text = f->hint ? kvl_xasprintf("%s\nhint: %s", f->message, f->hint)
                         : kvl_xstrdup(f->message);

    jw_open(w, NULL, '{');
    jw_str(w, "ruleId", f->rule);
    if (def)
        jw_uint(w, "ruleIndex", (unsigned long long)(def - run->cat->rules));
    jw_str(w, "level", level_of(f->severity));
    jw_message(w, "message", text, NULL);
    write_location(w, f);
    if (f->fingerprint) {
        jw_open(w, "partialFingerprints", '{');
        jw_str(w, FINGERPRINT_KEY, f->fingerprint);
        jw_close(w, '}');
    }
    if (f->suppressed) {
        jw_open(w, "suppressions", '[');
        jw_open(w, NULL, '{');
        /* config files and baselines live outside the analysed file */
        jw_str(w, "kind", f->suppressed == KVL_SUPPRESS_CONFIG
                                  || f->suppressed == KVL_SUPPRESS_BASELINE
                              ? "external" : "inSource");
        if (f->suppress_reason)
            jw_str(w, "justification", f->suppress_reason);
        jw_open(w, "properties", '{');
        jw_str(w, "source", kvl_suppress_name(f->suppressed));
        jw_close(w, '}');
        jw_close(w, '}');
        jw_close(w, ']');
    }
    write_fixes(w, run, f);
    jw_open(w, "properties", '{');
    if (f->domain)
        jw_str(w, "domain", f->domain);
    if (f->hint)
        jw_str(w, "hint", f->hint);
    if (kvl_fix_name(f->fix))
        jw_str(w, "fix", kvl_fix_name(f->fix));
    if (f->fix_summary)
        jw_str(w, "fixSummary", f->fix_summary);
    jw_close(w, '}');
    jw_close(w, '}');
    free(text);
}

/* Unreadable paths are not findings: they are notifications of the run. */
static void write_invocation(jw *w, const kvl_run *run)
{
    bool ok = true;

    for (size_t i = 0; i < run->nfiles; i++)
        ok = ok && !run->files[i].error;
    jw_open(w, "invocations", '[');
    jw_open(w, NULL, '{');
    jw_bool(w, "executionSuccessful", ok);
    if (!ok) {
        jw_open(w, "toolExecutionNotifications", '[');
        for (size_t i = 0; i < run->nfiles; i++) {
            if (!run->files[i].error)
                continue;
            jw_open(w, NULL, '{');
            jw_str(w, "level", "error");
            jw_message(w, "message", run->files[i].error, NULL);
            jw_open(w, "locations", '[');
            jw_open(w, NULL, '{');
            jw_open(w, "physicalLocation", '{');
            write_artifact(w, run->files[i].path);
            jw_close(w, '}');
            jw_close(w, '}');
            jw_close(w, ']');
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    jw_close(w, '}');
    jw_close(w, ']');
}

int kvl_output_sarif(FILE *out, const kvl_run *run, const kvl_output_opts *opts)
{
    jw w = { out, 0, { true } };

    (void)opts;
    jw_open(&w, NULL, '{');
    jw_str(&w, "$schema", SARIF_SCHEMA);
    jw_str(&w, "version", "2.1.0");
    jw_open(&w, "runs", '[');
    jw_open(&w, NULL, '{');
    jw_open(&w, "tool", '{');
    jw_open(&w, "driver", '{');
    jw_str(&w, "name", "kvmlint");
    jw_str(&w, "version", KVL_VERSION);
    jw_str(&w, "semanticVersion", KVL_VERSION);
    jw_str(&w, "informationUri", KVL_INFORMATION_URI);
    jw_open(&w, "rules", '[');
    for (size_t i = 0; i < run->cat->n; i++)
        write_rule(&w, &run->cat->rules[i]);
    jw_close(&w, ']');
    jw_close(&w, '}');
    jw_close(&w, '}');
    write_invocation(&w, run);
    jw_str(&w, "columnKind", "unicodeCodePoints");
    jw_open(&w, "results", '[');
    for (size_t i = 0; i < run->findings.n; i++)
        write_result(&w, run, &run->findings.v[i]);
    jw_close(&w, ']');
    jw_close(&w, '}');
    jw_close(&w, ']');
    jw_close(&w, '}');
    fputc('\n', out);
    return ferror(out) ? -1 : 0;
}
