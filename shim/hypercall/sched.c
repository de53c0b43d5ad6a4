/*
 * HYPERVISOR_sched_op (public sched.h). So far only SCHEDOP_shutdown:
 * poweroff, reboot and crash end the domain (and with it the VM, see
 * docs/boot.md); suspend and soft_reset are not offered (-ENOSYS). Block,
 * yield and poll come with the events/time issue.
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xen/sched.h>

long do_sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                 uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct sched_shutdown s;

    switch (cmd) {
    case SCHEDOP_shutdown:
        if (copy_from_guest(&s, arg, sizeof(s)))
            return -XEN_EFAULT;
        switch (s.reason) {
        case SHUTDOWN_poweroff:
        case SHUTDOWN_reboot:
        case SHUTDOWN_crash:
        case SHUTDOWN_watchdog:
            domain_shutdown(v->domain, s.reason);
            return 0;
        case SHUTDOWN_suspend:
        case SHUTDOWN_soft_reset:
            return -XEN_ENOSYS;
        default:
            return -XEN_EINVAL;
        }
    default:
        return -XEN_ENOSYS;
    }
}
