/*
 * Host unit tests for the xz decoder (shim/loader/xz.c, lzma2.c, bcj_x86.c,
 * crc.c).
 *
 * Three sources of test streams:
 *  - the system xz(1), run at test time (into a private temp directory) on
 *    generated data of many sizes and kinds, with every check type, presets
 *    -0..-9 and -e, LZMA2 option variations, x86 BCJ and Delta filters,
 *    multiple blocks (also multi-threaded, which stores sizes in block
 *    headers) and concatenated streams with padding; the decoded bytes must
 *    equal the data we generated (which is what xz -d gives back);
 *  - containers built here around raw LZMA2 from "xz --format=raw", for
 *    what xz does not emit (4-byte x86 start offset 0, sizes in headers,
 *    odd check types, corrupt index records);
 *  - LZMA2 chunks built here with a small range encoder, for malformed
 *    data: distances before the dictionary start or beyond its size,
 *    matches crossing a chunk, end markers, bad chunk sequences.
 * Truncated and bit-flipped streams must fail cleanly (with check type
 * None a flip may also decode to different data) and never crash.
 *
 * If XHV_TEST_VMLINUZ names a bzImage, its xz payload must decode to what
 * "xz -d" gives.
 */
#include <xhv/crc.h>
#include <xhv/xz.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "xz_testlib.h"
#include "../../shim/loader/xz_internal.h"

/* ---------------------------------------------------------------------------
 * Checking helpers.
 * ------------------------------------------------------------------------- */

/*
 * Decode xz and require exactly want[0, want_n): with an exact-size buffer,
 * with one byte less (must be OUTPUT_FULL), and the index-derived size.
 */
static void expect_decode(const char *what, const uint8_t *xz, size_t xz_n,
                          const uint8_t *want, size_t want_n)
{
    uint8_t *out = malloc(want_n ? want_n : 1);
    size_t out_n = 12345, used = 0;
    uint64_t usize = 0;
    int r;

    r = xz_decode_ex(xz, xz_n, want_n ? out : NULL, want_n, &out_n, &used, 0);
    if (r != XZ_OK || out_n != want_n || used != xz_n ||
        memcmp(out, want, want_n)) {
        printf("  %s: decode r=%d (%s) out_n=%zu want %zu used=%zu/%zu\n",
               what, r, xz_strerror(r), out_n, want_n, used, xz_n);
        th_case_failures++;
    }
    if (want_n) {
        r = xz_decode(xz, xz_n, out, want_n - 1, &out_n);
        if (r != XZ_ERR_OUTPUT_FULL) {
            printf("  %s: short buffer gave %d\n", what, r);
            th_case_failures++;
        }
    }
    r = xz_uncompressed_size(xz, xz_n, &usize);
    if (r != XZ_OK || usize != want_n) {
        printf("  %s: uncompressed_size r=%d size=%llu want %zu\n", what, r,
               (unsigned long long)usize, want_n);
        th_case_failures++;
    }
    free(out);
}

/* Compress data with xz opts and check the round trip. */
static void roundtrip(const char *opts, const uint8_t *data, size_t n,
                      const char *what)
{
    size_t xz_n;
    uint8_t *xz = run_xz(opts, data, n, &xz_n);
    char label[256];

    snprintf(label, sizeof(label), "%s [xz %s, %zu bytes]", what, opts, n);
    if (!xz) {
        th_case_failures++;
        return;
    }
    expect_decode(label, xz, xz_n, data, n);
    free(xz);
}

static void roundtrip_kind(const char *opts, enum kind k, size_t n,
                           uint64_t seed)
{
    uint8_t *d = gen(k, n, seed);
    roundtrip(opts, d, n, kind_name[k]);
    free(d);
}

static int decode_buf(const struct buf *b, uint8_t *out, size_t cap,
                      size_t *out_n)
{
    return xz_decode(b->p, b->n, out, cap, out_n);
}

/*
 * Wrap an LZMA2 stream (check None, given dict prop) whose index claims
 * plain_n uncompressed bytes, and decode it.
 */
static int decode_lzma2(const struct buf *lz, uint8_t dict_prop,
                        size_t plain_n, uint8_t *out, size_t cap,
                        size_t *out_n)
{
    struct xfilter f = { 0x21, { dict_prop }, 1 };
    struct xblock k = { .raw = lz->p, .raw_n = lz->n, .plain = NULL,
                        .plain_n = plain_n, .filters = &f, .nfilters = 1 };
    struct buf x = { 0 };
    int r;

    build_xz(&x, 0, &k, 1);
    r = xz_decode(x.p, x.n, out, cap, out_n);
    free(x.p);
    return r;
}

/* ---------------------------------------------------------------------------
 * Tests.
 * ------------------------------------------------------------------------- */

static void test_crc_vectors(void)
{
    static const char s[] = "123456789";
    CHECK_EQ(xhv_crc32(0, s, 9), 0xCBF43926u);
    CHECK(xhv_crc64(0, s, 9) == 0x995DC9BBDF1939FAull);
    CHECK_EQ(xhv_crc32(0, s, 0), 0);
    /* Chaining over any split equals one pass (exercises the tails). */
    uint8_t *d = gen(K_RANDOM, 1000, 1);
    uint32_t c32 = xhv_crc32(0, d, 1000);
    uint64_t c64 = xhv_crc64(0, d, 1000);
    for (size_t cut = 0; cut <= 13; cut++) {
        CHECK_EQ(xhv_crc32(xhv_crc32(0, d, cut), d + cut, 1000 - cut), c32);
        CHECK(xhv_crc64(xhv_crc64(0, d, cut), d + cut, 1000 - cut) == c64);
    }
    free(d);
}

static void test_strerror(void)
{
    for (int e = 0; e >= -8; e--)
        CHECK(xz_strerror(e) && xz_strerror(e)[0]);
    CHECK_STR(xz_strerror(XZ_ERR_CHECK),
              "integrity check (CRC/SHA-256) mismatch");
}

static void test_args_and_garbage(void)
{
    uint8_t out[16];
    size_t n = 99, used = 99;
    uint64_t sz;
    static const uint8_t garbage[32] = { 'h', 'e', 'l', 'l', 'o' };
    static const uint8_t magic_prefix[] = { 0xFD, '7', 'z' };

    CHECK_EQ(xz_decode(NULL, 0, out, sizeof(out), &n), XZ_ERR_TRUNCATED);
    CHECK_EQ(n, 0);
    CHECK_EQ(xz_decode(NULL, 5, out, sizeof(out), &n), XZ_ERR_ARG);
    CHECK_EQ(xz_decode(garbage, 5, NULL, 5, &n), XZ_ERR_ARG);
    CHECK_EQ(xz_decode_ex(garbage, sizeof(garbage), out, sizeof(out), &n,
                          &used, 0), XZ_ERR_FORMAT);
    CHECK_EQ(xz_decode(magic_prefix, 3, out, sizeof(out), NULL),
             XZ_ERR_TRUNCATED);
    CHECK_EQ(xz_uncompressed_size(NULL, 0, &sz), XZ_ERR_TRUNCATED);
    CHECK_EQ(xz_uncompressed_size(garbage, 32, NULL), XZ_ERR_ARG);
    CHECK_EQ(xz_uncompressed_size(garbage, 32, &sz), XZ_ERR_FORMAT);
    CHECK_EQ(xz_uncompressed_size(magic_prefix, 3, &sz), XZ_ERR_TRUNCATED);
}

/* Every check type on small sizes, random and text. */
static void test_small_sizes_all_checks(void)
{
    static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 100,
                                    255, 256, 257, 1000, 4095, 4096, 4097 };
    static const char *const checks[] = { "none", "crc32", "crc64",
                                          "sha256" };
    char opts[64];

    for (size_t c = 0; c < ARRAY_SIZE(checks); c++)
        for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
            snprintf(opts, sizeof(opts), "-T1 --check=%s", checks[c]);
            roundtrip_kind(opts, K_TEXT, sizes[i], 10 + i);
            if (sizes[i] > 1)
                roundtrip_kind(opts, K_RANDOM, sizes[i], 100 + i);
        }
}

static void test_64k(void)
{
    for (int k = 0; k < K_NKINDS; k++) {
        roundtrip_kind("-T1", (enum kind)k, 65536, 200 + k);
        roundtrip_kind("-T1 --check=crc32", (enum kind)k, 65535, 210 + k);
        roundtrip_kind("-T1 --check=none", (enum kind)k, 65537, 220 + k);
    }
}

static void test_large(void)
{
    /* Compressible: several full 2 MiB LZMA2 chunks with state carried. */
    roundtrip_kind("-T1 -6", K_TEXT, 6u << 20, 300);
    /* Incompressible: LZMA2 falls back to uncompressed chunks. */
    roundtrip_kind("-T1 -0 --check=crc64", K_RANDOM, 3u << 20, 301);
    /* Code with BCJ. */
    roundtrip_kind("-T1 --x86 --lzma2=preset=6 --check=crc32", K_X86,
                   4u << 20, 302);
    /* Long zero runs: maximal-length matches at distance 0. */
    roundtrip_kind("-T1 -1", K_ZERO, 5u << 20, 303);
}

static uint8_t *gen_mixed(size_t n, uint64_t seed)
{
    uint8_t *d = malloc(n);
    size_t part = n / 4;
    for (int k = 0; k < 4; k++) {
        size_t len = k == 3 ? n - 3 * part : part;
        uint8_t *g = gen((enum kind)k, len, seed + k);
        memcpy(d + k * part, g, len);
        free(g);
    }
    return d;
}

static void test_presets(void)
{
    size_t n = 300000;
    uint8_t *d = gen_mixed(n, 400);
    char opts[32];

    for (int p = 0; p <= 9; p++) {
        snprintf(opts, sizeof(opts), "-T1 -%d", p);
        roundtrip(opts, d, n, "mixed");
        snprintf(opts, sizeof(opts), "-T1 -%de", p);
        roundtrip(opts, d, n, "mixed");
    }
    free(d);
}

static void test_lzma2_options(void)
{
    static const char *const opts[] = {
        "-T1 --lzma2=lc=0,lp=0,pb=0",
        "-T1 --lzma2=lc=4,lp=0,pb=4",
        "-T1 --lzma2=lc=0,lp=4,pb=4",
        "-T1 --lzma2=lc=1,lp=3,pb=1",
        "-T1 --lzma2=lc=2,lp=2,pb=3",
        "-T1 --lzma2=dict=4KiB",
        "-T1 --lzma2=dict=4KiB,lc=0,lp=1,pb=0",
        "-T1 --lzma2=dict=12KiB,mf=hc3,mode=fast",
        "-T1 --lzma2=mf=hc4,mode=fast,nice=273",
        "-T1 --lzma2=mf=bt2,nice=8",
        "-T1 --lzma2=mf=bt3,depth=1",
        "-T1 --lzma2=preset=9e,nice=273,depth=1000",
    };
    size_t n = 200000;
    uint8_t *d = gen_mixed(n, 500);

    for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
        roundtrip(opts[i], d, n, "mixed");
    free(d);
}

static void test_x86(void)
{
    static const char *const opts[] = {
        "-T1 --format=xz --x86 --lzma2=preset=6",
        "-T1 --x86=start=0 --lzma2=preset=1",
        "-T1 --x86=start=1 --lzma2",
        "-T1 --x86=start=4096 --lzma2",
        "-T1 --x86=start=4294967040 --lzma2",   /* wraps 2^32 */
        "-T1 --x86 --x86 --lzma2",              /* two BCJ filters */
        "-T1 --x86 --block-size=10007 --lzma2", /* per-block filter state */
    };
    static const size_t sizes[] = { 0, 1, 4, 5, 6, 9, 10, 100, 65536, 300001 };

    for (size_t o = 0; o < ARRAY_SIZE(opts); o++)
        for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
            roundtrip_kind(opts[o], K_X86, sizes[s], 600 + s);
            roundtrip_kind(opts[o], K_E8, sizes[s], 700 + s);
        }
}

static void test_delta(void)
{
    static const char *const opts[] = {
        "-T1 --delta=dist=1 --lzma2",
        "-T1 --delta=dist=4 --lzma2",
        "-T1 --delta=dist=256 --lzma2",
        "-T1 --delta=dist=3 --x86 --lzma2",
    };
    for (size_t o = 0; o < ARRAY_SIZE(opts); o++) {
        roundtrip_kind(opts[o], K_X86, 100000, 800 + o);
        roundtrip_kind(opts[o], K_TEXT, 100, 810 + o);
    }
}

static void test_multi_block(void)
{
    static const char *const opts[] = {
        "-T1 --block-size=1000",
        "-T1 --block-size=4096 --check=crc64",
        "-T1 --block-size=65536 --check=sha256",
        "-T1 --block-size=100003 --lzma2=lc=1,lp=3,pb=4",
        "-T1 --block-list=1,2,3,100,5000,65536,0",
        "-T2 --block-size=70000",               /* sizes in block headers */
        "-T2 --block-size=200000 --x86 --lzma2 --check=none",
    };
    size_t n = 1u << 20;
    uint8_t *d = gen_mixed(n, 900);

    for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
        roundtrip(opts[i], d, n, "mixed");
    free(d);
}

static void test_multi_stream(void)
{
    static const char *const opts[] = { "-T1 --check=crc32", "-T1 -0",
                                        "-T1 --check=none --x86 --lzma2",
                                        "-T1 --check=sha256", "-T1 -9e" };
    static const size_t sizes[] = { 5000, 0, 70000, 1, 123456 };
    struct buf all = { 0 }, want = { 0 };
    size_t first_xz = 0, first_plain = 0;
    uint8_t *out;
    size_t out_n, used;
    uint64_t sz;
    static const uint8_t zeros[8];

    for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
        uint8_t *d = gen((enum kind)(i % K_NKINDS), sizes[i], 1000 + i);
        size_t xz_n;
        uint8_t *x = run_xz(opts[i], d, sizes[i], &xz_n);
        if (!x) {
            th_case_failures++;
            free(d);
            continue;
        }
        put(&all, x, xz_n);
        if (i == 0) {
            first_xz = xz_n;
            first_plain = sizes[i];
        }
        /* Stream padding between some streams. */
        if (i == 1)
            put(&all, zeros, 4);
        if (i == 2)
            put(&all, zeros, 8);
        put(&want, d, sizes[i]);
        free(d);
        free(x);
    }
    expect_decode("5 streams", all.p, all.n, want.p, want.n);

    out = malloc(want.n);
    /* Single-stream mode stops after the first; trailing junk ignored. */
    CHECK_EQ(xz_decode_ex(all.p, all.n, out, want.n, &out_n, &used,
                          XZ_SINGLE_STREAM), XZ_OK);
    CHECK_EQ(out_n, first_plain);
    CHECK_EQ(used, first_xz);
    CHECK(memcmp(out, want.p, first_plain) == 0);

    /* Trailing padding, then bad padding lengths. */
    put(&all, zeros, 4);
    expect_decode("5 streams + padding", all.p, all.n, want.p, want.n);
    for (int extra = 1; extra <= 3; extra++) {
        put(&all, zeros, 1);
        CHECK_EQ(xz_decode(all.p, all.n, out, want.n, &out_n),
                 XZ_ERR_CORRUPT);
        CHECK(xz_uncompressed_size(all.p, all.n, &sz) != XZ_OK);
    }
    all.n -= 3;
    /* Junk after the last stream. */
    put(&all, "JUNKJUNKJUNK", 12);
    CHECK_EQ(xz_decode(all.p, all.n, out, want.n, &out_n), XZ_ERR_FORMAT);
    CHECK(xz_uncompressed_size(all.p, all.n, &sz) != XZ_OK);
    /* Padding before the first stream is not allowed. */
    {
        struct buf lead = { 0 };
        put(&lead, zeros, 4);
        put(&lead, all.p, first_xz);
        CHECK_EQ(xz_decode(lead.p, lead.n, out, want.n, &out_n),
                 XZ_ERR_FORMAT);
        CHECK(xz_uncompressed_size(lead.p, lead.n, &sz) != XZ_OK);
        free(lead.p);
    }
    free(out);
    free(all.p);
    free(want.p);
}

/* Every prefix of a small multi-block file; sampled prefixes of a big one. */
static void test_truncation(void)
{
    size_t n = 20000, xz_n, out_n;
    uint8_t *d = gen_mixed(n, 1100), *out = malloc(n);
    uint8_t *x = run_xz("-T1 --block-size=3000 --check=crc64", d, n, &xz_n);
    uint64_t sz;

    if (!x) {
        th_case_failures++;
        return;
    }
    for (size_t len = 0; len < xz_n; len++) {
        int r = xz_decode(x, len, out, n, &out_n);
        if (r == XZ_OK || out_n > n) {
            printf("  prefix %zu/%zu: r=%d\n", len, xz_n, r);
            th_case_failures++;
        }
        if (xz_uncompressed_size(x, len, &sz) == XZ_OK) {
            printf("  prefix %zu/%zu: size ok\n", len, xz_n);
            th_case_failures++;
        }
        /* Every prefix up to the footer reports truncation. */
        if (r != XZ_ERR_TRUNCATED) {
            printf("  prefix %zu/%zu: r=%d, not TRUNCATED\n", len, xz_n, r);
            th_case_failures++;
        }
    }
    free(x);
    free(d);
    free(out);

    n = 3u << 20;
    d = gen_mixed(n, 1200);
    out = malloc(n);
    x = run_xz("-T1 -3 --x86 --lzma2", d, n, &xz_n);
    if (!x) {
        th_case_failures++;
        return;
    }
    rng_seed(1201);
    for (int i = 0; i < 40; i++) {
        size_t len = i < 20 ? xz_n - 1 - (size_t)i : rng() % xz_n;
        int r = xz_decode(x, len, out, n, &out_n);
        CHECK_EQ(r, XZ_ERR_TRUNCATED);
        CHECK(out_n <= n);
    }
    free(x);
    free(d);
    free(out);
}

/* Flip every bit of small files; each must fail (or, check None, differ). */
static void flip_all_bits(const char *opts, enum kind k, size_t n,
                          bool may_succeed)
{
    size_t xz_n, out_n;
    uint8_t *d = gen(k, n, 1300), *out = malloc(n + 64);
    uint8_t *x = run_xz(opts, d, n, &xz_n);
    unsigned ok_flips = 0;

    if (!x) {
        th_case_failures++;
        return;
    }
    for (size_t i = 0; i < xz_n * 8; i++) {
        x[i / 8] ^= (uint8_t)(1u << (i % 8));
        int r = xz_decode(x, xz_n, out, n + 64, &out_n);
        if (r == XZ_OK) {
            ok_flips++;
            if (!may_succeed || (out_n == n && !memcmp(out, d, n))) {
                printf("  %s: flip of bit %zu accepted\n", opts, i);
                th_case_failures++;
            }
        }
        x[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    if (ok_flips)
        printf("  %s: %u flips decoded to other data (check none)\n", opts,
               ok_flips);
    free(x);
    free(d);
    free(out);
}

static void test_bitflips(void)
{
    flip_all_bits("-T1 --check=crc32 --block-size=300", K_TEXT, 1000, false);
    flip_all_bits("-T1 --check=crc64 --x86 --lzma2", K_X86, 600, false);
    flip_all_bits("-T1 --check=sha256", K_TEXT, 300, false);
    flip_all_bits("-T1 --check=none", K_TEXT, 700, true);
    flip_all_bits("-T1 --check=none -0", K_RANDOM, 300, true);
}

static void test_output_full(void)
{
    size_t n = 100000, xz_n, out_n;
    uint8_t *d = gen(K_TEXT, n, 1400), *out = malloc(n);
    uint8_t *x = run_xz("-T1 --block-size=30000", d, n, &xz_n);

    if (!x) {
        th_case_failures++;
        return;
    }
    static const size_t caps[] = { 0, 1, 29999, 30000, 30001, 99999 };
    for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
        CHECK_EQ(xz_decode(x, xz_n, caps[i] ? out : NULL, caps[i], &out_n),
                 XZ_ERR_OUTPUT_FULL);
        CHECK(out_n <= caps[i]);
    }
    free(x);
    free(d);
    free(out);
}

/* Raw LZMA2 (and BCJ+LZMA2) from xz --format=raw, in our own containers. */
static void test_built_containers(void)
{
    size_t n = 50000, raw_n, out_n;
    uint8_t *d = gen(K_X86, n, 1500), *out = malloc(n + 1);
    uint8_t *raw = run_xz("--format=raw --x86 --lzma2=preset=6,dict=1MiB", d,
                          n, &raw_n);
    struct xfilter lz = { 0x21, { 16 }, 1 };     /* 1 MiB */
    struct xfilter chain[2][2] = {
        { { 0x04, { 0 }, 0 }, lz },             /* no start offset */
        { { 0x04, { 0, 0, 0, 0 }, 4 }, lz },    /* start offset 0, 4 bytes */
    };
    struct buf b;

    if (!raw) {
        th_case_failures++;
        return;
    }
    for (int c = 0; c < 2; c++)
        for (int sizes = 0; sizes < 4; sizes++) {
            for (unsigned check = 0; check <= 4; check += 4) {
                struct xblock k = {
                    .raw = raw, .raw_n = raw_n, .plain = d, .plain_n = n,
                    .filters = chain[c], .nfilters = 2,
                    .put_csize = sizes & 1, .put_usize = sizes & 2,
                };
                memset(&b, 0, sizeof(b));
                build_xz(&b, check, &k, 1);
                expect_decode("built x86+lzma2", b.p, b.n, d, n);
                free(b.p);
            }
        }

    /* Lies in the block header sizes and the index. */
    {
        struct xblock k = {
            .raw = raw, .raw_n = raw_n, .plain = d, .plain_n = n,
            .filters = chain[0], .nfilters = 2,
        };
        struct { bool cs, us; int cd, ud, iud; int want; } lies[] = {
            { true, false, 1, 0, 0, XZ_ERR_CORRUPT },
            { true, false, -1, 0, 0, XZ_ERR_CORRUPT },
            { false, true, 0, 1, 0, XZ_ERR_CORRUPT },
            { false, true, 0, -1, 0, XZ_ERR_CORRUPT },
            { false, false, 0, 0, 1, XZ_ERR_CORRUPT },
            { true, true, 0, 0, -1, XZ_ERR_CORRUPT },
        };
        for (size_t i = 0; i < ARRAY_SIZE(lies); i++) {
            k.put_csize = lies[i].cs;
            k.put_usize = lies[i].us;
            k.csize_delta = lies[i].cd;
            k.usize_delta = lies[i].ud;
            k.index_usize_delta = lies[i].iud;
            memset(&b, 0, sizeof(b));
            build_xz(&b, 1, &k, 1);
            int r = decode_buf(&b, out, n + 1, &out_n);
            if (r != lies[i].want) {
                printf("  lie %zu: got %d want %d\n", i, r, lies[i].want);
                th_case_failures++;
            }
            free(b.p);
        }
    }

    /* Unsupported: check IDs other than 0/1/4/10, filters, flags. */
    {
        struct xblock k = {
            .raw = raw, .raw_n = raw_n, .plain = d, .plain_n = n,
            .filters = chain[0], .nfilters = 2,
        };
        static const unsigned odd_checks[] = { 2, 3, 5, 9, 11, 15 };
        for (size_t i = 0; i < ARRAY_SIZE(odd_checks); i++) {
            memset(&b, 0, sizeof(b));
            build_xz(&b, odd_checks[i], &k, 1);
            CHECK_EQ(decode_buf(&b, out, n, &out_n), XZ_ERR_UNSUPPORTED);
            uint64_t sz = 0;
            CHECK_EQ(xz_uncompressed_size(b.p, b.n, &sz), XZ_OK);
            CHECK_EQ(sz, n);
            free(b.p);
        }
        struct xfilter bad[][2] = {
            { { 0x05, { 0 }, 0 }, lz },          /* PowerPC BCJ */
            { { 0x04, { 0 }, 2 }, lz },          /* x86 props size 2 */
            { lz, lz },                          /* LZMA2 not last */
            { { 0x21, { 41 }, 1 }, lz },         /* dict prop > 40 */
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
            k.filters = bad[i];
            memset(&b, 0, sizeof(b));
            build_xz(&b, 0, &k, 1);
            CHECK_EQ(decode_buf(&b, out, n, &out_n), XZ_ERR_UNSUPPORTED);
            free(b.p);
        }
        struct xfilter x86_last = { 0x04, { 0 }, 0 };
        k.filters = &x86_last;
        k.nfilters = 1;
        memset(&b, 0, sizeof(b));
        build_xz(&b, 0, &k, 1);
        CHECK_EQ(decode_buf(&b, out, n, &out_n), XZ_ERR_UNSUPPORTED);
        free(b.p);
    }
    free(raw);
    free(d);
    free(out);
}

/* Header/index/footer damage with valid CRCs, patched by hand. */
static void test_structure_errors(void)
{
    size_t n = 3000, xz_n, out_n;
    uint8_t *d = gen(K_TEXT, n, 1600), *out = malloc(n);
    uint8_t *x = run_xz("-T1 --check=crc32", d, n, &xz_n);
    uint8_t *y = malloc(xz_n);
    uint32_t c;

    if (!x) {
        th_case_failures++;
        return;
    }
#define RESET_Y() memcpy(y, x, xz_n)
#define SET_LE32(p, v) do { c = (v); for (int i_ = 0; i_ < 4; i_++) \
        (p)[i_] = (uint8_t)(c >> (8 * i_)); } while (0)
    /* Stream flags reserved bits (header CRC fixed up). */
    RESET_Y();
    y[6] = 1;
    SET_LE32(y + 8, xhv_crc32(0, y + 6, 2));
    CHECK_EQ(xz_decode(y, xz_n, out, n, &out_n), XZ_ERR_UNSUPPORTED);
    /* Header CRC wrong. */
    RESET_Y();
    y[8] ^= 1;
    CHECK_EQ(xz_decode(y, xz_n, out, n, &out_n), XZ_ERR_CHECK);
    /* Block header reserved flag bit (CRC fixed up). */
    RESET_Y();
    {
        size_t hs = ((size_t)y[12] + 1) * 4;
        y[13] |= 0x04;
        SET_LE32(y + 12 + hs - 4, xhv_crc32(0, y + 12, hs - 4));
        CHECK_EQ(xz_decode(y, xz_n, out, n, &out_n), XZ_ERR_UNSUPPORTED);
    }
    /* Footer flags differ from header (footer CRC fixed up). */
    RESET_Y();
    y[xz_n - 3] = 4;
    SET_LE32(y + xz_n - 12, xhv_crc32(0, y + xz_n - 8, 6));
    CHECK_EQ(xz_decode(y, xz_n, out, n, &out_n), XZ_ERR_CORRUPT);
    /* Backward size off by one unit (footer CRC fixed up). */
    RESET_Y();
    y[xz_n - 8]++;
    SET_LE32(y + xz_n - 12, xhv_crc32(0, y + xz_n - 8, 6));
    CHECK_EQ(xz_decode(y, xz_n, out, n, &out_n), XZ_ERR_CORRUPT);
    {
        uint64_t sz;
        CHECK(xz_uncompressed_size(y, xz_n, &sz) != XZ_OK);
    }
    /* Footer magic. */
    RESET_Y();
    y[xz_n - 1] = 'Q';
    CHECK_EQ(xz_decode(y, xz_n, out, n, &out_n), XZ_ERR_CORRUPT);
#undef RESET_Y
#undef SET_LE32
    free(x);
    free(y);
    free(d);
    free(out);
}

/* Hand-made LZMA2 chunk sequences, valid and not. */
static void test_crafted_lzma2(void)
{
    static struct lenc l;
    struct buf lz;
    uint8_t out[16384];
    size_t out_n;
    int r;

#define NEW() do { memset(&lz, 0, sizeof(lz)); } while (0)
#define LZMA_BEGIN() do { lenc_begin(&l); } while (0)
    /* Valid: literals then an overlapping match ("abc" * 4). */
    NEW();
    lenc_reset(&l);
    l.pos = 0;
    l.prev = 0;
    LZMA_BEGIN();
    lenc_literal(&l, 'a');
    lenc_literal(&l, 'b');
    lenc_literal(&l, 'c');
    lenc_match(&l, 2, 9);
    lenc_chunk(&l, &lz, 3, 12, 0);
    put8(&lz, 0);
    r = decode_lzma2(&lz, 0, 12, out, sizeof(out), &out_n);
    CHECK_EQ(r, XZ_OK);
    CHECK_EQ(out_n, 12);
    CHECK(memcmp(out, "abcabcabcabc", 12) == 0);
    /* Same chunk with its compressed size one too big / small. */
    for (int delta = -1; delta <= 1; delta += 2) {
        struct buf lz2 = { 0 };
        lenc_reset(&l);
        l.pos = 0;
        l.prev = 0;
        LZMA_BEGIN();
        lenc_literal(&l, 'a');
        lenc_literal(&l, 'b');
        lenc_literal(&l, 'c');
        lenc_match(&l, 2, 9);
        lenc_chunk(&l, &lz2, 3, 12, delta);
        if (delta > 0)
            put8(&lz2, 0);   /* the extra byte the header claims */
        put8(&lz2, 0);
        r = decode_lzma2(&lz2, 0, 12, out, sizeof(out), &out_n);
        CHECK_EQ(r, XZ_ERR_CORRUPT);
        free(lz2.p);
    }
    /* Chunk uncompressed size 11 < 12: match crosses the chunk end. */
    {
        struct buf lz2 = { 0 };
        lenc_reset(&l);
        l.pos = 0;
        l.prev = 0;
        LZMA_BEGIN();
        lenc_literal(&l, 'a');
        lenc_literal(&l, 'b');
        lenc_literal(&l, 'c');
        lenc_match(&l, 2, 9);
        lenc_chunk(&l, &lz2, 3, 11, 0);
        put8(&lz2, 0);
        CHECK_EQ(decode_lzma2(&lz2, 0, 11, out, sizeof(out), &out_n),
                 XZ_ERR_CORRUPT);
        free(lz2.p);
    }
    free(lz.p);

    /* Distance reaching before the start of output. */
    NEW();
    lenc_reset(&l);
    l.pos = 0;
    l.prev = 0;
    LZMA_BEGIN();
    lenc_literal(&l, 'a');
    lenc_match(&l, 1, 2);
    lenc_chunk(&l, &lz, 3, 3, 0);
    put8(&lz, 0);
    CHECK_EQ(decode_lzma2(&lz, 0, 3, out, sizeof(out), &out_n),
             XZ_ERR_CORRUPT);
    free(lz.p);

    /* Distances vs the declared dictionary size (prop 0 = 4 KiB). */
    for (uint32_t dist = 4094; dist <= 4097; dist++) {
        NEW();
        lenc_reset(&l);
        l.pos = 0;
        l.prev = 0;
        LZMA_BEGIN();
        rng_seed(dist);
        for (int i = 0; i < 5000; i++)
            lenc_literal(&l, (uint8_t)rng());
        lenc_match(&l, dist, 5);
        lenc_chunk(&l, &lz, 3, 5005, 0);
        put8(&lz, 0);
        r = decode_lzma2(&lz, 0, 5005, out, sizeof(out), &out_n);
        CHECK_EQ(r, dist < 4096 ? XZ_OK : XZ_ERR_CORRUPT);
        /* With a bigger dictionary all of them are fine. */
        r = decode_lzma2(&lz, 2, 5005, out, sizeof(out), &out_n);
        CHECK_EQ(r, XZ_OK);
        CHECK_EQ(out_n, 5005);
        CHECK(memcmp(out + 5000, out + 5000 - dist - 1, 5) == 0);
        free(lz.p);
    }

    /* End-of-payload marker is not allowed inside LZMA2. */
    NEW();
    lenc_reset(&l);
    l.pos = 0;
    l.prev = 0;
    LZMA_BEGIN();
    lenc_literal(&l, 'a');
    lenc_literal(&l, 'b');
    lenc_match(&l, 0xFFFFFFFFu, 2);
    lenc_chunk(&l, &lz, 3, 4, 0);
    put8(&lz, 0);
    CHECK_EQ(decode_lzma2(&lz, 0, 4, out, sizeof(out), &out_n),
             XZ_ERR_CORRUPT);
    free(lz.p);

    /* Dictionary reset by an uncompressed chunk hides earlier bytes. */
    for (int reset = 0; reset <= 1; reset++) {
        NEW();
        put_uncompressed_chunk(&lz, true, "hello", 5);
        put_uncompressed_chunk(&lz, reset, "x", 1);
        lenc_reset(&l);
        l.pos = reset ? 1 : 6;
        l.prev = 'x';
        LZMA_BEGIN();
        lenc_match(&l, 2, 2);
        lenc_chunk(&l, &lz, 2, 2, 0);   /* state reset + props */
        put8(&lz, 0);
        r = decode_lzma2(&lz, 0, 8, out, sizeof(out), &out_n);
        if (reset) {
            CHECK_EQ(r, XZ_ERR_CORRUPT);
        } else {
            CHECK_EQ(r, XZ_OK);
            CHECK_EQ(out_n, 8);
            CHECK(memcmp(out, "helloxlo", 8) == 0);
        }
        free(lz.p);
    }

    /* Chunk sequencing rules. */
    {
        struct {
            const uint8_t *bytes;
            size_t n;
            int want;
            size_t plain_n;
        } seqs[] = {
            /* empty LZMA2 stream */
            { (const uint8_t *)"\x00", 1, XZ_OK, 0 },
            /* uncompressed chunk without dict reset first */
            { (const uint8_t *)"\x02\x00\x00" "a\x00", 5, XZ_ERR_CORRUPT, 0 },
            /* invalid control byte */
            { (const uint8_t *)"\x01\x00\x00" "a\x03", 5, XZ_ERR_CORRUPT, 0 },
            /* LZMA chunk without any reset first */
            { (const uint8_t *)"\x80\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00",
              11, XZ_ERR_CORRUPT, 0 },
            /* state reset + props but no dict reset first */
            { (const uint8_t *)"\xC0\x00\x00\x00\x04\x5D\x00\x00\x00\x00\x00"
              "\x00", 12, XZ_ERR_CORRUPT, 0 },
            /* after a dict reset, LZMA chunk without props */
            { (const uint8_t *)"\x01\x00\x00" "a"
              "\xA0\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00", 15,
              XZ_ERR_CORRUPT, 0 },
            /* props with lc + lp > 4 (lc=3, lp=2, pb=0: 21) */
            { (const uint8_t *)"\xE0\x00\x00\x00\x04\x15\x00\x00\x00\x00\x00"
              "\x00", 12, XZ_ERR_CORRUPT, 0 },
            /* props byte >= 225 */
            { (const uint8_t *)"\xE0\x00\x00\x00\x04\xE1\x00\x00\x00\x00\x00"
              "\x00", 12, XZ_ERR_CORRUPT, 0 },
            /* range coder's first byte must be 0 */
            { (const uint8_t *)"\xE0\x00\x00\x00\x04\x5D\x01\x00\x00\x00\x00"
              "\x00", 12, XZ_ERR_CORRUPT, 0 },
            /* two uncompressed chunks */
            { (const uint8_t *)"\x01\x00\x01" "ab\x02\x00\x00" "c\x00", 10,
              XZ_OK, 3 },
        };
        for (size_t i = 0; i < ARRAY_SIZE(seqs); i++) {
            NEW();
            put(&lz, seqs[i].bytes, seqs[i].n);
            r = decode_lzma2(&lz, 0, seqs[i].plain_n, out, sizeof(out),
                             &out_n);
            if (r != seqs[i].want) {
                printf("  sequence %zu: got %d want %d\n", i, r,
                       seqs[i].want);
                th_case_failures++;
            }
            free(lz.p);
        }
    }
    /* The same through the raw interface: truncation is reported as such. */
    {
        size_t used, op;
        static const uint8_t cut[] = { 0x01, 0x00, 0x05, 'a' };
        CHECK_EQ(xz_lzma2_decode(cut, sizeof(cut), &used, out, 0, sizeof(out),
                                 &op, 1u << 20), XZ_ERR_TRUNCATED);
        /* No end marker. */
        static const uint8_t no_end[] = { 0x01, 0x00, 0x00, 'a' };
        CHECK_EQ(xz_lzma2_decode(no_end, sizeof(no_end), &used, out, 0,
                                 sizeof(out), &op, 1u << 20),
                 XZ_ERR_TRUNCATED);
        CHECK_EQ(used, 4);
        CHECK_EQ(op, 1);
        static const uint8_t ok[] = { 0x01, 0x00, 0x01, 'a', 'b', 0x00 };
        CHECK_EQ(xz_lzma2_decode(ok, sizeof(ok), &used, out, 3, 5, &op,
                                 1u << 20), XZ_OK);
        CHECK_EQ(used, 6);
        CHECK_EQ(op, 5);
        CHECK_EQ(xz_lzma2_decode(ok, sizeof(ok), &used, out, 3, 4, &op,
                                 1u << 20), XZ_ERR_OUTPUT_FULL);
    }
#undef NEW
#undef LZMA_BEGIN
}

/* Debian's real bzImage payload, if provided. */
static void test_debian_vmlinuz(void)
{
    const char *path = getenv("XHV_TEST_VMLINUZ");
    size_t n, ref_n, out_n, used;
    uint8_t *img, *ref, *out;
    char cmd[512], pay[128], refp[128];

    img = read_file(path, &n);
    if (!img || n < 0x250) {
        CHECK(!"cannot read XHV_TEST_VMLINUZ");
        free(img);
        return;
    }
    unsigned setup_sects = img[0x1f1] ? img[0x1f1] : 4;
    uint32_t off = (uint32_t)img[0x248] | (uint32_t)img[0x249] << 8 |
                   (uint32_t)img[0x24a] << 16 | (uint32_t)img[0x24b] << 24;
    uint32_t len = (uint32_t)img[0x24c] | (uint32_t)img[0x24d] << 8 |
                   (uint32_t)img[0x24e] << 16 | (uint32_t)img[0x24f] << 24;
    size_t start = ((size_t)setup_sects + 1) * 512 + off;
    if (start > n || len > n - start || len < 16) {
        CHECK(!"bad bzImage payload fields");
        free(img);
        return;
    }
    const uint8_t *p = img + start;

    snprintf(pay, sizeof(pay), "%s/payload", tmpdir);
    snprintf(refp, sizeof(refp), "%s/payload.out", tmpdir);
    write_file(pay, p, len);
    snprintf(cmd, sizeof(cmd), "xz -d -c --single-stream < %s > %s", pay,
             refp);
    CHECK_EQ(system(cmd), 0);
    ref = read_file(refp, &ref_n);
    if (!ref) {
        CHECK(!"xz -d of payload failed");
        free(img);
        return;
    }
    printf("  payload %u bytes -> %zu bytes\n", len, ref_n);
    out = malloc(ref_n + 1);

    /* Whole payload, single-stream mode: Linux's size trailer is ignored. */
    CHECK_EQ(xz_decode_ex(p, len, out, ref_n, &out_n, &used,
                          XZ_SINGLE_STREAM), XZ_OK);
    CHECK_EQ(out_n, ref_n);
    CHECK(memcmp(out, ref, ref_n) == 0);
    CHECK_EQ(used, len - 4);
    /* Strict mode: the trailer is junk after the stream... */
    CHECK(xz_decode(p, len, out, ref_n, &out_n) != XZ_OK);
    /* ...but without it the payload is a valid .xz file. */
    memset(out, 0, ref_n);
    CHECK_EQ(xz_decode(p, len - 4, out, ref_n, &out_n), XZ_OK);
    CHECK(out_n == ref_n && memcmp(out, ref, ref_n) == 0);
    uint64_t sz = 0;
    CHECK_EQ(xz_uncompressed_size(p, len - 4, &sz), XZ_OK);
    CHECK_EQ(sz, ref_n);
    uint32_t trailer = (uint32_t)p[len - 4] | (uint32_t)p[len - 3] << 8 |
                       (uint32_t)p[len - 2] << 16 | (uint32_t)p[len - 1] << 24;
    CHECK_EQ(trailer, ref_n);
    CHECK_EQ(xz_decode(p, len - 4, out, ref_n - 1, &out_n),
             XZ_ERR_OUTPUT_FULL);
    free(out);
    free(ref);
    free(img);
}

int main(void)
{
    char cmd[128];

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/xhv-test-xz-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    if (system("xz --version > /dev/null 2>&1") != 0) {
        printf("FAIL: xz(1) not found\n");
        return 1;
    }

    RUN_TEST(test_crc_vectors);
    RUN_TEST(test_strerror);
    RUN_TEST(test_args_and_garbage);
    RUN_TEST(test_small_sizes_all_checks);
    RUN_TEST(test_64k);
    RUN_TEST(test_large);
    RUN_TEST(test_presets);
    RUN_TEST(test_lzma2_options);
    RUN_TEST(test_x86);
    RUN_TEST(test_delta);
    RUN_TEST(test_multi_block);
    RUN_TEST(test_multi_stream);
    RUN_TEST(test_truncation);
    RUN_TEST(test_bitflips);
    RUN_TEST(test_output_full);
    RUN_TEST(test_built_containers);
    RUN_TEST(test_structure_errors);
    RUN_TEST(test_crafted_lzma2);
    {
        const char *v = getenv("XHV_TEST_VMLINUZ");
        struct stat st;
        if (v && *v && stat(v, &st) == 0)
            RUN_TEST(test_debian_vmlinuz);
        else
            printf("SKIP: debian vmlinuz payload (set XHV_TEST_VMLINUZ)\n");
    }

    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", tmpdir);
    return th_finish();
}
