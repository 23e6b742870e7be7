/*
 * cpu-smt-topology-mismatch: whether the SMT threads the guest is shown
 * match the host SMT siblings its vCPUs are pinned to.  A guest scheduler
 * treats sibling threads as sharing one core's execution units and caches;
 * two vCPUs on one host core shown as two cores, or a guest core whose
 * threads sit on different host cores, make it place and balance work
 * wrongly.  Needs a host snapshot with SMT sibling information.
 *
 * libvirt and QEMU number vCPUs with threads innermost: with threads=T,
 * guest core k (counting across sockets, dies and clusters) holds vCPUs
 * k*T .. k*T+T-1.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

/* Groups listed in a message before "...": enough to find the pattern. */
#define SHOWN_GROUPS 4

static const char *const no_siblings = "the host snapshot lacks SMT sibling information";

/* Every CPU of `set` is a host CPU whose SMT siblings are known. */
static bool siblings_known(const kvl_host *host, hwloc_const_bitmap_t set)
{
    int cpu;

    hwloc_bitmap_foreach_begin(cpu, set) {
        const kvl_host_cpu *c = kvl_host_cpu_by_id(host, (unsigned)cpu);

        if (!c || !c->siblings)
            return false;
    } hwloc_bitmap_foreach_end();
    return true;
}

/* The sibling set of the one host core holding all of `set`, or NULL. */
static hwloc_const_bitmap_t one_core(const kvl_host *host, hwloc_const_bitmap_t set)
{
    int first = hwloc_bitmap_first(set);
    const kvl_host_cpu *c;

    if (first < 0 || !(c = kvl_host_cpu_by_id(host, (unsigned)first)) || !c->siblings)
        return NULL;
    return hwloc_bitmap_isincluded(set, c->siblings) ? c->siblings : NULL;
}

/* Most threads of a host core; 0 when some CPU's siblings are unknown. */
static unsigned host_threads(const kvl_host *host)
{
    unsigned most = 0;

    for (size_t i = 0; i < host->ncpus; i++) {
        int w;

        if (!host->cpus[i].siblings)
            return 0;
        w = hwloc_bitmap_weight(host->cpus[i].siblings);
        if (w > 0 && (unsigned)w > most)
            most = (unsigned)w;
    }
    return most;
}

static void add_group(kvl_buf *b, unsigned *shown, const char *label,
                      hwloc_const_bitmap_t vcpus, hwloc_const_bitmap_t cpus)
{
    char *who, *on;

    if ((*shown)++ >= SHOWN_GROUPS) {
        if (*shown == SHOWN_GROUPS + 1)
            kvl_buf_adds(b, "; ...");
        return;
    }
    who = kvl_ru_set_phrase("vCPU", "vCPUs", vcpus);
    on = kvl_ru_set_phrase("host CPU", "host CPUs", cpus);
    kvl_buf_addf(b, "%s%s%s on %s", b->len ? "; " : "", label, who, on);
    free(who);
    free(on);
}

/* ---- threads=1: vCPUs sharing a host core ---- */

typedef struct core_use {
    hwloc_const_bitmap_t core;      /* the host core's siblings (borrowed) */
    hwloc_bitmap_t vcpus, cpus;
    kvl_ref where;                  /* the pin of its second vCPU */
} core_use;

static void check_shared_cores(kvl_check_ctx *ctx, unsigned n)
{
    const kvl_domain *dom = ctx->dom;
    core_use *uses = NULL;
    size_t nuses = 0, cap = 0;
    kvl_buf groups = KVL_BUF_INIT;
    kvl_ref where = 0;
    unsigned shown = 0, width = 2;
    bool unknown = false;

    for (unsigned v = 0; v < n; v++) {
        kvl_ref from = 0;
        hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, ctx->host, v, &from);
        hwloc_const_bitmap_t core;
        size_t i;

        if (!pin)
            continue;
        if (!(core = one_core(ctx->host, pin))) {
            unknown |= !siblings_known(ctx->host, pin);
            continue;
        }
        for (i = 0; i < nuses && !hwloc_bitmap_isequal(uses[i].core, core); i++)
            ;
        if (i == nuses) {
            KVL_GROW(uses, nuses, cap);
            uses[nuses].core = core;
            uses[nuses].vcpus = hwloc_bitmap_alloc();
            uses[nuses].cpus = hwloc_bitmap_alloc();
            uses[nuses].where = 0;
            nuses++;
        } else if (!uses[i].where) {
            uses[i].where = from;
        }
        hwloc_bitmap_set(uses[i].vcpus, v);
        hwloc_bitmap_or(uses[i].cpus, uses[i].cpus, pin);
    }

    for (size_t i = 0; i < nuses; i++) {
        /* two vCPUs on one and the same CPU is cpu-pin-shared's business */
        if (hwloc_bitmap_weight(uses[i].vcpus) < 2 || hwloc_bitmap_weight(uses[i].cpus) < 2)
            continue;
        add_group(&groups, &shown, "", uses[i].vcpus, uses[i].cpus);
        if (!where)
            where = uses[i].where;
        if ((unsigned)hwloc_bitmap_weight(uses[i].core) > width)
            width = (unsigned)hwloc_bitmap_weight(uses[i].core);
    }
    if (groups.len) {
        char *hint = kvl_xasprintf("pin each vCPU to a different host core, or show the sharing: "
                                   "threads='%u' with each guest core's vCPUs on one host core's siblings",
                                   width);

        kvl_report(ctx->sink, ctx->rule, where, "cpuset", hint,
                   "vCPUs are pinned onto SMT siblings of the same host core (%s) but %s, "
                   "so the guest schedules them as separate cores",
                   kvl_buf_str(&groups),
                   dom->has_topology ? "the guest topology has threads='1'"
                                     : "the guest has no <topology> (one thread per core)");
        free(hint);
    } else if (unknown) {
        kvl_skip(ctx, no_siblings);
    }
    for (size_t i = 0; i < nuses; i++) {
        hwloc_bitmap_free(uses[i].vcpus);
        hwloc_bitmap_free(uses[i].cpus);
    }
    free(uses);
    kvl_buf_free(&groups);
}

/* ---- threads=T>1: each guest core inside one host core ---- */

static void check_guest_cores(kvl_check_ctx *ctx, unsigned n, unsigned t)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t bad = hwloc_bitmap_alloc();
    hwloc_const_bitmap_t example = NULL;
    kvl_buf groups = KVL_BUF_INIT;
    kvl_ref where = 0;
    unsigned shown = 0, most;
    bool unknown = false;

    for (unsigned k = 0; k < n / t; k++) {
        hwloc_bitmap_t vcpus = hwloc_bitmap_alloc(), cpus = hwloc_bitmap_alloc();
        kvl_ref first = 0;
        bool all = true;

        for (unsigned v = k * t; v < (k + 1) * t; v++) {
            kvl_ref from = 0;
            hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, ctx->host, v, &from);

            if (!pin) {
                all = false;        /* floating: cpu-partial-pinning's business */
                break;
            }
            if (!first)
                first = from;
            hwloc_bitmap_set(vcpus, v);
            hwloc_bitmap_or(cpus, cpus, pin);
        }
        if (all && !siblings_known(ctx->host, cpus)) {
            unknown = true;
        } else if (all && !one_core(ctx->host, cpus)) {
            char *label = kvl_xasprintf("core %u: ", k);

            hwloc_bitmap_set(bad, k);
            add_group(&groups, &shown, label, vcpus, cpus);
            free(label);
            if (!where) {
                const kvl_host_cpu *c = kvl_host_cpu_by_id(ctx->host,
                                                           (unsigned)hwloc_bitmap_first(cpus));

                where = first;
                example = c ? c->siblings : NULL;
            }
        }
        hwloc_bitmap_free(vcpus);
        hwloc_bitmap_free(cpus);
    }

    if (!hwloc_bitmap_iszero(bad)) {
        char *which = kvl_ru_set_phrase("guest core", "guest cores", bad);
        char *hint;

        most = host_threads(ctx->host);
        if (most && most < t) {
            hint = kvl_xasprintf("host cores have %u threads: use threads='%u' or fewer, "
                                 "each guest core's vCPUs on one host core's siblings", most, most);
        } else if (example && hwloc_bitmap_weight(example) > 1) {
            char *sib = kvl_ru_set_str(example);

            hint = kvl_xasprintf("pin the %u vCPUs of each guest core to the SMT siblings of one "
                                 "host core (host CPUs %s are siblings), or set threads='1'", t, sib);
            free(sib);
        } else {
            hint = kvl_xasprintf("pin the %u vCPUs of each guest core to the SMT siblings of one "
                                 "host core, or set threads='1'", t);
        }
        kvl_report(ctx->sink, ctx->rule, where ? where : dom->topology_node, where ? "cpuset" : NULL,
                   hint, "%s %s not pinned inside one host core (%s) but with threads='%u' "
                   "the guest treats each core's vCPUs as SMT siblings",
                   which, hwloc_bitmap_weight(bad) == 1 ? "is" : "are", kvl_buf_str(&groups), t);
        free(which);
        free(hint);
    } else if (unknown) {
        kvl_skip(ctx, no_siblings);
    }
    hwloc_bitmap_free(bad);
    kvl_buf_free(&groups);
}

void kvl_check_cpu_smt_topology_mismatch(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    unsigned n, t = dom->threads;
    bool any_pin = false;

    if (!kvl_ru_vcpus(dom, &n))
        return;
    /* the guest core layout is only defined by a consistent topology */
    if (t > 1 && kvl_ru_topology_vcpus(dom) != n)
        return;
    for (unsigned v = 0; v < n && !any_pin; v++)
        any_pin = kvl_ru_vcpu_pin(dom, NULL, v, NULL) != NULL;
    if (t <= 1 && !any_pin)
        return;
    if (!kvl_need_host_nodes(ctx))
        return;

    if (t <= 1) {
        check_shared_cores(ctx, n);
        return;
    }
    if (host_threads(ctx->host) == 1) {
        kvl_report(ctx->sink, ctx->rule, dom->topology_node, "threads",
                   "set threads='1' and raise cores to keep the vCPU count",
                   "the guest topology has threads='%u' but the host has no SMT (each host CPU "
                   "is a core of its own), so the guest's sibling threads are separate cores", t);
        return;
    }
    if (any_pin)
        check_guest_cores(ctx, n, t);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_cpu_smt[] = {
    { "cpu-smt-topology-mismatch", kvl_check_cpu_smt_topology_mismatch, 0 },
    { NULL, NULL, 0 },
};
