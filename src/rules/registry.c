/*
 * The rule registry: which C function implements each catalogue id.  Every
 * file of src/rules/ ends with a table of its checks; this file lists the
 * tables, plus the input rules, which the loader and the model builder
 * report themselves.  The tables are constant: the registry is the only
 * global state in kvmlint and nothing writes to it.  tests/unit/
 * test_catalogue.c fails when the registry and the catalogue disagree.
 */
#include <string.h>

#include "rules/check.h"
#include "rules/rules.h"

/* Reported while loading files and building models (lint/engine.c, model/). */
static const kvl_check input_checks[] = {
    { "schema-invalid", NULL, KVL_CHECK_LOADER },   /* --validate (lint/validate.c) */
    { "value-invalid",  NULL, KVL_CHECK_LOADER },
    { "xml-malformed",  NULL, KVL_CHECK_LOADER },
    { "xml-not-domain", NULL, KVL_CHECK_LOADER },
    { NULL, NULL, 0 },
};

/* Reported by the engine once every check has run (lint/suppress.c). */
static const kvl_check engine_checks[] = {
    { "suppression-unused", NULL, KVL_CHECK_ENGINE },
    { NULL, NULL, 0 },
};

const kvl_check *const kvl_check_tables[] = {
    input_checks,
    engine_checks,
    kvl_checks_disk,
    kvl_checks_disk_cache,
    kvl_checks_disk_iothreads,
    kvl_checks_disk_iotune,
    kvl_checks_emulator,
    kvl_checks_numa,
    kvl_checks_overcommit,
    kvl_checks_virtio,
    kvl_checks_paravirt,
    kvl_checks_network,
    kvl_checks_clock,
    kvl_checks_windows,
    kvl_checks_memory,
    kvl_checks_memory_hugepages,
    kvl_checks_cpu,
    kvl_checks_cpu_smt,
    kvl_checks_cpu_rt,
    kvl_checks_numa_config,
    kvl_checks_numa_hostdev,
    NULL,
};

const kvl_check *kvl_check_find(const char *id)
{
    KVL_FOR_EACH_CHECK(c)
        if (strcmp(c->id, id) == 0)
            return c;
    return NULL;
}
