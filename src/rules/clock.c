/*
 * Guest timekeeping: the para-virtual kvmclock switched off, the legacy
 * x86 timer defaults (an HPET that costs a VM exit per read, RTC and PIT
 * tick policies that let guest time drift after a pause), and timer names
 * or tick policies libvirt's QEMU driver refuses.  The Windows side
 * (hypervclock, RTC in local time) is in windows.c.
 *
 * Which timers exist depends on the architecture: pit, rtc, hpet, tsc,
 * kvmclock and hypervclock are x86 devices, armvtimer is ARM's.  The x86
 * rules check the guest architecture first and stay silent when it is
 * unknown (no os/type@arch and no host snapshot to default it from).
 */
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"
#include "rules/rule_util.h"
#include "rules/rules.h"
#include "util/buf.h"
#include "util/mem.h"

#include "util/banned.h"

static const char *const timer_names[] = {
    "platform", "pit", "rtc", "hpet", "tsc", "kvmclock", "hypervclock", "armvtimer", NULL,
};

static const char *const tick_policies[] = { "delay", "catchup", "merge", "discard", NULL };

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (kvl_ru_streq(*list, s))
            return true;
    return false;
}

/* An x86 guest; an unknown architecture skips the rule. */
static bool guest_x86(kvl_check_ctx *ctx)
{
    const char *arch;

    return kvl_need_guest_arch(ctx, &arch) && kvl_ru_arch_is_x86(arch);
}

static bool timer_is(const kvl_timer *t, const char *name)
{
    return kvl_ru_streq(t->name, name);
}

/* ---- clock-kvmclock-disabled ---- */

void kvl_check_clock_kvmclock_disabled(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_timer *t;

    if (!kvl_ru_streq(dom->type, "kvm") || kvl_domain_is_windows(dom))
        return;
    if (!(t = kvl_domain_timer(dom, "kvmclock")) || t->present != KVL_TRI_OFF
        || !guest_x86(ctx))
        return;
    kvl_report(ctx->sink, ctx->rule, t->node, "present",
               "remove <timer name='kvmclock' present='no'/> so the guest gets kvmclock again",
               "kvmclock is disabled, so the guest loses KVM's para-virtual clock and falls "
               "back to the TSC or emulated timers, which drift across migration and pauses");
    kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "<timer name='kvmclock' present='no'/> removed"),
                            t->node);
}

/* ---- clock-legacy-timers ---- */

/* "rtc has no tickpolicy='catchup'" / "rtc has tickpolicy='delay' instead of 'catchup'";
 * NULL when the timer has the wanted policy. */
static char *policy_gap(const kvl_timer *t, const char *name, const char *want)
{
    if (t && kvl_ru_streq(t->tickpolicy, want))
        return NULL;
    if (t && t->tickpolicy)
        return kvl_xasprintf("%s has tickpolicy='%s' instead of '%s'", name, t->tickpolicy,
                             want);
    return kvl_xasprintf("%s has no tickpolicy='%s'", name, want);
}

/* The settings clock-legacy-timers wants, in the order it names them. */
enum { HPET, RTC, PIT };
static const struct {
    const char *name, *attr, *value;
} legacy[] = {
    [HPET] = { "hpet", "present", "no" },
    [RTC] = { "rtc", "tickpolicy", "catchup" },
    [PIT] = { "pit", "tickpolicy", "delay" },
};

/* Each timer: its attribute set when the timer is there, else a new <timer>
 * (inside a new <clock> when there is none). */
static void propose_timers(kvl_check_ctx *ctx, const int *which, const char *const *fix,
                           size_t n, const char *fixes)
{
    const kvl_domain *dom = ctx->dom;
    kvl_fix *fx = kvl_fix_propose(ctx->sink, NULL, "%s", fixes);
    kvl_buf clock = KVL_BUF_INIT;

    for (size_t i = 0; i < n; i++) {
        const kvl_timer *t = kvl_domain_timer(dom, legacy[which[i]].name);

        if (t)
            kvl_edit_set_attr(fx, t->node, legacy[which[i]].attr, legacy[which[i]].value);
        else if (dom->clock_node)
            kvl_edit_insert_child(fx, dom->clock_node, "%s", fix[i]);
        else
            kvl_buf_addf(&clock, "\n  %s", fix[i]);
    }
    /* libvirt's default offset is utc: saying so changes nothing */
    if (clock.len)
        kvl_edit_insert_after_or_child(fx, kvl_ru_clock_neighbour(dom), dom->root,
                                       "<clock offset='utc'>%s\n</clock>", kvl_buf_str(&clock));
    kvl_buf_free(&clock);
}

void kvl_check_clock_legacy_timers(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;
    const kvl_timer *hpet = kvl_domain_timer(dom, "hpet");
    char *what[3], *rtc, *pit, *list, *fixes, *hint;
    const char *fix[3];
    int which[3];
    size_t n = 0;

    if (!guest_x86(ctx))
        return;
    if (!hpet || hpet->present != KVL_TRI_OFF) {
        what[n] = kvl_xstrdup(hpet && hpet->present == KVL_TRI_ON
                              ? "the HPET is on" : "the HPET is on (QEMU's default)");
        which[n] = HPET;
        fix[n++] = "<timer name='hpet' present='no'/>";
    }
    if ((rtc = policy_gap(kvl_domain_timer(dom, "rtc"), "rtc", "catchup"))) {
        what[n] = rtc;
        which[n] = RTC;
        fix[n++] = "<timer name='rtc' tickpolicy='catchup'/>";
    }
    if ((pit = policy_gap(kvl_domain_timer(dom, "pit"), "pit", "delay"))) {
        what[n] = pit;
        which[n] = PIT;
        fix[n++] = "<timer name='pit' tickpolicy='delay'/>";
    }
    if (n == 0)
        return;
    list = kvl_ru_join_and((const char *const *)what, n);
    fixes = kvl_ru_join_and(fix, n);
    hint = kvl_xasprintf("%s %s in <clock>", dom->clock_node ? "set" : "add", fixes);
    kvl_report(ctx->sink, ctx->rule, dom->clock_node ? dom->clock_node : dom->root, NULL,
               hint, "x86 guest has legacy timer settings: %s", list);
    propose_timers(ctx, which, fix, n, fixes);
    for (size_t i = 0; i < n; i++)
        free(what[i]);
    free(hint);
    free(list);
    free(fixes);
}

/* ---- clock-timer-invalid ---- */

static bool arch_is_arm(const char *arch)
{
    return kvl_ru_streq(arch, "aarch64") || kvl_ru_streq(arch, "armv7l");
}

static bool machine_is_arm_virt(const char *machine)
{
    return kvl_ru_streq(machine, "virt") || (machine && strncmp(machine, "virt-", 5) == 0);
}

/* A timer name libvirt refuses for this guest, reported; true if so. */
static bool timer_removed(kvl_check_ctx *ctx, const kvl_timer *t)
{
    kvl_edit_remove_element(kvl_fix_propose(ctx->sink, NULL, "the %s timer removed", t->name),
                            t->node);
    return true;
}

static bool check_timer_name(kvl_check_ctx *ctx, const kvl_timer *t)
{
    const kvl_domain *dom = ctx->dom;
    const char *arch = kvl_ru_arch(dom, ctx->host);

    if (!in_list(timer_names, t->name)) {
        kvl_report(ctx->sink, ctx->rule, t->node, "name",
                   "use one of platform, pit, rtc, hpet, tsc, kvmclock, hypervclock, armvtimer",
                   "unknown timer '%s', which libvirt refuses", t->name);
        return timer_removed(ctx, t);
    }
    if (timer_is(t, "platform")) {
        kvl_report(ctx->sink, ctx->rule, t->node, "name", "remove the timer",
                   "libvirt's QEMU driver refuses the 'platform' timer");
        return timer_removed(ctx, t);
    }
    if ((timer_is(t, "tsc") || timer_is(t, "kvmclock") || timer_is(t, "hypervclock"))
        && t->present == KVL_TRI_ON && arch && !kvl_ru_arch_is_x86(arch)) {
        kvl_report(ctx->sink, ctx->rule, t->node, "name", "remove the timer",
                   "the '%s' timer is x86-only: libvirt refuses it on this %s guest",
                   t->name, arch);
        return timer_removed(ctx, t);
    }
    if (timer_is(t, "armvtimer")) {
        if (!kvl_ru_streq(dom->type, "kvm")) {
            kvl_report(ctx->sink, ctx->rule, t->node, "name", "remove the timer",
                       "the 'armvtimer' timer needs a type='kvm' domain: libvirt refuses it "
                       "on type '%s'", dom->type);
            return timer_removed(ctx, t);
        }
        if (arch && (!arch_is_arm(arch) || (dom->machine && !machine_is_arm_virt(dom->machine)))) {
            kvl_report(ctx->sink, ctx->rule, t->node, "name", "remove the timer",
                       "the 'armvtimer' timer needs an ARM guest on the virt machine: libvirt "
                       "refuses it on %s machine '%s'", arch,
                       dom->machine ? dom->machine : "(default)");
            return timer_removed(ctx, t);
        }
    }
    return false;
}

/* Tick policies libvirt's QEMU driver refuses, per timer (libvirt 10). */
static bool tickpolicy_refused(const kvl_timer *t)
{
    const char *p = t->tickpolicy;

    if (timer_is(t, "kvmclock") || timer_is(t, "hypervclock"))
        return true;            /* they take none at all */
    if (timer_is(t, "rtc"))
        return kvl_ru_streq(p, "merge") || kvl_ru_streq(p, "discard");
    if (timer_is(t, "pit"))
        return kvl_ru_streq(p, "merge");
    if (timer_is(t, "armvtimer"))
        return kvl_ru_streq(p, "catchup") || kvl_ru_streq(p, "merge");
    return false;
}

/* The policy a refused one becomes, NULL: none (the attribute goes). */
static const char *tickpolicy_fixed(const kvl_timer *t)
{
    return timer_is(t, "rtc") ? "catchup" : timer_is(t, "pit") ? "delay"
         : timer_is(t, "armvtimer") ? "discard" : NULL;
}

static void propose_tickpolicy(kvl_check_ctx *ctx, const kvl_timer *t, const char *policy)
{
    kvl_fix *fx;

    if (policy) {
        fx = kvl_fix_propose(ctx->sink, NULL, "tickpolicy='%s' on the %s timer", policy, t->name);
        kvl_edit_set_attr(fx, t->node, "tickpolicy", policy);
    } else {
        fx = kvl_fix_propose(ctx->sink, NULL, "no tickpolicy on the %s timer", t->name);
        kvl_edit_remove_attr(fx, t->node, "tickpolicy");
    }
}

static void check_tickpolicy(kvl_check_ctx *ctx, const kvl_timer *t)
{
    if (!t->tickpolicy)
        return;
    if (!in_list(tick_policies, t->tickpolicy)) {
        kvl_report(ctx->sink, ctx->rule, t->node, "tickpolicy",
                   "use delay, catchup, merge or discard",
                   "unknown tickpolicy '%s' on the %s timer, which libvirt refuses",
                   t->tickpolicy, t->name);
        propose_tickpolicy(ctx, t, NULL);
        return;
    }
    if (!tickpolicy_refused(t))
        return;
    if (timer_is(t, "kvmclock") || timer_is(t, "hypervclock"))
        kvl_report(ctx->sink, ctx->rule, t->node, "tickpolicy", "remove tickpolicy",
                   "the %s timer takes no tickpolicy: libvirt refuses tickpolicy='%s' on it",
                   t->name, t->tickpolicy);
    else
        kvl_report(ctx->sink, ctx->rule, t->node, "tickpolicy",
                   timer_is(t, "rtc") ? "use tickpolicy='catchup' (or delay)"
                   : timer_is(t, "pit") ? "use tickpolicy='delay' (or discard)"
                   : "use tickpolicy='discard' (or delay)",
                   "libvirt's QEMU driver refuses tickpolicy='%s' on the %s timer",
                   t->tickpolicy, t->name);
    propose_tickpolicy(ctx, t, tickpolicy_fixed(t));
}

void kvl_check_clock_timer_invalid(kvl_check_ctx *ctx)
{
    const kvl_domain *dom = ctx->dom;

    for (size_t i = 0; i < dom->ntimers; i++) {
        const kvl_timer *t = &dom->timers[i];

        if (!t->name)           /* missing name: value-invalid said so */
            continue;
        if (!check_timer_name(ctx, t))
            check_tickpolicy(ctx, t);
    }
}

/* The checks of this file, for registry.c. */
const kvl_check kvl_checks_clock[] = {
    { "clock-kvmclock-disabled", kvl_check_clock_kvmclock_disabled, 0 },
    { "clock-legacy-timers", kvl_check_clock_legacy_timers, 0 },
    { "clock-timer-invalid", kvl_check_clock_timer_invalid, 0 },
    { NULL, NULL, 0 },
};
