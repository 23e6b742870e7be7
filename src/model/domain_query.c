/*
 * Derived facts about a domain, as RULES.md "Definitions" states them:
 * effective pinning and memory, pinned and latency-critical VMs, the boot
 * disk, hot disks, the bus a disk really uses.  Rules share these instead
 * of each re-deriving them, so every rule means the same thing by "pinned".
 * Everything here reads the model only, and loops are bounded by the
 * vCPU count (<= KVL_VCPUS_MAX) or an array length.
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain.h"
#include "util/banned.h"

static bool streq(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

bool kvl_domain_is_kvm_scope(const kvl_domain *dom)
{
    return streq(dom->type, "kvm") || streq(dom->type, "qemu");
}

static bool add_kib(uint64_t *sum, uint64_t v)
{
    if (*sum > UINT64_MAX - v)
        return false;
    *sum += v;
    return true;
}

bool kvl_domain_effective_memory(const kvl_domain *dom, uint64_t *kib)
{
    uint64_t sum = 0;

    if (dom->ncells == 0) {
        if (!dom->has_memory)
            return false;
        *kib = dom->memory_kib;
        return true;
    }
    for (size_t i = 0; i < dom->ncells; i++)
        if (!dom->cells[i].has_memory || !add_kib(&sum, dom->cells[i].memory_kib))
            return false;
    for (size_t i = 0; i < dom->nmemdevs; i++)
        if (!dom->memdevs[i].has_size || !add_kib(&sum, dom->memdevs[i].size_kib))
            return false;
    *kib = sum;
    return true;
}

const kvl_vcpupin *kvl_domain_vcpupin(const kvl_domain *dom, unsigned vcpu)
{
    if (vcpu < dom->vcpus && dom->vcpupin_of)
        return dom->vcpupin_of[vcpu];
    /* out of range: rules reporting such entries still want to find them */
    for (size_t i = 0; i < dom->nvcpupins; i++)
        if (dom->vcpupins[i].vcpu == vcpu)
            return &dom->vcpupins[i];
    return NULL;
}

bool kvl_domain_placement_auto(const kvl_domain *dom)
{
    if (dom->vcpu_placement)
        return strcmp(dom->vcpu_placement, "auto") == 0;
    /* libvirt: absent placement follows numatune's, unless a cpuset is given */
    return !dom->vcpu_cpuset && streq(dom->numa_placement, "auto");
}

/* <vcpu cpuset> as libvirt applies it: ignored under placement='auto'. */
static hwloc_const_bitmap_t vcpu_cpuset(const kvl_domain *dom, kvl_ref *node)
{
    if (!dom->vcpu_cpuset || kvl_domain_placement_auto(dom))
        return NULL;
    if (node)
        *node = dom->vcpu_node;
    return dom->vcpu_cpuset;
}

hwloc_const_bitmap_t kvl_domain_vcpu_pin(const kvl_domain *dom, unsigned vcpu,
                                         kvl_ref *node)
{
    const kvl_vcpupin *pin = kvl_domain_vcpupin(dom, vcpu);

    if (node)
        *node = 0;
    if (pin && pin->cpus) {
        if (node)
            *node = pin->node;
        return pin->cpus;
    }
    return vcpu_cpuset(dom, node);
}

hwloc_const_bitmap_t kvl_domain_emulator_pin(const kvl_domain *dom, kvl_ref *node)
{
    if (node)
        *node = 0;
    if (dom->emulatorpin) {
        if (node)
            *node = dom->emulatorpin_node;
        return dom->emulatorpin;
    }
    return vcpu_cpuset(dom, node);
}

hwloc_const_bitmap_t kvl_domain_iothread_pin(const kvl_domain *dom, unsigned id,
                                             kvl_ref *node)
{
    if (node)
        *node = 0;
    for (size_t i = 0; i < dom->niothreadpins; i++) {
        const kvl_iothreadpin *p = &dom->iothreadpins[i];

        if (p->iothread != id)
            continue;
        if (!p->cpus)
            break;
        if (node)
            *node = p->node;
        return p->cpus;
    }
    return vcpu_cpuset(dom, node);
}

bool kvl_domain_is_pinned(const kvl_domain *dom, hwloc_const_bitmap_t all_host_cpus)
{
    hwloc_const_bitmap_t set = vcpu_cpuset(dom, NULL);

    if (dom->vcpus == 0)
        return false;
    /* a restricting <vcpu cpuset> pins every vCPU that has no vcpupin */
    if (set && (!all_host_cpus || !hwloc_bitmap_isincluded(all_host_cpus, set)))
        return true;
    for (unsigned v = 0; v < dom->vcpus; v++) {
        const kvl_vcpupin *pin = dom->vcpupin_of[v];

        if (!pin || !pin->cpus)
            return false;
    }
    return true;
}

/* Every vCPU's effective set is one host CPU, and no two share it. */
static bool pinned_one_to_one(const kvl_domain *dom)
{
    hwloc_bitmap_t used;
    bool ok = true;

    if (dom->vcpus == 0)
        return false;
    used = hwloc_bitmap_alloc();
    for (unsigned v = 0; ok && v < dom->vcpus; v++) {
        hwloc_const_bitmap_t set = kvl_domain_vcpu_pin(dom, v, NULL);
        int cpu;

        if (!set || hwloc_bitmap_weight(set) != 1) {
            ok = false;
            break;
        }
        cpu = hwloc_bitmap_first(set);
        if (hwloc_bitmap_isset(used, (unsigned)cpu))
            ok = false;
        hwloc_bitmap_set(used, (unsigned)cpu);
    }
    hwloc_bitmap_free(used);
    return ok;
}

bool kvl_domain_is_latency_critical(const kvl_domain *dom)
{
    if (dom->meta_critical || dom->by_config.critical || (dom->hugepages && dom->locked))
        return true;
    for (size_t i = 0; i < dom->nvcpuscheds; i++)
        if (streq(dom->vcpuscheds[i].scheduler, "fifo") ||
            streq(dom->vcpuscheds[i].scheduler, "rr"))
            return true;
    return pinned_one_to_one(dom);
}

bool kvl_domain_is_windows(const kvl_domain *dom)
{
    static const char win[] = "http://microsoft.com/win/";

    return dom->meta_windows || dom->by_config.windows || dom->hyperv_node ||
           (dom->os_id && strncmp(dom->os_id, win, sizeof(win) - 1) == 0);
}

bool kvl_disk_is_disk(const kvl_disk *disk)
{
    return !disk->device || strcmp(disk->device, "disk") == 0;
}

const kvl_disk *kvl_domain_boot_disk(const kvl_domain *dom)
{
    const kvl_disk *best = NULL, *first = NULL;

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *d = &dom->disks[i];

        if (!kvl_disk_is_disk(d))
            continue;
        if (!first)
            first = d;
        if (d->boot_order && (!best || d->boot_order < best->boot_order))
            best = d;
    }
    return best ? best : first;
}

const char *kvl_disk_bus(const kvl_disk *disk)
{
    static const struct {
        const char *prefix, *bus;
    } by_name[] = {
        { "hd", "ide" }, { "sd", "scsi" }, { "vd", "virtio" },
        { "xvd", "xen" }, { "ub", "usb" },
    };
    const char *t = disk->target;

    if (disk->bus && *disk->bus)
        return disk->bus;
    if (streq(disk->device, "floppy"))
        return "fdc";
    if (!t)
        return NULL;
    for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
        if (strncmp(t, by_name[i].prefix, strlen(by_name[i].prefix)) == 0)
            return by_name[i].bus;
    return NULL;
}

bool kvl_disk_is_hot(const kvl_domain *dom, const kvl_disk *disk, bool pinned)
{
    if (!kvl_disk_is_disk(disk) || disk->readonly)
        return false;
    if (disk->hot_annotated || disk->hot_by_config || disk->has_iothread || disk->has_iotune ||
        streq(disk->io, "native") || streq(disk->io, "io_uring"))
        return true;
    if (!pinned && !kvl_domain_is_latency_critical(dom))
        return false;
    return disk != kvl_domain_boot_disk(dom);
}

const kvl_controller *kvl_domain_controller(const kvl_domain *dom, const char *type,
                                            unsigned index)
{
    for (size_t i = 0; i < dom->ncontrollers; i++) {
        const kvl_controller *c = &dom->controllers[i];

        if (streq(c->type, type) && c->index == index)
            return c;
    }
    return NULL;
}

uint64_t kvl_domain_default_page_kib(const kvl_domain *dom)
{
    for (size_t i = 0; i < dom->npages; i++)
        if (!dom->pages[i].has_nodeset)
            return dom->pages[i].size_kib;
    return 0;
}
