/*
 * Small CPU-state hypercalls of a 64-bit PV guest (public xen.h,
 * arch-x86/xen-x86_64.h): stack_switch, set_segment_base, fpu_taskswitch,
 * set_debugreg/get_debugreg and vm_assist.
 *
 * SEGBASE_GS_USER_SEL with a selector the CPU refuses: the null selector is
 * loaded and 0 returned (Xen's behaviour).
 *
 * set_debugreg error mapping (as Xen's set_debugreg): a breakpoint address
 * the guest may not name (non-canonical, or in the hypervisor hole) is
 * -EPERM; a bad register number or a DR7 enabling I/O breakpoints or the
 * GD bit is -EINVAL.
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/pv_arch.h>
#include <xhv/x86.h>

#define DR7_GD          BIT(13)
#define DR7_RW_IO       2u
#define DR7_ACTIVE_MASK 0xffu

long do_stack_switch(struct vcpu *v, uint64_t ss, uint64_t sp,
                     uint64_t a3, uint64_t a4, uint64_t a5)
{
    /* A ring-3 guest's kernel stack selector must have RPL 3. */
    v->kernel_ss = (ss & 0xffff) | 3;
    v->kernel_sp = sp;
    return 0;
}

/*
 * Only the register that changes is written (context switches make this
 * call often). A hypercall comes from guest-kernel mode, so MSR_GS_BASE
 * holds the kernel's GS base and MSR_KERNEL_GS_BASE the user's.
 */
long do_set_segment_base(struct vcpu *v, uint64_t which, uint64_t base,
                         uint64_t a3, uint64_t a4, uint64_t a5)
{
    bool canonical = is_canonical(base);

    switch (which) {
    case SEGBASE_FS:
        if (!canonical)
            return -XEN_EINVAL;
        v->seg.fs = base;
        arch_pv_write_segbase(v, PV_SEG_FS);
        return 0;
    case SEGBASE_GS_USER:
        if (!canonical)
            return -XEN_EINVAL;
        v->seg.gs_user = base;
        arch_pv_write_segbase(v, PV_SEG_GS_USER);
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!canonical)
            return -XEN_EINVAL;
        v->seg.gs_kernel = base;
        arch_pv_write_segbase(v, PV_SEG_GS_KERNEL);
        return 0;
    case SEGBASE_GS_USER_SEL:
        /*
         * Loading a selector sets the user GS base from its descriptor
         * (flat descriptors give 0, as on hardware). A selector the CPU
         * refuses loads the null selector instead and still succeeds, as
         * in Xen: Linux BUG()s on any error from this call. The load
         * happens with the user's base swapped in (arch), so the kernel's
         * GS base is untouched.
         */
        if (arch_pv_load_gs_sel((uint16_t)base))
            base = 0;
        v->seg.gs_sel_user = (uint16_t)base;
        v->seg.gs_user = 0;
        arch_pv_write_segbase(v, PV_SEG_GS_USER);
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

long do_fpu_taskswitch(struct vcpu *v, uint64_t set, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5)
{
    v->cr0_ts = set ? X86_CR0_TS : 0;
    arch_pv_set_ts(set != 0);
    return 0;
}

long do_set_debugreg(struct vcpu *v, uint64_t reg, uint64_t value,
                     uint64_t a3, uint64_t a4, uint64_t a5)
{
    unsigned int i;

    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!guest_range_ok(value, 1))
            return -XEN_EPERM;
        v->debugreg[reg] = value;
        break;
    case 6:
        v->debugreg[6] = (value & 0xffffffffULL) | 0xffff0ff0ULL;
        break;
    case 7:
        if (value >> 32)
            return -XEN_EINVAL;
        if (value & DR7_GD)
            return -XEN_EINVAL;
        for (i = 0; i < 4; i++)
            if ((value & (3u << (2 * i))) &&
                ((value >> (16 + 4 * i)) & 3) == DR7_RW_IO)
                return -XEN_EINVAL;
        v->debugreg[7] = value | 0x400;         /* bit 10 reads as 1 */
        break;
    default:
        return -XEN_EINVAL;
    }
    arch_pv_load_debugregs(v);
    return 0;
}

long do_get_debugreg(struct vcpu *v, uint64_t reg, uint64_t a2,
                     uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (reg > 7 || reg == 4 || reg == 5)
        return -XEN_EINVAL;
    return (long)v->debugreg[reg];
}

/* The vm_assist types a 64-bit PV guest may turn on (Xen's PV mask). */
#define PV_VM_ASSIST_MASK ((1UL << VMASST_TYPE_4gb_segments) |             \
                           (1UL << VMASST_TYPE_4gb_segments_notify) |      \
                           (1UL << VMASST_TYPE_writable_pagetables) |      \
                           (1UL << VMASST_TYPE_pae_extended_cr3) |         \
                           (1UL << VMASST_TYPE_architectural_iopl) |       \
                           (1UL << VMASST_TYPE_runstate_update_flag) |     \
                           (1UL << VMASST_TYPE_m2p_strict))

long do_vm_assist(struct vcpu *v, uint64_t cmd, uint64_t type,
                  uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (type >= 64 || !(PV_VM_ASSIST_MASK & (1UL << type)))
        return -XEN_EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        v->domain->vm_assist |= 1UL << type;
        return 0;
    case VMASST_CMD_disable:
        v->domain->vm_assist &= ~(1UL << type);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
