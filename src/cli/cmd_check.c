/*
 * kvmlint check: load the host snapshot(s), lint every path as one fleet,
 * render, and turn the result into an exit status.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lint/engine.h"
#include "model/units.h"
#include "output/output.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "util/banned.h"

enum {
    OPT_HOST = 256, OPT_FAIL_ON, OPT_COLOR, OPT_RATIO, OPT_RESERVE,
};

const struct option kvl_check_options[] = {
    { "host",                 required_argument, NULL, OPT_HOST },
    { "format",               required_argument, NULL, 'f' },
    { "output",               required_argument, NULL, 'o' },
    { "fail-on",              required_argument, NULL, OPT_FAIL_ON },
    { "color",                required_argument, NULL, OPT_COLOR },
    { "cpu-overcommit-ratio", required_argument, NULL, OPT_RATIO },
    { "host-reserve",         required_argument, NULL, OPT_RESERVE },
    { "verbose",              no_argument,       NULL, 'v' },
    { "help",                 no_argument,       NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

typedef struct check_opts {
    const char **hosts;
    size_t nhosts;
    const char *format;
    const char *output;
    const char *color;
    kvl_severity fail_on;
    kvl_config cfg;
    bool verbose;
} check_opts;

static int parse_ratio(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || *end || !(v > 0) || v > 1e6)
        return -1;
    *out = v;
    return 0;
}

/* "2GiB", "512M", "2048" (KiB): a number and an optional unit glued on. */
static int parse_reserve(const char *s, uint64_t *kib)
{
    size_t n = strspn(s, "0123456789");
    char *num;
    const char *why;
    int rc;

    if (n == 0)
        return -1;
    num = kvl_xstrndup(s, n);
    rc = kvl_size_parse(num, s[n] ? s + n : NULL, "KiB", kib, &why);
    free(num);
    return rc;
}

static int parse_options(kvl_cli *cli, int argc, char **argv, check_opts *o)
{
    int c;

    memset(o, 0, sizeof(*o));
    o->format = "text";
    o->color = "auto";
    o->fail_on = KVL_SEV_WARNING;
    kvl_config_init(&o->cfg);
    optind = 0;         /* GNU: full re-initialisation, commands run in-process */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:f:o:vh", kvl_check_options, NULL)) != -1) {
        switch (c) {
        case OPT_HOST:
            o->hosts = kvl_xrealloc(o->hosts, (o->nhosts + 1) * sizeof(*o->hosts));
            o->hosts[o->nhosts++] = optarg;
            break;
        case 'f':
            if (!kvl_output_find(optarg))
                return kvl_usage_error(cli, "check", "unknown format '%s' (text, json)", optarg);
            o->format = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case OPT_FAIL_ON:
            if (kvl_severity_parse(optarg, &o->fail_on) < 0)
                return kvl_usage_error(cli, "check",
                                       "--fail-on takes error, warning, info or none, not '%s'",
                                       optarg);
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never"))
                return kvl_usage_error(cli, "check",
                                       "--color takes auto, always or never, not '%s'", optarg);
            o->color = optarg;
            break;
        case OPT_RATIO:
            if (parse_ratio(optarg, &o->cfg.cpu_overcommit_ratio) < 0)
                return kvl_usage_error(cli, "check",
                                       "--cpu-overcommit-ratio takes a positive number, not '%s'",
                                       optarg);
            break;
        case OPT_RESERVE:
            if (parse_reserve(optarg, &o->cfg.host_reserve_kib) < 0)
                return kvl_usage_error(cli, "check",
                                       "--host-reserve takes a size such as 2GiB or 512M, not '%s'",
                                       optarg);
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            kvl_cmd_usage(cli, "check", cli->out);
            return -1;
        case ':':
            return kvl_usage_error(cli, "check", "option '%s' needs a value", argv[optind - 1]);
        default:
            return kvl_usage_error(cli, "check", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return kvl_usage_error(cli, "check", "no PATH given (use - for standard input)");
    return 0;
}

static kvl_host *load_hosts(kvl_cli *cli, const check_opts *o, int *rc)
{
    kvl_host *host = NULL;

    *rc = 0;
    for (size_t i = 0; i < o->nhosts; i++) {
        char *err = NULL;
        kvl_host *h = kvl_host_load(o->hosts[i], &err);

        if (!h) {
            fprintf(cli->err, "%s check: bad host snapshot: %s\n", cli->prog, err);
            free(err);
            kvl_host_free(host);
            *rc = KVL_EXIT_ERROR;
            return NULL;
        }
        if (!host) {
            host = h;
            continue;
        }
        if (kvl_host_merge(host, h, &err) < 0) {
            fprintf(cli->err, "%s check: %s\n", cli->prog, err);
            free(err);
            kvl_host_free(h);
            kvl_host_free(host);
            *rc = KVL_EXIT_ERROR;
            return NULL;
        }
        kvl_host_free(h);
    }
    return host;
}

static void print_verbose(kvl_cli *cli, const kvl_run *run)
{
    for (size_t i = 0; i < run->nnotes; i++)
        fprintf(cli->err, "%s: %s\n", cli->prog, run->notes[i]);
    for (size_t i = 0; i < run->nskips; i++)
        fprintf(cli->err, "%s: rule %s skipped for %zu domain%s: %s\n", cli->prog,
                run->skips[i].rule, run->skips[i].count, run->skips[i].count == 1 ? "" : "s",
                run->skips[i].reason);
}

static int render(kvl_cli *cli, const check_opts *o, const kvl_run *run)
{
    const kvl_output_format *fmt = kvl_output_find(o->format);
    FILE *out = cli->out;
    kvl_output_opts oo = { false };
    int rc;

    if (o->output && strcmp(o->output, "-") != 0) {
        out = fopen(o->output, "w");
        if (!out) {
            fprintf(cli->err, "%s check: cannot write '%s': %m\n", cli->prog, o->output);
            return -1;
        }
    }
    oo.color = kvl_color_wanted(o->color, out == stdout && isatty(fileno(stdout)),
                                getenv("NO_COLOR"));
    rc = fmt->fn(out, run, &oo);
    if (out != cli->out) {
        if (fclose(out) != 0)
            rc = -1;
        if (rc < 0)
            fprintf(cli->err, "%s check: error writing '%s'\n", cli->prog, o->output);
    } else if (fflush(out) != 0) {
        rc = -1;
    }
    return rc;
}

int kvl_cmd_check(kvl_cli *cli, int argc, char **argv)
{
    check_opts o;
    kvl_catalogue *cat = NULL;
    kvl_host *host = NULL;
    kvl_run run;
    char *err = NULL;
    int rc = parse_options(cli, argc, argv, &o);

    if (rc != 0)
        goto out_opts;
    host = load_hosts(cli, &o, &rc);
    if (rc != 0)
        goto out_opts;
    cat = kvl_catalogue_load(&err);
    if (!cat) {
        fprintf(cli->err, "%s: internal error: %s\n", cli->prog, err);
        free(err);
        rc = KVL_EXIT_ERROR;
        goto out_host;
    }

    kvl_run_init(&run, cat, host, &o.cfg);
    for (int i = optind; i < argc; i++)
        kvl_run_add_path(&run, argv[i]);
    kvl_run_lint(&run);

    if (o.verbose)
        print_verbose(cli, &run);
    if (render(cli, &o, &run) < 0)
        rc = KVL_EXIT_ERROR;
    else if (run.input_error)
        rc = KVL_EXIT_ERROR;
    else if (o.fail_on != KVL_SEV_NONE && kvl_run_worst(&run) >= o.fail_on)
        rc = KVL_EXIT_FINDINGS;
    else
        rc = KVL_EXIT_OK;
    kvl_run_free(&run);
    kvl_catalogue_free(cat);
out_host:
    kvl_host_free(host);
out_opts:
    free(o.hosts);
    return rc < 0 ? KVL_EXIT_OK : rc;   /* -1: --help was shown */
}
