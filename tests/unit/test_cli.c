/*
 * The command line as a contract: every command in the table has a --help
 * text that mentions each of its options (so help and parser cannot drift
 * apart), commands are sorted, and the colour decision honours NO_COLOR.
 * Behaviour of whole commands is covered by the golden cases in testdata/cli.
 */
#include "testutil.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "output/output.h"
#include "util/mem.h"

static void help_lists_every_option(void **state)
{
    int problems = 0;

    (void)state;
    for (const kvl_command *c = kvl_commands; c->name; c++) {
        const char *help = kvl_cmd_help_text(c->name);
        if (!help) {
            print_error("command %s has no help text\n", c->name);
            problems++;
            continue;
        }
        if (c[1].name && strcmp(c->name, c[1].name) >= 0) {
            print_error("command table not sorted at %s\n", c->name);
            problems++;
        }
        for (const struct option *o = c->options; o && o->name; o++) {
            char *flag = kvl_xasprintf("--%s", o->name);
            if (!strstr(help, flag)) {
                print_error("'%s --help' does not mention %s\n", c->name, flag);
                problems++;
            }
            if (o->val < 256) {
                char *shortflag = kvl_xasprintf("-%c,", o->val);
                if (!strstr(help, shortflag)) {
                    print_error("'%s --help' does not mention -%c\n", c->name, o->val);
                    problems++;
                }
                free(shortflag);
            }
            free(flag);
        }
    }
    assert_int_equal(problems, 0);
}

static void color_decision(void **state)
{
    (void)state;
    assert_true(kvl_color_wanted("auto", true, NULL));
    assert_true(kvl_color_wanted("auto", true, ""));
    assert_false(kvl_color_wanted("auto", true, "1"));
    assert_false(kvl_color_wanted("auto", false, NULL));
    assert_true(kvl_color_wanted("always", false, "1"));
    assert_false(kvl_color_wanted("never", true, NULL));
}

/* A failing stdout (a full disk) is an error, not a silent success. */
static void write_error_is_reported(void **state)
{
    FILE *full = fopen("/dev/full", "w");
    char *errbuf = NULL;
    size_t errlen = 0;
    FILE *err = open_memstream(&errbuf, &errlen);
    char *argv[] = { "kvmlint", "rules", NULL };
    int rc;

    (void)state;
    if (!full)
        skip();
    rc = kvl_main(2, argv, full, err);
    fclose(err);
    fclose(full);
    assert_int_equal(rc, KVL_EXIT_ERROR);
    assert_non_null(strstr(errbuf, "error writing"));
    free(errbuf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_lists_every_option),
        cmocka_unit_test(color_decision),
        cmocka_unit_test(write_error_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
