/*
 * The fixpoint driver behind `kvmlint fix` (fixer.h).  Each round lints the
 * whole fleet with fixes collected, then, per file, takes the proposed
 * fixes in finding order, keeps those whose patches do not collide with
 * ones already kept, applies them together and checks the result.  Only
 * when the result is broken are the fixes retried one at a time, so the
 * usual case costs one parse and one validation per changed file and round.
 */
#include "fix/fixer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fix/edit.h"
#include "util/mem.h"
#include "util/banned.h"

typedef struct fixer {
    kvl_fix_result *res;
    const kvl_catalogue *cat;
    const kvl_host *host;
    const kvl_fix_opts *o;
} fixer;

void kvl_fix_opts_init(kvl_fix_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->max_rounds = KVL_FIX_MAX_ROUNDS;
    kvl_config_init(&o->cfg);
}

static bool in_ids(const char *const *ids, size_t n, const char *rule)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], rule) == 0)
            return true;
    return false;
}

bool kvl_fix_selected(const kvl_fix_opts *o, const char *rule)
{
    if (o->nselect && !in_ids(o->select, o->nselect, rule))
        return false;
    return !in_ids(o->ignore, o->nignore, rule);
}

static void add_note(kvl_fix_result *res, size_t file, unsigned round, const kvl_finding *f,
                     kvl_fix_status status)
{
    kvl_fix_note *n;

    KVL_GROW(res->notes, res->nnotes, res->cap_notes);
    n = &res->notes[res->nnotes++];
    n->file = file;
    n->rule = f->rule;
    n->round = round;
    n->line = f->line;
    n->col = f->col;
    n->kind = f->fix_kind;
    n->status = status;
    n->summary = kvl_xstrdup(f->fix_summary);
    n->message = kvl_xstrdup(f->message);
}

/* A note of a fix that failed before, for the same finding of that file. */
static const kvl_fix_note *failed_before(const kvl_fix_result *res, size_t file,
                                         const kvl_finding *f)
{
    for (size_t i = 0; i < res->nnotes; i++) {
        const kvl_fix_note *n = &res->notes[i];

        if (n->file == file && n->status != KVL_FIXST_APPLIED && n->rule == f->rule
            && strcmp(n->message, f->message) == 0)
            return n;
    }
    return NULL;
}

/*
 * What a text is worth as a result: a well-formed <domain> whose values the
 * model reads, and valid against the schema when the input was.
 */
static bool schema_valid(const fixer *fx, kvl_fix_file *file);

static kvl_fix_status check_text(const fixer *fx, kvl_fix_file *file,
                                 const char *text, size_t len)
{
    kvl_doc *doc = kvl_doc_parse(file->path, text, len);
    kvl_findings tmp = { NULL, 0, 0 };
    kvl_sink sink = { &tmp, fx->cat, doc, file->path, NULL, 0, false };
    kvl_fix_status st = KVL_FIXST_APPLIED;
    kvl_domain *dom;

    if (!doc->xml || strcmp(kvl_doc_root_name(doc), "domain") != 0) {
        kvl_doc_free(doc);
        return KVL_FIXST_BROKE_XML;
    }
    dom = kvl_domain_build(doc, &sink);
    if (tmp.n)
        st = KVL_FIXST_BROKE_DOMAIN;
    else if (fx->o->validator && schema_valid(fx, file)
             && kvl_validate_doc(fx->o->validator, doc, &sink) > 0)
        st = KVL_FIXST_BROKE_SCHEMA;
    kvl_domain_free(dom);
    kvl_findings_free(&tmp);
    kvl_doc_free(doc);
    return st;
}

/* Whether the input validates: asked only for files that get a fix. */
static bool schema_valid(const fixer *fx, kvl_fix_file *file)
{
    kvl_findings tmp = { NULL, 0, 0 };
    kvl_sink sink = { &tmp, fx->cat, NULL, file->path, NULL, 0, false };
    kvl_doc *doc;

    if (file->input_checked)
        return file->input_valid;
    doc = kvl_doc_parse(file->path, file->original, file->original_len);
    sink.doc = doc;
    kvl_doc_index(doc);
    file->input_valid = doc->xml && kvl_validate_doc(fx->o->validator, doc, &sink) == 0;
    file->input_checked = true;
    kvl_findings_free(&tmp);
    kvl_doc_free(doc);
    return file->input_valid;
}

/* The fixes of one file in one round, and the patches each one makes. */
typedef struct candidate {
    const kvl_finding *f;
    kvl_patches patches;
} candidate;

static char *apply_set(const kvl_doc *doc, candidate *c, size_t n, const bool *use, size_t *len)
{
    kvl_patches all = { NULL, 0, 0 };
    char *text;

    for (size_t i = 0; i < n; i++)
        if (use[i])
            for (size_t k = 0; k < c[i].patches.n; k++) {
                KVL_GROW(all.v, all.n, all.cap);
                all.v[all.n++] = c[i].patches.v[k];     /* borrowed texts */
            }
    text = kvl_patches_apply(doc->text, doc->len, &all, len);
    free(all.v);
    return text;
}

static bool collides(const candidate *c, size_t n, const bool *use, const kvl_patches *p)
{
    for (size_t i = 0; i < n; i++)
        if (use[i])
            for (size_t a = 0; a < c[i].patches.n; a++)
                for (size_t b = 0; b < p->n; b++)
                    if (kvl_patch_conflict(&c[i].patches.v[a], &p->v[b]))
                        return true;
    return false;
}

/* One round for one file, whose findings are run->findings.v[lo..hi); true
 * when its text changed. */
static bool fix_file(fixer *fx, size_t fi, kvl_run *run, size_t ri, size_t lo, size_t hi,
                     unsigned round)
{
    kvl_fix_file *file = &fx->res->files[fi];
    kvl_doc *doc = run->files[ri].doc;
    candidate *c = NULL;
    size_t n = 0, cap = 0, len = 0;
    bool *use, any = false, changed = false;
    kvl_style st;
    char *text = NULL;

    kvl_style_detect(doc, &st);
    for (size_t i = lo; i < hi; i++) {
        const kvl_finding *f = &run->findings.v[i];
        const char *why;

        if (!f->edits || f->suppressed || !kvl_fix_selected(fx->o, f->rule)
            || (f->fix_kind == KVL_FIX_UNSAFE && !fx->o->unsafe)
            || failed_before(fx->res, fi, f))
            continue;
        KVL_GROW(c, n, cap);
        c[n].f = f;
        if (kvl_fix_resolve(f->edits, doc, &st, &c[n].patches, &why) < 0) {
            add_note(fx->res, fi, round, f, KVL_FIXST_UNPLACEABLE);
            continue;
        }
        n++;
    }
    use = kvl_xcalloc(n + 1, sizeof(*use));
    for (size_t i = 0; i < n; i++) {
        /* a collision waits for the next round, on the re-linted text */
        use[i] = !collides(c, n, use, &c[i].patches);
        any |= use[i];
    }
    if (any) {
        text = apply_set(doc, c, n, use, &len);
        if (check_text(fx, file, text, len) != KVL_FIXST_APPLIED) {
            /* find the culprits: add the fixes one at a time */
            bool *keep = kvl_xcalloc(n + 1, sizeof(*keep));

            for (size_t i = 0; i < n; i++) {
                kvl_fix_status s;

                if (!use[i])
                    continue;
                keep[i] = true;
                free(text);
                text = apply_set(doc, c, n, keep, &len);
                if ((s = check_text(fx, file, text, len)) != KVL_FIXST_APPLIED) {
                    keep[i] = false;
                    add_note(fx->res, fi, round, c[i].f, s);
                }
            }
            free(text);
            text = apply_set(doc, c, n, keep, &len);
            free(use);
            use = keep;
        }
        for (size_t i = 0; i < n; i++)
            if (use[i]) {
                add_note(fx->res, fi, round, c[i].f, KVL_FIXST_APPLIED);
                file->applied++;
            }
        if (len != doc->len || memcmp(text, doc->text, len) != 0) {
            free(file->text);
            file->text = text;
            file->len = len;
            text = NULL;
            changed = true;
        }
    }
    free(text);
    free(use);
    for (size_t i = 0; i < n; i++)
        kvl_patches_free(&c[i].patches);
    free(c);
    return changed;
}

static void init_files(fixer *fx)
{
    kvl_fix_result *res = fx->res;
    kvl_run *run = &res->first;
    size_t j = 0;

    res->files = kvl_xcalloc(run->nfiles + 1, sizeof(*res->files));
    res->file_of_last = kvl_xcalloc(run->nfiles + 1, sizeof(*res->file_of_last));
    res->nfiles = run->nfiles;
    for (size_t i = 0; i < run->nfiles; i++) {
        const kvl_file *rf = &run->files[i];
        kvl_fix_file *f = &res->files[i];

        f->path = kvl_xstrdup(rf->path);
        f->error = rf->status == KVL_FILE_ERROR || !rf->model;
        f->last_index = SIZE_MAX;
        if (rf->doc) {
            f->original = kvl_xstrndup(rf->doc->text, rf->doc->len);
            f->original_len = rf->doc->len;
            f->text = kvl_xstrndup(rf->doc->text, rf->doc->len);
            f->len = rf->doc->len;
        }
        if (f->error)
            continue;
        f->last_index = j;
        res->file_of_last[j++] = i;
    }
}

/* A run that keeps fixes and reads the config files. */
static void start_run(const fixer *fx, kvl_run *run)
{
    kvl_run_init(run, fx->cat, fx->host, &fx->o->cfg);
    run->collect_fixes = true;
    run->safe_fixes_only = !fx->o->unsafe;
    if (fx->o->settings)
        kvl_run_use_config(run, fx->o->settings);
}

static kvl_run *relint(fixer *fx)
{
    kvl_fix_result *res = fx->res;
    kvl_run *run = kvl_xcalloc(1, sizeof(*run));

    start_run(fx, run);
    for (size_t i = 0; i < res->nfiles; i++)
        if (!res->files[i].error)
            kvl_run_add_text(run, res->files[i].path, res->files[i].text, res->files[i].len);
    kvl_run_lint(run);
    return run;
}

/* One round over every file of `run`; true when a text changed. */
static bool fix_round(fixer *fx, kvl_run *run, unsigned round)
{
    kvl_fix_result *res = fx->res;
    bool changed = false;
    size_t lo = 0;

    /* findings are sorted by file: each file's are one slice */
    for (size_t ri = 0; ri < run->nfiles; ri++) {
        size_t fi = run == &res->first ? ri : res->file_of_last[ri], hi = lo;

        while (hi < run->findings.n && run->findings.v[hi].file == ri)
            hi++;
        if (!res->files[fi].error)
            changed |= fix_file(fx, fi, run, ri, lo, hi, round);
        lo = hi;
    }
    return changed;
}

void kvl_fix_run(kvl_fix_result *res, const kvl_catalogue *cat, const kvl_host *host,
                 const kvl_fix_opts *o, char *const *paths, size_t npaths)
{
    fixer fx = { res, cat, host, o };
    unsigned max = o->max_rounds ? o->max_rounds : KVL_FIX_MAX_ROUNDS;
    kvl_run *cur;

    memset(res, 0, sizeof(*res));
    start_run(&fx, &res->first);
    for (size_t i = 0; i < npaths && !res->first.config_error; i++)
        kvl_run_add_path(&res->first, paths[i]);
    if (res->first.config_error) {
        res->config_error = kvl_xstrdup(res->first.config_error);
        res->last = &res->first;
        res->fixpoint = true;
        return;
    }
    kvl_run_lint(&res->first);
    init_files(&fx);

    cur = &res->first;
    for (unsigned round = 1; fix_round(&fx, cur, round); round++) {
        kvl_run *next = relint(&fx);

        res->rounds = round;
        if (cur != &res->first) {
            kvl_run_free(cur);
            free(cur);
        }
        cur = next;
        if (round == max)
            break;
    }
    /* stopped by the cap when the last round still changed something */
    res->fixpoint = res->rounds < max;
    res->last = cur;
    if (cur == &res->first)
        for (size_t i = 0; i < res->nfiles; i++) {
            res->files[i].last_index = i;
            res->file_of_last[i] = i;
        }
}

const char *kvl_fix_why_not(const kvl_fix_result *res, const kvl_fix_opts *o,
                            const kvl_finding *f)
{
    const kvl_fix_note *n;

    if (!f->fixable || f->suppressed || !kvl_fix_selected(o, f->rule))
        return NULL;
    if ((n = failed_before(res, res->file_of_last[f->file], f))) {
        switch (n->status) {
        case KVL_FIXST_UNPLACEABLE:
            return "its edits could not be placed in the text";
        case KVL_FIXST_BROKE_XML:
            return "reverted: the result was not well-formed XML";
        case KVL_FIXST_BROKE_DOMAIN:
            return "reverted: the result had a value kvmlint cannot read";
        case KVL_FIXST_BROKE_SCHEMA:
            return "reverted: the result did not validate against libvirt's schema";
        default:
            break;
        }
    }
    if (f->fix_kind == KVL_FIX_UNSAFE && !o->unsafe)
        return "unsafe fix: applied only with --unsafe-fixes";
    if (!res->fixpoint)
        return "not reached: the fixes did not settle within the round limit";
    return "its edits collided with another fix";
}

void kvl_fix_result_free(kvl_fix_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->nfiles; i++) {
        free(res->files[i].path);
        free(res->files[i].original);
        free(res->files[i].text);
    }
    free(res->files);
    for (size_t i = 0; i < res->nnotes; i++) {
        free(res->notes[i].summary);
        free(res->notes[i].message);
    }
    free(res->notes);
    if (res->last && res->last != &res->first) {
        kvl_run_free(res->last);
        free(res->last);
    }
    kvl_run_free(&res->first);
    free(res->file_of_last);
    free(res->config_error);
    memset(res, 0, sizeof(*res));
}
