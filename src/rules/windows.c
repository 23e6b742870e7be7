/*
 * Windows guests (RULES.md "Windows guest"): the Hyper-V enlightenments
 * that let Windows run as a well-behaved guest, their dependencies and
 * values, the Hyper-V reference clock, and the RTC offset Windows expects.
 *
 * Without enlightenments Windows treats KVM like bare metal: it spins on
 * contended locks, takes a VM exit per APIC access and reads time through
 * emulated timers.  QEMU checks the dependencies between enlightenments in
 * its KVM accelerator only (target/i386/kvm), and not at all in
 * passthrough mode, where the host decides what is on; the dependency rule
 * follows it.  libvirt itself checks the spinlock and vendor_id values
 * while parsing, whatever the architecture.
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

/* libvirt's limits (domain_conf.c): at least 0xfff retries, 12 bytes of id. */
#define SPINLOCK_RETRIES_MIN 4095u
#define VENDOR_ID_MAX 12u

/* The enlightenments every Windows guest should have (win-hyperv-missing). */
static const kvl_hv_feature hv_baseline[] = {
    KVL_HV_RELAXED, KVL_HV_VAPIC, KVL_HV_SPINLOCKS, KVL_HV_VPINDEX, KVL_HV_SYNIC,
    KVL_HV_STIMER,
};
#define N_BASELINE (sizeof(hv_baseline) / sizeof(hv_baseline[0]))

/* Append the element that turns enlightenment `f` on, for hints; spinlocks
 * also needs its retry count. */
static void add_on_element(kvl_buf *b, kvl_hv_feature f)
{
    if (b->len)
        kvl_buf_adds(b, " ");
    if (f == KVL_HV_SPINLOCKS)
        kvl_buf_adds(b, "<spinlocks state='on' retries='8191'/>");
    else
        kvl_buf_addf(b, "<%s state='on'/>", kvl_hv_feature_name(f));
}

/*
 * A Windows guest on x86, where Hyper-V enlightenments apply.  An unknown
 * architecture skips the rule: libvirt would default it to the host's.
 */
static bool windows_x86(kvl_check_ctx *ctx)
{
    const char *arch;

    return kvl_domain_is_windows(ctx->dom) && kvl_need_guest_arch(ctx, &arch)
        && kvl_ru_arch_is_x86(arch);
}

/* hv-time: libvirt turns it on only for present='yes'. */
static bool hypervclock_on(const kvl_domain *dom)
{
    const kvl_timer *t = kvl_domain_timer(dom, "hypervclock");

    return t && t->present == KVL_TRI_ON;
}

/* ---- fixes shared by the rules ---- */

/* The element that turns `f` on, as a fragment (caller frees). */
static char *on_fragment(kvl_hv_feature f)
{
    if (f == KVL_HV_SPINLOCKS)
        return kvl_xasprintf("<spinlocks state='on' retries='8191'/>");
    return kvl_xasprintf("<%s state='on'/>", kvl_hv_feature_name(f));
}

/* Enlightenment `f` on: its element's state, else a new element in <hyperv>. */
static void edit_hv_on(kvl_fix *fx, const kvl_domain *dom, kvl_hv_feature f)
{
    char *frag;

    if (dom->hyperv[f].node) {
        kvl_edit_set_attr(fx, dom->hyperv[f].node, "state", "on");
        if (f == KVL_HV_SPINLOCKS
            && (!dom->has_hv_spinlock_retries || dom->hv_spinlock_retries < SPINLOCK_RETRIES_MIN))
            kvl_edit_set_attr(fx, dom->hyperv[f].node, "retries", "8191");
        return;
    }
    frag = on_fragment(f);
    kvl_edit_insert_child(fx, dom->hyperv_node, "%s", frag);
    free(frag);
}

/*
 * The hypervclock timer on (stimer needs it): its present attribute, else a
 * new timer in <clock>, else a new <clock> with libvirt's default offset.
 * Every rule that needs it proposes this same edit, so it is made once.
 */
static void edit_hypervclock(kvl_fix *fx, const kvl_domain *dom)
{
    const kvl_timer *t = kvl_domain_timer(dom, "hypervclock");

    if (hypervclock_on(dom))
        return;
    if (t)
        kvl_edit_set_attr(fx, t->node, "present", "yes");
    else if (dom->clock_node)
        kvl_edit_insert_child(fx, dom->clock_node, "<timer name='hypervclock' present='yes'/>");
    else
        kvl_edit_insert_after_or_child(fx, kvl_ru_clock_neighbour(dom), dom->root,
                                       "<clock offset='utc'>\n  <timer name='hypervclock' present='yes'/>\n</clock>");
}

/* A whole <hyperv> with the baseline, in <features> (a new one if need be). */
static void edit_hyperv_baseline(kvl_fix *fx, const kvl_domain *dom)
{
    kvl_buf b = KVL_BUF_INIT;
    const char *step = dom->features_node ? "  " : "    ";

    if (!dom->features_node)
        kvl_buf_adds(&b, "<features>\n  ");
    kvl_buf_adds(&b, "<hyperv mode='custom'>");
    for (size_t i = 0; i < N_BASELINE; i++) {
        char *frag = on_fragment(hv_baseline[i]);

        kvl_buf_addf(&b, "\n%s%s", step, frag);
        free(frag);
    }
    kvl_buf_addf(&b, "\n%s</hyperv>", dom->features_node ? "" : "  ");
    if (!dom->features_node)
        kvl_buf_adds(&b, "\n</features>");
    if (dom->features_node)
        kvl_edit_insert_child(fx, dom->features_node, "%s", kvl_buf_str(&b));
    else
        kvl_edit_insert_after_or_child(fx, dom->os_node, dom->root, "%s", kvl_buf_str(&b));
    kvl_buf_free(&b);
    edit_hypervclock(fx, dom);
}

/* ---- win-hyperv-missing ---- */

void kvl_check_win_hyperv_missing(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *names[N_BASELINE];
    kvl_buf hint = KVL_BUF_INIT;
    size_t n = 0;
    char *list;

    if (!windows_x86(ctx))
        return;
    if (!dom->hyperv_node) {
        kvl_report(ctx->sink, ctx->rule, dom->features_node ? dom->features_node : dom->root,
                   NULL,
                   "add <hyperv mode='custom'> to <features> with relaxed, vapic, spinlocks "
                   "(retries='8191'), vpindex, synic and stimer on",
                   "Windows guest has no Hyper-V enlightenments, so Windows spins on locks, "
                   "exits to the host on every APIC access and uses emulated timers");
        edit_hyperv_baseline(kvl_fix_propose(ctx->sink, NULL,
                                             "<hyperv> with relaxed, vapic, spinlocks, vpindex, "
                                             "synic and stimer on, and the hypervclock timer "
                                             "stimer needs"), dom);
        return;
    }
    if (!dom->hyperv_mode || kvl_domain_hv_passthrough(dom))
        return;             /* invalid mode (value-invalid), or everything the host has */
    kvl_buf_adds(&hint, "set");
    for (size_t i = 0; i < N_BASELINE; i++)
        if (!kvl_domain_hv_on(dom, hv_baseline[i])) {
            names[n++] = kvl_hv_feature_name(hv_baseline[i]);
            add_on_element(&hint, hv_baseline[i]);
        }
    if (n == 0) {
        kvl_buf_free(&hint);
        return;
    }
    list = kvl_ru_join_and(names, n);
    kvl_buf_adds(&hint, " in <hyperv>");
    kvl_report(ctx->sink, ctx->rule, dom->hyperv_node, NULL, kvl_buf_str(&hint),
               "Windows guest's Hyper-V enlightenments lack %s", list);
    {
        kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "%s on in <hyperv>%s", list,
                                      kvl_domain_hv_on(dom, KVL_HV_STIMER) || hypervclock_on(dom)
                                      ? "" : ", with the hypervclock timer stimer needs");

        for (size_t i = 0; i < N_BASELINE; i++)
            if (!kvl_domain_hv_on(dom, hv_baseline[i]))
                edit_hv_on(fx, dom, hv_baseline[i]);
        edit_hypervclock(fx, dom);
    }
    free(list);
    kvl_buf_free(&hint);
}

/* ---- win-hyperv-deps ---- */

/* The enlightenments `f` needs that are not on, per QEMU's dependency
 * table, into missing[] (at most 2); *clock: it needs the hypervclock timer
 * and that is not on. */
static size_t hv_missing_deps(const kvl_domain *dom, kvl_hv_feature f,
                              kvl_hv_feature *missing, bool *clock)
{
    size_t n = 0;

    *clock = false;
    switch (f) {
    case KVL_HV_STIMER:
        if (!kvl_domain_hv_on(dom, KVL_HV_VPINDEX))
            missing[n++] = KVL_HV_VPINDEX;
        if (!kvl_domain_hv_on(dom, KVL_HV_SYNIC))
            missing[n++] = KVL_HV_SYNIC;
        *clock = !hypervclock_on(dom);
        break;
    case KVL_HV_SYNIC:
    case KVL_HV_TLBFLUSH:
    case KVL_HV_IPI:
        if (!kvl_domain_hv_on(dom, KVL_HV_VPINDEX))
            missing[n++] = KVL_HV_VPINDEX;
        break;
    case KVL_HV_EVMCS:
        if (!kvl_domain_hv_on(dom, KVL_HV_VAPIC))
            missing[n++] = KVL_HV_VAPIC;
        break;
    default:
        break;
    }
    return n;
}

void kvl_check_win_hyperv_deps(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    if (!dom->hyperv_node || !dom->hyperv_mode || kvl_domain_hv_passthrough(dom)
        || !kvl_ru_streq(dom->type, "kvm") || !windows_x86(ctx))
        return;
    for (int f = 0; f < KVL_HV_N; f++) {
        kvl_hv_feature missing[2];
        const char *names[3];
        kvl_buf hint = KVL_BUF_INIT;
        size_t n;
        bool clock;
        char *list;

        if (!kvl_domain_hv_on(dom, (kvl_hv_feature)f))
            continue;
        n = hv_missing_deps(dom, (kvl_hv_feature)f, missing, &clock);
        if (n == 0 && !clock)
            continue;
        if (n)
            kvl_buf_adds(&hint, "set");
        for (size_t i = 0; i < n; i++) {
            names[i] = kvl_hv_feature_name(missing[i]);
            add_on_element(&hint, missing[i]);
        }
        if (n)
            kvl_buf_adds(&hint, " in <hyperv>");
        if (clock) {
            names[n++] = "the hypervclock timer";
            kvl_buf_addf(&hint, "%sadd <timer name='hypervclock' present='yes'/> to <clock>",
                         hint.len ? " and " : "");
        }
        list = kvl_ru_join_and(names, n);
        kvl_report(ctx->sink, ctx->rule, dom->hyperv[f].node, "state", kvl_buf_str(&hint),
                   "Hyper-V %s needs %s, which %s not on: QEMU refuses to start the VM",
                   kvl_hv_feature_name((kvl_hv_feature)f), list, n == 1 ? "is" : "are");
        {
            kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "%s on for %s", list,
                                          kvl_hv_feature_name((kvl_hv_feature)f));

            /* names[] ends with the clock when it is missing too */
            for (size_t k = 0; k < (clock ? n - 1 : n); k++)
                edit_hv_on(fx, dom, missing[k]);
            if (clock)
                edit_hypervclock(fx, dom);
        }
        free(list);
        kvl_buf_free(&hint);
    }
}

/* ---- win-hypervclock-missing ---- */

void kvl_check_win_hypervclock_missing(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_timer *t = kvl_domain_timer(dom, "hypervclock");
    const char *hint = "add <timer name='hypervclock' present='yes'/> to <clock>";

    if (hypervclock_on(dom) || kvl_domain_hv_passthrough(dom) || !windows_x86(ctx))
        return;
    if (t && t->present == KVL_TRI_OFF)
        kvl_report(ctx->sink, ctx->rule, t->node, "present",
                   "set present='yes' on the hypervclock timer",
                   "Windows guest has the hypervclock timer disabled, so it reads time "
                   "through emulated timers instead of the Hyper-V reference TSC page");
    else if (t)
        kvl_report(ctx->sink, ctx->rule, t->node, NULL,
                   "set present='yes' on the hypervclock timer",
                   "Windows guest's hypervclock timer has no present='yes', and libvirt "
                   "enables it only then: Windows reads time through emulated timers");
    else
        kvl_report(ctx->sink, ctx->rule, dom->clock_node ? dom->clock_node : dom->root, NULL,
                   hint,
                   "Windows guest has no hypervclock timer, so it reads time through "
                   "emulated timers instead of the Hyper-V reference TSC page");
    edit_hypervclock(kvl_fix_propose(ctx->sink, NULL, "<timer name='hypervclock' present='yes'/>"),
                     dom);
}

/* ---- win-hyperv-value-invalid ---- */

/* The vendor_id cut to what libvirt takes (it refused the domain as is). */
static void propose_vendor_id(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    char *cut = kvl_xstrndup(dom->hv_vendor_id, VENDOR_ID_MAX);

    kvl_edit_set_attr(kvl_fix_propose(ctx->sink, NULL, "vendor_id value='%s'", cut),
                      dom->hyperv[KVL_HV_VENDOR_ID].node, "value", cut);
    free(cut);
}

void kvl_check_win_hyperv_value_invalid(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    size_t len;

    if (kvl_domain_hv_on(dom, KVL_HV_SPINLOCKS) && dom->has_hv_spinlock_retries
        && dom->hv_spinlock_retries < SPINLOCK_RETRIES_MIN) {
        kvl_report(ctx->sink, ctx->rule, dom->hyperv[KVL_HV_SPINLOCKS].node, "retries",
                   "use retries='8191' (at least 4095)",
                   "Hyper-V spinlock retries='%u' is below libvirt's minimum of %u: "
                   "libvirt refuses the domain", dom->hv_spinlock_retries,
                   SPINLOCK_RETRIES_MIN);
        kvl_edit_set_attr(kvl_fix_propose(ctx->sink, NULL, "spinlocks retries='8191'"),
                          dom->hyperv[KVL_HV_SPINLOCKS].node, "retries", "8191");
    }
    if (kvl_domain_hv_on(dom, KVL_HV_VENDOR_ID) && dom->hv_vendor_id
        && (len = strlen(dom->hv_vendor_id)) > VENDOR_ID_MAX) {
        kvl_report(ctx->sink, ctx->rule, dom->hyperv[KVL_HV_VENDOR_ID].node, "value",
                   "shorten the value to at most 12 characters",
                   "Hyper-V vendor_id '%s' is %zu characters long, more than libvirt's "
                   "%u: libvirt refuses the domain", dom->hv_vendor_id, len, VENDOR_ID_MAX);
        propose_vendor_id(ctx);
    }
}

/* ---- win-evmcs-non-intel ---- */

void kvl_check_win_evmcs_non_intel(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    if (!kvl_domain_hv_on(dom, KVL_HV_EVMCS) || !windows_x86(ctx))
        return;
    if (!ctx->host) {
        kvl_skip(ctx, "no host snapshot (--host)");
        return;
    }
    if (!ctx->host->vendor) {
        kvl_skip(ctx, "the host snapshot does not name the CPU vendor");
        return;
    }
    if (strcmp(ctx->host->vendor, "Intel") == 0)
        return;
    kvl_report(ctx->sink, ctx->rule, dom->hyperv[KVL_HV_EVMCS].node, "state",
               "set <evmcs state='off'/> on this host",
               "Hyper-V evmcs (enlightened VMCS for nested virtualization) is on, but the "
               "host CPU is %s: it is an Intel VMX feature that %s CPUs do not offer",
               ctx->host->vendor, ctx->host->vendor);
    kvl_edit_set_attr(kvl_fix_propose(ctx->sink, NULL, "<evmcs state='off'/>"),
                      dom->hyperv[KVL_HV_EVMCS].node, "state", "off");
}

/* ---- win-clock-utc ---- */

void kvl_check_win_clock_utc(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const char *hint = "unsafe fix: <clock offset='localtime'>, unless the guest sets "
                       "RealTimeIsUniversal in its registry";
    kvl_fix *fx;

    if (!kvl_domain_is_windows(dom))
        return;
    if (dom->clock_offset && strcmp(dom->clock_offset, "utc") != 0)
        return;
    if (dom->clock_offset)
        kvl_report(ctx->sink, ctx->rule, dom->clock_node, "offset", hint,
                   "Windows guest's clock offset is utc, but Windows keeps the RTC in local "
                   "time: its clock is off by the time zone offset after each boot");
    else
        kvl_report(ctx->sink, ctx->rule, dom->clock_node ? dom->clock_node : dom->root, NULL,
                   hint,
                   "Windows guest has no clock offset, so libvirt's default utc applies, but "
                   "Windows keeps the RTC in local time: its clock is off by the time zone "
                   "offset after each boot");
    fx = kvl_fix_propose(ctx->sink,
                         "to keep its RTC in local time, as Windows does unless "
                         "RealTimeIsUniversal is set in its registry (then keep utc)",
                         "<clock offset='localtime'>");
    if (dom->clock_node)
        kvl_edit_set_attr(fx, dom->clock_node, "offset", "localtime");
    else
        kvl_edit_insert_after_or_child(fx, kvl_ru_clock_neighbour(dom), dom->root,
                                       "<clock offset='localtime'/>");
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_windows[] = {
    { "win-clock-utc", kvl_check_win_clock_utc, 0 },
    { "win-evmcs-non-intel", kvl_check_win_evmcs_non_intel, 0 },
    { "win-hyperv-deps", kvl_check_win_hyperv_deps, 0 },
    { "win-hyperv-missing", kvl_check_win_hyperv_missing, 0 },
    { "win-hyperv-value-invalid", kvl_check_win_hyperv_value_invalid, 0 },
    { "win-hypervclock-missing", kvl_check_win_hypervclock_missing, 0 },
    { NULL, NULL, 0 },
};
