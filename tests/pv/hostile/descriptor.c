/*
 * set_gdt and update_descriptor (public xen.h; xhv:
 * shim/hypercall/descriptor.c, the descriptor rules in
 * include/xhv/descriptor.h). A GDT frame is the guest's memory that the
 * CPU trusts as segment descriptors: it must be the guest's, must not be a
 * page table or mapped writable, and may hold only code/data descriptors
 * (forced to DPL 3) — a call gate, TSS or LDT descriptor would let ring 3
 * reach ring 0. Pages: gdt_page (our GDT, one flat DPL-3 data descriptor
 * at index 1, mapped read-only while in use) and bad_page (refused
 * contents, mapped RO for each attempt, then RW again). The M2P, foreign
 * and bootstrap table frames come from mmu.c's mmu_facts().
 *
 * Cases (expected outcome):
 *   desc/gdt_page_ro                   gdt_page's mapping to RO    0
 *   desc/set_gdt_ok                    [gdt_page], 16 entries      0
 *   desc/selector_loads                %es = index 1, RPL 3        no fault
 *   desc/null_slot_faults              %es = index 2 (zero)        #GP
 *   desc/gdt_page_map_rw               while in use, remap RW      -EBUSY
 *   desc/gdt_page_write_faults         a write through our RO map  #PF
 *   desc/mmu_update_into_gdt           a call gate via mmu_update  -EINVAL
 *   desc/{clear_page,copy_page_onto}_gdt                           -EINVAL
 *   desc/pin_gdt_as_l1                 the GDT frame as a table    -EINVAL
 *   desc/gdt_slot3_still_zero          none of that wrote it
 *   desc/bad_<kind>_ro                 bad_page to RO              0
 *   desc/set_gdt_<kind>                bad_page holding a DPL-0
 *                                      call gate, DPL-3 call gate,
 *                                      64-bit TSS, LDT descriptor,
 *                                      interrupt gate, trap gate   -EINVAL
 *   desc/set_gdt_two_<kind>            [gdt_page, bad_page]        -EINVAL
 *   desc/bad_<kind>_rw_again           bad_page back to RW (the
 *                                      failure left no type ref)   0
 *   desc/after_<kind>_selector_loads   our GDT still in place      no fault
 *   desc/after_<kind>_null_slot_faults                             #GP
 *   desc/stale_rw_dropped              bad_page RW -> RO by
 *                                      mmu_update, no guest flush  0
 *   desc/stale_set_gdt                 bad_page as our GDT         0
 *   desc/stale_tlb_write_faults        the type change flushed: a
 *                                      call gate stored through the
 *                                      old VA                      #PF
 *   desc/stale_gdt_selector_loads      that GDT works              no fault
 *   desc/stale_gdt_back, stale_rw_again  gdt_page again, bad_page RW  0
 *   desc/set_gdt_entries_7169          > FIRST_RESERVED_GDT_ENTRY  -EINVAL
 *   desc/set_gdt_entries_high          (1 << 32) + 16              -EINVAL
 *   desc/set_gdt_list_<bad_ptr>        the frame list              -EFAULT
 *   desc/set_gdt_frame_{m2p,foreign,mfn0,beyond_ram}  not ours     -EINVAL
 *   desc/set_gdt_frame_{l4,l1}         a page-table frame          -EINVAL
 *   desc/set_gdt_frame_rw_page         bad_page, mapped RW         -EINVAL
 *   desc/set_gdt_frame_shared_info     (the shim's, typed writable) -EINVAL
 *   desc/final_selector_loads          our GDT survived all that   no fault
 *   desc/update_misaligned             maddr + 4                   -EINVAL
 *   desc/update_{m2p,foreign,mfn0,beyond_ram}  not ours            -EINVAL
 *   desc/update_{l4,l1}                a page-table frame          -EINVAL
 *   desc/update_call_gate_gdt          a call gate into our GDT    -EINVAL
 *   desc/update_tss_rw_page            a TSS into a plain page     -EINVAL
 *   desc/update_gdt_dpl0               DPL-0 data into our GDT     0, read
 *                                      back with DPL 3, and loads
 *   desc/update_rw_page                into a plain page           0
 *   desc/set_gdt_empty                 0 entries: GDT released     0
 *   desc/selector_gone                 index 1 now faults          #GP
 *   desc/gdt_page_rw_after_release     gdt_page RW again           0
 *   desc/pagetables_untouched          as in mmu.c
 */

#include "hostile.h"

#define DESC_FLAT_DATA3 0x00cff3000000ffffUL
#define DESC_FLAT_DATA0 0x00cf93000000ffffUL
#define SEL_DATA        0x0b        /* index 1, RPL 3 */
#define SEL_NULLSLOT    0x13        /* index 2 */

static uint64_t gdt_page[512] __aligned(4096);
static uint64_t bad_page[512] __aligned(4096);

static const struct { const char *name; uint64_t desc; } bad_descs[] = {
    { "call_gate_dpl0", 0x00008c00e0081000UL },
    { "call_gate_dpl3", 0x0000ec00e0081000UL },
    { "tss64", 0x0000890000000067UL },
    { "tss64_busy", 0x00008b0000000067UL },
    { "ldt", 0x0000820000000fffUL },
    { "int_gate", 0x00008e00e0081000UL },
    { "trap_gate_dpl3", 0x0000ef00e0081000UL },
};

static uint16_t saved_es;

static void load_es(void *sel)
{
    uint16_t s = (uint16_t)(unsigned long)sel;

    asm volatile ("mov %0, %%es\n\tmov %1, %%es"
                  :: "r" (s), "r" (saved_es) : "memory");
}

/* Does loading sel into %es fault? (%es is put back right after.) */
static bool sel_faults(uint16_t sel, struct pvt_fault *f)
{
    return pvt_guarded(load_es, (void *)(unsigned long)sel, f);
}

static void sel_loads(const char *name)
{
    struct pvt_fault f;
    bool faulted = sel_faults(SEL_DATA, &f);

    pvt_ok(name, !faulted, "vector %u error %lx", f.vector, f.error_code);
}

static void sel_gp(const char *name, uint16_t sel)
{
    struct pvt_fault f;
    bool faulted = sel_faults(sel, &f);

    pvt_ok(name, faulted && f.vector == 13, "%s (vector %u)",
           faulted ? "wrong vector" : "no fault", faulted ? f.vector : 0);
}

static long set_gdt1(unsigned long mfn, unsigned long entries)
{
    xen_ulong_t frames[1] = { mfn };

    return HYPERVISOR_set_gdt(frames, entries);
}

static void test_bad_pages(unsigned long gdt_mfn)
{
    unsigned long bva = (unsigned long)bad_page;
    uint64_t bpte = pte_read(bva);
    unsigned long bmfn = va_to_mfn(bad_page);
    unsigned int i;
    char name[64];

    for (i = 0; i < PVT_ARRAY_SIZE(bad_descs); i++) {
        xen_ulong_t frames[2] = { gdt_mfn, bmfn };
        const char *k = bad_descs[i].name;

        memset(bad_page, 0, sizeof(bad_page));
        bad_page[1] = DESC_FLAT_DATA3;
        bad_page[3] = bad_descs[i].desc;
        if (!check(pte_write(bva, bpte & ~PTE_RW), 0, "desc/bad_%s_ro", k))
            continue;
        check(set_gdt1(bmfn, 16), -XEN_EINVAL, "desc/set_gdt_%s", k);
        check(HYPERVISOR_set_gdt(frames, 1024), -XEN_EINVAL,
              "desc/set_gdt_two_%s", k);
        check(pte_write(bva, bpte), 0, "desc/bad_%s_rw_again", k);
        pvt_snprintf(name, sizeof(name), "desc/after_%s_selector_loads", k);
        sel_loads(name);
        pvt_snprintf(name, sizeof(name), "desc/after_%s_null_slot_faults", k);
        sel_gp(name, SEL_NULLSLOT);
    }
}

static uint64_t stale_val;

static void write_stale(void *p)
{
    *(volatile uint64_t *)p = stale_val;
}

/*
 * The flush filter for descriptor pages: bad_page goes RW -> RO by
 * mmu_update (no guest flush, a writable TLB entry may survive), then
 * becomes our GDT. That type change must flush: a call gate stored through
 * the old VA faults.
 */
static void test_stale_tlb(unsigned long gdt_mfn)
{
    unsigned long bva = (unsigned long)bad_page, bmfn = va_to_mfn(bad_page);
    uint64_t bpte = pte_read(bva);
    struct pvt_fault f;
    bool faulted;
    mmu_update_t r = { .ptr = pte_maddr(bva), .val = bpte & ~PTE_RW };

    memset(bad_page, 0, sizeof(bad_page));
    bad_page[1] = DESC_FLAT_DATA3;                /* a writable TLB entry */
    if (!check(HYPERVISOR_mmu_update(&r, 1, 0, DOMID_SELF), 0,
               "desc/stale_rw_dropped"))
        return;
    if (check(set_gdt1(bmfn, 16), 0, "desc/stale_set_gdt")) {
        stale_val = bad_descs[0].desc;
        faulted = pvt_guarded(write_stale, &bad_page[3], &f);
        pvt_ok("desc/stale_tlb_write_faults",
               faulted && f.vector == 14 && !bad_page[3],
               "%s (slot 3 = %lx)", faulted ? "wrong vector" :
               "wrote a live GDT through a stale TLB entry",
               (unsigned long)bad_page[3]);
        if (bad_page[3]) {
            stale_val = 0;
            pvt_guarded(write_stale, &bad_page[3], &f);
        }
        sel_loads("desc/stale_gdt_selector_loads");
        check(set_gdt1(gdt_mfn, 16), 0, "desc/stale_gdt_back");
    }
    check(pte_write(bva, bpte), 0, "desc/stale_rw_again");
}

static void test_set_gdt_args(const struct mmu_facts *m)
{
    static const char *const names[] = {
        "m2p", "foreign", "mfn0", "beyond_ram", "l4", "l1", "rw_page",
        "shared_info",
    };
    unsigned long mfns[] = {
        m->m2p_mfn, m->foreign_mfn, 0, m->beyond_mfn, m->l4_mfn, m->l1_mfn,
        va_to_mfn(bad_page), m->shared_info_mfn,
    };
    xen_ulong_t frames[2] = { 0, 0 };
    unsigned int i;

    check(HYPERVISOR_set_gdt(frames, FIRST_RESERVED_GDT_ENTRY + 1),
          -XEN_EINVAL, "desc/set_gdt_entries_7169");
    check(HYPERVISOR_set_gdt(frames, (1UL << 32) + 16), -XEN_EINVAL,
          "desc/set_gdt_entries_high");
    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_set_gdt(bad_ptrs[i].va, 16), -XEN_EFAULT,
              "desc/set_gdt_list_%s", bad_ptrs[i].name);
    for (i = 0; i < PVT_ARRAY_SIZE(names); i++)
        check(set_gdt1(mfns[i], 16), -XEN_EINVAL, "desc/set_gdt_frame_%s",
              names[i]);
    sel_loads("desc/final_selector_loads");
}

static void test_update(const struct mmu_facts *m, unsigned long gdt_mfn)
{
    unsigned long gma = gdt_mfn << 12, bma = va_to_mfn(bad_page) << 12;
    struct pvt_fault f;

    check(HYPERVISOR_update_descriptor(gma + 8 * 4 + 4, DESC_FLAT_DATA3),
          -XEN_EINVAL, "desc/update_misaligned");
    check(HYPERVISOR_update_descriptor(m->m2p_mfn << 12, 0), -XEN_EINVAL,
          "desc/update_m2p");
    check(HYPERVISOR_update_descriptor(m->foreign_mfn << 12, 0), -XEN_EINVAL,
          "desc/update_foreign");
    check(HYPERVISOR_update_descriptor(8, 0), -XEN_EINVAL, "desc/update_mfn0");
    check(HYPERVISOR_update_descriptor(m->beyond_mfn << 12, 0), -XEN_EINVAL,
          "desc/update_beyond_ram");
    check(HYPERVISOR_update_descriptor((m->l4_mfn << 12) + 8 * 8, 0),
          -XEN_EINVAL, "desc/update_l4");
    check(HYPERVISOR_update_descriptor(m->l1_mfn << 12, 0), -XEN_EINVAL,
          "desc/update_l1");
    check(HYPERVISOR_update_descriptor(gma + 8 * 4, bad_descs[0].desc),
          -XEN_EINVAL, "desc/update_call_gate_gdt");
    check(HYPERVISOR_update_descriptor(bma + 8 * 4, bad_descs[2].desc),
          -XEN_EINVAL, "desc/update_tss_rw_page");
    if (check(HYPERVISOR_update_descriptor(gma + 8 * 2, DESC_FLAT_DATA0), 0,
              "desc/update_gdt_dpl0")) {
        pvt_check_x("desc/update_gdt_dpl0_fixed", gdt_page[2],
                    DESC_FLAT_DATA3);
        pvt_ok("desc/update_gdt_dpl0_loads", !sel_faults(SEL_NULLSLOT, &f),
               "vector %u", f.vector);
    }
    if (check(HYPERVISOR_update_descriptor(bma + 8 * 5, DESC_FLAT_DATA0), 0,
              "desc/update_rw_page"))
        pvt_check_x("desc/update_rw_page_fixed", bad_page[5],
                    DESC_FLAT_DATA3);
}

void test_descriptor(void)
{
    const struct mmu_facts *m = mmu_facts();
    unsigned long gva = (unsigned long)gdt_page;
    uint64_t gpte = pte_read(gva), h = pt_hash();
    unsigned long gdt_mfn = va_to_mfn(gdt_page);
    struct pvt_fault f;
    bool faulted;

    asm volatile ("mov %%es, %0" : "=r" (saved_es));
    pvt_printf("xhv-hostile: descriptor: es %x gdt_page mfn %lx\n",
               saved_es, gdt_mfn);
    memset(gdt_page, 0, sizeof(gdt_page));
    gdt_page[1] = DESC_FLAT_DATA3;
    if (!check(pte_write(gva, gpte & ~PTE_RW), 0, "desc/gdt_page_ro") ||
        !check(set_gdt1(gdt_mfn, 16), 0, "desc/set_gdt_ok"))
        return;
    sel_loads("desc/selector_loads");
    sel_gp("desc/null_slot_faults", SEL_NULLSLOT);
    check(pte_write(gva, gpte), -XEN_EBUSY, "desc/gdt_page_map_rw");
    faulted = pvt_write_faults(gva + 8, &f);
    pvt_ok("desc/gdt_page_write_faults", faulted && f.vector == 14,
           "%s", faulted ? "wrong vector" : "the write went through");

    {
        mmu_update_t r = { .ptr = (gdt_mfn << 12) + 8 * 3,
                           .val = bad_descs[0].desc };
        struct mmuext_op op;

        check(HYPERVISOR_mmu_update(&r, 1, 0, DOMID_SELF), -XEN_EINVAL,
              "desc/mmu_update_into_gdt");
        memset(&op, 0, sizeof(op));
        op.cmd = MMUEXT_CLEAR_PAGE;
        op.arg1.mfn = gdt_mfn;
        check(HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF), -XEN_EINVAL,
              "desc/clear_page_gdt");
        op.cmd = MMUEXT_COPY_PAGE;
        op.arg2.src_mfn = va_to_mfn(bad_page);
        check(HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF), -XEN_EINVAL,
              "desc/copy_page_onto_gdt");
        op.cmd = MMUEXT_PIN_L1_TABLE;
        check(HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF), -XEN_EINVAL,
              "desc/pin_gdt_as_l1");
        pvt_check_x("desc/gdt_slot3_still_zero", gdt_page[3], 0);
    }
    test_bad_pages(gdt_mfn);
    test_stale_tlb(gdt_mfn);
    test_set_gdt_args(m);
    test_update(m, gdt_mfn);

    check(HYPERVISOR_set_gdt(0, 0), 0, "desc/set_gdt_empty");
    sel_gp("desc/selector_gone", SEL_DATA);
    check(pte_write(gva, gpte), 0, "desc/gdt_page_rw_after_release");
    pvt_check_x("desc/pagetables_untouched", pt_hash(), h);
}
