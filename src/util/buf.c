/* Growable string buffer; see buf.h. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static void grow(kvl_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;

    if (need <= b->cap)
        return;
    if (b->cap * 2 > need)
        need = b->cap * 2;
    if (need < 64)
        need = 64;
    b->s = kvl_xrealloc(b->s, need);
    b->cap = need;
}

void kvl_buf_add(kvl_buf *b, const char *s, size_t n)
{
    grow(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void kvl_buf_adds(kvl_buf *b, const char *s)
{
    kvl_buf_add(b, s, strlen(s));
}

void kvl_buf_addc(kvl_buf *b, char c)
{
    kvl_buf_add(b, &c, 1);
}

void kvl_buf_vaddf(kvl_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int len;
    char small[512];

    /* format into a stack buffer first: glibc's measuring pass (vsnprintf
     * into NULL) costs as much as the real one, and most texts are short,
     * so the second pass is only for the long ones */
    va_copy(cp, ap);
    len = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (len <= 0)
        return;
    if ((size_t)len < sizeof(small)) {
        kvl_buf_add(b, small, (size_t)len);
        return;
    }
    grow(b, (size_t)len);
    vsnprintf(b->s + b->len, (size_t)len + 1, fmt, ap);
    b->len += (size_t)len;
}

void kvl_buf_addf(kvl_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    kvl_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void kvl_buf_reset(kvl_buf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

const char *kvl_buf_str(const kvl_buf *b)
{
    return b->s ? b->s : "";
}

char *kvl_buf_detach(kvl_buf *b)
{
    char *s = b->s ? b->s : kvl_xstrdup("");

    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void kvl_buf_free(kvl_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}
