/*
 * The register frame every entry into the shim builds on its stack
 * (arch/x86_64/entry.S): general registers pushed by the entry code, then
 * the error-code slot, then the hardware interrupt frame. Offsets used by
 * assembly come from arch/x86_64/asm-offsets.c, never typed by hand.
 */
#ifndef XHV_REGS_H
#define XHV_REGS_H

/* Pseudo vector in cpu_regs.vector for an entry through `syscall`. */
#define ENTRY_VECTOR_SYSCALL 0x100

#ifndef __ASSEMBLY__
#include <xhv/types.h>

struct cpu_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx;
    uint64_t r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;    /* 0 when the vector pushes none */
    uint32_t vector;        /* written by the entry stub */
    uint64_t rip, cs, rflags, rsp, ss;  /* hardware frame */
};

static inline bool regs_from_user(const struct cpu_regs *r)
{
    return (r->cs & 3) != 0;
}

/* Fill *r with the caller's registers (rip = return address). */
void capture_registers(struct cpu_regs *r);

#endif /* !__ASSEMBLY__ */

#endif /* XHV_REGS_H */
