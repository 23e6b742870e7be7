/*
 * Findings: the one in-memory list every output format renders (DESIGN.md
 * principle 7).  A finding copies its strings, so it outlives the documents
 * it points into; its position is resolved when it is reported.
 *
 * Code that detects a problem reports it through a kvl_sink, which knows the
 * catalogue (default severity, fix kind), the file and the domain, so a rule
 * only says what it found and where.
 */
#ifndef KVL_LINT_FINDING_H
#define KVL_LINT_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <libxml/tree.h>

#include "xml/doc.h"

typedef enum kvl_severity {
    KVL_SEV_NONE = 0,       /* only as a --fail-on threshold: never fail */
    KVL_SEV_INFO = 1,
    KVL_SEV_WARNING = 2,
    KVL_SEV_ERROR = 3,
} kvl_severity;

typedef enum kvl_fix_kind {
    KVL_FIX_NONE = 0,
    KVL_FIX_SAFE,
    KVL_FIX_UNSAFE,
    KVL_FIX_MANUAL,
} kvl_fix_kind;

const char *kvl_severity_name(kvl_severity sev);      /* "error", ... */
int kvl_severity_parse(const char *s, kvl_severity *out);   /* incl. "none" */
const char *kvl_fix_name(kvl_fix_kind fix);           /* "safe", ..., NULL */
int kvl_fix_parse(const char *s, kvl_fix_kind *out);

/*
 * Whether and how a finding was suppressed.  Suppressed findings stay in
 * the list (SARIF lists them with their suppression); text, the exit status
 * and the CI formats leave them out.  Set by the suppression pass.
 */
typedef enum kvl_suppress_kind {
    KVL_SUPPRESS_NONE = 0,      /* reported */
    KVL_SUPPRESS_METADATA,      /* <kvmlint:suppress> in the domain's <metadata> */
    KVL_SUPPRESS_COMMENT,       /* an XML comment pragma in the file */
    KVL_SUPPRESS_CONFIG,        /* the configuration file */
    KVL_SUPPRESS_BASELINE,      /* its fingerprint is in the --baseline file */
} kvl_suppress_kind;

const char *kvl_suppress_name(kvl_suppress_kind kind);  /* "metadata", ...; NULL for none */

typedef struct kvl_finding {
    const char *rule;       /* catalogue id (static for the run) */
    kvl_severity severity;
    kvl_fix_kind fix;
    bool input_error;       /* rule of category "input" but schema-invalid: exit status 2 */
    char *path;
    unsigned line, col;     /* 0 when unknown */
    /* Where the region ends (SARIF): just past the start tag's '>' or the
     * attribute's closing quote; 0 when unknown (no element ref). */
    unsigned end_line, end_col;
    kvl_ref ref;            /* the element reported at, 0 for none */
    char *attr;             /* its attribute reported at, or NULL */
    /* Stable identity of the finding across edits elsewhere in the file
     * (16 hex digits; see src/lint/fingerprint.c), set by kvl_run_lint;
     * unique within a run.  NULL before. */
    char *fingerprint;
    kvl_suppress_kind suppressed;   /* KVL_SUPPRESS_NONE: reported */
    char *suppress_reason;  /* the suppression's reason, or NULL */
    char *domain;           /* domain name, or NULL */
    char *message;
    char *hint;             /* or NULL */
    /* A fix the check proposed (fix/fix.h): its kind (the catalogue's,
     * unless the check said otherwise) and one-line summary in every mode,
     * its edits only when the sink collects fixes (`kvmlint fix`). */
    bool fixable;
    kvl_fix_kind fix_kind;
    char *fix_summary;
    struct kvl_fix *edits;
    /* Why no fix could be proposed although the rule has one (placement:
     * what is short on which host nodes), or NULL; never with fixable. */
    char *no_fix;
    size_t file;            /* index of the input file in the run, for sorting */
    size_t seq;             /* report order, for a stable sort */
} kvl_finding;

typedef struct kvl_findings {
    kvl_finding *v;
    size_t n, cap;
} kvl_findings;

void kvl_findings_free(kvl_findings *list);
/* Sort by input file, line, column, rule, then report order. */
void kvl_findings_sort(kvl_findings *list);

struct kvl_catalogue;

/*
 * Where findings go, and the context they are reported in.  A sink is cheap:
 * the engine fills one per file / domain on the stack.
 */
typedef struct kvl_sink {
    kvl_findings *list;
    const struct kvl_catalogue *cat;
    kvl_doc *doc;           /* for positions; may be NULL */
    const char *path;       /* used when doc is NULL */
    const char *domain;     /* may be NULL */
    size_t file;            /* index of the input file in the run */
    bool collect_fixes;     /* fix mode: keep the edits checks propose */
} kvl_sink;

/*
 * Report a finding of `rule` at element `node` (its attribute `attr` when
 * not NULL; node 0: no position) with the catalogue's default severity.  `hint` may
 * be NULL.  The rule id must be in the catalogue (checked: abort otherwise,
 * since that is a programming error the test suite catches).
 */
void kvl_report(kvl_sink *sink, const char *rule, kvl_ref node,
                const char *attr, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The same with an explicit severity, for rules whose severity depends on
 * the case (RULES.md: "warning (info if not latency-critical)"). */
void kvl_report_sev(kvl_sink *sink, const char *rule, kvl_severity sev,
                    kvl_ref node, const char *attr, const char *hint,
                    const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Report at an explicit line/column (parser errors). */
void kvl_report_at(kvl_sink *sink, const char *rule, unsigned line, unsigned col,
                   const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
