/*
 * The memory side of the domain model: <memory>, <currentMemory>,
 * <maxMemory>, <numatune>, <memoryBacking> and <memtune>.  Every size goes
 * through kvl_walk_size, so units, rounding and limits are libvirt's
 * everywhere (units.c).
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain_priv.h"
#include "util/mem.h"
#include "util/banned.h"

static const char *const numa_modes[] = {
    "strict", "preferred", "interleave", "restrictive", NULL,
};
static const char *const placement_values[] = { "static", "auto", NULL };

/* ---- <memory>, <currentMemory>, <maxMemory> ---- */

/* The element has no text but whitespace. */
static bool text_is_blank(const xmlNode *node)
{
    char *text = kvl_xml_text(node);
    bool blank = !text || !text[strspn(text, " \t\r\n")];

    free(text);
    return blank;
}

void kvl_walk_memory(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;

    if (dom->memory_node)
        return;
    dom->memory_node = kvl_doc_ref(node);
    dom->has_memory = kvl_walk_size(w, node, NULL, "unit", &dom->memory_kib) == 1;
}

void kvl_walk_current_memory(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;

    if (dom->current_memory_node)
        return;
    dom->current_memory_node = kvl_doc_ref(node);
    dom->has_current_memory =
        kvl_walk_size(w, node, NULL, "unit", &dom->current_memory_kib) == 1;
}

void kvl_walk_max_memory(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;

    if (dom->max_memory_node)
        return;
    dom->max_memory_node = kvl_doc_ref(node);
    /* libvirt reads an empty <maxMemory slots='16'/> as size 0, "no
     * maximum" (which it refuses with slots, see mem-size-invalid), not
     * as a bad number */
    if (text_is_blank(node))
        dom->has_max_memory = true;
    else
        dom->has_max_memory =
            kvl_walk_size(w, node, NULL, "unit", &dom->max_memory_kib) == 1;
    dom->has_max_memory_slots =
        kvl_walk_uint_attr(w, node, "slots", 0, UINT32_MAX, &dom->max_memory_slots) == 1;
}

/* ---- <numatune> ---- */

static void walk_numa_memory(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;

    if (dom->numa_memory_node)
        return;
    dom->numa_memory_node = kvl_doc_ref(node);
    if (kvl_walk_enum_attr(w, node, "mode", numa_modes, &dom->numa_mode) == 0)
        dom->numa_mode = kvl_xstrdup("strict");
    dom->numa_placement_given = kvl_xml_attr(node, "placement") != NULL;
    kvl_walk_enum_attr(w, node, "placement", placement_values, &dom->numa_placement);
    dom->numa_nodeset_given = kvl_xml_attr(node, "nodeset") != NULL;
    kvl_walk_set_attr(w, node, "nodeset", "nodeset", &dom->numa_nodeset);
}

static void walk_memnode(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_memnode *m;
    int rc;

    KVL_GROW(dom->memnodes, dom->nmemnodes, dom->cap_memnodes);
    m = &dom->memnodes[dom->nmemnodes++];
    m->node = kvl_doc_ref(node);
    rc = kvl_walk_uint_attr(w, node, "cellid", 0, UINT32_MAX, &m->cellid);
    if (rc == 0)
        kvl_walk_missing(w, node, "cellid");
    m->has_cellid = rc == 1;
    if (kvl_walk_enum_attr(w, node, "mode", numa_modes, &m->mode) == 0)
        m->mode = kvl_xstrdup("strict");
    if (kvl_walk_set_attr(w, node, "nodeset", "nodeset", &m->nodeset) == 0)
        kvl_walk_missing(w, node, "nodeset");
}

static const kvl_walk_entry numatune_table[] = {
    { "memory", walk_numa_memory },
    { "memnode", walk_memnode },
    { NULL, NULL },
};

void kvl_walk_numatune(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (w->dom->numatune_node)
        return;
    w->dom->numatune_node = kvl_doc_ref(node);
    kvl_walk_children(w, node, numatune_table, NULL);
}

/* ---- <memoryBacking> ---- */

static void walk_page(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_hugepage *p;
    int rc;

    KVL_GROW(dom->pages, dom->npages, dom->cap_pages);
    p = &dom->pages[dom->npages++];
    p->node = kvl_doc_ref(node);
    rc = kvl_walk_size(w, node, "size", "unit", &p->size_kib);
    if (rc == 0)
        kvl_walk_missing(w, node, "size");
    else if (rc == 1 && p->size_kib == 0)
        kvl_walk_bad_value(w, node, "size", "size", kvl_xml_attr(node, "size"),
                           "a page size cannot be zero", NULL);
    p->has_nodeset = kvl_xml_attr(node, "nodeset") != NULL;
    kvl_walk_set_attr(w, node, "nodeset", "nodeset", &p->nodeset);
}

static const kvl_walk_entry hugepages_table[] = {
    { "page", walk_page },
    { NULL, NULL },
};

static void walk_hugepages(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;

    if (dom->hugepages_node)
        return;
    dom->hugepages_node = kvl_doc_ref(node);
    dom->hugepages = true;
    kvl_walk_children(w, node, hugepages_table, NULL);
}

static void walk_nosharepages(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (!w->dom->nosharepages_node)
        w->dom->nosharepages_node = kvl_doc_ref(node);
    w->dom->nosharepages = true;
}

static void walk_locked(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (!w->dom->locked_node)
        w->dom->locked_node = kvl_doc_ref(node);
    w->dom->locked = true;
}

/* The first <source>, <access>, <allocation>: its element and one attribute. */
static void mb_once(const xmlNode *node, const char *attr, kvl_ref *slot, char **value)
{
    if (*slot)
        return;
    *slot = kvl_doc_ref(node);
    *value = kvl_walk_attr_dup(node, attr);
}

static void walk_mb_source(kvl_walk *w, const xmlNode *node, void *ctx)
{
    mb_once(node, "type", &w->dom->mem_source_node, &w->dom->mem_source_type);
}

static void walk_mb_access(kvl_walk *w, const xmlNode *node, void *ctx)
{
    mb_once(node, "mode", &w->dom->mem_access_node, &w->dom->mem_access_mode);
}

static void walk_mb_allocation(kvl_walk *w, const xmlNode *node, void *ctx)
{
    mb_once(node, "mode", &w->dom->mem_allocation_node, &w->dom->mem_allocation_mode);
}

static const kvl_walk_entry membacking_table[] = {
    { "hugepages", walk_hugepages },
    { "nosharepages", walk_nosharepages },
    { "locked", walk_locked },
    { "source", walk_mb_source },
    { "access", walk_mb_access },
    { "allocation", walk_mb_allocation },
    { NULL, NULL },
};

void kvl_walk_memory_backing(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (w->dom->membacking_node)
        return;
    w->dom->membacking_node = kvl_doc_ref(node);
    kvl_walk_children(w, node, membacking_table, NULL);
}

/* ---- <memtune> ---- */

static void memtune_size(kvl_walk *w, const xmlNode *node, kvl_ref *slot,
                         bool *has, uint64_t *kib)
{
    if (*slot)
        return;
    *slot = kvl_doc_ref(node);
    *has = kvl_walk_size(w, node, NULL, "unit", kib) == 1;
}

static void walk_hard_limit(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *d = w->dom;

    memtune_size(w, node, &d->hard_limit_node, &d->has_hard_limit, &d->hard_limit_kib);
}

static void walk_soft_limit(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *d = w->dom;

    memtune_size(w, node, &d->soft_limit_node, &d->has_soft_limit, &d->soft_limit_kib);
}

static void walk_swap_hard_limit(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *d = w->dom;

    memtune_size(w, node, &d->swap_hard_limit_node, &d->has_swap_hard_limit,
                 &d->swap_hard_limit_kib);
}

static void walk_min_guarantee(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *d = w->dom;

    memtune_size(w, node, &d->min_guarantee_node, &d->has_min_guarantee,
                 &d->min_guarantee_kib);
}

static const kvl_walk_entry memtune_table[] = {
    { "hard_limit", walk_hard_limit },
    { "soft_limit", walk_soft_limit },
    { "swap_hard_limit", walk_swap_hard_limit },
    { "min_guarantee", walk_min_guarantee },
    { NULL, NULL },
};

void kvl_walk_memtune(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (w->dom->memtune_node)
        return;
    w->dom->memtune_node = kvl_doc_ref(node);
    kvl_walk_children(w, node, memtune_table, NULL);
}

void kvl_walk_free_memory(kvl_domain *dom)
{
    free(dom->numa_mode);
    free(dom->numa_placement);
    hwloc_bitmap_free(dom->numa_nodeset);
    for (size_t i = 0; i < dom->nmemnodes; i++) {
        free(dom->memnodes[i].mode);
        hwloc_bitmap_free(dom->memnodes[i].nodeset);
    }
    free(dom->memnodes);
    for (size_t i = 0; i < dom->npages; i++)
        hwloc_bitmap_free(dom->pages[i].nodeset);
    free(dom->pages);
    free(dom->mem_source_type);
    free(dom->mem_access_mode);
    free(dom->mem_allocation_mode);
}
