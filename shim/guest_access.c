/*
 * Guest-memory copies (include/xhv/guest_access.h). The range checks are
 * what keep a guest from reading or writing the shim through a hypercall
 * argument: the hole HYPERVISOR_VIRT_START..END is mapped in every guest
 * page table, so a pointer into it would otherwise be followed.
 */
#include <xhv/extable.h>
#include <xhv/guest_access.h>
#include <xhv/xen.h>

bool guest_range_ok(uint64_t va, uint64_t len)
{
    uint64_t last;

    if (len == 0)
        return true;
    last = va + len - 1;
    if (last < va)                              /* wraps */
        return false;
    /*
     * Both ends guest addresses, and no hole in between: the hole starts
     * where the upper canonical half does, so a range from the lower half
     * to above the hole would cross both.
     */
    return guest_addr_ok(va) && guest_addr_ok(last) &&
           (last < (1ULL << 47) || va >= HYPERVISOR_VIRT_END);
}

int copy_from_guest(void *dst, uint64_t guest_va, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -XEN_EFAULT;
    return copy_from_unsafe(dst, (const void *)guest_va, len) ? -XEN_EFAULT
                                                               : 0;
}

int copy_to_guest(uint64_t guest_va, const void *src, size_t len)
{
    if (!guest_range_ok(guest_va, len))
        return -XEN_EFAULT;
    return copy_to_unsafe((void *)guest_va, src, len) ? -XEN_EFAULT : 0;
}
