/*
 * CPU definition checks: a <topology> that does not multiply out to the
 * vCPU count, pin entries naming vCPUs or host CPUs that do not exist, VMs
 * pinned only in part, an emulator pinned away from everything else the VM
 * uses, generic CPU models under KVM, and cputune bandwidth values outside
 * what libvirt accepts.  SMT packing lives in cpu_smt.c and real-time
 * scheduling in cpu_rt.c.
 *
 * The existence checks compare against the host snapshot and stay silent
 * without one; the rest read the domain alone.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "placement/write.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

/* ---- cpu-topology-mismatch ---- */

/* "2 sockets x 4 cores x 2 threads", dies and clusters only when not 1. */
static void topology_term(kvl_buf *b, unsigned n, const char *one, const char *many,
                          bool always)
{
    if (n == 1 && !always)
        return;
    kvl_buf_addf(b, "%s%u %s", b->len ? " x " : "", n, n == 1 ? one : many);
}

void kvl_check_cpu_topology_mismatch(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    kvl_buf what = KVL_BUF_INIT;
    uint64_t product;
    unsigned n, t, c;
    char *hint;

    if (!dom->has_topology || !kvl_ru_vcpus(dom, &n))
        return;
    product = kvl_ru_topology_vcpus(dom);
    if (product == n)
        return;

    topology_term(&what, dom->sockets, "socket", "sockets", true);
    topology_term(&what, dom->dies, "die", "dies", false);
    topology_term(&what, dom->clusters, "cluster", "clusters", false);
    topology_term(&what, dom->cores, "core", "cores", true);
    topology_term(&what, dom->threads, "thread", "threads", true);

    /* Keep the inner levels where they divide the count: the guest's view
     * of SMT and cores is what tuning usually chose on purpose. */
    t = n % dom->threads == 0 ? dom->threads : 1;
    c = (n / t) % dom->cores == 0 ? dom->cores : n / t;
    hint = kvl_xasprintf("make the product equal the %u vCPUs, e.g. sockets='%u'%s cores='%u' threads='%u'",
                         n, n / (t * c),
                         dom->dies != 1 || dom->clusters != 1 ? " dies='1' clusters='1'" : "",
                         c, t);
    if (product == UINT64_MAX)
        kvl_report(ctx->sink, ctx->rule, dom->topology_node, NULL, hint,
                   "<topology> gives %s, far more than the %u vCPUs of <vcpu>",
                   kvl_buf_str(&what), n);
    else
        kvl_report(ctx->sink, ctx->rule, dom->topology_node, NULL, hint,
                   "<topology> gives %s = %llu vCPUs but <vcpu> is %u", kvl_buf_str(&what),
                   (unsigned long long)product, n);
    {
        kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL,
                                      "sockets='%u' cores='%u' threads='%u'%s, %u vCPUs",
                                      n / (t * c), c, t,
                                      dom->dies != 1 || dom->clusters != 1
                                      ? " dies='1' clusters='1'" : "", n);

        kvl_edit_set_attr_uint(fx, dom->topology_node, "sockets", n / (t * c));
        if (dom->dies != 1)
            kvl_edit_set_attr(fx, dom->topology_node, "dies", "1");
        if (dom->clusters != 1)
            kvl_edit_set_attr(fx, dom->topology_node, "clusters", "1");
        kvl_edit_set_attr_uint(fx, dom->topology_node, "cores", c);
        kvl_edit_set_attr_uint(fx, dom->topology_node, "threads", t);
    }
    free(hint);
    kvl_buf_free(&what);
}

/* ---- cpu-vcpupin-out-of-range ---- */

/* A vcpusched keeps the vCPUs that exist; with none left it goes. */
static void propose_vcpusched_in_range(kvl_check_ctx *ctx, const kvl_vcpusched *s,
                                       hwloc_const_bitmap_t valid)
{
    hwloc_bitmap_t keep = hwloc_bitmap_alloc();
    kvl_fix *fx;
    char *list;

    hwloc_bitmap_and(keep, s->vcpus, valid);
    if (hwloc_bitmap_iszero(keep)) {
        kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "the vcpusched entry dropped"),
                                s->node);
    } else {
        list = kvl_ru_set_str(keep);
        fx = kvl_fix_propose(ctx->sink, NULL, "vcpusched vcpus='%s'", list);
        kvl_edit_set_attr(fx, s->node, "vcpus", list);
        free(list);
    }
    hwloc_bitmap_free(keep);
}

void kvl_check_cpu_vcpupin_out_of_range(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t valid;
    unsigned n;

    if (!kvl_ru_vcpus(dom, &n))
        return;
    for (size_t i = 0; i < dom->nvcpupins; i++) {
        const kvl_vcpupin *p = &dom->vcpupins[i];

        if (p->vcpu < n)
            continue;
        kvl_report(ctx->sink, ctx->rule, p->node, "vcpu",
                   "drop the entry, or raise <vcpu> if that vCPU is meant to exist",
                   "vcpupin names vCPU %u but the domain has %u vCPU%s (0-%u); libvirt ignores the entry",
                   p->vcpu, n, n == 1 ? "" : "s", n - 1);
        kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "the vcpupin of vCPU %u dropped",
                                                p->vcpu), p->node);
    }

    valid = hwloc_bitmap_alloc();
    hwloc_bitmap_set_range(valid, 0, (int)n - 1);
    for (size_t i = 0; i < dom->nvcpuscheds; i++) {
        const kvl_vcpusched *s = &dom->vcpuscheds[i];
        hwloc_bitmap_t extra;
        char *who;

        if (!s->vcpus || hwloc_bitmap_isincluded(s->vcpus, valid))
            continue;
        extra = hwloc_bitmap_alloc();
        hwloc_bitmap_andnot(extra, s->vcpus, valid);
        who = kvl_ru_set_phrase("vCPU", "vCPUs", extra);
        /* unlike a stray vcpupin, libvirt refuses this one */
        kvl_report_sev(ctx->sink, ctx->rule, KVL_SEV_ERROR, s->node, "vcpus",
                       "limit vcpus to vCPUs the domain has, or drop the entry",
                       "vcpusched names %s but the domain has %u vCPU%s (0-%u); libvirt refuses the definition",
                       who, n, n == 1 ? "" : "s", n - 1);
        propose_vcpusched_in_range(ctx, s, valid);
        free(who);
        hwloc_bitmap_free(extra);
    }
    hwloc_bitmap_free(valid);
}

/* ---- cpu-pin-nonexistent-pcpu ---- */

/* Report the CPUs of `set` the host lacks; `what` names the pin set. */
static void check_cpus_exist(kvl_check_ctx *ctx, kvl_ref where, hwloc_const_bitmap_t set,
                             const char *what)
{
    hwloc_bitmap_t missing = hwloc_bitmap_alloc();

    hwloc_bitmap_andnot(missing, set, ctx->host->all_cpus);
    if (!hwloc_bitmap_iszero(missing)) {
        char *cpus = kvl_ru_set_phrase("host CPU", "host CPUs", missing);
        char *has = kvl_ru_set_phrase("host CPU", "host CPUs", ctx->host->all_cpus);
        char *list = kvl_ru_set_str(ctx->host->all_cpus);
        char *hint = kvl_xasprintf("pin only to CPUs this host has (%s)", list);

        kvl_report(ctx->sink, ctx->rule, where, "cpuset", hint,
                   "%s names %s, which the host does not have (it has %s); the VM cannot start",
                   what, cpus, has);
        kvl_place_propose(ctx);
        free(cpus);
        free(has);
        free(list);
        free(hint);
    }
    hwloc_bitmap_free(missing);
}

void kvl_check_cpu_pin_nonexistent_pcpu(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    /* libvirt ignores <vcpu cpuset> under placement='auto' */
    bool cpuset = dom->vcpu_cpuset && !kvl_domain_placement_auto(dom);
    unsigned n;

    if (!kvl_ru_vcpus(dom, &n))
        n = 0;
    if (!cpuset && !dom->emulatorpin && dom->nvcpupins == 0 && dom->niothreadpins == 0)
        return;
    if (!kvl_need_host_nodes(ctx))
        return;

    if (cpuset)
        check_cpus_exist(ctx, dom->vcpu_node, dom->vcpu_cpuset, "<vcpu cpuset>");
    for (size_t i = 0; i < dom->nvcpupins; i++) {
        const kvl_vcpupin *p = &dom->vcpupins[i];
        char *what;

        /* entries past the vCPU count are ignored by libvirt (out-of-range's business) */
        if (!p->cpus || p->vcpu >= n)
            continue;
        what = kvl_xasprintf("vcpupin of vCPU %u", p->vcpu);
        check_cpus_exist(ctx, p->node, p->cpus, what);
        free(what);
    }
    if (dom->emulatorpin)
        check_cpus_exist(ctx, dom->emulatorpin_node, dom->emulatorpin, "emulatorpin");
    for (size_t i = 0; i < dom->niothreadpins; i++) {
        const kvl_iothreadpin *p = &dom->iothreadpins[i];
        char *what;

        if (!p->cpus)
            continue;
        what = kvl_xasprintf("iothreadpin of IOThread %u", p->iothread);
        check_cpus_exist(ctx, p->node, p->cpus, what);
        free(what);
    }
}

/* ---- cpu-partial-pinning ---- */

void kvl_check_cpu_partial_pinning(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t pinned, floating, cpus, nodes;
    unsigned n;

    /* numad places every vCPU: none of them floats */
    if (kvl_domain_placement_auto(dom) || !kvl_ru_vcpus(dom, &n))
        return;
    pinned = hwloc_bitmap_alloc();
    cpus = kvl_ru_vcpu_pin_union(dom, ctx->host, NULL, pinned);
    floating = hwloc_bitmap_alloc();
    hwloc_bitmap_set_range(floating, 0, (int)n - 1);
    hwloc_bitmap_andnot(floating, floating, pinned);

    if (!hwloc_bitmap_iszero(pinned) && !hwloc_bitmap_iszero(floating)) {
        char *p = kvl_ru_set_phrase("vCPU", "vCPUs", pinned);
        char *f = kvl_ru_set_phrase("vCPU", "vCPUs", floating);
        char *hint;

        nodes = kvl_ru_nodes_of(ctx->host, cpus);
        if (hwloc_bitmap_iszero(nodes)) {
            hint = kvl_xasprintf("pin %s too, on the host node the others use", f);
        } else {
            char *on = kvl_ru_node_phrase("host node", "host nodes", nodes);

            hint = kvl_xasprintf("pin %s too, on CPUs of %s where the others run", f, on);
            free(on);
        }
        kvl_report(ctx->sink, ctx->rule, dom->cputune_node ? dom->cputune_node : dom->vcpu_node,
                   NULL, hint, "%s %s pinned but %s %s over all host CPUs", p,
                   hwloc_bitmap_weight(pinned) == 1 ? "is" : "are", f,
                   hwloc_bitmap_weight(floating) == 1 ? "floats" : "float");
        free(p);
        kvl_place_propose(ctx);
        free(f);
        free(hint);
        hwloc_bitmap_free(nodes);
    }
    hwloc_bitmap_free(pinned);
    hwloc_bitmap_free(floating);
    hwloc_bitmap_free(cpus);
}

/* ---- cpu-emulatorpin-remote ---- */

/* Host nodes the memory is bound to: the domain-wide nodeset and every
 * memnode's (any mode: that is where the pages are).  New bitmap. */
static hwloc_bitmap_t bound_memory_nodes(const kvl_domain *dom)
{
    hwloc_bitmap_t nodes = hwloc_bitmap_alloc();

    if (dom->numa_mode && dom->numa_nodeset)
        hwloc_bitmap_or(nodes, nodes, dom->numa_nodeset);
    for (size_t i = 0; i < dom->nmemnodes; i++)
        if (dom->memnodes[i].nodeset)
            hwloc_bitmap_or(nodes, nodes, dom->memnodes[i].nodeset);
    return nodes;
}

void kvl_check_cpu_emulatorpin_remote(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_host *host = ctx->host;
    hwloc_bitmap_t emu = NULL, vcpu_cpus = NULL, vnodes = NULL, mem = NULL, used = NULL;
    unsigned n;

    if (!dom->emulatorpin || kvl_ru_numa_auto(dom) || !kvl_ru_vcpus(dom, &n))
        return;
    if (!kvl_need_host_nodes(ctx))
        return;
    /* a floating vCPU may run next to the emulator wherever it is */
    for (unsigned v = 0; v < n; v++)
        if (!kvl_ru_vcpu_pin(dom, host, v, NULL))
            return;

    emu = kvl_ru_nodes_of(host, dom->emulatorpin);
    vcpu_cpus = kvl_ru_vcpu_pin_union(dom, host, NULL, NULL);
    vnodes = kvl_ru_nodes_of(host, vcpu_cpus);
    mem = bound_memory_nodes(dom);
    used = hwloc_bitmap_alloc();
    hwloc_bitmap_or(used, vnodes, mem);

    if (!hwloc_bitmap_iszero(emu) && !hwloc_bitmap_iszero(used) &&
        !hwloc_bitmap_intersects(emu, used)) {
        char *on = kvl_ru_node_phrase("host node", "host nodes", emu);
        char *vs = kvl_ru_node_phrase("host node", "host nodes", vnodes);
        char *ms = kvl_ru_node_phrase("host node", "host nodes", mem);
        char *us = kvl_ru_node_phrase("host node", "host nodes", used);
        char *mem_part = hwloc_bitmap_iszero(mem)
            ? kvl_xstrdup("its memory is not bound")
            : kvl_xasprintf("its memory is bound to %s", ms);
        char *vcpu_part = hwloc_bitmap_iszero(vnodes)
            ? kvl_xstrdup("its vCPUs are pinned to CPUs the host does not have")
            : kvl_xasprintf("its vCPUs run on %s", vs);
        char *hint = kvl_xasprintf("pin the emulator to a CPU of %s that no vCPU uses", us);

        kvl_report(ctx->sink, ctx->rule, dom->emulatorpin_node, "cpuset", hint,
                   "emulatorpin puts the emulator threads on %s, but %s and %s",
                   on, vcpu_part, mem_part);
        kvl_place_propose(ctx);
        free(on);
        free(vs);
        free(ms);
        free(us);
        free(mem_part);
        free(vcpu_part);
        free(hint);
    }
    hwloc_bitmap_free(emu);
    hwloc_bitmap_free(vcpu_cpus);
    hwloc_bitmap_free(vnodes);
    hwloc_bitmap_free(mem);
    hwloc_bitmap_free(used);
}

/* ---- cpu-model-generic ---- */

/* QEMU's lowest-common-denominator x86 models; named models of real CPUs
 * (even old ones) are a deliberate choice and not flagged. */
static const char *const generic_models[] = {
    "qemu64", "kvm64", "qemu32", "kvm32", NULL,
};

static bool is_generic_model(const char *model)
{
    for (const char *const *m = generic_models; *m; m++)
        if (strcmp(model, *m) == 0)
            return true;
    return false;
}

/*
 * mode='host-passthrough', without the model and match that only a custom
 * CPU has; topology, cells and features stay.
 */
static void propose_host_passthrough(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    kvl_fix *fx = kvl_fix_propose(ctx->sink,
                                  "to accept a new CPU model: Windows may ask to re-activate, and "
                                  "the VM can live-migrate only between hosts with the same CPU "
                                  "(use host-model then)",
                                  "<cpu mode='host-passthrough'>");

    if (!dom->cpu_node) {
        kvl_edit_insert_after_or_child(fx, dom->features_node ? dom->features_node : dom->os_node,
                                       dom->root, "<cpu mode='host-passthrough'/>");
        return;
    }
    kvl_edit_set_attr(fx, dom->cpu_node, "mode", "host-passthrough");
    kvl_edit_remove_attr(fx, dom->cpu_node, "match");
    kvl_edit_remove_element(fx, dom->cpu_model_node);
}

void kvl_check_cpu_model_generic(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *hint = "use <cpu mode='host-passthrough'/> (host-model if the VM must "
                       "live-migrate between hosts with different CPUs)";
    const char *arch, *fallback;

    /* under TCG (type='qemu') a generic model is the normal choice */
    if (!kvl_ru_streq(dom->type, "kvm"))
        return;
    if (!(arch = kvl_ru_arch(dom, ctx->host))) {
        kvl_skip(ctx, "the guest architecture is unknown (no os/type@arch and no host snapshot)");
        return;
    }
    if (!kvl_ru_arch_is_x86(arch))
        return;
    fallback = kvl_ru_streq(arch, "i686") ? "qemu32" : "qemu64";

    if (!dom->cpu_node) {
        kvl_report(ctx->sink, ctx->rule, dom->root, NULL, hint,
                   "the domain has no <cpu>, so QEMU gives the guest its generic %s model, "
                   "which hides most host CPU features", fallback);
        propose_host_passthrough(ctx);
    } else if (!dom->cpu_mode || strcmp(dom->cpu_mode, "custom") == 0) {
        if (!dom->cpu_model) {
            kvl_report(ctx->sink, ctx->rule, dom->cpu_node, NULL, hint,
                       "<cpu> names no model, so QEMU gives the guest its generic %s model, "
                       "which hides most host CPU features", fallback);
            propose_host_passthrough(ctx);
        } else if (is_generic_model(dom->cpu_model)) {
            kvl_report(ctx->sink, ctx->rule, dom->cpu_node, NULL, hint,
                       "the guest CPU is the generic %s model, which hides most host CPU features",
                       dom->cpu_model);
            propose_host_passthrough(ctx);
        }
    }
}

/* ---- cpu-cputune-range ---- */

#define SHARES_MIN 2                    /* libvirt's VIR_CGROUP_CPU_SHARES_MIN */
#define SHARES_MAX 262144
#define SHARES_V2_MAX 10000             /* cpu.weight on cgroup v2 */
#define PERIOD_MIN 1000                 /* microseconds */
#define PERIOD_MAX 1000000
#define QUOTA_MIN 1000
#define QUOTA_MAX INT64_C(17592186044415)   /* the kernel's limit, 2^44 - 1 */

static bool is_quota(kvl_cputune_key key)
{
    return key == KVL_CPUTUNE_QUOTA || key == KVL_CPUTUNE_GLOBAL_QUOTA ||
           key == KVL_CPUTUNE_EMULATOR_QUOTA || key == KVL_CPUTUNE_IOTHREAD_QUOTA;
}

void kvl_check_cpu_cputune_range(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    for (unsigned k = 0; k < KVL_CPUTUNE_N; k++) {
        const char *name = kvl_cputune_name((kvl_cputune_key)k);
        kvl_ref where = dom->cputune_nodes[k];
        long long v = (long long)dom->cputune[k];

        if (!(dom->cputune_set & (1u << k)))
            continue;
        if (k == KVL_CPUTUNE_SHARES) {
            /* 0 means "not set" to libvirt */
            if (v != 0 && (v < SHARES_MIN || v > SHARES_MAX))
                kvl_report(ctx->sink, ctx->rule, where, NULL,
                           "use a weight in 2-10000 (1024 is the usual default), or drop <shares>",
                           "<shares> %lld is outside libvirt's range 2-262144; libvirt refuses the definition",
                           v);
            else if (v > SHARES_V2_MAX)
                /* libvirt takes it; only hosts with cgroup v1 can run it */
                kvl_report_sev(ctx->sink, ctx->rule, KVL_SEV_WARNING, where, NULL,
                               "use a weight in 2-10000 (1024 is the usual default)",
                               "<shares> %lld is above 10000, the largest CPU weight of cgroup v2: "
                               "libvirt accepts the definition but the VM fails to start on cgroup v2 hosts",
                               v);
        } else if (is_quota((kvl_cputune_key)k)) {
            /* negative: unlimited; 0: not set */
            if (v > 0 && (v < QUOTA_MIN || v > QUOTA_MAX))
                kvl_report(ctx->sink, ctx->rule, where, NULL,
                           "use -1 (unlimited) or 1000-17592186044415 microseconds",
                           "<%s> %lld is outside libvirt's range 1000-17592186044415 microseconds; "
                           "libvirt refuses the definition", name, v);
        } else if (v != 0 && (v < PERIOD_MIN || v > PERIOD_MAX)) {
            kvl_report(ctx->sink, ctx->rule, where, NULL,
                       "use 1000-1000000 microseconds (100000 is the kernel's default)",
                       "<%s> %lld is outside libvirt's range 1000-1000000 microseconds; "
                       "libvirt refuses the definition", name, v);
        }
    }
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_cpu[] = {
    { "cpu-cputune-range", kvl_check_cpu_cputune_range, 0 },
    { "cpu-emulatorpin-remote", kvl_check_cpu_emulatorpin_remote, 0 },
    { "cpu-model-generic", kvl_check_cpu_model_generic, 0 },
    { "cpu-partial-pinning", kvl_check_cpu_partial_pinning, 0 },
    { "cpu-pin-nonexistent-pcpu", kvl_check_cpu_pin_nonexistent_pcpu, 0 },
    { "cpu-topology-mismatch", kvl_check_cpu_topology_mismatch, 0 },
    { "cpu-vcpupin-out-of-range", kvl_check_cpu_vcpupin_out_of_range, 0 },
    { NULL, NULL, 0 },
};
