/*
 * Renderings of a lint run.  Each format is one function over the same
 * kvl_run (DESIGN.md principle 7); the table in output.c maps format names
 * to them, so adding a format is adding a file and a row.
 */
#ifndef KVL_OUTPUT_OUTPUT_H
#define KVL_OUTPUT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include <libxml/tree.h>

#include "lint/engine.h"
#include "rules/catalogue.h"

typedef struct kvl_output_opts {
    bool color;                 /* text: ANSI colours */
    const char *arg;            /* the ARG of NAME:ARG (xslt:FILE), else NULL */
    FILE *err;                  /* where a format explains its failure; may be NULL */
} kvl_output_opts;

typedef int (*kvl_output_fn)(FILE *out, const kvl_run *run, const kvl_output_opts *opts);

typedef struct kvl_output_format {
    const char *name;
    kvl_output_fn fn;
    const char *summary;
    bool takes_arg;             /* given as NAME:ARG */
    bool fixes;                 /* writes fix edits: the run must collect them */
} kvl_output_format;

extern const kvl_output_format kvl_output_formats[];
/* The format of a -f value ("json", "xslt:my.xsl"), or NULL.  *arg (may be
 * NULL) gets the ARG part of NAME:ARG, else NULL. */
const kvl_output_format *kvl_output_find_arg(const char *spec, const char **arg);
const kvl_output_format *kvl_output_find(const char *spec);
/* "text, json, ..., xslt:FILE" for messages; caller frees. */
char *kvl_output_names(void);

int kvl_output_text(FILE *out, const kvl_run *run, const kvl_output_opts *opts);
int kvl_output_json(FILE *out, const kvl_run *run, const kvl_output_opts *opts);
int kvl_output_sarif(FILE *out, const kvl_run *run, const kvl_output_opts *opts);   /* sarif.c */
int kvl_output_github(FILE *out, const kvl_run *run, const kvl_output_opts *opts);  /* github.c */
int kvl_output_gitlab(FILE *out, const kvl_run *run, const kvl_output_opts *opts);  /* gitlab.c */
/* xslt.c: the findings XML document itself, and stylesheets applied to it */
int kvl_output_xml(FILE *out, const kvl_run *run, const kvl_output_opts *opts);
int kvl_output_junit(FILE *out, const kvl_run *run, const kvl_output_opts *opts);
int kvl_output_checkstyle(FILE *out, const kvl_run *run, const kvl_output_opts *opts);
int kvl_output_xslt(FILE *out, const kvl_run *run, const kvl_output_opts *opts);

/*
 * The findings XML document (shape: schemas/findings.rng), the input of
 * every XSLT format and the contract for users' stylesheets.  Caller frees
 * with xmlFreeDoc.
 */
xmlDoc *kvl_findings_xml(const kvl_run *run);

/* Generated from the stylesheets in xslt/ (cmake/embed.cmake); {NULL}-terminated. */
extern const struct kvl_embedded_file kvl_xslt_files[];

/*
 * A finding's path for CI formats: relative to the working directory when
 * it is an absolute path below it, "./" prefixes dropped, otherwise as
 * given.  NULL for standard input ("<stdin>").  Caller frees.
 */
char *kvl_output_relpath(const char *path);

/* Standard input's display name, as the engine shows it. */
#define KVL_STDIN_PATH "<stdin>"

/* JSON string literal (with quotes) of s; NULL writes null. */
void kvl_json_string(FILE *out, const char *s);

/*
 * Colour decision: `mode` is "auto", "always" or "never"; in auto, colour
 * only when `is_tty` and NO_COLOR is unset or empty (no-color.org).
 */
bool kvl_color_wanted(const char *mode, bool is_tty, const char *no_color_env);

#endif
