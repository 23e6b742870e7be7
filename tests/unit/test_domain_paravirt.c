/*
 * The parts of the domain model the para-virtual device, network, clock
 * and Windows rules read: <rng> and <channel>, the interface's ring sizes
 * and <bandwidth>, <clock> with its timers, and <features><hyperv>.  Each
 * test builds a small domain and checks the fields, libvirt's defaults
 * (an empty random backend reads /dev/random, a <hyperv> without mode is
 * custom) and the value-invalid findings for what libvirt requires.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/domain.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "xml/doc.h"

static kvl_catalogue *catalogue;

typedef kvl_test_dom fixture;

/* A kvm domain around `body`. */
static fixture *build(const char *body)
{
    char *xml = kvl_xasprintf("<domain type='kvm'>\n<name>t</name>\n%s\n</domain>\n", body);
    fixture *f = kvl_test_dom_build(catalogue, xml);

    free(xml);
    return f;
}

static void done(fixture *f)
{
    kvl_test_dom_free(f);
}

static void no_findings(const fixture *f)
{
    for (size_t i = 0; i < f->list.n; i++)
        print_message("unexpected finding: %s\n", f->list.v[i].message);
    assert_int_equal(f->list.n, 0);
}

/* A value-invalid finding whose message contains `needle` exists. */
static void has_invalid(const fixture *f, const char *needle)
{
    for (size_t i = 0; i < f->list.n; i++)
        if (strstr(f->list.v[i].message, needle)) {
            assert_string_equal(f->list.v[i].rule, "value-invalid");
            return;
        }
    for (size_t i = 0; i < f->list.n; i++)
        print_message("finding: %s\n", f->list.v[i].message);
    fail_msg("no finding mentions \"%s\"", needle);
}

static void rng_and_channels(void **state)
{
    fixture *f = build(
        "<devices>\n"
        "  <rng model='virtio'><backend model='random'/></rng>\n"
        "  <rng model='virtio'><backend model='random'> /dev/urandom </backend></rng>\n"
        "  <rng model='virtio'><backend model='egd' type='tcp'/></rng>\n"
        "  <channel type='unix'>\n"
        "    <target type='virtio' name='org.qemu.guest_agent.0'/>\n"
        "  </channel>\n"
        "</devices>\n"
        "<devices><channel type='spicevmc'/></devices>\n");
    const kvl_domain *d = f->dom;

    (void)state;
    no_findings(f);
    assert_int_not_equal(d->devices_node, 0);
    assert_int_equal(d->nrngs, 3);
    assert_string_equal(d->rngs[0].model, "virtio");
    assert_string_equal(d->rngs[0].source, "/dev/random");     /* libvirt's default */
    assert_true(d->rngs[0].source_default);
    assert_string_equal(d->rngs[1].source, "/dev/urandom");
    assert_false(d->rngs[1].source_default);
    assert_string_equal(d->rngs[2].backend_model, "egd");
    assert_null(d->rngs[2].source);
    /* every <devices> contributes, as in libvirt */
    assert_int_equal(d->nchannels, 2);
    assert_string_equal(d->channels[0].type, "unix");
    assert_string_equal(d->channels[0].target_type, "virtio");
    assert_string_equal(d->channels[0].target_name, "org.qemu.guest_agent.0");
    assert_string_equal(d->channels[1].type, "spicevmc");
    assert_int_equal(d->channels[1].target_node, 0);
    done(f);
}

static void interface_rings_and_bandwidth(void **state)
{
    fixture *f = build(
        "<devices>\n"
        "  <interface type='bridge'>\n"
        "    <driver queues='4' rx_queue_size='512' tx_queue_size='x'/>\n"
        "    <bandwidth><inbound average='1000'/></bandwidth>\n"
        "  </interface>\n"
        "  <interface type='hostdev'><bandwidth/></interface>\n"
        "</devices>\n");
    const kvl_iface *a = &f->dom->ifaces[0], *b = &f->dom->ifaces[1];

    (void)state;
    assert_true(a->has_queues);
    assert_int_equal(a->queues, 4);
    assert_true(a->has_rx_queue_size);
    assert_int_equal(a->rx_queue_size, 512);
    assert_false(a->has_tx_queue_size);
    has_invalid(f, "invalid number 'x' in <driver tx_queue_size>");
    assert_int_not_equal(a->bandwidth_node, 0);
    assert_int_equal(b->bandwidth_node, 0);         /* no direction: no limit */
    done(f);
}

static void clock_and_timers(void **state)
{
    fixture *f = build(
        "<clock offset='localtime'>\n"
        "  <timer name='rtc' tickpolicy='catchup' track='guest'/>\n"
        "  <timer name='hpet' present='no'/>\n"
        "  <timer name='tsc' frequency='4567890000' mode='native'/>\n"
        "  <timer name='kvmclock' present='yes'/>\n"
        "  <timer name='rtc' tickpolicy='discard'/>\n"
        "</clock>\n"
        "<clock offset='utc'/>\n");
    const kvl_domain *d = f->dom;
    const kvl_timer *t;

    (void)state;
    no_findings(f);
    assert_string_equal(d->clock_offset, "localtime");    /* the first <clock> counts */
    assert_int_equal(d->ntimers, 5);
    t = kvl_domain_timer(d, "rtc");
    assert_ptr_equal(t, &d->timers[0]);                   /* the first of a name */
    assert_string_equal(t->tickpolicy, "catchup");
    assert_int_equal(t->present, KVL_TRI_ABSENT);
    assert_int_equal(kvl_domain_timer(d, "hpet")->present, KVL_TRI_OFF);
    assert_int_equal(kvl_domain_timer(d, "kvmclock")->present, KVL_TRI_ON);
    t = kvl_domain_timer(d, "tsc");
    assert_true(t->has_frequency);
    assert_true(t->frequency == UINT64_C(4567890000));
    assert_string_equal(t->mode, "native");
    assert_null(kvl_domain_timer(d, "pit"));
    done(f);
}

static void clock_problems_reported(void **state)
{
    fixture *f = build(
        "<clock>\n"
        "  <timer present='no'/>\n"
        "  <timer name='hpet' present='maybe'/>\n"
        "  <timer name='tsc' frequency='fast'/>\n"
        "  <timer name='bogus' tickpolicy='slew'/>\n"
        "</clock>\n");
    const kvl_domain *d = f->dom;

    (void)state;
    assert_null(d->clock_offset);
    has_invalid(f, "missing attribute 'name' in <timer>");
    has_invalid(f, "invalid value 'maybe' in <timer present>");
    has_invalid(f, "invalid number 'fast' in <timer frequency>");
    assert_int_equal(kvl_domain_timer(d, "hpet")->present, KVL_TRI_ABSENT);
    /* names and tick policies are the rules' to judge, kept as written */
    assert_string_equal(kvl_domain_timer(d, "bogus")->tickpolicy, "slew");
    assert_int_equal(f->list.n, 3);
    done(f);
}

static void hyperv_custom(void **state)
{
    fixture *f = build(
        "<features>\n"
        "  <hyperv>\n"
        "    <relaxed state='on'/>\n"
        "    <spinlocks state='on' retries='8191'/>\n"
        "    <vendor_id state='on' value='KVMKVMKVMKVMX'/>\n"
        "    <stimer state='on'><direct state='on'/></stimer>\n"
        "    <vpindex state='off'/>\n"
        "    <relaxed state='off'/>\n"
        "    <unknown_thing state='on'/>\n"
        "  </hyperv>\n"
        "  <hyperv mode='passthrough'/>\n"
        "</features>\n");
    const kvl_domain *d = f->dom;

    (void)state;
    no_findings(f);
    assert_int_not_equal(d->hyperv_node, 0);
    assert_string_equal(d->hyperv_mode, "custom");          /* libvirt's default */
    assert_false(kvl_domain_hv_passthrough(d));
    assert_true(kvl_domain_hv_on(d, KVL_HV_RELAXED));       /* the first one counts */
    assert_true(kvl_domain_hv_on(d, KVL_HV_STIMER));
    assert_false(kvl_domain_hv_on(d, KVL_HV_VPINDEX));
    assert_int_equal(d->hyperv[KVL_HV_VPINDEX].state, KVL_TRI_OFF);
    assert_int_not_equal(d->hyperv[KVL_HV_VPINDEX].node, 0);
    assert_false(kvl_domain_hv_on(d, KVL_HV_EVMCS));
    assert_int_equal(d->hyperv[KVL_HV_EVMCS].node, 0);
    assert_true(d->has_hv_spinlock_retries);
    assert_int_equal(d->hv_spinlock_retries, 8191);
    assert_string_equal(d->hv_vendor_id, "KVMKVMKVMKVMX");  /* too long: the rule says so */
    assert_int_equal(d->hv_stimer_direct, KVL_TRI_ON);
    assert_string_equal(kvl_hv_feature_name(KVL_HV_EMSR_BITMAP), "emsr_bitmap");
    assert_null(kvl_hv_feature_name(KVL_HV_N));
    done(f);
}

static void hyperv_values_only_when_on(void **state)
{
    fixture *f = build(
        "<features>\n"
        "  <hyperv mode='passthrough'>\n"
        "    <spinlocks state='off' retries='many'/>\n"
        "    <vendor_id state='off'/>\n"
        "  </hyperv>\n"
        "</features>\n");
    const kvl_domain *d = f->dom;

    (void)state;
    no_findings(f);
    assert_true(kvl_domain_hv_passthrough(d));
    assert_false(d->has_hv_spinlock_retries);
    assert_null(d->hv_vendor_id);
    done(f);
}

static void hyperv_problems_reported(void **state)
{
    fixture *f = build(
        "<features>\n"
        "  <hyperv mode='sideways'>\n"
        "    <relaxed/>\n"
        "    <vapic state='yes'/>\n"
        "    <spinlocks state='on'/>\n"
        "    <vendor_id state='on'/>\n"
        "    <stimer state='on'><direct/></stimer>\n"
        "  </hyperv>\n"
        "</features>\n");
    const kvl_domain *d = f->dom;

    (void)state;
    assert_null(d->hyperv_mode);
    has_invalid(f, "invalid value 'sideways' in <hyperv mode>");
    has_invalid(f, "missing attribute 'state' in <relaxed>");
    has_invalid(f, "invalid value 'yes' in <vapic state>");
    has_invalid(f, "missing attribute 'retries' in <spinlocks>");
    has_invalid(f, "missing attribute 'value' in <vendor_id>");
    has_invalid(f, "missing attribute 'state' in <direct>");
    assert_int_equal(f->list.n, 6);
    assert_int_equal(d->hyperv[KVL_HV_VAPIC].state, KVL_TRI_ABSENT);
    assert_false(d->has_hv_spinlock_retries);
    done(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rng_and_channels),
        cmocka_unit_test(interface_rings_and_bandwidth),
        cmocka_unit_test(clock_and_timers),
        cmocka_unit_test(clock_problems_reported),
        cmocka_unit_test(hyperv_custom),
        cmocka_unit_test(hyperv_values_only_when_on),
        cmocka_unit_test(hyperv_problems_reported),
    };
    return KVL_TEST_RUN_WITH_CATALOGUE(tests, &catalogue);
}
