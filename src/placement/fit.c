/*
 * Which host node(s) take a VM (plan.h), and the fleet loop.  Single-node
 * fit first: the candidate nodes are those with enough free CPUs under the
 * thread policy (one more when the emulator is isolated) and enough free
 * memory, or free pages of the VM's size; the nodes holding its
 * passthrough devices come first, then --strategy orders the rest.  Only
 * when no node fits does a wide plan spread the guest over the fewest
 * nodes, closest first (smallest sum of host distances), whole guest cores
 * per cell and memory split in page units.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "placement/plan.h"
#include "rules/rule_util.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

void kvl_plan_clear(kvl_plan *plan)
{
    if (!plan)
        return;
    free(plan->why);
    free(plan->cells);
    free(plan->vcpu_cpu);
    hwloc_bitmap_free(plan->emulator);
    hwloc_bitmap_free(plan->nodes);
    memset(plan, 0, sizeof(*plan));
}

static void *memdup(const void *p, size_t n)
{
    void *q = kvl_xcalloc(1, n);

    memcpy(q, p, n);
    return q;
}

static hwloc_bitmap_t dup_set(hwloc_const_bitmap_t s)
{
    return s ? hwloc_bitmap_dup(s) : NULL;
}

void kvl_plan_copy(kvl_plan *dst, const kvl_plan *src)
{
    *dst = *src;
    dst->why = src->why ? kvl_xstrdup(src->why) : NULL;
    dst->cells = src->ncells ? memdup(src->cells, src->ncells * sizeof(*src->cells))
                             : NULL;
    dst->vcpu_cpu = src->vcpu_cpu && src->nvcpus
                  ? memdup(src->vcpu_cpu, src->nvcpus * sizeof(*src->vcpu_cpu)) : NULL;
    dst->emulator = dup_set(src->emulator);
    dst->nodes = dup_set(src->nodes);
}

static uint64_t unit_kib(const kvl_place_req *req)
{
    return req->page_kib ? req->page_kib : 4;
}

/* Memory of `req` the node can still give, in KiB. */
static uint64_t mem_room(kvl_occ_node *on, const kvl_place_req *req)
{
    return req->page_kib ? kvl_occ_pages_free(on, req->page_kib) * req->page_kib
                         : on->mem_free_kib;
}

static bool mem_fits(kvl_occ_node *on, const kvl_place_req *req, uint64_t kib)
{
    if (req->page_kib)
        return kvl_mem_pages_ceil(kib, req->page_kib) <= kvl_occ_pages_free(on, req->page_kib);
    return kib <= on->mem_free_kib;
}

static void take_mem(kvl_occ_node *on, const kvl_place_req *req, uint64_t kib)
{
    if (req->page_kib)
        kvl_occ_take_pages(on, req->page_kib, kvl_mem_pages_ceil(kib, req->page_kib));
    else
        on->mem_free_kib -= kib;
}

typedef struct cand_ctx {
    const kvl_place_req *req;
    const kvl_place_opts *o;
} cand_ctx;

/* Candidate order: device nodes, then the strategy, then the node id. */
static int cand_cmp(kvl_occ_node *a, kvl_occ_node *b, const cand_ctx *c)
{
    bool da = hwloc_bitmap_isset(c->req->dev_nodes, a->hn->id);
    bool db = hwloc_bitmap_isset(c->req->dev_nodes, b->hn->id);
    uint64_t ma = mem_room(a, c->req), mb = mem_room(b, c->req);
    int ca = hwloc_bitmap_weight(a->free), cb = hwloc_bitmap_weight(b->free);

    if (da != db)
        return da ? -1 : 1;
    if (c->o->strategy == KVL_PLACE_PACK) {
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ma != mb)
            return ma < mb ? -1 : 1;
    } else {
        if (ma != mb)
            return ma > mb ? -1 : 1;
        if (ca != cb)
            return ca > cb ? -1 : 1;
    }
    return a->hn->id < b->hn->id ? -1 : a->hn->id > b->hn->id;
}

/* The nodes of `occ` in candidate order (insertion sort: few nodes, stable). */
static kvl_occ_node **candidates(kvl_occupancy *occ, const cand_ctx *c)
{
    kvl_occ_node **v = kvl_xcalloc(occ->nnodes, sizeof(*v));

    for (size_t i = 0; i < occ->nnodes; i++) {
        size_t k = i;

        while (k > 0 && cand_cmp(&occ->nodes[i], v[k - 1], c) < 0) {
            v[k] = v[k - 1];
            k--;
        }
        v[k] = &occ->nodes[i];
    }
    return v;
}

static void plan_alloc(kvl_plan *plan, const kvl_place_req *req, size_t ncells)
{
    plan->nvcpus = req->vcpus;
    plan->vcpu_cpu = kvl_xcalloc(req->vcpus, sizeof(unsigned));
    plan->emulator = hwloc_bitmap_alloc();
    plan->nodes = hwloc_bitmap_alloc();
    plan->cells = kvl_xcalloc(ncells, sizeof(*plan->cells));
    plan->ncells = ncells;
    plan->page_kib = req->page_kib;
}

/* Whether `on` takes the vCPUs with the emulator off them (a dry run). */
static bool emulator_apart(kvl_occupancy *occ, kvl_occ_node *on, const kvl_place_req *req,
                           const kvl_place_opts *o, kvl_plan *plan)
{
    bool ov = false;

    return kvl_place_cpus(occ, on, 0, req->vcpus, req->threads, o, false, plan->vcpu_cpu,
                          plan->emulator, &ov) && !ov;
}

static bool is_dev_node(const kvl_place_req *req, const kvl_occ_node *on)
{
    return req->dev_nodes && hwloc_bitmap_isset(req->dev_nodes, on->hn->id);
}

/*
 * The first candidate that takes the whole VM.  Within the device nodes,
 * then within the others, a first pass wants room for the emulator off the
 * vCPUs too: an emulator on the VM's own CPUs is what
 * cpu-emulatorpin-overlap reports, so that fallback of --emulator-policy
 * share is kept for when no node of the class has the spare CPU (a device
 * node with the overlap still beats a remote node without it).
 */
static bool fit_one(kvl_occupancy *occ, kvl_occ_node *const *cand, const kvl_place_req *req,
                    const kvl_place_opts *o, kvl_plan *plan)
{
    for (size_t k = 0; k < 4 * occ->nnodes; k++) {
        kvl_occ_node *on = cand[k % occ->nnodes];
        bool dev_class = k < 2 * occ->nnodes, apart = (k / occ->nnodes) % 2 == 0;
        kvl_plan_cell *cell = &plan->cells[0];

        if (is_dev_node(req, on) != dev_class || !mem_fits(on, req, req->memory_kib) ||
            (apart && !emulator_apart(occ, on, req, o, plan)) ||
            !kvl_place_cpus(occ, on, 0, req->vcpus, req->threads, o, true, plan->vcpu_cpu,
                            plan->emulator, &plan->emulator_overlaps))
            continue;
        take_mem(on, req, req->memory_kib);
        cell->node = on->hn->id;
        cell->nvcpus = req->vcpus;
        cell->memory_kib = req->memory_kib;
        cell->pages = req->page_kib ? kvl_mem_pages_ceil(req->memory_kib, req->page_kib) : 0;
        hwloc_bitmap_set(plan->nodes, on->hn->id);
        return true;
    }
    return false;
}

/* ---- Wider than a node ---- */

static unsigned distance(const kvl_host *host, unsigned a, unsigned b)
{
    unsigned d;

    if (kvl_host_distance(host, a, b, &d))
        return d;
    return a == b ? 10 : 20;    /* unknown: every remote node alike */
}

/* Split `req` over the nodes `set` (k of them, in `set` order): whole guest
 * cores per cell, memory in proportion to the vCPUs, in page units. */
static void split(const kvl_place_req *req, kvl_occ_node *const *set, size_t k,
                  kvl_plan_cell *cells)
{
    unsigned cores = req->vcpus / req->threads, first = 0;
    uint64_t unit = unit_kib(req), units = req->memory_kib / unit, given = 0;

    for (size_t i = 0; i < k; i++) {
        unsigned c = cores / (unsigned)k + (i < cores % k);

        cells[i].node = set[i]->hn->id;
        cells[i].vcpu_first = first;
        cells[i].nvcpus = c * req->threads;
        first += cells[i].nvcpus;
        cells[i].memory_kib = i + 1 < k ? units * cells[i].nvcpus / req->vcpus * unit
                                        : req->memory_kib - given;
        given += cells[i].memory_kib;
        cells[i].pages = req->page_kib ? kvl_mem_pages_ceil(cells[i].memory_kib, req->page_kib) : 0;
    }
}

/* The cell whose node has a CPU for the emulator off the vCPUs (a dry
 * run per cell: the cells' nodes differ), else cell 0. */
static size_t emulator_cell(kvl_occupancy *occ, const kvl_place_req *req,
                            const kvl_place_opts *o, kvl_occ_node *const *set, kvl_plan *plan)
{
    for (size_t i = 0; i < plan->ncells; i++) {
        const kvl_plan_cell *c = &plan->cells[i];
        bool ov = false;

        if (c->nvcpus && kvl_place_cpus(occ, set[i], c->vcpu_first, c->nvcpus, req->threads, o,
                                        false, plan->vcpu_cpu, plan->emulator, &ov) && !ov)
            return i;
    }
    return 0;
}

/* Can the nodes take the cells?  Commits when `commit`. */
static bool cells_fit(kvl_occupancy *occ, const kvl_place_req *req, const kvl_place_opts *o,
                      kvl_occ_node *const *set, kvl_plan *plan, bool commit)
{
    size_t e = emulator_cell(occ, req, o, set, plan);

    for (size_t i = 0; i < plan->ncells; i++) {
        kvl_plan_cell *c = &plan->cells[i];

        if (!c->nvcpus || !mem_fits(set[i], req, c->memory_kib) ||
            !kvl_place_cpus(occ, set[i], c->vcpu_first, c->nvcpus, req->threads, o, commit,
                            plan->vcpu_cpu, i == e ? plan->emulator : NULL,
                            i == e ? &plan->emulator_overlaps : NULL))
            return false;
        if (commit) {
            take_mem(set[i], req, c->memory_kib);
            hwloc_bitmap_set(plan->nodes, c->node);
        }
    }
    return true;
}

static bool fit_wide(kvl_occupancy *occ, kvl_occ_node *const *cand, const kvl_place_req *req,
                     const kvl_place_opts *o, bool commit, kvl_plan *plan)
{
    size_t n = occ->nnodes;
    kvl_occ_node **set = kvl_xcalloc(n, sizeof(*set)), **best = kvl_xcalloc(n, sizeof(*best));
    bool found = false;

    for (size_t k = 2; k <= n && !found && k <= req->vcpus / req->threads; k++) {
        unsigned best_cost = 0;

        plan->ncells = k;
        for (size_t s = 0; s < n; s++) {
            unsigned cost = 0;
            size_t m = 1;

            set[0] = cand[s];
            /* the k-1 nodes closest to the start, candidate order on ties */
            while (m < k) {
                kvl_occ_node *next = NULL;
                unsigned nd = 0;

                for (size_t j = 0; j < n; j++) {
                    bool used = false;

                    for (size_t u = 0; u < m; u++)
                        used |= set[u] == cand[j];
                    if (used)
                        continue;
                    unsigned d = distance(occ->host, set[0]->hn->id, cand[j]->hn->id);
                    if (!next || d < nd) {
                        next = cand[j];
                        nd = d;
                    }
                }
                set[m++] = next;
            }
            for (size_t a = 0; a < k; a++)
                for (size_t b = a + 1; b < k; b++)
                    cost += distance(occ->host, set[a]->hn->id, set[b]->hn->id);
            split(req, set, k, plan->cells);
            if ((found && cost >= best_cost) || !cells_fit(occ, req, o, set, plan, false))
                continue;
            found = true;
            best_cost = cost;
            memcpy(best, set, k * sizeof(*set));
        }
    }
    if (found) {
        split(req, best, plan->ncells, plan->cells);
        if (commit)
            cells_fit(occ, req, o, best, plan, true);
        else
            for (size_t i = 0; i < plan->ncells; i++)
                hwloc_bitmap_set(plan->nodes, plan->cells[i].node);
    }
    free(set);
    free(best);
    return found;
}

/*
 * What is short, node by node, against what the VM needs there alone:
 * "no host node has room for it, nor do several together (node 0: 3 free
 * CPUs of 5 needed, 10 GiB of free memory of 16 GiB; node 1: ...)".
 * CPUs count as the thread policy does (whole cores under isolate, one
 * more for an isolated emulator).
 */
static char *shortage(kvl_occupancy *occ, const kvl_place_req *req, const kvl_place_opts *o)
{
    kvl_buf b = KVL_BUF_INIT;
    bool isolate = o->threads == KVL_THREADS_ISOLATE, any_smt = false;
    unsigned need = req->vcpus + (o->emulator == KVL_EMULATOR_ISOLATE);
    /* free whole cores, counted once per node and only for the policies
     * that ask: grouping a node's CPUs into cores is the costly part, and
     * most VMs of a crowded fleet end up here */
    bool count = isolate || o->threads == KVL_THREADS_REQUIRE;
    unsigned *cores = kvl_xcalloc(occ->nnodes ? occ->nnodes : 1, sizeof(*cores));
    char *want, *page = NULL;

    for (size_t i = 0; count && i < occ->nnodes; i++) {
        bool smt = false;

        cores[i] = kvl_place_free_cores(occ, &occ->nodes[i], &smt);
        any_smt |= smt;
    }
    if (o->threads == KVL_THREADS_REQUIRE && !any_smt) {
        free(cores);
        return kvl_xstrdup("the host has no SMT sibling threads and --thread-policy is require");
    }
    want = kvl_ru_size_str(req->memory_kib);
    if (req->page_kib)
        page = kvl_ru_size_str(req->page_kib);
    kvl_buf_adds(&b, "no host node has room for it, nor do several together (");
    for (size_t i = 0; i < occ->nnodes; i++) {
        kvl_occ_node *on = &occ->nodes[i];
        unsigned cpus = isolate ? cores[i] : (unsigned)hwloc_bitmap_weight(on->free);
        char *have = kvl_ru_size_str(mem_room(on, req));

        kvl_buf_addf(&b, "%snode %u: %u free %s of %u needed, %s of free %s%s of %s",
                     i ? "; " : "", on->hn->id, cpus,
                     isolate ? (cpus == 1 ? "whole core" : "whole cores")
                             : (cpus == 1 ? "CPU" : "CPUs"),
                     need, have, page ? page : "memory", page ? " pages" : "", want);
        free(have);
    }
    kvl_buf_adds(&b, ")");
    free(want);
    free(page);
    free(cores);
    return kvl_buf_detach(&b);
}

/*
 * Whether no set of nodes can take `req`, single or wide: every vCPU needs
 * a free CPU and every cell memory of its node, so the whole VM needs at
 * least that much summed over all nodes.  Once a crowded fleet has used
 * the host up, this spares each remaining VM the candidate sort and the
 * dry runs that would fail anyway; the outcome is the same.
 */
static bool beyond_host(kvl_occupancy *occ, const kvl_place_req *req)
{
    uint64_t cpus = 0, kib = 0;

    for (size_t i = 0; i < occ->nnodes; i++) {
        cpus += (unsigned)hwloc_bitmap_weight(occ->nodes[i].free);
        kib += mem_room(&occ->nodes[i], req);
    }
    return cpus < req->vcpus || kib < req->memory_kib;
}

void kvl_place_fit(kvl_occupancy *occ, const kvl_place_req *req, const kvl_place_opts *o,
                   bool wide, kvl_plan *plan)
{
    cand_ctx c = { req, o };
    kvl_occ_node **cand;

    memset(plan, 0, sizeof(*plan));
    plan_alloc(plan, req, occ->nnodes > 1 ? occ->nnodes : 1);
    if (beyond_host(occ, req)) {
        plan->ncells = 0;
        plan->why = shortage(occ, req, o);
        return;
    }
    cand = candidates(occ, &c);
    plan->ncells = 1;
    if (fit_one(occ, cand, req, o, plan)) {
        plan->ok = true;
    } else if (fit_wide(occ, cand, req, o, wide, plan)) {
        if (wide) {
            plan->ok = true;
        } else {
            char *nodes = kvl_ru_node_phrase("host node", "host nodes", plan->nodes);

            plan->why = kvl_xasprintf("no single host node has room for it; with --unsafe-fixes "
                                      "it gets %zu guest NUMA cells on %s",
                                      plan->ncells, nodes);
            free(nodes);
        }
    } else {
        plan->ncells = 0;
        plan->why = shortage(occ, req, o);
    }
    free(cand);
}
