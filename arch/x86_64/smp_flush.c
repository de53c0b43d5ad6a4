/*
 * TLB flushes on other CPUs by IPI: the native parent's tlb_flush, and the
 * Hyper-V parent's fallback (include/xhv/smp.h).
 *
 * One request at a time (flush_lock): the requester publishes the VA (or
 * "all") and the set of CPUs still to acknowledge, sends XHV_VEC_FLUSH,
 * flushes itself if asked, and waits until the set is empty. A target
 * flushes and clears its bit from the interrupt, or — if it is spinning
 * with interrupts off (on a lock the requester may hold, or on
 * flush_lock itself) — from smp_spin_poll(). So a CPU that holds a lock
 * and flushes cannot deadlock with one waiting for that lock.
 *
 * Lock order: flush_lock is innermost; it is never held while taking
 * another lock.
 */
#include <xhv/desc.h>
#include <xhv/irq.h>
#include <xhv/native.h>
#include <xhv/parent.h>
#include <xhv/percpu.h>
#include <xhv/smp.h>
#include <xhv/spinlock.h>
#include <xhv/x86.h>

static spinlock_t flush_lock = SPINLOCK_INIT;
static struct cpumask flush_pending;   /* CPUs yet to flush and ack */
static uint64_t flush_va;
static bool flush_all;

/* If this CPU owes a flush, do it and acknowledge. */
static void flush_if_requested(void)
{
    unsigned int me = smp_processor_id();

    if (!cpumask_test(&flush_pending, me))
        return;
    parent->tlb_flush_local(flush_va, flush_all);
    cpumask_clear_cpu_atomic(&flush_pending, me);
}

static void flush_irq(struct cpu_regs *r)
{
    lapic_eoi();
    flush_if_requested();
}

void smp_spin_poll(void)
{
    if (__atomic_load_n(&flush_pending.bits[0], __ATOMIC_RELAXED) ||
        CPUMASK_WORDS > 1)
        flush_if_requested();
    if (smp_stopping())
        smp_stop_this_cpu();
}

void smp_flush_init(void)
{
    irq_register(XHV_VEC_FLUSH, flush_irq);
}

void smp_flush_ipi(const struct cpumask *cpus, uint64_t va, bool all)
{
    unsigned int me = smp_processor_id(), cpu;
    struct cpumask others;
    bool self = cpumask_test(cpus, me);

    cpumask_clear(&others);
    for_each_cpu(cpu, cpus)
        if (cpu != me && percpu[cpu].online)
            cpumask_set(&others, cpu);
    if (!cpumask_empty(&others)) {
        spin_lock(&flush_lock);
        flush_va = va;
        flush_all = all;
        __atomic_store_n(&flush_pending.bits[0], others.bits[0],
                         __ATOMIC_SEQ_CST);
        for (cpu = 1; cpu < CPUMASK_WORDS; cpu++)
            __atomic_store_n(&flush_pending.bits[cpu], others.bits[cpu],
                             __ATOMIC_SEQ_CST);
        parent->send_ipi(&others, XHV_VEC_FLUSH);
        if (self)
            parent->tlb_flush_local(va, all);
        /* A target stopped meanwhile (VM ending) never acks: give up. */
        while (!cpumask_empty(&flush_pending) && !smp_stopping())
            cpu_relax();
        spin_unlock(&flush_lock);
        return;
    }
    if (self)
        parent->tlb_flush_local(va, all);
}
