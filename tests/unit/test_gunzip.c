/*
 * Host unit tests for the gzip / DEFLATE decoder (shim/loader/gunzip.c,
 * shim/loader/inflate.c).
 *
 * Two sources of test streams:
 *  - the system gzip(1), run on generated data of many sizes and kinds at
 *    every level, with and without stored names, and concatenated; the
 *    decoded bytes must equal the data we generated;
 *  - streams built here bit by bit (RFC 1951 3.2), for what gzip does not
 *    emit: stored blocks, fixed Huffman, extreme lengths and distances,
 *    special code sets, every gzip header flag, and malformed input.
 * Truncated and bit-flipped streams must fail cleanly (or, for flips that
 * do not change the meaning, give the original data back).
 */
#include <xhv/gunzip.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* ---------------------------------------------------------------------------
 * Helpers: PRNG, data generators, running gzip, an independent CRC32.
 * ------------------------------------------------------------------------- */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
    rng_state = s * 0x9e3779b97f4a7c15ull + 1;
}

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* Bitwise CRC32 (RFC 1952 section 8), deliberately not table driven so it
 * does not share code or tables with the decoder under test. */
static uint32_t ref_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

enum kind { K_ZERO, K_RANDOM, K_TEXT, K_REPEAT, K_SKEWED, K_NKINDS };
static const char *const kind_name[] = {
    "zero", "random", "text", "repeat", "skewed",
};

static const char *const words[] = {
    "the", "hypervisor", "shim", "boots", "a", "guest", "kernel", "from",
    "compressed", "image", "page", "table", "of", "and", "memory", "xen",
    "interrupt", "event", "channel", "grant", "vcpu", "deflate", "huffman",
    "window", "distance", "length", "literal", "block", "stored", "fixed",
};

static void gen(uint8_t *buf, size_t n, enum kind k, uint64_t seed)
{
    size_t i = 0;

    rng_seed(seed);
    switch (k) {
    case K_ZERO:
        memset(buf, 0, n);
        break;
    case K_RANDOM:
        for (i = 0; i < n; i++)
            buf[i] = (uint8_t)rng();
        break;
    case K_TEXT:
        while (i < n) {
            const char *w = words[rng() % ARRAY_SIZE(words)];
            size_t l = strlen(w);

            for (size_t j = 0; j < l && i < n; j++)
                buf[i++] = (uint8_t)w[j];
            if (i < n)
                buf[i++] = (rng() % 11 == 0) ? '\n' : (rng() % 7 ? ' ' : ',');
        }
        break;
    case K_REPEAT:
        /* Copies of earlier data at random distances, some mutated: long
         * matches at every distance up to 32 KiB, plus runs. */
        while (i < n) {
            uint32_t r = rng();
            size_t len = 1 + rng() % 300;

            if (i < 16 || r % 5 == 0) {
                for (; len && i < n; len--)
                    buf[i++] = (uint8_t)(r % 3 ? rng() : r >> 8);
            } else {
                size_t d = 1 + rng() % (i < 40000 ? i : 40000);

                for (; len && i < n; len--, i++)
                    buf[i] = buf[i - d];
            }
        }
        break;
    case K_SKEWED:
        /* Geometric-ish byte distribution: rare bytes get long codes,
         * exercising the decoder's slow path and length-limited codes. */
        for (i = 0; i < n; i++) {
            unsigned v = 0;

            while (v < 255 && (rng() & 3) != 0)
                v++;
            buf[i] = (uint8_t)v;
        }
        break;
    default:
        break;
    }
}

static char tmpdir[64];

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p;
    long sz;

    if (!f || fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0) {
        perror(path);
        exit(2);
    }
    rewind(f);
    p = malloc((size_t)sz + 1);
    if (!p || fread(p, 1, (size_t)sz, f) != (size_t)sz) {
        perror(path);
        exit(2);
    }
    fclose(f);
    *n = (size_t)sz;
    return p;
}

/* gzip `data` with command-line `opts`; file name stored unless -n. */
static uint8_t *run_gzip(const uint8_t *data, size_t n, const char *opts,
                         size_t *gz_len)
{
    char path[128], cmd[512];

    snprintf(path, sizeof(path), "%s/payload.bin", tmpdir);
    write_file(path, data, n);
    snprintf(cmd, sizeof(cmd), "gzip -c %s %s > %s/out.gz", opts, path,
             tmpdir);
    if (system(cmd) != 0) {
        fprintf(stderr, "command failed: %s\n", cmd);
        exit(2);
    }
    snprintf(path, sizeof(path), "%s/out.gz", tmpdir);
    return read_file(path, gz_len);
}

/* Decode gz with an exact-size buffer and compare; also check that one
 * byte less is reported as OUTPUT_FULL. Returns 1 if all good. */
static int roundtrip(const uint8_t *gz, size_t gz_len, const uint8_t *want,
                     size_t n, const char *what)
{
    uint8_t *out = malloc(n ? n : 1);
    size_t out_len = 123, used = 456;
    int err, ok = 1;

    err = gunzip(gz, gz_len, out, n, &out_len, &used);
    if (err != GZ_OK || out_len != n || used != gz_len ||
        memcmp(out, want, n) != 0) {
        printf("  %s: err %d (%s) out_len %zu/%zu used %zu/%zu\n", what, err,
               gunzip_strerror(err), out_len, n, used, gz_len);
        ok = 0;
    }
    if (n > 0) {
        err = gunzip(gz, gz_len, out, n - 1, &out_len, &used);
        if (err != GZ_ERR_OUTPUT_FULL) {
            printf("  %s: short buffer gave %d\n", what, err);
            ok = 0;
        }
    }
    free(out);
    return ok;
}

/* ---------------------------------------------------------------------------
 * A small DEFLATE writer for hand-built streams.
 * ------------------------------------------------------------------------- */

struct bw {
    uint8_t buf[1 << 20];
    size_t len;
    uint32_t acc;
    unsigned n;
};

static struct bw bw;

static void bw_reset(void)
{
    memset(&bw, 0, sizeof(bw));
}

/* Value v in n bits, least significant bit first (RFC 1951 3.2.1). */
static void bw_bits(uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        bw.acc |= ((v >> i) & 1u) << bw.n;
        if (++bw.n == 8) {
            bw.buf[bw.len++] = (uint8_t)bw.acc;
            bw.acc = 0;
            bw.n = 0;
        }
    }
}

/* Huffman code: most significant bit first. */
static void bw_code(uint32_t code, unsigned len)
{
    while (len--)
        bw_bits((code >> len) & 1u, 1);
}

static void bw_align(void)
{
    if (bw.n)
        bw_bits(0, 8 - bw.n);
}

static void bw_bytes(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bw_bits(p[i], 8);
}

struct code {
    uint16_t code[320];
    uint8_t len[320];
};

/* Canonical codes from lengths (RFC 1951 3.2.2). */
static void canon(struct code *c, const uint8_t *lens, unsigned n)
{
    unsigned count[16] = {0}, next[16] = {0}, code = 0;

    for (unsigned i = 0; i < n; i++)
        count[lens[i]]++;
    count[0] = 0;
    for (unsigned b = 1; b < 16; b++) {
        code = (code + count[b - 1]) << 1;
        next[b] = code;
    }
    for (unsigned i = 0; i < n; i++) {
        c->len[i] = lens[i];
        c->code[i] = lens[i] ? (uint16_t)next[lens[i]]++ : 0;
    }
}

static void put_sym(const struct code *c, unsigned sym)
{
    bw_code(c->code[sym], c->len[sym]);
}

static const uint16_t t_len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t t_len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};
static const uint16_t t_dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
    16385, 24577,
};
static const uint8_t t_dist_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};

static void put_match(const struct code *lit, const struct code *dist,
                      unsigned len, unsigned d)
{
    unsigned i = 28;

    if (len != 258)
        for (i = 0; i < 28 && t_len_base[i + 1] <= len; i++)
            ;
    put_sym(lit, 257 + i);
    bw_bits(len - t_len_base[i], t_len_extra[i]);
    for (i = 0; i < 29 && t_dist_base[i + 1] <= d; i++)
        ;
    put_sym(dist, i);
    bw_bits(d - t_dist_base[i], t_dist_extra[i]);
}

static struct code fixed_lit, fixed_dist;

static void init_fixed(void)
{
    uint8_t l[288], d[32];

    for (int i = 0; i < 288; i++)
        l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
    memset(d, 5, sizeof(d));
    canon(&fixed_lit, l, 288);
    canon(&fixed_dist, d, 32);
}

static void put_stored(const uint8_t *p, size_t n, int final)
{
    bw_bits(final, 1);
    bw_bits(0, 2);
    bw_align();
    bw_bits((uint32_t)n, 16);
    bw_bits((uint32_t)~n & 0xffff, 16);
    bw_bytes(p, n);
}

/* Wrap a raw deflate stream into a gzip member with the given trailer
 * data; flags/extra fields are added by the header tests themselves. */
static size_t wrap_gzip(uint8_t *dst, const uint8_t *raw, size_t raw_len,
                        const uint8_t *data, size_t n)
{
    static const uint8_t hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    uint32_t crc = ref_crc32(data, n);
    size_t p = 0;

    memcpy(dst, hdr, 10);
    p = 10;
    memcpy(dst + p, raw, raw_len);
    p += raw_len;
    for (int i = 0; i < 4; i++)
        dst[p++] = (uint8_t)(crc >> (8 * i));
    for (int i = 0; i < 4; i++)
        dst[p++] = (uint8_t)((uint32_t)n >> (8 * i));
    return p;
}

/* Decode the raw stream in bw; return the error, output in *out. */
static int raw_decode(uint8_t *out, size_t cap, size_t *out_len)
{
    size_t used;
    int err;

    bw_align();
    err = inflate_raw(bw.buf, bw.len, out, cap, out_len, &used);
    if (err == GZ_OK && used != bw.len) {
        printf("  raw stream: used %zu of %zu\n", used, bw.len);
        return -1000;
    }
    return err;
}

/* ---------------------------------------------------------------------------
 * Tests against the system gzip.
 * ------------------------------------------------------------------------- */

static void test_gzip_matrix(void)
{
    static const size_t sizes[] = {
        0, 1, 2, 3, 4, 7, 100, 257, 258, 259, 1000, 4095, 16384, 32767,
        32768, 32769, 65535, 65536, 65537, 150001,
    };
    static const char *const opts[] = { "-1 -n", "-6", "-9 -n" };
    uint8_t *data = malloc(150001);
    unsigned cases = 0;

    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        for (int k = 0; k < K_NKINDS; k++) {
            for (size_t o = 0; o < ARRAY_SIZE(opts); o++) {
                char what[96];
                size_t gz_len;
                uint8_t *gz;

                gen(data, sizes[s], (enum kind)k, s * 31 + (size_t)k);
                gz = run_gzip(data, sizes[s], opts[o], &gz_len);
                snprintf(what, sizeof(what), "gzip %s %s %zu", opts[o],
                         kind_name[k], sizes[s]);
                CHECK(roundtrip(gz, gz_len, data, sizes[s], what));
                free(gz);
                cases++;
            }
        }
    }
    printf("  %u gzip streams\n", cases);
    free(data);
}

static void test_gzip_all_levels(void)
{
    size_t n = 300000;
    uint8_t *data = malloc(n);
    unsigned cases = 0;

    for (int k = K_RANDOM; k < K_NKINDS; k++) {
        gen(data, n, (enum kind)k, 1000 + (uint64_t)k);
        for (int level = 1; level <= 9; level++) {
            char o[32], what[64];
            size_t gz_len;
            uint8_t *gz;

            /* Odd levels keep the stored name and mtime. */
            snprintf(o, sizeof(o), "-%d%s", level, level & 1 ? "" : " -n");
            gz = run_gzip(data, n, o, &gz_len);
            snprintf(what, sizeof(what), "gzip %s %s", o, kind_name[k]);
            CHECK(roundtrip(gz, gz_len, data, n, what));
            free(gz);
            cases++;
        }
    }
    printf("  %u gzip streams\n", cases);
    free(data);
}

static void test_gzip_large(void)
{
    static const struct { size_t n; enum kind k; const char *o; } c[] = {
        { 3u << 20, K_TEXT, "-6" },
        { (4u << 20) + 17, K_RANDOM, "-1 -n" },
        { 5u << 20, K_REPEAT, "-9" },
        { 2u << 20, K_SKEWED, "-4 -n" },
        { 6u << 20, K_ZERO, "-9 -n" },
        { (1u << 20) + 3, K_TEXT, "--rsyncable -n" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
        uint8_t *data = malloc(c[i].n);
        size_t gz_len;
        uint8_t *gz;
        char what[64];

        gen(data, c[i].n, c[i].k, 77 + i);
        gz = run_gzip(data, c[i].n, c[i].o, &gz_len);
        snprintf(what, sizeof(what), "gzip %s %s %zu", c[i].o,
                 kind_name[c[i].k], c[i].n);
        CHECK(roundtrip(gz, gz_len, data, c[i].n, what));
        free(gz);
        free(data);
    }
}

/* gzip -c a b writes two members; we also splice members by hand,
 * including empty ones, and mix levels. */
static void test_gzip_concatenated(void)
{
    size_t na = 70000, nb = 50001;
    uint8_t *data = malloc(na + nb), *all, *gz;
    size_t gz_len, total = 0, pos = 0;
    char cmd[512], path[128];
    int err;

    gen(data, na, K_TEXT, 5);
    gen(data + na, nb, K_REPEAT, 6);
    snprintf(path, sizeof(path), "%s/a", tmpdir);
    write_file(path, data, na);
    snprintf(path, sizeof(path), "%s/b", tmpdir);
    write_file(path, data + na, nb);
    snprintf(cmd, sizeof(cmd), "cd %s && gzip -c -7 a b > ab.gz", tmpdir);
    CHECK(system(cmd) == 0);
    snprintf(path, sizeof(path), "%s/ab.gz", tmpdir);
    gz = read_file(path, &gz_len);
    CHECK(roundtrip(gz, gz_len, data, na + nb, "gzip -c a b"));
    free(gz);

    /* 12 members: empty, small, large, varied levels and kinds. */
    all = malloc(4u << 20);
    uint8_t *want = malloc(2u << 20);
    for (int m = 0; m < 12; m++) {
        size_t n = m % 4 == 0 ? 0 : (size_t)(rng() % 120000);
        char o[16];
        uint8_t *one;
        size_t one_len;

        gen(want + total, n, (enum kind)(m % K_NKINDS), 900 + (uint64_t)m);
        snprintf(o, sizeof(o), "-%d%s", 1 + m % 9, m & 1 ? " -n" : "");
        one = run_gzip(want + total, n, o, &one_len);
        memcpy(all + pos, one, one_len);
        pos += one_len;
        total += n;
        free(one);
    }
    CHECK(roundtrip(all, pos, want, total, "12 members"));

    /* The output of one member may not be reached from the next. */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(1, 2);
    put_match(&fixed_lit, &fixed_dist, 3, 1);
    put_sym(&fixed_lit, 256);
    bw_align();
    {
        uint8_t *m2 = all + pos;
        uint8_t *out = malloc(total + 3);
        size_t out_len, used;

        wrap_gzip(m2, bw.buf, bw.len, (const uint8_t *)"\0\0\0", 3);
        err = gunzip(all, pos + bw.len + 18, out, total + 3, &out_len, &used);
        CHECK_EQ(err, GZ_ERR_DISTANCE);
        CHECK_EQ(out_len, total);
        free(out);
    }
    free(all);
    free(want);
    free(data);
}

/* ---------------------------------------------------------------------------
 * gzip header and trailer handling (RFC 1952 2.3).
 * ------------------------------------------------------------------------- */

static uint8_t hello_raw[64];
static size_t hello_raw_len;
static const char hello[] = "hello, hello, hello world\n";

static void make_hello(void)
{
    size_t gz_len;
    uint8_t *gz = run_gzip((const uint8_t *)hello, strlen(hello), "-9 -n",
                           &gz_len);

    hello_raw_len = gz_len - 18;
    memcpy(hello_raw, gz + 10, hello_raw_len);
    free(gz);
}

/* Build a member around hello_raw with the given flags and fields. */
static size_t build_member(uint8_t *dst, uint8_t flg, const char *extra,
                           size_t extra_len, const char *name,
                           const char *comment, int hcrc_delta)
{
    size_t p = 0, n = strlen(hello);
    uint32_t crc = ref_crc32((const uint8_t *)hello, n);

    dst[p++] = 0x1f;
    dst[p++] = 0x8b;
    dst[p++] = 8;
    dst[p++] = flg;
    dst[p++] = 0x12; dst[p++] = 0x34; dst[p++] = 0x56; dst[p++] = 0x78;
    dst[p++] = 2;
    dst[p++] = 3;
    if (flg & 0x04) {
        dst[p++] = (uint8_t)extra_len;
        dst[p++] = (uint8_t)(extra_len >> 8);
        memcpy(dst + p, extra, extra_len);
        p += extra_len;
    }
    if (flg & 0x08) {
        memcpy(dst + p, name, strlen(name) + 1);
        p += strlen(name) + 1;
    }
    if (flg & 0x10) {
        memcpy(dst + p, comment, strlen(comment) + 1);
        p += strlen(comment) + 1;
    }
    if (flg & 0x02) {
        uint32_t h = ref_crc32(dst, p) + (uint32_t)hcrc_delta;

        dst[p++] = (uint8_t)h;
        dst[p++] = (uint8_t)(h >> 8);
    }
    memcpy(dst + p, hello_raw, hello_raw_len);
    p += hello_raw_len;
    for (int i = 0; i < 4; i++)
        dst[p++] = (uint8_t)(crc >> (8 * i));
    for (int i = 0; i < 4; i++)
        dst[p++] = (uint8_t)(n >> (8 * i));
    return p;
}

static int decode_hello(const uint8_t *gz, size_t gz_len)
{
    uint8_t out[64];
    size_t out_len, used;
    int err = gunzip(gz, gz_len, out, sizeof(out), &out_len, &used);

    if (err == GZ_OK && (out_len != strlen(hello) ||
                         memcmp(out, hello, out_len) || used != gz_len))
        return -1000;
    return err;
}

static void test_header_flags(void)
{
    static const char extra[] = "AB\x04\0wxyzCD\0\0";
    uint8_t gz[512];
    size_t n;

    for (unsigned flg = 0; flg < 32; flg++) {
        n = build_member(gz, (uint8_t)flg, extra, sizeof(extra) - 1,
                         "vmlinux-6.1.bin", "a comment, with text", 0);
        CHECK_EQ(decode_hello(gz, n), GZ_OK);
        if (flg & 0x02) {
            n = build_member(gz, (uint8_t)flg, extra, sizeof(extra) - 1,
                             "n", "c", 1);
            CHECK_EQ(decode_hello(gz, n), GZ_ERR_HCRC);
        }
    }
    /* Empty name, comment and extra field. */
    n = build_member(gz, 0x1e, "", 0, "", "", 0);
    CHECK_EQ(decode_hello(gz, n), GZ_OK);
    /* 65535-byte extra field. */
    {
        static char big[65535];
        static uint8_t bgz[66000];

        memset(big, 'x', sizeof(big));
        n = build_member(bgz, 0x06, big, sizeof(big), NULL, NULL, 0);
        CHECK_EQ(decode_hello(bgz, n), GZ_OK);
        CHECK_EQ(decode_hello(bgz, 11), GZ_ERR_TRUNCATED);
        CHECK_EQ(decode_hello(bgz, 12), GZ_ERR_TRUNCATED);
        CHECK_EQ(decode_hello(bgz, 12 + 65534), GZ_ERR_TRUNCATED);
        CHECK_EQ(decode_hello(bgz, 12 + 65535 + 1), GZ_ERR_TRUNCATED);
    }
}

static void test_header_errors(void)
{
    uint8_t gz[256], bad[256];
    size_t n = build_member(gz, 0x08, NULL, 0, "name", NULL, 0);

    CHECK_EQ(decode_hello(gz, n), GZ_OK);
    for (int i = 0; i < 3; i++) {
        memcpy(bad, gz, n);
        bad[i] ^= 0x40;
        CHECK_EQ(decode_hello(bad, n), GZ_ERR_FORMAT);
        /* Even a 1..3 byte prefix with bad magic is "not gzip". */
        CHECK_EQ(decode_hello(bad, (size_t)i + 1), GZ_ERR_FORMAT);
    }
    for (int bit = 5; bit < 8; bit++) {
        memcpy(bad, gz, n);
        bad[3] |= (uint8_t)(1u << bit);
        CHECK_EQ(decode_hello(bad, n), GZ_ERR_FORMAT);
    }
    for (int cm = 0; cm < 256; cm++) {
        if (cm == 8)
            continue;
        memcpy(bad, gz, n);
        bad[2] = (uint8_t)cm;
        CHECK_EQ(decode_hello(bad, n), GZ_ERR_FORMAT);
    }
    /* Unterminated name. */
    memcpy(bad, gz, 14);
    CHECK_EQ(decode_hello(bad, 14), GZ_ERR_TRUNCATED);
    CHECK_EQ(decode_hello(gz, 0), GZ_ERR_TRUNCATED);
    CHECK_EQ(gunzip(NULL, 0, NULL, 0, NULL, NULL), GZ_ERR_TRUNCATED);
}

static void test_trailer_and_trailing(void)
{
    uint8_t gz[256], bad[256];
    size_t n = build_member(gz, 0, NULL, 0, NULL, NULL, 0), out_len, used;
    uint8_t out[64];

    for (int i = 0; i < 4; i++) {
        memcpy(bad, gz, n);
        bad[n - 8 + i] ^= 1;
        CHECK_EQ(decode_hello(bad, n), GZ_ERR_CRC);
        memcpy(bad, gz, n);
        bad[n - 4 + i] ^= 0x80;
        CHECK_EQ(decode_hello(bad, n), GZ_ERR_LENGTH);
    }

    /* Padding after the member: output valid, position reported. */
    memcpy(bad, gz, n);
    memset(bad + n, 0, 100);
    CHECK_EQ(gunzip(bad, n + 100, out, sizeof(out), &out_len, &used),
             GZ_ERR_TRAILING);
    CHECK_EQ(out_len, strlen(hello));
    CHECK_EQ(used, n);
    CHECK(memcmp(out, hello, out_len) == 0);
    bad[n] = 0x1f;
    bad[n + 1] = 0x8c;
    CHECK_EQ(gunzip(bad, n + 2, out, sizeof(out), &out_len, &used),
             GZ_ERR_TRAILING);
    CHECK_EQ(used, n);
    /* A lone 0x1f, or 1f 8b and nothing else: a cut-off second member. */
    CHECK_EQ(gunzip(bad, n + 1, out, sizeof(out), &out_len, &used),
             GZ_ERR_TRUNCATED);
    bad[n + 1] = 0x8b;
    CHECK_EQ(gunzip(bad, n + 2, out, sizeof(out), &out_len, &used),
             GZ_ERR_TRUNCATED);
    /* Two good members back to back. */
    memcpy(bad + n, gz, n);
    CHECK_EQ(gunzip(bad, 2 * n, out, sizeof(out), &out_len, &used), GZ_OK);
    CHECK_EQ(out_len, 2 * strlen(hello));
    CHECK_EQ(used, 2 * n);
}

static void test_api_edges(void)
{
    uint8_t gz[256], out[64];
    size_t n = build_member(gz, 0, NULL, 0, NULL, NULL, 0);
    size_t out_len = 9, used = 9;

    CHECK_EQ(gunzip(NULL, 5, out, sizeof(out), &out_len, &used), GZ_ERR_ARG);
    CHECK_EQ(gunzip(gz, n, NULL, 5, &out_len, &used), GZ_ERR_ARG);
    CHECK_EQ(inflate_raw(NULL, 5, out, 1, NULL, NULL), GZ_ERR_ARG);
    CHECK_EQ(gunzip(gz, n, NULL, 0, &out_len, &used), GZ_ERR_OUTPUT_FULL);
    CHECK_EQ(gunzip(gz, n, out, sizeof(out), NULL, NULL), GZ_OK);
    CHECK(memcmp(out, hello, strlen(hello)) == 0);
    CHECK_EQ(inflate_raw(NULL, 0, NULL, 0, &out_len, &used),
             GZ_ERR_TRUNCATED);
    for (int e = 1; e >= -20; e--)
        CHECK(gunzip_strerror(e) != NULL && gunzip_strerror(e)[0]);
    CHECK_STR(gunzip_strerror(GZ_OK), "success");
    CHECK(strcmp(gunzip_strerror(GZ_ERR_CRC), "unknown error") != 0);
    CHECK(strcmp(gunzip_strerror(GZ_ERR_TRAILING), "unknown error") != 0);

    /* Empty data: gzip -n of nothing decodes with a 0 or NULL buffer. */
    {
        size_t gz_len;
        uint8_t *e = run_gzip(out, 0, "-n", &gz_len);

        CHECK_EQ(gunzip(e, gz_len, NULL, 0, &out_len, &used), GZ_OK);
        CHECK_EQ(out_len, 0);
        CHECK_EQ(used, gz_len);
        free(e);
    }
    /* inflate_raw stops at BFINAL and reports where. */
    {
        uint8_t buf[128];

        memcpy(buf, hello_raw, hello_raw_len);
        memset(buf + hello_raw_len, 0xa5, 20);
        CHECK_EQ(inflate_raw(buf, hello_raw_len + 20, out, sizeof(out),
                             &out_len, &used), GZ_OK);
        CHECK_EQ(used, hello_raw_len);
        CHECK_EQ(out_len, strlen(hello));
    }
}

/* ---------------------------------------------------------------------------
 * Hand-built DEFLATE streams (RFC 1951 3.2).
 * ------------------------------------------------------------------------- */

static void test_stored_blocks(void)
{
    size_t n = 200000, out_len, k;
    uint8_t *data = malloc(n), *out = malloc(n + 1);
    uint8_t *gz = malloc(n + 1000);

    gen(data, n, K_RANDOM, 42);
    /* Maximal (65535-byte) stored blocks, an empty one in between. */
    bw_reset();
    put_stored(data, 65535, 0);
    put_stored(data + 65535, 65535, 0);
    put_stored(data, 0, 0);
    put_stored(data + 131070, 65535, 0);
    put_stored(data + 196605, n - 196605, 1);
    CHECK_EQ(raw_decode(out, n, &out_len), GZ_OK);
    CHECK_EQ(out_len, n);
    CHECK(memcmp(out, data, n) == 0);
    k = wrap_gzip(gz, bw.buf, bw.len, data, n);
    CHECK(roundtrip(gz, k, data, n, "stored > 64 KiB"));

    /* Stored block after a fixed block: starts mid-byte, must align. */
    bw_reset();
    bw_bits(0, 1);
    bw_bits(1, 2);
    put_sym(&fixed_lit, 'x');
    put_sym(&fixed_lit, 256);
    put_stored(data, 1000, 0);
    bw_bits(1, 1);
    bw_bits(1, 2);
    put_match(&fixed_lit, &fixed_dist, 258, 1001);
    put_sym(&fixed_lit, 256);
    CHECK_EQ(raw_decode(out, n, &out_len), GZ_OK);
    CHECK_EQ(out_len, 1 + 1000 + 258);
    CHECK_EQ(out[0], 'x');
    CHECK(memcmp(out + 1, data, 1000) == 0);
    CHECK(memcmp(out + 1001, out, 258) == 0);

    /* LEN != ~NLEN. */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(0, 2);
    bw_align();
    bw_bits(10, 16);
    bw_bits(0xfff4, 16);
    bw_bytes(data, 10);
    CHECK_EQ(raw_decode(out, n, &out_len), GZ_ERR_BLOCK);
    /* Reserved block type 3. */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(3, 2);
    bw_bits(0, 13);
    CHECK_EQ(raw_decode(out, n, &out_len), GZ_ERR_BLOCK);
    /* Stored data cut short, and the output too small. */
    bw_reset();
    put_stored(data, 5000, 1);
    bw.len -= 1;
    CHECK_EQ(raw_decode(out, n, &out_len), GZ_ERR_TRUNCATED);
    bw.len += 1;
    CHECK_EQ(raw_decode(out, 4999, &out_len), GZ_ERR_OUTPUT_FULL);
    free(data);
    free(out);
    free(gz);
}

static void test_fixed_huffman(void)
{
    uint8_t out[70000], want[70000];
    size_t out_len, n = 0;

    /* Every literal, then matches of every length 3..258 at assorted
     * distances, all in one fixed block. */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(1, 2);
    for (unsigned i = 0; i < 256; i++) {
        put_sym(&fixed_lit, i);
        want[n++] = (uint8_t)i;
    }
    for (unsigned len = 3; len <= 258; len++) {
        unsigned d = 1 + (len * 7919u) % (unsigned)n;

        put_match(&fixed_lit, &fixed_dist, len, d);
        for (unsigned j = 0; j < len; j++, n++)
            want[n] = want[n - d];
    }
    put_sym(&fixed_lit, 256);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);
    CHECK_EQ(out_len, n);
    CHECK(memcmp(out, want, n) == 0);

    /* Every distance code at its low and high end. */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(1, 2);
    n = 0;
    for (unsigned i = 0; i < 33000; i++) {
        unsigned c = (i * 2654435761u) >> 24;

        put_sym(&fixed_lit, c);
        want[n++] = (uint8_t)c;
    }
    for (unsigned c = 0; c < 30; c++) {
        unsigned lo = t_dist_base[c];
        unsigned hi = lo + (1u << t_dist_extra[c]) - 1;

        for (unsigned d = lo; d <= hi; d += hi - lo ? hi - lo : 1) {
            put_match(&fixed_lit, &fixed_dist, 4, d);
            for (unsigned j = 0; j < 4; j++, n++)
                want[n] = want[n - d];
        }
    }
    put_sym(&fixed_lit, 256);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);
    CHECK_EQ(out_len, n);
    CHECK(memcmp(out, want, n) == 0);

    /* Literal/length 286 and 287 and distances 30 and 31 are invalid. */
    for (unsigned sym = 286; sym <= 287; sym++) {
        bw_reset();
        bw_bits(1, 1);
        bw_bits(1, 2);
        put_sym(&fixed_lit, 'a');
        put_sym(&fixed_lit, sym);
        bw_bits(0, 16);
        CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_SYMBOL);
    }
    for (unsigned d = 30; d <= 31; d++) {
        bw_reset();
        bw_bits(1, 1);
        bw_bits(1, 2);
        put_sym(&fixed_lit, 'a');
        put_sym(&fixed_lit, 257);
        put_sym(&fixed_dist, d);
        bw_bits(0, 16);
        CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_SYMBOL);
    }
}

/* Distance 32768 and length 258 together; distances just in and just out
 * of range of the output written so far. */
static void test_distance_limits(void)
{
    static uint8_t out[40000], want[40000];
    size_t out_len, n = 0;

    bw_reset();
    rng_seed(3);
    for (int i = 0; i < 32768; i++)
        want[n++] = (uint8_t)rng();
    put_stored(want, 32768, 0);
    bw_bits(1, 1);
    bw_bits(1, 2);
    put_match(&fixed_lit, &fixed_dist, 258, 32768);
    for (int j = 0; j < 258; j++, n++)
        want[n] = want[n - 32768];
    put_match(&fixed_lit, &fixed_dist, 258, 32768);
    for (int j = 0; j < 258; j++, n++)
        want[n] = want[n - 32768];
    put_sym(&fixed_lit, 256);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);
    CHECK_EQ(out_len, n);
    CHECK(memcmp(out, want, n) == 0);
    /* Exactly enough output space, then one byte short. */
    CHECK_EQ(raw_decode(out, n, &out_len), GZ_OK);
    CHECK_EQ(raw_decode(out, n - 1, &out_len), GZ_ERR_OUTPUT_FULL);

    /* Length 258 at distance 1 (run), right at the start. */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(1, 2);
    put_sym(&fixed_lit, 'z');
    put_match(&fixed_lit, &fixed_dist, 258, 1);
    put_sym(&fixed_lit, 256);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);
    CHECK_EQ(out_len, 259);
    CHECK(out[0] == 'z' && out[258] == 'z' && out[100] == 'z');

    /* Distance = bytes written so far is fine; one more is not. */
    for (unsigned d = 1; d <= 5; d++) {
        bw_reset();
        bw_bits(1, 1);
        bw_bits(1, 2);
        for (int i = 0; i < 4; i++)
            put_sym(&fixed_lit, 'a' + (unsigned)i);
        put_match(&fixed_lit, &fixed_dist, 3, d);
        put_sym(&fixed_lit, 256);
        CHECK_EQ(raw_decode(out, sizeof(out), &out_len),
                 d <= 4 ? GZ_OK : GZ_ERR_DISTANCE);
    }
    /* A match as the very first symbol. */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(1, 2);
    put_match(&fixed_lit, &fixed_dist, 3, 1);
    put_sym(&fixed_lit, 256);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_DISTANCE);
}

/*
 * Dynamic block header (3.2.7) with the given lengths, sent with a code
 * length code in which 0, 1, 8, 9 (or whatever is used) have length... we
 * keep it simple: all 19 code length symbols get length 5 except that a
 * complete 5-bit code has 32 slots, so 13 slots stay unused -- that would
 * be incomplete. Instead use lengths {16,17,18,0..15} = 19 symbols with
 * 13 of length 4 and 6 of length 5 (13/16 + 6/32 = 1).
 */
static struct code clen_code;
static uint8_t clen_lens[19];

static void init_clen(void)
{
    for (int i = 0; i < 19; i++)
        clen_lens[i] = i < 13 ? 4 : 5;
    canon(&clen_code, clen_lens, 19);
}

static const uint8_t order[19] = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

/* Header with plain (non-repeat) length codes. */
static void put_dynamic_header(int final, const uint8_t *lit, unsigned hlit,
                               const uint8_t *dist, unsigned hdist)
{
    bw_bits((uint32_t)final, 1);
    bw_bits(2, 2);
    bw_bits(hlit - 257, 5);
    bw_bits(hdist - 1, 5);
    bw_bits(19 - 4, 4);
    for (int i = 0; i < 19; i++)
        bw_bits(clen_lens[order[i]], 3);
    for (unsigned i = 0; i < hlit; i++)
        put_sym(&clen_code, lit[i]);
    for (unsigned i = 0; i < hdist; i++)
        put_sym(&clen_code, dist[i]);
}

/* 286 literal/length codes: 226 of 8 bits and 60 of 9 bits (complete). */
static void lens_286(uint8_t *lit)
{
    for (int i = 0; i < 286; i++)
        lit[i] = i < 226 ? 8 : 9;
}

static void test_dynamic_valid(void)
{
    uint8_t lit[320], dist[32], out[4096];
    struct code lc, dc;
    size_t out_len;

    /* One distance code of one bit (the RFC's special case). */
    lens_286(lit);
    memset(dist, 0, sizeof(dist));
    dist[3] = 1;
    canon(&lc, lit, 286);
    canon(&dc, dist, 30);
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 30);
    put_sym(&lc, 'q');
    put_sym(&lc, 'r');
    put_sym(&lc, 's');
    put_sym(&lc, 'x');
    put_match(&lc, &dc, 10, 4);     /* code 3: distance 4 */
    put_sym(&lc, 256);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);
    CHECK_EQ(out_len, 14);
    CHECK(memcmp(out, "qrsxqrsxqrsxqr", 14) == 0);

    /* ...and decoding its unused one-bit pattern is an error. */
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 30);
    for (int i = 0; i < 4; i++)
        put_sym(&lc, 'q');
    put_sym(&lc, 257);
    bw_bits(1, 1);
    bw_bits(0, 16);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_SYMBOL);

    /* No distance codes at all (HDIST = 1, length 0): literals only. */
    memset(dist, 0, sizeof(dist));
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 1);
    put_sym(&lc, 'a');
    put_sym(&lc, 256);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);
    CHECK_EQ(out_len, 1);
    /* ...where a length code then has no distance to go with. */
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 1);
    put_sym(&lc, 'a');
    put_sym(&lc, 257);
    bw_bits(0, 20);
    CHECK(raw_decode(out, sizeof(out), &out_len) < 0);

    /* Only end-of-block, as a single one-bit code (zlib accepts it). */
    memset(lit, 0, sizeof(lit));
    lit[256] = 1;
    bw_reset();
    put_dynamic_header(1, lit, 257, dist, 1);
    bw_bits(0, 1);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);
    CHECK_EQ(out_len, 0);

    /* Repeat codes 16/17/18, and a repeat running from the literal/length
     * lengths into the distance lengths (allowed: they are one sequence,
     * 3.2.7). Literal/length: 0..253 -> 8 bits, 254..257 -> 9 bits
     * (254/256 + 4/512 = 1), 258 and 259 unused; distance: 0 unused,
     * 1 and 2 -> 1 bit. */
    {
        uint8_t all[263] = {0};

        for (int i = 0; i < 254; i++)
            all[i] = 8;
        for (int i = 254; i < 258; i++)
            all[i] = 9;
        all[261] = 1;
        all[262] = 1;
        canon(&lc, all, 260);
        canon(&dc, all + 260, 3);
        bw_reset();
        bw_bits(1, 1);
        bw_bits(2, 2);
        bw_bits(260 - 257, 5);
        bw_bits(3 - 1, 5);
        bw_bits(19 - 4, 4);
        for (int i = 0; i < 19; i++)
            bw_bits(clen_lens[order[i]], 3);
        put_sym(&clen_code, 8);             /* 0 */
        put_sym(&clen_code, 16);            /* 1..6 */
        bw_bits(3, 2);
        for (int r = 0; r < 41; r++) {      /* 7..252 */
            put_sym(&clen_code, 16);
            bw_bits(3, 2);
        }
        put_sym(&clen_code, 8);             /* 253 */
        put_sym(&clen_code, 9);             /* 254 */
        put_sym(&clen_code, 16);            /* 255..257 */
        bw_bits(0, 2);
        put_sym(&clen_code, 17);            /* 258, 259, distance 0 */
        bw_bits(0, 3);
        put_sym(&clen_code, 1);             /* distance 1 */
        put_sym(&clen_code, 1);             /* distance 2 */
        for (int i = 0; i < 256; i++)
            put_sym(&lc, (unsigned)i);
        put_match(&lc, &dc, 3, 2);          /* distance code 1 */
        put_match(&lc, &dc, 3, 3);          /* distance code 2 */
        put_sym(&lc, 256);
        CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);
        CHECK_EQ(out_len, 262);
        CHECK(out[255] == 255 && out[256] == 254 && out[258] == 254);
        CHECK(out[259] == 254 && out[260] == 255 && out[261] == 254);

        /* A zero run of code 18 (11..138) filling the distance lengths
         * up to HDIST = 30. */
        all[260] = 0;
        bw_reset();
        bw_bits(1, 1);
        bw_bits(2, 2);
        bw_bits(258 - 257, 5);
        bw_bits(30 - 1, 5);
        bw_bits(19 - 4, 4);
        for (int i = 0; i < 19; i++)
            bw_bits(clen_lens[order[i]], 3);
        for (int i = 0; i < 258; i++)
            put_sym(&clen_code, all[i]);
        put_sym(&clen_code, 1);
        put_sym(&clen_code, 1);
        put_sym(&clen_code, 18);            /* 28 zeros */
        bw_bits(28 - 11, 7);
        canon(&lc, all, 258);
        canon(&dc, all + 261, 2);           /* codes 0 and 1 */
        for (int i = 0; i < 256; i++)
            put_sym(&lc, (unsigned)i);
        put_match(&lc, &dc, 3, 1);
        put_sym(&lc, 256);
        CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);
        CHECK_EQ(out_len, 259);
    }
}

/* Malformed dynamic headers: each must give GZ_ERR_HUFFMAN. */
static void test_dynamic_invalid(void)
{
    uint8_t lit[320], dist[32], out[64];
    size_t out_len;

    lens_286(lit);
    memset(dist, 5, sizeof(dist));

    /* 30 five-bit distance codes leave 2 of 32 unused: incomplete. */
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 30);
    {
        struct code lc;

        canon(&lc, lit, 286);
        put_sym(&lc, 256);
    }
    bw_align();
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    /* Two of them 4 bits long makes the code complete: valid. */
    dist[30] = dist[31] = 0;
    dist[0] = dist[1] = 4;
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 30);
    {
        struct code lc;

        canon(&lc, lit, 286);
        put_sym(&lc, 256);
    }
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_OK);

    /* HLIT 287/288 and HDIST 31/32. */
    for (unsigned extra = 1; extra <= 2; extra++) {
        bw_reset();
        put_dynamic_header(1, lit, 286 + extra, dist, 30);
        bw_bits(0, 32);
        CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
        bw_reset();
        put_dynamic_header(1, lit, 286, dist, 30 + extra);
        bw_bits(0, 32);
        CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    }

    /* Over-subscribed literal/length code. */
    lit[285] = 8;
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 30);
    bw_bits(0, 32);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    /* Incomplete literal/length code. */
    lit[285] = 0;
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 30);
    bw_bits(0, 32);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    lit[285] = 9;
    /* Over-subscribed and incomplete distance codes; a single distance
     * code that is not one bit long. */
    dist[2] = 3;
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 30);
    bw_bits(0, 32);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    dist[2] = 0;
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 30);
    bw_bits(0, 32);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    memset(dist, 0, sizeof(dist));
    dist[0] = 2;
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 30);
    bw_bits(0, 32);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    /* A single literal/length code that is 2 bits long. */
    memset(lit, 0, sizeof(lit));
    lit[256] = 2;
    dist[0] = 1;
    bw_reset();
    put_dynamic_header(1, lit, 257, dist, 1);
    bw_bits(0, 32);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    /* No end-of-block code. */
    lens_286(lit);
    lit[256] = 0;
    lit[285] = 8;           /* keep it complete otherwise */
    lit[284] = 8;
    lit[283] = 0;
    lit[282] = 0;
    bw_reset();
    put_dynamic_header(1, lit, 286, dist, 1);
    bw_bits(0, 32);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);

    /* Repeat-previous (16) as the first length. */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(2, 2);
    bw_bits(0, 5);
    bw_bits(0, 5);
    bw_bits(15, 4);
    for (int i = 0; i < 19; i++)
        bw_bits(clen_lens[order[i]], 3);
    put_sym(&clen_code, 16);
    bw_bits(0, 2);
    bw_bits(0, 32);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    /* A repeat running past HLIT + HDIST (257 + 1 = 258: 18 x 138 x 2). */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(2, 2);
    bw_bits(0, 5);
    bw_bits(0, 5);
    bw_bits(15, 4);
    for (int i = 0; i < 19; i++)
        bw_bits(clen_lens[order[i]], 3);
    put_sym(&clen_code, 18);
    bw_bits(127, 7);
    put_sym(&clen_code, 18);
    bw_bits(127, 7);
    bw_bits(0, 32);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);

    /* Code length code over-subscribed, incomplete, and empty. */
    for (int variant = 0; variant < 3; variant++) {
        bw_reset();
        bw_bits(1, 1);
        bw_bits(2, 2);
        bw_bits(0, 5);
        bw_bits(0, 5);
        bw_bits(15, 4);
        for (int i = 0; i < 19; i++) {
            unsigned l = clen_lens[order[i]];

            if (variant == 0 && i == 0)
                l = 1;
            if (variant == 1 && i == 0)
                l = 6;
            if (variant == 2)
                l = 0;
            bw_bits(l, 3);
        }
        bw_bits(0, 32);
        CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_HUFFMAN);
    }
    /* A complete code length code with fewer than 19 lengths sent
     * (HCLEN = 4: 16, 17, 18, 0 with 2 bits each), then truncated. */
    bw_reset();
    bw_bits(1, 1);
    bw_bits(2, 2);
    bw_bits(0, 5);
    bw_bits(0, 5);
    bw_bits(0, 4);
    for (int i = 0; i < 4; i++)
        bw_bits(2, 3);
    CHECK_EQ(raw_decode(out, sizeof(out), &out_len), GZ_ERR_TRUNCATED);
}

/* ---------------------------------------------------------------------------
 * Robustness: truncation and bit flips.
 * ------------------------------------------------------------------------- */

static void check_prefixes(const uint8_t *gz, size_t gz_len, size_t n,
                           size_t step, const char *what)
{
    uint8_t *out = malloc(n + 1);
    unsigned bad = 0, tried = 0;

    for (size_t p = 0; p < gz_len; p += step) {
        size_t out_len, used;
        int err = gunzip(gz, p, out, n + 1, &out_len, &used);

        tried++;
        if (err >= 0 || out_len > n || used > p) {
            if (bad++ < 3)
                printf("  %s: prefix %zu of %zu gave %d\n", what, p, gz_len,
                       err);
        }
    }
    CHECK_EQ(bad, 0);
    printf("  %s: %u prefixes\n", what, tried);
    free(out);
}

static void test_truncation(void)
{
    size_t n = 3000, gz_len;
    uint8_t *data = malloc(1u << 20), *gz;

    gen(data, n, K_TEXT, 11);
    gz = run_gzip(data, n, "-9", &gz_len);          /* with FNAME */
    check_prefixes(gz, gz_len, n, 1, "text -9");
    free(gz);
    gen(data, n, K_RANDOM, 12);
    gz = run_gzip(data, n, "-6 -n", &gz_len);       /* stored blocks */
    check_prefixes(gz, gz_len, n, 1, "random");
    free(gz);
    gen(data, 1u << 20, K_REPEAT, 13);
    gz = run_gzip(data, 1u << 20, "-6 -n", &gz_len);
    check_prefixes(gz, gz_len, 1u << 20, gz_len / 97 + 1, "repeat 1 MiB");
    free(gz);
    /* Hand-built streams with header fields and fixed/stored blocks. */
    {
        uint8_t m[512];
        size_t k = build_member(m, 0x1e, "xy\0\0", 4, "nm", "cm", 0);

        check_prefixes(m, k, strlen(hello), 1, "all flags");
    }
    free(data);
}

static void check_flips(const uint8_t *gz, size_t gz_len, const uint8_t *want,
                        size_t n, size_t stride, const char *what)
{
    uint8_t *buf = malloc(gz_len), *out = malloc(n + 64);
    unsigned tried = 0, ok = 0, bad = 0;

    memcpy(buf, gz, gz_len);
    for (size_t bit = 0; bit < gz_len * 8; bit += stride) {
        size_t out_len, used;
        int err;

        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        err = gunzip(buf, gz_len, out, n + 64, &out_len, &used);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        tried++;
        if (out_len > n + 64 || used > gz_len) {
            bad++;
        } else if (err == GZ_OK || err == GZ_ERR_TRAILING) {
            /* Only a flip that changes nothing decoded may pass (mtime,
             * OS, name bytes, FTEXT, padding bits after the last block). */
            ok++;
            if (out_len != n || memcmp(out, want, n) != 0) {
                if (bad++ < 3)
                    printf("  %s: flip of bit %zu accepted\n", what, bit);
            }
        }
    }
    CHECK_EQ(bad, 0);
    printf("  %s: %u flips, %u harmless\n", what, tried, ok);
    free(buf);
    free(out);
}

static void test_bitflips(void)
{
    size_t n = 4000, gz_len;
    uint8_t *data = malloc(200000), *gz;

    gen(data, n, K_TEXT, 21);
    gz = run_gzip(data, n, "-9", &gz_len);
    check_flips(gz, gz_len, data, n, 1, "text -9");
    free(gz);
    gen(data, n, K_SKEWED, 22);
    gz = run_gzip(data, n, "-1 -n", &gz_len);
    check_flips(gz, gz_len, data, n, 1, "skewed -1");
    free(gz);
    gen(data, 200000, K_REPEAT, 23);
    gz = run_gzip(data, 200000, "-6 -n", &gz_len);
    check_flips(gz, gz_len, data, 200000, gz_len * 8 / 400 + 1,
                "repeat 200k");
    free(gz);
    free(data);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/xhv-gunzip-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    init_fixed();
    init_clen();
    make_hello();

    RUN_TEST(test_api_edges);
    RUN_TEST(test_header_flags);
    RUN_TEST(test_header_errors);
    RUN_TEST(test_trailer_and_trailing);
    RUN_TEST(test_stored_blocks);
    RUN_TEST(test_fixed_huffman);
    RUN_TEST(test_distance_limits);
    RUN_TEST(test_dynamic_valid);
    RUN_TEST(test_dynamic_invalid);
    RUN_TEST(test_gzip_matrix);
    RUN_TEST(test_gzip_all_levels);
    RUN_TEST(test_gzip_large);
    RUN_TEST(test_gzip_concatenated);
    RUN_TEST(test_truncation);
    RUN_TEST(test_bitflips);

    {
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            printf("warning: could not remove %s\n", tmpdir);
    }
    return th_finish();
}
