#!/bin/sh
# Build the benchmark guest's initramfs: Debian's static busybox, our
# xhvbench (tools/bench/xhvbench.c, gcc -static -O2) and an /init that
# prints a marker first thing (the host times boot-to-/init by it), runs
# xhvbench, prints a second marker and powers off. The same file boots
# every configuration (native, Xen dom0, xhv domU).
# Output (path on stdout): build/bench/initramfs.cpio.gz, rebuilt when this
# script, xhvbench.c, busybox or tools/lib/initramfs.sh changes.
set -e
cd "$(dirname "$0")/../.."
# shellcheck source=SCRIPTDIR/../lib/initramfs.sh
. tools/lib/initramfs.sh
out=build/bench/initramfs.cpio.gz
bin=build/bench/xhvbench
src=tools/bench/xhvbench.c
initramfs_need_busybox bench/mkinitramfs
mkdir -p build/bench
if ! [ -x "$bin" ] || [ "$src" -nt "$bin" ]; then
    gcc -static -O2 -Wall -Wextra -Werror -o "$bin.tmp" "$src" >&2
    mv "$bin.tmp" "$bin"
fi
if initramfs_fresh "$out" "$0" "$bin"; then
    echo "$out"
    exit 0
fi
initramfs_tree
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
initramfs_pack "$root" "$out"
echo "$out"
