
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/build/generated/catalogue_data.c" "CMakeFiles/kvmlint_core.dir/generated/catalogue_data.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/generated/catalogue_data.c.o.d"
  "/work/main/src/cli/cli.c" "CMakeFiles/kvmlint_core.dir/src/cli/cli.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/cli/cli.c.o.d"
  "/work/main/src/cli/cmd_check.c" "CMakeFiles/kvmlint_core.dir/src/cli/cmd_check.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/cli/cmd_check.c.o.d"
  "/work/main/src/cli/cmd_explain.c" "CMakeFiles/kvmlint_core.dir/src/cli/cmd_explain.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/cli/cmd_explain.c.o.d"
  "/work/main/src/cli/cmd_rules.c" "CMakeFiles/kvmlint_core.dir/src/cli/cmd_rules.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/cli/cmd_rules.c.o.d"
  "/work/main/src/lint/engine.c" "CMakeFiles/kvmlint_core.dir/src/lint/engine.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/lint/engine.c.o.d"
  "/work/main/src/lint/finding.c" "CMakeFiles/kvmlint_core.dir/src/lint/finding.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/lint/finding.c.o.d"
  "/work/main/src/model/cpuset.c" "CMakeFiles/kvmlint_core.dir/src/model/cpuset.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/cpuset.c.o.d"
  "/work/main/src/model/domain.c" "CMakeFiles/kvmlint_core.dir/src/model/domain.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/domain.c.o.d"
  "/work/main/src/model/domain_cpu.c" "CMakeFiles/kvmlint_core.dir/src/model/domain_cpu.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/domain_cpu.c.o.d"
  "/work/main/src/model/domain_devices.c" "CMakeFiles/kvmlint_core.dir/src/model/domain_devices.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/domain_devices.c.o.d"
  "/work/main/src/model/domain_memory.c" "CMakeFiles/kvmlint_core.dir/src/model/domain_memory.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/domain_memory.c.o.d"
  "/work/main/src/model/domain_meta.c" "CMakeFiles/kvmlint_core.dir/src/model/domain_meta.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/domain_meta.c.o.d"
  "/work/main/src/model/domain_query.c" "CMakeFiles/kvmlint_core.dir/src/model/domain_query.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/domain_query.c.o.d"
  "/work/main/src/model/host.c" "CMakeFiles/kvmlint_core.dir/src/model/host.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/host.c.o.d"
  "/work/main/src/model/host_caps.c" "CMakeFiles/kvmlint_core.dir/src/model/host_caps.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/host_caps.c.o.d"
  "/work/main/src/model/host_hwloc.c" "CMakeFiles/kvmlint_core.dir/src/model/host_hwloc.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/host_hwloc.c.o.d"
  "/work/main/src/model/units.c" "CMakeFiles/kvmlint_core.dir/src/model/units.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/model/units.c.o.d"
  "/work/main/src/output/json.c" "CMakeFiles/kvmlint_core.dir/src/output/json.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/output/json.c.o.d"
  "/work/main/src/output/output.c" "CMakeFiles/kvmlint_core.dir/src/output/output.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/output/output.c.o.d"
  "/work/main/src/output/text.c" "CMakeFiles/kvmlint_core.dir/src/output/text.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/output/text.c.o.d"
  "/work/main/src/rules/catalogue.c" "CMakeFiles/kvmlint_core.dir/src/rules/catalogue.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/rules/catalogue.c.o.d"
  "/work/main/src/rules/check.c" "CMakeFiles/kvmlint_core.dir/src/rules/check.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/rules/check.c.o.d"
  "/work/main/src/rules/disk.c" "CMakeFiles/kvmlint_core.dir/src/rules/disk.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/rules/disk.c.o.d"
  "/work/main/src/rules/emulator.c" "CMakeFiles/kvmlint_core.dir/src/rules/emulator.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/rules/emulator.c.o.d"
  "/work/main/src/rules/numa.c" "CMakeFiles/kvmlint_core.dir/src/rules/numa.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/rules/numa.c.o.d"
  "/work/main/src/rules/overcommit.c" "CMakeFiles/kvmlint_core.dir/src/rules/overcommit.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/rules/overcommit.c.o.d"
  "/work/main/src/rules/registry.c" "CMakeFiles/kvmlint_core.dir/src/rules/registry.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/rules/registry.c.o.d"
  "/work/main/src/rules/rule_util.c" "CMakeFiles/kvmlint_core.dir/src/rules/rule_util.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/rules/rule_util.c.o.d"
  "/work/main/src/rules/virtio.c" "CMakeFiles/kvmlint_core.dir/src/rules/virtio.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/rules/virtio.c.o.d"
  "/work/main/src/util/buf.c" "CMakeFiles/kvmlint_core.dir/src/util/buf.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/util/buf.c.o.d"
  "/work/main/src/util/mem.c" "CMakeFiles/kvmlint_core.dir/src/util/mem.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/util/mem.c.o.d"
  "/work/main/src/xml/doc.c" "CMakeFiles/kvmlint_core.dir/src/xml/doc.c.o" "gcc" "CMakeFiles/kvmlint_core.dir/src/xml/doc.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
