/*
 * Declarations of the built-in checks, one group per file in src/rules/.
 * A new rule: its function here, its row in its file's table, and its entry
 * in the catalogue (rules/).  A new file of rules: its table here and in
 * registry.c.
 */
#ifndef KVL_RULES_RULES_H
#define KVL_RULES_RULES_H

#include "rules/check.h"

/* Per-file tables of checks (registry.c lists them). */
extern const kvl_check kvl_checks_disk[];
extern const kvl_check kvl_checks_emulator[];
extern const kvl_check kvl_checks_numa[];
extern const kvl_check kvl_checks_overcommit[];
extern const kvl_check kvl_checks_virtio[];

/* numa.c: cross-NUMA vCPUs */
void kvl_check_numa_pin_cross_node(kvl_check_ctx *ctx);
void kvl_check_numa_vm_wider_than_node(kvl_check_ctx *ctx);
void kvl_check_numa_memory_binding(kvl_check_ctx *ctx);
void kvl_check_numa_cell_crosses_host_node(kvl_check_ctx *ctx);

/* virtio.c: missing virtio */
void kvl_check_disk_bus_not_virtio(kvl_check_ctx *ctx);
void kvl_check_net_model_not_virtio(kvl_check_ctx *ctx);
void kvl_check_virtio_scsi_controller_model(kvl_check_ctx *ctx);
void kvl_check_net_userspace_backend(kvl_check_ctx *ctx);

/* overcommit.c: CPU and memory overcommit */
void kvl_check_cpu_overcommit(kvl_check_ctx *ctx);
void kvl_check_mem_overcommit(kvl_check_ctx *ctx);
void kvl_check_numa_strict_node_too_small(kvl_check_ctx *ctx);
void kvl_check_cpu_pin_shared(kvl_check_ctx *ctx);

/* emulator.c: unpinned emulator */
void kvl_check_cpu_emulatorpin_missing(kvl_check_ctx *ctx);
void kvl_check_cpu_emulatorpin_overlap(kvl_check_ctx *ctx);

/* disk.c: qcow2 on hot disks */
void kvl_check_disk_qcow2_hot(kvl_check_ctx *ctx);

#endif
