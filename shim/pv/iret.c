/*
 * HYPERVISOR_iret (public arch-x86/xen-x86_64.h, struct iret_context): the
 * guest pushed {rax, r11, rcx, flags, rip, cs, rflags, rsp, ss} and made
 * the hypercall; we restore that context, switching to user mode when the
 * saved CS has RPL 3. The CPU's own iretq then checks the selectors: RPL 3
 * is forced here, so no guest frame can reach ring 0, and a bad selector
 * faults in the shim's iretq, which crashes the domain (entry.S fixup).
 */
#include <xhv/guest_access.h>
#include <xhv/pv.h>
#include <xhv/x86.h>

#define IOPL_MASK (3ULL << 12)

long do_iret(struct vcpu *v, struct cpu_regs *r)
{
    struct iret_context ic;

    if (!v->in_kernel) {
        domain_crash(v->domain, "iret from guest user mode");
        return -XEN_EFAULT;
    }
    if (copy_from_guest(&ic, r->rsp, sizeof(ic))) {
        domain_crash(v->domain, "iret: cannot read the frame at %#llx",
                     (unsigned long long)r->rsp);
        return -XEN_EFAULT;
    }
    if ((ic.cs & 3) == 3) {
        if (!v->user_cr3) {
            domain_crash(v->domain, "iret to user mode without a user "
                         "page table (NEW_USER_BASEPTR)");
            return -XEN_EFAULT;
        }
        pv_toggle_mode(v);
    }
    if (!(ic.flags & VGCF_in_syscall)) {
        r->r11 = ic.r11;
        r->rcx = ic.rcx;
    }
    r->rip = ic.rip;
    r->cs = (ic.cs & 0xffff) | 3;
    r->rsp = ic.rsp;
    r->ss = (ic.ss & 0xffff) | 3;
    /* Real IF stays on (ring 3 cannot mask interrupts); IF is the mask. */
    r->rflags = (ic.rflags & ~(IOPL_MASK | BIT(17) /* VM */)) |
                X86_EFLAGS_IF;
    v->vcpu_info->evtchn_upcall_mask = !(ic.rflags & X86_EFLAGS_IF);
    if (ic.flags & VGCF_in_syscall)
        pv_exit_via_sysret(r);
    return (long)ic.rax;
}
