/*
 * Safe parsing and the source map: positions of elements and attributes
 * where their text starts (even for multi-line start tags and after
 * comments, CDATA and a DOCTYPE), parser errors with line and column, and
 * no external entity ever read.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "xml/doc.h"

static kvl_doc *parse(const char *s)
{
    return kvl_doc_parse("t.xml", s, strlen(s));
}

static xmlNode *find(xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        xmlNode *r;
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return n;
        if ((r = find(n->children, name)))
            return r;
    }
    return NULL;
}

static void positions(void **state)
{
    const char *s =
        "<?xml version='1.0'?>\n"
        "<!DOCTYPE domain [ <!ENTITY x 'y'> <!-- a > b --> ]>\n"
        "<domain type='kvm'>\n"
        "  <!-- <vcpu>not this</vcpu> -->\n"
        "  <![CDATA[ <memory/> ]]>\n"
        "  <vcpu placement='static'\n"
        "        cpuset='0-3'>4</vcpu>\n"
        "  <cputune><vcpupin vcpu='0' cpuset='1'/><vcpupin vcpu='1' cpuset=\"2>\"/></cputune>\n"
        "  <name>é<x/></name>\n"
        "</domain>\n";
    kvl_doc *doc = parse(s);
    xmlNode *root, *vcpu, *pin1, *x;
    kvl_pos p;

    (void)state;
    assert_non_null(doc->xml);
    root = xmlDocGetRootElement(doc->xml);
    p = kvl_doc_pos(doc, root, NULL);
    assert_int_equal(p.line, 3);
    assert_int_equal(p.col, 1);
    p = kvl_doc_pos(doc, root, "type");
    assert_int_equal(p.line, 3);
    assert_int_equal(p.col, 9);

    vcpu = find(root, "vcpu");
    p = kvl_doc_pos(doc, vcpu, NULL);
    assert_int_equal(p.line, 6);     /* libxml2 alone says 7 */
    assert_int_equal(p.col, 3);
    p = kvl_doc_pos(doc, vcpu, "cpuset");
    assert_int_equal(p.line, 7);
    assert_int_equal(p.col, 9);

    pin1 = find(root, "vcpupin")->next;
    p = kvl_doc_pos(doc, pin1, "cpuset");
    assert_int_equal(p.line, 8);
    assert_int_equal(p.col, 60);

    x = find(root, "x");             /* after a two-byte character */
    p = kvl_doc_pos(doc, x, NULL);
    assert_int_equal(p.line, 9);
    assert_int_equal(p.col, 10);
    assert_string_equal(kvl_doc_root_name(doc), "domain");
    kvl_doc_free(doc);
}

static void malformed(void **state)
{
    kvl_doc *doc = parse("<domain>\n  <name>a</nam>\n</domain>\n");

    (void)state;
    assert_null(doc->xml);
    assert_non_null(doc->error);
    assert_int_equal(doc->error_line, 2);
    assert_true(doc->error_col > 0);
    assert_non_null(strstr(doc->error, "name"));
    kvl_doc_free(doc);

    doc = parse("");
    assert_null(doc->xml);
    assert_non_null(doc->error);
    kvl_doc_free(doc);
}

/* An external entity pointing at a real local file must not be read. */
static void no_external_entities(void **state)
{
    char *secret = kvl_test_src("testdata/input/xxe-entity/secret.txt");
    char *s = kvl_xasprintf(
        "<?xml version='1.0'?>\n"
        "<!DOCTYPE domain [ <!ENTITY leak SYSTEM 'file://%s'> ]>\n"
        "<domain type='kvm'><name>&leak;</name><description>&leak;</description></domain>\n",
        secret);
    kvl_doc *doc = parse(s);
    xmlNode *name;
    char *text;
    xmlChar *all;

    (void)state;
    assert_non_null(doc->xml);
    name = find(xmlDocGetRootElement(doc->xml), "name");
    text = kvl_xml_text(name);
    assert_null(strstr(text, "CANARY"));
    all = xmlNodeGetContent(xmlDocGetRootElement(doc->xml));
    assert_null(strstr((const char *)all, "CANARY"));
    xmlFree(all);
    free(text);
    kvl_doc_free(doc);
    free(s);
    free(secret);
}

static void helpers(void **state)
{
    kvl_doc *doc = parse("<a x='1' ns:y='2' xmlns:ns='u'> <b/> <c>  t  </c></a>");
    xmlNode *a = xmlDocGetRootElement(doc->xml);
    char *t;

    (void)state;
    assert_string_equal(kvl_xml_attr(a, "x"), "1");
    assert_null(kvl_xml_attr(a, "y"));            /* namespaced: not a plain attribute */
    assert_true(kvl_xml_is(kvl_xml_child(a, NULL), "b"));
    assert_true(kvl_xml_is(kvl_xml_next(kvl_xml_child(a, NULL)), "c"));
    t = kvl_xml_text(kvl_xml_child(a, "c"));
    assert_string_equal(t, "t");
    free(t);
    kvl_doc_free(doc);
}

/* Byte ranges for edits (src/fix/), from text and map alone. */
static kvl_ref ref_named(kvl_doc *doc, const char *name)
{
    size_t len;

    for (kvl_ref r = 1; r <= kvl_doc_ref_count(doc); r++) {
        const char *n = kvl_doc_ref_name(doc, r, &len);

        if (n && len == strlen(name) && memcmp(n, name, len) == 0)
            return r;
    }
    return 0;
}

static void spans(void **state)
{
    const char *s =
        "<?xml version='1.0'?>\n"
        "<!-- <fake/> -->\n"
        "<domain type='kvm'>\n"
        "  <name>a</name>\n"
        "  <devices><![CDATA[<x>]]><disk  type=\"file\" device='disk'/></devices>\n"
        "</domain>\n";
    kvl_doc *doc = parse(s);
    kvl_ref name, disk;
    kvl_span sp;
    kvl_attr_span a;

    (void)state;
    kvl_doc_index(doc);
    kvl_doc_drop_dom(doc);
    name = ref_named(doc, "name");
    disk = ref_named(doc, "disk");
    assert_int_equal(kvl_doc_ref_count(doc), 4);
    assert_true(kvl_doc_span(doc, name, &sp));
    assert_int_equal(sp.parent, 1);
    assert_false(sp.empty);
    assert_memory_equal(s + sp.start, "<name>", 6);
    assert_memory_equal(s + sp.stag_end, "a</name>", 8);
    assert_memory_equal(s + sp.close, "</name>", 7);
    assert_int_equal(sp.end, sp.close + 7);
    assert_true(kvl_doc_span(doc, disk, &sp));
    assert_true(sp.empty);
    assert_int_equal(sp.parent, ref_named(doc, "devices"));
    assert_memory_equal(s + sp.close, "/>", 2);
    assert_true(kvl_doc_attr_span(doc, disk, "type", &a));
    assert_int_equal(a.quote, '"');
    assert_memory_equal(s + a.value_start, "file", a.value_end - a.value_start);
    assert_true(kvl_doc_attr_span(doc, disk, "device", &a));
    assert_int_equal(a.quote, '\'');
    assert_true(kvl_doc_attr_nth(doc, disk, 1, &a));
    assert_memory_equal(s + a.start, "device=", 7);
    assert_false(kvl_doc_attr_nth(doc, disk, 2, &a));
    assert_false(kvl_doc_attr_span(doc, disk, "bus", &a));
    assert_memory_equal(s + kvl_doc_attrs_end(doc, disk), "/>", 2);
    assert_false(kvl_doc_span(doc, 0, &sp));
    assert_false(kvl_doc_span(doc, 5, &sp));
    kvl_doc_free(doc);

    doc = parse("<domain><a></domain>");
    assert_false(kvl_doc_span(doc, 1, &sp));        /* malformed: no spans */
    kvl_doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(positions),
        cmocka_unit_test(malformed),
        cmocka_unit_test(no_external_entities),
        cmocka_unit_test(helpers),
        cmocka_unit_test(spans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
