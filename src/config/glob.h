/*
 * Path globs of the config file (README "Configuration"): fnmatch(3) with
 * FNM_PATHNAME semantics, so `*`, `?` and `[...]` never match a '/', plus
 * `**` as a whole path component, which matches zero or more components
 * (README "Configuration" has examples).  A pattern is matched against the
 * whole path: "*.xml" matches only files at the top of the config's
 * directory; with a `**` component in front it matches at any depth.
 *
 * Patterns are compiled once, when the config file is read, and matched
 * many times (once per linted file and pattern).
 */
#ifndef KVL_CONFIG_GLOB_H
#define KVL_CONFIG_GLOB_H

#include <stdbool.h>

typedef struct kvl_glob kvl_glob;

/*
 * Compile `pattern`.  A leading "./" is dropped, repeated '/' count once;
 * a pattern starting with '/' is absolute and only matches absolute paths.
 * Returns NULL with *why (static) set for an empty pattern or an empty
 * component ("a//b" is fine, "a/" is not: it would match nothing).
 */
kvl_glob *kvl_glob_compile(const char *pattern, const char **why);
void kvl_glob_free(kvl_glob *glob);

/* The pattern as written. */
const char *kvl_glob_pattern(const kvl_glob *glob);

/* Does `path` ('/'-separated; "./" and repeated '/' tolerated) match? */
bool kvl_glob_match(const kvl_glob *glob, const char *path);

/* A plain name glob (domain names, disk targets): fnmatch without
 * FNM_PATHNAME, for strings that have no components. */
bool kvl_name_match(const char *pattern, const char *name);

#endif
