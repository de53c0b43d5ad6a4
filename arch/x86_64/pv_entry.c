/*
 * Entering the PV guest, and every entry from it: a `syscall` in
 * guest-kernel mode is a hypercall; anything else the PV core does not
 * handle yet (guest user syscalls, exceptions: they are bounced to the
 * guest's trap table with the PV core issue) is a reported domain crash,
 * never a shim panic.
 */
#include <xhv/domain.h>
#include <xhv/hypercall.h>
#include <xhv/irq.h>
#include <xhv/percpu.h>
#include <xhv/string.h>
#include <xhv/x86.h>

__noreturn void enter_frame(struct cpu_regs *r);

static void pv_user_entry(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();
    struct domain *d = v->domain;

    v->regs = *r;
    if (r->vector == ENTRY_VECTOR_SYSCALL) {
        if (v->in_kernel)
            do_hypercall(v, r);
        else
            domain_crash(d, "syscall from guest user mode at %#llx "
                         "(not bounced yet)", (unsigned long long)r->rip);
    } else if (r->vector == X86_EXC_PF) {
        domain_crash(d, "unhandled %s, error code %#x, at %#llx, cr2 %#llx",
                     vector_name(r->vector), r->error_code,
                     (unsigned long long)r->rip,
                     (unsigned long long)read_cr2());
    } else {
        domain_crash(d, "unhandled %s (vector %u), error code %#x, at %#llx",
                     vector_name(r->vector), r->vector, r->error_code,
                     (unsigned long long)r->rip);
    }
    if (d->is_shutting_down)
        domain_end(d);
}

void arch_enter_guest(struct vcpu *v)
{
    struct cpu_regs *f;

    /* The frame sits where every later ring-3 entry will put it. */
    f = (struct cpu_regs *)(this_cpu()->stack_top - sizeof(*f));
    *f = v->regs;
    set_current_vcpu(v);
    set_user_entry_handler(pv_user_entry);
    write_cr3(v->cr3);
    enter_frame(f);
}
