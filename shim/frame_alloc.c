/*
 * Physical frame allocator (see <xhv/frame_alloc.h> for the contract).
 *
 * Three bitmaps of one bit per pfn, stored back to back in a run of RAM
 * that frame_pool_init() picks and then withdraws from the pool: 'ram'
 * (managed frames), 'free', and 'used' (freed at least once: the shim had
 * it, so it may hold the shim's data; frame_was_used). Invariant: free_map
 * is a subset of ram_map, and free_count / ram_count are their population
 * counts.
 *
 * Searches run downwards, a word (64 frames) at a time over fully used
 * stretches. top_hint caches "nothing free at or above", so allocating all
 * of memory frame by frame costs O(frames), not O(frames^2).
 *
 * No locking (the caller serializes) and no heap.
 */
#include <xhv/spinlock.h>
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/frame_alloc.h>
#include <xen/errno.h>

#define BITS            64ULL
#define PFN_DOWN(a)     ((a) >> PAGE_SHIFT)
/* First pfn not touched by a range ending at byte a (no overflow at top). */
#define PFN_UP(a)       (((a) >> PAGE_SHIFT) + (((a) & (PAGE_SIZE - 1)) != 0))

/* Mask of bits [lo, hi] of one word, 0 <= lo <= hi < 64. */
static uint64_t bits_mask(unsigned int lo, unsigned int hi)
{
    uint64_t upto_hi = hi == 63 ? ~0ULL : (1ULL << (hi + 1)) - 1;

    return upto_hi & ~((1ULL << lo) - 1);
}

/* Our own: __builtin_popcountll may call into libgcc, which the shim lacks. */
static unsigned int popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned int)((x * 0x0101010101010101ULL) >> 56);
}

/* Set (val) or clear (!val) bits [s, e) of map. */
static void map_range(uint64_t *map, uint64_t s, uint64_t e, bool val)
{
    /* Invariant: bits [orig s, s) are done. */
    while (s < e) {
        uint64_t w = s / BITS;
        unsigned int lo = (unsigned int)(s % BITS);
        unsigned int hi = (e - w * BITS) >= BITS ? 63
                                                 : (unsigned int)(e - w * BITS - 1);
        uint64_t m = bits_mask(lo, hi);

        if (val)
            map[w] |= m;
        else
            map[w] &= ~m;
        s = w * BITS + hi + 1;
    }
}

/* Are all bits [s, e) of map equal to val? */
static bool range_all(const uint64_t *map, uint64_t s, uint64_t e, bool val)
{
    while (s < e) {
        uint64_t w = s / BITS;
        unsigned int lo = (unsigned int)(s % BITS);
        unsigned int hi = (e - w * BITS) >= BITS ? 63
                                                 : (unsigned int)(e - w * BITS - 1);
        uint64_t m = bits_mask(lo, hi);

        if ((map[w] & m) != (val ? m : 0))
            return false;
        s = w * BITS + hi + 1;
    }
    return true;
}

/* Highest free pfn below 'top' (top <= max_pfn), or FRAME_NONE. */
static uint64_t highest_free_below(const struct frame_pool *fp, uint64_t top)
{
    uint64_t w, bits;

    if (top == 0)
        return FRAME_NONE;
    w = (top - 1) / BITS;
    bits = fp->free_map[w] & bits_mask(0, (unsigned int)((top - 1) % BITS));
    for (;;) {
        if (bits)
            return w * BITS + 63 - (uint64_t)__builtin_clzll(bits);
        if (w == 0)
            return FRAME_NONE;
        bits = fp->free_map[--w];
    }
}

/* Highest pfn in [s, e) that is not free, or FRAME_NONE. */
static uint64_t highest_used_in(const struct frame_pool *fp, uint64_t s,
                                uint64_t e)
{
    while (e > s) {
        uint64_t w = (e - 1) / BITS;
        unsigned int hi = (unsigned int)((e - 1) % BITS);
        unsigned int lo = w * BITS < s ? (unsigned int)(s - w * BITS) : 0;
        uint64_t used = ~fp->free_map[w] & bits_mask(lo, hi);

        if (used)
            return w * BITS + 63 - (uint64_t)__builtin_clzll(used);
        e = w * BITS + lo;
    }
    return FRAME_NONE;
}

bool frame_is_free(const struct frame_pool *fp, uint64_t pfn)
{
    return pfn < fp->max_pfn &&
           (fp->free_map[pfn / BITS] >> (pfn % BITS)) & 1;
}

bool frame_is_ram(const struct frame_pool *fp, uint64_t pfn)
{
    return pfn < fp->max_pfn &&
           (fp->ram_map[pfn / BITS] >> (pfn % BITS)) & 1;
}

uint64_t frame_pool_free_count(const struct frame_pool *fp)
{
    return fp->free_count;
}

/* ---- init ---------------------------------------------------------------- */

/* Whole pages of a RAM entry, clipped to FRAME_MAX_PFN; false if none. */
static bool ram_pfns(const struct boot_mem_range *r, uint64_t *s, uint64_t *e)
{
    uint64_t end = r->len > UINT64_MAX - r->base ? UINT64_MAX
                                                 : r->base + r->len;

    if (r->type != E820_RAM)
        return false;
    *s = PFN_UP(r->base);
    *e = PFN_DOWN(end);
    if (*e > FRAME_MAX_PFN)
        *e = FRAME_MAX_PFN;
    return *e > *s;
}

/* Every page any part of [start, end) touches; false if empty. */
static bool touched_pfns(uint64_t start, uint64_t end, uint64_t *s,
                         uint64_t *e)
{
    if (end <= start)
        return false;
    *s = PFN_DOWN(start);
    *e = PFN_UP(end);
    return true;
}

static bool overlaps(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
    return s1 < e2 && s2 < e1;
}

/* Is [s, s + nr) free of non-RAM entries and exclusions? */
static bool run_clear(const struct boot_mem_range *map, unsigned n,
                      const struct phys_range *excl, unsigned n_excl,
                      uint64_t s, uint64_t nr)
{
    uint64_t a, b;
    unsigned int i;

    for (i = 0; i < n; i++) {
        uint64_t end = map[i].len > UINT64_MAX - map[i].base
                           ? UINT64_MAX : map[i].base + map[i].len;

        if (map[i].type != E820_RAM && map[i].len &&
            touched_pfns(map[i].base, end, &a, &b) &&
            overlaps(a, b, s, s + nr))
            return false;
    }
    for (i = 0; i < n_excl; i++)
        if (touched_pfns(excl[i].start, excl[i].end, &a, &b) &&
            overlaps(a, b, s, s + nr))
            return false;
    return true;
}

/*
 * Lowest run of nr frames inside one RAM entry, clear of everything else.
 * Candidates are the starts of RAM entries and the ends of whatever blocks
 * (other entries, exclusions): the lowest fit always starts at one of them.
 */
static uint64_t place_bitmap(const struct boot_mem_range *map, unsigned n,
                             const struct phys_range *excl, unsigned n_excl,
                             uint64_t nr)
{
    uint64_t best = FRAME_NONE;
    unsigned int i, j;

    for (i = 0; i < n + n_excl; i++) {
        uint64_t cand, a, b;

        if (i < n) {
            uint64_t end = map[i].len > UINT64_MAX - map[i].base
                               ? UINT64_MAX : map[i].base + map[i].len;

            if (map[i].type == E820_RAM) {
                if (!ram_pfns(&map[i], &a, &b))
                    continue;
                cand = a;
            } else if (touched_pfns(map[i].base, end, &a, &b)) {
                cand = b;
            } else {
                continue;
            }
        } else if (touched_pfns(excl[i - n].start, excl[i - n].end, &a, &b)) {
            cand = b;
        } else {
            continue;
        }
        if (cand >= best)
            continue;
        for (j = 0; j < n; j++)
            if (ram_pfns(&map[j], &a, &b) && a <= cand && cand + nr <= b &&
                run_clear(map, n, excl, n_excl, cand, nr)) {
                best = cand;
                break;
            }
    }
    return best;
}

int frame_pool_init(struct frame_pool *fp, const struct boot_mem_range *map,
                    unsigned n, const struct phys_range *excl,
                    unsigned n_excl,
                    void *(*p2v)(uint64_t pa, void *ctx), void *ctx)
{
    uint64_t max_pfn = 0, bm_bytes, bm_frames, bm_pfn, s, e, w;
    unsigned int i;
    uint64_t *maps;

    memset(fp, 0, sizeof(*fp));
    for (i = 0; i < n; i++)
        if (ram_pfns(&map[i], &s, &e) && e > max_pfn)
            max_pfn = e;
    if (max_pfn == 0)
        return -XEN_EINVAL;

    fp->max_pfn = max_pfn;
    fp->nr_words = (max_pfn + BITS - 1) / BITS;
    bm_bytes = 3 * fp->nr_words * sizeof(uint64_t);
    bm_frames = PFN_UP(bm_bytes);
    bm_pfn = place_bitmap(map, n, excl, n_excl, bm_frames);
    if (bm_pfn == FRAME_NONE)
        return -XEN_ENOMEM;
    maps = p2v(bm_pfn << PAGE_SHIFT, ctx);
    if (!maps)
        return -XEN_ENOMEM;
    fp->bitmap.start = bm_pfn << PAGE_SHIFT;
    fp->bitmap.end = (bm_pfn + bm_frames) << PAGE_SHIFT;
    fp->ram_map = maps;
    fp->free_map = maps + fp->nr_words;
    fp->used_map = maps + 2 * fp->nr_words;
    memset(fp->used_map, 0, fp->nr_words * sizeof(uint64_t));
    memset(maps, 0, bm_bytes);

    /* RAM first, then anything else on top wins: overlaps are never RAM. */
    for (i = 0; i < n; i++)
        if (ram_pfns(&map[i], &s, &e))
            map_range(fp->ram_map, s, e, true);
    for (i = 0; i < n; i++) {
        uint64_t end = map[i].len > UINT64_MAX - map[i].base
                           ? UINT64_MAX : map[i].base + map[i].len;

        if (map[i].type != E820_RAM && map[i].len &&
            touched_pfns(map[i].base, end, &s, &e) && s < max_pfn)
            map_range(fp->ram_map, s, MIN(e, max_pfn), false);
    }
    map_range(fp->ram_map, bm_pfn, bm_pfn + bm_frames, false);

    memcpy(fp->free_map, fp->ram_map, fp->nr_words * sizeof(uint64_t));
    for (i = 0; i < n_excl; i++)
        if (touched_pfns(excl[i].start, excl[i].end, &s, &e) && s < max_pfn)
            map_range(fp->free_map, s, MIN(e, max_pfn), false);

    for (w = 0; w < fp->nr_words; w++) {
        fp->ram_count += popcount64(fp->ram_map[w]);
        fp->free_count += popcount64(fp->free_map[w]);
    }
    fp->top_hint = max_pfn;
    return 0;
}

/* ---- alloc / free ---------------------------------------------------------- */

/*
 * One lock for every pool: allocations happen at boot, bring-up and in
 * rare guest operations, never on a hot path. Innermost but for the log.
 */
static spinlock_t pool_lock = SPINLOCK_INIT;

static uint64_t alloc_below_locked(struct frame_pool *fp, uint64_t nr,
                                   uint64_t align_frames, uint64_t limit_pfn)
{
    uint64_t top, f, s, u;
    bool from_hint;

    if (align_frames == 0)
        align_frames = 1;
    if (nr == 0 || (align_frames & (align_frames - 1)) || nr > fp->free_count)
        return FRAME_NONE;
    from_hint = limit_pfn >= fp->top_hint;
    top = from_hint ? fp->top_hint : limit_pfn;

    /*
     * Invariant: no fitting run ends above 'top'. The highest free frame f
     * below top bounds the next candidate; if that candidate holds a used
     * frame u, every lower aligned candidate that would still contain u
     * fails too, so the search continues below u.
     */
    for (;;) {
        f = highest_free_below(fp, top);
        if (f == FRAME_NONE) {
            if (from_hint)
                fp->top_hint = 0;
            return FRAME_NONE;
        }
        if (from_hint) {
            fp->top_hint = f + 1;       /* nothing free above f */
            from_hint = false;
        }
        if (f + 1 < nr)
            return FRAME_NONE;
        s = ALIGN_DOWN(f + 1 - nr, align_frames);
        u = highest_used_in(fp, s, s + nr);
        if (u == FRAME_NONE)
            break;
        top = u;
    }
    map_range(fp->free_map, s, s + nr, false);
    fp->free_count -= nr;
    return s;
}

uint64_t frame_alloc_below(struct frame_pool *fp, uint64_t nr,
                           uint64_t align_frames, uint64_t limit_pfn)
{
    uint64_t r;

    spin_lock(&pool_lock);
    r = alloc_below_locked(fp, nr, align_frames, limit_pfn);
    spin_unlock(&pool_lock);
    return r;
}

uint64_t frame_alloc(struct frame_pool *fp, uint64_t nr, uint64_t align_frames)
{
    return frame_alloc_below(fp, nr, align_frames, fp->max_pfn);
}

static int free_locked(struct frame_pool *fp, uint64_t pfn, uint64_t nr)
{
    /* Validate the whole range first, then change state. */
    if (nr == 0 || pfn >= fp->max_pfn || nr > fp->max_pfn - pfn)
        return -XEN_EINVAL;
    if (!range_all(fp->ram_map, pfn, pfn + nr, true) ||
        !range_all(fp->free_map, pfn, pfn + nr, false))
        return -XEN_EINVAL;
    map_range(fp->free_map, pfn, pfn + nr, true);
    map_range(fp->used_map, pfn, pfn + nr, true);
    fp->free_count += nr;
    if (pfn + nr > fp->top_hint)
        fp->top_hint = pfn + nr;
    return 0;
}

bool frame_was_used(const struct frame_pool *fp, uint64_t pfn)
{
    return pfn < fp->max_pfn &&
           (fp->used_map[pfn / BITS] >> (pfn % BITS)) & 1;
}

int frame_free(struct frame_pool *fp, uint64_t pfn, uint64_t nr)
{
    int rc;

    spin_lock(&pool_lock);
    rc = free_locked(fp, pfn, nr);
    spin_unlock(&pool_lock);
    return rc;
}
