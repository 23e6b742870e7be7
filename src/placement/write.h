/*
 * From a placement plan to fix edits (fix/fix.h), and the one entry point
 * the placement rules call after reporting.  Several placement rules can
 * fire on one VM (numa-pin-cross-node, numa-memory-binding,
 * cpu-emulatorpin-missing, ...); each proposes the SAME plan, computed from
 * the same fleet, so their edits are identical patches that the fix engine
 * applies once (edit.h kvl_patch_same): one plan fixes them all, and the
 * re-lint of the next round sees a well-placed VM, which is occupancy from
 * then on.
 */
#ifndef KVL_PLACEMENT_WRITE_H
#define KVL_PLACEMENT_WRITE_H

#include "fix/fix.h"
#include "placement/plan.h"
#include "rules/check.h"

/* The edits that make `dom` follow `plan` (plan->ok). */
void kvl_place_write(kvl_fix *fx, const kvl_domain *dom, const kvl_host *host,
                     const kvl_plan *plan);

/* One line saying what the plan does ("vCPUs 0-3 on host CPUs 2-5 of node 0, ..."). */
char *kvl_place_summary(const kvl_plan *plan, bool iothreads);

/* The placement options of a run (from ctx->cfg). */
void kvl_place_opts_from_cfg(kvl_place_opts *o, const kvl_config *cfg);

/* Whether `rule` is one whose fix is the allocator's plan (the tests check
 * that placed VMs re-lint clean of these). */
bool kvl_place_is_placement_rule(const char *rule);
/* Those rules' ids, NULL-terminated (for --select in the tests). */
extern const char *const kvl_place_rules[];

/*
 * Propose the allocator's plan as the fix of the finding just reported:
 * safe on one node, unsafe when the guest gets NUMA cells.  Nothing when
 * there is no host or no plan fits (the finding stays, unfixed).
 */
void kvl_place_propose(kvl_check_ctx *ctx);

#endif
