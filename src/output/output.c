/* The table of output formats and the helpers shared by them: the colour
 * decision, and paths as CI systems want them. */
#include "output/output.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

/* In the order --help lists them. */
const kvl_output_format kvl_output_formats[] = {
    { "text", kvl_output_text, "compiler-style lines with hints (default)", false, false },
    { "json", kvl_output_json, "one JSON document (README \"JSON output\")", false, false },
    { "sarif", kvl_output_sarif, "SARIF 2.1.0, for GitHub code scanning", false, true },
    { "github", kvl_output_github, "GitHub Actions workflow commands (annotations)", false, false },
    { "gitlab", kvl_output_gitlab, "GitLab Code Quality report", false, false },
    { "junit", kvl_output_junit, "JUnit XML: a test case per domain and rule", false, false },
    { "checkstyle", kvl_output_checkstyle, "Checkstyle XML", false, false },
    { "xml", kvl_output_xml, "the findings XML document (schemas/findings.rng)", false, false },
    { "xslt", kvl_output_xslt, "the findings XML transformed by a stylesheet FILE", true, false },
    { NULL, NULL, NULL, false, false },
};

const kvl_output_format *kvl_output_find_arg(const char *spec, const char **arg)
{
    if (arg)
        *arg = NULL;
    for (const kvl_output_format *f = kvl_output_formats; f->name; f++) {
        size_t n = strlen(f->name);

        if (!f->takes_arg && strcmp(f->name, spec) == 0)
            return f;
        if (f->takes_arg && strncmp(f->name, spec, n) == 0 && spec[n] == ':' && spec[n + 1]) {
            if (arg)
                *arg = spec + n + 1;
            return f;
        }
    }
    return NULL;
}

const kvl_output_format *kvl_output_find(const char *spec)
{
    return kvl_output_find_arg(spec, NULL);
}

char *kvl_output_names(void)
{
    kvl_buf b = KVL_BUF_INIT;

    for (const kvl_output_format *f = kvl_output_formats; f->name; f++)
        kvl_buf_addf(&b, "%s%s%s", f == kvl_output_formats ? "" : ", ", f->name,
                     f->takes_arg ? ":FILE" : "");
    return kvl_buf_detach(&b);
}

/* `path` below directory `dir` (both absolute): the rest, else NULL. */
static const char *below(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    if (n == 1)                         /* dir is / itself */
        return path[1] ? path + 1 : NULL;
    if (strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1])
        return path + n + 1;
    return NULL;
}

char *kvl_output_relpath(const char *path)
{
    char cwd[PATH_MAX];
    const char *rest = NULL;

    if (strcmp(path, KVL_STDIN_PATH) == 0)
        return NULL;
    if (path[0] == '/') {
        /* textually: a path through a symbolic link to the working
         * directory stays absolute */
        if (getcwd(cwd, sizeof(cwd)))
            rest = below(path, cwd);
        return kvl_xstrdup(rest ? rest : path);
    }
    while (path[0] == '.' && path[1] == '/' && path[2]) {
        path += 2;
        while (*path == '/')
            path++;
    }
    return kvl_xstrdup(path);
}

bool kvl_color_wanted(const char *mode, bool is_tty, const char *no_color_env)
{
    if (strcmp(mode, "always") == 0)
        return true;
    if (strcmp(mode, "never") == 0)
        return false;
    return is_tty && !(no_color_env && *no_color_env);
}
