/*
 * Where another CPU starts: real mode at XHV_TRAMPOLINE_PA (CS = PA >> 4,
 * IP = 0), to protected mode, to long mode on the shim's own page tables
 * (which map this page at its physical address while CPUs come up), then
 * to ap_start(pc) on the CPU's stack. smp.c copies this code to the page
 * and fills the tr_* fields first: CR0/CR3/CR4/EFER as the boot CPU has
 * them, the stack, the C entry and its argument. The CPU sets tr_alive
 * when it is in long mode. SDM vol. 3, 9.9 (mode switching).
 */
#include <xhv/layout.h>

#define TR(x)   (XHV_TRAMPOLINE_PA + (x) - trampoline_start)

        .section .rodata
        .balign 16
        .globl  trampoline_start, trampoline_end
        .globl  tr_cr0, tr_cr3, tr_cr4, tr_efer, tr_rsp, tr_entry, tr_arg
        .globl  tr_alive
        .code16
trampoline_start:
        cli
        cld
        mov     %cs, %ax
        mov     %ax, %ds
        lgdtl   tr_gdtr - trampoline_start
        mov     %cr0, %eax
        or      $1, %eax                        /* PE */
        mov     %eax, %cr0
        ljmpl   $0x08, $TR(tr32)

        .code32
tr32:
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        mov     TR(tr_cr4), %eax
        mov     %eax, %cr4
        mov     TR(tr_cr3), %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx               /* EFER */
        mov     TR(tr_efer), %eax
        mov     TR(tr_efer) + 4, %edx
        wrmsr
        mov     TR(tr_cr0), %eax
        mov     %eax, %cr0                      /* paging on: long mode */
        ljmp    $0x18, $TR(tr64)

        .code64
tr64:
        mov     tr_rsp(%rip), %rsp
        mov     tr_arg(%rip), %rdi
        xor     %ebp, %ebp
        movl    $1, tr_alive(%rip)
        mov     tr_entry(%rip), %rax
        jmp     *%rax

        .balign 8
tr_gdt:
        .quad   0
        .quad   0x00cf9b000000ffff              /* 0x08: 32-bit code */
        .quad   0x00cf93000000ffff              /* 0x10: data */
        .quad   0x00af9b000000ffff              /* 0x18: 64-bit code */
tr_gdtr:
        .short  4 * 8 - 1
        .long   TR(tr_gdt)
        .balign 8
tr_cr0:         .quad 0
tr_cr3:         .quad 0
tr_cr4:         .quad 0
tr_efer:        .quad 0
tr_rsp:         .quad 0
tr_entry:       .quad 0
tr_arg:         .quad 0
tr_alive:       .long 0
trampoline_end:
