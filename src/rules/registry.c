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
    { "value-invalid",  NULL, KVL_CHECK_LOADER },
    { "xml-malformed",  NULL, KVL_CHECK_LOADER },
    { "xml-not-domain", NULL, KVL_CHECK_LOADER },
    { NULL, NULL, 0 },
};

const kvl_check *const kvl_check_tables[] = {
    input_checks,
    kvl_checks_disk,
    kvl_checks_emulator,
    kvl_checks_numa,
    kvl_checks_overcommit,
    kvl_checks_virtio,
    NULL,
};

const kvl_check *kvl_check_find(const char *id)
{
    KVL_FOR_EACH_CHECK(c)
        if (strcmp(c->id, id) == 0)
            return c;
    return NULL;
}
