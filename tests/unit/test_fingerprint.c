/*
 * Element identities and finding fingerprints: every kind of model object
 * names itself by what identifies it (kvl_domain_ref_identity), elements
 * inside an object belong to it, and fingerprints stay the same when lines
 * are added or moved elsewhere in the file, while staying unique per run.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lint/engine.h"
#include "model/domain.h"
#include "rules/catalogue.h"
#include "util/buf.h"
#include "util/mem.h"

static const char identity_xml[] =
    "<domain type='kvm'>\n"
    "  <name>ident</name>\n"
    "  <memory unit='GiB'>4</memory>\n"
    "  <vcpu placement='static'>4</vcpu>\n"
    "  <cputune>\n"
    "    <vcpupin vcpu='0' cpuset='0'/>\n"
    "    <vcpupin vcpu='3' cpuset='3'/>\n"
    "    <emulatorpin cpuset='1'/>\n"
    "  </cputune>\n"
    "  <cpu mode='host-passthrough'>\n"
    "    <topology sockets='1' cores='4' threads='1'/>\n"
    "    <numa>\n"
    "      <cell id='0' cpus='0-1' memory='2' unit='GiB'/>\n"
    "      <cell id='1' cpus='2-3' memory='2' unit='GiB'>\n"
    "        <distances><sibling id='0' value='21'/></distances>\n"
    "      </cell>\n"
    "    </numa>\n"
    "  </cpu>\n"
    "  <numatune>\n"
    "    <memory mode='strict' nodeset='0-1'/>\n"
    "    <memnode cellid='1' mode='strict' nodeset='1'/>\n"
    "  </numatune>\n"
    "  <memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages></memoryBacking>\n"
    "  <features><hyperv mode='custom'><vpindex state='on'/></hyperv></features>\n"
    "  <clock offset='utc'><timer name='hpet' present='no'/></clock>\n"
    "  <devices>\n"
    "    <disk type='network' device='disk'>\n"
    "      <driver name='qemu' type='raw'/>\n"
    "      <source protocol='rbd' name='pool/img'><host name='mon1'/></source>\n"
    "      <target dev='vda' bus='virtio'/>\n"
    "    </disk>\n"
    "    <disk type='file' device='cdrom'><source file='/x.iso'/></disk>\n"
    "    <controller type='scsi' index='0' model='virtio-scsi'/>\n"
    "    <interface type='bridge'>\n"
    "      <mac address='52:54:00:AB:CD:EF'/>\n"
    "      <source bridge='br0'/><model type='virtio'/>\n"
    "    </interface>\n"
    "    <interface type='network'><source network='default'/></interface>\n"
    "    <hostdev mode='subsystem' type='pci'>\n"
    "      <source><address domain='0x0000' bus='0x03' slot='0x00' function='0x1'/></source>\n"
    "    </hostdev>\n"
    "    <memory model='dimm'><target><size unit='GiB'>1</size><node>0</node></target></memory>\n"
    "    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n"
    "    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>\n"
    "    <memballoon model='virtio'/>\n"
    "  </devices>\n"
    "</domain>\n";

static void expect(const kvl_domain *dom, kvl_ref ref, const char *want)
{
    char *got = kvl_domain_ref_identity(dom, ref);

    if (strcmp(got, want) != 0)
        fail_msg("ref %u: identity '%s', want '%s'", (unsigned)ref, got, want);
    free(got);
}

static void identities(void **state)
{
    kvl_doc *doc = kvl_doc_parse("ident.xml", identity_xml, strlen(identity_xml));
    kvl_domain *dom = kvl_domain_build(doc, NULL);

    (void)state;
    assert_non_null(dom);
    assert_int_equal(dom->ndisks, 2);
    expect(dom, dom->root, "domain");
    expect(dom, 0, "domain");
    expect(NULL, 5, "document");
    expect(dom, dom->memory_node, "memory");
    expect(dom, dom->vcpu_node, "vcpu");
    expect(dom, dom->cputune_node, "cputune");
    expect(dom, dom->vcpupins[1].node, "vcpupin:3");
    expect(dom, dom->emulatorpin_node, "emulatorpin");
    expect(dom, dom->topology_node, "cpu/topology");
    expect(dom, dom->cells[1].node, "cell:1");
    /* <sibling> inside the cell's <distances> belongs to the cell */
    expect(dom, dom->cells[1].distances[0].node, "cell:1");
    expect(dom, dom->numa_memory_node, "numatune/memory");
    expect(dom, dom->memnodes[0].node, "memnode:1");
    expect(dom, dom->pages[0].node, "page:2048");
    expect(dom, dom->hugepages_node, "memoryBacking/hugepages");
    /* a disk: itself, its parts, and an element the model does not keep */
    expect(dom, dom->disks[0].node, "disk:vda");
    expect(dom, dom->disks[0].driver_node, "disk:vda");
    expect(dom, dom->disks[0].target_node, "disk:vda");
    expect(dom, dom->disks[0].source_node + 1, "disk:vda");     /* <host> */
    expect(dom, dom->disks[1].node, "disk#2");                  /* no target */
    expect(dom, dom->controllers[0].node, "controller:scsi:0");
    expect(dom, dom->ifaces[0].model_node, "interface:52:54:00:ab:cd:ef");
    expect(dom, dom->ifaces[1].node, "interface#2");
    expect(dom, dom->hostdevs[0].node, "hostdev:0000:03:00.1");
    expect(dom, dom->hostdevs[0].node + 2, "hostdev:0000:03:00.1");   /* <address> */
    expect(dom, dom->memdevs[0].node, "memdev#1");
    expect(dom, dom->disks[0].node - 1, "devices");
    expect(dom, dom->channels[0].target_node, "channel:org.qemu.guest_agent.0");
    expect(dom, dom->rngs[0].backend_node, "rng#1");
    expect(dom, dom->memballoon.node, "memballoon");
    expect(dom, dom->timers[0].node, "timer:hpet");
    expect(dom, dom->clock_node, "clock");
    expect(dom, dom->hyperv[KVL_HV_VPINDEX].node, "features/hyperv/vpindex");
    kvl_domain_free(dom);
    kvl_doc_free(doc);
}

/* ---- fingerprints over real runs ---- */

typedef struct lint {
    kvl_catalogue *cat;
    kvl_host *host;
    kvl_run run;
} lint;

static void lint_paths(lint *l, const char *host, const char *const *paths, size_t n)
{
    char *err = NULL;

    l->cat = kvl_catalogue_load(&err);
    assert_non_null(l->cat);
    l->host = NULL;
    if (host) {
        l->host = kvl_host_load(host, &err);
        if (!l->host)
            fail_msg("host %s: %s", host, err);
    }
    kvl_run_init(&l->run, l->cat, l->host, NULL);
    for (size_t i = 0; i < n; i++)
        kvl_run_add_path(&l->run, paths[i]);
    kvl_run_lint(&l->run);
}

static void lint_free(lint *l)
{
    kvl_run_free(&l->run);
    kvl_host_free(l->host);
    kvl_catalogue_free(l->cat);
}

static bool is_hex16(const char *s)
{
    return s && strlen(s) == 16 && strspn(s, "0123456789abcdef") == 16;
}

static void assert_unique(const kvl_run *run)
{
    for (size_t i = 0; i < run->findings.n; i++) {
        const char *fp = run->findings.v[i].fingerprint;

        if (!is_hex16(fp))
            fail_msg("finding %zu (%s): fingerprint '%s'", i, run->findings.v[i].rule,
                     fp ? fp : "(null)");
        for (size_t j = 0; j < i; j++)
            if (strcmp(fp, run->findings.v[j].fingerprint) == 0)
                fail_msg("findings %zu and %zu (%s) share fingerprint %s", j, i,
                         run->findings.v[i].rule, fp);
    }
}

static char *write_temp(const char *text)
{
    char *path = kvl_xstrdup("/tmp/kvmlint-fp-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* `text` with `add` inserted after the first line containing `after`. */
static char *insert_after(const char *text, const char *after, const char *add)
{
    const char *at = strstr(text, after);
    const char *eol;
    kvl_buf b = KVL_BUF_INIT;

    assert_non_null(at);
    eol = strchr(at, '\n');
    assert_non_null(eol);
    kvl_buf_add(&b, text, (size_t)(eol + 1 - text));
    kvl_buf_adds(&b, add);
    kvl_buf_adds(&b, eol + 1);
    return kvl_buf_detach(&b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "rule fingerprint" of every finding, sorted. */
static char **signature(const kvl_run *run)
{
    char **v = kvl_xcalloc(run->findings.n + 1, sizeof(*v));

    for (size_t i = 0; i < run->findings.n; i++)
        v[i] = kvl_xasprintf("%s %s", run->findings.v[i].rule, run->findings.v[i].fingerprint);
    qsort(v, run->findings.n, sizeof(*v), cmp_str);
    return v;
}

static void free_strv(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

/*
 * The example VM against its host (many rules fire), then the same file
 * with a comment, a <description> and a <title> near the top and a device
 * added before the disks: every finding moves down, none changes its
 * fingerprint.
 */
static void fingerprints_survive_moved_lines(void **state)
{
    char *vm = kvl_test_src("examples/sql01.xml");
    char *host = kvl_test_src("examples/hosts/dl380p-g8.caps.xml");
    char *text = kvl_test_read(vm, NULL);
    char *moved1 = insert_after(text, "<name>",
                                "  <!-- a comment that moves every line below -->\n"
                                "  <title>SQL Server</title>\n"
                                "  <description>\n    production database\n  </description>\n");
    char *moved2 = insert_after(moved1, "<devices>",
                                "    <input type='tablet' bus='usb'/>\n\n\n");
    char *a = write_temp(text), *b = write_temp(moved2);
    const char *pa[] = { a }, *pb[] = { b };
    lint la, lb;
    char **sa, **sb;
    size_t moved = 0;

    (void)state;
    lint_paths(&la, host, pa, 1);
    lint_paths(&lb, host, pb, 1);
    assert_true(la.run.findings.n >= 3);
    assert_int_equal(la.run.findings.n, lb.run.findings.n);
    assert_unique(&la.run);
    sa = signature(&la.run);
    sb = signature(&lb.run);
    for (size_t i = 0; i < la.run.findings.n; i++) {
        if (strcmp(sa[i], sb[i]) != 0)
            fail_msg("fingerprint changed when lines moved: '%s' became '%s'", sa[i], sb[i]);
    }
    for (size_t i = 0; i < la.run.findings.n; i++)
        for (size_t j = 0; j < lb.run.findings.n; j++)
            if (strcmp(la.run.findings.v[i].fingerprint, lb.run.findings.v[j].fingerprint) == 0
                && la.run.findings.v[i].line != lb.run.findings.v[j].line)
                moved++;
    assert_true(moved >= 3);        /* the test did move findings */
    free_strv(sa);
    free_strv(sb);
    lint_free(&la);
    lint_free(&lb);
    unlink(a);
    unlink(b);
    free(a);
    free(b);
    free(moved1);
    free(moved2);
    free(text);
    free(vm);
    free(host);
}

/*
 * A rule reporting one object twice (two invalid vcpupins of vCPU 1, same
 * identity and attribute) still gets two fingerprints; so do two files of
 * one domain name.  Malformed and wrong-root files get fingerprints too.
 */
static void fingerprints_unique(void **state)
{
    const char *twice =
        "<domain type='kvm'>\n  <name>twice</name>\n  <memory>1048576</memory>\n"
        "  <vcpu>2</vcpu>\n  <cputune>\n"
        "    <vcpupin vcpu='1' cpuset='x'/>\n    <vcpupin vcpu='1' cpuset='y'/>\n"
        "  </cputune>\n</domain>\n";
    char *a = write_temp(twice), *b = write_temp(twice);
    char *c = write_temp("<domain><name>broken</name>");
    char *d = write_temp("<capabilities/>");
    const char *paths[] = { a, b, c, d };
    lint l;
    size_t invalid = 0;

    (void)state;
    lint_paths(&l, NULL, paths, 4);
    for (size_t i = 0; i < l.run.findings.n; i++)
        if (strcmp(l.run.findings.v[i].rule, "value-invalid") == 0)
            invalid++;
    assert_int_equal(invalid, 4);
    assert_unique(&l.run);
    lint_free(&l);
    for (size_t i = 0; i < 4; i++) {
        unlink(paths[i]);
        free((char *)paths[i]);
    }
}

/* The same input linted twice gives the same fingerprints: no addresses,
 * times or run-dependent state go into them. */
static void fingerprints_deterministic(void **state)
{
    char *vm = kvl_test_src("examples/sql01.xml");
    char *host = kvl_test_src("examples/hosts/dl380p-g8.caps.xml");
    const char *p[] = { vm };
    lint la, lb;

    (void)state;
    lint_paths(&la, host, p, 1);
    lint_paths(&lb, host, p, 1);
    assert_int_equal(la.run.findings.n, lb.run.findings.n);
    for (size_t i = 0; i < la.run.findings.n; i++)
        assert_string_equal(la.run.findings.v[i].fingerprint, lb.run.findings.v[i].fingerprint);
    lint_free(&la);
    lint_free(&lb);
    free(vm);
    free(host);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identities),
        cmocka_unit_test(fingerprints_survive_moved_lines),
        cmocka_unit_test(fingerprints_unique),
        cmocka_unit_test(fingerprints_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
