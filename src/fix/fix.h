/*
 * Proposing fixes: the API a check uses to say how to repair what it found.
 * The check that finds a defect knows exactly what is wrong, so it proposes
 * the edits right after reporting the finding; `kvmlint fix` applies them
 * (src/fix/fixer.h) and `kvmlint check` only says a fix exists.
 *
 * A fix is a list of edits on elements named by kvl_ref, the references the
 * domain model keeps: checks never see the DOM or byte offsets.  The edit
 * engine (edit.h) turns them into byte-range replacements on the original
 * text, in the file's own indentation, quotes and line endings.
 *
 *     kvl_report(ctx->sink, ctx->rule, iface->driver_node, "name", hint,
 *                "virtio %s is served by QEMU's userspace backend", name);
 *     fx = kvl_fix_propose(ctx->sink, NULL, "driver name='vhost' on %s", name);
 *     kvl_edit_set_attr(fx, iface->driver_node, "name", "vhost");
 *
 * An unsafe fix says in one line what the guest needs first:
 *
 *     fx = kvl_fix_propose(ctx->sink, "the virtio-net driver (netkvm on Windows)",
 *                          "<model type='virtio'/> on %s", name);
 *
 * Fragments for insertion are written with single quotes and two-space
 * indentation, lines separated by '\n'; the engine re-indents and re-quotes
 * them to the file's style.  Attribute values and texts are given unescaped.
 *
 * Cost: kvl_fix_propose returns NULL unless the engine collects fixes (fix
 * mode); every kvl_edit_* accepts NULL and does nothing, so `check` formats
 * only the one-line summary.
 *
 * Ownership: the finding owns its fix; kvl_fix_free accepts NULL.
 */
#ifndef KVL_FIX_FIX_H
#define KVL_FIX_FIX_H

#include "lint/finding.h"

typedef struct kvl_fix kvl_fix;

/*
 * Propose a fix for the finding just reported to `sink`, of the kind the
 * catalogue gives its rule (safe or unsafe).  `guest_needs` is required for
 * an unsafe fix (what the guest must have before the change, e.g. "virtio
 * drivers (virtio-win on Windows)") and NULL for a safe one.  The summary
 * says what the fix does, one line, no full stop.
 */
kvl_fix *kvl_fix_propose(kvl_sink *sink, const char *guest_needs, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same for rules whose catalogue kind depends on the case ("safe:
 * re-pack pins; unsafe: change topology"): the kind is given. */
kvl_fix *kvl_fix_propose_kind(kvl_sink *sink, kvl_fix_kind kind, const char *guest_needs,
                              const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Set attribute `name` of element `el` (added when absent). */
void kvl_edit_set_attr(kvl_fix *fix, kvl_ref el, const char *name, const char *value);
void kvl_edit_set_attr_uint(kvl_fix *fix, kvl_ref el, const char *name, unsigned long long value);
/* Remove attribute `name`; nothing when it is absent or `el` is 0. */
void kvl_edit_remove_attr(kvl_fix *fix, kvl_ref el, const char *name);
/* Replace the content of `el` with `text`. */
void kvl_edit_set_text(kvl_fix *fix, kvl_ref el, const char *text);
/* Remove element `el` (with its line when it is alone on it); nothing for 0. */
void kvl_edit_remove_element(kvl_fix *fix, kvl_ref el);
/* Insert a fragment as the last child of `parent`. */
void kvl_edit_insert_child(kvl_fix *fix, kvl_ref parent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Insert a fragment just before / after element `sibling`, at its level. */
void kvl_edit_insert_before(kvl_fix *fix, kvl_ref sibling, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kvl_edit_insert_after(kvl_fix *fix, kvl_ref sibling, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Insert a fragment after element `after`, or as the last child of `parent`
 * when `after` is 0: for a new top-level element that reads best next to a
 * neighbour the domain may not have (<memoryBacking> after <currentMemory>).
 */
void kvl_edit_insert_after_or_child(kvl_fix *fix, kvl_ref after, kvl_ref parent,
                                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Replace element `el` with a fragment. */
void kvl_edit_replace_element(kvl_fix *fix, kvl_ref el, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Say why the finding just reported gets no fix although its rule has one
 * (the allocator found no room: what is short on which nodes).  Text output
 * shows it as "no fix: ..." where the fix line would be.
 */
void kvl_fix_decline(kvl_sink *sink, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void kvl_fix_free(kvl_fix *fix);

#endif
