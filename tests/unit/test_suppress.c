/*
 * Suppressions (src/lint/suppress.c, model parts in domain_meta.c and
 * domain_pragma.c): what the model records for <kvmlint:suppress> and for
 * comment pragmas (positions, scopes), target matching against element
 * identities, and whole runs: suppressed findings stay in the list marked
 * with kind and reason, do not count for the exit status, unused ones are
 * reported only when their rule judged the domain, and --no-suppressions
 * turns them all off.  Golden cases: testdata/rules/suppression-unused and
 * testdata/config/suppress-*.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/engine.h"
#include "lint/suppress.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "xml/doc.h"

static kvl_catalogue *catalogue;

/* A small kvm domain whose only design defect is the IDE disk hda (and an
 * e1000 NIC): without a host, the host rules are skipped. */
#define DOMAIN_HEAD \
    "<domain type='kvm'>\n"                                 /* 1 */ \
    "  <name>s1</name>\n"                                   /* 2 */ \
    "%s" \
    "  <memory unit='GiB'>2</memory>\n" \
    "  <vcpu>1</vcpu>\n" \
    "  <os><type arch='x86_64'>hvm</type></os>\n" \
    "  <cpu mode='host-passthrough'/>\n" \
    "  <devices>\n" \
    "%s" \
    "    <disk type='file' device='disk'>\n" \
    "      <driver name='qemu' type='raw' cache='none' io='native'/>\n" \
    "      <source file='/img/s1.img'/>\n" \
    "      <target dev='hda' bus='ide'/>\n" \
    "    </disk>\n" \
    "    <interface type='bridge'>\n" \
    "      <mac address='52:54:00:AA:00:01'/>\n" \
    "      <source bridge='br0'/><model type='e1000'/>\n" \
    "    </interface>\n" \
    "  </devices>\n" \
    "</domain>\n"

static char *domain_xml(const char *meta, const char *devices_head)
{
    return kvl_xasprintf(DOMAIN_HEAD, meta, devices_head);
}

typedef kvl_test_dom built;

static built *build(const char *xml)
{
    return kvl_test_dom_build(catalogue, xml);
}

static void done(built *f)
{
    kvl_test_dom_free(f);
}

/* ---- the model ---- */

static void metadata_suppress(void **state)
{
    char *xml = domain_xml(
        "  <metadata>\n"
        "    <k:hints xmlns:k='http://kvmlint.org/xmlns/domain/1.0'>\n"
        "      <k:suppress rule='disk-bus-not-virtio, net-model-not-virtio' target='hda'"
        " reason='installer'/>\n"
        "      <k:suppress rule='disk-cache-mode'/>\n"
        "      <k:suppress target='hda'/>\n"
        "      <k:suppress rule=' , '/>\n"
        "    </k:hints>\n"
        "  </metadata>\n", "");
    built *b = build(xml);
    const kvl_suppress *s = b->dom->suppress;

    (void)state;
    assert_int_equal(b->dom->nsuppress, 2);
    assert_false(s[0].comment);
    assert_int_equal(s[0].nrules, 2);
    assert_string_equal(s[0].rules[1], "net-model-not-virtio");
    assert_string_equal(s[0].target, "hda");
    assert_string_equal(s[0].reason, "installer");
    assert_int_equal(s[0].scope_first, 0);
    assert_int_equal(kvl_doc_ref_pos(b->doc, s[0].node, NULL).line, 5);
    assert_null(s[1].target);
    assert_null(s[1].reason);
    /* no rule attribute, an empty list: value-invalid, not kept */
    assert_int_equal(b->list.n, 2);
    assert_string_equal(b->list.v[0].rule, "value-invalid");
    assert_non_null(strstr(b->list.v[0].message, "missing attribute 'rule'"));
    assert_non_null(strstr(b->list.v[1].message, "names no rule"));
    done(b);
    free(xml);
}

static void comment_pragmas(void **state)
{
    char *dom = domain_xml(
        "  <!-- kvmlint: disable=net-model-not-virtio -->\n"   /* line 5: in <domain> */
        "  <!-- an ordinary comment -->\n",
        "    <!--\n"                                           /* line 12 */
        "      kvmlint: disable=disk-bus-not-virtio,disk-cache-mode\n"
        "      the installer needs IDE -->\n"
        "    <!-- stacked -->\n");
    char *text = kvl_xasprintf("<?xml version='1.0'?>\n"
                               "<!-- kvmlint: disable=virtio-rng-missing before the root -->\n"
                               "%s"
                               "<!-- kvmlint: disable=cpu-model-generic   after it   -->\n", dom);
    built *b = build(text);
    const kvl_suppress *s = b->dom->suppress;
    kvl_ref disk;

    (void)state;
    assert_int_equal(b->dom->nsuppress, 4);
    assert_int_equal(b->list.n, 0);
    /* document order: before the root, in <domain>, in <devices>, after */
    assert_true(s[0].comment);
    assert_int_equal(s[0].line, 2);
    assert_int_equal(s[0].col, 1);
    assert_string_equal(s[0].rules[0], "virtio-rng-missing");
    assert_string_equal(s[0].reason, "before the root");
    assert_int_equal(s[0].scope_first, 0);
    assert_int_equal(s[1].line, 5);
    assert_int_equal(s[1].col, 3);
    assert_null(s[1].reason);
    assert_int_equal(s[1].scope_first, 0);          /* a child of <domain>: the file */
    /* nested: the next element (the disk), skipping the ordinary comment */
    disk = b->dom->disks[0].node;
    assert_int_equal(s[2].line, 12);
    assert_int_equal(s[2].col, 5);
    assert_int_equal(s[2].nrules, 2);
    assert_string_equal(s[2].reason, "the installer needs IDE");
    assert_int_equal(s[2].scope_first, disk);
    assert_int_equal(s[2].scope_last, kvl_doc_ref_last(b->doc, disk));
    assert_true(s[2].scope_last > disk);             /* driver, source, target inside */
    assert_int_equal(s[3].scope_first, 0);
    assert_string_equal(s[3].reason, "after it");
    done(b);
    free(text);
    free(dom);
}

static void comment_pragma_errors(void **state)
{
    char *xml = domain_xml("  <!-- kvmlint: enable=disk-bus-not-virtio -->\n"
                           "  <!-- kvmlint: disable= nothing -->\n"
                           "  <!-- kvmlint is mentioned here, no pragma -->\n", "");
    built *b = build(xml);

    (void)state;
    assert_int_equal(b->dom->nsuppress, 0);
    assert_int_equal(b->list.n, 2);
    assert_string_equal(b->list.v[0].rule, "value-invalid");
    assert_int_equal(b->list.v[0].line, 3);
    assert_int_equal(b->list.v[0].col, 3);
    assert_non_null(strstr(b->list.v[0].message, "unknown directive"));
    assert_non_null(strstr(b->list.v[1].message, "no rule"));
    done(b);
    free(xml);
}

static void target_match(void **state)
{
    (void)state;
    assert_true(kvl_suppress_target_match("disk:hda", "hda"));
    assert_true(kvl_suppress_target_match("disk:hda", "disk:hda"));
    assert_true(kvl_suppress_target_match("interface:52:54:00:aa:00:01", "52:54:00:AA:00:01"));
    assert_true(kvl_suppress_target_match("vcpupin:3", "3"));
    assert_true(kvl_suppress_target_match("controller:scsi:0", "scsi:0"));
    assert_false(kvl_suppress_target_match("disk:hdb", "hda"));
    assert_false(kvl_suppress_target_match("disk:hda", "da"));
    assert_false(kvl_suppress_target_match("vcpupin:13", "3"));
    assert_false(kvl_suppress_target_match(NULL, "hda"));
}

/* ---- whole runs ---- */

static void lint(kvl_run *run, const char *xml, bool suppressions)
{
    kvl_run_init(run, catalogue, NULL, NULL);
    run->suppressions = suppressions;
    kvl_run_add_text(run, "t.xml", xml, strlen(xml));
    kvl_run_lint(run);
}

static const kvl_finding *find(const kvl_run *run, const char *rule, size_t nth)
{
    for (size_t i = 0; i < run->findings.n; i++)
        if (strcmp(run->findings.v[i].rule, rule) == 0 && nth-- == 0)
            return &run->findings.v[i];
    return NULL;
}

static void run_marks_suppressed(void **state)
{
    char *xml = domain_xml(
        "  <metadata>\n"
        "    <k:hints xmlns:k='http://kvmlint.org/xmlns/domain/1.0'>\n"
        "      <k:suppress rule='disk-bus-not-virtio' target='hda' reason='installer'/>\n"
        "      <k:suppress rule='net-model-not-virtio' target='52:54:00:aa:00:01'/>\n"
        "    </k:hints>\n"
        "  </metadata>\n", "");
    kvl_run run;
    const kvl_finding *f;

    (void)state;
    lint(&run, xml, true);
    f = find(&run, "disk-bus-not-virtio", 0);
    assert_non_null(f);
    assert_int_equal(f->suppressed, KVL_SUPPRESS_METADATA);
    assert_string_equal(f->suppress_reason, "installer");
    f = find(&run, "net-model-not-virtio", 0);
    assert_int_equal(f->suppressed, KVL_SUPPRESS_METADATA);
    assert_null(f->suppress_reason);
    assert_null(find(&run, "suppression-unused", 0));
    /* the suppressed warnings no longer count */
    assert_true(kvl_run_worst(&run) < KVL_SEV_WARNING);
    assert_false(kvl_run_fails(&run, KVL_SEV_WARNING));
    kvl_run_free(&run);

    lint(&run, xml, false);            /* --no-suppressions */
    assert_int_equal(find(&run, "disk-bus-not-virtio", 0)->suppressed, KVL_SUPPRESS_NONE);
    assert_true(kvl_run_fails(&run, KVL_SEV_WARNING));
    kvl_run_free(&run);
    free(xml);
}

static void run_unused(void **state)
{
    char *xml = domain_xml(
        "  <metadata>\n"
        "    <k:hints xmlns:k='http://kvmlint.org/xmlns/domain/1.0'>\n"
        /* matches: used */
        "      <k:suppress rule='disk-bus-not-virtio' target='hda'/>\n"
        /* the wrong target: unused */
        "      <k:suppress rule='net-model-not-virtio' target='52:54:00:00:00:99'/>\n"
        /* the rules are skipped without a host: not judged, not reported */
        "      <k:suppress rule='mem-overcommit,cpu-overcommit'/>\n"
        /* an unknown rule: value-invalid instead */
        "      <k:suppress rule='disk-bus-not-virtoi'/>\n"
        "      <k:suppress rule='xml-malformed'/>\n"
        "    </k:hints>\n"
        "  </metadata>\n",
        "    <!-- kvmlint: disable=disk-cache-mode the disk below has cache='none' -->\n");
    kvl_run run;
    const kvl_finding *f;

    (void)state;
    lint(&run, xml, true);
    f = find(&run, "suppression-unused", 0);
    assert_non_null(f);
    assert_int_equal(f->severity, KVL_SEV_INFO);
    assert_string_equal(f->message,
                        "suppression of net-model-not-virtio for '52:54:00:00:00:99' matches no finding");
    assert_int_equal(f->line, 6);
    f = find(&run, "suppression-unused", 1);
    assert_non_null(f);
    assert_string_equal(f->message, "suppression of disk-cache-mode matches no finding");
    assert_null(find(&run, "suppression-unused", 2));
    assert_int_equal(find(&run, "net-model-not-virtio", 0)->suppressed, KVL_SUPPRESS_NONE);
    f = find(&run, "value-invalid", 0);
    assert_non_null(f);
    assert_non_null(strstr(f->message, "unknown rule 'disk-bus-not-virtoi'"));
    f = find(&run, "value-invalid", 1);
    assert_non_null(strstr(f->message, "'xml-malformed' is an input rule"));
    assert_true(run.input_error);
    /* info never fails the default threshold */
    kvl_run_free(&run);
    free(xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metadata_suppress),
        cmocka_unit_test(comment_pragmas),
        cmocka_unit_test(comment_pragma_errors),
        cmocka_unit_test(target_match),
        cmocka_unit_test(run_marks_suppressed),
        cmocka_unit_test(run_unused),
    };
    return KVL_TEST_RUN_WITH_CATALOGUE(tests, &catalogue);
}
