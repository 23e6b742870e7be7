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
    bool priority_given;            /* the priority attribute is present (valid or not) */
} kvl_vcpusched;

/* The bandwidth elements of <cputune>, in this order in kvl_domain.cputune[]. */
typedef enum kvl_cputune_key {
    KVL_CPUTUNE_SHARES, KVL_CPUTUNE_PERIOD, KVL_CPUTUNE_QUOTA,
    KVL_CPUTUNE_GLOBAL_PERIOD, KVL_CPUTUNE_GLOBAL_QUOTA,
    KVL_CPUTUNE_EMULATOR_PERIOD, KVL_CPUTUNE_EMULATOR_QUOTA,
    KVL_CPUTUNE_IOTHREAD_PERIOD, KVL_CPUTUNE_IOTHREAD_QUOTA,
    KVL_CPUTUNE_N
} kvl_cputune_key;

/* The element name of a cputune key ("period"), NULL if out of range. */
const char *kvl_cputune_name(kvl_cputune_key key);

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
    bool has_cpus;                  /* the cpus attribute is present (valid or not) */
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

/* One <driver><iothreads><iothread id='N'> of a disk. */
typedef struct kvl_disk_iothread {
    kvl_ref node;
    unsigned id;
} kvl_disk_iothread;

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
    /* <driver><iothreads><iothread id>: virtio-blk queues mapped onto
     * IOThreads; entries without a valid id are reported and dropped */
    kvl_disk_iothread *iothread_map;
    size_t niothread_map, cap_iothread_map;
    bool readonly, shareable;
    bool has_iotune;                /* an <iotune> with at least one non-zero rate limit
                                       (*_sec or *_sec_max; 0 means "no limit" to QEMU) */
    uint32_t iotune_set;            /* bit 1u << key for each element given with a valid number */
    uint64_t iotune[KVL_IOTUNE_N];  /* their values */
    kvl_ref iotune_nodes[KVL_IOTUNE_N];  /* their elements */
    bool iotune_invalid;            /* an <iotune> value could not be parsed (reported) */
    char *iotune_group;             /* <group_name>, NULL absent */
    kvl_ref iotune_group_node;
    unsigned boot_order;            /* 0: none */
    char *address_type;             /* address@type: drive, pci, ... */
    unsigned address_controller;    /* address@controller for drive addresses (default 0) */
    char *source;                   /* source@file/@dev/@dir/@name/@path, "pool/volume", for messages */
    bool has_pci_address;           /* type='nvme': <source><address> */
    kvl_pci_addr pci;
    bool hot_annotated;             /* kvmlint metadata marks it hot */
    bool hot_by_config;             /* a config <hot-disk> matches it (set by the
                                       engine, not the walk; see by_config) */
} kvl_disk;

typedef struct kvl_controller {
    kvl_ref node;
    char *type;                     /* scsi, virtio-serial, pci, usb, ... */
    bool has_index;                 /* false: @index absent or invalid */
    unsigned index;                 /* without @index: the lowest unused of its type, as libvirt assigns */
    char *model;
    kvl_ref driver_node;            /* <driver>, 0 absent */
    bool has_iothread;              /* driver@iothread (virtio-scsi) */
    unsigned iothread;
} kvl_controller;

typedef struct kvl_iface {
    kvl_ref node;
    kvl_ref model_node, driver_node;
    char *type;                     /* network, bridge, direct, ethernet, hostdev, user, vhostuser, ... */
    char *model;                    /* model@type */
    char *driver_name;              /* driver@name: qemu, vhost, vfio, kvm */
    bool has_queues;
    unsigned queues;
    bool has_rx_queue_size, has_tx_queue_size;
    unsigned rx_queue_size, tx_queue_size;  /* driver@rx_queue_size, @tx_queue_size */
    kvl_ref bandwidth_node;         /* <bandwidth> with an <inbound> or <outbound>, else 0 */
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

/* <memballoon> (domain_memdevs.c): libvirt takes one, the first counts. */
typedef struct kvl_memballoon {
    kvl_ref node;                   /* 0: no <memballoon> element */
    char *model;                    /* virtio, virtio-transitional, none, ...; NULL absent */
} kvl_memballoon;

/* <filesystem> (domain_memdevs.c). */
typedef struct kvl_filesystem {
    kvl_ref node, driver_node;
    char *type;                     /* filesystem@type; NULL means mount */
    char *driver_type;              /* driver@type: path, handle, virtiofs, ... */
    char *source;                   /* source@dir/@file/@name/@socket, for messages */
    char *target;                   /* target@dir (the mount tag) */
} kvl_filesystem;

/* A yes/no or on/off attribute; an invalid value is reported and left absent. */
typedef enum kvl_tristate {
    KVL_TRI_ABSENT = 0,
    KVL_TRI_OFF,                    /* 'no' / 'off' */
    KVL_TRI_ON,                     /* 'yes' / 'on' */
} kvl_tristate;

/* <rng> (domain_paravirt.c). */
typedef struct kvl_rng {
    kvl_ref node, backend_node;
    char *model;                    /* rng@model: virtio, virtio-transitional, ... */
    char *backend_model;            /* <backend model>: random, egd, builtin */
    char *source;                   /* random backend: the device it reads, "/dev/random"
                                       when the text is empty (libvirt's default); else NULL */
    bool source_default;            /* ... and it was empty */
} kvl_rng;

/* <channel> (domain_paravirt.c). */
typedef struct kvl_channel {
    kvl_ref node, target_node;
    char *type;                     /* channel@type: unix, pty, spicevmc, ... */
    char *target_type;              /* target@type: virtio, guestfwd, xen */
    char *target_name;              /* target@name: org.qemu.guest_agent.0, ... */
} kvl_channel;

/* <clock><timer> (domain_clock.c).  Names and tick policies are kept as
 * written: which ones QEMU takes is a rule's judgement (clock-timer-invalid). */
typedef struct kvl_timer {
    kvl_ref node;
    char *name;                     /* NULL: missing (reported, libvirt requires it) */
    kvl_tristate present;
    char *tickpolicy;               /* NULL absent */
    char *mode;                     /* tsc mode: auto, native, emulate, ...; NULL absent */
    bool has_frequency;
    uint64_t frequency;             /* tsc frequency in Hz */
} kvl_timer;

/* The Hyper-V enlightenments of <features><hyperv>, in libvirt's order. */
typedef enum kvl_hv_feature {
    KVL_HV_RELAXED, KVL_HV_VAPIC, KVL_HV_SPINLOCKS, KVL_HV_VPINDEX, KVL_HV_RUNTIME,
    KVL_HV_SYNIC, KVL_HV_STIMER, KVL_HV_RESET, KVL_HV_VENDOR_ID, KVL_HV_FREQUENCIES,
    KVL_HV_REENLIGHTENMENT, KVL_HV_TLBFLUSH, KVL_HV_IPI, KVL_HV_EVMCS, KVL_HV_AVIC,
    KVL_HV_EMSR_BITMAP, KVL_HV_XMM_INPUT,
    KVL_HV_N
} kvl_hv_feature;

/* The element name of an enlightenment ("vpindex"), NULL if out of range. */
const char *kvl_hv_feature_name(kvl_hv_feature feat);

typedef struct kvl_hv_feat {
    kvl_ref node;                   /* its element, 0 absent */
    kvl_tristate state;             /* @state; libvirt requires it (missing: reported) */
} kvl_hv_feat;

/*
 * A suppression written in the domain (README "Suppressions"): a
 * <kvmlint:suppress rule="a,b" target="hda" reason="..."/> inside
 * <kvmlint:hints>, which libvirt keeps through define and dumpxml, or an XML
 * comment pragma <!-- kvmlint: disable=a,b reason --> for files kept in a
 * repository (libvirt drops comments).  The model records what is written;
 * the engine checks the rule ids, matches findings (lint/suppress.c) and
 * reports the suppressions that match nothing.
 */
typedef struct kvl_suppress {
    bool comment;                   /* a comment pragma, else <kvmlint:suppress> */
    kvl_ref node;                   /* <kvmlint:suppress>; 0 for a comment */
    unsigned line, col;             /* a comment: where it starts */
    char **rules;                   /* rule ids as written, at least one */
    size_t nrules;
    char *target;                   /* an element identity (kvl_domain_ref_identity)
                                       or its name part ("hda"); NULL: any */
    char *reason;                   /* NULL when none is given */
    /* A comment nested below <domain>'s children applies to the element
     * after it: refs scope_first..scope_last.  0: the whole domain. */
    kvl_ref scope_first, scope_last;
} kvl_suppress;

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
    uint64_t max_memory_kib;        /* 0 for an empty <maxMemory/>, libvirt's "no maximum" */
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
    kvl_ref iothreadsched_node;     /* the first <iothreadsched>, 0 absent (it names
                                       IOThreads: fixes must not drop them) */
    kvl_vcpusched *vcpuscheds;
    size_t nvcpuscheds, cap_vcpuscheds;
    /* index for kvl_domain_vcpupin: vcpus entries, the first valid-vcpu
     * vcpupin of each vCPU or NULL; NULL when vcpus is 0 */
    const kvl_vcpupin **vcpupin_of;
    /* <shares>, <period>, <quota>, ... as signed integers (libvirt's range
     * checks are rules' business); unparsable text is reported */
    uint32_t cputune_set;           /* bit 1u << key for each one given with a valid number */
    int64_t cputune[KVL_CPUTUNE_N];
    kvl_ref cputune_nodes[KVL_CPUTUNE_N];

    /* <cpu> */
    kvl_ref cpu_node;
    char *cpu_mode;                 /* as written; NULL absent (libvirt: custom) */
    char *cpu_model;                /* <model> text; NULL absent or empty */
    kvl_ref cpu_model_node;         /* the first <model>, 0 absent (for fixes) */
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
    bool numa_placement_given;      /* the placement attribute is present (valid or not) */
    hwloc_bitmap_t numa_nodeset;    /* NULL absent/invalid */
    bool numa_nodeset_given;        /* the nodeset attribute is present (valid or not) */
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
    kvl_ref locked_node, nosharepages_node;     /* 0 absent */
    kvl_ref mem_source_node, mem_access_node, mem_allocation_node;

    /* <memtune> */
    kvl_ref memtune_node;
    kvl_ref hard_limit_node, soft_limit_node, swap_hard_limit_node,
        min_guarantee_node;
    bool has_hard_limit, has_soft_limit, has_swap_hard_limit, has_min_guarantee;
    uint64_t hard_limit_kib, soft_limit_kib, swap_hard_limit_kib, min_guarantee_kib;

    /* <features> */
    kvl_ref features_node;
    kvl_ref hyperv_node;     /* <features><hyperv>, 0 absent */
    /* <hyperv> (domain_features.c): mode "custom" (also when absent,
     * libvirt's default) or "passthrough"; NULL without <hyperv> or when
     * the mode is invalid (reported).  Values are read as libvirt reads
     * them: spinlocks@retries and vendor_id@value only when state='on'. */
    char *hyperv_mode;
    kvl_hv_feat hyperv[KVL_HV_N];
    bool has_hv_spinlock_retries;
    unsigned hv_spinlock_retries;
    char *hv_vendor_id;             /* vendor_id@value as written */
    kvl_tristate hv_stimer_direct;  /* <stimer><direct state> */

    /* <clock> (domain_clock.c) */
    kvl_ref clock_node;
    char *clock_offset;             /* as written; NULL absent (libvirt: utc) */
    kvl_timer *timers;
    size_t ntimers, cap_timers;

    /* <devices> */
    kvl_ref devices_node;           /* the first <devices> */
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
    kvl_memballoon memballoon;      /* domain_memdevs.c */
    kvl_filesystem *filesystems;
    size_t nfilesystems, cap_filesystems;
    kvl_rng *rngs;                  /* domain_paravirt.c */
    size_t nrngs, cap_rngs;
    kvl_channel *channels;
    size_t nchannels, cap_channels;

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

    /* Suppressions written in the file, in document order (kvl_suppress). */
    kvl_suppress *suppress;
    size_t nsuppress, cap_suppress;

    /*
     * Intent stated by the kvmlint config file rather than the XML (RULES.md
     * "marked critical by config", "marked Windows by config"; hot disks:
     * kvl_disk.hot_by_config).  The walk never sets these: the engine does,
     * from config/settings.h, before any rule runs, so the meta_* fields
     * keep meaning "the XML says so" and the derived facts below consult both.
     */
    struct {
        bool critical;
        bool windows;
    } by_config;
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
 * fifo/rr vcpusched, or <kvmlint:critical/> or marked critical by config
 * (by_config.critical), or <hugepages> together with <locked/>.
 */
bool kvl_domain_is_latency_critical(const kvl_domain *dom);

/*
 * Windows guest (RULES.md): libosinfo id under http://microsoft.com/win/,
 * or <features><hyperv>, or <kvmlint:windows/>, or marked Windows by config
 * (by_config.windows).
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
 * Hot disk per RULES.md: a writable device='disk' that is annotated hot (in
 * metadata, or by config: hot_by_config), or has driver@iothread, or <iotune> limits, or io native/io_uring, or belongs
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

/* The first <timer> named `name` (libvirt keeps duplicates; kvmlint reads
 * the first), or NULL. */
const kvl_timer *kvl_domain_timer(const kvl_domain *dom, const char *name);

/* <hyperv> lists enlightenment `feat` with state='on' (in either mode). */
bool kvl_domain_hv_on(const kvl_domain *dom, kvl_hv_feature feat);

/* <hyperv mode='passthrough'>: QEMU enables what the host supports. */
bool kvl_domain_hv_passthrough(const kvl_domain *dom);

/* ---- Identity of elements (domain_identity.c) ---- */

/*
 * Which model object owns the element `ref` (the object's own element or
 * anything inside it: a disk's <target>, <driver>, <source><host>, ...),
 * named by what identifies it in the domain rather than by its position in
 * the file, so that edits elsewhere keep it (fingerprints, suppression
 * targets).  The innermost object wins.  A new string, one of:
 *   disk:vda            (target dev; without one disk#N)
 *   interface:52:54:00:12:34:56   (MAC, lowercase; without one interface#N)
 *   controller:scsi:0   (type and index)
 *   hostdev:0000:03:00.0  (PCI source address; otherwise hostdev#N)
 *   memdev#N  rng#N     (these have no name)
 *   filesystem:TAG  channel:org.qemu.guest_agent.0  timer:hpet  (else KIND#N)
 *   memballoon  clock  devices  features/hyperv/vpindex  suppress#N
 *   vcpupin:3  iothreadpin:1  vcpusched:0-1 (or vcpusched#N)
 *   cell:1  memnode:1  page:2048 (size in KiB; invalid size page#N)
 *   vcpu  memory  currentMemory  maxMemory  cpu  cpu/topology  cpu/numa
 *   cputune  emulatorpin  iothreads  iothreadids  numatune  numatune/memory
 *   memoryBacking  memoryBacking/hugepages  memtune  memtune/hard_limit ...
 *   features  features/hyperv  os  name  kvmlint:hints
 *   domain              (the root, ref 0, or an element no object owns)
 * N counts from 1 among objects of that kind in document order.  `dom` NULL
 * (no model: malformed XML, another root) gives "document".
 */
char *kvl_domain_ref_identity(const kvl_domain *dom, kvl_ref ref);

#endif
