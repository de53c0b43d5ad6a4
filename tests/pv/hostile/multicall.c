/*
 * multicall (public xen.h struct multicall_entry; xhv:
 * shim/hypercall/multicall.c). At most 4096 entries; iret and a nested
 * multicall are refused per entry (-EINVAL) and the batch goes on; an
 * entry that cannot be read, or whose result cannot be written back, ends
 * the batch with -EFAULT.
 *
 * Cases (expected outcome):
 *   multicall/nr_4097, nr_max, nr_2^32 too many entries              -EINVAL
 *   multicall/nr_0_null                nothing to do                 0
 *   multicall/list_<bad_ptr>           1 entry at NULL, unmapped,
 *                                      non-canonical, in the hole    -EFAULT
 *   multicall/mixed                    [iret, multicall (nested),
 *                                      xen_version, hypercall 99,
 *                                      hypercall 2^63, get_features
 *                                      with a hole pointer]          0;
 *                                      results -EINVAL, -EINVAL,
 *                                      0x40011, -ENOSYS, -ENOSYS,
 *                                      -EFAULT
 *   multicall/nested_not_run           the nested batch's entry was
 *                                      never executed
 *   multicall/versions                 [version, pagesize,
 *                                      get_features 0, get_features 1,
 *                                      extraversion into the hole]   0;
 *                                      results 0x40011, 4096, 0,
 *                                      -EINVAL, -EFAULT
 *   multicall/runs_off_mapping         2 entries, the first ending at
 *                                      the last mapped byte          -EFAULT,
 *                                      the first one's result written
 *   multicall/result_unwritable        1 entry read from the read-only
 *                                      L4 page (all zero: op 0 =
 *                                      set_trap_table(NULL), which
 *                                      clears our table), its result
 *                                      cannot be written back        -EFAULT
 *   multicall/reinstall_traps          our table again               0
 */

#include "hostile.h"
#include <xen/version.h>

#define SENTINEL 0x5e5e5e5e5e5e5e5eUL

static multicall_entry_t batch[8], nested[1];
static xen_feature_info_t fi0, fi1;

static void entry(multicall_entry_t *e, unsigned long op, unsigned long a0,
                  unsigned long a1)
{
    memset(e, 0, sizeof(*e));
    e->op = op;
    e->args[0] = a0;
    e->args[1] = a1;
    e->result = SENTINEL;
}

static void results(const char *name, const long *want, unsigned int n)
{
    unsigned int i;
    char g[32], w[32];

    for (i = 0; i < n; i++)
        if ((long)batch[i].result != want[i])
            break;
    pvt_ok(name, i == n, "entry %u: got %s expected %s", i,
           pvt_rc_str(i < n ? (long)batch[i].result : 0, g, sizeof(g)),
           pvt_rc_str(i < n ? want[i] : 0, w, sizeof(w)));
}

void test_multicall(void)
{
    static const long mixed_want[] = {
        -XEN_EINVAL, -XEN_EINVAL, (4L << 16) | 17, -XEN_ENOSYS, -XEN_ENOSYS,
        -XEN_EFAULT,
    };
    static const long versions_want[] = {
        (4L << 16) | 17, 4096, 0, -XEN_EINVAL, -XEN_EFAULT,
    };
    multicall_entry_t *edge;
    unsigned int i;

    check(HYPERVISOR_multicall(batch, 4097), -XEN_EINVAL,
          "multicall/nr_4097");
    check(HYPERVISOR_multicall(batch, ~0UL), -XEN_EINVAL,
          "multicall/nr_max");
    check(HYPERVISOR_multicall(batch, 1UL << 32), -XEN_EINVAL,
          "multicall/nr_2^32");
    check(HYPERVISOR_multicall(0, 0), 0, "multicall/nr_0_null");
    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_multicall(bad_ptrs[i].va, 1), -XEN_EFAULT,
              "multicall/list_%s", bad_ptrs[i].name);

    entry(&nested[0], __HYPERVISOR_xen_version, XENVER_version, 0);
    entry(&batch[0], __HYPERVISOR_iret, 0, 0);
    entry(&batch[1], __HYPERVISOR_multicall, (unsigned long)nested, 1);
    entry(&batch[2], __HYPERVISOR_xen_version, XENVER_version, 0);
    entry(&batch[3], 99, 0, 0);
    entry(&batch[4], 1UL << 63, 0, 0);
    entry(&batch[5], __HYPERVISOR_xen_version, XENVER_get_features,
          VA_HOLE_SHIM);
    check(HYPERVISOR_multicall(batch, 6), 0, "multicall/mixed");
    results("multicall/mixed_results", mixed_want,
            PVT_ARRAY_SIZE(mixed_want));
    pvt_check_x("multicall/nested_not_run", nested[0].result, SENTINEL);

    fi0.submap_idx = 0;
    fi1.submap_idx = 1;
    entry(&batch[0], __HYPERVISOR_xen_version, XENVER_version, 0);
    entry(&batch[1], __HYPERVISOR_xen_version, XENVER_pagesize, 0);
    entry(&batch[2], __HYPERVISOR_xen_version, XENVER_get_features,
          (unsigned long)&fi0);
    entry(&batch[3], __HYPERVISOR_xen_version, XENVER_get_features,
          (unsigned long)&fi1);
    entry(&batch[4], __HYPERVISOR_xen_version, XENVER_extraversion,
          VA_HOLE_DMAP);
    check(HYPERVISOR_multicall(batch, 5), 0, "multicall/versions");
    results("multicall/versions_results", versions_want,
            PVT_ARRAY_SIZE(versions_want));

    /* Our padding after the boot stack: the entry's last byte is mapped. */
    edge = (multicall_entry_t *)(env.map_end - sizeof(*edge));
    entry(edge, __HYPERVISOR_xen_version, XENVER_version, 0);
    check(HYPERVISOR_multicall(edge, 2), -XEN_EFAULT,
          "multicall/runs_off_mapping");
    check((long)edge->result, (4L << 16) | 17,
          "multicall/runs_off_mapping_first_result");

    check(HYPERVISOR_multicall(env.ro_va, 1), -XEN_EFAULT,
          "multicall/result_unwritable");
    check(pvt_traps_install(), 0, "multicall/reinstall_traps");
}
