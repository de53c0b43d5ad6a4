#!/bin/sh
# Print the path of Debian's Xen 4.17 hypervisor as a plain ELF (what QEMU's
# -kernel wants) on stdout, fetching it on first use. The benchmark's (X)
# configuration boots it with Debian's kernel as PV dom0.
#
#   tools/bench/fetch-xen.sh           -> .../xhv/xen/<deb-version>/xen
#   XHV_XEN=/path tools/bench/fetch-xen.sh   -> /path (no fetching at all)
#
# The package, xen-hypervisor-4.17-amd64, is fetched with "apt-get download"
# (the host's configured mirrors, ~2 MB, once; never installed) and only
# boot/xen-4.17-amd64.gz is kept, decompressed, in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/xhv/xen/<deb-version>/xen
# with "deb-version" beside it. A cached copy of the candidate version is
# printed without any network access; when the apt lists do not know the
# package or the download fails, "apt-get update" runs once (root only); if
# that fails too and an older copy is cached, that one is used with a
# warning. Messages go to stderr; stdout carries only the path.
set -eu
# shellcheck source=SCRIPTDIR/../lib/apt-fetch.sh
. "$(dirname "$0")/../lib/apt-fetch.sh"
apt_fetch_prog=fetch-xen

pkg=xen-hypervisor-4.17-amd64

if [ -n "${XHV_XEN:-}" ]; then
    [ -f "$XHV_XEN" ] || die "XHV_XEN=$XHV_XEN: no such file"
    echo "$XHV_XEN"
    exit 0
fi

candidate() {
    apt-cache policy "$pkg" 2>/dev/null |
        sed -n 's/^ *Candidate: \([^ ]*\)$/\1/p' | grep -v '^(none)$' | head -n 1
}

# The hypervisor's name in a cache entry.
apt_fetch_name() {
    echo xen
}

apt_fetch_init xen "~2 MB"
apt_fetch_version candidate "$pkg" version
apt_fetch_cached

note "downloading $pkg $ver (once)"
apt_fetch_download "$pkg" "$pkg=$ver" candidate
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./boot/xen-4.17-amd64.gz ||
    die "$pkg has no boot/xen-4.17-amd64.gz"
zcat "$work/boot/xen-4.17-amd64.gz" >"$work/out/xen"
[ -s "$work/out/xen" ] || die "empty boot/xen-4.17-amd64.gz"
apt_fetch_commit "$pkg"
