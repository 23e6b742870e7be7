/*
 * The catalogue contract: every file in rules/ is valid against
 * schemas/catalogue.rng, the embedded catalogue loads, and the catalogue and
 * the registry of C checks name exactly the same rules.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/relaxng.h>

#include "rules/catalogue.h"
#include "rules/check.h"
#include "util/mem.h"
#include "xml/doc.h"

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void files_valid_against_schema(void **state)
{
    char *schema = kvl_test_src("schemas/catalogue.rng");
    char *dir = kvl_test_src("rules");
    xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewParserCtxt(schema);
    xmlRelaxNGPtr rng;
    DIR *d;
    struct dirent *e;
    int files = 0;

    (void)state;
    kvl_xml_init();
    xmlRelaxNGSetParserErrors(pctxt, silent, silent, NULL);
    rng = xmlRelaxNGParse(pctxt);
    assert_non_null(rng);
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        char *path;
        xmlDocPtr doc;
        xmlRelaxNGValidCtxtPtr vctxt;
        int rc;

        if (n < 5 || strcmp(e->d_name + n - 4, ".xml") != 0)
            continue;
        path = kvl_xasprintf("%s/%s", dir, e->d_name);
        doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
        assert_non_null(doc);
        vctxt = xmlRelaxNGNewValidCtxt(rng);
        rc = xmlRelaxNGValidateDoc(vctxt, doc);
        if (rc != 0)
            fail_msg("%s does not validate against schemas/catalogue.rng "
                     "(xmllint --noout --relaxng schemas/catalogue.rng %s)", path, path);
        xmlRelaxNGFreeValidCtxt(vctxt);
        xmlFreeDoc(doc);
        free(path);
        files++;
    }
    closedir(d);
    assert_true(files >= 1);
    xmlRelaxNGFree(rng);
    xmlRelaxNGFreeParserCtxt(pctxt);
    free(schema);
    free(dir);
}

static void catalogue_matches_registry(void **state)
{
    char *err = NULL;
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    int problems = 0;

    (void)state;
    if (!cat)
        fail_msg("catalogue: %s", err);
    for (size_t i = 0; i < cat->n; i++) {
        const kvl_rule_def *r = &cat->rules[i];
        const kvl_check *c = kvl_check_find(r->id);
        if (!c) {
            print_error("rule %s is in the catalogue but has no implementation\n", r->id);
            problems++;
        } else if ((c->flags & KVL_CHECK_LOADER) != (strcmp(r->category, "input") == 0)) {
            print_error("rule %s: only input rules are reported by the loader\n", r->id);
            problems++;
        } else if (!(c->flags & (KVL_CHECK_LOADER | KVL_CHECK_ENGINE)) && !c->fn) {
            print_error("rule %s has no check function\n", r->id);
            problems++;
        }
        if (r->nrefs == 0 || strlen(r->rationale) < 80) {
            print_error("rule %s needs a rationale and references\n", r->id);
            problems++;
        }
    }
    KVL_FOR_EACH_CHECK(c) {
        if (!kvl_catalogue_find(cat, c->id)) {
            print_error("check %s is registered but not in the catalogue\n", c->id);
            problems++;
        }
        if (kvl_check_find(c->id) != c) {
            print_error("check %s is registered twice\n", c->id);
            problems++;
        }
    }
    kvl_catalogue_free(cat);
    assert_int_equal(problems, 0);
}

static void broken_catalogue_is_refused(void **state)
{
    static const char dup[] =
        "<rules category='input'>"
        "<rule id='a-b' severity='error' fix='none'><title>t</title><rationale>r</rationale></rule>"
        "<rule id='a-b' severity='error' fix='none'><title>t</title><rationale>r</rationale></rule>"
        "</rules>";
    static const char badsev[] =
        "<rules category='input'>"
        "<rule id='a-b' severity='fatal' fix='none'><title>t</title><rationale>r</rationale></rule>"
        "</rules>";
    struct kvl_embedded_file files[2] = { { "dup.xml", (const unsigned char *)dup, sizeof(dup) - 1 },
                                          { NULL, NULL, 0 } };
    char *err = NULL;

    (void)state;
    assert_null(kvl_catalogue_load_files(files, &err));
    assert_non_null(strstr(err, "defined twice"));
    free(err);
    files[0].data = (const unsigned char *)badsev;
    files[0].len = sizeof(badsev) - 1;
    assert_null(kvl_catalogue_load_files(files, &err));
    assert_non_null(strstr(err, "severity"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(files_valid_against_schema),
        cmocka_unit_test(catalogue_matches_registry),
        cmocka_unit_test(broken_catalogue_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
