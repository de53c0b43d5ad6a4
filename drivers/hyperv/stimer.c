/*
 * The parent's one-shot timer of each CPU (percpu.timer), on the best
 * source CPUID grants (timers.md, "Synthetic Timers"):
 *
 *   stimer0 direct mode: needs the SynIC and synthetic-timer privileges
 *     and the direct-mode feature bit. STIMER0_CONFIG is written once per
 *     CPU (enable, auto-enable, direct, vector XHV_VEC_HV_STIMER); each arm
 *     is one write of the absolute expiry (reference time) to
 *     STIMER0_COUNT. The expiry is a plain LAPIC interrupt (needs EOI).
 *   stimer0 message mode: the same privileges; the timer posts
 *     HVMSG_TIMER_EXPIRED to SINT XHV_HV_STIMER_SINT (synic.c).
 *   the LAPIC timer, one-shot (the native way), at the rate clock.c gives.
 *
 * A one-shot stimer disables itself when it fires; auto-enable turns it on
 * again at the next non-zero COUNT write. A past expiry fires at once;
 * COUNT = 0 stops the timer. Expiry is never early by the TLFS, but the
 * clock read in the handler may still say "not yet" by a rounding hair, so
 * the handler re-arms rather than trusting the interrupt.
 *
 * State: the mode, chosen on the boot CPU before other CPUs start; each
 * CPU's percpu.timer, touched only by that CPU with interrupts off.
 */
#include <xhv/desc.h>
#include <xhv/hyperv.h>
#include <xhv/irq.h>
#include <xhv/log.h>
#include <xhv/native.h>
#include <xhv/parent.h>
#include <xhv/percpu.h>
#include <xhv/x86.h>
#include <xhv/xen.h>

#define NS_PER_SEC 1000000000ULL

enum hv_timer_mode {
    HV_TIMER_LAPIC,
    HV_TIMER_STIMER_DIRECT,
    HV_TIMER_STIMER_MSG,
};

static enum hv_timer_mode mode;
static uint64_t lapic_mul;      /* LAPIC ticks = (ns * lapic_mul) >> 32 */

static void arm_lapic(uint64_t deadline)
{
    uint64_t now = hv_clock_ns(), ticks = 1;

    if (deadline > now) {
        ticks = (uint64_t)(((unsigned __int128)(deadline - now) *
                            lapic_mul) >> 32);
        ticks = MAX(ticks, 1);
        ticks = MIN(ticks, 0xffffffffULL);  /* re-armed on expiry */
    }
    lapic_timer_start((uint32_t)ticks, false, XHV_VEC_LAPIC_TIMER);
    hv_count(HV_CTR_LAPIC_TIMER);
}

static void arm(uint64_t deadline)
{
    if (mode == HV_TIMER_LAPIC) {
        arm_lapic(deadline);
        return;
    }
    wrmsr(HV_MSR_STIMER0_COUNT, hv_clock_deadline_ref(deadline));
    hv_count(HV_CTR_STIMER_ARM);
}

void hv_timer_expired(void)
{
    struct parent_timer *t = &this_cpu()->timer;
    void (*fn)(void *ctx) = t->fn;

    if (!fn)                    /* stopped meanwhile */
        return;
    if (hv_clock_ns() < t->deadline) {
        arm(t->deadline);
        return;
    }
    t->fn = NULL;
    fn(t->ctx);
}

static void stimer_irq(struct cpu_regs *r)
{
    lapic_eoi();
    hv_count(HV_CTR_STIMER_IRQ);
    hv_timer_expired();
}

static void lapic_timer_irq(struct cpu_regs *r)
{
    lapic_eoi();
    hv_timer_expired();
}

void hv_timer_set(uint64_t deadline_ns, void (*fn)(void *ctx), void *ctx)
{
    struct parent_timer *t = &this_cpu()->timer;

    t->deadline = deadline_ns;
    t->ctx = ctx;
    t->fn = fn;
    arm(deadline_ns);
}

void hv_timer_stop(void)
{
    this_cpu()->timer.fn = NULL;
    if (mode == HV_TIMER_LAPIC) {
        lapic_timer_stop();
        return;
    }
    wrmsr(HV_MSR_STIMER0_COUNT, 0);
    hv_count(HV_CTR_STIMER_STOP);
}

int hv_timer_init(void)
{
    /* Stimers count reference time: the reference counter must be ours. */
    bool stimer = (hv_caps.priv & HV_PRIV_SYNIC) &&
                  (hv_caps.priv & HV_PRIV_SYNTIMER) &&
                  hv_uses(HV_ENL_REF_COUNT);
    uint64_t hz;

    if (hv_caps.priv & HV_PRIV_SYNIC)
        hv_enabled |= BIT(HV_ENL_SYNIC);
    if (stimer && (hv_caps.features & HV_FEAT_STIMER_DIRECT)) {
        mode = HV_TIMER_STIMER_DIRECT;
        hv_enabled |= BIT(HV_ENL_STIMER_DIRECT);
        irq_register(XHV_VEC_HV_STIMER, stimer_irq);
        return 0;
    }
    if (stimer) {
        mode = HV_TIMER_STIMER_MSG;
        hv_enabled |= BIT(HV_ENL_STIMER_MSG);
        hv_synic_init();
        return 0;
    }
    hz = hv_lapic_hz();
    if (!hz) {
        printk(XLOG_ERR "hyperv: no synthetic timer and no LAPIC rate\n");
        return -XEN_ENODEV;
    }
    mode = HV_TIMER_LAPIC;
    lapic_mul = (hz << 32) / NS_PER_SEC;
    irq_register(XHV_VEC_LAPIC_TIMER, lapic_timer_irq);
    return 0;
}

int hv_timer_init_cpu(void)
{
    struct hv_cpu *c = &hv_cpus[smp_processor_id()];
    uint64_t config = HV_STIMER_ENABLE | HV_STIMER_AUTO_ENABLE;
    int rc;

    if (hv_uses(HV_ENL_SYNIC)) {
        rc = hv_synic_init_cpu(c, mode == HV_TIMER_STIMER_MSG);
        if (rc)
            return rc;
    }
    switch (mode) {
    case HV_TIMER_STIMER_DIRECT:
        config |= HV_STIMER_DIRECT_MODE |
                  ((uint64_t)XHV_VEC_HV_STIMER << HV_STIMER_VECTOR_SHIFT);
        break;
    case HV_TIMER_STIMER_MSG:
        config |= (uint64_t)XHV_HV_STIMER_SINT << HV_STIMER_SINT_SHIFT;
        break;
    case HV_TIMER_LAPIC:
        return 0;
    }
    /* timers.md: change a timer's properties only while it is disabled. */
    wrmsr(HV_MSR_STIMER0_COUNT, 0);
    wrmsr(HV_MSR_STIMER0_CONFIG, 0);
    wrmsr(HV_MSR_STIMER0_CONFIG, config);
    return 0;
}
