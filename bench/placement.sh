#!/bin/sh
# Placement benchmark (not a test): 500 VMs of 2 vCPUs, each pinned across
# two host nodes, on a generated 8-node, 256-CPU host (32 CPUs and 64 GiB
# per node, SMT pairs n/n+128).  Every VM fires numa-pin-cross-node, so
# the allocator plans the whole fleet; prints the wall time of
# `kvmlint check` and of `xmllint --noout` on the same files, and how many
# VMs got a plan.  Usage: bench/placement.sh [BUILD_DIR]
set -eu
build=${1:-build}
kvmlint=$build/kvmlint
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

awk 'BEGIN {
  print "<capabilities><host><cpu><arch>x86_64</arch>"
  print "<topology sockets=\"8\" dies=\"1\" cores=\"16\" threads=\"2\"/></cpu>"
  print "<topology><cells num=\"8\">"
  for (n = 0; n < 8; n++) {
    printf "<cell id=\"%d\"><memory unit=\"KiB\">67108864</memory>", n
    printf "<pages unit=\"KiB\" size=\"4\">16777216</pages>"
    printf "<pages unit=\"KiB\" size=\"2048\">0</pages><distances>"
    for (m = 0; m < 8; m++) printf "<sibling id=\"%d\" value=\"%d\"/>", m, m == n ? 10 : 21
    printf "</distances><cpus num=\"32\">"
    for (c = 0; c < 16; c++) {
      a = n * 16 + c; b = a + 128
      printf "<cpu id=\"%d\" socket_id=\"%d\" core_id=\"%d\" siblings=\"%d,%d\"/>", a, n, c, a, b
      printf "<cpu id=\"%d\" socket_id=\"%d\" core_id=\"%d\" siblings=\"%d,%d\"/>", b, n, c, a, b
    }
    print "</cpus></cell>"
  }
  print "</cells></topology></host></capabilities>"
}' > "$dir/host.xml"

mkdir "$dir/vms"
awk -v dir="$dir/vms" 'BEGIN {
  for (i = 0; i < 500; i++) {
    f = sprintf("%s/vm%03d.xml", dir, i)
    n = i % 8; m = (n + 1) % 8
    printf "<domain type=\"kvm\"><name>vm%03d</name><memory unit=\"MiB\">512</memory>", i > f
    printf "<vcpu placement=\"static\">2</vcpu><cputune>" > f
    printf "<vcpupin vcpu=\"0\" cpuset=\"%d\"/><vcpupin vcpu=\"1\" cpuset=\"%d\"/>", n * 16, m * 16 > f
    printf "</cputune><os><type arch=\"x86_64\" machine=\"pc-q35-7.2\">hvm</type></os>" > f
    printf "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices></domain>\n" > f
    close(f)
  }
}'

now() { date +%s.%N; }
t0=$(now)
"$kvmlint" check --host "$dir/host.xml" "$dir/vms" > "$dir/out.txt" || true
t1=$(now)
xmllint --noout "$dir"/vms/*.xml
t2=$(now)
placed=$(grep -c "\[numa-pin-cross-node\]" "$dir/out.txt" || true)
planned=$(grep -A2 "\[numa-pin-cross-node\]" "$dir/out.txt" | grep -c "^  fix (safe): re-place" || true)
echo "kvmlint check, 500 VMs on 8 nodes / 256 CPUs: $(echo "$t1 - $t0" | bc) s"
echo "xmllint --noout on the same files:            $(echo "$t2 - $t1" | bc) s"
echo "numa-pin-cross-node findings: $placed, with a placement plan: $planned"
