/*
 * Disk format checks.  qcow2 pays for its features (snapshots, thin
 * allocation, backing chains) with metadata lookups and cluster allocation
 * on the I/O path; that is fine for a boot disk, not for a disk the VM is
 * meant to drive hard.  Which disks are "hot" is RULES.md's definition,
 * computed by the domain model (kvl_disk_is_hot).
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/mem.h"

#include "util/banned.h"

/* ---- disk-qcow2-hot ---- */

void kvl_check_disk_qcow2_hot(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    bool pinned = kvl_domain_is_pinned(dom, ctx->host ? ctx->host->all_cpus : NULL);

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

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_disk[] = {
    { "disk-qcow2-hot", kvl_check_disk_qcow2_hot, 0 },
    { NULL, NULL, 0 },
};
