/*
 * How a run ends, as seen by whoever started QEMU (docs/boot.md).
 *
 * With QEMU's isa-debug-exit device at port 0xf4 (iosize 4), writing v makes
 * QEMU exit with status (v << 1) | 1. A clean end (self-test passed, guest
 * powered off, nothing to run) is an ACPI S5 poweroff instead, which makes
 * QEMU exit 0. Without the device the port write does nothing and the shim
 * falls back to halting (or resetting, see noreboot).
 */
#ifndef XHV_EXIT_H
#define XHV_EXIT_H

#define XHV_DEBUG_EXIT_PORT     0xf4

#define XHV_EXIT_SELFTEST_FAIL  1   /* QEMU status 3: self-test failures */
#define XHV_EXIT_PANIC          2   /* QEMU status 5: shim panic */
#define XHV_EXIT_GUEST_CRASH    3   /* QEMU status 7: guest crashed */
#define XHV_EXIT_BOOT_ERROR     4   /* QEMU status 9: cannot start guest */

#ifndef __ASSEMBLY__
/* Ask QEMU to exit with status (code << 1) | 1; returns if no device. */
void debug_exit(unsigned int code);
#endif

#endif /* XHV_EXIT_H */
