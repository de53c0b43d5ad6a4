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
/*
 * Set in cpu_regs.vector by the PV core when the frame may leave through
 * `sysretq` (rcx = rip, r11 = rflags, flat ring-3 CS/SS, canonical rip):
 * the exit path (entry.S) then skips iretq. Xen does the same for frames
 * whose rcx/r11 the guest does not need (pv_exit_via_sysret).
 */
#define ENTRY_EXIT_SYSRET    0x200

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

/*
 * The general register with x86 encoding number n (0 rax ... 15 r15), as
 * ModRM/SIB/REX name it: for instruction emulators.
 */
static inline uint64_t *regs_gpr(struct cpu_regs *r, unsigned int n)
{
    switch (n & 15) {
    case 0:  return &r->rax;
    case 1:  return &r->rcx;
    case 2:  return &r->rdx;
    case 3:  return &r->rbx;
    case 4:  return &r->rsp;
    case 5:  return &r->rbp;
    case 6:  return &r->rsi;
    case 7:  return &r->rdi;
    case 8:  return &r->r8;
    case 9:  return &r->r9;
    case 10: return &r->r10;
    case 11: return &r->r11;
    case 12: return &r->r12;
    case 13: return &r->r13;
    case 14: return &r->r14;
    default: return &r->r15;
    }
}

/* Fill *r with the caller's registers (rip = return address). */
void capture_registers(struct cpu_regs *r);

#endif /* !__ASSEMBLY__ */

#endif /* XHV_REGS_H */
