/*
 * <devices> in the domain model: disks, controllers, interfaces, hostdevs
 * and memory devices.  Like libvirt, every <devices> element contributes
 * (libvirt reads ./devices/disk, not ./devices[1]/disk).  Each device
 * handler fills one array entry from that device's children; only the
 * first of each child element counts, as in libvirt.
 */
#include <stdlib.h>
#include <string.h>

#include "model/domain_priv.h"
#include "model/units.h"
#include "util/mem.h"
#include "util/banned.h"

/* ---- Shared pieces ---- */

static bool pci_part(kvl_walk *w, const xmlNode *node, const char *attr,
                     uint64_t max, unsigned *out)
{
    const char *text = kvl_xml_attr(node, attr);
    const char *why = NULL;
    uint64_t v;

    *out = 0;
    if (!text)
        return true;
    if (kvl_uint_parse_c(text, max, &v, &why) < 0) {
        kvl_walk_bad_value(w, node, attr, "number", text, why,
                           "PCI addresses are written like domain='0x0000' bus='0x06' "
                           "slot='0x02' function='0x0'");
        return false;
    }
    *out = (unsigned)v;
    return true;
}

/* A PCI <address domain bus slot function>; missing parts are 0 as in libvirt. */
static bool parse_pci(kvl_walk *w, const xmlNode *node, kvl_pci_addr *pci)
{
    bool ok = true;

    ok &= pci_part(w, node, "domain", UINT32_MAX, &pci->domain);
    ok &= pci_part(w, node, "bus", 0xff, &pci->bus);
    ok &= pci_part(w, node, "slot", 0x1f, &pci->slot);
    ok &= pci_part(w, node, "function", 7, &pci->function);
    return ok;
}

static const xmlNode *child_el(const xmlNode *node, const char *name)
{
    for (const xmlNode *c = node->children; c; c = c->next)
        if (kvl_walk_is_el(c) && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

/* ---- <disk> ---- */

/* <driver><iothreads><iothread id='N'>: libvirt requires the id. */
static void walk_disk_iothread_map(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_disk *d = ctx;
    unsigned id;
    int rc = kvl_walk_uint_attr(w, node, "id", 1, UINT32_MAX, &id);

    if (rc == 0)
        kvl_walk_missing(w, node, "id");
    if (rc != 1)
        return;
    KVL_GROW(d->iothread_map, d->niothread_map, d->cap_iothread_map);
    d->iothread_map[d->niothread_map].node = kvl_doc_ref(node);
    d->iothread_map[d->niothread_map++].id = id;
}

static const kvl_walk_entry disk_iothreads_table[] = {
    { "iothread", walk_disk_iothread_map },
    { NULL, NULL },
};

static void walk_disk_driver(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_disk *d = ctx;
    const xmlNode *iothreads;

    if (d->driver_node)
        return;
    d->driver_node = kvl_doc_ref(node);
    d->driver_name = kvl_walk_attr_dup(node, "name");
    d->driver_type = kvl_walk_attr_dup(node, "type");
    d->cache = kvl_walk_attr_dup(node, "cache");
    d->io = kvl_walk_attr_dup(node, "io");
    d->has_iothread = kvl_walk_uint_attr(w, node, "iothread", 1, UINT32_MAX,
                                         &d->iothread) == 1;
    if ((iothreads = child_el(node, "iothreads")))
        kvl_walk_children(w, iothreads, disk_iothreads_table, d);
}

static void walk_disk_source(kvl_walk *w, const xmlNode *node, void *ctx)
{
    static const char *const names[] = { "file", "dev", "dir", "name", "path", NULL };
    kvl_disk *d = ctx;
    const char *pool, *volume;
    const xmlNode *addr;

    if (d->source_node)
        return;
    d->source_node = kvl_doc_ref(node);
    for (const char *const *n = names; *n && !d->source; n++)
        d->source = kvl_walk_attr_dup(node, *n);
    if (!d->source && (volume = kvl_xml_attr(node, "volume"))) {
        pool = kvl_xml_attr(node, "pool");
        d->source = pool ? kvl_xasprintf("%s/%s", pool, volume) : kvl_xstrdup(volume);
    }
    if (d->type && strcmp(d->type, "nvme") == 0 && (addr = child_el(node, "address")))
        d->has_pci_address = parse_pci(w, addr, &d->pci);
}

static void walk_disk_target(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_disk *d = ctx;

    if (d->target_node)
        return;
    d->target_node = kvl_doc_ref(node);
    d->target = kvl_walk_attr_dup(node, "dev");
    d->bus = kvl_walk_attr_dup(node, "bus");
}

static void walk_disk_readonly(kvl_walk *w, const xmlNode *node, void *ctx)
{
    ((kvl_disk *)ctx)->readonly = true;
}

static void walk_disk_shareable(kvl_walk *w, const xmlNode *node, void *ctx)
{
    ((kvl_disk *)ctx)->shareable = true;
}

static void walk_disk_boot(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_disk *d = ctx;

    if (d->boot_node)
        return;
    d->boot_node = kvl_doc_ref(node);
    if (kvl_walk_uint_attr(w, node, "order", 1, UINT32_MAX, &d->boot_order) == 0)
        kvl_walk_missing(w, node, "order");
}

static void walk_disk_address(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_disk *d = ctx;

    if (d->address_node)
        return;
    d->address_node = kvl_doc_ref(node);
    d->address_type = kvl_walk_attr_dup(node, "type");
    kvl_walk_uint_attr(w, node, "controller", 0, UINT32_MAX, &d->address_controller);
}

/* Indexed by kvl_iotune_key. */
static const char *const iotune_names[KVL_IOTUNE_N] = {
    "total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
    "total_iops_sec", "read_iops_sec", "write_iops_sec",
    "total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max",
    "total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max",
    "total_bytes_sec_max_length", "read_bytes_sec_max_length",
    "write_bytes_sec_max_length", "total_iops_sec_max_length",
    "read_iops_sec_max_length", "write_iops_sec_max_length",
    "size_iops_sec",
};

const char *kvl_iotune_name(kvl_iotune_key key)
{
    return (unsigned)key < KVL_IOTUNE_N ? iotune_names[key] : NULL;
}

static void walk_disk_iotune(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_disk *d = ctx;

    if (d->iotune_node)
        return;
    d->iotune_node = kvl_doc_ref(node);
    for (const xmlNode *c = node->children; c; c = c->next) {
        const char *why = NULL;
        unsigned key;
        char *text;
        uint64_t v;

        if (!kvl_walk_is_el(c))
            continue;
        if (strcmp((const char *)c->name, "group_name") == 0) {
            if (!d->iotune_group) {
                d->iotune_group = kvl_xml_text(c);
                d->iotune_group_node = kvl_doc_ref(c);
            }
            continue;
        }
        for (key = 0; key < KVL_IOTUNE_N; key++)
            if (strcmp((const char *)c->name, iotune_names[key]) == 0)
                break;
        if (key == KVL_IOTUNE_N || (d->iotune_set & (1u << key)))
            continue;
        text = kvl_xml_text(c);
        if (kvl_uint_parse(text, UINT64_MAX, &v, &why) < 0) {
            kvl_walk_bad_value(w, c, NULL, "number", text, why, NULL);
            d->iotune_invalid = true;
        } else {
            d->iotune_set |= 1u << key;
            d->iotune[key] = v;
            d->iotune_nodes[key] = kvl_doc_ref(c);
            /* the rates and their bursts are limits; lengths and size only qualify them */
            if (v && key <= KVL_IOTUNE_WRITE_IOPS_SEC_MAX)
                d->has_iotune = true;
        }
        free(text);
    }
}

static const kvl_walk_entry disk_table[] = {
    { "driver", walk_disk_driver },
    { "source", walk_disk_source },
    { "target", walk_disk_target },
    { "readonly", walk_disk_readonly },
    { "shareable", walk_disk_shareable },
    { "boot", walk_disk_boot },
    { "address", walk_disk_address },
    { "iotune", walk_disk_iotune },
    { NULL, NULL },
};

static void walk_disk(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_disk *d;

    KVL_GROW(dom->disks, dom->ndisks, dom->cap_disks);
    d = &dom->disks[dom->ndisks++];
    d->node = kvl_doc_ref(node);
    d->type = kvl_walk_attr_dup(node, "type");
    d->device = kvl_walk_attr_dup(node, "device");
    kvl_walk_children(w, node, disk_table, d);
}

/* ---- <controller> ---- */

static void walk_controller(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_controller *c;
    const xmlNode *driver;

    KVL_GROW(dom->controllers, dom->ncontrollers, dom->cap_controllers);
    c = &dom->controllers[dom->ncontrollers++];
    c->node = kvl_doc_ref(node);
    c->type = kvl_walk_attr_dup(node, "type");
    c->has_index = kvl_walk_uint_attr(w, node, "index", 0, UINT32_MAX, &c->index) == 1;
    c->model = kvl_walk_attr_dup(node, "model");
    /* a virtio-scsi controller's IOThread serves all its disks */
    if ((driver = child_el(node, "driver"))) {
        c->driver_node = kvl_doc_ref(driver);
        c->has_iothread = kvl_walk_uint_attr(w, driver, "iothread", 1, UINT32_MAX,
                                             &c->iothread) == 1;
    }
}

static int cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

    return x < y ? -1 : x > y;
}

static bool same_type(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/*
 * libvirt gives a controller without index the lowest index unused by the
 * controllers of its type that have one (given, or assigned before it).
 */
static void assign_controller_indexes(kvl_domain *dom)
{
    unsigned *used = NULL;

    for (size_t i = 0; i < dom->ncontrollers; i++) {
        kvl_controller *c = &dom->controllers[i];
        size_t n = 0;
        unsigned idx = 0;

        if (c->has_index)
            continue;
        if (!used)
            used = kvl_xmalloc(dom->ncontrollers * sizeof(*used));
        for (size_t j = 0; j < dom->ncontrollers; j++) {
            const kvl_controller *o = &dom->controllers[j];

            if ((o->has_index || j < i) && same_type(o->type, c->type))
                used[n++] = o->index;
        }
        qsort(used, n, sizeof(*used), cmp_unsigned);
        for (size_t k = 0; k < n && used[k] <= idx; k++)
            if (used[k] == idx)
                idx++;
        c->index = idx;
    }
    free(used);
}

/* ---- <interface> ---- */

static void walk_iface_model(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_iface *f = ctx;

    if (f->model_node)
        return;
    f->model_node = kvl_doc_ref(node);
    f->model = kvl_walk_attr_dup(node, "type");
}

static void walk_iface_driver(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_iface *f = ctx;

    if (f->driver_node)
        return;
    f->driver_node = kvl_doc_ref(node);
    f->driver_name = kvl_walk_attr_dup(node, "name");
    f->has_queues = kvl_walk_uint_attr(w, node, "queues", 0, UINT32_MAX, &f->queues) == 1;
    f->has_rx_queue_size = kvl_walk_uint_attr(w, node, "rx_queue_size", 0, UINT32_MAX,
                                              &f->rx_queue_size) == 1;
    f->has_tx_queue_size = kvl_walk_uint_attr(w, node, "tx_queue_size", 0, UINT32_MAX,
                                              &f->tx_queue_size) == 1;
}

/* An empty <bandwidth/> sets no limit, so only one with a direction counts. */
static void walk_iface_bandwidth(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_iface *f = ctx;

    if (!f->bandwidth_node && (child_el(node, "inbound") || child_el(node, "outbound")))
        f->bandwidth_node = kvl_doc_ref(node);
}

static void walk_iface_mac(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_iface *f = ctx;

    if (!f->mac)
        f->mac = kvl_walk_attr_dup(node, "address");
}

static void walk_iface_source(kvl_walk *w, const xmlNode *node, void *ctx)
{
    static const char *const names[] = { "network", "bridge", "dev", "path", NULL };
    kvl_iface *f = ctx;
    const xmlNode *addr;

    if (f->source || f->has_pci_address)
        return;
    for (const char *const *n = names; *n && !f->source; n++)
        f->source = kvl_walk_attr_dup(node, *n);
    if (f->type && strcmp(f->type, "hostdev") == 0 && (addr = child_el(node, "address"))) {
        const char *t = kvl_xml_attr(addr, "type");

        if (!t || strcmp(t, "pci") == 0)
            f->has_pci_address = parse_pci(w, addr, &f->pci);
    }
}

static const kvl_walk_entry iface_table[] = {
    { "model", walk_iface_model },
    { "driver", walk_iface_driver },
    { "mac", walk_iface_mac },
    { "source", walk_iface_source },
    { "bandwidth", walk_iface_bandwidth },
    { NULL, NULL },
};

static void walk_interface(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    kvl_iface *f;

    KVL_GROW(dom->ifaces, dom->nifaces, dom->cap_ifaces);
    f = &dom->ifaces[dom->nifaces++];
    f->node = kvl_doc_ref(node);
    f->type = kvl_walk_attr_dup(node, "type");
    kvl_walk_children(w, node, iface_table, f);
}

/* ---- <hostdev> ---- */

static void walk_hostdev(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    const xmlNode *src, *addr;
    kvl_hostdev *h;

    KVL_GROW(dom->hostdevs, dom->nhostdevs, dom->cap_hostdevs);
    h = &dom->hostdevs[dom->nhostdevs++];
    h->node = kvl_doc_ref(node);
    h->mode = kvl_walk_attr_dup(node, "mode");
    h->type = kvl_walk_attr_dup(node, "type");
    if (h->type && strcmp(h->type, "pci") == 0 && (src = child_el(node, "source")) &&
        (addr = child_el(src, "address"))) {
        kvl_pci_addr pci = { 0 };

        if (parse_pci(w, addr, &pci)) {
            h->has_pci_address = true;
            h->domain = pci.domain;
            h->bus = pci.bus;
            h->slot = pci.slot;
            h->function = pci.function;
        }
    }
}

/* ---- <memory> devices ---- */

static void walk_memdev_size(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_memdev *m = ctx;

    if (!m->has_size)
        m->has_size = kvl_walk_size(w, node, NULL, "unit", &m->size_kib) == 1;
}

static void walk_memdev_node(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_memdev *m = ctx;

    if (!m->has_guest_node)
        m->has_guest_node = kvl_walk_uint_text(w, node, 0, UINT32_MAX, &m->guest_node) == 1;
}

static const kvl_walk_entry memdev_target_table[] = {
    { "size", walk_memdev_size },
    { "node", walk_memdev_node },
    { NULL, NULL },
};

static void walk_memdev(kvl_walk *w, const xmlNode *node, void *ctx)
{
    kvl_domain *dom = w->dom;
    const xmlNode *target;
    kvl_memdev *m;

    KVL_GROW(dom->memdevs, dom->nmemdevs, dom->cap_memdevs);
    m = &dom->memdevs[dom->nmemdevs++];
    m->node = kvl_doc_ref(node);
    m->model = kvl_walk_attr_dup(node, "model");
    if ((target = child_el(node, "target")))
        kvl_walk_children(w, target, memdev_target_table, m);
}

static const kvl_walk_entry devices_table[] = {
    { "disk", walk_disk },
    { "interface", walk_interface },
    { "controller", walk_controller },
    { "hostdev", walk_hostdev },
    { "memory", walk_memdev },
    { "memballoon", kvl_walk_memballoon },
    { "filesystem", kvl_walk_filesystem },
    { "rng", kvl_walk_rng },                    /* domain_paravirt.c */
    { "channel", kvl_walk_channel },
    { NULL, NULL },
};

void kvl_walk_devices(kvl_walk *w, const xmlNode *node, void *ctx)
{
    if (!w->dom->devices_node)
        w->dom->devices_node = kvl_doc_ref(node);
    kvl_walk_children(w, node, devices_table, NULL);
}

void kvl_walk_finish_devices(kvl_walk *w)
{
    assign_controller_indexes(w->dom);
}

void kvl_walk_free_devices(kvl_domain *dom)
{
    kvl_walk_free_memdevs(dom);
    for (size_t i = 0; i < dom->ndisks; i++) {
        kvl_disk *d = &dom->disks[i];

        free(d->type);
        free(d->device);
        free(d->bus);
        free(d->target);
        free(d->driver_name);
        free(d->driver_type);
        free(d->cache);
        free(d->io);
        free(d->address_type);
        free(d->source);
        free(d->iotune_group);
        free(d->iothread_map);
    }
    free(dom->disks);
    for (size_t i = 0; i < dom->ncontrollers; i++) {
        free(dom->controllers[i].type);
        free(dom->controllers[i].model);
    }
    free(dom->controllers);
    for (size_t i = 0; i < dom->nifaces; i++) {
        kvl_iface *f = &dom->ifaces[i];

        free(f->type);
        free(f->model);
        free(f->driver_name);
        free(f->mac);
        free(f->source);
    }
    free(dom->ifaces);
    for (size_t i = 0; i < dom->nhostdevs; i++) {
        free(dom->hostdevs[i].mode);
        free(dom->hostdevs[i].type);
    }
    free(dom->hostdevs);
    for (size_t i = 0; i < dom->nmemdevs; i++)
        free(dom->memdevs[i].model);
    free(dom->memdevs);
}
