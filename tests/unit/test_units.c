/*
 * Sizes and numbers as libvirt reads them: every unit (case-insensitive, as
 * virScaleInteger matches them), the default unit, rounding up to whole
 * KiB, libvirt's upper bound, garbage and signs refused, and the exact
 * formatting used in messages.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "model/units.h"

static uint64_t size_ok(const char *number, const char *unit)
{
    const char *why = NULL;
    uint64_t kib = 0;

    if (kvl_size_parse(number, unit, "KiB", &kib, &why) != 0)
        fail_msg("'%s' '%s' refused: %s", number, unit ? unit : "(null)", why);
    return kib;
}

static const char *size_bad(const char *number, const char *unit)
{
    const char *why = NULL;
    uint64_t kib = 12345;

    if (kvl_size_parse(number, unit, "KiB", &kib, &why) == 0)
        fail_msg("'%s' '%s' accepted as %llu KiB", number ? number : "(null)",
                 unit ? unit : "(null)", (unsigned long long)kib);
    assert_int_equal(kib, 12345);       /* untouched on error */
    assert_non_null(why);
    assert_true(why[0] >= 'a' && why[0] <= 'z');
    return why;
}

static void every_unit(void **state)
{
    (void)state;
    assert_int_equal(size_ok("2048", "b"), 2);
    assert_int_equal(size_ok("2048", "bytes"), 2);
    assert_int_equal(size_ok("2048", "byte"), 2);
    assert_int_equal(size_ok("1024000", "KB"), 1000000);
    assert_int_equal(size_ok("3", "k"), 3);
    assert_int_equal(size_ok("3", "KiB"), 3);
    assert_int_equal(size_ok("1", "MB"), 977);              /* 10^6 / 1024 rounded up */
    assert_int_equal(size_ok("2", "M"), 2048);
    assert_int_equal(size_ok("2", "MiB"), 2048);
    assert_int_equal(size_ok("1", "GB"), 976563);           /* 10^9 / 1024 = 976562.5 */
    assert_int_equal(size_ok("4", "G"), 4194304);
    assert_int_equal(size_ok("4", "GiB"), 4194304);
    assert_int_equal(size_ok("1", "TB"), 976562500);
    assert_int_equal(size_ok("1", "T"), UINT64_C(1) << 30);
    assert_int_equal(size_ok("1", "TiB"), UINT64_C(1) << 30);
    assert_int_equal(size_ok("1", "PB"), UINT64_C(976562500000));
    assert_int_equal(size_ok("1", "P"), UINT64_C(1) << 40);
    assert_int_equal(size_ok("1", "PiB"), UINT64_C(1) << 40);
    assert_int_equal(size_ok("2", "E"), UINT64_C(1) << 51);
    assert_int_equal(size_ok("2", "EiB"), UINT64_C(1) << 51);
    assert_int_equal(size_ok("1", "EB"), UINT64_C(976562500000000));
}

static void case_insensitive_like_libvirt(void **state)
{
    (void)state;
    assert_int_equal(size_ok("1", "kib"), 1);
    assert_int_equal(size_ok("1", "KIB"), 1);
    assert_int_equal(size_ok("1", "K"), 1);
    assert_int_equal(size_ok("1", "mib"), 1024);
    assert_int_equal(size_ok("1", "m"), 1024);
    assert_int_equal(size_ok("1", "g"), 1048576);
    assert_int_equal(size_ok("1000", "kb"), 977);
    assert_int_equal(size_ok("1000", "kB"), 977);
    assert_int_equal(size_ok("1024", "B"), 1);
    assert_int_equal(size_ok("1024", "BYTES"), 1);
}

static void default_unit(void **state)
{
    const char *why = NULL;
    uint64_t kib = 0;

    (void)state;
    assert_int_equal(size_ok("219136", NULL), 219136);
    assert_int_equal(size_ok("219136", ""), 219136);     /* empty unit attribute */
    assert_int_equal(kvl_size_parse("2", NULL, "MiB", &kib, &why), 0);
    assert_int_equal(kib, 2048);
    assert_int_equal(kvl_size_parse("2048", NULL, "b", &kib, &why), 0);
    assert_int_equal(kib, 2);
    assert_int_equal(kvl_size_parse("7", NULL, NULL, &kib, &why), 0);
    assert_int_equal(kib, 7);
    assert_int_equal(kvl_size_parse("7", "MiB", "b", &kib, &why), 0);
    assert_int_equal(kib, 7168);
}

static void rounding(void **state)
{
    (void)state;
    assert_int_equal(size_ok("0", "b"), 0);
    assert_int_equal(size_ok("1", "b"), 1);
    assert_int_equal(size_ok("1023", "b"), 1);
    assert_int_equal(size_ok("1024", "b"), 1);
    assert_int_equal(size_ok("1025", "b"), 2);
    assert_int_equal(size_ok("1", "KB"), 1);
    assert_int_equal(size_ok("1024", "KB"), 1000);
    assert_int_equal(size_ok("0", NULL), 0);
}

static void limits(void **state)
{
    (void)state;
    /* libvirt's bound: below 2^53 KiB (its "unlimited" value is the maximum) */
    assert_int_equal(size_ok("9007199254740991", NULL), KVL_SIZE_MAX_KIB);
    assert_int_equal(size_ok("7", "EiB"), UINT64_C(7) << 50);
    size_bad("9007199254740992", NULL);
    size_bad("8", "EiB");
    size_bad("9223372036854775808", "b");
    assert_non_null(strstr(size_bad("18446744073709551616", "b"), "too large"));
    assert_non_null(strstr(size_bad("99999999999999999999999", NULL), "too large"));
    size_bad("20000000", "T");
}

static void garbage(void **state)
{
    (void)state;
    assert_non_null(strstr(size_bad("12", "XB"), "unit"));
    size_bad("12", "Ki");
    size_bad("12", "KiBB");
    size_bad("12", "kibibytes");
    size_bad("12", "iB");
    size_bad("12", " KiB");
    size_bad("12", "Z");
    size_bad("12", "bit");
    size_bad("", NULL);
    size_bad("   ", NULL);
    size_bad(NULL, NULL);
    size_bad("12x", NULL);
    size_bad("12 KiB", NULL);
    size_bad("1.5", "GiB");
    size_bad("0x10", NULL);
    size_bad("1e3", NULL);
    assert_non_null(strstr(size_bad("-1", NULL), "sign"));
    size_bad("+1", NULL);
    /* surrounding whitespace is fine, as in element text */
    assert_int_equal(size_ok(" 12\n", NULL), 12);
}

static void unit_parse(void **state)
{
    const char *why = NULL;
    uint64_t bytes = 0;

    (void)state;
    assert_int_equal(kvl_unit_parse("KiB", &bytes, &why), 0);
    assert_int_equal(bytes, 1024);
    assert_int_equal(kvl_unit_parse("GB", &bytes, &why), 0);
    assert_int_equal(bytes, 1000000000);
    assert_int_equal(kvl_unit_parse("b", &bytes, &why), 0);
    assert_int_equal(bytes, 1);
    assert_int_equal(kvl_unit_parse("EiB", &bytes, &why), 0);
    assert_int_equal(bytes, UINT64_C(1) << 60);
    assert_int_equal(kvl_unit_parse("XiB", &bytes, &why), -1);
    assert_int_equal(kvl_unit_parse("", &bytes, &why), -1);
    assert_int_equal(kvl_unit_parse(NULL, &bytes, &why), -1);
}

static void uint_numbers(void **state)
{
    const char *why = NULL;
    uint64_t v = 0;

    (void)state;
    assert_int_equal(kvl_uint_parse("0", 10, &v, &why), 0);
    assert_int_equal(v, 0);
    assert_int_equal(kvl_uint_parse("10", 10, &v, &why), 0);
    assert_int_equal(v, 10);
    assert_int_equal(kvl_uint_parse(" 7 ", 10, &v, &why), 0);
    assert_int_equal(v, 7);
    assert_int_equal(kvl_uint_parse("007", 10, &v, &why), 0);
    assert_int_equal(v, 7);
    assert_int_equal(kvl_uint_parse("18446744073709551615", UINT64_MAX, &v, &why), 0);
    assert_int_equal(v, UINT64_MAX);
    assert_int_equal(kvl_uint_parse("18446744073709551616", UINT64_MAX, &v, &why), -1);
    assert_int_equal(kvl_uint_parse("11", 10, &v, &why), -1);
    assert_non_null(strstr(why, "too large"));
    assert_int_equal(kvl_uint_parse("-1", 10, &v, &why), -1);
    assert_int_equal(kvl_uint_parse("+1", 10, &v, &why), -1);
    assert_int_equal(kvl_uint_parse("1a", 10, &v, &why), -1);
    assert_int_equal(kvl_uint_parse("1 2", 10, &v, &why), -1);
    assert_int_equal(kvl_uint_parse("", 10, &v, &why), -1);
    assert_int_equal(kvl_uint_parse(NULL, 10, &v, &why), -1);
    assert_int_equal(kvl_uint_parse("0x1", 10, &v, &why), -1);
}

static void c_numbers(void **state)
{
    const char *why = NULL;
    uint64_t v = 0;

    (void)state;
    assert_int_equal(kvl_uint_parse_c("0x0000", 0xffff, &v, &why), 0);
    assert_int_equal(v, 0);
    assert_int_equal(kvl_uint_parse_c("0x1F", 0xff, &v, &why), 0);
    assert_int_equal(v, 31);
    assert_int_equal(kvl_uint_parse_c("0X06", 0xff, &v, &why), 0);
    assert_int_equal(v, 6);
    assert_int_equal(kvl_uint_parse_c("12", 0xff, &v, &why), 0);
    assert_int_equal(v, 12);
    assert_int_equal(kvl_uint_parse_c("010", 0xff, &v, &why), 0);      /* octal, as strtoul base 0 */
    assert_int_equal(v, 8);
    assert_int_equal(kvl_uint_parse_c("0", 0xff, &v, &why), 0);
    assert_int_equal(v, 0);
    assert_int_equal(kvl_uint_parse_c("08", 0xff, &v, &why), -1);
    assert_int_equal(kvl_uint_parse_c("0x", 0xff, &v, &why), -1);
    assert_int_equal(kvl_uint_parse_c("0x100", 0xff, &v, &why), -1);
    assert_int_equal(kvl_uint_parse_c("0xg", 0xff, &v, &why), -1);
    assert_int_equal(kvl_uint_parse_c("-0x1", 0xff, &v, &why), -1);
    assert_int_equal(kvl_uint_parse_c("1f", 0xff, &v, &why), -1);
}

static void int_numbers(void **state)
{
    const char *why = NULL;
    int64_t v = 0;

    (void)state;
    assert_int_equal(kvl_int_parse("-5", -10, 10, &v, &why), 0);
    assert_int_equal(v, -5);
    assert_int_equal(kvl_int_parse("+5", -10, 10, &v, &why), 0);
    assert_int_equal(v, 5);
    assert_int_equal(kvl_int_parse("0", -10, 10, &v, &why), 0);
    assert_int_equal(kvl_int_parse("-9223372036854775808", INT64_MIN, INT64_MAX, &v, &why), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(kvl_int_parse("9223372036854775807", INT64_MIN, INT64_MAX, &v, &why), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(kvl_int_parse("9223372036854775808", INT64_MIN, INT64_MAX, &v, &why), -1);
    assert_int_equal(kvl_int_parse("-9223372036854775809", INT64_MIN, INT64_MAX, &v, &why), -1);
    assert_int_equal(kvl_int_parse("11", -10, 10, &v, &why), -1);
    assert_int_equal(kvl_int_parse("-11", -10, 10, &v, &why), -1);
    assert_int_equal(kvl_int_parse("-", -10, 10, &v, &why), -1);
    assert_int_equal(kvl_int_parse("- 1", -10, 10, &v, &why), -1);
    assert_int_equal(kvl_int_parse("1x", -10, 10, &v, &why), -1);
}

static void check_format(uint64_t kib, const char *want)
{
    char *s = kvl_size_format(kib);

    if (strcmp(s, want) != 0)
        fail_msg("%llu KiB formatted as '%s', want '%s'", (unsigned long long)kib, s, want);
    free(s);
}

static void formatting(void **state)
{
    (void)state;
    check_format(UINT64_C(64) << 20, "64 GiB");
    check_format(1572864, "1.5 GiB");
    check_format(524288, "512 MiB");
    check_format(219136, "214 MiB");            /* exact, so the larger unit */
    check_format(219137, "219137 KiB");
    check_format(1536, "1.5 MiB");
    check_format(1280 * 1024, "1280 MiB");      /* 1.25 GiB: not exact to one decimal */
    check_format(0, "0 KiB");
    check_format(1, "1 KiB");
    check_format(1023, "1023 KiB");
    check_format(1024, "1 MiB");
    check_format(512, "512 KiB");
    check_format(UINT64_C(1) << 30, "1 TiB");
    check_format(UINT64_C(3) << 29, "1.5 TiB");
    check_format(UINT64_C(3) << 39, "1.5 PiB");
    check_format(UINT64_C(1) << 40, "1 PiB");
    check_format(UINT64_C(1) << 50, "1 EiB");
    check_format(KVL_SIZE_MAX_KIB, "9007199254740991 KiB");
}

static void parse_format_round_trip(void **state)
{
    const uint64_t cases[] = { 4, 2048, 1048576, 1572864, 219137, UINT64_C(3) << 39 };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *s = kvl_size_format(cases[i]);
        char *sp = strchr(s, ' ');
        const char *why = NULL;
        uint64_t back = 0;

        assert_non_null(sp);
        *sp = '\0';
        if (!strchr(s, '.')) {
            assert_int_equal(kvl_size_parse(s, sp + 1, NULL, &back, &why), 0);
            assert_int_equal(back, cases[i]);
        }
        free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_unit),
        cmocka_unit_test(case_insensitive_like_libvirt),
        cmocka_unit_test(default_unit),
        cmocka_unit_test(rounding),
        cmocka_unit_test(limits),
        cmocka_unit_test(garbage),
        cmocka_unit_test(unit_parse),
        cmocka_unit_test(uint_numbers),
        cmocka_unit_test(c_numbers),
        cmocka_unit_test(int_numbers),
        cmocka_unit_test(formatting),
        cmocka_unit_test(parse_format_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
