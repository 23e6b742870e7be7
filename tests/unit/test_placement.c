/*
 * The placement allocator (src/placement/) on its own: hand cases on the
 * DL380p G8 example host (the SQL VM comes back on one node, a 24-vCPU VM
 * gets two guest cells, strategies and thread policies), and property tests
 * over generated hosts (1 to 8 nodes, SMT on and off, contiguous and
 * interleaved CPU numbering) and generated fleets: no CPU given to two VMs,
 * no node over its memory or page pool, every plan deterministic; and,
 * through the whole fix path (kvl_fix_run on the generated files), every VM
 * the allocator places re-lints clean of placement findings and shares no
 * host CPU with another VM.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fix/fixer.h"
#include "model/domain.h"
#include "model/host.h"
#include "placement/plan.h"
#include "placement/write.h"
#include "rules/catalogue.h"
#include "util/buf.h"
#include "util/mem.h"
#include "xml/doc.h"

/* ---- Fixtures ---- */

typedef struct fleet {
    kvl_doc *docs[64];
    kvl_domain *doms[64];
    size_t n;
} fleet;

static void fleet_add(fleet *f, const char *xml)
{
    kvl_doc *doc = kvl_doc_parse("t.xml", xml, strlen(xml));

    assert_non_null(doc);
    f->docs[f->n] = doc;
    f->doms[f->n] = kvl_domain_build(doc, NULL);
    assert_non_null(f->doms[f->n]);
    f->n++;
}

static void fleet_clear(fleet *f)
{
    for (size_t i = 0; i < f->n; i++) {
        kvl_domain_free(f->doms[i]);
        kvl_doc_free(f->docs[i]);
    }
    f->n = 0;
}

/* A domain: vcpus, threads, memory in MiB, hugepage size in KiB (0 none),
 * extra XML inside <domain>. */
static char *vm_xml(const char *name, unsigned vcpus, unsigned threads, unsigned mib,
                    unsigned page_kib, const char *extra)
{
    char pages[128] = "";

    if (page_kib)
        snprintf(pages, sizeof(pages),
                 "<memoryBacking><hugepages><page size='%u' unit='KiB'/></hugepages></memoryBacking>",
                 page_kib);
    return kvl_xasprintf("<domain type='kvm'><name>%s</name><memory unit='MiB'>%u</memory>%s"
                         "<vcpu>%u</vcpu>%s<os><type arch='x86_64'>hvm</type></os>"
                         "<cpu mode='host-passthrough'><topology sockets='1' cores='%u' "
                         "threads='%u'/></cpu></domain>",
                         name, mib, pages, vcpus, extra ? extra : "", vcpus / threads, threads);
}

static kvl_host *load_host(const char *rel)
{
    char *path = kvl_test_src(rel), *err = NULL;
    kvl_host *h = kvl_host_load(path, &err);

    if (!h)
        fail_msg("%s: %s", path, err);
    free(path);
    return h;
}

/* ---- Hand cases ---- */

static void test_sql01_one_node(void **state)
{
    kvl_host *host = load_host("examples/hosts/dl380p-g8.caps.xml");
    char *path = kvl_test_src("examples/sql01.xml"), *err = NULL;
    kvl_doc *doc = kvl_doc_load(path, "sql01.xml", &err);
    kvl_domain *dom = kvl_domain_build(doc, NULL);
    const kvl_domain *doms[1] = { dom };
    kvl_place_opts o;
    kvl_plan plan;
    hwloc_bitmap_t cores = hwloc_bitmap_alloc();

    (void)state;
    assert_false(kvl_place_is_placed(dom, host));
    kvl_place_opts_init(&o);
    kvl_place_fleet(host, doms, 1, 0, &o, false, &plan);
    assert_true(plan.ok);
    assert_int_equal(plan.ncells, 1);
    assert_int_equal(plan.cells[0].node, 0);
    for (unsigned v = 0; v < 4; v++) {
        const kvl_host_cpu *c = kvl_host_cpu_by_id(host, plan.vcpu_cpu[v]);

        assert_int_equal(c->node, 0);
        /* threads=1: one vCPU per host core */
        assert_false(hwloc_bitmap_intersects(cores, c->siblings));
        hwloc_bitmap_or(cores, cores, c->siblings);
    }
    assert_int_equal(hwloc_bitmap_weight(plan.emulator), 1);
    assert_false(hwloc_bitmap_isset(cores, (unsigned)hwloc_bitmap_first(plan.emulator)) &&
                 plan.emulator_overlaps);
    assert_int_equal(kvl_host_node_of_cpu(host, (unsigned)hwloc_bitmap_first(plan.emulator)), 0);
    kvl_plan_clear(&plan);
    hwloc_bitmap_free(cores);
    kvl_domain_free(dom);
    kvl_doc_free(doc);
    free(path);
    kvl_host_free(host);
}

static void test_wide_24_vcpus(void **state)
{
    kvl_host *host = load_host("examples/hosts/dl380p-g8.caps.xml");
    char *xml = vm_xml("big", 24, 2, 32768, 0, NULL);
    fleet f = { 0 };
    kvl_place_opts o;
    kvl_plan plan;

    (void)state;
    fleet_add(&f, xml);
    kvl_place_opts_init(&o);
    /* without --unsafe-fixes: no plan, but the explanation */
    kvl_place_fleet(host, (const kvl_domain *const *)f.doms, 1, 0, &o, false, &plan);
    assert_false(plan.ok);
    assert_non_null(strstr(plan.why, "2 guest NUMA cells on host nodes 0,1"));
    kvl_plan_clear(&plan);
    kvl_place_fleet(host, (const kvl_domain *const *)f.doms, 1, 0, &o, true, &plan);
    assert_true(plan.ok);
    assert_int_equal(plan.ncells, 2);
    assert_int_equal(plan.cells[0].nvcpus, 12);
    assert_int_equal(plan.cells[1].vcpu_first, 12);
    assert_int_equal(plan.cells[0].memory_kib + plan.cells[1].memory_kib, 32768ULL * 1024);
    for (unsigned v = 0; v < 24; v++)
        assert_int_equal(kvl_host_node_of_cpu(host, plan.vcpu_cpu[v]),
                         (int)plan.cells[v < 12 ? 0 : 1].node);
    /* guest cores (threads=2) on sibling pairs */
    for (unsigned v = 0; v < 24; v += 2) {
        const kvl_host_cpu *c = kvl_host_cpu_by_id(host, plan.vcpu_cpu[v]);

        assert_true(hwloc_bitmap_isset(c->siblings, plan.vcpu_cpu[v + 1]));
    }
    kvl_plan_clear(&plan);
    fleet_clear(&f);
    free(xml);
    kvl_host_free(host);
}

static void test_policies(void **state)
{
    kvl_host *host = load_host("examples/hosts/dl380p-g8.caps.xml");
    char *xml = vm_xml("a", 4, 1, 4096, 0, NULL);
    fleet f = { 0 };
    kvl_place_opts o;
    kvl_plan plan;
    hwloc_bitmap_t used = hwloc_bitmap_alloc();

    (void)state;
    fleet_add(&f, xml);
    kvl_place_opts_init(&o);
    o.threads = KVL_THREADS_ISOLATE;
    o.emulator = KVL_EMULATOR_ISOLATE;
    kvl_place_fleet(host, (const kvl_domain *const *)f.doms, 1, 0, &o, false, &plan);
    assert_true(plan.ok);
    for (unsigned v = 0; v < 4; v++)
        hwloc_bitmap_or(used, used, kvl_host_cpu_by_id(host, plan.vcpu_cpu[v])->siblings);
    /* isolate: the emulator is off every vCPU core */
    assert_false(hwloc_bitmap_intersects(used, plan.emulator));
    assert_false(plan.emulator_overlaps);
    kvl_plan_clear(&plan);

    /* reserved housekeeping CPUs take the emulator under share, no vCPU */
    kvl_place_opts_init(&o);
    hwloc_bitmap_t res = hwloc_bitmap_alloc();
    /* one pair per node, so that both stay alike and node 0 wins the tie */
    hwloc_bitmap_set(res, 0);
    hwloc_bitmap_set(res, 20);
    hwloc_bitmap_set(res, 10);
    hwloc_bitmap_set(res, 30);
    o.reserved = res;
    kvl_place_fleet(host, (const kvl_domain *const *)f.doms, 1, 0, &o, false, &plan);
    assert_true(plan.ok);
    assert_true(hwloc_bitmap_isset(plan.emulator, 0));
    for (unsigned v = 0; v < 4; v++)
        assert_false(plan.vcpu_cpu[v] == 0 || plan.vcpu_cpu[v] == 20);
    kvl_plan_clear(&plan);
    hwloc_bitmap_free(res);

    /* parsers */
    kvl_place_strategy s;
    kvl_thread_policy t;
    kvl_emulator_policy e;
    assert_int_equal(kvl_place_strategy_parse("pack", &s), 0);
    assert_int_equal(s, KVL_PLACE_PACK);
    assert_int_equal(kvl_thread_policy_parse("require", &t), 0);
    assert_int_equal(kvl_emulator_policy_parse("isolate", &e), 0);
    assert_int_equal(kvl_place_strategy_parse("bogus", &s), -1);

    hwloc_bitmap_free(used);
    fleet_clear(&f);
    free(xml);
    kvl_host_free(host);
}

/* ---- Generated hosts and fleets ---- */

static unsigned rnd(unsigned *seed, unsigned n)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) % n;
}

/* nnodes nodes of ncores cores with `smt` threads; `interleaved`: thread t
 * of global core c is CPU t * total_cores + c (Intel style), else node-major
 * contiguous. */
static kvl_host *gen_host(unsigned nnodes, unsigned ncores, unsigned smt, bool interleaved)
{
    kvl_host *h = kvl_host_new("gen");
    unsigned total = nnodes * ncores;

    for (unsigned n = 0; n < nnodes; n++) {
        kvl_host_node *node = kvl_host_add_node(h, n);

        node->has_memory = true;
        node->memory_kib = 16ULL << 20;
        node->has_pages = true;
        node->pages = kvl_xcalloc(2, sizeof(*node->pages));
        node->pages[0] = (kvl_host_pages){ 4, 0 };
        node->pages[1] = (kvl_host_pages){ 2048, 2048 };
        node->npages = 2;
    }
    for (unsigned c = 0; c < total; c++) {
        unsigned n = c / ncores;
        hwloc_bitmap_t sib = hwloc_bitmap_alloc();

        for (unsigned t = 0; t < smt; t++)
            hwloc_bitmap_set(sib, interleaved ? t * total + c : c * smt + t);
        for (unsigned t = 0; t < smt; t++) {
            unsigned id = interleaved ? t * total + c : c * smt + t;
            kvl_host_cpu *cpu = kvl_host_add_cpu(h, id);
            kvl_host_node *node = &h->nodes[n];

            cpu->node = (int)n;
            cpu->socket = (int)n;
            cpu->core = (int)(c % ncores);
            cpu->siblings = smt > 1 ? hwloc_bitmap_dup(sib) : NULL;
            hwloc_bitmap_set(node->cpus, id);
        }
        hwloc_bitmap_free(sib);
    }
    kvl_host_finish(h);
    return h;
}

typedef struct result {
    bool ok;
    unsigned ncells, vcpus;
    unsigned cpu[64];
    unsigned node[8];
    uint64_t mem[8], pages[8];
} result;

static void run_fleet(const kvl_host *host, fleet *f, const kvl_place_opts *o, result *out)
{
    for (size_t i = 0; i < f->n; i++) {
        kvl_plan p;

        kvl_place_fleet(host, (const kvl_domain *const *)f->doms, f->n, i, o, true, &p);
        memset(&out[i], 0, sizeof(out[i]));
        out[i].ok = p.ok;
        if (p.ok) {
            out[i].ncells = (unsigned)p.ncells;
            out[i].vcpus = p.nvcpus;
            memcpy(out[i].cpu, p.vcpu_cpu, p.nvcpus * sizeof(unsigned));
            for (size_t c = 0; c < p.ncells; c++) {
                out[i].node[c] = p.cells[c].node;
                out[i].mem[c] = p.cells[c].memory_kib;
                out[i].pages[c] = p.cells[c].pages;
            }
            /* cells never split a guest core */
            for (size_t c = 0; c < p.ncells; c++)
                assert_int_equal(p.cells[c].nvcpus % (f->doms[i]->threads ? f->doms[i]->threads : 1), 0);
            /* the emulator never lands on a vCPU CPU of another plan is
             * checked below through the vCPU map */
        } else {
            assert_non_null(p.why);
        }
        kvl_plan_clear(&p);
    }
}

static void test_generated(void **state)
{
    unsigned seed = 12345;

    (void)state;
    for (unsigned round = 0; round < 120; round++) {
        unsigned nnodes = 1 + rnd(&seed, 8), ncores = 2 + rnd(&seed, 7);
        unsigned smt = rnd(&seed, 2) ? 2 : 1;
        bool inter = rnd(&seed, 2);
        kvl_host *host = gen_host(nnodes, ncores, smt, inter);
        unsigned nvms = 1 + rnd(&seed, 12);
        fleet f = { 0 };
        result a[64], b[64];
        kvl_place_opts o;
        hwloc_bitmap_t used = hwloc_bitmap_alloc();
        uint64_t mem[8] = { 0 }, pages[8] = { 0 };

        for (unsigned i = 0; i < nvms; i++) {
            unsigned threads = smt > 1 && rnd(&seed, 2) ? 2 : 1;
            unsigned vcpus = threads * (1 + rnd(&seed, 4));
            unsigned page = rnd(&seed, 3) == 0 ? 2048 : 0;
            unsigned mib = 512 * (1 + rnd(&seed, 12));
            char name[16];
            char *xml;

            snprintf(name, sizeof(name), "vm%u", i);
            xml = vm_xml(name, vcpus, threads, mib, page, NULL);
            fleet_add(&f, xml);
            free(xml);
        }
        kvl_place_opts_init(&o);
        o.strategy = rnd(&seed, 2) ? KVL_PLACE_PACK : KVL_PLACE_SPREAD;
        run_fleet(host, &f, &o, a);
        run_fleet(host, &f, &o, b);
        for (size_t i = 0; i < f.n; i++) {
            uint64_t kib;

            /* the same input gives the same output */
            assert_memory_equal(&a[i], &b[i], sizeof(a[i]));
            if (!a[i].ok)
                continue;
            /* no CPU to two VMs, nor to two vCPUs */
            for (unsigned v = 0; v < a[i].vcpus; v++) {
                assert_false(hwloc_bitmap_isset(used, a[i].cpu[v]));
                hwloc_bitmap_set(used, a[i].cpu[v]);
            }
            assert_true(kvl_domain_effective_memory(f.doms[i], &kib));
            uint64_t sum = 0;
            for (unsigned c = 0; c < a[i].ncells; c++) {
                sum += a[i].mem[c];
                if (f.doms[i]->hugepages)
                    pages[a[i].node[c]] += a[i].pages[c];
                else
                    mem[a[i].node[c]] += a[i].mem[c];
            }
            assert_true(sum == kib);
        }
        /* no node over its memory or its page pool */
        for (unsigned n = 0; n < nnodes; n++) {
            if (pages[n] > 2048)
                fail_msg("round %u: node %u of %u: %llu pages", round, n, nnodes,
                         (unsigned long long)pages[n]);
            assert_true(mem[n] <= kvl_host_node_capacity_kib(&host->nodes[n]));
        }
        hwloc_bitmap_free(used);
        fleet_clear(&f);
        kvl_host_free(host);
    }
}

/* ---- Generated fleets through the fix path ---- */

/* Random single-CPU pins anywhere on the host: cross-node, shared or
 * emulator-less, so that placement rules fire and the allocator moves the VM. */
static char *random_pins(unsigned *seed, const kvl_host *host, unsigned vcpus)
{
    kvl_buf b = KVL_BUF_INIT;

    kvl_buf_adds(&b, "<cputune>");
    for (unsigned v = 0; v < vcpus; v++)
        kvl_buf_addf(&b, "<vcpupin vcpu='%u' cpuset='%u'/>", v,
                     host->cpus[rnd(seed, (unsigned)host->ncpus)].id);
    kvl_buf_adds(&b, "</cputune>");
    return kvl_buf_detach(&b);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Whether a fix of a placement rule was applied to file `i`. */
static bool placed_by_fix(const kvl_fix_result *res, size_t i)
{
    for (size_t k = 0; k < res->nnotes; k++)
        if (res->notes[k].file == i && res->notes[k].status == KVL_FIXST_APPLIED &&
            kvl_place_is_placement_rule(res->notes[k].rule))
            return true;
    return false;
}

/*
 * --emulator-policy share puts the emulator on the VM's own CPUs when its
 * node has no CPU left (no reserved one, no other VM's emulator CPU, no
 * free one): then cpu-emulatorpin-overlap stays, and rightly.  Whether the
 * host nodes of `mine` have every CPU taken by some VM's vCPUs.
 */
static bool nodes_full(const kvl_host *host, hwloc_const_bitmap_t mine,
                       hwloc_const_bitmap_t taken)
{
    for (size_t n = 0; n < host->nnodes; n++)
        if (hwloc_bitmap_intersects(host->nodes[n].cpus, mine) &&
            !hwloc_bitmap_isincluded(host->nodes[n].cpus, taken))
            return false;
    return true;
}

/* Whether file `l` of the final lint still has a finding of a placement rule. */
static bool wants_moving(const kvl_run *last, size_t l)
{
    for (size_t k = 0; k < last->findings.n; k++)
        if (strcmp(last->findings.v[k].path, last->files[l].path) == 0 &&
            kvl_place_is_placement_rule(last->findings.v[k].rule))
            return true;
    return false;
}

/*
 * A VM the allocator could not place stays where it is, and the others may
 * have been placed on its CPUs (it was to move away): sharing with it is
 * its finding's business.  Sharing with a VM that was placed, or that no
 * placement rule wants moved, is a bug.
 */
static bool may_share(const kvl_fix_result *res, size_t o)
{
    return !placed_by_fix(res, res->file_of_last[o]) && wants_moving(res->last, o);
}

static bool shares_only_with_unplaced(const kvl_fix_result *res, hwloc_bitmap_t *cpus,
                                      size_t l)
{
    for (size_t o = 0; o < res->last->nfiles; o++)
        if (o != l && hwloc_bitmap_intersects(cpus[l], cpus[o]) && !may_share(res, o))
            return false;
    return true;
}

static void check_relint(const kvl_fix_result *res, const kvl_host *host, const char *round,
                         size_t *nplaced)
{
    const kvl_run *last = res->last;
    hwloc_bitmap_t *cpus = kvl_xcalloc(last->nfiles + 1, sizeof(*cpus));
    hwloc_bitmap_t taken = hwloc_bitmap_alloc();

    for (size_t l = 0; l < last->nfiles; l++) {
        const kvl_domain *dom = last->files[l].model;

        cpus[l] = hwloc_bitmap_alloc();
        for (size_t p = 0; dom && p < dom->nvcpupins; p++)
            if (dom->vcpupins[p].cpus)
                hwloc_bitmap_or(cpus[l], cpus[l], dom->vcpupins[p].cpus);
        hwloc_bitmap_or(taken, taken, cpus[l]);
    }
    for (size_t l = 0; l < last->nfiles; l++) {
        size_t i = res->file_of_last[l];

        if (!placed_by_fix(res, i))
            continue;
        (*nplaced)++;
        for (size_t k = 0; k < last->findings.n; k++) {
            const char *rule = last->findings.v[k].rule;

            if (strcmp(last->findings.v[k].path, last->files[l].path) != 0 ||
                !kvl_place_is_placement_rule(rule))
                continue;
            if (strcmp(rule, "cpu-emulatorpin-overlap") == 0 && nodes_full(host, cpus[l], taken))
                continue;
            if (strcmp(rule, "cpu-pin-shared") == 0 && shares_only_with_unplaced(res, cpus, l))
                continue;
            fail_msg("%s: %s placed, still [%s]: %s", round, last->files[l].path,
                     rule, last->findings.v[k].message);
        }
        for (size_t o = 0; o < last->nfiles; o++)
            if (o != l && hwloc_bitmap_intersects(cpus[l], cpus[o]) && !may_share(res, o))
                fail_msg("%s: placed %s shares host CPUs with %s", round,
                         last->files[l].path, last->files[o].path);
    }
    for (size_t l = 0; l < last->nfiles; l++)
        hwloc_bitmap_free(cpus[l]);
    free(cpus);
    hwloc_bitmap_free(taken);
}

static void test_generated_relint(void **state)
{
    unsigned seed = 4242;
    size_t nplaced = 0;
    char *err = NULL;
    kvl_catalogue *cat = kvl_catalogue_load(&err);

    (void)state;
    assert_non_null(cat);
    for (unsigned round = 0; round < 100; round++) {
        unsigned nnodes = 1 + rnd(&seed, 8), ncores = 2 + rnd(&seed, 7);
        unsigned smt = rnd(&seed, 2) ? 2 : 1;
        kvl_host *host = gen_host(nnodes, ncores, smt, rnd(&seed, 2));
        unsigned nvms = 1 + rnd(&seed, 6);
        char dir[] = "/tmp/kvmlint-place-gen-XXXXXX";
        char *paths[8], desc[96];
        kvl_fix_opts opts;
        kvl_fix_result res;

        assert_non_null(mkdtemp(dir));
        for (unsigned i = 0; i < nvms; i++) {
            unsigned threads = smt > 1 && rnd(&seed, 2) ? 2 : 1;
            unsigned vcpus = threads * (1 + rnd(&seed, 3));
            unsigned page = rnd(&seed, 3) == 0 ? 2048 : 0;
            char name[16], *pins = random_pins(&seed, host, vcpus), *xml;

            snprintf(name, sizeof(name), "vm%u", i);
            xml = vm_xml(name, vcpus, threads, 512 * (1 + rnd(&seed, 8)), page, pins);
            paths[i] = kvl_xasprintf("%s/%s.xml", dir, name);
            write_file(paths[i], xml);
            free(xml);
            free(pins);
        }
        kvl_fix_opts_init(&opts);
        /* the allocator's fixes alone: other rules' fixes (hugepages for
         * latency-critical VMs, ...) change the demand after placement */
        opts.select = kvl_place_rules;
        while (kvl_place_rules[opts.nselect])
            opts.nselect++;
        opts.unsafe = round % 2;    /* guest cells in every other round */
        kvl_fix_run(&res, cat, host, &opts, paths, nvms);
        assert_int_equal(res.nfiles, nvms);
        snprintf(desc, sizeof(desc), "round %u (%u nodes x %u cores x %u threads%s)", round,
                 nnodes, ncores, smt, opts.unsafe ? ", unsafe fixes" : "");
        check_relint(&res, host, desc, &nplaced);
        kvl_fix_result_free(&res);
        for (unsigned i = 0; i < nvms; i++) {
            unlink(paths[i]);
            free(paths[i]);
        }
        rmdir(dir);
        kvl_host_free(host);
    }
    /* the generator must make the allocator work, or this proves nothing */
    assert_true(nplaced >= 100);
    kvl_catalogue_free(cat);
}

/* A fleet that does not fit is reported with what is short. */
static void test_overfull(void **state)
{
    kvl_host *host = gen_host(2, 2, 1, false);
    fleet f = { 0 };
    char *xml = vm_xml("huge", 4, 1, 40000, 0, NULL);
    kvl_place_opts o;
    kvl_plan p;

    (void)state;
    fleet_add(&f, xml);
    kvl_place_opts_init(&o);
    kvl_place_fleet(host, (const kvl_domain *const *)f.doms, 1, 0, &o, true, &p);
    assert_false(p.ok);
    assert_non_null(strstr(p.why, "node 0: 2 free CPUs of 4 needed"));
    kvl_plan_clear(&p);
    fleet_clear(&f);
    free(xml);
    kvl_host_free(host);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql01_one_node),
        cmocka_unit_test(test_wide_24_vcpus),
        cmocka_unit_test(test_policies),
        cmocka_unit_test(test_generated),
        cmocka_unit_test(test_generated_relint),
        cmocka_unit_test(test_overfull),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
