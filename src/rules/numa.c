/*
 * NUMA locality checks: vCPUs pinned across host nodes, VMs wider than a
 * host node, memory bound away from (or not bound to) the node the vCPUs run
 * on, guest NUMA cells straddling host nodes, and memory interleaved for a
 * VM that would fit one node.  All of them need a host snapshot with a NUMA
 * topology, since a node is a property of the host.  Passthrough devices'
 * locality is in numa_hostdev.c; the guest NUMA definition itself (validity,
 * completeness, distances) in numa_config.c.
 *
 * When numad places the VM (placement='auto') the pinning in the XML is not
 * what runs, so the pinning-based checks here stay silent for it.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "placement/write.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/mem.h"

#include "util/banned.h"

/* ---- numa-pin-cross-node ---- */

void kvl_check_numa_pin_cross_node(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    kvl_ref where = 0;
    hwloc_bitmap_t nodes, vcpus;
    bool any_pin = false;
    unsigned n;

    if (kvl_domain_placement_auto(dom) || dom->ncells > 0 || !kvl_ru_vcpus(dom, &n))
        return;
    /* Nothing pinned: nothing to judge, with or without a host. */
    for (unsigned v = 0; v < n && !any_pin; v++)
        any_pin = kvl_ru_vcpu_pin(dom, NULL, v, NULL) != NULL;
    if (!any_pin || !kvl_need_host_nodes(ctx))
        return;

    nodes = hwloc_bitmap_alloc();
    vcpus = hwloc_bitmap_alloc();
    for (unsigned v = 0; v < n; v++) {
        kvl_ref from = 0;
        hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, ctx->host, v, &from);
        hwloc_bitmap_t on;

        if (!pin)
            continue;
        on = kvl_ru_nodes_of(ctx->host, pin);
        if (!hwloc_bitmap_iszero(on)) {
            hwloc_bitmap_or(nodes, nodes, on);
            hwloc_bitmap_set(vcpus, v);
            /* Point at the vCPU whose pinning makes the set cross. */
            if (!where && hwloc_bitmap_weight(nodes) > 1)
                where = from;
        }
        hwloc_bitmap_free(on);
    }

    if (hwloc_bitmap_weight(nodes) > 1) {
        char *who = kvl_ru_set_phrase("vCPU", "vCPUs", vcpus);
        char *list = kvl_ru_node_str(nodes);
        char *groups = kvl_ru_vcpu_node_groups(dom, ctx->host, vcpus);

        kvl_report(ctx->sink, ctx->rule, where, "cpuset",
                   "pin every vCPU to CPUs of one host node, or give the guest NUMA cells that match the host nodes",
                   "%s %s pinned across host nodes %s (%s)", who,
                   hwloc_bitmap_weight(vcpus) == 1 ? "is" : "are", list, groups);
        kvl_place_propose(ctx);
        free(who);
        free(list);
        free(groups);
    }
    hwloc_bitmap_free(nodes);
    hwloc_bitmap_free(vcpus);
}

/* ---- numa-vm-wider-than-node ---- */

/*
 * Largest pool of `page_kib` pages on one node.  False when no node says
 * what pools it has.
 */
static bool largest_pool(const kvl_host *host, uint64_t page_kib, uint64_t *count,
                         unsigned *node_id)
{
    bool known = false;

    *count = 0;
    *node_id = 0;
    for (size_t i = 0; i < host->nnodes; i++) {
        const kvl_host_node *node = &host->nodes[i];
        const kvl_host_pages *pool;

        if (!node->has_pages)
            continue;
        pool = kvl_host_node_pages(node, page_kib);
        if (!known || (pool && pool->count > *count)) {
            *count = pool ? pool->count : 0;
            *node_id = node->id;
        }
        known = true;
    }
    return known;
}

/* Largest capacity of a node for memory that is not hugepage-backed. */
static bool largest_capacity(const kvl_host *host, uint64_t *kib, unsigned *node_id)
{
    *kib = 0;
    *node_id = 0;
    if (host->nnodes == 0)
        return false;
    for (size_t i = 0; i < host->nnodes; i++) {
        uint64_t cap;

        if (!host->nodes[i].has_memory)
            return false;
        cap = kvl_host_node_capacity_kib(&host->nodes[i]);
        if (i == 0 || cap > *kib) {
            *kib = cap;
            *node_id = host->nodes[i].id;
        }
    }
    return true;
}

void kvl_check_numa_vm_wider_than_node(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_host *host = ctx->host;
    unsigned nvcpus, max_cpus;
    uint64_t mem;
    char *cpu_what = NULL, *cpu_cap = NULL, *mem_what = NULL, *mem_cap = NULL;
    const char *cells;
    const char *hint = "give the guest NUMA cells mapped onto host nodes, or shrink it to fit one node";
    const char *skip = NULL;
    kvl_ref where;

    if (dom->ncells >= 2)
        return;
    if (!kvl_need_host_nodes(ctx))
        return;
    /* On one node, guest cells cannot help: the overcommit rules judge size. */
    if (host->nnodes < 2)
        return;

    max_cpus = kvl_host_max_node_cpus(host);
    if (kvl_ru_vcpus(dom, &nvcpus) && max_cpus > 0 && nvcpus > max_cpus) {
        cpu_what = kvl_xasprintf("%u vCPUs", nvcpus);
        cpu_cap = kvl_xasprintf("%u CPUs", max_cpus);
    }

    if (!kvl_domain_effective_memory(dom, &mem)) {
        skip = "the domain's memory size is unknown";
    } else if (dom->hugepages) {
        uint64_t page = kvl_domain_default_page_kib(dom), count;
        unsigned id;

        if (page == 0) {
            skip = "hugepage size not given and the host's default size is unknown";
        } else if (!largest_pool(host, page, &count, &id)) {
            skip = "the host snapshot lacks hugepage pools";
        } else if ((mem + page - 1) / page > count) {
            char *size = kvl_ru_size_str(mem), *psize = kvl_ru_size_str(page);

            mem_what = kvl_xasprintf("%s of %s hugepages", size, psize);
            mem_cap = kvl_xasprintf("%llu x %s pages on node %u",
                                    (unsigned long long)count, psize, id);
            free(size);
            free(psize);
        }
    } else {
        uint64_t cap;
        unsigned id;

        if (!largest_capacity(host, &cap, &id)) {
            skip = "the host snapshot lacks node memory sizes";
        } else if (mem > cap) {
            char *size = kvl_ru_size_str(mem), *csize = kvl_ru_size_str(cap);

            mem_what = kvl_xasprintf("%s of memory", size);
            mem_cap = kvl_xasprintf("%s usable on node %u", csize, id);
            free(size);
            free(csize);
        }
    }

    cells = dom->ncells == 1 ? "a single NUMA cell" : "no NUMA cells";
    where = cpu_what ? dom->vcpu_node
                     : (dom->ncells == 1 ? dom->cells[0].node : dom->memory_node);
    if (!where)
        where = dom->root;
    if (cpu_what && mem_what)
        kvl_report(ctx->sink, ctx->rule, where, NULL, hint,
                   "%s and %s do not fit the largest host node (%s; %s) and the guest has %s",
                   cpu_what, mem_what, cpu_cap, mem_cap, cells);
    else if (cpu_what || mem_what)
        kvl_report(ctx->sink, ctx->rule, where, NULL, hint,
                   "%s do not fit the largest host node (%s) and the guest has %s",
                   cpu_what ? cpu_what : mem_what, cpu_what ? cpu_cap : mem_cap, cells);
    if (cpu_what || mem_what)
        kvl_place_propose(ctx);     /* guest cells on the fewest closest nodes */
    else if (skip)
        kvl_skip(ctx, skip);   /* the memory half could not be judged */
    free(cpu_what);
    free(cpu_cap);
    free(mem_what);
    free(mem_cap);
}

/* ---- numa-memory-binding ---- */

/* Guest cells without a <memnode> (new bitmap of cell ids). */
static hwloc_bitmap_t cells_without_memnode(const kvl_domain *dom)
{
    hwloc_bitmap_t ids = hwloc_bitmap_alloc();

    for (size_t i = 0; i < dom->ncells; i++)
        if (dom->cells[i].has_id && !kvl_ru_memnode(dom, dom->cells[i].id))
            hwloc_bitmap_set(ids, dom->cells[i].id);
    return ids;
}

void kvl_check_numa_memory_binding(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t cpus, nodes;
    char *on;

    /* Not pinned even when any <vcpu cpuset> counts: no host needed to say so. */
    if (kvl_ru_numa_auto(dom) || !kvl_domain_is_pinned(dom, NULL))
        return;
    if (!kvl_need_host_nodes(ctx))
        return;
    if (!kvl_domain_is_pinned(dom, ctx->host->all_cpus))
        return;

    cpus = kvl_ru_vcpu_pin_union(dom, ctx->host, NULL, NULL);
    nodes = kvl_ru_nodes_of(ctx->host, cpus);
    hwloc_bitmap_free(cpus);
    if (hwloc_bitmap_iszero(nodes)) {
        hwloc_bitmap_free(nodes);
        return;
    }
    on = kvl_ru_node_phrase("host node", "host nodes", nodes);

    if (!dom->numa_mode) {
        hwloc_bitmap_t loose = cells_without_memnode(dom);
        kvl_ref where = dom->numatune_node ? dom->numatune_node : dom->memory_node;
        char *list = kvl_ru_set_str(nodes);

        if (!where)
            where = dom->root;
        if (dom->nmemnodes == 0) {
            /* binding a VM without guest cells to several nodes only moves
             * the problem: say what the real fix is */
            char *hint = hwloc_bitmap_weight(nodes) > 1 && dom->ncells == 0
                ? kvl_xasprintf("first pin the vCPUs to one host node (see numa-pin-cross-node), "
                                "then bind memory there with <numatune><memory mode='strict' nodeset='N'/></numatune>")
                : kvl_xasprintf("add <numatune><memory mode='strict' nodeset='%s'/></numatune>%s",
                                list, dom->ncells ? " and a <memnode> per guest cell" : "");

            kvl_report(ctx->sink, ctx->rule, where, NULL, hint,
                       "every vCPU is pinned to %s but the memory has no NUMA binding, so it may be allocated on any node",
                       on);
            kvl_place_propose(ctx);
            free(hint);
        } else if (!hwloc_bitmap_iszero(loose)) {
            char *which = kvl_ru_set_phrase("guest cell", "guest cells", loose);
            char *hint = kvl_xasprintf("add a <memnode> for %s on the host node its vCPUs run on, or <memory mode='strict' nodeset='%s'/>",
                                       which, list);

            kvl_report(ctx->sink, ctx->rule, where, NULL, hint,
                       "every vCPU is pinned to %s but %s %s no memnode and there is no domain-wide memory binding",
                       on, which, hwloc_bitmap_weight(loose) == 1 ? "has" : "have");
            kvl_place_propose(ctx);
            free(which);
            free(hint);
        }
        free(list);
        hwloc_bitmap_free(loose);
    } else if (kvl_ru_mode_binds(dom->numa_mode) && dom->numa_nodeset
               && !hwloc_bitmap_isincluded(dom->numa_nodeset, nodes)) {
        hwloc_bitmap_t away = hwloc_bitmap_alloc();
        char *bound = kvl_ru_node_phrase("host node", "host nodes", dom->numa_nodeset);
        char *away_s, *list = kvl_ru_set_str(nodes);
        char *hint = kvl_xasprintf("set nodeset='%s', the host nodes the vCPUs run on", list);

        hwloc_bitmap_andnot(away, dom->numa_nodeset, nodes);
        away_s = kvl_ru_node_phrase("node", "nodes", away);
        kvl_report(ctx->sink, ctx->rule, dom->numa_memory_node, "nodeset", hint,
                   "memory is bound (%s) to %s but every vCPU is pinned to %s, so %s holds no vCPU",
                   dom->numa_mode, bound, on, away_s);
        kvl_place_propose(ctx);
        hwloc_bitmap_free(away);
        free(bound);
        free(away_s);
        free(list);
        free(hint);
    }
    free(on);
    hwloc_bitmap_free(nodes);
}

/* ---- numa-cell-crosses-host-node ---- */

void kvl_check_numa_cell_crosses_host_node(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    if (dom->ncells == 0 || kvl_domain_placement_auto(dom))
        return;
    if (!kvl_need_host_nodes(ctx))
        return;

    for (size_t i = 0; i < dom->ncells; i++) {
        const kvl_cell *cell = &dom->cells[i];
        hwloc_bitmap_t pinned = hwloc_bitmap_alloc();
        hwloc_bitmap_t cpus, nodes;
        char *label = kvl_ru_cell_label(dom, cell);

        if (!cell->cpus) {
            hwloc_bitmap_free(pinned);
            free(label);
            continue;
        }
        cpus = kvl_ru_vcpu_pin_union(dom, ctx->host, cell->cpus, pinned);
        nodes = kvl_ru_nodes_of(ctx->host, cpus);

        if (hwloc_bitmap_weight(nodes) > 1) {
            char *list = kvl_ru_node_str(nodes);
            char *groups = kvl_ru_vcpu_node_groups(dom, ctx->host, pinned);

            kvl_report(ctx->sink, ctx->rule, cell->node, NULL,
                       "pin the vCPUs of each guest cell to CPUs of one host node",
                       "%s has vCPUs pinned across host nodes %s (%s)", label, list, groups);
            free(list);
            free(groups);
        } else if (hwloc_bitmap_weight(nodes) == 1 && cell->has_id) {
            const kvl_memnode *mn = kvl_ru_memnode(dom, cell->id);
            const char *mode = NULL;
            hwloc_const_bitmap_t bind = NULL;
            bool binds = false;

            if (mn) {
                mode = mn->mode ? mn->mode : "strict";
                bind = mn->nodeset;
                binds = kvl_ru_mode_binds(mn->mode);
            } else if (dom->numa_mode && !kvl_ru_streq(dom->numa_placement, "auto")) {
                mode = dom->numa_mode;
                bind = dom->numa_nodeset;
                binds = kvl_ru_mode_binds(dom->numa_mode);
            }
            if (binds && bind && !hwloc_bitmap_isincluded(bind, nodes)) {
                char *run = kvl_ru_set_str(nodes);
                char *to = kvl_ru_node_phrase("host node", "host nodes", bind);
                char *hint = kvl_xasprintf("bind the cell's memory to host node %s with <memnode cellid='%u' mode='strict' nodeset='%s'/>",
                                           run, cell->id, run);

                kvl_report(ctx->sink, ctx->rule, cell->node, NULL, hint,
                           "%s runs on host node %s but %s binds its memory (%s) to %s",
                           label, run, mn ? "its memnode" : "the domain-wide numatune memory",
                           mode, to);
                free(run);
                free(to);
                free(hint);
            }
        }
        hwloc_bitmap_free(cpus);
        hwloc_bitmap_free(nodes);
        hwloc_bitmap_free(pinned);
        free(label);
    }
}

/* ---- numa-interleave-small-vm ---- */

/*
 * Whether the VM fits the largest host node: its vCPUs the node's CPUs and
 * its memory the node's capacity (hugepage-backed: the node's pool).  -1
 * when the memory side cannot be judged; *what describes the node.
 */
static int fits_one_node(const kvl_domain *dom, const kvl_host *host, char **what)
{
    unsigned nvcpus, max_cpus = kvl_host_max_node_cpus(host), id;
    uint64_t mem, cap, count, page;
    char *size;

    *what = NULL;
    if (!kvl_ru_vcpus(dom, &nvcpus) || !kvl_domain_effective_memory(dom, &mem))
        return -1;
    if (nvcpus > max_cpus)
        return 0;
    if (dom->hugepages) {
        if (!(page = kvl_domain_default_page_kib(dom)) || !largest_pool(host, page, &count, &id))
            return -1;
        if ((mem + page - 1) / page > count)
            return 0;
        size = kvl_ru_size_str(count * page);
        *what = kvl_xasprintf("%u CPUs, %s of hugepages on node %u", max_cpus, size, id);
    } else {
        if (!largest_capacity(host, &cap, &id))
            return -1;
        if (mem > cap)
            return 0;
        size = kvl_ru_size_str(cap);
        *what = kvl_xasprintf("%u CPUs, %s usable on node %u", max_cpus, size, id);
    }
    free(size);
    return 1;
}

/* Host node `id` alone holds `mem` KiB of this VM's memory (its pool for a
 * hugepage-backed VM). */
static bool node_holds(const kvl_domain *dom, const kvl_host *host, unsigned id, uint64_t mem)
{
    int at = kvl_host_node_index(host, id);
    const kvl_host_node *node;
    const kvl_host_pages *pool;
    uint64_t page;

    if (at < 0)
        return false;
    node = &host->nodes[at];
    if (dom->hugepages)
        return (page = kvl_domain_default_page_kib(dom)) &&
               (pool = kvl_host_node_pages(node, page)) && (mem + page - 1) / page <= pool->count;
    return node->has_memory && kvl_host_node_capacity_kib(node) >= mem;
}

/*
 * mode='strict' on the one node of the vCPUs, when it is in the interleave
 * set and holds all the memory; without a single vCPU node the target is a
 * placement decision (the placement engine's), so no fix.
 */
static void propose_strict(kvl_check_ctx *ctx, hwloc_const_bitmap_t nodes, uint64_t mem)
{
    const kvl_domain *dom = ctx->dom;
    int id = hwloc_bitmap_weight(nodes) == 1 ? hwloc_bitmap_first(nodes) : -1;
    char *list;
    kvl_fix *fx;

    if (id < 0) {
        kvl_fix_decline(ctx->sink, "the vCPUs are not on one host node: which node to bind is a placement choice");
        return;
    }
    if (!hwloc_bitmap_isset(dom->numa_nodeset, (unsigned)id) ||
        !node_holds(dom, ctx->host, (unsigned)id, mem)) {
        kvl_fix_decline(ctx->sink, "host node %d of the vCPUs cannot hold all the memory", id);
        return;
    }
    list = kvl_xasprintf("%d", id);
    fx = kvl_fix_propose(ctx->sink, NULL, "<memory mode='strict' nodeset='%s'/>", list);
    kvl_edit_set_attr(fx, dom->numa_memory_node, "mode", "strict");
    kvl_edit_set_attr(fx, dom->numa_memory_node, "nodeset", list);
    free(list);
}

void kvl_check_numa_interleave_small_vm(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    bool all_memnodes = dom->ncells > 0;
    hwloc_bitmap_t cpus, nodes;
    char *node_cap = NULL, *over, *size, *hint;
    uint64_t mem;
    unsigned n;
    int fits;

    /* numad's interleave set is not known; one node is as good as a bind */
    if (!kvl_ru_streq(dom->numa_mode, "interleave") || kvl_ru_numa_auto(dom) ||
        !dom->numa_nodeset || hwloc_bitmap_weight(dom->numa_nodeset) < 2)
        return;
    /* memnodes decide for their cells: the domain-wide mode applies to none */
    for (size_t i = 0; i < dom->ncells && all_memnodes; i++)
        all_memnodes = kvl_ru_memnode(dom, kvl_ru_cell_id(dom, &dom->cells[i])) != NULL;
    if (all_memnodes)
        return;
    if (!kvl_need_host_nodes(ctx) || ctx->host->nnodes < 2)
        return;
    if ((fits = fits_one_node(dom, ctx->host, &node_cap)) < 0) {
        kvl_skip(ctx, "the VM's memory or the host's node capacity is unknown");
        return;
    }
    if (!fits)
        return;

    cpus = kvl_ru_vcpu_pin_union(dom, ctx->host, NULL, NULL);
    nodes = kvl_ru_nodes_of(ctx->host, cpus);
    over = kvl_ru_node_phrase("host node", "host nodes", dom->numa_nodeset);
    (void)kvl_ru_vcpus(dom, &n);
    (void)kvl_domain_effective_memory(dom, &mem);
    size = kvl_ru_size_str(mem);
    if (hwloc_bitmap_weight(nodes) == 1)
        hint = kvl_xasprintf("bind it to the vCPUs' node: <memory mode='strict' nodeset='%d'/>",
                             hwloc_bitmap_first(nodes));
    else
        hint = kvl_xstrdup("put the VM on one host node and bind its memory there with mode='strict'");
    kvl_report(ctx->sink, ctx->rule, dom->numa_memory_node, "mode", hint,
               "memory is interleaved over %s but the VM (%u vCPU%s, %s) fits one host node "
               "(%s), so part of its memory is always remote to its vCPUs",
               over, n, n == 1 ? "" : "s", size, node_cap);
    propose_strict(ctx, nodes, mem);
    free(node_cap);
    free(over);
    free(size);
    free(hint);
    hwloc_bitmap_free(cpus);
    hwloc_bitmap_free(nodes);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_numa[] = {
    { "numa-cell-crosses-host-node", kvl_check_numa_cell_crosses_host_node, 0 },
    { "numa-interleave-small-vm", kvl_check_numa_interleave_small_vm, 0 },
    { "numa-memory-binding", kvl_check_numa_memory_binding, 0 },
    { "numa-pin-cross-node", kvl_check_numa_pin_cross_node, 0 },
    { "numa-vm-wider-than-node", kvl_check_numa_vm_wider_than_node, 0 },
    { NULL, NULL, 0 },
};
