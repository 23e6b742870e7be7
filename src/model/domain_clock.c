/*
 * <clock> in the domain model: the offset and the <timer> list.  Timer
 * names and tick policies stay as written, because which of them QEMU
 * accepts depends on the timer, the architecture and the domain type, and
 * that judgement is a rule's (clock-timer-invalid in src/rules/clock.c),
 * reported with its own id rather than as an unparsable value.  What the
 * model itself interprets (present, the frequency number) is checked here.
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain_priv.h"
#include "model/units.h"
#include "util/mem.h"
#include "util/banned.h"

/* tsc frequency in Hz: beyond what kvl_walk_uint_attr holds (4.5 GHz > 2^32). */
static void walk_timer_frequency(kvl_walk *w, const xmlNode *node, kvl_timer *t)
{
    const char *text = kvl_xml_attr(node, "frequency");
    const char *why = NULL;

    if (!text)
        return;
    if (kvl_uint_parse(text, UINT64_MAX, &t->frequency, &why) < 0) {
        kvl_walk_bad_value(w, node, "frequency", "number", text, why, NULL);
        return;
    }
    t->has_frequency = true;
}

static void walk_timer(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_timer *t;

    KVL_GROW(dom->timers, dom->ntimers, dom->cap_timers);
    t = &dom->timers[dom->ntimers++];
    t->node = kvl_doc_ref(node);
    if (!(t->name = kvl_walk_attr_dup(node, "name")))
        kvl_walk_missing(w, node, "name");
    kvl_walk_tristate_attr(w, node, "present", "yes", "no", &t->present);
    t->tickpolicy = kvl_walk_attr_dup(node, "tickpolicy");
    t->mode = kvl_walk_attr_dup(node, "mode");
    walk_timer_frequency(w, node, t);
}

static const kvl_walk_entry clock_table[] = {
    { "timer", walk_timer },
    { NULL, NULL },
};

void kvl_walk_clock(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;

    if (dom->clock_node)
        return;
    dom->clock_node = kvl_doc_ref(node);
    dom->clock_offset = kvl_walk_attr_dup(node, "offset");
    kvl_walk_children(w, node, clock_table, NULL);
}

const kvl_timer *kvl_domain_timer(const kvl_domain *dom, const char *name)
{
    for (size_t i = 0; i < dom->ntimers; i++)
        if (dom->timers[i].name && strcmp(dom->timers[i].name, name) == 0)
            return &dom->timers[i];
    return NULL;
}

void kvl_walk_free_clock(kvl_domain *dom)
{
    for (size_t i = 0; i < dom->ntimers; i++) {
        free(dom->timers[i].name);
        free(dom->timers[i].tickpolicy);
        free(dom->timers[i].mode);
    }
    free(dom->timers);
    free(dom->clock_offset);
}
