/*
 * The CPU side of the PV core (include/xhv/pv_arch.h): loading a vCPU's
 * page tables, segment bases, CR0.TS and debug registers.
 */
#include <xhv/domain.h>
#include <xhv/extable.h>
#include <xhv/pv_arch.h>
#include <xhv/x86.h>

void arch_pv_load_cr3(uint64_t cr3)
{
    write_cr3(cr3);
}

void arch_pv_load_segbases(const struct vcpu *v)
{
    wrmsr(MSR_FS_BASE, v->seg.fs);
    wrmsr(MSR_GS_BASE, v->in_kernel ? v->seg.gs_kernel : v->seg.gs_user);
    wrmsr(MSR_KERNEL_GS_BASE, v->in_kernel ? v->seg.gs_user
                                           : v->seg.gs_kernel);
}

void arch_pv_swap_gs(void)
{
    __asm__ volatile("swapgs" ::: "memory");
}

void arch_pv_write_segbase(const struct vcpu *v, enum pv_seg which)
{
    switch (which) {
    case PV_SEG_FS:
        wrmsr(MSR_FS_BASE, v->seg.fs);
        break;
    case PV_SEG_GS_KERNEL:
        wrmsr(v->in_kernel ? MSR_GS_BASE : MSR_KERNEL_GS_BASE,
              v->seg.gs_kernel);
        break;
    case PV_SEG_GS_USER:
        wrmsr(v->in_kernel ? MSR_KERNEL_GS_BASE : MSR_GS_BASE,
              v->seg.gs_user);
        break;
    }
}

int arch_pv_load_gs_sel(uint16_t sel)
{
    int rc = 0;

    /*
     * From guest-kernel mode (hypercalls): the selector load replaces the
     * active GS base, so swap the user's in around it, as Xen does. A
     * selector the CPU refuses faults: the fixup turns that into -1.
     */
    __asm__ volatile("swapgs\n"
                     "1: movw %w1, %%gs\n"
                     "2: swapgs\n"
                     ".pushsection .text.fixup, \"ax\"\n"
                     "3: movl $-1, %0\n"
                     "   xorl %%eax, %%eax\n"
                     "   movw %%ax, %%gs\n"
                     "   jmp 2b\n"
                     ".popsection\n"
                     ASM_EXTABLE(1b, 3b)
                     : "+r"(rc) : "r"((uint16_t)(sel | 3)) : "rax", "memory");
    return rc;
}

void arch_pv_set_ts(bool ts)
{
    uint64_t cr0 = read_cr0();

    write_cr0(ts ? cr0 | X86_CR0_TS : cr0 & ~X86_CR0_TS);
}

void arch_pv_load_debugregs(const struct vcpu *v)
{
    __asm__ volatile("mov %0, %%dr0" :: "r"(v->debugreg[0]));
    __asm__ volatile("mov %0, %%dr1" :: "r"(v->debugreg[1]));
    __asm__ volatile("mov %0, %%dr2" :: "r"(v->debugreg[2]));
    __asm__ volatile("mov %0, %%dr3" :: "r"(v->debugreg[3]));
    __asm__ volatile("mov %0, %%dr7" :: "r"(v->debugreg[7]));
}
