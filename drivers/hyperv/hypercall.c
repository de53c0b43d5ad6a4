/*
 * Hyper-V hypercalls (hypercall-interface.md): the guest OS identity, the
 * hypercall page, and the call wrappers.
 *
 * Every call goes through hv_hypercall_page (hypercall_page.S), which the
 * hypervisor fills with VMCALL or VMMCALL as the CPU needs; xhv never
 * issues either instruction itself.
 *
 * Ordering: HV_MSR_GUEST_OS_ID must be non-zero before the page can be
 * enabled, and must stay non-zero: zeroing it disables the page, and on
 * KVM a VMCALL while it is 0 is taken as a KVM hypercall, not Hyper-V.
 *
 * Input pages: one per CPU (hv_cpus[].input, set up by ops.c), used only
 * between hv_input_get() and hv_input_put() with interrupts off, so no
 * lock is needed. Output pages: none; no call xhv makes has output.
 */
#include <xhv/hyperv.h>
#include <xhv/log.h>
#include <xhv/panic.h>
#include <xhv/paging.h>
#include <xhv/percpu.h>
#include <xhv/version.h>
#include <xhv/x86.h>
#include <xhv/xen.h>

/* The filler hypercall_page.S puts in the page (int3). */
#define HV_PAGE_UNFILLED    0xcc

/*
 * xhv presents itself as an open-source OS of type Xen (as Xen does when
 * it runs on Hyper-V), version = the Xen interface it offers its guest.
 */
static uint64_t xhv_guest_os_id(void)
{
    return hv_guest_os_id(HV_GUEST_OS_TYPE_XEN, 0,
                          (XHV_XEN_MAJOR << 16) | (XHV_XEN_MINOR << 8), 0);
}

int hv_hypercall_init(void)
{
    uint64_t pa = virt_to_phys(hv_hypercall_page);
    uint64_t msr;

    wrmsr(HV_MSR_GUEST_OS_ID, xhv_guest_os_id());
    msr = rdmsr(HV_MSR_HYPERCALL);
    if ((msr & HV_HYPERCALL_LOCKED) && (msr & HV_MSR_PAGE_ENABLE) &&
        (msr & HV_MSR_PAGE_GPA_MASK) != pa) {
        printk(XLOG_WARN "hyperv: hypercall page locked at %#llx\n",
               (unsigned long long)(msr & HV_MSR_PAGE_GPA_MASK));
        return -XEN_EBUSY;
    }
    /* Bits 11:1 are preserved as read (hypercall-interface.md). */
    msr = (msr & ~HV_MSR_PAGE_GPA_MASK) | pa | HV_MSR_PAGE_ENABLE;
    wrmsr(HV_MSR_HYPERCALL, msr);
    if (!(rdmsr(HV_MSR_HYPERCALL) & HV_MSR_PAGE_ENABLE)) {
        printk(XLOG_WARN "hyperv: the hypercall page did not enable\n");
        return -XEN_ENODEV;
    }
    /* The hypervisor fills (or overlays) the page as the MSR is written. */
    if ((uint8_t)hv_hypercall_page[0] == HV_PAGE_UNFILLED) {
        printk(XLOG_WARN "hyperv: the hypercall page stayed empty\n");
        wrmsr(HV_MSR_HYPERCALL, msr & ~HV_MSR_PAGE_ENABLE);
        return -XEN_ENODEV;
    }
    return 0;
}

/*
 * x64 register form: RCX control, RDX input (GPA or first fast qword), R8
 * output (GPA or second fast qword); the result comes back in RAX. The
 * page ends in RET, so it is called like a function; the TLFS preserves
 * all other registers, but r9-r11 are declared clobbered as for any call.
 */
static uint64_t hv_do_hypercall(uint64_t control, uint64_t in, uint64_t out)
{
    register uint64_t r8 __asm__("r8") = out;
    uint64_t result;

    __asm__ volatile("call hv_hypercall_page"
                     : "=a"(result), "+c"(control), "+d"(in), "+r"(r8)
                     :
                     : "cc", "memory", "r9", "r10", "r11");
    return result;
}

/*
 * Count the call; say once per call code what its first failure was. A
 * failure with status SUCCESS is a rep call that stopped making progress.
 */
static int hv_call_done(uint16_t code, uint16_t status, int rc)
{
    static uint64_t warned;   /* bit n: call code n (63: any above) failed */
    uint64_t bit = BIT(MIN((unsigned int)code, 63u));

    hv_count_call(code, rc != 0);
    if (rc && !(__atomic_fetch_or(&warned, bit, __ATOMIC_RELAXED) & bit))
        printk(XLOG_WARN "hyperv: %s (%#x) failed: %s (%#x)\n",
               hv_call_name(code), code,
               status ? hv_status_name(status) : "no progress", status);
    return rc;
}

int hv_call_fast(uint16_t code, uint64_t in0, uint64_t in1)
{
    uint64_t result;

    ASSERT(hv_uses(HV_ENL_HYPERCALL));
    result = hv_do_hypercall(hv_hc_control(code, true, 0, 0, 0), in0, in1);
    return hv_call_done(code, hv_result_status(result),
                        hv_status_to_errno(hv_result_status(result)));
}

int hv_call_mem(uint16_t code, unsigned int varhead_qwords, uint64_t in_pa,
                uint64_t out_pa)
{
    uint64_t control = hv_hc_control(code, false, varhead_qwords, 0, 0);
    uint64_t result;

    ASSERT(hv_uses(HV_ENL_HYPERCALL));
    result = hv_do_hypercall(control, in_pa, out_pa);
    return hv_call_done(code, hv_result_status(result),
                        hv_status_to_errno(hv_result_status(result)));
}

int hv_call_rep(uint16_t code, unsigned int varhead_qwords,
                unsigned int reps, uint64_t in_pa, uint64_t out_pa)
{
    uint64_t control = hv_hc_control(code, false, varhead_qwords, reps, 0);
    uint64_t result;
    int rc;

    ASSERT(hv_uses(HV_ENL_HYPERCALL));
    ASSERT(reps > 0 && reps <= HV_HC_REP_MAX);
    /* Invariant: the reps below control's RepStartIndex are done. */
    for (;;) {
        result = hv_do_hypercall(control, in_pa, out_pa);
        rc = hv_rep_step(control, result, &control);
        if (rc)
            break;
        hv_count(HV_CTR_REP_RESTART);
    }
    return hv_call_done(code, hv_result_status(result), rc < 0 ? rc : 0);
}

void *hv_input_get(uint64_t *pa, uint64_t *irq_flags)
{
    struct hv_cpu *c;

    *irq_flags = read_rflags();
    local_irq_disable();
    c = &hv_cpus[smp_processor_id()];
    ASSERT(c->input);
    *pa = c->input_pa;
    return c->input;
}

void hv_input_put(uint64_t irq_flags)
{
    if (irq_flags & X86_EFLAGS_IF)
        local_irq_enable();
}
