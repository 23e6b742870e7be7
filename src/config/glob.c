/*
 * Path globs with `**` on top of fnmatch(3) (see glob.h).  A pattern is
 * kept as its components; matching splits the path the same way and walks
 * both, letting a `**` component absorb any number of path components.
 * Components never contain '/', so fnmatch without flags on one component
 * is exactly FNM_PATHNAME semantics on the whole path.
 */
#include "config/glob.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/banned.h"

struct kvl_glob {
    char *pattern;          /* as written */
    bool absolute;
    char *buf;              /* the components, NUL-separated */
    char **parts;
    size_t nparts;
};

/*
 * Split `s` in place at '/' into `parts` (room for strlen+1 entries),
 * dropping empty components and "." so that "./a//b" reads "a/b".  Returns
 * the count, or (size_t)-1 when a component is empty at the end ("a/").
 */
static size_t split(char *s, char **parts, bool strict)
{
    size_t n = 0;
    char *p = s;

    while (*p) {
        char *slash = strchr(p, '/');

        if (slash)
            *slash = '\0';
        if (*p && strcmp(p, ".") != 0)
            parts[n++] = p;
        if (!slash)
            break;
        p = slash + 1;
        if (strict && !*p)
            return (size_t)-1;
    }
    return n;
}

kvl_glob *kvl_glob_compile(const char *pattern, const char **why)
{
    kvl_glob *g;

    if (!pattern || !*pattern) {
        *why = "empty pattern";
        return NULL;
    }
    g = kvl_xcalloc(1, sizeof(*g));
    g->pattern = kvl_xstrdup(pattern);
    g->absolute = pattern[0] == '/';
    g->buf = kvl_xstrdup(pattern);
    g->parts = kvl_xcalloc(strlen(pattern) + 1, sizeof(*g->parts));
    g->nparts = split(g->buf, g->parts, true);
    if (g->nparts == (size_t)-1 || g->nparts == 0) {
        *why = g->nparts == 0 ? "the pattern names no file" :
                                "a pattern cannot end with '/': add '**' to match what is below";
        kvl_glob_free(g);
        return NULL;
    }
    return g;
}

void kvl_glob_free(kvl_glob *glob)
{
    if (!glob)
        return;
    free(glob->pattern);
    free(glob->buf);
    free(glob->parts);
    free(glob);
}

const char *kvl_glob_pattern(const kvl_glob *glob)
{
    return glob->pattern;
}

static bool match_parts(char *const *pat, size_t np, char *const *path, size_t nq)
{
    while (np > 0) {
        if (strcmp(pat[0], "**") == 0) {
            /* collapse runs of ** and try every split; paths are short */
            while (np > 1 && strcmp(pat[1], "**") == 0) {
                pat++;
                np--;
            }
            for (size_t k = 0; k <= nq; k++)
                if (match_parts(pat + 1, np - 1, path + k, nq - k))
                    return true;
            return false;
        }
        if (nq == 0 || fnmatch(pat[0], path[0], 0) != 0)
            return false;
        pat++, np--;
        path++, nq--;
    }
    return nq == 0;
}

bool kvl_glob_match(const kvl_glob *glob, const char *path)
{
    char *copy;
    char **parts;
    size_t n;
    bool ok;

    if (!path || (path[0] == '/') != glob->absolute)
        return false;
    copy = kvl_xstrdup(path);
    parts = kvl_xcalloc(strlen(path) + 1, sizeof(*parts));
    n = split(copy, parts, false);
    ok = match_parts(glob->parts, glob->nparts, parts, n);
    free(parts);
    free(copy);
    return ok;
}

bool kvl_name_match(const char *pattern, const char *name)
{
    return pattern && name && fnmatch(pattern, name, 0) == 0;
}
