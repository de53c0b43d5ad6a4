/*
 * Guest-kernel and guest-user mode (Xen's toggle_guest_mode): two page
 * tables and two GS bases per vCPU. The shim switches them whenever it
 * bounces into the guest kernel from user mode and on an iret to user mode.
 */
#include <xhv/pv.h>
#include <xhv/pv_arch.h>
#include <xhv/guest_access.h>

void pv_toggle_mode(struct vcpu *v)
{
    v->in_kernel = !v->in_kernel;
    v->cr3 = v->in_kernel ? v->kernel_cr3 : v->user_cr3;
    arch_pv_load_cr3(v->cr3);
    /*
     * The GS bases swap places, FS stays: MSR_GS_BASE holds the active
     * mode's base and MSR_KERNEL_GS_BASE the other's (the invariant
     * arch_pv_load_segbases sets up and set_segment_base keeps), so one
     * swapgs does what three MSR writes did.
     */
    arch_pv_swap_gs();
}

void pv_exit_via_sysret(struct cpu_regs *r)
{
    /* sysretq to a non-canonical rip faults in ring 0 (Intel): never. */
    if (r->cs == FLAT_RING3_CS32 || !is_canonical(r->rip))
        return;
    r->rcx = r->rip;
    r->r11 = r->rflags;
    r->cs = FLAT_RING3_CS64;
    r->ss = FLAT_RING3_SS64;
    r->vector = ENTRY_EXIT_SYSRET;
}
