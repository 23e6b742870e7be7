/*
 * `kvmlint fix --unsafe-fixes` over every domain XML of the corpus
 * (../shared/corpus/libvirt/tests), as one fleet, and what must hold for
 * every file:
 *   - identity: a file no fix applies to comes back byte for byte;
 *   - re-linting the result reports none of the findings that were fixed;
 *   - idempotence: fixing the fixed files changes nothing;
 *   - libvirt takes the result: it validates against libvirt's RelaxNG
 *     schema whenever the input did (xmllint, one process for all files),
 *     and `virsh -c test:///default define` accepts it whenever it accepted
 *     the input (one virsh process reading the commands from a file).
 * The schema and virsh checks are skipped, saying so, when xmllint, the
 * schema or virsh is not installed; everything is skipped without the corpus.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fix/fixer.h"
#include "lint/validate.h"
#include "rules/catalogue.h"
#include "util/buf.h"
#include "util/mem.h"

#define SCHEMA KVL_LIBVIRT_SCHEMA_DIR "/domain.rng"

typedef struct corpus_fix {
    kvl_catalogue *cat;
    kvl_validator *validator;
    kvl_fix_opts opts;
    kvl_fix_result res;
    char tmp[64];               /* the fixed files, NNNNN.xml by file index */
    char **out;                 /* per file: its fixed copy, NULL when unchanged or an error */
} corpus_fix;

static corpus_fix *cf;

static bool changed(const kvl_fix_file *f)
{
    return !f->error && (f->len != f->original_len || memcmp(f->text, f->original, f->len) != 0);
}

static void write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    char *dir = kvl_test_corpus("libvirt/tests");
    char *err = NULL;

    (void)state;
    if (!dir)
        return 0;
    cf = kvl_xcalloc(1, sizeof(*cf));
    cf->cat = kvl_catalogue_load(&err);
    if (!cf->cat)
        return -1;
    cf->validator = kvl_validator_new(KVL_LIBVIRT_SCHEMA_DIR, &err);
    free(err);
    kvl_fix_opts_init(&cf->opts);
    cf->opts.unsafe = true;
    cf->opts.validator = cf->validator;
    kvl_fix_run(&cf->res, cf->cat, NULL, &cf->opts, &dir, 1);
    free(dir);

    memcpy(cf->tmp, "/tmp/kvmlint-fix-corpus-XXXXXX", 31);
    if (!mkdtemp(cf->tmp))
        return -1;
    cf->out = kvl_xcalloc(cf->res.nfiles + 1, sizeof(*cf->out));
    for (size_t i = 0; i < cf->res.nfiles; i++) {
        const kvl_fix_file *f = &cf->res.files[i];
        char *path;

        if (f->error)
            continue;
        path = kvl_xasprintf("%s/%05zu.xml", cf->tmp, i);
        write_text(path, f->text, f->len);
        if (changed(f))
            cf->out[i] = path;
        else
            free(path);
    }
    return 0;
}

static int teardown(void **state)
{
    char *cmd;

    (void)state;
    if (!cf)
        return 0;
    cmd = kvl_xasprintf("rm -rf '%s'", cf->tmp);
    if (system(cmd) != 0)
        return -1;
    free(cmd);
    for (size_t i = 0; i < cf->res.nfiles; i++)
        free(cf->out[i]);
    free(cf->out);
    kvl_fix_result_free(&cf->res);
    kvl_validator_free(cf->validator);
    kvl_catalogue_free(cf->cat);
    free(cf);
    cf = NULL;
    return 0;
}

#define NEED_CORPUS()                                                          \
    do {                                                                       \
        if (!cf) {                                                             \
            print_message("corpus absent: skipped\n");                         \
            skip();                                                            \
        }                                                                      \
    } while (0)

static bool has_fixable(const kvl_run *run, size_t index)
{
    for (size_t k = 0; k < run->findings.n; k++)
        if (run->findings.v[k].file == index && run->findings.v[k].fixable)
            return true;
    return false;
}

/* Nothing to fix: the same bytes.  And a fix applied means a change. */
static void identity(void **state)
{
    size_t domains = 0, unchanged = 0, fixed = 0, bad = 0;

    (void)state;
    NEED_CORPUS();
    for (size_t i = 0; i < cf->res.nfiles; i++) {
        const kvl_fix_file *f = &cf->res.files[i];

        if (f->error)
            continue;
        domains++;
        if (!has_fixable(&cf->res.first, i)) {
            if (changed(f)) {
                print_error("%s: no fixable finding, but the text changed\n", f->path);
                bad++;
            }
            unchanged++;
        } else if (f->applied) {
            fixed++;
            if (!changed(f)) {
                print_error("%s: %u fixes applied, text unchanged\n", f->path, f->applied);
                bad++;
            }
        }
        if (!f->applied && changed(f)) {
            print_error("%s: changed without a fix applied\n", f->path);
            bad++;
        }
    }
    print_message("%zu domains: %zu with nothing to fix came back identical, %zu fixed in "
                  "%u rounds\n", domains, unchanged, fixed, cf->res.rounds);
    assert_true(domains >= 2300);
    assert_true(cf->res.fixpoint);
    assert_int_equal(bad, 0);
}

/* The final lint shows none of the findings a fix was applied for. */
static void relint(void **state)
{
    const kvl_run *last;
    size_t bad = 0, applied = 0;

    (void)state;
    NEED_CORPUS();
    last = cf->res.last;
    for (size_t n = 0; n < cf->res.nnotes; n++) {
        const kvl_fix_note *note = &cf->res.notes[n];
        size_t index = cf->res.files[note->file].last_index;

        if (note->status != KVL_FIXST_APPLIED)
            continue;
        applied++;
        for (size_t k = 0; k < last->findings.n; k++) {
            const kvl_finding *f = &last->findings.v[k];

            if (f->file == index && f->rule == note->rule && strcmp(f->message, note->message) == 0) {
                print_error("%s: [%s] %s: still reported after its fix\n",
                            cf->res.files[note->file].path, f->rule, f->message);
                bad++;
            }
        }
    }
    print_message("%zu fixes applied, none of their findings remains\n", applied);
    assert_true(applied > 0);
    assert_int_equal(bad, 0);
}

/* Fixing the fixed files (the same fleet) changes nothing. */
static void idempotent(void **state)
{
    kvl_fix_result again;
    char *dir;
    size_t bad = 0;

    (void)state;
    NEED_CORPUS();
    dir = cf->tmp;
    kvl_fix_run(&again, cf->cat, NULL, &cf->opts, &dir, 1);
    for (size_t i = 0; i < again.nfiles; i++)
        if (changed(&again.files[i]) || again.files[i].applied) {
            print_error("%s: changed when fixed a second time\n", again.files[i].path);
            bad++;
        }
    print_message("%zu fixed files fixed again: unchanged\n", again.nfiles);
    kvl_fix_result_free(&again);
    assert_int_equal(bad, 0);
}

/* Lines "PATH validates" / "PATH fails to validate" of one xmllint run. */
static bool validates(const char *log, const char *path)
{
    char *line = kvl_xasprintf("\n%s validates\n", path);
    bool ok = strstr(log, line) != NULL;

    free(line);
    return ok;
}

static char *run_capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    kvl_buf b = KVL_BUF_INIT;
    char chunk[65536];
    size_t n;

    assert_non_null(p);
    kvl_buf_addc(&b, '\n');
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        kvl_buf_add(&b, chunk, n);
    pclose(p);
    return kvl_buf_detach(&b);
}

static bool have_tool(const char *name)
{
    char *cmd = kvl_xasprintf("command -v %s >/dev/null 2>&1", name);
    bool ok = system(cmd) == 0;

    free(cmd);
    return ok;
}

static void schema_valid(void **state)
{
    char *list, *cmd, *log;
    FILE *f;
    size_t checked = 0, bad = 0;

    (void)state;
    NEED_CORPUS();
    if (!have_tool("xmllint") || access(SCHEMA, R_OK) != 0) {
        print_message("xmllint or %s absent: skipped\n", SCHEMA);
        skip();
    }
    list = kvl_xasprintf("%s/validate.list", cf->tmp);
    f = fopen(list, "w");
    assert_non_null(f);
    for (size_t i = 0; i < cf->res.nfiles; i++)
        if (cf->out[i]) {
            fprintf(f, "%s%c%s%c", cf->res.files[i].path, 0, cf->out[i], 0);
        }
    fclose(f);
    cmd = kvl_xasprintf("xargs -0 xmllint --noout --relaxng %s < '%s' 2>&1", SCHEMA, list);
    log = run_capture(cmd);
    for (size_t i = 0; i < cf->res.nfiles; i++) {
        if (!cf->out[i] || !validates(log, cf->res.files[i].path))
            continue;
        checked++;
        if (!validates(log, cf->out[i])) {
            print_error("%s: valid, but its fixed copy %s is not\n", cf->res.files[i].path,
                        cf->out[i]);
            bad++;
        }
    }
    print_message("%zu fixed files whose input validates: all still validate\n", checked);
    free(log);
    free(cmd);
    free(list);
    assert_int_equal(bad, 0);
}

/* A name virsh reads back as one word inside single quotes. */
static bool plain_name(const char *s)
{
    return s && *s && !strpbrk(s, "'\\\n\r");
}

/* Files per virsh process: libvirt 9's parser can crash on odd input (the
 * test driver aborts on some invalid NUMA distances), which ends only that
 * batch. */
#define VIRSH_BATCH 25

/* Run virsh over the fixed files [from, to), appending its output to `log`. */
static void virsh_batch(kvl_buf *log, size_t from, size_t to)
{
    char *cmds = kvl_xasprintf("%s/virsh.cmds", cf->tmp), *cmd, *out;
    FILE *f = fopen(cmds, "w");

    assert_non_null(f);
    /* each definition on its own: undefined again, so domains of the same
     * name but another UUID do not collide */
    for (size_t i = from; i < to; i++) {
        const char *name = cf->res.first.files[i].domain;

        if (!cf->out[i] || !plain_name(name))
            continue;
        fprintf(f, "define '%s'\nundefine '%s'\ndefine '%s'\nundefine '%s'\n",
                cf->res.files[i].path, name, cf->out[i], name);
    }
    fclose(f);
    cmd = kvl_xasprintf("virsh -c test:///default < '%s' 2>/dev/null", cmds);
    out = run_capture(cmd);
    kvl_buf_adds(log, out);
    free(out);
    free(cmd);
    free(cmds);
}

static void virsh_accepts(void **state)
{
    kvl_buf log = KVL_BUF_INIT;
    size_t checked = 0, bad = 0;

    (void)state;
    NEED_CORPUS();
    if (!have_tool("virsh")) {
        print_message("virsh absent: skipped\n");
        skip();
    }
    for (size_t i = 0; i < cf->res.nfiles; i += VIRSH_BATCH)
        virsh_batch(&log, i, i + VIRSH_BATCH < cf->res.nfiles ? i + VIRSH_BATCH : cf->res.nfiles);
    for (size_t i = 0; i < cf->res.nfiles; i++) {
        char *in, *out;

        if (!cf->out[i] || !plain_name(cf->res.first.files[i].domain))
            continue;
        in = kvl_xasprintf(" defined from %s\n", cf->res.files[i].path);
        out = kvl_xasprintf(" defined from %s\n", cf->out[i]);
        if (strstr(kvl_buf_str(&log), in)) {
            checked++;
            if (!strstr(kvl_buf_str(&log), out)) {
                print_error("%s: virsh defines it, but not its fixed copy %s\n",
                            cf->res.files[i].path, cf->out[i]);
                bad++;
            }
        }
        free(in);
        free(out);
    }
    print_message("%zu fixed files whose input virsh defines: all fixed copies defined too\n",
                  checked);
    kvl_buf_free(&log);
    assert_true(checked > 0);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identity),
        cmocka_unit_test(relint),
        cmocka_unit_test(idempotent),
        cmocka_unit_test(schema_valid),
        cmocka_unit_test(virsh_accepts),
    };
    return cmocka_run_group_tests_name("fix corpus", tests, setup, teardown);
}
