/*
 * Element identity: which model object an element ref belongs to, named by
 * what identifies the object in the domain (a disk's target, an interface's
 * MAC, a cell's id) instead of where it sits in the file.  Fingerprints
 * (src/lint/fingerprint.c) and suppression targets are built on it, so a
 * finding keeps its identity when lines are added or moved elsewhere.
 *
 * The source map knows, for every element, the last element of its subtree
 * (kvl_doc_ref_last), so "inside this disk" is a range test on refs and no
 * DOM is needed: the engine has freed it by the time findings are
 * fingerprinted.  Every object the model keeps is a candidate; the one with
 * the largest ref whose subtree holds the element is the innermost owner.
 */
#include "model/domain.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>

#include "model/cpuset.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

/* The elements the model keeps one of, and their names. */
static const struct {
    size_t offset;
    const char *name;
} singletons[] = {
    { offsetof(kvl_domain, root), "domain" },
    { offsetof(kvl_domain, name_node), "name" },
    { offsetof(kvl_domain, os_node), "os" },
    { offsetof(kvl_domain, memory_node), "memory" },
    { offsetof(kvl_domain, current_memory_node), "currentMemory" },
    { offsetof(kvl_domain, max_memory_node), "maxMemory" },
    { offsetof(kvl_domain, vcpu_node), "vcpu" },
    { offsetof(kvl_domain, iothreads_node), "iothreads" },
    { offsetof(kvl_domain, iothreadids_node), "iothreadids" },
    { offsetof(kvl_domain, cputune_node), "cputune" },
    { offsetof(kvl_domain, emulatorpin_node), "emulatorpin" },
    { offsetof(kvl_domain, cpu_node), "cpu" },
    { offsetof(kvl_domain, topology_node), "cpu/topology" },
    { offsetof(kvl_domain, numa_node), "cpu/numa" },
    { offsetof(kvl_domain, numatune_node), "numatune" },
    { offsetof(kvl_domain, numa_memory_node), "numatune/memory" },
    { offsetof(kvl_domain, membacking_node), "memoryBacking" },
    { offsetof(kvl_domain, hugepages_node), "memoryBacking/hugepages" },
    { offsetof(kvl_domain, memtune_node), "memtune" },
    { offsetof(kvl_domain, hard_limit_node), "memtune/hard_limit" },
    { offsetof(kvl_domain, soft_limit_node), "memtune/soft_limit" },
    { offsetof(kvl_domain, swap_hard_limit_node), "memtune/swap_hard_limit" },
    { offsetof(kvl_domain, min_guarantee_node), "memtune/min_guarantee" },
    { offsetof(kvl_domain, features_node), "features" },
    { offsetof(kvl_domain, hyperv_node), "features/hyperv" },
    { offsetof(kvl_domain, clock_node), "clock" },
    { offsetof(kvl_domain, devices_node), "devices" },
    { offsetof(kvl_domain, memballoon.node), "memballoon" },
    { offsetof(kvl_domain, meta_node), "kvmlint:hints" },
};

/* Kinds of objects kept in arrays. */
typedef enum owner_kind {
    OWN_SINGLETON, OWN_VCPUPIN, OWN_IOTHREADPIN, OWN_VCPUSCHED, OWN_CELL,
    OWN_MEMNODE, OWN_PAGE, OWN_DISK, OWN_CONTROLLER, OWN_IFACE, OWN_HOSTDEV,
    OWN_MEMDEV, OWN_FILESYSTEM, OWN_RNG, OWN_CHANNEL, OWN_TIMER, OWN_HV_FEATURE,
    OWN_SUPPRESS,
} owner_kind;

typedef struct owner {
    const kvl_domain *dom;
    kvl_ref ref;                /* the element asked about */
    kvl_ref best;               /* ref of the innermost owner so far, 0 none */
    owner_kind kind;
    size_t index;               /* singleton row, or array index */
} owner;

/* Is `ref` inside the element `node` (or the element itself)? */
static void consider(owner *o, kvl_ref node, owner_kind kind, size_t index)
{
    if (node == 0 || node > o->ref || node <= o->best)
        return;
    if (o->ref != node && o->ref > kvl_doc_ref_last(o->dom->doc, node))
        return;
    o->best = node;
    o->kind = kind;
    o->index = index;
}

static void find_owner(owner *o)
{
    const kvl_domain *d = o->dom;

    for (size_t i = 0; i < sizeof(singletons) / sizeof(singletons[0]); i++)
        consider(o, *(const kvl_ref *)((const char *)d + singletons[i].offset),
                 OWN_SINGLETON, i);
    for (size_t i = 0; i < d->nvcpupins; i++)
        consider(o, d->vcpupins[i].node, OWN_VCPUPIN, i);
    for (size_t i = 0; i < d->niothreadpins; i++)
        consider(o, d->iothreadpins[i].node, OWN_IOTHREADPIN, i);
    for (size_t i = 0; i < d->nvcpuscheds; i++)
        consider(o, d->vcpuscheds[i].node, OWN_VCPUSCHED, i);
    for (size_t i = 0; i < d->ncells; i++)
        consider(o, d->cells[i].node, OWN_CELL, i);
    for (size_t i = 0; i < d->nmemnodes; i++)
        consider(o, d->memnodes[i].node, OWN_MEMNODE, i);
    for (size_t i = 0; i < d->npages; i++)
        consider(o, d->pages[i].node, OWN_PAGE, i);
    for (size_t i = 0; i < d->ndisks; i++)
        consider(o, d->disks[i].node, OWN_DISK, i);
    for (size_t i = 0; i < d->ncontrollers; i++)
        consider(o, d->controllers[i].node, OWN_CONTROLLER, i);
    for (size_t i = 0; i < d->nifaces; i++)
        consider(o, d->ifaces[i].node, OWN_IFACE, i);
    for (size_t i = 0; i < d->nhostdevs; i++)
        consider(o, d->hostdevs[i].node, OWN_HOSTDEV, i);
    for (size_t i = 0; i < d->nmemdevs; i++)
        consider(o, d->memdevs[i].node, OWN_MEMDEV, i);
    for (size_t i = 0; i < d->nfilesystems; i++)
        consider(o, d->filesystems[i].node, OWN_FILESYSTEM, i);
    for (size_t i = 0; i < d->nrngs; i++)
        consider(o, d->rngs[i].node, OWN_RNG, i);
    for (size_t i = 0; i < d->nchannels; i++)
        consider(o, d->channels[i].node, OWN_CHANNEL, i);
    for (size_t i = 0; i < d->ntimers; i++)
        consider(o, d->timers[i].node, OWN_TIMER, i);
    for (size_t i = 0; i < KVL_HV_N; i++)
        consider(o, d->hyperv[i].node, OWN_HV_FEATURE, i);
    for (size_t i = 0; i < d->nsuppress; i++)
        consider(o, d->suppress[i].node, OWN_SUPPRESS, i);
}

static char *lowercase(char *s)
{
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

static char *name_of(const owner *o)
{
    const kvl_domain *d = o->dom;
    size_t i = o->index;

    switch (o->kind) {
    case OWN_SINGLETON:
        return kvl_xstrdup(singletons[i].name);
    case OWN_VCPUPIN:
        return kvl_xasprintf("vcpupin:%u", d->vcpupins[i].vcpu);
    case OWN_IOTHREADPIN:
        return kvl_xasprintf("iothreadpin:%u", d->iothreadpins[i].iothread);
    case OWN_VCPUSCHED:
        if (d->vcpuscheds[i].vcpus) {
            char *set = kvl_cpuset_format(d->vcpuscheds[i].vcpus);
            char *s = kvl_xasprintf("vcpusched:%s", set);
            free(set);
            return s;
        }
        return kvl_xasprintf("vcpusched#%zu", i + 1);
    case OWN_CELL:
        return kvl_xasprintf("cell:%u", d->cells[i].id);
    case OWN_MEMNODE:
        return d->memnodes[i].has_cellid ? kvl_xasprintf("memnode:%u", d->memnodes[i].cellid)
                                         : kvl_xasprintf("memnode#%zu", i + 1);
    case OWN_PAGE:
        return d->pages[i].size_kib
                   ? kvl_xasprintf("page:%llu", (unsigned long long)d->pages[i].size_kib)
                   : kvl_xasprintf("page#%zu", i + 1);
    case OWN_DISK:
        return d->disks[i].target ? kvl_xasprintf("disk:%s", d->disks[i].target)
                                  : kvl_xasprintf("disk#%zu", i + 1);
    case OWN_CONTROLLER:
        return d->controllers[i].type
                   ? kvl_xasprintf("controller:%s:%u", d->controllers[i].type,
                                   d->controllers[i].index)
                   : kvl_xasprintf("controller#%zu", i + 1);
    case OWN_IFACE:
        return d->ifaces[i].mac ? lowercase(kvl_xasprintf("interface:%s", d->ifaces[i].mac))
                                : kvl_xasprintf("interface#%zu", i + 1);
    case OWN_HOSTDEV:
        if (d->hostdevs[i].has_pci_address)
            return kvl_xasprintf("hostdev:%04x:%02x:%02x.%x", d->hostdevs[i].domain,
                                 d->hostdevs[i].bus, d->hostdevs[i].slot,
                                 d->hostdevs[i].function);
        return kvl_xasprintf("hostdev#%zu", i + 1);
    case OWN_MEMDEV:
        return kvl_xasprintf("memdev#%zu", i + 1);
    case OWN_FILESYSTEM:
        return d->filesystems[i].target ? kvl_xasprintf("filesystem:%s", d->filesystems[i].target)
                                        : kvl_xasprintf("filesystem#%zu", i + 1);
    case OWN_RNG:
        return kvl_xasprintf("rng#%zu", i + 1);
    case OWN_CHANNEL:
        return d->channels[i].target_name
                   ? kvl_xasprintf("channel:%s", d->channels[i].target_name)
                   : kvl_xasprintf("channel#%zu", i + 1);
    case OWN_TIMER:
        return d->timers[i].name ? kvl_xasprintf("timer:%s", d->timers[i].name)
                                 : kvl_xasprintf("timer#%zu", i + 1);
    case OWN_HV_FEATURE:
        return kvl_xasprintf("features/hyperv/%s", kvl_hv_feature_name((kvl_hv_feature)i));
    case OWN_SUPPRESS:
        return kvl_xasprintf("suppress#%zu", i + 1);
    }
    return kvl_xstrdup("domain");
}

char *kvl_domain_ref_identity(const kvl_domain *dom, kvl_ref ref)
{
    owner o = { dom, ref, 0, OWN_SINGLETON, 0 };

    if (!dom)
        return kvl_xstrdup("document");
    if (ref == 0)
        return kvl_xstrdup("domain");
    find_owner(&o);
    return o.best ? name_of(&o) : kvl_xstrdup("domain");
}
