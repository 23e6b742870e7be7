/*
 * The CI output formats (src/output/sarif.c, github.c, gitlab.c, xslt.c)
 * and the -f/-o pairing of `kvmlint check`.  What needs Python (the SARIF
 * schema, JUnit/GitLab/checkstyle structure across many inputs) is in
 * tests/validate_formats.py; here:
 *   - the findings XML document validates against schemas/findings.rng,
 *     for clean, failing, malformed, unreadable and suppressed input;
 *   - GitHub workflow commands parse back into the findings, escaping
 *     included;
 *   - user stylesheets work, imports included, and can neither reach the
 *     network nor write files;
 *   - each -f pairs with the -o at its position, extra formats go to
 *     stdout, and bad combinations are usage errors;
 *   - CI paths are relative to the working directory.
 */
#include "testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "cli/cli.h"
#include "lint/engine.h"
#include "output/output.h"
#include "rules/catalogue.h"
#include "util/buf.h"
#include "util/mem.h"

/* ---- helpers ---- */

typedef struct result {
    int rc;
    char *out, *err;
} result;

/* Run `kvmlint ARGS...` (NULL-terminated) in `dir` (NULL: here). */
static result run_in(const char *dir, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    result r = { 0, NULL, NULL };
    size_t olen = 0, elen = 0;
    FILE *out = open_memstream(&r.out, &olen), *err = open_memstream(&r.err, &elen);
    char cwd[PATH_MAX];

    argv[argc++] = "kvmlint";
    va_start(ap, dir);
    for (char *a; argc < 31 && (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    if (dir)
        assert_int_equal(chdir(dir), 0);
    r.rc = kvl_main(argc, argv, out, err);
    assert_int_equal(chdir(cwd), 0);
    fclose(out);
    fclose(err);
    return r;
}

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
}

static char *make_tmpdir(void)
{
    char *dir = kvl_xstrdup("/tmp/kvmlint-formats-XXXXXX");

    assert_non_null(mkdtemp(dir));
    return dir;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = kvl_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

static char *read_in(const char *dir, const char *name)
{
    char *path = kvl_xasprintf("%s/%s", dir, name);
    char *text = kvl_test_read(path, NULL);

    free(path);
    return text;
}

static void remove_tree(const char *dir, const char *const *names)
{
    for (size_t i = 0; names[i]; i++) {
        char *p = kvl_xasprintf("%s/%s", dir, names[i]);
        unlink(p);
        free(p);
    }
    rmdir(dir);
}

/* A small domain with a few warnings and no host needed. */
static const char vm_xml[] =
    "<domain type='kvm'>\n"
    "  <name>fmt01</name>\n"
    "  <memory unit='GiB'>2</memory>\n"
    "  <vcpu>2</vcpu>\n"
    "  <os><type arch='x86_64' machine='q35'>hvm</type></os>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'>\n"
    "      <driver name='qemu' type='raw'/>\n"
    "      <source file='/var/lib/libvirt/images/fmt01.img'/>\n"
    "      <target dev='sda' bus='sata'/>\n"
    "    </disk>\n"
    "    <interface type='bridge'>\n"
    "      <mac address='52:54:00:00:00:01'/>\n"
    "      <source bridge='br0'/>\n"
    "      <model type='e1000'/>\n"
    "    </interface>\n"
    "  </devices>\n"
    "</domain>\n";

/* ---- the findings document against its schema ---- */

static void validate_findings_doc(xmlRelaxNGPtr schema, const kvl_run *run, const char *what)
{
    xmlDoc *doc = kvl_findings_xml(run);
    xmlRelaxNGValidCtxtPtr vctxt = xmlRelaxNGNewValidCtxt(schema);
    int rc = xmlRelaxNGValidateDoc(vctxt, doc);

    if (rc != 0) {
        xmlChar *text = NULL;
        int len = 0;
        xmlDocDumpFormatMemory(doc, &text, &len, 1);
        fail_msg("%s: the findings XML does not validate against findings.rng:\n%s", what,
                 (char *)text);
    }
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlFreeDoc(doc);
}

static void findings_xml_validates(void **state)
{
    char *rng = kvl_test_src("schemas/findings.rng");
    xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewParserCtxt(rng);
    xmlRelaxNGPtr schema = xmlRelaxNGParse(pctxt);
    char *err = NULL;
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    char *dir = make_tmpdir();
    const char *names[] = { "vm.xml", "clean.xml", "broken.xml", "lxc.xml", NULL };
    const char *inputs[] = { "vm.xml", "clean.xml", "broken.xml", "lxc.xml", "missing.xml" };
    kvl_run run;

    (void)state;
    assert_non_null(schema);
    assert_non_null(cat);
    write_file(dir, "vm.xml", vm_xml);
    write_file(dir, "clean.xml", "<domain type='kvm'><name>c</name><memory>1048576</memory></domain>\n");
    write_file(dir, "broken.xml", "<domain type='kvm'><name>b</name>\n");
    write_file(dir, "lxc.xml", "<domain type='lxc'><name>l</name></domain>\n");

    kvl_run_init(&run, cat, NULL, NULL);
    validate_findings_doc(schema, &run, "an empty run");
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        char *p = kvl_xasprintf("%s/%s", dir, inputs[i]);
        kvl_run_add_path(&run, p);
        free(p);
    }
    kvl_run_lint(&run);
    assert_true(run.findings.n >= 3);
    validate_findings_doc(schema, &run, "mixed input");
    /* a suppressed finding carries its kind and reason */
    run.findings.v[0].suppressed = KVL_SUPPRESS_METADATA;
    run.findings.v[0].suppress_reason = kvl_xstrdup("reviewed: <ok> & \"fine\"");
    validate_findings_doc(schema, &run, "with a suppressed finding");
    kvl_run_free(&run);

    remove_tree(dir, names);
    free(dir);
    kvl_catalogue_free(cat);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pctxt);
    free(rng);
}

/* ---- GitHub workflow commands ---- */

/* The runner's unescaping of a property value or the message. */
static char *unescape(const char *s, size_t n)
{
    static const struct { const char *esc; char c; } map[] = {
        { "%25", '%' }, { "%0D", '\r' }, { "%0A", '\n' }, { "%3A", ':' }, { "%2C", ',' },
    };
    kvl_buf b = KVL_BUF_INIT;

    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        while (k < 5 && !(n - i >= 3 && strncmp(s + i, map[k].esc, 3) == 0))
            k++;
        if (k < 5) {
            kvl_buf_addc(&b, map[k].c);
            i += 2;
        } else {
            kvl_buf_addc(&b, s[i]);
        }
    }
    return kvl_buf_detach(&b);
}

typedef struct gh_line {
    char *command;
    char *file, *title, *message;
    unsigned line, col, end_line, end_col;
} gh_line;

/* Parse "::CMD k=v,k=v::DATA" the way the runner does; false if malformed. */
static bool gh_parse(const char *text, gh_line *g)
{
    const char *sp, *sep, *p;

    memset(g, 0, sizeof(*g));
    if (strncmp(text, "::", 2) != 0 || !(sep = strstr(text + 2, "::")))
        return false;
    sp = memchr(text + 2, ' ', (size_t)(sep - text - 2));
    g->command = kvl_xstrndup(text + 2, (size_t)((sp ? sp : sep) - text - 2));
    for (p = sp ? sp + 1 : sep; p < sep;) {
        const char *eq = memchr(p, '=', (size_t)(sep - p));
        const char *comma = memchr(p, ',', (size_t)(sep - p));
        const char *end = comma ? comma : sep;
        char *key, *val;

        if (!eq || eq > end)
            return false;
        key = kvl_xstrndup(p, (size_t)(eq - p));
        val = unescape(eq + 1, (size_t)(end - eq - 1));
        if (!strcmp(key, "file"))
            g->file = val, val = NULL;
        else if (!strcmp(key, "title"))
            g->title = val, val = NULL;
        else if (!strcmp(key, "line"))
            g->line = (unsigned)strtoul(val, NULL, 10);
        else if (!strcmp(key, "col"))
            g->col = (unsigned)strtoul(val, NULL, 10);
        else if (!strcmp(key, "endLine"))
            g->end_line = (unsigned)strtoul(val, NULL, 10);
        else if (!strcmp(key, "endColumn"))
            g->end_col = (unsigned)strtoul(val, NULL, 10);
        else
            return false;
        free(key);
        free(val);
        p = end + 1;
    }
    g->message = unescape(sep + 2, strlen(sep + 2));
    return true;
}

static void gh_free(gh_line *g)
{
    free(g->command);
    free(g->file);
    free(g->title);
    free(g->message);
}

/* Render `run` as github lines and compare each with its finding. */
static void check_github(const kvl_run *run)
{
    char *buf = NULL;
    size_t len = 0, k = 0;
    FILE *out = open_memstream(&buf, &len);
    char *save = NULL;

    assert_int_equal(kvl_output_github(out, run, NULL), 0);
    fclose(out);
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        const kvl_finding *f;
        gh_line g;
        char *want;

        if (!gh_parse(line, &g))
            fail_msg("not a workflow command: %s", line);
        while (k < run->findings.n && run->findings.v[k].suppressed)
            k++;
        assert_true(k < run->findings.n);
        f = &run->findings.v[k++];
        want = f->hint ? kvl_xasprintf("%s\nhint: %s", f->message, f->hint)
                       : kvl_xstrdup(f->message);
        assert_string_equal(g.command, f->severity == KVL_SEV_ERROR ? "error"
                                       : f->severity == KVL_SEV_WARNING ? "warning" : "notice");
        assert_string_equal(g.title, f->rule);
        assert_string_equal(g.message, want);
        assert_non_null(g.file);
        assert_int_equal(g.line, f->line);
        if (f->end_line == f->line) {
            assert_int_equal(g.col, f->col);
            assert_int_equal(g.end_col, f->end_col - 1);
        }
        free(want);
        gh_free(&g);
    }
    while (k < run->findings.n && run->findings.v[k].suppressed)
        k++;
    assert_int_equal(k, run->findings.n);
    free(buf);
}

static void github_lines_parse_back(void **state)
{
    char *err = NULL;
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    char *dir = make_tmpdir();
    const char *names[] = { "odd,na:me%.xml", NULL };
    char *path = kvl_xasprintf("%s/%s", dir, names[0]);
    kvl_run run;
    kvl_finding *f;

    (void)state;
    write_file(dir, names[0], vm_xml);
    kvl_run_init(&run, cat, NULL, NULL);
    kvl_run_add_path(&run, path);
    kvl_run_lint(&run);
    assert_true(run.findings.n >= 2);
    check_github(&run);

    /* the characters the runner treats specially, in message and hint */
    f = &run.findings.v[0];
    free(f->message);
    f->message = kvl_xstrdup("100% sure: a, b\r\nc::d %0A");
    free(f->hint);
    f->hint = kvl_xstrdup("x,y: 50%");
    run.findings.v[1].suppressed = KVL_SUPPRESS_CONFIG;
    check_github(&run);
    kvl_run_free(&run);

    remove_tree(dir, names);
    free(path);
    free(dir);
    kvl_catalogue_free(cat);
}

/* ---- stylesheets ---- */

static const char count_xsl[] =
    "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>\n"
    "  <xsl:import href='base.xsl'/>\n"
    "  <xsl:output method='text'/>\n"
    "</xsl:stylesheet>\n";
static const char base_xsl[] =
    "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>\n"
    "  <xsl:template match='/'>\n"
    "    <xsl:for-each select='//finding'><xsl:value-of select='@rule'/> </xsl:for-each>\n"
    "    <xsl:value-of select='count(//finding)'/> findings\n"
    "  </xsl:template>\n"
    "</xsl:stylesheet>\n";
static const char net_xsl[] =
    "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>\n"
    "  <xsl:template match='/'><xsl:copy-of select=\"document('http://127.0.0.1:9/x.xml')\"/></xsl:template>\n"
    "</xsl:stylesheet>\n";
static const char write_xsl[] =
    "<xsl:stylesheet version='1.1' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>\n"
    "  <xsl:template match='/'><xsl:document href='pwned.txt' method='text'>x</xsl:document></xsl:template>\n"
    "</xsl:stylesheet>\n";
/* an external entity in the stylesheet's own DTD must not reach the network */
static const char dtd_xsl[] =
    "<!DOCTYPE xsl:stylesheet [<!ENTITY e SYSTEM 'http://127.0.0.1:9/e'>]>\n"
    "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>\n"
    "  <xsl:output method='text'/>\n"
    "  <xsl:template match='/'>[&e;]</xsl:template>\n"
    "</xsl:stylesheet>\n";

static void user_stylesheets(void **state)
{
    char *dir = make_tmpdir();
    const char *names[] = { "vm.xml", "count.xsl", "base.xsl", "net.xsl", "write.xsl",
                            "dtd.xsl", "pwned.txt", NULL };
    result r;
    struct stat st;

    (void)state;
    write_file(dir, "vm.xml", vm_xml);
    write_file(dir, "count.xsl", count_xsl);
    write_file(dir, "base.xsl", base_xsl);
    write_file(dir, "net.xsl", net_xsl);
    write_file(dir, "write.xsl", write_xsl);
    write_file(dir, "dtd.xsl", dtd_xsl);

    r = run_in(dir, "check", "-f", "xslt:count.xsl", "vm.xml", NULL);
    assert_int_equal(r.rc, KVL_EXIT_FINDINGS);
    assert_non_null(strstr(r.out, "disk-bus-not-virtio"));
    assert_non_null(strstr(r.out, " findings"));
    assert_string_equal(r.err, "");
    result_free(&r);

    r = run_in(dir, "check", "-f", "xslt:net.xsl", "vm.xml", NULL);
    assert_int_equal(r.rc, KVL_EXIT_ERROR);
    assert_non_null(strstr(r.err, "stylesheet 'net.xsl' failed"));
    result_free(&r);

    r = run_in(dir, "check", "-f", "xslt:write.xsl", "vm.xml", NULL);
    assert_int_equal(r.rc, KVL_EXIT_ERROR);
    assert_non_null(strstr(r.err, "stylesheet 'write.xsl' failed"));
    result_free(&r);
    {
        char *p = kvl_xasprintf("%s/pwned.txt", dir);
        assert_int_not_equal(stat(p, &st), 0);
        free(p);
    }

    r = run_in(dir, "check", "-f", "xslt:dtd.xsl", "vm.xml", NULL);
    assert_null(strstr(r.out, "[x"));       /* nothing was fetched into the output */
    result_free(&r);

    r = run_in(dir, "check", "-f", "xslt:absent.xsl", "vm.xml", NULL);
    assert_int_equal(r.rc, KVL_EXIT_ERROR);
    assert_non_null(strstr(r.err, "cannot read stylesheet 'absent.xsl'"));
    assert_string_equal(r.out, "");
    result_free(&r);

    remove_tree(dir, names);
    free(dir);
}

/* The built-in stylesheets run and give well-formed XML of the right root. */
static void builtin_stylesheets(void **state)
{
    char *dir = make_tmpdir();
    const char *names[] = { "vm.xml", NULL };
    const char *formats[][2] = { { "junit", "testsuites" }, { "checkstyle", "checkstyle" },
                                 { "xml", "kvmlint-findings" } };

    (void)state;
    write_file(dir, "vm.xml", vm_xml);
    for (size_t i = 0; i < 3; i++) {
        result r = run_in(dir, "check", "-f", formats[i][0], "vm.xml", "missing.xml", NULL);
        xmlDoc *doc = xmlReadMemory(r.out, (int)strlen(r.out), "out.xml", NULL, XML_PARSE_NONET);
        xmlNode *root;

        if (!doc)
            fail_msg("-f %s: not well-formed:\n%s", formats[i][0], r.out);
        root = xmlDocGetRootElement(doc);
        assert_string_equal((const char *)root->name, formats[i][1]);
        assert_int_equal(r.rc, KVL_EXIT_ERROR);     /* missing.xml */
        assert_string_equal(r.err, "");
        xmlFreeDoc(doc);
        result_free(&r);
    }
    remove_tree(dir, names);
    free(dir);
}

/* ---- -f / -o pairing ---- */

static void format_output_pairing(void **state)
{
    char *dir = make_tmpdir();
    const char *names[] = { "vm.xml", "a.json", "b.sarif", "only.txt", "x", "y", NULL };
    result r;
    char *text;

    (void)state;
    write_file(dir, "vm.xml", vm_xml);

    /* two pairs, and a third format without -o: stdout */
    r = run_in(dir, "check", "-f", "json", "-o", "a.json", "-f", "sarif", "-o", "b.sarif",
               "-f", "github", "vm.xml", NULL);
    assert_int_equal(r.rc, KVL_EXIT_FINDINGS);
    assert_true(strncmp(r.out, "::", 2) == 0);
    assert_non_null(strstr(r.out, "::warning file=vm.xml,line=10,col=25,"));
    assert_string_equal(r.err, "");
    text = read_in(dir, "a.json");
    assert_true(strncmp(text, "{\"tool\":\"kvmlint\"", 17) == 0);
    free(text);
    text = read_in(dir, "b.sarif");
    assert_non_null(strstr(text, "\"version\": \"2.1.0\""));
    free(text);
    result_free(&r);

    /* -o alone keeps the default text format */
    r = run_in(dir, "check", "-o", "only.txt", "vm.xml", NULL);
    assert_string_equal(r.out, "");
    text = read_in(dir, "only.txt");
    assert_non_null(strstr(text, "vm.xml:10:"));
    free(text);
    result_free(&r);

    /* "-o -" is stdout */
    r = run_in(dir, "check", "-f", "gitlab", "-o", "-", "vm.xml", NULL);
    assert_true(r.out[0] == '[');
    result_free(&r);

    /* more -o than -f, one file twice, an unknown format: usage errors */
    r = run_in(dir, "check", "-f", "json", "-o", "x", "-o", "y", "vm.xml", NULL);
    assert_int_equal(r.rc, KVL_EXIT_ERROR);
    assert_non_null(strstr(r.err, "2 -o options but 1 -f"));
    result_free(&r);
    r = run_in(dir, "check", "-f", "json", "-o", "x", "-f", "sarif", "-o", "x", "vm.xml", NULL);
    assert_int_equal(r.rc, KVL_EXIT_ERROR);
    assert_non_null(strstr(r.err, "-o 'x' is given twice"));
    result_free(&r);
    r = run_in(dir, "check", "-f", "yaml", "vm.xml", NULL);
    assert_int_equal(r.rc, KVL_EXIT_ERROR);
    assert_non_null(strstr(r.err, "unknown format 'yaml' (text, json, sarif, github, gitlab, "
                                  "junit, checkstyle, xml, xslt:FILE)"));
    result_free(&r);
    r = run_in(dir, "check", "-f", "xslt:", "vm.xml", NULL);
    assert_int_equal(r.rc, KVL_EXIT_ERROR);
    result_free(&r);

    remove_tree(dir, names);
    free(dir);
}

/* `kvmlint check --help` names every format of the table. */
static void help_lists_formats(void **state)
{
    const char *help = kvl_cmd_help_text("check");

    (void)state;
    for (const kvl_output_format *f = kvl_output_formats; f->name; f++) {
        char *word = kvl_xasprintf(" %s%s ", f->name, f->takes_arg ? ":FILE" : "");
        if (!strstr(help, word))
            fail_msg("check --help does not list format '%s'", f->name);
        free(word);
    }
}

/* ---- paths ---- */

static void relative_paths(void **state)
{
    char cwd[PATH_MAX];
    char *abs, *rel;

    (void)state;
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    abs = kvl_xasprintf("%s/vms/a.xml", cwd);
    rel = kvl_output_relpath(abs);
    assert_string_equal(rel, "vms/a.xml");
    free(rel);
    free(abs);
    abs = kvl_xasprintf("%sx/a.xml", cwd);      /* a sibling sharing the prefix */
    rel = kvl_output_relpath(abs);
    assert_string_equal(rel, abs);
    free(rel);
    free(abs);
    rel = kvl_output_relpath("./././vms/b.xml");
    assert_string_equal(rel, "vms/b.xml");
    free(rel);
    rel = kvl_output_relpath("../up.xml");
    assert_string_equal(rel, "../up.xml");
    free(rel);
    rel = kvl_output_relpath("/elsewhere/c.xml");
    assert_string_equal(rel, "/elsewhere/c.xml");
    free(rel);
    assert_null(kvl_output_relpath(KVL_STDIN_PATH));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(findings_xml_validates),
        cmocka_unit_test(github_lines_parse_back),
        cmocka_unit_test(user_stylesheets),
        cmocka_unit_test(builtin_stylesheets),
        cmocka_unit_test(format_output_pairing),
        cmocka_unit_test(help_lists_formats),
        cmocka_unit_test(relative_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
