/*
 * The edit engine (edit.h): from edits on element refs to byte-range
 * patches on the text, and the splicing of patches into a new text.
 *
 * Where a fragment goes decides how it is written: after a sibling that
 * stands on its own line it gets a line of its own at that sibling's
 * indentation; inside a parent that is written on one line it stays on that
 * line.  So a fix never reflows what it does not touch.
 */
#include "fix/edit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void escape(kvl_buf *b, const char *s, char quote)
{
    for (; *s; s++) {
        if (*s == '&')
            kvl_buf_adds(b, "&amp;");
        else if (*s == '<')
            kvl_buf_adds(b, "&lt;");
        else if (*s == '>' && !quote)
            kvl_buf_adds(b, "&gt;");
        else if (quote && *s == quote)
            kvl_buf_adds(b, quote == '"' ? "&quot;" : "&apos;");
        else
            kvl_buf_addc(b, *s);
    }
}

static void add_patch(kvl_patches *out, size_t start, size_t end, char *text)
{
    KVL_GROW(out->v, out->n, out->cap);
    out->v[out->n].start = start;
    out->v[out->n].end = end;
    out->v[out->n].text = text ? text : kvl_xstrdup("");
    out->v[out->n].tag = NULL;
    out->n++;
}

/* Name the element the insertions from `from` on add (the fragment's first
 * element), for kvl_patch_conflict; the ">" that opens an empty parent adds
 * none. */
static void tag_insertions(kvl_patches *out, size_t from, const char *frag)
{
    const char *p = strchr(frag, '<');

    for (size_t i = from; p && i < out->n; i++)
        if (out->v[i].start == out->v[i].end && !out->v[i].tag && strchr(out->v[i].text, '<'))
            out->v[i].tag = kvl_xstrndup(p + 1, strcspn(p + 1, " \t\r\n/>"));
}

static void drop_last(kvl_patches *out)
{
    out->n--;
    free(out->v[out->n].text);
    free(out->v[out->n].tag);
}

/* The indentation of the line `off` starts, or "" (caller frees). */
static char *indent_of(const char *t, size_t off, bool *own)
{
    size_t ls;

    *own = kvl_text_own_line(t, off, &ls);
    return *own ? kvl_xstrndup(t + ls, off - ls) : kvl_xstrdup("");
}

/* The last element child of `parent` (0 for none). */
static kvl_ref last_child(kvl_doc *doc, kvl_ref parent, const kvl_span *ps)
{
    kvl_ref last = 0;
    kvl_span s;

    for (kvl_ref r = parent + 1; kvl_doc_span(doc, r, &s) && s.start < ps->end; r++)
        if (s.parent == parent)
            last = r;
    return last;
}

static int set_attr(kvl_doc *doc, const kvl_style *st, const kvl_edit *e, kvl_patches *out)
{
    kvl_attr_span a;
    kvl_buf b = KVL_BUF_INIT;
    size_t at;
    char q;

    if (kvl_doc_attr_span(doc, e->ref, e->name, &a)) {
        escape(&b, e->value, a.quote);
        add_patch(out, a.value_start, a.value_end, kvl_buf_detach(&b));
        return 0;
    }
    if ((at = kvl_doc_attrs_end(doc, e->ref)) == SIZE_MAX)
        return -1;
    /* the element's own quotes first, then the file's */
    q = kvl_doc_attr_nth(doc, e->ref, 0, &a) ? a.quote : st->quote;
    kvl_buf_addf(&b, " %s=%c", e->name, q);
    escape(&b, e->value, q);
    kvl_buf_addc(&b, q);
    add_patch(out, at, at, kvl_buf_detach(&b));
    return 0;
}

static int remove_attr(kvl_doc *doc, const kvl_edit *e, kvl_patches *out)
{
    kvl_attr_span a;
    size_t start;

    if (!kvl_doc_attr_span(doc, e->ref, e->name, &a))
        return 0;                               /* already absent */
    for (start = a.start; start > 0 && is_space(doc->text[start - 1]); start--)
        ;
    add_patch(out, start, a.value_end + 1, kvl_xstrdup(""));
    return 0;
}

static int set_text(kvl_doc *doc, const kvl_edit *e, kvl_patches *out)
{
    kvl_span s;
    kvl_buf b = KVL_BUF_INIT;
    const char *name;
    size_t nlen;

    if (!kvl_doc_span(doc, e->ref, &s))
        return -1;
    if (!s.empty) {
        escape(&b, e->value, 0);
        add_patch(out, s.stag_end, s.close, kvl_buf_detach(&b));
        return 0;
    }
    name = kvl_doc_ref_name(doc, e->ref, &nlen);
    kvl_buf_addc(&b, '>');
    escape(&b, e->value, 0);
    kvl_buf_addf(&b, "</%.*s>", (int)nlen, name);
    add_patch(out, s.close, s.end, kvl_buf_detach(&b));
    return 0;
}

/* The element, and its whole line when nothing else is on it. */
static int remove_element(kvl_doc *doc, const kvl_edit *e, kvl_patches *out)
{
    const char *t = doc->text;
    kvl_span s;
    size_t ls, j;

    if (!kvl_doc_span(doc, e->ref, &s))
        return -1;
    for (j = s.end; j < doc->len && (t[j] == ' ' || t[j] == '\t'); j++)
        ;
    if (kvl_text_own_line(t, s.start, &ls) && (j == doc->len || t[j] == '\n' || t[j] == '\r')) {
        if (j < doc->len && t[j] == '\r')
            j++;
        if (j < doc->len && t[j] == '\n')
            j++;
        add_patch(out, ls, j, kvl_xstrdup(""));
    } else {
        add_patch(out, s.start, s.end, kvl_xstrdup(""));
    }
    return 0;
}

static int insert_child(kvl_doc *doc, const kvl_style *st, const kvl_edit *e, kvl_patches *out)
{
    const char *t = doc->text;
    kvl_span ps, cs;
    kvl_ref child;
    bool own_p, own_c = false;
    char *ind_p, *ci, *frag;
    const char *name;
    size_t nlen, x;
    kvl_buf b = KVL_BUF_INIT;

    if (!kvl_doc_span(doc, e->ref, &ps) || !(name = kvl_doc_ref_name(doc, e->ref, &nlen)))
        return -1;
    ind_p = indent_of(t, ps.start, &own_p);
    child = last_child(doc, e->ref, &ps);
    if (child && kvl_doc_span(doc, child, &cs)) {
        ci = indent_of(t, cs.start, &own_c);
        if (!own_c) {
            free(ci);
            ci = NULL;
        }
    } else {
        ci = NULL;
    }
    if (!ci)
        ci = kvl_xasprintf("%s%s", ind_p, st->indent);

    /* just past the last thing before the end tag (or the "/>") */
    for (x = ps.close; x > (ps.empty ? ps.start : ps.stag_end) && is_space(t[x - 1]); x--)
        ;
    if (ps.empty) {
        /*
         * <p/> becomes <p>...</p> in three patches: the blanks before "/>"
         * become ">", the child goes in at "/>", and "/>" becomes the end
         * tag.  Every fix adding a child here makes the same first and last
         * patch, applied once, so several children can go in together.
         */
        frag = kvl_style_fragment(st, e->value, ci, !own_p);
        add_patch(out, x, ps.close, kvl_xstrdup(">"));
        kvl_buf_addf(&b, "%s%s%s", own_p ? st->eol : "", own_p ? ci : "", frag);
        add_patch(out, ps.close, ps.close, kvl_buf_detach(&b));
        kvl_buf_addf(&b, "%s%s</%.*s>", own_p ? st->eol : "", own_p ? ind_p : "", (int)nlen,
                     name);
        add_patch(out, ps.close, ps.end, kvl_buf_detach(&b));
    } else if (memchr(t + ps.stag_end, '\n', ps.close - ps.stag_end)) {
        /* one child per line: a new line after the last content */
        frag = kvl_style_fragment(st, e->value, ci, false);
        kvl_buf_addf(&b, "%s%s%s", st->eol, ci, frag);
        add_patch(out, x, x, kvl_buf_detach(&b));
    } else if (own_p && x == ps.stag_end) {
        /* <p></p> alone on its line */
        frag = kvl_style_fragment(st, e->value, ci, false);
        kvl_buf_addf(&b, "%s%s%s%s%s", st->eol, ci, frag, st->eol, ind_p);
        add_patch(out, ps.stag_end, ps.close, kvl_buf_detach(&b));
    } else {
        /* written on one line: stays on it */
        frag = kvl_style_fragment(st, e->value, "", true);
        add_patch(out, x, x, frag);
        frag = NULL;
    }
    free(frag);
    free(ind_p);
    free(ci);
    return 0;
}

static int insert_sibling(kvl_doc *doc, const kvl_style *st, const kvl_edit *e, kvl_patches *out)
{
    kvl_span s;
    bool own;
    char *ind, *frag;
    kvl_buf b = KVL_BUF_INIT;

    if (!kvl_doc_span(doc, e->ref, &s))
        return -1;
    ind = indent_of(doc->text, s.start, &own);
    frag = kvl_style_fragment(st, e->value, ind, !own);
    if (e->op == KVL_EDIT_INSERT_BEFORE) {
        kvl_buf_addf(&b, "%s%s%s", frag, own ? st->eol : "", ind);
        add_patch(out, s.start, s.start, kvl_buf_detach(&b));
    } else if (e->op == KVL_EDIT_INSERT_AFTER) {
        kvl_buf_addf(&b, "%s%s%s", own ? st->eol : "", ind, frag);
        add_patch(out, s.end, s.end, kvl_buf_detach(&b));
    } else {
        add_patch(out, s.start, s.end, frag);
        frag = NULL;
    }
    free(frag);
    free(ind);
    return 0;
}

int kvl_fix_resolve(const kvl_fix *fix, kvl_doc *doc, const kvl_style *st,
                    kvl_patches *out, const char **why)
{
    size_t before = out->n;

    if (fix->broken) {
        *why = "the fix names an element the file does not have";
        return -1;
    }
    for (size_t i = 0; i < fix->n; i++) {
        const kvl_edit *e = &fix->edits[i];
        size_t first = out->n;
        int rc;

        switch (e->op) {
        case KVL_EDIT_SET_ATTR:
            rc = set_attr(doc, st, e, out);
            break;
        case KVL_EDIT_REMOVE_ATTR:
            rc = remove_attr(doc, e, out);
            break;
        case KVL_EDIT_SET_TEXT:
            rc = set_text(doc, e, out);
            break;
        case KVL_EDIT_REMOVE:
            rc = remove_element(doc, e, out);
            break;
        case KVL_EDIT_INSERT_CHILD:
            rc = insert_child(doc, st, e, out);
            break;
        default:
            rc = insert_sibling(doc, st, e, out);
            break;
        }
        if (rc < 0) {
            while (out->n > before)
                drop_last(out);
            *why = "the source map does not locate the element";
            return -1;
        }
        if (e->op == KVL_EDIT_INSERT_CHILD || e->op == KVL_EDIT_INSERT_BEFORE
            || e->op == KVL_EDIT_INSERT_AFTER)
            tag_insertions(out, first, e->value);
    }
    /* each edit opening one empty parent makes the same patches: keep one,
     * so the fix's own list can be applied as it is (SARIF) */
    for (size_t i = before; i < out->n; i++)
        for (size_t j = before; j < i; j++)
            if (kvl_patch_same(&out->v[i], &out->v[j])) {
                free(out->v[i].text);
                free(out->v[i].tag);
                memmove(&out->v[i], &out->v[i + 1], (out->n - i - 1) * sizeof(*out->v));
                out->n--;
                i--;
                break;
            }
    /* a fix must not collide with itself */
    for (size_t i = before; i < out->n; i++)
        for (size_t j = i + 1; j < out->n; j++)
            if (kvl_patch_conflict(&out->v[i], &out->v[j])) {
                while (out->n > before)
                    drop_last(out);
                *why = "its edits overlap each other";
                return -1;
            }
    return 0;
}

/* Elements libvirt reads once per parent: two fixes must not each add one. */
static bool singleton(const char *name)
{
    static const char *const names[] = {
        "clock", "cpu", "cputune", "devices", "features", "hyperv", "memoryBacking",
        "memtune", "metadata", "numa", "numatune", "os", "topology", "driver", "model",
        NULL,
    };

    for (const char *const *n = names; *n; n++)
        if (strcmp(*n, name) == 0)
            return true;
    return false;
}

bool kvl_patch_same(const kvl_patch *a, const kvl_patch *b)
{
    return a->start == b->start && a->end == b->end && strcmp(a->text, b->text) == 0;
}

bool kvl_patch_conflict(const kvl_patch *a, const kvl_patch *b)
{
    bool ins_a = a->start == a->end, ins_b = b->start == b->end;

    if (kvl_patch_same(a, b))
        return false;
    if (ins_a && ins_b)
        return a->start == b->start && a->tag && b->tag && strcmp(a->tag, b->tag) == 0
            && singleton(a->tag);
    if (ins_a)
        return b->start < a->start && a->start < b->end;
    if (ins_b)
        return a->start < b->start && b->start < a->end;
    return a->start < b->end && b->start < a->end;
}

static int cmp_patch(const void *pa, const void *pb)
{
    const kvl_patch *a = *(const kvl_patch *const *)pa, *b = *(const kvl_patch *const *)pb;

    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    /* at one point: insertions before the replacement that starts there */
    if ((a->start == a->end) != (b->start == b->end))
        return a->start == a->end ? -1 : 1;
    return a < b ? -1 : a > b;          /* array order: stable */
}

char *kvl_patches_apply(const char *text, size_t text_len, const kvl_patches *p, size_t *len)
{
    const kvl_patch **order = kvl_xcalloc(p->n + 1, sizeof(*order));
    kvl_buf b = KVL_BUF_INIT;
    size_t at = 0;
    char *s;

    for (size_t i = 0; i < p->n; i++)
        order[i] = &p->v[i];
    qsort(order, p->n, sizeof(*order), cmp_patch);
    for (size_t i = 0; i < p->n; i++) {
        const kvl_patch *q = order[i];
        bool dup = false;

        for (size_t j = 0; j < i && !dup; j++)
            dup = kvl_patch_same(order[j], q);
        if (dup || q->start < at)
            continue;
        kvl_buf_add(&b, text + at, q->start - at);
        kvl_buf_adds(&b, q->text);
        at = q->end;
    }
    kvl_buf_add(&b, text + at, text_len - at);
    free(order);
    *len = b.len;
    s = kvl_buf_detach(&b);
    return s ? s : kvl_xstrdup("");
}

void kvl_patches_free(kvl_patches *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].text);
        free(p->v[i].tag);
    }
    free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}
