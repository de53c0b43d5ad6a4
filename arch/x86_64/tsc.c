/* The TSC for guest time (include/xhv/time.h). */
#include <xhv/time.h>
#include <xhv/x86.h>

uint64_t arch_rdtsc(void)
{
    return rdtsc();
}

/* CPUID 0x80000007 EDX bit 8: invariant TSC. */
bool arch_tsc_invariant(void)
{
    uint32_t a, b, c, d;

    cpuid(0x80000000, &a, &b, &c, &d);
    if (a < 0x80000007)
        return false;
    cpuid(0x80000007, &a, &b, &c, &d);
    return d & BIT(8);
}
