/*
 * sched_op (public sched.h; xhv: shim/hypercall/sched.c). Only
 * SCHEDOP_shutdown is implemented; poweroff is what ends this kernel
 * (main.c), so here only the refusals.
 *
 * Cases (expected outcome):
 *   sched/shutdown_<bad_ptr>           the sched_shutdown argument   -EFAULT
 *   sched/shutdown_reason_99           unknown reason                -EINVAL
 *   sched/shutdown_reason_max          reason 0xffffffff             -EINVAL
 *   sched/shutdown_suspend             not offered                   -ENOSYS
 *   sched/shutdown_soft_reset          not offered                   -ENOSYS
 *   sched/cmd_99, cmd_0x7fffffff       unknown                       -ENOSYS
 */

#include "hostile.h"
#include <xen/sched.h>

void test_sched(void)
{
    unsigned int i;

    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_sched_op(SCHEDOP_shutdown, bad_ptrs[i].va),
              -XEN_EFAULT, "sched/shutdown_%s", bad_ptrs[i].name);
    check(pvt_shutdown(99), -XEN_EINVAL, "sched/shutdown_reason_99");
    check(pvt_shutdown(0xffffffff), -XEN_EINVAL,
          "sched/shutdown_reason_max");
    check(pvt_shutdown(SHUTDOWN_suspend), -XEN_ENOSYS,
          "sched/shutdown_suspend");
    check(pvt_shutdown(SHUTDOWN_soft_reset), -XEN_ENOSYS,
          "sched/shutdown_soft_reset");
    check(HYPERVISOR_sched_op(99, 0), -XEN_ENOSYS, "sched/cmd_99");
    check(HYPERVISOR_sched_op(0x7fffffff, 0), -XEN_ENOSYS,
          "sched/cmd_0x7fffffff");
}
