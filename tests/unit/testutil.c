/* Helpers shared by the unit tests; see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/mem.h"
#include "xml/doc.h"

char *kvl_test_src(const char *rel)
{
    const char *dir = getenv("KVMLINT_SRCDIR");

    if (!dir)
        fail_msg("KVMLINT_SRCDIR is not set: run the tests through ctest");
    return kvl_xasprintf("%s/%s", dir, rel);
}

char *kvl_test_corpus(const char *rel)
{
    const char *dir = getenv("KVMLINT_CORPUS");
    struct stat st;
    char *p;

    if (!dir)
        return NULL;
    p = kvl_xasprintf("%s/%s", dir, rel);
    if (stat(p, &st) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

char *kvl_test_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = kvl_xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        fail_msg("cannot read %s", path);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

kvl_test_dom *kvl_test_dom_build(const kvl_catalogue *cat, const char *xml)
{
    kvl_test_dom *t = kvl_xcalloc(1, sizeof(*t));

    t->doc = kvl_doc_parse("t.xml", xml, strlen(xml));
    if (!t->doc->xml)
        fail_msg("test XML is malformed: %s at %u", t->doc->error, t->doc->error_line);
    t->sink = (kvl_sink){ .list = &t->list, .cat = cat, .doc = t->doc };
    t->dom = kvl_domain_build(t->doc, &t->sink);
    assert_non_null(t->dom);
    return t;
}

void kvl_test_dom_free(kvl_test_dom *t)
{
    if (!t)
        return;
    kvl_domain_free(t->dom);
    kvl_doc_free(t->doc);
    kvl_findings_free(&t->list);
    free(t);
}

int kvl_test_run_with_catalogue(const char *name, const struct CMUnitTest *tests,
                                size_t ntests, kvl_catalogue **cat)
{
    char *err = NULL;
    int rc;

    kvl_xml_init();
    *cat = kvl_catalogue_load(&err);
    if (!*cat) {
        fprintf(stderr, "catalogue: %s\n", err ? err : "?");
        free(err);
        return 1;
    }
    rc = _cmocka_run_group_tests(name, tests, ntests, NULL, NULL);
    kvl_catalogue_free(*cat);
    *cat = NULL;
    return rc;
}
