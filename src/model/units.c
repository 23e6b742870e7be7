/*
 * Numbers and memory sizes as libvirt reads them (units.h).
 *
 * The unit rules copy libvirt's virScaleInteger (case-insensitive suffixes,
 * "k"/"KiB" binary, "KB" decimal) and the size limit and rounding copy
 * virDomainParseMemory (bytes rounded up to whole KiB, below 2^53 KiB), so a
 * size kvmlint accepts is one libvirt accepts with the same value.  Numbers
 * are parsed by hand rather than with strtoull so that signs, which strtoull
 * silently accepts and negates, are an error.
 */
#include "model/units.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/mem.h"
#include "util/banned.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool case_eq(const char *a, const char *b)
{
    while (*a && lower(*a) == lower(*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

static const char *const unit_why =
    "unknown unit (use b, KB, KiB, MB, MiB, GB, GiB, TB or TiB)";

int kvl_unit_parse(const char *unit, uint64_t *bytes, const char **why)
{
    uint64_t base, scale = 1;
    int steps;

    if (!unit || !*unit) {
        *why = unit_why;
        return -1;
    }
    if (case_eq(unit, "b") || case_eq(unit, "byte") || case_eq(unit, "bytes")) {
        *bytes = 1;
        return 0;
    }
    if (unit[1] == '\0' || case_eq(unit + 1, "ib"))
        base = 1024;
    else if (lower(unit[1]) == 'b' && unit[2] == '\0')
        base = 1000;
    else {
        *why = unit_why;
        return -1;
    }
    switch (lower(unit[0])) {
    case 'k': steps = 1; break;
    case 'm': steps = 2; break;
    case 'g': steps = 3; break;
    case 't': steps = 4; break;
    case 'p': steps = 5; break;
    case 'e': steps = 6; break;
    default:
        *why = unit_why;
        return -1;
    }
    while (steps--)
        scale *= base;
    *bytes = scale;
    return 0;
}

/* Digits in `base` (8, 10 or 16) from `p` to the end, surrounding spaces ok. */
static int parse_digits(const char *p, unsigned base, uint64_t max, uint64_t *out,
                        const char **why)
{
    uint64_t v = 0;
    bool any = false;

    for (;; p++) {
        unsigned d;
        char c = lower(*p);

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            break;
        if (d >= base)
            break;
        if (v > (UINT64_MAX - d) / base) {
            *why = "value too large";
            return -1;
        }
        v = v * base + d;
        any = true;
    }
    while (is_space(*p))
        p++;
    if (!any || *p) {
        *why = "not a number";
        return -1;
    }
    if (v > max) {
        *why = "value too large";
        return -1;
    }
    *out = v;
    return 0;
}

static const char *skip_lead(const char *text, const char **why)
{
    if (!text) {
        *why = "no value";
        return NULL;
    }
    while (is_space(*text))
        text++;
    if (!*text) {
        *why = "empty value";
        return NULL;
    }
    if (*text == '-' || *text == '+') {
        *why = "a sign is not allowed here";
        return NULL;
    }
    return text;
}

int kvl_uint_parse(const char *text, uint64_t max, uint64_t *out, const char **why)
{
    const char *p = skip_lead(text, why);

    if (!p)
        return -1;
    return parse_digits(p, 10, max, out, why);
}

int kvl_uint_parse_c(const char *text, uint64_t max, uint64_t *out, const char **why)
{
    const char *p = skip_lead(text, why);

    if (!p)
        return -1;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        return parse_digits(p + 2, 16, max, out, why);
    if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
        return parse_digits(p + 1, 8, max, out, why);
    return parse_digits(p, 10, max, out, why);
}

int kvl_int_parse(const char *text, int64_t min, int64_t max, int64_t *out,
                  const char **why)
{
    const char *p = text;
    bool neg = false;
    uint64_t mag;

    if (!p) {
        *why = "no value";
        return -1;
    }
    while (is_space(*p))
        p++;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    if (!*p || is_space(*p)) {
        *why = "not a number";
        return -1;
    }
    if (parse_digits(p, 10, (uint64_t)INT64_MAX + 1, &mag, why) < 0)
        return -1;
    if (!neg && mag > (uint64_t)INT64_MAX) {
        *why = "value too large";
        return -1;
    }
    {
        int64_t v = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag)
                        : (int64_t)mag;
        if (v < min || v > max) {
            *why = v < min ? "value too small" : "value too large";
            return -1;
        }
        *out = v;
    }
    return 0;
}

int kvl_size_parse(const char *number, const char *unit, const char *default_unit,
                   uint64_t *kib, const char **why)
{
    /* libvirt's bound for sizes: off_t bytes, and below 2^53 KiB after rounding */
    const uint64_t limit = (uint64_t)INT64_MAX;
    uint64_t value, scale, bytes, k;

    if (!unit || !*unit)
        unit = default_unit ? default_unit : "KiB";
    if (kvl_unit_parse(unit, &scale, why) < 0)
        return -1;
    if (kvl_uint_parse(number, UINT64_MAX, &value, why) < 0)
        return -1;
    if (value && value > limit / scale) {
        *why = "value too large";
        return -1;
    }
    bytes = value * scale;
    k = bytes / 1024 + (bytes % 1024 != 0);
    if (k > KVL_SIZE_MAX_KIB) {
        *why = "value too large";
        return -1;
    }
    *kib = k;
    return 0;
}

char *kvl_size_format(uint64_t kib)
{
    static const char *const names[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

    for (int i = 5; i >= 1; i--) {
        uint64_t u = UINT64_C(1) << (10 * i);
        uint64_t rem = kib % u;

        if (kib < u)
            continue;
        if (rem == 0)
            return kvl_xasprintf("%" PRIu64 " %s", kib / u, names[i]);
        /* only a half is exact to one decimal in a power-of-two unit */
        if (rem == u / 2)
            return kvl_xasprintf("%" PRIu64 ".5 %s", kib / u, names[i]);
    }
    return kvl_xasprintf("%" PRIu64 " KiB", kib);
}
