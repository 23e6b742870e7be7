/*
 * The corpus test: lint every domain XML of ../shared/corpus (libvirt's own
 * test inputs) as one run against several multi-node hosts, capabilities and
 * hwloc, v1 and v2.  No crash, no hang (ctest's timeout), and the files that
 * end in exit status 2 are exactly the ones listed in
 * tests/corpus-input-errors.txt with the reason each is right.
 * Skipped, saying so, when the corpus is absent.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/engine.h"
#include "util/mem.h"

static const char *const hosts[] = {
    "libvirt/tests/vircaps2xmldata/vircaps-x86_64-basic.xml",       /* 4 nodes */
    "libvirt/tests/capabilityschemadata/caps-qemu-kvm.xml",        /* 2 nodes, even/odd */
    "libvirt/tests/vircaps2xmldata/vircaps-x86_64-hmat.xml",        /* CPU-less node */
    "libvirt/tests/capabilityschemadata/caps-test3.xml",           /* partial */
    "hwloc/releases/hwloc-2.14.0/tests/hwloc/xml/24em64t-2n6c2t-pci.xml",    /* v2 + PCI */
    "hwloc/releases/hwloc-2.14.0/tests/hwloc/xml/16amd64-4distances.v1.xml", /* v1 */
};

typedef struct expected_error {
    char *path;         /* relative to the corpus */
    bool seen;
} expected_error;

static expected_error *load_expected(size_t *n)
{
    char *file = kvl_test_src("tests/corpus-input-errors.txt");
    char *text = kvl_test_read(file, NULL);
    expected_error *v = NULL;
    size_t cap = 0;

    *n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *tab;
        if (line[0] == '#' || !line[0])
            continue;
        tab = strchr(line, '\t');
        if (!tab || !tab[1])
            fail_msg("corpus-input-errors.txt: '%s' needs a tab and a reason", line);
        KVL_GROW(v, *n, cap);
        v[*n].path = kvl_xstrndup(line, (size_t)(tab - line));
        (*n)++;
    }
    free(text);
    free(file);
    return v;
}

static void lint_corpus_against(void **state)
{
    const char *hostrel = *state;
    KVL_NEED_CORPUS(hostpath, hostrel);
    char *libvirt = kvl_test_corpus("libvirt/tests");
    const char *root = getenv("KVMLINT_CORPUS");
    char *err = NULL;
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    kvl_host *host = kvl_host_load(hostpath, &err);
    size_t nexp, domains = 0, unexpected = 0;
    expected_error *exp = load_expected(&nexp);
    kvl_run run;

    if (!host)
        fail_msg("host %s: %s", hostrel, err);
    assert_non_null(cat);
    assert_non_null(libvirt);
    kvl_run_init(&run, cat, host, NULL);
    kvl_run_add_path(&run, libvirt);
    kvl_run_lint(&run);

    for (size_t i = 0; i < run.nfiles; i++) {
        const kvl_file *f = &run.files[i];
        const char *rel = f->path + strlen(root) + 1;
        bool listed = false;

        if (f->model)
            domains++;
        for (size_t j = 0; j < nexp; j++)
            if (strcmp(exp[j].path, rel) == 0) {
                listed = true;
                exp[j].seen = f->status == KVL_FILE_ERROR;
            }
        if (f->status == KVL_FILE_ERROR && !listed) {
            print_error("%s: unexpected input error\n", rel);
            for (size_t k = 0; k < run.findings.n; k++)
                if (run.findings.v[k].file == i && run.findings.v[k].input_error)
                    print_error("  %u:%u %s %s\n", run.findings.v[k].line, run.findings.v[k].col,
                                run.findings.v[k].rule, run.findings.v[k].message);
            unexpected++;
        }
    }
    for (size_t j = 0; j < nexp; j++)
        if (!exp[j].seen) {
            print_error("%s: listed as an input error, but it linted cleanly\n", exp[j].path);
            unexpected++;
        }
    print_message("%s: %zu files, %zu domains, %zu findings\n", hostrel, run.nfiles, domains,
                  run.findings.n);
    assert_true(domains >= 2300);
    assert_int_equal(unexpected, 0);

    kvl_run_free(&run);
    for (size_t j = 0; j < nexp; j++)
        free(exp[j].path);
    free(exp);
    kvl_host_free(host);
    kvl_catalogue_free(cat);
    free(libvirt);
    free(hostpath);
}

int main(void)
{
    struct CMUnitTest tests[sizeof(hosts) / sizeof(hosts[0])];

    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        memset(&tests[i], 0, sizeof(tests[i]));
        tests[i].name = hosts[i];
        tests[i].test_func = lint_corpus_against;
        tests[i].initial_state = (void *)hosts[i];
    }
    return _cmocka_run_group_tests("corpus", tests, sizeof(hosts) / sizeof(hosts[0]), NULL, NULL);
}
