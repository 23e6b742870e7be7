/*
 * Memory sizes and plain numbers as libvirt writes them.  RULES.md "Units":
 * `unit` may be b/bytes, KB (10^3), k/KiB, MB (10^6), M/MiB, GB, G/GiB, TB,
 * T/TiB (and PB/P/PiB, EB/E/EiB, which libvirt also accepts).  Sizes are kept
 * in KiB, rounded up the way libvirt does.
 */
#ifndef KVL_MODEL_UNITS_H
#define KVL_MODEL_UNITS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Bytes per `unit`, matched case-insensitively as libvirt's virScaleInteger
 * does ("kib", "KIB" and "k" are all 1024; "kb" is 1000; "b", "byte",
 * "bytes" are 1).  Returns 0, or -1 with *why set.
 */
int kvl_unit_parse(const char *unit, uint64_t *bytes, const char **why);

/*
 * Parse `number` with `unit` into KiB.  `unit` NULL or "" means
 * `default_unit` (NULL: "KiB"), as an absent or empty unit attribute does in
 * libvirt.  The limit is libvirt's: below 2^53 KiB (what `virsh` shows as
 * "unlimited" is the largest accepted value).  Returns 0, or -1 with *why set
 * to a static explanation; an unknown unit gives the same *why as
 * kvl_unit_parse, so a caller that wants to blame the unit attribute checks
 * it with kvl_unit_parse first.
 */
int kvl_size_parse(const char *number, const char *unit, const char *default_unit,
                   uint64_t *kib, const char **why);

/* The largest size kvl_size_parse returns, in KiB (2^53 - 1). */
#define KVL_SIZE_MAX_KIB ((UINT64_C(1) << 53) - 1)

/*
 * An unsigned decimal integer, no sign, no trailing garbage, <= max.
 * Surrounding whitespace is ignored.  Returns 0, or -1 with *why set.
 */
int kvl_uint_parse(const char *text, uint64_t max, uint64_t *out, const char **why);

/*
 * The same in C literal syntax, as libvirt reads PCI addresses (strtoul base
 * 0): "0x1f" hexadecimal, "017" octal, "15" decimal.
 */
int kvl_uint_parse_c(const char *text, uint64_t max, uint64_t *out, const char **why);

/* A signed decimal integer in [min, max]; a leading '+' or '-' is allowed. */
int kvl_int_parse(const char *text, int64_t min, int64_t max, int64_t *out,
                  const char **why);

/*
 * A size for messages, never rounded: the largest binary unit that holds the
 * value exactly ("64 GiB", "214 MiB"), or exactly with one decimal
 * ("1.5 GiB"), else KiB ("219137 KiB").  Caller frees.
 */
char *kvl_size_format(uint64_t kib);

#endif
