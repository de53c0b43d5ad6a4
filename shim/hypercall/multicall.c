/*
 * HYPERVISOR_multicall (public xen.h, struct multicall_entry): a batch of
 * hypercalls, each result written back into its entry. Every entry counts
 * in the census as the hypercall it is. Not allowed inside a batch: iret
 * (it rewrites the very frame the batch returns through) and multicall
 * itself; such entries get -EINVAL and the batch goes on, as in Xen. A
 * batch stops early if the domain is shutting down or an entry cannot be
 * read or written back (then the hypercall answers -EFAULT).
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>

#define MULTICALL_MAX 4096      /* longer batches: -EINVAL */

long do_multicall(struct vcpu *v, uint64_t list, uint64_t nr,
                  uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct multicall_entry e;
    uint64_t i;

    if (nr > MULTICALL_MAX)
        return -XEN_EINVAL;
    /* Invariant: entries [0, i) have run and have their results. */
    for (i = 0; i < nr; i++) {
        uint64_t at = list + i * sizeof(e);

        if (copy_from_guest(&e, at, sizeof(e)))
            return -XEN_EFAULT;
        if (e.op == __HYPERVISOR_iret || e.op == __HYPERVISOR_multicall)
            e.result = (xen_ulong_t)-XEN_EINVAL;
        else
            e.result = (xen_ulong_t)hypercall_dispatch(v, e.op, e.args[0],
                                                       e.args[1], e.args[2],
                                                       e.args[3], e.args[4]);
        if (copy_to_guest(at + offsetof(struct multicall_entry, result),
                          &e.result, sizeof(e.result)))
            return -XEN_EFAULT;
        if (v->domain->is_shutting_down)
            break;
    }
    return 0;
}
