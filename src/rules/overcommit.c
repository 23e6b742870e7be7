/*
 * Fleet checks: everything linted in one run against one host snapshot is
 * co-located on that host (RULES.md "Fleet"), so vCPUs, memory, strictly
 * bound node memory and pinned CPUs are shared budgets.
 *
 * A fleet-wide excess is one defect, not one per VM: it is reported once,
 * on the domain (in fleet order) at which the running total first passes
 * the limit, so the finding is stable and points at a file that could be
 * moved elsewhere.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

/* Name for messages: the domain name, else its file. */
static const char *dom_label(const kvl_domain *dom)
{
    if (dom->name)
        return dom->name;
    return dom->doc && dom->doc->path ? dom->doc->path : "?";
}

/* "the 12 domains on this host" / "the only domain on this host": a run
 * can lint several fleets, one per host (config <host> mappings) */
static char *fleet_phrase(const kvl_fleet *fleet)
{
    if (fleet->n == 1)
        return kvl_xstrdup("the only domain on this host");
    return kvl_xasprintf("the %zu domains on this host", fleet->n);
}

/*
 * Does the running total `upto` (see kvl_fleet) first exceed `limit` at
 * domain `index`?  *total gets the sum over the whole fleet.
 */
static bool fleet_crosses_at(const kvl_fleet *fleet, const uint64_t *upto, size_t index,
                             double limit, uint64_t *total)
{
    *total = fleet->n ? upto[fleet->n - 1] : 0;
    return (double)upto[index] > limit && (index == 0 || (double)upto[index - 1] <= limit);
}

/* ---- cpu-overcommit ---- */

void kvl_check_cpu_overcommit(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    kvl_ref where = dom->vcpu_node ? dom->vcpu_node : dom->root;
    unsigned ncpus, n;
    uint64_t total;
    double limit;

    if (!ctx->host) {
        kvl_skip(ctx, "no host snapshot (--host)");
        return;
    }
    ncpus = (unsigned)hwloc_bitmap_weight(ctx->host->all_cpus);
    if (hwloc_bitmap_weight(ctx->host->all_cpus) <= 0) {
        kvl_skip(ctx, "the host snapshot lists no CPUs");
        return;
    }

    if (kvl_ru_vcpus(dom, &n) && n > ncpus)
        kvl_report(ctx->sink, ctx->rule, where, NULL,
                   "give the VM at most as many vCPUs as the host has CPUs",
                   "%u vCPUs exceed the %u logical CPUs of the host", n, ncpus);

    limit = ctx->cfg->cpu_overcommit_ratio * ncpus;
    if (fleet_crosses_at(ctx->fleet, ctx->fleet->vcpus_upto, ctx->index, limit, &total)) {
        char *who = fleet_phrase(ctx->fleet);

        kvl_report(ctx->sink, ctx->rule, where, NULL,
                   "reduce vCPUs or move VMs to another host; this domain takes the total past the limit",
                   "%s %s %llu vCPUs, more than %g x %u host CPUs", who,
                   ctx->fleet->n == 1 ? "has" : "have", (unsigned long long)total,
                   ctx->cfg->cpu_overcommit_ratio, ncpus);
        free(who);
    }
}

/* ---- mem-overcommit ---- */

void kvl_check_mem_overcommit(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    uint64_t host_kib, limit, total;
    bool pinned_memory = false;

    if (!kvl_need_host_memory(ctx))
        return;
    kvl_host_total_memory(ctx->host, &host_kib);
    limit = host_kib > ctx->cfg->host_reserve_kib ? host_kib - ctx->cfg->host_reserve_kib : 0;
    if (!fleet_crosses_at(ctx->fleet, ctx->fleet->memory_upto, ctx->index, (double)limit, &total))
        return;

    /* Hugepage-backed or locked memory cannot be swapped or reclaimed: the
     * excess means a VM that fails to start or gets killed. */
    for (size_t i = 0; i < ctx->fleet->n; i++)
        if (ctx->fleet->doms[i]->hugepages || ctx->fleet->doms[i]->locked)
            pinned_memory = true;

    {
        char *who = fleet_phrase(ctx->fleet);
        char *need = kvl_ru_size_str(total), *have = kvl_ru_size_str(host_kib);
        char *reserve = kvl_ru_size_str(ctx->cfg->host_reserve_kib);

        kvl_report_sev(ctx->sink, ctx->rule, pinned_memory ? KVL_SEV_ERROR : KVL_SEV_WARNING,
                       dom->memory_node ? dom->memory_node : dom->root, NULL,
                       "reduce VM memory or move VMs to another host; this domain takes the total past the limit",
                       "%s %s %s of memory, more than the host's %s minus a %s reserve%s",
                       who, ctx->fleet->n == 1 ? "needs" : "need", need, have, reserve,
                       pinned_memory ? " (hugepage-backed or locked memory cannot be reclaimed)" : "");
        free(who);
        free(need);
        free(have);
        free(reserve);
    }
}

/* ---- numa-strict-node-too-small ---- */

/* Memory of one VM that a strict/restrictive binding ties to host nodes. */
typedef struct binding {
    const kvl_domain *dom;
    kvl_ref node;            /* <numatune><memory> or <memnode> */
    hwloc_const_bitmap_t nodeset;
    const char *mode;
    bool is_cell;
    unsigned cellid;
    uint64_t kib;                   /* rounded up to whole pages */
    uint64_t page_kib;              /* 0: not hugepage-backed */
} binding;

typedef struct bindings {
    binding *v;
    size_t n, cap;
} bindings;

static const kvl_cell *cell_by_id(const kvl_domain *dom, unsigned id)
{
    for (size_t i = 0; i < dom->ncells; i++)
        if (dom->cells[i].has_id && dom->cells[i].id == id)
            return &dom->cells[i];
    return NULL;
}

static void add_binding(bindings *list, const binding *b)
{
    KVL_GROW(list->v, list->n, list->cap);
    list->v[list->n] = *b;
    if (b->page_kib)
        list->v[list->n].kib = (b->kib + b->page_kib - 1) / b->page_kib * b->page_kib;
    list->n++;
}

/*
 * The strict/restrictive bindings of `dom`: one per <memnode> (that cell's
 * memory), and the domain-wide <numatune><memory> for the rest.  Bindings
 * whose size or page size cannot be known are left out.
 */
static void collect_bindings(const kvl_domain *dom, bindings *out)
{
    uint64_t rest;
    bool mixed_pages = false;

    if (kvl_ru_numa_auto(dom))
        return;
    for (size_t i = 0; i < dom->nmemnodes; i++) {
        const kvl_memnode *mn = &dom->memnodes[i];
        const kvl_cell *cell = mn->has_cellid ? cell_by_id(dom, mn->cellid) : NULL;
        binding b = { dom, mn->node, mn->nodeset, mn->mode ? mn->mode : "strict",
                      true, mn->cellid, 0, 0 };

        if (!kvl_ru_mode_strict(mn->mode) || !mn->nodeset || !cell || !cell->has_memory)
            continue;
        b.kib = cell->memory_kib;
        if (dom->hugepages && (b.page_kib = kvl_ru_cell_page_kib(dom, mn->cellid)) == 0)
            continue;
        add_binding(out, &b);
    }

    if (!dom->numa_mode || !kvl_ru_mode_strict(dom->numa_mode) || !dom->numa_nodeset)
        return;
    if (!kvl_domain_effective_memory(dom, &rest))
        return;
    {
        binding b = { dom, dom->numa_memory_node, dom->numa_nodeset, dom->numa_mode,
                      false, 0, 0, 0 };
        uint64_t page = dom->hugepages ? kvl_domain_default_page_kib(dom) : 0;

        for (size_t i = 0; i < dom->ncells; i++) {
            const kvl_cell *cell = &dom->cells[i];

            if (!cell->has_id || !cell->has_memory)
                continue;
            if (kvl_ru_memnode(dom, cell->id)) {
                rest = rest > cell->memory_kib ? rest - cell->memory_kib : 0;
            } else if (dom->hugepages && kvl_ru_cell_page_kib(dom, cell->id) != page) {
                /* Cells on different page sizes: no single pool to compare. */
                mixed_pages = true;
            }
        }
        if (dom->hugepages && (page == 0 || mixed_pages))
            return;
        if (rest == 0)
            return;
        b.kib = rest;
        b.page_kib = page;
        add_binding(out, &b);
    }
}

/*
 * What the nodes of `set` hold for memory on `page_kib` pages (0: memory
 * that is not hugepage-backed).  False when the host cannot tell.
 */
static bool nodes_capacity(const kvl_host *host, hwloc_const_bitmap_t set, uint64_t page_kib,
                           uint64_t *kib, const char **why)
{
    int id;

    *kib = 0;
    hwloc_bitmap_foreach_begin(id, set) {
        const kvl_host_node *node = kvl_host_node_by_id(host, (unsigned)id);

        if (!node) {
            *why = "the nodeset names a node the host does not have";
            return false;
        }
        if (page_kib == 0) {
            if (!node->has_memory) {
                *why = "the host snapshot lacks node memory sizes";
                return false;
            }
            *kib += kvl_host_node_capacity_kib(node);
        } else {
            const kvl_host_pages *pool;

            if (!node->has_pages) {
                *why = "the host snapshot lacks hugepage pools";
                return false;
            }
            pool = kvl_host_node_pages(node, page_kib);
            if (pool)
                *kib += pool->count * page_kib;
        }
    } hwloc_bitmap_foreach_end();
    return true;
}

static void report_too_small(kvl_check_ctx *ctx, const binding *b, uint64_t cap,
                             uint64_t used, const char *users)
{
    char *nodes = kvl_ru_node_phrase("host node", "host nodes", b->nodeset);
    char *cap_s = kvl_ru_size_str(cap), *need = kvl_ru_size_str(b->kib);
    kvl_buf what = KVL_BUF_INIT, room = KVL_BUF_INIT;

    kvl_buf_addf(&what, "%s binding", b->mode);
    if (b->is_cell)
        kvl_buf_addf(&what, " of guest cell %u", b->cellid);
    kvl_buf_addf(&what, " to %s", nodes);

    if (b->page_kib) {
        char *page = kvl_ru_size_str(b->page_kib);

        if (cap == 0)
            kvl_buf_addf(&room, "no %s hugepages", page);
        else
            kvl_buf_addf(&room, "%s of %s hugepages", cap_s, page);
        free(page);
    } else {
        kvl_buf_adds(&room, cap_s);
    }
    if (used) {
        char *used_s = kvl_ru_size_str(used);

        kvl_buf_addf(&room, ", %s already bound there by %s", used_s, users);
        free(used_s);
    }
    kvl_report(ctx->sink, ctx->rule, b->node, "nodeset",
               "bind the memory to nodes with room, relax the mode to preferred, or move a VM to another host",
               "%s (%s) cannot hold %s", kvl_buf_str(&what), kvl_buf_str(&room), need);
    kvl_buf_free(&what);
    kvl_buf_free(&room);
    free(nodes);
    free(cap_s);
    free(need);
}

void kvl_check_numa_strict_node_too_small(kvl_check_ctx *ctx)
{
    bindings mine = { NULL, 0, 0 }, before = { NULL, 0, 0 };
    const char *why = NULL;

    collect_bindings(ctx->dom, &mine);
    if (mine.n == 0)
        return;
    if (!kvl_need_host_memory(ctx))
        goto out;

    /* Earlier VMs of the fleet, then this VM's own bindings in order. */
    for (size_t j = 0; j < ctx->index && j < ctx->fleet->n; j++)
        collect_bindings(ctx->fleet->doms[j], &before);

    for (size_t i = 0; i < mine.n; i++) {
        const binding *b = &mine.v[i];
        uint64_t cap, used = 0;
        kvl_buf users = KVL_BUF_INIT;
        const kvl_domain **named = kvl_xcalloc(before.n + i + 1, sizeof(*named));
        size_t nnamed = 0;

        if (!nodes_capacity(ctx->host, b->nodeset, b->page_kib, &cap, &why)) {
            free(named);
            continue;
        }
        for (size_t k = 0; k < before.n + i; k++) {
            const binding *o = k < before.n ? &before.v[k] : &mine.v[k - before.n];
            bool seen = false;

            /* Only memory that must come from inside these nodes, from the
             * same kind of pool, is taken from them for sure. */
            if (o->page_kib != b->page_kib || !hwloc_bitmap_isincluded(o->nodeset, b->nodeset))
                continue;
            used += o->kib;
            if (o->dom == ctx->dom) {
                /* Only a memnode of this VM can come before its own binding. */
                kvl_buf_addf(&users, "%sguest cell %u", users.len ? ", " : "", o->cellid);
                continue;
            }
            for (size_t m = 0; m < nnamed; m++)
                seen = seen || named[m] == o->dom;
            if (!seen) {
                kvl_buf_addf(&users, "%s'%s'", users.len ? ", " : "", dom_label(o->dom));
                named[nnamed++] = o->dom;
            }
        }
        free(named);
        if (b->kib > (cap > used ? cap - used : 0))
            report_too_small(ctx, b, cap, used, kvl_buf_str(&users));
        kvl_buf_free(&users);
    }
    if (why)
        kvl_skip(ctx, why);
out:
    free(mine.v);
    free(before.v);
}

/* ---- cpu-pin-shared ---- */

/* Part (a): vCPUs of this VM pinned to the same single host CPU. */
static void shared_single_cpus(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t seen = hwloc_bitmap_alloc(), reported = hwloc_bitmap_alloc();
    unsigned n;

    if (!kvl_ru_vcpus(dom, &n))
        n = 0;
    for (unsigned v = 0; v < n; v++) {
        kvl_ref node = 0;
        hwloc_const_bitmap_t pin = kvl_domain_vcpu_pin(dom, v, &node);
        int cpu;

        if (!pin || hwloc_bitmap_weight(pin) != 1)
            continue;
        cpu = hwloc_bitmap_first(pin);
        if (!hwloc_bitmap_isset(seen, (unsigned)cpu)) {
            hwloc_bitmap_set(seen, (unsigned)cpu);
            continue;
        }
        if (hwloc_bitmap_isset(reported, (unsigned)cpu))
            continue;
        hwloc_bitmap_set(reported, (unsigned)cpu);
        {
            hwloc_bitmap_t group = hwloc_bitmap_alloc();
            char *who;

            for (unsigned w = 0; w < n; w++) {
                hwloc_const_bitmap_t p = kvl_domain_vcpu_pin(dom, w, NULL);

                if (p && hwloc_bitmap_weight(p) == 1 && hwloc_bitmap_first(p) == cpu)
                    hwloc_bitmap_set(group, w);
            }
            who = kvl_ru_set_phrase("vCPU", "vCPUs", group);
            kvl_report(ctx->sink, ctx->rule, node, "cpuset",
                       "pin each vCPU to its own host CPU",
                       "%s are pinned to the same single host CPU %d",
                       who, cpu);
            free(who);
            hwloc_bitmap_free(group);
        }
    }
    hwloc_bitmap_free(seen);
    hwloc_bitmap_free(reported);
}

/* The explicit pin sets of a VM, each as it applies (RULES.md "Effective
 * pinning"); sets that cover the whole host pin nothing. */
typedef struct pin_sets {
    hwloc_bitmap_t vcpus;           /* union of the vCPU pinnings */
    hwloc_bitmap_t others;          /* emulator and IOThreads */
} pin_sets;

/* A pinning that names every host CPU pins nothing. */
static hwloc_const_bitmap_t restricting(hwloc_const_bitmap_t set, const kvl_host *host)
{
    return set && !kvl_ru_covers_host(host, set) ? set : NULL;
}

static void pin_sets_of(const kvl_domain *dom, const kvl_host *host, pin_sets *ps)
{
    hwloc_const_bitmap_t emu = restricting(kvl_domain_emulator_pin(dom, NULL), host);

    ps->vcpus = kvl_ru_vcpu_pin_union(dom, host, NULL, NULL);
    ps->others = hwloc_bitmap_alloc();
    if (emu)
        hwloc_bitmap_or(ps->others, ps->others, emu);
    for (size_t i = 0; i < dom->niothread_ids; i++) {
        hwloc_const_bitmap_t io =
            restricting(kvl_domain_iothread_pin(dom, dom->iothread_ids[i], NULL), host);

        if (io)
            hwloc_bitmap_or(ps->others, ps->others, io);
    }
}

static void pin_sets_free(pin_sets *ps)
{
    hwloc_bitmap_free(ps->vcpus);
    hwloc_bitmap_free(ps->others);
}

/* "vCPUs 2-3, emulator, IOThread 1": what of `dom` runs on `cpus`. */
static char *users_of(const kvl_domain *dom, const kvl_host *host, hwloc_const_bitmap_t cpus)
{
    kvl_buf b = KVL_BUF_INIT;
    hwloc_bitmap_t vcpus = hwloc_bitmap_alloc(), ios = hwloc_bitmap_alloc();
    hwloc_const_bitmap_t emu = restricting(kvl_domain_emulator_pin(dom, NULL), host);
    unsigned n;

    if (!kvl_ru_vcpus(dom, &n))
        n = 0;
    for (unsigned v = 0; v < n; v++) {
        hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, host, v, NULL);

        if (pin && hwloc_bitmap_intersects(pin, cpus))
            hwloc_bitmap_set(vcpus, v);
    }
    for (size_t i = 0; i < dom->niothread_ids; i++) {
        hwloc_const_bitmap_t io =
            restricting(kvl_domain_iothread_pin(dom, dom->iothread_ids[i], NULL), host);

        if (io && hwloc_bitmap_intersects(io, cpus))
            hwloc_bitmap_set(ios, dom->iothread_ids[i]);
    }
    if (!hwloc_bitmap_iszero(vcpus)) {
        char *s = kvl_ru_set_phrase("vCPU", "vCPUs", vcpus);

        kvl_buf_adds(&b, s);
        free(s);
    }
    if (emu && hwloc_bitmap_intersects(emu, cpus))
        kvl_buf_addf(&b, "%semulator", b.len ? ", " : "");
    if (!hwloc_bitmap_iszero(ios)) {
        char *s = kvl_ru_set_phrase("IOThread", "IOThreads", ios);

        kvl_buf_addf(&b, "%s%s", b.len ? ", " : "", s);
        free(s);
    }
    hwloc_bitmap_free(vcpus);
    hwloc_bitmap_free(ios);
    return kvl_buf_detach(&b);
}

/* Part (b): a latency-critical VM's vCPU CPUs used by another fleet VM. */
static void shared_with_fleet(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_host *host = ctx->host;
    hwloc_bitmap_t mine_vcpus = hwloc_bitmap_alloc();
    hwloc_bitmap_t mine = kvl_ru_vcpu_pin_union(dom, host, NULL, mine_vcpus);

    for (size_t j = 0; j < ctx->fleet->n && !hwloc_bitmap_iszero(mine); j++) {
        const kvl_domain *other = ctx->fleet->doms[j];
        hwloc_bitmap_t shared;
        pin_sets ps;

        if (j == ctx->index || other == dom)
            continue;
        pin_sets_of(other, host, &ps);
        shared = hwloc_bitmap_alloc();
        hwloc_bitmap_or(shared, ps.vcpus, ps.others);
        hwloc_bitmap_and(shared, shared, mine);
        /* Two latency-critical VMs on the same vCPU CPUs: the earlier one
         * reports that overlap; only what else they share is left here. */
        if (j < ctx->index && kvl_domain_is_latency_critical(other))
            hwloc_bitmap_andnot(shared, shared, ps.vcpus);

        if (!hwloc_bitmap_iszero(shared)) {
            hwloc_bitmap_t vcpus = hwloc_bitmap_alloc();
            kvl_ref where = 0;
            char *cpus, *who, *theirs;
            unsigned n;

            if (!kvl_ru_vcpus(dom, &n))
                n = 0;
            for (unsigned v = 0; v < n; v++) {
                kvl_ref node = 0;
                hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, host, v, &node);

                if (pin && hwloc_bitmap_intersects(pin, shared)) {
                    hwloc_bitmap_set(vcpus, v);
                    if (!where)
                        where = node;
                }
            }
            cpus = kvl_ru_set_phrase("host CPU", "host CPUs", shared);
            who = kvl_ru_set_phrase("vCPU", "vCPUs", vcpus);
            theirs = users_of(other, host, shared);
            kvl_report(ctx->sink, ctx->rule, where, "cpuset",
                       "give the latency-critical VM CPUs that no other VM is pinned to",
                       "%s of latency-critical %s %s also pinned by '%s' (%s)",
                       cpus, who, hwloc_bitmap_weight(shared) == 1 ? "is" : "are",
                       dom_label(other), theirs);
            free(cpus);
            free(who);
            free(theirs);
            hwloc_bitmap_free(vcpus);
        }
        hwloc_bitmap_free(shared);
        pin_sets_free(&ps);
    }
    hwloc_bitmap_free(mine);
    hwloc_bitmap_free(mine_vcpus);
}

void kvl_check_cpu_pin_shared(kvl_check_ctx *ctx)
{
    shared_single_cpus(ctx);
    if (kvl_domain_is_latency_critical(ctx->dom))
        shared_with_fleet(ctx);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_overcommit[] = {
    { "cpu-overcommit", kvl_check_cpu_overcommit, 0 },
    { "cpu-pin-shared", kvl_check_cpu_pin_shared, 0 },
    { "mem-overcommit", kvl_check_mem_overcommit, 0 },
    { "numa-strict-node-too-small", kvl_check_numa_strict_node_too_small, 0 },
    { NULL, NULL, 0 },
};
