/*
 * Decoder and dispatch for the privileged instructions a 64-bit PV guest
 * kernel executes in ring 3 (include/xhv/emulate.h has the contract).
 *
 * Only the forms below are decoded; anything else, any unknown prefix mix
 * and any instruction that cannot be fetched is PV_EMUL_UNHANDLED, so the
 * guest gets its original fault, as Xen's emulator does for what its
 * validate() hook refuses (xen/arch/x86/pv/emul-priv-op.c).
 *
 * | bytes              | instruction          | action                     |
 * |--------------------|----------------------|----------------------------|
 * | 0f 0b 78 65 6e     | forced-emulation     | CPUID with the PV policy   |
 * |   0f a2 (#UD)      |   cpuid              |   (also from guest user)   |
 * | 0f a2              | cpuid (if faulting)  | CPUID with the PV policy   |
 * | 0f 32 / 0f 30      | rdmsr / wrmsr        | msr.c                      |
 * | 0f 20 / 0f 22      | mov from / to CRn    | CR0, CR2, CR3 (read), CR4; |
 * |                    |                      | CR8 #GP(0); CR3 write and  |
 * |                    |                      | others unhandled           |
 * | 0f 06              | clts                 | virtual TS = 0 (Xen)       |
 * | 0f 01 d1           | xsetbv               | checked XCR0 load          |
 * | e4 e5 e6 e7        | in/out imm8          | io.c (66: 16-bit)          |
 * | ec ed ee ef        | in/out %dx           | io.c (66: 16-bit)          |
 * | 0f 09, f3 0f 09    | wbinvd, wbnoinvd     | ignored (unprivileged)     |
 * | 0f 08              | invd                 | ignored                    |
 * | fa / fb            | cli / sti            | ignored if the virtual     |
 * |                    |                      | IOPL allows (Xen), else    |
 * |                    |                      | unhandled                  |
 * | 6c-6f, f4, 0f 00,  | ins/outs, hlt, lldt  | unhandled: Linux PV never  |
 * |   0f 01 (others),  |   etc., lgdt/lidt/   | executes them (Xen         |
 * |   0f 07, cf,       |   invlpg/swapgs,     | emulates ins/outs and mov  |
 * |   0f 21/23, 0f 31, |   sysret, iretq,     | DR; xhv does not yet)      |
 * |   0f 33            |   mov DR, rdtsc,     |                            |
 * |                    |   rdpmc              |                            |
 *
 * Prefixes: segment overrides and 67 are accepted and ignored (no form
 * above has a memory operand); 66 selects 16-bit port I/O and is refused on
 * 0f opcodes; f2/f3 are refused except in wbnoinvd; f0 (lock) is refused;
 * REX must come last (REX.R selects CR8-15, REX.B R8-R15); a legacy prefix
 * after REX is refused. The guest kernel's code segment is assumed to be
 * 64-bit (a PV64 kernel never runs compatibility-mode code in kernel mode).
 *
 * Completion: RIP moves past the instruction and RF clears; with TF set
 * the caller is told to raise the single-step #DB (as Xen's
 * pv_emul_instruction_done()).
 */
#include <xhv/emulate.h>
#include <xhv/guest_access.h>
#include <xhv/log.h>
#include <xhv/string.h>
#include <xen/arch-x86/cpufeatureset.h>

#include "emul.h"

#define MAX_INSN_LEN    15

static struct pv_cpuid_policy guest_policy;

const struct pv_cpuid_policy *pv_guest_cpuid_policy(void)
{
    return &guest_policy;
}

struct insn {
    uint8_t b[MAX_INSN_LEN];
    unsigned int len;       /* bytes fetched */
    unsigned int pos;       /* next byte to decode */
    bool opsz;              /* 66 */
    bool rep, repne, lock;
    uint8_t rex;
};

/*
 * Fetch up to 15 bytes at rip. A read that crosses into an unmapped page
 * is retried up to the page end, so a short instruction at the end of the
 * last mapped page still decodes.
 */
static int fetch(struct insn *in, uint64_t rip)
{
    uint64_t to_page_end = PAGE_SIZE - (rip & (PAGE_SIZE - 1));

    if (copy_from_guest(in->b, rip, MAX_INSN_LEN) == 0) {
        in->len = MAX_INSN_LEN;
        return 0;
    }
    if (to_page_end < MAX_INSN_LEN &&
        copy_from_guest(in->b, rip, to_page_end) == 0) {
        in->len = (unsigned int)to_page_end;
        return 0;
    }
    return -1;
}

static bool next(struct insn *in, uint8_t *byte)
{
    if (in->pos >= in->len)
        return false;
    *byte = in->b[in->pos++];
    return true;
}

static enum pv_emul done(struct vcpu *v, struct cpu_regs *r,
                         unsigned int len, struct pv_exc *exc)
{
    r->rip += len;
    r->rflags &= ~EMUL_EFLAGS_RF;
    if (!(r->rflags & EMUL_EFLAGS_TF))
        return PV_EMUL_DONE;
    v->debugreg[6] |= EMUL_DR6_BS;
    exc->vector = EMUL_EXC_DB;
    exc->error_code = 0;
    exc->has_ec = false;
    return PV_EMUL_EXCEPTION;
}

/* ---- CPUID ---------------------------------------------------------- */

static void emulate_cpuid(struct vcpu *v, struct cpu_regs *r, bool forced)
{
    struct pv_cpuid_state s = {
        .cr4 = v->cr4_shadow,
        .xcr0 = v->xcr0,
        .kernel_forced_osxsave = forced && v->in_kernel &&
            (emul_arch_read_cr4() & EMUL_CR4_OSXSAVE),
    };
    struct cpuid_leaf l;

    pv_cpuid(&guest_policy, &s, (uint32_t)r->rax, (uint32_t)r->rcx, &l);
    r->rax = l.a;
    r->rbx = l.b;
    r->rcx = l.c;
    r->rdx = l.d;
}

static const uint8_t forced_cpuid[] = { 0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2 };

/* ---- control registers ---------------------------------------------- */

static uint64_t guest_cr0(const struct vcpu *v)
{
    return (emul_arch_read_cr0() & ~EMUL_CR0_TS) | (v->cr0_ts & EMUL_CR0_TS);
}

/*
 * The guest's CR4 view after it writes val (Xen's pv_fixup_guest_cr4()):
 * it controls OSXSAVE (if XSAVE is offered) and sees PAE, OSFXSR and
 * OSXMMEXCPT as the hardware has them; anything else it asks for is
 * dropped, not faulted (Linux strips PGE/PSE/PCE itself).
 */
static uint64_t guest_cr4(uint64_t val)
{
    uint64_t guest_mask = 0;

    if (pv_cpuid_has(&guest_policy, XEN_X86_FEATURE_XSAVE))
        guest_mask |= EMUL_CR4_OSXSAVE;
    return (val & guest_mask) |
           (emul_arch_read_cr4() &
            (EMUL_CR4_PAE | EMUL_CR4_OSFXSR | EMUL_CR4_OSXMMEXCPT));
}

static void set_ts(struct vcpu *v, bool ts)
{
    v->cr0_ts = ts ? EMUL_CR0_TS : 0;
    emul_arch_set_ts(ts);
}

static enum pv_emul read_cr(struct vcpu *v, unsigned int cr, uint64_t *val,
                            struct pv_exc *exc)
{
    switch (cr) {
    case 0:
        *val = guest_cr0(v);
        return PV_EMUL_DONE;
    case 2:
        /* The #PF path keeps the fault address in vcpu_info (as Xen). */
        *val = v->vcpu_info ? v->vcpu_info->arch.cr2 : 0;
        return PV_EMUL_DONE;
    case 3:
        *val = xen_pfn_to_cr3(v->cr3 >> PAGE_SHIFT);
        return PV_EMUL_DONE;
    case 4:
        *val = v->cr4_shadow;
        return PV_EMUL_DONE;
    case 8:
        return emul_gp0(exc);
    }
    return PV_EMUL_UNHANDLED;
}

static enum pv_emul write_cr(struct vcpu *v, unsigned int cr, uint64_t val,
                             struct pv_exc *exc)
{
    switch (cr) {
    case 0:
        if ((val ^ guest_cr0(v)) & ~EMUL_CR0_TS) {
            printk(XLOG_G_DEBUG "d%uv%u: CR0 %#llx: only TS may change\n",
                   v->domain->domid, v->vcpu_id, (unsigned long long)val);
            return emul_gp0(exc);
        }
        set_ts(v, val & EMUL_CR0_TS);
        return PV_EMUL_DONE;
    case 2:
        if (v->vcpu_info)
            v->vcpu_info->arch.cr2 = val;
        return PV_EMUL_DONE;
    case 4:
        v->cr4_shadow = guest_cr4(val);
        return PV_EMUL_DONE;
    case 8:
        return emul_gp0(exc);
    }
    /* CR3: Linux PV uses MMUEXT_NEW_BASEPTR; others are #UD on hardware. */
    return PV_EMUL_UNHANDLED;
}

/* ---- xsetbv ---------------------------------------------------------- */

/*
 * #UD without XSAVE offered or CR4.OSXSAVE in the guest's view (as the
 * hardware, and Xen's emulator); #GP(0) for an XCR other than 0 or a value
 * the architecture or the policy refuses.
 */
static enum pv_emul xsetbv(struct vcpu *v, struct cpu_regs *r,
                           struct pv_exc *exc)
{
    uint64_t val = ((r->rdx & 0xffffffffULL) << 32) | (uint32_t)r->rax;

    if (!pv_cpuid_has(&guest_policy, XEN_X86_FEATURE_XSAVE) ||
        !(v->cr4_shadow & EMUL_CR4_OSXSAVE))
        return emul_ud(exc);
    if ((uint32_t)r->rcx != 0 ||
        !(val & XSTATE_X87) ||
        (val & ~guest_policy.xcr0_max) ||
        ((val & XSTATE_YMM) && !(val & XSTATE_SSE)) ||
        ((val & XSTATE_AVX512) &&
         ((val & XSTATE_AVX512) != XSTATE_AVX512 || !(val & XSTATE_YMM))))
        return emul_gp0(exc);
    if (emul_arch_set_xcr0(val) != 0)
        return emul_gp0(exc);
    v->xcr0 = val;
    return PV_EMUL_DONE;
}

/* ---- port I/O -------------------------------------------------------- */

static enum pv_emul port_io(struct vcpu *v, struct cpu_regs *r, uint8_t op,
                            unsigned int port, bool opsz, struct pv_exc *exc)
{
    unsigned int bytes = !(op & 1) ? 1 : opsz ? 2 : 4;
    enum pv_emul rc;
    uint32_t val;

    if (op & 2) {   /* out */
        return emul_io_out(v, port, bytes, (uint32_t)r->rax, exc);
    }
    rc = emul_io_in(v, port, bytes, &val, exc);
    if (rc != PV_EMUL_DONE)
        return rc;
    switch (bytes) {
    case 1:
        r->rax = (r->rax & ~0xffULL) | (val & 0xff);
        break;
    case 2:
        r->rax = (r->rax & ~0xffffULL) | (val & 0xffff);
        break;
    default:
        r->rax = val;   /* a 32-bit destination zero-extends */
        break;
    }
    return PV_EMUL_DONE;
}

static bool iopl_allows_cli(const struct vcpu *v)
{
    unsigned int cpl =
        (v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl))
        ? 0 : 1;

    return cpl <= v->iopl;
}

/* ---- the two-byte (0f) opcodes --------------------------------------- */

static enum pv_emul twobyte(struct vcpu *v, struct cpu_regs *r,
                            struct insn *in, struct pv_exc *exc)
{
    enum pv_emul rc;
    uint8_t op, modrm;
    uint64_t val;

    if (!next(in, &op))
        return PV_EMUL_UNHANDLED;
    if (in->repne || (in->rep && op != 0x09) || in->opsz)
        return PV_EMUL_UNHANDLED;

    switch (op) {
    case 0x06:      /* clts */
        set_ts(v, false);
        break;
    case 0x08:      /* invd */
    case 0x09:      /* wbinvd; f3: wbnoinvd */
        /* An unprivileged domain's cache flush is dropped (Xen). */
        break;
    case 0x20:      /* mov %crN, reg */
    case 0x22:      /* mov reg, %crN */
        /* The mod bits are ignored: the operand is always a register. */
        if (!next(in, &modrm))
            return PV_EMUL_UNHANDLED;
        {
            unsigned int cr = ((modrm >> 3) & 7) | ((in->rex & 4) ? 8 : 0);
            uint64_t *reg = regs_gpr(r, (modrm & 7) | ((in->rex & 1) ? 8 : 0));

            if (op == 0x20) {
                rc = read_cr(v, cr, &val, exc);
                if (rc == PV_EMUL_DONE)
                    *reg = val;
            } else {
                rc = write_cr(v, cr, *reg, exc);
            }
            if (rc != PV_EMUL_DONE)
                return rc;
        }
        break;
    case 0x30:      /* wrmsr */
        val = ((r->rdx & 0xffffffffULL) << 32) | (uint32_t)r->rax;
        rc = emul_wrmsr(v, (uint32_t)r->rcx, val, exc);
        if (rc != PV_EMUL_DONE)
            return rc;
        break;
    case 0x32:      /* rdmsr */
        rc = emul_rdmsr(v, (uint32_t)r->rcx, &val, exc);
        if (rc != PV_EMUL_DONE)
            return rc;
        r->rax = (uint32_t)val;
        r->rdx = val >> 32;
        break;
    case 0xa2:      /* cpuid, if CPUID faulting ever traps it */
        emulate_cpuid(v, r, false);
        break;
    case 0x01:
        if (!next(in, &modrm) || modrm != 0xd1)   /* xsetbv only */
            return PV_EMUL_UNHANDLED;
        rc = xsetbv(v, r, exc);
        if (rc != PV_EMUL_DONE)
            return rc;
        break;
    default:
        return PV_EMUL_UNHANDLED;
    }
    return done(v, r, in->pos, exc);
}

/* ---- entry ----------------------------------------------------------- */

static enum pv_emul decode(struct vcpu *v, struct cpu_regs *r,
                           struct insn *in, struct pv_exc *exc)
{
    enum pv_emul rc;
    uint8_t op, imm;

    /* Legacy prefixes, then at most one REX, then the opcode. */
    for (;;) {
        if (!next(in, &op))
            return PV_EMUL_UNHANDLED;
        switch (op) {
        case 0x66: in->opsz = true; continue;
        case 0x67: continue;
        case 0xf2: in->repne = true; in->rep = false; continue;
        case 0xf3: in->rep = true; in->repne = false; continue;
        case 0xf0: in->lock = true; continue;
        case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
            continue;
        }
        break;
    }
    if ((op & 0xf0) == 0x40) {
        in->rex = op;
        if (!next(in, &op))
            return PV_EMUL_UNHANDLED;
    }
    if (in->lock)
        return PV_EMUL_UNHANDLED;

    switch (op) {
    case 0x0f:
        return twobyte(v, r, in, exc);
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
        if (in->rep || in->repne || !next(in, &imm))
            return PV_EMUL_UNHANDLED;
        rc = port_io(v, r, op, imm, in->opsz, exc);
        break;
    case 0xec: case 0xed: case 0xee: case 0xef:
        if (in->rep || in->repne)
            return PV_EMUL_UNHANDLED;
        rc = port_io(v, r, op, (uint16_t)r->rdx, in->opsz, exc);
        break;
    case 0xfa: case 0xfb:
        /*
         * cli/sti: Xen skips them when the virtual IOPL would allow them
         * (emul-priv-op.c validate(): "fast & loose"), else bounces #GP.
         */
        if (in->opsz || in->rep || in->repne || !iopl_allows_cli(v))
            return PV_EMUL_UNHANDLED;
        rc = PV_EMUL_DONE;
        break;
    default:
        return PV_EMUL_UNHANDLED;
    }
    if (rc != PV_EMUL_DONE)
        return rc;
    return done(v, r, in->pos, exc);
}

enum pv_emul pv_emulate_priv(struct vcpu *v, struct cpu_regs *r,
                             unsigned int trap_vector, struct pv_exc *exc)
{
    struct insn in;

    memset(&in, 0, sizeof(in));
    if (trap_vector != EMUL_EXC_GP && trap_vector != EMUL_EXC_UD)
        return PV_EMUL_UNHANDLED;
    if (fetch(&in, r->rip) != 0)
        return PV_EMUL_UNHANDLED;

    if (trap_vector == EMUL_EXC_UD) {
        /* Only Xen's forced-emulation prefix, from either guest mode. */
        if (in.len < sizeof(forced_cpuid) ||
            memcmp(in.b, forced_cpuid, sizeof(forced_cpuid)) != 0)
            return PV_EMUL_UNHANDLED;
        emulate_cpuid(v, r, true);
        return done(v, r, sizeof(forced_cpuid), exc);
    }

    if (!v->in_kernel)
        return PV_EMUL_UNHANDLED;
    return decode(v, r, &in, exc);
}

void pv_emulate_vcpu_init(struct vcpu *v)
{
    uint64_t xcr0;

    /* vCPU 0 (re)builds the domain's policy; later vCPUs share it. */
    if (v->vcpu_id == 0 || !guest_policy.built) {
        pv_cpuid_policy_build(&guest_policy, emul_arch_cpuid, NULL);
        emul_io_reset();
    }
    xcr0 = pv_cpuid_has(&guest_policy, XEN_X86_FEATURE_XSAVE)
           ? XSTATE_X87 | XSTATE_SSE : 0;
    v->cr0_ts = 0;
    v->xcr0 = xcr0;
    v->cr4_shadow = guest_cr4(0);
}

void pv_emulate_cpu_load(const struct vcpu *v)
{
    emul_arch_fpu_init(v->xcr0);
}
