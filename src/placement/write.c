/*
 * Plan -> edits (write.h).  Existing elements are edited in place
 * (vcpupin/emulatorpin/iothreadpin cpuset, numatune memory mode and
 * nodeset) so that comments and the rest of <cputune> stay; missing ones
 * are inserted where libvirt writes them (<cputune> after <vcpu> and the
 * IOThread elements, <numatune> after <cputune>).  The stale <vcpu cpuset>
 * goes: with every thread pinned it only misleads.
 */
#include <stdlib.h>
#include <string.h>

#include "placement/write.h"
#include "rules/rule_util.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

void kvl_place_opts_from_cfg(kvl_place_opts *o, const kvl_config *cfg)
{
    kvl_place_opts_init(o);
    if (!cfg)
        return;
    /* the config rows list the names in enum order (config/thresholds.c) */
    o->strategy = (kvl_place_strategy)cfg->place_strategy;
    o->threads = (kvl_thread_policy)cfg->place_threads;
    o->emulator = (kvl_emulator_policy)cfg->place_emulator;
    o->reserved = cfg->housekeeping_cpus;
}

static const kvl_iothreadpin *iothreadpin_of(const kvl_domain *dom, unsigned id)
{
    for (size_t i = 0; i < dom->niothreadpins; i++)
        if (dom->iothreadpins[i].iothread == id)
            return &dom->iothreadpins[i];
    return NULL;
}

static const kvl_memnode *memnode_of(const kvl_domain *dom, unsigned cellid)
{
    for (size_t i = 0; i < dom->nmemnodes; i++)
        if (dom->memnodes[i].has_cellid && dom->memnodes[i].cellid == cellid)
            return &dom->memnodes[i];
    return NULL;
}

/* The host node of guest cell `i` of the plan, for a domain cell. */
static unsigned cell_node(const kvl_plan *plan, size_t i)
{
    return plan->cells[i < plan->ncells ? i : 0].node;
}

/* The pins <cputune> lacks, as fragment lines (for a new <cputune> or to
 * append to the existing one). */
static void cputune_edits(kvl_fix *fx, const kvl_domain *dom, const kvl_plan *plan,
                          kvl_buf *missing)
{
    char *emu = kvl_ru_set_str(plan->emulator);

    for (unsigned v = 0; v < plan->nvcpus; v++) {
        const kvl_vcpupin *p = kvl_domain_vcpupin(dom, v);

        if (p && dom->cputune_node)
            kvl_edit_set_attr_uint(fx, p->node, "cpuset", plan->vcpu_cpu[v]);
        else
            kvl_buf_addf(missing, "<vcpupin vcpu='%u' cpuset='%u'/>\n", v, plan->vcpu_cpu[v]);
    }
    if (dom->emulatorpin_node)
        kvl_edit_set_attr(fx, dom->emulatorpin_node, "cpuset", emu);
    else
        kvl_buf_addf(missing, "<emulatorpin cpuset='%s'/>\n", emu);
    for (size_t i = 0; i < dom->niothread_ids; i++) {
        const kvl_iothreadpin *p = iothreadpin_of(dom, dom->iothread_ids[i]);

        if (p)
            kvl_edit_set_attr(fx, p->node, "cpuset", emu);
        else
            kvl_buf_addf(missing, "<iothreadpin iothread='%u' cpuset='%s'/>\n",
                         dom->iothread_ids[i], emu);
    }
    free(emu);
}

/* "<name>", each line of `body` one step in, "</name>" (caller frees). */
static char *wrapped(const char *name, const char *body)
{
    kvl_buf frag = KVL_BUF_INIT;
    const char *p = body;

    kvl_buf_addf(&frag, "<%s>\n", name);
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);

        kvl_buf_adds(&frag, "  ");
        kvl_buf_add(&frag, p, l);
        kvl_buf_adds(&frag, "\n");
        p += l + (e ? 1 : 0);
    }
    kvl_buf_addf(&frag, "</%s>", name);
    return kvl_buf_detach(&frag);
}

static void strip_nl(kvl_buf *b)
{
    if (b->len && b->s[b->len - 1] == '\n')
        b->s[--b->len] = '\0';
}

/* <numatune>: memory strict on the plan's nodes, a memnode per guest cell. */
static void numatune_edits(kvl_fix *fx, const kvl_domain *dom, const kvl_plan *plan,
                           size_t ncells, kvl_buf *missing)
{
    char *nodes = kvl_ru_set_str(plan->nodes);

    if (dom->numa_memory_node) {
        kvl_edit_set_attr(fx, dom->numa_memory_node, "mode", "strict");
        kvl_edit_set_attr(fx, dom->numa_memory_node, "nodeset", nodes);
        kvl_edit_remove_attr(fx, dom->numa_memory_node, "placement");
    } else {
        kvl_buf_addf(missing, "<memory mode='strict' nodeset='%s'/>\n", nodes);
    }
    for (size_t i = 0; i < ncells; i++) {
        unsigned id = i < dom->ncells ? kvl_ru_cell_id(dom, &dom->cells[i]) : (unsigned)i;
        const kvl_memnode *m = dom->numatune_node ? memnode_of(dom, id) : NULL;

        if (m) {
            kvl_edit_set_attr(fx, m->node, "mode", "strict");
            kvl_edit_set_attr_uint(fx, m->node, "nodeset", cell_node(plan, i));
        } else {
            kvl_buf_addf(missing, "<memnode cellid='%u' mode='strict' nodeset='%u'/>\n", id,
                         cell_node(plan, i));
        }
    }
    free(nodes);
}

/*
 * A hugepage-backed VM given guest cells: its <page> of the plan's size
 * names every new cell in its nodeset, so that each cell's memory comes
 * from that pool on the host node the cell is bound to (a nodeset left
 * from an old cell would leave the new ones on ordinary memory).  The
 * request refuses VMs of several page sizes, so there is one to edit, or
 * none when <hugepages/> means the host's default size.
 */
static void pages_edits(kvl_fix *fx, const kvl_domain *dom, const kvl_plan *plan)
{
    hwloc_bitmap_t cells = hwloc_bitmap_alloc();
    char *set;

    if (!plan->page_kib || !dom->hugepages_node) {
        hwloc_bitmap_free(cells);
        return;
    }
    hwloc_bitmap_set_range(cells, 0, (int)plan->ncells - 1);
    set = kvl_ru_set_str(cells);
    for (size_t i = 0; i <= dom->npages; i++) {
        if (i == dom->npages) {
            kvl_edit_insert_child(fx, dom->hugepages_node,
                                  "<page size='%llu' unit='KiB' nodeset='%s'/>",
                                  (unsigned long long)plan->page_kib, set);
        } else if (dom->pages[i].size_kib == plan->page_kib) {
            kvl_edit_replace_element(fx, dom->pages[i].node,
                                     "<page size='%llu' unit='KiB' nodeset='%s'/>",
                                     (unsigned long long)plan->page_kib, set);
            break;
        }
    }
    free(set);
    hwloc_bitmap_free(cells);
}

/* Guest cells for a wide plan: <cpu><numa> with the host distances. */
static void cells_edits(kvl_fix *fx, const kvl_domain *dom, const kvl_host *host,
                        const kvl_plan *plan)
{
    kvl_buf b = KVL_BUF_INIT;

    kvl_buf_adds(&b, "<numa>\n");
    for (size_t i = 0; i < plan->ncells; i++) {
        const kvl_plan_cell *c = &plan->cells[i];

        kvl_buf_addf(&b, "  <cell id='%zu' cpus='%u-%u' memory='%llu' unit='KiB'>\n", i,
                     c->vcpu_first, c->vcpu_first + c->nvcpus - 1,
                     (unsigned long long)c->memory_kib);
        kvl_buf_adds(&b, "    <distances>\n");
        for (size_t j = 0; j < plan->ncells; j++) {
            unsigned d = i == j ? 10 : 20;

            kvl_host_distance(host, c->node, plan->cells[j].node, &d);
            kvl_buf_addf(&b, "      <sibling id='%zu' value='%u'/>\n", j, d);
        }
        kvl_buf_adds(&b, "    </distances>\n  </cell>\n");
    }
    kvl_buf_adds(&b, "</numa>");
    if (dom->numa_node)
        kvl_edit_replace_element(fx, dom->numa_node, "%s", kvl_buf_str(&b));
    else
        kvl_edit_insert_child(fx, dom->cpu_node, "%s", kvl_buf_str(&b));
    kvl_buf_free(&b);
}

void kvl_place_write(kvl_fix *fx, const kvl_domain *dom, const kvl_host *host,
                     const kvl_plan *plan)
{
    kvl_buf pins = KVL_BUF_INIT, numa = KVL_BUF_INIT;
    size_t ncells = plan->ncells > 1 ? plan->ncells : dom->ncells;
    kvl_ref after;

    if (!fx)
        return;
    cputune_edits(fx, dom, plan, &pins);
    numatune_edits(fx, dom, plan, ncells, &numa);
    strip_nl(&pins);
    strip_nl(&numa);
    after = dom->iothreadids_node ? dom->iothreadids_node
          : dom->iothreads_node ? dom->iothreads_node : dom->vcpu_node;
    if (pins.len) {
        if (dom->cputune_node)
            kvl_edit_insert_child(fx, dom->cputune_node, "%s", pins.s);
        else {
            char *frag = wrapped("cputune", pins.s);

            kvl_edit_insert_after_or_child(fx, after, dom->root, "%s", frag);
            free(frag);
        }
    }
    if (numa.len) {
        if (dom->numatune_node) {
            kvl_edit_insert_child(fx, dom->numatune_node, "%s", numa.s);
        } else {
            char *frag = wrapped("numatune", numa.s);

            kvl_edit_insert_after_or_child(fx, dom->cputune_node ? dom->cputune_node : after,
                                           dom->root, "%s", frag);
            free(frag);
        }
    }
    if (dom->vcpu_cpuset)
        kvl_edit_remove_attr(fx, dom->vcpu_node, "cpuset");
    if (!dom->nosharepages) {
        if (dom->membacking_node)
            kvl_edit_insert_child(fx, dom->membacking_node, "<nosharepages/>");
        else
            kvl_edit_insert_after_or_child(fx, dom->current_memory_node ? dom->current_memory_node
                                               : dom->memory_node, dom->root,
                                           "<memoryBacking>\n  <nosharepages/>\n</memoryBacking>");
    }
    if (plan->ncells > 1) {
        cells_edits(fx, dom, host, plan);
        pages_edits(fx, dom, plan);
    }
    kvl_buf_free(&pins);
    kvl_buf_free(&numa);
}

char *kvl_place_summary(const kvl_plan *plan, bool iothreads)
{
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
    char *c, *e, *n, *out;

    for (unsigned v = 0; v < plan->nvcpus; v++)
        hwloc_bitmap_set(cpus, plan->vcpu_cpu[v]);
    c = kvl_ru_set_phrase("host CPU", "host CPUs", cpus);
    e = kvl_ru_set_str(plan->emulator);
    n = kvl_ru_node_phrase("host node", "host nodes", plan->nodes);
    if (plan->ncells > 1)
        out = kvl_xasprintf("%zu guest NUMA cells on %s: vCPUs on %s, emulator on %s, "
                            "memory strict per cell", plan->ncells, n, c, e);
    else
        out = kvl_xasprintf("re-place on %s: vCPUs 1:1 on %s, emulator%s on %s, "
                            "memory strict there", n, c,
                            iothreads ? " and IOThreads" : "", e);
    free(c);
    free(e);
    free(n);
    hwloc_bitmap_free(cpus);
    return out;
}

static void run_free(void *r)
{
    kvl_place_run_free(r);
}

/* The rules whose fix is the allocator's plan (they call kvl_place_propose). */
const char *const kvl_place_rules[] = {
    "numa-pin-cross-node", "numa-memory-binding", "numa-vm-wider-than-node",
    "cpu-emulatorpin-missing", "cpu-emulatorpin-overlap", "cpu-emulatorpin-remote",
    "cpu-partial-pinning", "cpu-pin-shared", "cpu-pin-nonexistent-pcpu",
    "numa-hostdev-remote", "numa-strict-node-too-small", "mem-hugepage-unavailable", NULL,
};

bool kvl_place_is_placement_rule(const char *rule)
{
    for (size_t k = 0; rule && kvl_place_rules[k]; k++)
        if (strcmp(kvl_place_rules[k], rule) == 0)
            return true;
    return false;
}

/*
 * Which VMs of the fleet a placement rule fires on: those are the VMs the
 * fix moves, all others stay where they are and are occupancy (a VM with
 * no finding keeps its pins and bindings, however loose).  A dry run of
 * those rules with a scratch sink; kvl_place_propose does nothing meanwhile
 * (memo->place points at the memo itself while this runs).  It uses the
 * asking file's thresholds for every VM.
 */
static bool *placement_findings(kvl_check_ctx *ctx)
{
    const kvl_fleet *fl = ctx->fleet;
    bool *movable = kvl_xcalloc(fl->n + 1, sizeof(*movable));
    kvl_findings scratch = { NULL, 0, 0 };

    fl->memo->place = fl->memo;
    for (size_t i = 0; i < fl->n; i++) {
        for (size_t k = 0; kvl_place_rules[k] && !movable[i]; k++) {
            const kvl_check *c = kvl_check_find(kvl_place_rules[k]);
            kvl_sink sink = { &scratch, ctx->sink->cat, NULL, "", ctx->sink->domain, 0, false };
            kvl_check_ctx dry = { fl->doms[i], i, ctx->host, fl, ctx->cfg, &sink, c->id, NULL };

            if (!kvl_domain_is_kvm_scope(fl->doms[i]))
                break;
            c->fn(&dry);
            movable[i] = scratch.n > 0;
            kvl_findings_free(&scratch);
        }
    }
    fl->memo->place = NULL;
    return movable;
}

/*
 * The plan of ctx's VM from the fleet's placement run, computed on the
 * first propose of the lint and memoised with the fleet (ctx->fleet->memo):
 * one pass for the whole fleet instead of one per finding.  A file whose
 * config gives other placement options gets a run of its own.
 */
static void plan_of(kvl_check_ctx *ctx, const kvl_place_opts *o, kvl_plan *plan)
{
    const kvl_fleet *fl = ctx->fleet;
    kvl_fleet_memo *memo = fl->memo;
    const kvl_domain *const *doms = (const kvl_domain *const *)fl->doms;
    /* guest cells only when the unsafe fix can be applied: a plan that will
     * not be applied must not take CPUs the other VMs could have had */
    bool wide = !(memo && memo->safe_fixes_only);

    if (memo && !memo->place) {
        bool *movable = placement_findings(ctx);

        memo->place = kvl_place_run_new(ctx->host, doms, fl->n, movable, o, wide);
        memo->free_fn = run_free;
        free(movable);
    }
    if (memo && kvl_place_run_matches(memo->place, doms, fl->n, o, wide))
        kvl_place_run_plan(memo->place, ctx->index, plan);
    else
        kvl_place_fleet(ctx->host, doms, fl->n, ctx->index, o, wide, plan);
}

void kvl_place_propose(kvl_check_ctx *ctx)
{
    kvl_place_opts o;
    kvl_plan plan;
    kvl_fix *fx;
    char *sum;

    if (!ctx->host || !ctx->fleet || ctx->index >= ctx->fleet->n ||
        ctx->fleet->doms[ctx->index] != ctx->dom)
        return;
    if (ctx->fleet->memo && ctx->fleet->memo->place == ctx->fleet->memo)
        return;     /* the dry run of placement_findings */
    kvl_place_opts_from_cfg(&o, ctx->cfg);
    plan_of(ctx, &o, &plan);
    if (!plan.ok) {
        kvl_fix_decline(ctx->sink, "cannot place it: %s", plan.why);
    } else if (plan.ncells > 1 && !ctx->dom->cpu_node) {
        /* the cells would need a guest CPU model chosen too: not ours */
        kvl_fix_decline(ctx->sink, "no single host node has room for it, and guest NUMA "
                        "cells need a <cpu> element to hold them");
    } else {
        sum = kvl_place_summary(&plan, ctx->dom->niothread_ids > 0);
        if (plan.ncells > 1)
            fx = kvl_fix_propose_kind(ctx->sink, KVL_FIX_UNSAFE,
                                      "to see the new NUMA cells (a reboot)", "%s", sum);
        else
            fx = kvl_fix_propose_kind(ctx->sink, KVL_FIX_SAFE, NULL, "%s", sum);
        kvl_place_write(fx, ctx->dom, ctx->host, &plan);
        free(sum);
    }
    kvl_plan_clear(&plan);
}
