/*
 * The threshold table (see thresholds.h) and the value syntax shared by the
 * config file and the command line.  A new kvl_config field gets a row here
 * named like its --option; the element of the same name then works in
 * <thresholds> (add it to schemas/kvmlint-config.rng too).
 */
#include "config/thresholds.h"

#include <stdlib.h>
#include <string.h>

#include "model/cpuset.h"
#include "model/units.h"
#include "util/mem.h"
#include "util/banned.h"

#define FIELD(field) offsetof(kvl_config, field), sizeof(((kvl_config *)0)->field)
#define ROW(name, type, field, summary) { name, type, FIELD(field), 0, 0, summary, NULL }
#define COUNT(name, field, min, max, summary) \
    { name, KVL_TH_COUNT, FIELD(field), min, max, summary, NULL }
#define CHOICE(name, field, names, summary) \
    { name, KVL_TH_CHOICE, FIELD(field), 0, 0, summary, names }

/* In the order of the enums of placement/plan.h. */
static const char *const strategies[] = { "spread", "pack", NULL };
static const char *const thread_policies[] = { "prefer", "isolate", "require", NULL };
static const char *const emulator_policies[] = { "share", "isolate", NULL };

const kvl_threshold kvl_thresholds[] = {
    ROW("cpu-overcommit-ratio", KVL_TH_RATIO, cpu_overcommit_ratio,
        "vCPUs per host logical CPU before cpu-overcommit fires"),
    ROW("host-reserve", KVL_TH_SIZE, host_reserve_kib,
        "memory kept for the host itself"),
    ROW("large-vm-memory", KVL_TH_SIZE, large_vm_kib,
        "a VM this large wants hugepages (mem-hugepages-recommended)"),
    ROW("very-large-vm-memory", KVL_TH_SIZE, very_large_vm_kib,
        "a VM this large wants 1 GiB pages"),
    COUNT("tap-queue-limit", tap_queue_limit, 1, 65535,
          "queues a host tap device takes (net-multiqueue-missing)"),
    ROW("housekeeping-cpus", KVL_TH_CPUSET, housekeeping_cpus,
        "host CPUs the host keeps for itself (host-housekeeping-cpus, placement)"),
    CHOICE("strategy", place_strategy, strategies,
           "placement: the node for a VM (spread: most free memory; pack: fewest free CPUs)"),
    CHOICE("thread-policy", place_threads, thread_policies,
           "placement: guest SMT threads on host siblings (prefer, isolate, require)"),
    CHOICE("emulator-policy", place_emulator, emulator_policies,
           "placement: emulator and IOThreads on housekeeping/own CPUs or one extra CPU"),
    { NULL, 0, 0, 0, 0, 0, NULL, NULL },
};

const kvl_threshold *kvl_threshold_find(const char *name)
{
    for (const kvl_threshold *t = kvl_thresholds; t->name; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

size_t kvl_threshold_index(const kvl_threshold *t)
{
    return (size_t)(t - kvl_thresholds);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* `text` without surrounding blanks; caller frees. */
static char *trimmed(const char *text)
{
    size_t n;

    while (is_blank(*text))
        text++;
    n = strlen(text);
    while (n && is_blank(text[n - 1]))
        n--;
    return kvl_xstrndup(text, n);
}

static int parse_ratio(const char *text, double *out, const char **why)
{
    char *end;
    double v = strtod(text, &end);

    if (end == text || *end || !(v > 0) || v > 1e6) {
        *why = "expected a positive number such as 5 or 2.5";
        return -1;
    }
    *out = v;
    return 0;
}

int kvl_threshold_parse_size(const char *text, uint64_t *kib, const char **why)
{
    char *s = trimmed(text);
    size_t n = strspn(s, "0123456789");
    const char *unit = s + n;
    char *num;
    int rc;

    while (is_blank(*unit))
        unit++;
    if (n == 0) {
        free(s);
        *why = "expected a size such as 2GiB or 512M";
        return -1;
    }
    num = kvl_xstrndup(s, n);
    rc = kvl_size_parse(num, *unit ? unit : NULL, "KiB", kib, why);
    free(num);
    free(s);
    return rc;
}

int kvl_threshold_parse(const kvl_threshold *t, const char *text, kvl_config *cfg,
                        const char **why)
{
    char *s = trimmed(text);
    void *field = (char *)cfg + t->offset;
    int rc = -1;

    switch (t->type) {
    case KVL_TH_RATIO:
        rc = parse_ratio(s, field, why);
        break;
    case KVL_TH_SIZE:
        rc = kvl_threshold_parse_size(s, field, why);
        break;
    case KVL_TH_CPUSET: {
        hwloc_bitmap_t set = kvl_cpuset_parse(s, why);

        if (set) {
            *(hwloc_const_bitmap_t *)field = set;
            rc = 0;
        }
        break;
    }
    case KVL_TH_CHOICE:
        *why = "not one of the accepted names";
        for (unsigned i = 0; t->choices[i]; i++)
            if (strcmp(s, t->choices[i]) == 0) {
                *(unsigned *)field = i;
                rc = 0;
            }
        break;
    case KVL_TH_COUNT: {
        uint64_t v;

        rc = kvl_uint_parse(s, t->max, &v, why);
        if (rc == 0 && v < t->min) {
            *why = t->min == 1 ? "must be at least 1" : "value too small";
            rc = -1;
        }
        if (rc == 0)
            *(unsigned *)field = (unsigned)v;
        break;
    }
    }
    free(s);
    return rc;
}

void kvl_threshold_format(const kvl_threshold *t, const kvl_config *cfg, kvl_buf *out)
{
    const void *field = (const char *)cfg + t->offset;

    switch (t->type) {
    case KVL_TH_RATIO:
        kvl_buf_addf(out, "%g", *(const double *)field);
        break;
    case KVL_TH_SIZE: {
        /* exact, unlike kvl_size_format's "1.5 GiB", so it parses back */
        static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
        uint64_t v = *(const uint64_t *)field;
        size_t u = 0;

        while (u + 1 < sizeof(units) / sizeof(units[0]) && v && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        kvl_buf_addf(out, "%llu %s", (unsigned long long)v, units[u]);
        break;
    }
    case KVL_TH_COUNT:
        kvl_buf_addf(out, "%u", *(const unsigned *)field);
        break;
    case KVL_TH_CHOICE:
        kvl_buf_adds(out, t->choices[*(const unsigned *)field]);
        break;
    case KVL_TH_CPUSET: {
        hwloc_const_bitmap_t set = *(const hwloc_const_bitmap_t *)field;
        char *text = set ? kvl_cpuset_format(set) : NULL;

        kvl_buf_adds(out, text ? text : "none");
        free(text);
        break;
    }
    }
}

void kvl_thresholds_release(kvl_config *cfg, uint64_t given)
{
    for (const kvl_threshold *t = kvl_thresholds; t->name; t++) {
        hwloc_const_bitmap_t *field = (hwloc_const_bitmap_t *)((char *)cfg + t->offset);

        if (t->type != KVL_TH_CPUSET || !(given & (UINT64_C(1) << kvl_threshold_index(t))))
            continue;
        hwloc_bitmap_free((hwloc_bitmap_t)*field);
        *field = NULL;
    }
}

char *kvl_threshold_choices(const kvl_threshold *t)
{
    kvl_buf b = KVL_BUF_INIT;

    for (size_t i = 0; t->choices && t->choices[i]; i++)
        kvl_buf_addf(&b, "%s%s", i == 0 ? "" : t->choices[i + 1] ? ", " : " or ",
                     t->choices[i]);
    return kvl_buf_detach(&b);
}

void kvl_threshold_copy(const kvl_threshold *t, kvl_config *to, const kvl_config *from)
{
    memcpy((char *)to + t->offset, (const char *)from + t->offset, t->size);
}
