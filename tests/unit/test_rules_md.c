/*
 * Completeness against the public contract: every rule id in the tables of
 * ../shared/RULES.md (except the "Host facts" section, which needs a capture
 * bundle kvmlint cannot read yet) is in the catalogue, with RULES.md's
 * default severity (the first word of the sev column) and fix kind (the
 * first word of the fix column, "partly safe" counting as safe; a table
 * without a fix column means fix none).  Catalogue rules RULES.md does not
 * name are listed as a note, not a failure: adding them to the contract is
 * RULES.md's business.  Skipped, saying so, when RULES.md is absent
 * ($KVMLINT_SRCDIR/../shared).
 */
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules/catalogue.h"
#include "util/mem.h"

typedef struct md_rule {
    char *id;
    char *sev;          /* first word of the sev column */
    char *fix;          /* first word of the fix column, or "none" */
    unsigned line;
} md_rule;

typedef struct md_rules {
    md_rule *v;
    size_t n, cap;
    char **all_ids;     /* every id in any table, Host facts included */
    size_t nall, cap_all;
} md_rules;

/* Cells of a table row "| a | b | c |", trimmed; returns the count. */
static size_t split_row(char *line, char **cells, size_t max)
{
    size_t n = 0;
    char *p = line;

    if (*p != '|')
        return 0;
    p++;
    while (*p && n < max) {
        char *end = strchr(p, '|');
        char *s = p, *e;

        if (!end)
            break;
        e = end;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        *e = '\0';
        cells[n++] = s;
        p = end + 1;
    }
    return n;
}

/* First word, lowercased, without trailing punctuation ("safe:" -> "safe"). */
static char *first_word(const char *s)
{
    size_t n = 0;
    char *w;

    while (s[n] && (isalnum((unsigned char)s[n]) || s[n] == '-'))
        n++;
    w = kvl_xstrndup(s, n);
    for (char *c = w; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return w;
}

static bool is_rule_id(const char *s)
{
    bool dash = false;

    if (!islower((unsigned char)*s))
        return false;
    for (; *s; s++) {
        if (*s == '-')
            dash = true;
        else if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s))
            return false;
    }
    return dash;
}

static void parse_rules_md(char *text, md_rules *out)
{
    bool skip_section = false, has_fix = false;
    unsigned lineno = 0;
    char *save = NULL;

    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *cells[16];
        size_t n;

        lineno++;
        if (strncmp(line, "## ", 3) == 0) {
            skip_section = strncmp(line + 3, "Host facts", 10) == 0;
            has_fix = false;
            continue;
        }
        n = split_row(line, cells, 16);
        if (n < 2)
            continue;
        if (strcmp(cells[0], "id") == 0) {          /* a table's header */
            has_fix = strcmp(cells[n - 1], "fix") == 0;
            continue;
        }
        if (!is_rule_id(cells[0]))
            continue;                               /* separator row, or prose */
        KVL_GROW(out->all_ids, out->nall, out->cap_all);
        out->all_ids[out->nall++] = kvl_xstrdup(cells[0]);
        if (skip_section)
            continue;
        KVL_GROW(out->v, out->n, out->cap);
        out->v[out->n].id = kvl_xstrdup(cells[0]);
        out->v[out->n].sev = first_word(cells[1]);
        if (!has_fix) {
            out->v[out->n].fix = kvl_xstrdup("none");
        } else {
            const char *fix = cells[n - 1];
            if (strncmp(fix, "partly ", 7) == 0)
                fix += 7;
            out->v[out->n].fix = first_word(fix);
        }
        out->v[out->n].line = lineno;
        out->n++;
    }
}

static void free_md(md_rules *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].id);
        free(r->v[i].sev);
        free(r->v[i].fix);
    }
    free(r->v);
    for (size_t i = 0; i < r->nall; i++)
        free(r->all_ids[i]);
    free(r->all_ids);
}

static char *rules_md_path(void)
{
    char *p = kvl_test_src("../shared/RULES.md");
    struct stat st;

    if (stat(p, &st) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

static void catalogue_matches_rules_md(void **state)
{
    char *path = rules_md_path();
    char *text, *err = NULL;
    kvl_catalogue *cat;
    md_rules md = { NULL, 0, 0, NULL, 0, 0 };
    size_t missing = 0, differ = 0, unlisted = 0;

    (void)state;
    if (!path) {
        print_message("../shared/RULES.md absent: skipped\n");
        skip();
    }
    text = kvl_test_read(path, NULL);
    parse_rules_md(text, &md);
    cat = kvl_catalogue_load(&err);
    if (!cat)
        fail_msg("catalogue: %s", err);
    /* the tables hold some 70 rules: a parser that finds few is broken */
    assert_true(md.n >= 60);

    for (size_t i = 0; i < md.n; i++) {
        const md_rule *m = &md.v[i];
        const kvl_rule_def *r = kvl_catalogue_find(cat, m->id);
        const char *fix;

        if (!r) {
            print_error("RULES.md:%u: %s is not in the catalogue\n", m->line, m->id);
            missing++;
            continue;
        }
        fix = kvl_fix_name(r->fix) ? kvl_fix_name(r->fix) : "none";
        if (strcmp(kvl_severity_name(r->severity), m->sev) != 0) {
            print_error("RULES.md:%u: %s: severity %s in RULES.md, %s in the catalogue\n",
                        m->line, m->id, m->sev, kvl_severity_name(r->severity));
            differ++;
        }
        if (strcmp(fix, m->fix) != 0) {
            print_error("RULES.md:%u: %s: fix %s in RULES.md, %s in the catalogue\n",
                        m->line, m->id, m->fix, fix);
            differ++;
        }
    }
    for (size_t i = 0; i < cat->n; i++) {
        bool found = false;
        for (size_t j = 0; j < md.nall && !found; j++)
            found = strcmp(md.all_ids[j], cat->rules[i].id) == 0;
        if (!found) {
            print_message("note: catalogue rule %s is not in RULES.md\n", cat->rules[i].id);
            unlisted++;
        }
    }
    print_message("RULES.md: %zu rules checked; %zu missing from the catalogue, %zu "
                  "differences, %zu catalogue rules not in RULES.md\n",
                  md.n, missing, differ, unlisted);
    kvl_catalogue_free(cat);
    free_md(&md);
    free(text);
    free(path);
    assert_int_equal(missing + differ, 0);
}

/* The parser itself, on a table shaped like RULES.md's. */
static void parses_tables(void **state)
{
    char text[] =
        "## CPU\n"
        "\n"
        "| id | sev | fires when | fix |\n"
        "|---|---|---|---|\n"
        "| cpu-a-b | warning (info if not latency-critical) | x `a|b` y | safe: re-place |\n"
        "| cpu-rt-config | warning | z | partly safe |\n"
        "| cpu-over | warning | z | manual |\n"
        "## Host facts (need a bundle)\n"
        "| id | sev | fires when | fix |\n"
        "| host-x-y | info | z | manual |\n"
        "## Input and schema\n"
        "| id | sev | fires when |\n"
        "|---|---|---|\n"
        "| xml-bad | error | z |\n";
    md_rules md = { NULL, 0, 0, NULL, 0, 0 };

    (void)state;
    parse_rules_md(text, &md);
    assert_int_equal(md.n, 4);
    assert_string_equal(md.v[0].id, "cpu-a-b");
    assert_string_equal(md.v[0].sev, "warning");
    assert_string_equal(md.v[0].fix, "safe");
    assert_string_equal(md.v[1].fix, "safe");
    assert_string_equal(md.v[2].fix, "manual");
    assert_string_equal(md.v[3].id, "xml-bad");
    assert_string_equal(md.v[3].sev, "error");
    assert_string_equal(md.v[3].fix, "none");
    assert_int_equal(md.nall, 5);       /* host-x-y counts as named */
    free_md(&md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_tables),
        cmocka_unit_test(catalogue_matches_rules_md),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
