#!/bin/sh
# Speed benchmark (not a test): lint the corpus' domain XMLs in one run and
# parse the same files with `xmllint --noout`, in the same process tree, and
# print the ratio.  The target is kvmlint within 1.5x of xmllint.
#   sh bench/bench.sh [path/to/kvmlint] [runs]
set -eu
KVMLINT=${1:-build/kvmlint}
RUNS=${2:-10}
CORPUS=${KVMLINT_CORPUS:-$(cd "$(dirname "$0")/../.." && pwd)/shared/corpus}
HOST=$CORPUS/libvirt/tests/vircaps2xmldata/vircaps-x86_64-basic.xml
LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT

if [ ! -d "$CORPUS/libvirt" ]; then
    echo "bench: corpus not found at $CORPUS (set KVMLINT_CORPUS)" >&2
    exit 1
fi
# The domain XMLs, as listed by the corpus' own table.
tail -n +2 "$CORPUS/stats/libvirt-domains.csv" | cut -d, -f1 |
    sed "s#^#$CORPUS/libvirt/#" >"$LIST"
NFILES=$(wc -l <"$LIST")
BYTES=$(xargs cat <"$LIST" | wc -c)

now() { date +%s.%N; }

# best-of-N wall time of a command reading the file list
best() {
    best=""
    i=0
    while [ $i -lt "$RUNS" ]; do
        t0=$(now)
        xargs "$@" <"$LIST" >/dev/null 2>&1 || true
        t1=$(now)
        t=$(awk "BEGIN { print $t1 - $t0 }")
        if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then best=$t; fi
        i=$((i + 1))
    done
    echo "$best"
}

# xargs could split the list into several invocations; both commands get the
# same split, and for this corpus it is one invocation each.
X=$(best xmllint --noout)
K=$(best "$KVMLINT" check --host "$HOST" --fail-on none -f json -o /dev/null)
KT=$(best "$KVMLINT" check --host "$HOST" --fail-on none -o /dev/null)
printf 'files: %s domain XMLs, %s bytes; best of %s runs\n' "$NFILES" "$BYTES" "$RUNS"
printf 'xmllint --noout:          %.3f s\n' "$X"
printf 'kvmlint check (json):     %.3f s  ratio %.2f\n' "$K" "$(awk "BEGIN { print $K / $X }")"
printf 'kvmlint check (text):     %.3f s  ratio %.2f\n' "$KT" "$(awk "BEGIN { print $KT / $X }")"
