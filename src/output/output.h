/*
 * Renderings of a lint run.  Each format is one function over the same
 * kvl_run (DESIGN.md principle 7); the table in output.c maps format names
 * to them, so adding a format is adding a file and a row.
 */
#ifndef KVL_OUTPUT_OUTPUT_H
#define KVL_OUTPUT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "lint/engine.h"

typedef struct kvl_output_opts {
    bool color;                 /* text: ANSI colours */
} kvl_output_opts;

typedef int (*kvl_output_fn)(FILE *out, const kvl_run *run, const kvl_output_opts *opts);

typedef struct kvl_output_format {
    const char *name;
    kvl_output_fn fn;
    const char *summary;
} kvl_output_format;

extern const kvl_output_format kvl_output_formats[];
const kvl_output_format *kvl_output_find(const char *name);

int kvl_output_text(FILE *out, const kvl_run *run, const kvl_output_opts *opts);
int kvl_output_json(FILE *out, const kvl_run *run, const kvl_output_opts *opts);

/* JSON string literal (with quotes) of s; NULL writes null. */
void kvl_json_string(FILE *out, const char *s);

/*
 * Colour decision: `mode` is "auto", "always" or "never"; in auto, colour
 * only when `is_tty` and NO_COLOR is unset or empty (no-color.org).
 */
bool kvl_color_wanted(const char *mode, bool is_tty, const char *no_color_env);

#endif
