/*
 * Entry point and Xen ELF notes shared by our PV test kernels
 * (tests/pv/lib). No XEN_ELFNOTE_HYPERCALL_PAGE: every hypercall is an
 * inline `syscall` (hypercall.h), as Debian's 6.1.123+ kernels make them.
 *
 * The domain builder enters _start in ring 3 (guest-kernel mode) with rsi =
 * start_info (a virtual address), rsp = the end of its one-page boot stack
 * and CR3 = its bootstrap page tables, which map the image at the ELF
 * virtual addresses. We keep the builder's rsp only to report it and run
 * on our own 16 KiB stack. test_main(start_info, boot_rsp) never returns.
 */
#include <xen/elfnote.h>

/*
 * One Xen ELF note: namesz 4 ("Xen\0"), descsz, type, then the descriptor
 * written between XEN_NOTE and XEN_NOTE_END, padded to 4 bytes. The section
 * is SHT_NOTE and allocated; kernel.lds puts it in the text segment and in
 * the PT_NOTE segment.
 */
.macro XEN_NOTE type
    .pushsection .note.Xen, "a", @note
    .balign 4
    .long 4, 99f - 98f, \type
    .asciz "Xen"
98:
.endm

.macro XEN_NOTE_END
99:
    .balign 4
    .popsection
.endm

    XEN_NOTE XEN_ELFNOTE_GUEST_OS
    .asciz "xhv-pvtest"
    XEN_NOTE_END

    XEN_NOTE XEN_ELFNOTE_GUEST_VERSION
    .asciz "0.1"
    XEN_NOTE_END

    XEN_NOTE XEN_ELFNOTE_XEN_VERSION
    .asciz "xen-3.0"
    XEN_NOTE_END

    /* __xen_virt_base comes from kernel.lds, the one place it is set. */
    XEN_NOTE XEN_ELFNOTE_VIRT_BASE
    .quad __xen_virt_base
    XEN_NOTE_END

    /* p_paddr = vaddr - VIRT_BASE, as in Linux. */
    XEN_NOTE XEN_ELFNOTE_PADDR_OFFSET
    .quad 0
    XEN_NOTE_END

    XEN_NOTE XEN_ELFNOTE_ENTRY
    .quad _start
    XEN_NOTE_END

    XEN_NOTE XEN_ELFNOTE_FEATURES
    .asciz ""
    XEN_NOTE_END

    XEN_NOTE XEN_ELFNOTE_LOADER
    .asciz "generic"
    XEN_NOTE_END

    XEN_NOTE XEN_ELFNOTE_PAE_MODE
    .asciz "yes"
    XEN_NOTE_END

    .text
    .globl _start
    .type _start, @function
_start:
    cld
    mov     %rsi, %rdi              /* test_main(start_info, ... */
    mov     %rsp, %rsi              /*           builder's rsp) */
    lea     pvt_stack_top(%rip), %rsp
    call    test_main
    ud2                             /* test_main does not return */
    .size _start, . - _start

    .bss
    .balign 4096
    .globl pvt_stack, pvt_stack_top
pvt_stack:
    .skip 16384
pvt_stack_top:

    .section .note.GNU-stack, "", @progbits
