/*
 * The config file (src/config/): path globs with `**`, the threshold table
 * (it must cover every kvl_config field, each with a command-line option
 * and a schema element), reading valid and invalid files (errors name the
 * file and line), precedence command line > config > default, discovery
 * of the nearest .kvmlint.xml (stopping at .git), and the marks a config
 * puts on a domain.  Whole runs are covered by testdata/config/.
 */
#define _XOPEN_SOURCE 700       /* mkdtemp, nftw, realpath */
#include "testutil.h"

#include <ftw.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/glob.h"
#include "config/settings.h"
#include "config/thresholds.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "util/buf.h"
#include "xml/doc.h"

static kvl_catalogue *catalogue;

/* ---- temporary trees ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static char *tmp_tree(void)
{
    char *dir = kvl_xstrdup("/tmp/kvmlint-test-config-XXXXXX");

    assert_non_null(mkdtemp(dir));
    return dir;
}

/* Write `text` to dir/rel, creating the directories on the way. */
static char *put(const char *dir, const char *rel, const char *text)
{
    char *path = kvl_xasprintf("%s/%s", dir, rel);
    FILE *f;

    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* ---- globs ---- */

static void globs_match(void **state)
{
    static const struct {
        const char *pattern, *path;
        bool match;
    } cases[] = {
        { "*.xml", "a.xml", true },
        { "*.xml", "vms/a.xml", false },            /* FNM_PATHNAME: * stops at / */
        { "vms/*.xml", "vms/a.xml", true },
        { "vms/*.xml", "vms/sub/a.xml", false },
        { "vms/**", "vms/a.xml", true },
        { "vms/**", "vms/sub/deep/a.xml", true },
        { "vms/**", "vmsx/a.xml", false },
        { "**/a.xml", "a.xml", true },              /* ** matches zero components */
        { "**/a.xml", "x/y/a.xml", true },
        { "vms/**/db-*.xml", "vms/db-1.xml", true },
        { "vms/**/db-*.xml", "vms/r1/r2/db-1.xml", true },
        { "vms/**/db-*.xml", "vms/r1/web-1.xml", false },
        { "vms/**/**/x", "vms/x", true },
        { "./vms/a.xml", "vms/a.xml", true },
        { "vms//a.xml", "vms/./a.xml", true },
        { "v?s/[ab].xml", "vms/b.xml", true },
        { "v?s/[ab].xml", "vms/c.xml", false },
        { "/dev/mapper/*", "/dev/mapper/db-data", true },
        { "/dev/mapper/*", "dev/mapper/db-data", false },   /* absolute vs relative */
        { "dev/*", "/dev/sda", false },
        { "**", "anything/at/all", true },
    };
    int bad = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why = NULL;
        kvl_glob *g = kvl_glob_compile(cases[i].pattern, &why);

        assert_non_null(g);
        if (kvl_glob_match(g, cases[i].path) != cases[i].match) {
            print_error("'%s' vs '%s': expected %s\n", cases[i].pattern, cases[i].path,
                        cases[i].match ? "a match" : "no match");
            bad++;
        }
        kvl_glob_free(g);
    }
    assert_int_equal(bad, 0);
    assert_true(kvl_name_match("win-*", "win-2019"));
    assert_false(kvl_name_match("win-*", "linux"));
    assert_false(kvl_name_match("win-*", NULL));
}

static void globs_invalid(void **state)
{
    const char *why = NULL;

    (void)state;
    assert_null(kvl_glob_compile("", &why));
    assert_non_null(why);
    why = NULL;
    assert_null(kvl_glob_compile("vms/", &why));
    assert_non_null(strstr(why, "'/'"));
    assert_null(kvl_glob_compile("./", &why));
}

/* ---- thresholds ---- */

static int cmp_offset(const void *a, const void *b)
{
    const kvl_threshold *x = *(const kvl_threshold *const *)a;
    const kvl_threshold *y = *(const kvl_threshold *const *)b;

    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/*
 * Every byte of kvl_config belongs to a row or is padding: laid out in
 * offset order, each row must start where the previous one ended (rounded
 * up to its own alignment).  A field without a row leaves a hole, so a
 * threshold someone adds to kvl_config cannot be forgotten here.
 */
static void thresholds_cover_config(void **state)
{
    const kvl_threshold *rows[KVL_THRESHOLDS_MAX];
    size_t n = 0, end = 0;

    (void)state;
    for (const kvl_threshold *t = kvl_thresholds; t->name; t++) {
        assert_true(n < KVL_THRESHOLDS_MAX);
        rows[n++] = t;
    }
    qsort(rows, n, sizeof(*rows), cmp_offset);
    for (size_t i = 0; i < n; i++) {
        size_t align = rows[i]->size < 8 ? rows[i]->size : 8;
        size_t expect = (end + align - 1) / align * align;

        if (rows[i]->offset != expect)
            fail_msg("kvl_config has a field at offset %zu that no row of "
                     "src/config/thresholds.c covers (next row: %s)", end, rows[i]->name);
        end = rows[i]->offset + rows[i]->size;
    }
    if ((end + 7) / 8 * 8 != sizeof(kvl_config) && end != sizeof(kvl_config))
        fail_msg("kvl_config ends with a field that no row of src/config/thresholds.c covers");
}

/* Each threshold is also `kvmlint check --NAME` and <thresholds><NAME>. */
static void thresholds_have_option_and_schema(void **state)
{
    char *rng_path = kvl_test_src("schemas/kvmlint-config.rng");
    char *rng = kvl_test_read(rng_path, NULL);
    int bad = 0;

    (void)state;
    for (const kvl_threshold *t = kvl_thresholds; t->name; t++) {
        bool option = false;
        char *el = kvl_xasprintf("<element name=\"%s\">", t->name);

        for (const struct option *o = kvl_check_options; o->name; o++)
            option = option || strcmp(o->name, t->name) == 0;
        if (!option) {
            print_error("threshold %s has no 'kvmlint check --%s'\n", t->name, t->name);
            bad++;
        }
        if (!strstr(rng, el)) {
            print_error("threshold %s is not in schemas/kvmlint-config.rng\n", t->name);
            bad++;
        }
        free(el);
    }
    free(rng);
    free(rng_path);
    assert_int_equal(bad, 0);
}

static void thresholds_parse_and_format(void **state)
{
    kvl_config cfg;
    const char *why = NULL;
    kvl_buf b = KVL_BUF_INIT;

    (void)state;
    kvl_config_init(&cfg);
    assert_int_equal(kvl_threshold_parse(kvl_threshold_find("host-reserve"), " 4 GiB\n",
                                         &cfg, &why), 0);
    assert_true(cfg.host_reserve_kib == 4ULL * 1024 * 1024);
    assert_int_equal(kvl_threshold_parse(kvl_threshold_find("host-reserve"), "1536M",
                                         &cfg, &why), 0);
    kvl_threshold_format(kvl_threshold_find("host-reserve"), &cfg, &b);
    assert_string_equal(kvl_buf_str(&b), "1536 MiB");      /* exact, so it parses back */
    kvl_buf_reset(&b);
    assert_int_equal(kvl_threshold_parse(kvl_threshold_find("cpu-overcommit-ratio"), "2.5",
                                         &cfg, &why), 0);
    kvl_threshold_format(kvl_threshold_find("cpu-overcommit-ratio"), &cfg, &b);
    assert_string_equal(kvl_buf_str(&b), "2.5");
    kvl_buf_free(&b);
    assert_int_equal(kvl_threshold_parse(kvl_threshold_find("cpu-overcommit-ratio"), "0",
                                         &cfg, &why), -1);
    assert_int_equal(kvl_threshold_parse(kvl_threshold_find("host-reserve"), "lots",
                                         &cfg, &why), -1);
    assert_int_equal(kvl_threshold_parse(kvl_threshold_find("tap-queue-limit"), "0",
                                         &cfg, &why), -1);
    assert_int_equal(kvl_threshold_parse(kvl_threshold_find("tap-queue-limit"), "70000",
                                         &cfg, &why), -1);
}

/* ---- config files ---- */

static void config_valid(void **state)
{
    char *dir = tmp_tree();
    char *snap = put(dir, "hosts/a.caps.xml", "<capabilities/>");
    char *path = put(dir, ".kvmlint.xml",
        "<?xml version='1.0'?>\n"
        "<!-- a comment is fine -->\n"
        "<kvmlint version='1'>\n"
        "  <fail-on>error</fail-on>\n"
        "  <rules>\n"
        "    <rule id='disk-bus-not-virtio' enabled='no'/>\n"
        "    <rule id='net-model-not-virtio' severity='info'/>\n"
        "  </rules>\n"
        "  <thresholds><cpu-overcommit-ratio>3</cpu-overcommit-ratio></thresholds>\n"
        "  <ignore path='templates/**'/>\n"
        "  <ignore path='legacy/*.xml' rules='disk-bus-not-virtio, net-model-not-virtio'"
        " reason='P2V'/>\n"
        "  <host path='rack1/**'><snapshot file='hosts/a.caps.xml'/></host>\n"
        "  <critical domain='rt-*'/>\n"
        "  <windows path='win/**'/>\n"
        "  <hot-disk target='vd[b-z]' path='db/**'/>\n"
        "  <hot-disk source='/dev/mapper/*'/>\n"
        "</kvmlint>\n");
    char *err = NULL;
    kvl_cfg_file *cfg = kvl_cfg_file_load(path, ".kvmlint.xml", catalogue, &err);

    (void)state;
    if (!cfg)
        fail_msg("%s", err);
    assert_true(cfg->has_fail_on);
    assert_int_equal(cfg->fail_on, KVL_SEV_ERROR);
    assert_int_equal(cfg->nrules, 2);
    assert_int_equal(kvl_cfg_file_rule(cfg, "disk-bus-not-virtio")->enabled, 0);
    assert_int_equal(kvl_cfg_file_rule(cfg, "disk-bus-not-virtio")->line, 6);
    assert_true(kvl_cfg_file_rule(cfg, "net-model-not-virtio")->has_severity);
    assert_true(cfg->thresholds.cpu_overcommit_ratio == 3.0);
    assert_true(cfg->given == (UINT64_C(1) << kvl_threshold_index(
                                   kvl_threshold_find("cpu-overcommit-ratio"))));
    assert_int_equal(cfg->nignores, 2);
    assert_null(cfg->ignores[0].rules);
    assert_int_equal(cfg->ignores[1].nrules, 2);
    assert_string_equal(cfg->ignores[1].rules[1], "net-model-not-virtio");
    assert_string_equal(cfg->ignores[1].reason, "P2V");
    assert_int_equal(cfg->nhosts, 1);
    assert_string_equal(cfg->hosts[0].shown[0], "hosts/a.caps.xml");
    assert_int_equal(cfg->nmarks, 4);
    assert_int_equal(cfg->marks[0].kind, KVL_MARK_CRITICAL);
    assert_string_equal(cfg->marks[2].target, "vd[b-z]");
    assert_non_null(cfg->marks[3].source);
    kvl_cfg_file_free(cfg);
    rm_tree(dir);
    free(snap);
    free(path);
    free(dir);
}

/* Each invalid file is refused with "FILE:LINE: why". */
static void config_errors(void **state)
{
    static const struct {
        const char *body;           /* inside <kvmlint>, from line 2 */
        const char *expect;         /* part of the error */
    } cases[] = {
        { "<rulez/>", "c.xml:2: <rulez>: Did not expect element rulez there" },
        { "<rules><rule id='no-such-rule'/></rules>", "c.xml:2: unknown rule 'no-such-rule'" },
        { "<rules><rule id='value-invalid' enabled='no'/></rules>", "input rule" },
        { "<rules><rule id='disk-bus-not-virtio' enabled='off'/></rules>",
          "c.xml:2: <rule>: Invalid attribute enabled" },
        { "<rules>\n<rule id='disk-bus-not-virtio'/>\n<rule id='disk-bus-not-virtio'/></rules>",
          "c.xml:4: rule 'disk-bus-not-virtio' is configured twice (first on line 3)" },
        { "<fail-on>error</fail-on>\n<fail-on>info</fail-on>",
          "c.xml:3: second <fail-on> (the first is on line 2)" },
        { "<thresholds><host-reserve>4 parsecs</host-reserve></thresholds>",
          "c.xml:2: invalid <host-reserve> '4 parsecs'" },
        { "<thresholds><cpu-overcommit-ratio>x</cpu-overcommit-ratio></thresholds>",
          "c.xml:2: <cpu-overcommit-ratio>: invalid value 'x'" },
        { "<ignore path='vms/'/>", "c.xml:2: bad path pattern 'vms/'" },
        { "<ignore path='x' rules='disk-bus-not-virtio,nope-nope'/>", "unknown rule 'nope-nope'" },
        { "<host path='a/**'>\n<snapshot file='missing.xml'/></host>",
          "c.xml:3: cannot read host snapshot 'missing.xml'" },
        { "<hot-disk path='x/**'/>", "c.xml:2: <hot-disk>" },
        { "<critical", "not well-formed XML" },
    };
    char *dir = tmp_tree();
    int bad = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = kvl_xasprintf("<kvmlint>\n%s\n</kvmlint>\n", cases[i].body);
        char *path = put(dir, "c.xml", text);
        char *err = NULL;
        kvl_cfg_file *cfg = kvl_cfg_file_load(path, "c.xml", catalogue, &err);

        if (cfg || !err || !strstr(err, cases[i].expect)) {
            print_error("case %zu: expected an error with '%s', got '%s'\n", i,
                        cases[i].expect, err ? err : "(none)");
            bad++;
        }
        kvl_cfg_file_free(cfg);
        free(err);
        free(text);
        free(path);
    }
    rm_tree(dir);
    free(dir);
    assert_int_equal(bad, 0);
}

/* ---- settings: precedence and discovery ---- */

static const char *ratio_config =
    "<kvmlint>\n"
    "  <fail-on>info</fail-on>\n"
    "  <thresholds>\n"
    "    <cpu-overcommit-ratio>3</cpu-overcommit-ratio>\n"
    "    <host-reserve>8GiB</host-reserve>\n"
    "  </thresholds>\n"
    "</kvmlint>\n";

static void precedence(void **state)
{
    char *dir = tmp_tree();
    char *cfgpath = put(dir, ".kvmlint.xml", ratio_config);
    char *vm = put(dir, "vm.xml", "<domain/>");
    kvl_overrides over;
    kvl_settings_set *set;
    const kvl_settings *s;
    char *err = NULL;

    (void)state;
    kvl_overrides_init(&over);
    /* the command line gives the ratio (and fail-on), not the reserve */
    over.cfg.cpu_overcommit_ratio = 7;
    kvl_overrides_note(&over, "cpu-overcommit-ratio");
    kvl_overrides_note(&over, "verbose");           /* not a threshold: ignored */
    over.has_fail_on = true;
    over.fail_on = KVL_SEV_ERROR;
    set = kvl_settings_set_new(KVL_CFG_DISCOVER, NULL, &over, catalogue, &err);
    assert_non_null(set);
    s = kvl_settings_for(set, vm, false, NULL, &err);
    assert_non_null(s);
    assert_non_null(s->file);
    assert_true(s->cfg.cpu_overcommit_ratio == 7);                  /* command line */
    assert_true(s->cfg.host_reserve_kib == 8ULL * 1024 * 1024);     /* config */
    assert_true(s->cfg.large_vm_kib == 16ULL * 1024 * 1024);        /* default */
    assert_int_equal(s->fail_on, KVL_SEV_ERROR);
    assert_string_equal(s->fail_on_from, "command line");
    kvl_settings_set_free(set);

    /* without command-line values, the config's */
    kvl_overrides_init(&over);
    set = kvl_settings_set_new(KVL_CFG_DISCOVER, NULL, &over, catalogue, &err);
    s = kvl_settings_for(set, vm, false, NULL, &err);
    assert_true(s->cfg.cpu_overcommit_ratio == 3);
    assert_int_equal(s->fail_on, KVL_SEV_INFO);
    assert_string_equal(s->fail_on_from, "config");
    kvl_settings_set_free(set);

    /* --no-config: defaults */
    set = kvl_settings_set_new(KVL_CFG_NONE, NULL, &over, catalogue, &err);
    s = kvl_settings_for(set, vm, false, NULL, &err);
    assert_null(s->file);
    assert_true(s->cfg.cpu_overcommit_ratio == 5);
    assert_int_equal(s->fail_on, KVL_SEV_WARNING);
    kvl_settings_set_free(set);
    rm_tree(dir);
    free(cfgpath);
    free(vm);
    free(dir);
}

static const char *config_of(kvl_settings_set *set, const char *path, char **rel)
{
    char *err = NULL;
    const kvl_settings *s = kvl_settings_for(set, path, false, rel, &err);

    if (!s)
        fail_msg("%s", err);
    return s->file ? s->file->dir : "(none)";
}

/*
 * root/.kvmlint.xml is above the repository (root/repo/.git) and never
 * applies inside it; repo/.kvmlint.xml applies to repo/vms/x.xml;
 * repo/vms/sub/.kvmlint.xml, the nearest, to repo/vms/sub/deep/y.xml.
 */
static void discovery(void **state)
{
    char *dir = tmp_tree();
    char *paths[] = {
        put(dir, ".kvmlint.xml", "<kvmlint/>"),
        put(dir, "repo/.git/HEAD", "ref: refs/heads/main\n"),
        put(dir, "repo/.kvmlint.xml", "<kvmlint/>"),
        put(dir, "repo/vms/x.xml", "<domain/>"),
        put(dir, "repo/vms/sub/.kvmlint.xml", "<kvmlint/>"),
        put(dir, "repo/vms/sub/deep/y.xml", "<domain/>"),
        put(dir, "other/.git/HEAD", "x"),
        put(dir, "other/z.xml", "<domain/>"),
    };
    char *real = realpath(dir, NULL);
    char *repo = kvl_xasprintf("%s/repo", real);
    char *sub = kvl_xasprintf("%s/repo/vms/sub", real);
    kvl_overrides over;
    char *err = NULL, *rel = NULL;
    kvl_settings_set *set;

    (void)state;
    kvl_overrides_init(&over);
    set = kvl_settings_set_new(KVL_CFG_DISCOVER, NULL, &over, catalogue, &err);
    assert_string_equal(config_of(set, paths[3], &rel), repo);
    assert_string_equal(rel, "vms/x.xml");
    free(rel);
    assert_string_equal(config_of(set, paths[5], &rel), sub);
    assert_string_equal(rel, "deep/y.xml");
    free(rel);
    /* a second file of a directory seen before comes from the cache */
    assert_string_equal(config_of(set, paths[5], NULL), sub);
    assert_string_equal(config_of(set, paths[7], &rel), "(none)");
    assert_null(rel);
    kvl_settings_set_free(set);

    /* --config: one file for every path, globs relative to it */
    set = kvl_settings_set_new(KVL_CFG_EXPLICIT, paths[4], &over, catalogue, &err);
    assert_non_null(set);
    assert_string_equal(config_of(set, paths[3], &rel), sub);
    assert_null(rel);                       /* outside its directory */
    kvl_settings_set_free(set);
    assert_null(kvl_settings_set_new(KVL_CFG_EXPLICIT, "/nonexistent/k.xml", &over,
                                     catalogue, &err));
    assert_non_null(strstr(err, "/nonexistent/k.xml"));
    free(err);

    rm_tree(dir);
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        free(paths[i]);
    free(real);
    free(repo);
    free(sub);
    free(dir);
}

/* An invalid config found on the way is an error for that path. */
static void discovery_error(void **state)
{
    char *dir = tmp_tree();
    char *cfg = put(dir, ".kvmlint.xml", "<kvmlint><bogus/></kvmlint>");
    char *vm = put(dir, "a/vm.xml", "<domain/>");
    kvl_overrides over;
    char *err = NULL;
    kvl_settings_set *set;

    (void)state;
    kvl_overrides_init(&over);
    set = kvl_settings_set_new(KVL_CFG_DISCOVER, NULL, &over, catalogue, &err);
    assert_null(kvl_settings_for(set, vm, false, NULL, &err));
    assert_non_null(strstr(err, ".kvmlint.xml:1: <bogus>"));
    free(err);
    kvl_settings_set_free(set);
    rm_tree(dir);
    free(cfg);
    free(vm);
    free(dir);
}

/* ---- marks ---- */

static void marks(void **state)
{
    char *dir = tmp_tree();
    char *cfgpath = put(dir, ".kvmlint.xml",
        "<kvmlint>\n"
        "  <critical path='db/**'/>\n"
        "  <windows domain='win-*'/>\n"
        "  <hot-disk target='vdb'/>\n"
        "  <hot-disk source='/dev/mapper/*' path='db/**'/>\n"
        "</kvmlint>\n");
    const char *xml =
        "<domain type='kvm'><name>win-1</name><devices>"
        "<disk type='file' device='disk'><source file='/img/a.img'/><target dev='vda'/></disk>"
        "<disk type='file' device='disk'><source file='/img/b.img'/><target dev='vdb'/></disk>"
        "<disk type='block' device='disk'><source dev='/dev/mapper/x'/><target dev='vdc'/></disk>"
        "</devices></domain>";
    kvl_doc *doc = kvl_doc_parse("t.xml", xml, strlen(xml));
    kvl_domain *dom = kvl_domain_build(doc, NULL);
    kvl_overrides over;
    char *err = NULL, *rel = NULL;
    char *vm = put(dir, "db/t.xml", "<domain/>");
    kvl_settings_set *set;
    const kvl_settings *s;

    (void)state;
    kvl_overrides_init(&over);
    set = kvl_settings_set_new(KVL_CFG_DISCOVER, NULL, &over, catalogue, &err);
    s = kvl_settings_for(set, vm, false, &rel, &err);
    assert_non_null(s);
    assert_false(kvl_domain_is_latency_critical(dom));
    assert_false(kvl_domain_is_windows(dom));
    kvl_settings_mark(s, rel, dom);
    assert_true(dom->by_config.critical);
    assert_true(dom->by_config.windows);
    assert_false(dom->meta_critical);       /* the XML's own marks stay as they were */
    assert_true(kvl_domain_is_latency_critical(dom));
    assert_true(kvl_domain_is_windows(dom));
    assert_false(dom->disks[0].hot_by_config);
    assert_true(dom->disks[1].hot_by_config);
    assert_true(dom->disks[2].hot_by_config);
    assert_true(kvl_disk_is_hot(dom, &dom->disks[1], false));
    free(rel);
    kvl_settings_set_free(set);
    kvl_domain_free(dom);
    kvl_doc_free(doc);
    rm_tree(dir);
    free(cfgpath);
    free(vm);
    free(dir);
}

/* ---- documentation ---- */

/* "--no-config" as roff writes it: "\-\-no\-config". */
static char *roff(const char *text)
{
    kvl_buf b = KVL_BUF_INIT;

    for (const char *p = text; *p; p++) {
        if (*p == '-')
            kvl_buf_addc(&b, '\\');
        kvl_buf_addc(&b, *p);
    }
    return kvl_buf_detach(&b);
}

/*
 * The man page and the bash completion name every command and every
 * option of the command table, so they cannot fall behind the parser
 * (test_cli.c does the same for --help).
 */
static void docs_list_every_option(void **state)
{
    char *man_path = kvl_test_src("doc/kvmlint.1");
    char *bash_path = kvl_test_src("completions/kvmlint.bash");
    char *man = kvl_test_read(man_path, NULL);
    char *bash = kvl_test_read(bash_path, NULL);
    int bad = 0;

    (void)state;
    for (const kvl_command *c = kvl_commands; c->name; c++) {
        char *sub = kvl_xasprintf(".SS \"kvmlint %s", c->name);

        if (!strstr(man, sub)) {
            print_error("doc/kvmlint.1 has no section for '%s'\n", c->name);
            bad++;
        }
        if (!strstr(bash, c->name)) {
            print_error("completions/kvmlint.bash does not know '%s'\n", c->name);
            bad++;
        }
        free(sub);
        for (const struct option *o = c->options; o && o->name; o++) {
            char *flag = kvl_xasprintf("--%s", o->name);
            char *rflag = roff(flag);

            if (!strstr(man, rflag)) {
                print_error("doc/kvmlint.1 does not mention '%s %s'\n", c->name, flag);
                bad++;
            }
            if (!strstr(bash, flag)) {
                print_error("completions/kvmlint.bash does not complete '%s %s'\n", c->name, flag);
                bad++;
            }
            free(flag);
            free(rflag);
        }
    }
    free(man);
    free(bash);
    free(man_path);
    free(bash_path);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(globs_match),
        cmocka_unit_test(globs_invalid),
        cmocka_unit_test(thresholds_cover_config),
        cmocka_unit_test(thresholds_have_option_and_schema),
        cmocka_unit_test(thresholds_parse_and_format),
        cmocka_unit_test(config_valid),
        cmocka_unit_test(config_errors),
        cmocka_unit_test(precedence),
        cmocka_unit_test(discovery),
        cmocka_unit_test(discovery_error),
        cmocka_unit_test(marks),
        cmocka_unit_test(docs_list_every_option),
    };
    return KVL_TEST_RUN_WITH_CATALOGUE(tests, &catalogue);
}
