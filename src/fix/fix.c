/*
 * Fix proposals (fix.h): attaching a fix to the finding a check just
 * reported, and recording its edits when the engine collects them.
 */
#include "fix/fix.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix/edit.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

static void internal_error(const char *rule, const char *what)
{
    fprintf(stderr, "kvmlint: internal error: rule '%s': %s\n", rule ? rule : "?", what);
    abort();
}

static kvl_fix *propose(kvl_sink *sink, int kind, const char *guest_needs,
                        const char *fmt, va_list ap)
{
    kvl_finding *f;
    kvl_buf b = KVL_BUF_INIT;
    kvl_fix *fix;

    if (!sink->list->n || sink->list->v[sink->list->n - 1].file != sink->file)
        internal_error(NULL, "a fix proposed before its finding was reported");
    f = &sink->list->v[sink->list->n - 1];
    if (f->fixable)
        internal_error(f->rule, "two fixes proposed for one finding");
    f->fix_kind = kind < 0 ? f->fix : (kvl_fix_kind)kind;
    if (f->fix_kind != KVL_FIX_SAFE && f->fix_kind != KVL_FIX_UNSAFE)
        internal_error(f->rule, "only safe and unsafe fixes have edits");
    if (f->fix_kind == KVL_FIX_UNSAFE && !guest_needs)
        internal_error(f->rule, "an unsafe fix must say what the guest needs");
    kvl_buf_vaddf(&b, fmt, ap);
    if (guest_needs)
        kvl_buf_addf(&b, "; the guest needs %s", guest_needs);
    f->fixable = true;
    f->fix_summary = kvl_buf_detach(&b);
    if (!sink->collect_fixes)
        return NULL;
    fix = kvl_xcalloc(1, sizeof(*fix));
    fix->kind = f->fix_kind;
    f->edits = fix;
    return fix;
}

kvl_fix *kvl_fix_propose(kvl_sink *sink, const char *guest_needs, const char *fmt, ...)
{
    va_list ap;
    kvl_fix *fix;

    va_start(ap, fmt);
    fix = propose(sink, -1, guest_needs, fmt, ap);
    va_end(ap);
    return fix;
}

kvl_fix *kvl_fix_propose_kind(kvl_sink *sink, kvl_fix_kind kind, const char *guest_needs,
                              const char *fmt, ...)
{
    va_list ap;
    kvl_fix *fix;

    va_start(ap, fmt);
    fix = propose(sink, (int)kind, guest_needs, fmt, ap);
    va_end(ap);
    return fix;
}

void kvl_fix_decline(kvl_sink *sink, const char *fmt, ...)
{
    kvl_finding *f;
    kvl_buf b = KVL_BUF_INIT;
    va_list ap;

    if (!sink->list->n || sink->list->v[sink->list->n - 1].file != sink->file)
        internal_error(NULL, "a fix declined before its finding was reported");
    f = &sink->list->v[sink->list->n - 1];
    if (f->fixable || f->no_fix)
        return;     /* the first word on a finding stands */
    va_start(ap, fmt);
    kvl_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    f->no_fix = kvl_buf_detach(&b);
}

static void add_edit(kvl_fix *fix, kvl_edit_op op, kvl_ref ref, const char *name, char *value)
{
    kvl_edit *e;

    KVL_GROW(fix->edits, fix->n, fix->cap);
    e = &fix->edits[fix->n++];
    e->op = op;
    e->ref = ref;
    e->name = kvl_xstrdup(name);
    e->value = value;
}

/* An edit that must name an element: without one the fix cannot be made. */
static bool need_ref(kvl_fix *fix, kvl_ref ref)
{
    if (!fix)
        return false;
    if (!ref)
        fix->broken = true;
    return ref != 0;
}

void kvl_edit_set_attr(kvl_fix *fix, kvl_ref el, const char *name, const char *value)
{
    if (need_ref(fix, el))
        add_edit(fix, KVL_EDIT_SET_ATTR, el, name, kvl_xstrdup(value));
}

void kvl_edit_set_attr_uint(kvl_fix *fix, kvl_ref el, const char *name, unsigned long long value)
{
    if (need_ref(fix, el))
        add_edit(fix, KVL_EDIT_SET_ATTR, el, name, kvl_xasprintf("%llu", value));
}

void kvl_edit_remove_attr(kvl_fix *fix, kvl_ref el, const char *name)
{
    if (fix && el)
        add_edit(fix, KVL_EDIT_REMOVE_ATTR, el, name, NULL);
}

void kvl_edit_set_text(kvl_fix *fix, kvl_ref el, const char *text)
{
    if (need_ref(fix, el))
        add_edit(fix, KVL_EDIT_SET_TEXT, el, NULL, kvl_xstrdup(text));
}

void kvl_edit_remove_element(kvl_fix *fix, kvl_ref el)
{
    if (fix && el)
        add_edit(fix, KVL_EDIT_REMOVE, el, NULL, NULL);
}

static void add_fragment(kvl_fix *fix, kvl_edit_op op, kvl_ref ref, const char *fmt, va_list ap)
{
    kvl_buf b = KVL_BUF_INIT;

    kvl_buf_vaddf(&b, fmt, ap);
    add_edit(fix, op, ref, NULL, kvl_buf_detach(&b));
}

#define FRAGMENT_EDIT(func, op)                                                \
    void func(kvl_fix *fix, kvl_ref ref, const char *fmt, ...)                 \
    {                                                                          \
        va_list ap;                                                            \
                                                                               \
        if (!need_ref(fix, ref))                                               \
            return;                                                            \
        va_start(ap, fmt);                                                     \
        add_fragment(fix, op, ref, fmt, ap);                                   \
        va_end(ap);                                                            \
    }

FRAGMENT_EDIT(kvl_edit_insert_child, KVL_EDIT_INSERT_CHILD)
FRAGMENT_EDIT(kvl_edit_insert_before, KVL_EDIT_INSERT_BEFORE)
FRAGMENT_EDIT(kvl_edit_insert_after, KVL_EDIT_INSERT_AFTER)
FRAGMENT_EDIT(kvl_edit_replace_element, KVL_EDIT_REPLACE)

void kvl_edit_insert_after_or_child(kvl_fix *fix, kvl_ref after, kvl_ref parent,
                                    const char *fmt, ...)
{
    va_list ap;

    if (!need_ref(fix, after ? after : parent))
        return;
    va_start(ap, fmt);
    add_fragment(fix, after ? KVL_EDIT_INSERT_AFTER : KVL_EDIT_INSERT_CHILD,
                 after ? after : parent, fmt, ap);
    va_end(ap);
}

void kvl_fix_free(kvl_fix *fix)
{
    if (!fix)
        return;
    for (size_t i = 0; i < fix->n; i++) {
        free(fix->edits[i].name);
        free(fix->edits[i].value);
    }
    free(fix->edits);
    free(fix);
}
