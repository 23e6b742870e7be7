/*
 * Shared helpers for the cmocka unit tests: where the source tree and the
 * corpus are (from ctest's environment), and small builders.
 */
#ifndef KVL_TESTUTIL_H
#define KVL_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* $KVMLINT_SRCDIR/rel, caller frees.  Fails the test if unset. */
char *kvl_test_src(const char *rel);
/* $KVMLINT_CORPUS/rel, or NULL (caller frees) when the corpus is absent. */
char *kvl_test_corpus(const char *rel);
/* Skip the current test, saying why, when the corpus is absent. */
#define KVL_NEED_CORPUS(path_var, rel)                                         \
    char *path_var = kvl_test_corpus(rel);                                     \
    if (!path_var) {                                                           \
        print_message("corpus file %s absent: skipped\n", rel);                 \
        skip();                                                                \
    }

/* Whole file into a NUL-terminated buffer (test fails if unreadable). */
char *kvl_test_read(const char *path, size_t *len);

/* A domain document and its model, built with findings collected. */
#include "lint/finding.h"
#include "model/domain.h"
#include "rules/catalogue.h"

typedef struct kvl_test_dom {
    kvl_doc *doc;
    kvl_findings list;
    kvl_sink sink;
    kvl_domain *dom;
} kvl_test_dom;

/* Parse `xml` (a whole document; the test fails if it is malformed) and
 * build its model, reporting into a list with catalogue `cat`. */
kvl_test_dom *kvl_test_dom_build(const kvl_catalogue *cat, const char *xml);
void kvl_test_dom_free(kvl_test_dom *t);

/*
 * The main() of a test program that needs the catalogue: load the embedded
 * catalogue into *cat, run the group, free it.  Returns the exit status.
 *   return KVL_TEST_RUN_WITH_CATALOGUE(tests, &catalogue);
 */
int kvl_test_run_with_catalogue(const char *name, const struct CMUnitTest *tests,
                                size_t ntests, kvl_catalogue **cat);
#define KVL_TEST_RUN_WITH_CATALOGUE(tests, cat)                                \
    kvl_test_run_with_catalogue(__FILE__, (tests), sizeof(tests) / sizeof((tests)[0]), (cat))

#endif
