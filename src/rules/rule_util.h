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

/* "interface 52:54:00:.. on network 'default'" and shorter forms. */
char *kvl_ru_iface_name(const kvl_domain *dom, const kvl_iface *iface);

/* Case-sensitive string equality where either side may be NULL. */
bool kvl_ru_streq(const char *a, const char *b);

#endif
