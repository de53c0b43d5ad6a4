/*
 * VCPUOP_initialise: give a vCPU that has never run its first context
 * (public vcpu.h, struct vcpu_guest_context in arch-x86/xen.h), with the
 * checks of Xen's arch_set_info_guest for a 64-bit PV vCPU, all made
 * before anything is taken or installed, so a refused context changes
 * nothing. Called with d->lock held.
 *
 *   vCPU already initialised                       -EEXIST
 *   context unreadable                             -EFAULT
 *   VGCF_in_kernel clear (a first context must
 *     start in the guest kernel)                   -EINVAL
 *   rip, rsp, kernel_sp, callbacks, fs/gs bases,
 *     trap handlers not guest addresses            -EINVAL
 *   cs not a present 64-bit code segment, ss not
 *     a present writable data segment (GDT of the
 *     context, or the flat selectors; RPL forced
 *     to 3 as Xen's fixup does), an LDT selector   -EINVAL
 *   ldt_ents or ldt_base != 0 (no LDT at start), gdt_ents
 *     above FIRST_RESERVED_GDT_ENTRY               -EINVAL
 *   a GDT frame not the guest's or not typeable
 *     as a descriptor page                         -EINVAL
 *   ctrlreg[3] not a pinned L4 the guest owns;
 *     ctrlreg[1] (user L4) nonzero and not an L4   -EINVAL
 *   debug registers enabling breakpoints           -EINVAL
 * VGCF_i387_valid: the FPU image is not loaded; the vCPU starts with a
 * clean FPU (docs/hypercalls.md). IOPL bits of rflags become the virtual
 * IOPL; IF is forced on, as Xen does.
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/mm.h>
#include <xhv/pv_arch.h>
#include <xhv/string.h>
#include <xhv/vtimer.h>
#include <xhv/emulate.h>
#include <xen/vcpu.h>

#define DESCS_PER_PAGE  (PAGE_SIZE / 8)
#define DESC_P          BIT(47)
#define DESC_S          BIT(44)
#define DESC_CODE       BIT(43)
#define DESC_WRITABLE   BIT(41)
#define DESC_L          BIT(53)
#define DESC_D          BIT(54)

/* CF PF AF ZF SF DF OF AC ID */
#define KEPT_FLAGS      (BIT(0) | BIT(2) | BIT(4) | BIT(6) | BIT(7) | \
                         BIT(10) | BIT(11) | BIT(18) | BIT(21))

/* One context buffer: callers hold d->lock, which serialises its use. */
static struct vcpu_guest_context ctxt;

static bool addr_ok_or_zero(uint64_t a)
{
    return a == 0 || guest_addr_ok(a);
}

/* The descriptor `sel` names in the context's GDT; false if none. */
static bool gdt_desc(const struct vcpu_guest_context *c, uint16_t sel,
                     uint64_t *desc)
{
    unsigned int idx = sel >> 3;
    const uint64_t *page;

    if ((sel & 4) || idx >= c->gdt_ents || idx == 0)
        return false;                   /* LDT, beyond the GDT, null */
    page = mm_arch_frame_va(c->gdt_frames[idx / DESCS_PER_PAGE]);
    *desc = page[idx % DESCS_PER_PAGE];
    return true;
}

/*
 * A selector of the context, RPL forced to 3 (Xen's fixup_guest_*_selector):
 * the flat one, or a GDT descriptor of the context whose bits under `mask`
 * are `want`.
 */
static bool sel_ok(const struct vcpu_guest_context *c, uint16_t *sel,
                   uint16_t flat, uint64_t mask, uint64_t want)
{
    uint64_t d;

    *sel |= 3;
    if (*sel == flat)
        return true;
    if ((*sel >> 3) >= FIRST_RESERVED_GDT_ENTRY || !gdt_desc(c, *sel, &d))
        return false;
    return (d & mask) == want;
}

/* A present 64-bit code segment. */
static bool code_sel_ok(const struct vcpu_guest_context *c, uint16_t *sel)
{
    return sel_ok(c, sel, FLAT_KERNEL_CS64,
                  DESC_P | DESC_S | DESC_CODE | DESC_L | DESC_D,
                  DESC_P | DESC_S | DESC_CODE | DESC_L);
}

/* A present writable data segment. */
static bool stack_sel_ok(const struct vcpu_guest_context *c, uint16_t *sel)
{
    return sel_ok(c, sel, FLAT_KERNEL_SS64,
                  DESC_P | DESC_S | DESC_CODE | DESC_WRITABLE,
                  DESC_P | DESC_S | DESC_WRITABLE);
}

static bool addresses_ok(const struct vcpu_guest_context *c)
{
    unsigned int i;

    if (!guest_addr_ok(c->user_regs.rip) ||
        !addr_ok_or_zero(c->user_regs.rsp) ||
        !addr_ok_or_zero(c->kernel_sp) ||
        !addr_ok_or_zero(c->event_callback_eip) ||
        !addr_ok_or_zero(c->failsafe_callback_eip) ||
        !addr_ok_or_zero(c->syscall_callback_eip) ||
        !addr_ok_or_zero(c->fs_base) ||
        !addr_ok_or_zero(c->gs_base_kernel) ||
        !addr_ok_or_zero(c->gs_base_user))
        return false;
    for (i = 0; i < 256; i++)
        if (!addr_ok_or_zero(c->trap_ctxt[i].address))
            return false;
    for (i = 0; i < 4; i++)
        if (!addr_ok_or_zero(c->debugreg[i]))
            return false;
    return (c->debugreg[7] & ~0x400ULL) == 0;   /* nothing enabled */
}

/* A pinned L4 of d's (kernel), or any L4 of d's (user): take a reference. */
static int get_l4(struct domain *d, uint64_t mfn, bool pinned)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg || pg->owner != d || pg->type != PGT_l4_page_table ||
        (pinned && !(pg->flags & PGF_pinned)))
        return -XEN_EINVAL;
    return get_page_and_type(pg, d, PGT_l4_page_table) ? -XEN_EINVAL : 0;
}

long vcpu_initialise(struct domain *d, struct vcpu *v, uint64_t arg)
{
    struct vcpu_guest_context *c = &ctxt;
    unsigned int nr_gdt, i;
    uint64_t mfns[FIRST_RESERVED_GDT_PAGE];
    uint16_t cs, ss, kss;
    uint64_t kcr3, ucr3;
    int rc;

    if (v->initialised)
        return -XEN_EEXIST;
    if (copy_from_guest(c, arg, sizeof(*c)))
        return -XEN_EFAULT;
    if (!(c->flags & VGCF_in_kernel))
        return -XEN_EINVAL;
    if (!addresses_ok(c))
        return -XEN_EINVAL;
    if (c->ldt_ents || c->ldt_base)
        return -XEN_EINVAL;
    if (c->gdt_ents > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;

    /* GDT frames: typed before the selectors are looked up in them. */
    nr_gdt = (unsigned int)((c->gdt_ents + DESCS_PER_PAGE - 1) /
                            DESCS_PER_PAGE);
    for (i = 0; i < nr_gdt; i++) {
        struct page_info *pg = mfn_to_page(c->gdt_frames[i]);

        if (!pg || get_page_and_type(pg, d, PGT_seg_desc_page)) {
            rc = -XEN_EINVAL;
            goto put_gdt;
        }
        mfns[i] = c->gdt_frames[i];
    }
    cs = c->user_regs.cs;
    ss = c->user_regs.ss;
    kss = (uint16_t)c->kernel_ss;
    if (!code_sel_ok(c, &cs) || !stack_sel_ok(c, &ss) ||
        (c->kernel_ss && !stack_sel_ok(c, &kss))) {
        rc = -XEN_EINVAL;
        goto put_gdt;
    }

    kcr3 = xen_cr3_to_pfn(c->ctrlreg[3]);
    ucr3 = xen_cr3_to_pfn(c->ctrlreg[1]);
    rc = get_l4(d, kcr3, true);
    if (rc)
        goto put_gdt;
    if (ucr3) {
        rc = get_l4(d, ucr3, false);
        if (rc) {
            put_page_and_type(mfn_to_page(kcr3));
            goto put_gdt;
        }
    }

    /* Everything checked and referenced: install. */
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.r15 = c->user_regs.r15;
    v->regs.r14 = c->user_regs.r14;
    v->regs.r13 = c->user_regs.r13;
    v->regs.r12 = c->user_regs.r12;
    v->regs.rbp = c->user_regs.rbp;
    v->regs.rbx = c->user_regs.rbx;
    v->regs.r11 = c->user_regs.r11;
    v->regs.r10 = c->user_regs.r10;
    v->regs.r9 = c->user_regs.r9;
    v->regs.r8 = c->user_regs.r8;
    v->regs.rax = c->user_regs.rax;
    v->regs.rcx = c->user_regs.rcx;
    v->regs.rdx = c->user_regs.rdx;
    v->regs.rsi = c->user_regs.rsi;
    v->regs.rdi = c->user_regs.rdi;
    v->regs.rip = c->user_regs.rip;
    v->regs.rsp = c->user_regs.rsp;
    v->regs.cs = cs;
    v->regs.ss = ss;
    /* Arithmetic flags, DF, AC, ID kept; IF on; IOPL is virtual. */
    v->regs.rflags = (c->user_regs.rflags & KEPT_FLAGS) | BIT(9) | BIT(1);
    v->iopl = (unsigned int)(c->user_regs.rflags >> 12) & 3;

    v->in_kernel = true;
    v->kernel_cr3 = kcr3 << PAGE_SHIFT;
    v->user_cr3 = ucr3 << PAGE_SHIFT;
    v->cr3 = v->kernel_cr3;
    for (i = 0; i < 256; i++) {
        v->trap_ctxt[i] = c->trap_ctxt[i];
        v->trap_ctxt[i].cs = FLAT_KERNEL_CS64;
    }
    v->event_callback = c->event_callback_eip;
    v->event_mask_on_entry = true;
    v->failsafe_callback = c->failsafe_callback_eip;
    v->failsafe_mask_on_entry = c->flags & VGCF_failsafe_disables_events;
    v->syscall_callback = c->syscall_callback_eip;
    v->syscall_mask_on_entry = c->flags & VGCF_syscall_disables_events;
    v->kernel_ss = c->kernel_ss ? kss : FLAT_KERNEL_SS64;
    v->kernel_sp = c->kernel_sp;
    v->seg.fs = c->fs_base;
    v->seg.gs_kernel = c->gs_base_kernel;
    v->seg.gs_user = c->gs_base_user;
    for (i = 0; i < 8; i++)
        v->debugreg[i] = 0;
    v->debugreg[6] = 0xffff0ff0ULL;
    v->debugreg[7] = 0x400;
    memcpy(v->gdt_frames, mfns, nr_gdt * sizeof(mfns[0]));
    v->gdt_ents = (unsigned int)c->gdt_ents;
    arch_pv_gdt_load(v, v->gdt_frames, nr_gdt);
    pv_emulate_vcpu_init(v);
    v->initialised = true;
    return 0;

put_gdt:
    while (i--)
        put_page_and_type(mfn_to_page(mfns[i]));
    return rc;
}
