/*
 * HYPERVISOR_sched_op (public sched.h) and the legacy set_timer_op.
 *
 *  SCHEDOP_shutdown   poweroff, reboot, crash, watchdog end the domain
 *                     (and the VM: docs/boot.md); suspend, soft_reset
 *                     -ENOSYS; unknown reason -EINVAL
 *  SCHEDOP_block      unmask event delivery, then idle the CPU (the parent's
 *                     idle) until an event is pending for the vCPU
 *  SCHEDOP_yield      one vCPU per CPU, nothing else to run here: the
 *                     parent hears of the spin (spin_wait_notify, with
 *                     the count of yields in a row), then it returns
 *  SCHEDOP_poll       wait, events still masked, until one of up to 128
 *                     ports is pending or the absolute timeout passes;
 *                     a sender on another CPU kicks a polling vCPU (the
 *                     ordering is in shim/event/evtchn.c)
 *  others             -ENOSYS (shutdown_code, remote_shutdown, watchdog,
 *                     pin_override: not used by a domU at boot)
 */
#include <xhv/event.h>
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/parent.h>
#include <xhv/vtimer.h>
#include <xen/sched.h>

#define POLL_MAX_PORTS 128

static bool upcall_pending(const struct vcpu *v)
{
    return __atomic_load_n(&v->vcpu_info->evtchn_upcall_pending,
                           __ATOMIC_SEQ_CST);
}

static void set_blocked(struct vcpu *v, bool b)
{
    __atomic_store_n(&v->blocked, b, __ATOMIC_SEQ_CST);
}

static long do_block(struct vcpu *v)
{
    v->yields = 0;
    v->vcpu_info->evtchn_upcall_mask = 0;
    if (upcall_pending(v))
        return 0;
    set_blocked(v, true);
    runstate_change(v, RUNSTATE_blocked);
    /*
     * Invariant: interrupts are off between the check and the idle, which
     * enables them and halts atomically (sti; hlt): a kick that comes
     * after the check ends the halt.
     */
    while (!upcall_pending(v) && !v->domain->is_shutting_down &&
           __atomic_load_n(&v->is_up, __ATOMIC_SEQ_CST)) {
        parent->idle();
        vtimer_apply_pending(v);    /* a periodic timer set from afar */
    }
    runstate_change(v, RUNSTATE_running);
    set_blocked(v, false);
    return 0;
}

static void poll_timeout(void *ctx)
{
    struct vcpu *v = ctx;

    v->poll_expired = true;
}

static long do_poll(struct vcpu *v, uint64_t arg)
{
    struct sched_poll p;
    evtchn_port_t ports[POLL_MAX_PORTS];
    unsigned int i;

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -XEN_EFAULT;
    if (p.nr_ports > POLL_MAX_PORTS)
        return -XEN_EINVAL;
    if (p.nr_ports &&
        copy_from_guest(ports, (uint64_t)p.ports.p,
                        p.nr_ports * sizeof(ports[0])))
        return -XEN_EFAULT;
    for (i = 0; i < p.nr_ports; i++)
        if (ports[i] >= EVTCHN_NR_PORTS)
            return -XEN_EINVAL;

    v->yields = 0;
    v->poll_expired = false;
    if (p.timeout)
        timer_set(&v->poll_timer, p.timeout, poll_timeout, v);
    set_blocked(v, true);
    runstate_change(v, RUNSTATE_blocked);
    for (;;) {
        for (i = 0; i < p.nr_ports; i++)
            if (evtchn_port_pending(v->domain, ports[i]))
                goto out;
        if (__atomic_load_n(&v->poll_expired, __ATOMIC_SEQ_CST) ||
            v->domain->is_shutting_down ||
            !__atomic_load_n(&v->is_up, __ATOMIC_SEQ_CST))
            goto out;
        parent->idle();
        vtimer_apply_pending(v);
    }
out:
    timer_stop(&v->poll_timer);
    runstate_change(v, RUNSTATE_running);
    set_blocked(v, false);
    return 0;
}

long do_sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                 uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct sched_shutdown s;

    switch (cmd) {
    case SCHEDOP_yield:
        parent->spin_wait_notify(++v->yields);
        return 0;
    case SCHEDOP_block:
        return do_block(v);
    case SCHEDOP_poll:
        return do_poll(v, arg);
    case SCHEDOP_shutdown:
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -XEN_EFAULT;
        switch (s.reason) {
        case SHUTDOWN_poweroff:
        case SHUTDOWN_reboot:
        case SHUTDOWN_crash:
        case SHUTDOWN_watchdog:
            domain_shutdown(v->domain, s.reason);
            return 0;
        case SHUTDOWN_suspend:
        case SHUTDOWN_soft_reset:
            return -XEN_ENOSYS;
        default:
            return -XEN_EINVAL;
        }
    default:
        return -XEN_ENOSYS;
    }
}

/* set_timer_op(timeout): 0 stops the single-shot timer (public xen.h). */
long do_set_timer_op(struct vcpu *v, uint64_t timeout, uint64_t a2,
                     uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (!timeout) {
        vtimer_stop_singleshot(v);
        return 0;
    }
    return vtimer_set_singleshot(v, timeout, false);
}
