/*
 * HYPERVISOR_grant_table_op (public grant_table.h) for the PV domU, as
 * Xen's do_grant_table_op answers it (xen/common/grant_table.c); the table
 * and its rules are shim/grant_table.c.
 *
 * The call's own result is 0, or a negative XEN_E* when the call as a
 * whole is refused: unknown or unimplemented command -ENOSYS, count above
 * GNTTAB_MAX_BATCH -EINVAL (one-struct commands: count != 1 -EINVAL), the
 * argument array unreadable -EFAULT. Per-entry failures go in each
 * struct's status field as GNTST_*.
 *
 * Which domain `dom` names (rcu_lock_domain_by_any_id + XSM in Xen):
 *   DOMID_SELF, the guest's own id  the guest
 *   0 (the shim as dom0)            GNTST_permission_denied / -EPERM
 *                                   (Xen's XSM refuses a domU dom0's table)
 *   anything else                   GNTST_bad_domain / -ESRCH
 *
 * Commands:
 *   setup_table, query_size         implemented (frames are machine frames)
 *   set_version                     1: 0; 2: -ENOSYS, as Xen with grant v2
 *                                   disabled (Linux then stays on v1, and
 *                                   asks for v2 only if CPUID 0x40000005
 *                                   EBX reports more than 44 address bits);
 *                                   other: -EINVAL. The version in effect
 *                                   (1) is written back every time.
 *   get_version                     implemented
 *   get_status_frames               v1 has none: nr_frames > 0 gives
 *                                   GNTST_general_error, as Xen
 *   copy                            gmfn of DOMID_SELF or the guest's own
 *                                   grants (see gnttab_copy_one)
 *   swap_grant_ref                  implemented
 *   map_grant_ref, unmap_grant_ref, -ENOSYS: a domU of xhv maps no grants
 *   unmap_and_replace               (its backends are the shim's)
 *   transfer                        -ENOSYS: page transfer not offered
 *   dump_table, cache_flush         -ENOSYS, as Xen on x86
 * xhv creates no continuations: the whole of cmd is the command (Xen's
 * continuation bits make an unknown command here), and count is not
 * truncated to 32 bits.
 */
#include <xhv/grant.h>
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/log.h>

#define VERSION_IN_EFFECT   1

/* The domain `dom` names, as a GNTST_* status (see the top). */
static int16_t lookup_dom(const struct domain *d, domid_t dom)
{
    if (dom == DOMID_SELF || dom == d->domid)
        return GNTST_okay;
    if (dom == GNTTAB_BACKEND_DOMID)
        return GNTST_permission_denied;
    return GNTST_bad_domain;
}

static long put_status(uint64_t va, int16_t status)
{
    return copy_to_guest(va, &status, sizeof(status)) ? -XEN_EFAULT : 0;
}

static long setup_table(struct domain *d, uint64_t uop, uint64_t count)
{
    struct gnttab_setup_table op;
    uint64_t list;
    unsigned int i;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    list = (uint64_t)op.frame_list.p;
    if (!guest_range_ok(list, (uint64_t)op.nr_frames * sizeof(xen_pfn_t)))
        return -XEN_EFAULT;

    op.status = lookup_dom(d, op.dom);
    if (op.status != GNTST_okay)
        goto out;
    if (op.nr_frames > GNTTAB_MAX_FRAMES) {
        printk(XLOG_G_INFO "gnttab: d%u is limited to %u grant frames\n",
               d->domid, GNTTAB_MAX_FRAMES);
        op.status = GNTST_general_error;
        goto out;
    }
    if (op.nr_frames > gnttab_nr_frames(d) && gnttab_grow(d, op.nr_frames)) {
        op.status = GNTST_general_error;
        goto out;
    }
    /* Invariant: frames [0, i) written to the guest's list. */
    for (i = 0; i < op.nr_frames; i++) {
        xen_pfn_t mfn = gnttab_frame_mfn(d, i);

        if (copy_to_guest(list + i * sizeof(mfn), &mfn, sizeof(mfn))) {
            op.status = GNTST_bad_virt_addr;
            break;
        }
    }
out:
    return put_status(uop + offsetof(struct gnttab_setup_table, status),
                      op.status);
}

static long query_size(struct domain *d, uint64_t uop, uint64_t count)
{
    struct gnttab_query_size op;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    op.status = lookup_dom(d, op.dom);
    if (op.status == GNTST_okay) {
        op.nr_frames = gnttab_nr_frames(d);
        op.max_nr_frames = GNTTAB_MAX_FRAMES;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

static long set_version(uint64_t uop)
{
    struct gnttab_set_version op;
    long rc;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (op.version == 1)
        rc = 0;
    else if (op.version == 2)
        rc = -XEN_ENOSYS;           /* Xen: max_version 1 */
    else
        rc = -XEN_EINVAL;
    op.version = VERSION_IN_EFFECT;
    if (copy_to_guest(uop, &op, sizeof(op)))
        rc = -XEN_EFAULT;
    return rc;
}

static long get_version(struct domain *d, uint64_t uop)
{
    struct gnttab_get_version op;
    uint32_t version = VERSION_IN_EFFECT;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    switch (lookup_dom(d, op.dom)) {
    case GNTST_okay:
        break;
    case GNTST_permission_denied:
        return -XEN_EPERM;
    default:
        return -XEN_ESRCH;
    }
    return copy_to_guest(uop + offsetof(struct gnttab_get_version, version),
                         &version, sizeof(version)) ? -XEN_EFAULT : 0;
}

static long get_status_frames(struct domain *d, uint64_t uop, uint64_t count)
{
    struct gnttab_get_status_frames op;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!guest_range_ok((uint64_t)op.frame_list.p,
                        (uint64_t)op.nr_frames * sizeof(uint64_t)))
        return -XEN_EFAULT;
    op.status = lookup_dom(d, op.dom);
    /* Version 1 has no status frames. */
    if (op.status == GNTST_okay && op.nr_frames)
        op.status = GNTST_general_error;
    return put_status(uop + offsetof(struct gnttab_get_status_frames, status),
                      op.status);
}

static long copy_ops(struct domain *d, uint64_t uop, uint64_t count)
{
    struct gnttab_copy op;
    uint64_t i;

    if (!guest_range_ok(uop, count * sizeof(op)))
        return -XEN_EFAULT;
    /* Invariant: ops [0, i) done and their status written. */
    for (i = 0; i < count; i++) {
        uint64_t va = uop + i * sizeof(op);

        if (copy_from_guest(&op, va, sizeof(op)))
            return -XEN_EFAULT;
        if (put_status(va + offsetof(struct gnttab_copy, status),
                       gnttab_copy_one(d, &op)))
            return -XEN_EFAULT;
    }
    return 0;
}

static long swap_ops(struct domain *d, uint64_t uop, uint64_t count)
{
    struct gnttab_swap_grant_ref op;
    uint64_t i;

    if (!guest_range_ok(uop, count * sizeof(op)))
        return -XEN_EFAULT;
    /* Invariant: ops [0, i) done and their status written. */
    for (i = 0; i < count; i++) {
        uint64_t va = uop + i * sizeof(op);

        if (copy_from_guest(&op, va, sizeof(op)))
            return -XEN_EFAULT;
        if (put_status(va + offsetof(struct gnttab_swap_grant_ref, status),
                       gnttab_swap(d, op.ref_a, op.ref_b)))
            return -XEN_EFAULT;
    }
    return 0;
}

long do_grant_table_op(struct vcpu *v, uint64_t cmd, uint64_t uop,
                       uint64_t count, uint64_t a4, uint64_t a5)
{
    struct domain *d = v->domain;

    if (!gnttab_ready(d))
        return -XEN_ENOSYS;             /* no table built: as if absent */
    if (count > GNTTAB_MAX_BATCH)
        return -XEN_EINVAL;

    switch (cmd) {
    case GNTTABOP_setup_table:
        return setup_table(d, uop, count);
    case GNTTABOP_query_size:
        return query_size(d, uop, count);
    case GNTTABOP_set_version:
        return set_version(uop);
    case GNTTABOP_get_version:
        return get_version(d, uop);
    case GNTTABOP_get_status_frames:
        return get_status_frames(d, uop, count);
    case GNTTABOP_copy:
        return copy_ops(d, uop, count);
    case GNTTABOP_swap_grant_ref:
        return swap_ops(d, uop, count);
    default:
        return -XEN_ENOSYS;
    }
}
