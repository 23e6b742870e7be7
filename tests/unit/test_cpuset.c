/*
 * The cpuset / nodeset parser: every form libvirt accepts gives the set
 * libvirt would build, every malformed list is refused with a reason, the
 * id limit is libvirt's (16383 accepted, 16384 refused), and formatting
 * round-trips.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "model/cpuset.h"

/* Parse `text`, which must succeed, and compare its list form to `want`. */
static void ok(const char *text, const char *want)
{
    const char *why = NULL;
    hwloc_bitmap_t set = kvl_cpuset_parse(text, &why);
    char *got;

    if (!set)
        fail_msg("'%s' refused: %s", text, why);
    got = kvl_cpuset_format(set);
    if (strcmp(got, want) != 0)
        fail_msg("'%s' parsed as '%s', want '%s'", text, got, want);
    free(got);
    hwloc_bitmap_free(set);
}

/* Parse `text`, which must fail with a static non-empty lowercase reason. */
static const char *bad(const char *text)
{
    const char *why = NULL;
    hwloc_bitmap_t set = kvl_cpuset_parse(text, &why);

    if (set) {
        char *got = kvl_cpuset_format(set);
        fail_msg("'%s' accepted as '%s'", text ? text : "(null)", got);
    }
    assert_non_null(why);
    /* messages start lowercase (acronyms like CPU aside) */
    assert_true(why[0] >= 'a' && why[0] <= 'z');
    return why;
}

static void valid_forms(void **state)
{
    (void)state;
    ok("0", "0");
    ok("7", "7");
    ok("0-3", "0-3");
    ok("0-3,8", "0-3,8");
    ok("0-3,8,^2", "0-1,3,8");
    ok("1-4,^3,6", "1-2,4,6");
    ok("3,1,2", "1-3");
    ok("0-3,2-5", "0-5");
    ok("5-5", "5");
    ok("0,0,0", "0");
    /* libvirt applies items left to right: a later item re-adds */
    ok("^2,0-3", "0-3");
    ok("0-3,^2,2", "0-3");
    /* exclusion of a CPU that was never there is harmless */
    ok("0-1,^9", "0-1");
    /* libvirt accepts a trailing comma */
    ok("0-3,", "0-3");
    ok("0-3, ", "0-3");
}

static void whitespace(void **state)
{
    (void)state;
    ok(" 0-3", "0-3");
    ok("0-3 ", "0-3");
    ok("0 - 3", "0-3");
    ok("0-3 , 8", "0-3,8");
    ok("\t0,\n1", "0-1");
    ok("1 ,^1, 2", "2");
}

static void errors(void **state)
{
    (void)state;
    bad(NULL);
    bad("");
    bad("   ");
    bad("abc");
    bad("0-3x");
    bad("1 2");
    bad("3-1");                 /* reversed */
    bad("0,,1");                /* empty item */
    bad(",0");
    bad("-1");
    bad("0--3");
    bad("0-");
    bad("^");
    bad("^ 1");
    bad("^1-3");                /* exclusion takes one number */
    bad("+1");
    bad("0x1");
    bad("1.5");
    bad("0;1");
    bad("0,^0");                /* selects nothing */
    bad("^0");
    bad("1-2,^1,^2");
}

static void reasons(void **state)
{
    (void)state;
    assert_non_null(strstr(bad("3-1"), "range"));
    assert_non_null(strstr(bad("0,,1"), "empty"));
    assert_non_null(strstr(bad("0,^0"), "nothing"));
    assert_non_null(strstr(bad("16384"), "16383"));
    assert_non_null(strstr(bad("^1-2"), "range"));
}

static void libvirt_limit(void **state)
{
    (void)state;
    ok("16383", "16383");
    ok("16380-16383", "16380-16383");
    ok("0-16383,^5", "0-4,6-16383");
    bad("16384");
    bad("0-16384");
    bad("16383-16384");
    bad("99999999999999999999999");
    bad("^16384,0");
}

static void round_trip(void **state)
{
    const char *cases[] = { "0", "0-3,8", "1,3,5,7", "0-16383", "2-4,10-12,100", NULL };

    (void)state;
    for (const char **c = cases; *c; c++) {
        const char *why = NULL;
        hwloc_bitmap_t a = kvl_cpuset_parse(*c, &why), b;
        char *s;

        assert_non_null(a);
        s = kvl_cpuset_format(a);
        assert_string_equal(s, *c);
        b = kvl_cpuset_parse(s, &why);
        assert_non_null(b);
        assert_true(hwloc_bitmap_isequal(a, b));
        free(s);
        hwloc_bitmap_free(a);
        hwloc_bitmap_free(b);
    }
}

static void format_edge_cases(void **state)
{
    hwloc_bitmap_t empty = hwloc_bitmap_alloc();
    char *s;

    (void)state;
    s = kvl_cpuset_format(empty);
    assert_string_equal(s, "");
    free(s);
    s = kvl_cpuset_format(NULL);
    assert_string_equal(s, "");
    free(s);
    hwloc_bitmap_free(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_forms),
        cmocka_unit_test(whitespace),
        cmocka_unit_test(errors),
        cmocka_unit_test(reasons),
        cmocka_unit_test(libvirt_limit),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(format_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
