/*
 * The lint engine (see engine.h).  Two phases: loading finds each file's
 * config (settings, ignores, its host's fleet), parses it once and builds
 * its model; linting runs the registered checks fleet by fleet, each needing
 * every model of its host first (overcommit, shared pins), then applies
 * suppressions and the config's severities.
 */
#include "lint/engine.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lint/suppress.h"
#include "lint/validate.h"
#include "util/mem.h"
#include "util/banned.h"

void kvl_run_init(kvl_run *run, const kvl_catalogue *cat, const kvl_host *host,
                  const kvl_config *cfg)
{
    memset(run, 0, sizeof(*run));
    run->cat = cat;
    run->host = host;
    if (cfg)
        run->cfg = *cfg;
    else
        kvl_config_init(&run->cfg);
    run->suppressions = true;
    kvl_fleet_hosts_init(&run->fleets, host);
}

void kvl_run_use_config(kvl_run *run, kvl_settings_set *set)
{
    run->settings = set;
}

static void note(kvl_run *run, char *text)
{
    KVL_GROW(run->notes, run->nnotes, run->cap_notes);
    run->notes[run->nnotes++] = text;
}

static kvl_file *new_file(kvl_run *run, const char *display)
{
    kvl_file *f;

    KVL_GROW(run->files, run->nfiles, run->cap_files);
    f = &run->files[run->nfiles++];
    f->path = kvl_xstrdup(display);
    return f;
}

static kvl_sink file_sink(kvl_run *run, size_t index)
{
    kvl_file *f = &run->files[index];
    kvl_sink s = { &run->findings, run->cat, f->doc, f->path, f->domain, index,
                   run->collect_fixes };

    return s;
}

kvl_sink kvl_run_file_sink(kvl_run *run, size_t index)
{
    return file_sink(run, index);
}

/* What the config says about a file, known before it is read. */
typedef struct file_config {
    const kvl_settings *s;      /* NULL: the run has no config set */
    char *rel;                  /* owned until given to the kvl_file */
    size_t fleet;
} file_config;

/*
 * Find the file's config; false when the file is not to be added: ignored
 * by the config (a --verbose note), or a config file is invalid (then the
 * whole run stops adding files).
 */
static bool configure(kvl_run *run, const char *path, const char *display, file_config *fc)
{
    const kvl_cfg_ignore *ig;
    char *err = NULL;

    memset(fc, 0, sizeof(*fc));
    if (!run->settings)
        return true;
    if (run->config_error)
        return false;
    fc->s = kvl_settings_for(run->settings, path, false, &fc->rel, &err);
    if (!fc->s) {
        run->config_error = err;
        return false;
    }
    if ((ig = kvl_settings_ignored(fc->s, fc->rel))) {
        note(run, kvl_xasprintf("%s: skipped: ignored by %s:%u", display, fc->s->file->path,
                                ig->line));
        free(fc->rel);
        return false;
    }
    fc->fleet = kvl_fleet_hosts_for(&run->fleets, kvl_settings_host(fc->s, fc->rel));
    return true;
}

static void give_config(kvl_file *f, file_config *fc)
{
    f->settings = fc->s;
    f->cfg_rel = fc->rel;
    f->fleet = fc->fleet;
    fc->rel = NULL;
}

/*
 * Add one parsed document (the run takes it).  `explicit_path`: named on the
 * command line, so a root other than <domain> is an error; inside a
 * directory it is skipped.
 */
static void add_doc(kvl_run *run, kvl_doc *doc, const char *display, bool explicit_path,
                    file_config *fc)
{
    size_t index;
    kvl_file *f;
    kvl_sink sink;
    const char *root;

    root = kvl_doc_root_name(doc);
    if (!explicit_path && root && strcmp(root, "domain") != 0) {
        note(run, kvl_xasprintf("%s: skipped: root element <%s> is not <domain>", display, root));
        kvl_doc_free(doc);
        free(fc->rel);
        return;
    }
    f = new_file(run, display);
    index = run->nfiles - 1;
    f->doc = doc;
    give_config(f, fc);
    sink = file_sink(run, index);
    if (!doc->xml) {
        kvl_report_at(&sink, "xml-malformed", doc->error_line, doc->error_col, NULL,
                      "not well-formed XML: %s", doc->error);
    } else if (strcmp(root, "domain") != 0) {
        kvl_doc_index(doc);
        kvl_report(&sink, "xml-not-domain", kvl_doc_ref(xmlDocGetRootElement(doc->xml)), NULL,
                   strcmp(root, "capabilities") == 0 || strcmp(root, "topology") == 0
                       ? "host snapshots are passed with --host FILE" : NULL,
                   "root element is <%s>, not <domain>", root);
    } else {
        size_t before = run->findings.n;

        f->model = kvl_domain_build(doc, &sink);
        /* the schema needs the DOM, which goes below */
        if (run->validator)
            kvl_validate_doc(run->validator, doc, &sink);
        /* the name is known only once built: give it to the build's findings */
        f = &run->files[index];
        kvl_settings_mark(f->settings, f->cfg_rel, f->model);
        if (run->suppressions)
            kvl_suppress_check(&sink, f->model);
        f->domain = kvl_xstrdup(f->model->name);
        for (size_t i = before; i < run->findings.n; i++)
            if (run->findings.v[i].file == index && !run->findings.v[i].domain)
                run->findings.v[i].domain = kvl_xstrdup(f->domain);
    }
    /*
     * Rules read the model and report at element refs, which the source map
     * resolves without the DOM.  Keeping every DOM of a large run alive
     * would cost more than parsing (memory growth, page faults), so it goes
     * now and only the text, the map and the model stay.
     */
    kvl_doc_drop_dom(doc);
}

static void file_error(kvl_run *run, const char *display, file_config *fc, char *err)
{
    kvl_file *f = new_file(run, display);

    f->status = KVL_FILE_ERROR;
    f->error = err;
    give_config(f, fc);
    run->input_error = true;
}

static void load_file(kvl_run *run, const char *file, const char *display, bool explicit_path)
{
    char *err = NULL;
    kvl_doc *doc;
    file_config fc;
    const kvl_fleet_host *host;

    if (!configure(run, file, display, &fc))
        return;
    host = &run->fleets.v[fc.fleet];
    if (host->error) {
        file_error(run, display, &fc, kvl_xasprintf("cannot lint against its host: %s",
                                                    host->error));
        return;
    }
    if (!(doc = kvl_doc_load(file, display, &err))) {
        file_error(run, display, &fc, err);
        return;
    }
    add_doc(run, doc, display, explicit_path, &fc);
}

void kvl_run_add_text(kvl_run *run, const char *display, const char *bytes, size_t len)
{
    file_config fc;

    /* the text of a file: its config is the file's */
    if (!configure(run, strcmp(display, "<stdin>") == 0 ? "-" : display, display, &fc))
        return;
    add_doc(run, kvl_doc_parse(display, bytes, len), display, true, &fc);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_xml_suffix(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && strcmp(name + n - 4, ".xml") == 0;
}

static void add_dir(kvl_run *run, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;

    if (!d) {
        kvl_file *f = new_file(run, dir);
        f->status = KVL_FILE_ERROR;
        f->error = kvl_xasprintf("cannot open directory: %s", strerror(errno));
        run->input_error = true;
        return;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;           /* ., .., and hidden files such as .git */
        KVL_GROW(names, n, cap);
        names[n++] = kvl_xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n; i++) {
        size_t dl = strlen(dir);
        char *path = kvl_xasprintf("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names[i]);
        struct stat st;

        /* lstat: symlinked directories are not followed (no loops) */
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            add_dir(run, path);
        else if (has_xml_suffix(names[i]) && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            load_file(run, path, path, false);
        free(path);
        free(names[i]);
    }
    free(names);
}

void kvl_run_add_path(kvl_run *run, const char *path)
{
    struct stat st;

    if (strcmp(path, "-") == 0) {
        load_file(run, "-", "<stdin>", true);
        return;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        add_dir(run, path);
        return;
    }
    load_file(run, path, path, true);
}

static void record_skip(kvl_run *run, const char *rule, const char *reason)
{
    for (size_t i = 0; i < run->nskips; i++)
        if (run->skips[i].rule == rule && strcmp(run->skips[i].reason, reason) == 0) {
            run->skips[i].count++;
            return;
        }
    KVL_GROW(run->skips, run->nskips, run->cap_skips);
    run->skips[run->nskips].rule = rule;
    run->skips[run->nskips].reason = reason;
    run->skips[run->nskips].count = 1;
    run->nskips++;
}

static int cmp_skips(const void *pa, const void *pb)
{
    const kvl_skip_note *a = pa, *b = pb;
    int c = strcmp(a->rule, b->rule);

    return c ? c : strcmp(a->reason, b->reason);
}

/* The in-scope domains of fleet `g`, in file order; file_of[d] is the
 * file of fleet->doms[d]. */
static void collect_fleet(kvl_run *run, size_t g, kvl_fleet *fleet, size_t *file_of)
{
    fleet->n = 0;
    for (size_t i = 0; i < run->nfiles; i++) {
        const kvl_domain *dom = run->files[i].model;
        if (!dom || run->files[i].fleet != g)
            continue;
        if (!kvl_domain_is_kvm_scope(dom)) {
            note(run, kvl_xasprintf("%s: domain '%s' is of type '%s': only the input rules apply",
                                    run->files[i].path, dom->name ? dom->name : "?",
                                    dom->type ? dom->type : "(none)"));
            continue;
        }
        file_of[fleet->n] = i;
        fleet->doms[fleet->n++] = dom;
    }
}

/* The thresholds of a file: its config's, else the run's. */
static const kvl_config *file_cfg(const kvl_run *run, const kvl_file *f)
{
    return f->settings ? &f->settings->cfg : &run->cfg;
}

/* Run every enabled check on domain d of the fleet. */
static void check_domain(kvl_run *run, const kvl_fleet *fleet, size_t d, size_t file,
                         const kvl_host *host)
{
    kvl_file *f = &run->files[file];
    kvl_sink sink = file_sink(run, file);

    f->checked = true;
    KVL_FOR_EACH_CHECK(c) {
        kvl_check_ctx ctx = { fleet->doms[d], d, host, fleet, file_cfg(run, f),
                              &sink, c->id, NULL };
        if (!c->fn || !kvl_settings_rule_enabled(f->settings, c->id))
            continue;
        c->fn(&ctx);
        if (!ctx.skipped)
            continue;
        record_skip(run, c->id, ctx.skipped);
        if (f->model->nsuppress) {
            KVL_GROW(f->skipped, f->nskipped, f->cap_skipped);
            f->skipped[f->nskipped++] = c->id;
        }
    }
}

/* One fleet: its domains against its host, with its own running totals. */
static void lint_fleet(kvl_run *run, size_t g, kvl_fleet *fleet, size_t *file_of)
{
    const kvl_fleet_host *fh = &run->fleets.v[g];
    kvl_fleet_memo memo = { 0 };

    collect_fleet(run, g, fleet, file_of);
    memo.safe_fixes_only = run->safe_fixes_only;
    fleet->memo = &memo;
    if (g > 0)
        note(run, kvl_xasprintf("host %s: a fleet of %zu domain%s", fh->name, fleet->n,
                                fleet->n == 1 ? "" : "s"));
    kvl_fleet_totals(fleet);
    for (size_t d = 0; d < fleet->n; d++)
        check_domain(run, fleet, d, file_of[d], fh->host);
    if (memo.free_fn)
        memo.free_fn(memo.place);
    if (memo.strict_free)
        memo.strict_free(memo.strict);
    if (memo.pins_free)
        memo.pins_free(memo.pins);
    fleet->memo = NULL;
    free(fleet->vcpus_upto);
    free(fleet->memory_upto);
    free(fleet->plain_memory_upto);
    fleet->vcpus_upto = fleet->memory_upto = fleet->plain_memory_upto = NULL;
}

/* <rule id severity> of the file's config. */
static void apply_severities(kvl_run *run)
{
    for (size_t i = 0; i < run->findings.n; i++) {
        kvl_finding *f = &run->findings.v[i];
        const kvl_settings *s = run->files[f->file].settings;
        kvl_severity sev;

        if (s && kvl_settings_rule_severity(s, f->rule, &sev))
            f->severity = sev;
    }
}

void kvl_run_lint(kvl_run *run)
{
    kvl_fleet fleet;
    size_t *file_of = NULL;

    memset(&fleet, 0, sizeof(fleet));
    fleet.doms = kvl_xcalloc(run->nfiles + 1, sizeof(*fleet.doms));
    file_of = kvl_xcalloc(run->nfiles + 1, sizeof(*file_of));
    for (size_t g = 0; g < run->fleets.n; g++)
        lint_fleet(run, g, &fleet, file_of);

    kvl_suppress_apply(run, run->suppressions);
    apply_severities(run);
    for (size_t i = 0; i < run->findings.n; i++)
        if (run->findings.v[i].input_error && !run->findings.v[i].suppressed) {
            run->input_error = true;
            run->files[run->findings.v[i].file].status = KVL_FILE_ERROR;
        }
    kvl_findings_sort(&run->findings);
    kvl_run_fingerprint(run);
    if (run->nskips > 1)
        qsort(run->skips, run->nskips, sizeof(*run->skips), cmp_skips);
    free(fleet.doms);
    free(file_of);
}

kvl_severity kvl_run_worst(const kvl_run *run)
{
    kvl_severity worst = KVL_SEV_NONE;

    for (size_t i = 0; i < run->findings.n; i++)
        if (!run->findings.v[i].suppressed && run->findings.v[i].severity > worst)
            worst = run->findings.v[i].severity;
    return worst;
}

bool kvl_run_fails(const kvl_run *run, kvl_severity fail_on)
{
    for (size_t i = 0; i < run->findings.n; i++) {
        const kvl_finding *f = &run->findings.v[i];
        const kvl_settings *s = run->files[f->file].settings;
        kvl_severity threshold = s ? s->fail_on : fail_on;

        if (!f->suppressed && threshold != KVL_SEV_NONE && f->severity >= threshold)
            return true;
    }
    return false;
}

void kvl_run_free(kvl_run *run)
{
    for (size_t i = 0; i < run->nfiles; i++) {
        kvl_file *f = &run->files[i];
        kvl_domain_free(f->model);
        kvl_doc_free(f->doc);
        free(f->path);
        free(f->domain);
        free(f->error);
        free(f->cfg_rel);
        free(f->skipped);
    }
    free(run->files);
    free(run->config_error);
    kvl_fleet_hosts_free(&run->fleets);
    kvl_findings_free(&run->findings);
    free(run->skips);
    for (size_t i = 0; i < run->nnotes; i++)
        free(run->notes[i]);
    free(run->notes);
    memset(run, 0, sizeof(*run));
}
