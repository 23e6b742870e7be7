/*
 * The edit engine (DESIGN.md principle 5, "edits, not re-serialisation"):
 * the edits a check proposed (fix.h) become byte-range replacements on the
 * original text, written in the file's own style, and are spliced into it.
 * Bytes outside the replaced ranges stay identical, so a file with nothing
 * to fix comes back byte for byte and a fix shows up in review as the few
 * lines it changes.
 *
 * Positions come from the document's source map (kvl_doc_span and friends
 * in xml/doc.h), so the DOM is not needed: the engine works on text.
 *
 * Ownership: kvl_patches owns its strings (kvl_patches_free); everything
 * else is borrowed.
 */
#ifndef KVL_FIX_EDIT_H
#define KVL_FIX_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "fix/fix.h"
#include "xml/doc.h"

typedef enum kvl_edit_op {
    KVL_EDIT_SET_ATTR,
    KVL_EDIT_REMOVE_ATTR,
    KVL_EDIT_SET_TEXT,
    KVL_EDIT_REMOVE,
    KVL_EDIT_INSERT_CHILD,
    KVL_EDIT_INSERT_BEFORE,
    KVL_EDIT_INSERT_AFTER,
    KVL_EDIT_REPLACE,
} kvl_edit_op;

typedef struct kvl_edit {
    kvl_edit_op op;
    kvl_ref ref;
    char *name;                 /* the attribute, for SET_ATTR / REMOVE_ATTR */
    char *value;                /* the value, text or fragment */
} kvl_edit;

struct kvl_fix {
    kvl_fix_kind kind;
    kvl_edit *edits;
    size_t n, cap;
    bool broken;                /* an edit named no element (ref 0) */
};

/* How the file writes itself, so that inserted text looks like the rest. */
typedef struct kvl_style {
    char eol[3];                /* "\n" or "\r\n" */
    char quote;                 /* ' or " */
    char indent[16];            /* one level: "  ", "    ", "\t", ... */
} kvl_style;

/*
 * From the text: the first line ending, the quote of the first attribute,
 * and the step between the root's indentation and its first child's
 * (defaults: "\n", ', two spaces).
 */
void kvl_style_detect(kvl_doc *doc, kvl_style *st);

/*
 * A fragment (single quotes, two-space steps, '\n' lines) in the file's
 * style: quotes swapped to st->quote where the value allows, each line
 * after the first prefixed with `base` plus one st->indent per two leading
 * spaces, lines joined with st->eol.  `inline_` joins the lines with nothing
 * instead, for a place that is not one element per line.  Caller frees.
 */
char *kvl_style_fragment(const kvl_style *st, const char *frag, const char *base, bool inline_);

/*
 * Whether only blanks precede `off` on its line; *line_start is set to where
 * those blanks begin (so text[*line_start, off) is the indentation).
 */
bool kvl_text_own_line(const char *text, size_t off, size_t *line_start);

/* One replacement: bytes [start, end) of the text become `text`. */
typedef struct kvl_patch {
    size_t start, end;
    char *text;
    char *tag;          /* an inserted element's name, else NULL */
} kvl_patch;

typedef struct kvl_patches {
    kvl_patch *v;
    size_t n, cap;
} kvl_patches;

void kvl_patches_free(kvl_patches *p);

/*
 * Turn the edits of `fix` into patches on `doc` (the text the fix was
 * proposed on), appended to `out`.  Returns 0, or -1 with *why (a static
 * reason) when an edit cannot be placed; `out` is then unchanged.
 */
int kvl_fix_resolve(const kvl_fix *fix, kvl_doc *doc, const kvl_style *st,
                    kvl_patches *out, const char **why);

/*
 * Two patches collide: their ranges share bytes, or one inserts strictly
 * inside the range the other replaces, or both insert different elements of
 * the same name at one point (two fixes each adding its own <clock>: the
 * second must see the first's).  Other insertions at the same point, and
 * identical patches, do not collide.
 */
bool kvl_patch_conflict(const kvl_patch *a, const kvl_patch *b);
bool kvl_patch_same(const kvl_patch *a, const kvl_patch *b);

/*
 * Splice non-colliding patches into `text`: sorted by position (stable, so
 * insertions at one point keep their order), identical ones applied once.
 * Returns the new text (NUL-terminated, caller frees), its length in *len.
 */
char *kvl_patches_apply(const char *text, size_t text_len, const kvl_patches *p, size_t *len);

#endif
