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

#include "placement/write.h"
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

static uint64_t minus_reserve(uint64_t kib, const kvl_config *cfg)
{
    return kib > cfg->host_reserve_kib ? kib - cfg->host_reserve_kib : 0;
}

/* All memory of the fleet against all host memory.  The finding sits on
 * the crossing domain; the return says whether the fleet is over at all. */
static bool check_total_memory(kvl_check_ctx *ctx, uint64_t host_kib)
{
    const kvl_domain *dom = ctx->dom;
    uint64_t limit = minus_reserve(host_kib, ctx->cfg), total;
    bool pinned_memory = false;
    char *who, *need, *have, *reserve;

    if (!fleet_crosses_at(ctx->fleet, ctx->fleet->memory_upto, ctx->index, (double)limit, &total))
        return (double)total > (double)limit;

    /* Hugepage-backed or locked memory cannot be swapped or reclaimed: the
     * excess means a VM that fails to start or gets killed. */
    for (size_t i = 0; i < ctx->fleet->n; i++)
        if (ctx->fleet->doms[i]->hugepages || ctx->fleet->doms[i]->locked)
            pinned_memory = true;

    who = fleet_phrase(ctx->fleet);
    need = kvl_ru_size_str(total);
    have = kvl_ru_size_str(host_kib);
    reserve = kvl_ru_size_str(ctx->cfg->host_reserve_kib);
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
    return true;
}

/* Memory that is not hugepage-backed cannot use the hugepage pools
 * (RULES.md "Capacity"): it has the nodes' memory minus the pools.  Only
 * judged when the total fits, so that a fleet gets one finding. */
static void check_plain_memory(kvl_check_ctx *ctx, uint64_t host_kib)
{
    const kvl_domain *dom = ctx->dom;
    uint64_t outside = 0, limit, total;
    bool locked = false;
    char *who, *need, *cap, *have, *pools, *reserve;

    for (size_t i = 0; i < ctx->host->nnodes; i++)
        outside += kvl_host_node_capacity_kib(&ctx->host->nodes[i]);
    limit = minus_reserve(outside, ctx->cfg);
    if (!fleet_crosses_at(ctx->fleet, ctx->fleet->plain_memory_upto, ctx->index, (double)limit,
                          &total))
        return;
    for (size_t i = 0; i < ctx->fleet->n; i++)
        if (!ctx->fleet->doms[i]->hugepages && ctx->fleet->doms[i]->locked)
            locked = true;

    who = fleet_phrase(ctx->fleet);
    need = kvl_ru_size_str(total);
    cap = kvl_ru_size_str(limit);
    have = kvl_ru_size_str(host_kib);
    pools = kvl_ru_size_str(host_kib - outside);
    reserve = kvl_ru_size_str(ctx->cfg->host_reserve_kib);
    kvl_report_sev(ctx->sink, ctx->rule, locked ? KVL_SEV_ERROR : KVL_SEV_WARNING,
                   dom->memory_node ? dom->memory_node : dom->root, NULL,
                   "reduce VM memory, shrink the hugepage pools or move VMs to another host; "
                   "this domain takes the total past the limit",
                   "%s %s %s of memory without hugepages, more than the %s left outside the "
                   "hugepage pools (host %s minus %s in pools minus a %s reserve)%s",
                   who, ctx->fleet->n == 1 ? "needs" : "need", need, cap, have, pools, reserve,
                   locked ? "; locked memory cannot be reclaimed" : "");
    free(who);
    free(need);
    free(cap);
    free(have);
    free(pools);
    free(reserve);
}

void kvl_check_mem_overcommit(kvl_check_ctx *ctx)
{
    uint64_t host_kib;

    if (!kvl_need_host_memory(ctx))
        return;
    kvl_host_total_memory(ctx->host, &host_kib);
    if (!check_total_memory(ctx, host_kib))
        check_plain_memory(ctx, host_kib);
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
    kvl_place_propose(ctx);
    kvl_buf_free(&what);
    kvl_buf_free(&room);
    free(nodes);
    free(cap_s);
    free(need);
}

/*
 * The strict bindings of the whole fleet in fleet order, and for each the
 * memory that the bindings before it (earlier VMs, then this VM's earlier
 * bindings) take for sure from inside its nodes and pool.  Built once per
 * fleet (kvl_fleet_memo) so that the rule is linear in the fleet size, not
 * quadratic: each binding adds to a running total per (nodeset, page size),
 * and there are few distinct nodesets on a host.
 */
typedef struct strict_index {
    bindings all;
    size_t *first;                  /* doms[i]: all.v[first[i] .. first[i + 1]) */
    uint64_t *used;                 /* per binding of `all` */
} strict_index;

typedef struct strict_pool {
    hwloc_const_bitmap_t nodeset;
    uint64_t page_kib;
    uint64_t total;
} strict_pool;

static void strict_index_free(void *p)
{
    strict_index *x = p;

    if (!x)
        return;
    free(x->all.v);
    free(x->first);
    free(x->used);
    free(x);
}

static strict_index *strict_index_build(const kvl_fleet *fleet)
{
    strict_index *x = kvl_xcalloc(1, sizeof(*x));
    strict_pool *pools = NULL;
    size_t npools = 0, cap = 0;

    x->first = kvl_xcalloc(fleet->n + 1, sizeof(*x->first));
    for (size_t i = 0; i < fleet->n; i++) {
        x->first[i] = x->all.n;
        collect_bindings(fleet->doms[i], &x->all);
    }
    x->first[fleet->n] = x->all.n;
    x->used = kvl_xcalloc(x->all.n + 1, sizeof(*x->used));
    for (size_t p = 0; p < x->all.n; p++) {
        const binding *b = &x->all.v[p];
        size_t k, same = npools;

        /* Only memory that must come from inside these nodes, from the
         * same kind of pool, is taken from them for sure. */
        for (k = 0; k < npools; k++) {
            if (pools[k].page_kib != b->page_kib ||
                !hwloc_bitmap_isincluded(pools[k].nodeset, b->nodeset))
                continue;
            x->used[p] += pools[k].total;
            if (hwloc_bitmap_isequal(pools[k].nodeset, b->nodeset))
                same = k;
        }
        if (same == npools) {
            KVL_GROW(pools, npools, cap);
            pools[npools++] = (strict_pool){ b->nodeset, b->page_kib, 0 };
        }
        pools[same].total += b->kib;
    }
    free(pools);
    return x;
}

/* The fleet's index: memoised, or built for this call alone (*owned). */
static const strict_index *strict_index_of(const kvl_fleet *fleet, strict_index **owned)
{
    *owned = NULL;
    if (!fleet->memo)
        return *owned = strict_index_build(fleet);
    if (!fleet->memo->strict) {
        fleet->memo->strict = strict_index_build(fleet);
        fleet->memo->strict_free = strict_index_free;
    }
    return fleet->memo->strict;
}

/* "'vm1', 'vm2', guest cell 0": who binds the memory that binding `p`
 * finds taken.  Only built for a finding, so its cost is the message's. */
static void strict_users(const strict_index *x, size_t p, kvl_buf *users)
{
    const binding *b = &x->all.v[p];
    const kvl_domain *last = NULL;

    for (size_t k = 0; k < p; k++) {
        const binding *o = &x->all.v[k];

        if (o->page_kib != b->page_kib || !hwloc_bitmap_isincluded(o->nodeset, b->nodeset))
            continue;
        if (o->dom == b->dom) {
            /* Only a memnode of this VM can come before its own binding. */
            kvl_buf_addf(users, "%sguest cell %u", users->len ? ", " : "", o->cellid);
        } else if (o->dom != last) {
            /* a VM's bindings are consecutive: naming each run once names
             * each VM once */
            kvl_buf_addf(users, "%s'%s'", users->len ? ", " : "", dom_label(o->dom));
            last = o->dom;
        }
    }
}

void kvl_check_numa_strict_node_too_small(kvl_check_ctx *ctx)
{
    strict_index *owned;
    const strict_index *x;
    const char *why = NULL;

    if (ctx->index >= ctx->fleet->n || ctx->fleet->doms[ctx->index] != ctx->dom)
        return;
    x = strict_index_of(ctx->fleet, &owned);
    if (x->first[ctx->index] == x->first[ctx->index + 1])
        goto out;
    if (!kvl_need_host_memory(ctx))
        goto out;

    for (size_t p = x->first[ctx->index]; p < x->first[ctx->index + 1]; p++) {
        const binding *b = &x->all.v[p];
        uint64_t cap, used = x->used[p];

        /* Hugepage-backed bindings are mem-hugepage-unavailable's: it judges
         * the pools per bound node, and two errors for one cause help no one. */
        if (b->page_kib)
            continue;
        if (!nodes_capacity(ctx->host, b->nodeset, b->page_kib, &cap, &why))
            continue;
        if (b->kib > (cap > used ? cap - used : 0)) {
            kvl_buf users = KVL_BUF_INIT;

            strict_users(x, p, &users);
            report_too_small(ctx, b, cap, used, kvl_buf_str(&users));
            kvl_buf_free(&users);
        }
    }
    if (why)
        kvl_skip(ctx, why);
out:
    strict_index_free(owned);
}

/* ---- cpu-pin-shared ---- */

/* A vCPU pinned to one single host CPU, for sorting by (cpu, vCPU). */
typedef struct single_pin {
    int cpu;
    unsigned vcpu;
} single_pin;

static int single_pin_cmp(const void *a, const void *b)
{
    const single_pin *x = a, *y = b;

    if (x->cpu != y->cpu)
        return x->cpu < y->cpu ? -1 : 1;
    return x->vcpu < y->vcpu ? -1 : x->vcpu > y->vcpu;
}

/* A host CPU shared by vCPUs pins[start .. start + len) of one VM. */
typedef struct single_group {
    size_t start, len;
    unsigned second;                /* the vCPU that makes it shared */
} single_group;

static int single_group_cmp(const void *a, const void *b)
{
    unsigned x = ((const single_group *)a)->second, y = ((const single_group *)b)->second;

    return x < y ? -1 : x > y;
}

/*
 * Part (a): vCPUs of this VM pinned to the same single host CPU.  Sorting
 * by CPU groups them in n log n (a scan per CPU would be vCPUs x CPUs);
 * each group is reported where its second vCPU is pinned, in that order.
 */
static void shared_single_cpus(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    single_pin *pins;
    single_group *groups;
    size_t npins = 0, ngroups = 0;
    unsigned n;

    if (!kvl_ru_vcpus(dom, &n) || n == 0)
        return;
    pins = kvl_xcalloc(n, sizeof(*pins));
    for (unsigned v = 0; v < n; v++) {
        hwloc_const_bitmap_t pin = kvl_domain_vcpu_pin(dom, v, NULL);

        if (pin && hwloc_bitmap_weight(pin) == 1)
            pins[npins++] = (single_pin){ hwloc_bitmap_first(pin), v };
    }
    qsort(pins, npins, sizeof(*pins), single_pin_cmp);
    groups = kvl_xcalloc(npins / 2 + 1, sizeof(*groups));
    for (size_t i = 0, j; i < npins; i = j) {
        for (j = i + 1; j < npins && pins[j].cpu == pins[i].cpu; j++)
            ;
        if (j - i > 1)
            groups[ngroups++] = (single_group){ i, j - i, pins[i + 1].vcpu };
    }
    qsort(groups, ngroups, sizeof(*groups), single_group_cmp);
    for (size_t g = 0; g < ngroups; g++) {
        hwloc_bitmap_t group = hwloc_bitmap_alloc();
        const single_pin *first = &pins[groups[g].start];
        kvl_ref node = 0;
        char *who;

        for (size_t k = 0; k < groups[g].len; k++)
            hwloc_bitmap_set(group, first[k].vcpu);
        kvl_domain_vcpu_pin(dom, groups[g].second, &node);
        who = kvl_ru_set_phrase("vCPU", "vCPUs", group);
        kvl_report(ctx->sink, ctx->rule, node, "cpuset",
                   "pin each vCPU to its own host CPU",
                   "%s are pinned to the same single host CPU %d",
                   who, first->cpu);
        kvl_place_propose(ctx);
        free(who);
        hwloc_bitmap_free(group);
    }
    free(groups);
    free(pins);
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

/* A host CPU in an explicit pin set of fleet VM `dom`, for sorting. */
typedef struct cpu_user {
    int cpu;
    size_t dom;
} cpu_user;

static int cpu_user_cmp(const void *a, const void *b)
{
    const cpu_user *x = a, *y = b;

    if (x->cpu != y->cpu)
        return x->cpu < y->cpu ? -1 : 1;
    return x->dom < y->dom ? -1 : x->dom > y->dom;
}

/*
 * The pin sets of every fleet VM and, sorted by host CPU, which VMs pin
 * each CPU: built once per fleet (kvl_fleet_memo) so that a latency-critical
 * VM looks only at the VMs on its own CPUs instead of the whole fleet.
 */
typedef struct pin_index {
    size_t n;
    pin_sets *ps;                   /* per fleet VM */
    bool *critical;
    cpu_user *users;                /* sorted by CPU, then VM */
    size_t nusers;
    hwloc_bitmap_t wide;            /* VMs with unbounded sets: on every CPU */
} pin_index;

static void pin_index_free(void *p)
{
    pin_index *x = p;

    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        pin_sets_free(&x->ps[i]);
    free(x->ps);
    free(x->critical);
    free(x->users);
    hwloc_bitmap_free(x->wide);
    free(x);
}

static pin_index *pin_index_build(const kvl_fleet *fleet, const kvl_host *host)
{
    pin_index *x = kvl_xcalloc(1, sizeof(*x));
    hwloc_bitmap_t all = hwloc_bitmap_alloc();
    size_t cap = 0;

    x->n = fleet->n;
    x->ps = kvl_xcalloc(fleet->n + 1, sizeof(*x->ps));
    x->critical = kvl_xcalloc(fleet->n + 1, sizeof(*x->critical));
    x->wide = hwloc_bitmap_alloc();
    for (size_t j = 0; j < fleet->n; j++) {
        int cpu;

        pin_sets_of(fleet->doms[j], host, &x->ps[j]);
        x->critical[j] = kvl_domain_is_latency_critical(fleet->doms[j]);
        hwloc_bitmap_or(all, x->ps[j].vcpus, x->ps[j].others);
        if (hwloc_bitmap_weight(all) < 0) {
            hwloc_bitmap_set(x->wide, (unsigned)j);
            continue;
        }
        hwloc_bitmap_foreach_begin(cpu, all) {
            KVL_GROW(x->users, x->nusers, cap);
            x->users[x->nusers++] = (cpu_user){ cpu, j };
        } hwloc_bitmap_foreach_end();
    }
    if (x->nusers > 1)
        qsort(x->users, x->nusers, sizeof(*x->users), cpu_user_cmp);
    hwloc_bitmap_free(all);
    return x;
}

/* The fleet's index: memoised, or built for this call alone (*owned). */
static const pin_index *pin_index_of(const kvl_check_ctx *ctx, pin_index **owned)
{
    kvl_fleet_memo *memo = ctx->fleet->memo;

    *owned = NULL;
    if (!memo)
        return *owned = pin_index_build(ctx->fleet, ctx->host);
    if (!memo->pins) {
        memo->pins = pin_index_build(ctx->fleet, ctx->host);
        memo->pins_free = pin_index_free;
    }
    return memo->pins;
}

/* Into `out`, the fleet VMs with an explicit pin set on a CPU of `cpus`. */
static void vms_on(const pin_index *x, hwloc_const_bitmap_t cpus, hwloc_bitmap_t out)
{
    int cpu;

    hwloc_bitmap_copy(out, x->wide);
    if (hwloc_bitmap_weight(cpus) < 0) {
        hwloc_bitmap_set_range(out, 0, (int)x->n - 1);
        return;
    }
    hwloc_bitmap_foreach_begin(cpu, cpus) {
        size_t lo = 0, hi = x->nusers;

        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (x->users[mid].cpu < cpu)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < x->nusers && x->users[lo].cpu == cpu; lo++)
            hwloc_bitmap_set(out, (unsigned)x->users[lo].dom);
    } hwloc_bitmap_foreach_end();
}

/* Other VMs that share the same set of this VM's vCPU CPUs: one finding
 * each, naming at most PIN_NAMED of them. */
enum { PIN_NAMED = 3 };

typedef struct pin_group {
    hwloc_bitmap_t shared;
    size_t count;
    size_t named[PIN_NAMED];
} pin_group;

/* "'vm7' (emulator), 'vm8' (vCPU 2) and 41 more" */
static char *group_users(const kvl_check_ctx *ctx, const pin_group *g)
{
    kvl_buf b = KVL_BUF_INIT;
    size_t shown = g->count <= PIN_NAMED ? g->count : PIN_NAMED - 1;

    for (size_t k = 0; k < shown; k++) {
        const kvl_domain *other = ctx->fleet->doms[g->named[k]];
        char *theirs = users_of(other, ctx->host, g->shared);

        kvl_buf_addf(&b, "%s'%s' (%s)",
                     k == 0 ? "" : k + 1 == shown && shown == g->count ? " and " : ", ",
                     dom_label(other), theirs);
        free(theirs);
    }
    if (shown < g->count)
        kvl_buf_addf(&b, " and %zu more", g->count - shown);
    return kvl_buf_detach(&b);
}

static void report_group(kvl_check_ctx *ctx, const pin_group *g)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t vcpus = hwloc_bitmap_alloc();
    kvl_ref where = 0;
    char *cpus, *who, *theirs;
    unsigned n;

    if (!kvl_ru_vcpus(dom, &n))
        n = 0;
    for (unsigned v = 0; v < n; v++) {
        kvl_ref node = 0;
        hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, ctx->host, v, &node);

        if (pin && hwloc_bitmap_intersects(pin, g->shared)) {
            hwloc_bitmap_set(vcpus, v);
            if (!where)
                where = node;
        }
    }
    cpus = kvl_ru_set_phrase("host CPU", "host CPUs", g->shared);
    who = kvl_ru_set_phrase("vCPU", "vCPUs", vcpus);
    theirs = group_users(ctx, g);
    kvl_report(ctx->sink, ctx->rule, where, "cpuset",
               "give the latency-critical VM CPUs that no other VM is pinned to",
               "%s of latency-critical %s %s also pinned by %s",
               cpus, who, hwloc_bitmap_weight(g->shared) == 1 ? "is" : "are", theirs);
    kvl_place_propose(ctx);
    free(cpus);
    free(who);
    free(theirs);
    hwloc_bitmap_free(vcpus);
}

/* Part (b): a latency-critical VM's vCPU CPUs used by another fleet VM. */
static void shared_with_fleet(kvl_check_ctx *ctx)
{
    pin_index *owned;
    const pin_index *x;
    hwloc_const_bitmap_t mine;
    hwloc_bitmap_t near, shared;
    pin_group *groups = NULL;
    size_t ngroups = 0, cap = 0;
    int j;

    if (ctx->index >= ctx->fleet->n || ctx->fleet->doms[ctx->index] != ctx->dom)
        return;
    x = pin_index_of(ctx, &owned);
    mine = x->ps[ctx->index].vcpus;
    if (hwloc_bitmap_iszero(mine)) {
        pin_index_free(owned);
        return;
    }
    near = hwloc_bitmap_alloc();
    shared = hwloc_bitmap_alloc();
    vms_on(x, mine, near);
    hwloc_bitmap_foreach_begin(j, near) {
        const pin_sets *ps = &x->ps[j];
        size_t g;

        if ((size_t)j == ctx->index || ctx->fleet->doms[j] == ctx->dom)
            continue;
        hwloc_bitmap_or(shared, ps->vcpus, ps->others);
        hwloc_bitmap_and(shared, shared, mine);
        /* Two latency-critical VMs on the same vCPU CPUs: the earlier one
         * reports that overlap; only what else they share is left here. */
        if ((size_t)j < ctx->index && x->critical[j])
            hwloc_bitmap_andnot(shared, shared, ps->vcpus);
        if (hwloc_bitmap_iszero(shared))
            continue;
        for (g = 0; g < ngroups && !hwloc_bitmap_isequal(groups[g].shared, shared); g++)
            ;
        if (g == ngroups) {
            KVL_GROW(groups, ngroups, cap);
            groups[ngroups++] = (pin_group){ hwloc_bitmap_dup(shared), 0, { 0 } };
        }
        if (groups[g].count < PIN_NAMED)
            groups[g].named[groups[g].count] = (size_t)j;
        groups[g].count++;
    } hwloc_bitmap_foreach_end();

    for (size_t g = 0; g < ngroups; g++) {
        report_group(ctx, &groups[g]);
        hwloc_bitmap_free(groups[g].shared);
    }
    free(groups);
    hwloc_bitmap_free(near);
    hwloc_bitmap_free(shared);
    pin_index_free(owned);
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
