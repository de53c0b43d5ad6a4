/*
 * memmap_sanitize(): turn a loader's memory map (unsorted, unaligned,
 * overlapping, as firmware produces) into a sorted list of disjoint,
 * page-aligned ranges with neighbours of equal type merged.
 *
 * Safety direction: whenever something must give, the result errs towards
 * "not RAM". RAM is shrunk to whole pages, every other type is grown to
 * whole pages; in an overlap the more restrictive type wins; and if the
 * array is full when a split needs one more entry, the winner of the
 * overlap is stretched over the loser's remainder instead, which again only
 * makes memory more restricted. No heap, O(n^2) worst case for n <= cap.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/boot_info.h>

#define TOP_PAGE_END    (UINT64_MAX & ~(uint64_t)(PAGE_SIZE - 1))

/* Higher is more restrictive. Unknown types count as reserved. */
static unsigned int type_rank(uint32_t type)
{
    switch (type) {
    case E820_RAM:      return 0;
    case E820_ACPI:     return 1;
    case E820_NVS:      return 2;
    case E820_UNUSABLE: return 4;
    default:            return 3;
    }
}

/* Does a win an overlap with b? Ties of rank go to the higher number, so
 * the result does not depend on input order. */
static bool beats(const struct boot_mem_range *a,
                  const struct boot_mem_range *b)
{
    unsigned int ra = type_rank(a->type), rb = type_rank(b->type);

    return ra != rb ? ra > rb : a->type >= b->type;
}

static uint64_t end_of(const struct boot_mem_range *r)
{
    return r->base + r->len;
}

static void remove_at(struct boot_mem_range *m, unsigned int *n,
                      unsigned int i)
{
    memmove(&m[i], &m[i + 1], (*n - i - 1) * sizeof(*m));
    (*n)--;
}

/* Insert e in base order at or after index 'from'; false if full. */
static bool insert_sorted(struct boot_mem_range *m, unsigned int *n,
                          unsigned int cap, unsigned int from,
                          const struct boot_mem_range *e)
{
    unsigned int pos = from;

    if (*n >= cap)
        return false;
    while (pos < *n && m[pos].base <= e->base)
        pos++;
    memmove(&m[pos + 1], &m[pos], (*n - pos) * sizeof(*m));
    m[pos] = *e;
    (*n)++;
    return true;
}

/* Page-align every entry in place and drop the empty ones. */
static unsigned int align_all(struct boot_mem_range *m, unsigned int n)
{
    unsigned int i, j = 0;

    for (i = 0; i < n; i++) {
        uint64_t s = m[i].base;
        uint64_t e = m[i].len > UINT64_MAX - s ? UINT64_MAX : s + m[i].len;

        /* Empty first: growing outward would make a page of nothing. */
        if (m[i].len == 0)
            continue;
        if (m[i].type == E820_RAM) {
            s = s > TOP_PAGE_END ? UINT64_MAX : ALIGN_UP(s, PAGE_SIZE);
            e = ALIGN_DOWN(e, PAGE_SIZE);
        } else {
            s = ALIGN_DOWN(s, PAGE_SIZE);
            e = e > TOP_PAGE_END ? TOP_PAGE_END : ALIGN_UP(e, PAGE_SIZE);
        }
        if (e > s) {
            m[j].base = s;
            m[j].len = e - s;
            m[j].type = m[i].type;
            j++;
        }
    }
    return j;
}

static void sort_by_base(struct boot_mem_range *m, unsigned int n)
{
    unsigned int i, j;

    for (i = 1; i < n; i++) {
        struct boot_mem_range e = m[i];

        for (j = i; j > 0 && m[j - 1].base > e.base; j--)
            m[j] = m[j - 1];
        m[j] = e;
    }
}

/*
 * Resolve overlaps between neighbours in base order.
 * Invariant: m[0 .. n) is sorted by base, and m[0 .. i] overlaps none of
 * m[0 .. i - 1]; so when m[i + 1] starts at or after m[i]'s end, nothing
 * later can overlap m[i] either and i moves on. Every step removes an
 * entry, moves i on, or moves an overlapping entry to start at m[i]'s end,
 * so the loop ends.
 */
static unsigned int resolve_overlaps(struct boot_mem_range *m, unsigned int n,
                                     unsigned int cap)
{
    unsigned int i = 0;

    while (i + 1 < n) {
        struct boot_mem_range *a = &m[i], *b = &m[i + 1];
        uint64_t ea = end_of(a), eb = end_of(b);

        if (b->base >= ea) {
            i++;
        } else if (a->type == b->type) {
            a->len = (ea > eb ? ea : eb) - a->base;
            remove_at(m, &n, i + 1);
        } else if (beats(a, b)) {
            /* b loses its part under a; what sticks out re-sorts later. */
            struct boot_mem_range rest = { ea, eb - ea, b->type };

            remove_at(m, &n, i + 1);
            if (eb > ea)
                insert_sorted(m, &n, cap, i + 1, &rest);   /* room: removed one */
        } else {
            /* a loses [b->base, min(ea, eb)): it keeps the part before b and
             * any part after b. */
            if (ea > eb) {
                struct boot_mem_range rest = { eb, ea - eb, a->type };

                if (!insert_sorted(m, &n, cap, i + 2, &rest))
                    b->len = ea - b->base;  /* full: b (stricter) covers it */
            }
            a->len = b->base - a->base;
            if (a->len == 0)
                remove_at(m, &n, i);
            else
                i++;
        }
    }
    return n;
}

static unsigned int merge_adjacent(struct boot_mem_range *m, unsigned int n)
{
    unsigned int i, j = 0;

    for (i = 0; i < n; i++) {
        if (j && m[j - 1].type == m[i].type && end_of(&m[j - 1]) == m[i].base)
            m[j - 1].len += m[i].len;
        else
            m[j++] = m[i];
    }
    return j;
}

unsigned memmap_sanitize(struct boot_mem_range *m, unsigned n, unsigned cap)
{
    if (n > cap)
        n = cap;
    n = align_all(m, n);
    sort_by_base(m, n);
    n = resolve_overlaps(m, n, cap);
    return merge_adjacent(m, n);
}
