/*
 * numa-hostdev-remote: PCI devices passed through to a VM (hostdevs,
 * hostdev interfaces, NVMe disks) that sit on a host NUMA node the VM does
 * not run on.  Their DMA and interrupts then cross the interconnect on
 * every I/O.  PCI locality only comes from hwloc snapshots; without one the
 * check is skipped.
 *
 * Where the VM runs: the host nodes of its vCPU pinning when every vCPU is
 * pinned, else the nodes its memory is bound to.  A VM with neither floats
 * over the host and no device is remote to it.  A device the snapshot does
 * not list, or lists above several nodes (node -1), has unknown locality:
 * that is reported as info, asking the user to check.
 */
#include <stdlib.h>
#include <string.h>

#include "placement/write.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/mem.h"

#include "util/banned.h"

/*
 * The host nodes the VM runs on (new bitmap, empty when it floats) and in
 * *how a phrase for messages ("the VM's vCPUs are pinned to", ...).
 */
static hwloc_bitmap_t vm_nodes(const kvl_domain *dom, const kvl_host *host, const char **how)
{
    hwloc_bitmap_t nodes;

    if (kvl_ru_is_pinned(dom, host)) {
        hwloc_bitmap_t cpus = kvl_ru_vcpu_pin_union(dom, host, NULL, NULL);

        nodes = kvl_ru_nodes_of(host, cpus);
        hwloc_bitmap_free(cpus);
        *how = "the VM's vCPUs are pinned to";
        return nodes;
    }
    nodes = hwloc_bitmap_alloc();
    *how = "the VM's memory is bound to";
    if (dom->numa_mode && kvl_ru_mode_binds(dom->numa_mode) && dom->numa_nodeset) {
        hwloc_bitmap_copy(nodes, dom->numa_nodeset);
        return nodes;
    }
    /* per-cell bindings place the VM only when they cover every cell */
    for (size_t i = 0; i < dom->ncells; i++) {
        const kvl_memnode *mn = kvl_ru_memnode(dom, kvl_ru_cell_id(dom, &dom->cells[i]));

        if (!mn || !mn->nodeset || !kvl_ru_mode_binds(mn->mode)) {
            hwloc_bitmap_zero(nodes);
            break;
        }
        hwloc_bitmap_or(nodes, nodes, mn->nodeset);
    }
    return nodes;
}

/* `owner` names the device holding the PCI address ("NVMe disk 'vdb'"), NULL
 * for a plain hostdev, which the address alone names. */
static void check_device(kvl_check_ctx *ctx, kvl_ref where, const kvl_pci_addr *pci,
                         const char *owner, hwloc_const_bitmap_t on, const char *how)
{
    const kvl_host_pci *dev = kvl_host_pci_find(ctx->host, pci->domain, pci->bus, pci->slot,
                                                pci->function);
    char *addr = kvl_ru_pci_str(pci);
    char *vm = kvl_ru_node_phrase("host node", "host nodes", on);
    char *name = owner ? kvl_xasprintf("%s (%s)", owner, addr) : kvl_xasprintf("hostdev %s", addr);

    if (!dev || dev->node < 0) {
        char *hint = kvl_xasprintf("check with lstopo which node %s is attached to, and place "
                                   "the VM there", addr);

        kvl_report_sev(ctx->sink, ctx->rule, KVL_SEV_INFO, where, NULL, hint,
                       "%s has unknown NUMA locality: the host snapshot %s; %s %s",
                       name, dev ? "does not tie it to one node" : "does not list it", how, vm);
        free(hint);
    } else if (!hwloc_bitmap_isset(on, (unsigned)dev->node)) {
        char *hint = kvl_xasprintf("re-place the VM (vCPUs, emulator, memory) on host node %d, "
                                   "or pass through a device of %s", dev->node, vm);

        kvl_report(ctx->sink, ctx->rule, where, NULL, hint,
                   "%s is attached to host node %d but %s %s, so its DMA and interrupts "
                   "cross nodes", name, dev->node, how, vm);
        kvl_place_propose(ctx);     /* device nodes come first */
        free(hint);
    }
    free(addr);
    free(vm);
    free(name);
}

void kvl_check_numa_hostdev_remote(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t on;
    const char *how;
    bool any = false;

    for (size_t i = 0; i < dom->nhostdevs && !any; i++)
        any = dom->hostdevs[i].has_pci_address;
    for (size_t i = 0; i < dom->nifaces && !any; i++)
        any = dom->ifaces[i].has_pci_address;
    for (size_t i = 0; i < dom->ndisks && !any; i++)
        any = dom->disks[i].has_pci_address;
    if (!any || kvl_ru_numa_auto(dom))
        return;
    if (!kvl_need_host_nodes(ctx))
        return;
    if (!ctx->host->has_pci) {
        kvl_skip(ctx, "the host snapshot has no PCI locality (use an hwloc snapshot)");
        return;
    }
    if (ctx->host->nnodes < 2)
        return;
    on = vm_nodes(dom, ctx->host, &how);
    if (hwloc_bitmap_iszero(on)) {
        hwloc_bitmap_free(on);
        return;
    }

    for (size_t i = 0; i < dom->nhostdevs; i++) {
        const kvl_hostdev *h = &dom->hostdevs[i];
        kvl_pci_addr pci = { h->domain, h->bus, h->slot, h->function };

        if (h->has_pci_address)
            check_device(ctx, h->node, &pci, NULL, on, how);
    }
    for (size_t i = 0; i < dom->nifaces; i++) {
        const kvl_iface *f = &dom->ifaces[i];
        char *name;

        if (!f->has_pci_address)
            continue;
        name = kvl_ru_iface_name(dom, f);
        check_device(ctx, f->node, &f->pci, name, on, how);
        free(name);
    }
    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *d = &dom->disks[i];
        char *name, *disk;

        if (!d->has_pci_address)
            continue;
        disk = kvl_ru_disk_name(dom, d);
        name = kvl_xasprintf("NVMe %s", disk);
        check_device(ctx, d->node, &d->pci, name, on, how);
        free(disk);
        free(name);
    }
    hwloc_bitmap_free(on);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_numa_hostdev[] = {
    { "numa-hostdev-remote", kvl_check_numa_hostdev_remote, 0 },
    { NULL, NULL, 0 },
};
