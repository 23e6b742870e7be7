/*
 * Safe parsing of input XML and the source map from DOM elements back to
 * the original bytes (see doc.h for why both live here).
 *
 * The source map is a list of the byte offsets of every start tag in
 * document order, found by a small scanner that knows comments, CDATA,
 * processing instructions and the DOCTYPE internal subset.  The k-th element
 * of a preorder DOM walk is the k-th start tag, so a node's ordinal (stored
 * in its _private field when the map is built) gives its offset.  It is built
 * only for documents that get a finding.
 */
#include "xml/doc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

struct kvl_srcmap {
    size_t *tags;               /* offset of '<' of each start tag */
    size_t ntags, cap;
    size_t *lines;              /* offset of the start of each line */
    size_t nlines, cap_lines;
    bool ordinals_ok;           /* DOM element count matched ntags */
    kvl_ref *last;              /* per element: the ordinal of its last descendant */
    size_t nlast, cap_last;
    /* per element, for edits: built by kvl_doc_span() on first use */
    kvl_span *spans;
    bool spans_done, spans_ok;
};

/* ---- parsing ---- */

/* Refuse every external resource: DTDs, external entities, XIncludes. */
static xmlParserInputPtr no_external_entities(const char *url, const char *id,
                                              xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL;
}

/* libxml2's default handler prints to stderr; errors are collected instead. */
static void silent_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void kvl_xml_init(void)
{
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, silent_generic);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

typedef struct parse_errors {
    kvl_doc *doc;
    bool seen;
} parse_errors;

static void collect_error(void *data, xmlErrorPtr err)
{
    parse_errors *pe = data;
    size_t len;

    if (!err || pe->seen || err->level < XML_ERR_ERROR)
        return;
    pe->seen = true;
    pe->doc->error = kvl_xstrdup(err->message ? err->message : "parse error");
    len = strlen(pe->doc->error);
    while (len && (pe->doc->error[len - 1] == '\n' || pe->doc->error[len - 1] == ' '))
        pe->doc->error[--len] = '\0';
    pe->doc->error_line = err->line > 0 ? (unsigned)err->line : 0;
    pe->doc->error_col = err->int2 > 0 ? (unsigned)err->int2 : 0;
}

kvl_doc *kvl_doc_parse(const char *path, const char *bytes, size_t len)
{
    kvl_doc *doc = kvl_xcalloc(1, sizeof(*doc));
    xmlParserCtxtPtr ctxt;
    parse_errors pe = { doc, false };
    xmlStructuredErrorFunc old_handler;
    void *old_ctx;
    xmlExternalEntityLoader old_loader;
    /* No NOENT (entities stay references), no DTDLOAD/DTDATTR, no network. */
    int opts = XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT;

    kvl_xml_init();
    doc->path = kvl_xstrdup(path);
    doc->text = kvl_xmalloc(len + 1);
    memcpy(doc->text, bytes, len);
    doc->text[len] = '\0';
    doc->len = len;

    if (len > INT32_MAX) {
        doc->error = kvl_xstrdup("file too large");
        return doc;
    }
    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        doc->error = kvl_xstrdup("cannot create an XML parser");
        return doc;
    }
    /*
     * libxml2 2.9 has no per-context structured error setter; the global
     * one takes precedence over the default printing handler, so install it
     * around the call and restore it after.
     */
    old_handler = xmlStructuredError;
    old_ctx = xmlStructuredErrorContext;
    old_loader = xmlGetExternalEntityLoader();
    xmlSetStructuredErrorFunc(&pe, collect_error);
    /* inputs never load anything else: entities, DTDs, XIncludes */
    xmlSetExternalEntityLoader(no_external_entities);
    doc->xml = xmlCtxtReadMemory(ctxt, doc->text, (int)len, path, NULL, opts);
    xmlSetExternalEntityLoader(old_loader);
    xmlSetStructuredErrorFunc(old_ctx, old_handler);

    if (doc->xml && (!ctxt->wellFormed || !xmlDocGetRootElement(doc->xml))) {
        xmlFreeDoc(doc->xml);
        doc->xml = NULL;
    }
    if (!doc->xml && !doc->error)
        doc->error = kvl_xstrdup("not well-formed");
    xmlFreeParserCtxt(ctxt);
    return doc;
}

kvl_doc *kvl_doc_load(const char *file, const char *display, char **err)
{
    kvl_buf buf = KVL_BUF_INIT;
    FILE *f;
    char chunk[65536];
    size_t n;
    kvl_doc *doc;
    bool is_stdin = strcmp(file, "-") == 0;

    f = is_stdin ? stdin : fopen(file, "rb");
    if (!f) {
        *err = kvl_xasprintf("cannot open: %s", strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kvl_buf_add(&buf, chunk, n);
    if (ferror(f)) {
        *err = kvl_xasprintf("cannot read: %s", strerror(errno));
        if (!is_stdin)
            fclose(f);
        kvl_buf_free(&buf);
        return NULL;
    }
    if (!is_stdin)
        fclose(f);
    doc = kvl_doc_parse(display, buf.s ? buf.s : "", buf.len);
    kvl_buf_free(&buf);
    return doc;
}

void kvl_doc_free(kvl_doc *doc)
{
    if (!doc)
        return;
    if (doc->xml)
        xmlFreeDoc(doc->xml);
    if (doc->map) {
        free(doc->map->tags);
        free(doc->map->lines);
        free(doc->map->last);
        free(doc->map->spans);
        free(doc->map);
    }
    free(doc->path);
    free(doc->text);
    free(doc->error);
    free(doc);
}

/* ---- the source map ---- */

static void add_tag(kvl_srcmap *m, size_t off)
{
    KVL_GROW(m->tags, m->ntags, m->cap);
    m->tags[m->ntags++] = off;
}

/* Skip to just past `end` starting at i; returns len if not found. */
static size_t skip_past(const char *t, size_t len, size_t i, const char *end)
{
    size_t elen = strlen(end);
    const char *p;

    while (i < len) {
        p = memchr(t + i, end[0], len - i);
        if (!p)
            return len;
        i = (size_t)(p - t);
        if (len - i >= elen && memcmp(t + i, end, elen) == 0)
            return i + elen;
        i++;
    }
    return len;
}

/* Past the end of a start tag or declaration, honouring quoted values. */
static size_t skip_tag(const char *t, size_t len, size_t i)
{
    char q = 0;

    for (; i < len; i++) {
        char c = t[i];
        if (q) {
            if (c == q)
                q = 0;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else if (c == '>') {
            return i + 1;
        }
    }
    return len;
}

/* <!DOCTYPE ... [ internal subset ] > */
static size_t skip_doctype(const char *t, size_t len, size_t i)
{
    char q = 0;
    int depth = 0;

    for (; i < len; i++) {
        char c = t[i];
        if (q) {
            if (c == q)
                q = 0;
        } else if (c == '"' || c == '\'') {
            q = c;
        } else if (c == '<' && len - i >= 4 && memcmp(t + i, "<!--", 4) == 0) {
            i = skip_past(t, len, i + 4, "-->") - 1;
        } else if (c == '[') {
            depth++;
        } else if (c == ']') {
            depth--;
        } else if (c == '>' && depth <= 0) {
            return i + 1;
        }
    }
    return len;
}

static void scan_tags(kvl_srcmap *m, const char *t, size_t len)
{
    size_t i = 0;
    const char *p;

    while (i < len) {
        p = memchr(t + i, '<', len - i);
        if (!p)
            break;
        i = (size_t)(p - t);
        if (len - i >= 4 && memcmp(t + i, "<!--", 4) == 0)
            i = skip_past(t, len, i + 4, "-->");
        else if (len - i >= 9 && memcmp(t + i, "<![CDATA[", 9) == 0)
            i = skip_past(t, len, i + 9, "]]>");
        else if (len - i >= 2 && t[i + 1] == '?')
            i = skip_past(t, len, i + 2, "?>");
        else if (len - i >= 2 && t[i + 1] == '!')
            i = skip_doctype(t, len, i + 2);
        else if (len - i >= 2 && t[i + 1] == '/')
            i = skip_tag(t, len, i + 2);
        else {
            add_tag(m, i);
            i = skip_tag(t, len, i + 1);
        }
    }
}

static void scan_lines(kvl_srcmap *m, const char *t, size_t len)
{
    const char *p;
    size_t i = 0;

    KVL_GROW(m->lines, m->nlines, m->cap_lines);
    m->lines[m->nlines++] = 0;
    while (i < len && (p = memchr(t + i, '\n', len - i))) {
        i = (size_t)(p - t) + 1;
        KVL_GROW(m->lines, m->nlines, m->cap_lines);
        m->lines[m->nlines++] = i;
    }
}

/* Number elements in preorder, noting where each subtree ends (so a ref
 * can be placed inside an element without the DOM); returns the last
 * ordinal used. */
static size_t number_elements(kvl_srcmap *m, xmlNode *node, size_t next)
{
    for (; node; node = node->next) {
        size_t self = next + 1;

        if (node->type != XML_ELEMENT_NODE)
            continue;
        node->_private = (void *)(uintptr_t)self;
        KVL_GROW(m->last, m->nlast, m->cap_last);
        m->nlast++;
        next = number_elements(m, node->children, self);
        m->last[self - 1] = (kvl_ref)next;
    }
    return next;
}

static kvl_srcmap *srcmap(kvl_doc *doc)
{
    kvl_srcmap *m;
    size_t count;

    if (doc->map)
        return doc->map;
    m = kvl_xcalloc(1, sizeof(*m));
    scan_tags(m, doc->text, doc->len);
    scan_lines(m, doc->text, doc->len);
    if (doc->xml) {
        count = number_elements(m, doc->xml->children, 0);
        m->ordinals_ok = count == m->ntags;
    }
    doc->map = m;
    return m;
}

static kvl_pos pos_of_offset(const kvl_doc *doc, const kvl_srcmap *m, size_t off)
{
    kvl_pos pos = { 0, 0, off };
    size_t lo = 0, hi = m->nlines, mid;
    unsigned col = 1;

    while (hi - lo > 1) {
        mid = (lo + hi) / 2;
        if (m->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    pos.line = (unsigned)lo + 1;
    /* columns count characters: skip UTF-8 continuation bytes */
    for (size_t i = m->lines[lo]; i < off; i++)
        if (((unsigned char)doc->text[i] & 0xC0) != 0x80)
            col++;
    pos.col = col;
    return pos;
}

static bool is_name_char(char c)
{
    return c && !strchr(" \t\r\n=/>\"'", c);
}

/* Offset of attribute `attr` inside the start tag at `tag`, or the tag. */
static size_t attr_offset(const kvl_doc *doc, size_t tag, const char *attr)
{
    const char *t = doc->text;
    size_t len = doc->len, i = tag + 1, alen = strlen(attr);

    while (i < len && is_name_char(t[i]))        /* element name */
        i++;
    while (i < len) {
        size_t name_start, name_end;
        const char *colon;

        while (i < len && strchr(" \t\r\n", t[i]))
            i++;
        if (i >= len || t[i] == '>' || t[i] == '/')
            break;
        name_start = i;
        while (i < len && is_name_char(t[i]))
            i++;
        name_end = i;
        /* match the local name, so "xlink:href" matches "href" */
        colon = memchr(t + name_start, ':', name_end - name_start);
        {
            size_t ls = colon ? (size_t)(colon - t) + 1 : name_start;
            if (name_end - ls == alen && memcmp(t + ls, attr, alen) == 0)
                return name_start;
        }
        while (i < len && t[i] != '"' && t[i] != '\'' && t[i] != '>')
            i++;
        if (i < len && (t[i] == '"' || t[i] == '\'')) {
            const char *q = memchr(t + i + 1, t[i], len - i - 1);
            i = q ? (size_t)(q - t) + 1 : len;
        }
    }
    return tag;
}

/* Just past the value of the attribute whose name starts at `name`. */
static size_t attr_end(const kvl_doc *doc, size_t name)
{
    const char *t = doc->text, *q;
    size_t len = doc->len, i = name;

    while (i < len && is_name_char(t[i]))
        i++;
    while (i < len && t[i] != '"' && t[i] != '\'' && t[i] != '>')
        i++;
    if (i >= len || t[i] == '>')
        return i;
    q = memchr(t + i + 1, t[i], len - i - 1);
    return q ? (size_t)(q - t) + 1 : len;
}

void kvl_doc_index(kvl_doc *doc)
{
    if (doc)
        (void)srcmap(doc);
}

kvl_ref kvl_doc_ref(const xmlNode *node)
{
    return node ? (kvl_ref)(uintptr_t)node->_private : 0;
}

kvl_pos kvl_doc_ref_pos(kvl_doc *doc, kvl_ref ref, const char *attr)
{
    kvl_pos none = { 0, 0, 0 };
    kvl_srcmap *m;
    size_t off;

    if (!doc || ref == 0)
        return none;
    m = srcmap(doc);
    if (!m->ordinals_ok || ref > m->ntags)
        return none;
    off = m->tags[ref - 1];
    if (attr)
        off = attr_offset(doc, off, attr);
    return pos_of_offset(doc, m, off);
}

kvl_pos kvl_doc_ref_end(kvl_doc *doc, kvl_ref ref, const char *attr)
{
    kvl_pos none = { 0, 0, 0 };
    kvl_srcmap *m;
    size_t tag, off;

    if (!doc || ref == 0)
        return none;
    m = srcmap(doc);
    if (!m->ordinals_ok || ref > m->ntags)
        return none;
    tag = m->tags[ref - 1];
    off = attr ? attr_offset(doc, tag, attr) : tag;
    /* an attribute that is not there falls back on the tag, as for the start */
    off = off != tag ? attr_end(doc, off) : skip_tag(doc->text, doc->len, tag + 1);
    return pos_of_offset(doc, m, off);
}

kvl_pos kvl_doc_offset_pos(kvl_doc *doc, size_t off)
{
    kvl_pos none = { 0, 0, 0 };

    if (!doc || off > doc->len)
        return none;
    return pos_of_offset(doc, srcmap(doc), off);
}

kvl_ref kvl_doc_ref_last(kvl_doc *doc, kvl_ref ref)
{
    kvl_srcmap *m;

    if (!doc || ref == 0)
        return 0;
    m = srcmap(doc);
    return ref <= m->nlast ? m->last[ref - 1] : ref;
}

kvl_pos kvl_doc_pos(kvl_doc *doc, const xmlNode *node, const char *attr)
{
    kvl_pos pos = { 0, 0, 0 };

    if (!doc || !node)
        return pos;
    (void)srcmap(doc);
    pos = kvl_doc_ref_pos(doc, kvl_doc_ref(node), attr);
    if (pos.line == 0) {
        /* the map and the DOM disagree: fall back on libxml2's line (end of
         * the start tag) */
        pos.line = (unsigned)xmlGetLineNo(node);
        pos.col = 1;
    }
    return pos;
}

void kvl_doc_drop_dom(kvl_doc *doc)
{
    if (!doc || !doc->xml)
        return;
    (void)srcmap(doc);
    xmlFreeDoc(doc->xml);
    doc->xml = NULL;
}

/* ---- Spans, for edits (src/fix/) ---- */

/*
 * A second scan, run only when something edits the document: the same
 * grammar as scan_tags, pairing each end tag with the open start tag so that
 * every element gets its byte ranges and its parent.  It must meet the start
 * tags at the offsets scan_tags recorded, or the spans are not trusted.
 */
static bool scan_spans(kvl_srcmap *m, const char *t, size_t len)
{
    size_t *open = kvl_xcalloc(m->ntags + 1, sizeof(*open));
    size_t depth = 0, k = 0, i = 0;
    bool ok = true;
    const char *p;

    while (ok && i < len && (p = memchr(t + i, '<', len - i))) {
        i = (size_t)(p - t);
        if (len - i >= 4 && memcmp(t + i, "<!--", 4) == 0) {
            i = skip_past(t, len, i + 4, "-->");
        } else if (len - i >= 9 && memcmp(t + i, "<![CDATA[", 9) == 0) {
            i = skip_past(t, len, i + 9, "]]>");
        } else if (len - i >= 2 && t[i + 1] == '?') {
            i = skip_past(t, len, i + 2, "?>");
        } else if (len - i >= 2 && t[i + 1] == '!') {
            i = skip_doctype(t, len, i + 2);
        } else if (len - i >= 2 && t[i + 1] == '/') {
            size_t e = skip_tag(t, len, i + 2);

            if (depth == 0) {
                ok = false;
                break;
            }
            m->spans[open[--depth]].close = i;
            m->spans[open[depth]].end = e;
            i = e;
        } else {
            kvl_span *s;
            size_t e = skip_tag(t, len, i + 1);

            if (k >= m->ntags || m->tags[k] != i) {
                ok = false;
                break;
            }
            s = &m->spans[k];
            s->start = i;
            s->stag_end = e;
            s->parent = depth ? (kvl_ref)(open[depth - 1] + 1) : 0;
            s->empty = e >= 2 && t[e - 2] == '/';
            if (s->empty) {
                s->close = e - 2;
                s->end = e;
            } else {
                open[depth++] = k;
            }
            k++;
            i = e;
        }
    }
    free(open);
    return ok && depth == 0 && k == m->ntags;
}

bool kvl_doc_span(kvl_doc *doc, kvl_ref ref, kvl_span *out)
{
    kvl_srcmap *m;

    if (!doc || ref == 0)
        return false;
    m = srcmap(doc);
    if (!m->spans_done) {
        m->spans_done = true;
        m->spans = kvl_xcalloc(m->ntags + 1, sizeof(*m->spans));
        m->spans_ok = m->ordinals_ok && scan_spans(m, doc->text, doc->len);
    }
    if (!m->spans_ok || ref > m->ntags)
        return false;
    *out = m->spans[ref - 1];
    return true;
}

size_t kvl_doc_ref_count(kvl_doc *doc)
{
    return doc ? srcmap(doc)->ntags : 0;
}

const char *kvl_doc_ref_name(kvl_doc *doc, kvl_ref ref, size_t *len)
{
    kvl_span s;
    size_t i;

    if (!kvl_doc_span(doc, ref, &s))
        return NULL;
    for (i = s.start + 1; i < s.stag_end && is_name_char(doc->text[i]); i++)
        ;
    *len = i - s.start - 1;
    return doc->text + s.start + 1;
}

/*
 * Walk the attributes of the start tag at `tag` (ending at `stag_end`),
 * calling `fn` for each until it returns true; returns the offset just past
 * the last attribute seen (past the element name when there is none).
 */
static size_t each_attr(const char *t, size_t tag, size_t stag_end,
                        bool (*fn)(const char *t, const kvl_attr_span *a, size_t name_len, void *ctx),
                        void *ctx)
{
    size_t i = tag + 1, last;

    while (i < stag_end && is_name_char(t[i]))
        i++;
    last = i;
    while (i < stag_end) {
        kvl_attr_span a;
        size_t name_end;
        const char *q;

        while (i < stag_end && strchr(" \t\r\n", t[i]))
            i++;
        if (i >= stag_end || t[i] == '>' || t[i] == '/')
            break;
        a.start = i;
        while (i < stag_end && is_name_char(t[i]))
            i++;
        name_end = i;
        while (i < stag_end && t[i] != '"' && t[i] != '\'' && t[i] != '>')
            i++;
        if (i >= stag_end || t[i] == '>')
            break;
        a.quote = t[i];
        a.value_start = i + 1;
        q = memchr(t + i + 1, t[i], stag_end - i - 1);
        if (!q)
            break;
        a.value_end = (size_t)(q - t);
        i = a.value_end + 1;
        last = i;
        if (fn && fn(t, &a, name_end - a.start, ctx))
            break;
    }
    return last;
}

typedef struct attr_match {
    const char *name;
    size_t len;
    kvl_attr_span *out;
    bool found;
} attr_match;

static bool match_attr(const char *t, const kvl_attr_span *a, size_t name_len, void *ctx)
{
    attr_match *am = ctx;

    if (name_len != am->len || memcmp(t + a->start, am->name, name_len) != 0)
        return false;
    *am->out = *a;
    am->found = true;
    return true;
}

bool kvl_doc_attr_span(kvl_doc *doc, kvl_ref ref, const char *name, kvl_attr_span *out)
{
    attr_match am = { name, strlen(name), out, false };
    kvl_span s;

    if (!kvl_doc_span(doc, ref, &s))
        return false;
    (void)each_attr(doc->text, s.start, s.stag_end, match_attr, &am);
    return am.found;
}

size_t kvl_doc_attrs_end(kvl_doc *doc, kvl_ref ref)
{
    kvl_span s;

    if (!kvl_doc_span(doc, ref, &s))
        return SIZE_MAX;
    return each_attr(doc->text, s.start, s.stag_end, NULL, NULL);
}

typedef struct attr_nth {
    size_t left;
    kvl_attr_span *out;
    bool found;
} attr_nth;

static bool match_nth(const char *t, const kvl_attr_span *a, size_t name_len, void *ctx)
{
    attr_nth *an = ctx;

    (void)t;
    (void)name_len;
    if (an->left--)
        return false;
    *an->out = *a;
    an->found = true;
    return true;
}

bool kvl_doc_attr_nth(kvl_doc *doc, kvl_ref ref, size_t n, kvl_attr_span *out)
{
    attr_nth an = { n, out, false };
    kvl_span s;

    if (!kvl_doc_span(doc, ref, &s))
        return false;
    (void)each_attr(doc->text, s.start, s.stag_end, match_nth, &an);
    return an.found;
}

/* ---- DOM helpers ---- */

const char *kvl_doc_root_name(const kvl_doc *doc)
{
    xmlNode *root = doc && doc->xml ? xmlDocGetRootElement(doc->xml) : NULL;

    return root ? (const char *)root->name : NULL;
}

const char *kvl_xml_name(const xmlNode *node)
{
    return node ? (const char *)node->name : NULL;
}

bool kvl_xml_is(const xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0;
}

const char *kvl_xml_attr(const xmlNode *node, const char *name)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return NULL;
    for (const xmlAttr *a = node->properties; a; a = a->next) {
        if (a->ns || strcmp((const char *)a->name, name) != 0)
            continue;
        /* a plain value is one text child; entity references are not expanded */
        if (a->children && a->children->type == XML_TEXT_NODE && a->children->content)
            return (const char *)a->children->content;
        return "";
    }
    return NULL;
}

xmlNode *kvl_xml_child(const xmlNode *node, const char *name)
{
    if (!node)
        return NULL;
    for (xmlNode *c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && (!name || strcmp((const char *)c->name, name) == 0))
            return c;
    return NULL;
}

xmlNode *kvl_xml_next(const xmlNode *node)
{
    if (!node)
        return NULL;
    for (xmlNode *c = node->next; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

char *kvl_xml_text(const xmlNode *node)
{
    kvl_buf b = KVL_BUF_INIT;
    const char *s;
    size_t len;

    if (!node)
        return NULL;
    for (const xmlNode *c = node->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            kvl_buf_adds(&b, (const char *)c->content);
    s = kvl_buf_str(&b);
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    len = strlen(s);
    while (len && strchr(" \t\r\n", s[len - 1]))
        len--;
    {
        char *r = kvl_xstrndup(s, len);
        kvl_buf_free(&b);
        return r;
    }
}
