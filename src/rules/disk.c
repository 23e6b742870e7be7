/*
 * Disk format and placement checks: qcow2 and image files on hot disks,
 * CD-ROMs on buses without removable media, and disks shared between VMs.
 * qcow2 pays for its features (snapshots, thin allocation, backing chains)
 * with metadata lookups and cluster allocation on the I/O path, and an image
 * file adds the host file system under every request; both are fine for a
 * boot disk, not for a disk the VM is meant to drive hard.  Which disks are
 * "hot" is RULES.md's definition, computed by the domain model
 * (kvl_disk_is_hot).  Cache and I/O modes live in disk_cache.c, IOThreads
 * in disk_iothreads.c, I/O limits in disk_iotune.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/mem.h"

#include "util/banned.h"

/* ---- disk-qcow2-hot ---- */

void kvl_check_disk_qcow2_hot(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    bool pinned = kvl_ru_is_pinned(dom, ctx->host);

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        char *name, *hint;

        if (!kvl_ru_streq(disk->driver_type, "qcow2") || !kvl_disk_is_hot(dom, disk, pinned))
            continue;
        name = kvl_ru_disk_name(dom, disk);
        /* Only an image file converts in place to a sibling path; for a
         * block device or a network volume the target must be chosen. */
        if (disk->source && (!disk->type || strcmp(disk->type, "file") == 0))
            hint = kvl_xasprintf("with the VM off: qemu-img convert -p -O raw %s %s.raw, then use the copy with type='raw'",
                                 disk->source, disk->source);
        else
            hint = kvl_xstrdup("with the VM off: qemu-img convert -p -O raw SRC DST, then use DST with type='raw'");
        if (disk->source && disk->target)
            kvl_report(ctx->sink, ctx->rule, disk->driver_node, "type", hint,
                       "hot %s (%s) uses the qcow2 format", name, disk->source);
        else
            kvl_report(ctx->sink, ctx->rule, disk->driver_node, "type", hint,
                       "hot %s uses the qcow2 format", name);
        free(name);
        free(hint);
    }
}

/* ---- disk-file-backed-hot ---- */

void kvl_check_disk_file_backed_hot(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    bool pinned = kvl_ru_is_pinned(dom, ctx->host);

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        char *name;

        /* libvirt reads a <disk> without type as type='file'; a pool volume
         * may be either, so it is not judged */
        if ((disk->type && strcmp(disk->type, "file") != 0) || !disk->source ||
            !kvl_disk_is_hot(dom, disk, pinned))
            continue;
        name = kvl_ru_disk_name(dom, disk);
        kvl_report(ctx->sink, ctx->rule, disk->type ? disk->node : disk->source_node,
                   disk->type ? "type" : "file",
                   "put the data on a block device (LVM volume, partition or LUN): type='block' with <source dev='...'/>",
                   "hot %s is the image file %s, so its I/O also goes through the host file system",
                   name, disk->source);
        free(name);
    }
}

/* ---- disk-cdrom-virtio ---- */

/* Where a CD-ROM can go on this machine type, as a hint. */
static const char *cdrom_bus_hint(const char *machine)
{
    if (machine && strstr(machine, "q35"))
        return "safe fix: bus='sata' with a target sdX";
    if (machine && strncmp(machine, "pc", 2) == 0)
        return "safe fix: bus='ide' with a target hdX";
    if (machine)
        return "safe fix: bus='scsi' on a virtio-scsi controller, with a target sdX";
    return "safe fix: bus='sata' (q35), 'ide' (i440fx) or 'scsi' (virtio-scsi controller), with a target sdX or hdX";
}

/*
 * The bus the hint names for this machine, with a free target of its
 * prefix; nothing when the machine type is unknown.  The drive address of
 * the old bus goes.
 */
static void propose_cdrom_bus(kvl_check_ctx *ctx, const kvl_disk *disk, unsigned *next_sd,
                              unsigned *next_hd)
{
    const char *machine = ctx->dom->machine;
    bool ide = machine && strncmp(machine, "pc", 2) == 0 && !strstr(machine, "q35");
    const char *bus = !machine ? NULL : strstr(machine, "q35") ? "sata" : ide ? "ide" : "scsi";
    char *target;
    kvl_fix *fx;

    if (!bus)
        return;
    target = kvl_ru_free_disk_target(ctx->dom, ide ? "hd" : "sd", ide ? next_hd : next_sd);
    fx = kvl_fix_propose(ctx->sink, NULL, "bus='%s' and target '%s' for the cdrom", bus, target);
    kvl_edit_set_attr(fx, disk->target_node, "bus", bus);
    kvl_edit_set_attr(fx, disk->target_node, "dev", target);
    kvl_edit_remove_element(fx, disk->address_node);
    free(target);
}

void kvl_check_disk_cdrom_virtio(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    unsigned next_sd = 0, next_hd = 0;

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        const char *bus = kvl_disk_bus(disk);
        const char *what = disk->target ? disk->target : disk->source;

        if (!kvl_ru_streq(disk->device, "cdrom") || !bus ||
            (strcmp(bus, "virtio") != 0 && strcmp(bus, "sd") != 0))
            continue;
        if (what)
            kvl_report(ctx->sink, ctx->rule, disk->target_node, disk->bus ? "bus" : "dev",
                       cdrom_bus_hint(dom->machine),
                       "cdrom '%s' is on the %s bus, which has no removable media: libvirt refuses it",
                       what, bus);
        else
            kvl_report(ctx->sink, ctx->rule, disk->target_node, disk->bus ? "bus" : "dev",
                       cdrom_bus_hint(dom->machine),
                       "cdrom #%zu is on the %s bus, which has no removable media: libvirt refuses it",
                       i + 1, bus);
        propose_cdrom_bus(ctx, disk, &next_sd, &next_hd);
    }
}

/* ---- disk-shareable-unsafe ---- */

static bool disk_or_lun(const kvl_disk *disk)
{
    return kvl_disk_is_disk(disk) || kvl_ru_streq(disk->device, "lun");
}

/* none and directsync open the image with O_DIRECT: no host page cache. */
static bool host_cached(const char *cache)
{
    return !kvl_ru_streq(cache, "none") && !kvl_ru_streq(cache, "directsync");
}

void kvl_check_disk_shareable_unsafe(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        kvl_ref at = disk->driver_node ? disk->driver_node : disk->node;
        const char *cache;
        char *name;

        if (!disk->shareable || !disk_or_lun(disk))
            continue;
        name = kvl_ru_disk_name(dom, disk);
        /* libvirt allows concurrent writers only on raw images */
        if (!disk->readonly && kvl_ru_streq(disk->driver_type, "qcow2"))
            kvl_report(ctx->sink, ctx->rule, disk->driver_node, "type",
                       "convert it to raw (qemu-img convert -O raw), or remove <shareable/>",
                       "shareable %s is a writable qcow2 image, whose metadata two VMs cannot update at once: libvirt refuses it",
                       name);
        /* libvirt's documentation: caching should be off for a shared
         * device.  libvirt itself turns it off on a writable one without a
         * cache mode, and leaves a read-only one without a mode cached, so
         * only an explicit mode is the administrator's choice to question. */
        cache = kvl_ru_disk_cache(disk);
        if (cache && host_cached(cache))
            kvl_report_sev(ctx->sink, ctx->rule, KVL_SEV_WARNING, at, "cache",
                           "safe fix: cache='none'",
                           "shareable %s%s is cached on the host (cache='%s'), so the VMs sharing it can see stale data",
                           disk->readonly ? "read-only " : "", name, cache);
        /* the cache only; the qcow2 one needs a conversion (manual) */
        if (cache && host_cached(cache))
            kvl_edit_set_attr(kvl_fix_propose(ctx->sink, NULL, "cache='none' for %s", name),
                              disk->driver_node, "cache", "none");
        free(name);
    }
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_disk[] = {
    { "disk-cdrom-virtio", kvl_check_disk_cdrom_virtio, 0 },
    { "disk-file-backed-hot", kvl_check_disk_file_backed_hot, 0 },
    { "disk-qcow2-hot", kvl_check_disk_qcow2_hot, 0 },
    { "disk-shareable-unsafe", kvl_check_disk_shareable_unsafe, 0 },
    { NULL, NULL, 0 },
};
