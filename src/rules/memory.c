/*
 * Memory checks that need no host snapshot (the pool checks are in
 * memory_hugepages.c): locked memory and the limits that must go with it,
 * sizes and hugepage settings libvirt refuses, KSM sharing, a balloon that
 * cannot do anything, and vhost-user devices without shared guest memory.
 *
 * A memtune limit of 2^53 - 1 KiB (KVL_SIZE_MAX_KIB) is libvirt's
 * "unlimited": it limits nothing, so it counts as no limit here.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "model/units.h"
#include "rules/memory_util.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

/* A memtune value that was given, parsed, and is not "unlimited". */
static bool limit_set(bool has, uint64_t kib)
{
    return has && kib < KVL_SIZE_MAX_KIB;
}

/* ---- mem-locked-no-hard-limit ---- */

void kvl_check_mem_locked_no_hard_limit(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *hint = "set <memtune><hard_limit> to the guest memory plus QEMU's own overhead";
    const char *why = "libvirt then lifts QEMU's locked-memory limit, so nothing stops the VM "
                      "from pinning all host memory";

    if (!dom->locked)
        return;
    if (dom->hard_limit_node && !dom->has_hard_limit)
        return;                 /* unreadable: value-invalid said so */
    if (limit_set(dom->has_hard_limit, dom->hard_limit_kib))
        return;
    if (dom->has_hard_limit)
        kvl_report(ctx->sink, ctx->rule, dom->hard_limit_node, NULL, hint,
                   "memory is locked (<locked/>) but hard_limit is unlimited: %s", why);
    else
        kvl_report(ctx->sink, ctx->rule, dom->locked_node, NULL, hint,
                   "memory is locked (<locked/>) without a <memtune><hard_limit>: %s", why);
}

/* ---- mem-hard-limit-too-low ---- */

void kvl_check_mem_hard_limit_too_low(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    uint64_t kib;
    char *limit, *mem, *hint;

    if (!limit_set(dom->has_hard_limit, dom->hard_limit_kib) ||
        !kvl_domain_effective_memory(dom, &kib) || dom->hard_limit_kib >= kib)
        return;
    limit = kvl_ru_size_str(dom->hard_limit_kib);
    mem = kvl_ru_size_str(kib);
    hint = kvl_xasprintf("raise hard_limit above %s plus QEMU's overhead, or remove it", mem);
    kvl_report(ctx->sink, ctx->rule, dom->hard_limit_node, NULL, hint,
               "hard_limit %s is below the VM's %s of memory: the kernel OOM-kills QEMU "
               "once the guest uses its memory%s", limit, mem,
               dom->locked ? ", and with <locked/> QEMU cannot lock it all at start" : "");
    free(limit);
    free(mem);
    free(hint);
}

/* ---- mem-size-invalid ---- */

static void check_swap_limit(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    char *swap, *hard;

    if (!limit_set(dom->has_swap_hard_limit, dom->swap_hard_limit_kib) ||
        !limit_set(dom->has_hard_limit, dom->hard_limit_kib) ||
        dom->swap_hard_limit_kib >= dom->hard_limit_kib)
        return;
    /* Equal limits are accepted (and are the usual way to deny a VM
     * swap); libvirt only refuses hard_limit above swap_hard_limit. */
    swap = kvl_ru_size_str(dom->swap_hard_limit_kib);
    hard = kvl_ru_size_str(dom->hard_limit_kib);
    kvl_report(ctx->sink, ctx->rule, dom->swap_hard_limit_node, NULL,
               "raise swap_hard_limit to at least hard_limit (equal means no swap), or drop it",
               "swap_hard_limit %s is below hard_limit %s: libvirt refuses a memory-plus-swap limit "
               "lower than the memory limit, so the VM cannot start", swap, hard);
    kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "<swap_hard_limit> removed"),
                            dom->swap_hard_limit_node);
    free(swap);
    free(hard);
}

/*
 * Without memory devices nothing needs <maxMemory>, so it goes; with them
 * it must stay and is raised to the VM's memory, the smallest size libvirt
 * accepts (the slots stay as they are).
 */
static void propose_max_memory(kvl_check_ctx *ctx, uint64_t kib, const char *mem)
{
    const kvl_domain *dom = ctx->dom;
    char *n;
    kvl_fix *fx;

    if (dom->nmemdevs == 0) {
        kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "<maxMemory> removed (no memory device uses it)"),
                                dom->max_memory_node);
        return;
    }
    fx = kvl_fix_propose(ctx->sink, NULL, "maxMemory raised to %s", mem);
    n = kvl_xasprintf("%llu", (unsigned long long)kib);
    kvl_edit_set_text(fx, dom->max_memory_node, n);
    kvl_edit_set_attr(fx, dom->max_memory_node, "unit", "KiB");
    free(n);
}

static void check_max_memory(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    uint64_t kib;

    if (!dom->max_memory_node || !dom->has_max_memory)
        return;
    if (dom->max_memory_kib == 0) {
        /* libvirt: no maximum size, so the slots have nothing to fill */
        if (dom->has_max_memory_slots && dom->max_memory_slots > 0)
            kvl_report(ctx->sink, ctx->rule, dom->max_memory_node, "slots",
                       "give <maxMemory> the size memory hotplug may grow to, or drop it",
                       "<maxMemory> has slots='%u' but no size: libvirt refuses memory slots "
                       "without a maximum memory size", dom->max_memory_slots);
        if (dom->has_max_memory_slots && dom->max_memory_slots > 0)
            kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "<maxMemory> removed"),
                                    dom->max_memory_node);
        return;
    }
    if (kvl_domain_effective_memory(dom, &kib) && dom->max_memory_kib < kib) {
        char *max = kvl_ru_size_str(dom->max_memory_kib), *mem = kvl_ru_size_str(kib);
        char *hint = kvl_xasprintf("raise maxMemory to at least %s", mem);

        kvl_report(ctx->sink, ctx->rule, dom->max_memory_node, NULL, hint,
                   "maxMemory %s is below the VM's %s of memory: libvirt refuses it", max, mem);
        propose_max_memory(ctx, kib, mem);
        free(max);
        free(mem);
        free(hint);
    }
}

void kvl_check_mem_size_invalid(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    check_swap_limit(ctx);
    /* libvirt's QEMU driver refuses any non-zero min_guarantee */
    if (dom->has_min_guarantee && dom->min_guarantee_kib > 0) {
        char *size = kvl_ru_size_str(dom->min_guarantee_kib);

        kvl_report(ctx->sink, ctx->rule, dom->min_guarantee_node, NULL,
                   "remove <min_guarantee> (only VMware ESX honours it)",
                   "min_guarantee %s: libvirt refuses min_guarantee for QEMU/KVM domains", size);
        kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "<min_guarantee> removed"),
                                dom->min_guarantee_node);
        free(size);
    }
    check_max_memory(ctx);
}

/* ---- mem-hugepage-config-invalid ---- */

/* "the 2 MiB <page>": a page in messages, named by its size. */
static char *page_label(const kvl_hugepage *p)
{
    char *size = p->size_kib ? kvl_ru_size_str(p->size_kib) : NULL;
    char *out = size ? kvl_xasprintf("the %s <page>", size) : kvl_xstrdup("a <page>");

    free(size);
    return out;
}

/*
 * The nodeset keeps the cells that exist; without cells it goes, making the
 * page the default one.  Declined where that guesses: another page already
 * is the default, or no cell of the nodeset exists (the page backs nothing,
 * so which cells it was meant for is unknown).
 */
static void propose_page_nodeset(kvl_check_ctx *ctx, const kvl_hugepage *p, const char *label)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_hugepage *dflt = kvl_mem_default_page(dom);
    hwloc_bitmap_t keep;
    char *list = NULL;

    if (dom->ncells == 0) {
        if (dflt && dflt != p)
            kvl_fix_decline(ctx->sink, "another <page> is already the default one");
        else
            kvl_edit_remove_attr(kvl_fix_propose(ctx->sink, NULL, "nodeset of %s dropped", label),
                                 p->node, "nodeset");
        return;
    }
    keep = hwloc_bitmap_dup(p->nodeset);
    hwloc_bitmap_clr_range(keep, (unsigned)dom->ncells, -1);
    if (hwloc_bitmap_iszero(keep)) {
        kvl_fix_decline(ctx->sink, "the nodeset names no existing guest cell");
    } else if (hwloc_bitmap_list_asprintf(&list, keep) >= 0) {
        kvl_edit_set_attr(kvl_fix_propose(ctx->sink, NULL, "nodeset='%s' on %s", list, label),
                          p->node, "nodeset", list);
    }
    free(list);
    hwloc_bitmap_free(keep);
}

/* A nodeset naming guest cells that do not exist (libvirt: "hugepages:
 * node N not found").  Without cells libvirt takes nodeset='0' as the
 * default page and refuses anything else. */
static void check_page_nodeset(kvl_check_ctx *ctx, const kvl_hugepage *p)
{
    const kvl_domain *dom = ctx->dom;
    char *label;
    int bad;

    if (!p->nodeset)
        return;
    /* without cells, name a cell other than 0 (nodeset='0' alone is fine) */
    bad = hwloc_bitmap_next(p->nodeset, dom->ncells ? (int)dom->ncells - 1 : 0);
    if (bad < 0)
        return;
    label = page_label(p);
    if (dom->ncells == 0)
        kvl_report(ctx->sink, ctx->rule, p->node, "nodeset",
                   "drop the nodeset (or use nodeset='0'), or give the guest NUMA cells",
                   "%s names guest cell %d, but the guest has no NUMA cells (libvirt then accepts only nodeset='0')",
                   label, bad);
    else
        kvl_report(ctx->sink, ctx->rule, p->node, "nodeset",
                   "list only guest cells that exist in the nodeset",
                   "%s names guest cell %d, but the guest has only cells 0-%zu", label, bad,
                   dom->ncells - 1);
    propose_page_nodeset(ctx, p, label);
    free(label);
}

/* The page that libvirt treats as a second default, or an overlap. */
static void check_page_pairs(kvl_check_ctx *ctx, size_t i)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_hugepage *p = &dom->pages[i];
    const kvl_hugepage *dflt = kvl_mem_default_page(dom);
    bool p_default = kvl_mem_page_is_default(dom, p);

    if (p_default && dflt && dflt != p) {
        char *a = page_label(dflt), *b = page_label(p);

        kvl_report(ctx->sink, ctx->rule, p->node, p->has_nodeset ? "nodeset" : NULL,
                   "keep one <page> without nodeset and give the others the guest cells they back",
                   "two default hugepage sizes: %s and %s both apply to all memory%s", a, b,
                   p->has_nodeset ? " (without guest NUMA cells nodeset='0' means all memory)" : "");
        free(a);
        free(b);
        return;
    }
    if (p_default || !p->nodeset)
        return;
    for (size_t j = 0; j < i; j++) {
        const kvl_hugepage *q = &dom->pages[j];

        if (q->nodeset && hwloc_bitmap_intersects(p->nodeset, q->nodeset)) {
            hwloc_bitmap_t both = hwloc_bitmap_alloc();
            char *a = page_label(q), *b = page_label(p), *cells;

            hwloc_bitmap_and(both, p->nodeset, q->nodeset);
            cells = kvl_ru_set_phrase("guest cell", "guest cells", both);
            kvl_report(ctx->sink, ctx->rule, p->node, "nodeset",
                       "give each guest cell a single page size",
                       "the nodesets of %s and %s intersect: %s would be backed by both",
                       a, b, cells);
            free(a);
            free(b);
            free(cells);
            hwloc_bitmap_free(both);
            return;
        }
    }
}

void kvl_check_mem_hugepage_config_invalid(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    if (!dom->hugepages)
        return;
    for (size_t i = 0; i < dom->npages; i++) {
        check_page_nodeset(ctx, &dom->pages[i]);
        check_page_pairs(ctx, i);
    }
    if (kvl_ru_streq(dom->mem_allocation_mode, "ondemand")) {
        kvl_report(ctx->sink, ctx->rule, dom->mem_allocation_node, "mode",
                   "drop <allocation mode='ondemand'/>: hugepages are allocated when the VM starts",
                   "libvirt refuses hugepages with <allocation mode='ondemand'/>");
        /* the attribute only: <allocation threads> keeps its meaning */
        kvl_edit_remove_attr(kvl_fix_propose(ctx->sink, NULL, "allocation mode='ondemand' dropped"),
                             dom->mem_allocation_node, "mode");
    }
    if (kvl_ru_streq(dom->mem_source_type, "anonymous")) {
        kvl_report(ctx->sink, ctx->rule, dom->mem_source_node, "type",
                   "use <source type='file'/> or 'memfd' with hugepages, or drop <source>",
                   "libvirt refuses hugepages with <source type='anonymous'/>");
        /* without <source> hugepages are hugetlbfs files, what was meant */
        kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "<source type='anonymous'/> removed"),
                                dom->mem_source_node);
    }
}

/* ---- fixes ---- */

/* Children for <memoryBacking>: inside it, or in a new one. */
static void edit_membacking(kvl_fix *fx, const kvl_domain *dom, const char *const *children,
                            size_t n)
{
    kvl_mem_edit_membacking(fx, dom, children, n);
}

/* ---- mem-nosharepages ---- */

/* A page that is a hugepage: hugetlbfs memory, which ksmd never scans.
 * NULL is <hugepages/> without a page for this memory: the host's default
 * hugepage size. */
static bool page_is_huge(const kvl_domain *dom, const kvl_host *host, const kvl_hugepage *p)
{
    return !p || !p->size_kib || !kvl_mem_is_base_page(dom, host, p->size_kib);
}

/* Is all guest RAM hugetlbfs-backed, leaving KSM nothing to merge? */
static bool wholly_hugepage_backed(const kvl_domain *dom, const kvl_host *host)
{
    if (!dom->hugepages)
        return false;
    if (dom->ncells == 0)
        return page_is_huge(dom, host, kvl_mem_default_page(dom));
    for (size_t i = 0; i < dom->ncells; i++)
        if (!dom->cells[i].has_id ||
            !page_is_huge(dom, host, kvl_mem_cell_page(dom, dom->cells[i].id)))
            return false;
    return true;
}

/* Only latency-critical VMs: KSM never merges hugetlbfs memory (mm/ksm.c
 * skips VM_HUGETLB areas), so a VM whose RAM is all hugepages has nothing
 * for ksmd to touch, latency-critical or not (RULES.md also names
 * hugepage-backed VMs; that would be a false claim). */
void kvl_check_mem_nosharepages(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    if (dom->nosharepages || !kvl_domain_is_latency_critical(dom) ||
        wholly_hugepage_backed(dom, ctx->host))
        return;
    /* Without host facts KSM's state is unknown, and a kernel with KSM
     * lets ksmd scan whatever QEMU marks mergeable once it is switched on. */
    kvl_report(ctx->sink, ctx->rule,
               dom->membacking_node ? dom->membacking_node
               : dom->memory_node ? dom->memory_node : dom->root, NULL,
               "add <nosharepages/> to <memoryBacking>",
               "%s without <nosharepages/>: if KSM runs on the host (the snapshot does not "
               "tell), ksmd may merge the memory QEMU marks mergeable, and each write to a "
               "merged page then takes a copy-on-write fault",
               kvl_mem_hugepage_backed(dom, ctx->host)
                   ? "latency-critical VM with memory outside its hugepages" : "latency-critical VM");
    {
        static const char *const child[] = { "<nosharepages/>" };

        edit_membacking(kvl_fix_propose(ctx->sink, NULL, "<nosharepages/> in <memoryBacking>"),
                        dom, child, 1);
    }
}

/* ---- mem-balloon-pointless ---- */

/* libvirt adds a virtio balloon to x86 guests without <memballoon>, except
 * on the isapc and microvm machines. */
static bool implicit_balloon(const kvl_domain *dom, const kvl_host *host)
{
    return kvl_ru_arch_is_x86(kvl_ru_arch(dom, host)) &&
           !kvl_ru_streq(dom->machine, "isapc") && !kvl_ru_streq(dom->machine, "microvm");
}

/* "PCI device 0000:03:00.0": the first PCI passthrough device, or NULL. */
static char *passthrough_device(const kvl_domain *dom)
{
    for (size_t i = 0; i < dom->nhostdevs; i++) {
        const kvl_hostdev *h = &dom->hostdevs[i];

        if (kvl_ru_streq(h->type, "pci")) {
            kvl_pci_addr pci = { h->domain, h->bus, h->slot, h->function };
            char *addr = h->has_pci_address ? kvl_ru_pci_str(&pci) : NULL;
            char *out = addr ? kvl_xasprintf("PCI device %s", addr) : kvl_xstrdup("a PCI device");

            free(addr);
            return out;
        }
    }
    for (size_t i = 0; i < dom->nifaces; i++)
        if (kvl_ru_streq(dom->ifaces[i].type, "hostdev")) {
            char *name = kvl_ru_iface_name(dom, &dom->ifaces[i]);
            char *out = kvl_xasprintf("hostdev %s", name);

            free(name);
            return out;
        }
    return NULL;
}

/* The items joined by `sep`; caller frees. */
static char *join(const char *const *items, size_t n, const char *sep)
{
    kvl_buf b = KVL_BUF_INIT;

    for (size_t i = 0; i < n; i++)
        kvl_buf_addf(&b, "%s%s", i ? sep : "", items[i]);
    return kvl_buf_detach(&b);
}

static bool realtime(const kvl_domain *dom)
{
    for (size_t i = 0; i < dom->nvcpuscheds; i++)
        if (kvl_ru_streq(dom->vcpuscheds[i].scheduler, "fifo") ||
            kvl_ru_streq(dom->vcpuscheds[i].scheduler, "rr"))
            return true;
    return false;
}

void kvl_check_mem_balloon_pointless(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_memballoon *b = &dom->memballoon;
    char *device, *assigned = NULL, *list;
    const char *why[4];
    size_t n = 0;

    if (b->node ? !kvl_ru_model_is_virtio(b->model) : !implicit_balloon(dom, ctx->host))
        return;
    if (kvl_mem_hugepage_backed(dom, ctx->host))
        why[n++] = "its hugepages cannot be handed back to the host piecemeal";
    if (dom->locked)
        why[n++] = "its memory is locked and cannot be released";
    if ((device = passthrough_device(dom))) {
        assigned = kvl_xasprintf("QEMU inhibits ballooning while %s is assigned", device);
        why[n++] = assigned;
        free(device);
    }
    if (realtime(dom))
        why[n++] = "ballooning would add page faults and host reclaim to its real-time vCPUs";
    if (n == 0)
        return;
    list = join(why, n, "; ");
    if (b->node)
        kvl_report(ctx->sink, ctx->rule, b->node, "model", "set <memballoon model='none'/>",
                   "virtio memory balloon serves no purpose here: %s", list);
    else
        kvl_report(ctx->sink, ctx->rule, dom->devices_node ? dom->devices_node : dom->root, NULL,
                   "add <memballoon model='none'/> to <devices>",
                   "virtio memory balloon (libvirt adds one when <devices> has no <memballoon>) "
                   "serves no purpose here: %s", list);
    {
        /* the whole element: a virtio balloon's address, stats and driver
         * mean nothing without a device */
        kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "<memballoon model='none'/>");

        if (b->node)
            kvl_edit_replace_element(fx, b->node, "<memballoon model='none'/>");
        else if (dom->devices_node)
            kvl_edit_insert_child(fx, dom->devices_node, "<memballoon model='none'/>");
        else
            kvl_edit_insert_child(fx, dom->root,
                                  "<devices>\n  <memballoon model='none'/>\n</devices>");
    }
    free(list);
    free(assigned);
}

/* ---- mem-shared-required ---- */

/*
 * Why guest memory is not shared with other processes, or NULL when it is
 * (libvirt: each guest cell's memAccess, else <memoryBacking><access>; no
 * cells: <access> alone).  Caller frees.
 */
static char *not_shared(const kvl_domain *dom)
{
    const char *dflt = dom->mem_access_mode;

    if (dom->ncells == 0) {
        if (kvl_ru_streq(dflt, "shared"))
            return NULL;
        return dflt ? kvl_xasprintf("<memoryBacking> has <access mode='%s'/>", dflt)
                    : kvl_xstrdup("guest memory is private (no <memoryBacking><access mode='shared'/>)");
    }
    for (size_t i = 0; i < dom->ncells; i++) {
        const kvl_cell *cell = &dom->cells[i];
        const char *mode = cell->mem_access ? cell->mem_access : dflt;
        char *label, *out;

        if (kvl_ru_streq(mode, "shared"))
            continue;
        label = kvl_ru_cell_label(dom, cell);
        if (cell->mem_access)
            out = kvl_xasprintf("%s has memAccess='%s'", label, cell->mem_access);
        else if (dflt)
            out = kvl_xasprintf("%s has no memAccess and <memoryBacking> has <access mode='%s'/>",
                                label, dflt);
        else
            out = kvl_xasprintf("%s has no memAccess and there is no <memoryBacking><access mode='shared'/>",
                                label);
        free(label);
        return out;
    }
    return NULL;
}

/*
 * Shared guest memory: memAccess='shared' on every guest cell that lacks it,
 * else <access mode='shared'/> (with a memfd source when nothing else backs
 * the memory).  Every device that needs it proposes the same edits.
 */
static void propose_shared(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "guest memory shared (%s)",
                                  dom->ncells ? "memAccess='shared' on the guest cells"
                                              : "<access mode='shared'/>");
    const char *children[2];
    size_t n = 0;

    if (dom->ncells) {
        for (size_t i = 0; i < dom->ncells; i++) {
            const kvl_cell *cell = &dom->cells[i];

            if (!kvl_ru_streq(cell->mem_access ? cell->mem_access : dom->mem_access_mode,
                              "shared"))
                kvl_edit_set_attr(fx, cell->node, "memAccess", "shared");
        }
        return;
    }
    if (dom->mem_access_node) {
        kvl_edit_set_attr(fx, dom->mem_access_node, "mode", "shared");
        return;
    }
    if (!kvl_mem_hugepage_backed(dom, ctx->host) && !dom->mem_source_type)
        children[n++] = "<source type='memfd'/>";
    children[n++] = "<access mode='shared'/>";
    edit_membacking(fx, dom, children, n);
}

static void report_unshared(kvl_check_ctx *ctx, kvl_ref node, const char *what,
                            const char *why, bool refused)
{
    const kvl_domain *dom = ctx->dom;
    const char *hint;

    if (dom->ncells)
        hint = "give every guest cell memAccess='shared' (a cell's memAccess overrides <access>)";
    else if (kvl_mem_hugepage_backed(dom, ctx->host) || dom->mem_source_type)
        hint = "add <access mode='shared'/> to <memoryBacking>";
    else
        hint = "add <source type='memfd'/> and <access mode='shared'/> to <memoryBacking>";
    kvl_report(ctx->sink, ctx->rule, node, NULL, hint,
               "%s needs guest memory shared with its backend process, but %s: %s", what, why,
               refused ? "libvirt refuses the domain"
                       : "QEMU cannot hand guest memory to the backend, so the device does not work");
    propose_shared(ctx);
}

void kvl_check_mem_shared_required(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    char *why = not_shared(dom);

    if (!why)
        return;
    for (size_t i = 0; i < dom->nifaces; i++)
        if (kvl_ru_streq(dom->ifaces[i].type, "vhostuser")) {
            char *name = kvl_ru_iface_name(dom, &dom->ifaces[i]);
            char *what = kvl_xasprintf("vhost-user %s", name);

            /* libvirt accepts this one; QEMU's vhost-user setup fails */
            report_unshared(ctx, dom->ifaces[i].node, what, why, false);
            free(name);
            free(what);
        }
    for (size_t i = 0; i < dom->ndisks; i++)
        if (kvl_ru_streq(dom->disks[i].type, "vhostuser")) {
            char *name = kvl_ru_disk_name(dom, &dom->disks[i]);
            char *what = kvl_xasprintf("vhost-user %s", name);

            report_unshared(ctx, dom->disks[i].node, what, why, true);
            free(name);
            free(what);
        }
    for (size_t i = 0; i < dom->nfilesystems; i++) {
        const kvl_filesystem *fs = &dom->filesystems[i];

        if (kvl_ru_streq(fs->driver_type, "virtiofs")) {
            char *what = fs->target ? kvl_xasprintf("virtiofs filesystem '%s'", fs->target)
                                    : kvl_xstrdup("virtiofs filesystem");

            report_unshared(ctx, fs->node, what, why, true);
            free(what);
        }
    }
    free(why);
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_memory[] = {
    { "mem-balloon-pointless", kvl_check_mem_balloon_pointless, 0 },
    { "mem-hard-limit-too-low", kvl_check_mem_hard_limit_too_low, 0 },
    { "mem-hugepage-config-invalid", kvl_check_mem_hugepage_config_invalid, 0 },
    { "mem-locked-no-hard-limit", kvl_check_mem_locked_no_hard_limit, 0 },
    { "mem-nosharepages", kvl_check_mem_nosharepages, 0 },
    { "mem-shared-required", kvl_check_mem_shared_required, 0 },
    { "mem-size-invalid", kvl_check_mem_size_invalid, 0 },
    { NULL, NULL, 0 },
};
