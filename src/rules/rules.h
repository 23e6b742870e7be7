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
extern const kvl_check kvl_checks_disk_cache[];
extern const kvl_check kvl_checks_disk_iothreads[];
extern const kvl_check kvl_checks_disk_iotune[];
extern const kvl_check kvl_checks_emulator[];
extern const kvl_check kvl_checks_numa[];
extern const kvl_check kvl_checks_overcommit[];
extern const kvl_check kvl_checks_virtio[];
extern const kvl_check kvl_checks_paravirt[];
extern const kvl_check kvl_checks_network[];
extern const kvl_check kvl_checks_clock[];
extern const kvl_check kvl_checks_windows[];
extern const kvl_check kvl_checks_memory[];
extern const kvl_check kvl_checks_memory_hugepages[];
extern const kvl_check kvl_checks_cpu[];
extern const kvl_check kvl_checks_cpu_smt[];
extern const kvl_check kvl_checks_cpu_rt[];
extern const kvl_check kvl_checks_numa_config[];
extern const kvl_check kvl_checks_numa_hostdev[];

/* cpu.c: topology, pin entries, CPU model, cputune bandwidth */
void kvl_check_cpu_topology_mismatch(kvl_check_ctx *ctx);
void kvl_check_cpu_vcpupin_out_of_range(kvl_check_ctx *ctx);
void kvl_check_cpu_pin_nonexistent_pcpu(kvl_check_ctx *ctx);
void kvl_check_cpu_partial_pinning(kvl_check_ctx *ctx);
void kvl_check_cpu_emulatorpin_remote(kvl_check_ctx *ctx);
void kvl_check_cpu_model_generic(kvl_check_ctx *ctx);
void kvl_check_cpu_cputune_range(kvl_check_ctx *ctx);

/* cpu_smt.c: guest SMT threads against host siblings */
void kvl_check_cpu_smt_topology_mismatch(kvl_check_ctx *ctx);

/* cpu_rt.c: real-time vCPUs */
void kvl_check_cpu_rt_sched_priority(kvl_check_ctx *ctx);
void kvl_check_cpu_rt_config(kvl_check_ctx *ctx);

/* numa_config.c: numatune and guest NUMA cells */
void kvl_check_numa_numatune_invalid(kvl_check_ctx *ctx);
void kvl_check_numa_cells_invalid(kvl_check_ctx *ctx);
void kvl_check_numa_cells_cpus_incomplete(kvl_check_ctx *ctx);
void kvl_check_numa_memory_sum_mismatch(kvl_check_ctx *ctx);
void kvl_check_numa_guest_distances_missing(kvl_check_ctx *ctx);

/* numa_hostdev.c: passthrough device locality */
void kvl_check_numa_hostdev_remote(kvl_check_ctx *ctx);

/* paravirt.c: virtio RNG and guest agent */
void kvl_check_virtio_rng_missing(kvl_check_ctx *ctx);
void kvl_check_virtio_guest_agent_missing(kvl_check_ctx *ctx);

/* network.c: NIC queues and settings libvirt/QEMU refuse */
void kvl_check_net_multiqueue_missing(kvl_check_ctx *ctx);
void kvl_check_net_queues_gt_vcpus(kvl_check_ctx *ctx);
void kvl_check_net_config_invalid(kvl_check_ctx *ctx);

/* clock.c: guest timers */
void kvl_check_clock_kvmclock_disabled(kvl_check_ctx *ctx);
void kvl_check_clock_legacy_timers(kvl_check_ctx *ctx);
void kvl_check_clock_timer_invalid(kvl_check_ctx *ctx);

/* windows.c: Hyper-V enlightenments and the Windows clock */
void kvl_check_win_hyperv_missing(kvl_check_ctx *ctx);
void kvl_check_win_hyperv_deps(kvl_check_ctx *ctx);
void kvl_check_win_hypervclock_missing(kvl_check_ctx *ctx);
void kvl_check_win_hyperv_value_invalid(kvl_check_ctx *ctx);
void kvl_check_win_evmcs_non_intel(kvl_check_ctx *ctx);
void kvl_check_win_clock_utc(kvl_check_ctx *ctx);

/* numa.c: cross-NUMA vCPUs */
void kvl_check_numa_pin_cross_node(kvl_check_ctx *ctx);
void kvl_check_numa_vm_wider_than_node(kvl_check_ctx *ctx);
void kvl_check_numa_memory_binding(kvl_check_ctx *ctx);
void kvl_check_numa_cell_crosses_host_node(kvl_check_ctx *ctx);
void kvl_check_numa_interleave_small_vm(kvl_check_ctx *ctx);

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

/* disk.c: qcow2 and image files on hot disks, CD-ROM buses, shared disks */
void kvl_check_disk_qcow2_hot(kvl_check_ctx *ctx);
void kvl_check_disk_file_backed_hot(kvl_check_ctx *ctx);
void kvl_check_disk_cdrom_virtio(kvl_check_ctx *ctx);
void kvl_check_disk_shareable_unsafe(kvl_check_ctx *ctx);

/* disk_cache.c: cache and I/O modes */
void kvl_check_disk_io_native_cache(kvl_check_ctx *ctx);
void kvl_check_disk_cache_mode(kvl_check_ctx *ctx);
void kvl_check_disk_io_mode(kvl_check_ctx *ctx);

/* disk_iothreads.c: IOThreads */
void kvl_check_disk_iothread_invalid(kvl_check_ctx *ctx);
void kvl_check_disk_iothreads_sizing(kvl_check_ctx *ctx);

/* disk_iotune.c: I/O limits */
void kvl_check_disk_iotune_invalid(kvl_check_ctx *ctx);
void kvl_check_disk_iotune_missing(kvl_check_ctx *ctx);

/* memory.c: locking, limits, sizes and hugepage settings, KSM, balloon, shared memory */
void kvl_check_mem_locked_no_hard_limit(kvl_check_ctx *ctx);
void kvl_check_mem_hard_limit_too_low(kvl_check_ctx *ctx);
void kvl_check_mem_size_invalid(kvl_check_ctx *ctx);
void kvl_check_mem_hugepage_config_invalid(kvl_check_ctx *ctx);
void kvl_check_mem_nosharepages(kvl_check_ctx *ctx);
void kvl_check_mem_balloon_pointless(kvl_check_ctx *ctx);
void kvl_check_mem_shared_required(kvl_check_ctx *ctx);

/* memory_hugepages.c: hugepage pools */
void kvl_check_mem_hugepage_unavailable(kvl_check_ctx *ctx);
void kvl_check_mem_hugepage_not_multiple(kvl_check_ctx *ctx);
void kvl_check_mem_hugepages_recommended(kvl_check_ctx *ctx);

#endif
