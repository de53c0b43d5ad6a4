/*
 * The machine-to-phys table (include/xhv/m2p.h). Its frames are one
 * contiguous run, so an entry is found by index through the direct map.
 */
#include <xhv/frame_alloc.h>
#include <xhv/layout.h>
#include <xhv/log.h>
#include <xhv/m2p.h>
#include <xhv/paging.h>
#include <xhv/string.h>
#include <xhv/xen.h>

static uint64_t *m2p;          /* direct-map view */
static uint64_t m2p_entries;
static uint64_t m2p_mfn;

BUILD_BUG_ON(XHV_M2P_VIRT_START != __MACH2PHYS_VIRT_START);
BUILD_BUG_ON(XHV_M2P_VIRT_END != __MACH2PHYS_VIRT_END);

int m2p_init(struct frame_pool *fp, uint64_t max_mfn)
{
    uint64_t bytes = ALIGN_UP(max_mfn * 8, (uint64_t)PAGE_SIZE);
    uint64_t nr = bytes >> PAGE_SHIFT, pfn, i;

    if (bytes > XHV_M2P_VIRT_END - XHV_M2P_VIRT_START)
        return -1;
    pfn = frame_alloc(fp, nr, 1);
    if (pfn == FRAME_NONE)
        return -1;
    m2p = phys_to_virt(pfn << PAGE_SHIFT);
    m2p_mfn = pfn;
    m2p_entries = bytes / 8;
    for (i = 0; i < m2p_entries; i++)
        m2p[i] = M2P_INVALID;
    /* Read-only, user (the guest kernel is in ring 3), never executable. */
    if (map_pages(XHV_M2P_VIRT_START, pfn << PAGE_SHIFT, bytes,
                  PTE_US | pte_nx))
        return -1;
    printk(XLOG_INFO "m2p: %llu entries at %#llx\n",
           (unsigned long long)m2p_entries,
           (unsigned long long)XHV_M2P_VIRT_START);
    return 0;
}

void m2p_set(uint64_t mfn, uint64_t pfn)
{
    if (mfn < m2p_entries)
        m2p[mfn] = pfn;
}

uint64_t m2p_get(uint64_t mfn)
{
    return mfn < m2p_entries ? m2p[mfn] : M2P_INVALID;
}

uint64_t m2p_size(void)
{
    return m2p_entries;
}

uint64_t m2p_base_mfn(void)
{
    return m2p_mfn;
}
