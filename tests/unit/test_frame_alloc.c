/*
 * Unit tests for shim/frame_alloc.c.
 *
 * Fake memory maps (QEMU-like, with holes, overlapping exclusions, a
 * single page, RAM above 4 GiB, unsanitized overlaps) are handed to
 * frame_pool_init; the bitmaps live in a host buffer of exactly the size
 * the pool needs, so ASan catches any access past them. Checks: excluded,
 * reserved and bitmap frames are never returned; every free frame is
 * allocatable exactly once; alignment and limits hold; bad frees change
 * nothing; and a randomized run against a brute-force model checks that
 * each allocation is exactly the highest fitting run.
 */
#include "harness.h"

#include <xhv/frame_alloc.h>
#include <xen/errno.h>

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

typedef struct boot_mem_range R;
typedef struct phys_range X;

struct p2v_ctx {
    void *buf;
    uint64_t pa;
    size_t size;
    bool refuse;
};

static void *test_p2v(uint64_t pa, void *ctx)
{
    struct p2v_ctx *c = ctx;

    if (c->refuse)
        return NULL;
    c->pa = pa;
    free(c->buf);
    c->buf = malloc(c->size);   /* exactly what the pool will use */
    memset(c->buf, 0xcc, c->size);
    return c->buf;
}

/* Size the pool's maps for this map, as frame_pool_init will. */
static size_t maps_size(const R *m, unsigned n)
{
    uint64_t max = 0;
    unsigned i;

    for (i = 0; i < n; i++)
        if (m[i].type == 1 && (m[i].base + m[i].len) / 4096 > max)
            max = (m[i].base + m[i].len) / 4096;
    return (size_t)(3 * ((max + 63) / 64) * 8);    /* ram, free, used */
}

static int init(struct frame_pool *fp, struct p2v_ctx *c, const R *m,
                unsigned n, const X *x, unsigned nx)
{
    c->size = maps_size(m, n);
    return frame_pool_init(fp, m, n, x, nx, test_p2v, c);
}

static bool pfn_in(uint64_t pfn, const X *x, unsigned nx)
{
    unsigned i;

    for (i = 0; i < nx; i++)
        if (x[i].end > x[i].start && pfn >= x[i].start / 4096 &&
            pfn < (x[i].end + 4095) / 4096)
            return true;
    return false;
}

static bool pfn_ram(uint64_t pfn, const R *m, unsigned n)
{
    bool ram = false;
    unsigned i;

    for (i = 0; i < n; i++) {
        uint64_t s = m[i].base, e = m[i].base + m[i].len;

        if (m[i].type == 1 && (s + 4095) / 4096 <= pfn && pfn < e / 4096)
            ram = true;
    }
    for (i = 0; i < n; i++) {
        uint64_t s = m[i].base, e = m[i].base + m[i].len;

        if (m[i].type != 1 && m[i].len && s / 4096 <= pfn &&
            pfn < (e + 4095) / 4096)
            return false;
    }
    return ram;
}

/* Allocate one frame at a time until exhausted; every frame must be RAM,
 * outside the exclusions and the bitmap, and new. Returns the count. */
static uint64_t drain(struct frame_pool *fp, const R *m, unsigned n,
                      const X *x, unsigned nx, uint8_t *seen, uint64_t limit)
{
    uint64_t got = 0, pfn;

    while ((pfn = frame_alloc_below(fp, 1, 1, limit)) != FRAME_NONE) {
        if (!pfn_ram(pfn, m, n) || pfn_in(pfn, x, nx) || seen[pfn] ||
            pfn >= limit ||
            (pfn >= fp->bitmap.start / 4096 && pfn < fp->bitmap.end / 4096)) {
            th_case_failures++;
            printf("  bad frame %#llx\n", (unsigned long long)pfn);
            return got;
        }
        seen[pfn] = 1;
        got++;
    }
    return got;
}

/* QEMU-like 64 MiB: the first MiB, the shim and an unaligned module are
 * excluded; the bitmap goes at the first free page after the shim. */
static void test_basic(void)
{
    static const R m[] = {
        { 0x0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
        { 0x100000, 63 * MiB, 1 }, { 0xfffc0000, 0x40000, 2 },
    };
    static const X x[] = {
        { 0, MiB }, { MiB, 3 * MiB }, { 16 * MiB + 0x123, 20 * MiB + 5 },
    };
    struct frame_pool fp;
    struct p2v_ctx c = { 0 };
    uint8_t *seen = calloc(16384, 1);
    uint64_t ram, fr, pfn;

    CHECK_EQ(init(&fp, &c, m, ARRAY_SIZE(m), x, ARRAY_SIZE(x)), 0);
    CHECK_EQ(fp.max_pfn, 16384);
    CHECK_EQ(c.pa, 3 * MiB);
    CHECK_EQ(fp.bitmap.start, 3 * MiB);
    CHECK_EQ(fp.bitmap.end, 3 * MiB + 2 * 4096);   /* 3 maps of 2 KiB */
    ram = 159 + (16384 - 256) - 2;          /* 0x9f pages low, minus bitmap */
    fr = ram - 159 - 511 - 1026;            /* first MiB, shim, module */
    CHECK_EQ(fp.ram_count, ram);
    CHECK_EQ(frame_pool_free_count(&fp), fr);
    CHECK(!frame_is_free(&fp, 0x9f));       /* partial RAM page */
    CHECK(!frame_is_ram(&fp, 0x9f));
    CHECK(frame_is_ram(&fp, 0x9e));
    CHECK(!frame_is_free(&fp, 0x9e));       /* RAM but excluded */
    CHECK(!frame_is_ram(&fp, 16384));

    /* First allocations come from the top. */
    pfn = frame_alloc(&fp, 1, 1);
    CHECK_EQ(pfn, 16383);
    CHECK_EQ(frame_free(&fp, pfn, 1), 0);

    CHECK_EQ(drain(&fp, m, ARRAY_SIZE(m), x, ARRAY_SIZE(x), seen, ~0ULL), fr);
    CHECK_EQ(frame_pool_free_count(&fp), 0);
    CHECK(frame_alloc(&fp, 1, 1) == FRAME_NONE);

    /* Give everything back: the count is restored; all of it once more. */
    for (pfn = 0; pfn < 16384; pfn++)
        if (seen[pfn])
            CHECK_EQ(frame_free(&fp, pfn, 1), 0);
    CHECK_EQ(frame_pool_free_count(&fp), fr);
    memset(seen, 0, 16384);
    CHECK_EQ(drain(&fp, m, ARRAY_SIZE(m), x, ARRAY_SIZE(x), seen, ~0ULL), fr);
    free(seen);
    free(c.buf);
}

/* Bad frees fail and change nothing: double free, reserved, hole, beyond
 * max_pfn, the bitmap, wrapping ranges, partly bad ranges, nr 0. Freeing
 * an excluded RAM range (a used boot module) is allowed. */
static void test_bad_free(void)
{
    static const R m[] = {
        { 0x0, 0x9fc00, 1 }, { 0xf0000, 0x10000, 2 },
        { 0x100000, 15 * MiB, 1 }, { 32 * MiB, 16 * MiB, 1 },
    };
    static const X x[] = { { 0, MiB }, { 4 * MiB, 5 * MiB } };
    struct frame_pool fp;
    struct p2v_ctx c = { 0 };
    uint64_t before, pfn;

    CHECK_EQ(init(&fp, &c, m, ARRAY_SIZE(m), x, ARRAY_SIZE(x)), 0);
    before = frame_pool_free_count(&fp);
    pfn = frame_alloc(&fp, 4, 1);
    CHECK(pfn != FRAME_NONE);
    CHECK_EQ(frame_free(&fp, pfn, 4), 0);
    CHECK_EQ(frame_free(&fp, pfn, 4), -XEN_EINVAL);        /* double */
    CHECK_EQ(frame_free(&fp, pfn + 3, 1), -XEN_EINVAL);
    CHECK_EQ(frame_free(&fp, 0xf0, 1), -XEN_EINVAL);       /* reserved */
    CHECK_EQ(frame_free(&fp, 0xa0, 1), -XEN_EINVAL);       /* hole */
    CHECK_EQ(frame_free(&fp, 16 * MiB / 4096, 1), -XEN_EINVAL);
    CHECK_EQ(frame_free(&fp, fp.max_pfn, 1), -XEN_EINVAL);
    CHECK_EQ(frame_free(&fp, fp.bitmap.start / 4096, 1), -XEN_EINVAL);
    CHECK_EQ(frame_free(&fp, 5, ~0ULL), -XEN_EINVAL);      /* wraps */
    CHECK_EQ(frame_free(&fp, 5, 0), -XEN_EINVAL);
    /* An allocated frame plus the hole after it: rejected as a whole, the
     * allocated frame stays allocated. */
    pfn = frame_alloc_below(&fp, 1, 1, 16 * MiB / 4096);
    CHECK_EQ(pfn, 16 * MiB / 4096 - 1);
    CHECK_EQ(frame_free(&fp, pfn, 2), -XEN_EINVAL);
    CHECK(!frame_is_free(&fp, pfn));
    CHECK_EQ(frame_free(&fp, pfn, 1), 0);
    CHECK_EQ(frame_pool_free_count(&fp), before);
    /* Releasing a used module's frames. */
    CHECK_EQ(frame_free(&fp, 4 * MiB / 4096, 256), 0);
    CHECK_EQ(frame_pool_free_count(&fp), before + 256);
    free(c.buf);
}

/* Aligned runs: multiple of the alignment, all frames free before, and a
 * run larger than any RAM block fails. */
static void test_alignment_and_holes(void)
{
    static const R m[] = {
        { 0x0, 8 * MiB, 1 },        /* 2048 frames */
        { 9 * MiB, 3 * MiB, 1 },    /* 768 frames after a 1 MiB hole */
        { 13 * MiB, MiB, 1 },
    };
    struct frame_pool fp;
    struct p2v_ctx c = { 0 };
    uint64_t a, b, d;

    CHECK_EQ(init(&fp, &c, m, ARRAY_SIZE(m), NULL, 0), 0);
    CHECK_EQ(c.pa, 0);                      /* nothing excluded: pfn 0 */
    a = frame_alloc(&fp, 512, 512);
    CHECK(a != FRAME_NONE && a % 512 == 0);
    CHECK(a >= 9 * MiB / 4096 && a + 512 <= 12 * MiB / 4096);
    b = frame_alloc(&fp, 3, 4);
    CHECK(b != FRAME_NONE && b % 4 == 0);
    CHECK(b + 3 <= 14 * MiB / 4096);
    CHECK(frame_alloc(&fp, 1, 3) == FRAME_NONE);       /* not a power of 2 */
    CHECK(frame_alloc(&fp, 0, 1) == FRAME_NONE);
    CHECK(frame_alloc(&fp, 2048, 1) == FRAME_NONE);    /* bitmap took one */
    d = frame_alloc(&fp, 2047, 1);
    CHECK_EQ(d, 1);
    CHECK(frame_alloc(&fp, 768, 1) == FRAME_NONE);     /* 512 used there */
    CHECK_EQ(frame_free(&fp, a, 512), 0);
    CHECK_EQ(frame_alloc(&fp, 768, 1), 9 * MiB / 4096);
    CHECK(frame_alloc(&fp, 1, 1ULL << 40) == FRAME_NONE ||
          frame_pool_free_count(&fp) > 0);
    free(c.buf);
}

/* Exclusions overlapping each other, non-RAM and the end of RAM; empty and
 * inverted ones are ignored. */
static void test_overlapping_exclusions(void)
{
    static const R m[] = {
        { 0x0, 4 * MiB, 1 }, { 2 * MiB, 4096, 2 },   /* reserved inside */
    };
    static const X x[] = {
        { 0, 0x1800 }, { 0x1000, 0x3001 }, { 2 * MiB - 1, 2 * MiB + 2 },
        { 4 * MiB - 10, 8 * MiB }, { 100, 100 }, { 0x9000, 0x8000 },
    };
    struct frame_pool fp;
    struct p2v_ctx c = { 0 };
    uint8_t seen[1024] = { 0 };
    uint64_t n;

    CHECK_EQ(init(&fp, &c, m, ARRAY_SIZE(m), x, ARRAY_SIZE(x)), 0);
    CHECK_EQ(c.pa, 0x4000);                 /* after pages 0-3 */
    /* 1024 - pages 0..3 - bitmap - pages 511..512 (excl) - 1023 */
    n = drain(&fp, m, ARRAY_SIZE(m), x, ARRAY_SIZE(x), seen, ~0ULL);
    CHECK_EQ(n, 1024 - 4 - 1 - 2 - 1);
    CHECK(!seen[512] && !seen[511] && !seen[1023] && !seen[3]);
    CHECK(seen[8] && seen[9]);              /* the inverted range is empty */
    free(c.buf);
}

/* Tiny or unusable maps. */
static void test_tiny(void)
{
    static const R one[] = { { 0x5000, 4096, 1 } };
    static const R two[] = { { 0x5000, 8192, 1 } };
    static const R none[] = { { 0x0, 0x800, 1 }, { 0x1000, 4096, 2 } };
    static const X all[] = { { 0, 16 * MiB } };
    struct frame_pool fp;
    struct p2v_ctx c = { 0 };

    /* One page: the bitmap takes it, nothing left. */
    CHECK_EQ(init(&fp, &c, one, 1, NULL, 0), 0);
    CHECK_EQ(frame_pool_free_count(&fp), 0);
    CHECK(frame_alloc(&fp, 1, 1) == FRAME_NONE);
    /* Two pages: exactly one to hand out. */
    CHECK_EQ(init(&fp, &c, two, 1, NULL, 0), 0);
    CHECK_EQ(frame_pool_free_count(&fp), 1);
    CHECK_EQ(frame_alloc(&fp, 1, 1), 6);
    CHECK(frame_alloc(&fp, 1, 1) == FRAME_NONE);
    /* No whole RAM page. */
    CHECK_EQ(init(&fp, &c, none, 2, NULL, 0), -XEN_EINVAL);
    CHECK_EQ(init(&fp, &c, none, 0, NULL, 0), -XEN_EINVAL);
    /* All RAM excluded: nowhere to put the bitmap. */
    CHECK_EQ(init(&fp, &c, two, 1, all, 1), -XEN_ENOMEM);
    /* p2v cannot map it. */
    c.refuse = true;
    CHECK_EQ(init(&fp, &c, two, 1, NULL, 0), -XEN_ENOMEM);
    free(c.buf);
}

/* RAM above 4 GiB: plain allocations come from the top; _below keeps runs
 * under the limit and can take everything there is below it. */
static void test_above_4g(void)
{
    static const R m[] = {
        { 0x0, 0x9fc00, 1 }, { MiB, 2 * GiB - MiB, 1 },
        { 0xfec00000, 0x1000, 2 }, { 4 * GiB, 2 * GiB, 1 },
    };
    static const X x[] = { { 0, MiB }, { MiB, 2 * MiB } };
    struct frame_pool fp;
    struct p2v_ctx c = { 0 };
    const uint64_t lim = 4 * GiB / 4096;
    uint8_t *seen = calloc(6 * GiB / 4096, 1);
    uint64_t pfn, below, total;

    CHECK_EQ(init(&fp, &c, m, ARRAY_SIZE(m), x, ARRAY_SIZE(x)), 0);
    CHECK_EQ(fp.max_pfn, 6 * GiB / 4096);
    CHECK_EQ(c.pa, 2 * MiB);
    CHECK_EQ(fp.bitmap.end - fp.bitmap.start, 144 * 4096);
    total = frame_pool_free_count(&fp);
    pfn = frame_alloc(&fp, 1, 1);
    CHECK_EQ(pfn, 6 * GiB / 4096 - 1);
    pfn = frame_alloc_below(&fp, 16, 16, lim);
    CHECK_EQ(pfn, 2 * GiB / 4096 - 16);
    pfn = frame_alloc_below(&fp, 4, 1, 0x200 + 4);     /* just above 2 MiB */
    CHECK(pfn == FRAME_NONE || pfn + 4 <= 0x204);
    CHECK(frame_alloc_below(&fp, 1, 1, 0) == FRAME_NONE);
    below = drain(&fp, m, ARRAY_SIZE(m), x, ARRAY_SIZE(x), seen, lim);
    CHECK_EQ(below, (2 * GiB - 2 * MiB) / 4096 - 144 - 16 - (pfn != FRAME_NONE ? 4 : 0));
    CHECK_EQ(frame_pool_free_count(&fp), 2 * GiB / 4096 - 1);
    CHECK_EQ(drain(&fp, m, ARRAY_SIZE(m), x, ARRAY_SIZE(x), seen, ~0ULL),
             2 * GiB / 4096 - 1);
    CHECK_EQ(total, (2 * GiB - 2 * MiB) / 4096 - 144 + 2 * GiB / 4096);
    free(seen);
    free(c.buf);
}

/* An unsanitized map: reserved overlapping RAM, unaligned RAM. */
static void test_unsanitized(void)
{
    static const R m[] = {
        { 0x800, 0x10000, 1 },          /* pages 1..15 whole, 16 partial */
        { 0x4000, 0x10, 2 },            /* page 4 is reserved */
        { 0x8000, 0x4000, 1 },          /* duplicate RAM */
    };
    struct frame_pool fp;
    struct p2v_ctx c = { 0 };
    unsigned p;

    CHECK_EQ(init(&fp, &c, m, ARRAY_SIZE(m), NULL, 0), 0);
    CHECK_EQ(fp.max_pfn, 16);
    CHECK_EQ(c.pa, 0x1000);
    for (p = 0; p < 16; p++)
        CHECK_EQ(frame_is_ram(&fp, p), p != 0 && p != 4 && p != 1);
    CHECK_EQ(frame_pool_free_count(&fp), 13);
    free(c.buf);
}

/* Random alloc/free against a model: each allocation must be exactly the
 * highest aligned run of free frames below the limit. */
static void test_random_vs_model(void)
{
    enum { NP = 2048 };
    R m[8];
    X x[3];
    struct frame_pool fp;
    struct p2v_ctx c = { 0 };
    static uint8_t model[NP];          /* 1 = free */
    static uint16_t owner_len[NP];     /* run length at its first pfn */
    unsigned round, step, i;

    srand(777);
    for (round = 0; round < 40; round++) {
        unsigned nm = 0;
        uint64_t base = 0;

        while (nm < 8 && base < NP * 4096ULL) {
            uint64_t len = (uint64_t)(1 + rand() % 400) * 4096;

            if (base + len > NP * 4096ULL)
                len = NP * 4096ULL - base;
            m[nm].base = base;
            m[nm].len = len;
            m[nm].type = rand() % 4 ? 1 : 2;
            base += len + (uint64_t)(rand() % 3) * 4096;
            nm++;
        }
        m[0].type = 1;
        for (i = 0; i < 3; i++) {
            x[i].start = (uint64_t)(rand() % NP) * 4096 + rand() % 4096;
            x[i].end = x[i].start + (uint64_t)(rand() % 100) * 4096;
        }
        if (init(&fp, &c, m, nm, x, 3))
            continue;
        for (i = 0; i < NP; i++) {
            model[i] = frame_is_free(&fp, i);
            owner_len[i] = 0;
            if (model[i] && (!pfn_ram(i, m, nm) || pfn_in(i, x, 3))) {
                th_case_failures++;
                printf("  round %u: frame %u wrongly free\n", round, i);
                return;
            }
        }
        for (step = 0; step < 400; step++) {
            if (rand() % 3) {
                uint64_t nr = 1 + rand() % 40, al = 1ULL << (rand() % 5);
                uint64_t lim = rand() % 2 ? NP : (uint64_t)(rand() % NP);
                uint64_t got = frame_alloc_below(&fp, nr, al, lim), want = FRAME_NONE;
                int64_t s;

                for (s = (int64_t)((MIN(lim, fp.max_pfn) >= nr
                                        ? MIN(lim, fp.max_pfn) - nr : 0) & ~(al - 1));
                     s >= 0 && MIN(lim, fp.max_pfn) >= nr; s -= (int64_t)al) {
                    uint64_t k;

                    for (k = 0; k < nr && model[s + k]; k++)
                        ;
                    if (k == nr) {
                        want = (uint64_t)s;
                        break;
                    }
                }
                if (got != want) {
                    th_case_failures++;
                    printf("  round %u step %u: alloc(%llu, %llu, %llu) = "
                           "%llx, model %llx\n", round, step,
                           (unsigned long long)nr, (unsigned long long)al,
                           (unsigned long long)lim, (unsigned long long)got,
                           (unsigned long long)want);
                    return;
                }
                if (got != FRAME_NONE) {
                    memset(model + got, 0, nr);
                    owner_len[got] = (uint16_t)nr;
                }
            } else {
                unsigned start = rand() % NP;

                for (i = 0; i < NP; i++) {
                    unsigned p = (start + i) % NP;

                    if (owner_len[p]) {
                        CHECK_EQ(frame_free(&fp, p, owner_len[p]), 0);
                        memset(model + p, 1, owner_len[p]);
                        owner_len[p] = 0;
                        break;
                    }
                }
            }
            {
                uint64_t cnt = 0;

                for (i = 0; i < NP; i++)
                    cnt += model[i];
                if (cnt != frame_pool_free_count(&fp)) {
                    th_case_failures++;
                    printf("  round %u step %u: count mismatch\n", round, step);
                    return;
                }
            }
        }
    }
    free(c.buf);
}

/* frame_was_used: only frames allocated and freed since boot. */
static void test_used_map(void)
{
    R m[] = { { 0, 16ULL << 20, 1 } };
    struct frame_pool fp;
    struct p2v_ctx c = { 0 };
    uint64_t a, b;

    CHECK_EQ(init(&fp, &c, m, 1, NULL, 0), 0);
    a = frame_alloc(&fp, 4, 1);
    CHECK(a != FRAME_NONE);
    CHECK(!frame_was_used(&fp, a));         /* held, never given back */
    CHECK_EQ(frame_free(&fp, a, 4), 0);
    CHECK(frame_was_used(&fp, a) && frame_was_used(&fp, a + 3));
    CHECK(!frame_was_used(&fp, a + 4) || a + 4 >= fp.max_pfn);
    b = frame_alloc(&fp, 4, 1);             /* the same frames again */
    CHECK_EQ(b, a);
    CHECK(frame_was_used(&fp, b));          /* still marked: scrub them */
    CHECK_EQ(frame_free(&fp, b, 1000000), -XEN_EINVAL);
    CHECK(!frame_was_used(&fp, fp.max_pfn));
    free(c.buf);
}

int main(void)
{
    RUN_TEST(test_used_map);
    RUN_TEST(test_basic);
    RUN_TEST(test_bad_free);
    RUN_TEST(test_alignment_and_holes);
    RUN_TEST(test_overlapping_exclusions);
    RUN_TEST(test_tiny);
    RUN_TEST(test_above_4g);
    RUN_TEST(test_unsanitized);
    RUN_TEST(test_random_vs_model);
    return th_finish();
}
