/*
 * Allocation helpers.  kvmlint treats running out of memory as fatal, the way
 * git's xmalloc() does: every caller can assume a non-NULL result, which keeps
 * error paths for real input errors readable.
 */
#ifndef KVL_UTIL_MEM_H
#define KVL_UTIL_MEM_H

#include <stddef.h>

void *kvl_xmalloc(size_t size);
void *kvl_xcalloc(size_t nmemb, size_t size);
void *kvl_xrealloc(void *ptr, size_t size);
char *kvl_xstrdup(const char *s);          /* NULL in, NULL out */
char *kvl_xstrndup(const char *s, size_t n);
char *kvl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Grow a dynamic array so that index `n` is valid.  `arr` is the pointer,
 * `cap` its capacity in elements; new slots are zeroed.
 *   KVL_GROW(d->disks, d->ndisks, d->cap_disks);
 *   d->disks[d->ndisks++] = ...;
 */
#define KVL_GROW(arr, n, cap)                                                  \
    do {                                                                       \
        if ((n) >= (cap)) {                                                    \
            size_t kvl_old_ = (cap);                                           \
            (cap) = (cap) ? (cap) * 2 : 4;                                     \
            (arr) = kvl_xrealloc((arr), (cap) * sizeof(*(arr)));               \
            memset((arr) + kvl_old_, 0, ((cap) - kvl_old_) * sizeof(*(arr)));  \
        }                                                                      \
    } while (0)

#endif
