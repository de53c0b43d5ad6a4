/*
 * The nested harness's control kernel (not xhv): a multiboot image that
 * does one Hyper-V thing and halts, so tools/nested/test.sh can show that
 * L0/L1/KVM/QEMU report it the way the xhv checks expect.
 *
 *   as --32 --defsym CRASH=1  write CRASH_P0..P4 = 0x11..0x55, then
 *                             CRASH_CTL.CRASH_NOTIFY: QEMU prints "Guest
 *                             crashed" / "HV crash parameters" and, with
 *                             -action panic=exit-failure, exits 1
 *   as --32                   write 1 to the RESET MSR: a KVM system event,
 *                             QEMU exits 0 under -no-reboot
 *
 * Link: ld -m elf_i386 -Ttext 0x100000 -e _start. 32-bit protected mode,
 * CPL 0, as QEMU's multiboot loader leaves it.
 */
    .text
    .globl _start
    .align 4
    .long 0x1BADB002, 0, -0x1BADB002    /* multiboot header, no flags */
_start:
.ifdef CRASH
    mov $0x40000000, %ecx               /* GUEST_OS_ID: open source, "Xen" */
    mov $1, %eax
    mov $0x83000000, %edx
    wrmsr
    xor %edx, %edx
    mov $0x40000100, %ecx               /* CRASH_P0..P4 */
    mov $0x11, %eax
1:  wrmsr
    inc %ecx
    add $0x11, %eax
    cmp $0x40000105, %ecx
    jne 1b
    xor %eax, %eax                      /* CRASH_CTL: CRASH_NOTIFY (bit 63) */
    mov $0x80000000, %edx
    wrmsr
.else
    mov $0x40000003, %ecx               /* RESET */
    mov $1, %eax
    xor %edx, %edx
    wrmsr
.endif
2:  cli
    hlt
    jmp 2b
