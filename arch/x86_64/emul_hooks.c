/*
 * The hardware side of the privileged-instruction emulator
 * (include/xhv/emulate.h): real CPUID, CR0/CR4 FPU bits, XCR0, segment
 * bases, EFER, TSC, IBPB. The emulator has validated every value before it
 * gets here.
 *
 * Runs on the CPU of the vCPU, interrupts disabled. The shim itself never
 * uses x87/SSE/AVX state (-mno-sse etc.), so the guest's FPU registers and
 * XCR0 simply stay loaded while the shim runs: one vCPU per CPU, no
 * save/restore needed until vCPUs share a CPU.
 */
#include <xhv/emulate.h>
#include <xhv/extable.h>
#include <xhv/pv_arch.h>
#include <xhv/x86.h>

#define X86_CR4_OSXSAVE BIT(18)
#define MSR_PRED_CMD    0x00000049
#define PRED_CMD_IBPB   BIT(0)

void emul_arch_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf,
                     struct cpuid_leaf *out)
{
    cpuid_count(leaf, subleaf, &out->a, &out->b, &out->c, &out->d);
}

/* xsetbv with a fixup: 0, or -1 if it faulted (#GP for a refused value). */
static int xsetbv_safe(uint32_t index, uint64_t val)
{
    int rc = 0;

    __asm__ volatile("1: xsetbv\n"
                     "2:\n"
                     ".pushsection .text.fixup, \"ax\"\n"
                     "3: movl $-1, %0\n"
                     "   jmp 2b\n"
                     ".popsection\n"
                     ASM_EXTABLE(1b, 3b)
                     : "+r"(rc)
                     : "c"(index), "a"((uint32_t)val),
                       "d"((uint32_t)(val >> 32))
                     : "memory");
    return rc;
}

void emul_arch_fpu_init(uint64_t xcr0)
{
    uint64_t cr0 = read_cr0(), cr4 = read_cr4();

    /* x87 present (no EM), native error reporting, WAIT honours TS. */
    cr0 = (cr0 | X86_CR0_MP | X86_CR0_NE) & ~(X86_CR0_EM | X86_CR0_TS);
    write_cr0(cr0);
    cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    if (xcr0)
        cr4 |= X86_CR4_OSXSAVE;
    write_cr4(cr4);
    if (xcr0)
        (void)xsetbv_safe(0, xcr0);
    __asm__ volatile("fninit" ::: "memory");
}

uint64_t emul_arch_read_cr0(void)
{
    return read_cr0();
}

uint64_t emul_arch_read_cr4(void)
{
    return read_cr4();
}

/* The PV core's loaders (arch/x86_64/pv_arch.c): one way to do each. */
void emul_arch_set_ts(bool ts)
{
    arch_pv_set_ts(ts);
}

int emul_arch_set_xcr0(uint64_t xcr0)
{
    return xsetbv_safe(0, xcr0);
}

void emul_arch_load_segbases(const struct vcpu *v)
{
    arch_pv_load_segbases(v);
}

uint64_t emul_arch_read_efer(void)
{
    return rdmsr(MSR_EFER);
}

uint64_t emul_arch_rdtsc(void)
{
    return rdtsc();
}

void emul_arch_ibpb(void)
{
    wrmsr(MSR_PRED_CMD, PRED_CMD_IBPB);
}
