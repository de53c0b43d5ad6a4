/*
 * HYPERVISOR_physdev_op (public physdev.h) for a domU without devices:
 * only the virtual IOPL, which decides whether the guest kernel's port
 * I/O is emulated (reads ~0, writes dropped) or faults. Everything else
 * (pirqs, MSI, PCI, IRQ status) belongs to a dom0 with hardware: -ENOSYS,
 * which Linux tolerates (linux-pv-boot.md §3C.3).
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xen/physdev.h>

long do_physdev_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                   uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct physdev_set_iopl iopl;

    switch (cmd) {
    case PHYSDEVOP_set_iopl:
        if (copy_from_guest(&iopl, arg, sizeof(iopl)))
            return -XEN_EFAULT;
        if (iopl.iopl > 3)
            return -XEN_EINVAL;
        v->iopl = iopl.iopl;
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
