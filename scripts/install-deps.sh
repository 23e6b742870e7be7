#!/bin/sh
# Installs the Debian packages kvmlint needs to build and test, if missing.
# Used by `make demo` and `make test`; runs apt-get through sudo when not root.
set -eu

PKGS="cmake gcc make pkg-config libxml2-dev libxml2-utils libxslt1-dev \
libhwloc-dev hwloc libcmocka-dev libvirt-clients python3-jsonschema"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps: need root or sudo to install:$missing" >&2
    exit 1
fi
echo "install-deps: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
