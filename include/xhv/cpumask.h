/*
 * Sets of shim CPUs, by CPU index (0 = the boot CPU). XHV_MAX_CPUS bounds
 * the index; vCPU i of the guest runs on CPU i, so the same sets name
 * vCPUs. (Hyper-V's own VP numbering is percpu.vp_index, separate.)
 */
#ifndef XHV_CPUMASK_H
#define XHV_CPUMASK_H

#define XHV_MAX_CPUS        64

#ifndef __ASSEMBLY__
#include <xhv/types.h>

#define CPUMASK_WORDS       ((XHV_MAX_CPUS + 63) / 64)

struct cpumask {
    uint64_t bits[CPUMASK_WORDS];
};

static inline void cpumask_clear(struct cpumask *m)
{
    unsigned int i;

    for (i = 0; i < CPUMASK_WORDS; i++)
        m->bits[i] = 0;
}

static inline void cpumask_set(struct cpumask *m, unsigned int cpu)
{
    m->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

/* Atomic forms, for masks several CPUs update at once. */
static inline void cpumask_set_atomic(struct cpumask *m, unsigned int cpu)
{
    __atomic_fetch_or(&m->bits[cpu / 64], 1ULL << (cpu % 64),
                      __ATOMIC_SEQ_CST);
}

static inline void cpumask_clear_cpu_atomic(struct cpumask *m,
                                            unsigned int cpu)
{
    __atomic_fetch_and(&m->bits[cpu / 64], ~(1ULL << (cpu % 64)),
                       __ATOMIC_SEQ_CST);
}

static inline void cpumask_clear_cpu(struct cpumask *m, unsigned int cpu)
{
    m->bits[cpu / 64] &= ~(1ULL << (cpu % 64));
}

static inline bool cpumask_test(const struct cpumask *m, unsigned int cpu)
{
    return cpu < XHV_MAX_CPUS && (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

static inline bool cpumask_empty(const struct cpumask *m)
{
    unsigned int i;

    for (i = 0; i < CPUMASK_WORDS; i++)
        if (m->bits[i])
            return false;
    return true;
}

static inline unsigned int cpumask_weight(const struct cpumask *m)
{
    unsigned int i, n = 0;

    /* No __builtin_popcount: freestanding, there is no libgcc. */
    for (i = 0; i < CPUMASK_WORDS; i++) {
        uint64_t w = m->bits[i];

        for (; w; w &= w - 1)
            n++;
    }
    return n;
}

/* The next CPU in m at or after `cpu`, or XHV_MAX_CPUS. */
static inline unsigned int cpumask_next(const struct cpumask *m,
                                        unsigned int cpu)
{
    for (; cpu < XHV_MAX_CPUS; cpu++)
        if ((m->bits[cpu / 64] >> (cpu % 64)) & 1)
            return cpu;
    return XHV_MAX_CPUS;
}

#define for_each_cpu(cpu, m)                                                \
    for ((cpu) = cpumask_next((m), 0); (cpu) < XHV_MAX_CPUS;                \
         (cpu) = cpumask_next((m), (cpu) + 1))

#endif /* __ASSEMBLY__ */
#endif /* XHV_CPUMASK_H */
