/*
 * Structure offsets for assembly. Compiled to assembly only; the Makefile
 * turns each "@@OFFSET@@ NAME value" marker into #define NAME value in
 * build/obj/asm-offsets.h, so entry.S never hard-codes a C layout.
 */
#include <xhv/regs.h>
#include <xhv/percpu.h>

#define OFFSET(name, type, member)                                          \
    __asm__ volatile("\n.ascii \"@@OFFSET@@ " #name " %c0\"" ::             \
                     "i"(offsetof(type, member)))
#define DEFINE(name, value)                                                 \
    __asm__ volatile("\n.ascii \"@@OFFSET@@ " #name " %c0\"" :: "i"(value))

void asm_offsets(void);
void asm_offsets(void)
{
    OFFSET(REGS_r15, struct cpu_regs, r15);
    OFFSET(REGS_r14, struct cpu_regs, r14);
    OFFSET(REGS_r13, struct cpu_regs, r13);
    OFFSET(REGS_r12, struct cpu_regs, r12);
    OFFSET(REGS_rbp, struct cpu_regs, rbp);
    OFFSET(REGS_rbx, struct cpu_regs, rbx);
    OFFSET(REGS_r11, struct cpu_regs, r11);
    OFFSET(REGS_r10, struct cpu_regs, r10);
    OFFSET(REGS_r9, struct cpu_regs, r9);
    OFFSET(REGS_r8, struct cpu_regs, r8);
    OFFSET(REGS_rax, struct cpu_regs, rax);
    OFFSET(REGS_rcx, struct cpu_regs, rcx);
    OFFSET(REGS_rdx, struct cpu_regs, rdx);
    OFFSET(REGS_rsi, struct cpu_regs, rsi);
    OFFSET(REGS_rdi, struct cpu_regs, rdi);
    OFFSET(REGS_error_code, struct cpu_regs, error_code);
    OFFSET(REGS_vector, struct cpu_regs, vector);
    OFFSET(REGS_rip, struct cpu_regs, rip);
    OFFSET(REGS_cs, struct cpu_regs, cs);
    OFFSET(REGS_rflags, struct cpu_regs, rflags);
    OFFSET(REGS_rsp, struct cpu_regs, rsp);
    OFFSET(REGS_ss, struct cpu_regs, ss);
    DEFINE(REGS_SIZE, sizeof(struct cpu_regs));
}
