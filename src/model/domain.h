/*
 * The domain model: a libvirt <domain> as plain C structs, built in one walk
 * of the DOM (domain.c and its domain_*.c parts; DESIGN.md principle 2).
 * Rules read these structs, never the DOM.  Every element the model keeps
 * has a kvl_ref to it (xml/doc.h), for positions and later for edits: refs
 * outlive the DOM, which the engine frees once the model is built.
 *
 * Conventions:
 * - A `has_x` flag says the element or attribute was present and parsed.
 *   Values that could not be parsed were reported as value-invalid while
 *   building and are left unset (has_x false, set NULL), so rules skip them.
 *   A few fields hold libvirt's default when the XML omits them; their
 *   comments say so.
 * - Attributes libvirt requires for a value the model needs (vcpupin@vcpu,
 *   page@size, cell@memory, ...) are reported as value-invalid when missing.
 * - Strings are copies (owned by the model); NULL means absent.  Strings are
 *   kept as written, except the enumerations the model itself interprets
 *   (placement, numatune modes, vcpusched scheduler), which are checked and
 *   reported as value-invalid when unknown.
 * - Sizes are KiB; CPU and node sets are hwloc bitmaps (NULL = absent).
 * - Arrays keep document order.
 * - Like libvirt, singleton elements (<memory>, <vcpu>, <cpu>, ...) count
 *   once: the first one in the document; later duplicates are ignored.
 *   Elements in a namespace are not libvirt's and are ignored, except in
 *   <metadata>.
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

/* More vCPUs or IOThreads than this are reported as value-invalid (QEMU/KVM
 * accepts far fewer), so per-vCPU loops in rules stay bounded. */
#define KVL_VCPUS_MAX 16384

/* A PCI address (hostdev source, hostdev interface, NVMe disk). */
typedef struct kvl_pci_addr {
    unsigned domain, bus, slot, function;
} kvl_pci_addr;

/* An entry whose vcpu attribute is missing or invalid is reported and not
 * kept: without it the entry says nothing. */
typedef struct kvl_vcpupin {
    kvl_ref node;
    unsigned vcpu;
    hwloc_bitmap_t cpus;            /* NULL if invalid */
} kvl_vcpupin;

/* Likewise dropped when the iothread attribute is missing or invalid. */
typedef struct kvl_iothreadpin {
    kvl_ref node;
    unsigned iothread;
    hwloc_bitmap_t cpus;            /* NULL if invalid */
} kvl_iothreadpin;

typedef struct kvl_vcpusched {
    kvl_ref node;
    hwloc_bitmap_t vcpus;           /* the vcpus attribute; NULL absent/invalid */
    char *scheduler;                /* "fifo", "rr", "batch", "idle", "other"; NULL absent/invalid */
    bool has_priority;
    int priority;
} kvl_vcpusched;

typedef struct kvl_distance {
    kvl_ref node;            /* <sibling> */
    bool has_id, has_value;
    unsigned id, value;
} kvl_distance;

typedef struct kvl_cell {
    kvl_ref node;
    bool has_id;
    unsigned id;                    /* without a valid @id: its position, as libvirt numbers cells */
    hwloc_bitmap_t cpus;            /* NULL if absent/invalid (cpus is optional) */
    bool has_memory;
    uint64_t memory_kib;
    char *mem_access;               /* memAccess */
    kvl_ref distances_node;  /* <distances>, 0 absent */
    kvl_distance *distances;        /* its <sibling> entries */
    size_t ndistances, cap_distances;
} kvl_cell;

typedef struct kvl_memnode {
    kvl_ref node;
    unsigned cellid;
    bool has_cellid;
    char *mode;                     /* "strict" when absent (libvirt's default); NULL invalid */
    hwloc_bitmap_t nodeset;         /* NULL absent/invalid */
} kvl_memnode;

typedef struct kvl_hugepage {
    kvl_ref node;
    uint64_t size_kib;              /* 0: missing or invalid (reported: libvirt requires it) */
    hwloc_bitmap_t nodeset;         /* guest cells; NULL: all (or invalid, reported) */
    bool has_nodeset;               /* the nodeset attribute is present (valid or not) */
} kvl_hugepage;

/* The elements of <iotune>, in this order in kvl_disk.iotune[]. */
typedef enum kvl_iotune_key {
    KVL_IOTUNE_TOTAL_BYTES_SEC, KVL_IOTUNE_READ_BYTES_SEC, KVL_IOTUNE_WRITE_BYTES_SEC,
    KVL_IOTUNE_TOTAL_IOPS_SEC, KVL_IOTUNE_READ_IOPS_SEC, KVL_IOTUNE_WRITE_IOPS_SEC,
    KVL_IOTUNE_TOTAL_BYTES_SEC_MAX, KVL_IOTUNE_READ_BYTES_SEC_MAX, KVL_IOTUNE_WRITE_BYTES_SEC_MAX,
    KVL_IOTUNE_TOTAL_IOPS_SEC_MAX, KVL_IOTUNE_READ_IOPS_SEC_MAX, KVL_IOTUNE_WRITE_IOPS_SEC_MAX,
    KVL_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH, KVL_IOTUNE_READ_BYTES_SEC_MAX_LENGTH,
    KVL_IOTUNE_WRITE_BYTES_SEC_MAX_LENGTH, KVL_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH,
    KVL_IOTUNE_READ_IOPS_SEC_MAX_LENGTH, KVL_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH,
    KVL_IOTUNE_SIZE_IOPS_SEC,
    KVL_IOTUNE_N
} kvl_iotune_key;

/* The element name of an iotune key ("total_bytes_sec"), NULL if out of range. */
const char *kvl_iotune_name(kvl_iotune_key key);

typedef struct kvl_disk {
    kvl_ref node;
    kvl_ref target_node, driver_node, address_node, source_node;
    kvl_ref iotune_node, boot_node;
    char *type;                     /* disk@type: file, block, network, volume, dir, nvme, vhostuser */
    char *device;                   /* disk@device; NULL means "disk" */
    char *bus;                      /* target@bus as written, or NULL (see kvl_disk_bus) */
    char *target;                   /* target@dev */
    char *driver_name, *driver_type, *cache, *io;
    bool has_iothread;
    unsigned iothread;
    bool readonly, shareable;
    bool has_iotune;                /* an <iotune> with at least one non-zero rate limit
                                       (*_sec or *_sec_max; 0 means "no limit" to QEMU) */
    uint32_t iotune_set;            /* bit 1u << key for each element given with a valid number */
    uint64_t iotune[KVL_IOTUNE_N];  /* their values */
    char *iotune_group;             /* <group_name>, NULL absent */
    unsigned boot_order;            /* 0: none */
    char *address_type;             /* address@type: drive, pci, ... */
    unsigned address_controller;    /* address@controller for drive addresses (default 0) */
    char *source;                   /* source@file/@dev/@dir/@name/@path, "pool/volume", for messages */
    bool has_pci_address;           /* type='nvme': <source><address> */
    kvl_pci_addr pci;
    bool hot_annotated;             /* kvmlint metadata marks it hot */
} kvl_disk;

typedef struct kvl_controller {
    kvl_ref node;
    char *type;                     /* scsi, virtio-serial, pci, usb, ... */
    bool has_index;                 /* false: @index absent or invalid */
    unsigned index;                 /* without @index: the lowest unused of its type, as libvirt assigns */
    char *model;
} kvl_controller;

typedef struct kvl_iface {
    kvl_ref node;
    kvl_ref model_node, driver_node;
    char *type;                     /* network, bridge, direct, ethernet, hostdev, user, vhostuser, ... */
    char *model;                    /* model@type */
    char *driver_name;              /* driver@name: qemu, vhost, vfio, kvm */
    bool has_queues;
    unsigned queues;
    char *mac;
    char *source;                   /* source@network/@bridge/@dev/@path, for messages */
    bool has_pci_address;           /* type='hostdev': <source><address type='pci'> */
    kvl_pci_addr pci;
} kvl_iface;

typedef struct kvl_hostdev {
    kvl_ref node;
    char *mode, *type;              /* subsystem / pci, as written */
    bool has_pci_address;           /* type='pci' with a valid <source><address> */
    unsigned domain, bus, slot, function;
} kvl_hostdev;

typedef struct kvl_memdev {
    kvl_ref node;
    char *model;                    /* dimm, nvdimm, virtio-mem, ... */
    bool has_size;
    uint64_t size_kib;              /* target/size */
    bool has_guest_node;
    unsigned guest_node;            /* target/node: the guest NUMA cell */
} kvl_memdev;

typedef struct kvl_domain {
    kvl_doc *doc;                   /* borrowed */
    kvl_ref root;

    char *type;                     /* domain@type: kvm, qemu, lxc, ... */
    char *name, *uuid;
    char *os_type;                  /* <os><type> text: hvm, ... */
    char *arch, *machine;           /* os/type@arch, @machine */
    kvl_ref name_node, os_node;

    /* <memory>, <currentMemory>, <maxMemory> */
    kvl_ref memory_node;
    bool has_memory;
    uint64_t memory_kib;
    kvl_ref current_memory_node;
    bool has_current_memory;
    uint64_t current_memory_kib;
    kvl_ref max_memory_node;
    bool has_max_memory;
    uint64_t max_memory_kib;
    bool has_max_memory_slots;
    unsigned max_memory_slots;      /* maxMemory@slots */

    /* <vcpu> */
    kvl_ref vcpu_node;
    bool has_vcpus;
    unsigned vcpus;                 /* the maximum (element text); 1 when <vcpu>
                                       is absent (libvirt's default), 0 when invalid
                                       or above KVL_VCPUS_MAX */
    bool has_vcpus_current;
    unsigned vcpus_current;
    char *vcpu_placement;           /* static / auto, NULL absent */
    hwloc_bitmap_t vcpu_cpuset;     /* <vcpu cpuset>, NULL absent */

    /* <iothreads>, <iothreadids> */
    kvl_ref iothreads_node, iothreadids_node;
    unsigned iothreads;             /* count (max of <iothreads> and ids given) */
    unsigned *iothread_ids;         /* the valid <iothread id>s in document order,
                                       then the lowest unused ids up to the count,
                                       as libvirt fills them */
    size_t niothread_ids;

    /* <cputune> */
    kvl_ref cputune_node;
    kvl_vcpupin *vcpupins;
    size_t nvcpupins, cap_vcpupins;
    kvl_ref emulatorpin_node;
    hwloc_bitmap_t emulatorpin;     /* NULL absent/invalid */
    kvl_iothreadpin *iothreadpins;
    size_t niothreadpins, cap_iothreadpins;
    kvl_vcpusched *vcpuscheds;
    size_t nvcpuscheds, cap_vcpuscheds;
    /* index for kvl_domain_vcpupin: vcpus entries, the first valid-vcpu
     * vcpupin of each vCPU or NULL; NULL when vcpus is 0 */
    const kvl_vcpupin **vcpupin_of;

    /* <cpu> */
    kvl_ref cpu_node;
    char *cpu_mode;                 /* as written; NULL absent (libvirt: custom) */
    char *cpu_model;                /* <model> text; NULL absent or empty */
    kvl_ref topology_node;
    bool has_topology;
    /* Each attribute 1 when absent (or invalid, reported).  Without
     * <topology> (RULES.md "Missing topology"): sockets = vcpus, rest 1. */
    unsigned sockets, dies, clusters, cores, threads;
    kvl_ref numa_node;       /* <cpu><numa> */
    kvl_cell *cells;
    size_t ncells, cap_cells;

    /* <numatune> */
    kvl_ref numatune_node;
    kvl_ref numa_memory_node;    /* <numatune><memory> */
    char *numa_mode;                /* "strict" when mode absent (libvirt's default);
                                       NULL when <memory> is absent or mode invalid
                                       (then numa_memory_node tells them apart) */
    char *numa_placement;           /* memory@placement, NULL absent/invalid */
    hwloc_bitmap_t numa_nodeset;    /* NULL absent/invalid */
    kvl_memnode *memnodes;
    size_t nmemnodes, cap_memnodes;

    /* <memoryBacking> */
    kvl_ref membacking_node;
    kvl_ref hugepages_node;
    bool hugepages;
    kvl_hugepage *pages;            /* <hugepages><page> */
    size_t npages, cap_pages;
    bool locked, nosharepages;
    char *mem_source_type, *mem_access_mode, *mem_allocation_mode;

    /* <memtune> */
    kvl_ref memtune_node;
    kvl_ref hard_limit_node, soft_limit_node, swap_hard_limit_node,
        min_guarantee_node;
    bool has_hard_limit, has_soft_limit, has_swap_hard_limit, has_min_guarantee;
    uint64_t hard_limit_kib, soft_limit_kib, swap_hard_limit_kib, min_guarantee_kib;

    /* <features> */
    kvl_ref features_node;
    kvl_ref hyperv_node;     /* <features><hyperv>, 0 absent */

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

    /*
     * kvmlint annotations in <metadata>: the first element in namespace
     * KVL_XMLNS, which must be <kvmlint:hints> (libvirt keeps one element
     * per namespace and drops the rest).  Namespaces match by URI:
     *   <kvmlint:hints xmlns:kvmlint="http://kvmlint.org/xmlns/domain/1.0">
     *     <kvmlint:critical/> <kvmlint:windows/> <kvmlint:hot-disk target="vdb"/>
     *   </kvmlint:hints>
     * Unknown annotations, and hot-disk targets naming no disk, are reported
     * as value-invalid.
     */
    kvl_ref meta_node;       /* <kvmlint:hints>, 0 absent */
    bool meta_critical;             /* <kvmlint:critical/> */
    bool meta_windows;              /* <kvmlint:windows/> */
    char *os_id;                    /* libosinfo <libosinfo:os id='...'/> */
} kvl_domain;

#define KVL_LIBOSINFO_XMLNS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

/*
 * Build the model of the <domain> in `doc`.  Returns NULL only when the
 * document has no DOM or its root is not <domain> (the loader reports
 * those).  Values that cannot be parsed are reported to `sink` as
 * value-invalid, pointing at the attribute or element; the model is still
 * returned.  `sink` may be NULL to build without reporting.
 */
kvl_domain *kvl_domain_build(kvl_doc *doc, kvl_sink *sink);
void kvl_domain_free(kvl_domain *dom);

/* ---- Derived facts, RULES.md "Definitions" (domain_query.c) ---- */

/* Domain type kvm or qemu: the design rules apply. */
bool kvl_domain_is_kvm_scope(const kvl_domain *dom);

/*
 * Effective memory: with guest NUMA cells, the sum of the cells plus memory
 * devices' target sizes; otherwise <memory>.  False when unknown: no valid
 * <memory>, or a cell or memory device without a valid size.
 */
bool kvl_domain_effective_memory(const kvl_domain *dom, uint64_t *kib);

/* The first <vcpupin> of vCPU n (its cpuset may be invalid), or NULL.
 * Constant time for n < vcpus. */
const kvl_vcpupin *kvl_domain_vcpupin(const kvl_domain *dom, unsigned vcpu);

/*
 * Effective pinning of vCPU n: its vcpupin (with a valid cpuset), else
 * <vcpu cpuset>, else NULL (floats over all host CPUs).  With
 * placement='auto' libvirt ignores <vcpu cpuset>, and so does this.  *node
 * (may be NULL) is set to the element that pins it, or NULL.
 */
hwloc_const_bitmap_t kvl_domain_vcpu_pin(const kvl_domain *dom, unsigned vcpu,
                                         kvl_ref *node);

/* Effective pinning of the emulator threads: emulatorpin, else <vcpu cpuset>,
 * else NULL (all host CPUs). */
hwloc_const_bitmap_t kvl_domain_emulator_pin(const kvl_domain *dom, kvl_ref *node);

/* Effective pinning of IOThread `id`: its iothreadpin, else <vcpu cpuset>,
 * else NULL (all host CPUs). */
hwloc_const_bitmap_t kvl_domain_iothread_pin(const kvl_domain *dom, unsigned id,
                                             kvl_ref *node);

/* vcpu placement='auto': numad places the VM at start. */
bool kvl_domain_placement_auto(const kvl_domain *dom);

/*
 * Pinned VM: every vCPU 0..vcpus-1 has explicit pinning, that is a vcpupin
 * with a valid cpuset, or a <vcpu cpuset> that does not cover every CPU of
 * `all_host_cpus`.  When no host is known (`all_host_cpus` NULL) any
 * <vcpu cpuset> counts as explicit.  placement='auto' is not explicit
 * pinning (rules that treat it as "placed by the host" check
 * kvl_domain_placement_auto).  False when the vCPU count is invalid.
 */
bool kvl_domain_is_pinned(const kvl_domain *dom, hwloc_const_bitmap_t all_host_cpus);

/*
 * Latency-critical VM (RULES.md): every vCPU pinned 1:1 (each vCPU's
 * effective set is exactly one host CPU, no two vCPUs share one), or a
 * fifo/rr vcpusched, or <kvmlint:critical/>, or <hugepages> together with
 * <locked/>.  "Marked critical by config" is the caller's to add.
 */
bool kvl_domain_is_latency_critical(const kvl_domain *dom);

/*
 * Windows guest (RULES.md): libosinfo id under http://microsoft.com/win/,
 * or <features><hyperv>, or <kvmlint:windows/>.  Config is the caller's.
 */
bool kvl_domain_is_windows(const kvl_domain *dom);

/*
 * Boot disk per RULES.md, or NULL: among device='disk' disks, the one with
 * the lowest <boot order>; when no such disk has a boot order, the first
 * one in document order.  CD-ROMs and floppies are never the boot disk.
 */
const kvl_disk *kvl_domain_boot_disk(const kvl_domain *dom);

/* device='disk' (absent device counts as disk). */
bool kvl_disk_is_disk(const kvl_disk *disk);

/*
 * The bus a disk really uses: target@bus, else what libvirt infers: fdc for
 * a floppy, else from the target name (hd* ide, sd* scsi, vd* virtio,
 * xvd* xen, ub* usb), else NULL.
 */
const char *kvl_disk_bus(const kvl_disk *disk);

/*
 * Hot disk per RULES.md: a writable device='disk' that is annotated hot, or
 * has driver@iothread, or <iotune> limits, or io native/io_uring, or belongs
 * to a pinned (`pinned` is kvl_domain_is_pinned() of its VM) or
 * latency-critical VM and is not its boot disk.
 */
bool kvl_disk_is_hot(const kvl_domain *dom, const kvl_disk *disk, bool pinned);

/* The controller of this type (e.g. "scsi") and index, or NULL. */
const kvl_controller *kvl_domain_controller(const kvl_domain *dom, const char *type,
                                            unsigned index);

/* The page size a hugepage-backed VM uses by default (the <page> without
 * nodeset), 0 when not given. */
uint64_t kvl_domain_default_page_kib(const kvl_domain *dom);

#endif
