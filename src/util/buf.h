/*
 * A growable string buffer (git's strbuf, reduced).  `s` is always
 * NUL-terminated once anything was added; a zeroed kvl_buf is empty and valid.
 * The owner frees with kvl_buf_free() or takes the string with
 * kvl_buf_detach().
 */
#ifndef KVL_UTIL_BUF_H
#define KVL_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct kvl_buf {
    char *s;
    size_t len;
    size_t cap;
} kvl_buf;

#define KVL_BUF_INIT { NULL, 0, 0 }

void kvl_buf_add(kvl_buf *b, const char *s, size_t n);
void kvl_buf_adds(kvl_buf *b, const char *s);
void kvl_buf_addc(kvl_buf *b, char c);
void kvl_buf_addf(kvl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kvl_buf_vaddf(kvl_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void kvl_buf_reset(kvl_buf *b);
const char *kvl_buf_str(const kvl_buf *b);   /* "" when empty, never NULL */
char *kvl_buf_detach(kvl_buf *b);            /* caller frees; buffer is reset */
void kvl_buf_free(kvl_buf *b);

#endif
