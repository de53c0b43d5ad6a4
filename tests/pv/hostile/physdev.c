/*
 * physdev_op (public physdev.h; xhv: shim/hypercall/physdev.c). A domU
 * without devices: only set_iopl; the rest is -ENOSYS
 * (docs/hypercalls.md).
 *
 * Cases (expected outcome):
 *   physdev/set_iopl_4                 iopl 4                        -EINVAL
 *   physdev/set_iopl_max               iopl 0xffffffff               -EINVAL
 *   physdev/set_iopl_<bad_ptr>         the argument                  -EFAULT
 *   physdev/set_iopl_3, _0, _1         accepted, 1 left (as Linux)   0
 *   physdev/cmd_99, cmd_0xffffffff     unknown                       -ENOSYS
 *   physdev/eoi                        PHYSDEVOP_eoi: dom0 business  -ENOSYS
 */

#include "hostile.h"
#include <xen/physdev.h>

static long iopl(unsigned int level)
{
    struct physdev_set_iopl s = { .iopl = level };

    return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &s);
}

void test_physdev(void)
{
    struct physdev_eoi eoi = { .irq = 1 };
    unsigned int i;

    check(iopl(4), -XEN_EINVAL, "physdev/set_iopl_4");
    check(iopl(0xffffffff), -XEN_EINVAL, "physdev/set_iopl_max");
    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, bad_ptrs[i].va),
              -XEN_EFAULT, "physdev/set_iopl_%s", bad_ptrs[i].name);
    check(iopl(3), 0, "physdev/set_iopl_3");
    check(iopl(0), 0, "physdev/set_iopl_0");
    check(iopl(1), 0, "physdev/set_iopl_1");
    check(HYPERVISOR_physdev_op(99, &eoi), -XEN_ENOSYS, "physdev/cmd_99");
    check(HYPERVISOR_physdev_op(0xffffffffUL, &eoi), -XEN_ENOSYS,
          "physdev/cmd_0xffffffff");
    check(HYPERVISOR_physdev_op(PHYSDEVOP_eoi, &eoi), -XEN_ENOSYS,
          "physdev/eoi");
}
