/*
 * The NUMA parts of a definition: <numatune> bindings libvirt refuses (at
 * define, or at start when a host node does not exist), guest NUMA cells
 * libvirt refuses (ids, overlapping vCPUs, distances), the two things
 * libvirt quietly rewrites (vCPUs left out of every cell, a <memory> that is
 * not the sum of the cells), and guest cells spread over host nodes without
 * being told the host's distances.  The host-node and distance checks need
 * a host snapshot; the rest read the domain alone.
 *
 * The conditions follow libvirt's numa_conf.c, so that an error here is an
 * error there; the messages say what libvirt would.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

/* libvirt's (ACPI SLIT) distance bounds */
#define LOCAL_DISTANCE 10
#define UNREACHABLE 255

/* ---- numa-numatune-invalid ---- */

/*
 * The domain-wide memory placement is automatic, as libvirt settles it:
 * placement='auto', or no placement and no nodeset while <vcpu
 * placement='auto'> (also when <numatune><memory> is absent).
 */
static bool memory_placement_auto(const kvl_domain *dom)
{
    bool vcpu_auto = kvl_ru_streq(dom->vcpu_placement, "auto");

    if (!dom->numa_memory_node)
        return vcpu_auto;
    if (dom->numa_placement_given)
        return kvl_ru_streq(dom->numa_placement, "auto");
    return !dom->numa_nodeset_given && vcpu_auto;
}

/* Report the nodes of `nodeset` the host lacks. */
static void check_nodes_exist(kvl_check_ctx *ctx, kvl_ref where, hwloc_const_bitmap_t nodeset,
                              const char *what)
{
    hwloc_bitmap_t ids = kvl_ru_host_node_ids(ctx->host);
    hwloc_bitmap_t missing = hwloc_bitmap_alloc();

    hwloc_bitmap_andnot(missing, nodeset, ids);
    if (!hwloc_bitmap_iszero(missing)) {
        char *nodes = kvl_ru_node_phrase("host node", "host nodes", missing);
        char *has = kvl_ru_node_phrase("host node", "host nodes", ids);
        char *list = kvl_ru_node_str(ids);
        char *hint = kvl_xasprintf("bind only to nodes this host has (%s)", list);

        kvl_report(ctx->sink, ctx->rule, where, "nodeset", hint,
                   "%s names %s, which the host does not have (it has %s); the VM cannot start",
                   what, nodes, has);
        free(nodes);
        free(has);
        free(list);
        free(hint);
    }
    hwloc_bitmap_free(missing);
    hwloc_bitmap_free(ids);
}

static void check_numatune_hosts(kvl_check_ctx *ctx, bool placement_auto)
{
    const kvl_domain *dom = ctx->dom;
    /* with automatic placement libvirt drops the nodeset */
    bool domain_set = dom->numa_nodeset && !placement_auto;
    bool any = domain_set;

    for (size_t i = 0; i < dom->nmemnodes; i++)
        any |= dom->memnodes[i].nodeset != NULL;
    if (!any || !kvl_need_host_nodes(ctx))
        return;
    if (domain_set)
        check_nodes_exist(ctx, dom->numa_memory_node, dom->numa_nodeset,
                          "numatune memory nodeset");
    for (size_t i = 0; i < dom->nmemnodes; i++) {
        const kvl_memnode *m = &dom->memnodes[i];
        char *what;

        if (!m->nodeset)
            continue;
        what = m->has_cellid ? kvl_xasprintf("memnode of guest cell %u", m->cellid)
                             : kvl_xstrdup("memnode");
        check_nodes_exist(ctx, m->node, m->nodeset, what);
        free(what);
    }
}

static void check_memnodes(kvl_check_ctx *ctx, bool placement_auto)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t seen;

    if (dom->nmemnodes == 0)
        return;
    if (placement_auto)
        kvl_report(ctx->sink, ctx->rule, dom->memnodes[0].node, NULL,
                   "drop the <memnode> elements, or give <numatune><memory> a static nodeset",
                   "per-node <memnode> binding cannot be combined with automatic NUMA placement (%s); "
                   "libvirt refuses the definition",
                   dom->numa_placement_given ? "numatune memory placement='auto'"
                                             : "vcpu placement='auto' makes the memory placement automatic");
    if (dom->ncells == 0) {
        kvl_report(ctx->sink, ctx->rule, dom->memnodes[0].node, NULL,
                   "add guest NUMA cells (<cpu><numa>), or drop the <memnode> elements",
                   "<memnode> binds guest NUMA cells but the domain has none; libvirt refuses the definition");
        return;
    }
    seen = hwloc_bitmap_alloc();
    for (size_t i = 0; i < dom->nmemnodes; i++) {
        const kvl_memnode *m = &dom->memnodes[i];

        if (!m->has_cellid)
            continue;
        if (m->cellid >= dom->ncells)
            kvl_report(ctx->sink, ctx->rule, m->node, "cellid",
                       "use the id of an existing guest cell, or drop the memnode",
                       "memnode cellid %u names no guest cell (the guest has cells 0-%zu); "
                       "libvirt refuses the definition", m->cellid, dom->ncells - 1);
        else if (hwloc_bitmap_isset(seen, m->cellid))
            kvl_report(ctx->sink, ctx->rule, m->node, "cellid",
                       "keep one memnode per guest cell",
                       "a second memnode for guest cell %u; libvirt refuses the definition",
                       m->cellid);
        else
            hwloc_bitmap_set(seen, m->cellid);
    }
    hwloc_bitmap_free(seen);
}

void kvl_check_numa_numatune_invalid(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    bool placement_auto = memory_placement_auto(dom);

    /* placement static, given or implied by a static <vcpu>, needs the nodeset */
    if (dom->numa_memory_node && !dom->numa_nodeset_given && !placement_auto &&
        (!dom->numa_placement_given || dom->numa_placement))
        kvl_report(ctx->sink, ctx->rule, dom->numa_memory_node, NULL,
                   "add nodeset='N' with the host nodes to bind to, or placement='auto'",
                   dom->numa_placement_given
                       ? "numatune memory has placement='static' but no nodeset; libvirt refuses the definition"
                       : "numatune memory has neither nodeset nor placement, so its placement is static "
                         "(as the vCPUs' is) and libvirt refuses it without a nodeset");
    check_memnodes(ctx, placement_auto);
    check_numatune_hosts(ctx, placement_auto);
}

/* ---- numa-cells-invalid ---- */

static void check_cell_ids(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t seen = hwloc_bitmap_alloc();

    for (size_t i = 0; i < dom->ncells; i++) {
        const kvl_cell *cell = &dom->cells[i];
        unsigned id = kvl_ru_cell_id(dom, cell);

        if (id >= dom->ncells)
            kvl_report(ctx->sink, ctx->rule, cell->node, cell->has_id ? "id" : NULL,
                       "number the cells 0, 1, ... without gaps",
                       "guest cell id %u is out of range: %zu cell%s must have ids 0-%zu; "
                       "libvirt refuses the definition", id, dom->ncells,
                       dom->ncells == 1 ? "" : "s", dom->ncells - 1);
        else if (hwloc_bitmap_isset(seen, id))
            kvl_report(ctx->sink, ctx->rule, cell->node, cell->has_id ? "id" : NULL,
                       "number the cells 0, 1, ... without gaps",
                       "a second guest cell with id %u%s; libvirt refuses the definition", id,
                       cell->has_id ? "" : " (a cell without id takes its position)");
        else
            hwloc_bitmap_set(seen, id);
    }
    hwloc_bitmap_free(seen);
}

static void check_cell_cpus(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t shared = hwloc_bitmap_alloc();

    for (size_t j = 1; j < dom->ncells; j++)
        for (size_t i = 0; i < j; i++) {
            const kvl_cell *a = &dom->cells[i], *b = &dom->cells[j];
            char *who, *la, *lb;

            if (!a->cpus || !b->cpus || !hwloc_bitmap_intersects(a->cpus, b->cpus))
                continue;
            hwloc_bitmap_and(shared, a->cpus, b->cpus);
            who = kvl_ru_set_phrase("vCPU", "vCPUs", shared);
            la = kvl_ru_cell_label(dom, a);
            lb = kvl_ru_cell_label(dom, b);
            kvl_report(ctx->sink, ctx->rule, b->node, "cpus",
                       "give every vCPU to exactly one guest cell",
                       "%s and %s both list %s; libvirt refuses the definition", la, lb, who);
            free(who);
            free(la);
            free(lb);
            break;          /* one finding per cell */
        }
    hwloc_bitmap_free(shared);
}

static void check_distances(kvl_check_ctx *ctx, const kvl_cell *cell)
{
    const kvl_domain *dom = ctx->dom;
    unsigned own = kvl_ru_cell_id(dom, cell);
    char *label;

    if (!cell->distances_node)
        return;
    label = kvl_ru_cell_label(dom, cell);
    if (cell->ndistances == 0)
        kvl_report(ctx->sink, ctx->rule, cell->distances_node, NULL,
                   "add a <sibling id='N' value='D'/> per cell, or drop <distances>",
                   "<distances> of %s has no <sibling>; libvirt refuses the definition", label);
    for (size_t k = 0; k < cell->ndistances; k++) {
        const kvl_distance *d = &cell->distances[k];
        const char *why = NULL;

        if (!d->has_id || !d->has_value)
            continue;       /* reported as value-invalid */
        if (d->id >= dom->ncells)
            why = "names no guest cell";
        else if (d->value < LOCAL_DISTANCE || d->value > UNREACHABLE)
            why = "must be 10-255";
        else if (d->id == own && d->value != LOCAL_DISTANCE)
            why = "must be 10, the local distance";
        else if (d->id != own && d->value == LOCAL_DISTANCE)
            why = "is the local distance, allowed only from a cell to itself";
        if (why)
            kvl_report(ctx->sink, ctx->rule, d->node, d->id >= dom->ncells ? "id" : "value",
                       "give each sibling the id of an existing cell and the host's distance "
                       "(10 to itself, 11-255 to others)",
                       "distance of %s to cell %u (value %u) %s; libvirt refuses the definition",
                       label, d->id, d->value, why);
    }
    free(label);
}

void kvl_check_numa_cells_invalid(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    if (dom->ncells == 0)
        return;
    check_cell_ids(ctx);
    check_cell_cpus(ctx);
    for (size_t i = 0; i < dom->ncells; i++)
        check_distances(ctx, &dom->cells[i]);
}

/* ---- numa-cells-cpus-incomplete ---- */

/*
 * The missing vCPUs go to cell 0, where libvirt puts them anyway: the fix
 * writes down what the VM already runs with, which is the one choice that
 * changes nothing.  Which cell they were meant for is a guess left to the
 * hint; declined when no cell has id 0.
 */
static void propose_cell0_cpus(kvl_check_ctx *ctx, hwloc_const_bitmap_t missing, const char *who)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_cell *c0 = NULL;
    hwloc_bitmap_t cpus;
    char *list = NULL;

    for (size_t i = 0; i < dom->ncells && !c0; i++)
        if (dom->cells[i].has_id && dom->cells[i].id == 0)
            c0 = &dom->cells[i];
    if (!c0) {
        kvl_fix_decline(ctx->sink, "no guest cell has id 0");
        return;
    }
    cpus = c0->cpus ? hwloc_bitmap_dup(c0->cpus) : hwloc_bitmap_alloc();
    hwloc_bitmap_or(cpus, cpus, missing);
    if (hwloc_bitmap_list_asprintf(&list, cpus) >= 0)
        kvl_edit_set_attr(kvl_fix_propose(ctx->sink, NULL, "%s in the cpus of cell 0 (cpus='%s'), where libvirt puts %s",
                                          who, list, hwloc_bitmap_weight(missing) == 1 ? "it" : "them"),
                          c0->node, "cpus", list);
    free(list);
    hwloc_bitmap_free(cpus);
}

void kvl_check_numa_cells_cpus_incomplete(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    hwloc_bitmap_t covered, missing;
    unsigned n;

    if (dom->ncells == 0 || !kvl_ru_vcpus(dom, &n))
        return;
    covered = hwloc_bitmap_alloc();
    for (size_t i = 0; i < dom->ncells; i++) {
        if (dom->cells[i].has_cpus && !dom->cells[i].cpus) {
            hwloc_bitmap_free(covered);     /* unreadable: value-invalid said so */
            return;
        }
        if (dom->cells[i].cpus)
            hwloc_bitmap_or(covered, covered, dom->cells[i].cpus);
    }
    missing = hwloc_bitmap_alloc();
    hwloc_bitmap_set_range(missing, 0, (int)n - 1);
    hwloc_bitmap_andnot(missing, missing, covered);
    if (!hwloc_bitmap_iszero(missing)) {
        char *who = kvl_ru_set_phrase("vCPU", "vCPUs", missing);
        char *hint = kvl_xasprintf("add %s to the cpus of the guest cell %s should belong to", who,
                                   hwloc_bitmap_weight(missing) == 1 ? "it" : "they");

        kvl_report(ctx->sink, ctx->rule, dom->numa_node, NULL, hint,
                   "%s %s in no guest NUMA cell; libvirt silently adds %s to cell 0",
                   who, hwloc_bitmap_weight(missing) == 1 ? "is" : "are",
                   hwloc_bitmap_weight(missing) == 1 ? "it" : "them");
        propose_cell0_cpus(ctx, missing, who);
        free(who);
        free(hint);
    }
    hwloc_bitmap_free(covered);
    hwloc_bitmap_free(missing);
}

/* ---- numa-memory-sum-mismatch ---- */

void kvl_check_numa_memory_sum_mismatch(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    uint64_t sum, devices = 0;
    char *mem, *total, *hint, *what;

    if (dom->ncells == 0 || !dom->has_memory || !kvl_domain_effective_memory(dom, &sum) ||
        sum == dom->memory_kib)
        return;
    for (size_t i = 0; i < dom->nmemdevs; i++)
        devices += dom->memdevs[i].size_kib;
    mem = kvl_ru_size_str(dom->memory_kib);
    total = kvl_ru_size_str(sum);
    if (devices) {
        char *dev = kvl_ru_size_str(devices), *cells = kvl_ru_size_str(sum - devices);

        what = kvl_xasprintf("the guest NUMA cells (%s) and memory devices (%s) add up to", cells, dev);
        free(dev);
        free(cells);
    } else {
        what = kvl_xstrdup("the guest NUMA cells add up to");
    }
    hint = kvl_xasprintf("set <memory> to %s, or resize the cells", total);
    kvl_report(ctx->sink, ctx->rule, dom->memory_node, NULL, hint,
               "<memory> is %s but %s %s, which is what libvirt uses", mem, what, total);
    {
        /* in KiB, the one unit every sum is a whole number of */
        kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "<memory unit='KiB'>%llu</memory> (%s)",
                                      (unsigned long long)sum, total);

        char *kib = kvl_xasprintf("%llu", (unsigned long long)sum);

        kvl_edit_set_text(fx, dom->memory_node, kib);
        kvl_edit_set_attr(fx, dom->memory_node, "unit", "KiB");
        free(kib);
    }
    free(mem);
    free(total);
    free(what);
    free(hint);
}

/* ---- numa-guest-distances-missing ---- */

/* The guest's default for a distance it is not given (QEMU's, Linux's). */
#define DEFAULT_REMOTE_DISTANCE 20

/*
 * The one host node a guest cell lives on: the node of its pinned vCPUs,
 * else the single node its memnode binds it to; -1 when unknown or when it
 * spans several (numa-cell-crosses-host-node's business).
 */
static int cell_host_node(const kvl_domain *dom, const kvl_host *host, const kvl_cell *cell)
{
    const kvl_memnode *mn;
    int node = -1;

    if (cell->cpus) {
        hwloc_bitmap_t cpus = kvl_ru_vcpu_pin_union(dom, host, cell->cpus, NULL);
        hwloc_bitmap_t nodes = kvl_ru_nodes_of(host, cpus);
        int w = hwloc_bitmap_weight(nodes);

        node = w == 1 ? hwloc_bitmap_first(nodes) : -1;
        hwloc_bitmap_free(cpus);
        hwloc_bitmap_free(nodes);
        if (w >= 1)
            return node;
    }
    mn = kvl_ru_memnode(dom, kvl_ru_cell_id(dom, cell));
    if (mn && mn->nodeset && kvl_ru_mode_binds(mn->mode) && hwloc_bitmap_weight(mn->nodeset) == 1)
        node = hwloc_bitmap_first(mn->nodeset);
    return node;
}

/* The cells are numbered 0..n-1, each once (else numa-cells-invalid reports
 * them and which cell a distance means is unclear). */
static bool cell_ids_valid(const kvl_domain *dom)
{
    hwloc_bitmap_t seen = hwloc_bitmap_alloc();
    bool ok = true;

    for (size_t i = 0; i < dom->ncells && ok; i++) {
        unsigned id = kvl_ru_cell_id(dom, &dom->cells[i]);

        ok = id < dom->ncells && !hwloc_bitmap_isset(seen, id);
        hwloc_bitmap_set(seen, id);
    }
    hwloc_bitmap_free(seen);
    return ok;
}

/* Cell `a` gives a distance to the cell with id `to`. */
static bool gives_distance(const kvl_cell *a, unsigned to)
{
    for (size_t k = 0; k < a->ndistances; k++)
        if (a->distances[k].has_id && a->distances[k].has_value && a->distances[k].id == to)
            return true;
    return false;
}

/*
 * Why the host's distance matrix cannot be copied as a whole, or NULL.  Every
 * cell needs one host node of its own (libvirt refuses 10 between two cells)
 * and no cell may give distances already (merging a partial matrix would
 * guess which entries were meant).
 */
static const char *distances_unknown(const kvl_domain *dom, const kvl_host *host, const int *node)
{
    unsigned d;

    for (size_t i = 0; i < dom->ncells; i++) {
        if (node[i] < 0)
            return "a guest cell runs on no single host node";
        if (dom->cells[i].distances_node)
            return "some cells give distances already: complete them by hand";
        for (size_t j = 0; j < dom->ncells; j++) {
            if (i != j && node[i] == node[j])
                return "two guest cells share a host node";
            if (!kvl_host_distance(host, (unsigned)node[i], (unsigned)node[j], &d))
                return "the host snapshot lacks some distances";
        }
    }
    return NULL;
}

/* Each cell gets the host's row of its node, one <sibling> per cell. */
static void propose_distances(kvl_check_ctx *ctx, const int *node)
{
    const kvl_domain *dom = ctx->dom;
    const char *why = distances_unknown(dom, ctx->host, node);
    kvl_fix *fx;

    if (why) {
        kvl_fix_decline(ctx->sink, "%s", why);
        return;
    }
    fx = kvl_fix_propose(ctx->sink, NULL, "<distances> of host nodes copied into the %zu guest cells",
                         dom->ncells);
    for (size_t i = 0; i < dom->ncells && fx; i++) {
        kvl_buf b = KVL_BUF_INIT;
        unsigned d;

        kvl_buf_adds(&b, "<distances>");
        for (size_t j = 0; j < dom->ncells; j++) {
            kvl_host_distance(ctx->host, (unsigned)node[i], (unsigned)node[j], &d);
            kvl_buf_addf(&b, "\n  <sibling id='%u' value='%u'/>", kvl_ru_cell_id(dom, &dom->cells[j]), d);
        }
        kvl_buf_adds(&b, "\n</distances>");
        kvl_edit_insert_child(fx, dom->cells[i].node, "%s", kvl_buf_str(&b));
        kvl_buf_free(&b);
    }
}

void kvl_check_numa_guest_distances_missing(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_host *host = ctx->host;
    kvl_buf where = KVL_BUF_INIT, pairs = KVL_BUF_INIT, values = KVL_BUF_INIT;
    hwloc_bitmap_t cells;
    bool values_known = true;
    unsigned npairs = 0;
    int *node;

    if (dom->ncells < 2 || kvl_ru_numa_auto(dom) || !cell_ids_valid(dom))
        return;
    if (!kvl_need_host_nodes(ctx) || host->nnodes < 2)
        return;

    node = kvl_xcalloc(dom->ncells, sizeof(*node));
    for (size_t i = 0; i < dom->ncells; i++)
        node[i] = cell_host_node(dom, host, &dom->cells[i]);
    cells = hwloc_bitmap_alloc();
    for (size_t j = 1; j < dom->ncells; j++)
        for (size_t i = 0; i < j; i++) {
            const kvl_cell *a = &dom->cells[i], *b = &dom->cells[j];
            unsigned ia = kvl_ru_cell_id(dom, a), ib = kvl_ru_cell_id(dom, b), d;
            bool known;

            if (node[i] < 0 || node[j] < 0 || node[i] == node[j] ||
                gives_distance(a, ib) || gives_distance(b, ia))
                continue;
            known = kvl_host_distance(host, (unsigned)node[i], (unsigned)node[j], &d);
            /* the default the guest assumes is right there */
            if (known && d == DEFAULT_REMOTE_DISTANCE)
                continue;
            hwloc_bitmap_set(cells, ia);
            hwloc_bitmap_set(cells, ib);
            kvl_buf_addf(&pairs, "%s%u and %u", npairs ? ", " : "", ia, ib);
            if (known)
                kvl_buf_addf(&values, "%scell %u to cell %u: %u", npairs ? ", " : "", ia, ib, d);
            values_known &= known;
            npairs++;
        }

    if (npairs) {
        char *who = kvl_ru_set_phrase("guest cell", "guest cells", cells);
        char *hint = values_known
            ? kvl_xasprintf("copy the host's distances into the cells' <distances> (%s)",
                            kvl_buf_str(&values))
            : kvl_xstrdup("copy the distances of the host nodes (numactl --hardware) into the cells' <distances>");

        for (size_t i = 0; i < dom->ncells; i++)
            if (node[i] >= 0 && hwloc_bitmap_isset(cells, kvl_ru_cell_id(dom, &dom->cells[i])))
                kvl_buf_addf(&where, "%scell %u on node %d", where.len ? ", " : "",
                             kvl_ru_cell_id(dom, &dom->cells[i]), node[i]);
        kvl_report(ctx->sink, ctx->rule, dom->numa_node, NULL, hint,
                   "%s run on different host nodes (%s) but no distance is given between cells %s, "
                   "so the guest takes %s as %d", who, kvl_buf_str(&where), kvl_buf_str(&pairs),
                   npairs == 1 ? "it" : "them", DEFAULT_REMOTE_DISTANCE);
        propose_distances(ctx, node);
        free(who);
        free(hint);
    }
    hwloc_bitmap_free(cells);
    free(node);
    kvl_buf_free(&where);
    kvl_buf_free(&pairs);
    kvl_buf_free(&values);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_numa_config[] = {
    { "numa-cells-cpus-incomplete", kvl_check_numa_cells_cpus_incomplete, 0 },
    { "numa-cells-invalid", kvl_check_numa_cells_invalid, 0 },
    { "numa-guest-distances-missing", kvl_check_numa_guest_distances_missing, 0 },
    { "numa-memory-sum-mismatch", kvl_check_numa_memory_sum_mismatch, 0 },
    { "numa-numatune-invalid", kvl_check_numa_numatune_invalid, 0 },
    { NULL, NULL, 0 },
};
