/*
 * The host map of `kvmlint check --explain-placement` (plan.h): what each
 * VM of a fleet holds on each host node as the files stand (vCPU,
 * emulator and IOThread pins), and what is left once they all are
 * occupancy (occupancy.c): free CPUs, ordinary memory and hugepages.  It
 * shows the input, not the plans: the findings' fix lines say where
 * placement would move a VM.
 */
#include <stdlib.h>
#include <string.h>

#include "placement/plan.h"
#include "rules/rule_util.h"

#include "util/banned.h"

/* The CPUs of node `hn` in the vCPU pins of `dom` (floating sets skipped). */
static void vcpu_cpus_on(const kvl_domain *dom, const kvl_host *host, const kvl_host_node *hn,
                         hwloc_bitmap_t out)
{
    unsigned n;

    hwloc_bitmap_zero(out);
    if (!kvl_ru_vcpus(dom, &n))
        return;
    for (unsigned v = 0; v < n; v++) {
        hwloc_const_bitmap_t pin = kvl_ru_vcpu_pin(dom, host, v, NULL);

        if (pin && !kvl_ru_covers_host(host, pin))
            hwloc_bitmap_or(out, out, pin);
    }
    hwloc_bitmap_and(out, out, hn->cpus);
}

static void helper_cpus_on(const kvl_domain *dom, const kvl_host *host, const kvl_host_node *hn,
                           hwloc_bitmap_t out)
{
    hwloc_const_bitmap_t e = kvl_domain_emulator_pin(dom, NULL);

    hwloc_bitmap_zero(out);
    if (e && !kvl_ru_covers_host(host, e))
        hwloc_bitmap_or(out, out, e);
    for (size_t i = 0; i < dom->niothread_ids; i++) {
        hwloc_const_bitmap_t p = kvl_domain_iothread_pin(dom, dom->iothread_ids[i], NULL);

        if (p && !kvl_ru_covers_host(host, p))
            hwloc_bitmap_or(out, out, p);
    }
    hwloc_bitmap_and(out, out, hn->cpus);
}

static void print_set(FILE *out, const char *label, hwloc_const_bitmap_t set)
{
    char *s = kvl_ru_set_str(set);

    fprintf(out, "%s %s", label, hwloc_bitmap_iszero(set) ? "none" : s);
    free(s);
}

static void print_node(FILE *out, const kvl_occupancy *occ, const kvl_occ_node *on,
                       const kvl_domain *const *doms, const char *const *names, size_t n)
{
    const kvl_host *host = occ->host;
    hwloc_bitmap_t v = hwloc_bitmap_alloc(), h = hwloc_bitmap_alloc();
    hwloc_bitmap_t res = hwloc_bitmap_alloc();
    char *cpus = kvl_ru_set_str(on->hn->cpus);
    char *cap = kvl_ru_size_str(kvl_host_node_capacity_kib(on->hn));
    char *left = kvl_ru_size_str(on->mem_free_kib);

    fprintf(out, "host node %u: CPUs %s, %s usable\n", on->hn->id, cpus, cap);
    for (size_t i = 0; i < n; i++) {
        vcpu_cpus_on(doms[i], host, on->hn, v);
        helper_cpus_on(doms[i], host, on->hn, h);
        if (hwloc_bitmap_iszero(v) && hwloc_bitmap_iszero(h))
            continue;
        fprintf(out, "  %s: ", names[i]);
        print_set(out, "vCPUs on", v);
        print_set(out, ", emulator/IOThreads on", h);
        fputc('\n', out);
    }
    hwloc_bitmap_and(res, occ->reserved, on->hn->cpus);
    if (!hwloc_bitmap_iszero(res)) {
        print_set(out, "  reserved:", res);
        fputc('\n', out);
    }
    print_set(out, "  free: CPUs", on->free);
    fprintf(out, "; memory %s of %s", left, cap);
    for (size_t k = 0; k < on->npages; k++) {
        char *sz = kvl_ru_size_str(on->pages[k].size_kib);

        /* the base page size is the ordinary memory above */
        if (on->hn->pages[k].count && on->pages[k].size_kib > 4)
            fprintf(out, "; %s pages %llu of %llu", sz, (unsigned long long)on->pages[k].free,
                    (unsigned long long)on->hn->pages[k].count);
        free(sz);
    }
    fputc('\n', out);
    free(cpus);
    free(cap);
    free(left);
    hwloc_bitmap_free(v);
    hwloc_bitmap_free(h);
    hwloc_bitmap_free(res);
}

int kvl_place_explain(FILE *out, const kvl_host *host, const kvl_domain *const *doms,
                      const char *const *names, size_t n, hwloc_const_bitmap_t reserved)
{
    kvl_occupancy *occ = kvl_occ_new(host, reserved);

    if (!occ)
        return -1;
    for (size_t i = 0; i < n; i++)
        kvl_occ_add_domain(occ, doms[i]);
    for (size_t i = 0; i < occ->nnodes; i++)
        print_node(out, occ, &occ->nodes[i], doms, names, n);
    kvl_occ_free(occ);
    return 0;
}
