/*
 * Writing fixed files without ever leaving a half-written one (DESIGN.md
 * principle 8): the text goes to a temporary file beside the target, is
 * flushed to disk, then renamed over it, so the target is either the old
 * file or the new one.  A target that is not a regular file (a terminal,
 * /dev/full, a pipe) is written directly, since it cannot be renamed over;
 * write errors there are reported all the same.
 */
#ifndef KVL_FIX_WRITE_H
#define KVL_FIX_WRITE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Replace `path` with `len` bytes of `data`.  `in_place`: the file must exist,
 * be a regular file and be writable (mode bits, not only permission: root
 * may write anything), and keeps its mode.  Otherwise a new file gets mode
 * 0666 less the umask and an existing one keeps its mode.  Returns 0, or -1
 * with *err set (caller frees) and the target untouched.
 */
int kvl_write_file(const char *path, const char *data, size_t len, bool in_place, char **err);

#endif
