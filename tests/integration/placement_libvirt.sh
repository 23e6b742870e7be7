#!/bin/sh
# Placement output is accepted by libvirt (issue 5, "as in the fix issue"):
# each placement golden input is fixed with its host (with --unsafe-fixes,
# so guest NUMA cells are written too), then the result must validate
# against libvirt's RelaxNG schema whenever the input did, and be accepted
# by `virsh -c test:///default define` whenever the input was.  Skipped (77)
# without xmllint, the schema or virsh.
#   placement_libvirt.sh KVMLINT SRCDIR
set -eu
kvmlint=$1
src=$2
rng=/usr/share/libvirt/schemas/domain.rng
command -v virsh >/dev/null 2>&1 || { echo "virsh not installed: skipped"; exit 77; }
command -v xmllint >/dev/null 2>&1 || { echo "xmllint not installed: skipped"; exit 77; }
[ -r "$rng" ] || { echo "$rng absent: skipped"; exit 77; }
tmp=$(mktemp -d /tmp/kvmlint-place-libvirt-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

valid() { xmllint --noout --relaxng "$rng" "$1" >/dev/null 2>&1; }
defines() { virsh -q -c test:///default define "$1" >/dev/null 2>&1; }

# input | host
cases="
examples/sql01.xml|examples/hosts/dl380p-g8.caps.xml
examples/sql01.xml|examples/hosts/dl380p-g8.hwloc.xml
testdata/placement/gpu-hostdev-node/vm.xml|examples/hosts/dl380p-g8.hwloc.xml
testdata/placement/wide-24-vcpus/vm.xml|examples/hosts/dl380p-g8.caps.xml
testdata/placement/wide-hugepages/vm.xml|testdata/hosts/memory-big-pools.caps.xml
testdata/placement/fleet-fits/a.xml|testdata/hosts/two-node.caps.xml
testdata/placement/fleet-fits/b.xml|testdata/hosts/two-node.caps.xml
"
n=0
for c in $cases; do
    in=$src/${c%%|*}
    host=$src/${c##*|}
    n=$((n + 1))
    out=$tmp/out$n.xml
    rc=0
    "$kvmlint" fix --host "$host" --unsafe-fixes -o "$out" "$in" 2>"$tmp/err$n" || rc=$?
    [ "$rc" -le 1 ] || fail "$in: kvmlint fix exited $rc: $(cat "$tmp/err$n")"
    cmp -s "$in" "$out" && fail "$in: nothing was fixed (the case expects a placement)"
    grep -q "fixed (safe) \[\(numa\|cpu\)-\|fixed (unsafe) \[numa-" "$tmp/err$n" ||
        fail "$in: no placement fix applied: $(cat "$tmp/err$n")"
    if valid "$in"; then
        valid "$out" || fail "$in: the fixed copy no longer validates against $rng"
    fi
    if defines "$in"; then
        defines "$out" || fail "$in: virsh defines it, but not its fixed copy"
    fi
    echo "ok: $(basename "$in") on $(basename "$host")"
done
echo "$n placements accepted by libvirt's schema and parser"
