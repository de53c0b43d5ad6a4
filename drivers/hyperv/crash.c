/*
 * The end of a run, and spinning (each used only if CPUID grants it):
 *
 * Crash report (datatypes/hv_crash_ctl_reg_contents.md): CRASH_P0..P4,
 * then CRASH_CTL = CRASH_NOTIFY. Hyper-V logs the five values with the
 * VM's crash event; QEMU prints "HV crash parameters" and raises
 * GUEST_PANICKED. xhv's layout is Linux's, with the Xen domain id where
 * Linux puts its guest OS id:
 *   P0 reason code (crash_report.code)   P1 domid (DOMID_XEN: the shim)
 *   P2 RIP   P3 RAX   P4 RSP
 * Needs 0x40000003 EDX "crash MSRs" and CRASH_CTL reading back
 * CRASH_NOTIFY (what the hypervisor supports).
 *
 * Reset: HV_MSR_RESET = 1 with the AccessResetMsr privilege (0x40000003
 * EAX; QEMU's hv-reset sets only that, not the 0x40000004 hint), else the
 * native reset.
 *
 * Long spin waits: HvCallNotifyLongSpinWait (fast) once a waiter has spun
 * the number of times 0x40000004 EBX recommends. 0xFFFFFFFF means never;
 * 0 is taken as never too (KVM refuses the call then: there is no
 * privilege bit, the hint is the grant).
 */
#include <xhv/hyperv.h>
#include <xhv/log.h>
#include <xhv/parent.h>
#include <xhv/x86.h>

/* Iterations to wait for a RESET write to take the VM down. */
#define HV_RESET_GRACE  10000000UL

void hv_crash_init(void)
{
    if ((hv_caps.features & HV_FEAT_CRASH_MSRS) &&
        (rdmsr(HV_MSR_CRASH_CTL) & HV_CRASH_CTL_CRASH_NOTIFY))
        hv_enabled |= BIT(HV_ENL_CRASH_MSRS);
    if (hv_caps.priv & HV_PRIV_RESET)
        hv_enabled |= BIT(HV_ENL_RESET_MSR);
    if (hv_uses(HV_ENL_HYPERCALL) && hv_caps.spin_retries != 0 &&
        hv_caps.spin_retries != HV_SPIN_RETRIES_NEVER)
        hv_enabled |= BIT(HV_ENL_SPIN_NOTIFY);
}

void hv_crash_report(const struct crash_report *c)
{
    uint64_t p[HV_CRASH_NR_PARAMS] = { c->code, c->domid, c->rip, c->rax,
                                       c->rsp };
    unsigned int i;

    if (!hv_uses(HV_ENL_CRASH_MSRS))
        return;                 /* the serial report is all there is */
    for (i = 0; i < HV_CRASH_NR_PARAMS; i++)
        wrmsr(HV_MSR_CRASH_P0 + i, p[i]);
    wrmsr(HV_MSR_CRASH_CTL, HV_CRASH_CTL_CRASH_NOTIFY);
    hv_count(HV_CTR_CRASH_REPORT);
    printk(XLOG_ERR "hyperv: crash reported to the host (%s, code %#llx, "
           "rip %#llx)\n", c->reason, (unsigned long long)c->code,
           (unsigned long long)c->rip);
}

__noreturn void hv_reset(void)
{
    unsigned long i;

    if (hv_uses(HV_ENL_RESET_MSR)) {
        hv_count(HV_CTR_RESET);
        wrmsr(HV_MSR_RESET, HV_RESET_NOW);
        /* The reset is asynchronous: give it a moment before giving up. */
        for (i = 0; i < HV_RESET_GRACE; i++)
            cpu_relax();
        printk(XLOG_ERR "hyperv: RESET MSR had no effect; native reset\n");
    }
    native_parent_ops.reset();
}

void hv_spin_wait_notify(uint32_t count)
{
    if (hv_uses(HV_ENL_SPIN_NOTIFY) && count >= hv_caps.spin_retries) {
        hv_call_fast(HVCALL_NOTIFY_LONG_SPIN_WAIT, count, 0);
        return;
    }
    hv_count(HV_CTR_SPIN_RELAX);
    cpu_relax();
}
