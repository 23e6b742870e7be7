/*
 * Helpers shared by the built-in checks in src/rules/: the readings of the
 * domain and host models that several rules make the same way (which vCPUs
 * count as explicitly pinned, which host nodes a pin set touches, what a
 * numatune mode means for capacity), and the phrases their messages share
 * ("vCPUs 0-3", "host node 1", "disk 'vdb'"), so that two rules never word
 * or decide the same thing differently.
 *
 * Ownership: arguments are borrowed; functions returning char * or
 * hwloc_bitmap_t hand the caller a new object (free() / hwloc_bitmap_free()).
 */
#ifndef KVL_RULES_RULE_UTIL_H
#define KVL_RULES_RULE_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <hwloc.h>

#include "model/domain.h"
#include "model/host.h"

/*
 * Number of vCPUs (the <vcpu> maximum).  An absent <vcpu> is libvirt's
 * default of 1; false when the element is there but could not be parsed
 * (value-invalid reported it).
 */
bool kvl_ru_vcpus(const kvl_domain *dom, unsigned *n);

/*
 * The explicit pinning of vCPU `vcpu` (vcpupin, else <vcpu cpuset>), or NULL
 * when it floats.  A set covering every CPU of the host (when `host` is
 * known) is floating in effect and also gives NULL.  *node, when not NULL,
 * is set to the element the pinning comes from.
 */
hwloc_const_bitmap_t kvl_ru_vcpu_pin(const kvl_domain *dom, const kvl_host *host,
                                     unsigned vcpu, kvl_ref *node);

/*
 * Union of the explicit pinnings (as kvl_ru_vcpu_pin) of the vCPUs in
 * `only` (NULL: every vCPU).  When `pinned` is not NULL it receives the
 * vCPUs that have one.  Returns a new, possibly empty, bitmap.
 */
hwloc_bitmap_t kvl_ru_vcpu_pin_union(const kvl_domain *dom, const kvl_host *host,
                                     hwloc_const_bitmap_t only, hwloc_bitmap_t pinned);

/* True when `set` names every CPU of `host` (host NULL: false). */
bool kvl_ru_covers_host(const kvl_host *host, hwloc_const_bitmap_t set);

/* Host nodes of the CPUs in `cpus` (CPUs unknown to the host ignored); new bitmap. */
hwloc_bitmap_t kvl_ru_nodes_of(const kvl_host *host, hwloc_const_bitmap_t cpus);

/*
 * "vCPUs 0-1 on node 0, vCPUs 2-3 on node 1": the vCPUs of `vcpus` grouped
 * by the host nodes their explicit pinning uses, groups in the order of
 * their first vCPU.  vCPUs without pinning or on unknown CPUs are left out.
 */
char *kvl_ru_vcpu_node_groups(const kvl_domain *dom, const kvl_host *host,
                              hwloc_const_bitmap_t vcpus);

/*
 * "vCPU 3" / "vCPUs 0-3", "host node 1" / "host nodes 0,1": `one` or
 * `many` followed by the set in libvirt list form.
 */
char *kvl_ru_set_phrase(const char *one, const char *many, hwloc_const_bitmap_t set);

/* The set in libvirt list form ("0-3,8"); never NULL. */
char *kvl_ru_set_str(hwloc_const_bitmap_t set);

/* The same for node sets in messages, where two nodes read "0,1". */
char *kvl_ru_node_str(hwloc_const_bitmap_t set);
char *kvl_ru_node_phrase(const char *one, const char *many, hwloc_const_bitmap_t set);

/* "64 GiB"; never NULL. */
char *kvl_ru_size_str(uint64_t kib);

/*
 * Guest architecture: os/type@arch, else the host snapshot's (libvirt
 * defaults to the host's), else NULL.
 */
const char *kvl_ru_arch(const kvl_domain *dom, const kvl_host *host);
bool kvl_ru_arch_is_x86(const char *arch);     /* x86_64, i686 */

/*
 * numatune modes.  `mode` NULL is libvirt's default, strict.
 * kvl_ru_mode_strict: memory must come from the nodeset (strict, restrictive).
 * kvl_ru_mode_binds: the nodeset says where memory goes (those and preferred).
 */
bool kvl_ru_mode_strict(const char *mode);
bool kvl_ru_mode_binds(const char *mode);

/* numatune <memory placement='auto'> or <vcpu placement='auto'>: numad decides. */
bool kvl_ru_numa_auto(const kvl_domain *dom);

/* The <memnode> of guest cell `cellid`, or NULL. */
const kvl_memnode *kvl_ru_memnode(const kvl_domain *dom, unsigned cellid);

/*
 * Page size backing guest cell `cellid` (the <page> whose nodeset lists it,
 * else the default page), 0 when unknown; `cellid` UINT32_MAX asks for the
 * default page only.
 */
uint64_t kvl_ru_cell_page_kib(const kvl_domain *dom, unsigned cellid);

/* "disk 'vdb'", or "disk '/path'" / "disk #2" when the target is unknown. */
char *kvl_ru_disk_name(const kvl_domain *dom, const kvl_disk *disk);

/*
 * Pinned VM (RULES.md) judged against the host's CPUs, or with any
 * <vcpu cpuset> counting when there is no host: the `pinned` argument of
 * kvl_disk_is_hot().
 */
bool kvl_ru_is_pinned(const kvl_domain *dom, const kvl_host *host);

/*
 * The cache mode libvirt starts the disk with: driver@cache as written,
 * except that a writable <shareable/> disk without one (or with 'default')
 * gets "none".  NULL: QEMU's default, writeback.
 */
const char *kvl_ru_disk_cache(const kvl_disk *disk);

/* "interface 52:54:00:.. on network 'default'" and shorter forms. */
char *kvl_ru_iface_name(const kvl_domain *dom, const kvl_iface *iface);

/*
 * NICs.  Tap-backed types (network, bridge, direct, ethernet) are those
 * where the model is the guest's choice and vhost-net and multiqueue apply.
 * kvl_ru_iface_virtio: 1 virtio, 0 emulated, -1 cannot tell (no model and
 * no known architecture; without a model libvirt uses virtio only on s390x).
 */
bool kvl_ru_iface_tap_backed(const kvl_iface *iface);
bool kvl_ru_model_is_virtio(const char *model);   /* virtio, virtio-(non-)transitional */
int kvl_ru_iface_virtio(const kvl_iface *iface, const char *arch);

/* "a", "a and b", "a, b and c"; never NULL. */
char *kvl_ru_join_and(const char *const *items, size_t n);

/* sockets x dies x clusters x cores x threads, UINT64_MAX when that overflows
 * (the model gives each at least 1). */
uint64_t kvl_ru_topology_vcpus(const kvl_domain *dom);

/* The id libvirt gives a guest cell: its @id, else its position. */
unsigned kvl_ru_cell_id(const kvl_domain *dom, const kvl_cell *cell);

/* "guest cell 1", or "guest cell #2" (its position) when it has no valid id. */
char *kvl_ru_cell_label(const kvl_domain *dom, const kvl_cell *cell);

/* A PCI address as lspci and hwloc write it: "0000:06:00.0". */
char *kvl_ru_pci_str(const kvl_pci_addr *pci);

/* The ids of the host's NUMA nodes (new bitmap). */
hwloc_bitmap_t kvl_ru_host_node_ids(const kvl_host *host);

/* A fleet VM in messages: its <name>, else its file; never NULL. */
const char *kvl_ru_dom_label(const kvl_domain *dom);

/* Where a new <clock> reads best: after <cpu>, else <features>, else <os>;
 * 0 when the domain has none of them (fixes). */
kvl_ref kvl_ru_clock_neighbour(const kvl_domain *dom);

/*
 * The lowest disk target named `prefix` plus libvirt's letters (vda..vdz,
 * vdaa, ...) that no disk of `dom` uses, counting from index *next, which is
 * advanced past it so that one check can rename several disks (fixes).
 * Caller frees.
 */
char *kvl_ru_free_disk_target(const kvl_domain *dom, const char *prefix, unsigned *next);

/* Case-sensitive string equality where either side may be NULL. */
bool kvl_ru_streq(const char *a, const char *b);

#endif
