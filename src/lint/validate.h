/*
 * `kvmlint check --validate`: libvirt's RelaxNG domain schema, compiled once
 * per run, and the validation of each domain DOM against it.  Each error
 * libxml2 reports becomes a schema-invalid finding with libxml2's own message
 * (what libvirt's virt-xml-validate prints), placed at the element the error
 * names.  Validation needs the DOM, so the engine calls it while loading a
 * file, before the DOM is dropped (lint/engine.c).
 *
 * Ownership: kvl_validator_new returns a validator the caller frees with
 * kvl_validator_free; kvl_validate_doc borrows everything.
 */
#ifndef KVL_LINT_VALIDATE_H
#define KVL_LINT_VALIDATE_H

#include <stddef.h>

#include "lint/finding.h"
#include "xml/doc.h"

/* Where Debian's libvirt-clients installs the schemas (domain.rng and the
 * files it includes). */
#define KVL_LIBVIRT_SCHEMA_DIR "/usr/share/libvirt/schemas"

typedef struct kvl_validator kvl_validator;

/*
 * Compile DIR/domain.rng.  Returns NULL and sets *err (caller frees; it
 * names the directory or file and says why) when the directory or the
 * schema is missing or unreadable, or the schema does not compile.
 */
kvl_validator *kvl_validator_new(const char *schema_dir, char **err);

/*
 * Validate the DOM of an indexed, well-formed `doc` and report each error as
 * schema-invalid to `sink`.  Returns the number of findings reported (0 when
 * the document is valid or has no DOM).
 */
size_t kvl_validate_doc(const kvl_validator *v, kvl_doc *doc, kvl_sink *sink);

void kvl_validator_free(kvl_validator *v);

#endif
