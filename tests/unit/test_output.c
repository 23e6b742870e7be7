/*
 * Output formats: JSON output is well-formed JSON with the documented
 * fields (checked by a small validating parser, so the test needs no
 * interpreter), and messages with quotes, backslashes and control
 * characters survive escaping.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/mem.h"

/* ---- a validating JSON parser: returns the end of the value or NULL ---- */

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static const char *value(const char *p);

static const char *string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                        return NULL;
                p += 4;
            } else if (!strchr("\"\\/bfnrt", *p) || !*p) {
                return NULL;
            }
        }
        p++;
    }
    return *p == '"' ? p + 1 : NULL;
}

static const char *number(const char *p)
{
    const char *s = p;
    if (*p == '-')
        p++;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    return p > s ? p : NULL;
}

static const char *container(const char *p, char open, char close, bool object)
{
    if (*p++ != open)
        return NULL;
    p = ws(p);
    if (*p == close)
        return p + 1;
    for (;;) {
        if (object) {
            if (!(p = string(ws(p))))
                return NULL;
            p = ws(p);
            if (*p++ != ':')
                return NULL;
        }
        if (!(p = value(ws(p))))
            return NULL;
        p = ws(p);
        if (*p == close)
            return p + 1;
        if (*p++ != ',')
            return NULL;
    }
}

static const char *value(const char *p)
{
    p = ws(p);
    switch (*p) {
    case '{': return container(p, '{', '}', true);
    case '[': return container(p, '[', ']', false);
    case '"': return string(p);
    case 't': return strncmp(p, "true", 4) ? NULL : p + 4;
    case 'f': return strncmp(p, "false", 5) ? NULL : p + 5;
    case 'n': return strncmp(p, "null", 4) ? NULL : p + 4;
    default:  return number(p);
    }
}

static bool valid_json(const char *s)
{
    const char *end = value(s);
    return end && *ws(end) == '\0';
}

static char *run(char **argv, int argc, int *rc)
{
    char *buf = NULL, *ebuf = NULL;
    size_t len = 0, elen = 0;
    FILE *out = open_memstream(&buf, &len);
    FILE *err = open_memstream(&ebuf, &elen);

    *rc = kvl_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    free(ebuf);
    return buf;
}

static void validator_rejects_garbage(void **state)
{
    (void)state;
    assert_true(valid_json("{\"a\":[1,2,{\"b\":null}],\"c\":\"x\\n\"}"));
    assert_false(valid_json("{\"a\":}"));
    assert_false(valid_json("{\"a\":\"\x01\"}"));
    assert_false(valid_json("[1,]"));
    assert_false(valid_json("{} {}"));
}

static void json_output_is_valid(void **state)
{
    char *dir = kvl_test_src("testdata");
    char *cases[] = { "input/malformed", "input/value-invalid-cpuset", "input/xxe-entity",
                      "cli/directory/vms", "input/not-domain" };
    int rc;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *path = kvl_xasprintf("%s/%s", dir, cases[i]);
        char *argv[] = { "kvmlint", "check", "-f", "json", path, NULL };
        char *out = run(argv, 5, &rc);

        if (!valid_json(out))
            fail_msg("%s: invalid JSON:\n%s", cases[i], out);
        assert_non_null(strstr(out, "\"tool\":\"kvmlint\""));
        assert_non_null(strstr(out, "\"files\":["));
        assert_non_null(strstr(out, "\"findings\":["));
        assert_null(strstr(out, "CANARY"));
        free(out);
        free(path);
    }
    free(dir);
}

/* A domain name with every character JSON must escape. */
static void escaping(void **state)
{
    const char *xml = "<domain type='kvm'><name>a\"b\\c&#9;d</name>"
                      "<vcpu cpuset='zz'>1</vcpu></domain>";
    char path[] = "/tmp/kvmlint-test-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    char *argv[] = { "kvmlint", "check", "-f", "json", path, NULL };
    char *out;
    int rc;

    (void)state;
    fputs(xml, f);
    fclose(f);
    out = run(argv, 5, &rc);
    unlink(path);
    assert_int_equal(rc, KVL_EXIT_ERROR);
    if (!valid_json(out))
        fail_msg("invalid JSON:\n%s", out);
    assert_non_null(strstr(out, "\"domain\":\"a\\\"b\\\\c\\td\""));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validator_rejects_garbage),
        cmocka_unit_test(json_output_is_valid),
        cmocka_unit_test(escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
