/*
 * HYPERVISOR_set_trap_table (public arch-x86/xen.h, struct trap_info):
 * the guest's virtual IDT. Entries are read until one with address 0;
 * NULL clears the table. Validation first: every entry is checked before
 * any is installed, so a bad list changes nothing.
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/string.h>

long do_set_trap_table(struct vcpu *v, uint64_t traps, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5)
{
    static struct trap_info table[256];
    struct trap_info ti;
    unsigned int i;

    if (!traps) {
        memset(v->trap_ctxt, 0, sizeof(v->trap_ctxt));
        return 0;
    }
    memcpy(table, v->trap_ctxt, sizeof(table));
    /* Invariant: entries [0, i) of the list are valid and staged. */
    for (i = 0; ; i++) {
        if (i >= 256 * 4)               /* a list longer than this is junk */
            return -XEN_EINVAL;
        if (copy_from_guest(&ti, traps + (uint64_t)i * sizeof(ti),
                            sizeof(ti)))
            return -XEN_EFAULT;
        if (ti.address == 0)
            break;
        if (!guest_addr_ok(ti.address))
            return -XEN_EINVAL;
        /* The guest kernel's code selector is the only one it may name. */
        ti.cs = FLAT_KERNEL_CS64;
        table[ti.vector] = ti;
    }
    memcpy(v->trap_ctxt, table, sizeof(table));
    return 0;
}
