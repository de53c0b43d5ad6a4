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

pkg=xen-hypervisor-4.17-amd64

die() {
    echo "fetch-xen: $*" >&2
    exit 1
}
note() {
    echo "fetch-xen: $*" >&2
}

if [ -n "${XHV_XEN:-}" ]; then
    [ -f "$XHV_XEN" ] || die "XHV_XEN=$XHV_XEN: no such file"
    echo "$XHV_XEN"
    exit 0
fi

cache=${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/xhv/xen
updated=no

candidate() {
    apt-cache policy "$pkg" 2>/dev/null |
        sed -n 's/^ *Candidate: \([^ ]*\)$/\1/p' | grep -v '^(none)$' | head -n 1
}

apt_update() {
    [ "$updated" = yes ] && return 1
    updated=yes
    [ "$(id -u)" = 0 ] || { note "apt lists need updating but this is not root"; return 1; }
    note "running apt-get update"
    apt-get update -qq >&2 2>&1 || return 1
}

offline() {
    old=$(for d in "$cache"/*/; do
              [ -f "${d}xen" ] && echo "${d%/}"
          done | sort -V | tail -n 1)
    if [ -n "$old" ]; then
        note "warning: $1; using the cached $old/xen"
        echo "$old/xen"
        exit 0
    fi
    die "$1 (offline? needs the Debian apt mirrors once, ~2 MB)"
}

command -v apt-cache >/dev/null 2>&1 || offline "apt-cache not found (not Debian?)"
ver=$(candidate)
if [ -z "$ver" ]; then
    apt_update || offline "apt-get update failed"
    ver=$(candidate)
    [ -n "$ver" ] || offline "apt knows no $pkg"
fi
case $ver in
    */* | *..* | *' '*) die "unexpected version '$ver'" ;;
esac

dir=$cache/$ver
if [ -f "$dir/xen" ]; then
    echo "$dir/xen"
    exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
note "downloading $pkg $ver (once)"
# APT::Sandbox::User=root: apt's _apt user cannot write into our private
# temporary directory.
download() {
    (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" \
        >&2 2>&1)
}
if ! download; then
    apt_update || offline "could not download $pkg"
    ver2=$(candidate)
    if [ -n "$ver2" ] && [ "$ver2" != "$ver" ]; then
        rm -rf "$work"
        exec "$0"
    fi
    download || offline "could not download $pkg"
fi
deb=
for f in "$work"/*.deb; do
    [ -f "$f" ] && deb=$f
done
[ -n "$deb" ] || die "apt-get download left no .deb"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./boot/xen-4.17-amd64.gz ||
    die "$pkg has no boot/xen-4.17-amd64.gz"
mkdir "$work/out"
zcat "$work/boot/xen-4.17-amd64.gz" >"$work/out/xen"
[ -s "$work/out/xen" ] || die "empty boot/xen-4.17-amd64.gz"
chmod 0644 "$work/out/xen"
echo "$ver" >"$work/out/deb-version"
# One rename: a concurrent or interrupted run never sees half a directory.
if ! mv -T "$work/out" "$dir" 2>/dev/null; then
    [ -f "$dir/xen" ] || die "could not create $dir"
fi
note "cached $pkg $ver"
echo "$dir/xen"
