/*
 * The file's writing style, so that what a fix inserts looks like what is
 * already there: line ending, attribute quote, indentation step; and the
 * rewriting of a fix's fragment into that style (edit.h).
 */
#include "fix/edit.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

bool kvl_text_own_line(const char *t, size_t off, size_t *line_start)
{
    size_t i = off;

    while (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t'))
        i--;
    *line_start = i;
    return i == 0 || t[i - 1] == '\n';
}

void kvl_style_detect(kvl_doc *doc, kvl_style *st)
{
    const char *t = doc->text;
    const char *nl = memchr(t, '\n', doc->len);
    kvl_attr_span a;
    kvl_span root, child;
    size_t ls_root, ls_child;

    bool crlf = nl && nl > t && nl[-1] == '\r';

    memcpy(st->eol, crlf ? "\r\n" : "\n", crlf ? 3 : 2);
    st->quote = '\'';
    for (kvl_ref r = 1; r <= kvl_doc_ref_count(doc); r++)
        if (kvl_doc_attr_nth(doc, r, 0, &a)) {
            st->quote = a.quote;
            break;
        }
    memcpy(st->indent, "  ", 3);
    /* the root's first child element, if it starts a line of its own */
    if (!kvl_doc_span(doc, 1, &root) || !kvl_doc_span(doc, 2, &child) || child.parent != 1)
        return;
    if (!kvl_text_own_line(t, root.start, &ls_root) || !kvl_text_own_line(t, child.start, &ls_child))
        return;
    {
        size_t rn = root.start - ls_root, cn = child.start - ls_child;

        if (cn > rn && cn - rn < sizeof(st->indent) && memcmp(t + ls_root, t + ls_child, rn) == 0) {
            memcpy(st->indent, t + ls_child + rn, cn - rn);
            st->indent[cn - rn] = '\0';
        }
    }
}

/*
 * Swap the single quotes around attribute values inside tags for the file's
 * quote, unless the value holds that quote.  Text content is left alone.
 */
static void requote(kvl_buf *out, const char *line, char quote)
{
    bool in_tag = false;

    for (const char *p = line; *p; p++) {
        if (!in_tag) {
            in_tag = *p == '<';
            kvl_buf_addc(out, *p);
            continue;
        }
        if (*p == '>') {
            in_tag = false;
            kvl_buf_addc(out, *p);
        } else if (*p == '\'' || *p == '"') {
            const char *end = strchr(p + 1, *p);
            size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
            char q = *p;

            if (quote != q && !memchr(p + 1, quote, n))
                q = quote;
            kvl_buf_addc(out, q);
            kvl_buf_add(out, p + 1, n);
            if (end)
                kvl_buf_addc(out, q);
            p = end ? end : p + n;
        } else {
            kvl_buf_addc(out, *p);
        }
    }
}

char *kvl_style_fragment(const kvl_style *st, const char *frag, const char *base, bool inline_)
{
    kvl_buf out = KVL_BUF_INIT;
    const char *p = frag;
    bool first = true;

    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p), lead = 0;
        char *line;

        while (lead < n && p[lead] == ' ')
            lead++;
        if (!first && !inline_) {
            kvl_buf_adds(&out, st->eol);
            kvl_buf_adds(&out, base);
            for (size_t k = 0; k < lead / 2; k++)
                kvl_buf_adds(&out, st->indent);
        }
        line = kvl_xstrndup(p + lead, n - lead);
        requote(&out, line, st->quote);
        free(line);
        first = false;
        p += n;
        if (*p == '\n')
            p++;
    }
    return kvl_buf_detach(&out);
}
