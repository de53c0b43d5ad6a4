/*
 * Delivering exceptions, system calls and event upcalls to the guest
 * kernel: the bounce frame (include/xhv/pv.h has its layout), as Xen's
 * create_bounce_frame builds it (xen/arch/x86/x86_64/entry.S, pv/traps.c).
 *
 * From guest-user mode the vCPU first switches to guest-kernel mode (its
 * kernel page tables and GS) and the frame goes on the stack registered
 * with stack_switch; from guest-kernel mode it goes below the interrupted
 * stack pointer. The stack is 16-byte aligned first. A frame that cannot
 * be written (bad guest stack) crashes the domain, as in Xen.
 */
#include <xhv/guest_access.h>
#include <xhv/log.h>
#include <xhv/pv.h>
#include <xhv/x86.h>

/* Flags the guest never keeps across a bounce (Xen clears the same). */
#define BOUNCE_CLEAR_FLAGS  (X86_EFLAGS_TF | X86_EFLAGS_NT | BIT(16) /* RF */ \
                             | X86_EFLAGS_AC | BIT(17) /* VM */)
#define IOPL_MASK           (3ULL << 12)

static bool bounce(struct vcpu *v, struct cpu_regs *r, uint64_t handler,
                   bool has_ec, uint32_t ec, bool mask_events)
{
    vcpu_info_t *vi = v->vcpu_info;
    uint8_t saved_mask = vi->evtchn_upcall_mask;
    uint64_t frame[8], sp, cs = r->cs & 0xffff, rflags;
    unsigned int n = 0;

    if (!handler) {
        domain_crash(v->domain, "no guest handler for a bounce (rip %#llx)",
                     (unsigned long long)r->rip);
        return false;
    }
    if (v->in_kernel) {
        sp = r->rsp;
        cs &= ~3ULL;                    /* the guest kernel sees RPL 0 */
    } else {
        if (!v->kernel_sp) {
            domain_crash(v->domain, "no kernel stack (stack_switch) for a "
                         "bounce from user mode");
            return false;
        }
        sp = v->kernel_sp;
        pv_toggle_mode(v);              /* kernel page tables from here */
    }
    rflags = (r->rflags & ~(X86_EFLAGS_IF | IOPL_MASK)) |
             (saved_mask ? 0 : X86_EFLAGS_IF);
    if (v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl))
        rflags |= (uint64_t)(v->iopl & 3) << 12;

    sp &= ~15ULL;
    frame[n++] = r->rcx;
    frame[n++] = r->r11;
    if (has_ec)
        frame[n++] = ec;
    frame[n++] = r->rip;
    frame[n++] = cs | ((uint64_t)saved_mask << 32);
    frame[n++] = rflags;
    frame[n++] = r->rsp;
    frame[n++] = r->ss & 0xffff;
    sp -= n * 8;
    if (copy_to_guest(sp, frame, n * 8)) {
        domain_crash(v->domain, "cannot write a bounce frame at %#llx",
                     (unsigned long long)sp);
        return false;
    }

    if (mask_events)
        vi->evtchn_upcall_mask = 1;
    r->rip = handler;
    r->cs = FLAT_KERNEL_CS64;
    r->ss = FLAT_KERNEL_SS64;
    r->rsp = sp;
    r->rflags = (r->rflags & ~(BOUNCE_CLEAR_FLAGS | IOPL_MASK)) |
                X86_EFLAGS_IF;
    /* The PV ABI hands rcx/r11 over in the frame: they are free. */
    pv_exit_via_sysret(r);
    return true;
}

void pv_inject_exception(struct vcpu *v, struct cpu_regs *r,
                         unsigned int vector, bool has_ec,
                         uint32_t error_code)
{
    const struct trap_info *ti = &v->trap_ctxt[vector & 0xff];

    if (!ti->address) {
        domain_crash(v->domain, "exception %u at %#llx with no guest "
                     "handler (set_trap_table)", vector,
                     (unsigned long long)r->rip);
        return;
    }
    bounce(v, r, ti->address, has_ec, error_code, TI_GET_IF(ti) != 0);
}

void pv_inject_syscall(struct vcpu *v, struct cpu_regs *r)
{
    if (!v->syscall_callback) {
        /* Xen injects #UD when no syscall callback is registered. */
        pv_inject_exception(v, r, X86_EXC_UD, false, 0);
        return;
    }
    bounce(v, r, v->syscall_callback, false, 0, v->syscall_mask_on_entry);
}

void pv_deliver_events(struct vcpu *v, struct cpu_regs *r)
{
    vcpu_info_t *vi = v->vcpu_info;

    if (!vi || vi->evtchn_upcall_mask || !vi->evtchn_upcall_pending)
        return;
    if (!v->event_callback)
        return;                         /* nothing registered yet */
    bounce(v, r, v->event_callback, false, 0, true);
}
