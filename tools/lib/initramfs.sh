# Sourced (POSIX sh) by the busybox initramfs builders: tools/mkinitramfs.sh,
# tools/nested/mkinitramfs.sh and tools/bench/mkinitramfs.sh. They cd to the
# top of the tree before sourcing it (". tools/lib/initramfs.sh") and run
# under "set -e".
#
#   initramfs_need_busybox NAME     exit 1 with a message unless busybox is there
#   initramfs_fresh OUT DEP...      OUT is up to date (no rebuild needed)
#   initramfs_tree [DIR...]         a new root tree with busybox, in $root
#   initramfs_init_start FILE TEXT  the first part of an /init
#   initramfs_pack ROOT OUT         ROOT -> OUT (cpio, gzip), atomically

# Debian's static busybox (busybox-static), the root tree's only program.
initramfs_bb=/bin/busybox
# This file, relative to the top of the tree: every output depends on it.
initramfs_lib=tools/lib/initramfs.sh

initramfs_need_busybox() {
    [ -x "$initramfs_bb" ] ||
        { echo "$1: $initramfs_bb missing (busybox-static)" >&2; exit 1; }
}

# True when OUT exists and is newer than each DEP, busybox and this library.
initramfs_fresh() {
    ir_out=$1
    shift
    [ -f "$ir_out" ] || return 1
    for ir_dep in "$initramfs_bb" "$initramfs_lib" "$@"; do
        [ "$ir_out" -nt "$ir_dep" ] || return 1
    done
}

# A root tree in a new temporary directory, $root (removed when the shell
# exits): bin sbin usr/bin usr/sbin proc sys dev tmp etc and the DIRs given
# (relative), /bin/busybox and a link to it for each applet where a
# distribution has it (/sbin/poweroff is what the kernel runs for a shutdown
# requested through xenstore).
initramfs_tree() {
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
        "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc"
    for ir_dir in "$@"; do
        mkdir -p "$root/$ir_dir"
    done
    cp "$initramfs_bb" "$root/bin/busybox"
    for ir_app in $("$initramfs_bb" --list-full); do
        [ "$ir_app" = bin/busybox ] || ln -sf /bin/busybox "$root/$ir_app"
    done
}

# Start FILE (made executable) as the /init of a test guest: "#!/bin/sh",
# the comment lines read from stdin, then the mounts (/proc, /sys, /dev),
# traps that honour busybox's poweroff/reboot/halt (which signal PID 1 with
# USR2/TERM/USR1) with the real system calls, the line
# "xhv-guest: /init reached (TEXT)" (TEXT is expanded by /init) and $tty:
# /dev/hvc0 when there is one, else /dev/console. The caller appends the rest.
initramfs_init_start() {
    {
        echo '#!/bin/sh'
        cat
        cat <<'INIT'
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
trap 'sync; poweroff -f' USR2
trap 'sync; reboot -f' TERM
trap 'sync; halt -f' USR1
INIT
        printf 'echo "xhv-guest: /init reached (%s)"\n' "$2"
        cat <<'INIT'
tty=/dev/console
[ -c /dev/hvc0 ] && tty=/dev/hvc0
INIT
    } >"$1"
    chmod +x "$1"
}

# Pack the tree ROOT into OUT (a newc cpio, gzip -9n; entries in C-locale
# order), written beside it and renamed into place so that no reader sees
# half a file. Creates OUT's directory.
initramfs_pack() {
    mkdir -p "$(dirname "$2")"
    (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
        gzip -9n >"$2.tmp"
    mv "$2.tmp" "$2"
}
