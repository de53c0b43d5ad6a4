/*
 * Private to shim/emul/: the architectural constants the emulator needs
 * (shim/ must not include <xhv/x86.h>), and the pieces priv_op.c
 * dispatches to (msr.c, io.c).
 *
 * These are Intel/AMD architectural values (SDM vol. 3, APM vol. 2), not
 * Xen ABI: Xen's own numbers come from the public xen/ headers only.
 */
#ifndef XHV_SHIM_EMUL_H
#define XHV_SHIM_EMUL_H

#include <xhv/emulate.h>

/* Control registers. */
#define EMUL_CR0_PE         BIT(0)
#define EMUL_CR0_MP         BIT(1)
#define EMUL_CR0_EM         BIT(2)
#define EMUL_CR0_TS         BIT(3)
#define EMUL_CR0_ET         BIT(4)
#define EMUL_CR0_NE         BIT(5)
#define EMUL_CR0_WP         BIT(16)
#define EMUL_CR0_AM         BIT(18)
#define EMUL_CR0_PG         BIT(31)

#define EMUL_CR4_VME        BIT(0)
#define EMUL_CR4_PVI        BIT(1)
#define EMUL_CR4_TSD        BIT(2)
#define EMUL_CR4_DE         BIT(3)
#define EMUL_CR4_PSE        BIT(4)
#define EMUL_CR4_PAE        BIT(5)
#define EMUL_CR4_MCE        BIT(6)
#define EMUL_CR4_PGE        BIT(7)
#define EMUL_CR4_PCE        BIT(8)
#define EMUL_CR4_OSFXSR     BIT(9)
#define EMUL_CR4_OSXMMEXCPT BIT(10)
#define EMUL_CR4_FSGSBASE   BIT(16)
#define EMUL_CR4_OSXSAVE    BIT(18)

/* XCR0 state components. */
#define XSTATE_X87          BIT(0)
#define XSTATE_SSE          BIT(1)
#define XSTATE_YMM          BIT(2)
#define XSTATE_BNDREGS      BIT(3)
#define XSTATE_BNDCSR       BIT(4)
#define XSTATE_OPMASK       BIT(5)
#define XSTATE_ZMM_HI256    BIT(6)
#define XSTATE_HI16_ZMM     BIT(7)
#define XSTATE_PKRU         BIT(9)
#define XSTATE_AVX512       (XSTATE_OPMASK | XSTATE_ZMM_HI256 | XSTATE_HI16_ZMM)
#define XSTATE_AREA_MIN     576     /* legacy area 512 + header 64 */

/* RFLAGS. */
#define EMUL_EFLAGS_TF      BIT(8)
#define EMUL_EFLAGS_RF      BIT(16)

/* DR6 single-step status. */
#define EMUL_DR6_BS         BIT(14)

/* Exception vectors. */
#define EMUL_EXC_DB         1
#define EMUL_EXC_UD         6
#define EMUL_EXC_GP         13

/* EFER. */
#define EMUL_EFER_SCE       BIT(0)
#define EMUL_EFER_LME       BIT(8)
#define EMUL_EFER_LMA       BIT(10)
#define EMUL_EFER_NXE       BIT(11)

/* MSRs the emulator knows (SDM vol. 4, APM vol. 2 appendix A). */
#define EMUL_MSR_TSC                0x00000010
#define EMUL_MSR_APIC_BASE          0x0000001b
#define EMUL_MSR_FEATURE_CONTROL    0x0000003a
#define EMUL_MSR_SPEC_CTRL          0x00000048
#define EMUL_MSR_PRED_CMD           0x00000049
#define EMUL_MSR_UCODE_REV          0x0000008b
#define EMUL_MSR_PLATFORM_INFO      0x000000ce
#define EMUL_MSR_ARCH_CAPABILITIES  0x0000010a
#define EMUL_MSR_FLUSH_CMD          0x0000010b
#define EMUL_MSR_TSX_CTRL           0x00000122
#define EMUL_MSR_MCU_OPT_CTRL       0x00000123
#define EMUL_MSR_MISC_FEATURES_ENABLES 0x00000140
#define EMUL_MSR_PERF_STATUS        0x00000198
#define EMUL_MSR_PERF_CTL           0x00000199
#define EMUL_MSR_THERM_STATUS       0x0000019c
#define EMUL_MSR_MISC_ENABLE        0x000001a0
#define EMUL_MSR_PAT                0x00000277
#define EMUL_MSR_EFER               0xc0000080
#define EMUL_MSR_FS_BASE            0xc0000100
#define EMUL_MSR_GS_BASE            0xc0000101
#define EMUL_MSR_KERNEL_GS_BASE     0xc0000102
#define EMUL_MSR_TSC_AUX            0xc0000103
#define EMUL_MSR_K8_HWCR            0xc0010015
#define EMUL_MSR_K8_NB_CFG          0xc001001f
#define EMUL_MSR_AMD64_DE_CFG       0xc0011029
#define EMUL_MSR_XEN_HYPERCALL_PAGE 0x40000000  /* CPUID 0x40000002 EBX */

#define APIC_BASE_BSP               BIT(8)
#define APIC_BASE_ENABLE            BIT(11)
#define APIC_DEFAULT_PHYS_BASE      0xfee00000ULL
#define FEATURE_CONTROL_LOCK        BIT(0)
#define MISC_ENABLE_FAST_STRING     BIT(0)
#define MISC_ENABLE_BTS_UNAVAIL     BIT(11)
#define MISC_ENABLE_PEBS_UNAVAIL    BIT(12)
#define MISC_ENABLE_XTPR_DISABLE    BIT(23)
#define PRED_CMD_IBPB               BIT(0)
#define AMD64_DE_CFG_LFENCE_SERIALISE BIT(1)

/*
 * The PAT Xen programs and every PV guest sees (WB, WT, UC-, UC, WC, WP,
 * UC, UC); Linux derives its cache-mode table from it. Xen keeps it in a
 * private header (XEN_MSR_PAT), not the public ABI.
 */
#define PV_GUEST_PAT                0x0000050100070406ULL

/* shim/emul/msr.c: rdmsr/wrmsr in guest-kernel mode. */
enum pv_emul emul_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val,
                        struct pv_exc *exc);
enum pv_emul emul_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val,
                        struct pv_exc *exc);
/* The hypercall-page hook (NULL: none). */
extern pv_hypercall_page_fn emul_hypercall_page_fn;

/* shim/emul/io.c: one in/out of `bytes` (1, 2, 4) at `port`. */
enum pv_emul emul_io_in(struct vcpu *v, unsigned int port,
                        unsigned int bytes, uint32_t *val,
                        struct pv_exc *exc);
enum pv_emul emul_io_out(struct vcpu *v, unsigned int port,
                         unsigned int bytes, uint32_t val,
                         struct pv_exc *exc);
/* Forget the virtual PCI CONFIG_ADDRESS latch (domain start, tests). */
void emul_io_reset(void);

/* Fill *exc with #GP(0) and answer PV_EMUL_EXCEPTION. */
static inline enum pv_emul emul_gp0(struct pv_exc *exc)
{
    exc->vector = EMUL_EXC_GP;
    exc->error_code = 0;
    exc->has_ec = true;
    return PV_EMUL_EXCEPTION;
}

static inline enum pv_emul emul_ud(struct pv_exc *exc)
{
    exc->vector = EMUL_EXC_UD;
    exc->error_code = 0;
    exc->has_ec = false;
    return PV_EMUL_EXCEPTION;
}

#endif /* XHV_SHIM_EMUL_H */
