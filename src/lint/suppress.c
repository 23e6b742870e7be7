/*
 * Matching findings to suppressions (see suppress.h).  The pass groups the
 * run's findings by file once (a counting sort of indices), then per file
 * matches in-file suppressions, reports the unused ones, and applies the
 * config's rule ignores to what is left, the new suppression-unused
 * findings included.  Targets compare with element identities from the
 * model (kvl_domain_ref_identity), computed only for findings a targeted
 * suppression could match.
 */
#include "lint/suppress.h"

#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "config/settings.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "util/banned.h"

#define UNUSED_RULE "suppression-unused"

static bool is_input_rule(const kvl_catalogue *cat, const char *id)
{
    const kvl_rule_def *def = kvl_catalogue_find(cat, id);

    return def && strcmp(def->category, "input") == 0;
}

/* Report at the suppression: its element, or the comment's position. */
static void report_at(kvl_sink *sink, const char *rule, const kvl_suppress *s,
                      const char *hint, const char *msg)
{
    if (s->comment)
        kvl_report_at(sink, rule, s->line, s->col, hint, "%s", msg);
    else
        kvl_report(sink, rule, s->node, "rule", hint, "%s", msg);
}

void kvl_suppress_check(kvl_sink *sink, const kvl_domain *dom)
{
    for (size_t i = 0; dom && i < dom->nsuppress; i++) {
        const kvl_suppress *s = &dom->suppress[i];

        for (size_t r = 0; r < s->nrules; r++) {
            char *msg = NULL;

            if (!kvl_catalogue_find(sink->cat, s->rules[r]))
                msg = kvl_xasprintf("unknown rule '%s' in a %s", s->rules[r],
                                    s->comment ? "kvmlint comment pragma" : "<kvmlint:suppress>");
            else if (is_input_rule(sink->cat, s->rules[r]))
                msg = kvl_xasprintf("'%s' is an input rule: it cannot be suppressed",
                                    s->rules[r]);
            if (msg)
                report_at(sink, "value-invalid", s,
                          "rule ids are listed by 'kvmlint rules'", msg);
            free(msg);
        }
    }
}

bool kvl_suppress_target_match(const char *identity, const char *target)
{
    const char *colon;

    if (!identity || !target)
        return false;
    if (strcasecmp(identity, target) == 0)
        return true;
    colon = strchr(identity, ':');
    return colon && strcasecmp(colon + 1, target) == 0;
}

/* ---- one file ---- */

typedef struct file_pass {
    kvl_run *run;
    size_t file;
    size_t *idx;                /* the file's findings (indices) */
    size_t n, cap;
} file_pass;

static bool lists_rule(char *const *rules, size_t n, const char *rule)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rules[i], rule) == 0)
            return true;
    return false;
}

static bool in_scope(const kvl_suppress *s, const kvl_finding *f)
{
    if (!s->scope_first)
        return true;
    return f->ref >= s->scope_first && f->ref <= s->scope_last;
}

static bool target_matches(const kvl_domain *dom, const kvl_suppress *s, const kvl_finding *f)
{
    char *identity;
    bool ok;

    if (!s->target)
        return true;
    identity = kvl_domain_ref_identity(dom, f->ref);
    ok = kvl_suppress_target_match(identity, s->target);
    free(identity);
    return ok;
}

static void mark(kvl_finding *f, kvl_suppress_kind kind, const char *reason)
{
    if (f->suppressed)
        return;
    f->suppressed = kind;
    f->suppress_reason = kvl_xstrdup(reason);
}

/* used[s][r]: suppression s, rule r matched a finding. */
static bool **match_in_file(file_pass *fp, const kvl_domain *dom)
{
    kvl_run *run = fp->run;
    bool **used = kvl_xcalloc(dom->nsuppress, sizeof(*used));

    for (size_t s = 0; s < dom->nsuppress; s++)
        used[s] = kvl_xcalloc(dom->suppress[s].nrules, sizeof(**used));
    for (size_t k = 0; k < fp->n; k++) {
        kvl_finding *f = &run->findings.v[fp->idx[k]];

        if (is_input_rule(run->cat, f->rule))
            continue;
        for (size_t s = 0; s < dom->nsuppress; s++) {
            const kvl_suppress *sp = &dom->suppress[s];

            for (size_t r = 0; r < sp->nrules; r++) {
                if (strcmp(sp->rules[r], f->rule) != 0 || !in_scope(sp, f) ||
                    !target_matches(dom, sp, f))
                    continue;
                /* every suppression that matches is used, the first one names it */
                used[s][r] = true;
                mark(f, sp->comment ? KVL_SUPPRESS_COMMENT : KVL_SUPPRESS_METADATA, sp->reason);
            }
        }
    }
    return used;
}

/* Did `rule` look at the file's domain and give its verdict? */
static bool judged(const kvl_file *file, const char *rule)
{
    const kvl_check *c = kvl_check_find(rule);

    if (!c || !c->fn || !file->checked || !kvl_settings_rule_enabled(file->settings, rule))
        return false;
    for (size_t i = 0; i < file->nskipped; i++)
        if (strcmp(file->skipped[i], rule) == 0)
            return false;
    return true;
}

static void report_unused(file_pass *fp, const kvl_domain *dom, bool **used)
{
    kvl_run *run = fp->run;
    const kvl_file *file = &run->files[fp->file];
    kvl_sink sink = kvl_run_file_sink(run, fp->file);

    if (!kvl_settings_rule_enabled(file->settings, UNUSED_RULE))
        return;
    for (size_t s = 0; s < dom->nsuppress; s++) {
        const kvl_suppress *sp = &dom->suppress[s];

        for (size_t r = 0; r < sp->nrules; r++) {
            char *msg;

            if (used[s][r] || !judged(file, sp->rules[r]))
                continue;
            msg = sp->target
                ? kvl_xasprintf("suppression of %s for '%s' matches no finding",
                                sp->rules[r], sp->target)
                : kvl_xasprintf("suppression of %s matches no finding", sp->rules[r]);
            report_at(&sink, UNUSED_RULE, sp,
                      sp->target ? "remove it, or correct the rule id or the target"
                                 : "remove it, or correct the rule id", msg);
            free(msg);
            KVL_GROW(fp->idx, fp->n, fp->cap);
            fp->idx[fp->n++] = run->findings.n - 1;
        }
    }
}

static void match_config(file_pass *fp)
{
    kvl_run *run = fp->run;
    const kvl_file *file = &run->files[fp->file];
    const kvl_cfg_file *cfg = file->settings ? file->settings->file : NULL;

    for (size_t i = 0; cfg && file->cfg_rel && i < cfg->nignores; i++) {
        const kvl_cfg_ignore *ig = &cfg->ignores[i];

        if (!ig->rules || !kvl_glob_match(ig->path, file->cfg_rel))
            continue;
        for (size_t k = 0; k < fp->n; k++) {
            kvl_finding *f = &run->findings.v[fp->idx[k]];

            if (!is_input_rule(run->cat, f->rule) && lists_rule(ig->rules, ig->nrules, f->rule))
                mark(f, KVL_SUPPRESS_CONFIG, ig->reason);
        }
    }
}

static void one_file(file_pass *fp)
{
    const kvl_domain *dom = fp->run->files[fp->file].model;

    if (dom && dom->nsuppress) {
        bool **used = match_in_file(fp, dom);

        report_unused(fp, dom, used);
        for (size_t s = 0; s < dom->nsuppress; s++)
            free(used[s]);
        free(used);
    }
    match_config(fp);
}

void kvl_suppress_apply(kvl_run *run, bool enabled)
{
    size_t nfind = run->findings.n;
    size_t *count, *order;

    if (!enabled || run->nfiles == 0)
        return;
    /* group the findings by file: count, prefix sums, place */
    count = kvl_xcalloc(run->nfiles + 1, sizeof(*count));
    order = kvl_xcalloc(nfind + 1, sizeof(*order));
    for (size_t i = 0; i < nfind; i++)
        count[run->findings.v[i].file + 1]++;
    for (size_t i = 1; i <= run->nfiles; i++)
        count[i] += count[i - 1];
    for (size_t i = 0; i < nfind; i++) {
        size_t f = run->findings.v[i].file;
        order[count[f]++] = i;
    }
    /* count[f] is now the end of file f's block, its start the end of f-1 */
    for (size_t f = 0; f < run->nfiles; f++) {
        size_t start = f ? count[f - 1] : 0;
        file_pass fp = { run, f, NULL, 0, 0 };

        fp.n = fp.cap = count[f] - start;
        fp.idx = kvl_xmalloc((fp.cap + 1) * sizeof(*fp.idx));
        memcpy(fp.idx, order + start, fp.n * sizeof(*fp.idx));
        one_file(&fp);
        free(fp.idx);
    }
    free(count);
    free(order);
}
