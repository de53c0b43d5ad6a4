/*
 * PV start-of-day layout arithmetic (include/xhv/pv_layout.h has the
 * picture and the rules).
 */
#include <xhv/pv_layout.h>

#define L2_SPAN     (1ULL << 21)    /* one L1 maps 2 MiB */
#define L3_SPAN     (1ULL << 30)    /* one L2 maps 1 GiB */
#define PAD_ALIGN   (1ULL << 22)    /* region ends on a 4 MiB boundary */
#define MIN_SLACK   (512ULL << 10)

static uint64_t pg_up(uint64_t x)
{
    return ALIGN_UP(x, (uint64_t)PAGE_SIZE);
}

/* L1 tables needed to map [s, e). */
static unsigned int l1_count(uint64_t s, uint64_t e)
{
    return (unsigned int)((ALIGN_UP(e, L2_SPAN) - ALIGN_DOWN(s, L2_SPAN)) /
                          L2_SPAN);
}

int pv_layout_compute(struct pv_layout *l, uint64_t virt_base,
                      uint64_t kstart, uint64_t kend, uint64_t initrd_len,
                      uint64_t nr_pages)
{
    unsigned int nr_pt;
    uint64_t limit;

    if (!IS_ALIGNED(virt_base, (uint64_t)PAGE_SIZE) || kstart < virt_base ||
        kend <= kstart || kend - virt_base > L3_SPAN ||
        initrd_len > L3_SPAN || nr_pages > L3_SPAN / 8)
        return PV_LAYOUT_BAD_KERNEL;

    l->v_start = virt_base;
    l->vkern_start = kstart;
    l->vkern_end = kend;
    l->vinitrd_start = pg_up(kend);
    l->vinitrd_end = l->vinitrd_start + initrd_len;
    l->vphysmap_start = pg_up(l->vinitrd_end);
    l->vphysmap_end = l->vphysmap_start + nr_pages * 8;
    l->vstartinfo_start = pg_up(l->vphysmap_end);
    l->vstartinfo_end = l->vstartinfo_start + PAGE_SIZE;
    l->vstore = l->vstartinfo_end;
    l->vconsole = l->vstore + PAGE_SIZE;
    l->vpt_start = l->vconsole + PAGE_SIZE;

    /*
     * The page tables map the region that contains them: grow their count
     * until it covers the region it implies (it converges: each added L1
     * maps 2 MiB, and adds 4 KiB).
     * Invariant: nr_pt tables are too few for the region they imply, or
     * the loop has ended.
     */
    for (nr_pt = 4; ; nr_pt++) {
        l->vpt_end = l->vpt_start + (uint64_t)nr_pt * PAGE_SIZE;
        l->vstack_start = l->vpt_end;
        l->vstack_end = l->vstack_start + PAGE_SIZE;
        l->v_end = ALIGN_UP(l->vstack_end, PAD_ALIGN);
        if (l->v_end - l->vstack_end < MIN_SLACK)
            l->v_end += PAD_ALIGN;
        l->nr_l1 = l1_count(l->v_start, l->v_end);
        if (3 + l->nr_l1 <= nr_pt)
            break;
        if (nr_pt > 512 + 3)
            return PV_LAYOUT_TOO_BIG;
    }
    l->nr_pt_frames = nr_pt;

    /* One L2: the whole region within one 1 GiB-aligned gigabyte. */
    limit = ALIGN_DOWN(l->v_start, L3_SPAN) + L3_SPAN;
    if (l->v_end > limit || l->v_end < l->v_start)
        return PV_LAYOUT_TOO_BIG;
    l->nr_bootstrap_pages = (l->v_end - l->v_start) >> PAGE_SHIFT;
    if (l->nr_bootstrap_pages > nr_pages)
        return PV_LAYOUT_NO_MEMORY;
    return PV_LAYOUT_OK;
}

const char *pv_layout_strerror(int err)
{
    switch (err) {
    case PV_LAYOUT_OK: return "ok";
    case PV_LAYOUT_BAD_KERNEL: return "kernel addresses unusable";
    case PV_LAYOUT_TOO_BIG: return "bootstrap region larger than one L2 (1 GiB)";
    case PV_LAYOUT_NO_MEMORY: return "guest memory smaller than the bootstrap region";
    default: return "unknown error";
    }
}
