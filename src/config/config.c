/*
 * Reading one config file (see config.h): the safe parser, validation
 * against the schema embedded from schemas/kvmlint-config.rng, then one walk
 * of the document that fills kvl_cfg_file.  Every error names the file and
 * the line of the element or attribute at fault; the first one wins, as a
 * compiler's first error does, since later ones are often consequences.
 */
/* realpath(3) is XSI */
#define _XOPEN_SOURCE 700

#include "config/config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libxml/relaxng.h>

#include "config/thresholds.h"
#include "util/buf.h"
#include "util/mem.h"
#include "xml/doc.h"
#include "util/banned.h"

/* Generated from schemas/kvmlint-config.rng (CMakeLists.txt). */
extern const struct kvl_embedded_file kvl_config_schema_files[];

typedef struct cfg_walk {
    kvl_cfg_file *cfg;
    kvl_doc *doc;
    const kvl_catalogue *cat;
    char *err;                  /* the first error */
    unsigned seen_fail_on, seen_rules, seen_thresholds;    /* lines */
} cfg_walk;

static void fail(cfg_walk *w, const xmlNode *node, const char *attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(cfg_walk *w, const xmlNode *node, const char *attr, const char *fmt, ...)
{
    kvl_buf b = KVL_BUF_INIT;
    va_list ap;

    if (w->err)
        return;
    kvl_buf_addf(&b, "%s:%u: ", w->cfg->path, kvl_doc_pos(w->doc, node, attr).line);
    va_start(ap, fmt);
    kvl_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    w->err = kvl_buf_detach(&b);
}

static unsigned line_of(cfg_walk *w, const xmlNode *node)
{
    return kvl_doc_pos(w->doc, node, NULL).line;
}

/* ---- schema validation ---- */

typedef struct schema_errors {
    kvl_doc *doc;
    const char *path;
    char *first;
} schema_errors;

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void schema_error(void *data, xmlErrorPtr e)
{
    schema_errors *se = data;
    unsigned line = e->line > 0 ? (unsigned)e->line : 0;
    kvl_buf b = KVL_BUF_INIT;
    size_t n;

    if (se->first || !e->message)
        return;
    if (e->node && ((xmlNode *)e->node)->type == XML_ELEMENT_NODE)
        line = kvl_doc_pos(se->doc, e->node, NULL).line;
    kvl_buf_addf(&b, "%s:%u: ", se->path, line);
    if (e->node && ((xmlNode *)e->node)->type == XML_ELEMENT_NODE)
        kvl_buf_addf(&b, "<%s>: ", (const char *)((xmlNode *)e->node)->name);
    if (e->node && strncmp(e->message, "Error validating datatype", 25) == 0) {
        /* libxml2 does not say which value: the element's text is it */
        char *text = kvl_xml_text(e->node);

        kvl_buf_addf(&b, "invalid value '%s'", text ? text : "");
        free(text);
    } else {
        kvl_buf_adds(&b, e->message);
    }
    se->first = kvl_buf_detach(&b);
    n = strlen(se->first);
    while (n && (se->first[n - 1] == '\n' || se->first[n - 1] == ' '))
        se->first[--n] = '\0';
}

/* NULL when valid, else the first error (caller frees). */
static char *validate(kvl_doc *doc, const char *path)
{
    const struct kvl_embedded_file *f = &kvl_config_schema_files[0];
    xmlRelaxNGParserCtxtPtr pctxt;
    xmlRelaxNGPtr rng;
    xmlRelaxNGValidCtxtPtr vctxt;
    schema_errors se = { doc, path, NULL };

    pctxt = xmlRelaxNGNewMemParserCtxt((const char *)f->data, (int)f->len);
    xmlRelaxNGSetParserErrors(pctxt, silent, silent, NULL);
    rng = xmlRelaxNGParse(pctxt);
    xmlRelaxNGFreeParserCtxt(pctxt);
    if (!rng)
        return kvl_xstrdup("internal error: the embedded config schema does not compile");
    vctxt = xmlRelaxNGNewValidCtxt(rng);
    xmlRelaxNGSetValidStructuredErrors(vctxt, schema_error, &se);
    if (xmlRelaxNGValidateDoc(vctxt, doc->xml) != 0 && !se.first)
        se.first = kvl_xasprintf("%s: does not match the config schema", path);
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(rng);
    return se.first;
}

/* ---- values ---- */

/* "a, b" into a NULL-terminated vector of checked rule ids. */
static char **rule_list(cfg_walk *w, const xmlNode *node, const char *attr, size_t *n)
{
    const char *text = kvl_xml_attr(node, attr);
    char **v = NULL;
    size_t cap = 0;

    *n = 0;
    for (const char *p = text; p && *p;) {
        size_t len;
        char *id;
        const kvl_rule_def *def;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        len = strcspn(p, ", \t");
        if (!len)
            break;
        id = kvl_xstrndup(p, len);
        p += len;
        def = kvl_catalogue_find(w->cat, id);
        if (!def)
            fail(w, node, attr, "unknown rule '%s' (see 'kvmlint rules')", id);
        else if (strcmp(def->category, "input") == 0)
            fail(w, node, attr, "'%s' is an input rule: it cannot be configured or suppressed", id);
        KVL_GROW(v, *n + 1, cap);
        v[(*n)++] = id;
    }
    return v;
}

static kvl_glob *glob_attr(cfg_walk *w, const xmlNode *node, const char *attr)
{
    const char *text = kvl_xml_attr(node, attr);
    const char *why = NULL;
    kvl_glob *g;

    if (!text)
        return NULL;
    if (!(g = kvl_glob_compile(text, &why)))
        fail(w, node, attr, "bad %s pattern '%s': %s", attr, text, why);
    return g;
}

static void read_select(cfg_walk *w, const xmlNode *node, kvl_cfg_select *sel)
{
    sel->path = glob_attr(w, node, "path");
    sel->domain = kvl_xstrdup(kvl_xml_attr(node, "domain"));
}

/* An element that may appear once: remember its line, complain on the second. */
static bool once(cfg_walk *w, const xmlNode *node, unsigned *seen)
{
    if (*seen) {
        fail(w, node, NULL, "second <%s> (the first is on line %u)",
             (const char *)node->name, *seen);
        return false;
    }
    *seen = line_of(w, node);
    return true;
}

/* ---- elements ---- */

static void read_fail_on(cfg_walk *w, const xmlNode *node)
{
    char *text = kvl_xml_text(node);

    if (once(w, node, &w->seen_fail_on) && kvl_severity_parse(text ? text : "", &w->cfg->fail_on) == 0)
        w->cfg->has_fail_on = true;
    free(text);
}

static void read_rule(cfg_walk *w, const xmlNode *node)
{
    kvl_cfg_file *cfg = w->cfg;
    const char *id = kvl_xml_attr(node, "id");
    const char *enabled = kvl_xml_attr(node, "enabled");
    const char *sev = kvl_xml_attr(node, "severity");
    const kvl_rule_def *def = kvl_catalogue_find(w->cat, id);
    const kvl_cfg_rule *prev = kvl_cfg_file_rule(cfg, id);
    kvl_cfg_rule *r;

    if (!def) {
        fail(w, node, "id", "unknown rule '%s' (see 'kvmlint rules')", id);
        return;
    }
    if (strcmp(def->category, "input") == 0) {
        fail(w, node, "id", "'%s' is an input rule: it cannot be disabled or re-graded", id);
        return;
    }
    if (prev) {
        fail(w, node, "id", "rule '%s' is configured twice (first on line %u)", id, prev->line);
        return;
    }
    KVL_GROW(cfg->rules, cfg->nrules, cfg->cap_rules);
    r = &cfg->rules[cfg->nrules++];
    r->id = kvl_xstrdup(def->id);
    r->enabled = enabled ? strcmp(enabled, "yes") == 0 : -1;
    r->has_severity = sev && kvl_severity_parse(sev, &r->severity) == 0;
    r->line = line_of(w, node);
}

static void read_rules(cfg_walk *w, const xmlNode *node)
{
    if (!once(w, node, &w->seen_rules))
        return;
    for (const xmlNode *c = kvl_xml_child(node, "rule"); c; c = kvl_xml_next(c))
        read_rule(w, c);
}

static void read_thresholds(cfg_walk *w, const xmlNode *node)
{
    if (!once(w, node, &w->seen_thresholds))
        return;
    for (const xmlNode *c = kvl_xml_child(node, NULL); c; c = kvl_xml_next(c)) {
        const kvl_threshold *t = kvl_threshold_find((const char *)c->name);
        char *text = kvl_xml_text(c);
        const char *why = NULL;
        uint64_t bit;

        if (!t) {       /* the schema and the table disagree: a bug, but say so */
            fail(w, c, NULL, "unknown threshold <%s>", (const char *)c->name);
        } else {
            bit = UINT64_C(1) << kvl_threshold_index(t);
            if (w->cfg->given & bit)
                fail(w, c, NULL, "second <%s>", t->name);
            else if (kvl_threshold_parse(t, text ? text : "", &w->cfg->thresholds, &why) < 0)
                fail(w, c, NULL, "invalid <%s> '%s': %s", t->name, text ? text : "", why);
            w->cfg->given |= bit;
        }
        free(text);
    }
}

static void read_ignore(cfg_walk *w, const xmlNode *node)
{
    kvl_cfg_file *cfg = w->cfg;
    kvl_cfg_ignore *ig;

    KVL_GROW(cfg->ignores, cfg->nignores, cfg->cap_ignores);
    ig = &cfg->ignores[cfg->nignores++];
    ig->path = glob_attr(w, node, "path");
    if (kvl_xml_attr(node, "rules"))
        ig->rules = rule_list(w, node, "rules", &ig->nrules);
    ig->reason = kvl_xstrdup(kvl_xml_attr(node, "reason"));
    ig->line = line_of(w, node);
}

/* `file` relative to the config's directory, made absolute. */
static char *resolve(const kvl_cfg_file *cfg, const char *file)
{
    return file[0] == '/' ? kvl_xstrdup(file) : kvl_xasprintf("%s/%s", cfg->dir, file);
}

/*
 * "a/b/../c" as "a/c".  Only for paths whose directories are resolved
 * (no symlinks), as the config's shown directory is: there ".." means the
 * textual parent.  Leading ".." that climb above the start are kept.
 */
static char *normalized(const char *path)
{
    char *copy = kvl_xstrdup(path);
    char **parts = kvl_xcalloc(strlen(path) + 1, sizeof(*parts));
    size_t n = 0, kept = 0;
    kvl_buf out = KVL_BUF_INIT;

    for (char *tok = strtok(copy, "/"); tok; tok = strtok(NULL, "/")) {
        if (strcmp(tok, ".") == 0)
            continue;
        if (strcmp(tok, "..") == 0 && n > kept) {
            n--;
            continue;
        }
        parts[n++] = tok;
        if (strcmp(tok, "..") == 0)
            kept = n;
    }
    if (path[0] == '/')
        kvl_buf_addc(&out, '/');
    for (size_t i = 0; i < n; i++)
        kvl_buf_addf(&out, "%s%s", i ? "/" : "", parts[i]);
    free(parts);
    free(copy);
    return out.len ? kvl_buf_detach(&out) : kvl_xstrdup(".");
}

/* `file` as seen from where the config file is shown from, which is also
 * a path to it from the working directory. */
static char *shown(const kvl_cfg_file *cfg, const char *file)
{
    const char *slash = strrchr(cfg->path, '/');
    char *joined, *out;

    if (file[0] == '/' || !slash)
        return normalized(file);
    joined = kvl_xasprintf("%.*s/%s", (int)(slash - cfg->path), cfg->path, file);
    out = normalized(joined);
    free(joined);
    return out;
}

static void read_host(cfg_walk *w, const xmlNode *node)
{
    kvl_cfg_file *cfg = w->cfg;
    kvl_cfg_host *h;
    size_t cap = 0;

    KVL_GROW(cfg->hosts, cfg->nhosts, cfg->cap_hosts);
    h = &cfg->hosts[cfg->nhosts++];
    h->path = glob_attr(w, node, "path");
    h->line = line_of(w, node);
    for (const xmlNode *c = kvl_xml_child(node, "snapshot"); c; c = kvl_xml_next(c)) {
        const char *file = kvl_xml_attr(c, "file");
        char *abs = resolve(cfg, file);
        struct stat st;

        /* caught here, with the line; a bad snapshot is found when it loads */
        if (stat(abs, &st) != 0)
            fail(w, c, "file", "cannot read host snapshot '%s': %s", file, strerror(errno));
        KVL_GROW(h->snapshots, h->nsnapshots, cap);
        h->shown = kvl_xrealloc(h->shown, cap * sizeof(*h->shown));
        h->shown[h->nsnapshots] = shown(cfg, file);
        h->snapshots[h->nsnapshots++] = abs;
    }
}

static void read_mark(cfg_walk *w, const xmlNode *node, kvl_cfg_mark_kind kind)
{
    kvl_cfg_file *cfg = w->cfg;
    kvl_cfg_mark *m;

    KVL_GROW(cfg->marks, cfg->nmarks, cfg->cap_marks);
    m = &cfg->marks[cfg->nmarks++];
    m->kind = kind;
    read_select(w, node, &m->sel);
    if (kind == KVL_MARK_HOT_DISK) {
        m->target = kvl_xstrdup(kvl_xml_attr(node, "target"));
        m->source = glob_attr(w, node, "source");
    }
    m->line = line_of(w, node);
}

static void walk(cfg_walk *w, const xmlNode *root)
{
    for (const xmlNode *c = kvl_xml_child(root, NULL); c && !w->err; c = kvl_xml_next(c)) {
        const char *name = (const char *)c->name;

        if (strcmp(name, "fail-on") == 0)
            read_fail_on(w, c);
        else if (strcmp(name, "rules") == 0)
            read_rules(w, c);
        else if (strcmp(name, "thresholds") == 0)
            read_thresholds(w, c);
        else if (strcmp(name, "ignore") == 0)
            read_ignore(w, c);
        else if (strcmp(name, "host") == 0)
            read_host(w, c);
        else if (strcmp(name, "critical") == 0)
            read_mark(w, c, KVL_MARK_CRITICAL);
        else if (strcmp(name, "windows") == 0)
            read_mark(w, c, KVL_MARK_WINDOWS);
        else if (strcmp(name, "hot-disk") == 0)
            read_mark(w, c, KVL_MARK_HOT_DISK);
    }
}

/* ---- entry points ---- */

/* The directory of `path`, absolute and resolved, or NULL. */
static char *real_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? kvl_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : kvl_xstrdup(".");
    char *real = realpath(dir, NULL);
    char *out = kvl_xstrdup(real);

    free(real);                 /* malloc'ed by libc */
    free(dir);
    return out;
}

kvl_cfg_file *kvl_cfg_file_load(const char *path, const char *display,
                                const kvl_catalogue *cat, char **err)
{
    char *why = NULL;
    kvl_doc *doc = kvl_doc_load(path, display, &why);
    cfg_walk w = { 0 };

    if (!doc) {
        *err = kvl_xasprintf("%s: %s", display, why);
        free(why);
        return NULL;
    }
    if (!doc->xml) {
        *err = kvl_xasprintf("%s:%u: not well-formed XML: %s", display, doc->error_line,
                             doc->error);
        kvl_doc_free(doc);
        return NULL;
    }
    kvl_doc_index(doc);
    if ((*err = validate(doc, display))) {
        kvl_doc_free(doc);
        return NULL;
    }
    w.cfg = kvl_xcalloc(1, sizeof(*w.cfg));
    w.cfg->path = kvl_xstrdup(display);
    w.cfg->dir = real_dir(path);
    kvl_config_init(&w.cfg->thresholds);
    w.doc = doc;
    w.cat = cat;
    if (!w.cfg->dir)
        w.err = kvl_xasprintf("%s: cannot resolve its directory: %s", display, strerror(errno));
    else
        walk(&w, xmlDocGetRootElement(doc->xml));
    kvl_doc_free(doc);
    if (w.err) {
        kvl_cfg_file_free(w.cfg);
        *err = w.err;
        return NULL;
    }
    return w.cfg;
}

static void free_select(kvl_cfg_select *sel)
{
    kvl_glob_free(sel->path);
    free(sel->domain);
}

void kvl_cfg_file_free(kvl_cfg_file *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->nrules; i++)
        free(cfg->rules[i].id);
    for (size_t i = 0; i < cfg->nignores; i++) {
        kvl_glob_free(cfg->ignores[i].path);
        for (size_t j = 0; j < cfg->ignores[i].nrules; j++)
            free(cfg->ignores[i].rules[j]);
        free(cfg->ignores[i].rules);
        free(cfg->ignores[i].reason);
    }
    for (size_t i = 0; i < cfg->nhosts; i++) {
        kvl_glob_free(cfg->hosts[i].path);
        for (size_t j = 0; j < cfg->hosts[i].nsnapshots; j++) {
            free(cfg->hosts[i].snapshots[j]);
            free(cfg->hosts[i].shown[j]);
        }
        free(cfg->hosts[i].snapshots);
        free(cfg->hosts[i].shown);
    }
    for (size_t i = 0; i < cfg->nmarks; i++) {
        free_select(&cfg->marks[i].sel);
        free(cfg->marks[i].target);
        kvl_glob_free(cfg->marks[i].source);
    }
    free(cfg->rules);
    free(cfg->ignores);
    free(cfg->hosts);
    free(cfg->marks);
    kvl_thresholds_release(&cfg->thresholds, cfg->given);
    free(cfg->path);
    free(cfg->dir);
    free(cfg);
}

const kvl_cfg_rule *kvl_cfg_file_rule(const kvl_cfg_file *cfg, const char *rule)
{
    for (size_t i = 0; cfg && i < cfg->nrules; i++)
        if (strcmp(cfg->rules[i].id, rule) == 0)
            return &cfg->rules[i];
    return NULL;
}

bool kvl_cfg_select_match(const kvl_cfg_select *sel, const char *rel, const char *domain)
{
    if (sel->path && !kvl_glob_match(sel->path, rel))
        return false;
    if (sel->domain && !kvl_name_match(sel->domain, domain))
        return false;
    return true;
}
