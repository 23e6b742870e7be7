/*
 * <metadata> in the domain model: libosinfo's OS id and kvmlint's own
 * annotations (domain.h, README "Annotations"), including the
 * <kvmlint:suppress> elements (README "Suppressions").
 *
 * libvirt keeps exactly one element per namespace under <metadata> and drops
 * elements without a namespace, so only the first element of each namespace
 * counts here too; a second kvmlint element is reported, since libvirt would
 * silently discard it on define.  Namespaces are compared by URI: the prefix
 * is the author's choice.  Annotations are kvmlint's own vocabulary, so an
 * unknown one is a typo worth reporting rather than ignoring.
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain_priv.h"
#include "util/mem.h"
#include "util/banned.h"

static bool in_ns(const xmlNode *n, const char *uri)
{
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, uri) == 0;
}

static bool named(const xmlNode *n, const char *name)
{
    return strcmp((const char *)n->name, name) == 0;
}

/* The prefix as the author wrote it, for messages ("" for a default ns). */
static const char *prefix(const xmlNode *n)
{
    return n->ns && n->ns->prefix ? (const char *)n->ns->prefix : "";
}

static const char *colon(const xmlNode *n)
{
    return n->ns && n->ns->prefix ? ":" : "";
}

kvl_suppress *kvl_walk_add_suppress(kvl_walk *w)
{
    kvl_domain *dom = w->dom;

    KVL_GROW(dom->suppress, dom->nsuppress, dom->cap_suppress);
    return &dom->suppress[dom->nsuppress++];
}

char **kvl_walk_rule_list(const char *text, size_t len, size_t *n)
{
    char **v = NULL;
    size_t cap = 0;
    size_t i = 0;

    *n = 0;
    while (i < len) {
        size_t start;

        while (i < len && (text[i] == ',' || text[i] == ' ' || text[i] == '\t' ||
                           text[i] == '\n' || text[i] == '\r'))
            i++;
        start = i;
        while (i < len && text[i] != ',' && text[i] != ' ' && text[i] != '\t' &&
               text[i] != '\n' && text[i] != '\r')
            i++;
        if (i > start) {
            KVL_GROW(v, *n, cap);
            v[(*n)++] = kvl_xstrndup(text + start, i - start);
        }
    }
    return v;
}

/* <kvmlint:suppress rule="a,b" target="hda" reason="..."/> */
static void walk_suppress(kvl_walk *w, const xmlNode *c)
{
    const char *rules = kvl_xml_attr(c, "rule");
    size_t n;
    char **ids;
    kvl_suppress *s;

    if (!rules) {
        kvl_walk_missing(w, c, "rule");
        return;
    }
    ids = kvl_walk_rule_list(rules, strlen(rules), &n);
    if (n == 0) {
        kvl_walk_bad_value(w, c, "rule", "rule list", rules, "it names no rule",
                           "rule=\"disk-bus-not-virtio\" or a comma-separated list");
        return;
    }
    s = kvl_walk_add_suppress(w);
    s->node = kvl_doc_ref(c);
    s->rules = ids;
    s->nrules = n;
    s->target = kvl_walk_attr_dup(c, "target");
    s->reason = kvl_walk_attr_dup(c, "reason");
}

static void walk_hints(kvl_walk *w, const xmlNode *hints)
{
    kvl_domain *dom = w->dom;

    for (const xmlNode *c = hints->children; c; c = c->next) {
        if (!in_ns(c, KVL_XMLNS))
            continue;
        if (named(c, "critical")) {
            dom->meta_critical = true;
        } else if (named(c, "windows")) {
            dom->meta_windows = true;
        } else if (named(c, "hot-disk")) {
            if (!kvl_xml_attr(c, "target")) {
                kvl_walk_missing(w, c, "target");
                continue;
            }
            KVL_GROW(w->hot, w->nhot, w->cap_hot);
            w->hot[w->nhot++] = c;
        } else if (named(c, "suppress")) {
            walk_suppress(w, c);
        } else {
            kvl_walk_invalid(w, c, NULL,
                             "known annotations: critical, windows, hot-disk, suppress",
                             "unknown kvmlint annotation <%s%s%s>", prefix(c), colon(c),
                             (const char *)c->name);
        }
    }
}

static void walk_libosinfo(kvl_walk *w, const xmlNode *node)
{
    for (const xmlNode *c = node->children; c; c = c->next)
        if (in_ns(c, KVL_LIBOSINFO_XMLNS) && named(c, "os")) {
            w->dom->os_id = kvl_walk_attr_dup(c, "id");
            return;
        }
}

void kvl_walk_metadata(kvl_walk *w, const xmlNode *node, void *ctx)
{
    bool seen_kvl = false, seen_osinfo = false;

    if (w->seen_metadata)
        return;
    w->seen_metadata = true;
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (in_ns(c, KVL_XMLNS)) {
            if (seen_kvl) {
                kvl_walk_invalid(w, c, NULL,
                                 "put every annotation inside the one <kvmlint:hints>",
                                 "second kvmlint element <%s%s%s> in <metadata>: libvirt "
                                 "keeps only the first element of each namespace",
                                 prefix(c), colon(c), (const char *)c->name);
                continue;
            }
            seen_kvl = true;
            if (!named(c, "hints")) {
                kvl_walk_invalid(w, c, NULL, "annotations go in <kvmlint:hints>",
                                 "unknown kvmlint element <%s%s%s> in <metadata>",
                                 prefix(c), colon(c), (const char *)c->name);
                continue;
            }
            w->dom->meta_node = kvl_doc_ref(c);
            walk_hints(w, c);
        } else if (in_ns(c, KVL_LIBOSINFO_XMLNS) && !seen_osinfo) {
            seen_osinfo = true;
            if (named(c, "libosinfo"))
                walk_libosinfo(w, c);
        }
    }
}

void kvl_walk_finish_meta(kvl_walk *w)
{
    kvl_domain *dom = w->dom;

    for (size_t i = 0; i < w->nhot; i++) {
        const char *target = kvl_xml_attr(w->hot[i], "target");
        bool found = false;

        for (size_t j = 0; j < dom->ndisks; j++)
            if (dom->disks[j].target && strcmp(dom->disks[j].target, target) == 0) {
                dom->disks[j].hot_annotated = true;
                found = true;
            }
        if (!found)
            kvl_walk_bad_value(w, w->hot[i], "target", "disk target", target,
                               "no disk has this target dev", NULL);
    }
}

void kvl_walk_free_meta(kvl_domain *dom)
{
    for (size_t i = 0; i < dom->nsuppress; i++) {
        kvl_suppress *s = &dom->suppress[i];

        for (size_t j = 0; j < s->nrules; j++)
            free(s->rules[j]);
        free(s->rules);
        free(s->target);
        free(s->reason);
    }
    free(dom->suppress);
}
