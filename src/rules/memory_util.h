/*
 * How a domain's memory is backed, as the memory rules (memory.c,
 * memory_hugepages.c) read it: which page size backs each guest cell, which
 * host nodes the memory must come from, whether the VM is hugepage-backed at
 * all.  These follow libvirt's own resolution, including its quirks: a
 * <page nodeset='0'> of a guest without NUMA cells is the default page, a
 * cell no <page> names falls back to the default page or, without one, to
 * ordinary memory, and a page of the host's base size (4 KiB on x86) is
 * ordinary memory too.
 *
 * Ownership: arguments are borrowed; kvl_mem_parts() hands out an array the
 * caller frees with free(); the bitmaps in it are borrowed from the model.
 */
#ifndef KVL_RULES_MEMORY_UTIL_H
#define KVL_RULES_MEMORY_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hwloc.h>

#include "model/domain.h"
#include "model/host.h"
#include "util/buf.h"

/*
 * The host's base page size in KiB: the smallest page size of the host
 * snapshot when it is at most 64 KiB (as kvl_host_node_capacity_kib reads
 * it), else 4 for an x86 guest, else 0 (unknown).
 */
uint64_t kvl_mem_base_page_kib(const kvl_domain *dom, const kvl_host *host);

/* `size_kib` is the base page size (unknown base: any size up to 64 KiB). */
bool kvl_mem_is_base_page(const kvl_domain *dom, const kvl_host *host, uint64_t size_kib);

/*
 * libvirt's default ("master") page: the first <page> without nodeset, or,
 * for a guest without NUMA cells, with nodeset exactly '0' (libvirt drops
 * that nodeset).  NULL when there is none.
 */
const kvl_hugepage *kvl_mem_default_page(const kvl_domain *dom);

/* `page` applies to all memory no other page claims, as the default does. */
bool kvl_mem_page_is_default(const kvl_domain *dom, const kvl_hugepage *page);

/* The <page> that backs guest cell `cellid`: the first whose nodeset lists
 * it, else the default page, else NULL. */
const kvl_hugepage *kvl_mem_cell_page(const kvl_domain *dom, unsigned cellid);

/*
 * <hugepages> is present and some memory uses pages larger than the base
 * page (a <hugepages/> without <page> uses the host's default hugepage size,
 * which is never the base page).
 */
bool kvl_mem_hugepage_backed(const kvl_domain *dom, const kvl_host *host);

/* page_kib of a part backed by the host's default hugepage size, which a
 * snapshot does not tell. */
#define KVL_MEM_PAGE_DEFAULT UINT64_MAX

/* One piece of guest memory with a single backing and binding. */
typedef struct kvl_mem_part {
    const kvl_domain *dom;
    const kvl_cell *cell;           /* NULL: the whole VM (no guest cells) */
    uint64_t kib;
    uint64_t page_kib;              /* 0: ordinary pages; KVL_MEM_PAGE_DEFAULT */
    kvl_ref page_node;              /* the <page> (or <hugepages>) giving the size */
    /* host nodes it must come from: a strict/restrictive memnode or numatune
     * memory nodeset; NULL when it may come from any node */
    hwloc_const_bitmap_t nodes;
    kvl_ref bind_node;              /* the element giving `nodes` */
} kvl_mem_part;

/*
 * The memory of `dom` as parts: one per guest cell with a valid size, else
 * one for <memory>.  `force_page_kib` non-zero pretends every part is on
 * pages of that size (what the VM would need if it were hugepage-backed).
 * Memory devices are left out (their backing is their own).  Returns the
 * count, 0 when the memory size is unknown, or when a page size or nodeset
 * could not be read (value-invalid reported it).
 */
size_t kvl_mem_parts(const kvl_domain *dom, const kvl_host *host, uint64_t force_page_kib,
                     kvl_mem_part **out);

/* Pages of `page_kib` that `kib` of memory needs: ceil(kib / page). */
uint64_t kvl_mem_pages_needed(uint64_t kib, uint64_t page_kib);

/* "guest cell 1" or "the VM's memory", for messages; caller frees. */
char *kvl_mem_part_name(const kvl_mem_part *part);

/*
 * ---- Pools and what the fleet takes from them (RULES.md "Capacity") ----
 *
 * A list of parts that use hugepages of a known size, in the order the VMs
 * start (fleet order, then cell order), so that what a part finds taken is
 * what the parts before it took.  The caller frees list.v.
 */
typedef struct kvl_mem_list {
    kvl_mem_part *v;
    size_t n, cap;
} kvl_mem_list;

/* Append the parts of `dom` (as kvl_mem_parts) on hugepages of a known size. */
void kvl_mem_list_add(kvl_mem_list *list, const kvl_domain *dom, const kvl_host *host,
                      uint64_t force_page_kib);

/* Every node of the host as a set (new bitmap). */
hwloc_bitmap_t kvl_mem_host_nodes(const kvl_host *host);

/* The nodes a part must take its pages from: its binding, else `all`. */
hwloc_const_bitmap_t kvl_mem_part_nodes(const kvl_mem_part *part, hwloc_const_bitmap_t all);

typedef struct kvl_mem_pool {
    uint64_t count;                 /* pages of the size on the nodes */
    bool listed;                    /* some node lists the size at all */
} kvl_mem_pool;

/* The pool of `page_kib` pages on `nodes`; false with *why (static) when the
 * snapshot cannot tell (a node it lacks, a node without <pages>). */
bool kvl_mem_pool_on(const kvl_host *host, hwloc_const_bitmap_t nodes, uint64_t page_kib,
                     kvl_mem_pool *out, const char **why);

/*
 * Pages of `page_kib` that list->v[0..upto) must take from inside `nodes`
 * (`all`: every host node, for parts bound nowhere).  `who`, when not NULL,
 * gets the takers: 'name' for other VMs, the cell for `self`'s own parts.
 */
uint64_t kvl_mem_taken(const kvl_mem_list *list, size_t upto, uint64_t page_kib,
                       hwloc_const_bitmap_t nodes, hwloc_const_bitmap_t all,
                       const kvl_domain *self, kvl_buf *who);

/*
 * Fix edits: `children` (fragments) into <memoryBacking>, or into a new one
 * after <currentMemory> (else <memory>) when the domain has none.
 */
struct kvl_fix;
void kvl_mem_edit_membacking(struct kvl_fix *fx, const kvl_domain *dom,
                             const char *const *children, size_t n);

#endif
