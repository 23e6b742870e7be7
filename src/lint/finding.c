/* The findings list and the sink rules report into; see finding.h. */
#include "lint/finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/catalogue.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

static const char *const severity_names[] = { "none", "info", "warning", "error" };
static const char *const fix_names[] = { NULL, "safe", "unsafe", "manual" };

const char *kvl_severity_name(kvl_severity sev)
{
    return (unsigned)sev <= KVL_SEV_ERROR ? severity_names[sev] : "?";
}

int kvl_severity_parse(const char *s, kvl_severity *out)
{
    for (int i = 0; i <= KVL_SEV_ERROR; i++)
        if (strcmp(s, severity_names[i]) == 0) {
            *out = (kvl_severity)i;
            return 0;
        }
    return -1;
}

const char *kvl_fix_name(kvl_fix_kind fix)
{
    return (unsigned)fix <= KVL_FIX_MANUAL ? fix_names[fix] : NULL;
}

const char *kvl_suppress_name(kvl_suppress_kind kind)
{
    static const char *const names[] = { NULL, "metadata", "comment", "config", "baseline" };

    return (unsigned)kind <= KVL_SUPPRESS_BASELINE ? names[kind] : NULL;
}

int kvl_fix_parse(const char *s, kvl_fix_kind *out)
{
    if (strcmp(s, "none") == 0) {
        *out = KVL_FIX_NONE;
        return 0;
    }
    for (int i = KVL_FIX_SAFE; i <= KVL_FIX_MANUAL; i++)
        if (strcmp(s, fix_names[i]) == 0) {
            *out = (kvl_fix_kind)i;
            return 0;
        }
    return -1;
}

void kvl_findings_free(kvl_findings *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++) {
        kvl_finding *f = &list->v[i];
        free(f->path);
        free(f->domain);
        free(f->message);
        free(f->hint);
        free(f->attr);
        free(f->fingerprint);
        free(f->suppress_reason);
        free(f->fix_summary);
        free(f->no_fix);
        kvl_fix_free(f->edits);
    }
    free(list->v);
    list->v = NULL;
    list->n = list->cap = 0;
}

static int cmp_findings(const void *pa, const void *pb)
{
    const kvl_finding *a = pa, *b = pb;
    int c;

    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    c = strcmp(a->rule, b->rule);
    if (c)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void kvl_findings_sort(kvl_findings *list)
{
    if (list->n > 1)
        qsort(list->v, list->n, sizeof(*list->v), cmp_findings);
}

static void add(kvl_sink *sink, const char *rule, int sev, unsigned line, unsigned col,
                const char *hint, const char *fmt, va_list ap)
{
    const kvl_rule_def *def = kvl_catalogue_find(sink->cat, rule);
    kvl_findings *list = sink->list;
    kvl_buf msg = KVL_BUF_INIT;
    kvl_finding *f;

    if (!def) {
        fprintf(stderr, "kvmlint: internal error: rule '%s' is not in the catalogue\n", rule);
        abort();
    }
    kvl_buf_vaddf(&msg, fmt, ap);
    KVL_GROW(list->v, list->n, list->cap);
    f = &list->v[list->n];
    f->rule = def->id;
    f->severity = sev < 0 ? def->severity : (kvl_severity)sev;
    f->fix = def->fix;
    /* RULES.md names the input errors (exit status 2); schema-invalid is an
     * input rule but not one of them: the file was read and linted */
    f->input_error = strcmp(def->category, "input") == 0
                     && strcmp(def->id, "schema-invalid") != 0;
    f->path = kvl_xstrdup(sink->doc ? sink->doc->path : sink->path ? sink->path : "");
    f->line = line;
    f->col = col;
    f->domain = kvl_xstrdup(sink->domain);
    f->message = kvl_buf_detach(&msg);
    f->hint = kvl_xstrdup(hint);
    f->file = sink->file;
    f->seq = list->n;
    f->end_line = f->end_col = 0;
    f->ref = 0;
    f->attr = NULL;
    f->fingerprint = NULL;
    f->suppressed = KVL_SUPPRESS_NONE;
    f->suppress_reason = NULL;
    f->fixable = false;
    f->fix_kind = KVL_FIX_NONE;
    f->fix_summary = NULL;
    f->edits = NULL;
    f->no_fix = NULL;
    list->n++;
}

static void add_at_node(kvl_sink *sink, const char *rule, int sev, kvl_ref node,
                        const char *attr, const char *hint, const char *fmt, va_list ap)
{
    kvl_pos pos = { 0, 0, 0 }, end = { 0, 0, 0 };
    kvl_finding *f;

    if (node && sink->doc) {
        pos = kvl_doc_ref_pos(sink->doc, node, attr);
        end = kvl_doc_ref_end(sink->doc, node, attr);
    }
    add(sink, rule, sev, pos.line, pos.col, hint, fmt, ap);
    f = &sink->list->v[sink->list->n - 1];
    f->ref = node;
    f->attr = kvl_xstrdup(attr);
    f->end_line = end.line;
    f->end_col = end.col;
}

void kvl_report(kvl_sink *sink, const char *rule, kvl_ref node,
                const char *attr, const char *hint, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_at_node(sink, rule, -1, node, attr, hint, fmt, ap);
    va_end(ap);
}

void kvl_report_sev(kvl_sink *sink, const char *rule, kvl_severity sev,
                    kvl_ref node, const char *attr, const char *hint,
                    const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_at_node(sink, rule, (int)sev, node, attr, hint, fmt, ap);
    va_end(ap);
}

void kvl_report_at(kvl_sink *sink, const char *rule, unsigned line, unsigned col,
                   const char *hint, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add(sink, rule, -1, line, col, hint, fmt, ap);
    va_end(ap);
}
