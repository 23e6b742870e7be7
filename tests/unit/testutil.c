/* Helpers shared by the unit tests; see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/mem.h"

char *kvl_test_src(const char *rel)
{
    const char *dir = getenv("KVMLINT_SRCDIR");

    if (!dir)
        fail_msg("KVMLINT_SRCDIR is not set: run the tests through ctest");
    return kvl_xasprintf("%s/%s", dir, rel);
}

char *kvl_test_corpus(const char *rel)
{
    const char *dir = getenv("KVMLINT_CORPUS");
    struct stat st;
    char *p;

    if (!dir)
        return NULL;
    p = kvl_xasprintf("%s/%s", dir, rel);
    if (stat(p, &st) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

char *kvl_test_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = kvl_xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        fail_msg("cannot read %s", path);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}
