/*
 * Access to guest memory from hypercall handlers. Guest virtual addresses
 * are used through the guest's own page tables (the current CR3), after
 * checking that the range is canonical, does not wrap and stays out of the
 * hypervisor hole; a fault on the way is fixed up into -XEN_EFAULT.
 * Handlers touch guest memory only through these.
 */
#ifndef XHV_GUEST_ACCESS_H
#define XHV_GUEST_ACCESS_H

#include <xhv/xen.h>

/* A canonical 48-bit address (bits 63..47 all equal). */
static inline bool is_canonical(uint64_t va)
{
    return ((int64_t)va >> 47) == ((int64_t)va >> 63);
}

/*
 * Xen's __addr_ok(): a guest linear address, canonical and outside the
 * hypervisor hole (the lower half, or above the hole's end).
 */
static inline bool guest_addr_ok(uint64_t va)
{
    return va < (1ULL << 47) || va >= HYPERVISOR_VIRT_END;
}

/* Is [va, va+len) a range the guest may name? */
bool guest_range_ok(uint64_t va, uint64_t len);

/* 0, or -XEN_EFAULT (bad range, or a fault part-way: partial copy). */
int copy_from_guest(void *dst, uint64_t guest_va, size_t len);
int copy_to_guest(uint64_t guest_va, const void *src, size_t len);

#endif /* XHV_GUEST_ACCESS_H */
