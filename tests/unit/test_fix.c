/*
 * The edit engine and the file writer behind `kvmlint fix`: each kind of
 * edit in the file's own style (quotes,
 * indentation, CRLF), collisions between patches, unified diffs, and
 * --in-place / -o leaving the target untouched on every error (read-only
 * file, missing directory, full disk, malformed input).
 */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fix/diff.h"
#include "fix/edit.h"
#include "fix/fixer.h"
#include "fix/write.h"
#include "rules/catalogue.h"
#include "util/buf.h"
#include "util/mem.h"
#include "xml/doc.h"

static kvl_doc *parse(const char *s)
{
    kvl_doc *doc = kvl_doc_parse("t.xml", s, strlen(s));

    assert_non_null(doc->xml);
    kvl_doc_index(doc);
    kvl_doc_drop_dom(doc);          /* edits work on text and map only */
    return doc;
}

/* The ref of the n-th (1-based) element named `name`. */
static kvl_ref ref_of(kvl_doc *doc, const char *name, int nth)
{
    size_t len, want = strlen(name);

    for (kvl_ref r = 1; r <= kvl_doc_ref_count(doc); r++) {
        const char *n = kvl_doc_ref_name(doc, r, &len);

        if (n && len == want && memcmp(n, name, len) == 0 && --nth == 0)
            return r;
    }
    fail_msg("no element %s", name);
    return 0;
}

static kvl_fix *new_fix(void)
{
    kvl_fix *fx = kvl_xcalloc(1, sizeof(*fx));

    fx->kind = KVL_FIX_SAFE;
    return fx;
}

/* Apply one fix to `doc` and return the new text. */
static char *apply(kvl_doc *doc, kvl_fix *fx)
{
    kvl_patches p = { NULL, 0, 0 };
    kvl_style st;
    const char *why = NULL;
    size_t len;
    char *out;

    kvl_style_detect(doc, &st);
    if (kvl_fix_resolve(fx, doc, &st, &p, &why) < 0)
        fail_msg("resolve: %s", why);
    out = kvl_patches_apply(doc->text, doc->len, &p, &len);
    assert_int_equal(strlen(out), len);
    kvl_patches_free(&p);
    kvl_fix_free(fx);
    return out;
}

static void check_apply(const char *in, void (*edit)(kvl_doc *, kvl_fix *), const char *want)
{
    kvl_doc *doc = parse(in);
    kvl_fix *fx = new_fix();
    char *out;

    print_message("input: %s\n", in);

    edit(doc, fx);
    out = apply(doc, fx);
    if (strcmp(out, want) != 0)
        fail_msg("got:\n%s\nwant:\n%s", out, want);
    /* the result is still well-formed */
    {
        kvl_doc *again = kvl_doc_parse("t.xml", out, strlen(out));
        assert_non_null(again->xml);
        kvl_doc_free(again);
    }
    free(out);
    kvl_doc_free(doc);
}

/* ---- attributes ---- */

static void edit_set_bus(kvl_doc *doc, kvl_fix *fx)
{
    kvl_ref t = ref_of(doc, "target", 1);

    kvl_edit_set_attr(fx, t, "bus", "virtio");
    kvl_edit_set_attr(fx, t, "dev", "vda");
}

static void edit_remove_attrs(kvl_doc *doc, kvl_fix *fx)
{
    kvl_ref t = ref_of(doc, "target", 1);

    kvl_edit_remove_attr(fx, t, "removable");
    kvl_edit_remove_attr(fx, t, "absent");
}

static void edit_escape(kvl_doc *doc, kvl_fix *fx)
{
    kvl_edit_set_attr(fx, ref_of(doc, "a", 1), "v", "x'y\"<&");
    kvl_edit_set_attr(fx, ref_of(doc, "b", 1), "v", "x'y\"<&");
}

static void attributes(void **state)
{
    (void)state;
    /* an existing value replaced in place, a new one in the element's quotes */
    check_apply("<disk>\n  <target dev=\"hda\"/>\n</disk>\n", edit_set_bus,
                "<disk>\n  <target dev=\"vda\" bus=\"virtio\"/>\n</disk>\n");
    check_apply("<disk><target dev='hda' bus='ide' /></disk>", edit_set_bus,
                "<disk><target dev='vda' bus='virtio' /></disk>");
    /* an element without attributes takes the file's quote */
    check_apply("<d x=\"1\"><target/></d>", edit_set_bus,
                "<d x=\"1\"><target bus=\"virtio\" dev=\"vda\"/></d>");
    check_apply("<d><target dev='sda' removable='on' bus='usb'/></d>", edit_remove_attrs,
                "<d><target dev='sda' bus='usb'/></d>");
    check_apply("<d><target dev='sda'\n        removable='on'/></d>", edit_remove_attrs,
                "<d><target dev='sda'/></d>");
    check_apply("<r><a v='1'/><b v=\"2\"/></r>", edit_escape,
                "<r><a v='x&apos;y\"&lt;&amp;'/><b v=\"x'y&quot;&lt;&amp;\"/></r>");
}

/* ---- elements ---- */

static void edit_remove_address(kvl_doc *doc, kvl_fix *fx)
{
    kvl_edit_remove_element(fx, ref_of(doc, "address", 1));
}

static void edit_add_model(kvl_doc *doc, kvl_fix *fx)
{
    kvl_edit_insert_child(fx, ref_of(doc, "interface", 1), "<model type='virtio'/>");
}

static void edit_add_rng(kvl_doc *doc, kvl_fix *fx)
{
    kvl_edit_insert_child(fx, ref_of(doc, "devices", 1),
                          "<rng model='virtio'>\n  <backend model='random'>/dev/urandom</backend>\n</rng>");
}

static void edit_text(kvl_doc *doc, kvl_fix *fx)
{
    kvl_edit_set_text(fx, ref_of(doc, "memory", 1), "2<3");
}

static void edit_siblings(kvl_doc *doc, kvl_fix *fx)
{
    kvl_ref b = ref_of(doc, "b", 1);

    kvl_edit_insert_before(fx, b, "<a/>");
    kvl_edit_insert_after(fx, b, "<c/>");
}

static void edit_replace(kvl_doc *doc, kvl_fix *fx)
{
    kvl_edit_replace_element(fx, ref_of(doc, "b", 1), "<x y='1'>\n  <z/>\n</x>");
}

static void elements(void **state)
{
    (void)state;
    /* removed with its line */
    check_apply("<disk>\n  <target dev='hda'/>\n  <address type='drive'/>  \n</disk>\n",
                edit_remove_address, "<disk>\n  <target dev='hda'/>\n</disk>\n");
    /* not alone on its line: only the element */
    check_apply("<disk><target/><address type='drive'/></disk>", edit_remove_address,
                "<disk><target/></disk>");
    /* after the last child, at its indentation */
    check_apply("  <interface type='bridge'>\n    <source bridge='br0'/>\n  </interface>\n",
                edit_add_model,
                "  <interface type='bridge'>\n    <source bridge='br0'/>\n"
                "    <model type='virtio'/>\n  </interface>\n");
    /* a self-closing parent is opened */
    check_apply("<devices>\n  <interface type='user'/>\n</devices>\n", edit_add_model,
                "<devices>\n  <interface type='user'>\n    <model type='virtio'/>\n"
                "  </interface>\n</devices>\n");
    /* an empty parent on its own line gets a child line */
    check_apply("<devices>\n  <interface type='user'></interface>\n</devices>\n", edit_add_model,
                "<devices>\n  <interface type='user'>\n    <model type='virtio'/>\n"
                "  </interface>\n</devices>\n");
    /* written on one line: stays on one line */
    check_apply("<d><interface type='user'><mac address='x'/></interface></d>", edit_add_model,
                "<d><interface type='user'><mac address='x'/><model type='virtio'/></interface></d>");
    /* a multi-line fragment is re-indented, comments stay where they were */
    check_apply("<devices>\n  <disk/>\n  <!-- the end -->\n</devices>\n", edit_add_rng,
                "<devices>\n  <disk/>\n  <!-- the end -->\n  <rng model='virtio'>\n"
                "    <backend model='random'>/dev/urandom</backend>\n  </rng>\n</devices>\n");
    check_apply("<m><memory unit='KiB'>1024</memory></m>", edit_text,
                "<m><memory unit='KiB'>2&lt;3</memory></m>");
    check_apply("<m><memory unit='KiB'/></m>", edit_text,
                "<m><memory unit='KiB'>2&lt;3</memory></m>");
    check_apply("<r>\n  <b/>\n</r>\n", edit_siblings, "<r>\n  <a/>\n  <b/>\n  <c/>\n</r>\n");
    check_apply("<r><b/></r>", edit_siblings, "<r><a/><b/><c/></r>");
    check_apply("<r>\n    <b/>\n</r>\n", edit_replace,
                "<r>\n    <x y='1'>\n        <z/>\n    </x>\n</r>\n");
}

/* ---- the file's style ---- */

static void style(void **state)
{
    (void)state;
    /* four spaces and double quotes */
    check_apply("<domain type=\"kvm\">\n    <devices>\n        <disk/>\n    </devices>\n</domain>\n",
                edit_add_rng,
                "<domain type=\"kvm\">\n    <devices>\n        <disk/>\n"
                "        <rng model=\"virtio\">\n"
                "            <backend model=\"random\">/dev/urandom</backend>\n"
                "        </rng>\n    </devices>\n</domain>\n");
    /* tabs and CRLF */
    check_apply("<domain type='kvm'>\r\n\t<devices>\r\n\t\t<disk/>\r\n\t</devices>\r\n</domain>\r\n",
                edit_add_rng,
                "<domain type='kvm'>\r\n\t<devices>\r\n\t\t<disk/>\r\n"
                "\t\t<rng model='virtio'>\r\n\t\t\t<backend model='random'>/dev/urandom</backend>\r\n"
                "\t\t</rng>\r\n\t</devices>\r\n</domain>\r\n");
    check_apply("<domain>\r\n  <devices>\r\n    <disk/>\r\n    <address/>\r\n  </devices>\r\n</domain>\r\n",
                edit_remove_address,
                "<domain>\r\n  <devices>\r\n    <disk/>\r\n  </devices>\r\n</domain>\r\n");
}

/* ---- patches ---- */

static void patches(void **state)
{
    kvl_patch rep = { 10, 20, "x", NULL }, ins_in = { 15, 15, "y", NULL },
              ins_edge = { 10, 10, "z", NULL }, ins_end = { 20, 20, "w", NULL },
              other = { 19, 25, "v", NULL }, same = { 10, 20, "x", NULL },
              ins_edge2 = { 10, 10, "q", NULL }, clock1 = { 30, 30, "<clock a='1'/>", "clock" },
              clock2 = { 30, 30, "<clock b='2'/>", "clock" }, rng = { 30, 30, "<rng/>", "rng" };
    kvl_patches p = { NULL, 0, 0 };
    kvl_fix *fx = new_fix();
    kvl_doc *doc = parse("<a><b/></a>");
    kvl_style st;
    const char *why = NULL;
    char *out;
    size_t len;

    (void)state;
    assert_true(kvl_patch_conflict(&rep, &ins_in));
    assert_true(kvl_patch_conflict(&rep, &other));
    assert_false(kvl_patch_conflict(&rep, &ins_edge));
    assert_false(kvl_patch_conflict(&rep, &ins_end));
    assert_false(kvl_patch_conflict(&rep, &same));
    assert_false(kvl_patch_conflict(&ins_edge, &ins_edge2));
    /* two new <clock>s at one point: the second must wait and see the first */
    assert_true(kvl_patch_conflict(&clock1, &clock2));
    assert_false(kvl_patch_conflict(&clock1, &clock1));
    assert_false(kvl_patch_conflict(&clock1, &rng));

    /* identical patches apply once, insertions at a point keep their order */
    kvl_edit_insert_after(fx, ref_of(doc, "b", 1), "<c/>");
    kvl_edit_insert_after(fx, ref_of(doc, "b", 1), "<d/>");
    kvl_style_detect(doc, &st);
    assert_int_equal(kvl_fix_resolve(fx, doc, &st, &p, &why), 0);
    assert_int_equal(kvl_fix_resolve(fx, doc, &st, &p, &why), 0);
    out = kvl_patches_apply(doc->text, doc->len, &p, &len);
    assert_string_equal(out, "<a><b/><c/><d/></a>");
    free(out);
    kvl_patches_free(&p);
    kvl_fix_free(fx);

    /* a fix whose own edits collide, or that names no element, is refused */
    fx = new_fix();
    kvl_edit_remove_element(fx, ref_of(doc, "b", 1));
    kvl_edit_set_attr(fx, ref_of(doc, "b", 1), "x", "1");
    assert_int_equal(kvl_fix_resolve(fx, doc, &st, &p, &why), -1);
    assert_int_equal(p.n, 0);
    kvl_fix_free(fx);
    fx = new_fix();
    kvl_edit_set_attr(fx, 0, "x", "1");
    kvl_edit_remove_element(fx, 0);             /* nothing to remove: fine */
    assert_int_equal(kvl_fix_resolve(fx, doc, &st, &p, &why), -1);
    kvl_fix_free(fx);
    /* two fixes each adding a child to one self-closing parent */
    kvl_doc_free(doc);
    doc = parse("<d>\n  <clock offset='utc'/>\n</d>\n");
    kvl_style_detect(doc, &st);
    fx = new_fix();
    kvl_edit_insert_child(fx, ref_of(doc, "clock", 1), "<timer name='rtc'/>");
    kvl_edit_insert_child(fx, ref_of(doc, "clock", 1), "<timer name='pit'/>");
    assert_int_equal(kvl_fix_resolve(fx, doc, &st, &p, &why), 0);
    kvl_fix_free(fx);
    fx = new_fix();
    kvl_edit_insert_child(fx, ref_of(doc, "clock", 1), "<timer name='hpet'/>");
    assert_int_equal(kvl_fix_resolve(fx, doc, &st, &p, &why), 0);
    for (size_t i = 0; i < p.n; i++)
        for (size_t j = 0; j < i; j++)
            assert_false(kvl_patch_conflict(&p.v[i], &p.v[j]));
    out = kvl_patches_apply(doc->text, doc->len, &p, &len);
    assert_string_equal(out, "<d>\n  <clock offset='utc'>\n    <timer name='rtc'/>\n"
                             "    <timer name='pit'/>\n    <timer name='hpet'/>\n  </clock>\n</d>\n");
    free(out);
    kvl_patches_free(&p);
    kvl_fix_free(fx);

    kvl_doc_free(doc);
}

/* ---- diffs ---- */

static void diffs(void **state)
{
    kvl_buf b = KVL_BUF_INIT;
    const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
    const char *c = "1\n2\n3\nfour\n5\n6\n7\n8\n9\n10\n11\n12\n13";

    (void)state;
    kvl_diff_unified(&b, "x.xml", a, strlen(a), a, strlen(a));
    assert_int_equal(b.len, 0);
    kvl_diff_unified(&b, "x.xml", a, strlen(a), c, strlen(c));
    assert_string_equal(kvl_buf_str(&b),
                        "--- a/x.xml\n+++ b/x.xml\n"
                        "@@ -1,7 +1,7 @@\n 1\n 2\n 3\n-4\n+four\n 5\n 6\n 7\n"
                        "@@ -10,3 +10,4 @@\n 10\n 11\n 12\n+13\n\\ No newline at end of file\n");
    kvl_buf_free(&b);
    kvl_diff_unified(&b, "y", "a\n", 2, "", 0);
    assert_string_equal(kvl_buf_str(&b), "--- a/y\n+++ b/y\n@@ -1 +0,0 @@\n-a\n");
    kvl_buf_free(&b);
}

/* ---- writing files ---- */

typedef struct tmpdir {
    char path[64];
} tmpdir;

static void make_tmp(tmpdir *t)
{
    memcpy(t->path, "/tmp/kvmlint-test-fix-XXXXXX", 29);
    assert_non_null(mkdtemp(t->path));
}

static void rm_tmp(tmpdir *t)
{
    char *cmd = kvl_xasprintf("rm -rf '%s'", t->path);

    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static void put(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static size_t count_entries(const char *dir)
{
    char *cmd = kvl_xasprintf("ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    size_t n = 0;

    assert_non_null(p);
    assert_int_equal(fscanf(p, "%zu", &n), 1);
    pclose(p);
    free(cmd);
    return n;
}

static void writes(void **state)
{
    tmpdir t;
    char *file, *missing, *err = NULL, *text;
    struct stat st;

    (void)state;
    make_tmp(&t);
    file = kvl_xasprintf("%s/vm.xml", t.path);
    missing = kvl_xasprintf("%s/no/such/dir/out.xml", t.path);

    /* in place: the mode is kept, no temporary file stays */
    put(file, "old", 0640);
    assert_int_equal(kvl_write_file(file, "new", 3, true, &err), 0);
    text = kvl_test_read(file, NULL);
    assert_string_equal(text, "new");
    free(text);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(count_entries(t.path), 1);

    /* read-only (even for root): refused, untouched */
    assert_int_equal(chmod(file, 0444), 0);
    assert_int_equal(kvl_write_file(file, "newer", 5, true, &err), -1);
    assert_non_null(strstr(err, "read-only"));
    free(err);
    text = kvl_test_read(file, NULL);
    assert_string_equal(text, "new");
    free(text);

    /* in place needs the file */
    assert_int_equal(kvl_write_file(missing, "x", 1, true, &err), -1);
    free(err);
    /* -o into a missing directory */
    assert_int_equal(kvl_write_file(missing, "x", 1, false, &err), -1);
    assert_non_null(strstr(err, "No such file or directory"));
    free(err);
    assert_int_equal(count_entries(t.path), 1);
    /* -o /dev/full: the write error is reported */
    assert_int_equal(kvl_write_file("/dev/full", "x", 1, false, &err), -1);
    assert_non_null(strstr(err, "No space left"));
    free(err);

    free(file);
    free(missing);
    rm_tmp(&t);
}

/* The whole command: in place on a read-only and on a malformed file. */
static int run_fix(const char *dir, char **argv, int argc, char **errout)
{
    char *outbuf = NULL, *errbuf = NULL;
    size_t outlen = 0, errlen = 0;
    FILE *out = open_memstream(&outbuf, &outlen), *err = open_memstream(&errbuf, &errlen);
    char cwd[4096];
    int rc;

    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(dir), 0);
    rc = kvl_main(argc, argv, out, err);
    assert_int_equal(chdir(cwd), 0);
    fclose(out);
    fclose(err);
    free(outbuf);
    *errout = errbuf;
    return rc;
}

static void in_place_errors(void **state)
{
    static const char vm[] =
        "<domain type='kvm'>\n  <name>a</name>\n  <memory unit='GiB'>1</memory>\n"
        "  <os><type arch='x86_64'>hvm</type></os>\n  <devices>\n"
        "    <interface type='bridge'>\n      <source bridge='br0'/>\n"
        "      <model type='virtio'/>\n      <driver name='qemu'/>\n"
        "    </interface>\n  </devices>\n</domain>\n";
    char *argv[] = { "kvmlint", "fix", "--in-place", "--fail-on", "error", "vm.xml", "bad.xml",
                     NULL };
    tmpdir t;
    char *vmfile, *badfile, *err, *text;
    int rc;

    (void)state;
    make_tmp(&t);
    vmfile = kvl_xasprintf("%s/vm.xml", t.path);
    badfile = kvl_xasprintf("%s/bad.xml", t.path);
    put(vmfile, vm, 0444);
    put(badfile, "<domain><name>x</domain>\n", 0644);
    rc = run_fix(t.path, argv, 7, &err);
    assert_int_equal(rc, KVL_EXIT_ERROR);
    assert_non_null(strstr(err, "vm.xml' in place: the file is read-only"));
    assert_non_null(strstr(err, "bad.xml:1"));
    free(err);
    text = kvl_test_read(vmfile, NULL);
    assert_string_equal(text, vm);
    free(text);
    text = kvl_test_read(badfile, NULL);
    assert_string_equal(text, "<domain><name>x</domain>\n");
    free(text);

    /* writable: fixed in place, the mode kept */
    assert_int_equal(chmod(vmfile, 0600), 0);
    argv[6] = NULL;
    rc = run_fix(t.path, argv, 6, &err);
    assert_int_equal(rc, KVL_EXIT_OK);
    free(err);
    text = kvl_test_read(vmfile, NULL);
    assert_non_null(strstr(text, "<driver name='vhost'/>"));
    free(text);
    assert_int_equal(count_entries(t.path), 2);

    free(vmfile);
    free(badfile);
    rm_tmp(&t);
}

/* The round cap: what the last round's re-lint still proposes is reported,
 * not applied, and the result says it did not settle. */
static void round_cap(void **state)
{
    static const char vm[] =
        "<domain type='kvm'>\n  <name>a</name>\n  <memory unit='GiB'>1</memory>\n"
        "  <os><type arch='x86_64'>hvm</type></os>\n  <devices>\n"
        "    <interface type='bridge'>\n      <source bridge='br0'/>\n"
        "      <model type='e1000'/>\n      <driver name='qemu'/>\n"
        "    </interface>\n  </devices>\n</domain>\n";
    char *err = NULL, *path;
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    kvl_fix_opts o;
    kvl_fix_result res;
    tmpdir t;
    const char *why = NULL;

    (void)state;
    assert_non_null(cat);
    make_tmp(&t);
    path = kvl_xasprintf("%s/vm.xml", t.path);
    put(path, vm, 0644);
    kvl_fix_opts_init(&o);
    o.unsafe = true;
    o.max_rounds = 1;
    o.ignore = (const char *const[]){ "clock-legacy-timers", "cpu-model-generic",
                                      "virtio-guest-agent-missing", "virtio-rng-missing" };
    o.nignore = 4;
    kvl_fix_run(&res, cat, NULL, &o, &path, 1);
    assert_int_equal(res.nfiles, 1);
    assert_int_equal(res.rounds, 1);
    assert_false(res.fixpoint);
    assert_non_null(strstr(res.files[0].text, "<model type='virtio'/>"));
    assert_non_null(strstr(res.files[0].text, "<driver name='qemu'/>"));
    for (size_t i = 0; i < res.last->findings.n; i++)
        if (strcmp(res.last->findings.v[i].rule, "net-userspace-backend") == 0)
            why = kvl_fix_why_not(&res, &o, &res.last->findings.v[i]);
    assert_non_null(why);
    assert_non_null(strstr(why, "round limit"));
    kvl_fix_result_free(&res);

    /* without the cap: both, in two rounds */
    o.max_rounds = 0;
    kvl_fix_run(&res, cat, NULL, &o, &path, 1);
    assert_int_equal(res.rounds, 2);
    assert_true(res.fixpoint);
    assert_non_null(strstr(res.files[0].text, "<driver name='vhost'/>"));
    kvl_fix_result_free(&res);
    kvl_catalogue_free(cat);
    free(path);
    rm_tmp(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attributes),
        cmocka_unit_test(elements),
        cmocka_unit_test(style),
        cmocka_unit_test(patches),
        cmocka_unit_test(diffs),
        cmocka_unit_test(writes),
        cmocka_unit_test(in_place_errors),
        cmocka_unit_test(round_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
