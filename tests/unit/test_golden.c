/*
 * The golden-case runner.  A case is a directory under testdata/ holding a
 * `cmd` file (the arguments after `kvmlint`, one line; {hosts} and
 * {examples} expand to the relative paths of testdata/hosts and examples/),
 * the inputs it names, an optional `stdin` file fed to standard input, and
 * `expected`:
 *
 *     exit: N
 *     --- stdout
 *     ...
 *     --- stderr
 *     ...
 *
 * The command runs in-process with the case directory as working directory,
 * so paths in the output are relative.  KVMLINT_TEST_REGENERATE=1 rewrites
 * every `expected` for review instead of comparing; KVMLINT_TEST_ONLY=PREFIX
 * limits the run to cases whose path under testdata/ starts with PREFIX
 * (e.g. "rules/disk-" or "cli/"), and skips the coverage check.
 *
 * Besides comparing, the runner enforces the catalogue contract: every rule
 * has a testdata/rules/RULE/fire* case whose output shows [RULE] and a
 * miss* case whose output does not; no case names an unknown rule; and
 * every file in a case directory is used by its command.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "rules/catalogue.h"
#include "util/buf.h"
#include "util/mem.h"

typedef struct golden_case {
    char *dir;          /* absolute */
    char *rel;          /* relative to testdata/ */
    char *actual;       /* filled when run */
} golden_case;

static golden_case *cases;
static size_t ncases, cap_cases;
static char *srcdir;
static bool regenerate;

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entries of a directory, without dot files. */
static char **list_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **v = NULL;
    size_t cap = 0;

    *n = 0;
    if (!d)
        return NULL;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            KVL_GROW(v, *n, cap);
            v[(*n)++] = kvl_xstrdup(e->d_name);
        }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof(*v), cmp_str);
    return v;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void find_cases(const char *dir, const char *rel)
{
    size_t n;
    char **names;
    char *cmd = kvl_xasprintf("%s/cmd", dir);

    if (exists(cmd)) {
        KVL_GROW(cases, ncases, cap_cases);
        cases[ncases].dir = kvl_xstrdup(dir);
        cases[ncases].rel = kvl_xstrdup(rel);
        ncases++;
        free(cmd);
        return;
    }
    free(cmd);
    names = list_dir(dir, &n);
    for (size_t i = 0; i < n; i++) {
        char *sub = kvl_xasprintf("%s/%s", dir, names[i]);
        char *subrel = *rel ? kvl_xasprintf("%s/%s", rel, names[i]) : kvl_xstrdup(names[i]);
        if (is_dir(sub) && strcmp(names[i], "hosts") != 0)
            find_cases(sub, subrel);
        free(sub);
        free(subrel);
    }
    free_list(names, n);
}

/* "../" once per path component of testdata/REL, to get back to srcdir. */
static char *up_to_src(const char *rel)
{
    kvl_buf b = KVL_BUF_INIT;

    kvl_buf_adds(&b, "../");            /* out of testdata/ */
    for (const char *p = rel; *p; p++)
        if (*p == '/')
            kvl_buf_adds(&b, "../");
    kvl_buf_adds(&b, "../");            /* out of the case directory itself */
    return kvl_buf_detach(&b);
}

static char *expand(const char *cmd, const char *up)
{
    kvl_buf b = KVL_BUF_INIT;

    for (const char *p = cmd; *p; p++) {
        if (strncmp(p, "{hosts}", 7) == 0) {
            kvl_buf_addf(&b, "%stestdata/hosts", up);
            p += 6;
        } else if (strncmp(p, "{examples}", 10) == 0) {
            kvl_buf_addf(&b, "%sexamples", up);
            p += 9;
        } else {
            kvl_buf_addc(&b, *p);
        }
    }
    return kvl_buf_detach(&b);
}

static char *read_stream(char *buf, size_t len)
{
    char *s = kvl_xstrndup(buf ? buf : "", len);
    return s;
}

static void run_case(void **state)
{
    golden_case *gc = *state;
    char *cmdfile = kvl_xasprintf("%s/cmd", gc->dir);
    char *expfile = kvl_xasprintf("%s/expected", gc->dir);
    char *stdinfile = kvl_xasprintf("%s/stdin", gc->dir);
    char *raw = kvl_test_read(cmdfile, NULL);
    char *up = up_to_src(gc->rel);
    char *line = expand(raw, up);
    char *argv[64];
    int argc = 0;
    char *outbuf = NULL, *errbuf = NULL;
    size_t outlen = 0, errlen = 0;
    FILE *out = open_memstream(&outbuf, &outlen);
    FILE *err = open_memstream(&errbuf, &errlen);
    char cwd[4096];
    int rc;
    kvl_buf actual = KVL_BUF_INIT;
    char *o, *e;

    argv[argc++] = "kvmlint";
    for (char *tok = strtok(line, " \t\n"); tok && argc < 63; tok = strtok(NULL, " \t\n"))
        argv[argc++] = tok;
    argv[argc] = NULL;

    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(gc->dir), 0);
    if (exists(stdinfile))
        assert_non_null(freopen(stdinfile, "r", stdin));
    rc = kvl_main(argc, argv, out, err);
    if (exists(stdinfile))
        assert_non_null(freopen("/dev/null", "r", stdin));
    assert_int_equal(chdir(cwd), 0);
    fclose(out);
    fclose(err);
    o = read_stream(outbuf, outlen);
    e = read_stream(errbuf, errlen);
    kvl_buf_addf(&actual, "exit: %d\n--- stdout\n%s--- stderr\n%s", rc, o, e);
    gc->actual = kvl_buf_detach(&actual);

    if (regenerate) {
        FILE *f = fopen(expfile, "w");
        assert_non_null(f);
        fputs(gc->actual, f);
        fclose(f);
    } else {
        char *expected;
        if (!exists(expfile))
            fail_msg("%s: no expected file (run with KVMLINT_TEST_REGENERATE=1 and review)",
                     gc->rel);
        expected = kvl_test_read(expfile, NULL);
        if (strcmp(expected, gc->actual) != 0) {
            print_error("%s: output differs\n--- expected\n%s\n--- actual\n%s\n", gc->rel,
                        expected, gc->actual);
            free(expected);
            fail_msg("%s: output differs from expected", gc->rel);
        }
        free(expected);
    }
    free(o);
    free(e);
    free(outbuf);
    free(errbuf);
    free(line);
    free(up);
    free(raw);
    free(cmdfile);
    free(expfile);
    free(stdinfile);
}

/* Does any file of the case other than `self` mention `name`? */
static bool referenced_by_other_file(const golden_case *gc, char **names, size_t n,
                                     const char *name)
{
    bool found = false;

    for (size_t i = 0; i < n && !found; i++) {
        char *p;
        if (strcmp(names[i], name) == 0 || strcmp(names[i], "expected") == 0)
            continue;
        p = kvl_xasprintf("%s/%s", gc->dir, names[i]);
        if (!is_dir(p)) {
            char *text = kvl_test_read(p, NULL);
            found = strstr(text, name) != NULL;
            free(text);
        }
        free(p);
    }
    return found;
}

/* Is `name` an argument of the command, or below a directory argument? */
static bool named_by_command(const char *cmd, const char *name)
{
    char *copy = kvl_xstrdup(cmd);
    size_t len = strlen(name);
    bool used = false;

    for (char *tok = strtok(copy, " \t\n"); tok && !used; tok = strtok(NULL, " \t\n"))
        used = strcmp(tok, ".") == 0 || strcmp(tok, name) == 0
            || (strncmp(tok, name, len) == 0 && tok[len] == '/');
    free(copy);
    return used;
}

/*
 * Every file in a case directory is used: named by the command (or inside a
 * directory argument), referenced from another file of the case (an
 * external entity, say), or one of the runner's own files.
 */
static void check_files_used(void **state)
{
    golden_case *gc = *state;
    size_t n;
    char **names = list_dir(gc->dir, &n);
    char *cmdfile = kvl_xasprintf("%s/cmd", gc->dir);
    char *cmd = kvl_test_read(cmdfile, NULL);

    for (size_t i = 0; i < n; i++) {
        const char *f = names[i];
        if (!strcmp(f, "cmd") || !strcmp(f, "expected") || !strcmp(f, "stdin")
            || !strcmp(f, "README"))
            continue;
        if (!named_by_command(cmd, f) && !referenced_by_other_file(gc, names, n, f))
            fail_msg("%s: file '%s' is not used by the command", gc->rel, f);
    }
    free_list(names, n);
    free(cmd);
    free(cmdfile);
}

static const char *stdout_part(const char *actual)
{
    const char *s = strstr(actual, "--- stdout\n");
    return s ? s : "";
}

/* Does the output show a finding of `id`, as text ([id]) or JSON ("rule":"id")? */
static bool shows_rule(const char *out, const char *id)
{
    char *text = kvl_xasprintf("[%s]", id);
    char *json = kvl_xasprintf("\"rule\":\"%s\"", id);
    bool found = strstr(out, text) || strstr(out, json);

    free(text);
    free(json);
    return found;
}

/* Each rule: a fire case that shows it and a near miss that does not. */
static void check_rule_coverage(void **state)
{
    char *err = NULL;
    kvl_catalogue *cat = kvl_catalogue_load(&err);
    char *rulesdir = kvl_xasprintf("%s/testdata/rules", srcdir);
    size_t n;
    char **dirs = list_dir(rulesdir, &n);
    int missing = 0;

    (void)state;
    assert_non_null(cat);
    for (size_t i = 0; i < n; i++)
        if (!kvl_catalogue_find(cat, dirs[i])) {
            print_error("testdata/rules/%s: no such rule in the catalogue\n", dirs[i]);
            missing++;
        }
    for (size_t r = 0; r < cat->n; r++) {
        const char *id = cat->rules[r].id;
        char *tag = kvl_xasprintf("[%s]", id);
        char *prefix = kvl_xasprintf("rules/%s/", id);
        bool fire = false, miss = false;

        for (size_t c = 0; c < ncases; c++) {
            const golden_case *gc = &cases[c];
            const char *name;
            if (strncmp(gc->rel, prefix, strlen(prefix)) != 0 || !gc->actual)
                continue;
            name = gc->rel + strlen(prefix);
            if (strncmp(name, "fire", 4) == 0) {
                if (!shows_rule(stdout_part(gc->actual), id)) {
                    print_error("%s: a fire case, but the output does not show %s\n", gc->rel, tag);
                    missing++;
                }
                fire = true;
            } else if (strncmp(name, "miss", 4) == 0) {
                if (shows_rule(stdout_part(gc->actual), id)) {
                    print_error("%s: a near miss, but the output shows %s\n", gc->rel, tag);
                    missing++;
                }
                miss = true;
            } else {
                print_error("%s: case names must start with fire or miss\n", gc->rel);
                missing++;
            }
        }
        if (!fire || !miss) {
            print_error("rule %s lacks a %s case under testdata/rules/%s/\n", id,
                        !fire ? "fire" : "miss (near-miss)", id);
            missing++;
        }
        free(tag);
        free(prefix);
    }
    free_list(dirs, n);
    free(rulesdir);
    kvl_catalogue_free(cat);
    assert_int_equal(missing, 0);
}

int main(void)
{
    struct CMUnitTest *tests;
    size_t nt = 0;
    char *testdata;
    const char *only;
    int rc;

    srcdir = kvl_test_src("");
    regenerate = getenv("KVMLINT_TEST_REGENERATE") && *getenv("KVMLINT_TEST_REGENERATE")
              && strcmp(getenv("KVMLINT_TEST_REGENERATE"), "0") != 0;
    testdata = kvl_xasprintf("%s/testdata", srcdir);
    find_cases(testdata, "");
    only = getenv("KVMLINT_TEST_ONLY");
    if (only && *only) {
        size_t kept = 0;
        for (size_t i = 0; i < ncases; i++) {
            if (strncmp(cases[i].rel, only, strlen(only)) == 0) {
                cases[kept++] = cases[i];
            } else {
                free(cases[i].dir);
                free(cases[i].rel);
            }
        }
        ncases = kept;
    }
    tests = kvl_xcalloc(ncases * 2 + 1, sizeof(*tests));
    for (size_t i = 0; i < ncases; i++) {
        tests[nt].name = cases[i].rel;
        tests[nt].test_func = run_case;
        tests[nt].initial_state = &cases[i];
        nt++;
    }
    for (size_t i = 0; i < ncases; i++) {
        tests[nt].name = kvl_xasprintf("%s (files used)", cases[i].rel);
        tests[nt].test_func = check_files_used;
        tests[nt].initial_state = &cases[i];
        nt++;
    }
    if (!only || !*only) {
        tests[nt].name = "every rule has fire and near-miss cases";
        tests[nt].test_func = check_rule_coverage;
        nt++;
    }
    rc = _cmocka_run_group_tests("golden", tests, nt, NULL, NULL);
    for (size_t i = 0; i < ncases; i++) {
        free((char *)tests[ncases + i].name);
        free(cases[i].dir);
        free(cases[i].rel);
        free(cases[i].actual);
    }
    free(cases);
    free(tests);
    free(testdata);
    free(srcdir);
    return rc;
}
