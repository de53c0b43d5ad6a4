/*
 * Time on Hyper-V (timers.md): the partition reference time, 100 ns units
 * since the partition started, monotonic and the same on every VP.
 *
 * It is read from the reference TSC page when that is granted and valid
 * (no exit), else from HV_MSR_TIME_REF_COUNT (one exit per read). The page
 * may turn invalid (sequence 0) and valid again at any time (KVM publishes
 * it only while the host's TSC is stable), so every read checks.
 *
 * clock_ns() is reference time in ns minus its value at init. Synthetic
 * timers count the same reference time, so a deadline converts exactly
 * (hv_clock_deadline_ref).
 *
 * TSC rate, for the guest's vcpu_time_info: from the page's scale when it
 * is valid at init (then the guest's TSC extrapolation and this clock
 * agree), else HV_MSR_TSC_FREQUENCY when granted, else measured against
 * the reference counter. The LAPIC timer rate (only for the LAPIC timer
 * fallback): HV_MSR_APIC_FREQUENCY, else measured the same way.
 *
 * Wall clock: the CMOS RTC at init plus clock_ns(). (Hyper-V's wall time is
 * a VMBus service, which xhv does not have.)
 *
 * State: written by hv_clock_init() on the boot CPU before other CPUs
 * start; read-only afterwards, except each CPU's own hv_cpus[].last_ns.
 */
#include <xhv/desc.h>
#include <xhv/frame_alloc.h>
#include <xhv/hyperv.h>
#include <xhv/log.h>
#include <xhv/native.h>
#include <xhv/paging.h>
#include <xhv/percpu.h>
#include <xhv/setup.h>
#include <xhv/string.h>
#include <xhv/x86.h>
#include <xhv/xen.h>

#define NS_PER_SEC          1000000000ULL
/* Rate measurements against the reference counter: 10 ms. */
#define HV_MEASURE_REF      (HV_REF_TIME_HZ / 100)

static volatile struct hv_ref_tsc_page *tsc_page; /* NULL: not in use */
static uint64_t base_ns;        /* reference time (ns) where clock_ns = 0 */
static uint64_t tsc_hz, apic_hz;
static uint64_t wall_ns_at_init;

static uint64_t rdtsc_ordered(void)
{
    /* The TSC must be read after the sequence load before it. */
    __asm__ volatile("lfence" ::: "memory");
    return rdtsc();
}

static uint64_t read_ref_count(void)
{
    hv_count(HV_CTR_REF_COUNT_READ);
    return rdmsr(HV_MSR_TIME_REF_COUNT);
}

static uint64_t ref_now_ns(void)
{
    struct hv_tsc_sample s;

    if (tsc_page && hv_tsc_page_sample(tsc_page, rdtsc_ordered, &s))
        return hv_ref_time_ns(s.tsc, s.scale, s.offset);
    return read_ref_count() * 100;
}

uint64_t hv_clock_ns(void)
{
    struct hv_cpu *c = &hv_cpus[smp_processor_id()];
    uint64_t now = ref_now_ns() - base_ns;

    /*
     * The page keeps the fraction of a 100 ns unit, the MSR does not: a
     * switch from one to the other could step back by up to 99 ns.
     * (Interrupts are off in all shim code, so this read-modify-write of
     * the CPU's own slot is not interrupted.)
     */
    if (now < c->last_ns)
        return c->last_ns;
    c->last_ns = now;
    return now;
}

uint64_t hv_tsc_khz(void)
{
    return tsc_hz / 1000;
}

uint64_t hv_wallclock_ns(void)
{
    return wall_ns_at_init + hv_clock_ns();
}

uint64_t hv_clock_deadline_ref(uint64_t deadline_ns)
{
    return hv_ref_deadline(deadline_ns, base_ns);
}

/* Wait ~10 ms of reference time; *dref: reference units that passed. */
static uint64_t measure_window(uint64_t *dref)
{
    uint64_t r0 = read_ref_count(), r1;

    do {
        cpu_relax();
        r1 = read_ref_count();
    } while (r1 - r0 < HV_MEASURE_REF);
    *dref = r1 - r0;
    return r1;
}

static uint64_t measure_tsc_hz(void)
{
    uint64_t t0 = rdtsc_ordered(), dref;

    measure_window(&dref);
    return (rdtsc_ordered() - t0) * HV_REF_TIME_HZ / dref;
}

/*
 * The LAPIC timer counts down from an initial count; run it for 10 ms of
 * reference time (interrupts are off and it is stopped long before it
 * could reach 0 at any plausible rate).
 */
static uint64_t measure_apic_hz(void)
{
    uint32_t c0, c1;
    uint64_t dref;

    lapic_timer_start(0xffffffffu, false, XHV_VEC_LAPIC_TIMER);
    c0 = lapic_timer_current();
    measure_window(&dref);
    c1 = lapic_timer_current();
    lapic_timer_stop();
    return (uint64_t)(c0 - c1) * HV_REF_TIME_HZ / dref;
}

uint64_t hv_lapic_hz(void)
{
    if (!apic_hz)
        apic_hz = measure_apic_hz();
    return apic_hz;
}

/* Enable the reference TSC page (timers.md) at a page of our own. */
static void tsc_page_init(void)
{
    uint64_t pfn = frame_alloc(&frame_pool, 1, 1);
    uint64_t pa, msr;

    if (pfn == FRAME_NONE) {
        printk(XLOG_WARN "hyperv: no page for the reference TSC page\n");
        return;
    }
    pa = pfn << PAGE_SHIFT;
    memset(phys_to_virt(pa), 0, PAGE_SIZE);     /* sequence 0: invalid */
    msr = rdmsr(HV_MSR_REFERENCE_TSC);
    /* Bits 11:1 are preserved as read. */
    msr = (msr & ~HV_MSR_PAGE_GPA_MASK) | pa | HV_MSR_PAGE_ENABLE;
    wrmsr(HV_MSR_REFERENCE_TSC, msr);
    tsc_page = phys_to_virt(pa);
    hv_enabled |= BIT(HV_ENL_REF_TSC);
}

int hv_clock_init(void)
{
    const char *tsc_src = "measured";
    struct hv_tsc_sample s;

    if (!(hv_caps.priv & HV_PRIV_TIME_REF_COUNT))
        return -XEN_ENODEV;
    hv_enabled |= BIT(HV_ENL_REF_COUNT);
    if (hv_caps.priv & HV_PRIV_REFERENCE_TSC)
        tsc_page_init();

    /* Frequency MSRs: the privilege and the feature bit both (Linux too). */
    if ((hv_caps.priv & HV_PRIV_FREQUENCY_MSRS) &&
        (hv_caps.features & HV_FEAT_FREQUENCY_MSRS)) {
        hv_enabled |= BIT(HV_ENL_FREQ_MSRS);
        tsc_hz = rdmsr(HV_MSR_TSC_FREQUENCY);
        apic_hz = rdmsr(HV_MSR_APIC_FREQUENCY);
        tsc_src = "TSC_FREQUENCY";
    }
    if (tsc_page && hv_tsc_page_sample(tsc_page, rdtsc_ordered, &s) &&
        hv_tsc_hz_from_scale(s.scale)) {
        tsc_hz = hv_tsc_hz_from_scale(s.scale);
        tsc_src = "TSC page scale";
    }
    if (!tsc_hz) {
        tsc_hz = measure_tsc_hz();
        tsc_src = "measured";
    }

    base_ns = ref_now_ns();
    wall_ns_at_init = rtc_read_unix_time() * NS_PER_SEC;

    printk(XLOG_INFO "hyperv: clock: %s, TSC %lu.%03lu MHz (%s)\n",
           tsc_page ? (hv_tsc_sequence_valid(tsc_page->tsc_sequence)
                       ? "reference TSC page"
                       : "TIME_REF_COUNT (TSC page invalid for now)")
                    : "TIME_REF_COUNT",
           (unsigned long)(tsc_hz / 1000000),
           (unsigned long)(tsc_hz / 1000 % 1000),
           tsc_src);
    return 0;
}
