/*
 * The synthetic interrupt controller, per CPU (inter-partition-
 * communication.md). xhv uses it only for stimer0: in direct mode only
 * SCONTROL is enabled; in message mode also the message page (SIMP) and
 * SINT XHV_HV_STIMER_SINT, which interrupts on XHV_VEC_HV_SINT.
 *
 * Message protocol: the hypervisor writes a message into a SINT's slot
 * only while the slot's type is HVMSG_NONE. The consumer reads it, sets
 * the type back to HVMSG_NONE, and then, if the message-pending flag was
 * set, writes EOM so the hypervisor delivers the next queued message. The
 * store of the type must be visible before the flag is read (a full
 * barrier), or a message queued in between would wait for ever.
 *
 * State: hv_cpus[cpu].simp, used only by its own CPU, interrupts off.
 */
#include <xhv/desc.h>
#include <xhv/frame_alloc.h>
#include <xhv/hyperv.h>
#include <xhv/irq.h>
#include <xhv/native.h>
#include <xhv/paging.h>
#include <xhv/percpu.h>
#include <xhv/setup.h>
#include <xhv/string.h>
#include <xhv/x86.h>
#include <xhv/xen.h>

static void hv_sint_irq(struct cpu_regs *r)
{
    struct hv_cpu *c = &hv_cpus[smp_processor_id()];
    volatile struct hv_message *m;
    bool timer = false;

    if (!c->simp) {             /* not ours: nothing to consume */
        lapic_eoi();
        return;
    }
    m = &c->simp->sint_message[XHV_HV_STIMER_SINT];
    if (m->header.message_type != HVMSG_NONE) {
        timer = m->header.message_type == HVMSG_TIMER_EXPIRED;
        m->header.message_type = HVMSG_NONE;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (m->header.message_flags & HV_MESSAGE_FLAG_PENDING) {
            wrmsr(HV_MSR_EOM, 0);
            hv_count(HV_CTR_SINT_EOM);
        }
    }
    lapic_eoi();
    if (timer) {
        hv_count(HV_CTR_SINT_TIMER_MSG);
        hv_timer_expired();
    }
}

void hv_synic_init(void)
{
    irq_register(XHV_VEC_HV_SINT, hv_sint_irq);
}

int hv_synic_init_cpu(struct hv_cpu *c, bool messages)
{
    uint64_t msr;

    if (messages) {
        if (!c->simp) {
            uint64_t pfn = frame_alloc(&frame_pool, 1, 1);

            if (pfn == FRAME_NONE)
                return -XEN_ENOMEM;
            c->simp_pa = pfn << PAGE_SHIFT;
            c->simp = phys_to_virt(c->simp_pa);
            memset(c->simp, 0, PAGE_SIZE);
        }
        /* SIMP: bits 11:1 preserved as read. */
        msr = rdmsr(HV_MSR_SIMP);
        msr = (msr & ~HV_MSR_PAGE_GPA_MASK) | c->simp_pa | HV_MSR_PAGE_ENABLE;
        wrmsr(HV_MSR_SIMP, msr);
        /*
         * Unmasked, no auto-EOI (0x40000004 may deprecate it; the handler
         * EOIs the LAPIC itself), no polling.
         */
        msr = rdmsr(HV_MSR_SINT0 + XHV_HV_STIMER_SINT);
        msr &= ~(HV_SINT_VECTOR_MASK | HV_SINT_MASKED | HV_SINT_AUTO_EOI |
                 HV_SINT_POLLING);
        wrmsr(HV_MSR_SINT0 + XHV_HV_STIMER_SINT, msr | XHV_VEC_HV_SINT);
    }
    wrmsr(HV_MSR_SCONTROL, rdmsr(HV_MSR_SCONTROL) | HV_SCONTROL_ENABLE);
    return 0;
}
