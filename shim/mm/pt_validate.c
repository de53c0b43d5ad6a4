/*
 * Page-table entry rules for a 64-bit PV domU (Xen's get_page_from_l*e,
 * put_page_from_l*e, adjust_guest_l*e, mod_l*_entry, init_xen_l4_slots,
 * map_guest_l1e), and the walk of a guest's tables to an L1 entry.
 *
 * Present-entry rules (Xen's, for a PV domU without I/O privileges):
 *  - flags: a guest may set P, RW, US, A, D, the available bits 9-11 and
 *    52-62 and NX (if the CPU has it); additionally G in an L1 entry. It
 *    may not set PWT, PCD, PAT/PS (so no 2M/1G pages), G above L1, bit 62
 *    (_PAGE_GNTTAB) in L1, NX without NX support: -XEN_EINVAL.
 *  - L1 entry: the frame must exist and be RAM (-XEN_EPERM otherwise, or
 *    -XEN_EINVAL for the all-ones "invalid" frame), owned by the domain
 *    (its shared_info frame included) (-XEN_EBUSY otherwise: shim frames,
 *    free frames); an RW mapping takes a writable type reference, so a
 *    table or descriptor frame can only be mapped RO (-XEN_EBUSY).
 *  - L2/L3/L4 entry: the frame must be the domain's (-XEN_EINVAL) and take
 *    the next-lower table type (-XEN_EINVAL if in use otherwise, including
 *    every "linear page table"), which validates it.
 *  - L4 slots 256-271 belong to the shim: never validated, never written
 *    by a guest update (-XEN_EINVAL), filled from the shim's L4.
 *  - Adjustments as Xen: present L2/L3 entries get US, L4 entries US|A;
 *    an L1 entry without US becomes a guest-kernel mapping (US plus
 *    MM_PTE_GUEST_KERNEL), one with US a user mapping (plus G).
 * Non-present entries carry nothing and are never interpreted.
 *
 * Locking: none (see include/xhv/mm.h).
 */
#include <xhv/log.h>
#include <xhv/mm.h>
#include <xhv/panic.h>

/* PADDR_MASK >> PAGE_SHIFT in Xen: the "no frame" value of an L1 entry. */
#define INVALID_PTE_MFN (PTE_ADDR_MASK >> PAGE_SHIFT)

uint64_t mm_disallow_mask(unsigned int level)
{
    uint64_t nx = mm_arch_pte_nx() ? 0 : PTE_NX;

    /* Xen: base_disallow_mask = all but P RW US A D AVAIL AVAIL_HIGH NX. */
    if (level == 1)             /* G allowed; no cache attributes, GNTTAB */
        return PTE_PWT | PTE_PCD | MM_PTE_PAT | MM_PTE_GNTTAB | nx;
    return PTE_PWT | PTE_PCD | PTE_PS | PTE_G | nx;
}

uint64_t mm_adjust_guest_entry(unsigned int level, uint64_t e)
{
    if (!(e & PTE_P))
        return e;
    switch (level) {
    case 1:
        if (!(e & PTE_US))
            e |= MM_PTE_GUEST_KERNEL | PTE_US;
        if (!(e & MM_PTE_GUEST_KERNEL))
            e |= PTE_G | PTE_US;
        return e;
    case 4:
        return e | PTE_US | PTE_A;
    default:
        return e | PTE_US;
    }
}

static int get_l1e_refs(uint64_t e, struct domain *d)
{
    uint64_t mfn = pte_mfn(e);
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg || (pg->flags & PGF_io))
        return mfn == INVALID_PTE_MFN ? -XEN_EINVAL : -XEN_EPERM;
    if (!get_page(pg, d))
        return -XEN_EBUSY;
    if ((e & PTE_RW) && get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        return -XEN_EBUSY;
    }
    return 0;
}

int mm_get_entry_refs(unsigned int level, uint64_t e, struct domain *d)
{
    struct page_info *pg;

    BUG_ON(level < 1 || level > 4 || !(e & PTE_P));
    if (e & mm_disallow_mask(level))
        return -XEN_EINVAL;
    if (level == 1)
        return get_l1e_refs(e, d);
    pg = mfn_to_page(pte_mfn(e));
    /* A table naming itself or another table of its level: its frame is
     * already typed L<level> (or is being validated): refused here. */
    return get_page_and_type(pg, d, level - 1);
}

void mm_put_entry_refs(unsigned int level, uint64_t e)
{
    struct page_info *pg;

    if (!(e & PTE_P))
        return;
    pg = mfn_to_page(pte_mfn(e));
    /* A present entry of a validated table always holds references. */
    BUG_ON(!pg);
    if (level > 1 || (e & PTE_RW))
        put_page_and_type(pg);
    else
        put_page(pg);
}

void mm_init_shim_l4_slots(uint64_t *l4)
{
    const uint64_t *shim = mm_arch_shim_l4();
    unsigned int i;

    for (i = XHV_HOLE_FIRST_SLOT; i <= XHV_HOLE_LAST_SLOT; i++)
        l4[i] = shim[i];
}

/* Store an entry in one 64-bit access (the CPU may walk it any time). */
static void write_entry(uint64_t *p, uint64_t val)
{
    *(volatile uint64_t *)p = val;
}

int mm_mod_entry(struct domain *d, struct page_info *pg, unsigned int idx,
                 uint64_t nval, bool preserve_ad, bool *flush)
{
    unsigned int level = pg->type;
    uint64_t *t, old;
    int rc;

    if (pg->owner != d || !mm_is_table_type(level) ||
        !(pg->flags & PGF_validated) || !pg->type_count ||
        idx >= MM_L1_ENTRIES)
        return -XEN_EINVAL;
    if (level == 4 && !mm_is_guest_l4_slot(idx)) {
        printk(XLOG_G_WARN "mm: d%u L4 update in the hypervisor hole, "
               "slot %u\n", d->domid, idx);
        return -XEN_EINVAL;
    }
    t = mm_arch_frame_va(page_to_mfn(pg));
    old = t[idx];

    /* New references first: an entry rewritten to the same target never
     * drops its target's last reference in between. */
    if (nval & PTE_P) {
        rc = mm_get_entry_refs(level, nval, d);
        if (rc) {
            printk(XLOG_G_WARN "mm: d%u L%u %#llx slot %u: %#llx refused "
                   "(%d)\n", d->domid, level,
                   (unsigned long long)page_to_mfn(pg), idx,
                   (unsigned long long)nval, rc);
            return rc;
        }
        nval = mm_adjust_guest_entry(level, nval);
    }
    if (preserve_ad)
        nval |= old & (PTE_A | PTE_D);
    write_entry(&t[idx], nval);
    mm_put_entry_refs(level, old);
    if (level > 1 && flush)
        *flush = true;
    return 0;
}

/* The validated table of this level at mfn, owned by d, or NULL. */
static struct page_info *table_page(const struct domain *d, uint64_t mfn,
                                    unsigned int level)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (!pg || pg->owner != d || pg->type != level || !pg->type_count ||
        !(pg->flags & PGF_validated))
        return NULL;
    return pg;
}

int mm_walk_to_l1(struct domain *d, uint64_t cr3, uint64_t va,
                  struct page_info **l1pg, unsigned int *idx)
{
    uint64_t mfn = cr3 >> PAGE_SHIFT;
    unsigned int level;

    if (!guest_addr_ok(va))
        return -XEN_EINVAL;
    /* Invariant: mfn is the table of this level that maps va. */
    for (level = 4; level > 1; level--) {
        struct page_info *pg = table_page(d, mfn, level);
        const uint64_t *t;
        uint64_t e;

        if (!pg)
            return -XEN_EINVAL;
        t = mm_arch_frame_va(mfn);
        e = t[PT_INDEX(va, L1_SHIFT + 9 * (level - 1))];
        if ((e & (PTE_P | PTE_PS)) != PTE_P)
            return -XEN_EINVAL;
        mfn = pte_mfn(e);
    }
    *l1pg = table_page(d, mfn, 1);
    if (!*l1pg)
        return -XEN_EINVAL;
    *idx = (unsigned int)PT_INDEX(va, L1_SHIFT);
    return 0;
}
