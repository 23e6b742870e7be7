/*
 * Para-virtual device checks: disks on emulated buses, emulated SCSI host
 * adapters, NICs with an emulated model, and virtio NICs served by QEMU's
 * userspace backend instead of vhost-net.  Emulated devices cost a VM exit
 * per register access, where virtio batches requests through shared rings.
 *
 * What libvirt picks when the XML leaves a model out depends on the guest
 * architecture, so the rules that judge an absent model know the defaults
 * per architecture and stay silent when the architecture is unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/mem.h"

#include "util/banned.h"

/* ---- SCSI host adapters ---- */

typedef enum scsi_kind {
    SCSI_FINE,          /* virtio-scsi, or a para-virtual HBA (ibmvscsi) */
    SCSI_EMULATED,      /* an emulated hardware HBA */
    SCSI_UNKNOWN,       /* cannot tell: unknown model, or no model and no arch */
} scsi_kind;

static const char *const scsi_emulated[] = {
    "lsilogic", "lsisas1068", "lsisas1078", "buslogic", "vmpvscsi",
    "am53c974", "dc390", "ncr53c90", NULL,
};

static const char *const scsi_fine[] = {
    "virtio-scsi", "virtio-transitional", "virtio-non-transitional", "ibmvscsi", NULL,
};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (kvl_ru_streq(*list, s))
            return true;
    return false;
}

/*
 * What a SCSI controller with `model` is on `arch`.  For an emulated one,
 * *hba names the adapter (the model, or libvirt's default for the arch).
 */
static scsi_kind scsi_model_kind(const char *model, const char *arch, const char **hba)
{
    *hba = model;
    if (!model || strcmp(model, "auto") == 0 || strcmp(model, "default") == 0) {
        /* libvirt's default: lsilogic on PC machines, ibmvscsi on pseries,
         * virtio-scsi on the virt-only machines. */
        if (kvl_ru_arch_is_x86(arch)) {
            *hba = "lsilogic";
            return SCSI_EMULATED;
        }
        return arch ? SCSI_FINE : SCSI_UNKNOWN;
    }
    if (in_list(scsi_fine, model))
        return SCSI_FINE;
    if (in_list(scsi_emulated, model))
        return SCSI_EMULATED;
    return SCSI_UNKNOWN;
}

static bool model_absent(const char *model)
{
    return !model || strcmp(model, "auto") == 0 || strcmp(model, "default") == 0;
}

/* ---- disk-bus-not-virtio ---- */

#define DISK_GUEST_NEEDS "the virtio-blk driver before the bus changes (viostor from virtio-win on Windows); its device names become /dev/vdX"
#define SCSI_GUEST_NEEDS "the virtio-scsi driver before the controller changes (vioscsi from virtio-win on Windows)"

/*
 * To virtio: the drive (or USB) address and the attributes only the old bus
 * has go, the target gets a free vdX name; <boot order> stays, and no
 * controller is added.
 */
static void propose_virtio_disk(kvl_check_ctx *ctx, const kvl_disk *disk, const char *name,
                                unsigned *next_vd)
{
    char *target = kvl_ru_free_disk_target(ctx->dom, "vd", next_vd);
    kvl_fix *fx = kvl_fix_propose(ctx->sink, DISK_GUEST_NEEDS,
                                  "bus='virtio' and target '%s' for %s%s", target, name,
                                  disk->address_node ? ", its drive address dropped" : "");

    kvl_edit_set_attr(fx, disk->target_node, "bus", "virtio");
    kvl_edit_set_attr(fx, disk->target_node, "dev", target);
    kvl_edit_remove_attr(fx, disk->target_node, "removable");
    kvl_edit_remove_attr(fx, disk->target_node, "rotation_rate");
    kvl_edit_remove_element(fx, disk->address_node);
    free(target);
}

/* A virtio-scsi model for SCSI controller `index`: on its element, or a new
 * element where libvirt would add an emulated one. */
static void propose_virtio_scsi(kvl_check_ctx *ctx, const kvl_controller *ctl, unsigned index)
{
    kvl_fix *fx = kvl_fix_propose_kind(ctx->sink, KVL_FIX_UNSAFE, SCSI_GUEST_NEEDS,
                                       "model='virtio-scsi' on scsi controller %u", index);

    if (ctl)
        kvl_edit_set_attr(fx, ctl->node, "model", "virtio-scsi");
    else
        kvl_edit_insert_child(fx, ctx->dom->devices_node,
                              "<controller type='scsi' index='%u' model='virtio-scsi'/>", index);
}

void kvl_check_disk_bus_not_virtio(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *arch = kvl_ru_arch(dom, ctx->host);
    unsigned next_vd = 0;

    for (size_t i = 0; i < dom->ndisks; i++) {
        const kvl_disk *disk = &dom->disks[i];
        const char *bus = kvl_disk_bus(disk);
        const char *attr;
        char *name;

        if (!kvl_disk_is_disk(disk) || !bus)
            continue;
        attr = disk->bus ? "bus" : "dev";
        name = kvl_ru_disk_name(dom, disk);
        if (strcmp(bus, "ide") == 0 || strcmp(bus, "sata") == 0 || strcmp(bus, "usb") == 0
            || strcmp(bus, "sd") == 0) {
            kvl_report(ctx->sink, ctx->rule, disk->target_node, attr,
                       "unsafe fix: bus='virtio' (target vdX, no drive address); the guest needs virtio drivers (virtio-win on Windows)",
                       "%s is on the emulated %s bus", name, bus);
            propose_virtio_disk(ctx, disk, name, &next_vd);
        } else if (strcmp(bus, "scsi") == 0) {
            unsigned index = disk->address_controller;
            const kvl_controller *ctl = kvl_domain_controller(dom, "scsi", index);
            const char *model = ctl ? ctl->model : NULL;
            const char *hba;

            if (scsi_model_kind(model, arch, &hba) == SCSI_EMULATED) {
                if (!ctl)
                    kvl_report(ctx->sink, ctx->rule, disk->target_node, attr,
                               "unsafe fix: a virtio-scsi controller or bus='virtio'; the guest needs virtio drivers (virtio-win on Windows)",
                               "%s is on scsi controller %u, which the XML does not declare, so libvirt adds it implicitly as an emulated %s HBA on %s",
                               name, index, hba, arch);
                else if (model_absent(model))
                    kvl_report(ctx->sink, ctx->rule, disk->target_node, attr,
                               "unsafe fix: a virtio-scsi controller or bus='virtio'; the guest needs virtio drivers (virtio-win on Windows)",
                               "%s is on scsi controller %u, which has no model, so libvirt emulates an %s HBA on %s",
                               name, index, hba, arch);
                else
                    kvl_report(ctx->sink, ctx->rule, disk->target_node, attr,
                               "unsafe fix: a virtio-scsi controller or bus='virtio'; the guest needs virtio drivers (virtio-win on Windows)",
                               "%s is on scsi controller %u, an emulated %s HBA", name, index, hba);
                propose_virtio_scsi(ctx, ctl, index);
            }
        }
        free(name);
    }
}

/* ---- virtio-scsi-controller-model ---- */

void kvl_check_virtio_scsi_controller_model(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *arch = kvl_ru_arch(dom, ctx->host);

    for (size_t i = 0; i < dom->ncontrollers; i++) {
        const kvl_controller *ctl = &dom->controllers[i];
        const char *hba;

        if (!kvl_ru_streq(ctl->type, "scsi"))
            continue;
        if (scsi_model_kind(ctl->model, arch, &hba) != SCSI_EMULATED)
            continue;
        if (model_absent(ctl->model))
            kvl_report(ctx->sink, ctx->rule, ctl->node, ctl->model ? "model" : NULL,
                       "unsafe fix: model='virtio-scsi'; the guest needs the virtio-scsi driver (vioscsi on Windows)",
                       "scsi controller %u has no model, so libvirt emulates an %s HBA on %s",
                       ctl->index, hba, arch);
        else
            kvl_report(ctx->sink, ctx->rule, ctl->node, "model",
                       "unsafe fix: model='virtio-scsi'; the guest needs the virtio-scsi driver (vioscsi on Windows)",
                       "scsi controller %u is an emulated %s HBA", ctl->index, hba);
        propose_virtio_scsi(ctx, ctl, ctl->index);
    }
}

/* ---- network interfaces ---- */

/* Interface types backed by a host tap or macvtap device, where the model
 * is the guest's choice and vhost-net can serve virtio. */
static bool iface_tap_backed(const kvl_iface *iface)
{
    static const char *const types[] = { "network", "bridge", "direct", "ethernet", NULL };

    return in_list(types, iface->type);
}

static bool model_is_virtio(const char *model)
{
    return kvl_ru_streq(model, "virtio") || kvl_ru_streq(model, "virtio-transitional")
        || kvl_ru_streq(model, "virtio-non-transitional");
}

/* 1 virtio, 0 not, -1 cannot tell (no model and unknown arch). */
static int iface_virtio(const kvl_iface *iface, const char *arch)
{
    if (iface->model)
        return model_is_virtio(iface->model);
    /* s390x has no emulated NIC: libvirt uses virtio there. */
    if (!arch)
        return -1;
    return strcmp(arch, "s390x") == 0;
}

void kvl_check_net_model_not_virtio(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *arch = kvl_ru_arch(dom, ctx->host);
    const char *hint = "unsafe fix: <model type='virtio'/>; the guest needs the virtio-net driver (netkvm on Windows)";

    for (size_t i = 0; i < dom->nifaces; i++) {
        const kvl_iface *iface = &dom->ifaces[i];
        kvl_fix *fx;
        char *name;

        if (!iface_tap_backed(iface) || iface_virtio(iface, arch) != 0)
            continue;
        name = kvl_ru_iface_name(dom, iface);
        if (iface->model)
            kvl_report(ctx->sink, ctx->rule, iface->model_node, "type", hint,
                       "%s uses the emulated %s NIC model", name, iface->model);
        else
            kvl_report(ctx->sink, ctx->rule, iface->node, NULL, hint,
                       "%s has no model, so QEMU emulates the machine type's default NIC", name);
        fx = kvl_fix_propose(ctx->sink,
                             "the virtio-net driver (netkvm from virtio-win on Windows); the NIC may get a new name in the guest",
                             "<model type='virtio'/> for %s", name);
        if (iface->model_node)
            kvl_edit_set_attr(fx, iface->model_node, "type", "virtio");
        else
            kvl_edit_insert_child(fx, iface->node, "<model type='virtio'/>");
        free(name);
    }
}

/* ---- net-userspace-backend ---- */

void kvl_check_net_userspace_backend(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *arch = kvl_ru_arch(dom, ctx->host);

    for (size_t i = 0; i < dom->nifaces; i++) {
        const kvl_iface *iface = &dom->ifaces[i];
        char *name;

        if (!iface_tap_backed(iface) || iface_virtio(iface, arch) != 1
            || !kvl_ru_streq(iface->driver_name, "qemu"))
            continue;
        name = kvl_ru_iface_name(dom, iface);
        kvl_report(ctx->sink, ctx->rule, iface->driver_node, "name",
                   "drop name='qemu' from <driver> (or set name='vhost') so the in-kernel vhost-net backend is used",
                   "virtio %s is served by QEMU's userspace backend (driver name='qemu') instead of vhost-net",
                   name);
        kvl_edit_set_attr(kvl_fix_propose(ctx->sink, NULL, "driver name='vhost' for %s", name),
                          iface->driver_node, "name", "vhost");
        free(name);
    }
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_virtio[] = {
    { "disk-bus-not-virtio", kvl_check_disk_bus_not_virtio, 0 },
    { "net-model-not-virtio", kvl_check_net_model_not_virtio, 0 },
    { "net-userspace-backend", kvl_check_net_userspace_backend, 0 },
    { "virtio-scsi-controller-model", kvl_check_virtio_scsi_controller_model, 0 },
    { NULL, NULL, 0 },
};
