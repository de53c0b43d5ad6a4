#!/bin/sh
# `make run`: boot xhv in QEMU (TCG) with the serial console on this
# terminal. Ctrl-A X quits QEMU; Ctrl-A C switches to the QEMU monitor.
# XHV_APPEND overrides the shim's command line, QEMU_EXTRA adds arguments.
set -e
cd "$(dirname "$0")/.."
append=${XHV_APPEND:-"console=com1 com1=115200,8n1 loglvl=all"}
echo "xhv: booting build/xhv under QEMU TCG (Ctrl-A X to quit)" >&2
# shellcheck disable=SC2086
exec qemu-system-x86_64 -machine pc,accel=tcg -cpu qemu64 -m 512 -smp 1 \
    -nodefaults -display none -no-reboot -serial mon:stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel build/xhv -append "$append" $QEMU_EXTRA
