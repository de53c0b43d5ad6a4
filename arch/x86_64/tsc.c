/*
 * The TSC for guest time (include/xhv/time.h).
 *
 * When may the guest trust the TSC alone (PVCLOCK_TSC_STABLE_BIT, which
 * lets Linux read time in its vDSO without a system call)? When it ticks
 * at a constant rate and in step on every CPU:
 *   - the CPU says the TSC is invariant (CPUID 0x80000007 EDX bit 8); or
 *   - a hypervisor presents the CPU (CPUID 1 ECX bit 31: its virtual TSC
 *     has a fixed rate — QEMU, KVM and Hyper-V keep it so) and no CPU
 *     saw another's TSC go backwards in the check run while the CPUs came
 *     up (smp.c: tsc_warp_check). A single CPU cannot disagree with itself.
 * xhv decides this once, as Xen decides "reliable TSC" at boot.
 */
#include <xhv/spinlock.h>
#include <xhv/time.h>
#include <xhv/x86.h>

static bool tsc_warped;
static spinlock_t warp_lock = SPINLOCK_INIT;
static uint64_t warp_last;

uint64_t arch_rdtsc(void)
{
    return rdtsc();
}

static bool tsc_invariant(void)
{
    uint32_t a, b, c, d;

    cpuid(0x80000000, &a, &b, &c, &d);
    if (a < 0x80000007)
        return false;
    cpuid(0x80000007, &a, &b, &c, &d);
    return d & BIT(8);
}

static bool under_hypervisor(void)
{
    uint32_t a, b, c, d;

    cpuid(1, &a, &b, &c, &d);
    return c & BIT(31);
}

void tsc_warp_check(unsigned int rounds)
{
    unsigned int i;

    /* Invariant: warp_last is the latest TSC any CPU read under the lock. */
    for (i = 0; i < rounds; i++) {
        uint64_t now;

        spin_lock(&warp_lock);
        now = rdtsc();
        if (now < warp_last)
            tsc_warped = true;
        warp_last = now;
        spin_unlock(&warp_lock);
    }
}

bool arch_tsc_stable(void)
{
    static int stable = -1;

    if (stable < 0)
        stable = tsc_invariant() || (under_hypervisor() && !tsc_warped);
    return stable;
}
