/*
 * The Hyper-V hypercall page (hypercall-interface.md, "Establishing the
 * Hypercall Interface"): one whole page of the shim's text, so it is
 * mapped executable and no other code or data shares it. hv_hypercall_init()
 * writes its GPA to HV_MSR_HYPERCALL; the hypervisor then puts its calling
 * sequence in it (VMCALL or VMMCALL, then RET). Until then it is int3s: a
 * call through a page that was never filled traps at once.
 */
        .section .text.hv_hypercall_page, "ax", @progbits
        .balign 4096
        .globl  hv_hypercall_page
        .type   hv_hypercall_page, @function
hv_hypercall_page:
        .fill   4096, 1, 0xcc
        .size   hv_hypercall_page, 4096
