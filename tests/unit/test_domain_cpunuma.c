/*
 * The parts of the domain model the CPU and NUMA validity rules read and the
 * first-wave model did not keep: the cputune bandwidth values (kept as
 * signed integers, whatever their range, since judging the range is
 * cpu-cputune-range's job), and the "attribute present" flags that let a
 * rule tell an absent attribute from one that value-invalid already
 * reported (cell cpus, numatune memory placement and nodeset, vcpusched
 * priority).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/domain.h"
#include "rules/catalogue.h"
#include "util/mem.h"
#include "xml/doc.h"

/* Loaded once in main(); read-only for the tests. */
static kvl_catalogue *catalogue;

typedef kvl_test_dom fixture;

/* A kvm domain around `body`, built with findings collected. */
static fixture *build_body(const char *body)
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

static bool has_value(const kvl_domain *dom, kvl_cputune_key key, int64_t want)
{
    return (dom->cputune_set & (1u << key)) && dom->cputune[key] == want &&
           dom->cputune_nodes[key] != 0;
}

static void cputune_values(void **state)
{
    fixture *f;

    (void)state;
    f = build_body("<cputune><shares>2048</shares><period>100000</period><quota>-1</quota>"
                   "<global_period>500</global_period><global_quota>0</global_quota>"
                   "<emulator_period>1000000</emulator_period><emulator_quota>-5</emulator_quota>"
                   "<iothread_period> 2000 </iothread_period>"
                   "<iothread_quota>17592186044416</iothread_quota>"
                   "<quota>7</quota></cputune>");
    assert_int_equal(f->list.n, 0);
    assert_true(has_value(f->dom, KVL_CPUTUNE_SHARES, 2048));
    assert_true(has_value(f->dom, KVL_CPUTUNE_PERIOD, 100000));
    /* the first of a repeated element counts, as in libvirt */
    assert_true(has_value(f->dom, KVL_CPUTUNE_QUOTA, -1));
    /* out of libvirt's range, but a number: kept for the rule */
    assert_true(has_value(f->dom, KVL_CPUTUNE_GLOBAL_PERIOD, 500));
    assert_true(has_value(f->dom, KVL_CPUTUNE_GLOBAL_QUOTA, 0));
    assert_true(has_value(f->dom, KVL_CPUTUNE_EMULATOR_PERIOD, 1000000));
    assert_true(has_value(f->dom, KVL_CPUTUNE_EMULATOR_QUOTA, -5));
    assert_true(has_value(f->dom, KVL_CPUTUNE_IOTHREAD_PERIOD, 2000));
    assert_true(has_value(f->dom, KVL_CPUTUNE_IOTHREAD_QUOTA, INT64_C(17592186044416)));
    assert_string_equal(kvl_cputune_name(KVL_CPUTUNE_EMULATOR_QUOTA), "emulator_quota");
    assert_null(kvl_cputune_name(KVL_CPUTUNE_N));
    done(f);

    /* text that is no integer is value-invalid and not kept */
    f = build_body("<cputune><shares>lots</shares><period>1e5</period></cputune>");
    assert_int_equal(f->list.n, 2);
    assert_string_equal(f->list.v[0].rule, "value-invalid");
    assert_non_null(strstr(f->list.v[0].message, "'lots'"));
    assert_int_equal(f->dom->cputune_set, 0);
    assert_true(f->dom->cputune_nodes[KVL_CPUTUNE_SHARES] != 0);
    done(f);

    /* none given */
    f = build_body("<cputune><vcpupin vcpu='0' cpuset='1'/></cputune>");
    assert_int_equal(f->dom->cputune_set, 0);
    done(f);
}

static void attributes_given(void **state)
{
    fixture *f;

    (void)state;
    f = build_body("<vcpu>4</vcpu>"
                   "<cputune><vcpusched vcpus='0' scheduler='fifo'/>"
                   "<vcpusched vcpus='1' scheduler='rr' priority='x'/>"
                   "<vcpusched vcpus='2' scheduler='fifo' priority='5'/></cputune>"
                   "<numatune><memory mode='strict' placement='bogus' nodeset='0,^0'/></numatune>"
                   "<cpu><numa><cell id='0' cpus='0-1' memory='1024'/>"
                   "<cell id='1' cpus='2-y' memory='1024'/>"
                   "<cell id='2' memory='1024'/></numa></cpu>");
    /* priority 'x', placement 'bogus', nodeset '0,^0', cpus '2-y' */
    assert_int_equal(f->list.n, 4);
    assert_false(f->dom->vcpuscheds[0].priority_given);
    assert_true(f->dom->vcpuscheds[1].priority_given);
    assert_false(f->dom->vcpuscheds[1].has_priority);
    assert_true(f->dom->vcpuscheds[2].priority_given);
    assert_int_equal(f->dom->vcpuscheds[2].priority, 5);
    assert_true(f->dom->numa_placement_given);
    assert_null(f->dom->numa_placement);
    assert_true(f->dom->numa_nodeset_given);
    assert_null(f->dom->numa_nodeset);
    assert_true(f->dom->cells[0].has_cpus);
    assert_non_null(f->dom->cells[0].cpus);
    assert_true(f->dom->cells[1].has_cpus);
    assert_null(f->dom->cells[1].cpus);
    assert_false(f->dom->cells[2].has_cpus);
    done(f);

    f = build_body("<numatune><memory mode='interleave'/></numatune>");
    assert_int_equal(f->list.n, 0);
    assert_false(f->dom->numa_placement_given);
    assert_false(f->dom->numa_nodeset_given);
    done(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cputune_values),
        cmocka_unit_test(attributes_given),
    };
    return KVL_TEST_RUN_WITH_CATALOGUE(tests, &catalogue);
}
