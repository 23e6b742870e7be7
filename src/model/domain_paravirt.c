/*
 * The small para-virtual devices of <devices> in the domain model: <rng>
 * (entropy source and its backend) and <channel> (its target, which names
 * the guest agent's port).  They sit apart from domain_devices.c because
 * no sizing or placement rule reads them, only the virtio rules
 * (src/rules/paravirt.c).
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain_priv.h"
#include "util/mem.h"
#include "util/banned.h"

/* libvirt's default device for the random backend (virDomainRNGDefPostParse). */
#define RNG_DEFAULT_SOURCE "/dev/random"

static void walk_rng_backend(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_rng *r = ctx;

    if (r->backend_node)
        return;
    r->backend_node = kvl_doc_ref(node);
    r->backend_model = kvl_walk_attr_dup(node, "model");
    if (r->backend_model && strcmp(r->backend_model, "random") == 0) {
        r->source = kvl_xml_text(node);
        if (!r->source || !*r->source) {
            free(r->source);
            r->source = kvl_xstrdup(RNG_DEFAULT_SOURCE);
            r->source_default = true;
        }
    }
}

static const kvl_walk_entry rng_table[] = {
    { "backend", walk_rng_backend },
    { NULL, NULL },
};

void kvl_walk_rng(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_rng *r;

    KVL_GROW(dom->rngs, dom->nrngs, dom->cap_rngs);
    r = &dom->rngs[dom->nrngs++];
    r->node = kvl_doc_ref(node);
    r->model = kvl_walk_attr_dup(node, "model");
    kvl_walk_children(w, node, rng_table, r);
}

static void walk_channel_target(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_channel *c = ctx;

    if (c->target_node)
        return;
    c->target_node = kvl_doc_ref(node);
    c->target_type = kvl_walk_attr_dup(node, "type");
    c->target_name = kvl_walk_attr_dup(node, "name");
}

static const kvl_walk_entry channel_table[] = {
    { "target", walk_channel_target },
    { NULL, NULL },
};

void kvl_walk_channel(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_channel *c;

    KVL_GROW(dom->channels, dom->nchannels, dom->cap_channels);
    c = &dom->channels[dom->nchannels++];
    c->node = kvl_doc_ref(node);
    c->type = kvl_walk_attr_dup(node, "type");
    kvl_walk_children(w, node, channel_table, c);
}

void kvl_walk_free_paravirt(kvl_domain *dom)
{
    for (size_t i = 0; i < dom->nrngs; i++) {
        free(dom->rngs[i].model);
        free(dom->rngs[i].backend_model);
        free(dom->rngs[i].source);
    }
    free(dom->rngs);
    for (size_t i = 0; i < dom->nchannels; i++) {
        free(dom->channels[i].type);
        free(dom->channels[i].target_type);
        free(dom->channels[i].target_name);
    }
    free(dom->channels);
}
