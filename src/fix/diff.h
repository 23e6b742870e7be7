/*
 * Unified diffs of a file before and after its fixes (`kvmlint fix --diff`),
 * in the format patch(1) and git apply read: "--- a/PATH", "+++ b/PATH",
 * hunks with three lines of context.  Lines keep their own endings, so a
 * CRLF file gives a CRLF diff body; a last line without one is marked
 * "\ No newline at end of file".
 */
#ifndef KVL_FIX_DIFF_H
#define KVL_FIX_DIFF_H

#include <stddef.h>

#include "util/buf.h"

/* Append the diff of a -> b to `out`; nothing when they are equal. */
void kvl_diff_unified(kvl_buf *out, const char *path, const char *a, size_t alen,
                      const char *b, size_t blen);

#endif
