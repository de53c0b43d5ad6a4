#!/bin/sh
# `make run`: boot Debian's kernel as a PV domU under xhv in QEMU (TCG),
# with the serial console on this terminal. The kernel is fetched and
# cached on first use (tools/fetch-kernel.sh), the initramfs built
# (tools/mkinitramfs.sh).
#
#   Ctrl-A X     quit QEMU          Ctrl-A C   QEMU monitor
#   XHV_APPEND   the shim's command line
#   GUEST_APPEND the guest's command line
#   XHV_NO_GUEST=1  boot the shim alone (banner, memory map, parent)
#   QEMU_EXTRA   more QEMU arguments
set -e
cd "$(dirname "$0")/.."
append=${XHV_APPEND:-"console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all"}
guest_append=${GUEST_APPEND:-"console=hvc0 earlyprintk=xen loglevel=7"}
mem=${XHV_MEM:-768}

set --
if [ -z "$XHV_NO_GUEST" ]; then
    kernel=$(tools/fetch-kernel.sh)
    initramfs=$(tools/mkinitramfs.sh)
    set -- -initrd "$kernel $guest_append,$initramfs"
    echo "xhv: guest $(basename "$kernel"), initramfs $initramfs" >&2
fi
echo "xhv: booting build/xhv under QEMU TCG (Ctrl-A X to quit)" >&2
# shellcheck disable=SC2086
exec qemu-system-x86_64 -machine pc,accel=tcg -cpu qemu64 -m "$mem" -smp 1 \
    -nodefaults -display none -no-reboot -serial mon:stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel build/xhv -append "$append" "$@" $QEMU_EXTRA
