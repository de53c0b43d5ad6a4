#!/bin/sh
# Build the guest's small initramfs: Debian's static busybox, our SMP
# stress program (tests/guest/xhvstress.c, static) and an /init that mounts
# the usual filesystems, says where it is, and runs a shell on the console.
# Output: build/initramfs.cpio.gz (rebuilt when this script, busybox, the
# stress program or tools/lib/initramfs.sh changes).
set -e
cd "$(dirname "$0")/.."
# shellcheck source=SCRIPTDIR/lib/initramfs.sh
. tools/lib/initramfs.sh
out=build/initramfs.cpio.gz
initramfs_need_busybox mkinitramfs
stress=tests/guest/xhvstress.c
if initramfs_fresh "$out" "$0" "$stress"; then
    echo "$out"
    exit 0
fi
initramfs_tree root
gcc -static -O2 -pthread -Wall -Werror -o "$root/bin/xhvstress" "$stress"
# shellcheck disable=SC2016 # /init expands it, at boot
initramfs_init_start "$root/init" '$(uname -r)' <<'INIT'
# PID 1 of the xhv test guest. busybox's poweroff/reboot/halt signal PID 1
# (USR2/TERM/USR1): honour them with the real system calls.
INIT
cat >>"$root/init" <<'INIT'
while true; do
    setsid cttyhack sh -l <"$tty" >"$tty" 2>&1 &
    wait $!
done
INIT
echo 'export PS1="xhv-guest# "' >"$root/etc/profile"
initramfs_pack "$root" "$out"
echo "$out"
