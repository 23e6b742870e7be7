/*
 * The policy thresholds of kvl_config (rules/check.h) as named settings:
 * one table row per field, giving the name used both as the config file's
 * element inside <thresholds> and as `kvmlint check --NAME`, its type, and
 * where the field lives.  The config file, the command line and `kvmlint
 * config --show` all go through this table, so a value has one syntax
 * everywhere and precedence (command line > config file > default) is
 * applied field by field.  tests/unit/test_config.c fails when kvl_config
 * has a field the table does not cover, or a row has no command-line option.
 */
#ifndef KVL_CONFIG_THRESHOLDS_H
#define KVL_CONFIG_THRESHOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/check.h"
#include "util/buf.h"

typedef enum kvl_threshold_type {
    KVL_TH_RATIO,       /* double > 0, at most 1e6: "5", "2.5" */
    KVL_TH_SIZE,        /* uint64_t KiB: "2GiB", "512 M", bare numbers KiB */
    KVL_TH_COUNT,       /* unsigned: a decimal number */
    KVL_TH_CPUSET,      /* hwloc_const_bitmap_t, libvirt cpuset syntax "0-1,8";
                           allocated by the parser: see kvl_thresholds_release */
    KVL_TH_CHOICE,      /* unsigned: the index of one of the row's names */
} kvl_threshold_type;

typedef struct kvl_threshold {
    const char *name;           /* config element and --option */
    kvl_threshold_type type;
    size_t offset, size;        /* the field in kvl_config */
    unsigned min, max;          /* KVL_TH_COUNT: the accepted range */
    const char *summary;        /* one line for config --show */
    const char *const *choices; /* KVL_TH_CHOICE: the names, NULL-terminated */
} kvl_threshold;

/* {NULL}-terminated. */
extern const kvl_threshold kvl_thresholds[];
#define KVL_THRESHOLDS_MAX 64   /* the given-masks below are 64-bit */

/* The row named `name` (no leading dashes), or NULL. */
const kvl_threshold *kvl_threshold_find(const char *name);

/* Its index in kvl_thresholds (for the given-masks). */
size_t kvl_threshold_index(const kvl_threshold *t);

/* Parse `text` into the field of `cfg`.  Returns 0, or -1 with *why static.
 * A cpuset is allocated; the field must not hold one already. */
int kvl_threshold_parse(const kvl_threshold *t, const char *text, kvl_config *cfg,
                        const char **why);

/* The field of `cfg` as text the parser accepts ("5", "2 GiB"). */
void kvl_threshold_format(const kvl_threshold *t, const kvl_config *cfg, kvl_buf *out);

/* KVL_TH_CHOICE: its names for a usage error, "share or isolate" (caller frees). */
char *kvl_threshold_choices(const kvl_threshold *t);

/* Copy the field from `from` to `to` (a cpuset is shared, not copied). */
void kvl_threshold_copy(const kvl_threshold *t, kvl_config *to, const kvl_config *from);

/*
 * Free what the parser allocated for the thresholds in `given` (bit i:
 * kvl_thresholds[i]), once, in the config that parsed them; copies made
 * with kvl_threshold_copy or by assignment only borrow.
 */
void kvl_thresholds_release(kvl_config *cfg, uint64_t given);

/* A size the way --host-reserve takes it: a number and an optional unit,
 * glued or with blanks between ("2GiB", "512 M"); bare numbers are KiB. */
int kvl_threshold_parse_size(const char *text, uint64_t *kib, const char **why);

#endif
