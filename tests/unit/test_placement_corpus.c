/*
 * The placement fix on a real hwloc snapshot of the corpus: hwloc's own
 * test topology 24em64t-2n6c2t-pci.xml (two nodes, even CPUs on node 0, odd
 * on node 1, a Quadro GPU 0000:14:00.0 below node 1's I/O hub).  A VM
 * pinned on node 0 with that GPU passed through must come back, through
 * the whole fix path (kvl_fix_run), pinned, emulated and bound on node 1,
 * and re-lint clean of placement findings.  The golden case
 * testdata/placement/gpu-hostdev-node does the same on the DL380p G8
 * without the corpus; this test skips, saying so, when the corpus is absent.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fix/fixer.h"
#include "model/domain.h"
#include "model/host.h"
#include "placement/write.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "xml/doc.h"

#define HOST_REL "hwloc/releases/hwloc-2.14.0/tests/hwloc/xml/24em64t-2n6c2t-pci.xml"

static const char vm[] =
    "<domain type='kvm'><name>gpu02</name>"
    "<uuid>0d6f3c2a-51b4-4e0b-9a77-2c1e8f4b6d13</uuid>"
    "<memory unit='GiB'>4</memory><currentMemory unit='GiB'>4</currentMemory>"
    "<memoryBacking><nosharepages/></memoryBacking>"
    "<vcpu placement='static'>4</vcpu>"
    "<cputune><vcpupin vcpu='0' cpuset='0'/><vcpupin vcpu='1' cpuset='2'/>"
    "<vcpupin vcpu='2' cpuset='4'/><vcpupin vcpu='3' cpuset='6'/>"
    "<emulatorpin cpuset='8'/></cputune>"
    "<numatune><memory mode='strict' nodeset='0'/></numatune>"
    "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>"
    "<cpu mode='host-passthrough'><topology sockets='1' cores='4' threads='1'/></cpu>"
    "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
    "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
    "<address domain='0x0000' bus='0x14' slot='0x00' function='0x0'/>"
    "</source></hostdev></devices></domain>\n";

static bool has_finding(const kvl_run *run, const char *rule)
{
    for (size_t i = 0; i < run->findings.n; i++)
        if (strcmp(run->findings.v[i].rule, rule) == 0)
            return true;
    return false;
}

static void test_gpu_moves_to_its_node(void **state)
{
    KVL_NEED_CORPUS(host_path, HOST_REL);
    char dir[] = "/tmp/kvmlint-place-corpus-XXXXXX", *vm_path, *err = NULL;
    kvl_host *host = kvl_host_load(host_path, &err);
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    const kvl_host_pci *gpu;
    kvl_fix_opts opts;
    kvl_fix_result res;
    kvl_doc *doc;
    kvl_domain *dom;
    const kvl_host_node *node;
    FILE *f;

    (void)state;
    assert_non_null(host);
    assert_non_null(cat);
    gpu = kvl_host_pci_find(host, 0, 0x14, 0, 0);
    assert_non_null(gpu);
    assert_int_equal(gpu->node, 1);
    node = kvl_host_node_by_id(host, 1);
    assert_non_null(node);

    assert_non_null(mkdtemp(dir));
    vm_path = kvl_xasprintf("%s/vm.xml", dir);
    f = fopen(vm_path, "w");
    assert_non_null(f);
    fputs(vm, f);
    assert_int_equal(fclose(f), 0);

    kvl_fix_opts_init(&opts);
    kvl_fix_run(&res, cat, host, &opts, &vm_path, 1);
    assert_int_equal(res.nfiles, 1);
    assert_true(has_finding(&res.first, "numa-hostdev-remote"));
    assert_true(res.files[0].applied > 0);
    for (size_t i = 0; i < res.last->findings.n; i++)
        if (kvl_place_is_placement_rule(res.last->findings.v[i].rule))
            fail_msg("still [%s]: %s", res.last->findings.v[i].rule,
                     res.last->findings.v[i].message);

    /* every vCPU, the emulator and the memory on the GPU's node */
    doc = kvl_doc_parse("vm.xml", res.files[0].text, res.files[0].len);
    assert_non_null(doc);
    dom = kvl_domain_build(doc, NULL);
    assert_non_null(dom);
    assert_int_equal(dom->nvcpupins, 4);
    for (size_t i = 0; i < dom->nvcpupins; i++) {
        assert_non_null(dom->vcpupins[i].cpus);
        assert_int_equal(hwloc_bitmap_weight(dom->vcpupins[i].cpus), 1);
        assert_true(hwloc_bitmap_isincluded(dom->vcpupins[i].cpus, node->cpus));
    }
    assert_non_null(dom->emulatorpin);
    assert_true(hwloc_bitmap_isincluded(dom->emulatorpin, node->cpus));
    assert_non_null(dom->numa_nodeset);
    assert_true(hwloc_bitmap_isset(dom->numa_nodeset, 1));
    assert_int_equal(hwloc_bitmap_weight(dom->numa_nodeset), 1);

    kvl_domain_free(dom);
    kvl_doc_free(doc);
    kvl_fix_result_free(&res);
    unlink(vm_path);
    rmdir(dir);
    free(vm_path);
    kvl_catalogue_free(cat);
    kvl_host_free(host);
    free(host_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gpu_moves_to_its_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
