/*
 * The rule registry: the one table that maps catalogue ids to the C
 * functions implementing them.  It is the only global state in kvmlint and it
 * is constant.  tests/unit/test_registry.c fails when this table and
 * the XML files in rules/ disagree.
 */
#include <string.h>

#include "rules/check.h"
#include "rules/rules.h"

const kvl_check kvl_checks[] = {
    { "cpu-emulatorpin-missing",      kvl_check_cpu_emulatorpin_missing,      0 },
    { "cpu-emulatorpin-overlap",      kvl_check_cpu_emulatorpin_overlap,      0 },
    { "cpu-overcommit",               kvl_check_cpu_overcommit,               0 },
    { "cpu-pin-shared",               kvl_check_cpu_pin_shared,               0 },
    { "disk-bus-not-virtio",          kvl_check_disk_bus_not_virtio,          0 },
    { "disk-qcow2-hot",               kvl_check_disk_qcow2_hot,               0 },
    { "mem-overcommit",               kvl_check_mem_overcommit,               0 },
    { "net-model-not-virtio",         kvl_check_net_model_not_virtio,         0 },
    { "net-userspace-backend",        kvl_check_net_userspace_backend,        0 },
    { "numa-cell-crosses-host-node",  kvl_check_numa_cell_crosses_host_node,  0 },
    { "numa-memory-binding",          kvl_check_numa_memory_binding,          0 },
    { "numa-pin-cross-node",          kvl_check_numa_pin_cross_node,          0 },
    { "numa-strict-node-too-small",   kvl_check_numa_strict_node_too_small,   0 },
    { "numa-vm-wider-than-node",      kvl_check_numa_vm_wider_than_node,      0 },
    { "value-invalid",                NULL,                                   KVL_CHECK_LOADER },
    { "virtio-scsi-controller-model", kvl_check_virtio_scsi_controller_model, 0 },
    { "xml-malformed",                NULL,                                   KVL_CHECK_LOADER },
    { "xml-not-domain",               NULL,                                   KVL_CHECK_LOADER },
    { NULL, NULL, 0 },
};

const kvl_check *kvl_check_find(const char *id)
{
    for (const kvl_check *c = kvl_checks; c->id; c++)
        if (strcmp(c->id, id) == 0)
            return c;
    return NULL;
}
