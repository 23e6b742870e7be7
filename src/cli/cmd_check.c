/*
 * kvmlint check: load the host snapshot(s), lint every path as one fleet,
 * render, and turn the result into an exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/settings.h"
#include "config/thresholds.h"
#include "lint/baseline.h"
#include "lint/engine.h"
#include "lint/validate.h"
#include "model/units.h"
#include "output/output.h"
#include "placement/plan.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "util/banned.h"

enum {
    OPT_HOST = 256, OPT_FAIL_ON, OPT_COLOR, OPT_RATIO, OPT_RESERVE,
    OPT_LARGE_VM, OPT_VERY_LARGE_VM, OPT_TAP_QUEUES,
    OPT_VALIDATE, OPT_SCHEMA_DIR,
    OPT_CONFIG, OPT_NO_CONFIG, OPT_NO_SUPPRESSIONS, OPT_BASELINE, OPT_WRITE_BASELINE,
    OPT_HOUSEKEEPING, OPT_RESERVE_CPUS, OPT_PLACEMENT, OPT_EXPLAIN_PLACEMENT,
};

const struct option kvl_check_options[] = {
    { "host",                 required_argument, NULL, OPT_HOST },
    { "format",               required_argument, NULL, 'f' },
    { "output",               required_argument, NULL, 'o' },
    { "fail-on",              required_argument, NULL, OPT_FAIL_ON },
    { "color",                required_argument, NULL, OPT_COLOR },
    { "cpu-overcommit-ratio", required_argument, NULL, OPT_RATIO },
    { "host-reserve",         required_argument, NULL, OPT_RESERVE },
    { "large-vm-memory",      required_argument, NULL, OPT_LARGE_VM },
    { "very-large-vm-memory", required_argument, NULL, OPT_VERY_LARGE_VM },
    { "tap-queue-limit",      required_argument, NULL, OPT_TAP_QUEUES },
    { "housekeeping-cpus",    required_argument, NULL, OPT_HOUSEKEEPING },
    { "reserve-cpus",         required_argument, NULL, OPT_RESERVE_CPUS },
    { "strategy",             required_argument, NULL, OPT_PLACEMENT },
    { "thread-policy",        required_argument, NULL, OPT_PLACEMENT },
    { "emulator-policy",      required_argument, NULL, OPT_PLACEMENT },
    { "explain-placement",    no_argument,       NULL, OPT_EXPLAIN_PLACEMENT },
    { "validate",             no_argument,       NULL, OPT_VALIDATE },
    { "schema-dir",           required_argument, NULL, OPT_SCHEMA_DIR },
    { "config",               required_argument, NULL, OPT_CONFIG },
    { "no-config",            no_argument,       NULL, OPT_NO_CONFIG },
    { "no-suppressions",      no_argument,       NULL, OPT_NO_SUPPRESSIONS },
    { "baseline",             required_argument, NULL, OPT_BASELINE },
    { "write-baseline",       required_argument, NULL, OPT_WRITE_BASELINE },
    { "verbose",              no_argument,       NULL, 'v' },
    { "help",                 no_argument,       NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

typedef struct check_opts {
    const char **hosts;
    size_t nhosts;
    /* -f and -o, paired by position; formats without an -o go to stdout */
    const char **formats;
    size_t nformats;
    const char **outputs;
    size_t noutputs;
    const char *color;
    kvl_severity fail_on;
    kvl_config cfg;
    bool verbose;
    bool validate;              /* --validate, or implied by --schema-dir */
    const char *schema_dir;
    /* config files: precedence command line > config > default needs to
     * know which thresholds the command line gave (over.given) */
    kvl_overrides over;
    const char *config;         /* --config FILE */
    bool no_config;
    bool no_suppressions;
    const char *baseline, *write_baseline;
    bool explain_placement;     /* print the host map after the findings */
} check_opts;

/* The value syntax of the config file's <thresholds> (config/thresholds.c). */
static int parse_ratio(const char *s, double *out)
{
    const char *why;
    kvl_config cfg;

    if (kvl_threshold_parse(kvl_threshold_find("cpu-overcommit-ratio"), s, &cfg, &why) < 0)
        return -1;
    *out = cfg.cpu_overcommit_ratio;
    return 0;
}

/* "2GiB", "512M", "2048" (KiB): a number and an optional unit. */
static int parse_reserve(const char *s, uint64_t *kib)
{
    const char *why;

    return kvl_threshold_parse_size(s, kib, &why);
}

/* A -f value: a known format, and a readable stylesheet for xslt:FILE. */
static int check_format(kvl_cli *cli, const char *spec)
{
    const char *arg;
    const kvl_output_format *fmt = kvl_output_find_arg(spec, &arg);

    if (!fmt) {
        char *names = kvl_output_names();
        int rc = kvl_usage_error(cli, "check", "unknown format '%s' (%s)", spec, names);
        free(names);
        return rc;
    }
    if (arg && access(arg, R_OK) != 0)
        return kvl_usage_error(cli, "check", "cannot read stylesheet '%s': %s", arg,
                               strerror(errno));
    return 0;
}

/* Each -o pairs with the -f at its position: more -o than formats, or one
 * file named twice, would lose a report. */
static int check_outputs(kvl_cli *cli, const check_opts *o)
{
    size_t nformats = o->nformats ? o->nformats : 1;

    if (o->noutputs > nformats)
        return kvl_usage_error(cli, "check", "%zu -o options but %zu -f: each -o FILE pairs "
                               "with the -f FORMAT at its position", o->noutputs, nformats);
    for (size_t i = 0; i < o->noutputs; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->outputs[i], "-") != 0 && strcmp(o->outputs[i], o->outputs[j]) == 0)
                return kvl_usage_error(cli, "check", "-o '%s' is given twice", o->outputs[i]);
    return 0;
}

static int parse_options(kvl_cli *cli, int argc, char **argv, check_opts *o)
{
    int c;

    int li;

    memset(o, 0, sizeof(*o));
    o->color = "auto";
    o->fail_on = KVL_SEV_WARNING;
    kvl_config_init(&o->cfg);
    kvl_overrides_init(&o->over);
    optind = 0;         /* GNU: full re-initialisation, commands run in-process */
    opterr = 0;
    while ((li = -1, c = getopt_long(argc, argv, ":f:o:vh", kvl_check_options, &li)) != -1) {
        /* a threshold given here beats the config file's */
        if (li >= 0)
            kvl_overrides_note(&o->over, kvl_check_options[li].name);
        switch (c) {
        case OPT_HOST:
            o->hosts = kvl_xrealloc(o->hosts, (o->nhosts + 1) * sizeof(*o->hosts));
            o->hosts[o->nhosts++] = optarg;
            break;
        case 'f':
            if (check_format(cli, optarg) != 0)
                return KVL_EXIT_ERROR;
            o->formats = kvl_xrealloc(o->formats, (o->nformats + 1) * sizeof(*o->formats));
            o->formats[o->nformats++] = optarg;
            break;
        case 'o':
            o->outputs = kvl_xrealloc(o->outputs, (o->noutputs + 1) * sizeof(*o->outputs));
            o->outputs[o->noutputs++] = optarg;
            break;
        case OPT_FAIL_ON:
            if (kvl_severity_parse(optarg, &o->fail_on) < 0)
                return kvl_usage_error(cli, "check",
                                       "--fail-on takes error, warning, info or none, not '%s'",
                                       optarg);
            o->over.has_fail_on = true;
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
        case OPT_LARGE_VM:
        case OPT_VERY_LARGE_VM:
            if (parse_reserve(optarg, c == OPT_LARGE_VM ? &o->cfg.large_vm_kib
                                                        : &o->cfg.very_large_vm_kib) < 0)
                return kvl_usage_error(cli, "check", "--%s takes a size such as 16GiB, not '%s'",
                                       c == OPT_LARGE_VM ? "large-vm-memory"
                                                         : "very-large-vm-memory", optarg);
            break;
        case OPT_TAP_QUEUES: {
            const char *why;
            uint64_t n;

            if (kvl_uint_parse(optarg, 65535, &n, &why) < 0 || n == 0)
                return kvl_usage_error(cli, "check",
                                       "--tap-queue-limit takes a number of queues from 1 "
                                       "to 65535, not '%s'", optarg);
            o->cfg.tap_queue_limit = (unsigned)n;
            break;
        }
        case OPT_RESERVE_CPUS:      /* the placement issue's name for it */
            kvl_overrides_note(&o->over, "housekeeping-cpus");
            /* fall through */
        case OPT_HOUSEKEEPING: {
            const char *why;

            kvl_thresholds_release(&o->cfg, o->over.given);     /* the last one counts */
            if (kvl_threshold_parse(kvl_threshold_find("housekeeping-cpus"), optarg,
                                    &o->cfg, &why) < 0)
                return kvl_usage_error(cli, "check", "--%s takes a cpuset "
                                       "such as 0-1,8, not '%s': %s",
                                       kvl_check_options[li].name, optarg, why);
            break;
        }
        case OPT_PLACEMENT: {
            const kvl_threshold *t = kvl_threshold_find(kvl_check_options[li].name);
            const char *why;

            if (kvl_threshold_parse(t, optarg, &o->cfg, &why) < 0) {
                char *names = kvl_threshold_choices(t);
                int rc = kvl_usage_error(cli, "check", "--%s takes %s, not '%s'", t->name,
                                         names, optarg);

                free(names);
                return rc;
            }
            break;
        }
        case OPT_EXPLAIN_PLACEMENT:
            o->explain_placement = true;
            break;
        case OPT_VALIDATE:
            o->validate = true;
            break;
        case OPT_SCHEMA_DIR:
            o->validate = true;
            o->schema_dir = optarg;
            break;
        case OPT_CONFIG:
            o->config = optarg;
            break;
        case OPT_NO_CONFIG:
            o->no_config = true;
            break;
        case OPT_NO_SUPPRESSIONS:
            o->no_suppressions = true;
            break;
        case OPT_BASELINE:
            o->baseline = optarg;
            break;
        case OPT_WRITE_BASELINE:
            o->write_baseline = optarg;
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
    if (check_outputs(cli, o) != 0)
        return KVL_EXIT_ERROR;
    if (o->config && o->no_config)
        return kvl_usage_error(cli, "check", "--config and --no-config exclude each other");
    o->over.cfg = o->cfg;
    o->over.fail_on = o->fail_on;
    o->over.has_host = o->nhosts > 0;
    if (optind >= argc)
        return kvl_usage_error(cli, "check", "no PATH given (use - for standard input)");
    return 0;
}

/* --explain-placement: the host map of each fleet with a host, after the
 * report (placement/plan.h). */
static int explain_placement(kvl_cli *cli, const kvl_run *run)
{
    const kvl_domain **doms = kvl_xcalloc(run->nfiles + 1, sizeof(*doms));
    const char **names = kvl_xcalloc(run->nfiles + 1, sizeof(*names));
    bool any = false;

    for (size_t g = 0; g < run->fleets.n; g++) {
        const kvl_fleet_host *fh = &run->fleets.v[g];
        size_t n = 0;

        if (!fh->host)
            continue;
        for (size_t i = 0; i < run->nfiles; i++)
            if (run->files[i].model && run->files[i].fleet == g) {
                doms[n] = run->files[i].model;
                names[n++] = run->files[i].path;
            }
        fprintf(cli->out, "%shost map of %s (%zu domain%s):\n", any ? "\n" : "",
                fh->name ? fh->name : "the --host snapshot", n, n == 1 ? "" : "s");
        if (kvl_place_explain(cli->out, fh->host, doms, names, n, run->cfg.housekeeping_cpus) < 0)
            fprintf(cli->out, "  (the host snapshot lacks NUMA nodes with memory)\n");
        any = true;
    }
    if (!any)
        fprintf(cli->err, "%s check: --explain-placement needs --host\n", cli->prog);
    free(doms);
    free(names);
    return any ? 0 : -1;
}

static void print_verbose(kvl_cli *cli, const kvl_run *run)
{
    for (size_t i = 0; i < run->nnotes; i++)
        fprintf(cli->err, "%s: %s\n", cli->prog, run->notes[i]);
    for (size_t i = 0; i < run->nskips; i++)
        fprintf(cli->err, "%s: rule %s skipped for %zu domain%s: %s\n", cli->prog,
                run->skips[i].rule, run->skips[i].count, run->skips[i].count == 1 ? "" : "s",
                run->skips[i].reason);
    for (size_t k = KVL_SUPPRESS_METADATA; k <= KVL_SUPPRESS_BASELINE; k++) {
        size_t n = 0;

        for (size_t i = 0; i < run->findings.n; i++)
            n += run->findings.v[i].suppressed == k;
        if (n)
            fprintf(cli->err, "%s: %zu finding%s suppressed (%s)\n", cli->prog, n,
                    n == 1 ? "" : "s", kvl_suppress_name((kvl_suppress_kind)k));
    }
}

/* The config files of the run, as the options say. */
static kvl_settings_set *settings_set(kvl_cli *cli, const check_opts *o,
                                      const kvl_catalogue *cat, int *rc)
{
    kvl_cfg_mode mode = o->no_config ? KVL_CFG_NONE
                      : o->config ? KVL_CFG_EXPLICIT : KVL_CFG_DISCOVER;
    char *err = NULL;
    kvl_settings_set *set = kvl_settings_set_new(mode, o->config, &o->over, cat, &err);

    if (!set) {
        fprintf(cli->err, "%s check: %s\n", cli->prog, err);
        free(err);
        *rc = KVL_EXIT_ERROR;
    }
    return set;
}

/* --baseline hides what it lists; --write-baseline records what is left
 * (and what the old baseline hid), which is then hidden too. */
static int baselines(kvl_cli *cli, const check_opts *o, kvl_run *run)
{
    char *err = NULL;

    if (o->baseline) {
        kvl_baseline *b = kvl_baseline_load(o->baseline, &err);

        if (!b) {
            fprintf(cli->err, "%s check: %s\n", cli->prog, err);
            free(err);
            return -1;
        }
        kvl_baseline_apply(b, &run->findings);
        kvl_baseline_free(b);
    }
    if (o->write_baseline) {
        long n = kvl_baseline_write(o->write_baseline, &run->findings, &err);
        kvl_baseline *b;

        if (n < 0) {
            fprintf(cli->err, "%s check: %s\n", cli->prog, err);
            free(err);
            return -1;
        }
        fprintf(cli->err, "%s check: wrote %ld finding%s to baseline '%s'\n", cli->prog, n,
                n == 1 ? "" : "s", o->write_baseline);
        if (!(b = kvl_baseline_load(o->write_baseline, &err))) {
            fprintf(cli->err, "%s check: %s\n", cli->prog, err);
            free(err);
            return -1;
        }
        kvl_baseline_apply(b, &run->findings);
        kvl_baseline_free(b);
    }
    return 0;
}

/* Write one report: format `spec` to `output` (NULL or "-": stdout). */
static int render_one(kvl_cli *cli, const check_opts *o, const kvl_run *run,
                      const char *spec, const char *output)
{
    kvl_output_opts oo = { false, NULL, cli->err };
    const kvl_output_format *fmt = kvl_output_find_arg(spec, &oo.arg);
    FILE *out = cli->out;
    int rc;

    if (output && strcmp(output, "-") != 0) {
        out = fopen(output, "w");
        if (!out) {
            fprintf(cli->err, "%s check: cannot write '%s': %m\n", cli->prog, output);
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
            fprintf(cli->err, "%s check: error writing '%s'\n", cli->prog, output);
    } else if (fflush(out) != 0) {
        rc = -1;
    }
    return rc;
}

/* Does a requested format write fix edits (SARIF fixes[])? */
static bool wants_fixes(const check_opts *o)
{
    for (size_t i = 0; i < o->nformats; i++)
        if (kvl_output_find(o->formats[i])->fixes)
            return true;
    return false;
}

/* Every -f with its -o; a failed one does not stop the others. */
static int render(kvl_cli *cli, const check_opts *o, const kvl_run *run)
{
    int rc = 0;

    if (o->nformats == 0)
        return render_one(cli, o, run, "text", o->noutputs ? o->outputs[0] : NULL);
    for (size_t i = 0; i < o->nformats; i++)
        if (render_one(cli, o, run, o->formats[i], i < o->noutputs ? o->outputs[i] : NULL) < 0)
            rc = -1;
    return rc;
}

int kvl_cmd_check(kvl_cli *cli, int argc, char **argv)
{
    check_opts o;
    kvl_catalogue *cat = NULL;
    kvl_host *host = NULL;
    kvl_validator *validator = NULL;
    kvl_settings_set *settings = NULL;
    kvl_run run;
    char *err = NULL;
    int rc = parse_options(cli, argc, argv, &o);

    if (rc != 0)
        goto out_opts;
    /* compiled once per run, before any file: a bad schema is a usage error */
    if (o.validate) {
        const char *dir = o.schema_dir ? o.schema_dir : KVL_LIBVIRT_SCHEMA_DIR;

        validator = kvl_validator_new(dir, &err);
        if (!validator) {
            rc = kvl_usage_error(cli, "check", "--validate: %s%s", err,
                                 o.schema_dir ? ""
                                 : " (install libvirt's schemas, Debian: libvirt-clients,"
                                   " or pass --schema-dir DIR)");
            free(err);
            goto out_opts;
        }
    }
    host = kvl_cli_load_hosts(cli, "check", o.hosts, o.nhosts, &rc);
    if (rc != 0)
        goto out_opts;
    cat = kvl_catalogue_load(&err);
    if (!cat) {
        fprintf(cli->err, "%s: internal error: %s\n", cli->prog, err);
        free(err);
        rc = KVL_EXIT_ERROR;
        goto out_host;
    }

    if (!(settings = settings_set(cli, &o, cat, &rc)))
        goto out_cat;

    kvl_run_init(&run, cat, host, &o.cfg);
    run.validator = validator;
    run.collect_fixes = wants_fixes(&o);
    kvl_run_use_config(&run, settings);
    run.suppressions = !o.no_suppressions;
    for (int i = optind; i < argc && !run.config_error; i++)
        kvl_run_add_path(&run, argv[i]);
    if (run.config_error) {
        /* a usage error: no report, since the settings are unknown */
        fprintf(cli->err, "%s check: %s\n", cli->prog, run.config_error);
        rc = KVL_EXIT_ERROR;
        goto out_run;
    }
    kvl_run_lint(&run);

    if (baselines(cli, &o, &run) < 0) {
        rc = KVL_EXIT_ERROR;
        goto out_run;
    }
    if (o.verbose)
        print_verbose(cli, &run);
    if (render(cli, &o, &run) < 0)
        rc = KVL_EXIT_ERROR;
    else if (o.explain_placement && explain_placement(cli, &run) < 0)
        rc = KVL_EXIT_ERROR;
    else if (run.input_error)
        rc = KVL_EXIT_ERROR;
    else if (kvl_run_fails(&run, o.fail_on))
        rc = KVL_EXIT_FINDINGS;
    else
        rc = KVL_EXIT_OK;
out_run:
    kvl_run_free(&run);
    kvl_settings_set_free(settings);
out_cat:
    kvl_catalogue_free(cat);
out_host:
    kvl_host_free(host);
out_opts:
    kvl_validator_free(validator);
    kvl_thresholds_release(&o.cfg, o.over.given);
    free(o.hosts);
    free(o.formats);
    free(o.outputs);
    return rc < 0 ? KVL_EXIT_OK : rc;   /* -1: --help was shown */
}
