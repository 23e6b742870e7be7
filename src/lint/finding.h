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

typedef struct kvl_finding {
    const char *rule;       /* catalogue id (static for the run) */
    kvl_severity severity;
    kvl_fix_kind fix;
    bool input_error;       /* rule of category "input": exit status 2 */
    char *path;
    unsigned line, col;     /* 0 when unknown */
    char *domain;           /* domain name, or NULL */
    char *message;
    char *hint;             /* or NULL */
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
