/*
 * The fleet fix end to end, the way an operator runs it: the inputs of the
 * golden case testdata/placement/fleet-fits copied to a scratch directory,
 * `kvmlint fix --host two-node.caps.xml --in-place DIR` run in-process
 * (kvl_main), then the directory linted again with the engine.  The golden
 * case shows the diff; this test proves the result: no placement finding is
 * left and no host CPU serves two VMs.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lint/engine.h"
#include "model/host.h"
#include "placement/write.h"
#include "rules/catalogue.h"
#include "util/mem.h"

static const char *const inputs[] = { "a.xml", "b.xml" };
#define NINPUTS (sizeof(inputs) / sizeof(inputs[0]))

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *text = kvl_test_read(from, &len);
    FILE *f = fopen(to, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(text);
}

/* The host CPUs a VM's threads are pinned to (vCPUs and emulator). */
static hwloc_bitmap_t pinned_cpus(const kvl_domain *dom)
{
    hwloc_bitmap_t s = hwloc_bitmap_alloc();

    for (size_t i = 0; i < dom->nvcpupins; i++)
        if (dom->vcpupins[i].cpus)
            hwloc_bitmap_or(s, s, dom->vcpupins[i].cpus);
    if (dom->emulatorpin)
        hwloc_bitmap_or(s, s, dom->emulatorpin);
    return s;
}

/* Lint `dir` as one fleet: the placement findings, printed when `show`. */
static size_t placement_findings(const kvl_catalogue *cat, const kvl_host *host,
                                 const char *dir, bool show, kvl_run *run)
{
    kvl_config cfg;
    size_t n = 0;

    kvl_config_init(&cfg);
    kvl_run_init(run, cat, host, &cfg);
    kvl_run_add_path(run, dir);
    kvl_run_lint(run);
    assert_int_equal(run->nfiles, NINPUTS);
    for (size_t i = 0; i < run->findings.n; i++) {
        if (!kvl_place_is_placement_rule(run->findings.v[i].rule))
            continue;
        n++;
        if (show)
            print_message("%s: [%s] %s\n", run->findings.v[i].path, run->findings.v[i].rule,
                          run->findings.v[i].message);
    }
    return n;
}

static void test_fleet_fits_in_place(void **state)
{
    char dir[] = "/tmp/kvmlint-place-fleet-XXXXXX", *err = NULL;
    char *host_path = kvl_test_src("testdata/hosts/two-node.caps.xml");
    char *argv[] = { "kvmlint", "fix", "--host", host_path, "--in-place", dir, NULL };
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    kvl_host *host = kvl_host_load(host_path, &err);
    FILE *out = tmpfile(), *errs = tmpfile();
    hwloc_bitmap_t seen = hwloc_bitmap_alloc();
    kvl_run run;
    int rc;

    (void)state;
    assert_non_null(cat);
    assert_non_null(host);
    assert_non_null(mkdtemp(dir));
    for (size_t i = 0; i < NINPUTS; i++) {
        char *rel = kvl_xasprintf("testdata/placement/fleet-fits/%s", inputs[i]);
        char *from = kvl_test_src(rel), *to = kvl_xasprintf("%s/%s", dir, inputs[i]);

        copy_file(from, to);
        free(rel);
        free(from);
        free(to);
    }

    /* the inputs need placing, else the test proves nothing */
    assert_true(placement_findings(cat, host, dir, false, &run) > 0);
    kvl_run_free(&run);

    rc = kvl_main(6, argv, out, errs);
    assert_true(rc == KVL_EXIT_OK || rc == KVL_EXIT_FINDINGS);

    assert_int_equal(placement_findings(cat, host, dir, true, &run), 0);
    for (size_t i = 0; i < run.nfiles; i++) {
        hwloc_bitmap_t mine;

        assert_non_null(run.files[i].model);
        mine = pinned_cpus(run.files[i].model);
        assert_false(hwloc_bitmap_iszero(mine));
        if (hwloc_bitmap_intersects(mine, seen))
            fail_msg("%s shares host CPUs with another VM", run.files[i].path);
        hwloc_bitmap_or(seen, seen, mine);
        hwloc_bitmap_free(mine);
    }
    kvl_run_free(&run);

    for (size_t i = 0; i < NINPUTS; i++) {
        char *p = kvl_xasprintf("%s/%s", dir, inputs[i]);

        unlink(p);
        free(p);
    }
    rmdir(dir);
    hwloc_bitmap_free(seen);
    fclose(out);
    fclose(errs);
    kvl_host_free(host);
    kvl_catalogue_free(cat);
    free(host_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fleet_fits_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
