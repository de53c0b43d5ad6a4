#!/bin/sh
# Print the path of Debian's guest kernel (vmlinuz) on stdout, fetching it
# on first use.
#
#   tools/fetch-kernel.sh            -> .../xhv/kernel/<ver>/vmlinuz-<ver>
#   XHV_KERNEL=/path tools/fetch-kernel.sh   -> /path (no fetching at all)
#
# <ver> is the kernel that Debian's "linux-image-amd64" metapackage depends
# on (e.g. 6.1.0-56-amd64), read from the local apt lists; "apt-get update"
# runs only when those lists do not know the package or the download fails
# (stale lists). The package is fetched with "apt-get download" (the host's
# configured mirrors, ~70 MB, once) and only boot/vmlinuz-<ver> is kept, in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/xhv/kernel/<ver>/
# together with "version" (<ver>) and "deb-version" (the package version).
# Idempotent: a cached kernel for the current <ver> is printed without any
# network access. If the lists cannot be read or updated (offline) and an
# older kernel is cached, that one is used with a warning on stderr.
#
# Messages go to stderr; stdout carries only the path. Exits non-zero with a
# message when no kernel can be had (offline, no apt, not root, ...).
set -eu
# shellcheck source=SCRIPTDIR/lib/apt-fetch.sh
. "$(dirname "$0")/lib/apt-fetch.sh"
apt_fetch_prog=fetch-kernel

if [ -n "${XHV_KERNEL:-}" ]; then
    [ -f "$XHV_KERNEL" ] || die "XHV_KERNEL=$XHV_KERNEL: no such file"
    echo "$XHV_KERNEL"
    exit 0
fi

# The kernel version linux-image-amd64 depends on, per the local apt lists
# (empty if the lists do not know it).
current_version() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n 1
}

# The kernel's name in the cache entry for version $1.
apt_fetch_name() {
    echo "vmlinuz-$1"
}

apt_fetch_init kernel "~70 MB"
apt_fetch_version current_version "linux-image-amd64 package" "kernel version"
apt_fetch_cached

pkg=linux-image-$ver
note "downloading $pkg (once)"
apt_fetch_download "$pkg" "$pkg" current_version \
    "linux-image-amd64 now depends on"
dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$work" "./boot/vmlinuz-$ver" ||
    die "$pkg has no boot/vmlinuz-$ver"
[ -s "$work/boot/vmlinuz-$ver" ] || die "$pkg: empty boot/vmlinuz-$ver"
mv "$work/boot/vmlinuz-$ver" "$work/out/vmlinuz-$ver"
echo "$ver" >"$work/out/version"
apt_fetch_commit "$pkg"
