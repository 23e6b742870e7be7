/*
 * Occupancy: what the host has left for the VMs still to place.  Starts
 * from the host model (every CPU but the reserved housekeeping ones, each
 * node's ordinary memory and hugepage pools) and takes out what the placed
 * VMs of the fleet hold: every explicit pin set (a vCPU set, even of
 * several CPUs, makes those CPUs someone's: cpu-pin-shared counts any
 * explicit set), memory strictly bound to nodes, and hugepages.
 *
 * Memory bound to several nodes is charged evenly to them, and hugepages
 * of an unbound VM to the nodes with the most free pages of that size, in
 * order: the kernel decides at start, so this is the charge that leaves the
 * most room everywhere, not a prediction.
 */
#include <stdlib.h>
#include <string.h>

#include "placement/plan.h"
#include "rules/memory_util.h"
#include "rules/rule_util.h"
#include "util/mem.h"

#include "util/banned.h"

kvl_occupancy *kvl_occ_new(const kvl_host *host, hwloc_const_bitmap_t reserved)
{
    kvl_occupancy *occ;

    if (!host || !host->nnodes)
        return NULL;
    for (size_t i = 0; i < host->nnodes; i++)
        if (!host->nodes[i].has_memory)
            return NULL;
    occ = kvl_xcalloc(1, sizeof(*occ));
    occ->host = host;
    occ->reserved = reserved ? hwloc_bitmap_dup(reserved) : hwloc_bitmap_alloc();
    occ->nnodes = host->nnodes;
    occ->nodes = kvl_xcalloc(host->nnodes, sizeof(*occ->nodes));
    for (size_t i = 0; i < host->nnodes; i++) {
        const kvl_host_node *hn = &host->nodes[i];
        kvl_occ_node *on = &occ->nodes[i];

        on->hn = hn;
        on->free = hwloc_bitmap_dup(hn->cpus);
        hwloc_bitmap_andnot(on->free, on->free, occ->reserved);
        on->emu = hwloc_bitmap_alloc();
        on->mem_free_kib = kvl_host_node_capacity_kib(hn);
        if (hn->npages) {
            on->pages = kvl_xcalloc(hn->npages, sizeof(*on->pages));
            for (size_t k = 0; k < hn->npages; k++) {
                on->pages[on->npages].size_kib = hn->pages[k].size_kib;
                on->pages[on->npages].free = hn->pages[k].count;
                on->npages++;
            }
        }
    }
    return occ;
}

void kvl_occ_free(kvl_occupancy *occ)
{
    if (!occ)
        return;
    for (size_t i = 0; i < occ->nnodes; i++) {
        hwloc_bitmap_free(occ->nodes[i].free);
        hwloc_bitmap_free(occ->nodes[i].emu);
        free(occ->nodes[i].pages);
    }
    free(occ->nodes);
    hwloc_bitmap_free(occ->reserved);
    free(occ);
}

kvl_occ_node *kvl_occ_find(kvl_occupancy *occ, unsigned id)
{
    for (size_t i = 0; i < occ->nnodes; i++)
        if (occ->nodes[i].hn->id == id)
            return &occ->nodes[i];
    return NULL;
}

static kvl_occ_pages *node_pages(kvl_occ_node *on, uint64_t size_kib)
{
    for (size_t k = 0; k < on->npages; k++)
        if (on->pages[k].size_kib == size_kib)
            return &on->pages[k];
    return NULL;
}

static void take_cpus(kvl_occupancy *occ, hwloc_const_bitmap_t set, bool emulator)
{
    if (!set || kvl_ru_covers_host(occ->host, set))
        return;
    for (size_t i = 0; i < occ->nnodes; i++) {
        hwloc_bitmap_andnot(occ->nodes[i].free, occ->nodes[i].free, set);
        if (emulator) {
            hwloc_bitmap_t on = hwloc_bitmap_alloc();

            hwloc_bitmap_and(on, set, occ->nodes[i].hn->cpus);
            hwloc_bitmap_or(occ->nodes[i].emu, occ->nodes[i].emu, on);
            hwloc_bitmap_free(on);
        }
    }
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

/* Charge `pages` pages of `size` to the nodes of `nodes` (NULL: all),
 * evenly when bound, else greedily to the nodes with the most left. */
static void take_pages(kvl_occupancy *occ, hwloc_const_bitmap_t nodes, uint64_t size,
                       uint64_t pages)
{
    if (nodes) {
        int w = hwloc_bitmap_weight(nodes);

        for (size_t i = 0; i < occ->nnodes && w > 0; i++) {
            kvl_occ_pages *p = node_pages(&occ->nodes[i], size);

            if (p && hwloc_bitmap_isset(nodes, occ->nodes[i].hn->id))
                p->free = sat_sub(p->free, (pages + (unsigned)w - 1) / (unsigned)w);
        }
        return;
    }
    while (pages) {
        kvl_occ_pages *best = NULL;

        for (size_t i = 0; i < occ->nnodes; i++) {
            kvl_occ_pages *p = node_pages(&occ->nodes[i], size);

            if (p && p->free && (!best || p->free > best->free))
                best = p;
        }
        if (!best)
            return;
        uint64_t t = best->free < pages ? best->free : pages;
        best->free -= t;
        pages -= t;
    }
}

static void take_memory(kvl_occupancy *occ, hwloc_const_bitmap_t nodes, uint64_t kib)
{
    int w = hwloc_bitmap_weight(nodes);

    for (size_t i = 0; i < occ->nnodes && w > 0; i++)
        if (hwloc_bitmap_isset(nodes, occ->nodes[i].hn->id))
            occ->nodes[i].mem_free_kib =
                sat_sub(occ->nodes[i].mem_free_kib, (kib + (unsigned)w - 1) / (unsigned)w);
}

void kvl_occ_add_domain(kvl_occupancy *occ, const kvl_domain *dom)
{
    const kvl_host *host = occ->host;
    kvl_mem_part *parts = NULL;
    size_t nparts;
    unsigned n;

    if (!kvl_domain_is_kvm_scope(dom))
        return;
    if (kvl_ru_vcpus(dom, &n))
        for (unsigned v = 0; v < n; v++)
            take_cpus(occ, kvl_ru_vcpu_pin(dom, host, v, NULL), false);
    take_cpus(occ, kvl_domain_emulator_pin(dom, NULL), true);
    for (size_t i = 0; i < dom->niothread_ids; i++)
        take_cpus(occ, kvl_domain_iothread_pin(dom, dom->iothread_ids[i], NULL), true);

    nparts = kvl_mem_parts(dom, host, 0, &parts);
    for (size_t i = 0; i < nparts; i++) {
        const kvl_mem_part *p = &parts[i];

        if (p->page_kib && p->page_kib != KVL_MEM_PAGE_DEFAULT)
            take_pages(occ, p->nodes, p->page_kib, kvl_mem_pages_needed(p->kib, p->page_kib));
        else if (!p->page_kib && p->nodes)
            take_memory(occ, p->nodes, p->kib);
    }
    free(parts);
}

void kvl_occ_take_plan(kvl_occupancy *occ, const kvl_plan *plan)
{
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();

    for (unsigned v = 0; v < plan->nvcpus; v++)
        hwloc_bitmap_set(cpus, plan->vcpu_cpu[v]);
    take_cpus(occ, cpus, false);
    if (plan->emulator && !plan->emulator_overlaps)
        take_cpus(occ, plan->emulator, true);
    for (size_t i = 0; i < plan->ncells; i++) {
        kvl_occ_node *on = kvl_occ_find(occ, plan->cells[i].node);

        if (!on)
            continue;
        if (plan->page_kib)
            kvl_occ_take_pages(on, plan->page_kib, plan->cells[i].pages);
        else
            on->mem_free_kib = sat_sub(on->mem_free_kib, plan->cells[i].memory_kib);
    }
    hwloc_bitmap_free(cpus);
}

/* ---- For fit.c: the pages left of a size on a node ---- */

uint64_t kvl_occ_pages_free(kvl_occ_node *on, uint64_t size_kib)
{
    kvl_occ_pages *p = node_pages(on, size_kib);

    return p ? p->free : 0;
}

void kvl_occ_take_pages(kvl_occ_node *on, uint64_t size_kib, uint64_t pages)
{
    kvl_occ_pages *p = node_pages(on, size_kib);

    if (p)
        p->free = sat_sub(p->free, pages);
}
