/*
 * Reading, applying and writing baseline files (see baseline.h).  The
 * fingerprints are kept sorted and looked up by binary search, so applying
 * a baseline is O(findings log baseline).
 */
#include "lint/baseline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/mem.h"
#include "xml/doc.h"
#include "util/banned.h"

#define ROOT "kvmlint-baseline"

struct kvl_baseline {
    char **fp;                  /* sorted */
    size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *at(const char *path, kvl_doc *doc, const xmlNode *node, const char *what)
{
    return kvl_xasprintf("%s:%u: %s", path, node ? kvl_doc_pos(doc, node, NULL).line : 0, what);
}

kvl_baseline *kvl_baseline_load(const char *path, char **err)
{
    char *why = NULL;
    kvl_doc *doc = kvl_doc_load(path, path, &why);
    kvl_baseline *b;
    xmlNode *root;

    if (!doc) {
        *err = kvl_xasprintf("%s: %s", path, why);
        free(why);
        return NULL;
    }
    if (!doc->xml) {
        *err = kvl_xasprintf("%s:%u: not well-formed XML: %s", path, doc->error_line, doc->error);
        kvl_doc_free(doc);
        return NULL;
    }
    kvl_doc_index(doc);
    root = xmlDocGetRootElement(doc->xml);
    if (!kvl_xml_is(root, ROOT)) {
        *err = at(path, doc, root, "not a kvmlint baseline (root element <" ROOT "> expected)");
        kvl_doc_free(doc);
        return NULL;
    }
    b = kvl_xcalloc(1, sizeof(*b));
    for (xmlNode *c = kvl_xml_child(root, NULL); c; c = kvl_xml_next(c)) {
        const char *fp = kvl_xml_attr(c, "fingerprint");

        if (!kvl_xml_is(c, "finding") || !fp || !*fp) {
            *err = at(path, doc, c, "expected <finding fingerprint=\"...\"/>");
            kvl_baseline_free(b);
            kvl_doc_free(doc);
            return NULL;
        }
        KVL_GROW(b->fp, b->n, b->cap);
        b->fp[b->n++] = kvl_xstrdup(fp);
    }
    kvl_doc_free(doc);
    if (b->n > 1)
        qsort(b->fp, b->n, sizeof(*b->fp), cmp_str);
    return b;
}

void kvl_baseline_free(kvl_baseline *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        free(b->fp[i]);
    free(b->fp);
    free(b);
}

size_t kvl_baseline_size(const kvl_baseline *b)
{
    return b ? b->n : 0;
}

/* May the baseline speak for this finding? */
static bool eligible(const kvl_finding *f)
{
    return f->fingerprint && !f->input_error &&
           (f->suppressed == KVL_SUPPRESS_NONE || f->suppressed == KVL_SUPPRESS_BASELINE);
}

size_t kvl_baseline_apply(const kvl_baseline *b, kvl_findings *list)
{
    size_t hits = 0;

    for (size_t i = 0; b && b->n && i < list->n; i++) {
        kvl_finding *f = &list->v[i];
        const char *key = f->fingerprint;

        if (!eligible(f) || f->suppressed ||
            !bsearch(&key, b->fp, b->n, sizeof(*b->fp), cmp_str))
            continue;
        f->suppressed = KVL_SUPPRESS_BASELINE;
        hits++;
    }
    return hits;
}

/* ---- writing ---- */

static void attr(kvl_buf *out, const char *name, const char *value)
{
    if (!value)
        return;
    kvl_buf_addf(out, " %s=\"", name);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        switch (*p) {
        case '&': kvl_buf_adds(out, "&amp;"); break;
        case '<': kvl_buf_adds(out, "&lt;"); break;
        case '>': kvl_buf_adds(out, "&gt;"); break;
        case '"': kvl_buf_adds(out, "&quot;"); break;
        default:
            if (*p < 0x20)
                kvl_buf_addf(out, "&#%u;", *p);
            else
                kvl_buf_addc(out, (char)*p);
        }
    }
    kvl_buf_addc(out, '"');
}

static int cmp_findings(const void *pa, const void *pb)
{
    const kvl_finding *a = *(const kvl_finding *const *)pa, *b = *(const kvl_finding *const *)pb;
    int c = strcmp(a->path, b->path);

    if (!c)
        c = strcmp(a->rule, b->rule);
    return c ? c : strcmp(a->fingerprint, b->fingerprint);
}

static char *render(const kvl_findings *list, long *count)
{
    const kvl_finding **v = kvl_xcalloc(list->n + 1, sizeof(*v));
    kvl_buf out = KVL_BUF_INIT;
    size_t n = 0;

    for (size_t i = 0; i < list->n; i++)
        if (eligible(&list->v[i]))
            v[n++] = &list->v[i];
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_findings);
    kvl_buf_adds(&out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<!-- kvmlint baseline: findings accepted for now, matched by their\n"
                       "     fingerprint.  Rewrite it with the write-baseline option of\n"
                       "     kvmlint check; use it with the baseline option. -->\n"
                       "<" ROOT " version=\"1\">\n");
    for (size_t i = 0; i < n; i++) {
        kvl_buf_adds(&out, "  <finding");
        attr(&out, "fingerprint", v[i]->fingerprint);
        attr(&out, "rule", v[i]->rule);
        attr(&out, "domain", v[i]->domain);
        attr(&out, "path", v[i]->path);
        kvl_buf_adds(&out, "/>\n");
    }
    kvl_buf_adds(&out, "</" ROOT ">\n");
    free(v);
    *count = (long)n;
    return kvl_buf_detach(&out);
}

long kvl_baseline_write(const char *path, const kvl_findings *list, char **err)
{
    long count = 0;
    char *text = render(list, &count);
    char *tmp = kvl_xasprintf("%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    mode_t mask = umask(0);
    FILE *f;
    bool ok;

    /* mkstemp makes it 0600; a baseline is shared like any file */
    umask(mask);
    if (fd >= 0)
        fchmod(fd, 0666 & ~mask);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    ok = f && fputs(text, f) >= 0;

    if (f) {
        ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
        ok = fclose(f) == 0 && ok;
    } else if (fd >= 0) {
        close(fd);
    }
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        *err = kvl_xasprintf("cannot write baseline '%s': %s", path, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
        count = -1;
    }
    free(tmp);
    free(text);
    return count;
}
