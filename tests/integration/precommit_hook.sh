#!/bin/sh
# The pre-commit hook against the INSTALLED kvmlint: `cmake --install` into
# a temporary prefix (which must then hold bin/kvmlint, the man page and
# the bash completion), a temporary git repository with a good and a bad
# VM, a config and a host snapshot, and what pre-commit itself would run:
# the hook's entry (read from .pre-commit-hooks.yaml) with the staged files
# that match its `types: [xml]` and not its `exclude`, PATH set to the
# prefix.  pre-commit is not installed here, so this emulates it.
#   precommit_hook.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d /tmp/kvmlint-precommit-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in bin/kvmlint share/man/man1/kvmlint.1 share/bash-completion/completions/kvmlint; do
    [ -f "$tmp/prefix/$f" ] || fail "cmake --install did not install $f"
done
[ -x "$tmp/prefix/bin/kvmlint" ] || fail "bin/kvmlint is not executable"

# the hook definition: entry and exclude of id kvmlint
hooks=$src/.pre-commit-hooks.yaml
entry=$(sed -n 's/^  entry: *//p' "$hooks")
exclude=$(sed -n "s/^  exclude: *'\\(.*\\)'\$/\\1/p" "$hooks")
[ "$entry" = "kvmlint check" ] || fail "unexpected hook entry '$entry'"
grep -q '^  language: system$' "$hooks" || fail "the hook is not a system hook"
grep -q '^  require_serial: true$' "$hooks" || fail "the hook must run serially (one fleet)"

repo=$tmp/repo
mkdir -p "$repo/vms" "$repo/hosts"
cd "$repo"
git init -q .
cp "$src/testdata/hosts/two-node.caps.xml" hosts/host1.caps.xml
cat > .kvmlint.xml <<'CFG'
<kvmlint>
  <host path="vms/**"><snapshot file="hosts/host1.caps.xml"/></host>
</kvmlint>
CFG
vm() {      # NAME BUS: a small tuned VM with its disk on BUS
    cat <<VM
<domain type='kvm'>
  <name>$1</name>
  <memory unit='GiB'>2</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <cpu mode='host-passthrough'/>
  <clock offset='utc'>
    <timer name='rtc' tickpolicy='catchup'/><timer name='pit' tickpolicy='delay'/>
    <timer name='hpet' present='no'/>
  </clock>
  <devices>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw' cache='none' io='native'/>
      <source dev='/dev/vg0/$1'/>
      <target dev='$3' bus='$2'/>
      <iotune><total_iops_sec>1000</total_iops_sec></iotune>
    </disk>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>
VM
}
vm good virtio vda > vms/good.xml
vm bad ide hda > vms/bad.xml

# pre-commit: staged files, then the hook's file filter, then the entry
run_hook() {
    git add -A
    files=$(git diff --cached --name-only | grep '\.xml$' \
            | python3 -c 'import re, sys
for f in sys.stdin.read().split():
    if not re.search(sys.argv[1], f): print(f)' "$exclude")
    # shellcheck disable=SC2086  # word splitting is the point
    PATH=$tmp/prefix/bin:$PATH $entry $files
}

set +e
out=$(run_hook 2>&1); rc=$?
set -e
[ "$rc" -eq 1 ] || fail "hook on a repository with a bad VM: exit $rc, expected 1: $out"
echo "$out" | grep -q 'vms/bad.xml:.*\[disk-bus-not-virtio\]' || fail "no finding for bad.xml: $out"
echo "$out" | grep -Eq 'good.xml:.*: (warning|error):' && fail "a finding for good.xml: $out"

git rm -q --cached vms/bad.xml && rm vms/bad.xml
set +e
out=$(run_hook 2>&1); rc=$?
set -e
[ "$rc" -eq 0 ] || fail "hook on a clean repository: exit $rc: $out"
echo "ok: the installed kvmlint, run as the pre-commit hook, fails on bad.xml only"
