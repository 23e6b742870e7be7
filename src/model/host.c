/*
 * The host model's common half (host.h): building and freeing, lookups,
 * capacity, comparing and merging two snapshots, and the entry points that
 * parse a file once and hand the document to the loader its root element
 * names: host_caps.c for <capabilities>, host_hwloc.c for <topology>.
 *
 * Loaders append nodes and CPUs in file order and call kvl_host_finish(),
 * which sorts them, so every lookup here can binary-search by id.
 */
#include "model/host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/cpuset.h"
#include "util/buf.h"
#include "util/mem.h"
#include "xml/doc.h"
#include "util/banned.h"

/* ==== building ==== */

/*
 * Room for element n of an array that holds n elements.  The model has no
 * capacity fields, so the capacity is implied: 4, then powers of two.
 */
static void *grow(void *arr, size_t n, size_t elem)
{
    if (n == 0)
        return kvl_xrealloc(arr, 4 * elem);
    if (n >= 4 && (n & (n - 1)) == 0)
        return kvl_xrealloc(arr, 2 * n * elem);
    return arr;
}

kvl_host *kvl_host_new(const char *source)
{
    kvl_host *host = kvl_xcalloc(1, sizeof(*host));

    host->source = kvl_xstrdup(source ? source : "<host>");
    host->all_cpus = hwloc_bitmap_alloc();
    return host;
}

kvl_host_node *kvl_host_add_node(kvl_host *host, unsigned id)
{
    kvl_host_node *node;

    host->nodes = grow(host->nodes, host->nnodes, sizeof(*host->nodes));
    node = &host->nodes[host->nnodes++];
    memset(node, 0, sizeof(*node));
    node->id = id;
    node->cpus = hwloc_bitmap_alloc();
    return node;
}

kvl_host_cpu *kvl_host_add_cpu(kvl_host *host, unsigned id)
{
    kvl_host_cpu *cpu;

    host->cpus = grow(host->cpus, host->ncpus, sizeof(*host->cpus));
    cpu = &host->cpus[host->ncpus++];
    memset(cpu, 0, sizeof(*cpu));
    cpu->id = id;
    cpu->node = -1;
    cpu->socket = -1;
    cpu->core = -1;
    return cpu;
}

static int cmp_node(const void *a, const void *b)
{
    unsigned x = ((const kvl_host_node *)a)->id, y = ((const kvl_host_node *)b)->id;
    return x < y ? -1 : x > y;
}

static int cmp_cpu(const void *a, const void *b)
{
    unsigned x = ((const kvl_host_cpu *)a)->id, y = ((const kvl_host_cpu *)b)->id;
    return x < y ? -1 : x > y;
}

static int cmp_pages(const void *a, const void *b)
{
    uint64_t x = ((const kvl_host_pages *)a)->size_kib, y = ((const kvl_host_pages *)b)->size_kib;
    return x < y ? -1 : x > y;
}

void kvl_host_sort_pages(kvl_host_node *node)
{
    if (node->npages > 1)
        qsort(node->pages, node->npages, sizeof(*node->pages), cmp_pages);
}

void kvl_host_finish(kvl_host *host)
{
    if (host->nnodes > 1)
        qsort(host->nodes, host->nnodes, sizeof(*host->nodes), cmp_node);
    if (host->ncpus > 1)
        qsort(host->cpus, host->ncpus, sizeof(*host->cpus), cmp_cpu);
    for (size_t i = 0; i < host->nnodes; i++)
        kvl_host_sort_pages(&host->nodes[i]);
    hwloc_bitmap_zero(host->all_cpus);
    for (size_t i = 0; i < host->ncpus; i++)
        hwloc_bitmap_set(host->all_cpus, host->cpus[i].id);
}

static void node_clear(kvl_host_node *node)
{
    hwloc_bitmap_free(node->cpus);
    free(node->pages);
}

void kvl_host_free(kvl_host *host)
{
    if (!host)
        return;
    for (size_t i = 0; i < host->nnodes; i++)
        node_clear(&host->nodes[i]);
    for (size_t i = 0; i < host->ncpus; i++)
        hwloc_bitmap_free(host->cpus[i].siblings);
    free(host->nodes);
    free(host->cpus);
    hwloc_bitmap_free(host->all_cpus);
    free(host->distances);
    free(host->pci);
    free(host->source);
    free(host->arch);
    free(host->vendor);
    free(host);
}

/* ==== lookups ==== */

int kvl_host_node_index(const kvl_host *host, unsigned id)
{
    size_t lo = 0, hi = host ? host->nnodes : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (host->nodes[mid].id == id)
            return (int)mid;
        if (host->nodes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const kvl_host_node *kvl_host_node_by_id(const kvl_host *host, unsigned id)
{
    int i = kvl_host_node_index(host, id);

    return i < 0 ? NULL : &host->nodes[i];
}

static kvl_host_cpu *find_cpu(kvl_host_cpu *cpus, size_t n, unsigned id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cpus[mid].id == id)
            return &cpus[mid];
        if (cpus[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const kvl_host_cpu *kvl_host_cpu_by_id(const kvl_host *host, unsigned id)
{
    return host ? find_cpu(host->cpus, host->ncpus, id) : NULL;
}

int kvl_host_node_of_cpu(const kvl_host *host, unsigned cpu)
{
    const kvl_host_cpu *c = kvl_host_cpu_by_id(host, cpu);

    return c ? c->node : -1;
}

void kvl_host_nodes_of_cpus(const kvl_host *host, hwloc_const_bitmap_t cpus,
                            hwloc_bitmap_t nodes)
{
    hwloc_bitmap_zero(nodes);
    if (!host || !cpus)
        return;
    /* walk the host's CPUs, not the set: it may be infinite ("all CPUs") */
    for (size_t i = 0; i < host->ncpus; i++)
        if (host->cpus[i].node >= 0 && hwloc_bitmap_isset(cpus, host->cpus[i].id))
            hwloc_bitmap_set(nodes, (unsigned)host->cpus[i].node);
}

const kvl_host_pages *kvl_host_node_pages(const kvl_host_node *node, uint64_t size_kib)
{
    for (size_t i = 0; node && i < node->npages; i++)
        if (node->pages[i].size_kib == size_kib)
            return &node->pages[i];
    return NULL;
}

bool kvl_host_distance(const kvl_host *host, unsigned from, unsigned to, unsigned *value)
{
    int i = kvl_host_node_index(host, from), j = kvl_host_node_index(host, to);

    if (i < 0 || j < 0 || !host->distances)
        return false;
    *value = host->distances[(size_t)i * host->nnodes + (size_t)j];
    return true;
}

const kvl_host_pci *kvl_host_pci_find(const kvl_host *host, unsigned domain, unsigned bus,
                                      unsigned slot, unsigned function)
{
    for (size_t i = 0; host && host->has_pci && i < host->npci; i++) {
        const kvl_host_pci *p = &host->pci[i];
        if (p->domain == domain && p->bus == bus && p->slot == slot && p->function == function)
            return p;
    }
    return NULL;
}

/* ==== capacity (RULES.md "Capacity") ==== */

/*
 * Hugepage pools are every page size but the base one.  The base is the
 * smallest size listed, not a fixed 4 KiB, because ppc64 and some aarch64
 * kernels use 64 KiB base pages; both libvirt and hwloc always list it.
 */
uint64_t kvl_host_node_capacity_kib(const kvl_host_node *node)
{
    uint64_t huge = 0;

    for (size_t i = 0; i < node->npages; i++) {
        const kvl_host_pages *p = &node->pages[i];
        uint64_t kib;

        if (i == 0 && p->size_kib <= 64)
            continue;           /* pages sorted: [0] is the base size */
        if (p->count && p->size_kib > UINT64_MAX / p->count)
            return 0;
        kib = p->size_kib * p->count;
        huge = huge > UINT64_MAX - kib ? UINT64_MAX : huge + kib;
    }
    return node->memory_kib > huge ? node->memory_kib - huge : 0;
}

bool kvl_host_total_memory(const kvl_host *host, uint64_t *kib)
{
    uint64_t sum = 0;

    if (!host || host->nnodes == 0)
        return false;
    for (size_t i = 0; i < host->nnodes; i++) {
        if (!host->nodes[i].has_memory)
            return false;
        sum += host->nodes[i].memory_kib;
    }
    *kib = sum;
    return true;
}

unsigned kvl_host_max_node_cpus(const kvl_host *host)
{
    unsigned max = 0;

    for (size_t i = 0; host && i < host->nnodes; i++) {
        int w = hwloc_bitmap_weight(host->nodes[i].cpus);
        if (w > 0 && (unsigned)w > max)
            max = (unsigned)w;
    }
    return max;
}

/* ==== loading ==== */

char *kvl_host_doc_error(kvl_doc *doc, const char *want)
{
    xmlNode *root;
    const char *name;
    kvl_pos pos;

    if (!doc->xml) {
        if (doc->error_line)
            return kvl_xasprintf("%s:%u:%u: not well-formed: %s", doc->path, doc->error_line,
                                 doc->error_col ? doc->error_col : 1, doc->error);
        return kvl_xasprintf("%s: not well-formed: %s", doc->path, doc->error);
    }
    root = xmlDocGetRootElement(doc->xml);
    name = kvl_xml_name(root);
    if (want ? strcmp(name, want) == 0
             : strcmp(name, "capabilities") == 0 || strcmp(name, "topology") == 0)
        return NULL;
    pos = kvl_doc_pos(doc, root, NULL);
    if (!want)
        return kvl_xasprintf("%s:%u:%u: not a host snapshot: root element is <%s>, "
                             "expected <capabilities> or <topology>",
                             doc->path, pos.line, pos.col, name);
    return kvl_xasprintf("%s:%u:%u: not %s: root element is <%s>, expected <%s>",
                         doc->path, pos.line, pos.col,
                         strcmp(want, "topology") == 0 ? "an hwloc topology" : "a capabilities file",
                         name, want);
}

/* Takes `doc`: checks it, loads it, frees it. */
static kvl_host *from_doc(kvl_doc *doc, const char *want, char **err)
{
    kvl_host *host = NULL;
    char *e = kvl_host_doc_error(doc, want);

    if (e)
        *err = e;
    else if (strcmp(kvl_doc_root_name(doc), "capabilities") == 0)
        host = kvl_host_from_caps(doc, err);
    else
        host = kvl_host_from_hwloc(doc, err);
    kvl_doc_free(doc);
    return host;
}

kvl_host *kvl_host_load(const char *path, char **err)
{
    const char *display = strcmp(path, "-") == 0 ? "<stdin>" : path;
    char *why = NULL;
    kvl_doc *doc = kvl_doc_load(path, display, &why);

    if (!doc) {
        *err = kvl_xasprintf("%s: %s", display, why);
        free(why);
        return NULL;
    }
    return from_doc(doc, NULL, err);
}

kvl_host *kvl_host_parse(const char *path, const char *text, size_t len, char **err)
{
    return from_doc(kvl_doc_parse(path, text, len), NULL, err);
}

kvl_host *kvl_host_load_caps(const char *path, const char *text, size_t len, char **err)
{
    return from_doc(kvl_doc_parse(path, text, len), "capabilities", err);
}

kvl_host *kvl_host_load_hwloc(const char *path, const char *text, size_t len, char **err)
{
    return from_doc(kvl_doc_parse(path, text, len), "topology", err);
}

/* ==== comparing ==== */

/* "0-3,8", or "no CPUs"; caller frees. */
static char *set_str(hwloc_const_bitmap_t set)
{
    if (!set)
        return kvl_xstrdup("unknown");
    if (hwloc_bitmap_iszero(set))
        return kvl_xstrdup("no CPUs");
    return kvl_cpuset_format(set);
}

static bool differ(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool differ(char **why, const char *fmt, ...)
{
    if (why) {
        kvl_buf b = KVL_BUF_INIT;
        va_list ap;

        va_start(ap, fmt);
        kvl_buf_vaddf(&b, fmt, ap);
        va_end(ap);
        *why = kvl_buf_detach(&b);
    }
    return false;
}

static bool str_differ(const char *x, const char *y)
{
    return x && y && strcmp(x, y) != 0;
}

static bool set_differ(hwloc_const_bitmap_t x, hwloc_const_bitmap_t y)
{
    if (!x || !y)
        return x != y;
    return !hwloc_bitmap_isequal(x, y);
}

static bool sets_differ_msg(char **why, const char *what, hwloc_const_bitmap_t x,
                            hwloc_const_bitmap_t y, const char *a, const char *b)
{
    char *sx = set_str(x), *sy = set_str(y);

    differ(why, "%s has %s in %s but %s in %s", what, sx, a, sy, b);
    free(sx);
    free(sy);
    return false;
}

static bool nodes_equal(const kvl_host *a, const kvl_host *b, char **why)
{
    const char *an = a->source, *bn = b->source;

    if (a->nnodes != b->nnodes)
        return differ(why, "%s has %zu NUMA nodes but %s has %zu", an, a->nnodes, bn, b->nnodes);
    for (size_t i = 0; i < a->nnodes; i++) {
        const kvl_host_node *x = &a->nodes[i], *y = &b->nodes[i];
        char what[32];

        if (x->id != y->id)
            return differ(why, "node %u is in %s but not in %s",
                          x->id < y->id ? x->id : y->id,
                          x->id < y->id ? an : bn, x->id < y->id ? bn : an);
        snprintf(what, sizeof(what), "node %u", x->id);
        if (set_differ(x->cpus, y->cpus))
            return sets_differ_msg(why, what, x->cpus, y->cpus, an, bn);
        if (x->has_memory != y->has_memory)
            return differ(why, "node %u: %s gives its memory but %s does not", x->id,
                          x->has_memory ? an : bn, x->has_memory ? bn : an);
        if (x->has_memory && x->memory_kib != y->memory_kib)
            return differ(why, "node %u has %llu KiB of memory in %s but %llu KiB in %s", x->id,
                          (unsigned long long)x->memory_kib, an,
                          (unsigned long long)y->memory_kib, bn);
        if (x->has_pages != y->has_pages)
            return differ(why, "node %u: %s lists page pools but %s does not", x->id,
                          x->has_pages ? an : bn, x->has_pages ? bn : an);
        for (size_t k = 0; k < x->npages || k < y->npages; k++) {
            const kvl_host_pages *px = k < x->npages ? &x->pages[k] : NULL;
            const kvl_host_pages *py = k < y->npages ? &y->pages[k] : NULL;
            /* name the size that is missing on one side */
            if (!px || (py && py->size_kib < px->size_kib))
                return differ(why, "node %u has a pool of %llu KiB pages in %s but not in %s",
                              x->id, (unsigned long long)py->size_kib, bn, an);
            if (!py || px->size_kib < py->size_kib)
                return differ(why, "node %u has a pool of %llu KiB pages in %s but not in %s",
                              x->id, (unsigned long long)px->size_kib, an, bn);
            if (px->count != py->count)
                return differ(why, "node %u has %llu pages of %llu KiB in %s but %llu in %s",
                              x->id, (unsigned long long)px->count,
                              (unsigned long long)px->size_kib, an,
                              (unsigned long long)py->count, bn);
        }
    }
    if (!a->distances != !b->distances)
        return differ(why, "%s gives node distances but %s does not",
                      a->distances ? an : bn, a->distances ? bn : an);
    for (size_t i = 0; a->distances && i < a->nnodes * a->nnodes; i++)
        if (a->distances[i] != b->distances[i])
            return differ(why, "distance from node %u to node %u is %u in %s but %u in %s",
                          a->nodes[i / a->nnodes].id, a->nodes[i % a->nnodes].id,
                          a->distances[i], an, b->distances[i], bn);
    return true;
}

static bool cpus_equal(const kvl_host *a, const kvl_host *b, char **why)
{
    const char *an = a->source, *bn = b->source;

    if (!hwloc_bitmap_isequal(a->all_cpus, b->all_cpus))
        return sets_differ_msg(why, "the host", a->all_cpus, b->all_cpus, an, bn);
    for (size_t i = 0; i < a->ncpus; i++) {
        const kvl_host_cpu *x = &a->cpus[i], *y = &b->cpus[i];

        if (x->node != y->node)
            return differ(why, "CPU %u is on node %d in %s but on node %d in %s",
                          x->id, x->node, an, y->node, bn);
        if (x->socket != y->socket)
            return differ(why, "CPU %u is on socket %d in %s but on socket %d in %s",
                          x->id, x->socket, an, y->socket, bn);
        if (x->core != y->core)
            return differ(why, "CPU %u is core %d in %s but core %d in %s",
                          x->id, x->core, an, y->core, bn);
        if (set_differ(x->siblings, y->siblings)) {
            char what[48];
            snprintf(what, sizeof(what), "CPU %u's SMT sibling set", x->id);
            return sets_differ_msg(why, what, x->siblings, y->siblings, an, bn);
        }
    }
    return true;
}

static bool pci_equal(const kvl_host *a, const kvl_host *b, char **why)
{
    if (a->npci != b->npci)
        return differ(why, "%s has %zu PCI devices but %s has %zu",
                      a->source, a->npci, b->source, b->npci);
    for (size_t i = 0; i < a->npci; i++) {
        const kvl_host_pci *x = &a->pci[i], *y = &b->pci[i];
        if (memcmp(x, y, sizeof(*x)) != 0)
            return differ(why, "PCI device %04x:%02x:%02x.%x in %s differs from "
                          "%04x:%02x:%02x.%x in %s", x->domain, x->bus, x->slot, x->function,
                          a->source, y->domain, y->bus, y->slot, y->function, b->source);
    }
    return true;
}

bool kvl_host_equal(const kvl_host *a, const kvl_host *b, char **why)
{
    if (why)
        *why = NULL;
    /* arch and vendor only when both say: hwloc v1 files often do not */
    if (str_differ(a->arch, b->arch))
        return differ(why, "architecture is %s in %s but %s in %s",
                      a->arch, a->source, b->arch, b->source);
    if (str_differ(a->vendor, b->vendor))
        return differ(why, "CPU vendor is %s in %s but %s in %s",
                      a->vendor, a->source, b->vendor, b->source);
    if (!nodes_equal(a, b, why) || !cpus_equal(a, b, why))
        return false;
    if (a->has_pci && b->has_pci)
        return pci_equal(a, b, why);
    return true;
}

/* ==== merging ==== */

static void copy_pages(kvl_host_node *dst, const kvl_host_node *src)
{
    free(dst->pages);
    dst->pages = NULL;
    dst->npages = src->npages;
    dst->has_pages = src->has_pages;
    if (src->npages) {
        dst->pages = kvl_xmalloc(src->npages * sizeof(*src->pages));
        memcpy(dst->pages, src->pages, src->npages * sizeof(*src->pages));
    }
}

static void copy_cpu(kvl_host *into, const kvl_host_cpu *src)
{
    kvl_host_cpu *c = kvl_host_add_cpu(into, src->id);

    c->node = src->node;
    c->socket = src->socket;
    c->core = src->core;
    c->siblings = src->siblings ? hwloc_bitmap_dup(src->siblings) : NULL;
}

static unsigned *copy_distances(const kvl_host *from)
{
    size_t n = from->nnodes * from->nnodes;
    unsigned *d;

    if (!from->distances || n == 0)
        return NULL;
    d = kvl_xmalloc(n * sizeof(*d));
    memcpy(d, from->distances, n * sizeof(*d));
    return d;
}

/* Same node ids with the same CPUs, or the message saying where they part. */
static int same_machine(const kvl_host *into, const kvl_host *from, char **err)
{
    const char *a = into->source, *b = from->source;
    size_t i = 0, j = 0;

    while (i < into->nnodes || j < from->nnodes) {
        const kvl_host_node *x = i < into->nnodes ? &into->nodes[i] : NULL;
        const kvl_host_node *y = j < from->nnodes ? &from->nodes[j] : NULL;

        if (!y || (x && x->id < y->id)) {
            *err = kvl_xasprintf("%s and %s describe different machines: node %u is in %s "
                                 "but not in %s", a, b, x->id, a, b);
            return -1;
        }
        if (!x || y->id < x->id) {
            *err = kvl_xasprintf("%s and %s describe different machines: node %u is in %s "
                                 "but not in %s", a, b, y->id, b, a);
            return -1;
        }
        if (!hwloc_bitmap_isequal(x->cpus, y->cpus)) {
            char *sx = set_str(x->cpus), *sy = set_str(y->cpus);
            *err = kvl_xasprintf("%s and %s describe different machines: node %u has %s%s in "
                                 "%s but %s in %s", a, b, x->id,
                                 hwloc_bitmap_iszero(x->cpus) ? "" : "CPUs ", sx, a, sy, b);
            free(sx);
            free(sy);
            return -1;
        }
        i++;
        j++;
    }
    return 0;
}

int kvl_host_merge(kvl_host *into, const kvl_host *from, char **err)
{
    char *source;
    size_t n0;

    if (into->nnodes && from->nnodes && same_machine(into, from, err) < 0)
        return -1;

    if (!into->arch)
        into->arch = kvl_xstrdup(from->arch);
    if (!into->vendor)
        into->vendor = kvl_xstrdup(from->vendor);

    if (into->nnodes == 0 && from->nnodes) {
        for (size_t i = 0; i < from->nnodes; i++) {
            kvl_host_node *n = kvl_host_add_node(into, from->nodes[i].id);
            hwloc_bitmap_copy(n->cpus, from->nodes[i].cpus);
            n->has_memory = from->nodes[i].has_memory;
            n->memory_kib = from->nodes[i].memory_kib;
            copy_pages(n, &from->nodes[i]);
        }
        free(into->distances);
        into->distances = copy_distances(from);
    } else if (into->nnodes) {
        /* same ids in the same (sorted) order: index i is the same node */
        for (size_t i = 0; i < from->nnodes; i++) {
            kvl_host_node *n = &into->nodes[i];
            const kvl_host_node *f = &from->nodes[i];
            if (!n->has_memory && f->has_memory) {
                n->has_memory = true;
                n->memory_kib = f->memory_kib;
            }
            if (!n->has_pages && f->has_pages)
                copy_pages(n, f);
        }
        if (!into->distances && from->nnodes)
            into->distances = copy_distances(from);
    }

    /* CPUs appended below are unsorted until finish: search the sorted prefix */
    n0 = into->ncpus;
    for (size_t i = 0; i < from->ncpus; i++) {
        const kvl_host_cpu *f = &from->cpus[i];
        kvl_host_cpu *c = find_cpu(into->cpus, n0, f->id);

        if (!c) {
            copy_cpu(into, f);
            continue;
        }
        if (c->node < 0)
            c->node = f->node;
        if (c->socket < 0)
            c->socket = f->socket;
        if (c->core < 0)
            c->core = f->core;
        if (!c->siblings && f->siblings)
            c->siblings = hwloc_bitmap_dup(f->siblings);
    }
    kvl_host_finish(into);

    if (!into->has_pci && from->has_pci) {
        into->has_pci = true;
        into->npci = from->npci;
        if (from->npci) {
            into->pci = kvl_xmalloc(from->npci * sizeof(*from->pci));
            memcpy(into->pci, from->pci, from->npci * sizeof(*from->pci));
        }
    }

    source = kvl_xasprintf("%s + %s", into->source, from->source);
    free(into->source);
    into->source = source;
    return 0;
}
