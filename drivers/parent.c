/*
 * Choosing the parent. Hyper-V is recognised by CPUID 0x40000001 EAX =
 * "Hv#1" (the interface signature), never by the vendor string, which
 * hv-passthrough changes (shared/docs/nested-kvm.md). Until drivers/hyperv
 * exists, a Hyper-V parent is reported and run with the native ops.
 */
#include <xhv/log.h>
#include <xhv/panic.h>
#include <xhv/parent.h>
#include <xhv/x86.h>

#define CPUID_HV_BASE           0x40000000
#define CPUID_HV_INTERFACE      0x40000001
#define HV_INTERFACE_SIGNATURE  0x31237648  /* "Hv#1" */

const struct parent_ops *parent;

enum parent_kind parent_detect(void)
{
    uint32_t max, b, c, d, a;

    cpuid(1, &a, &b, &c, &d);
    if (!(c & BIT(31)))             /* no hypervisor present bit */
        return PARENT_NATIVE;
    cpuid(CPUID_HV_BASE, &max, &b, &c, &d);
    if (max < CPUID_HV_INTERFACE || max > CPUID_HV_BASE + 0xff)
        return PARENT_NATIVE;
    cpuid(CPUID_HV_INTERFACE, &a, &b, &c, &d);
    return a == HV_INTERFACE_SIGNATURE ? PARENT_HYPERV : PARENT_NATIVE;
}

void parent_init(void)
{
    enum parent_kind kind = parent_detect();

    parent = &native_parent_ops;
    if (kind == PARENT_HYPERV)
        printk(XLOG_WARN "parent: hyperv detected, but this build has no "
               "Hyper-V driver yet: using the native ops\n");
    if (parent->init())
        panic("parent %s failed to initialise", parent->name);
    printk("parent: %s\n",
           kind == PARENT_HYPERV ? "hyperv (native ops)" : parent->name);
}
