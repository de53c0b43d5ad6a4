/*
 * The Hyper-V parent (include/xhv/parent.h): CPUID probe, bring-up of the
 * boot CPU and of each other CPU, and the ops table.
 *
 * Boot CPU, hv_init(): read the CPUID leaves; refuse (the caller falls
 * back to the native parent) without the partition reference counter,
 * before touching anything; then the PIC and LAPIC as the native parent
 * does (EOIs, and IPIs when the hypercall is not offered), ACPI (poweroff),
 * the hypercall page, the clock, the timer, the choice of IPI, flush,
 * crash, reset and spin enlightenments, and finally this CPU's own state.
 * All choices are made here, once, before any other CPU starts; hv_enabled
 * is read-only afterwards.
 *
 * Every CPU, hv_cpu_init(): its VP index (percpu.vp_index, the number
 * Hyper-V's IPI and flush masks use), its hypercall input page, its SynIC
 * and stimer0.
 */
#include <xhv/boot_info.h>
#include <xhv/frame_alloc.h>
#include <xhv/hyperv.h>
#include <xhv/log.h>
#include <xhv/native.h>
#include <xhv/paging.h>
#include <xhv/parent.h>
#include <xhv/percpu.h>
#include <xhv/setup.h>
#include <xhv/spinlock.h>
#include <xhv/string.h>
#include <xhv/x86.h>
#include <xhv/xen.h>

struct hv_caps hv_caps;
uint32_t hv_enabled;
struct hv_cpu hv_cpus[XHV_MAX_CPUS];

/* Other CPUs' frame_alloc() calls at bring-up, against each other. */
static spinlock_t alloc_lock = SPINLOCK_INIT;

static void probe(void)
{
    uint32_t a, b, c, d;

    cpuid(HV_CPUID_VENDOR_MAX, &a, &b, &c, &d);
    hv_caps.max_leaf = a;
    hv_caps.spin_retries = HV_SPIN_RETRIES_NEVER;
    if (hv_caps.max_leaf >= HV_CPUID_FEATURES) {
        cpuid(HV_CPUID_FEATURES, &a, &b, &c, &d);
        hv_caps.priv = a;
        hv_caps.priv_hi = b;
        hv_caps.features = d;
    }
    if (hv_caps.max_leaf >= HV_CPUID_ENLIGHTENMENTS) {
        cpuid(HV_CPUID_ENLIGHTENMENTS, &a, &b, &c, &d);
        hv_caps.rec = a;
        hv_caps.spin_retries = b;
    }
    if (hv_caps.max_leaf >= HV_CPUID_LIMITS) {
        cpuid(HV_CPUID_LIMITS, &a, &b, &c, &d);
        hv_caps.max_vps = a;
    }
    printk(XLOG_INFO "hyperv: CPUID max leaf %#x, privileges %#x:%#x, "
           "features %#x, recommendations %#x, spin retries %#x, "
           "max VPs %u\n", hv_caps.max_leaf, hv_caps.priv, hv_caps.priv_hi,
           hv_caps.features, hv_caps.rec, hv_caps.spin_retries,
           hv_caps.max_vps);
}

int hv_cpus_to_vps(const struct cpumask *cpus, uint32_t *vps)
{
    unsigned int cpu;
    int n = 0;

    for_each_cpu(cpu, cpus) {
        if (!percpu[cpu].online)
            continue;
        if (!hv_cpus[cpu].vp_known)
            return -1;
        vps[n++] = percpu[cpu].vp_index;
    }
    return n;
}

static int hv_cpu_init(void)
{
    struct percpu *pc = this_cpu();
    struct hv_cpu *c = &hv_cpus[pc->cpu_id];

    if (hv_uses(HV_ENL_VP_INDEX)) {
        pc->vp_index = (uint32_t)rdmsr(HV_MSR_VP_INDEX);
        c->vp_known = true;
    }
    if (hv_uses(HV_ENL_HYPERCALL) && !c->input) {
        uint64_t pfn;

        spin_lock(&alloc_lock);
        pfn = frame_alloc(&frame_pool, 1, 1);
        spin_unlock(&alloc_lock);
        if (pfn == FRAME_NONE)
            return -XEN_ENOMEM;
        c->input_pa = pfn << PAGE_SHIFT;
        c->input = phys_to_virt(c->input_pa);
        memset(c->input, 0, PAGE_SIZE);
    }
    return hv_timer_init_cpu();
}

/* IPIs and flushes by hypercall need the page and VP indices too. */
static void choose_cross_cpu(void)
{
    bool calls = hv_uses(HV_ENL_HYPERCALL) && hv_uses(HV_ENL_VP_INDEX);
    bool ex = hv_caps.rec & HV_REC_EX_PROCESSOR_MASKS;

    if (calls && (hv_caps.rec & HV_REC_CLUSTER_IPI)) {
        hv_enabled |= BIT(HV_ENL_CLUSTER_IPI);
        if (ex)
            hv_enabled |= BIT(HV_ENL_CLUSTER_IPI_EX);
    }
    if (calls && (hv_caps.rec & HV_REC_REMOTE_TLB_FLUSH)) {
        hv_enabled |= BIT(HV_ENL_REMOTE_FLUSH);
        if (ex)
            hv_enabled |= BIT(HV_ENL_REMOTE_FLUSH_EX);
    }
    if (calls && (hv_caps.rec & HV_REC_LOCAL_TLB_FLUSH))
        hv_enabled |= BIT(HV_ENL_LOCAL_FLUSH);
}

static int hv_init(void)
{
    int rc;

    probe();
    if (!(hv_caps.priv & HV_PRIV_TIME_REF_COUNT)) {
        printk(XLOG_WARN "hyperv: the reference counter is not granted "
               "(0x40000003 EAX bit 1)\n");
        return -XEN_ENODEV;
    }

    pic_disable();
    lapic_init();
    this_cpu()->apic_id = lapic_id();
    acpi_init(boot_info.rsdp_phys,
              boot_info.rsdp_len ? boot_info.rsdp : NULL,
              boot_info.rsdp_len);

    if ((hv_caps.priv & HV_PRIV_HYPERCALL) && !hv_hypercall_init())
        hv_enabled |= BIT(HV_ENL_HYPERCALL);
    if (hv_caps.priv & HV_PRIV_VP_INDEX)
        hv_enabled |= BIT(HV_ENL_VP_INDEX);
    rc = hv_clock_init();
    if (!rc)
        rc = hv_timer_init();
    if (!rc) {
        choose_cross_cpu();
        hv_crash_init();
        rc = hv_cpu_init();
    }
    if (rc) {
        hv_enabled = 0;
        return rc;
    }
    return 0;
}

static int hv_init_ap(void)
{
    /* The LAPIC: EOIs for every mode, IPIs when not by hypercall. */
    lapic_init();
    this_cpu()->apic_id = lapic_id();
    return hv_cpu_init();
}

/* SCHEDOP_block and idle: hlt (KVM halt-polls; no GUEST_IDLE on KVM). */
static void hv_idle(void)
{
    safe_halt();
    local_irq_disable();
}

/* Hyper-V has no poweroff MSR: ACPI S5, as under QEMU without Hyper-V. */
static __noreturn void hv_poweroff(void)
{
    uint64_t give_up;

    acpi_poweroff();
    /* The VM stops asynchronously: give it a moment before complaining. */
    give_up = hv_clock_ns() + 1000000000ULL;
    while (hv_clock_ns() < give_up)
        cpu_relax();
    printk(XLOG_ERR "poweroff failed; halting\n");
    local_irq_disable();
    for (;;)
        halt();
}

#define HV_ENL_NAME(id, name) name,
static const char *const enl_names[HV_NR_ENL] = {
    HV_ENLIGHTENMENTS(HV_ENL_NAME)
};
#undef HV_ENL_NAME

/* The native ways in use: each when neither enlightenment is. */
static const struct {
    enum hv_enlightenment e, e2;
    const char *text;
} fallbacks[] = {
    { HV_ENL_STIMER_DIRECT, HV_ENL_STIMER_MSG, "timer=LAPIC" },
    { HV_ENL_CLUSTER_IPI, HV_ENL_CLUSTER_IPI, "IPI=LAPIC" },
    { HV_ENL_REMOTE_FLUSH, HV_ENL_REMOTE_FLUSH, "remote-flush=IPI" },
    { HV_ENL_REF_TSC, HV_ENL_REF_TSC, "clock=TIME_REF_COUNT" },
    { HV_ENL_CRASH_MSRS, HV_ENL_CRASH_MSRS, "crash=serial-only" },
    { HV_ENL_RESET_MSR, HV_ENL_RESET_MSR, "reset=ACPI" },
    { HV_ENL_SPIN_NOTIFY, HV_ENL_SPIN_NOTIFY, "spin=pause" },
};

void hv_print_enlightenments(void)
{
    unsigned int i, n = 0;

    printk("hyperv: enlightenments:");
    for (i = 0; i < HV_NR_ENL; i++)
        if (hv_uses(i))
            printk(" %s", enl_names[i]);
    printk("\n");
    printk("hyperv: native fallbacks:");
    for (i = 0; i < ARRAY_SIZE(fallbacks); i++)
        if (!hv_uses(fallbacks[i].e) && !hv_uses(fallbacks[i].e2)) {
            printk(" %s", fallbacks[i].text);
            n++;
        }
    printk("%s (idle=hlt, poweroff=ACPI, wallclock=RTC always)\n",
           n ? "" : " none");
}

const struct parent_ops hyperv_parent_ops = {
    .name = "hyperv",
    .init = hv_init,
    .init_ap = hv_init_ap,
    .clock_ns = hv_clock_ns,
    .tsc_khz = hv_tsc_khz,
    .wallclock_ns = hv_wallclock_ns,
    .timer_set = hv_timer_set,
    .timer_stop = hv_timer_stop,
    .send_ipi = hv_send_ipi,
    .tlb_flush_local = hv_tlb_flush_local,
    .tlb_flush = hv_tlb_flush,
    .idle = hv_idle,
    .spin_wait_notify = hv_spin_wait_notify,
    .print_counters = hv_print_counters,
    .crash_report = hv_crash_report,
    .reset = hv_reset,
    .poweroff = hv_poweroff,
};
