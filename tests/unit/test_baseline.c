/*
 * Baselines (src/lint/baseline.c): write, read back, apply; a baseline
 * keeps matching when lines move (a comment and an element added above
 * the findings, the file re-indented), and a new finding is still
 * reported; malformed baseline files are refused with FILE:LINE.
 */
#define _XOPEN_SOURCE 700       /* mkdtemp */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lint/baseline.h"
#include "lint/engine.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "xml/doc.h"

static kvl_catalogue *catalogue;

/* Two findings that need no host: an IDE disk and an e1000 NIC. */
#define VM(extra_top, extra_devices) \
    "<domain type='kvm'>\n" \
    "  <name>b1</name>\n" \
    extra_top \
    "  <memory unit='GiB'>2</memory>\n" \
    "  <vcpu>1</vcpu>\n" \
    "  <os><type arch='x86_64'>hvm</type></os>\n" \
    "  <devices>\n" \
    extra_devices \
    "    <disk type='file' device='disk'>\n" \
    "      <source file='/img/b1.img'/>\n" \
    "      <target dev='hda' bus='ide'/>\n" \
    "    </disk>\n" \
    "    <interface type='bridge'>\n" \
    "      <mac address='52:54:00:00:00:01'/>\n" \
    "      <source bridge='br0'/><model type='e1000'/>\n" \
    "    </interface>\n" \
    "  </devices>\n" \
    "</domain>\n"

static void lint(kvl_run *run, const char *xml)
{
    kvl_run_init(run, catalogue, NULL, NULL);
    kvl_run_add_text(run, "vms/b1.xml", xml, strlen(xml));
    kvl_run_lint(run);
}

static size_t reported(const kvl_run *run)
{
    size_t n = 0;

    for (size_t i = 0; i < run->findings.n; i++)
        n += !run->findings.v[i].suppressed;
    return n;
}

static char *tmp_file(char **dir)
{
    *dir = kvl_xstrdup("/tmp/kvmlint-test-baseline-XXXXXX");
    assert_non_null(mkdtemp(*dir));
    return kvl_xasprintf("%s/baseline.xml", *dir);
}

static void write_and_apply(void **state)
{
    char *dir, *path = tmp_file(&dir);
    char *err = NULL;
    kvl_run run;
    kvl_baseline *b;
    long n;
    size_t before;
    char *text;

    (void)state;
    lint(&run, VM("", ""));
    before = reported(&run);
    assert_true(before >= 2);
    n = kvl_baseline_write(path, &run.findings, &err);
    assert_int_equal(n, (long)before);
    text = kvl_test_read(path, NULL);
    assert_non_null(strstr(text, "<kvmlint-baseline version=\"1\">"));
    assert_non_null(strstr(text, "rule=\"disk-bus-not-virtio\" domain=\"b1\" path=\"vms/b1.xml\""));
    free(text);
    b = kvl_baseline_load(path, &err);
    assert_non_null(b);
    assert_int_equal(kvl_baseline_size(b), before);
    assert_int_equal(kvl_baseline_apply(b, &run.findings), before);
    assert_int_equal(reported(&run), 0);
    assert_false(kvl_run_fails(&run, KVL_SEV_INFO));
    for (size_t i = 0; i < run.findings.n; i++)
        assert_int_equal(run.findings.v[i].suppressed, KVL_SUPPRESS_BASELINE);
    kvl_baseline_free(b);
    kvl_run_free(&run);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

/* The same findings after lines moved stay baselined; a new one does not. */
static void stable_when_lines_move(void **state)
{
    char *dir, *path = tmp_file(&dir);
    char *err = NULL;
    kvl_run run;
    kvl_baseline *b;

    (void)state;
    lint(&run, VM("", ""));
    assert_true(kvl_baseline_write(path, &run.findings, &err) > 0);
    kvl_run_free(&run);
    b = kvl_baseline_load(path, &err);
    assert_non_null(b);

    lint(&run, "<!-- a new comment\n     of three\n     lines -->\n"
               VM("  <description>moved every line down</description>\n"
                  "  <currentMemory unit='GiB'>2</currentMemory>\n",
                  "    <controller type='usb' model='none'/>\n"));
    kvl_baseline_apply(b, &run.findings);
    for (size_t i = 0; i < run.findings.n; i++)
        if (!run.findings.v[i].suppressed)
            fail_msg("finding moved by 6 lines is no longer in the baseline: %s [%s]",
                     run.findings.v[i].message, run.findings.v[i].rule);
    kvl_run_free(&run);

    /* a second IDE disk is new */
    lint(&run, VM("", "    <disk type='file' device='disk'>\n"
                      "      <source file='/img/b2.img'/>\n"
                      "      <target dev='hdb' bus='ide'/>\n"
                      "    </disk>\n"));
    kvl_baseline_apply(b, &run.findings);
    assert_true(reported(&run) >= 1);
    for (size_t i = 0; i < run.findings.n; i++)
        if (!run.findings.v[i].suppressed)
            assert_non_null(strstr(run.findings.v[i].message, "hdb"));
    kvl_run_free(&run);
    kvl_baseline_free(b);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

static void bad_files(void **state)
{
    static const struct {
        const char *text, *expect;
    } cases[] = {
        { "<kvmlint-baseline>\n<finding/>\n</kvmlint-baseline>\n", "baseline.xml:2: expected" },
        { "<findings/>\n", "baseline.xml:1: not a kvmlint baseline" },
        { "<kvmlint-baseline>\n", "baseline.xml:2: not well-formed" },
    };
    char *dir, *path = tmp_file(&dir);

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FILE *f = fopen(path, "w");
        char *err = NULL;

        fputs(cases[i].text, f);
        fclose(f);
        assert_null(kvl_baseline_load(path, &err));
        if (!strstr(err, cases[i].expect))
            fail_msg("expected '%s' in '%s'", cases[i].expect, err);
        free(err);
    }
    unlink(path);
    {
        char *err = NULL;

        assert_null(kvl_baseline_load(path, &err));     /* missing */
        assert_non_null(strstr(err, "cannot open"));
        free(err);
        /* an unwritable place: a directory that does not exist */
        kvl_findings none = { NULL, 0, 0 };
        char *nowhere = kvl_xasprintf("%s/no/such/dir/b.xml", dir);
        assert_int_equal(kvl_baseline_write(nowhere, &none, &err), -1);
        assert_non_null(strstr(err, "cannot write baseline"));
        free(err);
        free(nowhere);
    }
    rmdir(dir);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_and_apply),
        cmocka_unit_test(stable_when_lines_move),
        cmocka_unit_test(bad_files),
    };
    return KVL_TEST_RUN_WITH_CATALOGUE(tests, &catalogue);
}
