/*
 * The domain model: one rich domain covering every field the model keeps
 * (metadata annotations included), source positions of model nodes,
 * value-invalid findings pointing at the offending attribute or element,
 * the derived facts of RULES.md "Definitions" with a near miss for each,
 * and a smoke test building the model of every domain in the corpus.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "model/cpuset.h"
#include "model/domain.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "xml/doc.h"

/* Loaded once in main(); read-only for the tests. */
static kvl_catalogue *catalogue;

typedef kvl_test_dom fixture;

static fixture *build(const char *xml)
{
    return kvl_test_dom_build(catalogue, xml);
}

/* A kvm domain around `body`. */
static fixture *build_body(const char *body)
{
    char *xml = kvl_xasprintf("<domain type='kvm'>\n<name>t</name>\n%s\n</domain>\n", body);
    fixture *f = build(xml);

    free(xml);
    return f;
}

static void done(fixture *f)
{
    kvl_test_dom_free(f);
}

static void no_findings(const fixture *f)
{
    for (size_t i = 0; i < f->list.n; i++)
        print_message("unexpected finding %u:%u %s\n", f->list.v[i].line,
                      f->list.v[i].col, f->list.v[i].message);
    assert_int_equal(f->list.n, 0);
}

/* The value-invalid finding whose message contains `needle`. */
static const kvl_finding *finding(const fixture *f, const char *needle)
{
    for (size_t i = 0; i < f->list.n; i++)
        if (strstr(f->list.v[i].message, needle)) {
            assert_string_equal(f->list.v[i].rule, "value-invalid");
            return &f->list.v[i];
        }
    for (size_t i = 0; i < f->list.n; i++)
        print_message("finding: %s\n", f->list.v[i].message);
    fail_msg("no finding mentions \"%s\"", needle);
    return NULL;
}

/* Line and column (1-based) of the first `needle` in `text`, found by hand. */
static void where(const char *text, const char *needle, unsigned *line, unsigned *col)
{
    const char *at = strstr(text, needle);

    if (!at)
        fail_msg("'%s' not in the test text", needle);
    *line = 1;
    *col = 1;
    for (const char *p = text; p < at; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static void assert_at(const fixture *f, const kvl_finding *fd, const char *needle)
{
    unsigned line, col;

    where(f->doc->text, needle, &line, &col);
    if (fd->line != line || fd->col != col)
        fail_msg("'%s' reported at %u:%u, expected %u:%u (\"%s\")", fd->message,
                 fd->line, fd->col, line, col, needle);
}

static void assert_set(hwloc_const_bitmap_t set, const char *list)
{
    char *s;

    if (!list) {
        assert_null(set);
        return;
    }
    assert_non_null(set);
    s = kvl_cpuset_format(set);
    if (strcmp(s, list) != 0)
        fail_msg("set is '%s', expected '%s'", s, list);
    free(s);
}

/* ---- The rich domain ---- */

static const char rich_xml[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
    "  <name>rich01</name>\n"
    "  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
    "  <metadata>\n"
    "    <osi:libosinfo xmlns:osi='http://libosinfo.org/xmlns/libvirt/domain/1.0'>\n"
    "      <osi:os id='http://microsoft.com/win/10'/>\n"
    "    </osi:libosinfo>\n"
    "    <lint:hints xmlns:lint='http://kvmlint.org/xmlns/domain/1.0'>\n"
    "      <lint:critical/>\n"
    "      <lint:windows/>\n"
    "      <lint:hot-disk target='vdb'/>\n"
    "    </lint:hints>\n"
    "    <other:stuff xmlns:other='http://example.com/x'><other:critical/></other:stuff>\n"
    "  </metadata>\n"
    "  <maxMemory slots='16' unit='GiB'>64</maxMemory>\n"
    "  <memory unit='GiB' dumpCore='off'>16</memory>\n"
    "  <currentMemory unit='MiB'>8192</currentMemory>\n"
    "  <memoryBacking>\n"
    "    <hugepages>\n"
    "      <page size='1' unit='G' nodeset='0'/>\n"
    "      <page size='2048'/>\n"
    "    </hugepages>\n"
    "    <nosharepages/>\n"
    "    <locked/>\n"
    "    <source type='memfd'/>\n"
    "    <access mode='shared'/>\n"
    "    <allocation mode='immediate' threads='8'/>\n"
    "  </memoryBacking>\n"
    "  <vcpu placement='static' current='4' cpuset='0-7'>8</vcpu>\n"
    "  <iothreads>3</iothreads>\n"
    "  <iothreadids>\n"
    "    <iothread id='2'/>\n"
    "    <iothread id='5'/>\n"
    "  </iothreadids>\n"
    "  <cputune>\n"
    "    <vcpupin vcpu='0' cpuset='2'/>\n"
    "    <vcpupin vcpu='1' cpuset='3'/>\n"
    "    <vcpupin vcpu='2' cpuset='4-5,^5'/>\n"
    "    <emulatorpin cpuset='0-1'/>\n"
    "    <iothreadpin iothread='2' cpuset='1'/>\n"
    "    <vcpusched vcpus='0-1' scheduler='fifo' priority='10'/>\n"
    "    <vcpusched vcpus='2' scheduler='batch'/>\n"
    "  </cputune>\n"
    "  <memtune>\n"
    "    <hard_limit unit='GiB'>20</hard_limit>\n"
    "    <soft_limit unit='GiB'>18</soft_limit>\n"
    "    <swap_hard_limit unit='GiB'>24</swap_hard_limit>\n"
    "    <min_guarantee unit='MiB'>1</min_guarantee>\n"
    "  </memtune>\n"
    "  <numatune>\n"
    "    <memory mode='preferred' nodeset='0-1'/>\n"
    "    <memnode cellid='0' mode='strict' nodeset='0'/>\n"
    "    <memnode cellid='1' nodeset='1'/>\n"
    "  </numatune>\n"
    "  <os>\n"
    "    <type arch='x86_64' machine='pc-q35-8.2'>hvm</type>\n"
    "    <boot dev='hd'/>\n"
    "  </os>\n"
    "  <features><acpi/><hyperv mode='custom'><relaxed state='on'/></hyperv></features>\n"
    "  <cpu mode='custom' match='exact' check='none'>\n"
    "    <model fallback='forbid'>Skylake-Server</model>\n"
    "    <topology sockets='2' dies='1' clusters='1' cores='2' threads='2'/>\n"
    "    <numa>\n"
    "      <cell id='0' cpus='0-3' memory='8' unit='GiB' memAccess='shared'>\n"
    "        <distances><sibling id='0' value='10'/><sibling id='1' value='21'/></distances>\n"
    "      </cell>\n"
    "      <cell id='1' cpus='4-7' memory='7340032'/>\n"
    "    </numa>\n"
    "  </cpu>\n"
    "  <devices>\n"
    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
    "    <disk type='file' device='disk'>\n"
    "      <driver name='qemu' type='qcow2' cache='none' io='native' iothread='2'/>\n"
    "      <source file='/var/lib/libvirt/images/rich01.qcow2'/>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "      <boot order='2'/>\n"
    "      <address type='pci' domain='0x0000' bus='0x04' slot='0x00' function='0x0'/>\n"
    "    </disk>\n"
    "    <disk type='block' device='disk'>\n"
    "      <driver name='qemu' type='raw'/>\n"
    "      <source dev='/dev/vg0/data'/>\n"
    "      <target dev='vdb'/>\n"
    "      <shareable/>\n"
    "      <iotune><total_iops_sec>5000</total_iops_sec><group_name>g</group_name></iotune>\n"
    "    </disk>\n"
    "    <disk type='network' device='disk'>\n"
    "      <source protocol='rbd' name='pool/image'/>\n"
    "      <target dev='sda' bus='scsi'/>\n"
    "      <boot order='1'/>\n"
    "      <address type='drive' controller='1' bus='0' target='0' unit='0'/>\n"
    "    </disk>\n"
    "    <disk type='volume' device='cdrom'>\n"
    "      <source pool='isos' volume='win10.iso'/>\n"
    "      <target dev='hdc'/>\n"
    "      <readonly/>\n"
    "    </disk>\n"
    "    <disk type='nvme' device='disk'>\n"
    "      <driver name='qemu' type='raw'/>\n"
    "      <source type='pci' managed='yes' namespace='1'>\n"
    "        <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
    "      </source>\n"
    "      <target dev='vdc' bus='virtio'/>\n"
    "    </disk>\n"
    "    <controller type='scsi' index='1' model='virtio-scsi'/>\n"
    "    <controller type='scsi' model='lsilogic'/>\n"
    "    <controller type='pci' index='0' model='pcie-root'/>\n"
    "    <controller type='scsi'/>\n"
    "    <interface type='network'>\n"
    "      <mac address='52:54:00:12:34:56'/>\n"
    "      <source network='default'/>\n"
    "      <model type='virtio'/>\n"
    "      <driver name='vhost' queues='4'/>\n"
    "    </interface>\n"
    "    <interface type='bridge'>\n"
    "      <source bridge='br0'/>\n"
    "      <model type='e1000e'/>\n"
    "    </interface>\n"
    "    <interface type='hostdev' managed='yes'>\n"
    "      <source><address type='pci' domain='0x0000' bus='0x3b' slot='0x02' function='0x1'/></source>\n"
    "    </interface>\n"
    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
    "      <source><address domain='0x0000' bus='0x06' slot='0x02' function='0x0'/></source>\n"
    "    </hostdev>\n"
    "    <hostdev mode='subsystem' type='usb'>\n"
    "      <source><vendor id='0x1234'/><product id='0xbeef'/></source>\n"
    "    </hostdev>\n"
    "    <memory model='dimm'>\n"
    "      <target><size unit='GiB'>1</size><node>1</node></target>\n"
    "    </memory>\n"
    "  </devices>\n"
    "  <qemu:commandline><qemu:arg value='-m'/></qemu:commandline>\n"
    "</domain>\n";

static void rich_identity_and_memory(void **state)
{
    fixture *f = build(rich_xml);
    kvl_domain *d = f->dom;
    uint64_t kib = 0;

    (void)state;
    no_findings(f);
    assert_ptr_equal(d->doc, f->doc);
    assert_true(d->root != 0);
    assert_string_equal(d->type, "kvm");
    assert_true(kvl_domain_is_kvm_scope(d));
    assert_string_equal(d->name, "rich01");
    assert_true(d->name_node != 0);
    assert_string_equal(d->uuid, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
    assert_string_equal(d->os_type, "hvm");
    assert_string_equal(d->arch, "x86_64");
    assert_string_equal(d->machine, "pc-q35-8.2");
    assert_true(d->os_node != 0);

    assert_true(d->has_max_memory);
    assert_int_equal(d->max_memory_kib, UINT64_C(64) << 20);
    assert_true(d->has_max_memory_slots);
    assert_int_equal(d->max_memory_slots, 16);
    assert_true(d->max_memory_node != 0);
    assert_true(d->has_memory);
    assert_int_equal(d->memory_kib, UINT64_C(16) << 20);
    assert_true(d->memory_node != 0);
    assert_true(d->has_current_memory);
    assert_int_equal(d->current_memory_kib, 8192 * 1024);
    assert_true(d->current_memory_node != 0);

    /* memoryBacking */
    assert_true(d->membacking_node != 0);
    assert_true(d->hugepages_node != 0);
    assert_true(d->hugepages);
    assert_int_equal(d->npages, 2);
    assert_int_equal(d->pages[0].size_kib, 1048576);
    assert_set(d->pages[0].nodeset, "0");
    assert_int_equal(d->pages[1].size_kib, 2048);
    assert_null(d->pages[1].nodeset);
    assert_int_equal(kvl_domain_default_page_kib(d), 2048);
    assert_true(d->nosharepages);
    assert_true(d->locked);
    assert_string_equal(d->mem_source_type, "memfd");
    assert_string_equal(d->mem_access_mode, "shared");
    assert_string_equal(d->mem_allocation_mode, "immediate");

    /* memtune */
    assert_true(d->memtune_node != 0);
    assert_true(d->has_hard_limit);
    assert_int_equal(d->hard_limit_kib, UINT64_C(20) << 20);
    assert_true(d->hard_limit_node != 0);
    assert_true(d->has_soft_limit);
    assert_int_equal(d->soft_limit_kib, UINT64_C(18) << 20);
    assert_true(d->has_swap_hard_limit);
    assert_int_equal(d->swap_hard_limit_kib, UINT64_C(24) << 20);
    assert_true(d->has_min_guarantee);
    assert_int_equal(d->min_guarantee_kib, 1024);

    /* numatune */
    assert_true(d->numatune_node != 0);
    assert_true(d->numa_memory_node != 0);
    assert_string_equal(d->numa_mode, "preferred");
    assert_null(d->numa_placement);
    assert_set(d->numa_nodeset, "0-1");
    assert_int_equal(d->nmemnodes, 2);
    assert_true(d->memnodes[0].has_cellid);
    assert_int_equal(d->memnodes[0].cellid, 0);
    assert_string_equal(d->memnodes[0].mode, "strict");
    assert_set(d->memnodes[0].nodeset, "0");
    assert_int_equal(d->memnodes[1].cellid, 1);
    assert_string_equal(d->memnodes[1].mode, "strict");     /* libvirt's default */
    assert_set(d->memnodes[1].nodeset, "1");

    /* 8 GiB + 7 GiB cells + 1 GiB dimm; <memory> is ignored with cells */
    assert_true(kvl_domain_effective_memory(d, &kib));
    assert_int_equal(kib, UINT64_C(16) << 20);

    /* features, metadata */
    assert_true(d->features_node != 0);
    assert_true(d->hyperv_node != 0);
    assert_true(d->meta_node != 0);
    assert_true(d->meta_critical);
    assert_true(d->meta_windows);
    assert_string_equal(d->os_id, "http://microsoft.com/win/10");
    assert_true(kvl_domain_is_windows(d));
    done(f);
}

static void rich_cpu(void **state)
{
    fixture *f = build(rich_xml);
    kvl_domain *d = f->dom;
    kvl_ref node = 0;

    (void)state;
    no_findings(f);
    assert_true(d->vcpu_node != 0);
    assert_true(d->has_vcpus);
    assert_int_equal(d->vcpus, 8);
    assert_true(d->has_vcpus_current);
    assert_int_equal(d->vcpus_current, 4);
    assert_string_equal(d->vcpu_placement, "static");
    assert_false(kvl_domain_placement_auto(d));
    assert_set(d->vcpu_cpuset, "0-7");

    /* IOThreads: the listed ids, then the lowest unused up to the count */
    assert_true(d->iothreads_node != 0);
    assert_true(d->iothreadids_node != 0);
    assert_int_equal(d->iothreads, 3);
    assert_int_equal(d->niothread_ids, 3);
    assert_int_equal(d->iothread_ids[0], 2);
    assert_int_equal(d->iothread_ids[1], 5);
    assert_int_equal(d->iothread_ids[2], 1);

    assert_true(d->cputune_node != 0);
    assert_int_equal(d->nvcpupins, 3);
    assert_int_equal(d->vcpupins[2].vcpu, 2);
    assert_set(d->vcpupins[2].cpus, "4");
    assert_ptr_equal(kvl_domain_vcpupin(d, 1), &d->vcpupins[1]);
    assert_null(kvl_domain_vcpupin(d, 3));
    assert_null(kvl_domain_vcpupin(d, 99));
    assert_true(d->emulatorpin_node != 0);
    assert_set(d->emulatorpin, "0-1");
    assert_int_equal(d->niothreadpins, 1);
    assert_int_equal(d->iothreadpins[0].iothread, 2);
    assert_set(d->iothreadpins[0].cpus, "1");
    assert_int_equal(d->nvcpuscheds, 2);
    assert_set(d->vcpuscheds[0].vcpus, "0-1");
    assert_string_equal(d->vcpuscheds[0].scheduler, "fifo");
    assert_true(d->vcpuscheds[0].has_priority);
    assert_int_equal(d->vcpuscheds[0].priority, 10);
    assert_string_equal(d->vcpuscheds[1].scheduler, "batch");
    assert_false(d->vcpuscheds[1].has_priority);

    /* effective pinning: vcpupin, else <vcpu cpuset> */
    assert_set(kvl_domain_vcpu_pin(d, 0, &node), "2");
    assert_int_equal(node, d->vcpupins[0].node);
    assert_set(kvl_domain_vcpu_pin(d, 5, &node), "0-7");
    assert_int_equal(node, d->vcpu_node);
    assert_set(kvl_domain_emulator_pin(d, &node), "0-1");
    assert_int_equal(node, d->emulatorpin_node);
    assert_set(kvl_domain_iothread_pin(d, 2, &node), "1");
    assert_int_equal(node, d->iothreadpins[0].node);
    assert_set(kvl_domain_iothread_pin(d, 5, &node), "0-7");
    assert_int_equal(node, d->vcpu_node);

    /* <cpu> */
    assert_true(d->cpu_node != 0);
    assert_string_equal(d->cpu_mode, "custom");
    assert_string_equal(d->cpu_model, "Skylake-Server");
    assert_true(d->has_topology);
    assert_true(d->topology_node != 0);
    assert_int_equal(d->sockets, 2);
    assert_int_equal(d->dies, 1);
    assert_int_equal(d->clusters, 1);
    assert_int_equal(d->cores, 2);
    assert_int_equal(d->threads, 2);
    assert_true(d->numa_node != 0);
    assert_int_equal(d->ncells, 2);
    assert_true(d->cells[0].has_id);
    assert_int_equal(d->cells[0].id, 0);
    assert_set(d->cells[0].cpus, "0-3");
    assert_true(d->cells[0].has_memory);
    assert_int_equal(d->cells[0].memory_kib, UINT64_C(8) << 20);
    assert_string_equal(d->cells[0].mem_access, "shared");
    assert_true(d->cells[0].distances_node != 0);
    assert_int_equal(d->cells[0].ndistances, 2);
    assert_true(d->cells[0].distances[1].has_id && d->cells[0].distances[1].has_value);
    assert_int_equal(d->cells[0].distances[1].id, 1);
    assert_int_equal(d->cells[0].distances[1].value, 21);
    assert_int_equal(d->cells[1].id, 1);
    assert_set(d->cells[1].cpus, "4-7");
    assert_int_equal(d->cells[1].memory_kib, 7340032);
    assert_null(d->cells[1].mem_access);
    assert_int_equal(d->cells[1].distances_node, 0);
    done(f);
}

static void rich_devices(void **state)
{
    fixture *f = build(rich_xml);
    kvl_domain *d = f->dom;
    const kvl_disk *k;

    (void)state;
    no_findings(f);
    assert_int_equal(d->ndisks, 5);

    k = &d->disks[0];
    assert_string_equal(k->type, "file");
    assert_string_equal(k->device, "disk");
    assert_string_equal(k->driver_name, "qemu");
    assert_string_equal(k->driver_type, "qcow2");
    assert_string_equal(k->cache, "none");
    assert_string_equal(k->io, "native");
    assert_true(k->has_iothread);
    assert_int_equal(k->iothread, 2);
    assert_string_equal(k->source, "/var/lib/libvirt/images/rich01.qcow2");
    assert_string_equal(k->target, "vda");
    assert_string_equal(k->bus, "virtio");
    assert_int_equal(k->boot_order, 2);
    assert_true(k->boot_node != 0);
    assert_string_equal(k->address_type, "pci");
    assert_non_null(k->node);
    assert_true(k->target_node != 0);
    assert_true(k->driver_node != 0);
    assert_true(k->address_node != 0);
    assert_true(k->source_node != 0);
    assert_false(k->readonly || k->shareable || k->has_iotune || k->hot_annotated);

    k = &d->disks[1];
    assert_string_equal(k->type, "block");
    assert_string_equal(k->source, "/dev/vg0/data");
    assert_string_equal(k->target, "vdb");
    assert_null(k->bus);
    assert_string_equal(kvl_disk_bus(k), "virtio");
    assert_true(k->shareable);
    assert_true(k->has_iotune);
    assert_true(k->iotune_node != 0);
    assert_int_equal(k->iotune_set, 1u << KVL_IOTUNE_TOTAL_IOPS_SEC);
    assert_int_equal(k->iotune[KVL_IOTUNE_TOTAL_IOPS_SEC], 5000);
    assert_string_equal(k->iotune_group, "g");
    assert_string_equal(kvl_iotune_name(KVL_IOTUNE_TOTAL_IOPS_SEC), "total_iops_sec");
    assert_string_equal(kvl_iotune_name(KVL_IOTUNE_SIZE_IOPS_SEC), "size_iops_sec");
    assert_string_equal(kvl_iotune_name(KVL_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH),
                        "write_iops_sec_max_length");
    assert_null(kvl_iotune_name(KVL_IOTUNE_N));
    assert_true(k->hot_annotated);
    assert_false(k->has_iothread);
    assert_int_equal(k->boot_order, 0);

    k = &d->disks[2];
    assert_string_equal(k->source, "pool/image");
    assert_string_equal(k->address_type, "drive");
    assert_int_equal(k->address_controller, 1);
    assert_int_equal(k->boot_order, 1);

    k = &d->disks[3];
    assert_string_equal(k->device, "cdrom");
    assert_string_equal(k->source, "isos/win10.iso");
    assert_true(k->readonly);
    assert_false(kvl_disk_is_disk(k));
    assert_string_equal(kvl_disk_bus(k), "ide");

    k = &d->disks[4];
    assert_string_equal(k->type, "nvme");
    assert_true(k->has_pci_address);
    assert_int_equal(k->pci.bus, 1);
    assert_null(k->source);

    /* boot disk: the lowest boot order, not the first disk */
    assert_ptr_equal(kvl_domain_boot_disk(d), &d->disks[2]);

    /* controllers: a missing index is the lowest unused of its type */
    assert_int_equal(d->ncontrollers, 4);
    assert_true(d->controllers[0].has_index);
    assert_int_equal(d->controllers[0].index, 1);
    assert_string_equal(d->controllers[0].model, "virtio-scsi");
    assert_false(d->controllers[1].has_index);
    assert_int_equal(d->controllers[1].index, 0);
    assert_int_equal(d->controllers[2].index, 0);
    assert_string_equal(d->controllers[2].type, "pci");
    assert_int_equal(d->controllers[3].index, 2);
    assert_null(d->controllers[3].model);
    assert_ptr_equal(kvl_domain_controller(d, "scsi", 1), &d->controllers[0]);
    assert_ptr_equal(kvl_domain_controller(d, "scsi", 0), &d->controllers[1]);
    assert_ptr_equal(kvl_domain_controller(d, "pci", 0), &d->controllers[2]);
    assert_null(kvl_domain_controller(d, "usb", 0));

    assert_int_equal(d->nifaces, 3);
    assert_string_equal(d->ifaces[0].type, "network");
    assert_string_equal(d->ifaces[0].mac, "52:54:00:12:34:56");
    assert_string_equal(d->ifaces[0].source, "default");
    assert_string_equal(d->ifaces[0].model, "virtio");
    assert_string_equal(d->ifaces[0].driver_name, "vhost");
    assert_true(d->ifaces[0].has_queues);
    assert_int_equal(d->ifaces[0].queues, 4);
    assert_true(d->ifaces[0].model_node != 0);
    assert_true(d->ifaces[0].driver_node != 0);
    assert_string_equal(d->ifaces[1].source, "br0");
    assert_string_equal(d->ifaces[1].model, "e1000e");
    assert_false(d->ifaces[1].has_queues);
    assert_int_equal(d->ifaces[1].driver_node, 0);
    assert_true(d->ifaces[2].has_pci_address);
    assert_int_equal(d->ifaces[2].pci.bus, 0x3b);
    assert_int_equal(d->ifaces[2].pci.slot, 2);
    assert_int_equal(d->ifaces[2].pci.function, 1);

    assert_int_equal(d->nhostdevs, 2);
    assert_string_equal(d->hostdevs[0].mode, "subsystem");
    assert_string_equal(d->hostdevs[0].type, "pci");
    assert_true(d->hostdevs[0].has_pci_address);
    assert_int_equal(d->hostdevs[0].domain, 0);
    assert_int_equal(d->hostdevs[0].bus, 6);
    assert_int_equal(d->hostdevs[0].slot, 2);
    assert_int_equal(d->hostdevs[0].function, 0);
    assert_string_equal(d->hostdevs[1].type, "usb");
    assert_false(d->hostdevs[1].has_pci_address);

    assert_int_equal(d->nmemdevs, 1);
    assert_string_equal(d->memdevs[0].model, "dimm");
    assert_true(d->memdevs[0].has_size);
    assert_int_equal(d->memdevs[0].size_kib, UINT64_C(1) << 20);
    assert_true(d->memdevs[0].has_guest_node);
    assert_int_equal(d->memdevs[0].guest_node, 1);
    done(f);
}

static void minimal_defaults(void **state)
{
    fixture *f = build("<domain type='qemu'><name>m</name><memory>1024</memory></domain>");
    kvl_domain *d = f->dom;
    uint64_t kib;

    (void)state;
    no_findings(f);
    assert_true(kvl_domain_is_kvm_scope(d));
    /* libvirt's defaults: one vCPU, topology from the vCPU count */
    assert_false(d->has_vcpus);
    assert_int_equal(d->vcpus, 1);
    assert_false(d->has_topology);
    assert_int_equal(d->sockets, 1);
    assert_int_equal(d->cores, 1);
    assert_int_equal(d->threads, 1);
    assert_int_equal(d->iothreads, 0);
    assert_null(d->iothread_ids);
    assert_null(d->cpu_model);
    assert_null(d->numa_mode);
    assert_null(d->uuid);
    assert_false(d->hugepages);
    assert_int_equal(kvl_domain_default_page_kib(d), 0);
    assert_null(kvl_domain_boot_disk(d));
    assert_false(kvl_domain_is_windows(d));
    assert_false(kvl_domain_is_latency_critical(d));
    assert_true(kvl_domain_effective_memory(d, &kib));
    assert_int_equal(kib, 1024);
    done(f);

    f = build("<domain type='lxc'><name>c</name></domain>");
    assert_false(kvl_domain_is_kvm_scope(f->dom));
    assert_false(kvl_domain_effective_memory(f->dom, &kib));
    done(f);
}

static void missing_topology_uses_vcpus(void **state)
{
    fixture *f = build_body("<vcpu>6</vcpu><cpu mode='host-passthrough'/>"
                            "<numatune><memory nodeset='0'/></numatune>");

    (void)state;
    no_findings(f);
    assert_int_equal(f->dom->sockets, 6);
    assert_int_equal(f->dom->dies, 1);
    assert_int_equal(f->dom->clusters, 1);
    assert_int_equal(f->dom->cores, 1);
    assert_int_equal(f->dom->threads, 1);
    assert_string_equal(f->dom->cpu_mode, "host-passthrough");
    /* mode absent on <numatune><memory>: libvirt's strict */
    assert_string_equal(f->dom->numa_mode, "strict");
    done(f);

    f = build_body("<vcpu>8</vcpu><cpu><topology sockets='1' cores='4'/></cpu>");
    no_findings(f);
    assert_true(f->dom->has_topology);
    assert_int_equal(f->dom->sockets, 1);
    assert_int_equal(f->dom->dies, 1);
    assert_int_equal(f->dom->clusters, 1);
    assert_int_equal(f->dom->cores, 4);
    assert_int_equal(f->dom->threads, 1);
    done(f);
}

static void first_singleton_wins(void **state)
{
    fixture *f = build_body("<memory>100</memory><memory>200</memory>"
                            "<vcpu>2</vcpu><vcpu>oops</vcpu>"
                            "<foo:vcpu xmlns:foo='urn:x'>9</foo:vcpu>");

    (void)state;
    no_findings(f);     /* the ignored duplicate is not even parsed, as in libvirt */
    assert_int_equal(f->dom->memory_kib, 100);
    assert_int_equal(f->dom->vcpus, 2);
    done(f);
}

/* ---- Positions ---- */

static void source_lines(void **state)
{
    const char *xml =
        "<domain type='kvm'>\n"
        "  <name>pos</name>\n"
        "  <!-- <vcpu>3</vcpu> a comment first -->\n"
        "  <memory\n"
        "     unit='MiB'>512</memory>\n"
        "  <vcpu placement='static'\n"
        "        cpuset='0-3'\n"
        "        current='2'>4</vcpu>\n"
        "  <cputune>\n"
        "    <vcpupin vcpu='0'\n"
        "             cpuset='1'/>\n"
        "  </cputune>\n"
        "</domain>\n";
    fixture *f = build(xml);
    unsigned line, col;
    kvl_pos p;

    (void)state;
    no_findings(f);
    where(xml, "<vcpu placement", &line, &col);
    p = kvl_doc_ref_pos(f->doc, f->dom->vcpu_node, NULL);
    assert_int_equal(p.line, line);
    assert_int_equal(p.col, col);
    where(xml, "cpuset='0-3'", &line, &col);
    p = kvl_doc_ref_pos(f->doc, f->dom->vcpu_node, "cpuset");
    assert_int_equal(p.line, line);
    assert_int_equal(p.col, col);
    where(xml, "<memory", &line, &col);
    p = kvl_doc_ref_pos(f->doc, f->dom->memory_node, NULL);
    assert_int_equal(p.line, line);
    where(xml, "<vcpupin", &line, &col);
    p = kvl_doc_ref_pos(f->doc, f->dom->vcpupins[0].node, NULL);
    assert_int_equal(p.line, line);
    assert_int_equal(p.col, col);
    done(f);
}

/* ---- value-invalid ---- */

static const char bad_xml[] =
    "<domain type='kvm'>\n"
    "  <name>bad</name>\n"
    "  <memory unit='XB'>1024</memory>\n"
    "  <currentMemory>12abc</currentMemory>\n"
    "  <vcpu placement='sideways'>0</vcpu>\n"
    "  <cputune>\n"
    "    <vcpupin vcpu='0' cpuset='1-x'/>\n"
    "    <vcpupin vcpu='one' cpuset='1'/>\n"
    "    <vcpupin cpuset='1'/>\n"
    "    <emulatorpin cpuset='3-1'/>\n"
    "    <vcpusched vcpus='0' scheduler='deadline' priority='high'/>\n"
    "  </cputune>\n"
    "  <cpu><topology sockets='0' cores='2' threads='x'/>\n"
    "    <numa><cell id='0' cpus='0-1' memory='1' unit='GiBi'/><cell cpus='2' memory='-5'/></numa>\n"
    "  </cpu>\n"
    "  <numatune><memory mode='fast' nodeset='0,^0'/><memnode mode='strict' nodeset='0'/></numatune>\n"
    "  <memoryBacking><hugepages>\n"
    "    <page size='0'/><page unit='M'/><page size='2' unit='M' nodeset='a'/>\n"
    "  </hugepages></memoryBacking>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'><driver iothread='0'/><target dev='vda'/><boot order='0'/>\n"
    "      <iotune><total_bytes_sec>lots</total_bytes_sec></iotune></disk>\n"
    "    <interface type='network'><driver queues='-1'/></interface>\n"
    "    <hostdev mode='subsystem' type='pci'><source>\n"
    "      <address domain='0x0000' bus='0x100' slot='0x20' function='8'/></source></hostdev>\n"
    "  </devices>\n"
    "</domain>\n";

static void invalid_values_reported(void **state)
{
    fixture *f = build(bad_xml);
    kvl_domain *d = f->dom;
    const kvl_finding *fd;

    (void)state;
    /* the positions the brief names: the attribute of a bad cpuset, a bad
     * unit, and the element of a bad number in element text */
    fd = finding(f, "invalid cpuset '1-x' in <vcpupin cpuset>: ");
    assert_at(f, fd, "cpuset='1-x'");
    assert_non_null(fd->hint);
    assert_int_equal(fd->severity, KVL_SEV_ERROR);
    assert_true(fd->input_error);
    assert_string_equal(fd->path, "t.xml");
    fd = finding(f, "invalid unit 'XB' in <memory unit>: unknown unit");
    assert_at(f, fd, "unit='XB'");
    fd = finding(f, "invalid number '0' in <vcpu>: must be at least 1");
    assert_at(f, fd, "<vcpu");
    fd = finding(f, "invalid size '12abc' in <currentMemory>: not a number");
    assert_at(f, fd, "<currentMemory");

    assert_at(f, finding(f, "invalid value 'sideways' in <vcpu placement>"), "placement=");
    assert_at(f, finding(f, "invalid number 'one' in <vcpupin vcpu>"), "vcpu='one'");
    assert_at(f, finding(f, "missing attribute 'vcpu' in <vcpupin>"), "<vcpupin cpuset");
    assert_at(f, finding(f, "invalid cpuset '3-1' in <emulatorpin cpuset>: a range ends"),
              "cpuset='3-1'");
    finding(f, "invalid value 'deadline' in <vcpusched scheduler>");
    finding(f, "invalid number 'high' in <vcpusched priority>");
    assert_at(f, finding(f, "invalid number '0' in <topology sockets>"), "sockets=");
    finding(f, "invalid number 'x' in <topology threads>");
    assert_at(f, finding(f, "invalid unit 'GiBi' in <cell unit>"), "unit='GiBi'");
    assert_at(f, finding(f, "invalid size '-5' in <cell memory>: a sign"), "memory='-5'");
    finding(f, "invalid value 'fast' in <memory mode>");
    assert_at(f, finding(f, "invalid nodeset '0,^0' in <memory nodeset>: the set selects nothing"),
              "nodeset='0,^0'");
    finding(f, "missing attribute 'cellid' in <memnode>");
    finding(f, "invalid size '0' in <page size>: a page size cannot be zero");
    finding(f, "missing attribute 'size' in <page>");
    finding(f, "invalid nodeset 'a' in <page nodeset>");
    finding(f, "invalid number '0' in <driver iothread>");
    finding(f, "invalid number '0' in <boot order>");
    assert_at(f, finding(f, "invalid number 'lots' in <total_bytes_sec>"), "<total_bytes_sec");
    finding(f, "invalid number '-1' in <driver queues>");
    assert_at(f, finding(f, "invalid number '0x100' in <address bus>"), "bus='0x100'");
    finding(f, "invalid number '0x20' in <address slot>");
    finding(f, "invalid number '8' in <address function>");
    assert_int_equal(f->list.n, 27);
    for (size_t i = 0; i < f->list.n; i++) {
        assert_true(f->list.v[i].line > 0);
        assert_true(f->list.v[i].message[0] >= 'a' && f->list.v[i].message[0] <= 'z');
    }

    /* and the model is still there, with the bad values unset */
    assert_false(d->has_memory);
    assert_false(d->has_current_memory);
    assert_false(d->has_vcpus);
    assert_int_equal(d->vcpus, 0);
    assert_null(d->vcpu_placement);
    assert_int_equal(d->nvcpupins, 1);          /* entries without a vcpu are dropped */
    assert_null(d->vcpupins[0].cpus);
    assert_null(d->emulatorpin);
    assert_true(d->emulatorpin_node != 0);
    assert_null(d->vcpuscheds[0].scheduler);
    assert_false(d->vcpuscheds[0].has_priority);
    assert_int_equal(d->sockets, 1);
    assert_int_equal(d->cores, 2);
    assert_int_equal(d->threads, 1);
    assert_int_equal(d->ncells, 2);
    assert_false(d->cells[0].has_memory);
    assert_false(d->cells[1].has_id);
    assert_int_equal(d->cells[1].id, 1);        /* its position */
    assert_null(d->numa_mode);
    assert_null(d->numa_nodeset);
    assert_false(d->memnodes[0].has_cellid);
    assert_int_equal(d->npages, 3);
    assert_int_equal(d->pages[0].size_kib, 0);
    assert_int_equal(d->pages[2].size_kib, 2048);
    assert_null(d->pages[2].nodeset);
    assert_false(d->disks[0].has_iothread);
    assert_int_equal(d->disks[0].boot_order, 0);
    assert_false(d->disks[0].has_iotune);
    assert_false(d->ifaces[0].has_queues);
    assert_false(d->hostdevs[0].has_pci_address);
    /* derived facts stay quiet on what could not be read */
    assert_false(kvl_domain_is_pinned(d, NULL));
    assert_false(kvl_domain_is_latency_critical(d));
    {
        uint64_t kib;
        assert_false(kvl_domain_effective_memory(d, &kib));
    }
    done(f);
}

static void long_values_are_shortened(void **state)
{
    char big[300];
    char *body;
    fixture *f;
    const kvl_finding *fd;

    (void)state;
    memset(big, '7', sizeof(big) - 1);
    big[0] = 'x';
    big[sizeof(big) - 1] = '\0';
    body = kvl_xasprintf("<vcpu cpuset='%s'>2</vcpu>", big);
    f = build_body(body);
    fd = finding(f, "invalid cpuset 'x777");
    assert_non_null(strstr(fd->message, "...'"));
    assert_true(strlen(fd->message) < 200);
    done(f);
    free(body);
}

static void build_without_sink(void **state)
{
    const char *xml = "<domain type='kvm'><vcpu>x</vcpu></domain>";
    kvl_doc *doc = kvl_doc_parse("t.xml", xml, strlen(xml));
    kvl_domain *d = kvl_domain_build(doc, NULL);

    (void)state;
    assert_non_null(d);
    assert_false(d->has_vcpus);
    kvl_domain_free(d);
    kvl_domain_free(NULL);
    kvl_doc_free(doc);

    /* not a domain: nothing to build (the loader reports it) */
    doc = kvl_doc_parse("t.xml", "<capabilities/>", 15);
    assert_null(kvl_domain_build(doc, NULL));
    kvl_doc_free(doc);
    doc = kvl_doc_parse("t.xml", "<domain", 7);
    assert_null(kvl_domain_build(doc, NULL));
    kvl_doc_free(doc);
    assert_null(kvl_domain_build(NULL, NULL));
}

/* ---- Metadata ---- */

static void metadata_by_uri_not_prefix(void **state)
{
    fixture *f;

    (void)state;
    /* any prefix, or a default namespace, with kvmlint's URI */
    f = build_body("<metadata><x:hints xmlns:x='http://kvmlint.org/xmlns/domain/1.0'>"
                   "<x:critical/></x:hints></metadata>");
    no_findings(f);
    assert_true(f->dom->meta_critical);
    assert_false(f->dom->meta_windows);
    done(f);
    f = build_body("<metadata><hints xmlns='http://kvmlint.org/xmlns/domain/1.0'>"
                   "<windows/></hints></metadata>");
    no_findings(f);
    assert_true(f->dom->meta_windows);
    assert_true(kvl_domain_is_windows(f->dom));
    done(f);

    /* near misses: the right prefix with another URI, or no namespace */
    f = build_body("<metadata><kvmlint:hints xmlns:kvmlint='http://kvmlint.org/xmlns/domain/2.0'>"
                   "<kvmlint:critical/></kvmlint:hints><hints><critical/></hints></metadata>");
    no_findings(f);
    assert_false(f->dom->meta_critical);
    assert_int_equal(f->dom->meta_node, 0);
    done(f);
    /* annotations outside <metadata> mean nothing */
    f = build_body("<kvmlint:hints xmlns:kvmlint='http://kvmlint.org/xmlns/domain/1.0'>"
                   "<kvmlint:critical/></kvmlint:hints>");
    no_findings(f);
    assert_false(f->dom->meta_critical);
    done(f);
}

static void metadata_problems_reported(void **state)
{
    fixture *f = build_body(
        "<metadata>\n"
        "<k:hints xmlns:k='http://kvmlint.org/xmlns/domain/1.0'>\n"
        "  <k:critcal/>\n"
        "  <k:hot-disk target='vdz'/>\n"
        "  <k:hot-disk/>\n"
        "  <k:hot-disk target='vda'/>\n"
        "</k:hints>\n"
        "<k:hints xmlns:k='http://kvmlint.org/xmlns/domain/1.0'><k:windows/></k:hints>\n"
        "</metadata>\n"
        "<devices><disk type='file' device='disk'><target dev='vda'/></disk></devices>");

    (void)state;
    assert_at(f, finding(f, "unknown kvmlint annotation <k:critcal>"), "<k:critcal");
    assert_at(f, finding(f, "invalid disk target 'vdz' in <hot-disk target>: no disk"),
              "target='vdz'");
    finding(f, "missing attribute 'target' in <hot-disk>");
    finding(f, "second kvmlint element <k:hints>");
    assert_int_equal(f->list.n, 4);
    assert_false(f->dom->meta_critical);
    assert_false(f->dom->meta_windows);          /* libvirt drops the second element */
    assert_true(f->dom->disks[0].hot_annotated);
    done(f);

    f = build_body("<metadata><k:tips xmlns:k='http://kvmlint.org/xmlns/domain/1.0'>"
                   "<k:critical/></k:tips></metadata>");
    finding(f, "unknown kvmlint element <k:tips> in <metadata>");
    assert_false(f->dom->meta_critical);
    done(f);
}

static void libosinfo_windows(void **state)
{
    fixture *f;

    (void)state;
    f = build_body("<metadata><libosinfo:libosinfo "
                   "xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>"
                   "<libosinfo:os id='http://microsoft.com/win/2k22'/></libosinfo:libosinfo>"
                   "</metadata>");
    assert_string_equal(f->dom->os_id, "http://microsoft.com/win/2k22");
    assert_true(kvl_domain_is_windows(f->dom));
    done(f);
    /* near miss: another OS, and a look-alike id */
    f = build_body("<metadata><libosinfo:libosinfo "
                   "xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>"
                   "<libosinfo:os id='http://microsoft.com/windows-like/1'/></libosinfo:libosinfo>"
                   "</metadata>");
    assert_false(kvl_domain_is_windows(f->dom));
    done(f);
    f = build_body("<features><hyperv/></features>");
    assert_true(kvl_domain_is_windows(f->dom));
    done(f);
    f = build_body("<features><acpi/></features>");
    assert_false(kvl_domain_is_windows(f->dom));
    done(f);
}

/* ---- Derived facts ---- */

static void effective_pinning(void **state)
{
    fixture *f;
    kvl_ref node = 1;

    (void)state;
    f = build_body("<vcpu>2</vcpu>");
    assert_null(kvl_domain_vcpu_pin(f->dom, 0, &node));
    assert_int_equal(node, 0);
    assert_null(kvl_domain_emulator_pin(f->dom, NULL));
    assert_null(kvl_domain_iothread_pin(f->dom, 1, NULL));
    done(f);

    /* an invalid vcpupin cpuset falls back to <vcpu cpuset> */
    f = build_body("<vcpu cpuset='4-7'>2</vcpu>"
                   "<cputune><vcpupin vcpu='1' cpuset='9-'/><iothreadpin iothread='1' cpuset='z'/>"
                   "</cputune>");
    assert_set(kvl_domain_vcpu_pin(f->dom, 1, &node), "4-7");
    assert_int_equal(node, f->dom->vcpu_node);
    assert_set(kvl_domain_emulator_pin(f->dom, NULL), "4-7");
    assert_set(kvl_domain_iothread_pin(f->dom, 1, NULL), "4-7");
    done(f);

    /* placement='auto': numad decides, libvirt ignores the cpuset */
    f = build_body("<vcpu placement='auto' cpuset='4-7'>2</vcpu>"
                   "<cputune><vcpupin vcpu='0' cpuset='1'/></cputune>");
    assert_true(kvl_domain_placement_auto(f->dom));
    assert_set(kvl_domain_vcpu_pin(f->dom, 0, NULL), "1");
    assert_null(kvl_domain_vcpu_pin(f->dom, 1, NULL));
    done(f);
    /* placement follows numatune's when absent, unless a cpuset is given */
    f = build_body("<vcpu>2</vcpu><numatune><memory mode='strict' placement='auto'/></numatune>");
    assert_true(kvl_domain_placement_auto(f->dom));
    done(f);
    f = build_body("<vcpu cpuset='1'>2</vcpu>"
                   "<numatune><memory mode='strict' placement='auto'/></numatune>");
    assert_false(kvl_domain_placement_auto(f->dom));
    done(f);
}

static void pinned_vm(void **state)
{
    hwloc_bitmap_t host = hwloc_bitmap_alloc();
    fixture *f;

    (void)state;
    hwloc_bitmap_set_range(host, 0, 7);

    /* every vCPU has a vcpupin */
    f = build_body("<vcpu>2</vcpu><cputune><vcpupin vcpu='0' cpuset='0-7'/>"
                   "<vcpupin vcpu='1' cpuset='3'/></cputune>");
    assert_true(kvl_domain_is_pinned(f->dom, host));
    assert_true(kvl_domain_is_pinned(f->dom, NULL));
    done(f);
    /* near miss: one vCPU floats */
    f = build_body("<vcpu>3</vcpu><cputune><vcpupin vcpu='0' cpuset='1'/>"
                   "<vcpupin vcpu='1' cpuset='2'/><vcpupin vcpu='3' cpuset='3'/></cputune>");
    assert_false(kvl_domain_is_pinned(f->dom, host));
    assert_false(kvl_domain_is_pinned(f->dom, NULL));
    done(f);
    /* near miss: a vcpupin with an invalid cpuset is no pinning */
    f = build_body("<vcpu>1</vcpu><cputune><vcpupin vcpu='0' cpuset='x'/></cputune>");
    assert_false(kvl_domain_is_pinned(f->dom, NULL));
    done(f);

    /* <vcpu cpuset> that restricts */
    f = build_body("<vcpu cpuset='0-3'>4</vcpu>");
    assert_true(kvl_domain_is_pinned(f->dom, host));
    assert_true(kvl_domain_is_pinned(f->dom, NULL));
    done(f);
    /* near miss: it covers every host CPU; without a host it still counts */
    f = build_body("<vcpu cpuset='0-15'>4</vcpu>");
    assert_false(kvl_domain_is_pinned(f->dom, host));
    assert_true(kvl_domain_is_pinned(f->dom, NULL));
    done(f);
    /* mixed: vcpupin for some, a restricting cpuset for the rest */
    f = build_body("<vcpu cpuset='4-5'>4</vcpu><cputune><vcpupin vcpu='0' cpuset='0'/></cputune>");
    assert_true(kvl_domain_is_pinned(f->dom, host));
    done(f);
    /* near miss: placement auto ignores the cpuset */
    f = build_body("<vcpu placement='auto' cpuset='0-3'>4</vcpu>");
    assert_false(kvl_domain_is_pinned(f->dom, host));
    assert_false(kvl_domain_is_pinned(f->dom, NULL));
    done(f);
    /* nothing */
    f = build_body("<vcpu>4</vcpu>");
    assert_false(kvl_domain_is_pinned(f->dom, host));
    assert_false(kvl_domain_is_pinned(f->dom, NULL));
    done(f);
    hwloc_bitmap_free(host);
}

static void latency_critical(void **state)
{
    struct {
        const char *body;
        bool critical;
    } cases[] = {
        /* 1:1 pinning */
        { "<vcpu>2</vcpu><cputune><vcpupin vcpu='0' cpuset='2'/>"
          "<vcpupin vcpu='1' cpuset='3'/></cputune>", true },
        { "<vcpu cpuset='5'>1</vcpu>", true },
        { "<vcpu cpuset='5'>2</vcpu><cputune><vcpupin vcpu='0' cpuset='4'/></cputune>", true },
        /* near misses: shared CPU, two CPUs, one floating, cpuset shared by two */
        { "<vcpu>2</vcpu><cputune><vcpupin vcpu='0' cpuset='2'/>"
          "<vcpupin vcpu='1' cpuset='2'/></cputune>", false },
        { "<vcpu>2</vcpu><cputune><vcpupin vcpu='0' cpuset='2'/>"
          "<vcpupin vcpu='1' cpuset='3-4'/></cputune>", false },
        { "<vcpu>2</vcpu><cputune><vcpupin vcpu='0' cpuset='2'/></cputune>", false },
        { "<vcpu cpuset='5'>2</vcpu>", false },
        { "<vcpu cpuset='5'>2</vcpu><cputune><vcpupin vcpu='0' cpuset='5'/></cputune>", false },
        /* real-time schedulers */
        { "<vcpu>2</vcpu><cputune><vcpusched vcpus='0' scheduler='fifo' priority='1'/></cputune>", true },
        { "<vcpu>2</vcpu><cputune><vcpusched vcpus='1' scheduler='rr' priority='1'/></cputune>", true },
        { "<vcpu>2</vcpu><cputune><vcpusched vcpus='0-1' scheduler='batch'/></cputune>", false },
        { "<vcpu>2</vcpu><cputune><vcpusched vcpus='0-1' scheduler='idle'/></cputune>", false },
        /* metadata */
        { "<vcpu>2</vcpu><metadata><k:hints xmlns:k='http://kvmlint.org/xmlns/domain/1.0'>"
          "<k:critical/></k:hints></metadata>", true },
        { "<vcpu>2</vcpu><metadata><k:hints xmlns:k='http://kvmlint.org/xmlns/domain/1.0'>"
          "<k:windows/></k:hints></metadata>", false },
        /* hugepages together with locked */
        { "<vcpu>2</vcpu><memoryBacking><hugepages/><locked/></memoryBacking>", true },
        { "<vcpu>2</vcpu><memoryBacking><hugepages/></memoryBacking>", false },
        { "<vcpu>2</vcpu><memoryBacking><locked/><nosharepages/></memoryBacking>", false },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fixture *f = build_body(cases[i].body);

        if (kvl_domain_is_latency_critical(f->dom) != cases[i].critical)
            fail_msg("case %zu (%s): latency-critical should be %s", i, cases[i].body,
                     cases[i].critical ? "true" : "false");
        done(f);
    }
}

static void boot_disk(void **state)
{
    fixture *f;

    (void)state;
    /* without boot order: the first device='disk', skipping the cdrom */
    f = build_body("<devices>"
                   "<disk type='file' device='cdrom'><target dev='hda'/></disk>"
                   "<disk type='file'><target dev='vda'/></disk>"
                   "<disk type='file' device='disk'><target dev='vdb'/></disk>"
                   "</devices>");
    assert_ptr_equal(kvl_domain_boot_disk(f->dom), &f->dom->disks[1]);
    assert_true(kvl_disk_is_disk(&f->dom->disks[1]));     /* device absent = disk */
    done(f);
    /* the lowest boot order among disks; a cdrom's order does not count */
    f = build_body("<devices>"
                   "<disk type='file' device='cdrom'><target dev='hda'/><boot order='1'/></disk>"
                   "<disk type='file' device='disk'><target dev='vda'/><boot order='3'/></disk>"
                   "<disk type='file' device='disk'><target dev='vdb'/><boot order='2'/></disk>"
                   "<disk type='file' device='disk'><target dev='vdc'/></disk>"
                   "</devices>");
    assert_ptr_equal(kvl_domain_boot_disk(f->dom), &f->dom->disks[2]);
    done(f);
    /* only a cdrom has a boot order: back to the first disk */
    f = build_body("<devices>"
                   "<disk type='file' device='cdrom'><target dev='hda'/><boot order='1'/></disk>"
                   "<disk type='file' device='disk'><target dev='vda'/></disk>"
                   "</devices>");
    assert_ptr_equal(kvl_domain_boot_disk(f->dom), &f->dom->disks[1]);
    done(f);
    f = build_body("<devices><disk type='file' device='cdrom'><target dev='hda'/></disk></devices>");
    assert_null(kvl_domain_boot_disk(f->dom));
    done(f);
}

static void hot_disks(void **state)
{
    fixture *f;
    const kvl_disk *k;

    (void)state;
    /* an unpinned VM: each clause alone, and its near miss */
    f = build_body(
        "<vcpu>2</vcpu>"
        "<metadata><k:hints xmlns:k='http://kvmlint.org/xmlns/domain/1.0'>"
        "<k:hot-disk target='vda'/><k:hot-disk target='vdb'/><k:hot-disk target='hdc'/>"
        "</k:hints></metadata>"
        "<devices>"
        "<disk device='disk'><target dev='vda'/></disk>"                               /* 0 annotated */
        "<disk device='disk'><target dev='vdb'/><readonly/></disk>"                    /* 1 read-only */
        "<disk device='cdrom'><target dev='hdc'/></disk>"                              /* 2 cdrom */
        "<disk device='disk'><driver iothread='1'/><target dev='vdd'/></disk>"         /* 3 iothread */
        "<disk device='disk'><driver name='qemu'/><target dev='vde'/></disk>"          /* 4 plain */
        "<disk device='disk'><target dev='vdf'/><iotune><read_bytes_sec>1000</read_bytes_sec>"
        "</iotune></disk>"                                                             /* 5 iotune */
        "<disk device='disk'><target dev='vdg'/><iotune><total_iops_sec>0</total_iops_sec>"
        "<group_name>g</group_name><total_iops_sec_max_length>5</total_iops_sec_max_length>"
        "</iotune></disk>"                                                             /* 6 no limit */
        "<disk device='disk'><driver io='native'/><target dev='vdh'/></disk>"          /* 7 native */
        "<disk device='disk'><driver io='io_uring'/><target dev='vdi'/></disk>"        /* 8 io_uring */
        "<disk device='disk'><driver io='threads'/><target dev='vdj'/></disk>"         /* 9 threads */
        "<disk device='disk'><driver io='native'/><target dev='vdk'/><readonly/></disk>" /* 10 */
        "<disk device='lun'><driver iothread='1'/><target dev='sdl'/></disk>"          /* 11 lun */
        "</devices>");
    {
        const bool want[] = { true, false, false, true, false, true, false, true, true,
                              false, false, false };

        assert_int_equal(f->dom->ndisks, 12);
        for (size_t i = 0; i < f->dom->ndisks; i++)
            if (kvl_disk_is_hot(f->dom, &f->dom->disks[i], false) != want[i])
                fail_msg("disk %zu (%s): hot should be %s", i, f->dom->disks[i].target,
                         want[i] ? "true" : "false");
    }
    assert_true(f->dom->disks[0].hot_annotated);
    assert_true(f->dom->disks[2].hot_annotated);     /* annotated, but a cdrom */
    /* zero rates and burst lengths are recorded, but are no limit */
    assert_int_equal(f->dom->disks[6].iotune_set,
                     (1u << KVL_IOTUNE_TOTAL_IOPS_SEC) |
                     (1u << KVL_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH));
    assert_int_equal(f->dom->disks[6].iotune[KVL_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH], 5);
    assert_string_equal(f->dom->disks[6].iotune_group, "g");
    done(f);

    /* a pinned VM: every writable disk but the boot disk */
    f = build_body("<vcpu>2</vcpu><devices>"
                   "<disk device='disk'><target dev='vda'/></disk>"
                   "<disk device='disk'><target dev='vdb'/></disk>"
                   "<disk device='disk'><target dev='vdc'/><readonly/></disk>"
                   "</devices>");
    k = f->dom->disks;
    assert_false(kvl_disk_is_hot(f->dom, &k[0], true));
    assert_true(kvl_disk_is_hot(f->dom, &k[1], true));
    assert_false(kvl_disk_is_hot(f->dom, &k[2], true));
    /* near miss: the same VM unpinned */
    assert_false(kvl_disk_is_hot(f->dom, &k[1], false));
    done(f);

    /* latency-critical (hugepages + locked) counts as pinned */
    f = build_body("<vcpu>2</vcpu><memoryBacking><hugepages/><locked/></memoryBacking><devices>"
                   "<disk device='disk'><target dev='vda'/><boot order='2'/></disk>"
                   "<disk device='disk'><target dev='vdb'/><boot order='1'/></disk>"
                   "</devices>");
    k = f->dom->disks;
    assert_true(kvl_disk_is_hot(f->dom, &k[0], false));
    assert_false(kvl_disk_is_hot(f->dom, &k[1], false));
    done(f);
}

static void bus_inference(void **state)
{
    fixture *f = build_body(
        "<devices>"
        "<disk><target dev='hda'/></disk>"
        "<disk><target dev='sdb'/></disk>"
        "<disk><target dev='vdc'/></disk>"
        "<disk><target dev='xvdd'/></disk>"
        "<disk><target dev='ubde'/></disk>"
        "<disk><target dev='vda' bus='sata'/></disk>"
        "<disk device='floppy'><target dev='fda'/></disk>"
        "<disk><target dev='nvme0n1'/></disk>"
        "<disk><source file='/x'/></disk>"
        "<disk><target dev='sda' bus=''/></disk>"
        "</devices>");
    const char *want[] = { "ide", "scsi", "virtio", "xen", "usb", "sata", "fdc", NULL, NULL,
                           "scsi" };

    (void)state;
    assert_int_equal(f->dom->ndisks, 10);
    for (size_t i = 0; i < f->dom->ndisks; i++) {
        const char *bus = kvl_disk_bus(&f->dom->disks[i]);

        if (!want[i])
            assert_null(bus);
        else
            assert_string_equal(bus, want[i]);
    }
    done(f);
}

static void effective_memory(void **state)
{
    fixture *f;
    uint64_t kib = 0;

    (void)state;
    f = build_body("<memory unit='GiB'>99</memory><cpu><numa>"
                   "<cell id='0' cpus='0' memory='1' unit='GiB'/>"
                   "<cell id='1' cpus='1' memory='524288'/>"
                   "</numa></cpu>");
    assert_true(kvl_domain_effective_memory(f->dom, &kib));
    assert_int_equal(kib, 1048576 + 524288);
    done(f);
    /* a cell without memory: unknown, not a guess */
    f = build_body("<memory unit='GiB'>2</memory><cpu><numa>"
                   "<cell id='0' cpus='0' memory='1' unit='GiB'/><cell id='1' cpus='1'/>"
                   "</numa></cpu>");
    assert_false(kvl_domain_effective_memory(f->dom, &kib));
    finding(f, "missing attribute 'memory' in <cell>");
    done(f);
    /* memory devices add to the cells */
    f = build_body("<memory unit='GiB'>2</memory><cpu><numa>"
                   "<cell id='0' cpus='0' memory='1' unit='GiB'/></numa></cpu>"
                   "<devices><memory model='virtio-mem'><target><size unit='MiB'>512</size>"
                   "<node>0</node><block unit='MiB'>2</block></target></memory></devices>");
    assert_true(kvl_domain_effective_memory(f->dom, &kib));
    assert_int_equal(kib, 1048576 + 524288);
    done(f);
    /* no cells: <memory> */
    f = build_body("<memory unit='MiB'>3</memory>");
    assert_true(kvl_domain_effective_memory(f->dom, &kib));
    assert_int_equal(kib, 3072);
    done(f);
}

static void iothread_ids(void **state)
{
    fixture *f;

    (void)state;
    f = build_body("<iothreads>4</iothreads>");
    assert_int_equal(f->dom->niothread_ids, 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(f->dom->iothread_ids[i], i + 1);
    done(f);
    /* ids beyond the count raise it; <iothreadids> may come first */
    f = build_body("<iothreadids><iothread id='1'/><iothread id='3'/><iothread id='4'/>"
                   "</iothreadids><iothreads>2</iothreads>");
    assert_int_equal(f->dom->iothreads, 3);
    assert_int_equal(f->dom->niothread_ids, 3);
    done(f);
    f = build_body("<iothreads>4</iothreads><iothreadids><iothread id='1'/><iothread id='3'/>"
                   "<iothread id='3'/></iothreadids>");
    finding(f, "invalid number '3' in <iothread id>: duplicate");
    assert_int_equal(f->dom->niothread_ids, 4);
    assert_int_equal(f->dom->iothread_ids[2], 2);
    assert_int_equal(f->dom->iothread_ids[3], 4);
    done(f);
}

static void vcpu_limit(void **state)
{
    fixture *f = build_body("<vcpu>4000000000</vcpu>");

    (void)state;
    finding(f, "invalid number '4000000000' in <vcpu>");
    assert_int_equal(f->dom->vcpus, 0);
    done(f);
    f = build_body("<vcpu>16384</vcpu>");
    no_findings(f);
    assert_int_equal(f->dom->vcpus, 16384);
    assert_false(kvl_domain_is_pinned(f->dom, NULL));
    done(f);
}

/* ---- The corpus ---- */

typedef struct corpus_stats {
    size_t files, domains, with_findings;
} corpus_stats;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void build_file(const char *path, corpus_stats *st)
{
    size_t len;
    char *text = kvl_test_read(path, &len);
    kvl_doc *doc = kvl_doc_parse(path, text, len);
    kvl_findings list = { 0 };
    kvl_sink sink = { .list = &list, .cat = catalogue, .doc = doc };
    kvl_domain *dom;

    st->files++;
    if (doc->xml && kvl_doc_root_name(doc) && strcmp(kvl_doc_root_name(doc), "domain") == 0) {
        dom = kvl_domain_build(doc, &sink);
        assert_non_null(dom);
        st->domains++;
        /* exercise the derived facts on real input */
        {
            bool pinned = kvl_domain_is_pinned(dom, NULL);
            uint64_t kib;

            (void)kvl_domain_is_latency_critical(dom);
            (void)kvl_domain_effective_memory(dom, &kib);
            for (size_t i = 0; i < dom->ndisks; i++) {
                (void)kvl_disk_is_hot(dom, &dom->disks[i], pinned);
                (void)kvl_disk_bus(&dom->disks[i]);
            }
            for (unsigned v = 0; v < dom->vcpus; v++)
                (void)kvl_domain_vcpu_pin(dom, v, NULL);
        }
        if (list.n)
            st->with_findings++;
        if (getenv("KVMLINT_TEST_VERBOSE"))
            for (size_t i = 0; i < list.n; i++)
                print_message("%s:%u:%u: %s\n", path, list.v[i].line, list.v[i].col,
                              list.v[i].message);
        kvl_domain_free(dom);
    }
    kvl_findings_free(&list);
    kvl_doc_free(doc);
    free(text);
}

static void walk_dir(const char *dir, corpus_stats *st)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    assert_non_null(d);
    while ((e = readdir(d))) {
        char *p;
        struct stat sb;

        if (e->d_name[0] == '.')
            continue;
        p = kvl_xasprintf("%s/%s", dir, e->d_name);
        if (stat(p, &sb) == 0) {
            if (S_ISDIR(sb.st_mode))
                walk_dir(p, st);
            else if (S_ISREG(sb.st_mode) && ends_with(p, ".xml"))
                build_file(p, st);
        }
        free(p);
    }
    closedir(d);
}

static void corpus_smoke(void **state)
{
    KVL_NEED_CORPUS(dir, "libvirt/tests");
    corpus_stats st = { 0 };

    (void)state;
    walk_dir(dir, &st);
    print_message("built %zu domain models from %zu files (%zu with value-invalid)\n",
                  st.domains, st.files, st.with_findings);
    assert_true(st.domains > 1000);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rich_identity_and_memory),
        cmocka_unit_test(rich_cpu),
        cmocka_unit_test(rich_devices),
        cmocka_unit_test(minimal_defaults),
        cmocka_unit_test(missing_topology_uses_vcpus),
        cmocka_unit_test(first_singleton_wins),
        cmocka_unit_test(source_lines),
        cmocka_unit_test(invalid_values_reported),
        cmocka_unit_test(long_values_are_shortened),
        cmocka_unit_test(build_without_sink),
        cmocka_unit_test(metadata_by_uri_not_prefix),
        cmocka_unit_test(metadata_problems_reported),
        cmocka_unit_test(libosinfo_windows),
        cmocka_unit_test(effective_pinning),
        cmocka_unit_test(pinned_vm),
        cmocka_unit_test(latency_critical),
        cmocka_unit_test(boot_disk),
        cmocka_unit_test(hot_disks),
        cmocka_unit_test(bus_inference),
        cmocka_unit_test(effective_memory),
        cmocka_unit_test(iothread_ids),
        cmocka_unit_test(vcpu_limit),
        cmocka_unit_test(corpus_smoke),
    };
    return KVL_TEST_RUN_WITH_CATALOGUE(tests, &catalogue);
}
