/*
 * `virsh capabilities` XML into the host model (host.h).  Only what rules
 * use is read: /capabilities/host/cpu/{arch,vendor} and every
 * /capabilities/host/topology/cells/cell with its id, <memory>, <pages>,
 * <distances><sibling> and <cpus><cpu id socket_id core_id siblings>.
 * die_id and cluster_id are not kept: no rule needs them, and hwloc files
 * rarely say, so keeping them would only make equal snapshots differ.
 *
 * What is absent stays unknown (host.h says how); what is present but
 * cannot be parsed is an error naming the attribute and its line, because a
 * model with a silently dropped cell or CPU would make placement rules lie.
 */
#include "model/host.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "model/cpuset.h"
#include "model/units.h"
#include "util/mem.h"
#include "xml/doc.h"
#include "util/banned.h"

typedef struct caps_distance {
    unsigned from, to, value;
} caps_distance;

typedef struct caps_ctx {
    kvl_doc *doc;
    kvl_host *host;
    char **err;
    hwloc_bitmap_t seen_cpus;
    caps_distance *dist;
    size_t ndist;
} caps_ctx;

/* ---- messages ---- */

static int missing_attr(caps_ctx *c, const xmlNode *node, const char *attr)
{
    kvl_pos pos = kvl_doc_pos(c->doc, node, NULL);

    *c->err = kvl_xasprintf("%s:%u:%u: <%s> has no %s attribute", c->doc->path, pos.line,
                            pos.col, kvl_xml_name(node), attr);
    return -1;
}

/* Values are quoted cut short: a garbage attribute can be any length. */
static int bad_attr(caps_ctx *c, const xmlNode *node, const char *attr, const char *value,
                    const char *why)
{
    kvl_pos pos = kvl_doc_pos(c->doc, node, attr);

    *c->err = kvl_xasprintf("%s:%u:%u: invalid %s='%.40s' on <%s>: %s", c->doc->path,
                            pos.line, pos.col, attr, value, kvl_xml_name(node), why);
    return -1;
}

static int bad_text(caps_ctx *c, const xmlNode *node, const char *value, const char *why)
{
    kvl_pos pos = kvl_doc_pos(c->doc, node, NULL);

    *c->err = kvl_xasprintf("%s:%u:%u: invalid <%s> value '%.40s': %s", c->doc->path,
                            pos.line, pos.col, kvl_xml_name(node), value, why);
    return -1;
}

/* ---- values ---- */

/* Optional unsigned attribute: 0 with *present false when absent. */
static int uint_attr(caps_ctx *c, const xmlNode *node, const char *attr, uint64_t max,
                     bool required, uint64_t *out, bool *present)
{
    const char *v = kvl_xml_attr(node, attr);
    const char *why;

    *out = 0;
    if (present)
        *present = v != NULL;
    if (!v) {
        if (required)
            return missing_attr(c, node, attr);
        return 0;
    }
    if (kvl_uint_parse(v, max, out, &why) < 0)
        return bad_attr(c, node, attr, v, why);
    return 0;
}

static int int_attr(caps_ctx *c, const xmlNode *node, const char *attr, int *out)
{
    uint64_t v;
    bool present;

    if (uint_attr(c, node, attr, INT_MAX, false, &v, &present) < 0)
        return -1;
    *out = present ? (int)v : -1;
    return 0;
}

/* A bad unit= is blamed on the attribute, so the message points at it. */
static int check_unit(caps_ctx *c, const xmlNode *el)
{
    const char *unit = kvl_xml_attr(el, "unit");
    const char *why;
    uint64_t bytes;

    if (unit && kvl_unit_parse(unit, &bytes, &why) < 0)
        return bad_attr(c, el, "unit", unit, why);
    return 0;
}

/* ---- one cell ---- */

static int parse_memory(caps_ctx *c, kvl_host_node *node, const xmlNode *el)
{
    char *text;
    const char *why;
    int rc = 0;

    if (check_unit(c, el) < 0)
        return -1;
    text = kvl_xml_text(el);
    if (kvl_size_parse(text, kvl_xml_attr(el, "unit"), "KiB", &node->memory_kib, &why) < 0)
        rc = bad_text(c, el, text, why);
    else
        node->has_memory = true;
    free(text);
    return rc;
}

static int parse_pages(caps_ctx *c, kvl_host_node *node, const xmlNode *el)
{
    const char *size = kvl_xml_attr(el, "size");
    const char *why;
    uint64_t size_kib, count;
    char *text;
    int rc = 0;

    if (!size)
        return missing_attr(c, el, "size");
    if (check_unit(c, el) < 0)
        return -1;
    if (kvl_size_parse(size, kvl_xml_attr(el, "unit"), "KiB", &size_kib, &why) < 0)
        return bad_attr(c, el, "size", size, why);
    if (size_kib == 0)
        return bad_attr(c, el, "size", size, "a page size must be at least 1 KiB");
    if (kvl_host_node_pages(node, size_kib))
        return bad_attr(c, el, "size", size, "this page size is already listed for the cell");
    text = kvl_xml_text(el);
    if (kvl_uint_parse(text, UINT64_MAX, &count, &why) < 0) {
        rc = bad_text(c, el, text, why);
    } else {
        node->pages = kvl_xrealloc(node->pages, (node->npages + 1) * sizeof(*node->pages));
        node->pages[node->npages].size_kib = size_kib;
        node->pages[node->npages].count = count;
        node->npages++;
    }
    free(text);
    return rc;
}

static int parse_distances(caps_ctx *c, unsigned cell_id, const xmlNode *el)
{
    for (xmlNode *s = kvl_xml_child(el, "sibling"); s; s = kvl_xml_next(s)) {
        uint64_t id, value;

        if (!kvl_xml_is(s, "sibling"))
            continue;
        if (uint_attr(c, s, "id", KVL_CPUSET_MAX - 1, true, &id, NULL) < 0 ||
            uint_attr(c, s, "value", UINT_MAX, true, &value, NULL) < 0)
            return -1;
        c->dist = kvl_xrealloc(c->dist, (c->ndist + 1) * sizeof(*c->dist));
        c->dist[c->ndist].from = cell_id;
        c->dist[c->ndist].to = (unsigned)id;
        c->dist[c->ndist].value = (unsigned)value;
        c->ndist++;
    }
    return 0;
}

/* `node` stays valid: adding CPUs does not move the nodes array. */
static int parse_cpu(caps_ctx *c, kvl_host_node *node, const xmlNode *el)
{
    const char *sib = kvl_xml_attr(el, "siblings");
    hwloc_bitmap_t siblings = NULL;
    kvl_host_cpu *cpu;
    uint64_t id;
    int socket, core;

    if (uint_attr(c, el, "id", KVL_CPUSET_MAX - 1, true, &id, NULL) < 0 ||
        int_attr(c, el, "socket_id", &socket) < 0 || int_attr(c, el, "core_id", &core) < 0)
        return -1;
    if (hwloc_bitmap_isset(c->seen_cpus, (unsigned)id))
        return bad_attr(c, el, "id", kvl_xml_attr(el, "id"), "this CPU is already listed");
    if (sib) {
        const char *why;
        if (!(siblings = kvl_cpuset_parse(sib, &why)))
            return bad_attr(c, el, "siblings", sib, why);
    }
    hwloc_bitmap_set(c->seen_cpus, (unsigned)id);
    hwloc_bitmap_set(node->cpus, (unsigned)id);
    cpu = kvl_host_add_cpu(c->host, (unsigned)id);
    cpu->node = (int)node->id;
    cpu->socket = socket;
    cpu->core = core;
    cpu->siblings = siblings;
    return 0;
}

static int parse_cell(caps_ctx *c, const xmlNode *cell)
{
    uint64_t id;
    kvl_host_node *node;
    const xmlNode *cpus;

    if (uint_attr(c, cell, "id", KVL_CPUSET_MAX - 1, true, &id, NULL) < 0)
        return -1;
    /* nodes are sorted only at the end, so no binary search yet */
    for (size_t i = 0; i < c->host->nnodes; i++)
        if (c->host->nodes[i].id == id)
            return bad_attr(c, cell, "id", kvl_xml_attr(cell, "id"),
                            "this cell is already listed");
    node = kvl_host_add_node(c->host, (unsigned)id);

    for (xmlNode *el = kvl_xml_child(cell, NULL); el; el = kvl_xml_next(el)) {
        if (kvl_xml_is(el, "memory")) {
            if (parse_memory(c, node, el) < 0)
                return -1;
        } else if (kvl_xml_is(el, "pages")) {
            node->has_pages = true;
            if (parse_pages(c, node, el) < 0)
                return -1;
        } else if (kvl_xml_is(el, "distances")) {
            if (parse_distances(c, node->id, el) < 0)
                return -1;
        }
    }
    cpus = kvl_xml_child(cell, "cpus");
    for (xmlNode *el = kvl_xml_child(cpus, NULL); el; el = kvl_xml_next(el))
        if (kvl_xml_is(el, "cpu") && parse_cpu(c, node, el) < 0)
            return -1;
    return 0;
}

/*
 * The matrix only when every pair is given: a partial one would read as
 * distance 0 to the missing nodes.  libvirt always writes all or none.
 */
static void build_distances(caps_ctx *c)
{
    kvl_host *host = c->host;
    size_t n = host->nnodes, filled = 0;
    unsigned *m;
    bool *set;

    if (!c->ndist || !n)
        return;
    m = kvl_xcalloc(n * n, sizeof(*m));
    set = kvl_xcalloc(n * n, sizeof(*set));
    for (size_t k = 0; k < c->ndist; k++) {
        int i = kvl_host_node_index(host, c->dist[k].from);
        int j = kvl_host_node_index(host, c->dist[k].to);
        size_t at;
        if (i < 0 || j < 0)
            continue;
        at = (size_t)i * n + (size_t)j;
        if (!set[at])
            filled++;
        set[at] = true;
        m[at] = c->dist[k].value;
    }
    if (filled == n * n)
        host->distances = m;
    else
        free(m);
    free(set);
}

static char *text_or_null(const xmlNode *el)
{
    char *s = kvl_xml_text(el);

    if (s && !*s) {
        free(s);
        s = NULL;
    }
    return s;
}

kvl_host *kvl_host_from_caps(kvl_doc *doc, char **err)
{
    caps_ctx c = { doc, kvl_host_new(doc->path), err, hwloc_bitmap_alloc(), NULL, 0 };
    xmlNode *root = xmlDocGetRootElement(doc->xml);
    xmlNode *host = kvl_xml_child(root, "host");
    xmlNode *cpu = kvl_xml_child(host, "cpu");
    xmlNode *cells = kvl_xml_child(kvl_xml_child(host, "topology"), "cells");
    int rc = 0;

    c.host->arch = text_or_null(kvl_xml_child(cpu, "arch"));
    c.host->vendor = text_or_null(kvl_xml_child(cpu, "vendor"));
    for (xmlNode *cell = kvl_xml_child(cells, NULL); cell && rc == 0; cell = kvl_xml_next(cell))
        if (kvl_xml_is(cell, "cell"))
            rc = parse_cell(&c, cell);
    if (rc == 0) {
        kvl_host_finish(c.host);
        build_distances(&c);
    } else {
        kvl_host_free(c.host);
        c.host = NULL;
    }
    hwloc_bitmap_free(c.seen_cpus);
    free(c.dist);
    return c.host;
}
