/*
 * HYPERVISOR_vcpu_op (public vcpu.h): what a PV domU uses at boot.
 *
 *  is_up                       1 for an online vCPU, -ENOENT for a vCPU
 *                              the domain does not have (Linux probes all
 *                              8192 possible ones).
 *  register_runstate_memory_area  the guest VA where the shim keeps the
 *                              vCPU's runstate; written at once.
 *  register_vcpu_info          move vcpu_info into a guest frame: the
 *                              frame must be the guest's own and typeable
 *                              writable (never a page table), the structure
 *                              must not cross the page; the old contents
 *                              are copied and every event marked pending,
 *                              as Xen does. Only once per vCPU.
 *  get_runstate_info, register_vcpu_time_memory_area
 *  set/stop_singleshot_timer   VIRQ_TIMER at an absolute system time
 *                              (VCPU_SSHOTTMR_future: -ETIME if past)
 *  set/stop_periodic_timer     period >= 1 ms; on another vCPU too (its
 *                              CPU applies the change, shim/vtimer.c)
 *  initialise                  a first context for a vCPU that never ran
 *                              (shim/hypercall/vcpu_context.c has the
 *                              checks); under d->lock
 *  up                          start it on its CPU: -EINVAL without a
 *                              context; 0 if already up
 *  down                        on itself: the vCPU stops here and resumes
 *                              after the hypercall (returning 0) when up
 *                              again; on another vCPU: it stops at its next
 *                              entry into the shim (kicked at once)
 * Runstate of another vCPU is read (a copy that may be torn while that
 * vCPU changes state), never brought up to date, from here: only a vCPU's
 * own CPU writes its accounting.
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/mm.h>
#include <xhv/paging.h>
#include <xhv/parent.h>
#include <xhv/string.h>
#include <xen/vcpu.h>
#include <xhv/vtimer.h>

/* Called with d->lock held (the frame's type reference). */
static long register_vcpu_info(struct domain *d, struct vcpu *t,
                               const struct vcpu_register_vcpu_info *ip)
{
    struct vcpu_register_vcpu_info info = *ip;
    struct page_info *pg;
    vcpu_info_t *new;

    if (info.offset > PAGE_SIZE - sizeof(vcpu_info_t) ||
        (info.offset & 7) || info.rsvd)
        return -XEN_EINVAL;
    if (t->vcpu_info != &d->shared_info->vcpu_info[t->vcpu_id])
        return -XEN_EINVAL;         /* already moved: Xen refuses too */
    /*
     * The frame must be the guest's and an ordinary writable page — not
     * a page table or descriptor page, which the shim would otherwise
     * write into. The type reference is kept as long as vcpu_info lives
     * there, so the frame can never become a table meanwhile.
     */
    pg = mfn_to_page(info.mfn);
    if (!pg || get_page_and_type(pg, d, PGT_writable_page))
        return -XEN_EINVAL;
    new = (vcpu_info_t *)((uint8_t *)phys_to_virt(info.mfn << PAGE_SHIFT)
                          + info.offset);
    memcpy(new, t->vcpu_info, sizeof(*new));
    new->evtchn_pending_sel = ~0UL;
    new->evtchn_upcall_pending = 1;
    t->vcpu_info = new;
    return 0;
}

long do_vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid,
                uint64_t arg, uint64_t a4, uint64_t a5)
{
    struct domain *d = v->domain;
    struct vcpu *t;

    if (vcpuid >= d->nr_vcpus)
        return -XEN_ENOENT;
    t = &d->vcpus[vcpuid];

    switch (cmd) {
    case VCPUOP_is_up:
        return __atomic_load_n(&t->is_up, __ATOMIC_SEQ_CST) ? 1 : 0;
    case VCPUOP_initialise: {
        long rc;

        spin_lock(&d->lock);
        rc = vcpu_initialise(d, t, arg);
        spin_unlock(&d->lock);
        return rc;
    }
    case VCPUOP_up:
        return vcpu_up(t);
    case VCPUOP_down:
        __atomic_store_n(&t->is_up, false, __ATOMIC_SEQ_CST);
        if (t == v) {
            vcpu_set_hypercall_result(0);
            vcpu_down_self(v);
        }
        vcpu_kick(t);
        return 0;

    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area area;

        if (copy_from_guest(&area, arg, sizeof(area)))
            return -XEN_EFAULT;
        if (!guest_range_ok(area.addr.p, sizeof(struct vcpu_runstate_info)))
            return -XEN_EINVAL;
        t->runstate_guest_va = area.addr.p;
        runstate_change(t, t->runstate.state);  /* brings times up to now */
        return 0;
    }

    case VCPUOP_get_runstate_info: {
        runstate_change(t, t->runstate.state);
        return copy_to_guest(arg, &t->runstate, sizeof(t->runstate));
    }

    case VCPUOP_register_vcpu_time_memory_area: {
        struct vcpu_register_time_memory_area area;

        if (copy_from_guest(&area, arg, sizeof(area)))
            return -XEN_EFAULT;
        if (area.addr.p &&
            !guest_range_ok(area.addr.p, sizeof(struct vcpu_time_info)))
            return -XEN_EINVAL;
        t->time_guest_va = area.addr.p;
        if (t->time_guest_va &&
            copy_to_guest(t->time_guest_va, &t->vcpu_info->time,
                          sizeof(t->vcpu_info->time)))
            return -XEN_EFAULT;
        return 0;
    }

    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer st;

        if (t != v)
            return -XEN_EINVAL;         /* only on oneself, as Xen */
        if (copy_from_guest(&st, arg, sizeof(st)))
            return -XEN_EFAULT;
        return vtimer_set_singleshot(t, st.timeout_abs_ns,
                                     st.flags & VCPU_SSHOTTMR_future);
    }

    case VCPUOP_stop_singleshot_timer:
        if (t != v)
            return -XEN_EINVAL;
        vtimer_stop_singleshot(t);
        return 0;

    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer pt;

        if (copy_from_guest(&pt, arg, sizeof(pt)))
            return -XEN_EFAULT;
        return vtimer_set_periodic(t, pt.period_ns);
    }

    case VCPUOP_stop_periodic_timer:
        vtimer_stop_periodic(t);
        return 0;

    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info info;
        long rc;

        if (copy_from_guest(&info, arg, sizeof(info)))
            return -XEN_EFAULT;
        spin_lock(&d->lock);
        rc = register_vcpu_info(d, t, &info);
        spin_unlock(&d->lock);
        return rc;
    }
    default:
        return -XEN_ENOSYS;
    }
}
