/*
 * Unit tests for shim/boot/memmap.c (memmap_sanitize).
 *
 * Hand-written cases pin the rules (sorting, RAM shrinks / others grow to
 * pages, type priority in overlaps, merging, the capacity fallback), and a
 * randomized check compares every page of random small maps against a
 * brute-force model: with room to spare the result must equal the model
 * page for page; with a tight capacity it must at least never call a page
 * RAM that the model does not.
 */
#include "harness.h"

#include <xhv/boot_info.h>

#define PG 4096ULL

typedef struct boot_mem_range R;

static bool map_eq(const R *got, unsigned n, const R *want, unsigned wn)
{
    unsigned i;

    if (n != wn) {
        printf("  count %u, want %u\n", n, wn);
        for (i = 0; i < n; i++)
            printf("    [%#llx, %#llx) %u\n", (unsigned long long)got[i].base,
                   (unsigned long long)(got[i].base + got[i].len),
                   got[i].type);
        return false;
    }
    for (i = 0; i < n; i++)
        if (got[i].base != want[i].base || got[i].len != want[i].len ||
            got[i].type != want[i].type) {
            printf("  entry %u: [%#llx +%#llx) %u, want [%#llx +%#llx) %u\n",
                   i, (unsigned long long)got[i].base,
                   (unsigned long long)got[i].len, got[i].type,
                   (unsigned long long)want[i].base,
                   (unsigned long long)want[i].len, want[i].type);
            return false;
        }
    return true;
}

#define SANITIZE_EQ(in, cap, ...)                                           \
    do {                                                                    \
        R m_[64];                                                           \
        static const R want_[] = { __VA_ARGS__ };                           \
        unsigned n_;                                                        \
        memcpy(m_, in, sizeof(in));                                         \
        n_ = memmap_sanitize(m_, ARRAY_SIZE(in), cap);                      \
        if (!map_eq(m_, n_, want_, ARRAY_SIZE(want_)))                      \
            th_case_failures++;                                             \
    } while (0)

/* QEMU's e820, shuffled: sorted back, nothing else changes (the 0x9fc00
 * RAM end shrinks to 0x9f000, the reserved 0x9fc00 grows down to it). */
static void test_qemu_map(void)
{
    static const R in[] = {
        { 0x100000, 0x1fee0000, 1 }, { 0xfffc0000, 0x40000, 2 },
        { 0x0, 0x9fc00, 1 },         { 0x1ffe0000, 0x20000, 2 },
        { 0x9fc00, 0x400, 2 },       { 0xf0000, 0x10000, 2 },
    };

    SANITIZE_EQ(in, 64,
                { 0x0, 0x9f000, 1 }, { 0x9f000, 0x1000, 2 },
                { 0xf0000, 0x10000, 2 }, { 0x100000, 0x1fee0000, 1 },
                { 0x1ffe0000, 0x20000, 2 }, { 0xfffc0000, 0x40000, 2 });
}

/* RAM shrinks inward, reserved grows outward; sub-page RAM vanishes. */
static void test_alignment(void)
{
    static const R in[] = {
        { 0x1800, 0x3000, 1 },      /* RAM [0x1800, 0x4800) -> [0x2000, 0x4000) */
        { 0x10010, 0x20, 2 },       /* reserved -> [0x10000, 0x11000) */
        { 0x20100, 0xe00, 1 },      /* RAM inside one page -> gone */
        { 0x30000, 0, 2 },          /* empty -> gone */
    };

    SANITIZE_EQ(in, 64, { 0x2000, 0x2000, 1 }, { 0x10000, 0x1000, 2 });
}

/* A reserved hole inside RAM splits it into three. */
static void test_split(void)
{
    static const R in[] = {
        { 0x0, 0x100000, 1 },
        { 0x40000, 0x2000, 2 },
    };

    SANITIZE_EQ(in, 64, { 0x0, 0x40000, 1 }, { 0x40000, 0x2000, 2 },
                { 0x42000, 0xbe000, 1 });
}

/* Priority: unusable > reserved (and unknown) > NVS > ACPI > RAM, in
 * either input order. */
static void test_priority(void)
{
    static const R a[] = {
        { 0x0, 0x10000, 3 },        /* ACPI */
        { 0x8000, 0x10000, 4 },     /* NVS over ACPI */
    };
    static const R b[] = {
        { 0x8000, 0x10000, 4 },
        { 0x0, 0x10000, 3 },
    };
    static const R c[] = {
        { 0x0, 0x10000, 2 },        /* reserved */
        { 0x4000, 0x4000, 5 },      /* unusable over reserved */
        { 0x0, 0x20000, 4 },        /* NVS under both */
        { 0x1c000, 0x8000, 7 },     /* unknown (PMEM) beats NVS */
    };
    static const R d[] = {
        { 0x0, 0x4000, 2 },
        { 0x0, 0x4000, 7 },         /* same rank: higher number wins */
    };

    SANITIZE_EQ(a, 64, { 0x0, 0x8000, 3 }, { 0x8000, 0x10000, 4 });
    SANITIZE_EQ(b, 64, { 0x0, 0x8000, 3 }, { 0x8000, 0x10000, 4 });
    SANITIZE_EQ(c, 64, { 0x0, 0x4000, 2 }, { 0x4000, 0x4000, 5 },
                { 0x8000, 0x8000, 2 }, { 0x10000, 0xc000, 4 },
                { 0x1c000, 0x8000, 7 });
    SANITIZE_EQ(d, 64, { 0x0, 0x4000, 7 });
}

/* Overlapping and adjacent entries of one type merge. */
static void test_merge(void)
{
    static const R in[] = {
        { 0x0, 0x3000, 1 }, { 0x2000, 0x3000, 1 }, { 0x5000, 0x1000, 1 },
        { 0x6000, 0x1000, 2 }, { 0x7000, 0x1000, 2 }, { 0x0, 0x1000, 1 },
    };

    SANITIZE_EQ(in, 64, { 0x0, 0x6000, 1 }, { 0x6000, 0x2000, 2 });
}

/* Ranges reaching the top of the address space neither wrap nor vanish
 * wrongly. */
static void test_top_of_space(void)
{
    static const R in[] = {
        { 0xfffffffffffff800ULL, 0x800, 2 },
        { 0xffffffffffffe000ULL, 0x1000, 1 },
    };

    SANITIZE_EQ(in, 64, { 0xffffffffffffe000ULL, 0x1000, 1 });
}

/* Full array: the split piece that does not fit is given to the stricter
 * neighbour, never turned into RAM or dropped under other RAM. */
static void test_capacity(void)
{
    static const R in[] = {
        { 0x0, 0x10000, 2 },        /* reserved ... */
        { 0x4000, 0x1000, 5 },      /* ... split by unusable */
        { 0x8000, 0x1000, 1 },      /* RAM inside the reserved: stays out */
    };
    R m[3];
    unsigned n, i;

    memcpy(m, in, sizeof(in));
    n = memmap_sanitize(m, 3, 3);
    CHECK(n <= 3);
    for (i = 0; i < n; i++) {
        CHECK(m[i].type != 1);
        CHECK(m[i].base % PG == 0 && m[i].len % PG == 0);
    }
    CHECK_EQ(m[0].base, 0);
    CHECK_EQ(m[n - 1].base + m[n - 1].len, 0x10000);

    /* n greater than cap: only cap entries are looked at. */
    memcpy(m, in, sizeof(in));
    n = memmap_sanitize(m, 3, 1);
    CHECK_EQ(n, 1);
    CHECK_EQ(m[0].type, 2);
    /* n == 0. */
    CHECK_EQ(memmap_sanitize(m, 0, 3), 0);
}

/* ---- randomized model check --------------------------------------- */

#define NPAGES 64

static unsigned rank_of(uint32_t t)
{
    return t == 1 ? 0 : t == 3 ? 1 : t == 4 ? 2 : t == 5 ? 4 : 3;
}

/* Expected type of each page: the winner among entries that touch it
 * (non-RAM) or cover it whole (RAM); 0 for a hole. */
static void model(const R *in, unsigned n, uint32_t *page)
{
    unsigned p, i;

    for (p = 0; p < NPAGES; p++) {
        uint64_t ps = p * PG, pe = ps + PG;
        uint32_t best = 0;

        for (i = 0; i < n; i++) {
            uint64_t s = in[i].base, e = s + in[i].len;
            bool hit = in[i].type == 1 ? (s <= ps && e >= pe)
                                       : (in[i].len && s < pe && e > ps);

            if (!hit)
                continue;
            if (!best || rank_of(in[i].type) > rank_of(best) ||
                (rank_of(in[i].type) == rank_of(best) && in[i].type > best))
                best = in[i].type;
        }
        page[p] = best;
    }
}

static bool check_shape(const R *m, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        if (m[i].len == 0 || m[i].base % PG || m[i].len % PG)
            return false;
        if (i && m[i - 1].base + m[i - 1].len > m[i].base)
            return false;                       /* sorted, disjoint */
        if (i && m[i - 1].base + m[i - 1].len == m[i].base &&
            m[i - 1].type == m[i].type)
            return false;                       /* merged */
    }
    return true;
}

static void result_pages(const R *m, unsigned n, uint32_t *page)
{
    unsigned p, i;

    for (p = 0; p < NPAGES; p++) {
        page[p] = 0;
        for (i = 0; i < n; i++)
            if (m[i].base <= p * PG && m[i].base + m[i].len >= (p + 1) * PG)
                page[p] = m[i].type;
    }
}

static void test_random_vs_model(void)
{
    static const uint32_t types[] = { 1, 1, 1, 2, 3, 4, 5, 7 };
    unsigned iter, i, p;

    srand(4242);
    for (iter = 0; iter < 20000; iter++) {
        R in[12], m[40];
        uint32_t want[NPAGES], got[NPAGES];
        unsigned n = 1 + rand() % 12, cap, out;
        bool tight = iter % 4 == 0;

        for (i = 0; i < n; i++) {
            uint64_t s = (uint64_t)(rand() % (NPAGES * 4)) * (PG / 4);
            uint64_t l = (uint64_t)(rand() % (NPAGES * 2)) * (PG / 8);

            if (s + l > NPAGES * PG)
                l = NPAGES * PG - s;
            in[i].base = s + (rand() % 3 == 0 ? (uint64_t)(rand() % 64) : 0);
            in[i].len = l;
            if (in[i].base + in[i].len > NPAGES * PG)
                in[i].len = NPAGES * PG - in[i].base;
            in[i].type = types[rand() % ARRAY_SIZE(types)];
        }
        cap = tight ? n : 40;
        memcpy(m, in, n * sizeof(R));
        out = memmap_sanitize(m, n, cap);
        model(in, n, want);
        result_pages(m, out, got);
        if (out > cap || !check_shape(m, out)) {
            th_case_failures++;
            printf("  iteration %u: bad shape\n", iter);
            return;
        }
        for (p = 0; p < NPAGES; p++) {
            bool bad = tight ? (got[p] == 1 && want[p] != 1)
                             : got[p] != want[p];

            if (bad) {
                th_case_failures++;
                printf("  iteration %u (cap %u): page %u is %u, model %u\n",
                       iter, cap, p, got[p], want[p]);
                for (i = 0; i < n; i++)
                    printf("    in [%#llx +%#llx) %u\n",
                           (unsigned long long)in[i].base,
                           (unsigned long long)in[i].len, in[i].type);
                return;
            }
        }
    }
}

int main(void)
{
    RUN_TEST(test_qemu_map);
    RUN_TEST(test_alignment);
    RUN_TEST(test_split);
    RUN_TEST(test_priority);
    RUN_TEST(test_merge);
    RUN_TEST(test_top_of_space);
    RUN_TEST(test_capacity);
    RUN_TEST(test_random_vs_model);
    return th_finish();
}
