/*
 * Page types (Xen's get_page_type/put_page_type, validate_page,
 * promote_l*_table, demote_l*_table in xen/arch/x86/mm.c), without
 * preemption: a table is validated or torn down in one go.
 *
 * State machine of one frame (type, type_count, PGF_validated):
 *   count 0, any type  --get(T)-->  type T, count 1, validated if T's
 *                                   contents pass (else back to none, 0)
 *   count n>0, type T  --get(T)-->  count n+1          (get(U != T): EINVAL)
 *   count n>1          --put----->  count n-1
 *   count 1, table     --put----->  un-validated (entries' references
 *                                   dropped), count 0, type kept
 *   count 1, other     --put----->  count 0 (type and validated kept:
 *                                   nothing can have changed the contents)
 * Invariants:
 *   - type_count > 0 implies PGF_validated, except for the one frame of
 *     each level being validated right now (count 1, not validated): a
 *     get() on it fails, which is what refuses a table naming itself or an
 *     ancestor;
 *   - a table's present entries hold references exactly while the table
 *     is validated (the guest cannot write it: no writable type reference
 *     can exist while its type is a table);
 *   - recursion: validate(L4) -> get(L3) -> validate(L3) -> ... -> L1,
 *     at most 4 frames deep, and the same for teardown. A guest controls
 *     the width (512 entries a level), never the depth.
 *
 * Locking: d->lock of the frames' owner (include/xhv/mm.h).
 */
#include <xhv/log.h>
#include <xhv/mm.h>
#include <xhv/panic.h>

static mm_segdesc_check_t segdesc_check;

void mm_set_segdesc_check(mm_segdesc_check_t fn)
{
    segdesc_check = fn;
}

/*
 * A frame changes type: every CPU that may still reach it through a stale
 * TLB or paging-structure cache entry of its old use (no full flush begun
 * since its count hit 0) is flushed first — on all the domain's CPUs, not
 * only this one (the invariant in include/xhv/mm.h). This is what makes a
 * page-table page that just stopped being one safe to hand out writable,
 * and a writable page safe to start validating.
 */
static void type_change_flush(struct page_info *pg)
{
    if (pg->type != PGT_none && pg->owner)
        mm_flush_stale(pg->owner, pg->tlbflush_stamp);
}

/* Drop the references of entries [0, end) of a validated table. */
static void put_table_entries(struct page_info *pg, unsigned int level,
                              unsigned int end)
{
    const uint64_t *t = mm_arch_frame_va(page_to_mfn(pg));
    unsigned int i;

    for (i = 0; i < end; i++) {
        if (level == 4 && !mm_is_guest_l4_slot(i))
            continue;
        mm_put_entry_refs(level, t[i]);
    }
}

/* Validate a table: take every present entry's references, adjust it. */
static int validate_table(struct page_info *pg, unsigned int level)
{
    uint64_t *t = mm_arch_frame_va(page_to_mfn(pg));
    unsigned int i;
    int rc;

    /* Invariant: entries [0, i) are adjusted and hold their references. */
    for (i = 0; i < MM_L1_ENTRIES; i++) {
        uint64_t e = t[i];

        if (level == 4 && !mm_is_guest_l4_slot(i))
            continue;
        /* Only present entries carry frames (L1_MFN_VALID): swap entries
         * and other non-present values are never looked at. */
        if (!(e & PTE_P))
            continue;
        rc = mm_get_entry_refs(level, e, pg->owner);
        if (rc) {
            printk(XLOG_G_WARN "mm: d%u L%u %#llx slot %u = %#llx "
                   "refused (%d)\n", pg->owner->domid, level,
                   (unsigned long long)page_to_mfn(pg), i,
                   (unsigned long long)e, rc);
            put_table_entries(pg, level, i);
            return rc;
        }
        t[i] = mm_adjust_guest_entry(level, e);
    }
    if (level == 4)
        mm_init_shim_l4_slots(t);
    return 0;
}

static int validate_page(struct page_info *pg, unsigned int type)
{
    if (mm_is_table_type(type))
        return validate_table(pg, type);
    if (type == PGT_seg_desc_page) {
        if (!segdesc_check)
            return -XEN_EINVAL;
        return segdesc_check(mm_arch_frame_va(page_to_mfn(pg)));
    }
    return 0;                           /* writable: nothing to check */
}

int get_page_type(struct page_info *pg, unsigned int type)
{
    int rc;

    BUG_ON(type == PGT_none || type > PGT_writable_page);
    if (pg->type_count == 0) {
        if (pg->type != type) {
            type_change_flush(pg);
            pg->type = (uint8_t)type;
            pg->flags &= ~PGF_validated;
        }
    } else if (pg->type != type) {
        return -XEN_EINVAL;             /* in use as something else */
    } else if (!(pg->flags & PGF_validated)) {
        return -XEN_EINVAL;             /* being validated: a loop */
    }
    if (pg->type_count >= MM_COUNT_MAX)
        return -XEN_EINVAL;

    pg->type_count++;
    if (pg->flags & PGF_validated)
        return 0;

    /* count is 1 and the frame is "validate locked" (not validated). */
    rc = validate_page(pg, type);
    if (rc) {
        pg->type_count = 0;
        pg->type = PGT_none;
        pg->tlbflush_stamp = mm_tlb_clock();
        return rc;
    }
    pg->flags |= PGF_validated;
    return 0;
}

void put_page_type(struct page_info *pg)
{
    /* Only a holder puts: shim-internal invariants. */
    BUG_ON(pg->type_count == 0);
    BUG_ON(!(pg->flags & PGF_validated));

    if (pg->type_count == 1 && mm_is_table_type(pg->type)) {
        BUG_ON(pg->flags & PGF_pinned);
        /* Not validated while the entries' references go: any get() of
         * this frame from below fails instead of seeing half a table. */
        pg->flags &= ~PGF_validated;
        put_table_entries(pg, pg->type, MM_L1_ENTRIES);
    }
    pg->type_count--;
    if (pg->type_count == 0)
        pg->tlbflush_stamp = mm_tlb_clock();
}

int get_page_and_type(struct page_info *pg, const struct domain *d,
                      unsigned int type)
{
    int rc;

    if (!get_page(pg, d))
        return -XEN_EINVAL;
    rc = get_page_type(pg, type);
    if (rc)
        put_page(pg);
    return rc;
}

void put_page_and_type(struct page_info *pg)
{
    put_page_type(pg);
    put_page(pg);
}
