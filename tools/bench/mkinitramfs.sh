#!/bin/sh
# Build the benchmark guest's initramfs: Debian's static busybox, our
# xhvbench (tools/bench/xhvbench.c, gcc -static -O2) and an /init that
# prints a marker first thing (the host times boot-to-/init by it), runs
# xhvbench, prints a second marker and powers off. The same file boots
# every configuration (native, Xen dom0, xhv domU).
# Output (path on stdout): build/bench/initramfs.cpio.gz, rebuilt when this
# script, xhvbench.c or busybox changes.
set -e
cd "$(dirname "$0")/../.."
out=build/bench/initramfs.cpio.gz
bin=build/bench/xhvbench
src=tools/bench/xhvbench.c
bb=/bin/busybox
[ -x "$bb" ] || { echo "bench/mkinitramfs: $bb missing (busybox-static)" >&2; exit 1; }
mkdir -p build/bench
if ! [ -x "$bin" ] || [ "$src" -nt "$bin" ]; then
    gcc -static -O2 -Wall -Wextra -Werror -o "$bin.tmp" "$src" >&2
    mv "$bin.tmp" "$bin"
fi
if [ -f "$out" ] && [ "$out" -nt "$0" ] && [ "$out" -nt "$bb" ] &&
    [ "$out" -nt "$bin" ]; then
    echo "$out"
    exit 0
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
    "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc"
cp "$bb" "$root/bin/busybox"
for app in $("$bb" --list-full); do
    [ "$app" = bin/busybox ] || ln -sf /bin/busybox "$root/$app"
done
cp "$bin" "$root/bin/xhvbench"
# The markers are what the host waits for: keep them first and last.
cat >"$root/init" <<'INIT'
#!/bin/sh
echo "XHVBENCH init"
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
/bin/xhvbench
echo "XHVBENCH poweroff"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
    gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
