/*
 * Cross-checks against libvirt itself.
 *
 * - The corpus inputs libvirt's test suite expects to be rejected
 *   (../shared/corpus/stats/libvirt-domains.csv, column
 *   libvirt_expected_error) are classified in tests/libvirt-expected-errors.txt:
 *   every such input exactly once, with libvirt's message, as covered by a
 *   rule (which must then report an error on it) or not covered (and why).
 * - The inputs that suite accepts must not get an error from a rule whose
 *   catalogue entry says libvirt refuses what it reports (refused-by
 *   "libvirt"), unless tests/libvirt-accepted-exceptions.txt says why that
 *   finding is right.
 * - --validate agrees with libvirt's schema: the installed domain.rng
 *   accepts the bundled example and rejects a misspelt element, and, when
 *   the installed schemas are the libvirt 9.0 ones the CSV's
 *   virt_xml_validate_9_0 column was computed with, kvmlint and
 *   virt-xml-validate agree on every corpus domain.
 * - Every error rule of the catalogue says who refuses the definition.
 *
 * Each corpus file is linted alone, so that fleet rules (overcommit, shared
 * CPUs) do not see two thousand VMs on one host.  Skipped, saying so, when
 * the corpus or the installed schemas are absent.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lint/engine.h"
#include "lint/validate.h"
#include "rules/catalogue.h"
#include "util/mem.h"

#define BASIC_HOST "libvirt/tests/vircaps2xmldata/vircaps-x86_64-basic.xml"

/* ---- the corpus statistics (CSV) ---- */

typedef struct csv_row {
    char *file;                 /* relative to the corpus: libvirt/tests/... */
    char *set;
    char *schema_9_0;           /* PASS / FAIL */
    char *error;                /* libvirt_expected_error, "" when accepted */
    bool seen;
} csv_row;

typedef struct csv_table {
    csv_row *v;
    size_t n, cap;
} csv_table;

/* Split one CSV record starting at *p (RFC 4180 quoting); advances *p. */
static size_t csv_record(char **p, char **fields, size_t max)
{
    char *s = *p, *out;
    size_t n = 0;

    if (!*s)
        return 0;
    for (;;) {
        char *start = s;
        bool quoted = *s == '"';

        out = start;
        if (quoted) {
            s++;
            while (*s) {
                if (*s == '"' && s[1] == '"') {
                    *out++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *out++ = *s++;
                }
            }
        } else {
            while (*s && *s != ',' && *s != '\n' && *s != '\r')
                *out++ = *s++;
        }
        if (n < max)
            fields[n++] = start;
        /* out may have caught up with s: read the delimiter before ending the field */
        if (*s == ',') {
            *out = '\0';
            s++;
            continue;
        }
        if (*s == '\r')
            *s++ = '\0';
        if (*s == '\n')
            *s++ = '\0';
        *out = '\0';
        break;
    }
    *p = s;
    return n;
}

static int column(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    fail_msg("libvirt-domains.csv has no column %s", name);
    return -1;
}

static void load_csv(csv_table *t, char **text_out)
{
    char *path = kvl_test_corpus("stats/libvirt-domains.csv");
    char *text, *p;
    char *f[64];
    size_t n;
    int c_file, c_set, c_schema, c_error;

    assert_non_null(path);
    text = kvl_test_read(path, NULL);
    p = text;
    n = csv_record(&p, f, 64);
    c_file = column(f, n, "file");
    c_set = column(f, n, "set");
    c_schema = column(f, n, "virt_xml_validate_9_0");
    c_error = column(f, n, "libvirt_expected_error");
    while ((n = csv_record(&p, f, 64)) > 0) {
        if ((size_t)c_error >= n)
            fail_msg("libvirt-domains.csv: short row for %s", f[0]);
        KVL_GROW(t->v, t->n, t->cap);
        t->v[t->n].file = kvl_xasprintf("libvirt/%s", f[c_file]);
        t->v[t->n].set = kvl_xstrdup(f[c_set]);
        t->v[t->n].schema_9_0 = kvl_xstrdup(f[c_schema]);
        t->v[t->n].error = kvl_xstrdup(f[c_error]);
        t->n++;
    }
    free(path);
    *text_out = text;
}

static void free_csv(csv_table *t, char *text)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].file);
        free(t->v[i].set);
        free(t->v[i].schema_9_0);
        free(t->v[i].error);
    }
    free(t->v);
    free(text);
}

static csv_row *csv_find(csv_table *t, const char *file)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].file, file) == 0)
            return &t->v[i];
    return NULL;
}

/* ---- tests/libvirt-expected-errors.txt and the exceptions ---- */

typedef struct listed {
    char *path;
    char *host;                 /* covered only */
    char *rule;                 /* covered, and exceptions */
    char *why;                  /* not covered, and exceptions */
    char *message;              /* libvirt's */
    unsigned line;
    bool covered, used;
} listed;

typedef struct listing {
    listed *v;
    size_t n, cap;
} listing;

/* Tab-separated fields of a line, in place. */
static size_t tab_fields(char *line, char **f, size_t max)
{
    size_t n = 0;

    while (n < max) {
        char *tab = strchr(line, '\t');
        f[n++] = line;
        if (!tab)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    return n;
}

static void load_expected(listing *l)
{
    char *path = kvl_test_src("tests/libvirt-expected-errors.txt");
    char *text = kvl_test_read(path, NULL), *save = NULL;
    int section = -1;           /* 1 covered, 0 not covered */
    unsigned lineno = 0;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[8];
        size_t n;
        listed *e;

        lineno++;
        if (line[0] == '#')
            continue;
        if (strcmp(line, "[covered]") == 0 || strcmp(line, "[not covered]") == 0) {
            section = line[1] == 'c';
            continue;
        }
        n = tab_fields(line, f, 8);
        if (section < 0 || n != (section ? 4u : 3u))
            fail_msg("libvirt-expected-errors.txt: '%s': %s", f[0],
                     section < 0 ? "before any section"
                     : section ? "needs PATH, HOST, RULE and MESSAGE"
                     : "needs PATH, WHY and MESSAGE");
        KVL_GROW(l->v, l->n, l->cap);
        e = &l->v[l->n++];
        e->path = kvl_xstrdup(f[0]);
        e->covered = section == 1;
        e->line = lineno;
        if (e->covered) {
            e->host = kvl_xstrdup(f[1]);
            e->rule = kvl_xstrdup(f[2]);
            e->message = kvl_xstrdup(f[3]);
        } else {
            e->why = kvl_xstrdup(f[1]);
            e->message = kvl_xstrdup(f[2]);
        }
    }
    free(text);
    free(path);
}

/* PATH<TAB>RULE<TAB>why that finding is right */
static void load_exceptions(listing *l)
{
    char *path = kvl_test_src("tests/libvirt-accepted-exceptions.txt");
    char *text = kvl_test_read(path, NULL), *save = NULL;
    unsigned lineno = 0;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[4];
        listed *e;

        lineno++;
        if (line[0] == '#')
            continue;
        if (tab_fields(line, f, 4) != 3 || !*f[2])
            fail_msg("libvirt-accepted-exceptions.txt: '%s' needs PATH, RULE and a reason", f[0]);
        KVL_GROW(l->v, l->n, l->cap);
        e = &l->v[l->n++];
        e->path = kvl_xstrdup(f[0]);
        e->rule = kvl_xstrdup(f[1]);
        e->why = kvl_xstrdup(f[2]);
        e->line = lineno;
    }
    free(text);
    free(path);
}

static void free_listing(listing *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].host);
        free(l->v[i].rule);
        free(l->v[i].why);
        free(l->v[i].message);
    }
    free(l->v);
}

/* ---- linting one file ---- */

typedef struct lint_env {
    kvl_catalogue *cat;
    kvl_host *host;             /* the basic 4-node host */
    kvl_validator *schema;      /* installed libvirt schemas, or NULL */
} lint_env;

static void env_open(lint_env *env, bool want_schema)
{
    char *err = NULL;
    char *host = kvl_test_corpus(BASIC_HOST);

    memset(env, 0, sizeof(*env));
    env->cat = kvl_catalogue_load(&err);
    if (!env->cat)
        fail_msg("catalogue: %s", err);
    assert_non_null(host);
    env->host = kvl_host_load(host, &err);
    if (!env->host)
        fail_msg("%s: %s", BASIC_HOST, err);
    free(host);
    if (want_schema) {
        env->schema = kvl_validator_new(KVL_LIBVIRT_SCHEMA_DIR, &err);
        if (!env->schema) {
            print_message("%s\n", err);
            free(err);
        }
    }
}

static void env_close(lint_env *env)
{
    kvl_validator_free(env->schema);
    kvl_host_free(env->host);
    kvl_catalogue_free(env->cat);
}

/* Lint one corpus file (relative path) alone; the caller frees the run. */
static void lint_one(const lint_env *env, const kvl_host *host, bool validate,
                     const char *rel, kvl_run *run)
{
    char *path = kvl_test_corpus(rel);

    if (!path)
        fail_msg("corpus file %s is missing", rel);
    kvl_run_init(run, env->cat, host, NULL);
    run->validator = validate ? env->schema : NULL;
    kvl_run_add_path(run, path);
    kvl_run_lint(run);
    free(path);
}

static void print_findings(const kvl_run *run)
{
    for (size_t k = 0; k < run->findings.n; k++) {
        const kvl_finding *f = &run->findings.v[k];
        print_error("    %u:%u %s %s: %s\n", f->line, f->col, kvl_severity_name(f->severity),
                    f->rule, f->message);
    }
}

static bool schema_installed(void)
{
    struct stat st;

    return stat(KVL_LIBVIRT_SCHEMA_DIR "/domain.rng", &st) == 0;
}

/* ---- the tests ---- */

/* Every CSV row with an expected error is classified exactly once. */
static void classification_complete(void **state)
{
    KVL_NEED_CORPUS(csvpath, "stats/libvirt-domains.csv");
    csv_table csv = { NULL, 0, 0 };
    char *text;
    listing l = { NULL, 0, 0 };
    size_t problems = 0, covered = 0, rows = 0;

    (void)state;
    load_csv(&csv, &text);
    load_expected(&l);
    for (size_t i = 0; i < l.n; i++) {
        const listed *e = &l.v[i];
        csv_row *r = csv_find(&csv, e->path);

        if (!r || !*r->error) {
            print_error("line %u: %s is not an expected error of libvirt's suite\n", e->line,
                        e->path);
            problems++;
            continue;
        }
        if (strcmp(r->error, e->message) != 0) {
            print_error("line %u: %s: libvirt's message is '%s'\n", e->line, e->path, r->error);
            problems++;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(l.v[j].path, e->path) == 0
                && (l.v[j].covered != e->covered || !e->covered
                    || strcmp(l.v[j].rule, e->rule) == 0)) {
                print_error("line %u: %s is listed twice\n", e->line, e->path);
                problems++;
            }
        if (e->covered && !r->seen)
            covered++;
        r->seen = true;
    }
    for (size_t i = 0; i < csv.n; i++) {
        if (!*csv.v[i].error)
            continue;
        rows++;
        if (!csv.v[i].seen) {
            print_error("%s: libvirt expects '%s'; classify it in "
                        "tests/libvirt-expected-errors.txt\n", csv.v[i].file, csv.v[i].error);
            problems++;
        }
    }
    print_message("%zu expected libvirt errors, %zu of the files covered by rules\n", rows, covered);
    free_listing(&l);
    free_csv(&csv, text);
    free(csvpath);
    assert_int_equal(problems, 0);
}

static bool has_error_of(const kvl_run *run, const char *rule)
{
    for (size_t k = 0; k < run->findings.n; k++)
        if (strcmp(run->findings.v[k].rule, rule) == 0
            && run->findings.v[k].severity == KVL_SEV_ERROR)
            return true;
    return false;
}

/* Each covered expected error gets an error finding of its rule. */
static void expected_errors_reported(void **state)
{
    KVL_NEED_CORPUS(basic, BASIC_HOST);
    lint_env env;
    listing l = { NULL, 0, 0 };
    size_t checked = 0, missed = 0, skipped = 0;

    (void)state;
    env_open(&env, schema_installed());
    load_expected(&l);
    for (size_t i = 0; i < l.n; i++) {
        const listed *e = &l.v[i];
        bool validate;
        kvl_host *host = env.host, *own = NULL;
        kvl_run run;

        if (!e->covered)
            continue;
        validate = strcmp(e->rule, "schema-invalid") == 0;
        if (validate && !env.schema) {
            skipped++;
            continue;
        }
        if (strcmp(e->host, BASIC_HOST) != 0) {
            char *err = NULL, *hp = kvl_test_corpus(e->host);
            if (!hp || !(own = kvl_host_load(hp, &err)))
                fail_msg("line %u: host %s: %s", e->line, e->host, err ? err : "missing");
            host = own;
            free(hp);
        }
        if (!kvl_catalogue_find(env.cat, e->rule)) {
            print_error("%s: rule %s is not in the catalogue yet (libvirt: %s)\n", e->path,
                        e->rule, e->message);
            missed++;
            kvl_host_free(own);
            continue;
        }
        lint_one(&env, host, validate, e->path, &run);
        checked++;
        if (!has_error_of(&run, e->rule)) {
            print_error("%s: no error from %s (libvirt: %s); kvmlint reported:\n", e->path,
                        e->rule, e->message);
            print_findings(&run);
            missed++;
        }
        kvl_run_free(&run);
        kvl_host_free(own);
    }
    if (skipped)
        print_message("%zu schema-invalid lines skipped: libvirt's schemas are not installed "
                      "at %s\n", skipped, KVL_LIBVIRT_SCHEMA_DIR);
    print_message("%zu expected errors linted, %zu not reported\n", checked, missed);
    free_listing(&l);
    env_close(&env);
    free(basic);
    assert_int_equal(missed, 0);
}

static listed *exception_for(listing *ex, const char *path, const char *rule)
{
    for (size_t i = 0; i < ex->n; i++)
        if (strcmp(ex->v[i].path, path) == 0 && strcmp(ex->v[i].rule, rule) == 0)
            return &ex->v[i];
    return NULL;
}

/* The file name without its directory and ".xml". */
static const char *stem_start(const char *file)
{
    const char *slash = strrchr(file, '/');

    return slash ? slash + 1 : file;
}

/*
 * An xml2xml output (NAME.<arch>-latest.xml, NAME.abi-update.xml, ...) is
 * accepted only when its input NAME.xml is: libvirt's xml2xml test formats
 * some inputs that its argv test then refuses (a NUMA node the host lacks,
 * say).  Stems may contain dots ("...-virt-4.2"), so the longest input stem
 * followed by a dot wins.
 */
static bool output_of_rejected_input(const csv_table *t, const csv_row *out)
{
    const char *name = stem_start(out->file);
    const csv_row *best = NULL;
    size_t best_len = 0;

    for (size_t i = 0; i < t->n; i++) {
        const csv_row *in = &t->v[i];
        const char *stem = stem_start(in->file);
        size_t len = strlen(stem) - 4;      /* without .xml */

        if (strcmp(in->set, "qemuxmlconfdata-input") != 0 || len <= best_len)
            continue;
        if (strncmp(name, stem, len) == 0 && name[len] == '.' && strcmp(name + len, ".xml") != 0) {
            best = in;
            best_len = len;
        }
    }
    return best && *best->error;
}

/* Findings per rule, for the summary of what this test does not judge. */
typedef struct tallies {
    struct { const char *rule; size_t count; } *v;
    size_t n, cap;
} tallies;

static void tally(tallies *t, const char *rule)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].rule, rule) == 0) {
            t->v[i].count++;
            return;
        }
    KVL_GROW(t->v, t->n, t->cap);
    t->v[t->n].rule = rule;
    t->v[t->n++].count = 1;
}

/* What libvirt accepts gets no error from a rule that says libvirt refuses it. */
static void accepted_inputs_quiet(void **state)
{
    KVL_NEED_CORPUS(basic, BASIC_HOST);
    csv_table csv = { NULL, 0, 0 };
    char *text;
    listing ex = { NULL, 0, 0 };
    lint_env env;
    size_t files = 0, wrong = 0, other = 0, excused = 0, outputs_skipped = 0;
    tallies others = { NULL, 0, 0 };

    (void)state;
    env_open(&env, false);
    load_csv(&csv, &text);
    load_exceptions(&ex);
    for (size_t i = 0; i < csv.n; i++) {
        const csv_row *r = &csv.v[i];
        kvl_run run;
        bool shown = false;

        if (*r->error)
            continue;
        if (strcmp(r->set, "qemuxmlconfdata-output") == 0 && output_of_rejected_input(&csv, r)) {
            outputs_skipped++;
            continue;
        }
        lint_one(&env, env.host, false, r->file, &run);
        files++;
        for (size_t k = 0; k < run.findings.n; k++) {
            const kvl_finding *f = &run.findings.v[k];
            const kvl_rule_def *def = kvl_catalogue_find(env.cat, f->rule);
            listed *e;

            if (f->severity != KVL_SEV_ERROR)
                continue;
            if (def->refused_by != KVL_REFUSED_LIBVIRT) {
                tally(&others, f->rule);
                other++;
                continue;
            }
            if ((e = exception_for(&ex, r->file, f->rule))) {
                e->used = true;
                excused++;
                continue;
            }
            if (!shown)
                print_error("%s (%s): libvirt accepts it, but:\n", r->file, r->set);
            shown = true;
            print_error("    %u:%u %s: %s\n", f->line, f->col, f->rule, f->message);
            wrong++;
        }
        kvl_run_free(&run);
    }
    for (size_t i = 0; i < ex.n; i++)
        if (!ex.v[i].used) {
            print_error("libvirt-accepted-exceptions.txt:%u: %s no longer gets %s: remove the "
                        "line\n", ex.v[i].line, ex.v[i].path, ex.v[i].rule);
            wrong++;
        }
    print_message("%zu accepted files (%zu xml2xml outputs of rejected inputs left out): "
                  "%zu errors where libvirt would refuse (%zu excused), %zu errors from rules "
                  "refused by QEMU or the host (not judged here)\n",
                  files, outputs_skipped, wrong, excused, other);
    for (size_t i = 0; i < others.n; i++)
        print_message("    %s: %zu\n", others.v[i].rule, others.v[i].count);
    free(others.v);
    free_listing(&ex);
    free_csv(&csv, text);
    env_close(&env);
    free(basic);
    assert_true(files >= 2000);
    assert_int_equal(wrong, 0);
}

/* Every error rule says who refuses the definition (schemas/catalogue.rng). */
static void error_rules_say_who_refuses(void **state)
{
    char *err = NULL;
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    size_t problems = 0;

    (void)state;
    if (!cat)
        fail_msg("catalogue: %s", err);
    for (size_t i = 0; i < cat->n; i++) {
        const kvl_rule_def *r = &cat->rules[i];
        /* libvirt enforces its schema only when asked (virsh define --validate) */
        if (r->severity == KVL_SEV_ERROR && r->refused_by == KVL_REFUSED_UNSAID
            && strcmp(r->id, "schema-invalid") != 0) {
            print_error("rule %s has severity error but no refused-by (libvirt, qemu or host)\n",
                        r->id);
            problems++;
        }
    }
    kvl_catalogue_free(cat);
    assert_int_equal(problems, 0);
}

/* Validate one file of the source tree with the installed schemas. */
static size_t schema_findings(const char *rel, const char *expect_message)
{
    char *path = kvl_test_src(rel);
    char *err = NULL;
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    kvl_validator *v = kvl_validator_new(KVL_LIBVIRT_SCHEMA_DIR, &err);
    kvl_run run;
    size_t n = 0;
    bool found = !expect_message;

    if (!v)
        fail_msg("%s", err);
    kvl_run_init(&run, cat, NULL, NULL);
    run.validator = v;
    kvl_run_add_path(&run, path);
    kvl_run_lint(&run);
    for (size_t k = 0; k < run.findings.n; k++) {
        const kvl_finding *f = &run.findings.v[k];
        if (strcmp(f->rule, "schema-invalid") != 0)
            continue;
        n++;
        if (expect_message && strstr(f->message, expect_message) && f->line > 0)
            found = true;
    }
    if (!found) {
        print_error("%s: no schema-invalid finding saying '%s'\n", rel, expect_message);
        print_findings(&run);
    }
    assert_true(found);
    assert_false(run.input_error);
    kvl_run_free(&run);
    kvl_validator_free(v);
    kvl_catalogue_free(cat);
    free(path);
    return n;
}

#define NEED_SCHEMA()                                                          \
    do {                                                                       \
        if (!schema_installed()) {                                             \
            print_message("libvirt's schemas are not installed at %s "         \
                          "(Debian: libvirt-clients): skipped\n",              \
                          KVL_LIBVIRT_SCHEMA_DIR);                             \
            skip();                                                            \
        }                                                                      \
    } while (0)

static void real_schema_accepts_example(void **state)
{
    (void)state;
    NEED_SCHEMA();
    assert_int_equal(schema_findings("examples/sql01.xml", NULL), 0);
    assert_int_equal(schema_findings("testdata/rules/schema-invalid/miss-valid/vm.xml", NULL), 0);
}

static void real_schema_rejects_misspelt_element(void **state)
{
    (void)state;
    NEED_SCHEMA();
    assert_true(schema_findings("testdata/rules/schema-invalid/fire-misspelt-element/vm.xml",
                                "memorybacking") >= 1);
}

/* The installed libvirt-clients version, from dpkg's database, or NULL. */
static char *installed_libvirt_clients(void)
{
    FILE *f = fopen("/var/lib/dpkg/status", "r");
    char line[4096];
    bool in = false;
    char *version = NULL;

    if (!f)
        return NULL;
    while (!version && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "Package: ", 9) == 0)
            in = strcmp(line + 9, "libvirt-clients\n") == 0;
        else if (in && strncmp(line, "Version: ", 9) == 0)
            version = kvl_xstrndup(line + 9, strcspn(line + 9, "\n"));
    }
    fclose(f);
    return version;
}

/*
 * kvmlint --validate and virt-xml-validate (the CSV's virt_xml_validate_9_0
 * column, libvirt 9.0.0 schemas) agree on every corpus domain.  Only with
 * the same schemas installed: another libvirt version accepts other syntax.
 */
static void real_schema_agrees_with_virt_xml_validate(void **state)
{
    char *version;
    csv_table csv = { NULL, 0, 0 };
    char *text;
    lint_env env;
    size_t files = 0, differ = 0, invalid = 0;

    (void)state;
    NEED_SCHEMA();
    KVL_NEED_CORPUS(basic, BASIC_HOST);
    version = installed_libvirt_clients();
    if (!version || strncmp(version, "9.0.0", 5) != 0) {
        print_message("libvirt-clients %s installed, the CSV was computed with 9.0.0: "
                      "skipped\n", version ? version : "(unknown)");
        free(version);
        free(basic);
        skip();
    }
    env_open(&env, true);
    assert_non_null(env.schema);
    load_csv(&csv, &text);
    for (size_t i = 0; i < csv.n; i++) {
        const csv_row *r = &csv.v[i];
        kvl_run run;
        bool rejected = false;

        lint_one(&env, NULL, true, r->file, &run);
        files++;
        for (size_t k = 0; k < run.findings.n; k++)
            rejected |= strcmp(run.findings.v[k].rule, "schema-invalid") == 0;
        invalid += rejected;
        if (rejected != (strcmp(r->schema_9_0, "FAIL") == 0)) {
            print_error("%s: virt-xml-validate says %s, kvmlint %s\n", r->file, r->schema_9_0,
                        rejected ? "invalid" : "valid");
            differ++;
        }
        kvl_run_free(&run);
    }
    print_message("%zu files, %zu invalid, %zu disagreements with virt-xml-validate\n", files,
                  invalid, differ);
    free_csv(&csv, text);
    env_close(&env);
    free(version);
    free(basic);
    assert_int_equal(differ, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(error_rules_say_who_refuses),
        cmocka_unit_test(classification_complete),
        cmocka_unit_test(expected_errors_reported),
        cmocka_unit_test(accepted_inputs_quiet),
        cmocka_unit_test(real_schema_accepts_example),
        cmocka_unit_test(real_schema_rejects_misspelt_element),
        cmocka_unit_test(real_schema_agrees_with_virt_xml_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
