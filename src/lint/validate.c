/*
 * Schema validation for --validate (see validate.h).
 *
 * libxml2 reports RelaxNG errors in bursts: an interleave error such as
 * "Extra element devices in interleave" comes without a node, followed by
 * "Element domain failed to validate content" at the element that failed.
 * So errors are collected first and placed afterwards: an error without a
 * node borrows the position of its neighbour in the burst (the element it
 * names when that is the neighbour or one of its children), so every
 * finding points into the file rather than at line 0.
 */
#include "lint/validate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

#define HINT "correct the element, or validate against the schemas of the libvirt " \
             "that will run the VM (--schema-dir)"

struct kvl_validator {
    xmlRelaxNGPtr rng;
};

/* ---- compiling the schema ---- */

typedef struct first_error {
    char *text;                 /* "file:line: message" of the first error */
} first_error;

static char *trimmed(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        n--;
    return kvl_xstrndup(s ? s : "", n);
}

static void keep_first(void *data, xmlErrorPtr err)
{
    first_error *fe = data;
    char *msg;

    if (!err || fe->text || err->level < XML_ERR_ERROR)
        return;
    msg = trimmed(err->message);
    if (err->file && err->line > 0)
        fe->text = kvl_xasprintf("%s:%d: %s", err->file, err->line, msg);
    else
        fe->text = kvl_xstrdup(msg);
    free(msg);
}

kvl_validator *kvl_validator_new(const char *schema_dir, char **err)
{
    struct stat st;
    char *path;
    xmlRelaxNGParserCtxtPtr pctxt;
    xmlRelaxNGPtr rng;
    first_error fe = { NULL };
    kvl_validator *v;

    if (stat(schema_dir, &st) != 0) {
        *err = kvl_xasprintf("schema directory '%s': %s", schema_dir, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
        *err = kvl_xasprintf("schema directory '%s': not a directory", schema_dir);
        return NULL;
    }
    path = kvl_xasprintf("%s/domain.rng", schema_dir);
    if (access(path, R_OK) != 0) {
        *err = kvl_xasprintf("schema directory '%s' has no readable domain.rng: %s",
                             schema_dir, strerror(errno));
        free(path);
        return NULL;
    }
    kvl_xml_init();
    pctxt = xmlRelaxNGNewParserCtxt(path);
    if (!pctxt) {
        *err = kvl_xasprintf("%s: cannot create a schema parser", path);
        free(path);
        return NULL;
    }
    xmlRelaxNGSetParserStructuredErrors(pctxt, keep_first, &fe);
    rng = xmlRelaxNGParse(pctxt);
    xmlRelaxNGFreeParserCtxt(pctxt);
    if (!rng) {
        *err = kvl_xasprintf("%s: not a usable RelaxNG schema: %s", path,
                             fe.text ? fe.text : "it does not compile");
        free(fe.text);
        free(path);
        return NULL;
    }
    free(fe.text);
    free(path);
    v = kvl_xcalloc(1, sizeof(*v));
    v->rng = rng;
    return v;
}

void kvl_validator_free(kvl_validator *v)
{
    if (!v)
        return;
    xmlRelaxNGFree(v->rng);
    free(v);
}

/* ---- validating one document ---- */

typedef struct schema_error {
    char *message;
    const xmlNode *node;        /* the element the error is about, or NULL */
    char *attr;                 /* an attribute of it, or NULL */
    char *name;                 /* element named by a node-less error, or NULL */
} schema_error;

typedef struct schema_errors {
    schema_error *v;
    size_t n, cap;
} schema_errors;

static void collect(void *data, xmlErrorPtr err)
{
    schema_errors *list = data;
    const xmlNode *node = err ? err->node : NULL;
    schema_error *e;

    if (!err || err->level < XML_ERR_ERROR)
        return;
    KVL_GROW(list->v, list->n, list->cap);
    e = &list->v[list->n++];
    e->message = trimmed(err->message);
    if (node && node->type == XML_ATTRIBUTE_NODE) {
        e->attr = kvl_xstrdup((const char *)node->name);
        node = node->parent;
    }
    while (node && node->type != XML_ELEMENT_NODE)
        node = node->parent;
    e->node = node;
    if (err->domain == XML_FROM_RELAXNGV && err->code == XML_RELAXNG_ERR_INVALIDATTR && err->str1
        && !e->attr)
        e->attr = kvl_xstrdup(err->str1);
    if (!node && err->str1)
        e->name = kvl_xstrdup(err->str1);
}

/* The element a node-less error naming `name` is about, given a neighbour. */
static const xmlNode *named_near(const xmlNode *near, const char *name)
{
    const xmlNode *found = NULL;

    if (!near || !name || kvl_xml_is(near, name))
        return near;
    for (const xmlNode *c = kvl_xml_child(near, NULL); c; c = kvl_xml_next(c))
        if (kvl_xml_is(c, name)) {
            if (found)
                return near;    /* several: the neighbour is as precise as it gets */
            found = c;
        }
    return found ? found : near;
}

static void place_nodeless(schema_errors *list, const xmlNode *root)
{
    for (size_t i = 0; i < list->n; i++) {
        const xmlNode *near = NULL;

        if (list->v[i].node)
            continue;
        for (size_t j = i + 1; j < list->n && !near; j++)
            near = list->v[j].node;
        for (size_t j = i; j-- > 0 && !near;)
            near = list->v[j].node;
        list->v[i].node = named_near(near ? near : root, list->v[i].name);
    }
}

static bool reported_before(const schema_errors *list, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (list->v[j].node == list->v[i].node
            && strcmp(list->v[j].message, list->v[i].message) == 0
            && (list->v[j].attr == NULL) == (list->v[i].attr == NULL)
            && (!list->v[j].attr || strcmp(list->v[j].attr, list->v[i].attr) == 0))
            return true;
    return false;
}

size_t kvl_validate_doc(const kvl_validator *v, kvl_doc *doc, kvl_sink *sink)
{
    schema_errors list = { NULL, 0, 0 };
    xmlRelaxNGValidCtxtPtr vctxt;
    size_t reported = 0;
    int rc;

    if (!v || !doc || !doc->xml)
        return 0;
    kvl_doc_index(doc);
    vctxt = xmlRelaxNGNewValidCtxt(v->rng);
    if (!vctxt)
        return 0;
    xmlRelaxNGSetValidStructuredErrors(vctxt, collect, &list);
    rc = xmlRelaxNGValidateDoc(vctxt, doc->xml);
    xmlRelaxNGFreeValidCtxt(vctxt);

    if (rc != 0 && list.n == 0) {
        /* invalid (or not validated) without a word from libxml2: say so anyway */
        kvl_report(sink, "schema-invalid", kvl_doc_ref(xmlDocGetRootElement(doc->xml)), NULL,
                   HINT, "not valid against the domain schema (libxml2 gave no reason)");
        return 1;
    }
    place_nodeless(&list, xmlDocGetRootElement(doc->xml));
    for (size_t i = 0; i < list.n; i++) {
        const schema_error *e = &list.v[i];
        kvl_ref ref = kvl_doc_ref(e->node);

        if (reported_before(&list, i))
            continue;
        if (kvl_doc_ref_pos(doc, ref, NULL).line == 0 && e->node)
            /* the source map disagrees with the DOM: libxml2's line, no column */
            kvl_report_at(sink, "schema-invalid", (unsigned)xmlGetLineNo(e->node), 0, HINT,
                          "not valid against the domain schema: %s", e->message);
        else
            kvl_report(sink, "schema-invalid", ref, e->attr, HINT,
                       "not valid against the domain schema: %s", e->message);
        reported++;
    }
    for (size_t i = 0; i < list.n; i++) {
        free(list.v[i].message);
        free(list.v[i].attr);
        free(list.v[i].name);
    }
    free(list.v);
    return reported;
}
