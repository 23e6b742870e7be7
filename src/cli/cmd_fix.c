/*
 * kvmlint fix: apply the safe (and with --unsafe-fixes the unsafe) fixes
 * the rules propose, as byte-range edits (src/fix/), and hand the result
 * back: the fixed XML on stdout, into -o FILE, over the inputs
 * (--in-place), or as a unified diff (--diff).  The data stream is the XML
 * or the diff, so what was fixed, what remains and why a fix was not
 * applied go to stderr.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "config/thresholds.h"
#include "fix/diff.h"
#include "fix/fixer.h"
#include "fix/write.h"
#include "lint/validate.h"
#include "rules/catalogue.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

enum {
    OPT_HOST = 256, OPT_UNSAFE, OPT_DIFF, OPT_IN_PLACE, OPT_SELECT, OPT_IGNORE, OPT_FAIL_ON,
    OPT_CONFIG, OPT_NO_CONFIG, OPT_THRESHOLD,
};

const struct option kvl_fix_options[] = {
    { "host",         required_argument, NULL, OPT_HOST },
    { "unsafe-fixes", no_argument,       NULL, OPT_UNSAFE },
    { "diff",         no_argument,       NULL, OPT_DIFF },
    { "in-place",     no_argument,       NULL, OPT_IN_PLACE },
    { "output",       required_argument, NULL, 'o' },
    { "select",       required_argument, NULL, OPT_SELECT },
    { "ignore",       required_argument, NULL, OPT_IGNORE },
    { "fail-on",      required_argument, NULL, OPT_FAIL_ON },
    { "config",       required_argument, NULL, OPT_CONFIG },
    { "no-config",    no_argument,       NULL, OPT_NO_CONFIG },
    /* the placement allocator's settings (config/thresholds.c rows) */
    { "strategy",          required_argument, NULL, OPT_THRESHOLD },
    { "thread-policy",     required_argument, NULL, OPT_THRESHOLD },
    { "emulator-policy",   required_argument, NULL, OPT_THRESHOLD },
    { "housekeeping-cpus", required_argument, NULL, OPT_THRESHOLD },
    { "reserve-cpus",      required_argument, NULL, OPT_THRESHOLD },
    { "verbose",      no_argument,       NULL, 'v' },
    { "help",         no_argument,       NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

typedef enum fix_mode { MODE_STDOUT, MODE_OUTPUT, MODE_IN_PLACE, MODE_DIFF } fix_mode;

typedef struct fix_cli_opts {
    const char **hosts;
    size_t nhosts;
    fix_mode mode;
    const char *output;
    kvl_severity fail_on;
    kvl_overrides over;         /* what the command line says over config files */
    const char *config;         /* --config FILE */
    bool no_config;
    bool verbose;
    kvl_fix_opts fix;
    char **ids;                 /* storage of --select/--ignore ids */
    size_t nids, cap_ids;
    const char **select, **ignore;
    size_t nselect, nignore;
} fix_cli_opts;

static void free_opts(fix_cli_opts *o)
{
    free(o->hosts);
    for (size_t i = 0; i < o->nids; i++)
        free(o->ids[i]);
    free(o->ids);
    free(o->select);
    free(o->ignore);
    kvl_thresholds_release(&o->over.cfg, o->over.given);
}

/* --strategy and the other settings that are config thresholds; --reserve-cpus
 * is the placement issue's name for --housekeeping-cpus. */
static int parse_threshold(kvl_cli *cli, fix_cli_opts *o, const char *opt, const char *arg)
{
    const char *name = strcmp(opt, "reserve-cpus") == 0 ? "housekeeping-cpus" : opt;
    const kvl_threshold *t = kvl_threshold_find(name);
    const char *why;
    char *names;
    int rc;

    kvl_thresholds_release(&o->over.cfg, o->over.given & (UINT64_C(1) << kvl_threshold_index(t)));
    kvl_overrides_note(&o->over, name);
    if (kvl_threshold_parse(t, arg, &o->over.cfg, &why) == 0)
        return 0;
    if (t->type != KVL_TH_CHOICE)
        return kvl_usage_error(cli, "fix", "--%s takes a cpuset such as 0-1,8, not '%s': %s",
                               opt, arg, why);
    names = kvl_threshold_choices(t);
    rc = kvl_usage_error(cli, "fix", "--%s takes %s, not '%s'", opt, names, arg);
    free(names);
    return rc;
}

/* "a,b,c" into `list`, each id checked against the catalogue. */
static int add_ids(kvl_cli *cli, fix_cli_opts *o, const kvl_catalogue *cat, const char *arg,
                   const char ***list, size_t *n, const char *opt)
{
    const char *p = arg;

    while (*p) {
        size_t len = strcspn(p, ",");
        char *id = kvl_xstrndup(p, len);

        if (!kvl_catalogue_find(cat, id)) {
            int rc = kvl_usage_error(cli, "fix", "%s: no rule '%s' (see 'kvmlint rules')", opt, id);
            free(id);
            return rc;
        }
        KVL_GROW(o->ids, o->nids, o->cap_ids);
        o->ids[o->nids++] = id;
        *list = kvl_xrealloc(*list, (*n + 1) * sizeof(**list));
        (*list)[(*n)++] = id;
        p += len;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int set_mode(kvl_cli *cli, fix_cli_opts *o, fix_mode mode)
{
    if (o->mode != MODE_STDOUT && o->mode != mode)
        return kvl_usage_error(cli, "fix", "--diff, --in-place and -o exclude each other");
    o->mode = mode;
    return 0;
}

static int parse_options(kvl_cli *cli, int argc, char **argv, fix_cli_opts *o,
                         const kvl_catalogue *cat)
{
    int c, li;

    memset(o, 0, sizeof(*o));
    o->fail_on = KVL_SEV_WARNING;
    kvl_fix_opts_init(&o->fix);
    kvl_overrides_init(&o->over);
    optind = 0;         /* GNU: full re-initialisation, commands run in-process */
    opterr = 0;
    while ((li = -1, c = getopt_long(argc, argv, ":o:vh", kvl_fix_options, &li)) != -1) {
        switch (c) {
        case OPT_THRESHOLD:
            if (parse_threshold(cli, o, kvl_fix_options[li].name, optarg) != 0)
                return KVL_EXIT_ERROR;
            break;
        case OPT_HOST:
            o->hosts = kvl_xrealloc(o->hosts, (o->nhosts + 1) * sizeof(*o->hosts));
            o->hosts[o->nhosts++] = optarg;
            break;
        case OPT_UNSAFE:
            o->fix.unsafe = true;
            break;
        case OPT_DIFF:
            if (set_mode(cli, o, MODE_DIFF))
                return KVL_EXIT_ERROR;
            break;
        case OPT_IN_PLACE:
            if (set_mode(cli, o, MODE_IN_PLACE))
                return KVL_EXIT_ERROR;
            break;
        case 'o':
            if (set_mode(cli, o, MODE_OUTPUT))
                return KVL_EXIT_ERROR;
            o->output = optarg;
            break;
        case OPT_SELECT:
            if (add_ids(cli, o, cat, optarg, &o->select, &o->nselect, "--select"))
                return KVL_EXIT_ERROR;
            break;
        case OPT_IGNORE:
            if (add_ids(cli, o, cat, optarg, &o->ignore, &o->nignore, "--ignore"))
                return KVL_EXIT_ERROR;
            break;
        case OPT_FAIL_ON:
            if (kvl_severity_parse(optarg, &o->fail_on) < 0)
                return kvl_usage_error(cli, "fix",
                                       "--fail-on takes error, warning, info or none, not '%s'",
                                       optarg);
            o->over.has_fail_on = true;
            o->over.fail_on = o->fail_on;
            break;
        case OPT_CONFIG:
            o->config = optarg;
            break;
        case OPT_NO_CONFIG:
            o->no_config = true;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            kvl_cmd_usage(cli, "fix", cli->out);
            return -1;
        case ':':
            return kvl_usage_error(cli, "fix", "option '%s' needs a value", argv[optind - 1]);
        default:
            return kvl_usage_error(cli, "fix", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (o->config && o->no_config)
        return kvl_usage_error(cli, "fix", "--config and --no-config exclude each other");
    o->over.has_host = o->nhosts > 0;
    o->fix.cfg = o->over.cfg;   /* borrowed: released with the overrides */
    if (optind >= argc)
        return kvl_usage_error(cli, "fix", "no PATH given (use - for standard input)");
    for (int i = optind; i < argc; i++)
        if (o->mode == MODE_IN_PLACE && strcmp(argv[i], "-") == 0)
            return kvl_usage_error(cli, "fix", "--in-place cannot rewrite standard input");
    o->fix.select = o->select;
    o->fix.nselect = o->nselect;
    o->fix.ignore = o->ignore;
    o->fix.nignore = o->nignore;
    return 0;
}

/* ---- diagnostics (stderr) ---- */

static void print_applied(kvl_cli *cli, const kvl_fix_result *res)
{
    for (size_t i = 0; i < res->nnotes; i++) {
        const kvl_fix_note *n = &res->notes[i];

        if (n->status != KVL_FIXST_APPLIED)
            continue;
        fprintf(cli->err, "%s", res->files[n->file].path);
        if (n->line)
            fprintf(cli->err, ":%u:%u", n->line, n->col);
        fprintf(cli->err, ": fixed (%s) [%s]: %s\n", kvl_fix_name(n->kind), n->rule, n->summary);
    }
}

static void print_finding(kvl_cli *cli, const kvl_fix_result *res, const fix_cli_opts *o,
                          const kvl_finding *f, bool final)
{
    const char *why;

    fprintf(cli->err, "%s", f->path);
    if (f->line)
        fprintf(cli->err, ":%u:%u", f->line, f->col);
    fprintf(cli->err, ": %s: %s [%s]\n", kvl_severity_name(f->severity), f->message, f->rule);
    if (f->hint)
        fprintf(cli->err, "  hint: %s\n", f->hint);
    if (final && (why = kvl_fix_why_not(res, &o->fix, f)))
        fprintf(cli->err, "  fix (%s): %s\n  not applied: %s\n", kvl_fix_name(f->fix_kind),
                f->fix_summary, why);
    else if (final && f->no_fix)
        fprintf(cli->err, "  no fix: %s\n", f->no_fix);
}

/* The --fail-on of the finding's file: command line > config > default. */
static kvl_severity threshold(const kvl_run *run, const kvl_finding *f, kvl_severity dflt)
{
    const kvl_settings *s = run->files[f->file].settings;

    return s ? s->fail_on : dflt;
}

/* What remains, per file in input order; true when a finding reaches its
 * file's --fail-on. */
static bool print_remaining(kvl_cli *cli, const kvl_fix_result *res, const fix_cli_opts *o)
{
    bool fails = false;

    for (size_t i = 0; i < res->nfiles; i++) {
        const kvl_fix_file *file = &res->files[i];
        const kvl_run *run = file->error ? &res->first : res->last;
        size_t index = file->error ? i : file->last_index;

        if (file->error && res->first.files[i].error)
            fprintf(cli->err, "%s: error: %s\n", file->path, res->first.files[i].error);
        for (size_t k = 0; k < run->findings.n; k++) {
            const kvl_finding *f = &run->findings.v[k];

            kvl_severity fail_on;

            if (f->file != index || f->suppressed
                || (!f->input_error && !kvl_fix_selected(&o->fix, f->rule)))
                continue;
            print_finding(cli, res, o, f, !file->error);
            fail_on = threshold(run, f, o->fail_on);
            fails |= fail_on != KVL_SEV_NONE && f->severity >= fail_on;
        }
    }
    return fails;
}

static void print_verbose(kvl_cli *cli, const kvl_fix_result *res, const char *schema_err)
{
    const kvl_run *run = res->last;

    if (schema_err)
        fprintf(cli->err, "%s fix: fixes are not checked against libvirt's schema: %s\n",
                cli->prog, schema_err);
    for (size_t i = 0; i < res->first.nnotes; i++)
        fprintf(cli->err, "%s: %s\n", cli->prog, res->first.notes[i]);
    for (size_t i = 0; i < run->nskips; i++)
        fprintf(cli->err, "%s: rule %s skipped for %zu domain%s: %s\n", cli->prog,
                run->skips[i].rule, run->skips[i].count, run->skips[i].count == 1 ? "" : "s",
                run->skips[i].reason);
}

static void print_summary(kvl_cli *cli, const kvl_fix_result *res)
{
    size_t applied = 0, files = 0;

    for (size_t i = 0; i < res->nfiles; i++) {
        applied += res->files[i].applied;
        files += res->files[i].applied > 0;
    }
    fprintf(cli->err, "%s fix: %zu fix%s applied to %zu file%s", cli->prog, applied,
            applied == 1 ? "" : "es", files, files == 1 ? "" : "s");
    if (res->rounds > 1)
        fprintf(cli->err, " in %u rounds", res->rounds);
    if (!res->fixpoint)
        fprintf(cli->err, " (stopped at the limit of %u rounds)", KVL_FIX_MAX_ROUNDS);
    fputc('\n', cli->err);
}

/* ---- the data stream ---- */

static bool changed(const kvl_fix_file *f)
{
    return f->len != f->original_len || memcmp(f->text, f->original, f->len) != 0;
}

/* Returns 0, or -1 when a file could not be written (reported). */
static int write_results(kvl_cli *cli, const kvl_fix_result *res, const fix_cli_opts *o)
{
    int rc = 0;

    if (o->mode == MODE_DIFF) {
        kvl_buf b = KVL_BUF_INIT;

        for (size_t i = 0; i < res->nfiles; i++)
            if (!res->files[i].error)
                kvl_diff_unified(&b, res->files[i].path, res->files[i].original,
                                 res->files[i].original_len, res->files[i].text,
                                 res->files[i].len);
        fwrite(b.s ? b.s : "", 1, b.len, cli->out);
        kvl_buf_free(&b);
        return 0;
    }
    if (o->mode == MODE_IN_PLACE) {
        for (size_t i = 0; i < res->nfiles; i++) {
            const kvl_fix_file *f = &res->files[i];
            char *err = NULL;

            if (f->error || !changed(f))
                continue;
            if (kvl_write_file(f->path, f->text, f->len, true, &err) < 0) {
                fprintf(cli->err, "%s fix: %s\n", cli->prog, err);
                free(err);
                rc = -1;
            }
        }
        return rc;
    }
    /* one file to stdout or -o: nothing at all when it could not be fixed */
    if (res->files[0].error)
        return 0;
    if (o->mode == MODE_OUTPUT && strcmp(o->output, "-") != 0) {
        char *err = NULL;

        if (kvl_write_file(o->output, res->files[0].text, res->files[0].len, false, &err) < 0) {
            fprintf(cli->err, "%s fix: %s\n", cli->prog, err);
            free(err);
            return -1;
        }
        return 0;
    }
    fwrite(res->files[0].text, 1, res->files[0].len, cli->out);
    return 0;
}

int kvl_cmd_fix(kvl_cli *cli, int argc, char **argv)
{
    fix_cli_opts o;
    kvl_catalogue *cat;
    kvl_host *host = NULL;
    kvl_validator *validator = NULL;
    kvl_settings_set *settings = NULL;
    kvl_fix_result res;
    bool fails;
    char *err = NULL, *schema_err = NULL;
    int rc;

    cat = kvl_catalogue_load(&err);
    if (!cat) {
        fprintf(cli->err, "%s: internal error: %s\n", cli->prog, err);
        free(err);
        return KVL_EXIT_ERROR;
    }
    rc = parse_options(cli, argc, argv, &o, cat);
    if (rc != 0)
        goto out;
    host = kvl_cli_load_hosts(cli, "fix", o.hosts, o.nhosts, &rc);
    if (rc != 0)
        goto out;
    settings = kvl_settings_set_new(o.no_config ? KVL_CFG_NONE
                                    : o.config ? KVL_CFG_EXPLICIT : KVL_CFG_DISCOVER,
                                    o.config, &o.over, cat, &err);
    if (!settings) {
        fprintf(cli->err, "%s fix: %s\n", cli->prog, err);
        free(err);
        rc = KVL_EXIT_ERROR;
        goto out;
    }
    o.fix.settings = settings;
    /* without the schema, fixes are still checked for well-formedness */
    validator = kvl_validator_new(KVL_LIBVIRT_SCHEMA_DIR, &schema_err);
    o.fix.validator = validator;

    kvl_fix_run(&res, cat, host, &o.fix, argv + optind, (size_t)(argc - optind));
    if (res.config_error) {
        fprintf(cli->err, "%s fix: %s\n", cli->prog, res.config_error);
        rc = KVL_EXIT_ERROR;
        goto out_res;
    }
    if ((o.mode == MODE_STDOUT || o.mode == MODE_OUTPUT) && res.nfiles > 1) {
        rc = kvl_usage_error(cli, "fix", "%zu files to fix: %s takes one (use --in-place or --diff)",
                             res.nfiles, o.mode == MODE_OUTPUT ? "-o" : "standard output");
        goto out_res;
    }
    if (o.verbose)
        print_verbose(cli, &res, schema_err);
    print_applied(cli, &res);
    fails = print_remaining(cli, &res, &o);
    print_summary(cli, &res);
    if (write_results(cli, &res, &o) < 0 || res.first.input_error)
        rc = KVL_EXIT_ERROR;
    else if (fails)
        rc = KVL_EXIT_FINDINGS;
    else
        rc = KVL_EXIT_OK;
out_res:
    kvl_fix_result_free(&res);
out:
    free(schema_err);
    kvl_validator_free(validator);
    kvl_settings_set_free(settings);
    kvl_host_free(host);
    free_opts(&o);
    kvl_catalogue_free(cat);
    return rc < 0 ? KVL_EXIT_OK : rc;   /* -1: --help was shown */
}
