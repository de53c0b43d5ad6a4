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

die() {
    echo "fetch-kernel: $*" >&2
    exit 1
}
note() {
    echo "fetch-kernel: $*" >&2
}

if [ -n "${XHV_KERNEL:-}" ]; then
    [ -f "$XHV_KERNEL" ] || die "XHV_KERNEL=$XHV_KERNEL: no such file"
    echo "$XHV_KERNEL"
    exit 0
fi

cache=${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/xhv/kernel
updated=no

# The kernel version linux-image-amd64 depends on, per the local apt lists
# (empty if the lists do not know it).
current_version() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n 1
}

apt_update() {
    [ "$updated" = yes ] && return 1
    updated=yes
    if [ "$(id -u)" != 0 ]; then
        note "apt lists need updating but this is not root"
        return 1
    fi
    note "running apt-get update"
    apt-get update -qq >&2 2>&1 || return 1
}

# Newest cached kernel, for when the network is not there.
newest_cached() {
    v=$(for d in "$cache"/*/; do
            v=${d%/}
            v=${v##*/}
            if [ -f "$cache/$v/vmlinuz-$v" ]; then echo "$v"; fi
        done | sort -V | tail -n 1)
    if [ -n "$v" ]; then echo "$cache/$v/vmlinuz-$v"; fi
}

offline() {
    old=$(newest_cached)
    if [ -n "$old" ]; then
        note "warning: $1; using the cached $old"
        echo "$old"
        exit 0
    fi
    die "$1 (offline? needs the Debian apt mirrors once, ~70 MB)"
}

command -v apt-cache >/dev/null 2>&1 || offline "apt-cache not found (not Debian?)"

ver=$(current_version)
if [ -z "$ver" ]; then
    apt_update || offline "apt-get update failed"
    ver=$(current_version)
    [ -n "$ver" ] || offline "apt knows no linux-image-amd64 package"
fi
case $ver in
    */* | *..* | *' '*) die "unexpected kernel version '$ver'" ;;
esac

dir=$cache/$ver
kernel=$dir/vmlinuz-$ver
if [ -f "$kernel" ]; then
    echo "$kernel"
    exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

pkg=linux-image-$ver
note "downloading $pkg (once)"
# APT::Sandbox::User=root: apt's _apt user cannot write into our private
# temporary directory.
download() {
    (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$pkg" \
        >&2 2>&1)
}
if ! download; then
    # Stale lists name a package version the mirror no longer has.
    apt_update || offline "could not download $pkg"
    ver2=$(current_version)
    if [ -n "$ver2" ] && [ "$ver2" != "$ver" ]; then
        note "linux-image-amd64 now depends on $ver2"
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
debver=$(dpkg-deb -f "$deb" Version)

dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$work" "./boot/vmlinuz-$ver" ||
    die "$pkg has no boot/vmlinuz-$ver"
[ -s "$work/boot/vmlinuz-$ver" ] || die "$pkg: empty boot/vmlinuz-$ver"

# Assemble the cache entry beside its final place, then rename it in one
# step so a concurrent or interrupted run never sees half a directory.
mkdir "$work/out"
mv "$work/boot/vmlinuz-$ver" "$work/out/vmlinuz-$ver"
chmod 0644 "$work/out/vmlinuz-$ver"
echo "$ver" >"$work/out/version"
echo "$debver" >"$work/out/deb-version"
if ! mv -T "$work/out" "$dir" 2>/dev/null; then
    [ -f "$kernel" ] || die "could not create $dir"
fi
note "cached $pkg $debver"
echo "$kernel"
