/*
 * The CPU side of the domain model: <vcpu>, <iothreads>/<iothreadids>,
 * <cputune> (vcpupin, emulatorpin, iothreadpin, vcpusched, and the
 * bandwidth values shares/period/quota and their global/emulator/iothread
 * variants) and <cpu> (mode, model, topology, guest NUMA cells with their
 * distances).
 *
 * Defaults that need the whole document (IOThread ids, the topology when
 * <topology> is absent, the vcpupin index) are settled in
 * kvl_walk_finish_cpu, because <iothreadids> may come before <iothreads> and
 * <cpu> before <vcpu>.
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain_priv.h"
#include "model/units.h"
#include "util/mem.h"
#include "util/banned.h"

static const char *const placement_values[] = { "static", "auto", NULL };
static const char *const sched_values[] = { "other", "batch", "idle", "fifo", "rr", NULL };

/* ---- <vcpu>, <iothreads>, <iothreadids> ---- */

void kvl_walk_vcpu(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    unsigned n;

    if (dom->vcpu_node)
        return;
    dom->vcpu_node = kvl_doc_ref(node);
    if (kvl_walk_uint_text(w, node, 1, KVL_VCPUS_MAX, &n) == 1) {
        dom->has_vcpus = true;
        dom->vcpus = n;
    } else {
        dom->vcpus = 0;
    }
    if (kvl_walk_uint_attr(w, node, "current", 1, KVL_VCPUS_MAX, &n) == 1) {
        dom->has_vcpus_current = true;
        dom->vcpus_current = n;
    }
    kvl_walk_enum_attr(w, node, "placement", placement_values, &dom->vcpu_placement);
    kvl_walk_set_attr(w, node, "cpuset", "cpuset", &dom->vcpu_cpuset);
}

void kvl_walk_iothreads(kvl_walk *w, const xmlNode *node, void *ctx)
{
    unsigned n;

    if (w->dom->iothreads_node)
        return;
    w->dom->iothreads_node = kvl_doc_ref(node);
    if (kvl_walk_uint_text(w, node, 0, KVL_VCPUS_MAX, &n) == 1)
        w->dom->iothreads = n;
}

static bool has_id(const unsigned *ids, size_t n, unsigned id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

static void walk_iothread(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    size_t *cap = ctx;
    unsigned id;
    int rc;

    rc = kvl_walk_uint_attr(w, node, "id", 1, UINT32_MAX, &id);
    if (rc == 0)
        kvl_walk_missing(w, node, "id");
    if (rc != 1)
        return;
    if (has_id(dom->iothread_ids, dom->niothread_ids, id)) {
        kvl_walk_bad_value(w, node, "id", "number", kvl_xml_attr(node, "id"),
                           "duplicate iothread id", NULL);
        return;
    }
    if (dom->niothread_ids >= KVL_VCPUS_MAX) {
        kvl_walk_bad_value(w, node, "id", "number", kvl_xml_attr(node, "id"),
                           "more than 16384 iothreads", NULL);
        return;
    }
    KVL_GROW(dom->iothread_ids, dom->niothread_ids, *cap);
    dom->iothread_ids[dom->niothread_ids++] = id;
}

static const kvl_walk_entry iothreadids_table[] = {
    { "iothread", walk_iothread },
    { NULL, NULL },
};

void kvl_walk_iothreadids(kvl_walk *w, const xmlNode *node, void *ctx)
{
    size_t cap = 0;

    if (w->dom->iothreadids_node)
        return;
    w->dom->iothreadids_node = kvl_doc_ref(node);
    kvl_walk_children(w, node, iothreadids_table, &cap);
}

static int cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

    return x < y ? -1 : x > y;
}

/* libvirt gives threads without an <iothread> entry the lowest unused ids. */
static void fill_iothread_ids(kvl_domain *dom)
{
    size_t have = dom->niothread_ids;
    unsigned *sorted, next = 1;
    size_t j = 0;

    if (dom->iothreads < have)
        dom->iothreads = (unsigned)have;
    if (dom->iothreads == have)
        return;
    sorted = kvl_xmalloc((have ? have : 1) * sizeof(*sorted));
    if (have)
        memcpy(sorted, dom->iothread_ids, have * sizeof(*sorted));
    qsort(sorted, have, sizeof(*sorted), cmp_unsigned);
    dom->iothread_ids = kvl_xrealloc(dom->iothread_ids,
                                     dom->iothreads * sizeof(*dom->iothread_ids));
    while (dom->niothread_ids < dom->iothreads) {
        while (j < have && sorted[j] < next)
            j++;
        if (j < have && sorted[j] == next) {
            next++;
            continue;
        }
        dom->iothread_ids[dom->niothread_ids++] = next++;
    }
    free(sorted);
}

/* ---- <cputune> ---- */

static void walk_vcpupin(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    hwloc_bitmap_t cpus = NULL;
    unsigned vcpu;
    int rc;

    rc = kvl_walk_uint_attr(w, node, "vcpu", 0, UINT32_MAX, &vcpu);
    if (rc == 0)
        kvl_walk_missing(w, node, "vcpu");
    if (kvl_walk_set_attr(w, node, "cpuset", "cpuset", &cpus) == 0)
        kvl_walk_missing(w, node, "cpuset");
    if (rc != 1) {
        hwloc_bitmap_free(cpus);
        return;
    }
    KVL_GROW(dom->vcpupins, dom->nvcpupins, dom->cap_vcpupins);
    dom->vcpupins[dom->nvcpupins].node = kvl_doc_ref(node);
    dom->vcpupins[dom->nvcpupins].vcpu = vcpu;
    dom->vcpupins[dom->nvcpupins].cpus = cpus;
    dom->nvcpupins++;
}

static void walk_emulatorpin(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;

    if (dom->emulatorpin_node)
        return;
    dom->emulatorpin_node = kvl_doc_ref(node);
    if (kvl_walk_set_attr(w, node, "cpuset", "cpuset", &dom->emulatorpin) == 0)
        kvl_walk_missing(w, node, "cpuset");
}

static void walk_iothreadsched(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (!w->dom->iothreadsched_node)
        w->dom->iothreadsched_node = kvl_doc_ref(node);
}

static void walk_iothreadpin(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    hwloc_bitmap_t cpus = NULL;
    unsigned id;
    int rc;

    rc = kvl_walk_uint_attr(w, node, "iothread", 1, UINT32_MAX, &id);
    if (rc == 0)
        kvl_walk_missing(w, node, "iothread");
    if (kvl_walk_set_attr(w, node, "cpuset", "cpuset", &cpus) == 0)
        kvl_walk_missing(w, node, "cpuset");
    if (rc != 1) {
        hwloc_bitmap_free(cpus);
        return;
    }
    KVL_GROW(dom->iothreadpins, dom->niothreadpins, dom->cap_iothreadpins);
    dom->iothreadpins[dom->niothreadpins].node = kvl_doc_ref(node);
    dom->iothreadpins[dom->niothreadpins].iothread = id;
    dom->iothreadpins[dom->niothreadpins].cpus = cpus;
    dom->niothreadpins++;
}

static void walk_vcpusched(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_vcpusched *s;
    const char *prio, *why = NULL;
    int64_t v;

    KVL_GROW(dom->vcpuscheds, dom->nvcpuscheds, dom->cap_vcpuscheds);
    s = &dom->vcpuscheds[dom->nvcpuscheds++];
    s->node = kvl_doc_ref(node);
    if (kvl_walk_set_attr(w, node, "vcpus", "cpuset", &s->vcpus) == 0)
        kvl_walk_missing(w, node, "vcpus");
    if (kvl_walk_enum_attr(w, node, "scheduler", sched_values, &s->scheduler) == 0)
        kvl_walk_missing(w, node, "scheduler");
    if ((prio = kvl_xml_attr(node, "priority"))) {
        s->priority_given = true;
        if (kvl_int_parse(prio, INT32_MIN, INT32_MAX, &v, &why) < 0) {
            kvl_walk_bad_value(w, node, "priority", "number", prio, why, NULL);
        } else {
            s->has_priority = true;
            s->priority = (int)v;
        }
    }
}

/* Indexed by kvl_cputune_key. */
static const char *const cputune_names[KVL_CPUTUNE_N] = {
    "shares", "period", "quota", "global_period", "global_quota",
    "emulator_period", "emulator_quota", "iothread_period", "iothread_quota",
};

const char *kvl_cputune_name(kvl_cputune_key key)
{
    return (unsigned)key < KVL_CPUTUNE_N ? cputune_names[key] : NULL;
}

/*
 * One bandwidth value.  Any 64-bit integer is kept, negative ones too:
 * which ranges libvirt accepts (negative quota means unlimited, 0 means
 * unset) is cpu-cputune-range's to judge, with the element to point at.
 */
static void cputune_value(kvl_walk *w, const xmlNode *node, kvl_cputune_key key)
{
    kvl_domain *dom = w->dom;
    const char *why = NULL;
    char *text;
    int64_t v;

    if (dom->cputune_nodes[key])
        return;
    dom->cputune_nodes[key] = kvl_doc_ref(node);
    text = kvl_xml_text(node);
    if (kvl_int_parse(text ? text : "", INT64_MIN, INT64_MAX, &v, &why) < 0) {
        kvl_walk_bad_value(w, node, NULL, "number", text, why, NULL);
    } else {
        dom->cputune_set |= 1u << key;
        dom->cputune[key] = v;
    }
    free(text);
}

#define CPUTUNE_WALKER(fn, key)                                               \
    static void fn(kvl_walk *w, const xmlNode *node, void *ctx)               \
    {                                                                         \
        cputune_value(w, node, key);                                          \
    }
CPUTUNE_WALKER(walk_shares, KVL_CPUTUNE_SHARES)
CPUTUNE_WALKER(walk_period, KVL_CPUTUNE_PERIOD)
CPUTUNE_WALKER(walk_quota, KVL_CPUTUNE_QUOTA)
CPUTUNE_WALKER(walk_global_period, KVL_CPUTUNE_GLOBAL_PERIOD)
CPUTUNE_WALKER(walk_global_quota, KVL_CPUTUNE_GLOBAL_QUOTA)
CPUTUNE_WALKER(walk_emulator_period, KVL_CPUTUNE_EMULATOR_PERIOD)
CPUTUNE_WALKER(walk_emulator_quota, KVL_CPUTUNE_EMULATOR_QUOTA)
CPUTUNE_WALKER(walk_iothread_period, KVL_CPUTUNE_IOTHREAD_PERIOD)
CPUTUNE_WALKER(walk_iothread_quota, KVL_CPUTUNE_IOTHREAD_QUOTA)
#undef CPUTUNE_WALKER

static const kvl_walk_entry cputune_table[] = {
    { "vcpupin", walk_vcpupin },
    { "emulatorpin", walk_emulatorpin },
    { "iothreadpin", walk_iothreadpin },
    { "iothreadsched", walk_iothreadsched },
    { "vcpusched", walk_vcpusched },
    { "shares", walk_shares },
    { "period", walk_period },
    { "quota", walk_quota },
    { "global_period", walk_global_period },
    { "global_quota", walk_global_quota },
    { "emulator_period", walk_emulator_period },
    { "emulator_quota", walk_emulator_quota },
    { "iothread_period", walk_iothread_period },
    { "iothread_quota", walk_iothread_quota },
    { NULL, NULL },
};

void kvl_walk_cputune(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (w->dom->cputune_node)
        return;
    w->dom->cputune_node = kvl_doc_ref(node);
    kvl_walk_children(w, node, cputune_table, NULL);
}

/* ---- <cpu> ---- */

static void walk_model(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;

    if (!dom->cpu_model_node)
        dom->cpu_model_node = kvl_doc_ref(node);
    if (dom->cpu_model)
        return;
    dom->cpu_model = kvl_xml_text(node);
    /* host-model's <model fallback='allow'/> names no model */
    if (dom->cpu_model && !dom->cpu_model[0]) {
        free(dom->cpu_model);
        dom->cpu_model = NULL;
    }
}

static void topology_attr(kvl_walk *w, const xmlNode *node, const char *attr,
                          unsigned *out)
{
    *out = 1;
    kvl_walk_uint_attr(w, node, attr, 1, UINT32_MAX, out);
}

static void walk_topology(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;

    if (dom->topology_node)
        return;
    dom->topology_node = kvl_doc_ref(node);
    dom->has_topology = true;
    topology_attr(w, node, "sockets", &dom->sockets);
    topology_attr(w, node, "dies", &dom->dies);
    topology_attr(w, node, "clusters", &dom->clusters);
    topology_attr(w, node, "cores", &dom->cores);
    topology_attr(w, node, "threads", &dom->threads);
}

static void walk_sibling(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_cell *cell = ctx;
    kvl_distance *d;
    int rc;

    KVL_GROW(cell->distances, cell->ndistances, cell->cap_distances);
    d = &cell->distances[cell->ndistances++];
    d->node = kvl_doc_ref(node);
    rc = kvl_walk_uint_attr(w, node, "id", 0, UINT32_MAX, &d->id);
    if (rc == 0)
        kvl_walk_missing(w, node, "id");
    d->has_id = rc == 1;
    rc = kvl_walk_uint_attr(w, node, "value", 0, UINT32_MAX, &d->value);
    if (rc == 0)
        kvl_walk_missing(w, node, "value");
    d->has_value = rc == 1;
}

static const kvl_walk_entry distances_table[] = {
    { "sibling", walk_sibling },
    { NULL, NULL },
};

static void walk_distances(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_cell *cell = ctx;

    if (cell->distances_node)
        return;
    cell->distances_node = kvl_doc_ref(node);
    kvl_walk_children(w, node, distances_table, cell);
}

static const kvl_walk_entry cell_table[] = {
    { "distances", walk_distances },
    { NULL, NULL },
};

static void walk_cell(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_cell *cell;
    int rc;

    KVL_GROW(dom->cells, dom->ncells, dom->cap_cells);
    cell = &dom->cells[dom->ncells];
    cell->node = kvl_doc_ref(node);
    cell->id = (unsigned)dom->ncells;
    dom->ncells++;
    cell->has_id = kvl_walk_uint_attr(w, node, "id", 0, UINT32_MAX, &cell->id) == 1;
    cell->has_cpus = kvl_xml_attr(node, "cpus") != NULL;
    kvl_walk_set_attr(w, node, "cpus", "cpuset", &cell->cpus);
    rc = kvl_walk_size(w, node, "memory", "unit", &cell->memory_kib);
    if (rc == 0)
        kvl_walk_missing(w, node, "memory");
    cell->has_memory = rc == 1;
    cell->mem_access = kvl_walk_attr_dup(node, "memAccess");
    kvl_walk_children(w, node, cell_table, cell);
}

static const kvl_walk_entry numa_table[] = {
    { "cell", walk_cell },
    { NULL, NULL },
};

static void walk_numa(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (w->dom->numa_node)
        return;
    w->dom->numa_node = kvl_doc_ref(node);
    kvl_walk_children(w, node, numa_table, NULL);
}

static const kvl_walk_entry cpu_table[] = {
    { "model", walk_model },
    { "topology", walk_topology },
    { "numa", walk_numa },
    { NULL, NULL },
};

void kvl_walk_cpu(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (w->dom->cpu_node)
        return;
    w->dom->cpu_node = kvl_doc_ref(node);
    w->dom->cpu_mode = kvl_walk_attr_dup(node, "mode");
    kvl_walk_children(w, node, cpu_table, NULL);
}

/* ---- After the walk ---- */

void kvl_walk_finish_cpu(kvl_walk *w)
{
    kvl_domain *dom = w->dom;

    fill_iothread_ids(dom);
    if (!dom->has_topology) {
        dom->sockets = dom->vcpus;
        dom->dies = dom->clusters = dom->cores = dom->threads = 1;
    }
    if (dom->vcpus) {
        dom->vcpupin_of = kvl_xcalloc(dom->vcpus, sizeof(*dom->vcpupin_of));
        for (size_t i = 0; i < dom->nvcpupins; i++) {
            const kvl_vcpupin *p = &dom->vcpupins[i];

            if (p->vcpu < dom->vcpus && !dom->vcpupin_of[p->vcpu])
                dom->vcpupin_of[p->vcpu] = p;
        }
    }
}

void kvl_walk_free_cpu(kvl_domain *dom)
{
    free(dom->vcpu_placement);
    hwloc_bitmap_free(dom->vcpu_cpuset);
    free(dom->iothread_ids);
    for (size_t i = 0; i < dom->nvcpupins; i++)
        hwloc_bitmap_free(dom->vcpupins[i].cpus);
    free(dom->vcpupins);
    free(dom->vcpupin_of);
    hwloc_bitmap_free(dom->emulatorpin);
    for (size_t i = 0; i < dom->niothreadpins; i++)
        hwloc_bitmap_free(dom->iothreadpins[i].cpus);
    free(dom->iothreadpins);
    for (size_t i = 0; i < dom->nvcpuscheds; i++) {
        hwloc_bitmap_free(dom->vcpuscheds[i].vcpus);
        free(dom->vcpuscheds[i].scheduler);
    }
    free(dom->vcpuscheds);
    free(dom->cpu_mode);
    free(dom->cpu_model);
    for (size_t i = 0; i < dom->ncells; i++) {
        free(dom->cells[i].mem_access);
        hwloc_bitmap_free(dom->cells[i].cpus);
        free(dom->cells[i].distances);
    }
    free(dom->cells);
}
