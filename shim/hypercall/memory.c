/*
 * HYPERVISOR_memory_op (public memory.h): what a PV domU asks at boot.
 * The guest's pseudo-physical memory is one RAM range [0, nr_pages) with
 * no holes, so Linux never needs to remap (linux-pv-boot.md §3B.3).
 * Ballooning (increase/decrease_reservation, populate_physmap, exchange)
 * and the add_to_physmap family are not implemented yet: -ENOSYS.
 */
#include <xhv/frame_alloc.h>
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/m2p.h>
#include <xhv/setup.h>
#include <xen/memory.h>

/* A BIOS E820 entry, the format XENMEM_memory_map returns (packed). */
struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __packed;
#define E820_TYPE_RAM 1

#define M2P_CHUNK_FRAMES 512    /* machphys_mfn_list: one mfn per 2 MiB */

static long reservation(struct vcpu *v, uint64_t arg, bool maximum)
{
    domid_t domid;

    if (copy_from_guest(&domid, arg, sizeof(domid)))
        return -XEN_EFAULT;
    if (domid != DOMID_SELF && domid != v->domain->domid)
        return -XEN_EPERM;
    return (long)(maximum ? v->domain->max_pages : v->domain->nr_pages);
}

long do_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                  uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = v->domain;

    /*
     * Xen packs a continuation's start extent above the command bits; xhv
     * never creates continuations, so the whole value is the command.
     */
    switch (cmd) {
    case XENMEM_memory_map: {
        struct xen_memory_map map;
        struct e820_entry e = {
            .addr = 0, .size = d->nr_pages << PAGE_SHIFT,
            .type = E820_TYPE_RAM,
        };

        if (copy_from_guest(&map, arg, sizeof(map)))
            return -XEN_EFAULT;
        if (map.nr_entries < 1)
            return -XEN_EINVAL;
        if (copy_to_guest((uint64_t)map.buffer.p, &e, sizeof(e)))
            return -XEN_EFAULT;
        map.nr_entries = 1;
        return copy_to_guest(arg, &map, sizeof(map));
    }

    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping m = {
            .v_start = MACH2PHYS_VIRT_START,
            .v_end = MACH2PHYS_VIRT_START + m2p_size() * 8,
            .max_mfn = m2p_size() - 1,
        };

        return copy_to_guest(arg, &m, sizeof(m));
    }

    case XENMEM_maximum_ram_page:
        return (long)(frame_pool.max_pfn - 1);

    case XENMEM_current_reservation:
        return reservation(v, arg, false);

    case XENMEM_maximum_reservation:
        return reservation(v, arg, true);

    case XENMEM_maximum_gpfn: {
        domid_t domid;

        if (copy_from_guest(&domid, arg, sizeof(domid)))
            return -XEN_EFAULT;
        if (domid != DOMID_SELF && domid != d->domid)
            return -XEN_EPERM;
        return (long)(d->nr_pages - 1);
    }

    case XENMEM_machphys_mfn_list: {
        struct xen_machphys_mfn_list l;
        uint64_t chunks = (m2p_size() * 8 + (2ULL << 20) - 1) >> 21, i;

        if (copy_from_guest(&l, arg, sizeof(l)))
            return -XEN_EFAULT;
        /* Invariant: entries [0, i) written. */
        for (i = 0; i < chunks && i < l.max_extents; i++) {
            xen_pfn_t mfn = m2p_base_mfn() + i * M2P_CHUNK_FRAMES;

            if (copy_to_guest((uint64_t)l.extent_start.p + i * sizeof(mfn),
                              &mfn, sizeof(mfn)))
                return -XEN_EFAULT;
        }
        l.nr_extents = (unsigned int)i;
        return copy_to_guest(arg, &l, sizeof(l));
    }

    default:
        return -XEN_ENOSYS;
    }
}
