/*
 * The rule catalogue: the XML files in rules/, embedded into the binary at build time
 * (cmake/embed.cmake), parsed once per run.  It is the single source for
 * `kvmlint rules`, `kvmlint explain`, default severities and fix kinds, and
 * (later) SARIF rule descriptors.  Its shape is schemas/catalogue.rng.
 */
#ifndef KVL_RULES_CATALOGUE_H
#define KVL_RULES_CATALOGUE_H

#include <stddef.h>

#include "lint/finding.h"

struct kvl_embedded_file {
    const char *name;
    const unsigned char *data;
    size_t len;
};

/* Generated: {NULL, NULL, 0}-terminated. */
extern const struct kvl_embedded_file kvl_catalogue_files[];

typedef struct kvl_rule_ref {
    char *href;
    char *title;
} kvl_rule_ref;

/* Who refuses the definition when the rule reports an error (the
 * refused-by attribute; schemas/catalogue.rng says what each means). */
typedef enum kvl_refused_by {
    KVL_REFUSED_UNSAID = 0,     /* no attribute */
    KVL_REFUSED_LIBVIRT,
    KVL_REFUSED_QEMU,
    KVL_REFUSED_HOST,
} kvl_refused_by;

/* "libvirt", "qemu", "host"; NULL for KVL_REFUSED_UNSAID. */
const char *kvl_refused_by_name(kvl_refused_by r);

typedef struct kvl_rule_def {
    char *id;
    char *category;         /* cpu, numa, memory, disk, virtio, network, input, ... */
    char *title;
    char *rationale;        /* paragraphs separated by blank lines */
    char *fix_text;         /* what the fix does, or NULL */
    kvl_severity severity;  /* default */
    kvl_fix_kind fix;
    kvl_refused_by refused_by;
    kvl_rule_ref *refs;
    size_t nrefs;
} kvl_rule_def;

typedef struct kvl_catalogue {
    kvl_rule_def *rules;    /* sorted by id */
    size_t n;
} kvl_catalogue;

/*
 * Load the embedded catalogue.  Returns NULL and sets *err (caller frees) if
 * it is inconsistent: the build embeds a broken file only if the catalogue
 * test was skipped.
 */
kvl_catalogue *kvl_catalogue_load(char **err);

/* Load from explicit files (tests, and the catalogue lint). */
kvl_catalogue *kvl_catalogue_load_files(const struct kvl_embedded_file *files, char **err);

const kvl_rule_def *kvl_catalogue_find(const kvl_catalogue *cat, const char *id);
void kvl_catalogue_free(kvl_catalogue *cat);

#endif
