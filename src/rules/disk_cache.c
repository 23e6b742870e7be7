/*
 * Disk cache and I/O mode checks.  The cache mode decides whether a disk's
 * I/O goes through the host page cache (writeback, writethrough, unsafe,
 * QEMU's default) or straight to the storage with O_DIRECT (none,
 * directsync); the io mode decides how QEMU submits requests: a pool of
 * worker threads (threads, the default), Linux AIO (native) or io_uring.
 * For a VM that drives its disks hard, cache none with native or io_uring
 * I/O gives the lowest and steadiest latency and keeps guest data out of
 * host memory.  libvirt refuses native I/O on a cached disk.
 *
 * The page cache and the AIO engine are properties of local files and
 * block devices: network disks (rbd, iscsi, nbd, ...), userspace NVMe and
 * vhost-user disks map the cache modes onto their own client caches, and
 * pool volumes may be either, so only the flush-ignoring unsafe mode is
 * judged for them.  A writable shareable disk without a cache mode is not
 * cached: libvirt starts it with cache none (kvl_ru_disk_cache).
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/mem.h"

#include "util/banned.h"

/* A local file or block device (libvirt reads no type as file). */
static bool local_storage(const kvl_disk *disk)
{
    return !disk->type || strcmp(disk->type, "file") == 0 || strcmp(disk->type, "block") == 0;
}

/* O_DIRECT: the host page cache is bypassed. */
static bool direct_cache(const char *cache)
{
    return kvl_ru_streq(cache, "none") || kvl_ru_streq(cache, "directsync");
}

/* The <driver> to point at, else the <disk>. */
static kvl_ref driver_or_disk(const kvl_disk *disk)
{
    return disk->driver_node ? disk->driver_node : disk->node;
}

/* The fix of both cache rules: cache='none' on the <driver> (a new one when
 * the disk has none). */
static void propose_cache_none(kvl_check_ctx *ctx, const kvl_disk *disk, const char *name)
{
    kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "cache='none' for %s", name);

    if (disk->driver_node)
        kvl_edit_set_attr(fx, disk->driver_node, "cache", "none");
    else
        kvl_edit_insert_child(fx, disk->node, "<driver name='qemu' cache='none'/>");
}

/* ---- disk-io-native-cache ---- */

void kvl_check_disk_io_native_cache(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        char *name;

        if (!kvl_ru_streq(disk->io, "native") || direct_cache(disk->cache))
            continue;
        name = kvl_ru_disk_name(dom, disk);
        if (disk->cache)
            kvl_report(ctx->sink, ctx->rule, disk->driver_node, "cache", "safe fix: cache='none'",
                       "%s has io='native' with cache='%s': libvirt refuses native I/O unless cache is none or directsync",
                       name, disk->cache);
        else
            kvl_report(ctx->sink, ctx->rule, disk->driver_node, "io", "safe fix: cache='none'",
                       "%s has io='native' but no cache mode (QEMU's default is writeback): libvirt refuses native I/O unless cache is none or directsync",
                       name);
        propose_cache_none(ctx, disk, name);
        free(name);
    }
}

/* ---- disk-cache-mode ---- */

/* What an explicit host-cached mode means, for the message; NULL: not judged. */
static const char *cache_mode_cost(const char *cache)
{
    static const struct {
        const char *mode, *cost;
    } modes[] = {
        { "writeback", ": its I/O goes through the host page cache, which holds the data a second time and makes latency depend on host memory pressure" },
        { "default", ", which is QEMU's writeback: its I/O goes through the host page cache, which holds the data a second time and makes latency depend on host memory pressure" },
        { "writethrough", ": every write waits until the host has flushed it to storage, and reads go through the host page cache" },
    };

    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (kvl_ru_streq(cache, modes[i].mode))
            return modes[i].cost;
    return NULL;
}

void kvl_check_disk_cache_mode(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    bool pinned = kvl_ru_is_pinned(dom, ctx->host);

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        const char *cache = kvl_ru_disk_cache(disk);
        const char *cost = cache_mode_cost(cache);
        char *name;

        /* libvirt always attaches CD-ROMs read-only, and refuses any cache
         * mode on a vhost-user disk */
        if (disk->readonly || kvl_ru_streq(disk->device, "cdrom") ||
            kvl_ru_streq(disk->type, "vhostuser"))
            continue;
        name = kvl_ru_disk_name(dom, disk);
        if (kvl_ru_streq(cache, "unsafe")) {
            kvl_report(ctx->sink, ctx->rule, disk->driver_node, "cache",
                       "safe fix: cache='none'; keep unsafe only for throw-away installs",
                       "%s has cache='unsafe': QEMU ignores the guest's flushes, so a host crash or power loss loses writes the guest believes are on disk and can corrupt its file systems",
                       name);
            propose_cache_none(ctx, disk, name);
        } else if (cost && local_storage(disk)) {
            kvl_report(ctx->sink, ctx->rule, disk->driver_node, "cache", "safe fix: cache='none'",
                       "%s has cache='%s'%s", name, cache, cost);
            propose_cache_none(ctx, disk, name);
        } else if (!cache && local_storage(disk) && kvl_disk_is_hot(dom, disk, pinned)) {
            kvl_report(ctx->sink, ctx->rule, driver_or_disk(disk), NULL, "safe fix: cache='none'",
                       "hot %s has no cache mode, so QEMU uses writeback: its I/O goes through the host page cache",
                       name);
            propose_cache_none(ctx, disk, name);
        }
        free(name);
    }
}

/* ---- disk-io-mode ---- */

/* io='native' makes a writable disk hot (RULES.md "Hot disk"): on a qcow2
 * disk that is not hot yet, the fix would only trade this info for
 * disk-qcow2-hot, so it waits for the image to be raw. */
static bool native_makes_qcow2_hot(const kvl_domain *dom, const kvl_disk *disk, bool pinned)
{
    return kvl_ru_streq(disk->driver_type, "qcow2") && kvl_disk_is_disk(disk) &&
           !disk->readonly && !kvl_disk_is_hot(dom, disk, pinned);
}

void kvl_check_disk_io_mode(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    bool pinned = kvl_ru_is_pinned(dom, ctx->host);
    static const char hint[] =
        "safe fix: io='native', or io='io_uring' on hosts with Linux >= 5.1 and QEMU >= 5.0";
    static const char hint_qcow2[] =
        "convert the image to raw first (qemu-img convert -O raw), then set io='native' or io='io_uring'";

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        bool hold = native_makes_qcow2_hot(dom, disk, pinned);
        char *name;

        if (!direct_cache(disk->cache) || (disk->io && strcmp(disk->io, "threads") != 0) ||
            !local_storage(disk) ||
            (!kvl_disk_is_disk(disk) && !kvl_ru_streq(disk->device, "lun")))
            continue;
        name = kvl_ru_disk_name(dom, disk);
        /* the host model has no kernel or QEMU version to tell io_uring apart */
        if (disk->io)
            kvl_report(ctx->sink, ctx->rule, disk->driver_node, "io", hold ? hint_qcow2 : hint,
                       "%s has cache='%s' with io='threads': a pool of QEMU worker threads submits its I/O",
                       name, disk->cache);
        else
            kvl_report(ctx->sink, ctx->rule, disk->driver_node, "cache", hold ? hint_qcow2 : hint,
                       "%s has cache='%s' but no io mode, so a pool of QEMU worker threads submits its I/O",
                       name, disk->cache);
        /* native: io_uring needs a kernel and QEMU the host model cannot tell */
        if (!hold)
            kvl_edit_set_attr(kvl_fix_propose(ctx->sink, NULL, "io='native' for %s", name),
                              disk->driver_node, "io", "native");
        free(name);
    }
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_disk_cache[] = {
    { "disk-cache-mode", kvl_check_disk_cache_mode, 0 },
    { "disk-io-mode", kvl_check_disk_io_mode, 0 },
    { "disk-io-native-cache", kvl_check_disk_io_native_cache, 0 },
    { NULL, NULL, 0 },
};
