/*
 * Guest-kernel and guest-user mode (Xen's toggle_guest_mode): two page
 * tables and two GS bases per vCPU. The shim switches them whenever it
 * bounces into the guest kernel from user mode and on an iret to user mode.
 */
#include <xhv/pv.h>
#include <xhv/pv_arch.h>

void pv_toggle_mode(struct vcpu *v)
{
    v->in_kernel = !v->in_kernel;
    v->cr3 = v->in_kernel ? v->kernel_cr3 : v->user_cr3;
    arch_pv_load_cr3(v->cr3);
    arch_pv_load_segbases(v);
}
