/*
 * CPU choice inside one host node (plan.h, --thread-policy and
 * --emulator-policy).  The node's CPUs are grouped into cores by their SMT
 * siblings (a CPU without sibling information is a core of its own).  With
 * guest threads T > 1 each guest core goes onto T free sibling threads of
 * one host core, best fit first so that whole cores stay whole; with T = 1
 * each vCPU gets a core of its own, fully free cores first, because two
 * vCPUs of a threads=1 guest on siblings is cpu-smt-topology-mismatch.
 * `prefer` then falls back to any free CPU; `require` and `isolate` fail.
 * libvirt numbers vCPUs threads innermost: guest core k is vCPUs k*T..k*T+T-1.
 */
#include <stdlib.h>
#include <string.h>

#include "placement/plan.h"
#include "util/mem.h"

#include "util/banned.h"

typedef struct core {
    hwloc_bitmap_t all;         /* its threads on this node */
    hwloc_bitmap_t free;        /* ... that are free */
} core;

typedef struct cores {
    core *v;
    size_t n, cap;
    bool smt;
} cores;

static void cores_build(const kvl_host *host, const kvl_occ_node *on, hwloc_const_bitmap_t free,
                        cores *cs)
{
    hwloc_bitmap_t seen = hwloc_bitmap_alloc();
    unsigned cpu;

    memset(cs, 0, sizeof(*cs));
    hwloc_bitmap_foreach_begin(cpu, on->hn->cpus) {
        const kvl_host_cpu *hc;
        core *c;

        if (hwloc_bitmap_isset(seen, cpu))
            continue;
        hc = kvl_host_cpu_by_id(host, cpu);
        KVL_GROW(cs->v, cs->n, cs->cap);
        c = &cs->v[cs->n++];
        c->all = hwloc_bitmap_alloc();
        if (hc && hc->siblings)
            hwloc_bitmap_and(c->all, hc->siblings, on->hn->cpus);
        hwloc_bitmap_set(c->all, cpu);
        hwloc_bitmap_or(seen, seen, c->all);
        c->free = hwloc_bitmap_alloc();
        hwloc_bitmap_and(c->free, c->all, free);
        if (hwloc_bitmap_weight(c->all) > 1)
            cs->smt = true;
    } hwloc_bitmap_foreach_end();
    hwloc_bitmap_free(seen);
}

static void cores_free(cores *cs)
{
    for (size_t i = 0; i < cs->n; i++) {
        hwloc_bitmap_free(cs->v[i].all);
        hwloc_bitmap_free(cs->v[i].free);
    }
    free(cs->v);
}

static bool core_whole(const core *c)
{
    return hwloc_bitmap_isequal(c->all, c->free);
}

/* Give `cpu` to vCPU `v`. */
static void give(hwloc_bitmap_t free, core *c, unsigned *vcpu_cpu, unsigned v, unsigned cpu)
{
    vcpu_cpu[v] = cpu;
    hwloc_bitmap_clr(free, cpu);
    hwloc_bitmap_clr(c->free, cpu);
}

/* isolate: a whole free core per vCPU, its siblings left idle. */
static bool assign_isolate(cores *cs, hwloc_bitmap_t free, unsigned first, unsigned n,
                           unsigned *vcpu_cpu)
{
    unsigned v = 0;

    for (size_t i = 0; i < cs->n && v < n; i++)
        if (core_whole(&cs->v[i])) {
            give(free, &cs->v[i], vcpu_cpu, first + v++, (unsigned)hwloc_bitmap_first(cs->v[i].free));
            hwloc_bitmap_andnot(free, free, cs->v[i].all);
            hwloc_bitmap_zero(cs->v[i].free);
        }
    return v == n;
}

/* Guest cores of T threads onto T free siblings of one host core, the
 * cores with the fewest free threads that still hold T first. */
static unsigned assign_packed(cores *cs, hwloc_bitmap_t free, unsigned first, unsigned n,
                              unsigned t, unsigned *vcpu_cpu)
{
    unsigned v = 0;

    while (v + t <= n) {
        core *best = NULL;

        for (size_t i = 0; i < cs->n; i++) {
            int w = hwloc_bitmap_weight(cs->v[i].free);

            if (w >= (int)t && (!best || w < hwloc_bitmap_weight(best->free)))
                best = &cs->v[i];
        }
        if (!best)
            break;
        for (unsigned k = 0; k < t; k++)
            give(free, best, vcpu_cpu, first + v++, (unsigned)hwloc_bitmap_first(best->free));
    }
    return v;
}

/* threads=1: one vCPU per core, whole cores first. */
static unsigned assign_spread(cores *cs, hwloc_bitmap_t free, unsigned first, unsigned n,
                              unsigned *vcpu_cpu)
{
    unsigned v = 0;

    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < cs->n && v < n; i++) {
            core *c = &cs->v[i];

            if (hwloc_bitmap_iszero(c->free) || (pass == 0) != core_whole(c))
                continue;
            give(free, c, vcpu_cpu, first + v++, (unsigned)hwloc_bitmap_first(c->free));
            hwloc_bitmap_zero(c->free);     /* no second vCPU of this VM here */
        }
    return v;
}

static bool pick_emulator(kvl_occupancy *occ, kvl_occ_node *on, hwloc_bitmap_t free,
                          const kvl_place_opts *o, unsigned first, unsigned n,
                          const unsigned *vcpu_cpu, hwloc_bitmap_t emulator, bool *overlaps,
                          bool *took)
{
    hwloc_bitmap_t cand = hwloc_bitmap_alloc();
    bool ok = true;

    *overlaps = false;
    *took = false;
    hwloc_bitmap_zero(emulator);
    if (o->emulator == KVL_EMULATOR_SHARE) {
        hwloc_bitmap_and(cand, occ->reserved, on->hn->cpus);
        if (hwloc_bitmap_iszero(cand))
            hwloc_bitmap_copy(cand, on->emu);
    }
    if (hwloc_bitmap_iszero(cand) && !hwloc_bitmap_iszero(free)) {
        hwloc_bitmap_only(cand, (unsigned)hwloc_bitmap_first(free));
        *took = true;
    }
    if (!hwloc_bitmap_iszero(cand)) {
        hwloc_bitmap_only(emulator, (unsigned)hwloc_bitmap_first(cand));
    } else if (o->emulator == KVL_EMULATOR_SHARE) {
        for (unsigned v = 0; v < n; v++)
            hwloc_bitmap_set(emulator, vcpu_cpu[first + v]);
        *overlaps = true;
    } else {
        ok = false;
    }
    hwloc_bitmap_free(cand);
    return ok;
}

unsigned kvl_place_free_cores(const kvl_occupancy *occ, const kvl_occ_node *on, bool *smt)
{
    cores cs;
    unsigned n = 0;

    cores_build(occ->host, on, on->free, &cs);
    for (size_t i = 0; i < cs.n; i++)
        n += core_whole(&cs.v[i]) && !hwloc_bitmap_iszero(cs.v[i].free);
    if (smt)
        *smt = cs.smt;
    cores_free(&cs);
    return n;
}

bool kvl_place_cpus(kvl_occupancy *occ, kvl_occ_node *on, unsigned first, unsigned nvcpus,
                    unsigned threads, const kvl_place_opts *o, bool commit,
                    unsigned *vcpu_cpu, hwloc_bitmap_t emulator, bool *overlaps)
{
    hwloc_bitmap_t free = hwloc_bitmap_dup(on->free);
    bool ok = false, took = false, ov = false;
    unsigned got = 0;
    cores cs;

    cores_build(occ->host, on, free, &cs);
    if (o->threads == KVL_THREADS_REQUIRE && !cs.smt)
        goto out;
    if (o->threads == KVL_THREADS_ISOLATE) {
        if (!assign_isolate(&cs, free, first, nvcpus, vcpu_cpu))
            goto out;
        got = nvcpus;
    } else if (threads > 1 && cs.smt) {
        got = assign_packed(&cs, free, first, nvcpus, threads, vcpu_cpu);
    } else {
        got = assign_spread(&cs, free, first, nvcpus, vcpu_cpu);
    }
    if (got < nvcpus && o->threads != KVL_THREADS_PREFER)
        goto out;
    /* prefer: the rest on any free CPU, SMT layout be as it may */
    while (got < nvcpus && !hwloc_bitmap_iszero(free)) {
        unsigned cpu = (unsigned)hwloc_bitmap_first(free);

        vcpu_cpu[first + got++] = cpu;
        hwloc_bitmap_clr(free, cpu);
    }
    if (got < nvcpus)
        goto out;
    if (emulator && !pick_emulator(occ, on, free, o, first, nvcpus, vcpu_cpu, emulator, &ov,
                                   &took))
        goto out;
    if (emulator && took)
        hwloc_bitmap_andnot(free, free, emulator);
    ok = true;
    if (commit) {
        hwloc_bitmap_copy(on->free, free);
        if (emulator && !ov && o->emulator == KVL_EMULATOR_SHARE)
            hwloc_bitmap_or(on->emu, on->emu, emulator);
    }
    if (overlaps)
        *overlaps = ov;
out:
    cores_free(&cs);
    hwloc_bitmap_free(free);
    return ok;
}
