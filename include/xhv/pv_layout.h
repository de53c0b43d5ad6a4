/*
 * The start-of-day virtual layout of a 64-bit PV guest, as Xen's domain
 * builders lay it out (public xen.h "start of day" comment; Xen's
 * xen/arch/x86/pv/dom0_build.c and tools/libs/guest/xg_dom_x86.c), with
 * the domU pages (xenstore, console) of the toolstack:
 *
 *   v_start = VIRT_BASE
 *   [vkern]      the kernel's PT_LOAD segments
 *   [vinitrd]    the initrd (may be empty)
 *   [vphysmap]   the p2m list handed over in start_info.mfn_list
 *   [vstartinfo] start_info
 *   [vstore]     xenstore ring page
 *   [vconsole]   console ring page
 *   [vpt]        bootstrap page tables: L4, L3, L2, then the L1s
 *   [vstack]     one page of boot stack
 *   ... padding to a 4 MiB boundary, at least 512 KiB after the stack
 *   v_end
 *
 * Guest pfn n is mapped at v_start + n * 4 KiB across the whole region, and
 * the region must sit under a single L2 (one 1 GiB-aligned gigabyte): Linux
 * grafts exactly the L2 reached through its L4/L3 into its own tables.
 * Pure arithmetic, unit-tested on the host.
 */
#ifndef XHV_PV_LAYOUT_H
#define XHV_PV_LAYOUT_H

#include <xhv/types.h>

struct pv_layout {
    uint64_t v_start, v_end;
    uint64_t vkern_start, vkern_end;
    uint64_t vinitrd_start, vinitrd_end;
    uint64_t vphysmap_start, vphysmap_end;
    uint64_t vstartinfo_start, vstartinfo_end;
    uint64_t vstore, vconsole;
    uint64_t vpt_start, vpt_end;
    uint64_t vstack_start, vstack_end;
    unsigned int nr_pt_frames;      /* L4 + L3 + L2 + L1s */
    unsigned int nr_l1;
    uint64_t nr_bootstrap_pages;    /* (v_end - v_start) / 4 KiB */
};

enum pv_layout_err {
    PV_LAYOUT_OK = 0,
    PV_LAYOUT_BAD_KERNEL = -1,      /* kstart < virt base, empty, unaligned base */
    PV_LAYOUT_TOO_BIG = -2,         /* region leaves its single L2 */
    PV_LAYOUT_NO_MEMORY = -3,       /* region needs more than nr_pages */
};

int pv_layout_compute(struct pv_layout *l, uint64_t virt_base,
                      uint64_t kstart, uint64_t kend, uint64_t initrd_len,
                      uint64_t nr_pages);
const char *pv_layout_strerror(int err);

#endif /* XHV_PV_LAYOUT_H */
