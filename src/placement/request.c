/*
 * What a VM asks the allocator for (plan.h "request"), read from its model:
 * vCPUs and guest threads per core, effective memory and the one hugepage
 * size backing it, whether it has IOThreads, and the host nodes its
 * passthrough devices sit on (they decide which node comes first).  Also
 * the options' parsers, which belong to no step in particular.
 */
#include <stdlib.h>
#include <string.h>

#include "placement/plan.h"
#include "rules/memory_util.h"
#include "rules/rule_util.h"

#include "util/banned.h"

void kvl_place_opts_init(kvl_place_opts *o)
{
    memset(o, 0, sizeof(*o));
}

static int parse_enum(const char *s, const char *const *names, int *out)
{
    for (int i = 0; names[i]; i++)
        if (s && !strcmp(s, names[i])) {
            *out = i;
            return 0;
        }
    return -1;
}

int kvl_place_strategy_parse(const char *s, kvl_place_strategy *out)
{
    static const char *const names[] = { "spread", "pack", NULL };
    int v;

    if (parse_enum(s, names, &v) < 0)
        return -1;
    *out = (kvl_place_strategy)v;
    return 0;
}

int kvl_thread_policy_parse(const char *s, kvl_thread_policy *out)
{
    static const char *const names[] = { "prefer", "isolate", "require", NULL };
    int v;

    if (parse_enum(s, names, &v) < 0)
        return -1;
    *out = (kvl_thread_policy)v;
    return 0;
}

int kvl_emulator_policy_parse(const char *s, kvl_emulator_policy *out)
{
    static const char *const names[] = { "share", "isolate", NULL };
    int v;

    if (parse_enum(s, names, &v) < 0)
        return -1;
    *out = (kvl_emulator_policy)v;
    return 0;
}

static void add_device_node(const kvl_host *host, hwloc_bitmap_t nodes, const kvl_pci_addr *a)
{
    const kvl_host_pci *p = kvl_host_pci_find(host, a->domain, a->bus, a->slot, a->function);

    if (p && p->node >= 0)
        hwloc_bitmap_set(nodes, (unsigned)p->node);
}

/* The one page size of a hugepage-backed VM; false when there are several
 * or the host's default size (which no snapshot tells) is meant. */
static bool page_size(const kvl_domain *dom, const kvl_host *host, uint64_t *page_kib)
{
    kvl_mem_part *parts = NULL;
    size_t n = kvl_mem_parts(dom, host, 0, &parts);
    bool ok = n > 0;

    *page_kib = n ? parts[0].page_kib : 0;
    for (size_t i = 1; i < n; i++)
        if (parts[i].page_kib != *page_kib)
            ok = false;
    if (*page_kib == KVL_MEM_PAGE_DEFAULT)
        ok = false;
    free(parts);
    return ok;
}

bool kvl_place_req_init(kvl_place_req *req, const kvl_domain *dom, const kvl_host *host,
                        const char **why)
{
    memset(req, 0, sizeof(*req));
    if (!kvl_ru_vcpus(dom, &req->vcpus) || req->vcpus == 0) {
        *why = "the vCPU count is not known";
        return false;
    }
    req->threads = dom->threads ? dom->threads : 1;
    if (req->vcpus % req->threads)
        req->threads = 1;       /* cpu-topology-mismatch's business: pack no cores */
    if (!kvl_domain_effective_memory(dom, &req->memory_kib)) {
        *why = "the memory size is not known";
        return false;
    }
    if (kvl_mem_hugepage_backed(dom, host) && !page_size(dom, host, &req->page_kib)) {
        *why = "the hugepage size is not one known size";
        return false;
    }
    req->has_iothreads = dom->niothread_ids > 0;
    req->dev_nodes = hwloc_bitmap_alloc();
    for (size_t i = 0; i < dom->nhostdevs; i++)
        if (dom->hostdevs[i].has_pci_address) {
            kvl_pci_addr a = { dom->hostdevs[i].domain, dom->hostdevs[i].bus,
                               dom->hostdevs[i].slot, dom->hostdevs[i].function };
            add_device_node(host, req->dev_nodes, &a);
        }
    for (size_t i = 0; i < dom->nifaces; i++)
        if (dom->ifaces[i].has_pci_address)
            add_device_node(host, req->dev_nodes, &dom->ifaces[i].pci);
    for (size_t i = 0; i < dom->ndisks; i++)
        if (dom->disks[i].has_pci_address)
            add_device_node(host, req->dev_nodes, &dom->disks[i].pci);
    return true;
}

void kvl_place_req_clear(kvl_place_req *req)
{
    if (!req)
        return;
    hwloc_bitmap_free(req->dev_nodes);
    req->dev_nodes = NULL;
}
