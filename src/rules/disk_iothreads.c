/*
 * IOThread checks.  Without an IOThread, QEMU processes the virtqueues of
 * every disk in its main loop, next to device emulation, monitor commands
 * and timers, so a VM with several busy vCPUs queues behind one thread.  An
 * IOThread (<iothreads>, assigned with driver@iothread on a virtio disk,
 * <driver><iothreads> to spread a disk's queues, or driver@iothread on a
 * virtio-scsi controller) gives the disk its own event loop that can be
 * pinned near the vCPUs.  libvirt refuses an assignment to an IOThread the
 * domain does not define and IOThreads on anything but virtio-blk disks and
 * virtio-scsi controllers; an IOThread nothing uses is a thread and a pin
 * set for nothing, usually a forgotten assignment.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

/* RULES.md: a busy VM has at least this many vCPUs. */
#define BUSY_VCPUS 4

static bool iothread_defined(const kvl_domain *dom, unsigned id)
{
    for (size_t i = 0; i < dom->niothread_ids; i++)
        if (dom->iothread_ids[i] == id)
            return true;
    return false;
}

static int cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

    return x < y ? -1 : x > y;
}

/*
 * "1-3,7" for a list of ids, sorted in place.  Ids may be as large as
 * UINT32_MAX, too sparse for an hwloc bitmap.
 */
static void add_ids(kvl_buf *b, unsigned *ids, size_t n)
{
    qsort(ids, n, sizeof(*ids), cmp_unsigned);
    for (size_t i = 0; i < n;) {
        size_t j = i;

        while (j + 1 < n && ids[j + 1] == ids[j] + 1)
            j++;
        kvl_buf_addf(b, i ? ",%u" : "%u", ids[i]);
        if (j > i)
            kvl_buf_addf(b, "-%u", ids[j]);
        i = j + 1;
    }
}

/* "IOThreads 1-2" / "IOThread 1" / "no IOThreads": what the domain defines. */
static char *defined_phrase(const kvl_domain *dom)
{
    kvl_buf b = KVL_BUF_INIT;
    unsigned *ids;

    if (dom->niothread_ids == 0)
        return kvl_xstrdup("no IOThreads");
    ids = kvl_xmalloc(dom->niothread_ids * sizeof(*ids));
    memcpy(ids, dom->iothread_ids, dom->niothread_ids * sizeof(*ids));
    kvl_buf_adds(&b, dom->niothread_ids == 1 ? "IOThread " : "IOThreads ");
    add_ids(&b, ids, dom->niothread_ids);
    free(ids);
    return kvl_buf_detach(&b);
}

/* The SCSI controller models libvirt lets own an IOThread. */
static bool virtio_scsi_model(const char *model)
{
    return kvl_ru_streq(model, "virtio-scsi") || kvl_ru_streq(model, "virtio-transitional") ||
           kvl_ru_streq(model, "virtio-non-transitional");
}

/* No model: libvirt's default depends on the architecture and the QEMU build. */
static bool model_unknown(const char *model)
{
    return !model || strcmp(model, "auto") == 0 || strcmp(model, "default") == 0;
}

/* ---- disk-iothread-invalid ---- */

/* The attribute goes (a bus or controller that cannot use an IOThread). */
static void propose_no_iothread(kvl_check_ctx *ctx, kvl_ref driver, const char *what)
{
    kvl_edit_remove_attr(kvl_fix_propose(ctx->sink, NULL, "no IOThread for %s", what), driver,
                         "iothread");
}

/*
 * IOThread `id` defined by raising <iothreads> to it; only for domains that
 * number their IOThreads 1..count (no <iothreadids>), whose intent is clear.
 */
static void propose_raise_iothreads(kvl_check_ctx *ctx, unsigned id)
{
    const kvl_domain *dom = ctx->dom;
    kvl_fix *fx;
    char *n;

    if (dom->iothreadids_node || id <= dom->iothreads)
        return;
    fx = kvl_fix_propose(ctx->sink, NULL, "<iothreads>%u</iothreads>", id);
    if (dom->iothreads_node) {
        n = kvl_xasprintf("%u", id);
        kvl_edit_set_text(fx, dom->iothreads_node, n);
        free(n);
    } else {
        kvl_edit_insert_after_or_child(fx, dom->vcpu_node, dom->root, "<iothreads>%u</iothreads>", id);
    }
}

static void check_disk_iothreads(kvl_check_ctx *ctx, const kvl_disk *disk, const char *defined)
{
    const kvl_domain *dom = ctx->dom;
    const char *bus = kvl_disk_bus(disk);
    char *name = kvl_ru_disk_name(dom, disk);

    if ((disk->has_iothread || disk->niothread_map) && bus && strcmp(bus, "virtio") != 0)
        kvl_report(ctx->sink, ctx->rule, disk->driver_node,
                   disk->has_iothread ? "iothread" : NULL,
                   bus && strcmp(bus, "scsi") == 0
                       ? "safe fix: move the IOThread to the disk's virtio-scsi controller (<driver iothread='N'/>)"
                       : "safe fix: remove the IOThread, or move the disk to bus='virtio'",
                   "%s on the %s bus has an IOThread, but only virtio disks can use one: libvirt refuses it",
                   name, bus);
    /* an <iothreads> queue map is the guest's layout: not for a fix to drop */
    if (disk->has_iothread && !disk->niothread_map && bus && strcmp(bus, "virtio") != 0)
        propose_no_iothread(ctx, disk->driver_node, name);
    if (disk->has_iothread && !iothread_defined(dom, disk->iothread)) {
        kvl_report(ctx->sink, ctx->rule, disk->driver_node, "iothread",
                   "safe fix: point it at a defined IOThread, or raise <iothreads>",
                   "%s uses IOThread %u, which the domain does not define (it has %s): libvirt refuses it",
                   name, disk->iothread, defined);
        propose_raise_iothreads(ctx, disk->iothread);
    }
    for (size_t k = 0; k < disk->niothread_map; k++)
        if (!iothread_defined(dom, disk->iothread_map[k].id))
            kvl_report(ctx->sink, ctx->rule, disk->iothread_map[k].node, "id",
                       "safe fix: map the queues to defined IOThreads, or raise <iothreads>",
                       "%s maps queues to IOThread %u, which the domain does not define (it has %s): libvirt refuses it",
                       name, disk->iothread_map[k].id, defined);
    free(name);
}

static void check_controller_iothread(kvl_check_ctx *ctx, const kvl_controller *c,
                                      const char *defined)
{
    const char *type = c->type ? c->type : "?";
    char *what = c->model ? kvl_xasprintf("%s controller %u (model %s)", type, c->index, c->model)
                          : kvl_xasprintf("%s controller %u", type, c->index);

    if (!kvl_ru_streq(c->type, "scsi") || (!virtio_scsi_model(c->model) && !model_unknown(c->model))) {
        kvl_report(ctx->sink, ctx->rule, c->driver_node, "iothread",
                   "safe fix: remove the IOThread, or use a virtio-scsi controller",
                   "%s has an IOThread, but only virtio-scsi controllers can use one: libvirt refuses it",
                   what);
        propose_no_iothread(ctx, c->driver_node, what);
    }
    if (!iothread_defined(ctx->dom, c->iothread)) {
        kvl_report(ctx->sink, ctx->rule, c->driver_node, "iothread",
                   "safe fix: point it at a defined IOThread, or raise <iothreads>",
                   "%s uses IOThread %u, which the domain does not define (it has %s): libvirt refuses it",
                   what, c->iothread, defined);
        propose_raise_iothreads(ctx, c->iothread);
    }
    free(what);
}

void kvl_check_disk_iothread_invalid(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    char *defined = defined_phrase(dom);

    for (size_t i = 0; i < dom->ndisks; i++)
        check_disk_iothreads(ctx, &dom->disks[i], defined);
    for (size_t i = 0; i < dom->ncontrollers; i++)
        if (dom->controllers[i].has_iothread)
            check_controller_iothread(ctx, &dom->controllers[i], defined);
    free(defined);
}

/* ---- disk-iothreads-sizing ---- */

/* A virtio-blk disk, or a disk behind an explicit virtio-scsi controller. */
static bool virtio_disk(const kvl_domain *dom, const kvl_disk *disk)
{
    const char *bus = kvl_disk_bus(disk);
    const kvl_controller *c;

    if (!kvl_disk_is_disk(disk) && !kvl_ru_streq(disk->device, "lun"))
        return false;
    if (kvl_ru_streq(bus, "virtio"))
        return true;
    if (!kvl_ru_streq(bus, "scsi"))
        return false;
    c = kvl_domain_controller(dom, "scsi", disk->address_controller);
    return c && virtio_scsi_model(c->model);
}

static bool scsi_controller_has_disk(const kvl_domain *dom, const kvl_controller *c)
{
    for (size_t i = 0; i < dom->ndisks; i++)
        if (kvl_ru_streq(kvl_disk_bus(&dom->disks[i]), "scsi") && virtio_disk(dom, &dom->disks[i])
            && kvl_domain_controller(dom, "scsi", dom->disks[i].address_controller) == c)
            return true;
    return false;
}

/* driver@iothread='1' on `driver`, or a new <driver> in `parent`. */
static void assign_iothread_1(kvl_fix *fx, kvl_ref driver, kvl_ref parent)
{
    if (driver)
        kvl_edit_set_attr(fx, driver, "iothread", "1");
    else
        kvl_edit_insert_child(fx, parent, "<driver iothread='1'/>");
}

/*
 * One IOThread serving every virtio disk: kvmlint cannot tell which
 * disks are busiest, and one IOThread already takes all of their I/O out of
 * the main loop.  A virtio-blk disk takes the attribute itself; a disk
 * behind virtio-scsi is served through its controller (libvirt refuses
 * driver@iothread on a SCSI disk).
 */
static void propose_one_iothread(kvl_check_ctx *ctx, const char *names)
{
    const kvl_domain *dom = ctx->dom;
    kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL,
                                  "<iothreads>1</iothreads> serving virtio %s", names);

    if (!fx)
        return;
    kvl_edit_insert_after_or_child(fx, dom->vcpu_node, dom->root, "<iothreads>1</iothreads>");
    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];

        if (virtio_disk(dom, disk) && kvl_ru_streq(kvl_disk_bus(disk), "virtio"))
            assign_iothread_1(fx, disk->driver_node, disk->node);
    }
    for (size_t i = 0; i < dom->ncontrollers; i++) {
        const kvl_controller *c = &dom->controllers[i];

        if (kvl_ru_streq(c->type, "scsi") && virtio_scsi_model(c->model)
            && scsi_controller_has_disk(dom, c))
            assign_iothread_1(fx, c->driver_node, c->node);
    }
}

static void report_no_iothreads(kvl_check_ctx *ctx, unsigned vcpus)
{
    const kvl_domain *dom = ctx->dom;
    kvl_buf names = KVL_BUF_INIT;
    size_t n = 0;

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        char *name;

        if (!virtio_disk(dom, disk))
            continue;
        /* "disk 'vda'" -> "'vda'", to list them after one "disks" */
        name = kvl_ru_disk_name(dom, disk);
        kvl_buf_adds(&names, n++ ? ", " : "");
        kvl_buf_adds(&names, name + strlen("disk "));
        free(name);
    }
    if (n) {
        kvl_report(ctx->sink, ctx->rule, dom->vcpu_node ? dom->vcpu_node : dom->root, NULL,
                   "safe fix: add <iothreads>1</iothreads> and driver iothread='1' on the busiest virtio disks",
                   "the VM has %u vCPUs but no IOThread: the I/O of virtio %s %s runs in QEMU's main loop",
                   vcpus, n > 1 ? "disks" : "disk", kvl_buf_str(&names));
        propose_one_iothread(ctx, kvl_buf_str(&names));
    }
    kvl_buf_free(&names);
}

static bool iothread_used(const kvl_domain *dom, unsigned id)
{
    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];

        if (disk->has_iothread && disk->iothread == id)
            return true;
        for (size_t k = 0; k < disk->niothread_map; k++)
            if (disk->iothread_map[k].id == id)
                return true;
    }
    for (size_t i = 0; i < dom->ncontrollers; i++)
        if (dom->controllers[i].has_iothread && dom->controllers[i].iothread == id)
            return true;
    return false;
}

static bool iothread_pinned(const kvl_domain *dom, unsigned id)
{
    for (size_t i = 0; i < dom->niothreadpins; i++)
        if (dom->iothreadpins[i].iothread == id)
            return true;
    return false;
}

/*
 * Unused IOThreads go only when that renumbers nothing: the domain numbers
 * them 1..count (no <iothreadids>) and the unused ones are the last, so
 * lowering the count keeps every assignment; none of them may be pinned
 * and no <iothreadsched> may exist (the model does not keep its ids, and a
 * pin or scheduler for a missing IOThread is refused).  Anything else needs a person
 * to move assignments, so the fix is declined.  When none is used, all of
 * <iothreads> and <iothreadids> go.
 */
static void propose_drop_unused(kvl_check_ctx *ctx, const unsigned *unused, size_t n,
                                const char *ids)
{
    const kvl_domain *dom = ctx->dom;
    unsigned keep = dom->iothreads - (unsigned)n;
    char *text;

    if (dom->iothreadsched_node) {
        kvl_fix_decline(ctx->sink, "an <iothreadsched> names IOThreads: remove the unused ones by hand");
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (iothread_pinned(dom, unused[i])) {
            kvl_fix_decline(ctx->sink, "IOThread %u has an <iothreadpin>", unused[i]);
            return;
        }
    if (!keep) {
        kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "IOThreads %s removed", ids);

        kvl_edit_remove_element(fx, dom->iothreads_node);
        kvl_edit_remove_element(fx, dom->iothreadids_node);
        return;
    }
    if (dom->iothreadids_node || !dom->iothreads_node) {
        kvl_fix_decline(ctx->sink, "<iothreadids> names the IOThreads: remove the unused ones by hand");
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (unused[i] != keep + 1 + i) {
            kvl_fix_decline(ctx->sink, "IOThread %u is used after an unused one: renumbering is manual",
                            dom->iothreads);
            return;
        }
    text = kvl_xasprintf("%u", keep);
    kvl_edit_set_text(kvl_fix_propose(ctx->sink, NULL, "<iothreads>%u</iothreads> (%s unused)", keep, ids),
                      dom->iothreads_node, text);
    free(text);
}

static void report_unused_iothreads(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    unsigned *unused = kvl_xmalloc(dom->niothread_ids * sizeof(*unused));
    kvl_buf ids = KVL_BUF_INIT;
    size_t n = 0;

    for (size_t i = 0; i < dom->niothread_ids; i++)
        if (!iothread_used(dom, dom->iothread_ids[i]))
            unused[n++] = dom->iothread_ids[i];
    if (n) {
        add_ids(&ids, unused, n);
        kvl_report(ctx->sink, ctx->rule,
                   dom->iothreadids_node ? dom->iothreadids_node : dom->iothreads_node, NULL,
                   "safe fix: set driver iothread='N' on a virtio disk or virtio-scsi controller, or remove the unused IOThreads",
                   "%s %s %s no disk and no controller", n == 1 ? "IOThread" : "IOThreads",
                   kvl_buf_str(&ids), n == 1 ? "serves" : "serve");
        propose_drop_unused(ctx, unused, n, kvl_buf_str(&ids));
    }
    kvl_buf_free(&ids);
    free(unused);
}

void kvl_check_disk_iothreads_sizing(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    unsigned vcpus;

    if (dom->niothread_ids)
        report_unused_iothreads(ctx);
    else if (kvl_ru_vcpus(dom, &vcpus) && vcpus >= BUSY_VCPUS)
        report_no_iothreads(ctx, vcpus);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_disk_iothreads[] = {
    { "disk-iothread-invalid", kvl_check_disk_iothread_invalid, 0 },
    { "disk-iothreads-sizing", kvl_check_disk_iothreads_sizing, 0 },
    { NULL, NULL, 0 },
};
