/*
 * Entering the PV guest, and every entry from it (exceptions, interrupts
 * are elsewhere): the x86 side of the PV core's dispatch.
 *
 *   syscall      guest-kernel mode: a hypercall; guest-user mode: bounced
 *                to the guest's syscall callback
 *   int $0x80, int3, into   bounced to the guest's trap table
 *   #PF          a write to one of the guest's own page tables is emulated
 *                (writable page tables); anything else is bounced with the
 *                address in vcpu_info.arch.cr2 and the error code's user bit
 *                telling the guest's mode, as Xen does
 *   #GP, #UD     privileged-instruction emulation (forced CPUID, and from
 *                guest-kernel mode MSRs, CRs, port I/O ...); what it does
 *                not handle is bounced
 *   others       bounced, with their error code
 * Before returning to the guest, pending events are delivered. A guest that
 * cannot continue is a reported domain crash, never a shim panic.
 */
#include <xhv/domain.h>
#include <xhv/hypercall.h>
#include <xhv/irq.h>
#include <xhv/log.h>
#include <xhv/panic.h>
#include <xhv/percpu.h>
#include <xhv/pv.h>
#include <xhv/pv_arch.h>
#include <xhv/string.h>
#include <xhv/x86.h>
#include <xhv/desc.h>
#include <xhv/emulate.h>
#include <xhv/mm.h>
#include <xhv/spinlock.h>

__noreturn void enter_frame(struct cpu_regs *r);
__noreturn void iret_fault_handler(struct cpu_regs *r);

static void handle_page_fault(struct vcpu *v, struct cpu_regs *r)
{
    uint64_t cr2 = read_cr2();
    uint32_t ec = r->error_code;

    if (v->in_kernel &&
        (ec & (PFEC_PRESENT | PFEC_WRITE)) == (PFEC_PRESENT | PFEC_WRITE)) {
        bool done;

        spin_lock(&v->domain->lock);
        done = ptwr_do_page_fault(v, r, cr2);
        spin_unlock(&v->domain->lock);
        if (done)
            return;
    }
    v->vcpu_info->arch.cr2 = cr2;
    /* The guest kernel runs in ring 3: tell it which mode it was in. */
    ec &= ~PFEC_USER;
    if (!v->in_kernel)
        ec |= PFEC_USER;
    pv_inject_exception(v, r, X86_EXC_PF, true, ec);
}

static void handle_gp_ud(struct vcpu *v, struct cpu_regs *r)
{
    bool has_ec = r->vector == X86_EXC_GP;

    /* It refuses everything from user mode but the forced CPUID. */
    struct pv_exc exc;

    switch (pv_emulate_priv(v, r, r->vector, &exc)) {
    case PV_EMUL_DONE:
        return;
    case PV_EMUL_EXCEPTION:
        pv_inject_exception(v, r, exc.vector, exc.has_ec, exc.error_code);
        return;
    default:
        break;
    }
    pv_inject_exception(v, r, r->vector, has_ec, r->error_code);
}

/* int3, into, int $0x80: allowed if the guest's gate DPL admits the mode. */
static void handle_soft_int(struct vcpu *v, struct cpu_regs *r)
{
    const struct trap_info *ti = &v->trap_ctxt[r->vector & 0xff];
    unsigned int cpl = v->in_kernel ? 1 : 3;

    if (ti->address && TI_GET_DPL(ti) >= cpl) {
        pv_inject_exception(v, r, r->vector, false, 0);
        return;
    }
    /* As the hardware would: #GP with the IDT vector in the error code. */
    r->rip -= r->vector == XHV_VEC_INT80 ? 2 : 1;
    pv_inject_exception(v, r, X86_EXC_GP, true, (r->vector << 3) | 2);
}

static void pv_return_to_guest(struct vcpu *v, struct cpu_regs *r);

static void pv_user_entry(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();
    struct domain *d = v->domain;

    v->regs = *r;
    switch (r->vector) {
    case ENTRY_VECTOR_SYSCALL:
        if (v->in_kernel)
            do_hypercall(v, r);
        else
            pv_inject_syscall(v, r);
        break;
    case X86_EXC_BP:
    case X86_EXC_OF:
    case XHV_VEC_INT80:
        handle_soft_int(v, r);
        break;
    case X86_EXC_PF:
        handle_page_fault(v, r);
        break;
    case X86_EXC_GP:
    case X86_EXC_UD:
        handle_gp_ud(v, r);
        break;
    case X86_EXC_NMI:
    case X86_EXC_MC:
    case X86_EXC_DF:
        domain_crash(d, "%s while the guest ran at %#llx",
                     vector_name(r->vector), (unsigned long long)r->rip);
        break;
    default:
        pv_inject_exception(v, r, r->vector,
                            (X86_EXC_HAVE_EC >> r->vector) & 1,
                            r->error_code);
        break;
    }
    pv_return_to_guest(v, r);
}

/*
 * Every return to the guest: end the domain if it is over, stop here if
 * the vCPU went down, deliver pending events. Also after an interrupt
 * that came while the guest ran, so a VIRQ or an IPI's event reaches a
 * guest that makes no hypercall (a busy loop in user mode).
 */
static void pv_return_to_guest(struct vcpu *v, struct cpu_regs *r)
{
    struct domain *d = v->domain;

    if (d->is_shutting_down)
        domain_end(d);
    vcpu_check_state(v);
    pv_deliver_events(v, r);
    if (d->is_shutting_down)
        domain_end(d);
}

static void pv_irq_return(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();

    if (!v)
        return;
    v->regs = *r;
    pv_return_to_guest(v, r);
}

void iret_fault_handler(struct cpu_regs *r)
{
    struct vcpu *v = current_vcpu();

    if (!v)
        panic_regs(r, "iretq fault outside a guest");
    v->regs = *r;
    domain_crash(v->domain, "the guest's return frame was refused by the "
                 "CPU (cs %#llx ss %#llx rip %#llx)",
                 (unsigned long long)r->cs, (unsigned long long)r->ss,
                 (unsigned long long)r->rip);
    domain_end(v->domain);
}

void arch_enter_guest(struct vcpu *v)
{
    struct cpu_regs *f;

    /* The frame sits where every later ring-3 entry will put it. */
    f = pc_guest_frame(this_cpu());
    *f = v->regs;
    set_current_vcpu(v);
    if (arch_pv_gdt_init(v))
        panic("no memory for the vCPU's GDT window");
    /* A context from VCPUOP_initialise (or before a VCPUOP_down) has one. */
    if (v->gdt_ents)
        arch_pv_gdt_load(v, v->gdt_frames,
                         (v->gdt_ents + 511) / 512);
    set_user_entry_handler(pv_user_entry);
    set_user_irq_return_handler(pv_irq_return);
    cpumask_set_atomic(&v->domain->dirty_cpus, smp_processor_id());
    arch_pv_load_cr3(v->cr3);
    arch_pv_load_segbases(v);
    arch_pv_load_debugregs(v);
    arch_pv_set_ts(v->cr0_ts != 0);
    enter_frame(f);
}
