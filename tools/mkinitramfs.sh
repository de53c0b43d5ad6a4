#!/bin/sh
# Build the guest's small initramfs: Debian's static busybox and an /init
# that mounts the usual filesystems, says where it is, and runs a shell on
# the console. Output: build/initramfs.cpio.gz (rebuilt when this script
# or busybox changes).
set -e
cd "$(dirname "$0")/.."
out=build/initramfs.cpio.gz
bb=/bin/busybox
[ -x "$bb" ] || { echo "mkinitramfs: $bb missing (busybox-static)" >&2; exit 1; }
if [ -f "$out" ] && [ "$out" -nt "$0" ] && [ "$out" -nt "$bb" ]; then
    echo "$out"
    exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" \
    "$root/tmp" "$root/etc" "$root/root"
cp "$bb" "$root/bin/busybox"
for app in $("$bb" --list); do
    [ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
done
cat >"$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
echo "xhv-guest: /init reached ($(uname -r))"
[ -f /proc/xen/capabilities ] || mount -t xenfs xenfs /proc/xen 2>/dev/null || true
for c in hvc0 console; do
    if [ -c "/dev/$c" ]; then
        exec setsid cttyhack sh -l <"/dev/$c" >"/dev/$c" 2>&1
    fi
done
exec sh -l
INIT
chmod +x "$root/init"
echo 'export PS1="xhv-guest# "' >"$root/etc/profile"
mkdir -p build
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
