/*
 * The hypercall table: number -> handler. Empty slots answer -XEN_ENOSYS;
 * every call, answered or not, is counted in the census. iret is special:
 * it rewrites the guest's whole register frame, so it is dispatched with
 * the frame and never from a multicall.
 */
#include <xhv/hypercall.h>
#include <xhv/pv.h>
#include <xhv/grant.h>

static const hypercall_fn_t hypercall_table[XHV_NR_HYPERCALLS] = {
    [__HYPERVISOR_set_trap_table] = do_set_trap_table,
    [__HYPERVISOR_stack_switch] = do_stack_switch,
    [__HYPERVISOR_set_callbacks] = do_set_callbacks,
    [__HYPERVISOR_fpu_taskswitch] = do_fpu_taskswitch,
    [__HYPERVISOR_set_debugreg] = do_set_debugreg,
    [__HYPERVISOR_get_debugreg] = do_get_debugreg,
    [__HYPERVISOR_memory_op] = do_memory_op,
    [__HYPERVISOR_multicall] = do_multicall,
    [__HYPERVISOR_xen_version] = do_xen_version,
    [__HYPERVISOR_console_io] = do_console_io,
    [__HYPERVISOR_vm_assist] = do_vm_assist,
    [__HYPERVISOR_vcpu_op] = do_vcpu_op,
    [__HYPERVISOR_set_segment_base] = do_set_segment_base,
    [__HYPERVISOR_sched_op] = do_sched_op,
    [__HYPERVISOR_callback_op] = do_callback_op,
    [__HYPERVISOR_physdev_op] = do_physdev_op,
    [__HYPERVISOR_set_timer_op] = do_set_timer_op,
    [__HYPERVISOR_event_channel_op] = do_event_channel_op,
    [__HYPERVISOR_grant_table_op] = do_grant_table_op,
    [__HYPERVISOR_mmu_update] = do_mmu_update,
    [__HYPERVISOR_update_va_mapping] = do_update_va_mapping,
    [__HYPERVISOR_update_va_mapping_otherdomain] =
        do_update_va_mapping_otherdomain,
    [__HYPERVISOR_mmuext_op] = do_mmuext_op,
    [__HYPERVISOR_set_gdt] = do_set_gdt,
    [__HYPERVISOR_update_descriptor] = do_update_descriptor,
};

/*
 * Families that change the domain's memory state (page types and counts,
 * page tables, grants, descriptor pages) or use a shared buffer run under
 * d->lock (include/xhv/domain.h). None of them blocks. A multicall takes
 * the lock per entry, through this same dispatcher.
 */
static const bool takes_domain_lock[XHV_NR_HYPERCALLS] = {
    [__HYPERVISOR_set_trap_table] = true,
    [__HYPERVISOR_memory_op] = true,
    [__HYPERVISOR_grant_table_op] = true,
    [__HYPERVISOR_mmu_update] = true,
    [__HYPERVISOR_update_va_mapping] = true,
    [__HYPERVISOR_update_va_mapping_otherdomain] = true,
    [__HYPERVISOR_mmuext_op] = true,
    [__HYPERVISOR_set_gdt] = true,
    [__HYPERVISOR_update_descriptor] = true,
};

#define HAS_SUBOP(name, sub) [__HYPERVISOR_##name] = sub,
static const uint8_t hypercall_has_subop[XHV_NR_HYPERCALLS] = {
    XHV_HYPERCALL_LIST(HAS_SUBOP)
};
#undef HAS_SUBOP

static void count(uint64_t nr, uint64_t a1, long rc)
{
    census_record(nr < XHV_NR_HYPERCALLS ? (unsigned int)nr
                                         : XHV_NR_HYPERCALLS,
                  nr < XHV_NR_HYPERCALLS && hypercall_has_subop[nr], a1, rc);
}

long hypercall_dispatch(struct vcpu *v, uint64_t nr, uint64_t a1,
                        uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    long rc = -XEN_ENOSYS;

    if (nr < XHV_NR_HYPERCALLS && hypercall_table[nr]) {
        if (takes_domain_lock[nr]) {
            spin_lock(&v->domain->lock);
            rc = hypercall_table[nr](v, a1, a2, a3, a4, a5);
            spin_unlock(&v->domain->lock);
        } else {
            rc = hypercall_table[nr](v, a1, a2, a3, a4, a5);
        }
    }
    count(nr, a1, rc);
    return rc;
}

void do_hypercall(struct vcpu *v, struct cpu_regs *r)
{
    long rc;

    if (r->rax == __HYPERVISOR_iret) {
        rc = do_iret(v, r);
        count(__HYPERVISOR_iret, 0, rc);
    } else {
        rc = hypercall_dispatch(v, r->rax, r->rdi, r->rsi, r->rdx, r->r10,
                                r->r8);
    }
    r->rax = (uint64_t)rc;
}
