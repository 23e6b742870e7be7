/*
 * <features><hyperv> in the domain model: the mode and the state of each
 * Hyper-V enlightenment, with the two values libvirt checks (spinlock
 * retries, vendor id) and stimer's direct mode.  Like libvirt, a value is
 * read only when its enlightenment is on: <spinlocks state='off'/> needs no
 * retries.  Whether the set makes sense (dependencies, minimum values) is
 * for the Windows rules (src/rules/windows.c), which read these fields.
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain_priv.h"
#include "util/mem.h"
#include "util/banned.h"

/* Indexed by kvl_hv_feature: libvirt's element names. */
static const char *const hv_names[KVL_HV_N] = {
    "relaxed", "vapic", "spinlocks", "vpindex", "runtime",
    "synic", "stimer", "reset", "vendor_id", "frequencies",
    "reenlightenment", "tlbflush", "ipi", "evmcs", "avic",
    "emsr_bitmap", "xmm_input",
};

const char *kvl_hv_feature_name(kvl_hv_feature feat)
{
    return (unsigned)feat < KVL_HV_N ? hv_names[feat] : NULL;
}

static int hv_feature_of(const xmlNode *node)
{
    for (int f = 0; f < KVL_HV_N; f++)
        if (strcmp((const char *)node->name, hv_names[f]) == 0)
            return f;
    return -1;
}

/* <stimer state='on'><direct state='on'/></stimer> */
static void walk_stimer_direct(kvl_walk *w, const xmlNode *stimer)
{
    const xmlNode *direct = kvl_xml_child(stimer, "direct");

    if (!direct || !kvl_walk_is_el(direct))
        return;
    if (kvl_walk_tristate_attr(w, direct, "state", "on", "off", &w->dom->hv_stimer_direct) == 0)
        kvl_walk_missing(w, direct, "state");
}

/* The value an enlightenment that is on carries, as libvirt requires it. */
static void walk_hv_value(kvl_walk *w, const xmlNode *node, kvl_hv_feature feat)
{
    kvl_domain *dom = w->dom;
    int rc;

    switch (feat) {
    case KVL_HV_SPINLOCKS:
        rc = kvl_walk_uint_attr(w, node, "retries", 0, UINT32_MAX, &dom->hv_spinlock_retries);
        if (rc == 0)
            kvl_walk_missing(w, node, "retries");
        dom->has_hv_spinlock_retries = rc == 1;
        break;
    case KVL_HV_VENDOR_ID:
        if (!(dom->hv_vendor_id = kvl_walk_attr_dup(node, "value")))
            kvl_walk_missing(w, node, "value");
        break;
    case KVL_HV_STIMER:
        walk_stimer_direct(w, node);
        break;
    default:
        break;
    }
}

void kvl_walk_hyperv(kvl_walk *w, const xmlNode *node, void *ctx)
{
    static const char *const modes[] = { "custom", "passthrough", NULL };
    kvl_domain *dom = w->dom;

    if (dom->hyperv_node)
        return;
    dom->hyperv_node = kvl_doc_ref(node);
    if (kvl_walk_enum_attr(w, node, "mode", modes, &dom->hyperv_mode) == 0)
        dom->hyperv_mode = kvl_xstrdup("custom");

    /* Unknown children are libvirt's to refuse; only the first of each
     * enlightenment counts. */
    for (const xmlNode *c = node->children; c; c = c->next) {
        kvl_hv_feat *f;
        int feat;

        if (!kvl_walk_is_el(c) || (feat = hv_feature_of(c)) < 0 || dom->hyperv[feat].node)
            continue;
        f = &dom->hyperv[feat];
        f->node = kvl_doc_ref(c);
        if (kvl_walk_tristate_attr(w, c, "state", "on", "off", &f->state) == 0)
            kvl_walk_missing(w, c, "state");
        if (f->state == KVL_TRI_ON)
            walk_hv_value(w, c, (kvl_hv_feature)feat);
    }
}

bool kvl_domain_hv_on(const kvl_domain *dom, kvl_hv_feature feat)
{
    return dom->hyperv_node && (unsigned)feat < KVL_HV_N
        && dom->hyperv[feat].state == KVL_TRI_ON;
}

bool kvl_domain_hv_passthrough(const kvl_domain *dom)
{
    return dom->hyperv_mode && strcmp(dom->hyperv_mode, "passthrough") == 0;
}

void kvl_walk_free_features(kvl_domain *dom)
{
    free(dom->hyperv_mode);
    free(dom->hv_vendor_id);
}
