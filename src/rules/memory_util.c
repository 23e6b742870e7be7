/*
 * How a domain's memory is backed and bound, for the memory rules; see
 * memory_util.h.  The page resolution mirrors libvirt's (qemu_command.c,
 * domain_postparse.c) so that "which pool does guest cell 2 draw from" has
 * one answer for every rule.
 */
#include "rules/memory_util.h"

#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

uint64_t kvl_mem_base_page_kib(const kvl_domain *dom, const kvl_host *host)
{
    uint64_t best = 0;

    if (host)
        for (size_t i = 0; i < host->nnodes; i++) {
            const kvl_host_node *n = &host->nodes[i];

            /* pages are sorted by size: the first is the node's smallest */
            if (n->has_pages && n->npages && (!best || n->pages[0].size_kib < best))
                best = n->pages[0].size_kib;
        }
    if (best && best <= 64)
        return best;
    return kvl_ru_arch_is_x86(kvl_ru_arch(dom, host)) ? 4 : 0;
}

bool kvl_mem_is_base_page(const kvl_domain *dom, const kvl_host *host, uint64_t size_kib)
{
    uint64_t base = kvl_mem_base_page_kib(dom, host);

    return base ? size_kib == base : size_kib <= 64;
}

/* nodeset is exactly {0} */
static bool only_cell_zero(hwloc_const_bitmap_t set)
{
    return set && hwloc_bitmap_weight(set) == 1 && hwloc_bitmap_isset(set, 0);
}

bool kvl_mem_page_is_default(const kvl_domain *dom, const kvl_hugepage *page)
{
    return !page->has_nodeset || (dom->ncells == 0 && only_cell_zero(page->nodeset));
}

const kvl_hugepage *kvl_mem_default_page(const kvl_domain *dom)
{
    for (size_t i = 0; i < dom->npages; i++)
        if (kvl_mem_page_is_default(dom, &dom->pages[i]))
            return &dom->pages[i];
    return NULL;
}

const kvl_hugepage *kvl_mem_cell_page(const kvl_domain *dom, unsigned cellid)
{
    for (size_t i = 0; i < dom->npages; i++)
        if (dom->pages[i].nodeset && hwloc_bitmap_isset(dom->pages[i].nodeset, cellid))
            return &dom->pages[i];
    return kvl_mem_default_page(dom);
}

bool kvl_mem_hugepage_backed(const kvl_domain *dom, const kvl_host *host)
{
    if (!dom->hugepages)
        return false;
    if (dom->npages == 0)
        return true;
    for (size_t i = 0; i < dom->npages; i++)
        if (dom->pages[i].size_kib && !kvl_mem_is_base_page(dom, host, dom->pages[i].size_kib))
            return true;
    return false;
}

uint64_t kvl_mem_pages_needed(uint64_t kib, uint64_t page_kib)
{
    return page_kib ? kib / page_kib + (kib % page_kib != 0) : 0;
}

/*
 * Where the memory of guest cell `cellid` (UINT32_MAX: a guest without
 * cells) must come from: its strict/restrictive memnode, else the
 * domain-wide strict/restrictive numatune memory, else anywhere (NULL).
 * numad placement and the other modes let the kernel take any node.
 */
static hwloc_const_bitmap_t binding(const kvl_domain *dom, unsigned cellid, kvl_ref *node)
{
    const kvl_memnode *mn = cellid != UINT32_MAX ? kvl_ru_memnode(dom, cellid) : NULL;

    *node = 0;
    if (kvl_ru_numa_auto(dom))
        return NULL;
    if (mn) {
        if (!mn->mode || !kvl_ru_mode_strict(mn->mode) || !mn->nodeset)
            return NULL;
        *node = mn->node;
        return mn->nodeset;
    }
    if (!dom->numa_mode || !kvl_ru_mode_strict(dom->numa_mode) || !dom->numa_nodeset)
        return NULL;
    *node = dom->numa_memory_node;
    return dom->numa_nodeset;
}

/* The page size of memory backed by `page` (NULL: none), as a part records it;
 * false when the size could not be read. */
static bool page_of(const kvl_domain *dom, const kvl_host *host, const kvl_hugepage *page,
                    kvl_mem_part *part)
{
    part->page_kib = 0;
    part->page_node = 0;
    if (!dom->hugepages)
        return true;
    if (dom->npages == 0) {
        part->page_kib = KVL_MEM_PAGE_DEFAULT;
        part->page_node = dom->hugepages_node;
        return true;
    }
    if (!page)
        return true;            /* a cell no page names: ordinary memory */
    if (page->size_kib == 0)
        return false;
    if (!kvl_mem_is_base_page(dom, host, page->size_kib)) {
        part->page_kib = page->size_kib;
        part->page_node = page->node;
    }
    return true;
}

size_t kvl_mem_parts(const kvl_domain *dom, const kvl_host *host, uint64_t force_page_kib,
                     kvl_mem_part **out)
{
    kvl_mem_part *parts;
    size_t n = 0;

    *out = NULL;
    for (size_t i = 0; i < dom->npages; i++)
        if (dom->pages[i].has_nodeset && !dom->pages[i].nodeset)
            return 0;           /* which cells it names is unknown */
    if (dom->ncells == 0) {
        if (!dom->has_memory)
            return 0;
        parts = kvl_xcalloc(1, sizeof(*parts));
        parts->dom = dom;
        parts->kib = dom->memory_kib;
        parts->nodes = binding(dom, UINT32_MAX, &parts->bind_node);
        if (!page_of(dom, host, kvl_mem_default_page(dom), parts)) {
            free(parts);
            return 0;
        }
        n = 1;
    } else {
        parts = kvl_xcalloc(dom->ncells, sizeof(*parts));
        for (size_t i = 0; i < dom->ncells; i++) {
            const kvl_cell *cell = &dom->cells[i];
            kvl_mem_part *p = &parts[n];

            if (!cell->has_memory) {
                free(parts);
                return 0;
            }
            p->dom = dom;
            p->cell = cell;
            p->kib = cell->memory_kib;
            p->nodes = binding(dom, cell->id, &p->bind_node);
            if (!page_of(dom, host, kvl_mem_cell_page(dom, cell->id), p)) {
                free(parts);
                return 0;
            }
            n++;
        }
    }
    if (force_page_kib)
        for (size_t i = 0; i < n; i++) {
            parts[i].page_kib = force_page_kib;
            parts[i].page_node = 0;
        }
    *out = parts;
    return n;
}

char *kvl_mem_part_name(const kvl_mem_part *part)
{
    if (part->cell)
        return kvl_ru_cell_label(part->dom, part->cell);
    return kvl_xstrdup("the VM's memory");
}

/* ---- Pools and what the fleet takes from them ---- */

/* Append the parts of `dom` that use hugepages of a known size. */
void kvl_mem_list_add(kvl_mem_list *list, const kvl_domain *dom, const kvl_host *host,
                       uint64_t force_page_kib)
{
    kvl_mem_part *v;
    size_t n = kvl_mem_parts(dom, host, force_page_kib, &v);

    for (size_t i = 0; i < n; i++) {
        if (v[i].page_kib == 0 || v[i].page_kib == KVL_MEM_PAGE_DEFAULT)
            continue;
        KVL_GROW(list->v, list->n, list->cap);
        list->v[list->n++] = v[i];
    }
    free(v);
}

hwloc_bitmap_t kvl_mem_host_nodes(const kvl_host *host)
{
    hwloc_bitmap_t all = hwloc_bitmap_alloc();

    for (size_t i = 0; i < host->nnodes; i++)
        hwloc_bitmap_set(all, host->nodes[i].id);
    return all;
}

/* The nodes a part must take its pages from: its binding, else all of them. */
hwloc_const_bitmap_t kvl_mem_part_nodes(const kvl_mem_part *p, hwloc_const_bitmap_t all)
{
    return p->nodes ? p->nodes : all;
}

/* The pool of `page_kib` pages on `nodes`; false with *why when the
 * snapshot cannot tell. */
bool kvl_mem_pool_on(const kvl_host *host, hwloc_const_bitmap_t nodes, uint64_t page_kib,
                     kvl_mem_pool *out, const char **why)
{
    int id;

    out->count = 0;
    out->listed = false;
    hwloc_bitmap_foreach_begin(id, nodes) {
        const kvl_host_node *node = kvl_host_node_by_id(host, (unsigned)id);
        const kvl_host_pages *p;

        if (!node) {
            *why = "the nodeset names a node the host does not have";
            return false;
        }
        if (!node->has_pages) {
            *why = "the host snapshot lacks hugepage pools";
            return false;
        }
        if ((p = kvl_host_node_pages(node, page_kib))) {
            out->listed = true;
            out->count += p->count;
        }
    } hwloc_bitmap_foreach_end();
    return true;
}

/*
 * Pages of `page_kib` that list->v[0..upto) must take from inside `nodes`.
 * `who`, when not NULL, gets the takers: 'name' for other VMs, the cell for
 * `self`'s own parts.
 */
uint64_t kvl_mem_taken(const kvl_mem_list *list, size_t upto, uint64_t page_kib,
                       hwloc_const_bitmap_t nodes, hwloc_const_bitmap_t all,
                       const kvl_domain *self, kvl_buf *who)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < upto; i++) {
        const kvl_mem_part *p = &list->v[i];
        bool named = false;

        if (p->page_kib != page_kib || !hwloc_bitmap_isincluded(kvl_mem_part_nodes(p, all), nodes))
            continue;
        sum += kvl_mem_pages_needed(p->kib, page_kib);
        if (!who)
            continue;
        if (p->dom == self) {
            char *cell = kvl_mem_part_name(p);

            kvl_buf_addf(who, "%s%s", who->len ? ", " : "", cell);
            free(cell);
            continue;
        }
        for (size_t j = 0; j < i && !named; j++)
            named = list->v[j].dom == p->dom && list->v[j].page_kib == page_kib &&
                    hwloc_bitmap_isincluded(kvl_mem_part_nodes(&list->v[j], all), nodes);
        if (!named)
            kvl_buf_addf(who, "%s'%s'", who->len ? ", " : "", kvl_ru_dom_label(p->dom));
    }
    return sum;
}

void kvl_mem_edit_membacking(kvl_fix *fx, const kvl_domain *dom, const char *const *children,
                             size_t n)
{
    kvl_buf b = KVL_BUF_INIT;

    if (dom->membacking_node) {
        for (size_t i = 0; i < n; i++)
            kvl_edit_insert_child(fx, dom->membacking_node, "%s", children[i]);
        return;
    }
    kvl_buf_adds(&b, "<memoryBacking>");
    for (size_t i = 0; i < n; i++) {
        /* a child of several lines moves in as a whole */
        kvl_buf_adds(&b, "\n  ");
        for (const char *c = children[i]; *c; c++) {
            kvl_buf_addc(&b, *c);
            if (*c == '\n')
                kvl_buf_adds(&b, "  ");
        }
    }
    kvl_buf_adds(&b, "\n</memoryBacking>");
    kvl_edit_insert_after_or_child(fx, dom->current_memory_node ? dom->current_memory_node
                                   : dom->memory_node, dom->root, "%s", kvl_buf_str(&b));
    kvl_buf_free(&b);
}
