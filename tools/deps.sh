#!/bin/sh
# Install the Debian 12 packages xhv's build, run and tests need.
# Idempotent: does nothing when every package is already installed.
set -e

PKGS="make gcc binutils clang lld libclang-rt-14-dev \
qemu-system-x86 qemu-utils libxen-dev gnu-efi libfdt-dev ovmf busybox-static \
device-tree-compiler cpio xz-utils gzip python3 ca-certificates libc6-dev debootstrap e2fsprogs"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "deps: missing packages:$missing (run as root, or install them)" >&2
    exit 1
fi
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
