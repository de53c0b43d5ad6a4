/*
 * callback_op and set_callbacks (public callback.h, xen.h; xhv:
 * shim/hypercall/callback.c). xhv refuses (-EINVAL) callback addresses a
 * bounce could not run: non-canonical or in the hypervisor hole (Xen
 * stores any address; docs/hypercalls.md documents xhv's check). No
 * compat entries: syscall32 and sysenter are -EINVAL. Events stay masked,
 * so the event callback registered here is never entered.
 *
 * Cases (expected outcome):
 *   callback/register_event_good       event, mask_events            0
 *   callback/register_failsafe_good                                  0
 *   callback/register_syscall_good                                   0
 *   callback/register_nmi_good                                       0
 *   callback/unregister_nmi                                          0
 *   callback/register_type_99          unknown type                  -EINVAL
 *   callback/register_type_max         type 0xffffffff               -EINVAL
 *   callback/register_syscall32        no compat user space          -EINVAL
 *   callback/register_sysenter                                       -EINVAL
 *   callback/register_event_noncanonical  address 2^47               -EINVAL
 *   callback/register_event_hole_start    HYPERVISOR_VIRT_START      -EINVAL
 *   callback/register_event_hole_shim     the shim's text            -EINVAL
 *   callback/register_failsafe_hole_last  HYPERVISOR_VIRT_END - 1    -EINVAL
 *   callback/register_<bad_ptr>        the argument itself at NULL,
 *                                      unmapped, non-canonical, in
 *                                      the hole                      -EFAULT
 *   callback/unregister_event          as Xen: cannot be removed     -EINVAL
 *   callback/unregister_failsafe                                     -EINVAL
 *   callback/unregister_syscall                                      -EINVAL
 *   callback/unregister_type_99                                      -EINVAL
 *   callback/unregister_<bad_ptr>                                    -EFAULT
 *   callback/cmd_<n>                   2, 99, 0xffffffff             -ENOSYS
 *   callback/set_callbacks_event_hole      event in the hole         -EINVAL
 *   callback/set_callbacks_failsafe_hole   failsafe in the hole      -EINVAL
 *   callback/set_callbacks_syscall_noncanonical                      -EINVAL
 *   callback/set_callbacks_good        three good addresses          0
 */

#include "hostile.h"
#include <xen/callback.h>

/* Never entered (events stay masked); if it is, that is an ERROR. */
static void stray_callback(void)
{
    pvt_crash("a callback registered by callback.c was entered");
}

static long reg(unsigned int type, unsigned int flags, unsigned long addr)
{
    struct callback_register cb = {
        .type = (uint16_t)type, .flags = (uint16_t)flags, .address = addr,
    };

    /* type is a uint16_t: bigger ones are put in by hand below. */
    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

static long unreg(unsigned int type)
{
    struct callback_unregister cb = { .type = (uint16_t)type };

    return HYPERVISOR_callback_op(CALLBACKOP_unregister, &cb);
}

void test_callback(void)
{
    unsigned long good = (unsigned long)stray_callback;
    struct callback_register raw;
    unsigned int i;

    check(reg(CALLBACKTYPE_event, CALLBACKF_mask_events, good), 0,
          "callback/register_event_good");
    check(reg(CALLBACKTYPE_failsafe, CALLBACKF_mask_events, good), 0,
          "callback/register_failsafe_good");
    check(reg(CALLBACKTYPE_syscall, CALLBACKF_mask_events, good), 0,
          "callback/register_syscall_good");
    check(reg(CALLBACKTYPE_nmi, 0, good), 0, "callback/register_nmi_good");
    check(unreg(CALLBACKTYPE_nmi), 0, "callback/unregister_nmi");

    check(reg(99, 0, good), -XEN_EINVAL, "callback/register_type_99");
    memset(&raw, 0xff, sizeof(raw));    /* type 0xffff, every flag */
    raw.address = good;
    check(HYPERVISOR_callback_op(CALLBACKOP_register, &raw), -XEN_EINVAL,
          "callback/register_type_max");
    check(reg(CALLBACKTYPE_syscall32, 0, good), -XEN_EINVAL,
          "callback/register_syscall32");
    check(reg(CALLBACKTYPE_sysenter, 0, good), -XEN_EINVAL,
          "callback/register_sysenter");

    check(reg(CALLBACKTYPE_event, 0, VA_NONCANON), -XEN_EINVAL,
          "callback/register_event_noncanonical");
    check(reg(CALLBACKTYPE_event, 0, HYPERVISOR_VIRT_START), -XEN_EINVAL,
          "callback/register_event_hole_start");
    check(reg(CALLBACKTYPE_event, 0, VA_HOLE_SHIM), -XEN_EINVAL,
          "callback/register_event_hole_shim");
    check(reg(CALLBACKTYPE_failsafe, 0, HYPERVISOR_VIRT_END - 1),
          -XEN_EINVAL, "callback/register_failsafe_hole_last");
    check(reg(CALLBACKTYPE_syscall, 0, VA_HOLE_DMAP), -XEN_EINVAL,
          "callback/register_syscall_hole_directmap");

    for (i = 0; i < nr_bad_ptrs; i++) {
        check(HYPERVISOR_callback_op(CALLBACKOP_register, bad_ptrs[i].va),
              -XEN_EFAULT, "callback/register_%s", bad_ptrs[i].name);
        check(HYPERVISOR_callback_op(CALLBACKOP_unregister, bad_ptrs[i].va),
              -XEN_EFAULT, "callback/unregister_%s", bad_ptrs[i].name);
    }

    check(unreg(CALLBACKTYPE_event), -XEN_EINVAL,
          "callback/unregister_event");
    check(unreg(CALLBACKTYPE_failsafe), -XEN_EINVAL,
          "callback/unregister_failsafe");
    check(unreg(CALLBACKTYPE_syscall), -XEN_EINVAL,
          "callback/unregister_syscall");
    check(unreg(99), -XEN_EINVAL, "callback/unregister_type_99");

    check(HYPERVISOR_callback_op(2, &raw), -XEN_ENOSYS, "callback/cmd_2");
    check(HYPERVISOR_callback_op(99, &raw), -XEN_ENOSYS, "callback/cmd_99");
    check(HYPERVISOR_callback_op(0xffffffffUL, &raw), -XEN_ENOSYS,
          "callback/cmd_0xffffffff");

    check(HYPERVISOR_set_callbacks(VA_HOLE_SHIM, good, good), -XEN_EINVAL,
          "callback/set_callbacks_event_hole");
    check(HYPERVISOR_set_callbacks(good, HYPERVISOR_VIRT_START, good),
          -XEN_EINVAL, "callback/set_callbacks_failsafe_hole");
    check(HYPERVISOR_set_callbacks(good, good, VA_NONCANON_HI), -XEN_EINVAL,
          "callback/set_callbacks_syscall_noncanonical");
    check(HYPERVISOR_set_callbacks(good, good, good), 0,
          "callback/set_callbacks_good");
}
