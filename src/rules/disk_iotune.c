/*
 * I/O limit checks (<iotune>).  QEMU throttles each disk with six leaky
 * buckets: total, read and write, each for bytes and for operations per
 * second, every bucket with a rate (*_sec), an optional burst rate
 * (*_sec_max) and a burst length in seconds (*_sec_max_length).  A total
 * limit and a read or write limit of the same kind would fight over the same
 * requests, so libvirt refuses the pair; QEMU refuses a burst length longer
 * than its 1-second default without a burst rate; libvirt refuses a
 * throttle group_name on a disk with no limits.  As in libvirt and QEMU, a
 * value of 0 means "not set".
 *
 * On a host shared by several VMs, a disk without limits lets one guest
 * take the whole storage bandwidth from the others (the noisy neighbour).
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/mem.h"

#include "util/banned.h"

static uint64_t iotune_value(const kvl_disk *disk, kvl_iotune_key key)
{
    return (disk->iotune_set & (1u << key)) ? disk->iotune[key] : 0;
}

/* The element to point at: the value's own, else <iotune>. */
static kvl_ref iotune_at(const kvl_disk *disk, kvl_iotune_key key)
{
    return disk->iotune_nodes[key] ? disk->iotune_nodes[key] : disk->iotune_node;
}

/* ---- disk-iotune-invalid ---- */

/* Each kind's total key; read and write follow it in kvl_iotune_key. */
static const kvl_iotune_key total_keys[] = {
    KVL_IOTUNE_TOTAL_BYTES_SEC, KVL_IOTUNE_TOTAL_IOPS_SEC,
    KVL_IOTUNE_TOTAL_BYTES_SEC_MAX, KVL_IOTUNE_TOTAL_IOPS_SEC_MAX,
};

static void check_total_with_rw(kvl_check_ctx *ctx, const kvl_disk *disk, const char *name)
{
    for (size_t i = 0; i < sizeof(total_keys) / sizeof(total_keys[0]); i++) {
        kvl_iotune_key total = total_keys[i], rd = total + 1, wr = total + 2;
        bool r = iotune_value(disk, rd) != 0, w = iotune_value(disk, wr) != 0;
        char *hint;

        if (!iotune_value(disk, total) || (!r && !w))
            continue;
        hint = kvl_xasprintf("keep either %s or %s/%s", kvl_iotune_name(total),
                             kvl_iotune_name(rd), kvl_iotune_name(wr));
        kvl_report(ctx->sink, ctx->rule, iotune_at(disk, total), NULL, hint,
                   "%s sets %s together with %s%s%s: libvirt refuses a total limit next to read/write limits of the same kind",
                   name, kvl_iotune_name(total), r ? kvl_iotune_name(rd) : "",
                   r && w ? " and " : "", w ? kvl_iotune_name(wr) : "");
        free(hint);
    }
}

/* Lengths and burst rates of the six buckets, in the same order. */
static void check_length_without_max(kvl_check_ctx *ctx, const kvl_disk *disk, const char *name)
{
    for (unsigned b = 0; b < 6; b++) {
        kvl_iotune_key max = KVL_IOTUNE_TOTAL_BYTES_SEC_MAX + b;
        kvl_iotune_key len = KVL_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH + b;
        uint64_t length = iotune_value(disk, len);
        char *hint;

        /* 1 second is QEMU's own default burst length, accepted without a burst */
        if (length <= 1 || iotune_value(disk, max))
            continue;
        hint = kvl_xasprintf("set %s, or remove %s", kvl_iotune_name(max), kvl_iotune_name(len));
        kvl_report(ctx->sink, ctx->rule, iotune_at(disk, len), NULL, hint,
                   "%s sets %s to %llu seconds without %s: QEMU refuses a burst length without a burst rate",
                   name, kvl_iotune_name(len), (unsigned long long)length, kvl_iotune_name(max));
        free(hint);
    }
}

/* libvirt's "has any" setting: a rate, a burst rate or a burst length. */
static bool iotune_has_any(const kvl_disk *disk)
{
    for (unsigned k = 0; k <= KVL_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH; k++)
        if (iotune_value(disk, (kvl_iotune_key)k))
            return true;
    return false;
}

void kvl_check_disk_iotune_invalid(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        char *name;

        if (!disk->iotune_node)
            continue;
        name = kvl_ru_disk_name(dom, disk);
        check_total_with_rw(ctx, disk, name);
        check_length_without_max(ctx, disk, name);
        /* a value that did not parse may have been the limit */
        if (disk->iotune_group && !disk->iotune_invalid && !iotune_has_any(disk))
            kvl_report(ctx->sink, ctx->rule, disk->iotune_group_node, NULL,
                       "give the disk the group's limits, or remove group_name",
                       "%s is in I/O throttle group '%s' but sets no limit: libvirt refuses a group_name without limits",
                       name, disk->iotune_group);
        free(name);
    }
}

/* ---- disk-iotune-missing ---- */

void kvl_check_disk_iotune_missing(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    /* RULES.md "Fleet": the domains of one run share one host */
    if (ctx->fleet->n < 2)
        return;
    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        char *name;

        /* libvirt refuses <iotune> on vhost-user disks */
        if (!kvl_disk_is_disk(disk) || disk->readonly || disk->has_iotune ||
            kvl_ru_streq(disk->type, "vhostuser"))
            continue;
        name = kvl_ru_disk_name(dom, disk);
        kvl_report(ctx->sink, ctx->rule, disk->target_node ? disk->target_node : disk->node, NULL,
                   "set <iotune> limits (total_iops_sec, total_bytes_sec) to the VM's share of the storage",
                   "%s has no I/O limits while %zu VMs share the host: one busy guest can starve the others",
                   name, ctx->fleet->n);
        free(name);
    }
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_disk_iotune[] = {
    { "disk-iotune-invalid", kvl_check_disk_iotune_invalid, 0 },
    { "disk-iotune-missing", kvl_check_disk_iotune_missing, 0 },
    { NULL, NULL, 0 },
};
