/*
 * Baselines (README "Baselines"): the findings a repository has accepted
 * for now, so that CI fails only on new ones.  `kvmlint check
 * --write-baseline FILE` records the fingerprints of the current findings;
 * `--baseline FILE` then reports only findings whose fingerprint is not in
 * it.  Fingerprints (lint/fingerprint.c) leave line numbers out, so moving
 * or adding lines elsewhere in a file keeps a finding in the baseline.
 *
 * The file is a small XML document, one element per finding, sorted so
 * that a rewritten baseline diffs well:
 *
 *   <kvmlint-baseline version="1">
 *     <finding fingerprint="9c3e5a0f1b2d4e6f" rule="disk-bus-not-virtio"
 *              domain="sql01" path="vms/sql01.xml"/>
 *   </kvmlint-baseline>
 *
 * Only `fingerprint` is matched; rule, domain and path are for people
 * reading the file.  Input errors (exit status 2) and suppressed findings
 * are never written to, or hidden by, a baseline.
 */
#ifndef KVL_LINT_BASELINE_H
#define KVL_LINT_BASELINE_H

#include <stddef.h>

#include "lint/finding.h"

typedef struct kvl_baseline kvl_baseline;

/* Read FILE.  NULL with *err set ("FILE:LINE: ...", caller frees). */
kvl_baseline *kvl_baseline_load(const char *path, char **err);
void kvl_baseline_free(kvl_baseline *b);

/* Number of fingerprints in it. */
size_t kvl_baseline_size(const kvl_baseline *b);

/* Mark the findings whose fingerprint is in `b` as suppressed (kind
 * baseline); returns how many. */
size_t kvl_baseline_apply(const kvl_baseline *b, kvl_findings *list);

/*
 * Write the reported findings of `list` (fingerprinted, not suppressed, not
 * input errors) to `path`, replacing it atomically (a temporary file beside
 * it, then rename).  Returns the number written, or -1 with *err set.
 */
long kvl_baseline_write(const char *path, const kvl_findings *list, char **err);

#endif
