/*
 * Internals of the domain model builder, shared by domain.c and its
 * domain_*.c parts; nothing outside src/model includes this.
 *
 * The walk is table-driven: each element the model understands has a
 * kvl_walk_entry {name, handler} in its parent's table, and
 * kvl_walk_children() visits the parent's element children once, calling
 * the handler whose name matches.  So the DOM is traversed exactly once and
 * adding an element is adding a table row (DESIGN.md principle 2).
 *
 * The value helpers parse one attribute or element text, report
 * value-invalid with a uniform message when it does not parse, and return
 *   1  parsed (*out set),  0  absent (*out untouched),  -1  invalid (reported).
 */
#ifndef KVL_MODEL_DOMAIN_PRIV_H
#define KVL_MODEL_DOMAIN_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "model/domain.h"

typedef struct kvl_walk {
    kvl_domain *dom;
    kvl_sink *sink;                 /* NULL: build without reporting */
    /* <kvmlint:hot-disk> elements, matched to disks once all are known */
    const xmlNode **hot;
    size_t nhot, cap_hot;
    bool seen_metadata;             /* only the first <metadata> counts */
} kvl_walk;

typedef void (*kvl_walk_fn)(kvl_walk *w, const xmlNode *node, void *ctx);

typedef struct kvl_walk_entry {
    const char *name;
    kvl_walk_fn fn;
} kvl_walk_entry;

/* Visit the libvirt (no namespace) element children of `parent`, calling the
 * handler of `table` ({NULL, NULL}-terminated) whose name matches. */
void kvl_walk_children(kvl_walk *w, const xmlNode *parent,
                       const kvl_walk_entry *table, void *ctx);

/* The element is a libvirt element (no namespace). */
static inline bool kvl_walk_is_el(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE && n->ns == NULL;
}

/* Report value-invalid at `node` (its `attr`, or the element when NULL). */
void kvl_walk_invalid(kvl_walk *w, const xmlNode *node, const char *attr,
                      const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* "invalid KIND 'VALUE' in <ELEM ATTR>: WHY", the value shortened if long. */
void kvl_walk_bad_value(kvl_walk *w, const xmlNode *node, const char *attr,
                        const char *kind, const char *value, const char *why,
                        const char *hint);

/* "missing attribute 'ATTR' in <ELEM>" for attributes libvirt requires. */
void kvl_walk_missing(kvl_walk *w, const xmlNode *node, const char *attr);

/* Copy of attribute `attr`, or NULL. */
char *kvl_walk_attr_dup(const xmlNode *node, const char *attr);

/* Unsigned decimal attribute / element text within [min, max]. */
int kvl_walk_uint_attr(kvl_walk *w, const xmlNode *node, const char *attr,
                       uint64_t min, uint64_t max, unsigned *out);
int kvl_walk_uint_text(kvl_walk *w, const xmlNode *node, uint64_t min,
                       uint64_t max, unsigned *out);

/* cpuset/nodeset attribute into a new bitmap; `kind` names it in messages
 * ("cpuset", "nodeset"). */
int kvl_walk_set_attr(kvl_walk *w, const xmlNode *node, const char *attr,
                      const char *kind, hwloc_bitmap_t *out);

/*
 * A size: the number in attribute `attr` (NULL: the element text), the unit
 * in attribute `unit_attr` (default KiB).  A bad unit is reported at the
 * unit attribute, a bad number at the number.
 */
int kvl_walk_size(kvl_walk *w, const xmlNode *node, const char *attr,
                  const char *unit_attr, uint64_t *kib);

/* An attribute that must be one of `values` ({..., NULL}); *out a copy. */
int kvl_walk_enum_attr(kvl_walk *w, const xmlNode *node, const char *attr,
                       const char *const *values, char **out);

/* A switch written `on`/`off` (`yes`/`no`: pass those); invalid values are
 * reported and leave *out untouched. */
int kvl_walk_tristate_attr(kvl_walk *w, const xmlNode *node, const char *attr,
                           const char *on, const char *off, kvl_tristate *out);

/* Element handlers, one file per area. */
void kvl_walk_vcpu(kvl_walk *w, const xmlNode *node, void *ctx);        /* domain_cpu.c */
void kvl_walk_iothreads(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_iothreadids(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_cputune(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_cpu(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_memory(kvl_walk *w, const xmlNode *node, void *ctx);      /* domain_memory.c */
void kvl_walk_current_memory(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_max_memory(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_numatune(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_memory_backing(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_memtune(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_devices(kvl_walk *w, const xmlNode *node, void *ctx);     /* domain_devices.c */
void kvl_walk_rng(kvl_walk *w, const xmlNode *node, void *ctx);         /* domain_paravirt.c */
void kvl_walk_channel(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_memballoon(kvl_walk *w, const xmlNode *node, void *ctx);  /* domain_memdevs.c */
void kvl_walk_filesystem(kvl_walk *w, const xmlNode *node, void *ctx);
void kvl_walk_hyperv(kvl_walk *w, const xmlNode *node, void *ctx);      /* domain_features.c */
void kvl_walk_clock(kvl_walk *w, const xmlNode *node, void *ctx);       /* domain_clock.c */
void kvl_walk_metadata(kvl_walk *w, const xmlNode *node, void *ctx);    /* domain_meta.c */

/* Suppressions (domain_meta.c): a new zeroed entry of dom->suppress, and a
 * rule list ("a,b c" of `len` bytes) split at commas and blanks. */
kvl_suppress *kvl_walk_add_suppress(kvl_walk *w);
char **kvl_walk_rule_list(const char *text, size_t len, size_t *n);
/* Comment pragmas of the whole document (domain_pragma.c). */
void kvl_walk_pragmas(kvl_walk *w, const xmlDoc *xml);

/* After the walk: defaults that depend on several elements. */
void kvl_walk_finish_cpu(kvl_walk *w);          /* iothread ids, topology */
void kvl_walk_finish_devices(kvl_walk *w);      /* controller indexes */
void kvl_walk_finish_meta(kvl_walk *w);         /* hot-disk targets */

/* Freeing the parts, for kvl_domain_free. */
void kvl_walk_free_cpu(kvl_domain *dom);
void kvl_walk_free_meta(kvl_domain *dom);
void kvl_walk_free_memory(kvl_domain *dom);
void kvl_walk_free_devices(kvl_domain *dom);
void kvl_walk_free_memdevs(kvl_domain *dom);     /* called by kvl_walk_free_devices */
void kvl_walk_free_paravirt(kvl_domain *dom);
void kvl_walk_free_features(kvl_domain *dom);
void kvl_walk_free_clock(kvl_domain *dom);

#endif
