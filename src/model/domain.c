/*
 * The domain model builder: the entry point, the top-level element table,
 * the small top-level elements (<name>, <uuid>, <os>, <features>), the
 * value helpers every part uses, and kvl_domain_free.  The areas with more
 * structure live beside it: domain_cpu.c (vCPUs, cputune, <cpu>),
 * domain_memory.c (memory sizes, numatune, memoryBacking, memtune),
 * domain_devices.c (with domain_paravirt.c for <rng> and <channel>),
 * domain_features.c (<hyperv>), domain_clock.c and domain_meta.c
 * (<metadata>).  domain_priv.h explains the walk.
 */
#include "model/domain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/cpuset.h"
#include "model/domain_priv.h"
#include "model/units.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

/* ---- The walk and the value helpers ---- */

void kvl_walk_children(kvl_walk *w, const xmlNode *parent,
                       const kvl_walk_entry *table, void *ctx)
{
    for (const xmlNode *c = parent->children; c; c = c->next) {
        if (!kvl_walk_is_el(c))
            continue;
        for (const kvl_walk_entry *e = table; e->name; e++)
            if (strcmp((const char *)c->name, e->name) == 0) {
                e->fn(w, c, ctx);
                break;
            }
    }
}

void kvl_walk_invalid(kvl_walk *w, const xmlNode *node, const char *attr,
                      const char *hint, const char *fmt, ...)
{
    kvl_buf msg = KVL_BUF_INIT;
    va_list ap;

    if (!w->sink)
        return;
    va_start(ap, fmt);
    kvl_buf_vaddf(&msg, fmt, ap);
    va_end(ap);
    kvl_report(w->sink, "value-invalid", kvl_doc_ref(node), attr, hint, "%s", kvl_buf_str(&msg));
    kvl_buf_free(&msg);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The first entity reference among the children of the element (attr
 * NULL) or of its attribute, or NULL.  kvmlint parses without expanding
 * entities (a defence against entity bombs), so such a value reads as
 * empty or cut short, and the message must say why. */
static const char *entity_ref_name(const xmlNode *node, const char *attr)
{
    const xmlNode *c = node->children;

    if (attr) {
        const xmlAttr *a = xmlHasProp((xmlNode *)node, (const xmlChar *)attr);

        c = a ? a->children : NULL;
    }
    for (; c; c = c->next)
        if (c->type == XML_ENTITY_REF_NODE && c->name)
            return (const char *)c->name;
    return NULL;
}

void kvl_walk_bad_value(kvl_walk *w, const xmlNode *node, const char *attr,
                        const char *kind, const char *value, const char *why,
                        const char *hint)
{
    /* enough to recognise the value; a runaway text node is cut */
    enum { SHOWN = 64 };
    const char *v = value ? value : "";
    const char *entity;
    size_t n;

    if (!w->sink)
        return;
    if ((entity = entity_ref_name(node, attr))) {
        kvl_walk_invalid(w, node, attr, "write the value itself: kvmlint does not expand entities",
                         "the value of <%s%s%s> uses the entity reference '&%s;', which kvmlint "
                         "does not expand", (const char *)node->name, attr ? " " : "",
                         attr ? attr : "", entity);
        return;
    }
    while (is_space(*v))
        v++;
    n = strlen(v);
    while (n && is_space(v[n - 1]))
        n--;
    kvl_walk_invalid(w, node, attr, hint, "invalid %s '%.*s%s' in <%s%s%s>: %s",
                     kind, (int)(n > SHOWN ? SHOWN : n), v, n > SHOWN ? "..." : "",
                     (const char *)node->name, attr ? " " : "", attr ? attr : "", why);
}

void kvl_walk_missing(kvl_walk *w, const xmlNode *node, const char *attr)
{
    kvl_walk_invalid(w, node, NULL, NULL, "missing attribute '%s' in <%s>", attr,
                     (const char *)node->name);
}

char *kvl_walk_attr_dup(const xmlNode *node, const char *attr)
{
    return kvl_xstrdup(kvl_xml_attr(node, attr));
}

static int check_uint(kvl_walk *w, const xmlNode *node, const char *attr,
                      const char *text, uint64_t min, uint64_t max, unsigned *out)
{
    const char *why = NULL;
    uint64_t v;

    if (max > UINT32_MAX)
        max = UINT32_MAX;
    if (kvl_uint_parse(text, max, &v, &why) < 0) {
        /* name the limit, which is kvmlint's or libvirt's, not the user's */
        char *limit = strcmp(why, "value too large") == 0
            ? kvl_xasprintf("value too large: at most %llu", (unsigned long long)max) : NULL;

        kvl_walk_bad_value(w, node, attr, "number", text, limit ? limit : why, NULL);
        free(limit);
        return -1;
    }
    if (v < min) {
        kvl_walk_bad_value(w, node, attr, "number", text,
                           min == 1 ? "must be at least 1" : "value too small", NULL);
        return -1;
    }
    *out = (unsigned)v;
    return 1;
}

int kvl_walk_uint_attr(kvl_walk *w, const xmlNode *node, const char *attr,
                       uint64_t min, uint64_t max, unsigned *out)
{
    const char *text = kvl_xml_attr(node, attr);

    if (!text)
        return 0;
    return check_uint(w, node, attr, text, min, max, out);
}

int kvl_walk_uint_text(kvl_walk *w, const xmlNode *node, uint64_t min,
                       uint64_t max, unsigned *out)
{
    char *text = kvl_xml_text(node);
    int rc = check_uint(w, node, NULL, text ? text : "", min, max, out);

    free(text);
    return rc;
}

int kvl_walk_set_attr(kvl_walk *w, const xmlNode *node, const char *attr,
                      const char *kind, hwloc_bitmap_t *out)
{
    const char *text = kvl_xml_attr(node, attr);
    const char *why = NULL;
    hwloc_bitmap_t set;

    if (!text)
        return 0;
    if (!(set = kvl_cpuset_parse(text, &why))) {
        kvl_walk_bad_value(w, node, attr, kind, text, why,
                           "lists look like '0-3,8,^2': numbers, ranges, ^n to exclude");
        return -1;
    }
    *out = set;
    return 1;
}

int kvl_walk_size(kvl_walk *w, const xmlNode *node, const char *attr,
                  const char *unit_attr, uint64_t *kib)
{
    const char *unit = unit_attr ? kvl_xml_attr(node, unit_attr) : NULL;
    const char *why = NULL;
    uint64_t scale;
    char *owned = NULL;
    const char *text;
    int rc = 1;

    if (attr) {
        if (!(text = kvl_xml_attr(node, attr)))
            return 0;
    } else {
        text = owned = kvl_xml_text(node);
        if (!text)
            text = "";
    }
    if (unit && *unit && kvl_unit_parse(unit, &scale, &why) < 0) {
        kvl_walk_bad_value(w, node, unit_attr, "unit", unit, why, NULL);
        rc = -1;
    } else if (kvl_size_parse(text, unit, "KiB", kib, &why) < 0) {
        kvl_walk_bad_value(w, node, attr, "size", text, why, NULL);
        rc = -1;
    }
    free(owned);
    return rc;
}

int kvl_walk_enum_attr(kvl_walk *w, const xmlNode *node, const char *attr,
                       const char *const *values, char **out)
{
    const char *text = kvl_xml_attr(node, attr);
    kvl_buf hint = KVL_BUF_INIT;

    if (!text)
        return 0;
    for (const char *const *v = values; *v; v++)
        if (strcmp(text, *v) == 0) {
            *out = kvl_xstrdup(text);
            return 1;
        }
    kvl_buf_adds(&hint, "one of:");
    for (const char *const *v = values; *v; v++)
        kvl_buf_addf(&hint, " %s", *v);
    kvl_walk_bad_value(w, node, attr, "value", text, "unknown value", kvl_buf_str(&hint));
    kvl_buf_free(&hint);
    return -1;
}

int kvl_walk_tristate_attr(kvl_walk *w, const xmlNode *node, const char *attr,
                           const char *on, const char *off, kvl_tristate *out)
{
    const char *const values[] = { on, off, NULL };
    char *v = NULL;
    int rc = kvl_walk_enum_attr(w, node, attr, values, &v);

    if (rc == 1)
        *out = strcmp(v, on) == 0 ? KVL_TRI_ON : KVL_TRI_OFF;
    free(v);
    return rc;
}

/* ---- Small top-level elements ---- */

static void set_text_once(char **field, const xmlNode *node)
{
    if (!*field)
        *field = kvl_xml_text(node);
}

static void walk_name(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (w->dom->name_node)
        return;
    w->dom->name_node = kvl_doc_ref(node);
    set_text_once(&w->dom->name, node);
}

static void walk_uuid(kvl_walk *w, const xmlNode *node, void *ctx)
{
    set_text_once(&w->dom->uuid, node);
}

static void walk_os(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    const xmlNode *type;

    if (dom->os_node)
        return;
    dom->os_node = kvl_doc_ref(node);
    for (type = node->children; type; type = type->next)
        if (kvl_walk_is_el(type) && strcmp((const char *)type->name, "type") == 0)
            break;
    if (!type)
        return;
    dom->os_type = kvl_xml_text(type);
    dom->arch = kvl_walk_attr_dup(type, "arch");
    dom->machine = kvl_walk_attr_dup(type, "machine");
}

static const kvl_walk_entry features_table[] = {
    { "hyperv", kvl_walk_hyperv },              /* domain_features.c */
    { NULL, NULL },
};

static void walk_features(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (w->dom->features_node)
        return;
    w->dom->features_node = kvl_doc_ref(node);
    kvl_walk_children(w, node, features_table, NULL);
}

static const kvl_walk_entry domain_table[] = {
    { "name", walk_name },
    { "uuid", walk_uuid },
    { "metadata", kvl_walk_metadata },
    { "maxMemory", kvl_walk_max_memory },
    { "memory", kvl_walk_memory },
    { "currentMemory", kvl_walk_current_memory },
    { "memoryBacking", kvl_walk_memory_backing },
    { "vcpu", kvl_walk_vcpu },
    { "iothreads", kvl_walk_iothreads },
    { "iothreadids", kvl_walk_iothreadids },
    { "cputune", kvl_walk_cputune },
    { "memtune", kvl_walk_memtune },
    { "numatune", kvl_walk_numatune },
    { "os", walk_os },
    { "features", walk_features },
    { "cpu", kvl_walk_cpu },
    { "clock", kvl_walk_clock },
    { "devices", kvl_walk_devices },
    { NULL, NULL },
};

/* ---- Entry points ---- */

kvl_domain *kvl_domain_build(kvl_doc *doc, kvl_sink *sink)
{
    kvl_walk w = { 0 };
    xmlNode *root;

    if (!doc || !doc->xml || !(root = xmlDocGetRootElement(doc->xml)) ||
        !kvl_xml_is(root, "domain"))
        return NULL;
    kvl_doc_index(doc);         /* element refs for the model (xml/doc.h) */
    w.dom = kvl_xcalloc(1, sizeof(*w.dom));
    w.sink = sink;
    w.dom->doc = doc;
    w.dom->root = kvl_doc_ref(root);
    w.dom->type = kvl_walk_attr_dup(root, "type");
    w.dom->vcpus = 1;

    kvl_walk_children(&w, root, domain_table, NULL);

    kvl_walk_finish_cpu(&w);
    kvl_walk_finish_devices(&w);
    kvl_walk_finish_meta(&w);
    kvl_walk_pragmas(&w, doc->xml);
    free(w.hot);
    return w.dom;
}

void kvl_domain_free(kvl_domain *dom)
{
    if (!dom)
        return;
    free(dom->type);
    free(dom->name);
    free(dom->uuid);
    free(dom->os_type);
    free(dom->arch);
    free(dom->machine);
    free(dom->os_id);
    kvl_walk_free_cpu(dom);
    kvl_walk_free_meta(dom);
    kvl_walk_free_memory(dom);
    kvl_walk_free_devices(dom);
    kvl_walk_free_paravirt(dom);
    kvl_walk_free_features(dom);
    kvl_walk_free_clock(dom);
    free(dom);
}
