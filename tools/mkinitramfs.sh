#!/bin/sh
# Build the guest's small initramfs: Debian's static busybox, our SMP
# stress program (tests/guest/xhvstress.c, static) and an /init that mounts
# the usual filesystems, says where it is, and runs a shell on the console.
# Output: build/initramfs.cpio.gz (rebuilt when this script, busybox or the
# stress program changes).
set -e
cd "$(dirname "$0")/.."
out=build/initramfs.cpio.gz
bb=/bin/busybox
[ -x "$bb" ] || { echo "mkinitramfs: $bb missing (busybox-static)" >&2; exit 1; }
stress=tests/guest/xhvstress.c
if [ -f "$out" ] && [ "$out" -nt "$0" ] && [ "$out" -nt "$bb" ] &&
   [ "$out" -nt "$stress" ]; then
    echo "$out"
    exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
    "$root/tmp" "$root/etc" "$root/root"
cp "$bb" "$root/bin/busybox"
gcc -static -O2 -pthread -Wall -Werror -o "$root/bin/xhvstress" "$stress"
mkdir -p "$root/usr/bin" "$root/usr/sbin"
# Each applet where a distribution has it (/sbin/poweroff is what the
# kernel runs for a shutdown requested through xenstore).
for app in $("$bb" --list-full); do
    [ "$app" = bin/busybox ] || ln -sf /bin/busybox "$root/$app"
done
cat >"$root/init" <<'INIT'
#!/bin/sh
# PID 1 of the xhv test guest. busybox's poweroff/reboot/halt signal PID 1
# (USR2/TERM/USR1): honour them with the real system calls.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
trap 'sync; poweroff -f' USR2
trap 'sync; reboot -f' TERM
trap 'sync; halt -f' USR1
echo "xhv-guest: /init reached ($(uname -r))"
tty=/dev/console
[ -c /dev/hvc0 ] && tty=/dev/hvc0
while true; do
    setsid cttyhack sh -l <"$tty" >"$tty" 2>&1 &
    wait $!
done
INIT
chmod +x "$root/init"
echo 'export PS1="xhv-guest# "' >"$root/etc/profile"
mkdir -p build
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
