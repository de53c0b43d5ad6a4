/*
 * vCPU timers and runstate accounting (include/xhv/vtimer.h).
 */
#include <xhv/event.h>
#include <xhv/guest_access.h>
#include <xhv/parent.h>
#include <xhv/string.h>
#include <xhv/time.h>
#include <xhv/vtimer.h>

#define MIN_PERIOD_NS 1000000ULL

static void timer_virq(struct vcpu *v)
{
    time_update_vcpu(v);
    if (v->time_guest_va)
        copy_to_guest(v->time_guest_va, &v->vcpu_info->time,
                      sizeof(v->vcpu_info->time));
    evtchn_send_virq(v, VIRQ_TIMER);
}

static void singleshot_fire(void *ctx)
{
    timer_virq(ctx);
}

static void periodic_fire(void *ctx)
{
    struct vcpu *v = ctx;
    uint64_t now = parent->clock_ns(), next;

    timer_virq(v);
    if (!v->periodic_period)
        return;
    next = v->periodic.deadline + v->periodic_period;
    if (next <= now)                    /* missed ticks are not replayed */
        next = now + v->periodic_period;
    timer_set(&v->periodic, next, periodic_fire, v);
}

void vtimer_vcpu_init(struct vcpu *v)
{
    memset(&v->runstate, 0, sizeof(v->runstate));
    v->runstate.state = RUNSTATE_running;
    v->runstate.state_entry_time = parent->clock_ns();
    v->periodic_period = 0;
}

long vtimer_set_singleshot(struct vcpu *v, uint64_t deadline, bool future)
{
    if (future && deadline < parent->clock_ns())
        return -XEN_ETIME;
    timer_set(&v->singleshot, deadline, singleshot_fire, v);
    return 0;
}

void vtimer_stop_singleshot(struct vcpu *v)
{
    timer_stop(&v->singleshot);
}

/*
 * A vCPU's timers live on its own CPU (shim/timer.c). Another vCPU may
 * set or stop its periodic timer (Xen allows it): the new period is
 * recorded and v's CPU, kicked, applies it (vtimer_apply_pending) before
 * it next runs v, or at once if v is down.
 */
static void periodic_apply(struct vcpu *v, uint64_t period)
{
    v->periodic_period = period;
    if (period)
        timer_set(&v->periodic, parent->clock_ns() + period, periodic_fire,
                  v);
    else
        timer_stop(&v->periodic);
}

void vtimer_apply_pending(struct vcpu *v)
{
    /* A plain load first: this runs on every return to the guest. */
    if (!__atomic_load_n(&v->periodic_pending, __ATOMIC_RELAXED) ||
        !__atomic_exchange_n(&v->periodic_pending, false, __ATOMIC_SEQ_CST))
        return;
    periodic_apply(v, __atomic_load_n(&v->periodic_request,
                                      __ATOMIC_SEQ_CST));
}

static void periodic_request(struct vcpu *v, uint64_t period)
{
    if (v == current_vcpu()) {
        __atomic_store_n(&v->periodic_pending, false, __ATOMIC_SEQ_CST);
        periodic_apply(v, period);
        return;
    }
    __atomic_store_n(&v->periodic_request, period, __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->periodic_pending, true, __ATOMIC_SEQ_CST);
    vcpu_kick(v);
}

long vtimer_set_periodic(struct vcpu *v, uint64_t period_ns)
{
    if (period_ns < MIN_PERIOD_NS)
        return -XEN_EINVAL;
    periodic_request(v, period_ns);
    return 0;
}

void vtimer_stop_periodic(struct vcpu *v)
{
    periodic_request(v, 0);
}

void runstate_publish(struct vcpu *v)
{
    if (v->runstate_guest_va)
        copy_to_guest(v->runstate_guest_va, &v->runstate,
                      sizeof(v->runstate));
}

void runstate_change(struct vcpu *v, int new_state)
{
    uint64_t now = parent->clock_ns();
    struct vcpu_runstate_info *rs = &v->runstate;

    if (rs->state >= 0 && rs->state < 4 && now > rs->state_entry_time)
        rs->time[rs->state] += now - rs->state_entry_time;
    rs->state = new_state;
    rs->state_entry_time = now;
    runstate_publish(v);
}
