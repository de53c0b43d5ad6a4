/*
 * Local APIC, xAPIC (MMIO at the APIC_BASE MSR's address, mapped uncached)
 * or x2APIC (MSRs 0x800 + reg/16) when CPUID.1:ECX[21] offers it.
 * Register offsets from the SDM vol. 3, 11.4.1 / 11.12.1.
 */
#include <xhv/desc.h>
#include <xhv/native.h>
#include <xhv/paging.h>
#include <xhv/percpu.h>
#include <xhv/panic.h>
#include <xhv/x86.h>

#define APIC_ID         0x020
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_ICR_LO     0x300
#define APIC_ICR_HI     0x310
#define APIC_LVT_TIMER  0x320
#define APIC_TMICT      0x380
#define APIC_TMCCT      0x390
#define APIC_TDCR       0x3e0

#define APIC_BASE_X2APIC  BIT(10)
#define APIC_BASE_ENABLE  BIT(11)
#define APIC_SVR_ENABLE   BIT(8)
#define APIC_LVT_MASKED   BIT(16)
#define APIC_LVT_PERIODIC BIT(17)
#define APIC_ICR_BUSY     BIT(12)
#define MSR_X2APIC_BASE   0x800

static volatile uint32_t *xapic;
static bool x2apic;

static uint32_t apic_read(unsigned int reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16);
    return xapic[reg / 4];
}

static void apic_write(unsigned int reg, uint32_t v)
{
    if (x2apic)
        wrmsr(MSR_X2APIC_BASE + reg / 16, v);
    else
        xapic[reg / 4] = v;
}

void lapic_init(void)
{
    uint32_t a, b, c, d;
    uint64_t base = rdmsr(MSR_APIC_BASE);

    cpuid(1, &a, &b, &c, &d);
    if (!(d & BIT(9)))
        panic("no local APIC");
    x2apic = c & BIT(21);
    base |= APIC_BASE_ENABLE;
    if (x2apic)
        base |= APIC_BASE_X2APIC;
    wrmsr(MSR_APIC_BASE, base);
    if (!x2apic && !xapic) {        /* one mapping serves every CPU */
        xapic = ioremap(base & PTE_ADDR_MASK & ~0xfffULL, PAGE_SIZE);
        if (!xapic)
            panic("cannot map the local APIC");
    }
    apic_write(APIC_SVR, APIC_SVR_ENABLE | XHV_VEC_SPURIOUS);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
    apic_write(APIC_TDCR, 0xb);     /* divide by 1 */
}

bool lapic_is_x2apic(void)
{
    return x2apic;
}

uint32_t lapic_id(void)
{
    uint32_t id = apic_read(APIC_ID);

    return x2apic ? id : id >> 24;
}

void lapic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

/* ICR: destination apic_id, low word `lo` (vector, delivery mode, level). */
static void send_icr(uint32_t apic_id, uint32_t lo)
{
    if (x2apic) {
        wrmsr(MSR_X2APIC_BASE + APIC_ICR_LO / 16,
              ((uint64_t)apic_id << 32) | lo);
        return;
    }
    apic_write(APIC_ICR_HI, apic_id << 24);
    apic_write(APIC_ICR_LO, lo);
    while (apic_read(APIC_ICR_LO) & APIC_ICR_BUSY)
        cpu_relax();
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    send_icr(apic_id, vector);
}

void lapic_send_ipi_mask(const struct cpumask *cpus, uint8_t vector)
{
    unsigned int cpu, self = smp_processor_id();

    for_each_cpu(cpu, cpus)
        if (cpu != self && percpu[cpu].online)
            send_icr(percpu[cpu].apic_id, vector);
}

/* SDM vol. 3, 8.4.4.1: INIT (mode 101b, level assert), then STARTUP. */
#define ICR_INIT        (5U << 8)
#define ICR_STARTUP     (6U << 8)
#define ICR_ASSERT      BIT(14)

void lapic_send_init(uint32_t apic_id)
{
    send_icr(apic_id, ICR_INIT | ICR_ASSERT);
}

void lapic_send_startup(uint32_t apic_id, uint8_t page)
{
    send_icr(apic_id, ICR_STARTUP | ICR_ASSERT | page);
}

void lapic_timer_start(uint32_t count, bool periodic, uint8_t vector)
{
    apic_write(APIC_LVT_TIMER, vector | (periodic ? APIC_LVT_PERIODIC : 0));
    apic_write(APIC_TMICT, count ? count : 1);
}

void lapic_timer_stop(void)
{
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
    apic_write(APIC_TMICT, 0);
}

uint32_t lapic_timer_current(void)
{
    return apic_read(APIC_TMCCT);
}
