/*
 * Where each vCPU runs (include/xhv/domain.h): vCPU i on CPU i, pinned,
 * as Xen's pv-shim does. A CPU whose vCPU is not up waits in
 * vcpu_idle_loop(); VCPUOP_up sets is_up and kicks the CPU, which enters
 * the vCPU's saved context (its first, from VCPUOP_initialise, or where
 * it went down). Going down saves the current guest frame as the context
 * and abandons the stack.
 *
 * Shared fields (is_up, running, blocked) are read and written with
 * atomics; a CPU only ever enters its own vCPU.
 */
#include <xhv/domain.h>
#include <xhv/emulate.h>
#include <xhv/log.h>
#include <xhv/parent.h>
#include <xhv/percpu.h>
#include <xhv/smp.h>
#include <xhv/vtimer.h>
#include <xhv/x86.h>

struct vcpu *current_vcpu(void)
{
    return this_cpu()->vcpu;
}

void set_current_vcpu(struct vcpu *v)
{
    this_cpu()->vcpu = v;
}

static struct cpu_regs *guest_frame(void)
{
    return pc_guest_frame(this_cpu());
}

void vcpu_set_hypercall_result(long rc)
{
    guest_frame()->rax = (uint64_t)rc;
}

void vcpu_kick(struct vcpu *v)
{
    if (v->vcpu_id != smp_processor_id())
        smp_kick(v->vcpu_id);
}

static __noreturn void vcpu_start(struct vcpu *v)
{
    __atomic_store_n(&v->running, true, __ATOMIC_SEQ_CST);
    vtimer_apply_pending(v);
    pv_emulate_cpu_load(v);
    runstate_change(v, RUNSTATE_running);
    arch_enter_guest(v);
}

void vcpu_idle_loop(void)
{
    unsigned int me = smp_processor_id();
    struct domain *d = &guest_domain;

    set_current_vcpu(NULL);
    for (;;) {
        local_irq_disable();
        if (smp_stopping())
            smp_stop_this_cpu();
        if (me < __atomic_load_n(&d->nr_vcpus, __ATOMIC_SEQ_CST)) {
            struct vcpu *v = &d->vcpus[me];

            vtimer_apply_pending(v);    /* its timers fire even while down */
            if (!d->is_shutting_down &&
                __atomic_load_n(&v->is_up, __ATOMIC_SEQ_CST))
                vcpu_start(v);
        }
        parent->idle();
    }
}

long vcpu_up(struct vcpu *v)
{
    if (!__atomic_load_n(&v->initialised, __ATOMIC_SEQ_CST))
        return -XEN_EINVAL;
    if (!__atomic_exchange_n(&v->is_up, true, __ATOMIC_SEQ_CST))
        vcpu_kick(v);
    return 0;
}

/*
 * is_up was cleared by whoever asked for the down (VCPUOP_down); it is not
 * written here, so an up that arrives meanwhile wins: the idle loop sees
 * it and resumes the vCPU at once (the last call wins, as in Xen).
 */
void vcpu_down_self(struct vcpu *v)
{
    /* Resume, when up again, exactly where this entry came from. */
    v->regs = *guest_frame();
    runstate_change(v, RUNSTATE_offline);
    __atomic_store_n(&v->running, false, __ATOMIC_SEQ_CST);
    set_current_vcpu(NULL);
    smp_call_on_fresh_stack(vcpu_idle_loop);
}

void vcpu_check_state(struct vcpu *v)
{
    vtimer_apply_pending(v);
    if (!__atomic_load_n(&v->is_up, __ATOMIC_SEQ_CST))
        vcpu_down_self(v);
    if (smp_stopping())
        smp_stop_this_cpu();
}
