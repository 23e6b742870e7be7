/*
 * kvmlint config --show [PATH]: the settings `kvmlint check` would use for
 * PATH (a file, or a directory: its files), with where each comes from.
 * It reads the same config files the same way (config/settings.h), so it
 * is the way to debug a config: which file applies, which thresholds it
 * changes, which of its path patterns match PATH.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "config/settings.h"
#include "config/thresholds.h"
#include "rules/catalogue.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

enum { OPT_SHOW = 256, OPT_CONFIG, OPT_NO_CONFIG };

const struct option kvl_config_options[] = {
    { "show",      no_argument,       NULL, OPT_SHOW },
    { "config",    required_argument, NULL, OPT_CONFIG },
    { "no-config", no_argument,       NULL, OPT_NO_CONFIG },
    { "help",      no_argument,       NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

typedef struct show_ctx {
    FILE *out;
    const kvl_settings *s;
    const char *rel;            /* NULL: not below the config's directory */
    bool is_dir;
} show_ctx;

static const char *source_of(const kvl_settings *s, uint64_t bit)
{
    return s->from_cli & bit ? "command line" : s->from_file & bit ? "config" : "default";
}

static void show_thresholds(const show_ctx *c)
{
    fputs("thresholds:\n", c->out);
    for (const kvl_threshold *t = kvl_thresholds; t->name; t++) {
        kvl_buf v = KVL_BUF_INIT;

        kvl_threshold_format(t, &c->s->cfg, &v);
        fprintf(c->out, "  %s: %s (%s)\n", t->name, kvl_buf_str(&v),
                source_of(c->s, UINT64_C(1) << kvl_threshold_index(t)));
        kvl_buf_free(&v);
    }
}

static void show_rules(const show_ctx *c)
{
    const kvl_cfg_file *f = c->s->file;

    if (!f->nrules)
        return;
    fputs("rules:\n", c->out);
    for (size_t i = 0; i < f->nrules; i++) {
        const kvl_cfg_rule *r = &f->rules[i];

        fprintf(c->out, "  %s:", r->id);
        if (r->enabled >= 0)
            fprintf(c->out, " %s", r->enabled ? "enabled" : "disabled");
        if (r->has_severity)
            fprintf(c->out, " severity %s", kvl_severity_name(r->severity));
        fprintf(c->out, " (line %u)\n", r->line);
    }
}

/* Whether a path pattern matches PATH; a directory gets no verdict. */
static const char *verdict(const show_ctx *c, const kvl_glob *path, const char *domain)
{
    if (c->is_dir)
        return NULL;
    if (path && !kvl_glob_match(path, c->rel))
        return "no match";
    return domain ? "applies if the domain name matches" : "applies";
}

static void tail(const show_ctx *c, unsigned line, const char *v)
{
    fprintf(c->out, " (line %u%s%s)\n", line, v ? "; " : "", v ? v : "");
}

static void show_ignores(const show_ctx *c)
{
    const kvl_cfg_file *f = c->s->file;

    if (!f->nignores)
        return;
    fputs("ignore:\n", c->out);
    for (size_t i = 0; i < f->nignores; i++) {
        const kvl_cfg_ignore *ig = &f->ignores[i];

        fprintf(c->out, "  %s: ", kvl_glob_pattern(ig->path));
        if (!ig->rules)
            fputs("not linted", c->out);
        for (size_t r = 0; r < ig->nrules; r++)
            fprintf(c->out, "%s%s", r ? "," : "", ig->rules[r]);
        if (ig->reason)
            fprintf(c->out, " \"%s\"", ig->reason);
        tail(c, ig->line, verdict(c, ig->path, NULL));
    }
}

static void show_hosts(const show_ctx *c)
{
    const kvl_cfg_file *f = c->s->file;
    bool chosen = false;

    if (!f->nhosts)
        return;
    fputs("hosts:\n", c->out);
    for (size_t i = 0; i < f->nhosts; i++) {
        const kvl_cfg_host *h = &f->hosts[i];
        const char *v = verdict(c, h->path, NULL);

        fprintf(c->out, "  %s:", kvl_glob_pattern(h->path));
        for (size_t k = 0; k < h->nsnapshots; k++)
            fprintf(c->out, " %s", h->shown[k]);
        /* the first match wins */
        if (v && strcmp(v, "applies") == 0)
            v = chosen ? "matches, but an earlier mapping applies" : v;
        chosen = chosen || (v && strcmp(v, "applies") == 0);
        tail(c, h->line, v);
    }
}

static void show_marks(const show_ctx *c)
{
    static const char *const kinds[] = { "critical", "windows", "hot-disk" };
    const kvl_cfg_file *f = c->s->file;

    if (!f->nmarks)
        return;
    fputs("marks:\n", c->out);
    for (size_t i = 0; i < f->nmarks; i++) {
        const kvl_cfg_mark *m = &f->marks[i];

        fprintf(c->out, "  %s", kinds[m->kind]);
        if (m->target)
            fprintf(c->out, " target %s", m->target);
        if (m->source)
            fprintf(c->out, " source %s", kvl_glob_pattern(m->source));
        if (m->sel.path)
            fprintf(c->out, " path %s", kvl_glob_pattern(m->sel.path));
        if (m->sel.domain)
            fprintf(c->out, " domain %s", m->sel.domain);
        tail(c, m->line, verdict(c, m->sel.path, m->sel.domain));
    }
}

static void show(const show_ctx *c, const char *path)
{
    const kvl_settings *s = c->s;

    fprintf(c->out, "path: %s%s\n", path, c->is_dir ? " (directory)" : "");
    fprintf(c->out, "config file: %s\n", s->file ? s->file->path : "none");
    if (s->file)
        fprintf(c->out, "path in the config: %s\n",
                !c->rel ? "(outside its directory: path patterns do not match)"
                : *c->rel ? c->rel : ".");
    fprintf(c->out, "fail-on: %s (%s)\n", kvl_severity_name(s->fail_on), s->fail_on_from);
    show_thresholds(c);
    if (!s->file)
        return;
    show_rules(c);
    show_ignores(c);
    show_hosts(c);
    show_marks(c);
}

static int parse(kvl_cli *cli, int argc, char **argv, bool *do_show, kvl_cfg_mode *mode,
                 const char **file)
{
    int c;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", kvl_config_options, NULL)) != -1) {
        switch (c) {
        case OPT_SHOW:
            *do_show = true;
            break;
        case OPT_CONFIG:
            *mode = KVL_CFG_EXPLICIT;
            *file = optarg;
            break;
        case OPT_NO_CONFIG:
            *mode = KVL_CFG_NONE;
            break;
        case 'h':
            kvl_cmd_usage(cli, "config", cli->out);
            return -1;
        case ':':
            return kvl_usage_error(cli, "config", "option '%s' needs a value", argv[optind - 1]);
        default:
            return kvl_usage_error(cli, "config", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (!*do_show)
        return kvl_usage_error(cli, "config", "nothing to do: use --show [PATH]");
    if (argc - optind > 1)
        return kvl_usage_error(cli, "config", "--show takes one PATH");
    return 0;
}

int kvl_cmd_config(kvl_cli *cli, int argc, char **argv)
{
    bool do_show = false;
    kvl_cfg_mode mode = KVL_CFG_DISCOVER;
    const char *file = NULL, *path;
    kvl_overrides over;
    kvl_catalogue *cat;
    kvl_settings_set *set;
    char *err = NULL, *rel = NULL;
    struct stat st;
    show_ctx c = { cli->out, NULL, NULL, false };
    int rc = parse(cli, argc, argv, &do_show, &mode, &file);

    if (rc != 0)
        return rc < 0 ? KVL_EXIT_OK : rc;
    path = optind < argc ? argv[optind] : ".";
    c.is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    if (!(cat = kvl_catalogue_load(&err))) {
        fprintf(cli->err, "%s: internal error: %s\n", cli->prog, err);
        free(err);
        return KVL_EXIT_ERROR;
    }
    kvl_overrides_init(&over);
    set = kvl_settings_set_new(mode, file, &over, cat, &err);
    if (set)
        c.s = kvl_settings_for(set, path, c.is_dir, &rel, &err);
    if (!c.s) {
        fprintf(cli->err, "%s config: %s\n", cli->prog, err);
        free(err);
        rc = KVL_EXIT_ERROR;
    } else {
        c.rel = rel;
        show(&c, path);
    }
    free(rel);
    kvl_settings_set_free(set);
    kvl_catalogue_free(cat);
    return rc;
}
