/*
 * The MSRs a 64-bit PV guest kernel may read and write (rdmsr/wrmsr trap
 * with #GP from ring 3). Semantics are Xen's (xen/arch/x86/msr.c
 * guest_{rd,wr}msr() and pv/emul-priv-op.c {read,write}_msr()) for a domU
 * with xhv's CPUID policy; every MSR not listed is #GP(0), which Linux's
 * PV MSR accessors tolerate (CONFIG_XEN_PV_MSR_SAFE).
 *
 * | MSR                        | read                    | write           |
 * |----------------------------|-------------------------|-----------------|
 * | FS_BASE                    | seg.fs                  | seg.fs, loaded  |
 * | GS_BASE                    | seg.gs_kernel           | seg.gs_kernel   |
 * | KERNEL_GS_BASE             | seg.gs_user             | seg.gs_user     |
 * |   (the three: non-canonical write #GP; only from guest-kernel mode, so |
 * |    the active GS is the kernel's)                                      |
 * | PAT                        | 0x0000050100070406      | same value only |
 * | APIC_BASE                  | 0xfee00000|EN|BSP(vCPU0)| #GP             |
 * | EFER                       | host SCE/LME/LMA/NXE    | same value only |
 * | TSC                        | host TSC                | #GP             |
 * | UCODE_REV (Intel, AMD)     | 0                       | 0 on Intel; #GP |
 * | FEATURE_CONTROL (Intel)    | LOCK (VMX off)          | #GP             |
 * | PLATFORM_INFO              | 0 (no CPUID faulting)   | #GP             |
 * | MISC_FEATURES_ENABLES      | 0                       | 0 only          |
 * | MISC_ENABLE (Intel)        | FAST_STRING|BTS_UNAVAIL | ignored (Xen)   |
 * |                            | |PEBS_UNAVAIL|XTPR_DIS  |                 |
 * | PERF_STATUS/CTL, THERM_    | 0 (Intel)               | PERF_CTL:       |
 * |   STATUS                   |                         | ignored         |
 * | PRED_CMD (if IBPB offered) | #GP (write-only)        | IBPB bit only   |
 * | K8_HWCR, NB_CFG (AMD)      | 0                       | ignored         |
 * | DE_CFG (AMD)               | LFENCE_SERIALISE        | ignored         |
 * | 0x40000000 (hypercall page)| 0                       | hook, else #GP  |
 * | SPEC_CTRL, ARCH_CAPS,      | #GP: features not offered (see          |
 * |   TSX_CTRL, MCU_OPT_CTRL,  | cpuid_policy.c)                         |
 * |   FLUSH_CMD, TSC_AUX, MCG_*|                                         |
 * |   MCi_*, PMU, everything   |                                         |
 * |   else                     |                                         |
 *
 * Differences from Xen: PAT accepts a write of its own value (Xen: #GP);
 * MISC_ENABLE and UCODE_REV are synthesised, not read from the host (a
 * parent hypervisor may not implement them, and the shim has no safe
 * rdmsr); no "msr_relaxed" mode.
 */
#include <xhv/emulate.h>
#include <xhv/log.h>
#include <xen/arch-x86/cpufeatureset.h>

#include "emul.h"

pv_hypercall_page_fn emul_hypercall_page_fn;

void pv_emulate_set_hypercall_page_hook(pv_hypercall_page_fn fn)
{
    emul_hypercall_page_fn = fn;
}

static bool is_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

static uint64_t guest_efer(void)
{
    return emul_arch_read_efer() &
           (EMUL_EFER_SCE | EMUL_EFER_LME | EMUL_EFER_LMA | EMUL_EFER_NXE);
}

static uint64_t guest_misc_enable(void)
{
    return MISC_ENABLE_FAST_STRING | MISC_ENABLE_BTS_UNAVAIL |
           MISC_ENABLE_PEBS_UNAVAIL | MISC_ENABLE_XTPR_DISABLE;
}

enum pv_emul emul_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val,
                        struct pv_exc *exc)
{
    const struct pv_cpuid_policy *p = pv_guest_cpuid_policy();
    bool intel = p->vendor == PV_VENDOR_INTEL;
    bool amd = p->vendor == PV_VENDOR_AMD;

    switch (msr) {
    case EMUL_MSR_FS_BASE:
        *val = v->seg.fs;
        return PV_EMUL_DONE;
    case EMUL_MSR_GS_BASE:
        *val = v->seg.gs_kernel;
        return PV_EMUL_DONE;
    case EMUL_MSR_KERNEL_GS_BASE:
        *val = v->seg.gs_user;
        return PV_EMUL_DONE;
    case EMUL_MSR_PAT:
        *val = PV_GUEST_PAT;
        return PV_EMUL_DONE;
    case EMUL_MSR_APIC_BASE:
        /* Linux PV reads it; Xen answers an enabled xAPIC at the default. */
        *val = APIC_BASE_ENABLE | APIC_DEFAULT_PHYS_BASE |
               (v->vcpu_id == 0 ? APIC_BASE_BSP : 0);
        return PV_EMUL_DONE;
    case EMUL_MSR_EFER:
        *val = guest_efer();
        return PV_EMUL_DONE;
    case EMUL_MSR_TSC:
        *val = emul_arch_rdtsc();
        return PV_EMUL_DONE;
    case EMUL_MSR_UCODE_REV:
        if (!intel && !amd)
            break;
        *val = 0;
        return PV_EMUL_DONE;
    case EMUL_MSR_FEATURE_CONTROL:
        if (!intel)
            break;
        *val = FEATURE_CONTROL_LOCK;   /* locked, VMX not enabled */
        return PV_EMUL_DONE;
    case EMUL_MSR_PLATFORM_INFO:
    case EMUL_MSR_MISC_FEATURES_ENABLES:
        *val = 0;
        return PV_EMUL_DONE;
    case EMUL_MSR_MISC_ENABLE:
        if (!intel)
            break;
        *val = guest_misc_enable();
        return PV_EMUL_DONE;
    case EMUL_MSR_PERF_STATUS:
    case EMUL_MSR_PERF_CTL:
    case EMUL_MSR_THERM_STATUS:
        if (!intel)
            break;
        *val = 0;
        return PV_EMUL_DONE;
    case EMUL_MSR_K8_HWCR:
    case EMUL_MSR_K8_NB_CFG:
        if (!amd)
            break;
        *val = 0;
        return PV_EMUL_DONE;
    case EMUL_MSR_AMD64_DE_CFG:
        if (!amd)
            break;
        *val = AMD64_DE_CFG_LFENCE_SERIALISE;
        return PV_EMUL_DONE;
    case EMUL_MSR_XEN_HYPERCALL_PAGE:
        *val = 0;
        return PV_EMUL_DONE;
    }
    printk(XLOG_G_DEBUG "d%uv%u: rdmsr %#x: #GP\n", v->domain->domid,
           v->vcpu_id, msr);
    return emul_gp0(exc);
}

enum pv_emul emul_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val,
                        struct pv_exc *exc)
{
    const struct pv_cpuid_policy *p = pv_guest_cpuid_policy();
    bool intel = p->vendor == PV_VENDOR_INTEL;
    bool amd = p->vendor == PV_VENDOR_AMD;

    switch (msr) {
    case EMUL_MSR_FS_BASE:
    case EMUL_MSR_GS_BASE:
    case EMUL_MSR_KERNEL_GS_BASE:
        if (!is_canonical(val))
            break;
        if (msr == EMUL_MSR_FS_BASE)
            v->seg.fs = val;
        else if (msr == EMUL_MSR_GS_BASE)
            v->seg.gs_kernel = val;     /* startup_xen's per-CPU base */
        else
            v->seg.gs_user = val;
        emul_arch_load_segbases(v);
        return PV_EMUL_DONE;
    case EMUL_MSR_PAT:
        if (val != PV_GUEST_PAT)
            break;
        return PV_EMUL_DONE;
    case EMUL_MSR_EFER:
        /* Linux writes back what it read; any change is refused. */
        if (val != guest_efer())
            break;
        return PV_EMUL_DONE;
    case EMUL_MSR_UCODE_REV:
        /* Intel's "write 0, cpuid, read" revision probe. */
        if (!intel || val != 0)
            break;
        return PV_EMUL_DONE;
    case EMUL_MSR_MISC_FEATURES_ENABLES:
        if (val != 0)       /* no CPUID faulting to enable */
            break;
        return PV_EMUL_DONE;
    case EMUL_MSR_MISC_ENABLE:
        if (!intel)
            break;
        /* Xen logs and drops any write. */
        if (val != guest_misc_enable())
            printk(XLOG_G_DEBUG "d%uv%u: MISC_ENABLE write %#llx ignored\n",
                   v->domain->domid, v->vcpu_id, (unsigned long long)val);
        return PV_EMUL_DONE;
    case EMUL_MSR_PERF_CTL:
        if (!intel)
            break;
        return PV_EMUL_DONE;
    case EMUL_MSR_PRED_CMD:
        if (!pv_cpuid_has(p, XEN_X86_FEATURE_IBPB) || (val & ~PRED_CMD_IBPB))
            break;
        if (val & PRED_CMD_IBPB)
            emul_arch_ibpb();
        return PV_EMUL_DONE;
    case EMUL_MSR_K8_HWCR:
    case EMUL_MSR_K8_NB_CFG:
    case EMUL_MSR_AMD64_DE_CFG:
        if (!amd)
            break;
        return PV_EMUL_DONE;
    case EMUL_MSR_XEN_HYPERCALL_PAGE:
        /* val = guest frame << 12 | page index (only page 0 exists). */
        if (!emul_hypercall_page_fn || (val & (PAGE_SIZE - 1)) ||
            emul_hypercall_page_fn(v, val >> PAGE_SHIFT) != 0)
            break;
        return PV_EMUL_DONE;
    }
    printk(XLOG_G_DEBUG "d%uv%u: wrmsr %#x <- %#llx: #GP\n",
           v->domain->domid, v->vcpu_id, msr, (unsigned long long)val);
    return emul_gp0(exc);
}
