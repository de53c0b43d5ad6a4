/*
 * Entry point, Xen ELF notes and the hypercall page of the hcall-page /
 * hcall-inline PV test kernels (see main.c for what they test).
 *
 * The domain builder enters _start in ring 3 with rsi = start_info (a
 * virtual address), rsp = the end of its one-page boot stack and CR3 = its
 * bootstrap page tables, which map this image at the ELF virtual addresses.
 * We keep the builder's rsp only to check it, and run on our own stack.
 *
 * Built with -DNO_HYPERCALL_PAGE there is no hypercall page and no
 * XEN_ELFNOTE_HYPERCALL_PAGE note: main.c then issues `syscall` inline.
 */
#include <xen/elfnote.h>

/*
 * One Xen ELF note: namesz 4 ("Xen\0", already 4-aligned), descsz, type,
 * then the descriptor written between XEN_NOTE and XEN_NOTE_END, padded to
 * 4 bytes. The section is SHT_NOTE and allocated; the linker script puts it
 * in the text segment and in the PT_NOTE segment.
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

#ifndef NO_HYPERCALL_PAGE
    XEN_NOTE XEN_ELFNOTE_HYPERCALL_PAGE
    .quad hypercall_page
    XEN_NOTE_END
#endif

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
    lea     stack_top(%rip), %rsp
    call    test_main
    ud2                             /* test_main does not return */
    .size _start, . - _start

#ifndef NO_HYPERCALL_PAGE
/*
 * The hypervisor writes 128 stubs of 32 bytes here while building the
 * domain. Until then every even offset holds ud2, so calling an unfilled
 * page is an immediate, visible #UD rather than a slide into other code.
 */
    .balign 4096
    .globl hypercall_page
    .type hypercall_page, @object
hypercall_page:
    .fill 2048, 2, 0x0b0f
    .size hypercall_page, . - hypercall_page
#endif

    .bss
    .balign 16
stack:
    .skip 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
