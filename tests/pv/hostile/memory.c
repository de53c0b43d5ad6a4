/*
 * memory_op (public memory.h; xhv: shim/hypercall/memory.c) and the M2P
 * and hole as the guest sees them directly.
 *
 * Cases (expected outcome):
 *   memory/map_nr_entries_0            nr_entries 0                  -EINVAL
 *   memory/map_arg_<bad_ptr>           the xen_memory_map itself     -EFAULT
 *   memory/map_buffer_<bad_ptr>        its buffer at NULL, unmapped,
 *                                      non-canonical, in the hole    -EFAULT
 *   memory/map_buffer_readonly         buffer in the read-only L4    -EFAULT
 *   memory/map_good                    one RAM entry [0, nr_pages)   0
 *   memory/current_reservation_self    DOMID_SELF                    nr_pages
 *   memory/current_reservation_own_id  domid 1 (xhv's guest)         nr_pages
 *   memory/current_reservation_dom<n>  0, 7, DOMID_XEN               -EPERM
 *   memory/current_reservation_null    arg NULL                      -EFAULT
 *   memory/maximum_reservation_*       the same                      same
 *   memory/maximum_gpfn_self           DOMID_SELF                    nr_pages-1
 *   memory/maximum_gpfn_dom0           domid 0                       -EPERM
 *   memory/maximum_gpfn_null           arg NULL                      -EFAULT
 *   memory/maximum_ram_page            > 0
 *   memory/machphys_mapping            v_start = MACH2PHYS_VIRT_START,
 *                                      v_end inside the M2P area,
 *                                      max_mfn = entries - 1         0
 *   memory/machphys_mapping_<bad_ptr>                                -EFAULT
 *   memory/machphys_mfn_list_max_0     max_extents 0, NULL buffer    0, 0 out
 *   memory/machphys_mfn_list_null_buf  max_extents 4, NULL buffer    -EFAULT
 *   memory/machphys_mfn_list_<bad_ptr> the argument itself           -EFAULT
 *   memory/machphys_mfn_list_good      max_extents 4                 0, >= 1
 *   memory/m2p_consistent              m2p[p2m[pfn]] = pfn for our pages,
 *                                      read straight from the M2P
 *   memory/m2p_write_faults            the M2P is read-only          #PF
 *   memory/hole_<where>_read_faults    the shim's text and direct map
 *                                      cannot be read by the guest   #PF
 *   memory/cmd_<n>                     63, 99, 0x3f                  -ENOSYS
 *   memory/cmd_high_bits               2^63 | maximum_gpfn           -ENOSYS
 *   memory/cmd_continuation_bits       (1 << 6) | current_reservation -ENOSYS
 *                                      (xhv: never a continuation;
 *                                      docs/hypercalls.md)
 */

#include "hostile.h"
#include <xen/memory.h>

/* BIOS INT 15h E820 entry, the format XENMEM_memory_map returns. */
struct e820 {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));
#define E820_RAM 1

static long map(unsigned int nr, unsigned long buffer)
{
    xen_memory_map_t m = { .nr_entries = nr };

    m.buffer.p = (void *)buffer;
    return HYPERVISOR_memory_op(XENMEM_memory_map, &m);
}

static void test_memory_map(void)
{
    struct e820 e[4];
    xen_memory_map_t m;
    unsigned int i;
    long rc;

    check(map(0, (unsigned long)e), -XEN_EINVAL, "memory/map_nr_entries_0");
    for (i = 0; i < nr_bad_ptrs; i++) {
        check(HYPERVISOR_memory_op(XENMEM_memory_map, bad_ptrs[i].va),
              -XEN_EFAULT, "memory/map_arg_%s", bad_ptrs[i].name);
        check(map(4, bad_ptrs[i].va), -XEN_EFAULT, "memory/map_buffer_%s",
              bad_ptrs[i].name);
    }
    check(map(4, env.ro_va), -XEN_EFAULT, "memory/map_buffer_readonly");

    memset(e, 0xa5, sizeof(e));
    m.nr_entries = PVT_ARRAY_SIZE(e);
    set_xen_guest_handle(m.buffer, e);
    rc = HYPERVISOR_memory_op(XENMEM_memory_map, &m);
    pvt_ok("memory/map_good",
           rc == 0 && m.nr_entries == 1 && e[0].addr == 0 &&
           e[0].size == env.nr_pages * PVT_PAGE_SIZE && e[0].type == E820_RAM,
           "rc %ld, %u entries, [%lx +%lx type %u]", rc, m.nr_entries,
           (unsigned long)e[0].addr, (unsigned long)e[0].size, e[0].type);
}

static void test_reservation(const char *name, unsigned int cmd, long self)
{
    static const struct { const char *name; domid_t id; } others[] = {
        { "dom0", 0 }, { "dom7", 7 }, { "domid_xen", DOMID_XEN },
    };
    domid_t id = DOMID_SELF;
    unsigned int i;

    check(HYPERVISOR_memory_op(cmd, &id), self, "memory/%s_self", name);
    id = 1;
    check(HYPERVISOR_memory_op(cmd, &id), self, "memory/%s_own_id", name);
    for (i = 0; i < PVT_ARRAY_SIZE(others); i++) {
        id = others[i].id;
        check(HYPERVISOR_memory_op(cmd, &id), -XEN_EPERM, "memory/%s_%s",
              name, others[i].name);
    }
    check(HYPERVISOR_memory_op(cmd, 0), -XEN_EFAULT, "memory/%s_null", name);
    check(HYPERVISOR_memory_op(cmd, VA_HOLE_SHIM), -XEN_EFAULT,
          "memory/%s_hole", name);
}

static xen_pfn_t extents[4];

static void test_machphys(void)
{
    xen_machphys_mapping_t mm;
    xen_machphys_mfn_list_t l;
    unsigned long pfn, mfn, m2p_entries = 0;
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    unsigned int i;
    long rc;

    memset(&mm, 0, sizeof(mm));
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mapping, &mm);
    if (rc == 0)
        m2p_entries = (mm.v_end - mm.v_start) / 8;
    pvt_ok("memory/machphys_mapping",
           rc == 0 && mm.v_start == MACH2PHYS_VIRT_START &&
           mm.v_end > mm.v_start && mm.v_end <= MACH2PHYS_VIRT_END &&
           mm.max_mfn == m2p_entries - 1,
           "rc %ld v_start %lx v_end %lx max_mfn %lx", rc,
           (unsigned long)mm.v_start, (unsigned long)mm.v_end,
           (unsigned long)mm.max_mfn);
    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_memory_op(XENMEM_machphys_mapping, bad_ptrs[i].va),
              -XEN_EFAULT, "memory/machphys_mapping_%s", bad_ptrs[i].name);
    check(HYPERVISOR_memory_op(XENMEM_machphys_mapping, env.ro_va),
          -XEN_EFAULT, "memory/machphys_mapping_readonly");

    memset(&l, 0, sizeof(l));
    l.nr_extents = 77;
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l);
    pvt_ok("memory/machphys_mfn_list_max_0", rc == 0 && l.nr_extents == 0,
           "rc %ld nr_extents %u", rc, l.nr_extents);
    l.max_extents = 4;
    check(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l), -XEN_EFAULT,
          "memory/machphys_mfn_list_null_buf");
    l.extent_start.p = (xen_pfn_t *)VA_HOLE_DMAP;
    check(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l), -XEN_EFAULT,
          "memory/machphys_mfn_list_hole_buf");
    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, bad_ptrs[i].va),
              -XEN_EFAULT, "memory/machphys_mfn_list_%s", bad_ptrs[i].name);
    set_xen_guest_handle(l.extent_start, extents);
    l.nr_extents = 0;
    rc = HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l);
    pvt_ok("memory/machphys_mfn_list_good",
           rc == 0 && l.nr_extents >= 1 && l.nr_extents <= 4 && extents[0],
           "rc %ld nr_extents %u first %lx", rc, l.nr_extents,
           (unsigned long)extents[0]);

    /* Our own pages, straight from the M2P: it must agree with the p2m. */
    pfn = va_to_pfn(extents);
    mfn = env.p2m[pfn];
    pvt_ok("memory/m2p_consistent",
           mfn <= mm.max_mfn && m2p[mfn] == pfn &&
           m2p[env.p2m[va_to_pfn(pvt_stack)]] == va_to_pfn(pvt_stack),
           "pfn %lx mfn %lx m2p %lx", pfn, mfn,
           mfn <= mm.max_mfn ? m2p[mfn] : ~0UL);
}

static void test_direct_access(void)
{
    static const struct { const char *name; unsigned long va; } hole[] = {
        { "shim_text", VA_HOLE_SHIM },
        { "directmap", VA_HOLE_DMAP },
        { "last_word", VA_HOLE_LAST },
    };
    struct pvt_fault f;
    unsigned int i;
    bool faulted;

    faulted = pvt_write_faults(MACH2PHYS_VIRT_START, &f);
    pvt_ok("memory/m2p_write_faults", faulted && f.vector == 14,
           "%s", faulted ? "wrong vector" : "the write went through");
    for (i = 0; i < PVT_ARRAY_SIZE(hole); i++) {
        char name[64];

        pvt_snprintf(name, sizeof(name), "memory/hole_%s_read_faults",
                     hole[i].name);
        faulted = pvt_read_faults(hole[i].va, &f);
        pvt_ok(name, faulted && f.vector == 14, "%s (vector %d)",
               faulted ? "wrong vector" : "the guest read shim memory",
               faulted ? (int)f.vector : -1);
    }
}

void test_memory(void)
{
    test_memory_map();
    test_reservation("current_reservation", XENMEM_current_reservation,
                     (long)env.nr_pages);
    test_reservation("maximum_reservation", XENMEM_maximum_reservation,
                     (long)env.nr_pages);
    {
        domid_t id = DOMID_SELF;

        check(HYPERVISOR_memory_op(XENMEM_maximum_gpfn, &id),
              (long)env.nr_pages - 1, "memory/maximum_gpfn_self");
        id = 0;
        check(HYPERVISOR_memory_op(XENMEM_maximum_gpfn, &id), -XEN_EPERM,
              "memory/maximum_gpfn_dom0");
        check(HYPERVISOR_memory_op(XENMEM_maximum_gpfn, 0), -XEN_EFAULT,
              "memory/maximum_gpfn_null");
    }
    {
        long rc = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, 0);

        pvt_ok("memory/maximum_ram_page", rc > 0, "rc %ld", rc);
    }
    test_machphys();
    test_direct_access();

    check(HYPERVISOR_memory_op(63, 0), -XEN_ENOSYS, "memory/cmd_63");
    check(HYPERVISOR_memory_op(99, 0), -XEN_ENOSYS, "memory/cmd_99");
    check(HYPERVISOR_memory_op(0x3f, 0), -XEN_ENOSYS, "memory/cmd_0x3f");
    {
        domid_t id = DOMID_SELF;

        check(HYPERVISOR_memory_op((1UL << 63) | XENMEM_maximum_gpfn, &id),
              -XEN_ENOSYS, "memory/cmd_high_bits");
        check(HYPERVISOR_memory_op((1UL << 6) | XENMEM_current_reservation,
                                   &id),
              -XEN_ENOSYS, "memory/cmd_continuation_bits");
    }
}
