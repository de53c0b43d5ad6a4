/*
 * Emulation of the privileged instructions a 64-bit PV guest kernel still
 * executes (shim/emul/), and the PV CPUID policy they report.
 *
 * The guest kernel runs in ring 3, so what it cannot do through a hypercall
 * faults into the shim: #GP for rdmsr/wrmsr, mov to/from CR, xsetbv, port
 * I/O, wbinvd, clts; #UD for Xen's forced-emulation CPUID prefix
 * (`ud2; .ascii "xen"; cpuid`). Semantics are Xen's
 * (xen/arch/x86/pv/emul-priv-op.c, emul-inv-op.c, msr.c, cpuid.c); each
 * shim/emul/ file lists its decisions and where they differ from Xen at
 * its top.
 *
 * Locking: none. Everything runs on the CPU of the faulting vCPU with
 * interrupts disabled; the CPUID policy is built once, before the guest
 * starts, and read-only afterwards.
 */
#ifndef XHV_EMULATE_H
#define XHV_EMULATE_H

#include <xhv/domain.h>

enum pv_emul {
    PV_EMUL_DONE,           /* emulated: RIP advanced, registers updated */
    PV_EMUL_UNHANDLED,      /* not ours: bounce the original fault as is */
    PV_EMUL_EXCEPTION,      /* inject *exc into the guest instead */
};

struct pv_exc {
    unsigned int vector;    /* X86_EXC_* */
    uint32_t error_code;
    bool has_ec;
};

/*
 * Emulate the instruction at r->rip of vCPU v, which faulted with
 * trap_vector (13 = #GP or 6 = #UD) while the guest ran in ring 3.
 *
 * Call it for every #GP and #UD from the guest, in either guest mode:
 * from guest-kernel mode every form listed in shim/emul/priv_op.c is
 * emulated; from guest-user mode only the forced-emulation CPUID (as Xen,
 * which lets user space such as xen-detect use the prefix).
 *
 * Returns:
 *   PV_EMUL_DONE       r (and v) updated, r->rip past the instruction,
 *                      RFLAGS.RF cleared. Resume the guest.
 *   PV_EMUL_EXCEPTION  deliver *exc with r as left: for a fault (#GP(0) for
 *                      an unknown MSR, #UD for xsetbv without CR4.OSXSAVE)
 *                      r is untouched; for the single-step #DB after an
 *                      emulated instruction (RFLAGS.TF was set) r->rip is
 *                      already past it and debugreg[6].BS is set.
 *   PV_EMUL_UNHANDLED  r untouched; bounce the original fault (vector,
 *                      error code) to the guest's trap table. Also the
 *                      answer when the instruction bytes cannot be read.
 *
 * Reads guest memory only through copy_from_guest() (current CR3 must be
 * the guest's). Never touches a real I/O port for the guest.
 */
enum pv_emul pv_emulate_priv(struct vcpu *v, struct cpu_regs *r,
                             unsigned int trap_vector, struct pv_exc *exc);

/*
 * Before vCPU v first runs: build the CPUID policy from the host (vCPU 0,
 * or the first call), and give v its initial emulated state: cr4_shadow
 * (PAE, OSFXSR, OSXMMEXCPT as the hardware has them), cr0_ts = 0,
 * xcr0 = x87|SSE if XSAVE is offered (else 0). Touches no CPU state, so it
 * may run on another CPU than v's.
 */
void pv_emulate_vcpu_init(struct vcpu *v);
/*
 * On v's CPU, before v first runs there: set up the FPU/SSE/XSAVE control
 * bits for v (emul_arch_fpu_init with v->xcr0) and a clean FPU.
 */
void pv_emulate_cpu_load(const struct vcpu *v);

/*
 * Optional: fill the page at guest frame `gmfn` with hypercall stubs
 * (Xen's hypercall-page MSR 0x40000000, which HVM-style guests write; a
 * Linux PV kernel never does). Returns 0 or -XEN_E*. Without a hook, or on
 * error, the wrmsr gets #GP(0).
 */
typedef int (*pv_hypercall_page_fn)(struct vcpu *v, uint64_t gmfn);
void pv_emulate_set_hypercall_page_hook(pv_hypercall_page_fn fn);

/* --------------------------------------------------------------------- */
/* The PV CPUID policy (shim/emul/cpuid_policy.c): pure, host-testable.  */
/* --------------------------------------------------------------------- */

struct cpuid_leaf {
    uint32_t a, b, c, d;
};

/* The host's CPUID (leaf, subleaf) into *out. ctx is the caller's. */
typedef void (*cpuid_host_fn)(void *ctx, uint32_t leaf, uint32_t subleaf,
                              struct cpuid_leaf *out);

#define PV_CPUID_BASIC_LAST     0xdu        /* highest basic leaf offered */
#define PV_CPUID_EXTD_LAST      0x80000021u /* highest extended leaf */
#define PV_CPUID_CACHE_SUBLEAVES 8          /* leaf 4 */
#define PV_CPUID_FEAT_SUBLEAVES 3           /* leaf 7, subleaves 0-2 */
#define PV_CPUID_XSTATE_SUBLEAVES 63        /* leaf 0xd, subleaves 0-62 */
#define PV_CPUID_FS_WORDS       19          /* Xen featureset words */

enum pv_cpu_vendor { PV_VENDOR_OTHER, PV_VENDOR_INTEL, PV_VENDOR_AMD };

struct pv_cpuid_policy {
    bool built;
    enum pv_cpu_vendor vendor;      /* AMD includes Hygon */
    uint32_t basic_max, extd_max, feat_max;
    /* Static guest values; the few dynamic fields are filled per query. */
    struct cpuid_leaf basic[PV_CPUID_BASIC_LAST + 1];
    struct cpuid_leaf cache[PV_CPUID_CACHE_SUBLEAVES];
    struct cpuid_leaf feat[PV_CPUID_FEAT_SUBLEAVES];
    struct cpuid_leaf xstate[PV_CPUID_XSTATE_SUBLEAVES];
    struct cpuid_leaf extd[(PV_CPUID_EXTD_LAST & 0xffff) + 1];
    /* Offered features, indexed by XEN_X86_FEATURE_* (cpufeatureset.h). */
    uint32_t fs[PV_CPUID_FS_WORDS];
    uint64_t xcr0_max;              /* XCR0 bits the guest may set */
    uint8_t maddr_bits;             /* leaf 0x40000005 EBX[7:0] */
};

/* Compute the guest policy from the host's leaves. */
void pv_cpuid_policy_build(struct pv_cpuid_policy *p, cpuid_host_fn host,
                           void *ctx);

/* Is XEN_X86_FEATURE_<x> offered? */
bool pv_cpuid_has(const struct pv_cpuid_policy *p, unsigned int feature);

/* The vCPU state the dynamic leaves depend on. */
struct pv_cpuid_state {
    uint64_t cr4;           /* the guest's CR4 view (OSXSAVE) */
    uint64_t xcr0;          /* the guest's XCR0 (leaf 0xd sizes) */
    /*
     * Forced-emulation CPUID from guest-kernel mode while the hardware has
     * CR4.OSXSAVE: OSXSAVE is reported even before the guest sets it in its
     * own CR4 (Xen's de-facto PV ABI, see cpuid_policy.c).
     */
    bool kernel_forced_osxsave;
};

/*
 * The guest's CPUID (leaf, subleaf). Anything outside the policy reads as
 * zeros, including every hypervisor leaf 0x40000000-0x4fffffff other than
 * Xen's 0x40000000-0x40000005.
 */
void pv_cpuid(const struct pv_cpuid_policy *p, const struct pv_cpuid_state *s,
              uint32_t leaf, uint32_t subleaf, struct cpuid_leaf *out);

/* The policy pv_emulate_vcpu_init() built (for the debug keys, tests). */
const struct pv_cpuid_policy *pv_guest_cpuid_policy(void);

/* --------------------------------------------------------------------- */
/* Arch hooks (arch/x86_64/emul_hooks.c; host tests supply fakes).       */
/* The emulator decides; these only touch the hardware.                 */
/* --------------------------------------------------------------------- */

/* The real CPUID instruction (cpuid_host_fn shape; ctx unused). */
void emul_arch_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf,
                     struct cpuid_leaf *out);

/*
 * Once, before the guest runs: CR0.MP|NE set, EM|TS clear; CR4.OSFXSR and
 * OSXMMEXCPT set; if xcr0 != 0 also CR4.OSXSAVE and XCR0 = xcr0.
 */
void emul_arch_fpu_init(uint64_t xcr0);

/* The hardware's CR0 and CR4 (the guest sees a filtered view). */
uint64_t emul_arch_read_cr0(void);
uint64_t emul_arch_read_cr4(void);

/* Set or clear CR0.TS (the guest's virtual TS, as fpu_taskswitch). */
void emul_arch_set_ts(bool ts);

/* Load XCR0 (already validated). 0, or -1 if the CPU refused it. */
int emul_arch_set_xcr0(uint64_t xcr0);

/*
 * Load v's FS base and GS bases for its current mode: in guest-kernel mode
 * GS = seg.gs_kernel and the inactive (KERNEL_GS_BASE) = seg.gs_user; in
 * guest-user mode the other way round. Same contract as
 * arch_pv_load_segbases() in include/xhv/pv_arch.h.
 */
void emul_arch_load_segbases(const struct vcpu *v);

/* The hardware's EFER, and TSC. */
uint64_t emul_arch_read_efer(void);
uint64_t emul_arch_rdtsc(void);

/* Indirect branch prediction barrier (wrmsr PRED_CMD, IBPB). */
void emul_arch_ibpb(void);

#endif /* XHV_EMULATE_H */
