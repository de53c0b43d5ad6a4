/*
 * The hypercall table: number -> handler. Empty slots answer -XEN_ENOSYS;
 * every call, answered or not, is counted in the census.
 */
#include <xhv/hypercall.h>

static const hypercall_fn_t hypercall_table[XHV_NR_HYPERCALLS] = {
    [__HYPERVISOR_console_io] = do_console_io,
    [__HYPERVISOR_xen_version] = do_xen_version,
    [__HYPERVISOR_sched_op] = do_sched_op,
};

#define HAS_SUBOP(name, sub) [__HYPERVISOR_##name] = sub,
static const uint8_t hypercall_has_subop[XHV_NR_HYPERCALLS] = {
    XHV_HYPERCALL_LIST(HAS_SUBOP)
};
#undef HAS_SUBOP

void do_hypercall(struct vcpu *v, struct cpu_regs *r)
{
    uint64_t nr = r->rax;
    long rc = -XEN_ENOSYS;

    if (nr < XHV_NR_HYPERCALLS && hypercall_table[nr])
        rc = hypercall_table[nr](v, r->rdi, r->rsi, r->rdx, r->r10, r->r8);
    census_record(nr < XHV_NR_HYPERCALLS ? (unsigned int)nr
                                         : XHV_NR_HYPERCALLS,
                  nr < XHV_NR_HYPERCALLS && hypercall_has_subop[nr],
                  r->rdi, rc);
    r->rax = (uint64_t)rc;
}
