/*
 * Readings of the models and message phrases shared by the built-in checks;
 * see rule_util.h.  Keeping them here is what makes two rules agree on, say,
 * whether a <vcpu cpuset> that names every host CPU is pinning (it is not).
 */
#include "rules/rule_util.h"

#include <stdlib.h>
#include <string.h>

#include "model/cpuset.h"
#include "model/units.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

bool kvl_ru_streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

const char *kvl_ru_dom_label(const kvl_domain *dom)
{
    if (dom->name)
        return dom->name;
    return dom->doc && dom->doc->path ? dom->doc->path : "?";
}

bool kvl_ru_vcpus(const kvl_domain *dom, unsigned *n)
{
    /* The model gives 1 for an absent <vcpu> (libvirt's default), 0 for
     * one that could not be read. */
    if (dom->vcpus == 0)
        return false;
    *n = dom->vcpus;
    return true;
}

bool kvl_ru_covers_host(const kvl_host *host, hwloc_const_bitmap_t set)
{
    return host && !hwloc_bitmap_iszero(host->all_cpus)
        && hwloc_bitmap_isincluded(host->all_cpus, set);
}

hwloc_const_bitmap_t kvl_ru_vcpu_pin(const kvl_domain *dom, const kvl_host *host,
                                     unsigned vcpu, kvl_ref *node)
{
    kvl_ref from = 0;
    hwloc_const_bitmap_t pin = kvl_domain_vcpu_pin(dom, vcpu, &from);

    if (!pin || hwloc_bitmap_iszero(pin) || kvl_ru_covers_host(host, pin))
        return NULL;
    if (node)
        *node = from;
    return pin;
}

hwloc_bitmap_t kvl_ru_vcpu_pin_union(const kvl_domain *dom, const kvl_host *host,
                                     hwloc_const_bitmap_t only, hwloc_bitmap_t pinned)
{
    hwloc_bitmap_t all = hwloc_bitmap_alloc();
    unsigned n;

    if (pinned)
        hwloc_bitmap_zero(pinned);
    if (!kvl_ru_vcpus(dom, &n))
        return all;
    for (unsigned v = 0; v < n; v++) {
        hwloc_const_bitmap_t pin;

        if (only && !hwloc_bitmap_isset(only, v))
            continue;
        pin = kvl_ru_vcpu_pin(dom, host, v, NULL);
        if (!pin)
            continue;
        hwloc_bitmap_or(all, all, pin);
        if (pinned)
            hwloc_bitmap_set(pinned, v);
    }
    return all;
}

hwloc_bitmap_t kvl_ru_nodes_of(const kvl_host *host, hwloc_const_bitmap_t cpus)
{
    hwloc_bitmap_t nodes = hwloc_bitmap_alloc();

    if (host && cpus)
        kvl_host_nodes_of_cpus(host, cpus, nodes);
    return nodes;
}

char *kvl_ru_set_str(hwloc_const_bitmap_t set)
{
    char *s = kvl_cpuset_format(set);

    return s ? s : kvl_xstrdup("");
}

char *kvl_ru_node_str(hwloc_const_bitmap_t set)
{
    /* "nodes 0,1" reads better than "nodes 0-1"; libvirt takes both. */
    if (hwloc_bitmap_weight(set) == 2)
        return kvl_xasprintf("%d,%d", hwloc_bitmap_first(set), hwloc_bitmap_last(set));
    return kvl_ru_set_str(set);
}

char *kvl_ru_node_phrase(const char *one, const char *many, hwloc_const_bitmap_t set)
{
    char *list = kvl_ru_node_str(set);
    char *out = kvl_xasprintf("%s %s", hwloc_bitmap_weight(set) == 1 ? one : many, list);

    free(list);
    return out;
}

char *kvl_ru_set_phrase(const char *one, const char *many, hwloc_const_bitmap_t set)
{
    char *list = kvl_ru_set_str(set);
    char *out = kvl_xasprintf("%s %s", hwloc_bitmap_weight(set) == 1 ? one : many, list);

    free(list);
    return out;
}

char *kvl_ru_size_str(uint64_t kib)
{
    char *s = kvl_size_format(kib);

    return s ? s : kvl_xasprintf("%llu KiB", (unsigned long long)kib);
}

char *kvl_ru_vcpu_node_groups(const kvl_domain *dom, const kvl_host *host,
                              hwloc_const_bitmap_t vcpus)
{
    kvl_buf out = KVL_BUF_INIT;
    hwloc_bitmap_t done = hwloc_bitmap_alloc();
    unsigned n;

    if (!kvl_ru_vcpus(dom, &n))
        n = 0;
    for (unsigned v = 0; v < n; v++) {
        hwloc_const_bitmap_t pin;
        hwloc_bitmap_t key, group;
        char *who, *where;

        if ((vcpus && !hwloc_bitmap_isset(vcpus, v)) || hwloc_bitmap_isset(done, v))
            continue;
        pin = kvl_ru_vcpu_pin(dom, host, v, NULL);
        if (!pin)
            continue;
        key = kvl_ru_nodes_of(host, pin);
        if (hwloc_bitmap_iszero(key)) {
            hwloc_bitmap_free(key);
            continue;
        }
        /* Later vCPUs on exactly the same nodes join this group. */
        group = hwloc_bitmap_alloc();
        for (unsigned w = v; w < n; w++) {
            hwloc_const_bitmap_t p;
            hwloc_bitmap_t k;

            if ((vcpus && !hwloc_bitmap_isset(vcpus, w)) || hwloc_bitmap_isset(done, w))
                continue;
            p = kvl_ru_vcpu_pin(dom, host, w, NULL);
            if (!p)
                continue;
            k = kvl_ru_nodes_of(host, p);
            if (hwloc_bitmap_isequal(k, key)) {
                hwloc_bitmap_set(group, w);
                hwloc_bitmap_set(done, w);
            }
            hwloc_bitmap_free(k);
        }
        who = kvl_ru_set_phrase("vCPU", "vCPUs", group);
        where = kvl_ru_node_phrase("node", "nodes", key);
        kvl_buf_addf(&out, "%s%s on %s", out.len ? ", " : "", who, where);
        free(who);
        free(where);
        hwloc_bitmap_free(group);
        hwloc_bitmap_free(key);
    }
    hwloc_bitmap_free(done);
    return out.len ? kvl_buf_detach(&out) : kvl_xstrdup("");
}

const char *kvl_ru_arch(const kvl_domain *dom, const kvl_host *host)
{
    if (dom->arch)
        return dom->arch;
    return host ? host->arch : NULL;
}

bool kvl_ru_arch_is_x86(const char *arch)
{
    return kvl_ru_streq(arch, "x86_64") || kvl_ru_streq(arch, "i686");
}

bool kvl_ru_mode_strict(const char *mode)
{
    return !mode || strcmp(mode, "strict") == 0 || strcmp(mode, "restrictive") == 0;
}

bool kvl_ru_mode_binds(const char *mode)
{
    return kvl_ru_mode_strict(mode) || strcmp(mode, "preferred") == 0;
}

bool kvl_ru_numa_auto(const kvl_domain *dom)
{
    return kvl_domain_placement_auto(dom) || kvl_ru_streq(dom->numa_placement, "auto");
}

const kvl_memnode *kvl_ru_memnode(const kvl_domain *dom, unsigned cellid)
{
    for (size_t i = 0; i < dom->nmemnodes; i++)
        if (dom->memnodes[i].has_cellid && dom->memnodes[i].cellid == cellid)
            return &dom->memnodes[i];
    return NULL;
}

uint64_t kvl_ru_cell_page_kib(const kvl_domain *dom, unsigned cellid)
{
    if (cellid != UINT32_MAX)
        for (size_t i = 0; i < dom->npages; i++)
            if (dom->pages[i].nodeset && hwloc_bitmap_isset(dom->pages[i].nodeset, cellid))
                return dom->pages[i].size_kib;
    return kvl_domain_default_page_kib(dom);
}

char *kvl_ru_disk_name(const kvl_domain *dom, const kvl_disk *disk)
{
    if (disk->target)
        return kvl_xasprintf("disk '%s'", disk->target);
    if (disk->source)
        return kvl_xasprintf("disk '%s'", disk->source);
    return kvl_xasprintf("disk #%zu", (size_t)(disk - dom->disks) + 1);
}

bool kvl_ru_is_pinned(const kvl_domain *dom, const kvl_host *host)
{
    return kvl_domain_is_pinned(dom, host ? host->all_cpus : NULL);
}

const char *kvl_ru_disk_cache(const kvl_disk *disk)
{
    if (disk->shareable && !disk->readonly &&
        (!disk->cache || strcmp(disk->cache, "default") == 0))
        return "none";
    return disk->cache;
}

bool kvl_ru_iface_tap_backed(const kvl_iface *iface)
{
    return kvl_ru_streq(iface->type, "network") || kvl_ru_streq(iface->type, "bridge")
        || kvl_ru_streq(iface->type, "direct") || kvl_ru_streq(iface->type, "ethernet");
}

bool kvl_ru_model_is_virtio(const char *model)
{
    return kvl_ru_streq(model, "virtio") || kvl_ru_streq(model, "virtio-transitional")
        || kvl_ru_streq(model, "virtio-non-transitional");
}

int kvl_ru_iface_virtio(const kvl_iface *iface, const char *arch)
{
    if (iface->model)
        return kvl_ru_model_is_virtio(iface->model);
    if (!arch)
        return -1;
    return strcmp(arch, "s390x") == 0;
}

char *kvl_ru_join_and(const char *const *items, size_t n)
{
    kvl_buf b = KVL_BUF_INIT;

    for (size_t i = 0; i < n; i++)
        kvl_buf_addf(&b, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", items[i]);
    return b.len ? kvl_buf_detach(&b) : kvl_xstrdup("");
}

char *kvl_ru_iface_name(const kvl_domain *dom, const kvl_iface *iface)
{
    kvl_buf b = KVL_BUF_INIT;

    kvl_buf_adds(&b, "interface");
    if (iface->mac) {
        kvl_buf_addf(&b, " %s", iface->mac);
    } else if (!iface->source && iface->has_pci_address) {
        /* a hostdev interface: its VF's address is what the admin knows */
        char *addr = kvl_ru_pci_str(&iface->pci);

        kvl_buf_addf(&b, " on PCI device %s", addr);
        free(addr);
    } else if (!iface->source) {
        kvl_buf_addf(&b, " #%zu", (size_t)(iface - dom->ifaces) + 1);
    }
    if (iface->source) {
        const char *what = iface->type ? iface->type : "source";

        if (kvl_ru_streq(iface->type, "direct"))
            what = "host device";
        else if (kvl_ru_streq(iface->type, "ethernet"))
            what = "tap";
        kvl_buf_addf(&b, " on %s '%s'", what, iface->source);
    }
    return kvl_buf_detach(&b);
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

uint64_t kvl_ru_topology_vcpus(const kvl_domain *dom)
{
    return mul_sat(mul_sat(mul_sat(mul_sat(dom->sockets, dom->dies), dom->clusters),
                           dom->cores), dom->threads);
}

unsigned kvl_ru_cell_id(const kvl_domain *dom, const kvl_cell *cell)
{
    return cell->has_id ? cell->id : (unsigned)(cell - dom->cells);
}

char *kvl_ru_cell_label(const kvl_domain *dom, const kvl_cell *cell)
{
    if (cell->has_id)
        return kvl_xasprintf("guest cell %u", cell->id);
    return kvl_xasprintf("guest cell #%zu", (size_t)(cell - dom->cells) + 1);
}

char *kvl_ru_pci_str(const kvl_pci_addr *pci)
{
    return kvl_xasprintf("%04x:%02x:%02x.%x", pci->domain, pci->bus, pci->slot,
                         pci->function);
}

hwloc_bitmap_t kvl_ru_host_node_ids(const kvl_host *host)
{
    hwloc_bitmap_t ids = hwloc_bitmap_alloc();

    for (size_t i = 0; i < host->nnodes; i++)
        hwloc_bitmap_set(ids, host->nodes[i].id);
    return ids;
}

/* libvirt's disk name of index idx: prefix + a..z, aa..az, ... */
static char *disk_target_name(const char *prefix, unsigned idx)
{
    char letters[8];
    size_t n = 0;
    kvl_buf b = KVL_BUF_INIT;

    for (unsigned i = idx + 1; i && n < sizeof(letters); i = (i - 1) / 26)
        letters[n++] = (char)('a' + (i - 1) % 26);
    kvl_buf_adds(&b, prefix);
    while (n)
        kvl_buf_addc(&b, letters[--n]);
    return kvl_buf_detach(&b);
}

char *kvl_ru_free_disk_target(const kvl_domain *dom, const char *prefix, unsigned *next)
{
    for (;; (*next)++) {
        char *name = disk_target_name(prefix, *next);
        bool used = false;

        for (size_t i = 0; i < dom->ndisks && !used; i++)
            used = kvl_ru_streq(dom->disks[i].target, name);
        if (!used) {
            (*next)++;
            return name;
        }
        free(name);
    }
}

kvl_ref kvl_ru_clock_neighbour(const kvl_domain *dom)
{
    return dom->cpu_node ? dom->cpu_node : dom->features_node ? dom->features_node : dom->os_node;
}
