/*
 * Emulator and IOThread placement.  QEMU's main loop, its I/O helpers and
 * the IOThreads are host threads beside the vCPUs; pinning only the vCPUs
 * leaves them free to run anywhere (other nodes, other VMs' CPUs), and
 * pinning them onto the vCPUs' own CPUs makes them steal guest time.  Both
 * checks are host-independent: they compare the VM's own pin sets.
 */
#include <stdlib.h>
#include <string.h>

#include "placement/write.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/mem.h"

#include "util/banned.h"

/* "CPUs of host node 0 that no vCPU uses", or a host-less version. */
static char *free_cpus_phrase(const kvl_domain *dom, const kvl_host *host)
{
    hwloc_bitmap_t cpus = kvl_ru_vcpu_pin_union(dom, host, NULL, NULL);
    hwloc_bitmap_t nodes = kvl_ru_nodes_of(host, cpus);
    char *out;

    if (hwloc_bitmap_iszero(nodes)) {
        out = kvl_xstrdup("CPUs of the vCPUs' host node that no vCPU uses");
    } else {
        char *on = kvl_ru_node_phrase("host node", "host nodes", nodes);

        out = kvl_xasprintf("CPUs of %s that no vCPU uses", on);
        free(on);
    }
    hwloc_bitmap_free(cpus);
    hwloc_bitmap_free(nodes);
    return out;
}

/* ---- cpu-emulatorpin-missing ---- */

void kvl_check_cpu_emulatorpin_missing(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_host *host = ctx->host;
    hwloc_bitmap_t floating;

    /* <vcpu cpuset> is also the default pinning of the emulator and the
     * IOThreads; with it nothing floats. */
    if (kvl_domain_placement_auto(dom) || dom->vcpu_cpuset)
        return;
    if (!kvl_domain_is_pinned(dom, host ? host->all_cpus : NULL))
        return;

    if (!dom->emulatorpin_node) {
        char *where = free_cpus_phrase(dom, host);
        char *hint = kvl_xasprintf("pin it with <emulatorpin cpuset='...'/> to %s", where);

        kvl_report(ctx->sink, ctx->rule, dom->cputune_node ? dom->cputune_node : dom->vcpu_node,
                   NULL, hint,
                   "every vCPU is pinned but the emulator threads float over all host CPUs");
        kvl_place_propose(ctx);
        free(where);
        free(hint);
    }

    floating = hwloc_bitmap_alloc();
    for (size_t i = 0; i < dom->niothread_ids; i++) {
        bool pinned = false;

        for (size_t k = 0; k < dom->niothreadpins; k++)
            if (dom->iothreadpins[k].iothread == dom->iothread_ids[i])
                pinned = true;
        if (!pinned)
            hwloc_bitmap_set(floating, dom->iothread_ids[i]);
    }
    if (!hwloc_bitmap_iszero(floating)) {
        char *which = kvl_ru_set_phrase("IOThread", "IOThreads", floating);
        char *where = free_cpus_phrase(dom, host);
        char *hint = hwloc_bitmap_weight(floating) == 1
            ? kvl_xasprintf("pin it with <iothreadpin iothread='%d' cpuset='...'/> to %s",
                            hwloc_bitmap_first(floating), where)
            : kvl_xasprintf("pin each with an <iothreadpin> to %s", where);

        kvl_report(ctx->sink, ctx->rule, dom->iothreads_node ? dom->iothreads_node : dom->root,
                   NULL, hint, "every vCPU is pinned but %s %s over all host CPUs", which,
                   hwloc_bitmap_weight(floating) == 1 ? "floats" : "float");
        kvl_place_propose(ctx);
        free(which);
        free(where);
        free(hint);
    }
    hwloc_bitmap_free(floating);
}

/* ---- cpu-emulatorpin-overlap ---- */

void kvl_check_cpu_emulatorpin_overlap(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t vcpus, cpus, shared;

    if (!dom->emulatorpin)
        return;
    vcpus = hwloc_bitmap_alloc();
    cpus = kvl_ru_vcpu_pin_union(dom, ctx->host, NULL, vcpus);
    shared = hwloc_bitmap_alloc();
    hwloc_bitmap_and(shared, dom->emulatorpin, cpus);

    if (!hwloc_bitmap_iszero(shared)) {
        hwloc_bitmap_t on = hwloc_bitmap_alloc();
        bool critical = kvl_domain_is_latency_critical(dom);
        char *cpus_s, *who;
        unsigned n;

        if (!kvl_ru_vcpus(dom, &n))
            n = 0;
        for (unsigned v = 0; v < n; v++) {
            hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, ctx->host, v, NULL);

            if (pin && hwloc_bitmap_intersects(pin, shared))
                hwloc_bitmap_set(on, v);
        }
        cpus_s = kvl_ru_set_phrase("host CPU", "host CPUs", shared);
        who = kvl_ru_set_phrase("vCPU", "vCPUs", on);
        kvl_report_sev(ctx->sink, ctx->rule, critical ? KVL_SEV_WARNING : KVL_SEV_INFO,
                       dom->emulatorpin_node, "cpuset",
                       "move the emulator to a CPU of the same host node that no vCPU uses",
                       "emulatorpin shares %s with %s%s", cpus_s, who,
                       critical ? " of this latency-critical VM" : "");
        kvl_place_propose(ctx);
        free(cpus_s);
        free(who);
        hwloc_bitmap_free(on);
    }
    hwloc_bitmap_free(vcpus);
    hwloc_bitmap_free(cpus);
    hwloc_bitmap_free(shared);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_emulator[] = {
    { "cpu-emulatorpin-missing", kvl_check_cpu_emulatorpin_missing, 0 },
    { "cpu-emulatorpin-overlap", kvl_check_cpu_emulatorpin_overlap, 0 },
    { NULL, NULL, 0 },
};
