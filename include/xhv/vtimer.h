/*
 * A vCPU's Xen timers and runstate (public vcpu.h, sched.h):
 *   singleshot   VCPUOP_set_singleshot_timer / set_timer_op: VIRQ_TIMER at
 *                an absolute guest system time
 *   periodic     VCPUOP_set_periodic_timer: VIRQ_TIMER every period
 *                (stopped until the guest starts it; Linux never does)
 * Guest system time is the parent clock (include/xhv/time.h), so deadlines
 * need no conversion. Each expiry also re-publishes vcpu_time_info.
 */
#ifndef XHV_VTIMER_H
#define XHV_VTIMER_H

#include <xhv/domain.h>

void vtimer_vcpu_init(struct vcpu *v);
/* -XEN_ETIME if `future` and the deadline has passed; else 0. */
long vtimer_set_singleshot(struct vcpu *v, uint64_t deadline, bool future);
void vtimer_stop_singleshot(struct vcpu *v);
/* Period in ns; below 1 ms: -XEN_EINVAL (Xen's limit). */
long vtimer_set_periodic(struct vcpu *v, uint64_t period_ns);
void vtimer_stop_periodic(struct vcpu *v);
/* On v's own CPU: apply a periodic-timer change another vCPU asked for. */
void vtimer_apply_pending(struct vcpu *v);

/* Runstate: account the time in the old state, enter the new one, and
 * update the guest's registered copy. */
void runstate_change(struct vcpu *v, int new_state);
/* Write the runstate (and vcpu_time_info copy) to the registered areas. */
void runstate_publish(struct vcpu *v);

#endif /* XHV_VTIMER_H */
