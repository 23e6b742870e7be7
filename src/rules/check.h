/*
 * What a built-in rule sees.  A check is a C function registered under its
 * catalogue id in registry.c; the engine calls it once per in-scope domain
 * with the host (NULL when no --host was given), the whole fleet, the
 * thresholds, and a sink to report into.
 *
 * A check that lacks the input it needs calls kvl_skip() with the reason and
 * returns: it must not guess (DESIGN.md principle 1).  --verbose lists the
 * reasons.
 */
#ifndef KVL_RULES_CHECK_H
#define KVL_RULES_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lint/finding.h"
#include "model/domain.h"
#include "model/host.h"

/* Policy thresholds (RULES.md: "configurable"); defaults in kvl_config_init. */
typedef struct kvl_config {
    double cpu_overcommit_ratio;    /* --cpu-overcommit-ratio, default 5 */
    uint64_t host_reserve_kib;      /* --host-reserve, default 2 GiB */
    /* mem-hugepages-recommended: a VM this large (effective memory) wants
     * hugepages, and from very_large_vm_kib on 1 GiB pages */
    uint64_t large_vm_kib;          /* --large-vm-memory, default 16 GiB */
    uint64_t very_large_vm_kib;     /* --very-large-vm-memory, default 64 GiB */
    /* net-multiqueue-missing suggests one queue per vCPU up to this: the
     * queues a host tap device takes (Linux's MAX_TAP_QUEUES is 256; the
     * first multiqueue kernels took 8) */
    unsigned tap_queue_limit;       /* --tap-queue-limit, default 256 */
    /* --housekeeping-cpus: the host CPUs the host keeps for its own work,
     * for host-housekeeping-cpus when no host facts say, and kept off
     * the vCPUs by the placement allocator (--reserve-cpus).  Borrowed from the config file or command line that parsed it
     * (config/thresholds.h); NULL: not given. */
    hwloc_const_bitmap_t housekeeping_cpus;
    /* The placement allocator's policies (placement/plan.h, in the order
     * of its enums): --strategy spread|pack, --thread-policy
     * prefer|isolate|require, --emulator-policy share|isolate; 0 each. */
    unsigned place_strategy;
    unsigned place_threads;
    unsigned place_emulator;
} kvl_config;

void kvl_config_init(kvl_config *cfg);

/*
 * All in-scope domains of one run against one host, in stable (path) order,
 * with running totals computed once by the engine so that fleet-wide rules
 * stay linear: vcpus_upto[i] is the sum of <vcpu> over doms[0..i] and
 * memory_upto[i] the sum of effective memory (unknown amounts add 0);
 * plain_memory_upto[i] sums only domains without <hugepages>, which must
 * fit next to the host's hugepage pools (RULES.md "Capacity").
 */
/* Results computed at most once per fleet and lint, on first need, by the
 * checks that share them (the placement plans of placement/plan.h); the
 * engine frees them with `free_fn` when the fleet's checks are done. */
typedef struct kvl_fleet_memo {
    void *place;
    void (*free_fn)(void *place);
    /* overcommit.c's fleet indexes (strict bindings, pinned host CPUs),
     * so that its fleet-wide rules stay linear in the fleet size */
    void *strict, *pins;
    void (*strict_free)(void *strict);
    void (*pins_free)(void *pins);
    bool safe_fixes_only;           /* kvl_run.safe_fixes_only */
} kvl_fleet_memo;

typedef struct kvl_fleet {
    const kvl_domain **doms;
    size_t n;
    uint64_t *vcpus_upto;
    uint64_t *memory_upto;
    uint64_t *plain_memory_upto;
    kvl_fleet_memo *memo;           /* NULL: nothing is memoised (unit tests) */
} kvl_fleet;

/* Fill the running totals of a fleet whose doms/n are set. */
void kvl_fleet_totals(kvl_fleet *fleet);

typedef struct kvl_check_ctx {
    const kvl_domain *dom;
    size_t index;                   /* dom == fleet->doms[index] */
    const kvl_host *host;           /* NULL: no host snapshot */
    const kvl_fleet *fleet;
    const kvl_config *cfg;
    kvl_sink *sink;
    const char *rule;               /* id of the running check */
    const char *skipped;            /* set by kvl_skip */
} kvl_check_ctx;

typedef void (*kvl_check_fn)(kvl_check_ctx *ctx);

/* Say why the running check could not judge this domain. */
void kvl_skip(kvl_check_ctx *ctx, const char *reason);

/*
 * Host checks shared by many rules: return true when the host has what is
 * needed, else call kvl_skip with a standard reason and return false.
 */
bool kvl_need_host_nodes(kvl_check_ctx *ctx);    /* a host with NUMA nodes and CPUs */
bool kvl_need_host_memory(kvl_check_ctx *ctx);   /* ... and memory on every node */
/* The guest architecture (os/type@arch, else the host's: kvl_ru_arch) into
 * *arch, for the architecture-specific rules (RULES.md "Scope"). */
bool kvl_need_guest_arch(kvl_check_ctx *ctx, const char **arch);

typedef enum kvl_check_flags {
    KVL_CHECK_DOMAIN = 0,           /* called per in-scope domain */
    KVL_CHECK_LOADER = 1,           /* reported by the loader / model builder, no function */
    KVL_CHECK_ENGINE = 2,           /* reported by the engine after the checks
                                       (lint/suppress.c), no function */
} kvl_check_flags;

typedef struct kvl_check {
    const char *id;
    kvl_check_fn fn;                /* NULL for KVL_CHECK_LOADER and _ENGINE */
    unsigned flags;
} kvl_check;

/*
 * The registry (registry.c): each file of src/rules/ ends with its own
 * {NULL}-terminated table of the checks it implements, and registry.c lists
 * the tables.  Adding a rule to an existing file touches only that file.
 */
extern const kvl_check *const kvl_check_tables[];   /* NULL-terminated */
const kvl_check *kvl_check_find(const char *id);

/* Iterate over every registered check:
 *   KVL_FOR_EACH_CHECK(c) { ... c->id ... } */
#define KVL_FOR_EACH_CHECK(c)                                                  \
    for (const kvl_check *const *kvl_t_ = kvl_check_tables; *kvl_t_; kvl_t_++) \
        for (const kvl_check *c = *kvl_t_; c->id; c++)

#endif
