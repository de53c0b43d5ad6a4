/*
 * The guest's grant table, version 1 (include/xhv/grant.h states the
 * rules): the shared frames, the active (pin) state of every entry, pins
 * for the backends and for GNTTABOP_copy, swap, seeding and the dump.
 * Xen's xen/common/grant_table.c is the reference for every check and its
 * order; version 2, transitive grants, maptrack handles and transfers are
 * not here.
 *
 * Invariants:
 *  - frames gt.mfn[0, gt.nr_frames) are shared with gt.d (owner d, one
 *    allocation reference, writable type count 1, PGF_shared); the others
 *    are the shim's, zeroed, waiting for gnttab_grow();
 *  - an entry is pinned iff readers + writers > 0; then mfn is the frame
 *    read at the first pin and domid its user; every reader pin holds one
 *    general reference on mfn, every writer pin one general and one
 *    writable type reference;
 *  - while an entry has writers, the shim keeps GTF_writing set in it
 *    (and GTF_reading while pinned at all); the guest may set more flags,
 *    and the shim clears only what it set.
 *
 * Ordering: a first pin sets GTF_reading/GTF_writing before reading the
 * entry's frame (Xen's order), so a guest revoking the grant with a
 * compare-and-swap either wins before the pin (the pin then sees the
 * changed flags) or fails and must wait. That flag write is the one state
 * change made before every check has passed; each later failure undoes it.
 *
 * Locking: none (see include/xhv/grant.h); guest-shared words are only
 * touched with __atomic operations.
 */
#include <xhv/frame_alloc.h>
#include <xhv/grant.h>
#include <xhv/log.h>
#include <xhv/m2p.h>
#include <xhv/mm.h>
#include <xhv/panic.h>
#include <xhv/string.h>

/* Xen gives up on an entry the guest keeps changing after 5 tries. */
#define SET_STATUS_TRIES    5

/* A v1 entry as two 32-bit words: [0] flags | domid << 16, [1] frame. */
#define HDR_FLAGS(h)        ((uint16_t)(h))
#define HDR_DOMID(h)        ((domid_t)((h) >> 16))

struct gnt_active {
    uint64_t mfn;           /* frame pinned (valid while pinned) */
    uint16_t readers;       /* read-only pins */
    uint16_t writers;       /* pins for writing */
    domid_t domid;          /* the user holding the pins */
};

static struct {
    struct domain *d;       /* NULL: no table */
    unsigned int nr_frames; /* shared with d */
    uint64_t mfn[GNTTAB_MAX_FRAMES];
} gt;

static struct gnt_active active[GNTTAB_MAX_ENTRIES];

bool gnttab_ready(const struct domain *d)
{
    return d && gt.d == d;
}

unsigned int gnttab_nr_frames(const struct domain *d)
{
    return gnttab_ready(d) ? gt.nr_frames : 0;
}

uint64_t gnttab_frame_mfn(const struct domain *d, unsigned int i)
{
    return gnttab_ready(d) && i < GNTTAB_MAX_FRAMES ? gt.mfn[i] : FRAME_NONE;
}

static unsigned int nr_entries(void)
{
    return gt.nr_frames * GNTTAB_ENTRIES_PER_FRAME;
}

/* The two words of entry ref (ref < nr_entries()). */
static uint32_t *entry_words(grant_ref_t ref)
{
    uint32_t *f = mm_arch_frame_va(gt.mfn[ref / GNTTAB_ENTRIES_PER_FRAME]);

    BUILD_BUG_ON(sizeof(grant_entry_v1_t) != 8);
    BUILD_BUG_ON(offsetof(grant_entry_v1_t, flags) != 0);
    BUILD_BUG_ON(offsetof(grant_entry_v1_t, domid) != 2);
    BUILD_BUG_ON(offsetof(grant_entry_v1_t, frame) != 4);
    return f + (ref % GNTTAB_ENTRIES_PER_FRAME) * 2;
}

static uint32_t word_load(const uint32_t *w)
{
    return __atomic_load_n(w, __ATOMIC_ACQUIRE);
}

static void word_store(uint32_t *w, uint32_t val)
{
    __atomic_store_n(w, val, __ATOMIC_RELEASE);
}

static bool pinned(const struct gnt_active *a)
{
    return a->readers || a->writers;
}

/* ---- The table ---- */

/* Xen's share_xen_page_with_guest(SHARE_rw). */
static void share_frame(struct domain *d, uint64_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    m2p_set(mfn, M2P_INVALID);
    pg->type = PGT_writable_page;
    pg->type_count = 1;             /* never dropped: never a table */
    pg->flags = PGF_shared | PGF_validated;
    pg->owner = d;
    pg->count = 1;
}

int gnttab_grow(struct domain *d, unsigned int nr_frames)
{
    if (!gnttab_ready(d) || nr_frames > GNTTAB_MAX_FRAMES)
        return -XEN_EINVAL;
    if (nr_frames < GNTTAB_INITIAL_FRAMES)
        nr_frames = GNTTAB_INITIAL_FRAMES;
    /* Invariant: frames [0, gt.nr_frames) are shared with d. */
    while (gt.nr_frames < nr_frames) {
        share_frame(d, gt.mfn[gt.nr_frames]);
        gt.nr_frames++;
    }
    return 0;
}

int gnttab_domain_init(struct domain *d, struct frame_pool *fp)
{
    uint64_t base = frame_alloc(fp, GNTTAB_MAX_FRAMES, 1);
    unsigned int i;

    if (base == FRAME_NONE)
        return -XEN_ENOMEM;
    for (i = 0; i < GNTTAB_MAX_FRAMES; i++) {
        const struct page_info *pg = mfn_to_page(base + i);

        if (!pg || pg->owner || pg->count || pg->type_count ||
            (pg->flags & PGF_io)) {
            frame_free(fp, base, GNTTAB_MAX_FRAMES);
            return -XEN_EINVAL;
        }
    }

    memset(&gt, 0, sizeof(gt));
    memset(active, 0, sizeof(active));
    for (i = 0; i < GNTTAB_MAX_FRAMES; i++) {
        gt.mfn[i] = base + i;
        memset(mm_arch_frame_va(base + i), 0, PAGE_SIZE);
    }
    gt.d = d;
    BUG_ON(gnttab_grow(d, GNTTAB_INITIAL_FRAMES));
    printk(XLOG_INFO "gnttab: d%u v1, %u of %u frames at %#llx\n", d->domid,
           gt.nr_frames, GNTTAB_MAX_FRAMES, (unsigned long long)base);
    return 0;
}

int gnttab_seed_entry(struct domain *d, unsigned int idx, domid_t be_domid,
                      uint64_t frame)
{
    uint32_t *w;

    if (!gnttab_ready(d) || idx >= GNTTAB_NR_RESERVED_ENTRIES ||
        frame > UINT32_MAX)
        return -XEN_EINVAL;
    w = entry_words(idx);
    /* The guest's own order: frame, then the flags that make it valid. */
    word_store(&w[1], (uint32_t)frame);
    word_store(&w[0], GTF_permit_access | (uint32_t)be_domid << 16);
    return 0;
}

void gnttab_dump(const struct domain *d)
{
    unsigned int ref, used = 0;

    if (!gnttab_ready(d)) {
        printk("Grant table: none\n");
        return;
    }
    printk("Grant table of d%u (v1): %u of %u frames, %u entries\n",
           d->domid, gt.nr_frames, GNTTAB_MAX_FRAMES, nr_entries());
    for (ref = 0; ref < nr_entries(); ref++) {
        const uint32_t *w = entry_words(ref);
        uint32_t hdr = word_load(w);
        const struct gnt_active *a = &active[ref];

        if (HDR_FLAGS(hdr) & GTF_type_mask)
            used++;
        if (!pinned(a))
            continue;
        printk("  ref %5u flags %#06x dom %u frame %#x: pinned by d%u, "
               "mfn %#llx, %u r %u w\n", ref, HDR_FLAGS(hdr), HDR_DOMID(hdr),
               word_load(&w[1]), a->domid, (unsigned long long)a->mfn,
               a->readers, a->writers);
    }
    printk("  %u entries in use by the guest\n", used);
}

/* ---- Pins ---- */

/*
 * Xen's _set_status_v1: check the entry (unless already pinned: then the
 * active state rules) and set GTF_reading (| GTF_writing) in one
 * compare-and-swap of the flags+domid word.
 */
static int set_status(uint32_t *w, domid_t ldom, bool readonly, bool map,
                      bool is_pinned)
{
    uint16_t mask = GTF_type_mask | (map ? GTF_sub_page : 0);
    uint32_t old = word_load(w);
    unsigned int tries;

    /* Invariant: old is the header as last seen; nothing written yet. */
    for (tries = 1; ; tries++) {
        uint16_t flags = HDR_FLAGS(old);
        uint32_t new;

        if (!is_pinned && ((flags & mask) != GTF_permit_access ||
                           HDR_DOMID(old) != ldom)) {
            printk(XLOG_G_WARN "gnttab: d%u entry flags %#x dom %u, "
                   "expected d%u\n", gt.d->domid, flags, HDR_DOMID(old),
                   ldom);
            return GNTST_general_error;
        }
        if (!readonly && (flags & GTF_readonly)) {
            printk(XLOG_G_WARN "gnttab: d%u write use of a read-only "
                   "grant\n", gt.d->domid);
            return GNTST_general_error;
        }
        new = old | GTF_reading | (readonly ? 0 : GTF_writing);
        if (__atomic_compare_exchange_n(w, &old, new, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return GNTST_okay;
        if (tries == SET_STATUS_TRIES) {
            printk(XLOG_G_WARN "gnttab: d%u grant entry is unstable\n",
                   gt.d->domid);
            return GNTST_general_error;
        }
    }
}

/*
 * Xen's reduce_status_for_pin: clear what the pins of a no longer need
 * (after a failed pin, or an unpin of the given kind).
 */
static void reduce_status(uint32_t *w, const struct gnt_active *a,
                          bool readonly)
{
    uint32_t clear = pinned(a) ? 0 : GTF_reading;

    if (!readonly && !a->writers)
        clear |= GTF_writing;
    if (clear)
        __atomic_fetch_and(w, ~clear, __ATOMIC_SEQ_CST);
}

int gnttab_pin(struct domain *d, grant_ref_t ref, domid_t ldom,
               bool readonly, bool map, uint64_t *mfn)
{
    struct gnt_active *a;
    struct page_info *pg;
    uint64_t frame;
    uint32_t *w;
    bool was_pinned;
    int rc;

    if (!gnttab_ready(d))
        return GNTST_bad_domain;
    if (ref >= nr_entries()) {
        printk(XLOG_G_WARN "gnttab: d%u bad ref %#x\n", d->domid, ref);
        return GNTST_bad_gntref;
    }
    a = &active[ref];
    w = entry_words(ref);
    was_pinned = pinned(a);
    if (was_pinned && (a->domid != ldom ||
                       (readonly ? a->readers : a->writers) == UINT16_MAX)) {
        printk(XLOG_G_WARN "gnttab: d%u ref %#x pinned by d%u (%u r %u w)\n",
               d->domid, ref, a->domid, a->readers, a->writers);
        return GNTST_general_error;
    }

    if (!was_pinned || (!readonly && !a->writers)) {
        rc = set_status(w, ldom, readonly, map, was_pinned);
        if (rc)
            return rc;
    }
    /* Read once, after the flags: the guest cannot retarget a pin. */
    frame = was_pinned ? a->mfn : word_load(&w[1]);
    pg = get_page_from_mfn(frame, d);
    if (!pg) {
        printk(XLOG_G_WARN "gnttab: d%u ref %#x frame %#llx is not its "
               "own\n", d->domid, ref, (unsigned long long)frame);
        reduce_status(w, a, readonly);
        return was_pinned ? GNTST_general_error : GNTST_bad_page;
    }
    if (!readonly && get_page_type(pg, PGT_writable_page)) {
        printk(XLOG_G_WARN "gnttab: d%u ref %#x frame %#llx cannot be "
               "written (type %u)\n", d->domid, ref,
               (unsigned long long)frame, pg->type);
        put_page(pg);
        reduce_status(w, a, readonly);
        return GNTST_general_error;
    }

    a->mfn = frame;
    a->domid = ldom;
    if (readonly)
        a->readers++;
    else
        a->writers++;
    *mfn = frame;
    return GNTST_okay;
}

int gnttab_unpin(struct domain *d, grant_ref_t ref, bool readonly)
{
    struct gnt_active *a;
    struct page_info *pg;

    if (!gnttab_ready(d) || ref >= nr_entries())
        return GNTST_bad_handle;
    a = &active[ref];
    if (!(readonly ? a->readers : a->writers))
        return GNTST_bad_handle;

    pg = mfn_to_page(a->mfn);
    if (readonly) {
        a->readers--;
    } else {
        a->writers--;
        put_page_type(pg);
    }
    put_page(pg);
    reduce_status(entry_words(ref), a, readonly);
    return GNTST_okay;
}

/* ---- GNTTABOP_copy and swap for the guest ---- */

/*
 * Xen's gnttab_copy_lock_domain: a frame only of DOMID_SELF; a grant of
 * the caller itself. The shim (dom0) publishes no grants, and there is no
 * other domain.
 */
static int16_t copy_side_domain(const struct domain *d, domid_t domid,
                                bool is_gref)
{
    if (!is_gref && domid != DOMID_SELF)
        return GNTST_permission_denied;
    if (domid != DOMID_SELF && domid != d->domid)
        return GNTST_bad_domain;
    return GNTST_okay;
}

/* Take one side: a pin of the caller's grant, or its own frame. */
static int copy_claim(struct domain *d, const struct gnttab_copy_ptr *p,
                      bool is_gref, bool readonly, uint64_t *mfn)
{
    struct page_info *pg;

    if (is_gref)
        return gnttab_pin(d, p->u.ref, d->domid, readonly, false, mfn);
    pg = get_page_from_mfn(p->u.gmfn, d);
    if (!pg) {
        printk(XLOG_G_WARN "gnttab: d%u copy of frame %#llx: not its own\n",
               d->domid, (unsigned long long)p->u.gmfn);
        return GNTST_bad_page;
    }
    if (!readonly && get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        return GNTST_general_error;
    }
    *mfn = p->u.gmfn;
    return GNTST_okay;
}

static void copy_release(struct domain *d, const struct gnttab_copy_ptr *p,
                         bool is_gref, bool readonly, uint64_t mfn)
{
    struct page_info *pg;

    if (is_gref) {
        /* Taken by copy_claim just now: cannot be missing. */
        BUG_ON(gnttab_unpin(d, p->u.ref, readonly) != GNTST_okay);
        return;
    }
    pg = mfn_to_page(mfn);
    if (!readonly)
        put_page_type(pg);
    put_page(pg);
}

int16_t gnttab_copy_one(struct domain *d, const struct gnttab_copy *op)
{
    bool src_gref = op->flags & GNTCOPY_source_gref;
    bool dst_gref = op->flags & GNTCOPY_dest_gref;
    uint64_t src_mfn, dst_mfn;
    int16_t rc;

    if (!op->len)
        return GNTST_okay;
    rc = copy_side_domain(d, op->source.domid, src_gref);
    if (rc == GNTST_okay)
        rc = copy_side_domain(d, op->dest.domid, dst_gref);
    if (rc != GNTST_okay)
        return rc;

    rc = (int16_t)copy_claim(d, &op->source, src_gref, true, &src_mfn);
    if (rc != GNTST_okay)
        return rc;
    rc = (int16_t)copy_claim(d, &op->dest, dst_gref, false, &dst_mfn);
    if (rc != GNTST_okay) {
        copy_release(d, &op->source, src_gref, true, src_mfn);
        return rc;
    }

    if (op->source.offset + op->len > PAGE_SIZE ||
        op->dest.offset + op->len > PAGE_SIZE) {
        rc = GNTST_bad_copy_arg;
    } else {
        /* Both sides may be the same frame: overlap is the guest's. */
        memmove((uint8_t *)mm_arch_frame_va(dst_mfn) + op->dest.offset,
                (const uint8_t *)mm_arch_frame_va(src_mfn) + op->source.offset,
                op->len);
    }
    copy_release(d, &op->dest, dst_gref, false, dst_mfn);
    copy_release(d, &op->source, src_gref, true, src_mfn);
    return rc;
}

int16_t gnttab_swap(struct domain *d, grant_ref_t a, grant_ref_t b)
{
    uint32_t *wa, *wb, ha, fa, hb, fb;

    if (!gnttab_ready(d))
        return GNTST_bad_domain;
    if (a >= nr_entries() || b >= nr_entries())
        return GNTST_bad_gntref;
    if (a == b)
        return GNTST_okay;
    if (pinned(&active[a]) || pinned(&active[b]))
        return GNTST_eagain;
    wa = entry_words(a);
    wb = entry_words(b);
    ha = word_load(&wa[0]);
    fa = word_load(&wa[1]);
    hb = word_load(&wb[0]);
    fb = word_load(&wb[1]);
    word_store(&wa[1], fb);
    word_store(&wa[0], hb);
    word_store(&wb[1], fa);
    word_store(&wb[0], ha);
    return GNTST_okay;
}

/* ---- The backends' API ---- */

int gnt_map_for_backend(struct domain *d, grant_ref_t ref, bool readonly,
                        uint64_t *mfn)
{
    return gnttab_pin(d, ref, GNTTAB_BACKEND_DOMID, readonly, true, mfn);
}

int gnt_unmap_for_backend(struct domain *d, grant_ref_t ref, bool readonly)
{
    int rc = gnttab_unpin(d, ref, readonly);

    if (rc != GNTST_okay)
        printk(XLOG_ERR "gnttab: backend unmap of d%u ref %#x (%s) it does "
               "not hold\n", d ? d->domid : 0, ref,
               readonly ? "read-only" : "writable");
    return rc;
}

int gnt_copy_for_backend(struct domain *d, grant_ref_t ref,
                         unsigned int offset, void *buf, unsigned int len,
                         bool to_guest)
{
    uint64_t mfn;
    uint8_t *p;
    int rc;

    if (offset > PAGE_SIZE || len > PAGE_SIZE - offset)
        return GNTST_bad_copy_arg;
    if (!len)
        return GNTST_okay;
    rc = gnttab_pin(d, ref, GNTTAB_BACKEND_DOMID, !to_guest, false, &mfn);
    if (rc != GNTST_okay)
        return rc;
    p = (uint8_t *)mm_arch_frame_va(mfn) + offset;
    if (to_guest)
        memcpy(p, buf, len);
    else
        memcpy(buf, p, len);
    BUG_ON(gnttab_unpin(d, ref, !to_guest) != GNTST_okay);
    return GNTST_okay;
}
