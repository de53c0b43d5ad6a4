/*
 * The frame table: one struct page_info per machine frame the frame pool
 * covers (include/xhv/mm.h states the rules), general references, the
 * adoption of a built domain, and TLB maintenance with a flush clock.
 *
 * Invariants:
 *  - frame_table covers [0, nr_frames); a page_info outside is never made.
 *  - An owned frame (owner != NULL) has count >= 1: its "allocation"
 *    reference, held for as long as the domain owns it.
 *  - PGF_io frames are never owned.
 *  - mm_tlb_clock only grows (mod 2^32, compared as a signed distance:
 *    a wrap only costs a flush).
 *
 * Locking: d->lock (include/xhv/mm.h); the clock and the per-CPU flush
 * times are atomics.
 */
#include <xhv/frame_alloc.h>
#include <xhv/log.h>
#include <xhv/guest_access.h>
#include <xhv/mm.h>
#include <xhv/panic.h>
#include <xhv/string.h>

#define LOW_IO_FRAMES   ((1ULL << 20) >> PAGE_SHIFT)   /* the first MiB */

static struct page_info *frame_table;
static uint64_t nr_frames;
static uint32_t tlb_clock = 1;
/* The clock when each CPU last began a full flush. */
static uint32_t cpu_flush_time[XHV_MAX_CPUS];

int mm_init(struct frame_pool *fp)
{
    uint64_t bytes = fp->max_pfn * sizeof(struct page_info);
    uint64_t frames = ALIGN_UP(bytes, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT;
    uint64_t pfn, mfn;

    BUILD_BUG_ON(sizeof(struct page_info) != 24);
    if (!fp->max_pfn)
        return -XEN_ENOMEM;
    pfn = frame_alloc(fp, frames, 1);
    if (pfn == FRAME_NONE)
        return -XEN_ENOMEM;
    frame_table = mm_arch_frame_va(pfn);
    nr_frames = fp->max_pfn;
    memset(frame_table, 0, frames << PAGE_SHIFT);
    for (mfn = 0; mfn < nr_frames; mfn++)
        if (mfn < LOW_IO_FRAMES || !frame_is_ram(fp, mfn))
            frame_table[mfn].flags = PGF_io;
    printk(XLOG_INFO "mm: frame table for %llu frames (%llu KiB)\n",
           (unsigned long long)nr_frames,
           (unsigned long long)(frames << (PAGE_SHIFT - 10)));
    return 0;
}

struct page_info *mfn_to_page(uint64_t mfn)
{
    return mfn < nr_frames ? &frame_table[mfn] : NULL;
}

uint64_t page_to_mfn(const struct page_info *pg)
{
    return (uint64_t)(pg - frame_table);
}

uint64_t mm_nr_frames(void)
{
    return nr_frames;
}

bool get_page(struct page_info *pg, const struct domain *d)
{
    if (!pg || !d || pg->owner != d)
        return false;
    if (pg->count == 0 || pg->count >= MM_COUNT_MAX)
        return false;
    pg->count++;
    return true;
}

void put_page(struct page_info *pg)
{
    /* Only the holder of a reference puts one: shim-internal. */
    BUG_ON(pg->count == 0);
    pg->count--;
}

struct page_info *get_page_from_mfn(uint64_t mfn, const struct domain *d)
{
    struct page_info *pg = mfn_to_page(mfn);

    return get_page(pg, d) ? pg : NULL;
}

/* ---- TLB maintenance ---- */

uint32_t mm_tlb_clock(void)
{
    return __atomic_load_n(&tlb_clock, __ATOMIC_SEQ_CST);
}

/* Before a full flush begins: its time, later than any earlier stamp. */
static uint32_t flush_begin(void)
{
    return __atomic_add_fetch(&tlb_clock, 1, __ATOMIC_SEQ_CST);
}

static void flush_done(unsigned int cpu, uint32_t t)
{
    uint32_t old = __atomic_load_n(&cpu_flush_time[cpu], __ATOMIC_SEQ_CST);

    /* Keep the latest (two flushers may finish out of order). */
    while ((int32_t)(t - old) > 0 &&
           !__atomic_compare_exchange_n(&cpu_flush_time[cpu], &old, t, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
}

void mm_flush_tlb_local(void)
{
    uint32_t t = flush_begin();

    mm_arch_flush_tlb_local();
    flush_done(mm_arch_cpu(), t);
}

void mm_flush_tlb_mask(const struct cpumask *m, uint64_t va, bool all)
{
    unsigned int cpu;
    uint32_t t;

    if (!all) {
        if (is_canonical(va))
            mm_arch_flush_tlb_mask(m, va, false);
        return;
    }
    t = flush_begin();
    mm_arch_flush_tlb_mask(m, 0, true);
    for_each_cpu(cpu, m)
        flush_done(cpu, t);
}

void mm_flush_stale(const struct domain *d, uint32_t stamp)
{
    struct cpumask m;
    unsigned int cpu;

    cpumask_clear(&m);
    for_each_cpu(cpu, &d->dirty_cpus)
        if ((int32_t)(__atomic_load_n(&cpu_flush_time[cpu],
                                      __ATOMIC_SEQ_CST) - stamp) <= 0)
            cpumask_set(&m, cpu);
    if (!cpumask_empty(&m))
        mm_flush_tlb_mask(&m, 0, true);
}

void mm_invlpg(uint64_t va)
{
    /* invlpg of a non-canonical address would #GP in the shim. */
    if (is_canonical(va))
        mm_arch_invlpg(va);
}

void mm_load_cr3(uint64_t maddr)
{
    uint32_t t = flush_begin();

    mm_arch_write_cr3(maddr);       /* no PGE, no PCID: a full flush */
    flush_done(mm_arch_cpu(), t);
}

/* ---- Adoption of a built domain ---- */

static void disown(struct domain *d)
{
    uint64_t mfn;

    for (mfn = 0; mfn < nr_frames; mfn++)
        if (frame_table[mfn].owner == d)
            memset(&frame_table[mfn], 0, sizeof(frame_table[mfn]));
}

static bool adoptable(uint64_t mfn)
{
    const struct page_info *pg = mfn_to_page(mfn);

    return pg && !pg->owner && !(pg->flags & PGF_io);
}

int mm_adopt_domain(struct domain *d, uint64_t l4_mfn)
{
    struct page_info *l4, *si;
    uint64_t pfn, l4_maddr = l4_mfn << PAGE_SHIFT;
    unsigned int i, refs = 0;
    int rc;

    /* Validate everything first. */
    if (!d->p2m || !d->nr_pages || !adoptable(d->shared_info_mfn))
        return -XEN_EINVAL;
    for (pfn = 0; pfn < d->nr_pages; pfn++)
        if (!adoptable(d->p2m[pfn]) || d->p2m[pfn] == d->shared_info_mfn)
            return -XEN_EINVAL;
    for (i = 0; i < d->nr_vcpus; i++) {
        const struct vcpu *v = &d->vcpus[i];

        if (v->kernel_cr3 != l4_maddr ||
            (v->user_cr3 && v->user_cr3 != l4_maddr))
            return -XEN_EINVAL;
    }

    /* Invariant: frames of p2m[0, pfn) are d's, counted, untyped. */
    for (pfn = 0; pfn < d->nr_pages; pfn++) {
        struct page_info *pg = &frame_table[d->p2m[pfn]];

        if (pg->owner == d) {           /* the p2m names a frame twice */
            disown(d);
            return -XEN_EINVAL;
        }
        pg->owner = d;
        pg->count = 1;
    }
    si = &frame_table[d->shared_info_mfn];
    si->owner = d;
    si->count = 1;
    si->type = PGT_writable_page;
    si->type_count = 1;                 /* never dropped: never a table */
    si->flags = PGF_shared | PGF_validated;

    l4 = mfn_to_page(l4_mfn);
    rc = get_page_and_type(l4, d, PGT_l4_page_table);
    if (rc) {
        printk(XLOG_ERR "mm: d%u bootstrap L4 %#llx does not validate (%d)\n",
               d->domid, (unsigned long long)l4_mfn, rc);
        disown(d);
        return rc;
    }
    l4->flags |= PGF_pinned;            /* the pin holds this reference */

    /*
     * Base pointers of the vCPUs built so far (vCPU 0; the others get
     * theirs from VCPUOP_initialise): validated above, cannot fail.
     */
    for (i = 0; i < XHV_MAX_VCPUS; i++) {
        const struct vcpu *v = &d->vcpus[i];

        refs += (v->kernel_cr3 == l4_mfn << PAGE_SHIFT) +
                (v->user_cr3 == l4_mfn << PAGE_SHIFT);
    }
    while (refs--)
        BUG_ON(get_page_and_type(l4, d, PGT_l4_page_table));
    printk(XLOG_INFO "mm: d%u owns %llu frames, L4 %#llx pinned\n",
           d->domid, (unsigned long long)d->nr_pages,
           (unsigned long long)l4_mfn);
    return 0;
}
