/*
 * Physical frame allocator: two bitmaps over pfns [0, max_pfn).
 *
 * 'ram' marks the frames the pool manages: E820 RAM (whole pages, not
 * overlapped by any other type) minus the frames holding the bitmaps.
 * 'free' marks the managed frames that can be handed out; it starts as ram
 * minus the caller's exclusions. So:
 *   - free implies ram, always; a frame outside RAM is never returned;
 *   - an excluded RAM frame (shim image, modules, multiboot info, the first
 *     MiB) starts allocated: frame_free() may hand it to the pool later,
 *     e.g. a boot module once the guest is built;
 *   - frame_free() of a frame that is not RAM, or is already free, is a
 *     caller bug: it fails with -XEN_EINVAL and changes nothing.
 *
 * Policy: allocations are taken from the highest suitable address, so low
 * memory stays available for what needs it (frame_alloc_below, e.g. page
 * tables or DMA buffers that must sit below 4 GiB).
 *
 * Locking: none; the caller serializes (boot is single-threaded; later
 * users take a lock around these calls).
 */
#ifndef XHV_FRAME_ALLOC_H
#define XHV_FRAME_ALLOC_H

#include <xhv/types.h>
#include <xhv/boot_info.h>

#define FRAME_NONE          (~0ULL)
#define FRAME_MAX_PFN       (1ULL << 40)    /* 52-bit physical addresses */

struct frame_pool {
    uint64_t *free_map;     /* bit set: frame free */
    uint64_t *ram_map;      /* bit set: frame managed by the pool */
    uint64_t *used_map;     /* bit set: allocated and freed since boot */
    uint64_t max_pfn;       /* maps cover [0, max_pfn) */
    uint64_t nr_words;      /* 64-bit words per map */
    uint64_t free_count;
    uint64_t ram_count;     /* managed frames */
    uint64_t top_hint;      /* no free frame at or above this pfn */
    struct phys_range bitmap;   /* where the maps live (physical) */
};

/*
 * Build the pool from an E820 map (need not be sanitized) and exclusion
 * ranges (byte addresses, any alignment; each excludes every page it
 * touches). The bitmaps go in the lowest free RAM run that holds them;
 * p2v must return a pointer valid for the whole run [pa, pa + size) that
 * stays valid for the pool's lifetime.
 * Returns 0; -XEN_EINVAL if there is no RAM; -XEN_ENOMEM if no free run
 * can hold the bitmaps, or p2v returns NULL. RAM above FRAME_MAX_PFN is
 * ignored.
 */
int frame_pool_init(struct frame_pool *fp, const struct boot_mem_range *map,
                    unsigned n, const struct phys_range *excl,
                    unsigned n_excl,
                    void *(*p2v)(uint64_t pa, void *ctx), void *ctx);

/*
 * Allocate nr contiguous frames whose first pfn is a multiple of
 * align_frames (0 or 1: no alignment; must be a power of two). Returns the
 * first pfn, or FRAME_NONE (nr == 0, bad alignment, nothing fits).
 */
uint64_t frame_alloc(struct frame_pool *fp, uint64_t nr, uint64_t align_frames);

/* The same, with the whole run below limit_pfn (e.g. 4 GiB >> 12). */
uint64_t frame_alloc_below(struct frame_pool *fp, uint64_t nr,
                           uint64_t align_frames, uint64_t limit_pfn);

/* Free [pfn, pfn + nr). 0, or -XEN_EINVAL (nothing changed) if any frame is
 * outside the pool's RAM or already free, or the range wraps. */
int frame_free(struct frame_pool *fp, uint64_t pfn, uint64_t nr);

uint64_t frame_pool_free_count(const struct frame_pool *fp);

/* For self-tests and debug keys. */
bool frame_is_free(const struct frame_pool *fp, uint64_t pfn);
bool frame_is_ram(const struct frame_pool *fp, uint64_t pfn);
/*
 * Has the frame been allocated and freed since boot (so it may hold the
 * shim's data)? A frame never handed out holds what the parent gave.
 */
bool frame_was_used(const struct frame_pool *fp, uint64_t pfn);

#endif /* XHV_FRAME_ALLOC_H */
