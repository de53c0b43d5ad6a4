#!/bin/sh
# Build (once) and print the directory of the nested harness's L1 image:
#
#   vmlinuz      Debian's linux-image-<ver> kernel for L1
#   initrd.gz    busybox initramfs: loads virtio/ext4, mounts root.img
#                read-only, switch_roots into /sbin/xhv-l1-init
#   root.img     ext4 (no journal): debootstrap --variant=minbase of the
#                host's Debian release with qemu-system-x86, trimmed, plus
#                the few kernel modules L1 needs (kvm_amd, 9p, ...)
#   info         what went in (release, kernel, sizes, build time)
#
# The image lives in ${XDG_CACHE_HOME:-$HOME/.cache}/xhv/nested/<key>, key =
# <release>-<kernel version>-<hash of this script>, so a fresh clone reuses
# it and an edit of this script (or a new Debian kernel) builds a new one.
# The debootstrap .debs are kept in .../xhv/nested/debs for rebuilds.
#
# The mirror is read from the machine's own apt sources (deb822
# /etc/apt/sources.list.d/*.sources or one-line sources.list), never
# written here; XHV_NESTED_MIRROR overrides it. XHV_NESTED_RELEASE and
# XHV_NESTED_KVER override the Debian release and the kernel version.
#
# Needs root (debootstrap chroots), ~2.5 GB free while building (the result
# is ~250 MB), the network once (~170 MB of packages), ~5 min.
#
# stdout: the directory; messages on stderr. Exit status: 0 built or
# cached; 77 cannot be built on this machine (reason printed, callers
# report SKIP); anything else is a bug in this script.
set -eu

SKIP=77
note() { echo "build-l1: $*" >&2; }
skip() {
    {
        echo "build-l1: ***********************************************"
        echo "build-l1: CANNOT BUILD the nested L1 image: $*"
        echo "build-l1: ***********************************************"
    } >&2
    exit "$SKIP"
}

self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
hash=$(sha256sum "$self" | cut -c1-12)
top=${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/xhv/nested

# Modules L1 needs (with their dependencies, resolved by modprobe).
# Storage: loaded by the initramfs. Rest: by /sbin/xhv-l1-init.
MODS_BOOT="virtio_pci virtio_blk ext4 crc32c_generic"
MODS_ROOT="kvm_amd 9pnet_virtio 9p"

# ---- release, kernel version, key ---------------------------------------
release=${XHV_NESTED_RELEASE:-}
if [ -z "$release" ] && [ -r /etc/os-release ]; then
    release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
fi
[ -n "$release" ] || skip "cannot tell the Debian release (/etc/os-release has no VERSION_CODENAME; set XHV_NESTED_RELEASE)"

kernel_version() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*\)$/\1/p' | head -n 1
}
# A cached image with this script's hash, for when apt cannot tell.
newest_cached() {
    for d in "$top"/*-"$hash"; do
        [ -f "$d/root.img" ] && echo "$d"
    done | sort -V | tail -n 1
}
kver=${XHV_NESTED_KVER:-}
if [ -z "$kver" ] && command -v apt-cache >/dev/null 2>&1; then
    kver=$(kernel_version)
fi
if [ -z "$kver" ]; then
    old=$(newest_cached)
    if [ -n "$old" ]; then
        note "warning: apt does not name linux-image-amd64's kernel; using the cached $old"
        echo "$old"
        exit 0
    fi
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        note "running apt-get update"
        apt-get update -qq >&2 2>&1 || true
        kver=$(kernel_version)
    fi
fi
[ -n "$kver" ] || skip "apt knows no linux-image-amd64 (not Debian, or no apt lists and no network)"
case $kver in
    */* | *..* | *' '*) skip "unexpected kernel version '$kver'" ;;
esac

key=$release-$kver-$hash
dir=$top/$key
if [ -f "$dir/root.img" ] && [ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.gz" ]; then
    echo "$dir"
    exit 0
fi

# ---- preconditions -------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap chroots); run once as root, the result is cached in $top"
for tool in debootstrap mkfs.ext4 apt-get dpkg-deb cpio gzip chroot flock; do
    command -v "$tool" >/dev/null 2>&1 ||
        PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null 2>&1 ||
        skip "$tool is not installed (make deps)"
done
export PATH="$PATH:/usr/sbin:/sbin"
bb=/bin/busybox
if [ ! -x "$bb" ] || ! "$bb" --list 2>/dev/null | grep -qx switch_root; then
    skip "$bb (busybox-static) is missing (make deps)"
fi
if ldd "$bb" >/dev/null 2>&1; then
    skip "$bb is dynamically linked (want busybox-static)"
fi

mkdir -p "$top" || skip "cannot create $top"
# One build at a time per cache: a second caller waits, then reuses.
exec 9>"$top/.lock"
if ! flock -n 9; then
    note "another build of the L1 image is running; waiting (up to 20 min)"
    flock -w 1200 9 || skip "timed out waiting for another build's lock ($top/.lock)"
fi
if [ -f "$dir/root.img" ] && [ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.gz" ]; then
    echo "$dir"
    exit 0
fi

need_kb=2500000
free_kb=$(df -Pk "$top" | awk 'NR == 2 { print $4 }')
[ "${free_kb:-0}" -ge "$need_kb" ] ||
    skip "not enough space in $top: ${free_kb:-?} KB free, need $need_kb KB while building"

# The mirror: the first 'deb' source of this release with component main.
mirror=${XHV_NESTED_MIRROR:-}
keyring=
if [ -z "$mirror" ]; then
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        # deb822 stanzas (blank-line separated): print "uri keyring".
        r=$(awk -v rel="$release" '
            function flush() {
                if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " rel " ") &&
                    (" " comps " ") ~ / main / && enabled != "no" && uris != "") {
                    split(uris, u, " ")
                    print u[1], (signed == "" ? "-" : signed)
                    found = 1
                    exit
                }
                types = uris = suites = comps = signed = enabled = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^[A-Za-z-]+:/ {
                k = tolower($1); sub(/:$/, "", k)
                v = $0; sub(/^[^:]*:[ \t]*/, "", v)
                if (k == "types") types = v
                else if (k == "uris") uris = v
                else if (k == "suites") suites = v
                else if (k == "components") comps = v
                else if (k == "signed-by") signed = v
                else if (k == "enabled") enabled = tolower(v)
            }
            END { if (!found) flush() }' "$f")
        if [ -n "$r" ]; then
            mirror=${r% *}
            keyring=${r#* }
            break
        fi
    done
fi
if [ -z "$mirror" ]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        r=$(awk -v rel="$release" '
            $1 == "deb" {
                i = 2; signed = "-"
                if ($2 ~ /^\[/) {
                    while (i <= NF) {
                        if ($i ~ /signed-by=/) { s = $i; sub(/.*signed-by=/, "", s); sub(/\]$/, "", s); signed = s }
                        if ($i ~ /\]$/) { i++; break }
                        i++
                    }
                }
                if ($(i + 1) == rel) {
                    for (j = i + 2; j <= NF; j++)
                        if ($j == "main") { print $i, signed; exit }
                }
            }' "$f")
        if [ -n "$r" ]; then
            mirror=${r% *}
            keyring=${r#* }
            break
        fi
    done
fi
[ -n "$mirror" ] || skip "no 'deb' source for '$release' (component main) in /etc/apt/sources.list{,.d/*}; set XHV_NESTED_MIRROR"
case $mirror in
    http://* | https://* | file:/*) ;;
    *) skip "unsupported mirror URI scheme in the apt sources: $mirror" ;;
esac
[ "$keyring" = - ] && keyring=
[ -n "$keyring" ] && [ ! -f "$keyring" ] && keyring=

# ---- build ---------------------------------------------------------------
start=$(date +%s)
work=$(mktemp -d "$top/.build.XXXXXX")
cleanup() {
    # debootstrap may leave mounts behind when it fails.
    for m in proc sys dev/pts dev; do
        umount -l "$work/root/$m" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
note "building the L1 image $key (once, ~5 min) in $work"

# The kernel: the same package tools/fetch-kernel.sh takes the guest's
# vmlinuz from; here L1's kernel and its modules come from it.
pkg=linux-image-$kver
download() {
    (cd "$work/kdeb" && apt-get download -q -o APT::Sandbox::User=root "$pkg" \
        >"$work/apt.log" 2>&1)
}
mkdir "$work/kdeb"
if ! download; then
    note "apt-get download $pkg failed; running apt-get update"
    apt-get update -qq >>"$work/apt.log" 2>&1 || true
    download || {
        tail -n 5 "$work/apt.log" | sed 's/^/build-l1:   /' >&2
        skip "cannot download $pkg (no network or mirror?)"
    }
fi
deb=$(ls "$work"/kdeb/*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || skip "apt-get download left no .deb for $pkg"
debver=$(dpkg-deb -f "$deb" Version)

# debootstrap; the .debs are cached beside the images.
mkdir -p "$top/debs"
set -- --variant=minbase --include=qemu-system-x86,kmod,busybox,procps \
    --cache-dir="$top/debs"
[ -n "$keyring" ] && set -- "$@" --keyring="$keyring"
note "debootstrap $release ..."
t0=$(date +%s)
if ! debootstrap "$@" "$release" "$work/root" "$mirror" >"$work/debootstrap.out" 2>&1; then
    tail -n 8 "$work/debootstrap.out" | sed 's/^/build-l1:   /' >&2
    [ -f "$work/root/debootstrap/debootstrap.log" ] &&
        tail -n 8 "$work/root/debootstrap/debootstrap.log" | sed 's/^/build-l1:   /' >&2
    skip "debootstrap $release failed (network, mirror or space)"
fi
t_debootstrap=$(($(date +%s) - t0))
for m in proc sys dev/pts dev; do
    umount -l "$work/root/$m" 2>/dev/null || true
done
root=$work/root
[ -x "$root/usr/bin/qemu-system-x86_64" ] || skip "debootstrap did not install qemu-system-x86"
du_full=$(du -sm "$root" | cut -f1)

# Modules: unpack the package into the root, resolve dependencies with the
# root's own depmod/modprobe, keep only what L1 loads.
dpkg-deb -x "$deb" "$work/kpkg"
[ -f "$work/kpkg/boot/vmlinuz-$kver" ] || skip "$pkg has no boot/vmlinuz-$kver"
mkdir -p "$root/lib/modules"
rm -rf "$root/lib/modules/$kver"
mv "$work/kpkg/lib/modules/$kver" "$root/lib/modules/$kver"
chroot "$root" /sbin/depmod "$kver"
mods_of() {
    # shellcheck disable=SC2086
    chroot "$root" /sbin/modprobe -S "$kver" -a --show-depends $1 |
        sed -n 's/^insmod \([^ ]*\).*/\1/p'
}
boot_ko=$(mods_of "$MODS_BOOT") || skip "modprobe cannot resolve $MODS_BOOT"
root_ko=$(mods_of "$MODS_ROOT") || skip "modprobe cannot resolve $MODS_ROOT"
mkdir "$work/mods"
for ko in $boot_ko $root_ko; do
    mkdir -p "$work/mods$(dirname "$ko")"
    cp -p "$root$ko" "$work/mods$ko"
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
    [ -f "$root/lib/modules/$kver/$f" ] && cp -p "$root/lib/modules/$kver/$f" "$work/mods/lib/modules/$kver/"
done
rm -rf "$root/lib/modules/$kver"
cp -a "$work/mods/lib/modules/$kver" "$root/lib/modules/$kver"
chroot "$root" /sbin/depmod "$kver"

# Trim: documentation, locales, apt state, firmware images QEMU's NICs and
# displays would need (L2 runs with -nodefaults -display none).
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/usr/share/i18n "$root"/usr/share/lintian \
    "$root"/usr/share/bug "$root"/usr/share/bash-completion \
    "$root"/usr/share/common-licenses "$root"/usr/share/zoneinfo \
    "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
    "$root"/debootstrap "$root"/usr/lib/ipxe "$root"/usr/share/ipxe \
    "$root"/usr/share/qemu/keymaps "$root"/usr/lib/x86_64-linux-gnu/gconv \
    "$root"/usr/share/icons "$root"/usr/share/pixmaps "$root"/usr/share/applications \
    "$root"/usr/share/qemu/edk2-* "$root"/usr/share/qemu/skiboot.lid \
    "$root"/usr/share/qemu/openbios-* "$root"/usr/share/qemu/*.dtb
mkdir -p "$root/host" "$root/tmp" "$root/run"

# L1's PID 1 (after the initramfs): kvm_amd, the host folder over 9p, the
# script in it, poweroff. Root is read-only; writable: /tmp, /run (tmpfs).
cat >"$root/sbin/xhv-l1-init" <<'INIT'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs tmpfs /run
echo "xhv-l1: init at $(cut -d' ' -f1 /proc/uptime) s ($(uname -r))"
modprobe kvm_amd || echo "xhv-l1: modprobe kvm_amd failed"
[ -c /dev/kvm ] || echo "xhv-l1: no /dev/kvm (no SVM in L0's CPU model?)"
echo "xhv-l1: kvm_amd nested=$(cat /sys/module/kvm_amd/parameters/nested 2>/dev/null) npt=$(cat /sys/module/kvm_amd/parameters/npt 2>/dev/null); clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
modprobe 9pnet_virtio && modprobe 9p &&
    mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 host /host ||
    echo "xhv-l1: cannot mount the host folder (9p tag 'host')"
if [ -f /host/l1.sh ]; then
    sh /host/l1.sh
else
    echo "xhv-l1: no /host/l1.sh: nothing to do"
fi
echo "xhv-l1: powering off at $(cut -d' ' -f1 /proc/uptime) s"
umount /host 2>/dev/null
sync
busybox poweroff -f
echo o >/proc/sysrq-trigger
INIT
chmod 0755 "$root/sbin/xhv-l1-init"

# The root file system: ext4 without a journal (mounted read-only, shared
# by concurrent runs), sized to its contents.
du_root=$(du -sm "$root" | cut -f1)
img_mb=$((du_root + du_root / 5 + 64))
mkfs.ext4 -q -F -L xhv-l1 -O ^has_journal -m 0 -i 8192 -d "$root" \
    "$work/root.img" "${img_mb}M" >"$work/mkfs.log" 2>&1 || {
    sed 's/^/build-l1:   /' "$work/mkfs.log" >&2
    skip "mkfs.ext4 -d failed (e2fsprogs older than 1.43, or no space)"
}

# The initramfs: static busybox, the modules (depmod'ed) and an /init that
# mounts /dev/vda read-only and switch_roots.
ird=$work/initrd
mkdir -p "$ird/bin" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/newroot" "$ird/lib"
cp "$bb" "$ird/bin/busybox"
for app in sh mount umount insmod modprobe switch_root sleep cat echo mkdir ls; do
    ln -s busybox "$ird/bin/$app"
done
ln -s bin "$ird/sbin"
cp -a "$work/mods/lib/modules" "$ird/lib/modules"
cp -a "$root/lib/modules/$kver"/modules.* "$ird/lib/modules/$kver/"
cat >"$ird/init" <<INIT
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $MODS_BOOT; do
    modprobe "\$m" || echo "xhv-l1-initrd: modprobe \$m failed"
done
i=0
while [ ! -b /dev/vda ] && [ \$i -lt 100 ]; do
    sleep 0.1
    i=\$((i + 1))
done
if mount -t ext4 -o ro /dev/vda /newroot; then
    mount --move /dev /newroot/dev
    umount /proc /sys
    exec switch_root /newroot /sbin/xhv-l1-init
fi
echo "xhv-l1-initrd: cannot mount /dev/vda; powering off"
echo o >/proc/sysrq-trigger
INIT
chmod 0755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet) | gzip -9n >"$work/initrd.gz"

# Assemble the cache entry and rename it into place in one step.
out=$work/out
mkdir "$out"
mv "$work/root.img" "$out/root.img"
mv "$work/initrd.gz" "$out/initrd.gz"
cp "$work/kpkg/boot/vmlinuz-$kver" "$out/vmlinuz"
chmod 0644 "$out"/*
secs=$(($(date +%s) - start))
{
    echo "key=$key"
    echo "release=$release"
    echo "kernel=$kver"
    echo "kernel_deb=$debver"
    echo "qemu_in_l1=$(chroot "$root" dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null)"
    echo "root_mb_untrimmed=$du_full"
    echo "root_mb=$du_root"
    echo "image_mb=$img_mb"
    echo "image_used_mb=$(du -sm "$out/root.img" | cut -f1)"
    echo "initrd_kb=$(du -sk "$out/initrd.gz" | cut -f1)"
    echo "modules=$(for ko in $boot_ko $root_ko; do basename "$ko" .ko; done | awk '!seen[$0]++' | tr '\n' ' ')"
    echo "debootstrap_s=$t_debootstrap"
    echo "build_s=$secs"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$out/info"
if ! mv -T "$out" "$dir" 2>/dev/null; then
    [ -f "$dir/root.img" ] || { note "cannot create $dir"; exit 1; }
fi
note "built $dir in ${secs}s (debootstrap ${t_debootstrap}s; root ${du_root} MB, was ${du_full} MB)"
echo "$dir"
