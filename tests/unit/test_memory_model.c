/*
 * The memory side of the domain model and the memory rules' reading of it
 * (rules/memory_util.h): <memballoon> and <filesystem>, the refs of the
 * <memoryBacking> children, an empty <maxMemory>, libvirt's page
 * resolution (nodeset='0' without cells is the default page, a cell no page
 * names is ordinary memory, the base page is no hugepage) and the parts a
 * VM's memory splits into, with their bindings.  The golden cases under
 * testdata/rules/mem-* show the rules themselves.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/domain.h"
#include "rules/catalogue.h"
#include "rules/memory_util.h"
#include "util/mem.h"
#include "xml/doc.h"

static kvl_catalogue *catalogue;

typedef kvl_test_dom fixture;

/* A kvm x86 domain around `body`. */
static fixture *build(const char *body)
{
    char *xml = kvl_xasprintf("<domain type='kvm'>\n<name>t</name>\n"
                              "<os><type arch='x86_64'>hvm</type></os>\n%s\n</domain>\n", body);
    fixture *f = kvl_test_dom_build(catalogue, xml);

    free(xml);
    return f;
}

static void done(fixture *f)
{
    kvl_test_dom_free(f);
}

static void devices(void **state)
{
    fixture *f = build("<devices>\n"
                       "<memballoon model='virtio'/>\n"
                       "<memballoon model='none'/>\n"
                       "<filesystem type='mount'><driver type='virtiofs'/>"
                       "<source dir='/srv'/><target dir='share'/></filesystem>\n"
                       "<filesystem><source dir='/a'/><target dir='b'/></filesystem>\n"
                       "</devices>");

    (void)state;
    assert_int_equal(f->list.n, 0);
    assert_true(f->dom->memballoon.node != 0);
    assert_string_equal(f->dom->memballoon.model, "virtio");     /* the first counts */
    assert_int_equal(f->dom->nfilesystems, 2);
    assert_string_equal(f->dom->filesystems[0].driver_type, "virtiofs");
    assert_string_equal(f->dom->filesystems[0].source, "/srv");
    assert_string_equal(f->dom->filesystems[0].target, "share");
    assert_null(f->dom->filesystems[1].type);
    assert_null(f->dom->filesystems[1].driver_type);
    done(f);

    f = build("<devices/>");
    assert_int_equal(f->dom->memballoon.node, 0);
    assert_null(f->dom->memballoon.model);
    done(f);
}

static void backing_refs_and_max_memory(void **state)
{
    fixture *f = build("<maxMemory slots='16'/>\n<memory unit='GiB'>4</memory>\n"
                       "<memoryBacking><locked/><nosharepages/><source type='memfd'/>"
                       "<access mode='shared'/><allocation mode='immediate'/></memoryBacking>");

    (void)state;
    assert_int_equal(f->list.n, 0);             /* an empty maxMemory is no value-invalid */
    assert_true(f->dom->has_max_memory);
    assert_int_equal(f->dom->max_memory_kib, 0);
    assert_int_equal(f->dom->max_memory_slots, 16);
    assert_true(f->dom->locked && f->dom->locked_node);
    assert_true(f->dom->nosharepages && f->dom->nosharepages_node);
    assert_string_equal(f->dom->mem_source_type, "memfd");
    assert_string_equal(f->dom->mem_access_mode, "shared");
    assert_string_equal(f->dom->mem_allocation_mode, "immediate");
    assert_true(f->dom->mem_source_node && f->dom->mem_access_node && f->dom->mem_allocation_node);
    done(f);

    f = build("<maxMemory slots='16' unit='GiB'>x</maxMemory>\n<memory>1024</memory>");
    assert_int_equal(f->list.n, 1);             /* a bad number still is */
    assert_false(f->dom->has_max_memory);
    done(f);
}

static void page_resolution(void **state)
{
    /* no cells: nodeset='0' is the default page */
    fixture *f = build("<memory unit='GiB'>4</memory>\n<memoryBacking><hugepages>"
                       "<page size='2048' nodeset='0'/></hugepages></memoryBacking>");
    kvl_mem_part *parts;
    size_t n;

    (void)state;
    assert_ptr_equal(kvl_mem_default_page(f->dom), &f->dom->pages[0]);
    n = kvl_mem_parts(f->dom, NULL, 0, &parts);
    assert_int_equal(n, 1);
    assert_null(parts[0].cell);
    assert_int_equal(parts[0].page_kib, 2048);
    assert_int_equal(parts[0].kib, 4 * 1024 * 1024);
    assert_null(parts[0].nodes);
    free(parts);
    done(f);

    /* cells: the nodeset page, else the default, else ordinary memory */
    f = build("<memory unit='GiB'>3</memory>\n<memoryBacking><hugepages>"
              "<page size='1' unit='G' nodeset='1'/></hugepages></memoryBacking>\n"
              "<numatune><memory mode='strict' nodeset='0-1'/>"
              "<memnode cellid='1' mode='preferred' nodeset='1'/></numatune>\n"
              "<cpu><numa><cell id='0' cpus='0' memory='1' unit='GiB'/>"
              "<cell id='1' cpus='1' memory='2' unit='GiB'/></numa></cpu>");
    assert_null(kvl_mem_default_page(f->dom));
    assert_null(kvl_mem_cell_page(f->dom, 0));
    assert_ptr_equal(kvl_mem_cell_page(f->dom, 1), &f->dom->pages[0]);
    assert_true(kvl_mem_hugepage_backed(f->dom, NULL));
    n = kvl_mem_parts(f->dom, NULL, 0, &parts);
    assert_int_equal(n, 2);
    assert_int_equal(parts[0].page_kib, 0);
    assert_non_null(parts[0].nodes);            /* the domain-wide strict binding */
    assert_int_equal(parts[1].page_kib, 1024 * 1024);
    assert_null(parts[1].nodes);                /* its memnode is only preferred */
    assert_int_equal(kvl_mem_pages_needed(parts[1].kib, parts[1].page_kib), 2);
    free(parts);
    /* what the VM would need on 2 MiB pages */
    n = kvl_mem_parts(f->dom, NULL, 2048, &parts);
    assert_int_equal(n, 2);
    assert_int_equal(parts[0].page_kib, 2048);
    assert_int_equal(parts[1].page_kib, 2048);
    free(parts);
    done(f);
}

static void base_and_default_pages(void **state)
{
    /* 4 KiB on x86 is ordinary memory */
    fixture *f = build("<memory unit='GiB'>1</memory>\n<memoryBacking><hugepages>"
                       "<page size='4' unit='KiB'/></hugepages></memoryBacking>");
    kvl_mem_part *parts;

    (void)state;
    assert_int_equal(kvl_mem_base_page_kib(f->dom, NULL), 4);
    assert_false(kvl_mem_hugepage_backed(f->dom, NULL));
    assert_int_equal(kvl_mem_parts(f->dom, NULL, 0, &parts), 1);
    assert_int_equal(parts[0].page_kib, 0);
    free(parts);
    done(f);

    /* <hugepages/>: the host's default size, unknown */
    f = build("<memory unit='GiB'>1</memory>\n<memoryBacking><hugepages/></memoryBacking>");
    assert_true(kvl_mem_hugepage_backed(f->dom, NULL));
    assert_int_equal(kvl_mem_parts(f->dom, NULL, 0, &parts), 1);
    assert_true(parts[0].page_kib == KVL_MEM_PAGE_DEFAULT);
    assert_int_equal(parts[0].page_node, f->dom->hugepages_node);
    free(parts);
    done(f);

    /* an unreadable page nodeset: no parts at all */
    f = build("<memory unit='GiB'>1</memory>\n<memoryBacking><hugepages>"
              "<page size='2048' nodeset='x'/></hugepages></memoryBacking>");
    assert_int_equal(kvl_mem_parts(f->dom, NULL, 0, &parts), 0);
    assert_null(parts);
    done(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(devices),
        cmocka_unit_test(backing_refs_and_max_memory),
        cmocka_unit_test(page_resolution),
        cmocka_unit_test(base_and_default_pages),
    };
    return KVL_TEST_RUN_WITH_CATALOGUE(tests, &catalogue);
}
