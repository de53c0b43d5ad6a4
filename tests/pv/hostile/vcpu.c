/*
 * vcpu_op (public vcpu.h; xhv: shim/hypercall/vcpu.c), on vCPU 0; N is
 * the domain's vCPU count (env.nr_vcpus; vcpu_init.c brings the others up).
 *
 * Cases (expected outcome):
 *   vcpu/is_up_0                       vCPU 0                        1
 *   vcpu/is_up_<1..N-1>_offline        not brought up yet            0
 *   vcpu/is_up_<n>                     N, 8191, 0xffffffff           -ENOENT
 *   vcpu/cmd_99_vcpu0                  unknown command               -ENOSYS
 *   vcpu/cmd_99_vcpu5                  unknown command, no vCPU 5:
 *                                      the vCPU is checked first     -ENOENT
 *   vcpu/runstate_arg_<bad_ptr>        the argument itself           -EFAULT
 *   vcpu/runstate_area_<where>         area in the hole (M2P, shim
 *                                      text, straddling the hole's
 *                                      end), non-canonical           -EINVAL
 *   vcpu/runstate_good                 our buffer: written at once,
 *                                      state RUNSTATE_running        0
 *   vcpu/runstate_readonly             the read-only L4 page: taken,
 *                                      the write is dropped (as Xen) 0
 *   vcpu/runstate_zero                 address 0 (none)              0
 *   vcpu/vcpu_info_arg_<bad_ptr>       the argument itself           -EFAULT
 *   vcpu/vcpu_info_mfn_<which>         mfn 0, 2^40, ~0, the M2P's
 *                                      first frame (the shim's)      -EINVAL
 *   vcpu/vcpu_info_offset_<n>          4 (unaligned), 4040 and 4096
 *                                      (past PAGE_SIZE - 64)         -EINVAL
 *   vcpu/vcpu_info_rsvd                rsvd 1                        -EINVAL
 *   vcpu/vcpu_info_vcpu<N>             no such vCPU                  -ENOENT
 *   vcpu/vcpu_info_pagetable_frame     our own L4 page (a page-table
 *                                      frame, read-only to us): Xen
 *                                      refuses frames it cannot type
 *                                      writable                      -EINVAL
 *   vcpu/vcpu_info_good                our page, offset 64           0; the
 *                                      copy has upcall_pending 1,
 *                                      pending_sel ~0, mask still 1
 *   vcpu/vcpu_info_second              the same again                -EINVAL
 *   vcpu/vcpu_info_second_other_offset                               -EINVAL
 *   vcpu/cr2_in_moved_vcpu_info        a #PF's address shows up in
 *                                      the new vcpu_info's arch.cr2
 */

#include "hostile.h"
#include <xen/memory.h>
#include <xen/vcpu.h>

static uint8_t vi_page[PVT_PAGE_SIZE] __aligned(PVT_PAGE_SIZE);
static struct vcpu_runstate_info runstate;

static long runstate_at(unsigned long va)
{
    vcpu_register_runstate_memory_area_t a;

    a.addr.p = va;
    return HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a);
}

static long vcpu_info_at(unsigned int vcpu, uint64_t mfn, uint32_t offset,
                         uint32_t rsvd)
{
    vcpu_register_vcpu_info_t r = {
        .mfn = mfn, .offset = offset, .rsvd = rsvd,
    };

    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, vcpu, &r);
}

static void test_runstate(void)
{
    static const struct { const char *name; unsigned long va; } bad[] = {
        { "hole_m2p", VA_HOLE_M2P },
        { "hole_shim_text", VA_HOLE_SHIM },
        { "hole_straddling_end", (unsigned long)HYPERVISOR_VIRT_END - 8 },
        { "noncanonical", VA_NONCANON },
        { "noncanonical_high", VA_NONCANON_HI },
    };
    unsigned int i;
    long rc;

    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0,
                                 bad_ptrs[i].va),
              -XEN_EFAULT, "vcpu/runstate_arg_%s", bad_ptrs[i].name);
    for (i = 0; i < PVT_ARRAY_SIZE(bad); i++)
        check(runstate_at(bad[i].va), -XEN_EINVAL, "vcpu/runstate_area_%s",
              bad[i].name);

    memset(&runstate, 0xff, sizeof(runstate));
    rc = runstate_at((unsigned long)&runstate);
    pvt_ok("vcpu/runstate_good",
           rc == 0 && runstate.state == RUNSTATE_running &&
           runstate.state_entry_time != ~0ULL,
           "rc %ld state %d entry %lx", rc, runstate.state,
           (unsigned long)runstate.state_entry_time);
    check(runstate_at(env.ro_va), 0, "vcpu/runstate_readonly");
    check(runstate_at(0), 0, "vcpu/runstate_zero");
    check(runstate_at((unsigned long)&runstate), 0, "vcpu/runstate_again");
}

static void test_vcpu_info(void)
{
    xen_machphys_mfn_list_t l = { .max_extents = 1 };
    vcpu_info_t *vi = (vcpu_info_t *)(vi_page + 64);
    xen_pfn_t m2p_mfn = 0;
    struct pvt_fault f;
    unsigned int i;
    long rc;

    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0,
                                 bad_ptrs[i].va),
              -XEN_EFAULT, "vcpu/vcpu_info_arg_%s", bad_ptrs[i].name);

    check(vcpu_info_at(0, 0, 0, 0), -XEN_EINVAL, "vcpu/vcpu_info_mfn_0");
    check(vcpu_info_at(0, 1ULL << 40, 0, 0), -XEN_EINVAL,
          "vcpu/vcpu_info_mfn_2^40");
    check(vcpu_info_at(0, ~0ULL, 0, 0), -XEN_EINVAL,
          "vcpu/vcpu_info_mfn_max");
    set_xen_guest_handle(l.extent_start, &m2p_mfn);
    if (HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l) == 0 && m2p_mfn)
        check(vcpu_info_at(0, m2p_mfn, 0, 0), -XEN_EINVAL,
              "vcpu/vcpu_info_mfn_m2p_frame");
    else
        pvt_error("vcpu: no M2P frame from machphys_mfn_list");

    check(vcpu_info_at(0, va_to_mfn(vi_page), 4, 0), -XEN_EINVAL,
          "vcpu/vcpu_info_offset_4");
    check(vcpu_info_at(0, va_to_mfn(vi_page), 4040, 0), -XEN_EINVAL,
          "vcpu/vcpu_info_offset_4040");
    check(vcpu_info_at(0, va_to_mfn(vi_page), 4096, 0), -XEN_EINVAL,
          "vcpu/vcpu_info_offset_4096");
    check(vcpu_info_at(0, va_to_mfn(vi_page), 0xfffffff8, 0), -XEN_EINVAL,
          "vcpu/vcpu_info_offset_max");
    check(vcpu_info_at(0, va_to_mfn(vi_page), 64, 1), -XEN_EINVAL,
          "vcpu/vcpu_info_rsvd");
    check(vcpu_info_at(env.nr_vcpus, va_to_mfn(vi_page), 64, 0),
          -XEN_ENOENT, "vcpu/vcpu_info_vcpu%u", env.nr_vcpus);

    /*
     * A page-table frame: the shim writes vcpu_info through its direct map,
     * so accepting it would let it (and the guest, through fields the shim
     * fills: cr2, time) write the guest's page tables. Offset 0x100 is L4
     * slots 32-39, unused, so an acceptance does no harm here.
     */
    rc = vcpu_info_at(0, va_to_mfn((void *)env.pt_base), 0x100, 0);
    if (!check(rc, -XEN_EINVAL, "vcpu/vcpu_info_pagetable_frame") &&
        rc == 0) {
        pvt_printf("xhv-hostile: vcpu_info now lives in our L4 page: "
                   "vcpu/vcpu_info_good and later cases cannot run\n");
        return;
    }

    memset(vi_page, 0, sizeof(vi_page));
    rc = vcpu_info_at(0, va_to_mfn(vi_page), 64, 0);
    pvt_ok("vcpu/vcpu_info_good",
           rc == 0 && vi->evtchn_upcall_pending == 1 &&
           vi->evtchn_pending_sel == ~0UL && vi->evtchn_upcall_mask == 1,
           "rc %ld pending %u sel %lx mask %u", rc, vi->evtchn_upcall_pending,
           (unsigned long)vi->evtchn_pending_sel, vi->evtchn_upcall_mask);
    check(vcpu_info_at(0, va_to_mfn(vi_page), 64, 0), -XEN_EINVAL,
          "vcpu/vcpu_info_second");
    check(vcpu_info_at(0, va_to_mfn(vi_page), 128, 0), -XEN_EINVAL,
          "vcpu/vcpu_info_second_other_offset");

    vi->arch.cr2 = 0;
    pvt_read_faults(VA_UNMAPPED + 0x123000, &f);
    pvt_check_x("vcpu/cr2_in_moved_vcpu_info", vi->arch.cr2,
                VA_UNMAPPED + 0x123000);
}

void test_vcpu(void)
{
    unsigned int i;

    check(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, 0), 1, "vcpu/is_up_0");
    for (i = 1; i < env.nr_vcpus; i++)
        check(HYPERVISOR_vcpu_op(VCPUOP_is_up, i, 0), 0,
              "vcpu/is_up_%u_offline", i);
    check(HYPERVISOR_vcpu_op(VCPUOP_is_up, env.nr_vcpus, 0), -XEN_ENOENT,
          "vcpu/is_up_%u", env.nr_vcpus);
    check(HYPERVISOR_vcpu_op(VCPUOP_is_up, 8191, 0), -XEN_ENOENT,
          "vcpu/is_up_8191");
    check(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0xffffffffUL, 0), -XEN_ENOENT,
          "vcpu/is_up_0xffffffff");
    check(HYPERVISOR_vcpu_op(99, 0, 0), -XEN_ENOSYS, "vcpu/cmd_99_vcpu0");
    check(HYPERVISOR_vcpu_op(99, 5, 0), -XEN_ENOENT, "vcpu/cmd_99_vcpu5");
    test_runstate();
    test_vcpu_info();
}
