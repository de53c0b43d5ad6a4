/*
 * Port I/O from the guest kernel (in/out, imm8 and %dx forms).
 *
 * Permission is Xen's iopl_ok(): the guest kernel counts as CPL 1 (CPL 0
 * with VMASST_TYPE_architectural_iopl), guest user space as CPL 3; the
 * access is allowed when that CPL <= the virtual IOPL the guest set with
 * PHYSDEVOP_set_iopl (Linux asks for 1). Otherwise #GP(0). xhv has no I/O
 * bitmap (PHYSDEVOP_set_iobitmap), so nothing else is ever allowed.
 *
 * Allowed accesses never reach a real port: this guest is a domU with no
 * devices behind ports. Reads return all ones, writes are dropped, except
 * PCI CONFIG_ADDRESS (0xcf8, 32-bit only), which Xen emulates for every PV
 * domain as a latch: a 32-bit write is kept and read back. CONFIG_DATA
 * (0xcfc-0xcff) then reads all ones, so a conf1 probe finds no devices.
 *
 * State: the latch is per domain; xhv has one domain, so it is a static.
 */
#include <xhv/emulate.h>

#include "emul.h"

#define PCI_CONFIG_ADDRESS 0xcf8

static uint32_t pci_cf8;

void emul_io_reset(void)
{
    pci_cf8 = 0;
}

static bool iopl_ok(const struct vcpu *v)
{
    unsigned int cpl;

    if (!v->in_kernel)
        cpl = 3;
    else if (v->domain->vm_assist & (1UL << VMASST_TYPE_architectural_iopl))
        cpl = 0;
    else
        cpl = 1;
    return cpl <= v->iopl;
}

enum pv_emul emul_io_in(struct vcpu *v, unsigned int port,
                        unsigned int bytes, uint32_t *val,
                        struct pv_exc *exc)
{
    if (!iopl_ok(v))
        return emul_gp0(exc);
    if (port == PCI_CONFIG_ADDRESS && bytes == 4)
        *val = pci_cf8;
    else
        *val = bytes == 4 ? 0xffffffffu : (1u << (bytes * 8)) - 1;
    return PV_EMUL_DONE;
}

enum pv_emul emul_io_out(struct vcpu *v, unsigned int port,
                         unsigned int bytes, uint32_t val,
                         struct pv_exc *exc)
{
    if (!iopl_ok(v))
        return emul_gp0(exc);
    if (port == PCI_CONFIG_ADDRESS && bytes == 4)
        pci_cf8 = val;
    return PV_EMUL_DONE;
}
