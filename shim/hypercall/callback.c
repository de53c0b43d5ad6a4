/*
 * HYPERVISOR_set_callbacks and HYPERVISOR_callback_op (public callback.h):
 * where events, failsafe returns, system calls and NMIs enter the guest
 * kernel. 32-bit compat entries (syscall32, sysenter) are not offered:
 * xhv runs no compat user space, and Linux clears those features on
 * -EINVAL (docs/hypercalls.md).
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xen/callback.h>

static bool callback_addr_ok(uint64_t a)
{
    return a == 0 || guest_addr_ok(a);
}

static long register_callback(struct vcpu *v, const struct callback_register *cb)
{
    bool mask = cb->flags & CALLBACKF_mask_events;

    if (!callback_addr_ok(cb->address))
        return -XEN_EINVAL;
    switch (cb->type) {
    case CALLBACKTYPE_event:
        v->event_callback = cb->address;
        v->event_mask_on_entry = true;  /* events always bounce masked */
        return 0;
    case CALLBACKTYPE_failsafe:
        v->failsafe_callback = cb->address;
        v->failsafe_mask_on_entry = mask;
        return 0;
    case CALLBACKTYPE_syscall:
        v->syscall_callback = cb->address;
        v->syscall_mask_on_entry = mask;
        return 0;
    case CALLBACKTYPE_nmi:
        v->nmi_callback = cb->address;
        return 0;
    default:
        return -XEN_EINVAL;             /* syscall32, sysenter, unknown */
    }
}

long do_callback_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                    uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct callback_register reg;
    struct callback_unregister unreg;

    switch (cmd) {
    case CALLBACKOP_register:
        if (copy_from_guest(&reg, arg, sizeof(reg)))
            return -XEN_EFAULT;
        return register_callback(v, &reg);
    case CALLBACKOP_unregister:
        if (copy_from_guest(&unreg, arg, sizeof(unreg)))
            return -XEN_EFAULT;
        switch (unreg.type) {
        case CALLBACKTYPE_nmi:
            v->nmi_callback = 0;
            return 0;
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_syscall:
            return -XEN_EINVAL;         /* as Xen: these cannot be removed */
        default:
            return -XEN_EINVAL;
        }
    default:
        return -XEN_ENOSYS;
    }
}

long do_set_callbacks(struct vcpu *v, uint64_t event, uint64_t failsafe,
                      uint64_t syscall, uint64_t a4, uint64_t a5)
{
    if (!callback_addr_ok(event) || !callback_addr_ok(failsafe) ||
        !callback_addr_ok(syscall))
        return -XEN_EINVAL;
    v->event_callback = event;
    v->failsafe_callback = failsafe;
    v->syscall_callback = syscall;
    return 0;
}
