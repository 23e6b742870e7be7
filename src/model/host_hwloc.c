/*
 * hwloc topology XML (`lstopo --of xml`, formats v1 and v2) into the host
 * model (host.h), read by the hwloc library itself rather than by hand:
 * hwloc knows both formats, converts v1 distances, and places PCI devices
 * under the object their locality names, which is the one fact about PCI
 * that a capabilities file lacks.
 *
 * The caller has already parsed the bytes with kvl_doc_parse (so malformed
 * input is reported with its line, and nothing external is ever loaded);
 * the same bytes then go to hwloc_topology_set_xmlbuffer.  A format newer
 * than the linked hwloc reads (hwloc 3's v3.0) is refused up front with a
 * message saying what to do, since hwloc's own answer is a bare EINVAL.
 *
 * Mapping: NUMANode os_index -> node id, local_memory -> memory, page_type
 * -> pages; PU os_index -> CPU id, its Package and Core os_index -> socket
 * and core (Linux's physical_package_id and core_id, which is what
 * `virsh capabilities` reports too), the PUs of its Core -> SMT siblings;
 * the NUMANode latency matrix -> distances; each PCIDev -> a PCI device
 * with the node of its first non-I/O ancestor.
 */
#include "model/host.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "xml/doc.h"
#include "util/banned.h"

/* ---- before hwloc sees the file ---- */

static char *at_root(kvl_doc *doc, const char *what)
{
    kvl_pos pos = kvl_doc_pos(doc, xmlDocGetRootElement(doc->xml), NULL);

    return kvl_xasprintf("%s:%u:%u: %s", doc->path, pos.line, pos.col, what);
}

/* NULL when hwloc may be given the file, else the message. */
static char *precheck(kvl_doc *doc)
{
    xmlNode *root = xmlDocGetRootElement(doc->xml);
    const char *version = kvl_xml_attr(root, "version");
    const char *top_type = kvl_xml_attr(kvl_xml_child(root, "object"), "type");
    unsigned ours = hwloc_get_api_version() >> 16;

    if (doc->len >= INT_MAX)
        return kvl_xasprintf("%s: file too large for hwloc", doc->path);
    /*
     * kvl_doc_parse kept entity references unexpanded, but hwloc parses the
     * bytes again with its own options; refuse declarations outright.
     */
    if (doc->xml->intSubset && doc->xml->intSubset->entities)
        return at_root(doc, "entity declarations are not allowed in a host snapshot");
    /*
     * hwloc 1.x could describe several machines under a System root; hwloc 2
     * dropped that and answers with a bare EINVAL.
     */
    if (!version && top_type && strcmp(top_type, "System") == 0)
        return at_root(doc, "this is an hwloc 1.x multi-machine topology (a System object "
                            "above several Machines), which hwloc 2 cannot read; export "
                            "each machine on its own");
    if (version) {
        char *end;
        unsigned long major = strtoul(version, &end, 10);
        if (end != version && major > ours) {
            char *what = kvl_xasprintf(
                "hwloc topology format %.20s is newer than the hwloc %u.x kvmlint uses "
                "can read; export it in format 2.0 (hwloc 3: lstopo --of xml "
                "--export-xml-flags v2), or capture it with hwloc 2.x", version, ours);
            char *msg = at_root(doc, what);
            free(what);
            return msg;
        }
    }
    return NULL;
}

/* ---- from the hwloc topology to the model ---- */

/* A node's "usual RAM" kind wins a PU claimed by several nodes (below). */
static bool is_plain_memory(hwloc_obj_t node)
{
    return !node->subtype || strcmp(node->subtype, "DRAM") == 0;
}

static unsigned obj_id(hwloc_obj_t obj)
{
    return obj->os_index != HWLOC_UNKNOWN_INDEX ? obj->os_index : obj->logical_index;
}

static const char *vendor_name(const char *cpuid_vendor)
{
    /* libvirt's names, so a hwloc and a capabilities snapshot compare equal */
    if (strcmp(cpuid_vendor, "GenuineIntel") == 0)
        return "Intel";
    if (strcmp(cpuid_vendor, "AuthenticAMD") == 0)
        return "AMD";
    if (strcmp(cpuid_vendor, "HygonGenuine") == 0)
        return "Hygon";
    return cpuid_vendor;
}

static void load_identity(kvl_host *host, hwloc_topology_t topo)
{
    hwloc_obj_t root = hwloc_get_root_obj(topo);
    hwloc_obj_t pkg = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PACKAGE, NULL);
    const char *arch = hwloc_obj_get_info_by_name(root, "Architecture");
    const char *vendor = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUVendor") : NULL;

    if (arch && *arch)
        host->arch = kvl_xstrdup(arch);
    if (vendor && *vendor)
        host->vendor = kvl_xstrdup(vendor_name(vendor));
}

/* Nodes in hwloc's order; objs[i] is the hwloc object of host->nodes[i]. */
static int load_nodes(kvl_host *host, hwloc_topology_t topo, hwloc_obj_t **objs_out,
                      kvl_doc *doc, char **err)
{
    int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    hwloc_obj_t *objs = kvl_xcalloc(n > 0 ? (size_t)n : 1, sizeof(*objs));
    hwloc_obj_t obj = NULL;

    while ((obj = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, obj))) {
        unsigned id = obj_id(obj);
        kvl_host_node *node;

        for (size_t i = 0; i < host->nnodes; i++)
            if (host->nodes[i].id == id) {
                char *what = kvl_xasprintf("two NUMA nodes have os_index %u", id);
                *err = at_root(doc, what);
                free(what);
                free(objs);
                return -1;
            }
        objs[host->nnodes] = obj;
        node = kvl_host_add_node(host, id);
        /* hwloc says 0 when it does not know (v1 files, synthetic input) */
        node->has_memory = obj->attr->numanode.local_memory > 0;
        node->memory_kib = obj->attr->numanode.local_memory / 1024;
        for (unsigned k = 0; k < obj->attr->numanode.page_types_len; k++) {
            uint64_t size = obj->attr->numanode.page_types[k].size;
            if (size < 1024)
                continue;
            node->pages = kvl_xrealloc(node->pages, (node->npages + 1) * sizeof(*node->pages));
            node->pages[node->npages].size_kib = size / 1024;
            node->pages[node->npages].count = obj->attr->numanode.page_types[k].count;
            node->npages++;
        }
        node->has_pages = node->npages > 0;
    }
    *objs_out = objs;
    return 0;
}

/*
 * The node a PU belongs to, Linux's way: one node per CPU.  hwloc attaches
 * a CPU-less memory node (KNL MCDRAM, CXL, NVDIMM) beside the DRAM node of
 * the same CPUs, so both cpusets hold the PU; the plain-memory node wins,
 * then the lowest os_index, which leaves the other one CPU-less as the
 * kernel and `virsh capabilities` show it.
 */
static int node_for_pu(const kvl_host *host, hwloc_obj_t *objs, unsigned pu)
{
    int best = -1;

    for (size_t i = 0; i < host->nnodes; i++) {
        if (!objs[i]->cpuset || !hwloc_bitmap_isset(objs[i]->cpuset, pu))
            continue;
        if (best < 0 ||
            (is_plain_memory(objs[i]) && !is_plain_memory(objs[best])) ||
            (is_plain_memory(objs[i]) == is_plain_memory(objs[best]) &&
             host->nodes[i].id < host->nodes[best].id))
            best = (int)i;
    }
    return best;
}

static void load_cpus(kvl_host *host, hwloc_topology_t topo, hwloc_obj_t *objs)
{
    hwloc_obj_t pu = NULL;
    hwloc_bitmap_t pus = hwloc_bitmap_alloc();

    while ((pu = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PU, pu))) {
        unsigned id = obj_id(pu);
        hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, pu);
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
        int ni;
        kvl_host_cpu *cpu;

        if (hwloc_bitmap_isset(pus, id))
            continue;           /* hwloc does not allow it; stay safe anyway */
        hwloc_bitmap_set(pus, id);
        cpu = kvl_host_add_cpu(host, id);
        if (pkg && pkg->os_index != HWLOC_UNKNOWN_INDEX && pkg->os_index <= INT_MAX)
            cpu->socket = (int)pkg->os_index;
        if (core && core->os_index != HWLOC_UNKNOWN_INDEX && core->os_index <= INT_MAX)
            cpu->core = (int)core->os_index;
        if (core && core->cpuset)
            cpu->siblings = hwloc_bitmap_dup(core->cpuset);
        ni = node_for_pu(host, objs, id);
        if (ni >= 0) {
            cpu->node = (int)host->nodes[ni].id;
            hwloc_bitmap_set(host->nodes[ni].cpus, id);
        }
    }
    /* a Core's cpuset may name offline CPUs that have no PU */
    for (size_t i = 0; i < host->ncpus; i++)
        if (host->cpus[i].siblings)
            hwloc_bitmap_and(host->cpus[i].siblings, host->cpus[i].siblings, pus);
    hwloc_bitmap_free(pus);
}

/*
 * The NUMANode latency matrix covering every node, in host->nodes order
 * (sorted by id; hwloc's order is its own).  hwloc may hold several (from
 * the OS, from the user, v1 leftovers): prefer the one Linux gave
 * ("NUMALatency"), and ignore any that leaves a node out.
 */
static void load_distances(kvl_host *host, hwloc_topology_t topo)
{
    unsigned nr = 0;
    struct hwloc_distances_s **all;
    struct hwloc_distances_s *pick = NULL;
    size_t n = host->nnodes;

    if (n == 0 || hwloc_distances_get_by_type(topo, HWLOC_OBJ_NUMANODE, &nr, NULL,
                                               HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0) < 0 ||
        nr == 0)
        return;
    all = kvl_xcalloc(nr, sizeof(*all));
    if (hwloc_distances_get_by_type(topo, HWLOC_OBJ_NUMANODE, &nr, all,
                                    HWLOC_DISTANCES_KIND_MEANS_LATENCY, 0) < 0)
        nr = 0;
    for (unsigned k = 0; k < nr; k++) {
        const char *name = hwloc_distances_get_name(topo, all[k]);
        if (all[k]->nbobjs != n)
            continue;
        if (!pick || (name && strcmp(name, "NUMALatency") == 0))
            pick = all[k];
    }
    if (pick) {
        unsigned *m = kvl_xcalloc(n * n, sizeof(*m));
        int *pos = kvl_xcalloc(n, sizeof(*pos));
        bool ok = true;

        for (size_t i = 0; i < n && ok; i++) {
            pos[i] = kvl_host_node_index(host, obj_id(pick->objs[i]));
            ok = pos[i] >= 0;
        }
        for (size_t i = 0; i < n && ok; i++)
            for (size_t j = 0; j < n; j++) {
                hwloc_uint64_t v = pick->values[i * n + j];
                m[(size_t)pos[i] * n + (size_t)pos[j]] = v > UINT_MAX ? UINT_MAX : (unsigned)v;
            }
        if (ok)
            host->distances = m;
        else
            free(m);
        free(pos);
    }
    for (unsigned k = 0; k < nr; k++)
        hwloc_distances_release(topo, all[k]);
    free(all);
}

/*
 * The node a PCI device is local to: the nodeset of its first non-I/O
 * ancestor when that is exactly one node.  When it is more because a
 * special memory node sits beside the DRAM one (KNL MCDRAM, CXL under one
 * Package), the single plain-memory node among them is the answer, as Linux
 * reports it.  Two plain nodes (a Package with two nodes and no Groups
 * between) leave it unknown: guessing would send a VM to the wrong half.
 */
static int pci_node(const kvl_host *host, hwloc_topology_t topo, hwloc_obj_t dev)
{
    hwloc_obj_t anc = hwloc_get_non_io_ancestor_obj(topo, dev);
    int node = -1, i, plain = 0;

    if (!anc || !anc->nodeset)
        return -1;
    hwloc_bitmap_foreach_begin(i, anc->nodeset) {
        hwloc_obj_t obj = hwloc_get_numanode_obj_by_os_index(topo, (unsigned)i);
        if (!obj || !kvl_host_node_by_id(host, (unsigned)i))
            continue;
        if (hwloc_bitmap_weight(anc->nodeset) == 1 || is_plain_memory(obj)) {
            node = i;
            plain++;
        }
    } hwloc_bitmap_foreach_end();
    return plain == 1 ? node : -1;
}

static int cmp_pci(const void *a, const void *b)
{
    const kvl_host_pci *x = a, *y = b;

    if (x->domain != y->domain)
        return x->domain < y->domain ? -1 : 1;
    if (x->bus != y->bus)
        return x->bus < y->bus ? -1 : 1;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return x->function < y->function ? -1 : x->function > y->function;
}

static void load_pci(kvl_host *host, hwloc_topology_t topo)
{
    hwloc_obj_t dev = NULL;
    int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PCI_DEVICE);

    host->has_pci = true;
    if (n <= 0)
        return;
    host->pci = kvl_xcalloc((size_t)n, sizeof(*host->pci));
    while ((dev = hwloc_get_next_pcidev(topo, dev)) && host->npci < (size_t)n) {
        kvl_host_pci *p = &host->pci[host->npci++];
        p->domain = dev->attr->pcidev.domain;
        p->bus = dev->attr->pcidev.bus;
        p->slot = dev->attr->pcidev.dev;
        p->function = dev->attr->pcidev.func;
        p->vendor_id = dev->attr->pcidev.vendor_id;
        p->device_id = dev->attr->pcidev.device_id;
        p->class_id = dev->attr->pcidev.class_id;
        p->node = pci_node(host, topo, dev);
    }
    /* by address, so two exports of one machine compare equal */
    qsort(host->pci, host->npci, sizeof(*host->pci), cmp_pci);
}

kvl_host *kvl_host_from_hwloc(kvl_doc *doc, char **err)
{
    hwloc_topology_t topo;
    hwloc_obj_t *objs = NULL;
    kvl_host *host;
    char *msg;

    if ((msg = precheck(doc))) {
        *err = msg;
        return NULL;
    }
    if (hwloc_topology_init(&topo) < 0) {
        *err = kvl_xasprintf("%s: cannot initialise hwloc: %s", doc->path, strerror(errno));
        return NULL;
    }
    /*
     * Disallowed PUs and nodes are still the host's: the snapshot may have
     * been taken inside a cgroup, and libvirt places VMs outside it.
     */
    hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
    hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_ALL);
    /* hwloc's own parsers want the terminating NUL counted */
    errno = 0;
    if (hwloc_topology_set_xmlbuffer(topo, doc->text, (int)doc->len + 1) < 0 ||
        hwloc_topology_load(topo) < 0) {
        int e = errno ? errno : EINVAL;
        char *what = kvl_xasprintf("hwloc refused this topology (%s); "
                                   "`HWLOC_XML_VERBOSE=1 lstopo --input %s` shows why",
                                   strerror(e), doc->path);
        *err = at_root(doc, what);
        free(what);
        hwloc_topology_destroy(topo);
        return NULL;
    }

    host = kvl_host_new(doc->path);
    load_identity(host, topo);
    if (load_nodes(host, topo, &objs, doc, err) < 0) {
        kvl_host_free(host);
        hwloc_topology_destroy(topo);
        return NULL;
    }
    load_cpus(host, topo, objs);
    free(objs);
    kvl_host_finish(host);
    load_distances(host, topo);
    load_pci(host, topo);
    hwloc_topology_destroy(topo);
    return host;
}
