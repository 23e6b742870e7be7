/*
 * The host model: one structure whatever the snapshot was (DESIGN.md
 * principle 3).  Loaded from `virsh capabilities` XML (host_caps.c) or an
 * hwloc topology XML, v1 or v2, through the hwloc library (host_hwloc.c);
 * two snapshots of the same machine merge (host.c).
 *
 * Everything is optional except what its flag says is there: a capabilities
 * file without <topology> has no nodes, a cell without <pages> has
 * has_pages == false, a CPU without siblings has siblings == NULL.  Rules
 * check the flag they need and stay silent without it.
 *
 * Ownership: a kvl_host owns everything it points to; kvl_host_free(NULL) is
 * fine.
 */
#ifndef KVL_MODEL_HOST_H
#define KVL_MODEL_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hwloc.h>

typedef struct kvl_host_pages {
    uint64_t size_kib;          /* page size: 4, 2048, 1048576, ... */
    uint64_t count;             /* pool size (configured, not free) */
} kvl_host_pages;

typedef struct kvl_host_node {
    unsigned id;                /* OS node number (capabilities cell id, hwloc os_index) */
    hwloc_bitmap_t cpus;        /* never NULL; empty for a CPU-less memory node.
                                   Disjoint across nodes: where hwloc gives a CPU to
                                   several nodes (KNL MCDRAM, CXL beside DRAM), the
                                   plain-DRAM node, then the lowest id, gets it,
                                   as Linux and `virsh capabilities` do */
    bool has_memory;
    uint64_t memory_kib;
    bool has_pages;             /* a <pages>/page_type list was present */
    kvl_host_pages *pages;      /* sorted by size */
    size_t npages;
} kvl_host_node;

typedef struct kvl_host_cpu {
    unsigned id;                /* OS CPU number (PU os_index) */
    int node;                   /* node id, -1 if no node lists it */
    int socket;                 /* physical_package_id (hwloc Package os_index), -1 unknown */
    int core;                   /* Linux core_id (hwloc Core os_index): unique only
                                   within its socket, often sparse; -1 unknown */
    hwloc_bitmap_t siblings;    /* SMT siblings incl. itself, NULL unknown */
} kvl_host_cpu;

typedef struct kvl_host_pci {
    unsigned domain, bus, slot, function;
    unsigned vendor_id, device_id, class_id;   /* 0 unknown */
    int node;                   /* -1: locality unknown (hwloc puts the device above
                                   several nodes, or the file has no locality) */
} kvl_host_pci;

typedef struct kvl_host {
    char *source;               /* file(s) it came from, for messages */
    char *arch;                 /* "x86_64", or NULL */
    char *vendor;               /* "Intel", "AMD", or NULL */

    kvl_host_node *nodes;       /* sorted by id */
    size_t nnodes;
    kvl_host_cpu *cpus;         /* sorted by id */
    size_t ncpus;
    hwloc_bitmap_t all_cpus;    /* never NULL */

    /* nnodes x nnodes, row-major in `nodes` order; NULL when not given */
    unsigned *distances;

    bool has_pci;               /* the source describes PCI devices (hwloc) */
    kvl_host_pci *pci;          /* sorted by domain:bus:slot.function */
    size_t npci;
} kvl_host;

/*
 * Load a snapshot, detecting its kind from the root element
 * (<capabilities> or <topology>).  Returns NULL with *err set (caller frees)
 * to a message naming the file and, where known, the line:
 *   "vm.xml:2:1: not a host snapshot: root element is <domain>, expected
 *    <capabilities> or <topology>"
 * A malformed file gives "host.xml:4:7: not well-formed: <libxml2's message>".
 * `path` is shown as given; "-" reads stdin, shown as "<stdin>".
 */
kvl_host *kvl_host_load(const char *path, char **err);

/* The same from bytes already in memory (stdin, tests); `path` is for messages. */
kvl_host *kvl_host_parse(const char *path, const char *text, size_t len, char **err);

/* The two loaders, for tests; `path` is used in messages. */
kvl_host *kvl_host_load_caps(const char *path, const char *text, size_t len, char **err);
kvl_host *kvl_host_load_hwloc(const char *path, const char *text, size_t len, char **err);

/*
 * Merge `from` into `into` (two snapshots of one host, say capabilities for
 * the hugepage pools and hwloc for PCI locality).  Parts only one side has
 * are taken from it (arch, vendor, memory, pages, distances, socket, core,
 * siblings, PCI; all nodes and CPUs when `into` has none); the nodes both
 * have must agree (same ids with the same CPUs), otherwise -1 with *err
 * "X and Y describe different machines: node 0 has CPUs 0-7 in X but 0-3
 * in Y" and `into` unchanged.  Where both give a value, `into`'s stays (two
 * captures may differ in, say, a hugepage pool resized in between).
 * into->source becomes "X + Y".  Returns 0 on success.
 */
int kvl_host_merge(kvl_host *into, const kvl_host *from, char **err);

/*
 * Compare two models (nodes, CPUs, memory, pages, distances, CPU topology;
 * PCI only if both have it).  Returns true if equal; otherwise false with
 * *why (caller frees) saying the first difference.
 */
bool kvl_host_equal(const kvl_host *a, const kvl_host *b, char **why);

void kvl_host_free(kvl_host *host);

/* Lookups. */
const kvl_host_node *kvl_host_node_by_id(const kvl_host *host, unsigned id);
const kvl_host_cpu *kvl_host_cpu_by_id(const kvl_host *host, unsigned id);
/* Host node id holding CPU `cpu`, or -1. */
int kvl_host_node_of_cpu(const kvl_host *host, unsigned cpu);
/* Set `nodes` to the node ids of every host CPU in `cpus` (unknown CPUs ignored). */
void kvl_host_nodes_of_cpus(const kvl_host *host, hwloc_const_bitmap_t cpus,
                            hwloc_bitmap_t nodes);
/* Pool of `size_kib` pages on a node, or NULL if the node lists none. */
const kvl_host_pages *kvl_host_node_pages(const kvl_host_node *node, uint64_t size_kib);
/*
 * Memory a node can give to memory that is not hugepage-backed: its memory
 * minus its hugepage pools, RULES.md "Capacity" (0 if the pools exceed it).
 * Pools are every listed size but the base page size, the smallest one when
 * it is at most 64 KiB (4 KiB on x86, 64 KiB on some ppc64/aarch64 kernels).
 * Only meaningful when node->has_memory.
 */
uint64_t kvl_host_node_capacity_kib(const kvl_host_node *node);
/* Sum of node memory; false if any node lacks it or there are no nodes. */
bool kvl_host_total_memory(const kvl_host *host, uint64_t *kib);
/* Logical CPUs of the largest node. */
unsigned kvl_host_max_node_cpus(const kvl_host *host);
/* Position of node `id` in host->nodes (the row of `distances`), or -1. */
int kvl_host_node_index(const kvl_host *host, unsigned id);
/* Distance between nodes `from` and `to`; false if unknown. */
bool kvl_host_distance(const kvl_host *host, unsigned from, unsigned to, unsigned *value);
/* The PCI device at domain:bus:slot.function, or NULL (also when !has_pci). */
const kvl_host_pci *kvl_host_pci_find(const kvl_host *host, unsigned domain, unsigned bus,
                                      unsigned slot, unsigned function);

/*
 * ---- For the loaders (host.c, host_caps.c, host_hwloc.c), not for rules ----
 *
 * A loader builds a host with kvl_host_new(), appends nodes and CPUs (ids in
 * any order, each id once: the loader checks, since only it knows the line),
 * fills node->cpus and cpu->node itself, then calls kvl_host_finish(), which
 * sorts both arrays and computes all_cpus.  Distances are set after finish,
 * in sorted node order (kvl_host_node_index).
 */
struct kvl_doc;
kvl_host *kvl_host_new(const char *source);
kvl_host_node *kvl_host_add_node(kvl_host *host, unsigned id);   /* cpus allocated, empty */
kvl_host_cpu *kvl_host_add_cpu(kvl_host *host, unsigned id);     /* node/socket/core -1 */
void kvl_host_finish(kvl_host *host);
/* Sort a node's pages by size (loaders append them in file order). */
void kvl_host_sort_pages(kvl_host_node *node);
/* From a parsed document whose root the caller checked. */
kvl_host *kvl_host_from_caps(struct kvl_doc *doc, char **err);
kvl_host *kvl_host_from_hwloc(struct kvl_doc *doc, char **err);
/*
 * NULL if `doc` parsed and its root is `want` (NULL: either kind of
 * snapshot); otherwise the message for the user, naming file:line:col.
 */
char *kvl_host_doc_error(struct kvl_doc *doc, const char *want);

#endif
