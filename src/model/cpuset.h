/*
 * libvirt's cpuset / nodeset syntax ("0-3,8,^2") to and from hwloc bitmaps.
 * RULES.md "Definitions": ranges, singles, "^n" removes n.  Whitespace around
 * items is accepted as libvirt does.  IDs must be below KVL_CPUSET_MAX, the
 * bound libvirt itself applies (VIR_DOMAIN_CPUMASK_LEN).
 */
#ifndef KVL_MODEL_CPUSET_H
#define KVL_MODEL_CPUSET_H

#include <hwloc.h>

#define KVL_CPUSET_MAX 16384

/*
 * Parse `text` into a new bitmap.  Returns NULL on error and sets *why to a
 * static, lowercase explanation ("'x' is not a CPU number", "selects no CPU").
 * An empty result is an error, as it is for libvirt.
 */
hwloc_bitmap_t kvl_cpuset_parse(const char *text, const char **why);

/* "0-3,8" (libvirt's own list form).  Caller frees with free(). */
char *kvl_cpuset_format(hwloc_const_bitmap_t set);

#endif
