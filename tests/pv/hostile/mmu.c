/*
 * The PV MMU hypercalls: mmu_update, update_va_mapping{,_otherdomain},
 * mmuext_op (public xen.h; xhv: shim/hypercall/mmu.c, shim/mm/, the rules
 * in include/xhv/mm.h). Every case aims at the one thing a PV MMU must
 * never allow: the guest writing its own page tables, mapping a frame that
 * is not its own, or touching the shim's memory. Tables used: the
 * bootstrap L4/L3/L2/L1 (start_info.pt_base, mapped read-only), an unused
 * slot in each, and a page-aligned scratch page of our .bss (mapped RW).
 * "foreign" is a RAM frame next to our memory that we do not own (the
 * shim's p2m array); "m2p" the first M2P frame (machphys_mfn_list).
 *
 * Cases (expected outcome):
 *  mmu_update, the frame holding ptr:
 *   mmu/update_ptr_{mfn0,beyond_ram,m2p,foreign}  not ours        -EINVAL
 *   mmu/update_ptr_m2p_no_translate   the same with cmd 3         -EINVAL
 *   mmu/update_cmd_<4..7>             unknown command bits        -ENOSYS
 *  mmu_update of the scratch page's L1 entry (a normal update):
 *   mmu/update_map_{mfn0,beyond_ram}  io / no such frame          -EPERM
 *   mmu/update_map_invalid_mfn        the all-ones frame          -EINVAL
 *   mmu/update_map_{m2p,m2p_rw,foreign}  a shim frame, RO or RW   -EBUSY
 *   mmu/update_map_{l4,l3,l2,l1}_rw   one of our tables, writable -EBUSY
 *   mmu/update_map_{pcd,pwt,pat,gnttab}  forbidden L1 flags       -EINVAL
 *   mmu/update_map_l4_ro              our L4 read-only (allowed)  0
 *   mmu/update_map_l4_ro_reads        and its slots read through it
 *   mmu/update_map_restore            the scratch entry back      0
 *   mmu/update_ro                     RW -> RO (PRESERVE_AD)      0
 *   mmu/update_ro_then_write_faults   INVLPG_LOCAL, a write       #PF
 *   mmu/update_rw_again               RO -> RW                    0
 *   mmu/update_rw_restored_writes     the write works             no fault
 *  mmu_update of an upper-level entry:
 *   mmu/update_l4_hole_<256,271>_{zero,same}  hole slot            -EINVAL
 *   mmu/update_l4_self                L4 slot -> the L4 itself    -EINVAL
 *   mmu/update_l3_self                L3 slot -> the L3 itself    -EINVAL
 *   mmu/update_l4_to_l1               L4 slot -> an L1 table      -EINVAL
 *   mmu/update_l4_to_m2p              L4 slot -> a shim frame     -EINVAL
 *   mmu/update_l2_ps                  L2 slot, PS (a 2M page)     -EINVAL
 *   mmu/update_l2_global              L2 slot, G                  -EINVAL
 *   mmu/update_l2_to_rw_page          L2 slot -> a page mapped RW -EINVAL
 *  MMU_MACHPHYS_UPDATE:
 *   mmu/machphys_{m2p,foreign,mfn0}   a frame not ours            -EINVAL
 *   mmu/machphys_own                  our scratch frame, its pfn  0
 *   mmu/machphys_own_m2p              and the M2P still says so
 *  arguments:
 *   mmu/update_count_huge             count 1 << 21               -EINVAL
 *   mmu/update_count_high_bits_ignored  count (1 << 32) | 1: an
 *                                     unsigned int, as Xen: 1     0
 *   mmu/update_count_max_hole         count 1 << 20, reqs in hole -EFAULT
 *   mmu/update_reqs_<bad_ptr>         count 1                     -EFAULT
 *   mmu/update_count0_null            count 0, reqs NULL          0
 *   mmu/update_dom{0,_own_id,7}       foreigndom                  -ESRCH
 *   mmu/update_dom_{xen,io}           foreigndom                  -EPERM
 *   mmu/update_dom_xen_count0         count 0 (XSM per request)   0
 *   mmu/update_pt_owner_{bad,own}     foreigndom >> 16 = 5 / 2    -ESRCH/0
 *   mmu/update_batch_stops            [ok, hole slot, ok]         -EINVAL
 *   mmu/update_batch_done             *pdone                      1
 *   mmu/update_pdone_{hole,readonly}  pdone in the hole / in the
 *                                     read-only L4 (a failing
 *                                     request): not written       -EINVAL
 *  update_va_mapping:
 *   uvm/va_{hole_m2p,hole_shim,hole_last,noncanonical,noncanonical_hi,
 *           unmapped}                 no guest L1 entry           -EINVAL
 *   uvm/map_{l4,l1}_rw                a table writable            -EBUSY
 *   uvm/map_m2p                       a shim frame                -EBUSY
 *   uvm/map_mfn0                      io                          -EPERM
 *   uvm/{pt_base,l1}_own_mapping_rw   the L4's / first L1's own
 *                                     read-only mapping made RW   -EBUSY
 *   uvm/flags_bitmap_{unmapped,hole,noncanonical}  a vCPU bitmap
 *                                     pointer that cannot be read -EFAULT
 *   uvm/flags_type3                   flush type 3 (none)         0
 *   uvm/scratch_unchanged             each of those wrote back the
 *                                     entry it had: it is unchanged
 *   uvm/other_self                    DOMID_SELF                  0
 *   uvm/other_dom{0,_own_id}                                      -ESRCH
 *   uvm/other_dom_{xen,io}                                        -EPERM
 *  mmuext_op:
 *   mmuext/pin_l1_rw_page             a page mapped RW            -EINVAL
 *   mmuext/pin_l2_of_l1, pin_l4_of_l3 a table of another level    -EINVAL
 *   mmuext/pin_{m2p,mfn0,beyond_ram}  not ours                    -EINVAL
 *   mmuext/pin_l4_double              the L4 is pinned already    -EINVAL
 *   mmuext/pin_l3                     our (in use) L3, as an L3   0
 *   mmuext/pin_l3_double              again                       -EINVAL
 *   mmuext/unpin_l3                   that pin                    0
 *   mmuext/unpin_{l3_unpinned,rw_page,m2p}                        -EINVAL
 *   mmuext/new_baseptr_{l3,rw_page,m2p,mfn0,beyond_ram}           -EINVAL
 *   mmuext/new_baseptr_same           the current L4              0
 *   mmuext/new_user_baseptr_{l3,m2p,beyond_ram}                   -EINVAL
 *   mmuext/set_ldt_{hole,noncanonical,misaligned,too_many}        -EINVAL
 *   mmuext/set_ldt_{ok,none}          page-aligned, 1 entry / 0   0
 *   mmuext/clear_page_{l4,l1,m2p,mfn0}                            -EINVAL
 *   mmuext/copy_page_to_{l4,l1,m2p}   src = scratch               -EINVAL
 *   mmuext/copy_page_from_m2p         dst = scratch               -EINVAL
 *   mmuext/copy_page_ok               L4 -> scratch (reading a
 *                                     table is fine)              0, equal
 *   mmuext/clear_page_ok              scratch                     0, zero
 *   mmuext/fresh_l4_ro, pin_fresh_l4_hole_junk  a zeroed page of
 *                                     ours, RO, junk in hole slots
 *                                     256 and 271, pinned as L4   0
 *   mmuext/fresh_l4_hole_is_shims     those slots now hold the
 *                                     shim's entries, not ours
 *   mmuext/unpin_fresh_l4, fresh_l4_rw_again                      0
 *   mmuext/pin_l4_m2p_entry           guest slot -> a shim frame  -EINVAL
 *   mmuext/new_baseptr_bad_l4         the same page as base       -EINVAL
 *   mmuext/bad_l4_rw_again            no type reference left      0
 *   mmuext/stale_rw_dropped           scratch entry RW -> RO by
 *                                     mmu_update, no guest flush  0
 *   mmuext/stale_pin_l1               the (zeroed) frame as L1    0
 *   mmuext/stale_tlb_write_faults     the type change flushed: a
 *                                     64-bit store of an entry the
 *                                     validator refuses (PCD) to
 *                                     the old VA (ptwr declines)  #PF
 *   mmuext/stale_unpin, stale_rw_again                            0
 *   mmuext/pin_shared_info, new_baseptr_shared_info               -EINVAL
 *   mmuext/flush_multi_bad_mask       vcpumask unmapped           -EINVAL
 *   mmuext/invlpg_multi_hole_mask     vcpumask in the hole        -EINVAL
 *   mmuext/invlpg_noncanonical        INVLPG_LOCAL, ignored       0
 *   mmuext/{mark_super,unmark_super}                              -EOPNOTSUPP
 *   mmuext/flush_cache{,_global}                                  -EACCES
 *   mmuext/cmd_{14,21,99,high}        unknown                     -ENOSYS
 *   mmuext/count_huge                 1 << 21                     -EINVAL
 *   mmuext/ops_<bad_ptr>              count 1                     -EFAULT
 *   mmuext/dom{0,_own_id} / dom_{xen,io}                 -ESRCH / -EPERM
 *   mmuext/batch_stops                [flush, unpin L3, flush]    -EINVAL
 *   mmuext/batch_done                 *pdone                      1
 *  afterwards:
 *   mmu/pagetables_untouched          every bootstrap table frame hashes
 *                                     as before (accessed/dirty masked)
 *   mmu/scratch_pte_restored          the scratch entry is as at start
 *   mmu/console_alive                 console_io still works      0
 */

#include "hostile.h"
#include <xen/memory.h>

#define OWN_DOMID       1       /* xhv's one domU */
#define PTE_PWT         0x008UL
#define PTE_PCD         0x010UL
#define PTE_G           0x100UL
#define PTE_GNTTAB      (1UL << 62)

static uint8_t scratch[4096] __aligned(4096);
static struct mmu_facts facts;
static bool facts_ready;

static const unsigned long *m2p(void)
{
    return (const unsigned long *)MACH2PHYS_VIRT_START;
}

/* Our virtual address of one of our frames (the bootstrap mapping). */
static unsigned long mfn_va(unsigned long mfn)
{
    extern char __xen_virt_base[];

    return (unsigned long)__xen_virt_base + (m2p()[mfn] << 12);
}

const struct mmu_facts *mmu_facts(void)
{
    xen_machphys_mfn_list_t l;
    static xen_pfn_t ext[1];
    unsigned long pfn, lo = ~0UL;

    if (facts_ready)
        return &facts;
    facts.l4_mfn = env.p2m[va_to_pfn((void *)env.pt_base)];
    facts.l3_mfn = env.p2m[va_to_pfn((void *)(env.pt_base + 0x1000))];
    facts.l2_mfn = env.p2m[va_to_pfn((void *)(env.pt_base + 0x2000))];
    facts.l1_mfn = env.p2m[va_to_pfn((void *)(env.pt_base + 0x3000))];
    memset(&l, 0, sizeof(l));
    l.max_extents = 1;
    set_xen_guest_handle(l.extent_start, ext);
    if (HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l) || !ext[0])
        pvt_error("machphys_mfn_list failed");
    facts.m2p_mfn = ext[0];
    facts.max_ram_page = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, 0);
    facts.beyond_mfn = facts.max_ram_page + 0x100000;
    facts.shared_info_mfn = env.si->shared_info >> 12;
    for (pfn = 0; pfn < env.nr_pages; pfn++)
        if (env.p2m[pfn] < lo)
            lo = env.p2m[pfn];
    /* Allocated just before our frames: the shim's copy of our p2m. */
    facts.foreign_mfn = lo - 1;
    if (facts.foreign_mfn < 256 || facts.foreign_mfn == facts.shared_info_mfn)
        pvt_error("no foreign frame below ours (lowest %lx)", lo);
    pvt_printf("xhv-hostile: mmu: L4 %lx L3 %lx L2 %lx L1 %lx m2p %lx "
               "foreign %lx max_ram_page %lx shared_info %lx\n",
               facts.l4_mfn, facts.l3_mfn, facts.l2_mfn, facts.l1_mfn,
               facts.m2p_mfn, facts.foreign_mfn, facts.max_ram_page,
               facts.shared_info_mfn);
    facts_ready = true;
    return &facts;
}

unsigned long pte_maddr(unsigned long va)
{
    unsigned long mfn = mmu_facts()->l4_mfn;
    unsigned int level;

    for (level = 4; level > 1; level--) {
        const uint64_t *t = (const uint64_t *)mfn_va(mfn);
        uint64_t e = t[(va >> (12 + 9 * (level - 1))) & 511];

        if ((e & (PTE_P | PTE_PS)) != PTE_P)
            return 0;
        mfn = (e & PTE_ADDR) >> 12;
    }
    return (mfn << 12) | (((va >> 12) & 511) * 8);
}

uint64_t pte_read(unsigned long va)
{
    unsigned long ma = pte_maddr(va);

    return ma ? ((const uint64_t *)mfn_va(ma >> 12))[(ma & 4095) / 8] : 0;
}

long pte_write(unsigned long va, uint64_t val)
{
    return HYPERVISOR_update_va_mapping(va, val, UVMF_INVLPG | UVMF_LOCAL);
}

uint64_t pt_hash(void)
{
    unsigned long f, nr = env.si->nr_pt_frames;
    uint64_t h = 0xcbf29ce484222325UL;
    unsigned int i;

    for (f = 0; f < nr; f++) {
        const uint64_t *t = (const uint64_t *)(env.pt_base + f * 4096);

        for (i = 0; i < 512; i++)
            h = (h ^ (t[i] & ~PTE_AD)) * 0x100000001b3UL + i;
    }
    return h;
}

static long mmu1(unsigned long ptr, uint64_t val, unsigned long dom)
{
    mmu_update_t r = { .ptr = ptr, .val = val };

    return HYPERVISOR_mmu_update(&r, 1, 0, dom);
}

static long ext1(unsigned int cmd, unsigned long a1, unsigned long a2)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.mfn = a1;
    op.arg2.src_mfn = a2;
    return HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF);
}

/* An empty slot of the table at va, in [from, to), or 512. */
static unsigned int empty_slot(unsigned long va, unsigned int from,
                               unsigned int to)
{
    const uint64_t *t = (const uint64_t *)va;

    for (; from < to; from++)
        if (!t[from])
            return from;
    pvt_error("no empty slot in the table at %lx", va);
    return 512;
}

static uint64_t stale_val;

static void write_stale(void *p)
{
    *(volatile uint64_t *)p = stale_val;
}

static void write_scratch(void *p)
{
    *(volatile uint8_t *)p = 0x5a;
}

static void test_update(const struct mmu_facts *m, uint64_t spte,
                        unsigned long spte_ma)
{
    static const struct { const char *name; uint64_t bits; } badflags[] = {
        { "pcd", PTE_PCD }, { "pwt", PTE_PWT }, { "pat", PTE_PS },
        { "gnttab", PTE_GNTTAB },
    };
    uint64_t low = spte & ~PTE_ADDR & ~PTE_RW;     /* flags, read-only */
    unsigned long sva = (unsigned long)scratch;
    struct pvt_fault f;
    unsigned int i, s4, s3, s2;
    mmu_update_t r[3];
    uint32_t done;
    bool faulted;

    check(mmu1(0 | 0, 0, DOMID_SELF), -XEN_EINVAL, "mmu/update_ptr_mfn0");
    check(mmu1(m->beyond_mfn << 12, 0, DOMID_SELF), -XEN_EINVAL,
          "mmu/update_ptr_beyond_ram");
    check(mmu1(m->m2p_mfn << 12, 0, DOMID_SELF), -XEN_EINVAL,
          "mmu/update_ptr_m2p");
    check(mmu1(m->foreign_mfn << 12, 0, DOMID_SELF), -XEN_EINVAL,
          "mmu/update_ptr_foreign");
    check(mmu1((m->m2p_mfn << 12) | MMU_PT_UPDATE_NO_TRANSLATE, 0,
               DOMID_SELF), -XEN_EINVAL, "mmu/update_ptr_m2p_no_translate");
    for (i = 4; i < 8; i++)
        check(mmu1(spte_ma | i, spte, DOMID_SELF), -XEN_ENOSYS,
              "mmu/update_cmd_%u", i);

    check(mmu1(spte_ma, low | PTE_RW, DOMID_SELF), -XEN_EPERM,
          "mmu/update_map_mfn0");
    check(mmu1(spte_ma, (m->beyond_mfn << 12) | low, DOMID_SELF), -XEN_EPERM,
          "mmu/update_map_beyond_ram");
    check(mmu1(spte_ma, PTE_ADDR | low, DOMID_SELF), -XEN_EINVAL,
          "mmu/update_map_invalid_mfn");
    check(mmu1(spte_ma, (m->m2p_mfn << 12) | low, DOMID_SELF), -XEN_EBUSY,
          "mmu/update_map_m2p");
    check(mmu1(spte_ma, (m->m2p_mfn << 12) | low | PTE_RW, DOMID_SELF),
          -XEN_EBUSY, "mmu/update_map_m2p_rw");
    check(mmu1(spte_ma, (m->foreign_mfn << 12) | low | PTE_RW, DOMID_SELF),
          -XEN_EBUSY, "mmu/update_map_foreign");
    check(mmu1(spte_ma, (m->l4_mfn << 12) | low | PTE_RW, DOMID_SELF),
          -XEN_EBUSY, "mmu/update_map_l4_rw");
    check(mmu1(spte_ma, (m->l3_mfn << 12) | low | PTE_RW, DOMID_SELF),
          -XEN_EBUSY, "mmu/update_map_l3_rw");
    check(mmu1(spte_ma, (m->l2_mfn << 12) | low | PTE_RW, DOMID_SELF),
          -XEN_EBUSY, "mmu/update_map_l2_rw");
    check(mmu1(spte_ma, (m->l1_mfn << 12) | low | PTE_RW, DOMID_SELF),
          -XEN_EBUSY, "mmu/update_map_l1_rw");
    for (i = 0; i < PVT_ARRAY_SIZE(badflags); i++)
        check(mmu1(spte_ma, spte | badflags[i].bits, DOMID_SELF), -XEN_EINVAL,
              "mmu/update_map_%s", badflags[i].name);

    /* Our L4 read-only at the scratch address: allowed, and it reads. */
    if (check(mmu1(spte_ma, (m->l4_mfn << 12) | low, DOMID_SELF), 0,
              "mmu/update_map_l4_ro")) {
        ext1(MMUEXT_INVLPG_LOCAL, sva, 0);
        pvt_ok("mmu/update_map_l4_ro_reads",
               memcmp(scratch, (const void *)env.pt_base, 2048) == 0,
               "the scratch address does not show the L4");
    }
    check(mmu1(spte_ma, spte, DOMID_SELF), 0, "mmu/update_map_restore");
    ext1(MMUEXT_INVLPG_LOCAL, sva, 0);

    check(mmu1(spte_ma | MMU_PT_UPDATE_PRESERVE_AD, spte & ~PTE_RW,
               DOMID_SELF), 0, "mmu/update_ro");
    ext1(MMUEXT_INVLPG_LOCAL, sva, 0);
    faulted = pvt_write_faults(sva, &f);
    pvt_ok("mmu/update_ro_then_write_faults", faulted && f.vector == 14,
           "%s", faulted ? "wrong vector" : "the write went through");
    check(mmu1(spte_ma, spte, DOMID_SELF), 0, "mmu/update_rw_again");
    ext1(MMUEXT_INVLPG_LOCAL, sva, 0);
    pvt_ok("mmu/update_rw_restored_writes",
           !pvt_guarded(write_scratch, scratch, &f) && scratch[0] == 0x5a,
           "the write faulted (vector %u)", f.vector);

    /* Upper levels. */
    s4 = empty_slot(env.pt_base, 1, 256);
    s3 = empty_slot(env.pt_base + 0x1000, 0, 512);
    s2 = empty_slot(env.pt_base + 0x2000, 0, 512);
    for (i = 256; i <= 271; i += 15) {
        uint64_t cur = ((const uint64_t *)env.pt_base)[i];

        check(mmu1((m->l4_mfn << 12) + i * 8, 0, DOMID_SELF), -XEN_EINVAL,
              "mmu/update_l4_hole_%u_zero", i);
        check(mmu1((m->l4_mfn << 12) + i * 8, cur, DOMID_SELF), -XEN_EINVAL,
              "mmu/update_l4_hole_%u_same", i);
    }
    check(mmu1((m->l4_mfn << 12) + s4 * 8, (m->l4_mfn << 12) | 0x7,
               DOMID_SELF), -XEN_EINVAL, "mmu/update_l4_self");
    check(mmu1((m->l3_mfn << 12) + s3 * 8, (m->l3_mfn << 12) | 0x7,
               DOMID_SELF), -XEN_EINVAL, "mmu/update_l3_self");
    check(mmu1((m->l4_mfn << 12) + s4 * 8, (m->l1_mfn << 12) | 0x7,
               DOMID_SELF), -XEN_EINVAL, "mmu/update_l4_to_l1");
    check(mmu1((m->l4_mfn << 12) + s4 * 8, (m->m2p_mfn << 12) | 0x7,
               DOMID_SELF), -XEN_EINVAL, "mmu/update_l4_to_m2p");
    check(mmu1((m->l2_mfn << 12) + s2 * 8, (env.p2m[0] << 12) | 0x7 | PTE_PS,
               DOMID_SELF), -XEN_EINVAL, "mmu/update_l2_ps");
    check(mmu1((m->l2_mfn << 12) + s2 * 8, (m->l1_mfn << 12) | 0x7 | PTE_G,
               DOMID_SELF), -XEN_EINVAL, "mmu/update_l2_global");
    check(mmu1((m->l2_mfn << 12) + s2 * 8,
               (va_to_mfn(scratch) << 12) | 0x7, DOMID_SELF), -XEN_EINVAL,
          "mmu/update_l2_to_rw_page");

    /* MMU_MACHPHYS_UPDATE */
    check(mmu1((m->m2p_mfn << 12) | MMU_MACHPHYS_UPDATE, 0, DOMID_SELF),
          -XEN_EINVAL, "mmu/machphys_m2p");
    check(mmu1((m->foreign_mfn << 12) | MMU_MACHPHYS_UPDATE, 0, DOMID_SELF),
          -XEN_EINVAL, "mmu/machphys_foreign");
    check(mmu1(MMU_MACHPHYS_UPDATE, 0, DOMID_SELF), -XEN_EINVAL,
          "mmu/machphys_mfn0");
    check(mmu1((va_to_mfn(scratch) << 12) | MMU_MACHPHYS_UPDATE,
               va_to_pfn(scratch), DOMID_SELF), 0, "mmu/machphys_own");
    pvt_ok("mmu/machphys_own_m2p", m2p()[va_to_mfn(scratch)] ==
           va_to_pfn(scratch), "m2p says %lx", m2p()[va_to_mfn(scratch)]);

    /* Arguments. */
    r[0].ptr = spte_ma;
    r[0].val = spte;
    check(HYPERVISOR_mmu_update(r, 1UL << 21, 0, DOMID_SELF), -XEN_EINVAL,
          "mmu/update_count_huge");
    check(HYPERVISOR_mmu_update(r, (1UL << 32) | 1, 0, DOMID_SELF), 0,
          "mmu/update_count_high_bits_ignored");
    check(HYPERVISOR_mmu_update(VA_HOLE_SHIM, 1UL << 20, 0, DOMID_SELF),
          -XEN_EFAULT, "mmu/update_count_max_hole");
    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_mmu_update(bad_ptrs[i].va, 1, 0, DOMID_SELF),
              -XEN_EFAULT, "mmu/update_reqs_%s", bad_ptrs[i].name);
    check(HYPERVISOR_mmu_update(0, 0, 0, DOMID_SELF), 0,
          "mmu/update_count0_null");
    check(HYPERVISOR_mmu_update(r, 1, 0, 0), -XEN_ESRCH, "mmu/update_dom0");
    check(HYPERVISOR_mmu_update(r, 1, 0, OWN_DOMID), -XEN_ESRCH,
          "mmu/update_dom_own_id");
    check(HYPERVISOR_mmu_update(r, 1, 0, 7), -XEN_ESRCH, "mmu/update_dom7");
    check(HYPERVISOR_mmu_update(r, 1, 0, DOMID_XEN), -XEN_EPERM,
          "mmu/update_dom_xen");
    check(HYPERVISOR_mmu_update(r, 1, 0, DOMID_IO), -XEN_EPERM,
          "mmu/update_dom_io");
    check(HYPERVISOR_mmu_update(r, 0, 0, DOMID_XEN), 0,
          "mmu/update_dom_xen_count0");
    check(HYPERVISOR_mmu_update(r, 1, 0, (5U << 16) | DOMID_SELF), -XEN_ESRCH,
          "mmu/update_pt_owner_bad");
    check(HYPERVISOR_mmu_update(r, 1, 0, ((OWN_DOMID + 1U) << 16) |
                                DOMID_SELF), 0, "mmu/update_pt_owner_own");

    r[1].ptr = (m->l4_mfn << 12) + 256 * 8;
    r[1].val = 0;
    r[2] = r[0];
    done = 77;
    check(HYPERVISOR_mmu_update(r, 3, &done, DOMID_SELF), -XEN_EINVAL,
          "mmu/update_batch_stops");
    check(done, 1, "mmu/update_batch_done");
    check(HYPERVISOR_mmu_update(&r[1], 1, VA_HOLE_SHIM, DOMID_SELF),
          -XEN_EINVAL, "mmu/update_pdone_hole");
    check(HYPERVISOR_mmu_update(&r[1], 1, env.ro_va, DOMID_SELF),
          -XEN_EINVAL, "mmu/update_pdone_readonly");
}

static void test_uvm(const struct mmu_facts *m, uint64_t spte)
{
    static const struct { const char *name; unsigned long va; } bad[] = {
        { "hole_m2p", VA_HOLE_M2P }, { "hole_shim", VA_HOLE_SHIM },
        { "hole_last", VA_HOLE_LAST }, { "noncanonical", VA_NONCANON },
        { "noncanonical_hi", VA_NONCANON_HI }, { "unmapped", VA_UNMAPPED },
    };
    uint64_t low = spte & ~PTE_ADDR & ~PTE_RW;
    unsigned long sva = (unsigned long)scratch;
    unsigned int i;

    for (i = 0; i < PVT_ARRAY_SIZE(bad); i++)
        check(HYPERVISOR_update_va_mapping(bad[i].va, spte, UVMF_INVLPG),
              -XEN_EINVAL, "uvm/va_%s", bad[i].name);
    check(pte_write(sva, (m->l4_mfn << 12) | low | PTE_RW), -XEN_EBUSY,
          "uvm/map_l4_rw");
    check(pte_write(sva, (m->l1_mfn << 12) | low | PTE_RW), -XEN_EBUSY,
          "uvm/map_l1_rw");
    check(pte_write(sva, (m->m2p_mfn << 12) | low), -XEN_EBUSY,
          "uvm/map_m2p");
    check(pte_write(sva, low), -XEN_EPERM, "uvm/map_mfn0");
    check(pte_write(env.pt_base, pte_read(env.pt_base) | PTE_RW), -XEN_EBUSY,
          "uvm/pt_base_own_mapping_rw");
    check(pte_write(env.pt_base + 0x3000, pte_read(env.pt_base + 0x3000) |
                    PTE_RW), -XEN_EBUSY, "uvm/l1_own_mapping_rw");
    check(HYPERVISOR_update_va_mapping(sva, spte, UVMF_INVLPG | VA_UNMAPPED),
          -XEN_EFAULT, "uvm/flags_bitmap_unmapped");
    check(HYPERVISOR_update_va_mapping(sva, spte,
                                       UVMF_TLB_FLUSH | VA_HOLE_SHIM),
          -XEN_EFAULT, "uvm/flags_bitmap_hole");
    check(HYPERVISOR_update_va_mapping(sva, spte, UVMF_INVLPG | VA_NONCANON),
          -XEN_EFAULT, "uvm/flags_bitmap_noncanonical");
    check(HYPERVISOR_update_va_mapping(sva, spte, 3), 0, "uvm/flags_type3");
    pvt_check_x("uvm/scratch_unchanged", pte_read(sva) & ~PTE_AD,
                spte & ~PTE_AD);

    check(HYPERVISOR_update_va_mapping_otherdomain(sva, spte, UVMF_INVLPG,
                                                   DOMID_SELF), 0,
          "uvm/other_self");
    check(HYPERVISOR_update_va_mapping_otherdomain(sva, spte, UVMF_INVLPG, 0),
          -XEN_ESRCH, "uvm/other_dom0");
    check(HYPERVISOR_update_va_mapping_otherdomain(sva, spte, UVMF_INVLPG,
                                                   OWN_DOMID), -XEN_ESRCH,
          "uvm/other_dom_own_id");
    check(HYPERVISOR_update_va_mapping_otherdomain(sva, spte, UVMF_INVLPG,
                                                   DOMID_XEN), -XEN_EPERM,
          "uvm/other_dom_xen");
    check(HYPERVISOR_update_va_mapping_otherdomain(sva, spte, UVMF_INVLPG,
                                                   DOMID_IO), -XEN_EPERM,
          "uvm/other_dom_io");
}

/*
 * A fresh L4 of ours (the scratch page, read-only): its hole slots are the
 * shim's whatever the guest wrote there, and a bad guest slot fails it.
 */
static void test_fresh_l4(const struct mmu_facts *m)
{
    unsigned long sva = (unsigned long)scratch, smfn = va_to_mfn(scratch);
    uint64_t spte = pte_read(sva);
    volatile uint64_t *t = (volatile uint64_t *)scratch;
    const uint64_t *l4 = (const uint64_t *)env.pt_base;

    memset(scratch, 0, sizeof(scratch));
    t[256] = (m->l3_mfn << 12) | 0x7;           /* junk in the hole */
    t[271] = (smfn << 12) | 0x7;                /* itself, in the hole */
    if (!check(pte_write(sva, spte & ~PTE_RW), 0, "mmuext/fresh_l4_ro"))
        return;
    if (check(ext1(MMUEXT_PIN_L4_TABLE, smfn, 0), 0,
              "mmuext/pin_fresh_l4_hole_junk")) {
        pvt_ok("mmuext/fresh_l4_hole_is_shims",
               ((t[256] ^ l4[256]) & ~PTE_AD) == 0 &&
               ((t[271] ^ l4[271]) & ~PTE_AD) == 0,
               "slot 256 %lx (ours %lx), 271 %lx (ours %lx)",
               (unsigned long)t[256], (unsigned long)l4[256],
               (unsigned long)t[271], (unsigned long)l4[271]);
        check(ext1(MMUEXT_UNPIN_TABLE, smfn, 0), 0, "mmuext/unpin_fresh_l4");
    }
    check(pte_write(sva, spte), 0, "mmuext/fresh_l4_rw_again");
    memset(scratch, 0, sizeof(scratch));
    t[3] = (m->m2p_mfn << 12) | 0x7;            /* a shim frame as L3 */
    t[4] = (smfn << 12) | 0x7;                  /* itself as L3 */
    if (!check(pte_write(sva, spte & ~PTE_RW), 0, "mmuext/bad_l4_ro"))
        return;
    check(ext1(MMUEXT_PIN_L4_TABLE, smfn, 0), -XEN_EINVAL,
          "mmuext/pin_l4_m2p_entry");
    check(ext1(MMUEXT_NEW_BASEPTR, smfn, 0), -XEN_EINVAL,
          "mmuext/new_baseptr_bad_l4");
    check(pte_write(sva, spte), 0, "mmuext/bad_l4_rw_again");
    t[3] = 0;

    /*
     * The flush filter: the scratch entry goes RW -> RO by mmu_update (no
     * guest flush, so a writable TLB entry may survive), then the frame is
     * pinned as an L1. That type change must flush: the write then faults.
     */
    memset(scratch, 0, sizeof(scratch));
    {
        struct pvt_fault f;
        bool faulted;
        unsigned long ma = pte_maddr(sva);

        scratch[8] = 0;                         /* a writable TLB entry */
        stale_val = (smfn << 12) | PTE_P | PTE_PCD;  /* ptwr refuses it */
        if (check(mmu1(ma, spte & ~PTE_RW, DOMID_SELF), 0,
                  "mmuext/stale_rw_dropped") &&
            check(ext1(MMUEXT_PIN_L1_TABLE, smfn, 0), 0,
                  "mmuext/stale_pin_l1")) {
            faulted = pvt_guarded(write_stale, scratch + 8, &f);
            pvt_ok("mmuext/stale_tlb_write_faults",
                   faulted && f.vector == 14 && !t[1],
                   "%s (entry 1 = %lx)", faulted ? "wrong vector" :
                   "wrote a pinned L1 through a stale TLB entry",
                   (unsigned long)t[1]);
            if (t[1]) {                 /* take it back the same way */
                stale_val = 0;
                pvt_guarded(write_stale, scratch + 8, &f);
            }
            check(ext1(MMUEXT_UNPIN_TABLE, smfn, 0), 0, "mmuext/stale_unpin");
        }
        check(pte_write(sva, spte), 0, "mmuext/stale_rw_again");
    }
    check(ext1(MMUEXT_PIN_L1_TABLE, m->shared_info_mfn, 0), -XEN_EINVAL,
          "mmuext/pin_shared_info");
    check(ext1(MMUEXT_NEW_BASEPTR, m->shared_info_mfn, 0), -XEN_EINVAL,
          "mmuext/new_baseptr_shared_info");
}

static void test_mmuext(const struct mmu_facts *m)
{
    unsigned long smfn = va_to_mfn(scratch);
    struct mmuext_op ops[3];
    unsigned int i;
    uint32_t done;
    static const char *const notours[] = { "m2p", "mfn0", "beyond_ram" };
    unsigned long nmfn[3] = { m->m2p_mfn, 0, m->beyond_mfn };

    check(ext1(MMUEXT_PIN_L1_TABLE, smfn, 0), -XEN_EINVAL,
          "mmuext/pin_l1_rw_page");
    check(ext1(MMUEXT_PIN_L2_TABLE, m->l1_mfn, 0), -XEN_EINVAL,
          "mmuext/pin_l2_of_l1");
    check(ext1(MMUEXT_PIN_L4_TABLE, m->l3_mfn, 0), -XEN_EINVAL,
          "mmuext/pin_l4_of_l3");
    for (i = 0; i < 3; i++)
        check(ext1(MMUEXT_PIN_L4_TABLE, nmfn[i], 0), -XEN_EINVAL,
              "mmuext/pin_%s", notours[i]);
    check(ext1(MMUEXT_PIN_L4_TABLE, m->l4_mfn, 0), -XEN_EINVAL,
          "mmuext/pin_l4_double");
    check(ext1(MMUEXT_PIN_L3_TABLE, m->l3_mfn, 0), 0, "mmuext/pin_l3");
    check(ext1(MMUEXT_PIN_L3_TABLE, m->l3_mfn, 0), -XEN_EINVAL,
          "mmuext/pin_l3_double");
    check(ext1(MMUEXT_UNPIN_TABLE, m->l3_mfn, 0), 0, "mmuext/unpin_l3");
    check(ext1(MMUEXT_UNPIN_TABLE, m->l3_mfn, 0), -XEN_EINVAL,
          "mmuext/unpin_l3_unpinned");
    check(ext1(MMUEXT_UNPIN_TABLE, smfn, 0), -XEN_EINVAL,
          "mmuext/unpin_rw_page");
    check(ext1(MMUEXT_UNPIN_TABLE, m->m2p_mfn, 0), -XEN_EINVAL,
          "mmuext/unpin_m2p");

    check(ext1(MMUEXT_NEW_BASEPTR, m->l3_mfn, 0), -XEN_EINVAL,
          "mmuext/new_baseptr_l3");
    check(ext1(MMUEXT_NEW_BASEPTR, smfn, 0), -XEN_EINVAL,
          "mmuext/new_baseptr_rw_page");
    for (i = 0; i < 3; i++)
        check(ext1(MMUEXT_NEW_BASEPTR, nmfn[i], 0), -XEN_EINVAL,
              "mmuext/new_baseptr_%s", notours[i]);
    check(ext1(MMUEXT_NEW_BASEPTR, m->l4_mfn, 0), 0,
          "mmuext/new_baseptr_same");
    check(ext1(MMUEXT_NEW_USER_BASEPTR, m->l3_mfn, 0), -XEN_EINVAL,
          "mmuext/new_user_baseptr_l3");
    check(ext1(MMUEXT_NEW_USER_BASEPTR, m->m2p_mfn, 0), -XEN_EINVAL,
          "mmuext/new_user_baseptr_m2p");
    check(ext1(MMUEXT_NEW_USER_BASEPTR, m->beyond_mfn, 0), -XEN_EINVAL,
          "mmuext/new_user_baseptr_beyond_ram");

    check(ext1(MMUEXT_SET_LDT, VA_HOLE_SHIM, 1), -XEN_EINVAL,
          "mmuext/set_ldt_hole");
    check(ext1(MMUEXT_SET_LDT, VA_NONCANON, 1), -XEN_EINVAL,
          "mmuext/set_ldt_noncanonical");
    check(ext1(MMUEXT_SET_LDT, (unsigned long)scratch + 8, 1), -XEN_EINVAL,
          "mmuext/set_ldt_misaligned");
    check(ext1(MMUEXT_SET_LDT, (unsigned long)scratch, 8193), -XEN_EINVAL,
          "mmuext/set_ldt_too_many");
    check(ext1(MMUEXT_SET_LDT, (unsigned long)scratch, 1), 0,
          "mmuext/set_ldt_ok");
    check(ext1(MMUEXT_SET_LDT, 0, 0), 0, "mmuext/set_ldt_none");

    check(ext1(MMUEXT_CLEAR_PAGE, m->l4_mfn, 0), -XEN_EINVAL,
          "mmuext/clear_page_l4");
    check(ext1(MMUEXT_CLEAR_PAGE, m->l1_mfn, 0), -XEN_EINVAL,
          "mmuext/clear_page_l1");
    check(ext1(MMUEXT_CLEAR_PAGE, m->m2p_mfn, 0), -XEN_EINVAL,
          "mmuext/clear_page_m2p");
    check(ext1(MMUEXT_CLEAR_PAGE, 0, 0), -XEN_EINVAL, "mmuext/clear_page_mfn0");
    check(ext1(MMUEXT_COPY_PAGE, m->l4_mfn, smfn), -XEN_EINVAL,
          "mmuext/copy_page_to_l4");
    check(ext1(MMUEXT_COPY_PAGE, m->l1_mfn, smfn), -XEN_EINVAL,
          "mmuext/copy_page_to_l1");
    check(ext1(MMUEXT_COPY_PAGE, m->m2p_mfn, smfn), -XEN_EINVAL,
          "mmuext/copy_page_to_m2p");
    check(ext1(MMUEXT_COPY_PAGE, smfn, m->m2p_mfn), -XEN_EINVAL,
          "mmuext/copy_page_from_m2p");
    if (check(ext1(MMUEXT_COPY_PAGE, smfn, m->l4_mfn), 0,
              "mmuext/copy_page_ok"))
        pvt_ok("mmuext/copy_page_equal",
               memcmp(scratch, (const void *)env.pt_base, 4096) == 0,
               "scratch differs from the L4");
    if (check(ext1(MMUEXT_CLEAR_PAGE, smfn, 0), 0, "mmuext/clear_page_ok")) {
        for (i = 0; i < 4096 && !scratch[i]; i++)
            ;
        pvt_ok("mmuext/clear_page_zero", i == 4096, "byte %u not 0", i);
    }
    test_fresh_l4(m);

    check(ext1(MMUEXT_TLB_FLUSH_MULTI, 0, VA_UNMAPPED), -XEN_EINVAL,
          "mmuext/flush_multi_bad_mask");
    check(ext1(MMUEXT_INVLPG_MULTI, 0, VA_HOLE_SHIM), -XEN_EINVAL,
          "mmuext/invlpg_multi_hole_mask");
    check(ext1(MMUEXT_INVLPG_LOCAL, VA_NONCANON, 0), 0,
          "mmuext/invlpg_noncanonical");
    check(ext1(MMUEXT_MARK_SUPER, env.p2m[0], 0), -XEN_EOPNOTSUPP,
          "mmuext/mark_super");
    check(ext1(MMUEXT_UNMARK_SUPER, env.p2m[0], 0), -XEN_EOPNOTSUPP,
          "mmuext/unmark_super");
    check(ext1(MMUEXT_FLUSH_CACHE, 0, 0), -XEN_EACCES, "mmuext/flush_cache");
    check(ext1(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -XEN_EACCES,
          "mmuext/flush_cache_global");
    check(ext1(14, 0, 0), -XEN_ENOSYS, "mmuext/cmd_14");
    check(ext1(21, 0, 0), -XEN_ENOSYS, "mmuext/cmd_21");
    check(ext1(99, 0, 0), -XEN_ENOSYS, "mmuext/cmd_99");
    check(ext1(0x80000000u, 0, 0), -XEN_ENOSYS, "mmuext/cmd_high");

    memset(ops, 0, sizeof(ops));
    ops[0].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    check(HYPERVISOR_mmuext_op(ops, 1UL << 21, 0, DOMID_SELF), -XEN_EINVAL,
          "mmuext/count_huge");
    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_mmuext_op(bad_ptrs[i].va, 1, 0, DOMID_SELF),
              -XEN_EFAULT, "mmuext/ops_%s", bad_ptrs[i].name);
    check(HYPERVISOR_mmuext_op(ops, 1, 0, 0), -XEN_ESRCH, "mmuext/dom0");
    check(HYPERVISOR_mmuext_op(ops, 1, 0, OWN_DOMID), -XEN_ESRCH,
          "mmuext/dom_own_id");
    check(HYPERVISOR_mmuext_op(ops, 1, 0, DOMID_XEN), -XEN_EPERM,
          "mmuext/dom_xen");
    check(HYPERVISOR_mmuext_op(ops, 1, 0, DOMID_IO), -XEN_EPERM,
          "mmuext/dom_io");
    ops[1].cmd = MMUEXT_UNPIN_TABLE;
    ops[1].arg1.mfn = m->l3_mfn;
    ops[2].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    done = 77;
    check(HYPERVISOR_mmuext_op(ops, 3, &done, DOMID_SELF), -XEN_EINVAL,
          "mmuext/batch_stops");
    check(done, 1, "mmuext/batch_done");
}

void test_mmu(void)
{
    const struct mmu_facts *m = mmu_facts();
    unsigned long sva = (unsigned long)scratch;
    unsigned long spte_ma = pte_maddr(sva);
    uint64_t spte = pte_read(sva), h = pt_hash();

    if (!spte_ma || !(spte & PTE_RW) || (spte & PTE_ADDR) >> 12 !=
        va_to_mfn(scratch)) {
        pvt_error("scratch page %lx: L1 entry %lx at %lx", sva,
                  (unsigned long)spte, spte_ma);
        return;
    }
    test_update(m, spte, spte_ma);
    test_uvm(m, spte);
    test_mmuext(m);

    pvt_check_x("mmu/pagetables_untouched", pt_hash(), h);
    pvt_check_x("mmu/scratch_pte_restored", pte_read(sva) & ~PTE_AD,
                spte & ~PTE_AD);
    check(pvt_printf("xhv-hostile: mmu: still alive\n"), 0,
          "mmu/console_alive");
}
