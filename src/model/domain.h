/*
 * The domain model: a libvirt <domain> as plain C structs, built in one walk
 * of the DOM (domain.c and its domain_*.c parts; DESIGN.md principle 2).
 * Rules read these structs, never the DOM.  Every element the model keeps
 * has its xmlNode pointer, for positions (kvl_doc_pos) and later for edits.
 *
 * Conventions:
 * - A `has_x` flag says the element or attribute was present and parsed.
 *   Values that could not be parsed were reported as value-invalid while
 *   building and are left unset (has_x false, set NULL), so rules skip them.
 * - Strings are copies (owned by the model); NULL means absent.
 * - Sizes are KiB; CPU and node sets are hwloc bitmaps (NULL = absent).
 * - Arrays keep document order.
 *
 * Ownership: the kvl_domain owns its strings, bitmaps and arrays, not the
 * kvl_doc (the caller keeps the document alive while the model is used).
 */
#ifndef KVL_MODEL_DOMAIN_H
#define KVL_MODEL_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hwloc.h>
#include <libxml/tree.h>

#include "lint/finding.h"
#include "xml/doc.h"

/* kvmlint's own namespace inside <metadata> (README "Annotations"). */
#define KVL_XMLNS "http://kvmlint.org/xmlns/domain/1.0"

typedef struct kvl_vcpupin {
    const xmlNode *node;
    unsigned vcpu;
    hwloc_bitmap_t cpus;            /* NULL if invalid */
} kvl_vcpupin;

typedef struct kvl_iothreadpin {
    const xmlNode *node;
    unsigned iothread;
    hwloc_bitmap_t cpus;
} kvl_iothreadpin;

typedef struct kvl_vcpusched {
    const xmlNode *node;
    hwloc_bitmap_t vcpus;           /* the vcpus attribute */
    char *scheduler;                /* "fifo", "rr", "batch", "idle", "other" */
    bool has_priority;
    int priority;
} kvl_vcpusched;

typedef struct kvl_cell {
    const xmlNode *node;
    bool has_id;
    unsigned id;
    hwloc_bitmap_t cpus;            /* NULL if absent/invalid (cpus is optional) */
    bool has_memory;
    uint64_t memory_kib;
    char *mem_access;               /* memAccess */
} kvl_cell;

typedef struct kvl_memnode {
    const xmlNode *node;
    unsigned cellid;
    bool has_cellid;
    char *mode;                     /* NULL: libvirt's default, strict */
    hwloc_bitmap_t nodeset;
} kvl_memnode;

typedef struct kvl_hugepage {
    const xmlNode *node;
    uint64_t size_kib;              /* 0: not given (the host default) */
    hwloc_bitmap_t nodeset;         /* guest cells; NULL: all */
} kvl_hugepage;

typedef struct kvl_disk {
    const xmlNode *node;
    const xmlNode *target_node, *driver_node, *address_node, *source_node;
    char *type;                     /* disk@type: file, block, network, volume, dir, nvme, vhostuser */
    char *device;                   /* disk@device; NULL means "disk" */
    char *bus;                      /* target@bus as written, or NULL */
    char *target;                   /* target@dev */
    char *driver_name, *driver_type, *cache, *io;
    bool has_iothread;
    unsigned iothread;
    bool readonly, shareable;
    bool has_iotune;                /* an <iotune> with at least one limit */
    unsigned boot_order;            /* 0: none */
    char *address_type;             /* address@type: drive, pci, ... */
    unsigned address_controller;    /* address@controller for drive addresses (default 0) */
    char *source;                   /* source@file/@dev/@name/..., for messages */
    bool hot_annotated;             /* kvmlint metadata marks it hot */
} kvl_disk;

typedef struct kvl_controller {
    const xmlNode *node;
    char *type;                     /* scsi, virtio-serial, pci, usb, ... */
    unsigned index;
    char *model;
} kvl_controller;

typedef struct kvl_iface {
    const xmlNode *node;
    const xmlNode *model_node, *driver_node;
    char *type;                     /* network, bridge, direct, ethernet, hostdev, user, vhostuser, ... */
    char *model;                    /* model@type */
    char *driver_name;              /* driver@name: qemu, vhost, vfio, kvm */
    bool has_queues;
    unsigned queues;
    char *mac;
    char *source;                   /* network/bridge/dev name, for messages */
} kvl_iface;

typedef struct kvl_hostdev {
    const xmlNode *node;
    char *mode, *type;              /* subsystem / pci */
    bool has_pci_address;
    unsigned domain, bus, slot, function;
} kvl_hostdev;

typedef struct kvl_memdev {
    const xmlNode *node;
    char *model;                    /* dimm, nvdimm, virtio-mem, ... */
    bool has_size;
    uint64_t size_kib;              /* target/size */
} kvl_memdev;

typedef struct kvl_domain {
    kvl_doc *doc;                   /* borrowed */
    const xmlNode *root;

    char *type;                     /* domain@type: kvm, qemu, lxc, ... */
    char *name, *uuid;
    char *arch, *machine;           /* os/type@arch, @machine */
    const xmlNode *name_node;

    /* <memory>, <currentMemory>, <maxMemory> */
    const xmlNode *memory_node;
    bool has_memory;
    uint64_t memory_kib;
    bool has_current_memory;
    uint64_t current_memory_kib;
    const xmlNode *max_memory_node;
    bool has_max_memory;
    uint64_t max_memory_kib;

    /* <vcpu> */
    const xmlNode *vcpu_node;
    bool has_vcpus;
    unsigned vcpus;                 /* the maximum (element text) */
    bool has_vcpus_current;
    unsigned vcpus_current;
    char *vcpu_placement;           /* static / auto, NULL absent */
    hwloc_bitmap_t vcpu_cpuset;     /* <vcpu cpuset>, NULL absent */

    /* <iothreads>, <iothreadids> */
    const xmlNode *iothreads_node;
    unsigned iothreads;             /* count (max of <iothreads> and ids given) */
    unsigned *iothread_ids;         /* ids: explicit, else 1..iothreads */
    size_t niothread_ids;

    /* <cputune> */
    const xmlNode *cputune_node;
    kvl_vcpupin *vcpupins;
    size_t nvcpupins, cap_vcpupins;
    const xmlNode *emulatorpin_node;
    hwloc_bitmap_t emulatorpin;     /* NULL absent/invalid */
    kvl_iothreadpin *iothreadpins;
    size_t niothreadpins, cap_iothreadpins;
    kvl_vcpusched *vcpuscheds;
    size_t nvcpuscheds, cap_vcpuscheds;

    /* <cpu> */
    const xmlNode *cpu_node;
    char *cpu_mode, *cpu_model;
    const xmlNode *topology_node;
    bool has_topology;
    unsigned sockets, dies, clusters, cores, threads;   /* 1 when absent */
    const xmlNode *numa_node;       /* <cpu><numa> */
    kvl_cell *cells;
    size_t ncells, cap_cells;

    /* <numatune> */
    const xmlNode *numatune_node;
    const xmlNode *numa_memory_node;    /* <numatune><memory> */
    char *numa_mode;                /* NULL when <memory> absent; "strict" when mode absent */
    char *numa_placement;           /* memory@placement, NULL absent */
    hwloc_bitmap_t numa_nodeset;    /* NULL absent/invalid */
    kvl_memnode *memnodes;
    size_t nmemnodes, cap_memnodes;

    /* <memoryBacking> */
    const xmlNode *membacking_node;
    const xmlNode *hugepages_node;
    bool hugepages;
    kvl_hugepage *pages;            /* <hugepages><page> */
    size_t npages, cap_pages;
    bool locked, nosharepages;
    char *mem_source_type, *mem_access_mode, *mem_allocation_mode;

    /* <memtune> */
    const xmlNode *memtune_node;
    bool has_hard_limit;
    uint64_t hard_limit_kib;

    /* <devices> */
    kvl_disk *disks;
    size_t ndisks, cap_disks;
    kvl_controller *controllers;
    size_t ncontrollers, cap_controllers;
    kvl_iface *ifaces;
    size_t nifaces, cap_ifaces;
    kvl_hostdev *hostdevs;
    size_t nhostdevs, cap_hostdevs;
    kvl_memdev *memdevs;
    size_t nmemdevs, cap_memdevs;

    /* kvmlint annotations in <metadata> (namespace KVL_XMLNS) */
    bool meta_critical;             /* <kvmlint:critical/> */
    bool meta_windows;              /* <kvmlint:windows/> */
    char *os_id;                    /* libosinfo <libosinfo:os id='...'/> */
} kvl_domain;

/*
 * Build the model of the <domain> in `doc` (root element must be domain).
 * Values that cannot be parsed are reported to `sink` as value-invalid,
 * pointing at the attribute or element; the model is still returned.
 */
kvl_domain *kvl_domain_build(kvl_doc *doc, kvl_sink *sink);
void kvl_domain_free(kvl_domain *dom);

/* ---- Derived facts, RULES.md "Definitions" (domain_query.c) ---- */

/* Domain type kvm or qemu: the design rules apply. */
bool kvl_domain_is_kvm_scope(const kvl_domain *dom);

/*
 * Effective memory: with guest NUMA cells, the sum of the cells plus memory
 * devices; otherwise <memory>.  False when unknown.
 */
bool kvl_domain_effective_memory(const kvl_domain *dom, uint64_t *kib);

/* The <vcpupin> of vCPU n, or NULL. */
const kvl_vcpupin *kvl_domain_vcpupin(const kvl_domain *dom, unsigned vcpu);

/*
 * Effective pinning of vCPU n: vcpupin, else <vcpu cpuset>, else NULL
 * (floats over all host CPUs).  *node is set to the element that pins it.
 */
hwloc_const_bitmap_t kvl_domain_vcpu_pin(const kvl_domain *dom, unsigned vcpu,
                                         const xmlNode **node);

/* vcpu placement='auto': numad places the VM at start. */
bool kvl_domain_placement_auto(const kvl_domain *dom);

/*
 * Pinned VM: every vCPU has explicit pinning (vcpupin, or a <vcpu cpuset>
 * that does not cover every host CPU; `all_host_cpus` may be NULL when no
 * host is known, then only vcpupin counts for vCPUs without one... and a
 * <vcpu cpuset> counts as explicit).
 */
bool kvl_domain_is_pinned(const kvl_domain *dom, hwloc_const_bitmap_t all_host_cpus);

/*
 * Latency-critical VM (RULES.md): every vCPU pinned 1:1, or a fifo/rr
 * vcpusched, or <kvmlint:critical/>, or hugepages together with <locked/>.
 */
bool kvl_domain_is_latency_critical(const kvl_domain *dom);

/* Boot disk per RULES.md, or NULL. */
const kvl_disk *kvl_domain_boot_disk(const kvl_domain *dom);

/* device='disk' (absent device counts as disk). */
bool kvl_disk_is_disk(const kvl_disk *disk);

/*
 * The bus a disk really uses: target@bus, else what libvirt infers from the
 * target name (hd* ide, sd* scsi, vd* virtio, xvd* xen, ub* usb), else NULL.
 */
const char *kvl_disk_bus(const kvl_disk *disk);

/* Hot disk per RULES.md; `pinned` is kvl_domain_is_pinned() of its VM. */
bool kvl_disk_is_hot(const kvl_domain *dom, const kvl_disk *disk, bool pinned);

/* The SCSI controller with this index, or NULL. */
const kvl_controller *kvl_domain_controller(const kvl_domain *dom, const char *type,
                                            unsigned index);

/* The page size a hugepage-backed VM uses by default (the <page> without
 * nodeset), 0 when not given. */
uint64_t kvl_domain_default_page_kib(const kvl_domain *dom);

#endif
