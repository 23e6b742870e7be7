/*
 * libvirt's cpuset / nodeset syntax to hwloc bitmaps and back (cpuset.h).
 *
 * The grammar and its oddities follow libvirt's virBitmapParse, so that what
 * kvmlint accepts is what libvirt accepts: items apply left to right (so
 * "^2,0-3" still contains 2), "^" takes a single number, not a range, and
 * spaces may follow numbers and commas, and a trailing comma ("0-3,") is
 * accepted as libvirt accepts it (reporting it would be a false error).
 * The messages say which part is wrong.
 */
#include "model/cpuset.h"

#include <stdbool.h>
#include <stdlib.h>

#include "util/mem.h"
#include "util/banned.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *skip_spaces(const char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

/*
 * A CPU or node id.  Stops accumulating once past the limit so that a long
 * run of digits cannot overflow; the caller only needs to know it is too big.
 */
static const char *parse_id(const char *p, unsigned *out, const char **why)
{
    unsigned long v = 0;

    if (!is_digit(*p)) {
        *why = *p == ',' ? "empty item between commas"
             : *p == '\0' ? "a number is missing at the end"
             : *p == '-' ? "a range needs a number before '-'"
             : "expected a CPU or node number";
        return NULL;
    }
    while (is_digit(*p)) {
        if (v < KVL_CPUSET_MAX)
            v = v * 10 + (unsigned long)(*p - '0');
        p++;
    }
    if (v >= KVL_CPUSET_MAX) {
        *why = "number above 16383, libvirt's limit";
        return NULL;
    }
    *out = (unsigned)v;
    return p;
}

hwloc_bitmap_t kvl_cpuset_parse(const char *text, const char **why)
{
    hwloc_bitmap_t set;
    const char *p;
    const char *dummy;

    if (!why)
        why = &dummy;
    if (!text) {
        *why = "no value";
        return NULL;
    }
    p = skip_spaces(text);
    if (*p == '\0') {
        *why = "the list is empty";
        return NULL;
    }
    set = hwloc_bitmap_alloc();
    if (!set) {
        *why = "out of memory";
        return NULL;
    }
    for (;;) {
        bool neg = false;
        unsigned first, last;

        if (*p == '^') {
            neg = true;
            p++;
        }
        if (!(p = parse_id(p, &first, why)))
            goto fail;
        p = skip_spaces(p);
        last = first;
        if (*p == '-') {
            if (neg) {
                *why = "an exclusion ^n takes a single number, not a range";
                goto fail;
            }
            p = skip_spaces(p + 1);
            if (!(p = parse_id(p, &last, why)))
                goto fail;
            if (last < first) {
                *why = "a range ends below its start";
                goto fail;
            }
            p = skip_spaces(p);
        }
        if (neg)
            hwloc_bitmap_clr(set, first);
        else
            hwloc_bitmap_set_range(set, (int)first, (int)last);

        if (*p == '\0')
            break;
        if (*p != ',') {
            *why = "unexpected character, expected ',' between items";
            goto fail;
        }
        p = skip_spaces(p + 1);
        if (*p == '\0')
            break;              /* "0-3," */
    }
    if (hwloc_bitmap_iszero(set)) {
        *why = "the set selects nothing";
        goto fail;
    }
    return set;

fail:
    hwloc_bitmap_free(set);
    return NULL;
}

char *kvl_cpuset_format(hwloc_const_bitmap_t set)
{
    char *s = NULL;

    /* hwloc allocates with malloc, so the caller's free() matches either way */
    if (!set || hwloc_bitmap_list_asprintf(&s, set) < 0 || !s) {
        free(s);
        s = kvl_xstrdup("");
    }
    return s;
}
