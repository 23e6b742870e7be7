/*
 * Para-virtual helper devices every KVM guest benefits from: a virtio RNG
 * fed from a source that does not block, and the QEMU guest agent channel.
 * Neither changes performance on its own; both are cheap, and their absence
 * shows up later as slow boots (entropy starvation) or as management
 * operations that cannot run (fsfreeze for consistent snapshots, clean
 * shutdown, guest IP reporting).  The disk and NIC model rules live in
 * virtio.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"

#include "util/banned.h"

#define GUEST_AGENT_PORT "org.qemu.guest_agent.0"

/* Where a missing device goes: the <devices> element, else the root. */
static kvl_ref devices_ref(const kvl_domain *dom)
{
    return dom->devices_node ? dom->devices_node : dom->root;
}

/* A new device: in <devices>, or in a new <devices> when there is none. */
static void edit_add_device(kvl_fix *fx, const kvl_domain *dom, const char *frag)
{
    kvl_buf b = KVL_BUF_INIT;

    if (dom->devices_node) {
        kvl_edit_insert_child(fx, dom->devices_node, "%s", frag);
        return;
    }
    /* the fragment one step deeper (fix.h: two spaces a step) */
    kvl_buf_adds(&b, "<devices>\n  ");
    for (const char *p = frag; *p; p++) {
        kvl_buf_addc(&b, *p);
        if (*p == '\n')
            kvl_buf_adds(&b, "  ");
    }
    kvl_buf_adds(&b, "\n</devices>");
    kvl_edit_insert_child(fx, dom->root, "%s", kvl_buf_str(&b));
    kvl_buf_free(&b);
}

/* ---- virtio-rng-missing ---- */

void kvl_check_virtio_rng_missing(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_rng *blocking = NULL;

    for (size_t i = 0; i < dom->nrngs; i++) {
        const kvl_rng *rng = &dom->rngs[i];

        if (!kvl_ru_model_is_virtio(rng->model))
            continue;
        if (!kvl_ru_streq(rng->source, "/dev/random"))
            return;             /* one virtio RNG with a non-blocking source is enough */
        if (!blocking)
            blocking = rng;
    }
    if (!blocking) {
        kvl_report(ctx->sink, ctx->rule, devices_ref(dom), NULL,
                   "add <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng> to <devices>",
                   "no virtio RNG device: the guest gathers entropy from emulated hardware only");
        edit_add_device(kvl_fix_propose(ctx->sink, NULL, "a virtio RNG reading /dev/urandom"), dom,
                        "<rng model='virtio'>\n  <backend model='random'>/dev/urandom</backend>\n</rng>");
        return;
    }
    kvl_report(ctx->sink, ctx->rule,
               blocking->backend_node ? blocking->backend_node : blocking->node, NULL,
               "read /dev/urandom instead: <backend model='random'>/dev/urandom</backend>",
               "virtio RNG reads the host's /dev/random%s, which blocks when the host's "
               "entropy pool runs low (Linux before 5.6)",
               blocking->source_default ? " (libvirt's default for an empty backend)" : "");
    {
        kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "the virtio RNG reads /dev/urandom");

        if (blocking->backend_node)
            kvl_edit_set_text(fx, blocking->backend_node, "/dev/urandom");
        else
            kvl_edit_insert_child(fx, blocking->node,
                                  "<backend model='random'>/dev/urandom</backend>");
    }
}

/* ---- virtio-guest-agent-missing ---- */

void kvl_check_virtio_guest_agent_missing(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    for (size_t i = 0; i < dom->nchannels; i++)
        if (kvl_ru_streq(dom->channels[i].target_name, GUEST_AGENT_PORT))
            return;
    kvl_report(ctx->sink, ctx->rule, devices_ref(dom), NULL,
               "add <channel type='unix'><target type='virtio' name='" GUEST_AGENT_PORT "'/></channel> "
               "and install qemu-guest-agent in the guest",
               "no guest agent channel (" GUEST_AGENT_PORT "): libvirt cannot freeze "
               "filesystems for snapshots, shut the guest down cleanly or read its addresses");
    edit_add_device(kvl_fix_propose(ctx->sink, NULL, "a guest agent channel (install "
                                    "qemu-guest-agent in the guest to use it)"), dom,
                    "<channel type='unix'>\n  <target type='virtio' name='" GUEST_AGENT_PORT "'/>\n</channel>");
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_paravirt[] = {
    { "virtio-guest-agent-missing", kvl_check_virtio_guest_agent_missing, 0 },
    { "virtio-rng-missing", kvl_check_virtio_rng_missing, 0 },
    { NULL, NULL, 0 },
};
