/*
 * The native parent: plain x86 hardware (or QEMU without Hyper-V).
 * Clock: the TSC, calibrated against the PIT (CPUID leaf 0x15 when the CPU
 * states the frequency). Timer: the LAPIC timer in one-shot mode. Wall
 * clock: the CMOS RTC at boot plus the TSC. Poweroff/reset: ACPI.
 */
#include <xhv/boot_info.h>
#include <xhv/desc.h>
#include <xhv/irq.h>
#include <xhv/log.h>
#include <xhv/native.h>
#include <xhv/parent.h>
#include <xhv/percpu.h>
#include <xhv/setup.h>
#include <xhv/smp.h>
#include <xhv/x86.h>

#define NS_PER_SEC 1000000000ULL

static uint64_t tsc_hz, lapic_hz;
static uint64_t tsc_at_init;
static uint64_t ns_mul;         /* ns = (tsc_delta * ns_mul) >> 32 */
static uint64_t lapic_mul;      /* ticks = (ns * lapic_mul) >> 32 */
static uint64_t wall_ns_at_init;


static uint64_t mul_shr32(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 32);
}

static uint64_t native_clock_ns(void)
{
    return mul_shr32(rdtsc() - tsc_at_init, ns_mul);
}

static uint64_t native_tsc_khz(void)
{
    return tsc_hz / 1000;
}

static uint64_t native_wallclock_ns(void)
{
    return wall_ns_at_init + native_clock_ns();
}

/* The timer state is per CPU (percpu.timer), as the LAPIC timer is. */
static void arm_lapic(uint64_t deadline, uint64_t now)
{
    uint64_t ticks;

    if (deadline <= now) {
        ticks = 1;
    } else {
        ticks = mul_shr32(deadline - now, lapic_mul);
        if (ticks == 0)
            ticks = 1;
        if (ticks > 0xffffffffULL)
            ticks = 0xffffffffULL;  /* re-armed from the interrupt */
    }
    lapic_timer_start((uint32_t)ticks, false, XHV_VEC_LAPIC_TIMER);
}

static void lapic_timer_irq(struct cpu_regs *r)
{
    struct parent_timer *t = &this_cpu()->timer;
    uint64_t now = native_clock_ns();
    void (*fn)(void *) = t->fn;

    lapic_eoi();
    if (!fn)
        return;
    if (now < t->deadline) {        /* a capped count ran out early */
        arm_lapic(t->deadline, now);
        return;
    }
    t->fn = NULL;
    fn(t->ctx);
}

static void native_timer_set(uint64_t deadline_ns, void (*fn)(void *),
                             void *ctx)
{
    struct parent_timer *t = &this_cpu()->timer;

    t->deadline = deadline_ns;
    t->ctx = ctx;
    t->fn = fn;
    arm_lapic(deadline_ns, native_clock_ns());
}

static void native_timer_stop(void)
{
    this_cpu()->timer.fn = NULL;
    lapic_timer_stop();
}

static void native_tlb_flush_local(uint64_t va, bool all)
{
    if (all)
        write_cr3(read_cr3());
    else
        invlpg((void *)va);
}

static void native_idle(void)
{
    safe_halt();
    local_irq_disable();
}

static void native_spin_wait_notify(uint32_t count)
{
    cpu_relax();
}

static void native_crash_report(const struct crash_report *c)
{
    /* No crash channel on bare hardware: the serial report is all. */
}

static __noreturn void native_reset(void)
{
    struct { uint16_t limit; uint64_t base; } __packed null_idt = { 0, 0 };

    acpi_reset();
    /* Last resort: a triple fault through an empty IDT. */
    __asm__ volatile("lidt %0; int3" :: "m"(null_idt));
    for (;;)
        halt();
}

static __noreturn void native_poweroff(void)
{
    uint64_t give_up;

    acpi_poweroff();
    /* The VM stops asynchronously: give it a moment before complaining. */
    give_up = native_clock_ns() + 1000000000ULL;
    while (native_clock_ns() < give_up)
        cpu_relax();
    printk(XLOG_ERR "poweroff failed; halting\n");
    local_irq_disable();
    for (;;)
        halt();
}

/* CPUID leaf 0x15: TSC = crystal * ebx / eax, when all three are given. */
static uint64_t tsc_hz_from_cpuid(void)
{
    uint32_t max, a, b, c, d;

    cpuid(0, &max, &b, &c, &d);
    if (max < 0x15)
        return 0;
    cpuid(0x15, &a, &b, &c, &d);
    if (!a || !b || !c)
        return 0;
    return (uint64_t)c * b / a;
}

/* Another CPU: its LAPIC (the frequencies are the boot CPU's). */
static int native_init_ap(void)
{
    lapic_init();
    this_cpu()->apic_id = lapic_id();
    this_cpu()->vp_index = this_cpu()->cpu_id;
    return 0;
}

static int native_init(void)
{
    uint64_t cal_tsc = 0;
    uint64_t unix_time;

    pic_disable();
    lapic_init();
    this_cpu()->apic_id = lapic_id();
    this_cpu()->vp_index = 0;
    if (!pit_calibrate(&cal_tsc, &lapic_hz)) {
        printk(XLOG_ERR "native: PIT does not tick; cannot calibrate\n");
        return -1;
    }
    tsc_hz = tsc_hz_from_cpuid();
    if (!tsc_hz)
        tsc_hz = cal_tsc;
    tsc_at_init = rdtsc();
    ns_mul = (NS_PER_SEC << 32) / tsc_hz;
    lapic_mul = (lapic_hz << 32) / NS_PER_SEC;
    irq_register(XHV_VEC_LAPIC_TIMER, lapic_timer_irq);

    unix_time = rtc_read_unix_time();
    wall_ns_at_init = unix_time * NS_PER_SEC;

    acpi_init(boot_info.rsdp_phys,
              boot_info.rsdp_len ? boot_info.rsdp : NULL,
              boot_info.rsdp_len);

    printk(XLOG_INFO "native: %s APIC id %u, TSC %lu.%03lu MHz, "
           "LAPIC timer %lu.%03lu MHz\n",
           lapic_is_x2apic() ? "x2APIC" : "xAPIC", this_cpu()->apic_id,
           (unsigned long)(tsc_hz / 1000000),
           (unsigned long)(tsc_hz / 1000 % 1000),
           (unsigned long)(lapic_hz / 1000000),
           (unsigned long)(lapic_hz / 1000 % 1000));
    return 0;
}

const struct parent_ops native_parent_ops = {
    .name = "native",
    .init = native_init,
    .init_ap = native_init_ap,
    .clock_ns = native_clock_ns,
    .tsc_khz = native_tsc_khz,
    .wallclock_ns = native_wallclock_ns,
    .timer_set = native_timer_set,
    .timer_stop = native_timer_stop,
    .send_ipi = lapic_send_ipi_mask,
    .tlb_flush_local = native_tlb_flush_local,
    .tlb_flush = smp_flush_ipi,
    .idle = native_idle,
    .spin_wait_notify = native_spin_wait_notify,
    .crash_report = native_crash_report,
    .reset = native_reset,
    .poweroff = native_poweroff,
};

/* For the self-test of the timer rate. */
uint64_t native_lapic_hz(void);
uint64_t native_lapic_hz(void)
{
    return lapic_hz;
}
