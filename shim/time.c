/*
 * Guest time (include/xhv/time.h). The scale is computed as Xen's
 * set_time_scale (xen/arch/x86/time.c) does: bring the tick rate into
 * (1e9, 2e9] by a power-of-two shift, then mul = 2^32 * 1e9 / rate.
 * PVCLOCK_TSC_STABLE_BIT is set only when the TSC is stable
 * (arch_tsc_stable: invariant, or a hypervisor's TSC seen in step on every
 * CPU): then the guest may trust the TSC alone (and its vDSO stays in user
 * space).
 */
#include <xhv/domain.h>
#include <xhv/parent.h>
#include <xhv/time.h>

#define NS_PER_SEC 1000000000ULL

void time_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift)
{
    uint64_t tps = tsc_hz ? tsc_hz : NS_PER_SEC;
    int s = 0;

    while (tps > 2 * NS_PER_SEC) {
        tps >>= 1;
        s--;
    }
    while (tps <= NS_PER_SEC) {
        tps <<= 1;
        s++;
    }
    *mul = (uint32_t)((NS_PER_SEC << 32) / tps);
    *shift = (int8_t)s;
}

void time_update_vcpu(struct vcpu *v)
{
    /* The parent's TSC rate does not change: scale it once. */
    static uint32_t mul;
    static int8_t shift;
    struct vcpu_time_info *t;
    uint64_t tsc, now;

    if (!v->vcpu_info)
        return;
    t = &v->vcpu_info->time;
    if (!mul)
        time_scale(parent->tsc_khz() * 1000, &mul, &shift);
    tsc = arch_rdtsc();
    now = parent->clock_ns();

    t->version |= 1;                        /* odd: being updated */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->tsc_timestamp = tsc;
    t->system_time = now;
    t->tsc_to_system_mul = mul;
    t->tsc_shift = shift;
    t->flags = arch_tsc_stable() ? XEN_PVCLOCK_TSC_STABLE_BIT : 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t->version++;                           /* even: consistent */
}

void time_update_wallclock(struct domain *d)
{
    shared_info_t *s = d->shared_info;
    uint64_t wall = parent->wallclock_ns() - parent->clock_ns();

    s->wc_version |= 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    s->wc_sec = (uint32_t)(wall / NS_PER_SEC);
    s->wc_sec_hi = (uint32_t)((wall / NS_PER_SEC) >> 32);
    s->wc_nsec = (uint32_t)(wall % NS_PER_SEC);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    s->wc_version++;
}
