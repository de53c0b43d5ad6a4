/*
 * Bringing up the other CPUs, and the cross-CPU work every parent can fall
 * back to (arch/x86_64/smp.c, smp_flush.c).
 *
 * Vectors: XHV_VEC_EVENT_CHECK (a vCPU has new work: events pending, a
 * VCPUOP_up/down, or a domain shutdown; the handler does nothing, the
 * return path looks), XHV_VEC_FLUSH (flush request), XHV_VEC_STOP (halt
 * for good: the VM is ending).
 */
#ifndef XHV_SMP_H
#define XHV_SMP_H

#include <xhv/cpumask.h>
#include <xhv/types.h>

/*
 * Start every CPU the ACPI MADT lists (INIT-SIPI-SIPI), at most `max`
 * CPUs in all (0: no limit). Each runs parent->init_ap() and then waits
 * in smp_ap_idle() for its vCPU. Returns the number of CPUs online.
 */
unsigned int smp_boot_cpus(unsigned int max);

/*
 * Flush the CPUs in `cpus` by IPI (the native way, and the Hyper-V
 * parent's fallback): this CPU flushes itself directly, the others on
 * XHV_VEC_FLUSH; returns when all have acknowledged.
 */
void smp_flush_ipi(const struct cpumask *cpus, uint64_t va, bool all);

/* Tell the CPU running vCPU `cpu` to look at its vCPU's state. */
void smp_kick(unsigned int cpu);

/* Stop all other CPUs (the VM is ending); they halt with IRQs off. */
void smp_stop_others(void);
/* Has smp_stop_others() begun? Then this CPU stops (smp_stop_this_cpu). */
bool smp_stopping(void);
__noreturn void smp_stop_this_cpu(void);

/* The flush IPI's handler (smp_flush.c). */
void smp_flush_init(void);

/*
 * Abandon the current stack: run fn on this CPU's entry stack, below the
 * frame a guest entry uses (the shim's vCPU wait after VCPUOP_down).
 */
__noreturn void smp_call_on_fresh_stack(void (*fn)(void));

#endif /* XHV_SMP_H */
