/*
 * The small CPU-state hypercalls (public xen.h, arch-x86/xen-x86_64.h;
 * xhv: shim/hypercall/cpu.c): set_segment_base, set/get_debugreg,
 * vm_assist, stack_switch, fpu_taskswitch.
 *
 * Cases (expected outcome):
 *   segbase/<which>_noncanonical       FS, GS_USER, GS_KERNEL with 2^47,
 *                                      0xffff7fffffffffff, 0xdead...  -EINVAL
 *   segbase/fs_good                    FS = &marker; %fs:0 reads it  0
 *   segbase/fs_hole                    FS = the shim's text: allowed
 *                                      (canonical, as in Xen), but
 *                                      %fs:0 must fault              0, #PF
 *   segbase/gs_kernel_good             GS_KERNEL = &marker; %gs:0    0
 *   segbase/gs_user_good               GS_USER = 0                   0
 *   segbase/which_<n>                  4, 99, 0xffffffff             -EINVAL
 *   segbase/gs_user_sel_<sel>          the shim's 0xe008, 0xe010,
 *                                      0xe018, TSS 0xe040, an empty
 *                                      guest GDT slot 0x808, beyond
 *                                      the GDT 0xfff8, an LDT
 *                                      selector with no LDT 0x4      0, and
 *                                      the null selector is loaded (as
 *                                      Xen: Linux BUG()s on an error)
 *   segbase/gs_user_sel_<sel>_kernel_gs  afterwards the kernel GS base
 *                                      still reads the marker, and no
 *                                      shim selector is in %gs
 *   segbase/gs_user_sel_flat           FLAT_RING3_DS32: loaded       0
 *   segbase/gs_user_sel_null           0                             0
 *   debugreg/dr<n>_<where>             DR0-3 at M2P, shim text, hole's
 *                                      last byte, 2^47, 0xdead...    -EPERM
 *   debugreg/set_reg_<n>, get_reg_<n>  4, 5, 8, 0xffffffff           -EINVAL
 *   debugreg/dr7_gd                    GD (bit 13)                   -EINVAL
 *   debugreg/dr7_io_<n>                L0/G3 with R/W = 10b (I/O)    -EINVAL
 *   debugreg/dr7_high_bits             bit 32                        -EINVAL
 *   debugreg/dr0_round_trip            DR0 = &marker, read back      0, equal
 *   debugreg/dr6_fixed_bits            DR6 = 0 reads 0xffff0ff0
 *   debugreg/dr7_zero                  DR7 = 0 reads 0x400
 *   vm_assist/enable_type_<n>          6..31, 33..63, 64, 2^32, ~0   -EINVAL
 *   vm_assist/bad_cmd_valid_type       cmd 2, writable_pagetables    -ENOSYS
 *   vm_assist/bad_cmd_bad_type         cmd 2, type 64: type first    -EINVAL
 *   vm_assist/<type>_on, _off          every PV type                 0
 *   stack_switch/<case>                kernel ss + our stack, 0/0,
 *                                      shim selector + junk sp: all
 *                                      accepted (Xen does the same)  0
 *   fpu/ts_on, fpu/ts_on_fnop_nm       TS set; fnop -> #NM           0, 7
 *   fpu/ts_off, fpu/ts_off_fnop        TS clear; fnop runs           0
 */
#include "hostile.h"

static volatile unsigned long marker = 0x5a17c0de5a17c0deUL;
static unsigned long seg_read;

static void read_fs0(void *unused)
{
    (void)unused;
    asm volatile ("mov %%fs:0, %0" : "=r" (seg_read));
}

static void read_gs0(void *unused)
{
    (void)unused;
    asm volatile ("mov %%gs:0, %0" : "=r" (seg_read));
}

static unsigned int gs_sel(void)
{
    unsigned short s;

    asm volatile ("mov %%gs, %0" : "=r" (s));
    return s;
}

/* Reads %gs:0 (or %fs:0); returns the exception vector, or ~0 if none. */
static unsigned int seg_probe(void (*fn)(void *))
{
    struct pvt_fault f;

    seg_read = 0;
    return pvt_guarded(fn, NULL, &f) ? f.vector : ~0u;
}

static void kernel_gs_intact(const char *name)
{
    unsigned int v = seg_probe(read_gs0), s = gs_sel() & ~3u;

    if (v == ~0u)
        pvt_ok(name, seg_read == marker &&
                     !(s >= 0xe000 && s < 0xe020) && s != 0xe040,
               "%%gs:0 read %lx (want %lx), %%gs %x", seg_read,
               (unsigned long)marker, gs_sel());
    else
        pvt_ok(name, false, "the kernel GS base is gone: %%gs:0 raised "
               "vector %u, %%gs %x", v, gs_sel());
}

static void test_segbase(void)
{
    static const struct { const char *name; unsigned long base; } nc[] = {
        { "2^47", VA_NONCANON },
        { "0xffff7fffffffffff", 0xffff7fffffffffffUL },
        { "0xdead", VA_NONCANON_HI },
    };
    static const struct { const char *name; unsigned int which; } w[] = {
        { "fs", SEGBASE_FS },
        { "gs_user", SEGBASE_GS_USER },
        { "gs_kernel", SEGBASE_GS_KERNEL },
    };
    static const struct { const char *name; unsigned int sel; } sels[] = {
        { "shim_cs_0xe008", 0xe008 },
        { "shim_ds_0xe010", 0xe010 },
        { "shim_cs32_0xe018", 0xe018 },
        { "shim_tss_0xe040", 0xe040 },
        { "empty_gdt_0x808", 0x808 },
        { "beyond_gdt_0xfff8", 0xfff8 },
        { "ldt_0x4", 0x4 },
    };
    unsigned int i, j, v;
    char name[80];

    for (i = 0; i < PVT_ARRAY_SIZE(w); i++)
        for (j = 0; j < PVT_ARRAY_SIZE(nc); j++)
            check(HYPERVISOR_set_segment_base(w[i].which, nc[j].base),
                  -XEN_EINVAL, "segbase/%s_noncanonical_%s", w[i].name,
                  nc[j].name);

    check(HYPERVISOR_set_segment_base(SEGBASE_FS, &marker), 0,
          "segbase/fs_good");
    v = seg_probe(read_fs0);
    pvt_ok("segbase/fs_good_reads_back", v == ~0u && seg_read == marker,
           "vector %d, read %lx", (int)v, seg_read);
    check(HYPERVISOR_set_segment_base(SEGBASE_FS, VA_HOLE_SHIM), 0,
          "segbase/fs_hole");
    check(seg_probe(read_fs0), 14, "segbase/fs_hole_read_faults");
    check(HYPERVISOR_set_segment_base(SEGBASE_FS, 0), 0, "segbase/fs_zero");

    check(HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, &marker), 0,
          "segbase/gs_kernel_good");
    kernel_gs_intact("segbase/gs_kernel_good_reads_back");
    check(HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0), 0,
          "segbase/gs_user_good");
    kernel_gs_intact("segbase/gs_user_good_kernel_gs");

    check(HYPERVISOR_set_segment_base(4, 0), -XEN_EINVAL, "segbase/which_4");
    check(HYPERVISOR_set_segment_base(99, 0), -XEN_EINVAL,
          "segbase/which_99");
    check(HYPERVISOR_set_segment_base(0xffffffffUL, 0), -XEN_EINVAL,
          "segbase/which_0xffffffff");

    for (i = 0; i < PVT_ARRAY_SIZE(sels); i++) {
        check(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, sels[i].sel),
              0, "segbase/gs_user_sel_%s", sels[i].name);
        pvt_snprintf(name, sizeof(name), "segbase/gs_user_sel_%s_kernel_gs",
                     sels[i].name);
        kernel_gs_intact(name);
        /* Put the kernel GS base back for the next case. */
        HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, &marker);
    }

    check(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, FLAT_RING3_DS32),
          0, "segbase/gs_user_sel_flat");
    check(gs_sel(), FLAT_RING3_DS32, "segbase/gs_user_sel_flat_loaded");
    kernel_gs_intact("segbase/gs_user_sel_flat_kernel_gs");
    check(HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0), 0,
          "segbase/gs_user_sel_null");
    kernel_gs_intact("segbase/gs_user_sel_null_kernel_gs");
    check(HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, 0), 0,
          "segbase/gs_kernel_zero");
}

#define DR7_GD          (1UL << 13)
#define DR7_L0          (1UL << 0)
#define DR7_G3          (1UL << 7)
#define DR7_RW_IO(n)    (2UL << (16 + 4 * (n)))

static void test_debugreg(void)
{
    static const struct { const char *name; unsigned long va; } bad[] = {
        { "hole_m2p", HYPERVISOR_VIRT_START },
        { "hole_shim_text", VA_HOLE_SHIM },
        { "hole_last_byte", HYPERVISOR_VIRT_END - 1 },
        { "noncanonical", VA_NONCANON },
        { "noncanonical_high", VA_NONCANON_HI },
    };
    static const unsigned long bad_regs[] = { 4, 5, 8, 0xffffffffUL };
    unsigned int r, i;
    long rc;

    for (r = 0; r < 4; r++)
        for (i = 0; i < PVT_ARRAY_SIZE(bad); i++)
            check(HYPERVISOR_set_debugreg(r, bad[i].va), -XEN_EPERM,
                  "debugreg/dr%u_%s", r, bad[i].name);
    for (i = 0; i < PVT_ARRAY_SIZE(bad_regs); i++) {
        check(HYPERVISOR_set_debugreg(bad_regs[i], 0), -XEN_EINVAL,
              "debugreg/set_reg_%lx", bad_regs[i]);
        check(HYPERVISOR_get_debugreg(bad_regs[i]), -XEN_EINVAL,
              "debugreg/get_reg_%lx", bad_regs[i]);
    }
    check(HYPERVISOR_set_debugreg(7, DR7_GD), -XEN_EINVAL, "debugreg/dr7_gd");
    check(HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_RW_IO(0)), -XEN_EINVAL,
          "debugreg/dr7_io_l0");
    check(HYPERVISOR_set_debugreg(7, DR7_G3 | DR7_RW_IO(3)), -XEN_EINVAL,
          "debugreg/dr7_io_g3");
    check(HYPERVISOR_set_debugreg(7, 1UL << 32), -XEN_EINVAL,
          "debugreg/dr7_high_bits");

    check(HYPERVISOR_set_debugreg(0, &marker), 0, "debugreg/dr0_set");
    rc = HYPERVISOR_get_debugreg(0);
    pvt_check_x("debugreg/dr0_round_trip", (unsigned long)rc,
                (unsigned long)&marker);
    check(HYPERVISOR_set_debugreg(0, 0), 0, "debugreg/dr0_clear");
    check(HYPERVISOR_set_debugreg(6, 0), 0, "debugreg/dr6_set");
    pvt_check_x("debugreg/dr6_fixed_bits",
                (unsigned long)HYPERVISOR_get_debugreg(6), 0xffff0ff0UL);
    check(HYPERVISOR_set_debugreg(7, 0), 0, "debugreg/dr7_zero");
    pvt_check_x("debugreg/dr7_reads_0x400",
                (unsigned long)HYPERVISOR_get_debugreg(7), 0x400);
}

static void test_vm_assist(void)
{
    static const struct { const char *name; unsigned int type; } good[] = {
        { "4gb_segments", VMASST_TYPE_4gb_segments },
        { "4gb_segments_notify", VMASST_TYPE_4gb_segments_notify },
        { "writable_pagetables", VMASST_TYPE_writable_pagetables },
        { "pae_extended_cr3", VMASST_TYPE_pae_extended_cr3 },
        { "architectural_iopl", VMASST_TYPE_architectural_iopl },
        { "runstate_update_flag", VMASST_TYPE_runstate_update_flag },
        { "m2p_strict", VMASST_TYPE_m2p_strict },
    };
    unsigned long t, first_bad = 0;
    unsigned int bad = 0;
    long rc;
    unsigned int i;

    /* Every type outside Xen's PV mask, one check for the whole range. */
    for (t = 0; t < 64; t++) {
        if (t <= VMASST_TYPE_runstate_update_flag ||
            t == VMASST_TYPE_m2p_strict)
            continue;
        rc = HYPERVISOR_vm_assist(VMASST_CMD_enable, t);
        if (rc != -XEN_EINVAL && !bad++)
            first_bad = t;
    }
    pvt_ok("vm_assist/enable_types_6_to_31_and_33_to_63", !bad,
           "%u types not refused, first %lu", bad, first_bad);
    check(HYPERVISOR_vm_assist(VMASST_CMD_enable, 31), -XEN_EINVAL,
          "vm_assist/enable_type_31");
    check(HYPERVISOR_vm_assist(VMASST_CMD_enable, 64), -XEN_EINVAL,
          "vm_assist/enable_type_64");
    check(HYPERVISOR_vm_assist(VMASST_CMD_enable, 1UL << 32), -XEN_EINVAL,
          "vm_assist/enable_type_2^32");
    check(HYPERVISOR_vm_assist(VMASST_CMD_enable, ~0UL), -XEN_EINVAL,
          "vm_assist/enable_type_max");
    check(HYPERVISOR_vm_assist(VMASST_CMD_disable, 6), -XEN_EINVAL,
          "vm_assist/disable_type_6");
    check(HYPERVISOR_vm_assist(2, VMASST_TYPE_writable_pagetables),
          -XEN_ENOSYS, "vm_assist/bad_cmd_valid_type");
    check(HYPERVISOR_vm_assist(2, 64), -XEN_EINVAL,
          "vm_assist/bad_cmd_bad_type");
    check(HYPERVISOR_vm_assist(0xffffffffUL, VMASST_TYPE_m2p_strict),
          -XEN_ENOSYS, "vm_assist/cmd_max_valid_type");
    for (i = 0; i < PVT_ARRAY_SIZE(good); i++) {
        check(HYPERVISOR_vm_assist(VMASST_CMD_enable, good[i].type), 0,
              "vm_assist/%s_on", good[i].name);
        check(HYPERVISOR_vm_assist(VMASST_CMD_disable, good[i].type), 0,
              "vm_assist/%s_off", good[i].name);
    }
    /* Leave on what Linux turns on. */
    HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
}

static void test_stack_switch(void)
{
    check(HYPERVISOR_stack_switch(FLAT_KERNEL_SS, pvt_stack_top), 0,
          "stack_switch/kernel_ss_our_stack");
    check(HYPERVISOR_stack_switch(0, 0), 0, "stack_switch/zero");
    check(HYPERVISOR_stack_switch(0xe010, VA_NONCANON_HI), 0,
          "stack_switch/shim_ss_junk_sp");
    check(HYPERVISOR_stack_switch(FLAT_KERNEL_SS, pvt_stack_top), 0,
          "stack_switch/restore");
}

static void do_fnop(void *unused)
{
    (void)unused;
    asm volatile ("fnop");
}

static void test_fpu(void)
{
    struct pvt_fault f;
    bool faulted;

    check(HYPERVISOR_fpu_taskswitch(1), 0, "fpu/ts_on");
    faulted = pvt_guarded(do_fnop, NULL, &f);
    pvt_ok("fpu/ts_on_fnop_nm", faulted && f.vector == 7,
           "fnop %s (vector %d)", faulted ? "faulted" : "ran",
           faulted ? (int)f.vector : -1);
    check(HYPERVISOR_fpu_taskswitch(0), 0, "fpu/ts_off");
    faulted = pvt_guarded(do_fnop, NULL, &f);
    pvt_ok("fpu/ts_off_fnop", !faulted, "fnop faulted, vector %u",
           f.vector);
}

void test_cpu(void)
{
    test_segbase();
    test_debugreg();
    test_vm_assist();
    test_stack_switch();
    test_fpu();
}
