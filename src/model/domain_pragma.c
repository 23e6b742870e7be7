/*
 * Comment pragmas in the domain model (README "Suppressions"):
 *
 *     <!-- kvmlint: disable=rule-a,rule-b why this is fine -->
 *
 * For files kept in a repository: libvirt drops comments on define, so a
 * suppression that must survive `virsh dumpxml` goes in <metadata> instead
 * (domain_meta.c).  Where a pragma stands says what it covers:
 *   - before or after the root element, or a direct child of <domain>: the
 *     whole file;
 *   - anywhere deeper: the element that follows it among its siblings
 *     (other comments skipped), with everything inside that element; when
 *     no element follows, the enclosing element.
 *
 * Comments are not elements, so the table-driven walk never sees them.
 * Most files have no pragma, so the text is searched for "kvmlint:" first
 * and only a file that has one is walked for comments.  Positions come from
 * the text: each pragma is found after the previous one, since the DOM and
 * the text have the same order.
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain_priv.h"
#include "util/mem.h"
#include "util/banned.h"

typedef struct pragma_scan {
    kvl_walk *w;
    kvl_doc *doc;
    size_t off;                 /* where to look for the next comment */
    size_t line_start;          /* start of the line `off` is on */
    unsigned line;
} pragma_scan;

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Find the comment in the text and advance the scan to it. */
static void locate(pragma_scan *ps, const xmlNode *c, unsigned *line, unsigned *col)
{
    const char *text = ps->doc->text;
    const char *content = (const char *)c->content;
    size_t clen = strlen(content);
    const char *p = text + ps->off;
    unsigned chars = 0;

    while ((p = strstr(p, "<!--")) != NULL &&
           !(strncmp(p + 4, content, clen) == 0 && strncmp(p + 4 + clen, "-->", 3) == 0))
        p += 4;
    if (!p) {
        *line = *col = 0;
        return;
    }
    for (const char *q = text + ps->off; q < p; q++)
        if (*q == '\n') {
            ps->line++;
            ps->line_start = (size_t)(q - text) + 1;
        }
    ps->off = (size_t)(p - text) + 4 + clen + 3;
    /* columns count characters: skip UTF-8 continuation bytes */
    for (const char *q = text + ps->line_start; q < p; q++)
        if (((unsigned char)*q & 0xC0) != 0x80)
            chars++;
    *line = ps->line;
    *col = chars + 1;
    /* a multi-line comment moves the line count on */
    for (const char *q = p; q < text + ps->off; q++)
        if (*q == '\n') {
            ps->line++;
            ps->line_start = (size_t)(q - text) + 1;
        }
}

static void invalid(pragma_scan *ps, unsigned line, unsigned col, const char *what,
                    const char *text, size_t len)
{
    enum { SHOWN = 40 };

    if (!ps->w->sink)
        return;
    kvl_report_at(ps->w->sink, "value-invalid", line, col,
                  "write <!-- kvmlint: disable=RULE[,RULE...] reason -->",
                  "%s in kvmlint comment pragma '%.*s%s'", what,
                  (int)(len > SHOWN ? SHOWN : len), text, len > SHOWN ? "..." : "");
}

/* One comment: a pragma when it starts with "kvmlint:". */
static void pragma(pragma_scan *ps, const xmlNode *c, kvl_ref first, kvl_ref last)
{
    const char *t = (const char *)c->content;
    const char *body, *rules, *reason;
    size_t rlen, n, len;
    unsigned line, col;
    char **ids;
    kvl_suppress *s;

    while (t && blank(*t))
        t++;
    if (!t || strncmp(t, "kvmlint:", 8) != 0)
        return;
    locate(ps, c, &line, &col);
    body = t + 8;
    while (blank(*body))
        body++;
    len = strlen(body);
    while (len && blank(body[len - 1]))
        len--;
    if (strncmp(body, "disable=", 8) != 0) {
        invalid(ps, line, col, "unknown directive", body, len);
        return;
    }
    rules = body + 8;
    rlen = strcspn(rules, " \t\r\n");
    ids = kvl_walk_rule_list(rules, rlen, &n);
    if (n == 0) {
        invalid(ps, line, col, "no rule", body, len);
        return;
    }
    reason = rules + rlen;
    while (blank(*reason))
        reason++;
    s = kvl_walk_add_suppress(ps->w);
    s->comment = true;
    s->line = line;
    s->col = col;
    s->rules = ids;
    s->nrules = n;
    s->reason = reason < body + len ? kvl_xstrndup(reason, (size_t)(body + len - reason)) : NULL;
    s->scope_first = first;
    s->scope_last = last;
}

static const xmlNode *next_element(const xmlNode *n)
{
    for (n = n->next; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

/* Comments among the children of `parent`; `top`: <domain> itself. */
static void walk_level(pragma_scan *ps, const xmlNode *parent, bool top)
{
    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            walk_level(ps, c, false);
        } else if (c->type == XML_COMMENT_NODE) {
            const xmlNode *el = top ? NULL : next_element(c);
            kvl_ref first = top ? 0 : kvl_doc_ref(el ? el : parent);

            pragma(ps, c, first, first ? kvl_doc_ref_last(ps->doc, first) : 0);
        }
    }
}

void kvl_walk_pragmas(kvl_walk *w, const xmlDoc *xml)
{
    pragma_scan ps = { w, w->dom->doc, 0, 0, 1 };

    if (!xml || !strstr(ps.doc->text, "kvmlint:"))
        return;
    for (const xmlNode *n = xml->children; n; n = n->next) {
        if (n->type == XML_COMMENT_NODE)
            pragma(&ps, n, 0, 0);
        else if (n->type == XML_ELEMENT_NODE)
            walk_level(&ps, n, true);
    }
}
