/*
 * Suppressions (README "Suppressions"): findings an engineer has looked at
 * and accepted.  Three sources, applied in this order:
 *   - <kvmlint:suppress rule target reason> in the domain's <metadata>
 *     (kind metadata; survives virsh define / dumpxml),
 *   - <!-- kvmlint: disable=... --> comment pragmas (kind comment),
 *   - <ignore path rules reason> in the config file (kind config).
 * A suppressed finding stays in the findings list, marked with its kind and
 * reason (finding.h), so SARIF can list it; text output and the exit status
 * leave it out.
 *
 * Findings of the input rules are never suppressed: they mean kvmlint could
 * not read the file as written, so a suppression naming one is reported as
 * value-invalid, as an unknown rule id is.
 *
 * An in-file suppression that matches no finding is reported once per rule
 * it names, as suppression-unused (info), but only when that rule really
 * judged the domain: it ran (enabled, domain in scope) and did not skip for
 * lack of input.  Config ignores are policy for many files and are not
 * reported when unused.
 */
#ifndef KVL_LINT_SUPPRESS_H
#define KVL_LINT_SUPPRESS_H

#include <stdbool.h>

#include "lint/engine.h"

/*
 * Check the rule ids of the suppressions in a freshly built domain and
 * report unknown or input rules as value-invalid into `sink`.
 */
void kvl_suppress_check(kvl_sink *sink, const kvl_domain *dom);

/*
 * After every check ran: mark the suppressed findings of the run and
 * report unused in-file suppressions.  `in_source` false (--no-suppressions)
 * ignores every suppression (in-file and config).
 */
void kvl_suppress_apply(kvl_run *run, bool in_source);

/*
 * Does an element identity ("disk:hda", "interface:52:54:00:...",
 * "vcpupin:3") match a suppression target?  The target may be the whole
 * identity or what follows its kind ("hda", a MAC, "3"); letters compare
 * without case, as MAC addresses are written either way.
 */
bool kvl_suppress_target_match(const char *identity, const char *target);

#endif
