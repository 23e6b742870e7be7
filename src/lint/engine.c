/*
 * The lint engine (see engine.h).  Two phases: loading parses every file
 * once and builds its model; linting runs the registered checks over the
 * fleet, which needs every model of the run first (overcommit, shared pins).
 */
#include "lint/engine.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    kvl_sink s = { &run->findings, run->cat, f->doc, f->path, f->domain, index };

    return s;
}

/*
 * Load one file.  `explicit_path`: named on the command line, so a root
 * other than <domain> is an error; inside a directory it is skipped.
 */
static void load_file(kvl_run *run, const char *file, const char *display, bool explicit_path)
{
    char *err = NULL;
    kvl_doc *doc = kvl_doc_load(file, display, &err);
    size_t index;
    kvl_file *f;
    kvl_sink sink;
    const char *root;

    if (!doc) {
        f = new_file(run, display);
        f->status = KVL_FILE_ERROR;
        f->error = err;
        run->input_error = true;
        return;
    }
    root = kvl_doc_root_name(doc);
    if (!explicit_path && root && strcmp(root, "domain") != 0) {
        note(run, kvl_xasprintf("%s: skipped: root element <%s> is not <domain>", display, root));
        kvl_doc_free(doc);
        return;
    }
    f = new_file(run, display);
    index = run->nfiles - 1;
    f->doc = doc;
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
        /* the name is known only once built: give it to the build's findings */
        f = &run->files[index];
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

void kvl_run_lint(kvl_run *run)
{
    kvl_fleet fleet = { NULL, 0, NULL, NULL };
    size_t *file_of = NULL;

    fleet.doms = kvl_xcalloc(run->nfiles + 1, sizeof(*fleet.doms));
    file_of = kvl_xcalloc(run->nfiles + 1, sizeof(*file_of));
    for (size_t i = 0; i < run->nfiles; i++) {
        const kvl_domain *dom = run->files[i].model;
        if (!dom)
            continue;
        if (!kvl_domain_is_kvm_scope(dom)) {
            note(run, kvl_xasprintf("%s: domain '%s' is of type '%s': only the input rules apply",
                                    run->files[i].path, dom->name ? dom->name : "?",
                                    dom->type ? dom->type : "(none)"));
            continue;
        }
        file_of[fleet.n] = i;
        fleet.doms[fleet.n++] = dom;
    }

    kvl_fleet_totals(&fleet);
    for (size_t d = 0; d < fleet.n; d++) {
        kvl_sink sink = file_sink(run, file_of[d]);
        KVL_FOR_EACH_CHECK(c) {
            kvl_check_ctx ctx = { fleet.doms[d], d, run->host, &fleet, &run->cfg,
                                  &sink, c->id, NULL };
            if (!c->fn)
                continue;
            c->fn(&ctx);
            if (ctx.skipped)
                record_skip(run, c->id, ctx.skipped);
        }
    }

    for (size_t i = 0; i < run->findings.n; i++)
        if (run->findings.v[i].input_error) {
            run->input_error = true;
            run->files[run->findings.v[i].file].status = KVL_FILE_ERROR;
        }
    kvl_findings_sort(&run->findings);
    if (run->nskips > 1)
        qsort(run->skips, run->nskips, sizeof(*run->skips), cmp_skips);
    free(fleet.doms);
    free(fleet.vcpus_upto);
    free(fleet.memory_upto);
    free(file_of);
}

kvl_severity kvl_run_worst(const kvl_run *run)
{
    kvl_severity worst = KVL_SEV_NONE;

    for (size_t i = 0; i < run->findings.n; i++)
        if (run->findings.v[i].severity > worst)
            worst = run->findings.v[i].severity;
    return worst;
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
    }
    free(run->files);
    kvl_findings_free(&run->findings);
    free(run->skips);
    for (size_t i = 0; i < run->nnotes; i++)
        free(run->notes[i]);
    free(run->notes);
    memset(run, 0, sizeof(*run));
}
