/*
 * Real-time vCPUs: those a <vcpusched> gives the fifo or rr scheduler.  A
 * real-time thread runs until it yields, so it only gives low latency when
 * it has a host CPU to itself, when nothing the VM itself needs (emulator,
 * IOThreads) waits behind it on that CPU, and when its memory cannot be
 * paged out or faulted in lazily.  These checks read the domain alone.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "model/cpuset.h"
#include "rules/memory_util.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

static bool is_rt(const kvl_vcpusched *s)
{
    return kvl_ru_streq(s->scheduler, "fifo") || kvl_ru_streq(s->scheduler, "rr");
}

/* ---- cpu-rt-sched-priority ---- */

void kvl_check_cpu_rt_sched_priority(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    for (size_t i = 0; i < dom->nvcpuscheds; i++) {
        const kvl_vcpusched *s = &dom->vcpuscheds[i];
        char *who;

        /* an unreadable priority was reported as value-invalid */
        if (!is_rt(s) || s->priority_given)
            continue;
        who = s->vcpus ? kvl_ru_set_phrase(" for vCPU", " for vCPUs", s->vcpus) : kvl_xstrdup("");
        kvl_report(ctx->sink, ctx->rule, s->node, "scheduler",
                   "add priority='1' (1-99; libvirt requires one for fifo and rr)",
                   "vcpusched%s uses the real-time scheduler '%s' without a priority; "
                   "libvirt refuses the definition", who, s->scheduler);
        kvl_edit_set_attr(kvl_fix_propose(ctx->sink, NULL, "priority='1'%s", who), s->node,
                          "priority", "1");
        free(who);
    }
}

/* ---- cpu-rt-config ---- */

/* Real-time vCPUs below `n`, and the first vcpusched naming one. */
static hwloc_bitmap_t rt_vcpus(const kvl_domain *dom, unsigned n, kvl_ref *where)
{
    hwloc_bitmap_t rt = hwloc_bitmap_alloc();

    *where = 0;
    for (size_t i = 0; i < dom->nvcpuscheds; i++) {
        const kvl_vcpusched *s = &dom->vcpuscheds[i];

        if (!is_rt(s) || !s->vcpus)
            continue;
        hwloc_bitmap_or(rt, rt, s->vcpus);
        if (!*where)
            *where = s->node;
    }
    /* vCPUs past the count are cpu-vcpupin-out-of-range's business */
    hwloc_bitmap_clr_range(rt, (int)n, -1);
    return rt;
}

/* Reasons listed in a message before "...". */
#define SHOWN_REASONS 4

/*
 * Why real-time vCPU `v` lacks a CPU of its own, or NULL: it floats, may
 * run on several CPUs, or shares its CPU with another vCPU or an IOThread
 * of this VM (other VMs are cpu-pin-shared's business).  `users[c]` counts
 * the vCPUs whose pinning includes host CPU c, so that only the vCPUs that
 * do share pay for finding with whom.
 */
static char *not_exclusive(const kvl_check_ctx *ctx, unsigned v, unsigned n,
                           const unsigned *users)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, ctx->host, v, NULL);
    hwloc_bitmap_t others;
    char *why = NULL;

    if (!pin)
        return kvl_xasprintf("vCPU %u floats", v);
    if (hwloc_bitmap_weight(pin) != 1) {
        char *cpus = kvl_ru_set_str(pin);

        why = kvl_xasprintf("vCPU %u may run on host CPUs %s", v, cpus);
        free(cpus);
        return why;
    }
    others = hwloc_bitmap_alloc();
    for (unsigned w = 0; users[hwloc_bitmap_first(pin)] > 1 && w < n; w++) {
        hwloc_const_bitmap_t p = kvl_ru_vcpu_pin(dom, ctx->host, w, NULL);

        if (w != v && p && hwloc_bitmap_intersects(p, pin))
            hwloc_bitmap_set(others, w);
    }
    if (!hwloc_bitmap_iszero(others)) {
        char *who = kvl_ru_set_phrase("vCPU", "vCPUs", others);

        why = kvl_xasprintf("vCPU %u shares host CPU %d with %s", v, hwloc_bitmap_first(pin), who);
        free(who);
    }
    hwloc_bitmap_zero(others);
    for (size_t i = 0; !why && i < dom->niothread_ids; i++) {
        hwloc_const_bitmap_t p = kvl_domain_iothread_pin(dom, dom->iothread_ids[i], NULL);

        if (p && hwloc_bitmap_intersects(p, pin))
            hwloc_bitmap_set(others, dom->iothread_ids[i]);
    }
    if (!why && !hwloc_bitmap_iszero(others)) {
        char *who = kvl_ru_set_phrase("IOThread", "IOThreads", others);

        why = kvl_xasprintf("vCPU %u shares host CPU %d with %s", v, hwloc_bitmap_first(pin), who);
        free(who);
    }
    hwloc_bitmap_free(others);
    return why;
}

static void check_exclusive(kvl_check_ctx *ctx, hwloc_const_bitmap_t rt, unsigned n,
                            kvl_ref where)
{
    kvl_buf why = KVL_BUF_INIT;
    hwloc_bitmap_t bad = hwloc_bitmap_alloc();
    unsigned *users = kvl_xcalloc(KVL_CPUSET_MAX, sizeof(*users));
    int v, cpu;

    for (unsigned w = 0; w < n; w++) {
        hwloc_const_bitmap_t p = kvl_ru_vcpu_pin(ctx->dom, ctx->host, w, NULL);

        if (!p)
            continue;
        hwloc_bitmap_foreach_begin(cpu, p) {
            if (cpu < KVL_CPUSET_MAX)
                users[cpu]++;
        } hwloc_bitmap_foreach_end();
    }
    hwloc_bitmap_foreach_begin(v, rt) {
        char *w = not_exclusive(ctx, (unsigned)v, n, users);

        if (w) {
            int shown = hwloc_bitmap_weight(bad);

            hwloc_bitmap_set(bad, (unsigned)v);
            if (shown < SHOWN_REASONS)
                kvl_buf_addf(&why, "%s%s", why.len ? ", " : "", w);
            else if (shown == SHOWN_REASONS)
                kvl_buf_adds(&why, ", ...");
            free(w);
        }
    } hwloc_bitmap_foreach_end();
    free(users);
    if (!hwloc_bitmap_iszero(bad)) {
        char *who = kvl_ru_set_phrase("real-time vCPU", "real-time vCPUs", bad);

        kvl_report(ctx->sink, ctx->rule, where, NULL,
                   "pin each real-time vCPU to a host CPU of its own, with no other vCPU or IOThread on it",
                   "%s %s not pinned 1:1 to a host CPU of %s own (%s)", who,
                   hwloc_bitmap_weight(bad) == 1 ? "is" : "are",
                   hwloc_bitmap_weight(bad) == 1 ? "its" : "their", kvl_buf_str(&why));
        kvl_fix_decline(ctx->sink, "which host CPUs to give them is a placement decision: re-pin by hand");
        free(who);
    }
    hwloc_bitmap_free(bad);
    kvl_buf_free(&why);
}

/*
 * The emulator keeps the CPUs it may use minus those of real-time vCPUs:
 * it loses no CPU it was not already starved on.  Declined when nothing is
 * left, since picking a new CPU is a placement decision.
 */
static void propose_emulator_off(kvl_check_ctx *ctx, hwloc_const_bitmap_t emu,
                                 hwloc_const_bitmap_t rt_cpus, kvl_ref from)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t keep = hwloc_bitmap_alloc();
    char *cpus;
    kvl_fix *fx;

    hwloc_bitmap_andnot(keep, emu, rt_cpus);
    if (hwloc_bitmap_iszero(keep)) {
        kvl_fix_decline(ctx->sink, "every CPU of the emulator carries a real-time vCPU: pick one by hand");
        hwloc_bitmap_free(keep);
        return;
    }
    cpus = kvl_ru_set_str(keep);
    fx = kvl_fix_propose(ctx->sink, NULL, "<emulatorpin cpuset='%s'/>", cpus);
    if (from == dom->emulatorpin_node)
        kvl_edit_set_attr(fx, from, "cpuset", cpus);
    else if (dom->cputune_node)
        kvl_edit_insert_child(fx, dom->cputune_node, "<emulatorpin cpuset='%s'/>", cpus);
    else
        kvl_edit_insert_after_or_child(fx, dom->iothreads_node ? dom->iothreads_node : dom->vcpu_node,
                                       dom->root, "<cputune>\n  <emulatorpin cpuset='%s'/>\n</cputune>",
                                       cpus);
    free(cpus);
    hwloc_bitmap_free(keep);
}

static void check_emulator(kvl_check_ctx *ctx, hwloc_const_bitmap_t rt)
{
    const kvl_domain *dom = ctx->dom;
    kvl_ref from = 0;
    /* a floating emulator is cpu-emulatorpin-missing's business */
    hwloc_const_bitmap_t emu = kvl_domain_emulator_pin(dom, &from);
    hwloc_bitmap_t cpus, shared, on;
    int v;

    if (!emu)
        return;
    cpus = kvl_ru_vcpu_pin_union(dom, ctx->host, rt, NULL);
    shared = hwloc_bitmap_alloc();
    hwloc_bitmap_and(shared, emu, cpus);
    if (!hwloc_bitmap_iszero(shared)) {
        char *cpus_s = kvl_ru_set_phrase("host CPU", "host CPUs", shared);
        char *who;

        on = hwloc_bitmap_alloc();
        hwloc_bitmap_foreach_begin(v, rt) {
            hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, ctx->host, (unsigned)v, NULL);

            if (pin && hwloc_bitmap_intersects(pin, shared))
                hwloc_bitmap_set(on, (unsigned)v);
        } hwloc_bitmap_foreach_end();
        who = kvl_ru_set_phrase("real-time vCPU", "real-time vCPUs", on);
        kvl_report(ctx->sink, ctx->rule, from, "cpuset",
                   "pin the emulator to a CPU no real-time vCPU uses",
                   "the emulator threads may run on %s, where %s %s pinned and the real-time "
                   "scheduler starves them%s", cpus_s, who,
                   hwloc_bitmap_weight(on) == 1 ? "is" : "are",
                   from == dom->vcpu_node ? " (without emulatorpin they follow <vcpu cpuset>)" : "");
        propose_emulator_off(ctx, emu, cpus, from);
        free(cpus_s);
        free(who);
        hwloc_bitmap_free(on);
    }
    hwloc_bitmap_free(cpus);
    hwloc_bitmap_free(shared);
}

/*
 * The safe part is <locked/>, and only under a <memtune><hard_limit> (the
 * limit QEMU's locked memory is accounted against); hugepages need a host
 * pool and stay manual.
 */
static void propose_locked(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    if (dom->locked) {
        kvl_fix_decline(ctx->sink, "hugepages need a pool on the host: add them by hand");
        return;
    }
    if (!dom->hard_limit_node) {
        kvl_fix_decline(ctx->sink, "<locked/> needs a <memtune><hard_limit> first");
        return;
    }
    kvl_mem_edit_membacking(kvl_fix_propose(ctx->sink, NULL, "<locked/> in <memoryBacking>%s",
                                            dom->hugepages ? "" : " (hugepages stay manual)"),
                            dom, (const char *const[]){ "<locked/>" }, 1);
}

static void check_memory(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *missing, *hint;
    kvl_ref where;

    if (dom->locked && dom->hugepages)
        return;
    if (!dom->locked && !dom->hugepages) {
        missing = "neither locked nor hugepage-backed";
        hint = "add <memoryBacking><hugepages/><locked/></memoryBacking>, with a <memtune><hard_limit> "
               "and a hugepage pool on the host";
    } else if (!dom->locked) {
        missing = "hugepage-backed but not locked";
        hint = "add <locked/> to <memoryBacking>, with a <memtune><hard_limit>";
    } else {
        missing = "locked but not hugepage-backed";
        hint = "add <hugepages/> to <memoryBacking>, with a hugepage pool on the host";
    }
    where = dom->membacking_node ? dom->membacking_node
          : dom->memory_node ? dom->memory_node : dom->root;
    kvl_report(ctx->sink, ctx->rule, where, NULL, hint,
               "the memory of this VM with real-time vCPUs is %s, so page faults can stall them",
               missing);
    propose_locked(ctx);
}

void kvl_check_cpu_rt_config(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t rt;
    kvl_ref where;
    unsigned n;

    if (dom->nvcpuscheds == 0 || !kvl_ru_vcpus(dom, &n))
        return;
    rt = rt_vcpus(dom, n, &where);
    if (!hwloc_bitmap_iszero(rt)) {
        check_exclusive(ctx, rt, n, where);
        check_emulator(ctx, rt);
        check_memory(ctx);
    }
    hwloc_bitmap_free(rt);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_cpu_rt[] = {
    { "cpu-rt-config", kvl_check_cpu_rt_config, 0 },
    { "cpu-rt-sched-priority", kvl_check_cpu_rt_sched_priority, 0 },
    { NULL, NULL, 0 },
};
