/* Shared plumbing for built-in checks: skips, host prerequisites, defaults. */
#include "rules/check.h"

#include "rules/rule_util.h"

#include "util/mem.h"
#include "util/banned.h"

void kvl_config_init(kvl_config *cfg)
{
    cfg->cpu_overcommit_ratio = 5.0;
    cfg->host_reserve_kib = 2ULL * 1024 * 1024;
    cfg->large_vm_kib = 16ULL * 1024 * 1024;
    cfg->very_large_vm_kib = 64ULL * 1024 * 1024;
    cfg->tap_queue_limit = 256;
    cfg->housekeeping_cpus = NULL;
    cfg->place_strategy = 0;        /* spread */
    cfg->place_threads = 0;         /* prefer */
    cfg->place_emulator = 0;        /* share */
}

void kvl_skip(kvl_check_ctx *ctx, const char *reason)
{
    if (!ctx->skipped)
        ctx->skipped = reason;
}

bool kvl_need_host_nodes(kvl_check_ctx *ctx)
{
    if (!ctx->host) {
        kvl_skip(ctx, "no host snapshot (--host)");
        return false;
    }
    if (ctx->host->nnodes == 0 || ctx->host->ncpus == 0) {
        kvl_skip(ctx, "the host snapshot has no NUMA topology");
        return false;
    }
    return true;
}

bool kvl_need_host_memory(kvl_check_ctx *ctx)
{
    uint64_t total;

    if (!kvl_need_host_nodes(ctx))
        return false;
    if (!kvl_host_total_memory(ctx->host, &total)) {
        kvl_skip(ctx, "the host snapshot lacks node memory sizes");
        return false;
    }
    return true;
}

bool kvl_need_guest_arch(kvl_check_ctx *ctx, const char **arch)
{
    if (!(*arch = kvl_ru_arch(ctx->dom, ctx->host))) {
        kvl_skip(ctx, "guest architecture unknown (no os/type@arch and no host snapshot)");
        return false;
    }
    return true;
}

void kvl_fleet_totals(kvl_fleet *fleet)
{
    uint64_t vcpus = 0, memory = 0, plain = 0;

    fleet->vcpus_upto = kvl_xcalloc(fleet->n + 1, sizeof(*fleet->vcpus_upto));
    fleet->memory_upto = kvl_xcalloc(fleet->n + 1, sizeof(*fleet->memory_upto));
    fleet->plain_memory_upto = kvl_xcalloc(fleet->n + 1, sizeof(*fleet->plain_memory_upto));
    for (size_t i = 0; i < fleet->n; i++) {
        uint64_t kib;

        vcpus += fleet->doms[i]->vcpus;     /* 0 when unreadable */
        if (kvl_domain_effective_memory(fleet->doms[i], &kib)) {
            memory += kib;
            if (!fleet->doms[i]->hugepages)
                plain += kib;
        }
        fleet->vcpus_upto[i] = vcpus;
        fleet->memory_upto[i] = memory;
        fleet->plain_memory_upto[i] = plain;
    }
}
