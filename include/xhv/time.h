/*
 * Guest time (public xen.h vcpu_time_info, shared_info wc_*): the guest's
 * system time is the parent's monotonic clock (ns since the parent came
 * up), published per vCPU with the TSC scale so the guest can extrapolate:
 *   ns = system_time + ((((tsc - tsc_timestamp) << shift) * mul) >> 32)
 * (a negative shift shifts right). Updates follow the version protocol:
 * odd while being written.
 */
#ifndef XHV_TIME_H
#define XHV_TIME_H

#include <xhv/types.h>

struct vcpu;
struct domain;

/* The TSC scale of Xen's set_time_scale for a TSC of tsc_hz. */
void time_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift);

/* (Re)publish v's vcpu_time_info from the parent clock and the TSC. */
void time_update_vcpu(struct vcpu *v);
/* Publish the wall clock at system time 0 (shared_info wc_*). */
void time_update_wallclock(struct domain *d);

/* Arch: the TSC now. */
uint64_t arch_rdtsc(void);
/*
 * May the guest trust the TSC alone (arch/x86_64/tsc.c says when)? Decided
 * once, after the CPUs came up.
 */
bool arch_tsc_stable(void);
/* Several CPUs at once: read the TSC in turn, note any going backwards. */
void tsc_warp_check(unsigned int rounds);

#endif /* XHV_TIME_H */
