/* Allocation helpers that never return NULL (see mem.h). */
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t size)
{
    fprintf(stderr, "kvmlint: out of memory allocating %zu bytes\n", size);
    abort();
}

void *kvl_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

void *kvl_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        oom(nmemb * size);
    return p;
}

void *kvl_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        oom(size);
    return p;
}

/* A copy of the `len` bytes at `s`, terminated. */
static char *dup_len(const char *s, size_t len)
{
    char *p = kvl_xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *kvl_xstrdup(const char *s)
{
    return s ? dup_len(s, strlen(s)) : NULL;
}

char *kvl_xstrndup(const char *s, size_t n)
{
    return s ? dup_len(s, strnlen(s, n)) : NULL;
}

char *kvl_xasprintf(const char *fmt, ...)
{
    va_list ap;
    int len;
    char *p, small[256];

    /* one pass for the usual short text: measuring first (vsnprintf into
     * NULL) costs as much as formatting */
    va_start(ap, fmt);
    len = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (len < 0)
        oom(0);
    p = kvl_xmalloc((size_t)len + 1);
    if ((size_t)len < sizeof(small)) {
        memcpy(p, small, (size_t)len + 1);
        return p;
    }
    va_start(ap, fmt);
    vsnprintf(p, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return p;
}
