/*
 * Helpers for tests/unit/test_xz.c: deterministic test data, running the
 * system xz(1) in a temp dir, building .xz containers around raw LZMA2
 * (.xz file format 1.1.0 sections 2-4), and a small LZMA range encoder for
 * hand-made (mostly malformed) LZMA2 chunks. Only test_xz.c includes this.
 */
#ifndef XHV_TEST_XZ_TESTLIB_H
#define XHV_TEST_XZ_TESTLIB_H

#include <xhv/crc.h>
#include <xhv/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------
 * Test data, files, running xz.
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

enum kind { K_RANDOM, K_TEXT, K_X86, K_E8, K_ZERO, K_NKINDS };
static const char *const kind_name[] = { "random", "text", "x86", "e8dense",
                                         "zero" };

/* Generated test data; caller frees. */
static uint8_t *gen(enum kind k, size_t n, uint64_t seed)
{
    static const char *const words[] = {
        "the ", "kernel ", "xen ", "hypervisor ", "page ", "table ",
        "interrupt ", "vector ", "of ", "and ", "memory ", "map\n",
        "guest ", "domain ", "event ", "channel ", "grant ", "shim ",
    };
    uint8_t *p = malloc(n ? n : 1);
    size_t i = 0;

    rng_seed(seed);
    switch (k) {
    case K_RANDOM:
        for (; i < n; i++)
            p[i] = (uint8_t)rng();
        break;
    case K_TEXT:
        while (i < n) {
            const char *w = words[rng() % ARRAY_SIZE(words)];
            for (; *w && i < n; w++)
                p[i++] = (uint8_t)*w;
        }
        break;
    case K_X86: {
        /* Code-like: short "instructions", calls/jumps to a few targets
         * (so absolute addresses repeat once BCJ-converted), some noise. */
        uint32_t targets[32];
        for (int t = 0; t < 32; t++)
            targets[t] = rng() % (n + 1);
        while (i < n) {
            uint32_t r = rng() % 16;
            if (r < 3 && i + 5 <= n) {
                uint32_t rel = targets[rng() % 32] - (uint32_t)(i + 5);
                p[i++] = r == 0 ? 0xE9 : 0xE8;
                for (int b = 0; b < 4; b++)
                    p[i++] = (uint8_t)(rel >> (8 * b));
            } else if (r < 10) {
                static const uint8_t ops[][3] = {
                    { 0x48, 0x89, 0xC7 }, { 0x48, 0x8B, 0x45 },
                    { 0x31, 0xC0, 0x90 }, { 0x55, 0x48, 0x89 },
                    { 0x5D, 0xC3, 0x90 }, { 0x0F, 0x1F, 0x00 },
                };
                const uint8_t *o = ops[rng() % ARRAY_SIZE(ops)];
                for (int b = 0; b < 3 && i < n; b++)
                    p[i++] = o[b];
            } else {
                p[i++] = (uint8_t)rng();
            }
        }
        break;
    }
    case K_E8: {
        /* Dense in E8/E9/00/FF to exercise every BCJ history case. */
        static const uint8_t pick[] = { 0xE8, 0xE9, 0x00, 0xFF, 0xE8, 0x00 };
        for (; i < n; i++)
            p[i] = rng() % 3 ? pick[rng() % ARRAY_SIZE(pick)] : (uint8_t)rng();
        break;
    }
    case K_ZERO:
    default:
        memset(p, 0, n);
        break;
    }
    return p;
}

static char tmpdir[64];

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        printf("cannot write %s\n", path);
        exit(2);
    }
    fclose(f);
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc(len ? (size_t)len : 1);
    if (fread(p, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(p);
        return NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return p;
}

/* Run "xz <opts>" on data; returns malloc'ed output or NULL. */
static uint8_t *run_xz(const char *opts, const void *data, size_t n,
                       size_t *out_n)
{
    char in[128], out[128], cmd[512];
    uint8_t *r;

    snprintf(in, sizeof(in), "%s/in", tmpdir);
    snprintf(out, sizeof(out), "%s/out", tmpdir);
    write_file(in, data, n);
    snprintf(cmd, sizeof(cmd), "xz -q -q -c %s < %s > %s", opts, in, out);
    if (system(cmd) != 0) {
        printf("  command failed: %s\n", cmd);
        return NULL;
    }
    r = read_file(out, out_n);
    return r;
}

/* ---------------------------------------------------------------------------
 * Building .xz containers around raw LZMA2 (spec sections 2-4).
 * ------------------------------------------------------------------------- */

struct buf {
    uint8_t *p;
    size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void put8(struct buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static void put_le32(struct buf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        put8(b, (uint8_t)(v >> (8 * i)));
}

static void put_vli(struct buf *b, uint64_t v)
{
    while (v >= 0x80) {
        put8(b, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put8(b, (uint8_t)v);
}

struct xfilter {
    uint64_t id;
    uint8_t props[8];
    size_t nprops;
};

struct xblock {
    const uint8_t *raw;         /* compressed data (filter chain output) */
    size_t raw_n;
    const uint8_t *plain;       /* what it decodes to (for the check) */
    size_t plain_n;
    const struct xfilter *filters;
    size_t nfilters;
    bool put_csize, put_usize;
    int64_t csize_delta, usize_delta;   /* lie in the header */
    int64_t index_usize_delta;          /* lie in the index */
};


/* Check field for check type (none/crc32/crc64 only). */
static void put_check(struct buf *b, unsigned check, const uint8_t *p,
                      size_t n)
{
    if (check == 1) {
        put_le32(b, xhv_crc32(0, p, n));
    } else if (check == 4) {
        uint64_t c = xhv_crc64(0, p, n);
        put_le32(b, (uint32_t)c);
        put_le32(b, (uint32_t)(c >> 32));
    } else if (check != 0) {
        /* Unknown/unsupported: fill with zeros of the right size. */
        static const uint8_t z[64];
        static const uint8_t sz[16] = { 0, 4, 4, 4, 8, 8, 8, 16, 16, 16,
                                        32, 32, 32, 64, 64, 64 };
        put(b, z, sz[check & 15]);
    }
}

static void build_xz(struct buf *b, unsigned check, const struct xblock *blk,
                     size_t nblk)
{
    static const uint8_t magic[6] = { 0xFD, '7', 'z', 'X', 'Z', 0 };
    uint8_t flags[2] = { 0, (uint8_t)check };
    struct buf idx = { 0 };
    size_t stream_start = b->n;

    put(b, magic, 6);
    put(b, flags, 2);
    put_le32(b, xhv_crc32(0, flags, 2));

    put8(&idx, 0);
    put_vli(&idx, nblk);
    for (size_t i = 0; i < nblk; i++) {
        const struct xblock *k = &blk[i];
        struct buf h = { 0 };
        size_t csize_n = 0;

        put8(&h, 0);    /* size, patched below */
        put8(&h, (uint8_t)((k->nfilters - 1) | (k->put_csize ? 0x40 : 0) |
                           (k->put_usize ? 0x80 : 0)));
        if (k->put_csize)
            put_vli(&h, k->raw_n + (uint64_t)k->csize_delta);
        if (k->put_usize)
            put_vli(&h, k->plain_n + (uint64_t)k->usize_delta);
        for (size_t f = 0; f < k->nfilters; f++) {
            put_vli(&h, k->filters[f].id);
            put_vli(&h, k->filters[f].nprops);
            put(&h, k->filters[f].props, k->filters[f].nprops);
        }
        while ((h.n + 4) & 3)
            put8(&h, 0);
        h.p[0] = (uint8_t)((h.n + 4) / 4 - 1);
        put_le32(&h, xhv_crc32(0, h.p, h.n));
        put(b, h.p, h.n);
        put(b, k->raw, k->raw_n);
        while ((b->n - stream_start) & 3)
            put8(b, 0);
        put_check(b, check, k->plain, k->plain_n);
        {
            static const uint8_t sz[16] = { 0, 4, 4, 4, 8, 8, 8, 16, 16, 16,
                                            32, 32, 32, 64, 64, 64 };
            csize_n = h.n + k->raw_n + sz[check & 15];
        }
        put_vli(&idx, csize_n);
        put_vli(&idx, k->plain_n + (uint64_t)k->index_usize_delta);
        free(h.p);
    }
    while (idx.n & 3)
        put8(&idx, 0);
    put_le32(&idx, xhv_crc32(0, idx.p, idx.n));
    put(b, idx.p, idx.n);

    {
        uint8_t foot[10];
        uint32_t bw = (uint32_t)(idx.n / 4 - 1);
        for (int i = 0; i < 4; i++)
            foot[4 + i] = (uint8_t)(bw >> (8 * i));
        foot[8] = 0;
        foot[9] = (uint8_t)check;
        uint32_t c = xhv_crc32(0, foot + 4, 6);
        for (int i = 0; i < 4; i++)
            foot[i] = (uint8_t)(c >> (8 * i));
        put(b, foot, 10);
        put(b, "YZ", 2);
    }
    free(idx.p);
}

/* ---------------------------------------------------------------------------
 * A small LZMA encoder (range coder + the models the decoder uses) for
 * hand-made chunks. Only what the malformed-data tests need: literals
 * right after literals, and plain matches with any distance and length.
 * ------------------------------------------------------------------------- */

struct renc {
    uint64_t low;
    uint32_t range;
    uint8_t cache;
    uint64_t cache_size;
    struct buf out;
};

static void renc_init(struct renc *e)
{
    memset(e, 0, sizeof(*e));
    e->range = 0xFFFFFFFFu;
    e->cache_size = 1;
}

static void renc_shift_low(struct renc *e)
{
    if ((uint32_t)e->low < 0xFF000000u || (e->low >> 32) != 0) {
        uint8_t carry = (uint8_t)(e->low >> 32);
        uint8_t temp = e->cache;
        do {
            put8(&e->out, (uint8_t)(temp + carry));
            temp = 0xFF;
        } while (--e->cache_size != 0);
        e->cache = (uint8_t)(e->low >> 24);
    }
    e->cache_size++;
    e->low = (e->low & 0x00FFFFFFu) << 8;
}

static void renc_bit(struct renc *e, uint16_t *p, unsigned bit)
{
    uint32_t bound = (e->range >> 11) * *p;
    if (!bit) {
        e->range = bound;
        *p += (2048 - *p) >> 5;
    } else {
        e->low += bound;
        e->range -= bound;
        *p -= *p >> 5;
    }
    while (e->range < (1u << 24)) {
        e->range <<= 8;
        renc_shift_low(e);
    }
}

static void renc_direct(struct renc *e, uint32_t v, unsigned bits)
{
    while (bits--) {
        e->range >>= 1;
        if ((v >> bits) & 1)
            e->low += e->range;
        while (e->range < (1u << 24)) {
            e->range <<= 8;
            renc_shift_low(e);
        }
    }
}

static void renc_flush(struct renc *e)
{
    for (int i = 0; i < 5; i++)
        renc_shift_low(e);
}

static void renc_tree(struct renc *e, uint16_t *probs, unsigned bits,
                      uint32_t v)
{
    uint32_t m = 1;
    while (bits--) {
        unsigned bit = (v >> bits) & 1;
        renc_bit(e, &probs[m], bit);
        m = (m << 1) | bit;
    }
}

static void renc_tree_rev(struct renc *e, uint16_t *probs, unsigned bits,
                          uint32_t v)
{
    uint32_t m = 1;
    for (unsigned i = 0; i < bits; i++) {
        unsigned bit = (v >> i) & 1;
        renc_bit(e, &probs[m], bit);
        m = (m << 1) | bit;
    }
}

/* lc=3 lp=0 pb=2 (properties byte 0x5D). */
struct lenc {
    struct renc rc;
    uint32_t state;
    size_t pos;                 /* since dictionary reset */
    uint8_t prev;
    uint16_t is_match[12][16], is_rep[12];
    uint16_t len_choice, len_choice2, len_low[16][8], len_mid[16][8],
        len_high[256];
    uint16_t dist_slot[4][64], dist_special[115], dist_align[16];
    uint16_t literal[8][0x300];
};

static void lenc_reset(struct lenc *l)
{
    uint16_t *p = &l->is_match[0][0];
    size_t n = (sizeof(*l) - offsetof(struct lenc, is_match)) / 2;
    for (size_t i = 0; i < n; i++)
        p[i] = 1024;
    l->state = 0;
}

static void lenc_begin(struct lenc *l)
{
    renc_init(&l->rc);
}

static void lenc_literal(struct lenc *l, uint8_t byte)
{
    uint16_t *probs = l->literal[l->prev >> 5];
    renc_bit(&l->rc, &l->is_match[l->state][l->pos & 3], 0);
    renc_tree(&l->rc, probs, 8, byte);
    l->state = l->state < 4 ? 0 : l->state < 10 ? l->state - 3 : l->state - 6;
    l->prev = byte;
    l->pos++;
}

/* Plain match; dist is 0-based (0 = previous byte); 0xFFFFFFFF = marker. */
static void lenc_match(struct lenc *l, uint32_t dist, uint32_t len)
{
    uint32_t ps = l->pos & 3, lv = len - 2;
    renc_bit(&l->rc, &l->is_match[l->state][ps], 1);
    renc_bit(&l->rc, &l->is_rep[l->state], 0);
    if (lv < 8) {
        renc_bit(&l->rc, &l->len_choice, 0);
        renc_tree(&l->rc, l->len_low[ps], 3, lv);
    } else if (lv < 16) {
        renc_bit(&l->rc, &l->len_choice, 1);
        renc_bit(&l->rc, &l->len_choice2, 0);
        renc_tree(&l->rc, l->len_mid[ps], 3, lv - 8);
    } else {
        renc_bit(&l->rc, &l->len_choice, 1);
        renc_bit(&l->rc, &l->len_choice2, 1);
        renc_tree(&l->rc, l->len_high, 8, lv - 16);
    }
    l->state = l->state < 7 ? 7 : 10;
    uint32_t ds = lv < 3 ? lv : 3, slot;
    if (dist < 4) {
        slot = dist;
    } else {
        unsigned top = 31 - (unsigned)__builtin_clz(dist);
        slot = 2 * top + ((dist >> (top - 1)) & 1);
    }
    renc_tree(&l->rc, l->dist_slot[ds], 6, slot);
    if (slot >= 4) {
        unsigned nd = (slot >> 1) - 1;
        uint32_t base = (2 | (slot & 1)) << nd, rest = dist - base;
        if (slot < 14) {
            renc_tree_rev(&l->rc, l->dist_special + base - slot, nd, rest);
        } else {
            renc_direct(&l->rc, rest >> 4, nd - 4);
            renc_tree_rev(&l->rc, l->dist_align, 4, rest & 15);
        }
    }
    l->pos += len;
}

/*
 * Append the LZMA chunk encoded so far to an LZMA2 stream. ctrl_reset is
 * the 2-bit reset field (0..3); usize the uncompressed bytes it holds;
 * csize_delta lies about the compressed size.
 */
static void lenc_chunk(struct lenc *l, struct buf *b, unsigned ctrl_reset,
                       uint32_t usize, int csize_delta)
{
    renc_flush(&l->rc);
    uint32_t u = usize - 1, c = (uint32_t)((int)l->rc.out.n + csize_delta) - 1;
    put8(b, (uint8_t)(0x80 | ctrl_reset << 5 | (u >> 16)));
    put8(b, (uint8_t)(u >> 8));
    put8(b, (uint8_t)u);
    put8(b, (uint8_t)(c >> 8));
    put8(b, (uint8_t)c);
    if (ctrl_reset >= 2)
        put8(b, 0x5D);
    put(b, l->rc.out.p, l->rc.out.n);
    free(l->rc.out.p);
    l->rc.out.p = NULL;
}

static void put_uncompressed_chunk(struct buf *b, bool dict_reset,
                                   const void *p, size_t n)
{
    put8(b, dict_reset ? 0x01 : 0x02);
    put8(b, (uint8_t)((n - 1) >> 8));
    put8(b, (uint8_t)(n - 1));
    put(b, p, n);
}

#endif /* XHV_TEST_XZ_TESTLIB_H */
