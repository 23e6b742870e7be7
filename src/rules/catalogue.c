/*
 * Loading the rule catalogue (the XML files in rules/, embedded at build time) into
 * plain structs.  Parsed once per run with the same safe parser as inputs;
 * the files are validated against schemas/catalogue.rng by the test suite,
 * so here only what the program relies on is checked.
 */
#include "rules/catalogue.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "xml/doc.h"
#include "util/banned.h"

/* Collapse the indentation of a rationale into single spaces, keeping blank
 * lines as paragraph breaks. */
static char *normalise_text(const char *s)
{
    kvl_buf b = KVL_BUF_INIT;
    int newlines = 0;
    bool space = false;

    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
        s++;
    for (; *s; s++) {
        if (*s == '\n') {
            newlines++;
            space = true;
        } else if (*s == ' ' || *s == '\t' || *s == '\r') {
            space = true;
        } else {
            if (space && b.len)
                kvl_buf_adds(&b, newlines >= 2 ? "\n\n" : " ");
            space = false;
            newlines = 0;
            kvl_buf_addc(&b, *s);
        }
    }
    return kvl_buf_detach(&b);
}

static const char *const refused_by_names[] = { NULL, "libvirt", "qemu", "host" };

const char *kvl_refused_by_name(kvl_refused_by r)
{
    return (unsigned)r <= KVL_REFUSED_HOST ? refused_by_names[r] : NULL;
}

static int parse_refused_by(const char *s, kvl_refused_by *out)
{
    *out = KVL_REFUSED_UNSAID;
    if (!s)
        return 0;
    for (int i = KVL_REFUSED_LIBVIRT; i <= KVL_REFUSED_HOST; i++)
        if (strcmp(s, refused_by_names[i]) == 0) {
            *out = (kvl_refused_by)i;
            return 0;
        }
    return -1;
}

static int load_rule(kvl_rule_def *r, const xmlNode *node, const char *category,
                     const char *file, char **err)
{
    const char *id = kvl_xml_attr(node, "id");
    const char *sev = kvl_xml_attr(node, "severity");
    const char *fix = kvl_xml_attr(node, "fix");

    if (!id || !sev || !fix || kvl_severity_parse(sev, &r->severity) < 0
        || r->severity == KVL_SEV_NONE || kvl_fix_parse(fix, &r->fix) < 0) {
        *err = kvl_xasprintf("%s:%ld: rule needs id, severity and fix", file,
                             xmlGetLineNo(node));
        return -1;
    }
    if (parse_refused_by(kvl_xml_attr(node, "refused-by"), &r->refused_by) < 0) {
        *err = kvl_xasprintf("%s:%ld: refused-by takes libvirt, qemu or host", file,
                             xmlGetLineNo(node));
        return -1;
    }
    r->id = kvl_xstrdup(id);
    r->category = kvl_xstrdup(category);
    for (const xmlNode *c = kvl_xml_child(node, NULL); c; c = kvl_xml_next(c)) {
        char *text = kvl_xml_text(c);
        if (kvl_xml_is(c, "title")) {
            r->title = normalise_text(text);
        } else if (kvl_xml_is(c, "rationale")) {
            r->rationale = normalise_text(text);
        } else if (kvl_xml_is(c, "fix-text")) {
            r->fix_text = normalise_text(text);
        } else if (kvl_xml_is(c, "reference")) {
            r->refs = kvl_xrealloc(r->refs, (r->nrefs + 1) * sizeof(*r->refs));
            r->refs[r->nrefs].href = kvl_xstrdup(kvl_xml_attr(c, "href"));
            r->refs[r->nrefs].title = normalise_text(text);
            r->nrefs++;
        }
        free(text);
    }
    if (!r->title || !r->rationale) {
        *err = kvl_xasprintf("%s: rule '%s' needs a title and a rationale", file, id);
        return -1;
    }
    return 0;
}

static int cmp_rules(const void *a, const void *b)
{
    return strcmp(((const kvl_rule_def *)a)->id, ((const kvl_rule_def *)b)->id);
}

kvl_catalogue *kvl_catalogue_load_files(const struct kvl_embedded_file *files, char **err)
{
    kvl_catalogue *cat = kvl_xcalloc(1, sizeof(*cat));
    size_t cap = 0;

    for (const struct kvl_embedded_file *f = files; f->name; f++) {
        kvl_doc *doc = kvl_doc_parse(f->name, (const char *)f->data, f->len);
        const xmlNode *root;
        const char *category;

        if (!doc->xml || !kvl_xml_is(root = xmlDocGetRootElement(doc->xml), "rules")
            || !(category = kvl_xml_attr(root, "category"))) {
            *err = kvl_xasprintf("%s: not a rule catalogue file%s%s", f->name,
                                 doc->error ? ": " : "", doc->error ? doc->error : "");
            kvl_doc_free(doc);
            kvl_catalogue_free(cat);
            return NULL;
        }
        for (const xmlNode *c = kvl_xml_child(root, "rule"); c; c = kvl_xml_next(c)) {
            if (!kvl_xml_is(c, "rule"))
                continue;
            KVL_GROW(cat->rules, cat->n, cap);
            if (load_rule(&cat->rules[cat->n], c, category, f->name, err) < 0) {
                cat->n++;
                kvl_doc_free(doc);
                kvl_catalogue_free(cat);
                return NULL;
            }
            cat->n++;
        }
        kvl_doc_free(doc);
    }
    qsort(cat->rules, cat->n, sizeof(*cat->rules), cmp_rules);
    for (size_t i = 1; i < cat->n; i++)
        if (strcmp(cat->rules[i - 1].id, cat->rules[i].id) == 0) {
            *err = kvl_xasprintf("rule '%s' is defined twice", cat->rules[i].id);
            kvl_catalogue_free(cat);
            return NULL;
        }
    return cat;
}

kvl_catalogue *kvl_catalogue_load(char **err)
{
    return kvl_catalogue_load_files(kvl_catalogue_files, err);
}

const kvl_rule_def *kvl_catalogue_find(const kvl_catalogue *cat, const char *id)
{
    size_t lo = 0, hi;

    if (!cat || !id)
        return NULL;
    hi = cat->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(cat->rules[mid].id, id);
        if (c == 0)
            return &cat->rules[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void kvl_catalogue_free(kvl_catalogue *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->n; i++) {
        kvl_rule_def *r = &cat->rules[i];
        free(r->id);
        free(r->category);
        free(r->title);
        free(r->rationale);
        free(r->fix_text);
        for (size_t j = 0; j < r->nrefs; j++) {
            free(r->refs[j].href);
            free(r->refs[j].title);
        }
        free(r->refs);
    }
    free(cat->rules);
    free(cat);
}
