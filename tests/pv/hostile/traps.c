/*
 * set_trap_table (public arch-x86/xen.h struct trap_info; xhv:
 * shim/hypercall/traps.c). The list is read up to the entry with address
 * 0 and validated as a whole before any entry is installed, so a bad list
 * must leave the previous table working. Checked by behaviour: after each
 * refused list a ud2 must still reach our #UD handler (vector 6). The
 * decoy entries point #UD at our #NM stub, so a half-installed list would
 * show up as vector 7.
 *
 * Cases (expected outcome):
 *   traps/install_good                 the library's table           0
 *   traps/ud2_caught                   ud2 -> our handler            vector 6
 *   traps/list_<bad_ptr>               list at NULL (clears!) is not
 *                                      tried here; unmapped,
 *                                      non-canonical, M2P, shim text,
 *                                      direct map, hole's last word  -EFAULT
 *   traps/entry_noncanonical           address 2^47                  -EINVAL
 *   traps/entry_noncanonical_high      0xdead000000000000            -EINVAL
 *   traps/entry_hole_start             HYPERVISOR_VIRT_START         -EINVAL
 *   traps/entry_hole_shim              the shim's text               -EINVAL
 *   traps/entry_hole_last_byte         HYPERVISOR_VIRT_END - 1       -EINVAL
 *   traps/<case>_table_intact          after each refusal, ud2       vector 6
 *   traps/good_then_bad_entry          a decoy #UD entry, then a hole
 *                                      entry                         -EINVAL
 *   traps/list_runs_off_mapping        a decoy entry ending at the
 *                                      last mapped byte, no end mark -EFAULT
 *   traps/list_without_end             1100 decoy entries, no end    -EINVAL
 *   traps/shim_cs_ignored              every entry names cs 0xe008
 *                                      (the shim's ring-0 code)      0, and
 *                                      ud2 is still caught in ring 3
 *   traps/null_clears                  NULL                          0
 *   traps/reinstall                    the library's table again     0
 */
#include "hostile.h"

#define DECOY_VECTOR_SEEN 7         /* our #NM stub */

extern const char pvt_exc_stubs[];

static struct trap_info list[1100] __aligned(16);

static void do_ud2(void *unused)
{
    (void)unused;
    asm volatile ("ud2");
}

static unsigned int ud2_vector(void)
{
    struct pvt_fault f;

    if (!pvt_guarded(do_ud2, NULL, &f))
        return ~0u;
    return f.vector;
}

static unsigned long decoy(void)
{
    return (unsigned long)pvt_exc_stubs + DECOY_VECTOR_SEEN * 16;
}

static void one_entry(unsigned long address)
{
    memset(list, 0, 2 * sizeof(list[0]));
    list[0].vector = 6;
    list[0].cs = FLAT_KERNEL_CS;
    list[0].address = address;
}

static void refused_entry(const char *name, unsigned long address)
{
    one_entry(address);
    check(HYPERVISOR_set_trap_table(list), -XEN_EINVAL, "traps/%s", name);
    check(ud2_vector(), 6, "traps/%s_table_intact", name);
}

static unsigned int cpl(void)
{
    unsigned short cs;

    asm volatile ("mov %%cs, %0" : "=r" (cs));
    return cs & 3;
}

void test_traps(void)
{
    struct trap_info *t;
    unsigned int i, n;
    long rc;

    check(pvt_traps_install(), 0, "traps/install_good");
    check(ud2_vector(), 6, "traps/ud2_caught");

    for (i = 0; i < nr_bad_ptrs; i++) {
        if (!bad_ptrs[i].va)
            continue;
        check(HYPERVISOR_set_trap_table(bad_ptrs[i].va), -XEN_EFAULT,
              "traps/list_%s", bad_ptrs[i].name);
    }
    check(ud2_vector(), 6, "traps/list_bad_ptr_table_intact");

    refused_entry("entry_noncanonical", VA_NONCANON);
    refused_entry("entry_noncanonical_high", VA_NONCANON_HI);
    refused_entry("entry_hole_start", HYPERVISOR_VIRT_START);
    refused_entry("entry_hole_shim", VA_HOLE_SHIM);
    refused_entry("entry_hole_last_byte", HYPERVISOR_VIRT_END - 1);

    memset(list, 0, 3 * sizeof(list[0]));
    list[0].vector = 6;
    list[0].cs = FLAT_KERNEL_CS;
    list[0].address = decoy();
    list[1].vector = 13;
    list[1].cs = FLAT_KERNEL_CS;
    list[1].address = VA_HOLE_SHIM;
    check(HYPERVISOR_set_trap_table(list), -XEN_EINVAL,
          "traps/good_then_bad_entry");
    check(ud2_vector(), 6, "traps/good_then_bad_entry_table_intact");

    /* The padding after the boot stack is ours and writable. */
    t = (struct trap_info *)(env.map_end - sizeof(*t));
    t->vector = 6;
    t->flags = 0;
    t->cs = FLAT_KERNEL_CS;
    t->address = decoy();
    check(HYPERVISOR_set_trap_table(t), -XEN_EFAULT,
          "traps/list_runs_off_mapping");
    check(ud2_vector(), 6, "traps/list_runs_off_mapping_table_intact");

    n = PVT_ARRAY_SIZE(list);
    for (i = 0; i < n; i++) {
        list[i].vector = 6;
        list[i].flags = 0;
        list[i].cs = FLAT_KERNEL_CS;
        list[i].address = decoy();
    }
    check(HYPERVISOR_set_trap_table(list), -XEN_EINVAL,
          "traps/list_without_end");
    check(ud2_vector(), 6, "traps/list_without_end_table_intact");

    /* The library's table with the shim's ring-0 code selector. */
    memcpy(list, pvt_trap_table(), 32 * sizeof(list[0]));
    for (i = 0; list[i].address; i++)
        list[i].cs = 0xe008;
    rc = HYPERVISOR_set_trap_table(list);
    check(rc, 0, "traps/shim_cs_ignored");
    i = ud2_vector();
    pvt_ok("traps/shim_cs_ignored_still_ring3", i == 6 && cpl() == 3,
           "vector %u, cpl %u", i, cpl());

    check(HYPERVISOR_set_trap_table(0), 0, "traps/null_clears");
    check(pvt_traps_install(), 0, "traps/reinstall");
    check(ud2_vector(), 6, "traps/reinstall_ud2_caught");
}
