/*
 * Hugepage checks: page sizes the host cannot supply (no pool, or the
 * fleet's demand exceeds it), memory that wastes the tail of its last
 * hugepage, and big or latency-critical VMs that would fit a pool the host
 * has but do not use it.  (Hugepage settings libvirt refuses are checked in
 * memory.c.)
 *
 * Pools are per host node and per size (RULES.md "Capacity").  Memory that
 * a strict/restrictive binding ties to nodes S can only take pages from S;
 * other memory may take them from any node.  A part is short when the
 * pages of S cannot hold it together with the memory of the fleet that
 * must come from inside S too (earlier VMs, in fleet order, and this VM's
 * earlier cells): an exact test for the memory bound there, a necessary one
 * for memory that may come from anywhere, so a shortage it finds is real.
 *
 * A <page> without size falls back to the host's default hugepage size,
 * which a capabilities snapshot does not tell: size-specific checks skip
 * such memory and --verbose says so.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/memory_util.h"
#include "placement/write.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

static const char no_default_size[] =
    "hugepages without a page size use the host's default hugepage size, which the snapshot does not tell";

/* The attribute of a part's page element to point at. */
static const char *page_attr(const kvl_mem_part *p)
{
    return p->page_node && p->page_node != p->dom->hugepages_node ? "size" : NULL;
}

/* ---- mem-hugepage-unavailable ---- */

/* A single host node outside the part's nodes with room for it, or -1. */
static int other_node_with_room(const kvl_host *host, const kvl_mem_list *list, size_t k,
                                hwloc_const_bitmap_t all, uint64_t need)
{
    const kvl_mem_part *p = &list->v[k];

    for (size_t i = 0; i < host->nnodes; i++) {
        const kvl_host_node *node = &host->nodes[i];
        const kvl_host_pages *pages;
        hwloc_bitmap_t one;
        uint64_t used;

        if (hwloc_bitmap_isset(kvl_mem_part_nodes(p, all), node->id) || !node->has_pages ||
            !(pages = kvl_host_node_pages(node, p->page_kib)))
            continue;
        one = hwloc_bitmap_alloc();
        hwloc_bitmap_set(one, node->id);
        used = kvl_mem_taken(list, k, p->page_kib, one, all, NULL, NULL);
        hwloc_bitmap_free(one);
        if (pages->count >= used + need)
            return (int)node->id;
    }
    return -1;
}

/* "2 MiB, 1 GiB": the hugepage sizes the host lists anywhere. */
static char *host_sizes(const kvl_domain *dom, const kvl_host *host)
{
    kvl_buf b = KVL_BUF_INIT;
    uint64_t last = 0;

    for (;;) {
        uint64_t next = 0;

        for (size_t i = 0; i < host->nnodes; i++)
            for (size_t j = 0; j < host->nodes[i].npages; j++) {
                uint64_t s = host->nodes[i].pages[j].size_kib;

                if (s > last && (!next || s < next) && !kvl_mem_is_base_page(dom, host, s))
                    next = s;
            }
        if (!next)
            break;
        {
            char *s = kvl_ru_size_str(next);

            kvl_buf_addf(&b, "%s%s", b.len ? ", " : "", s);
            free(s);
        }
        last = next;
    }
    return kvl_buf_detach(&b);
}

/* What a shortage is about: part k, or the guest cells sharing its empty pool. */
typedef struct shortage {
    char *what;                     /* "guest cell 1", "guest cells 0-3", "the VM's memory" */
    uint64_t kib, need;             /* their memory and the pages it needs */
} shortage;

/*
 * Part k does not fit the pools of `nodes` (its binding, or every host
 * node): report it.  `bound` says `nodes` is its binding rather than the
 * whole host.
 */
static void report_unavailable(kvl_check_ctx *ctx, const kvl_mem_list *list, size_t k,
                               const shortage *sh, hwloc_const_bitmap_t all,
                               hwloc_const_bitmap_t nodes, bool bound,
                               const kvl_mem_pool *pl, uint64_t used, const char *users)
{
    const kvl_mem_part *p = &list->v[k];
    uint64_t need = sh->need;
    const char *what = sh->what;
    char *size = kvl_ru_size_str(sh->kib);
    char *page = kvl_ru_size_str(p->page_kib);
    char *where = bound ? kvl_ru_node_phrase("host node", "host nodes", nodes)
                        : kvl_xstrdup("the host");
    bool many = bound && hwloc_bitmap_weight(nodes) > 1;
    kvl_buf msg = KVL_BUF_INIT, hint = KVL_BUF_INIT;
    int other = bound ? other_node_with_room(ctx->host, list, k, all, need) : -1;

    kvl_buf_addf(&msg, "%s (%s) need%s %llu x %s hugepages", what, size,
                 strncmp(what, "guest cells", 11) == 0 ? "" : "s", (unsigned long long)need, page);
    if (pl->count == 0) {
        if (!pl->listed)
            kvl_buf_addf(&msg, " but %s %s no %s hugepage pool", where,
                         many ? "have" : "has", page);
        else if (!bound)
            kvl_buf_addf(&msg, " but the host's %s hugepage pools are empty", page);
        else
            kvl_buf_addf(&msg, " but the %s hugepage pool%s of %s %s empty", page,
                         many ? "s" : "", where, many ? "are" : "is");
    } else {
        kvl_buf_addf(&msg, " from %s, which %s %llu%s", where, many ? "have" : "has",
                     (unsigned long long)pl->count, bound ? "" : " in all");
        if (used)
            kvl_buf_addf(&msg, ", %llu of them taken by %s", (unsigned long long)used, users);
    }

    if (other >= 0) {
        kvl_buf_addf(&hint, "host node %d has room for them: bind this memory there", other);
    } else if (!pl->listed) {
        char *sizes = host_sizes(ctx->dom, ctx->host);

        if (*sizes)
            kvl_buf_addf(&hint, "use a page size the host has (%s) or reserve %s hugepages on it",
                         sizes, page);
        else
            kvl_buf_addf(&hint, "reserve %s hugepages on the host (hugepagesz=/hugepages= on its kernel command line)",
                         page);
        free(sizes);
    } else {
        kvl_buf_addf(&hint, "reserve %s%s hugepages on %s (sysfs nr_hugepages) or move a VM to another host",
                     pl->count ? "more " : "", page, where);
    }
    kvl_report(ctx->sink, ctx->rule, p->page_node, page_attr(p), kvl_buf_str(&hint), "%s",
               kvl_buf_str(&msg));
    kvl_place_propose(ctx);         /* where another node has the pages */
    kvl_buf_free(&msg);
    kvl_buf_free(&hint);
    free(size);
    free(page);
    free(where);
}

/*
 * Part k and the later parts of this VM that draw on the same pool (page
 * element and nodes): when that pool is empty they are one defect, said
 * once.  `merge` false: part k alone.  Marks the merged parts in `done`.
 */
static shortage shortage_of(const kvl_mem_list *list, size_t k, size_t mine,
                            hwloc_const_bitmap_t all, bool merge, bool *done)
{
    const kvl_mem_part *p = &list->v[k];
    shortage sh = { NULL, p->kib, kvl_mem_pages_needed(p->kib, p->page_kib) };
    hwloc_bitmap_t cells = hwloc_bitmap_alloc();
    size_t n = 1;

    if (p->cell)
        hwloc_bitmap_set(cells, p->cell->id);
    for (size_t j = k + 1; merge && p->cell && j < list->n; j++) {
        const kvl_mem_part *q = &list->v[j];

        if (done[j - mine] || !q->cell || q->page_node != p->page_node ||
            !hwloc_bitmap_isequal(kvl_mem_part_nodes(q, all), kvl_mem_part_nodes(p, all)))
            continue;
        done[j - mine] = true;
        hwloc_bitmap_set(cells, q->cell->id);
        sh.kib += q->kib;
        sh.need += kvl_mem_pages_needed(q->kib, q->page_kib);
        n++;
    }
    sh.what = n > 1 ? kvl_ru_set_phrase("guest cell", "guest cells", cells) : kvl_mem_part_name(p);
    hwloc_bitmap_free(cells);
    return sh;
}

/* Any part of `dom` on the host's unknown default hugepage size. */
static bool uses_default_size(const kvl_domain *dom, const kvl_host *host)
{
    kvl_mem_part *v;
    size_t n = kvl_mem_parts(dom, host, 0, &v);
    bool found = false;

    for (size_t i = 0; i < n; i++)
        found = found || v[i].page_kib == KVL_MEM_PAGE_DEFAULT;
    free(v);
    return found;
}

void kvl_check_mem_hugepage_unavailable(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    kvl_mem_list list = { NULL, 0, 0 };
    hwloc_bitmap_t all;
    size_t mine;
    bool *done;
    const char *why = NULL;

    if (!kvl_mem_hugepage_backed(dom, ctx->host))
        return;
    if (uses_default_size(dom, ctx->host))
        kvl_skip(ctx, no_default_size);
    if (!kvl_need_host_nodes(ctx))
        return;
    /* earlier VMs of the fleet first: they start first and take their pages */
    for (size_t j = 0; j < ctx->index && j < ctx->fleet->n; j++)
        if (ctx->fleet->doms[j]->hugepages)
            kvl_mem_list_add(&list, ctx->fleet->doms[j], ctx->host, 0);
    mine = list.n;
    kvl_mem_list_add(&list, dom, ctx->host, 0);

    all = kvl_mem_host_nodes(ctx->host);
    done = kvl_xcalloc(list.n - mine + 1, sizeof(*done));
    for (size_t k = mine; k < list.n; k++) {
        const kvl_mem_part *p = &list.v[k];
        /* its own nodes, then the whole host: memory bound elsewhere and
         * memory that may go anywhere still share the host's total */
        hwloc_const_bitmap_t sets[2] = { kvl_mem_part_nodes(p, all), all };
        size_t nsets = p->nodes && !hwloc_bitmap_isequal(p->nodes, all) ? 2 : 1;
        uint64_t need = kvl_mem_pages_needed(p->kib, p->page_kib);

        if (done[k - mine])
            continue;
        for (size_t s = 0; s < nsets; s++) {
            kvl_buf users = KVL_BUF_INIT;
            uint64_t used;
            kvl_mem_pool pl;
            bool short_of;

            if (!kvl_mem_pool_on(ctx->host, sets[s], p->page_kib, &pl, &why))
                break;
            used = kvl_mem_taken(&list, k, p->page_kib, sets[s], all, dom, &users);
            short_of = pl.count == 0 || used + need > pl.count;
            if (short_of) {
                shortage sh = shortage_of(&list, k, mine, all, pl.count == 0 && s == 0, done);

                report_unavailable(ctx, &list, k, &sh, all, sets[s], s == 0 && p->nodes != NULL,
                                   &pl, used, kvl_buf_str(&users));
                free(sh.what);
            }
            kvl_buf_free(&users);
            if (short_of)
                break;
        }
    }
    if (why)
        kvl_skip(ctx, why);
    hwloc_bitmap_free(all);
    free(done);
    free(list.v);
}

/* ---- mem-hugepage-not-multiple ---- */

/* A size written in KiB, the one unit every rounded size is whole in. */
static void edit_size_kib(kvl_fix *fx, kvl_ref el, const char *attr, uint64_t kib)
{
    char *n = kvl_xasprintf("%llu", (unsigned long long)kib);

    if (attr)
        kvl_edit_set_attr(fx, el, attr, n);
    else
        kvl_edit_set_text(fx, el, n);
    kvl_edit_set_attr(fx, el, "unit", "KiB");
    free(n);
}

/*
 * <memory> (and <currentMemory> when it equalled it, so the balloon does not
 * start deflated) follows a rounding up by `grow` KiB.  With guest cells
 * <memory> is only touched when it matched their sum, so a mismatch stays
 * numa-memory-sum-mismatch's to report.  <maxMemory> is not the hugepage
 * backing's concern and stays.
 */
static void grow_memory(kvl_fix *fx, const kvl_domain *dom, uint64_t grow, bool matched)
{
    if (!matched || !dom->memory_node)
        return;
    edit_size_kib(fx, dom->memory_node, NULL, dom->memory_kib + grow);
    if (dom->current_memory_node && dom->current_memory_kib == dom->memory_kib)
        edit_size_kib(fx, dom->current_memory_node, NULL, dom->memory_kib + grow);
}

/*
 * Round part `p` up to `up` KiB.  `total_grow` is what all parts of the
 * domain grow by: the fix of the last part carries the <memory> update, so
 * that the edits of two cells never both rewrite <memory>.
 */
static void propose_round_up(kvl_check_ctx *ctx, const kvl_mem_part *p, uint64_t up,
                             uint64_t total_grow, bool last)
{
    const kvl_domain *dom = ctx->dom;
    char *what = kvl_mem_part_name(p), *size = kvl_ru_size_str(up);
    kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "%s rounded up to %s", what, size);
    uint64_t eff;

    if (p->cell) {
        edit_size_kib(fx, p->cell->node, "memory", up);
        if (last)
            grow_memory(fx, dom, total_grow,
                        kvl_domain_effective_memory(dom, &eff) && eff == dom->memory_kib);
    } else {
        grow_memory(fx, dom, up - p->kib, true);
    }
    free(what);
    free(size);
}

static void report_not_multiple(kvl_check_ctx *ctx, const kvl_mem_part *p, uint64_t total_grow,
                                bool last)
{
    const kvl_domain *dom = ctx->dom;
    uint64_t down = p->kib / p->page_kib * p->page_kib, up = down + p->page_kib;
    char *what = kvl_mem_part_name(p), *size = kvl_ru_size_str(p->kib);
    char *page = kvl_ru_size_str(p->page_kib);
    char *lo = kvl_ru_size_str(down), *hi = kvl_ru_size_str(up);
    char *waste = kvl_ru_size_str(up - p->kib);
    kvl_ref where = p->cell ? p->cell->node : dom->memory_node;
    const char *attr = p->cell ? "memory" : NULL;

    if (down == 0) {
        char *hint = kvl_xasprintf("give it at least %s, or use smaller hugepages", hi);

        kvl_report(ctx->sink, ctx->rule, where, attr, hint,
                   "%s (%s) is smaller than one of its %s hugepages, which QEMU refuses",
                   what, size, page);
        free(hint);
    } else {
        char *hint = kvl_xasprintf("round it to a multiple of %s: %s or %s", page, lo, hi);

        kvl_report(ctx->sink, ctx->rule, where, attr, hint,
                   "%s (%s) is not a multiple of its %s hugepages: it takes %llu pages "
                   "and leaves %s of the last one unused",
                   what, size, page,
                   (unsigned long long)kvl_mem_pages_needed(p->kib, p->page_kib), waste);
        free(hint);
    }
    propose_round_up(ctx, p, up, total_grow, last);
    free(what);
    free(size);
    free(page);
    free(lo);
    free(hi);
    free(waste);
}

static bool part_not_multiple(const kvl_mem_part *p)
{
    return p->page_kib && p->page_kib != KVL_MEM_PAGE_DEFAULT && p->kib % p->page_kib;
}

void kvl_check_mem_hugepage_not_multiple(kvl_check_ctx *ctx)
{
    kvl_mem_part *v;
    size_t n, last = 0;
    uint64_t total_grow = 0;

    if (!ctx->dom->hugepages)
        return;
    n = kvl_mem_parts(ctx->dom, ctx->host, 0, &v);
    for (size_t i = 0; i < n; i++)
        if (part_not_multiple(&v[i])) {
            total_grow += v[i].page_kib - v[i].kib % v[i].page_kib;
            last = i;
        }
    for (size_t i = 0; i < n; i++) {
        if (v[i].page_kib == KVL_MEM_PAGE_DEFAULT)
            kvl_skip(ctx, no_default_size);
        else if (part_not_multiple(&v[i]))
            report_not_multiple(ctx, &v[i], total_grow, i == last);
    }
    free(v);
}

/* ---- mem-hugepages-recommended ---- */

static bool host_has_pages(const kvl_host *host)
{
    for (size_t i = 0; i < host->nnodes; i++)
        if (host->nodes[i].has_pages)
            return true;
    return false;
}

/* The hugepage sizes with pages in some pool, ascending. */
static size_t pool_sizes(const kvl_domain *dom, const kvl_host *host, uint64_t *out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < host->nnodes; i++)
        for (size_t j = 0; j < host->nodes[i].npages; j++) {
            const kvl_host_pages *p = &host->nodes[i].pages[j];
            size_t k = 0;

            if (!p->count || kvl_mem_is_base_page(dom, host, p->size_kib))
                continue;
            while (k < n && out[k] < p->size_kib)
                k++;
            if ((k < n && out[k] == p->size_kib) || n == max)
                continue;
            memmove(out + k + 1, out + k, (n - k) * sizeof(*out));
            out[k] = p->size_kib;
            n++;
        }
    return n;
}

/*
 * Would all of this VM's memory fit pools of `page_kib` pages, next to what
 * every other fleet VM takes from them?  *nodes gets the nodes it would use.
 */
static bool fits_on(kvl_check_ctx *ctx, uint64_t page_kib, hwloc_const_bitmap_t all,
                    hwloc_bitmap_t nodes)
{
    kvl_mem_list list = { NULL, 0, 0 };
    const char *why;
    size_t mine;
    bool ok;

    for (size_t j = 0; j < ctx->fleet->n; j++)
        if (j != ctx->index && ctx->fleet->doms[j]->hugepages)
            kvl_mem_list_add(&list, ctx->fleet->doms[j], ctx->host, 0);
    mine = list.n;
    kvl_mem_list_add(&list, ctx->dom, ctx->host, page_kib);
    ok = list.n > mine;
    hwloc_bitmap_zero(nodes);
    for (size_t k = mine; ok && k < list.n; k++) {
        const kvl_mem_part *p = &list.v[k];
        hwloc_const_bitmap_t on = kvl_mem_part_nodes(p, all);
        kvl_mem_pool pl;

        ok = kvl_mem_pool_on(ctx->host, on, page_kib, &pl, &why) &&
             kvl_mem_taken(&list, k, page_kib, on, all, NULL, NULL) +
             kvl_mem_pages_needed(p->kib, page_kib) <= pl.count;
        hwloc_bitmap_or(nodes, nodes, on);
    }
    free(list.v);
    return ok;
}

/* <page size='1' unit='G'/> for the hint. */
static char *page_element(uint64_t kib)
{
    if (kib % (1024 * 1024) == 0)
        return kvl_xasprintf("<page size='%llu' unit='G'/>", (unsigned long long)(kib >> 20));
    if (kib % 1024 == 0)
        return kvl_xasprintf("<page size='%llu' unit='M'/>", (unsigned long long)(kib >> 10));
    return kvl_xasprintf("<page size='%llu' unit='KiB'/>", (unsigned long long)kib);
}

/*
 * The pages only when the VM can take them as it is: every part a multiple
 * of the page (else the fix would trade this finding for
 * mem-hugepage-not-multiple) and no <memoryBacking> setting libvirt refuses
 * with hugepages, and for a guest without NUMA cells pages from one host
 * node.  The pool was checked by the caller.
 */
static void propose_hugepages(kvl_check_ctx *ctx, uint64_t page, const char *elem,
                              hwloc_const_bitmap_t nodes)
{
    const kvl_domain *dom = ctx->dom;
    char *psize, *child;
    kvl_mem_part *v;
    size_t n;

    /* hugepages of one guest over several host pools: numa-vm-wider-than-node */
    if (dom->ncells == 0 && hwloc_bitmap_weight(nodes) > 1) {
        kvl_fix_decline(ctx->sink, "the pages would come from several host nodes: give the guest NUMA cells first");
        return;
    }

    if (kvl_ru_streq(dom->mem_source_type, "anonymous") ||
        kvl_ru_streq(dom->mem_allocation_mode, "ondemand")) {
        kvl_fix_decline(ctx->sink, "<memoryBacking> has an anonymous source or ondemand allocation");
        return;
    }
    n = kvl_mem_parts(dom, ctx->host, page, &v);
    psize = kvl_ru_size_str(page);
    for (size_t i = 0; i < n; i++)
        if (v[i].kib % page) {
            char *what = kvl_mem_part_name(&v[i]);

            kvl_fix_decline(ctx->sink, "%s is not a multiple of %s: round it first", what, psize);
            free(what);
            free(psize);
            free(v);
            return;
        }
    free(v);
    if (!n) {
        free(psize);
        return;
    }
    child = kvl_xasprintf("<hugepages>\n  %s\n</hugepages>", elem);
    kvl_mem_edit_membacking(kvl_fix_propose(ctx->sink, NULL, "%s hugepages", psize), dom,
                            (const char *const *)&child, 1);
    free(child);
    free(psize);
}

void kvl_check_mem_hugepages_recommended(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    uint64_t kib, sizes[16];
    bool critical, huge;
    hwloc_bitmap_t all, nodes;
    size_t n;

    if (dom->hugepages || !kvl_domain_effective_memory(dom, &kib))
        return;
    critical = kvl_domain_is_latency_critical(dom);
    if (!critical && kib < ctx->cfg->large_vm_kib)
        return;
    if (!kvl_need_host_nodes(ctx))
        return;
    if (!host_has_pages(ctx->host)) {
        kvl_skip(ctx, "the host snapshot lacks hugepage pools");
        return;
    }
    n = pool_sizes(dom, ctx->host, sizes, sizeof(sizes) / sizeof(sizes[0]));
    /* very large VMs gain most from the largest pages, the others are
     * offered the smallest hugepages that fit, which waste least */
    huge = kib >= ctx->cfg->very_large_vm_kib;
    all = kvl_mem_host_nodes(ctx->host);
    nodes = hwloc_bitmap_alloc();
    for (size_t i = 0; i < n; i++) {
        uint64_t page = sizes[huge ? n - 1 - i : i];
        char *size, *psize, *where, *elem, *hint;

        if (!fits_on(ctx, page, all, nodes))
            continue;
        size = kvl_ru_size_str(kib);
        psize = kvl_ru_size_str(page);
        where = kvl_ru_node_phrase("host node", "host nodes", nodes);
        elem = page_element(page);
        hint = kvl_xasprintf("back it with <memoryBacking><hugepages>%s</hugepages></memoryBacking>",
                             elem);
        kvl_report(ctx->sink, ctx->rule, dom->memory_node ? dom->memory_node : dom->root, NULL,
                   hint, "%s%s VM is not hugepage-backed, yet the %s hugepage pool%s of %s %s room for it",
                   critical ? "latency-critical " : "", size, psize,
                   hwloc_bitmap_weight(nodes) > 1 ? "s" : "", where,
                   hwloc_bitmap_weight(nodes) > 1 ? "have" : "has");
        propose_hugepages(ctx, page, elem, nodes);
        free(size);
        free(psize);
        free(where);
        free(elem);
        free(hint);
        break;
    }
    hwloc_bitmap_free(nodes);
    hwloc_bitmap_free(all);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_memory_hugepages[] = {
    { "mem-hugepage-not-multiple", kvl_check_mem_hugepage_not_multiple, 0 },
    { "mem-hugepage-unavailable", kvl_check_mem_hugepage_unavailable, 0 },
    { "mem-hugepages-recommended", kvl_check_mem_hugepages_recommended, 0 },
    { NULL, NULL, 0 },
};
