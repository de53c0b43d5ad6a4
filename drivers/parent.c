/*
 * Choosing the parent. Hyper-V is recognised by CPUID 0x40000001 EAX =
 * "Hv#1" (the interface signature), never by the vendor string, which
 * hv-passthrough changes (shared/docs/nested-kvm.md). A Hyper-V parent
 * runs with hyperv_parent_ops (drivers/hyperv/); if that driver cannot
 * initialise (e.g. no reference counter granted), the native ops run
 * instead, with a warning.
 *
 * The boot log says "parent: hyperv" or "parent: native", exactly once;
 * the boot tests grep for it, so no other line may contain either text.
 */
#include <hyperv/tlfs.h>
#include <xhv/hyperv.h>
#include <xhv/log.h>
#include <xhv/panic.h>
#include <xhv/parent.h>
#include <xhv/x86.h>

const struct parent_ops *parent;

enum parent_kind parent_detect(void)
{
    uint32_t max, b, c, d, a;

    cpuid(1, &a, &b, &c, &d);
    if (!(c & BIT(31)))             /* no hypervisor present bit */
        return PARENT_NATIVE;
    cpuid(HV_CPUID_VENDOR_MAX, &max, &b, &c, &d);
    if (max < HV_CPUID_INTERFACE || max > HV_CPUID_MAX_LEAF)
        return PARENT_NATIVE;
    cpuid(HV_CPUID_INTERFACE, &a, &b, &c, &d);
    return a == HV_INTERFACE_SIGNATURE ? PARENT_HYPERV : PARENT_NATIVE;
}

void parent_init(void)
{
    int rc;

    if (parent_detect() == PARENT_HYPERV) {
        parent = &hyperv_parent_ops;
        rc = parent->init();
        if (!rc) {
            printk("parent: %s\n", parent->name);
            hv_print_enlightenments();
            return;
        }
        printk(XLOG_WARN "hyperv: driver failed to initialise (%d); "
               "using the native ops\n", rc);
    }
    parent = &native_parent_ops;
    if (parent->init())
        panic("parent %s failed to initialise", parent->name);
    printk("parent: %s\n", parent->name);
}
