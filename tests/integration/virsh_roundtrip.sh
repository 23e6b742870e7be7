#!/bin/sh
# Suppressions survive libvirt: define a domain with a <kvmlint:suppress>
# in its metadata and a comment pragma in libvirt's test driver and dump it
# again, in ONE virsh invocation (each `virsh -c test:///default` starts
# from a fresh default state), then lint the dump: the metadata suppression
# still applies, the comment (which libvirt drops) does not.  Skipped (77)
# without virsh.
#   virsh_roundtrip.sh KVMLINT
set -eu
kvmlint=$1
command -v virsh >/dev/null 2>&1 || { echo "virsh not installed: skipped"; exit 77; }
tmp=$(mktemp -d /tmp/kvmlint-virsh-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat > "$tmp/in.xml" <<'XML'
<domain type='kvm'>
  <name>roundtrip01</name>
  <metadata>
    <kvmlint:hints xmlns:kvmlint="http://kvmlint.org/xmlns/domain/1.0">
      <kvmlint:suppress rule="disk-bus-not-virtio" target="hda" reason="installer needs IDE"/>
    </kvmlint:hints>
  </metadata>
  <memory unit='GiB'>2</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/rt.img'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <!-- kvmlint: disable=net-model-not-virtio lost on define -->
    <interface type='network'>
      <mac address='52:54:00:77:00:01'/>
      <source network='default'/>
      <model type='e1000'/>
    </interface>
  </devices>
</domain>
XML
virsh -q -c test:///default "define $tmp/in.xml; dumpxml roundtrip01" > "$tmp/out.xml" \
    || fail "virsh define/dumpxml failed"
grep -q 'kvmlint:suppress' "$tmp/out.xml" || fail "libvirt dropped the kvmlint metadata"
grep -q 'kvmlint: disable' "$tmp/out.xml" && fail "libvirt kept the comment (unexpected)"

set +e
"$kvmlint" check --no-config -f json "$tmp/out.xml" > "$tmp/out.json"
rc=$?
set -e
[ "$rc" -le 1 ] || fail "kvmlint exit $rc on the dumped XML"
python3 - "$tmp/out.json" <<'PY' || fail "the suppression did not survive: $(cat "$tmp/out.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
sup = [f for f in doc["suppressed"] if f["rule"] == "disk-bus-not-virtio"]
assert sup and sup[0]["suppression"] == {"kind": "metadata", "reason": "installer needs IDE"}, sup
assert not [f for f in doc["findings"] if f["rule"] == "disk-bus-not-virtio"]
# the comment pragma did not survive: its finding is reported again
assert [f for f in doc["findings"] if f["rule"] == "net-model-not-virtio"]
assert not [f for f in doc["findings"] if f["rule"] == "suppression-unused"]
PY
echo "ok: the metadata suppression survives virsh define + dumpxml"
