/*
 * The NUMA placement allocator (DESIGN.md principle 6): given the host model
 * and the other VMs of the fleet, choose for one VM a host node (or, when
 * none is big enough, the fewest closest nodes), a host CPU for every vCPU,
 * CPUs for the emulator and IOThreads, and where its memory and hugepages
 * come from.  The module is pure: it reads domain and host models and
 * returns a kvl_plan; it never sees XML.  Turning a plan into edits is
 * write.c's business (placement/write.h), the host map explain.c's.
 *
 * Three steps, one file each:
 *   occupancy.c  what the host has left once the fleet's placed VMs,
 *                reserved CPUs, strict memory bindings and hugepage
 *                demand are taken out;
 *   fit.c        which node(s) take the VM (single-node fit first, device
 *                nodes first, then --strategy);
 *   cpus.c       which CPUs inside a node (--thread-policy, SMT siblings)
 *                and which for the emulator (--emulator-policy).
 * Everything is deterministic: ties break on the lowest node id, core and
 * CPU number, and VMs are placed in fleet (path) order.
 *
 * Ownership: hosts, domains and options are borrowed; kvl_occupancy and
 * kvl_plan own their contents (kvl_occ_free, kvl_plan_clear; both accept
 * NULL / zeroed structs).
 */
#ifndef KVL_PLACEMENT_PLAN_H
#define KVL_PLACEMENT_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <hwloc.h>

#include "model/domain.h"
#include "model/host.h"

typedef enum kvl_place_strategy {
    KVL_PLACE_SPREAD = 0,       /* most free memory, then most free CPUs */
    KVL_PLACE_PACK,             /* fewest free CPUs, then least free memory */
} kvl_place_strategy;

typedef enum kvl_thread_policy {
    KVL_THREADS_PREFER = 0,     /* guest SMT threads on sibling threads of a host core */
    KVL_THREADS_ISOLATE,        /* each vCPU a whole host core, siblings left idle */
    KVL_THREADS_REQUIRE,        /* like prefer, and refuse hosts without SMT */
} kvl_thread_policy;

typedef enum kvl_emulator_policy {
    KVL_EMULATOR_SHARE = 0,     /* a reserved CPU of the node, else one shared with
                                   other VMs' emulators, else a free one */
    KVL_EMULATOR_ISOLATE,       /* one extra free CPU of the node, for this VM only */
} kvl_emulator_policy;

typedef struct kvl_place_opts {
    kvl_place_strategy strategy;
    kvl_thread_policy threads;
    kvl_emulator_policy emulator;
    hwloc_const_bitmap_t reserved;  /* housekeeping CPUs (--reserve-cpus); borrowed, NULL none */
} kvl_place_opts;

void kvl_place_opts_init(kvl_place_opts *o);
/* "spread"/"pack", "prefer"/"isolate"/"require", "share"/"isolate": 0, else -1. */
int kvl_place_strategy_parse(const char *s, kvl_place_strategy *out);
int kvl_thread_policy_parse(const char *s, kvl_thread_policy *out);
int kvl_emulator_policy_parse(const char *s, kvl_emulator_policy *out);

/* ---- What a VM asks for (request.c) ---- */

typedef struct kvl_place_req {
    unsigned vcpus;
    unsigned threads;           /* guest threads per core (1 without topology) */
    uint64_t memory_kib;        /* effective memory */
    uint64_t page_kib;          /* hugepage size backing it, 0: ordinary memory */
    bool has_iothreads;
    hwloc_bitmap_t dev_nodes;   /* host nodes of its passthrough devices (owned) */
} kvl_place_req;

/*
 * The request of `dom`: false with *why (static) when the model cannot say
 * (invalid vCPU count, unknown memory, hugepages of the host's unknown
 * default size, more than one page size).
 */
bool kvl_place_req_init(kvl_place_req *req, const kvl_domain *dom, const kvl_host *host,
                        const char **why);
void kvl_place_req_clear(kvl_place_req *req);

/* ---- What the host has left (occupancy.c) ---- */

typedef struct kvl_occ_pages {
    uint64_t size_kib;
    uint64_t free;              /* may not go below 0: demand beyond the pool saturates */
} kvl_occ_pages;

typedef struct kvl_occ_node {
    const kvl_host_node *hn;
    hwloc_bitmap_t free;        /* CPUs no VM pins to and not reserved */
    hwloc_bitmap_t emu;         /* CPUs emulator/IOThread pins use (shareable among those) */
    uint64_t mem_free_kib;      /* ordinary memory not strictly bound by a VM */
    kvl_occ_pages *pages;
    size_t npages;
} kvl_occ_node;

typedef struct kvl_occupancy {
    const kvl_host *host;
    kvl_occ_node *nodes;        /* host->nodes order */
    size_t nnodes;
    hwloc_bitmap_t reserved;    /* housekeeping CPUs of the host (owned copy) */
} kvl_occupancy;

/* Everything free except `reserved` (may be NULL).  NULL when the host has
 * no nodes or a node lacks memory. */
kvl_occupancy *kvl_occ_new(const kvl_host *host, hwloc_const_bitmap_t reserved);
/* Take out what a placed VM of the fleet uses: every explicit pin set
 * (vCPU, emulator, IOThread; sets covering the whole host float), strictly
 * bound memory, hugepages. */
void kvl_occ_add_domain(kvl_occupancy *occ, const kvl_domain *dom);
void kvl_occ_free(kvl_occupancy *occ);
kvl_occ_node *kvl_occ_find(kvl_occupancy *occ, unsigned id);
/* Pages of `size_kib` left on a node (0 when it has no such pool); take some. */
uint64_t kvl_occ_pages_free(kvl_occ_node *on, uint64_t size_kib);
void kvl_occ_take_pages(kvl_occ_node *on, uint64_t size_kib, uint64_t pages);
/* ceil(kib / page_kib). */
static inline uint64_t kvl_mem_pages_ceil(uint64_t kib, uint64_t page_kib)
{
    return (kib + page_kib - 1) / page_kib;
}

/* ---- The result ---- */

/* One guest cell of the plan (a single-node plan has one, cell 0). */
typedef struct kvl_plan_cell {
    unsigned node;              /* host node */
    unsigned vcpu_first, nvcpus;    /* guest vCPUs vcpu_first.. */
    uint64_t memory_kib;
    uint64_t pages;             /* hugepages of plan.page_kib; 0 for ordinary memory */
} kvl_plan_cell;

typedef struct kvl_plan {
    bool ok;
    char *why;                  /* !ok: what is short, for a finding (owned) */
    kvl_plan_cell *cells;
    size_t ncells;
    unsigned nvcpus;
    unsigned *vcpu_cpu;         /* vCPU -> host CPU */
    hwloc_bitmap_t emulator;    /* emulator CPUs; IOThreads get the same */
    bool emulator_overlaps;     /* no CPU was left off the vCPUs */
    uint64_t page_kib;
    hwloc_bitmap_t nodes;       /* the host nodes used */
} kvl_plan;

void kvl_plan_clear(kvl_plan *plan);
/* Take out of `occ` what a plan for its host uses (plan->ok). */
void kvl_occ_take_plan(kvl_occupancy *occ, const kvl_plan *plan);
/* A deep copy of `src` into `dst` (overwritten, not cleared). */
void kvl_plan_copy(kvl_plan *dst, const kvl_plan *src);

/*
 * Place `req` on what `occ` has left and, on success, take it out of `occ`
 * so that the next VM sees it.  `plan` is zeroed first; on failure
 * plan->ok is false and plan->why says what is short on which nodes.
 * Multi-node plans are built only when `wide` is set (--unsafe-fixes adds
 * guest cells); otherwise plan->why explains the plan it would build.
 */
void kvl_place_fit(kvl_occupancy *occ, const kvl_place_req *req, const kvl_place_opts *o,
                   bool wide, kvl_plan *plan);

/* CPU choice inside one node (cpus.c), for fit.c: false when the node's
 * free CPUs cannot take `nvcpus` vCPUs under the thread policy (and the
 * emulator CPU when isolated).  Fills vcpu_cpu[first..first+nvcpus) and,
 * when `emulator` is not NULL, the emulator CPUs; takes them from `node`
 * only when `commit`. */
bool kvl_place_cpus(kvl_occupancy *occ, kvl_occ_node *node, unsigned first, unsigned nvcpus,
                    unsigned threads, const kvl_place_opts *o, bool commit,
                    unsigned *vcpu_cpu, hwloc_bitmap_t emulator, bool *overlaps);

/* Cores of the node whose threads are all free (for what is short under
 * --thread-policy isolate); *smt (may be NULL): whether it has SMT. */
unsigned kvl_place_free_cores(const kvl_occupancy *occ, const kvl_occ_node *on, bool *smt);

/* ---- Fleets ---- */

/*
 * A VM is well placed when every vCPU is pinned to host CPUs, the vCPU
 * CPUs of each guest cell (or of the whole VM without cells) lie on one
 * host node, the emulator and every IOThread are pinned, and the memory is
 * strictly bound to the nodes of its vCPUs.  Well-placed VMs are occupancy;
 * the others are placed.
 */
bool kvl_place_is_placed(const kvl_domain *dom, const kvl_host *host);

/*
 * The placement of a whole fleet, computed in one pass: the VMs that stay
 * are occupancy, the `movable` ones are placed greedily in fleet order.
 * movable[i] says whether doms[i] is to be moved (placement/write.c: a
 * placement rule fires on it); NULL: the VMs that are not well placed, or
 * whose vCPU CPUs clash with an earlier well-placed VM's.  Asked for the
 * plan of a VM that stays, the run puts it where no VM and no plan of the
 * pass is.  The same fleet gives the same plans, and
 * the plans of one fleet never share a vCPU CPU.  `doms` and the host are
 * borrowed for the run's lifetime; the options are copied.
 */
typedef struct kvl_place_run kvl_place_run;

kvl_place_run *kvl_place_run_new(const kvl_host *host, const kvl_domain *const *doms, size_t n,
                                 const bool *movable, const kvl_place_opts *o, bool wide);
void kvl_place_run_free(kvl_place_run *r);
/* Whether `r` was computed for this fleet and these options. */
bool kvl_place_run_matches(const kvl_place_run *r, const kvl_domain *const *doms, size_t n,
                           const kvl_place_opts *o, bool wide);
/* The plan of doms[target] (a copy: kvl_plan_clear it). */
void kvl_place_run_plan(const kvl_place_run *r, size_t target, kvl_plan *plan);
/* What the host has left once the pass is done; NULL when it has no usable nodes. */
const kvl_occupancy *kvl_place_run_occupancy(const kvl_place_run *r);

/* One plan without keeping the run (kvl_place_run_new + _plan + _free). */
void kvl_place_fleet(const kvl_host *host, const kvl_domain *const *doms, size_t n,
                     size_t target, const kvl_place_opts *o, bool wide, kvl_plan *plan);

/* ---- The host map (explain.c) ---- */

/*
 * Print, per host node, the CPUs each of `doms` (named `names`) pins there,
 * the reserved CPUs, and what is left: free CPUs, memory and hugepages.
 * -1 (nothing printed) when the host has no nodes with memory.
 */
int kvl_place_explain(FILE *out, const kvl_host *host, const kvl_domain *const *doms,
                      const char *const *names, size_t n, hwloc_const_bitmap_t reserved);

#endif
