/*
 * Fleets (plan.h): which VMs are already well placed (they are occupancy
 * and stay where they are) and the greedy loop that places the others in
 * fleet order.  Every VM's plan is computed from the same start, so the
 * plans of one fleet agree with each other whichever VM asks first: that
 * is what lets each file's fix be proposed on its own and still leave no
 * CPU to two VMs.
 */
#include <stdlib.h>
#include <string.h>

#include "placement/plan.h"
#include "rules/rule_util.h"
#include "util/mem.h"

#include "util/banned.h"

/* The host nodes of the vCPUs `first..first+n` when they all lie on one; -1
 * otherwise or when one floats.  Also collects their nodes into `all`. */
static int one_node(const kvl_domain *dom, const kvl_host *host, unsigned first, unsigned n,
                    hwloc_bitmap_t all, hwloc_bitmap_t singles, bool *dup)
{
    hwloc_bitmap_t nodes = hwloc_bitmap_alloc();
    int node = -1;
    bool ok = true;

    for (unsigned v = first; v < first + n && ok; v++) {
        hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, host, v, NULL);

        if (!pin || !hwloc_bitmap_isincluded(pin, host->all_cpus)) {
            ok = false;
            break;
        }
        if (hwloc_bitmap_weight(pin) == 1) {
            if (hwloc_bitmap_isset(singles, (unsigned)hwloc_bitmap_first(pin)))
                *dup = true;
            hwloc_bitmap_or(singles, singles, pin);
        }
        kvl_host_nodes_of_cpus(host, pin, nodes);
    }
    if (ok && hwloc_bitmap_weight(nodes) == 1)
        node = hwloc_bitmap_first(nodes);
    hwloc_bitmap_or(all, all, nodes);
    hwloc_bitmap_free(nodes);
    return node;
}

static bool pinned_off_host(hwloc_const_bitmap_t set, const kvl_host *host)
{
    return set && !kvl_ru_covers_host(host, set) && hwloc_bitmap_isincluded(set, host->all_cpus);
}

bool kvl_place_is_placed(const kvl_domain *dom, const kvl_host *host)
{
    hwloc_bitmap_t nodes, singles;
    bool ok = true, dup = false;
    unsigned n;

    if (!kvl_domain_is_kvm_scope(dom) || kvl_ru_numa_auto(dom))
        return true;        /* not ours to place: numad, or not KVM */
    if (!kvl_ru_vcpus(dom, &n) || !n)
        return true;
    nodes = hwloc_bitmap_alloc();
    singles = hwloc_bitmap_alloc();
    if (dom->ncells) {
        for (size_t i = 0; i < dom->ncells && ok; i++) {
            const kvl_cell *c = &dom->cells[i];
            unsigned v;

            if (!c->cpus)
                continue;
            hwloc_bitmap_foreach_begin(v, c->cpus) {
                if (v < n && one_node(dom, host, v, 1, nodes, singles, &dup) < 0)
                    ok = false;
            } hwloc_bitmap_foreach_end();
            /* one node per cell */
            hwloc_bitmap_t cn = kvl_ru_vcpu_pin_union(dom, host, c->cpus, NULL);
            hwloc_bitmap_t cnodes = kvl_ru_nodes_of(host, cn);
            if (hwloc_bitmap_weight(cnodes) > 1)
                ok = false;
            hwloc_bitmap_free(cn);
            hwloc_bitmap_free(cnodes);
        }
        if (ok && one_node(dom, host, 0, n, nodes, singles, &dup) < 0 &&
            hwloc_bitmap_iszero(nodes))
            ok = false;
    } else if (one_node(dom, host, 0, n, nodes, singles, &dup) < 0) {
        ok = false;
    }
    ok = ok && !dup && pinned_off_host(kvl_domain_emulator_pin(dom, NULL), host);
    for (size_t i = 0; ok && i < dom->niothread_ids; i++)
        ok = pinned_off_host(kvl_domain_iothread_pin(dom, dom->iothread_ids[i], NULL), host);
    ok = ok && dom->numa_memory_node && kvl_ru_mode_strict(dom->numa_mode) &&
         dom->numa_nodeset && hwloc_bitmap_isincluded(dom->numa_nodeset, nodes);
    hwloc_bitmap_free(nodes);
    hwloc_bitmap_free(singles);
    return ok;
}

/*
 * The requests that failed since the occupancy last changed, with their
 * plans.  A failed fit takes nothing out of the occupancy, and the fit is a
 * function of occupancy, request and options alone, so the next VM asking
 * for the same gets the same plan: in a crowded fleet most VMs fail, many
 * with the same few requests, and each failure costs a what-is-short text.
 */
typedef struct failed_fit {
    kvl_place_req req;
    kvl_plan plan;
} failed_fit;

typedef struct fit_memo {
    failed_fit *v;
    size_t n, cap;
} fit_memo;

static void fit_memo_clear(fit_memo *m)
{
    for (size_t i = 0; i < m->n; i++) {
        kvl_place_req_clear(&m->v[i].req);
        kvl_plan_clear(&m->v[i].plan);
    }
    m->n = 0;
}

static bool same_req(const kvl_place_req *a, const kvl_place_req *b)
{
    return a->vcpus == b->vcpus && a->threads == b->threads &&
           a->memory_kib == b->memory_kib && a->page_kib == b->page_kib &&
           a->has_iothreads == b->has_iothreads &&
           (a->dev_nodes && b->dev_nodes ? hwloc_bitmap_isequal(a->dev_nodes, b->dev_nodes)
                                         : a->dev_nodes == b->dev_nodes);
}

/* kvl_place_fit through `memo` (NULL: none). */
static void fit(kvl_occupancy *occ, kvl_place_req *req, const kvl_place_opts *o, bool wide,
                fit_memo *memo, kvl_plan *plan)
{
    failed_fit *f;

    for (size_t i = 0; memo && i < memo->n; i++)
        if (same_req(&memo->v[i].req, req)) {
            kvl_plan_copy(plan, &memo->v[i].plan);
            kvl_place_req_clear(req);
            return;
        }
    kvl_place_fit(occ, req, o, wide, plan);
    if (!memo) {
        kvl_place_req_clear(req);
    } else if (plan->ok) {
        fit_memo_clear(memo);       /* the occupancy changed */
        kvl_place_req_clear(req);
    } else {
        KVL_GROW(memo->v, memo->n, memo->cap);
        f = &memo->v[memo->n++];
        f->req = *req;              /* takes over its dev_nodes */
        kvl_plan_copy(&f->plan, plan);
    }
}

/* Place one VM into `plan`; plan->why says why not. */
static void place_one(kvl_occupancy *occ, const kvl_domain *dom, const kvl_place_opts *o,
                      bool wide, fit_memo *memo, kvl_plan *plan)
{
    kvl_place_req req;
    const char *why = NULL;

    memset(plan, 0, sizeof(*plan));
    if (!kvl_place_req_init(&req, dom, occ->host, &why)) {
        plan->why = kvl_xstrdup(why);
        return;
    }
    fit(occ, &req, o, wide, memo, plan);
}

struct kvl_place_run {
    const kvl_host *host;
    const kvl_domain *const *doms;
    size_t n;
    kvl_place_opts opts;
    hwloc_bitmap_t reserved;    /* the copy opts.reserved points to */
    bool wide;
    bool *kept;                 /* not to be moved: occupancy */
    kvl_plan *plans;            /* for the others, placed in fleet order */
    kvl_occupancy *occ;         /* NULL: the host has no usable nodes */
};

/* The vCPU CPUs of `dom` clash with `taken` (earlier kept VMs'); adds its own. */
static bool clashes(const kvl_domain *dom, const kvl_host *host, hwloc_bitmap_t taken)
{
    hwloc_bitmap_t mine = hwloc_bitmap_alloc();
    unsigned n;
    bool clash;

    if (kvl_ru_vcpus(dom, &n))
        for (unsigned v = 0; v < n; v++) {
            hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, host, v, NULL);

            if (pin && !kvl_ru_covers_host(host, pin))
                hwloc_bitmap_or(mine, mine, pin);
        }
    clash = hwloc_bitmap_intersects(mine, taken);
    if (!clash)
        hwloc_bitmap_or(taken, taken, mine);
    hwloc_bitmap_free(mine);
    return clash;
}

kvl_place_run *kvl_place_run_new(const kvl_host *host, const kvl_domain *const *doms, size_t n,
                                 const bool *movable, const kvl_place_opts *o, bool wide)
{
    kvl_place_run *r = kvl_xcalloc(1, sizeof(*r));
    hwloc_bitmap_t taken = hwloc_bitmap_alloc();
    fit_memo memo = { 0 };

    r->host = host;
    r->doms = doms;
    r->n = n;
    r->opts = *o;
    r->reserved = o->reserved ? hwloc_bitmap_dup(o->reserved) : NULL;
    r->opts.reserved = r->reserved;
    r->wide = wide;
    r->kept = kvl_xcalloc(n + 1, sizeof(*r->kept));
    r->plans = kvl_xcalloc(n + 1, sizeof(*r->plans));
    r->occ = kvl_occ_new(host, o->reserved);
    for (size_t i = 0; i < n; i++)
        r->kept[i] = movable ? !movable[i]
                             : kvl_place_is_placed(doms[i], host) && !clashes(doms[i], host, taken);
    hwloc_bitmap_free(taken);
    if (!r->occ)
        return r;
    for (size_t i = 0; i < n; i++)
        if (r->kept[i])
            kvl_occ_add_domain(r->occ, doms[i]);
    for (size_t i = 0; i < n; i++)
        if (!r->kept[i])
            place_one(r->occ, doms[i], &r->opts, wide, &memo, &r->plans[i]);
    fit_memo_clear(&memo);
    free(memo.v);
    return r;
}

void kvl_place_run_free(kvl_place_run *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        kvl_plan_clear(&r->plans[i]);
    free(r->plans);
    free(r->kept);
    kvl_occ_free(r->occ);
    hwloc_bitmap_free(r->reserved);
    free(r);
}

bool kvl_place_run_matches(const kvl_place_run *r, const kvl_domain *const *doms, size_t n,
                           const kvl_place_opts *o, bool wide)
{
    return r->doms == doms && r->n == n && r->wide == wide && r->opts.strategy == o->strategy &&
           r->opts.threads == o->threads && r->opts.emulator == o->emulator &&
           (r->reserved == NULL) == (o->reserved == NULL) &&
           (!r->reserved || hwloc_bitmap_isequal(r->reserved, o->reserved));
}

const kvl_occupancy *kvl_place_run_occupancy(const kvl_place_run *r)
{
    return r->occ;
}

/*
 * A kept VM that a rule still wants moved (its CPUs are shared with
 * another VM, its device is on another node, ...) goes where nothing of
 * the pass lands: every other kept VM and every plan of the pass are
 * occupancy, so its new CPUs clash with no one's.
 */
static void replace_kept(const kvl_place_run *r, size_t target, kvl_plan *plan)
{
    kvl_occupancy *occ = kvl_occ_new(r->host, r->opts.reserved);

    for (size_t i = 0; i < r->n; i++) {
        if (i == target)
            continue;
        if (r->kept[i])
            kvl_occ_add_domain(occ, r->doms[i]);
        else if (r->plans[i].ok)
            kvl_occ_take_plan(occ, &r->plans[i]);
    }
    place_one(occ, r->doms[target], &r->opts, r->wide, NULL, plan);
    kvl_occ_free(occ);
}

void kvl_place_run_plan(const kvl_place_run *r, size_t target, kvl_plan *plan)
{
    memset(plan, 0, sizeof(*plan));
    if (!r->occ)
        plan->why = kvl_xstrdup("the host snapshot lacks NUMA nodes with memory");
    else if (r->kept[target])
        replace_kept(r, target, plan);
    else
        kvl_plan_copy(plan, &r->plans[target]);
}

void kvl_place_fleet(const kvl_host *host, const kvl_domain *const *doms, size_t n,
                     size_t target, const kvl_place_opts *o, bool wide, kvl_plan *plan)
{
    kvl_place_run *r = kvl_place_run_new(host, doms, n, NULL, o, wide);

    kvl_place_run_plan(r, target, plan);
    kvl_place_run_free(r);
}
