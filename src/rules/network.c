/*
 * Network interface tuning and the NIC settings libvirt or QEMU refuse:
 * virtio NICs left with one queue pair on multi-vCPU guests, queue counts
 * the guest cannot use, ring sizes outside what virtio-net takes, traffic
 * shaping on passed-through VFs, and vhost-user ports without a virtio
 * front end.  The NIC model and backend rules (emulated models, the
 * userspace backend) are in virtio.c.
 *
 * A multi-queue virtio NIC gives each vCPU its own RX/TX ring and vhost
 * worker, so packet processing scales with the guest instead of funnelling
 * through one queue.  The suggested count is one queue per vCPU, capped by
 * how many queues the host's tap driver allows (kvl_config.tap_queue_limit).
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/mem.h"

#include "util/banned.h"

/* virtio-net's ring size range (QEMU: a power of two in 256..1024). */
#define RING_MIN 256u
#define RING_MAX 1024u

static kvl_ref iface_driver_or_model(const kvl_iface *iface)
{
    if (iface->driver_node)
        return iface->driver_node;
    return iface->model_node ? iface->model_node : iface->node;
}

/* queues='n' on the NIC's <driver>, a new <driver> when it has none. */
static void set_queues(kvl_fix *fx, const kvl_iface *iface, unsigned n)
{
    if (iface->driver_node)
        kvl_edit_set_attr_uint(fx, iface->driver_node, "queues", n);
    else
        kvl_edit_insert_child(fx, iface->node, "<driver queues='%u'/>", n);
}

/* ---- net-multiqueue-missing ---- */

void kvl_check_net_multiqueue_missing(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *arch = kvl_ru_arch(dom, ctx->host);
    unsigned vcpus, queues;

    if (!kvl_ru_vcpus(dom, &vcpus) || vcpus < 2)
        return;
    queues = vcpus < ctx->cfg->tap_queue_limit ? vcpus : ctx->cfg->tap_queue_limit;
    if (queues < 2)
        return;
    for (size_t i = 0; i < dom->nifaces; i++) {
        const kvl_iface *iface = &dom->ifaces[i];
        char *name, *hint;

        if (iface->has_queues || !kvl_ru_iface_tap_backed(iface)
            || kvl_ru_iface_virtio(iface, arch) != 1)
            continue;
        name = kvl_ru_iface_name(dom, iface);
        hint = queues < vcpus
            ? kvl_xasprintf("set queues='%u' in its <driver> (one per vCPU, capped at the "
                            "host tap limit of %u queues)", queues, ctx->cfg->tap_queue_limit)
            : kvl_xasprintf("set queues='%u' in its <driver> (one per vCPU)", queues);
        kvl_report(ctx->sink, ctx->rule, iface_driver_or_model(iface), NULL, hint,
                   "virtio %s has a single queue pair on a VM with %u vCPUs, so one vCPU "
                   "and one vhost thread carry all its traffic", name, vcpus);
        set_queues(kvl_fix_propose(ctx->sink, NULL, "queues='%u' for %s", queues, name),
                   iface, queues);
        free(hint);
        free(name);
    }
}

/* ---- net-queues-gt-vcpus ---- */

void kvl_check_net_queues_gt_vcpus(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *arch = kvl_ru_arch(dom, ctx->host);
    unsigned vcpus;
    bool known_vcpus = kvl_ru_vcpus(dom, &vcpus);

    for (size_t i = 0; i < dom->nifaces; i++) {
        const kvl_iface *iface = &dom->ifaces[i];
        char *name;

        /* a hostdev interface is a VF: its queues are the device's */
        if (!iface->has_queues || kvl_ru_streq(iface->type, "hostdev"))
            continue;
        name = kvl_ru_iface_name(dom, iface);
        if (kvl_ru_iface_virtio(iface, arch) == 0) {
            if (iface->model)
                kvl_report(ctx->sink, ctx->rule, iface->driver_node, "queues",
                           "drop queues from <driver>: only virtio NICs have several queues",
                           "%s asks for %u queues, but its %s model has a single queue",
                           name, iface->queues, iface->model);
            else
                kvl_report(ctx->sink, ctx->rule, iface->driver_node, "queues",
                           "drop queues from <driver>, or make the NIC <model type='virtio'/>",
                           "%s asks for %u queues, but it has no model, so QEMU emulates "
                           "the machine type's single-queue NIC", name, iface->queues);
            kvl_edit_remove_attr(kvl_fix_propose(ctx->sink, NULL, "no queues for %s", name),
                                 iface->driver_node, "queues");
        } else if (known_vcpus && iface->queues > vcpus) {
            char *hint = kvl_xasprintf("set queues='%u' (one per vCPU)", vcpus);
            unsigned cap = vcpus < ctx->cfg->tap_queue_limit ? vcpus : ctx->cfg->tap_queue_limit;
            kvl_fix *fx;

            kvl_report(ctx->sink, ctx->rule, iface->driver_node, "queues", hint,
                       "%s has %u queues but the VM has %u vCPU%s: the extra queues cost "
                       "host threads and interrupt vectors and carry no traffic of their own",
                       name, iface->queues, vcpus, vcpus == 1 ? "" : "s");
            /* one queue is no multi-queue: the attribute goes */
            if (cap < 2) {
                fx = kvl_fix_propose(ctx->sink, NULL, "no queues for %s", name);
                kvl_edit_remove_attr(fx, iface->driver_node, "queues");
            } else {
                fx = kvl_fix_propose(ctx->sink, NULL, "queues='%u' for %s", cap, name);
                kvl_edit_set_attr_uint(fx, iface->driver_node, "queues", cap);
            }
            free(hint);
        }
        free(name);
    }
}

/* ---- net-config-invalid ---- */

static bool ring_size_ok(unsigned n)
{
    return n >= RING_MIN && n <= RING_MAX && (n & (n - 1)) == 0;
}

/* The ring size virtio-net takes nearest below `n` (or the minimum). */
static unsigned ring_size_fixed(unsigned n)
{
    unsigned p = RING_MAX;

    while (p > RING_MIN && p > n)
        p /= 2;
    return p;
}

static void check_ring(kvl_check_ctx *ctx, const kvl_iface *iface, const char *attr,
                       unsigned size)
{
    char *name;
    kvl_fix *fx;

    /* 0 is how libvirt stores "not set": QEMU gets its default */
    if (size == 0 || ring_size_ok(size))
        return;
    name = kvl_ru_iface_name(ctx->dom, iface);
    if (size & (size - 1))
        kvl_report(ctx->sink, ctx->rule, iface->driver_node, attr,
                   "use 256, 512 or 1024",
                   "%s='%u' of %s is not a power of two: libvirt refuses it",
                   attr, size, name);
    else
        kvl_report(ctx->sink, ctx->rule, iface->driver_node, attr,
                   "use 256, 512 or 1024",
                   "%s='%u' of %s is outside virtio-net's range %u-%u: QEMU refuses to start",
                   attr, size, name, RING_MIN, RING_MAX);
    fx = kvl_fix_propose(ctx->sink, NULL, "%s='%u' for %s", attr, ring_size_fixed(size), name);
    kvl_edit_set_attr_uint(fx, iface->driver_node, attr, ring_size_fixed(size));
    free(name);
}

void kvl_check_net_config_invalid(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *arch = kvl_ru_arch(dom, ctx->host);

    for (size_t i = 0; i < dom->nifaces; i++) {
        const kvl_iface *iface = &dom->ifaces[i];
        char *name;

        if (iface->has_rx_queue_size)
            check_ring(ctx, iface, "rx_queue_size", iface->rx_queue_size);
        if (iface->has_tx_queue_size)
            check_ring(ctx, iface, "tx_queue_size", iface->tx_queue_size);
        if (kvl_ru_streq(iface->type, "hostdev") && iface->bandwidth_node) {
            name = kvl_ru_iface_name(dom, iface);
            kvl_report(ctx->sink, ctx->rule, iface->bandwidth_node, NULL,
                       "remove <bandwidth>; limit the VF on the host instead "
                       "(ip link set PF vf N max_tx_rate MBPS)",
                       "hostdev %s has <bandwidth>, which libvirt refuses: a passed-through "
                       "VF bypasses the host's traffic shaping", name);
            kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "<bandwidth> removed from %s",
                                                    name),
                                    iface->bandwidth_node);
            free(name);
        }
        if (kvl_ru_streq(iface->type, "vhostuser") && kvl_ru_iface_virtio(iface, arch) == 0) {
            name = kvl_ru_iface_name(dom, iface);
            if (iface->model)
                kvl_report(ctx->sink, ctx->rule, iface->model_node, "type",
                           "set <model type='virtio'/>",
                           "%s has model '%s', which libvirt refuses: vhost-user serves "
                           "only virtio-net", name, iface->model);
            else
                kvl_report(ctx->sink, ctx->rule, iface->node, NULL,
                           "set <model type='virtio'/>",
                           "%s has no model, which libvirt refuses: vhost-user serves only "
                           "virtio-net", name);
            {
                kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "<model type='virtio'/> for %s", name);

                if (iface->model_node)
                    kvl_edit_set_attr(fx, iface->model_node, "type", "virtio");
                else
                    kvl_edit_insert_child(fx, iface->node, "<model type='virtio'/>");
            }
            free(name);
        }
    }
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_network[] = {
    { "net-config-invalid", kvl_check_net_config_invalid, 0 },
    { "net-multiqueue-missing", kvl_check_net_multiqueue_missing, 0 },
    { "net-queues-gt-vcpus", kvl_check_net_queues_gt_vcpus, 0 },
    { NULL, NULL, 0 },
};
