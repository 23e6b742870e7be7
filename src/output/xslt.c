/*
 * The XML renderings (DESIGN.md principle 7): the run becomes ONE findings
 * XML document (shape: schemas/findings.rng, README "Findings XML"), and
 * JUnit, checkstyle and users' own formats are XSLT stylesheets applied to
 * it with libxslt.  `-f xml` writes the document itself, so a stylesheet
 * author can see what they transform.  The built-in stylesheets (xslt/, one .xsl each)
 * are embedded in the binary like the catalogue.
 *
 * Safety: stylesheets are parsed without network access; the transformation
 * may not write files, create directories or touch the network; built-in
 * stylesheets may not read anything either.  A user's stylesheet may read
 * local files (xsl:import of a neighbour, document() of a lookup table):
 * it is code the user chose to run.
 */
#include "output/output.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "util/buf.h"
#include "util/mem.h"
#include "util/banned.h"

#define FINDINGS_FORMAT "1"

/* ---- the findings document ---- */

/* Text that XML can carry: invalid UTF-8 (from a path, say) and control
 * characters become '?'.  Returns s itself when it is fine, else a copy. */
static char *xml_safe(const char *s, char **copy)
{
    bool bad = !xmlCheckUTF8((const xmlChar *)s);

    *copy = NULL;
    for (const char *p = s; !bad && *p; p++)
        bad = (unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r';
    if (!bad)
        return (char *)s;
    *copy = kvl_xstrdup(s);
    for (unsigned char *p = (unsigned char *)*copy; *p; p++)
        if (*p >= 0x80 || (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r'))
            *p = '?';
    return *copy;
}

static void prop(xmlNode *node, const char *name, const char *value)
{
    char *copy;

    if (!value)
        return;
    xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)xml_safe(value, &copy));
    free(copy);
}

static void prop_uint(xmlNode *node, const char *name, unsigned long long value)
{
    char num[32];

    snprintf(num, sizeof(num), "%llu", value);
    prop(node, name, num);
}

static void text_child(xmlNode *parent, const char *name, const char *text)
{
    char *copy;

    if (!text)
        return;
    xmlNewTextChild(parent, NULL, (const xmlChar *)name,
                    (const xmlChar *)xml_safe(text, &copy));
    free(copy);
}

static void add_rules(xmlNode *root, const kvl_catalogue *cat)
{
    xmlNode *rules = xmlNewChild(root, NULL, (const xmlChar *)"rules", NULL);

    for (size_t i = 0; i < cat->n; i++) {
        const kvl_rule_def *r = &cat->rules[i];
        xmlNode *rule = xmlNewChild(rules, NULL, (const xmlChar *)"rule", NULL);

        prop(rule, "id", r->id);
        prop(rule, "category", r->category);
        prop(rule, "severity", kvl_severity_name(r->severity));
        prop(rule, "fix", kvl_fix_name(r->fix));
        text_child(rule, "title", r->title);
    }
}

static void add_finding(xmlNode *file, const kvl_finding *f)
{
    xmlNode *el = xmlNewChild(file, NULL, (const xmlChar *)"finding", NULL);

    prop(el, "rule", f->rule);
    prop(el, "severity", kvl_severity_name(f->severity));
    prop(el, "fix", kvl_fix_name(f->fix));
    if (f->input_error)
        prop(el, "input-error", "true");
    prop_uint(el, "line", f->line);
    prop_uint(el, "column", f->col);
    if (f->end_line) {
        prop_uint(el, "end-line", f->end_line);
        prop_uint(el, "end-column", f->end_col);
    }
    prop(el, "fingerprint", f->fingerprint);
    prop(el, "suppressed", kvl_suppress_name(f->suppressed));
    text_child(el, "message", f->message);
    text_child(el, "hint", f->hint);
    if (f->fix_summary) {
        /* the fix the check proposed for this very finding */
        char *copy;
        xmlNode *fix = xmlNewTextChild(el, NULL, (const xmlChar *)"fix",
                                       (const xmlChar *)xml_safe(f->fix_summary, &copy));
        free(copy);
        prop(fix, "kind", kvl_fix_name(f->fix_kind));
    }
    if (f->suppressed && f->suppress_reason)
        text_child(el, "suppression-reason", f->suppress_reason);
}

static xmlNode *add_file(xmlNode *root, const kvl_file *file)
{
    xmlNode *el = xmlNewChild(root, NULL, (const xmlChar *)"file", NULL);

    prop(el, "path", file->path);
    prop(el, "domain", file->domain);
    prop(el, "status", file->status == KVL_FILE_ERROR ? "error" : "linted");
    /* the design rules ran over it (a KVM/QEMU domain was built) */
    prop(el, "checked", file->model && kvl_domain_is_kvm_scope(file->model) ? "true" : "false");
    prop(el, "error", file->error);
    return el;
}

xmlDoc *kvl_findings_xml(const kvl_run *run)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *)"kvmlint-findings");
    xmlNode *summary;
    size_t counts[4] = { 0, 0, 0, 0 }, suppressed = 0, k = 0;

    xmlDocSetRootElement(doc, root);
    prop(root, "format", FINDINGS_FORMAT);
    prop(root, "tool", "kvmlint");
    prop(root, "version", KVL_VERSION);
    add_rules(root, run->cat);
    /* findings are sorted by file first, so each file takes a run of them */
    for (size_t i = 0; i < run->nfiles; i++) {
        xmlNode *file = add_file(root, &run->files[i]);

        for (; k < run->findings.n && run->findings.v[k].file == i; k++) {
            const kvl_finding *f = &run->findings.v[k];

            add_finding(file, f);
            if (f->suppressed)
                suppressed++;
            else
                counts[f->severity]++;
        }
    }
    summary = xmlNewChild(root, NULL, (const xmlChar *)"summary", NULL);
    prop_uint(summary, "files", run->nfiles);
    prop_uint(summary, "error", counts[KVL_SEV_ERROR]);
    prop_uint(summary, "warning", counts[KVL_SEV_WARNING]);
    prop_uint(summary, "info", counts[KVL_SEV_INFO]);
    prop_uint(summary, "suppressed", suppressed);
    return doc;
}

int kvl_output_xml(FILE *out, const kvl_run *run, const kvl_output_opts *opts)
{
    xmlDoc *doc = kvl_findings_xml(run);
    xmlChar *text = NULL;
    int len = 0;
    bool ok;

    (void)opts;
    xmlDocDumpFormatMemoryEnc(doc, &text, &len, "UTF-8", 1);
    ok = text && fwrite(text, 1, (size_t)len, out) == (size_t)len;
    xmlFree(text);
    xmlFreeDoc(doc);
    return ok && !ferror(out) ? 0 : -1;
}

/* ---- applying a stylesheet ---- */

/* libxslt's messages, collected to be printed once with the file name. */
static void collect(void *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    kvl_buf_vaddf(ctx, fmt, ap);
    va_end(ap);
}

typedef struct xslt_env {
    kvl_buf errors;
    xmlGenericErrorFunc old_error;
    void *old_error_ctx;
    xmlExternalEntityLoader old_loader;
} xslt_env;

static xmlParserInputPtr refuse_everything(const char *url, const char *id, xmlParserCtxtPtr c)
{
    (void)url;
    (void)id;
    (void)c;
    return NULL;
}

/*
 * libxslt reports through process-wide handlers and loads imports through
 * libxml2's entity loader: install ours around the work, restore after.
 */
static void env_enter(xslt_env *env, bool may_read)
{
    memset(env, 0, sizeof(*env));
    env->old_error = xsltGenericError;
    env->old_error_ctx = xsltGenericErrorContext;
    env->old_loader = xmlGetExternalEntityLoader();
    xsltSetGenericErrorFunc(&env->errors, collect);
    xmlSetExternalEntityLoader(may_read ? xmlNoNetExternalEntityLoader : refuse_everything);
}

static void env_leave(xslt_env *env)
{
    xmlSetExternalEntityLoader(env->old_loader);
    xsltSetGenericErrorFunc(env->old_error_ctx, env->old_error);
}

static void report(const kvl_output_opts *opts, const char *what, xslt_env *env)
{
    const char *msg = kvl_buf_str(&env->errors);
    size_t len = strlen(msg);

    while (len && msg[len - 1] == '\n')
        len--;
    if (opts && opts->err)
        fprintf(opts->err, "kvmlint check: %s%s%.*s\n", what, len ? ": " : "", (int)len, msg);
}

static xsltSecurityPrefsPtr security(bool may_read)
{
    xsltSecurityPrefsPtr sec = xsltNewSecurityPrefs();

    if (!sec)
        return NULL;
    xsltSetSecurityPrefs(sec, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid);
    xsltSetSecurityPrefs(sec, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid);
    xsltSetSecurityPrefs(sec, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid);
    xsltSetSecurityPrefs(sec, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid);
    if (!may_read)
        xsltSetSecurityPrefs(sec, XSLT_SECPREF_READ_FILE, xsltSecurityForbid);
    return sec;
}

/* Parse `len` bytes of stylesheet named `url` (for relative imports). */
static xsltStylesheetPtr parse_style(const char *bytes, size_t len, const char *url)
{
    /* entities of the internal subset expand; external ones go through the
     * loader installed by env_enter */
    xmlDoc *doc = xmlReadMemory(bytes, (int)len, url, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_NOCDATA);
    xsltStylesheetPtr style;

    if (!doc)
        return NULL;
    style = xsltParseStylesheetDoc(doc);    /* owns doc on success */
    if (!style)
        xmlFreeDoc(doc);
    return style;
}

static int transform(FILE *out, const kvl_run *run, xsltStylesheetPtr style, bool may_read)
{
    xmlDoc *doc = kvl_findings_xml(run), *res = NULL;
    xsltTransformContextPtr ctxt = xsltNewTransformContext(style, doc);
    xsltSecurityPrefsPtr sec = security(may_read);
    int rc = -1;

    if (ctxt && sec && xsltSetCtxtSecurityPrefs(sec, ctxt) == 0) {
        res = xsltApplyStylesheetUser(style, doc, NULL, NULL, NULL, ctxt);
        if (res && ctxt->state == XSLT_STATE_OK && xsltSaveResultToFile(out, res, style) >= 0)
            rc = 0;
    }
    xmlFreeDoc(res);
    if (ctxt)
        xsltFreeTransformContext(ctxt);
    xsltFreeSecurityPrefs(sec);
    xmlFreeDoc(doc);
    return rc;
}

/* Apply the stylesheet in `bytes`; `name` names it in messages. */
static int apply(FILE *out, const kvl_run *run, const kvl_output_opts *opts,
                 const char *bytes, size_t len, const char *name, bool user)
{
    xslt_env env;
    xsltStylesheetPtr style;
    int rc = -1;

    env_enter(&env, user);
    style = parse_style(bytes, len, name);
    if (style)
        rc = transform(out, run, style, user);
    env_leave(&env);
    if (rc < 0) {
        char *what = kvl_xasprintf(style ? "stylesheet '%s' failed" : "cannot parse stylesheet '%s'",
                                   name);
        report(opts, what, &env);
        free(what);
    }
    xsltFreeStylesheet(style);
    kvl_buf_free(&env.errors);
    return rc;
}

static int apply_embedded(FILE *out, const kvl_run *run, const kvl_output_opts *opts,
                          const char *name)
{
    for (const struct kvl_embedded_file *f = kvl_xslt_files; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return apply(out, run, opts, (const char *)f->data, f->len, name, false);
    if (opts && opts->err)
        fprintf(opts->err, "kvmlint: internal error: no built-in stylesheet '%s'\n", name);
    return -1;
}

int kvl_output_junit(FILE *out, const kvl_run *run, const kvl_output_opts *opts)
{
    return apply_embedded(out, run, opts, "junit.xsl");
}

int kvl_output_checkstyle(FILE *out, const kvl_run *run, const kvl_output_opts *opts)
{
    return apply_embedded(out, run, opts, "checkstyle.xsl");
}

int kvl_output_xslt(FILE *out, const kvl_run *run, const kvl_output_opts *opts)
{
    const char *path = opts ? opts->arg : NULL;
    kvl_buf text = KVL_BUF_INIT;
    char chunk[65536];
    size_t n;
    FILE *f;
    int rc;

    if (!path)
        return -1;
    f = fopen(path, "rb");
    if (!f) {
        if (opts->err)
            fprintf(opts->err, "kvmlint check: cannot read stylesheet '%s': %m\n", path);
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kvl_buf_add(&text, chunk, n);
    fclose(f);
    rc = apply(out, run, opts, kvl_buf_str(&text), text.len, path, true);
    kvl_buf_free(&text);
    return rc;
}
