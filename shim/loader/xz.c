/*
 * .xz container decoder (see include/xhv/xz.h for the API).
 *
 * Follows "The .xz File Format", version 1.1.0:
 *   2.1.1  Stream Header: magic FD 37 7A 58 5A 00, Stream Flags (byte 0
 *          reserved zero, byte 1 = check type in bits 0-3), CRC32 of flags
 *   2.1.2  Stream Footer: CRC32, Backward Size ((n + 1) * 4 = Index size),
 *          Stream Flags (equal to the header's), magic "YZ"
 *   2.2    Stream Padding: zero bytes, a multiple of four, between/after
 *          concatenated streams
 *   3.1    Block Header: size byte ((n + 1) * 4), Block Flags (bits 0-1
 *          filter count - 1, bits 2-5 reserved, bit 6 Compressed Size
 *          present, bit 7 Uncompressed Size present), the optional sizes,
 *          List of Filter Flags (ID, property size, properties), zero
 *          Header Padding, CRC32
 *   3.2/3.3 Compressed Data, Block Padding to a multiple of four, Check
 *   4      Index: indicator 0x00, Number of Records, (Unpadded Size,
 *          Uncompressed Size) per block, zero padding, CRC32
 *   5      Filters: LZMA2 (0x21, 1-byte dictionary size property), x86 BCJ
 *          (0x04, optional 4-byte start offset), Delta (0x03, distance - 1)
 *   1.2/3.4 Variable-length integers: 7 bits per byte, little-endian
 *          groups, at most 9 bytes, shortest form only
 *   3.4    Checks: None (0x00), CRC32 (0x01), CRC64 (0x04), SHA-256 (0x0A)
 *
 * Design: the whole input and output are in memory, so each block is
 * decoded in one go into its final place in the output buffer (which also
 * serves as the LZMA2 dictionary), then the non-last filters are undone in
 * place, then the check is verified over the finished bytes.
 *
 * The Index is checked against the blocks actually decoded without storing
 * per-block records (there is no heap): both sides are reduced to the
 * record count, the sums of Unpadded and Uncompressed Sizes and a CRC32 over
 * the list of (Unpadded, Uncompressed) pairs, and those must agree.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/crc.h>
#include <xhv/xz.h>
#include "xz_internal.h"

#define STREAM_HEADER_SIZE  12
#define STREAM_FOOTER_SIZE  12
#define BLOCK_HEADER_MIN    8
#define FILTERS_MAX         4
#define VLI_BYTES_MAX       9
#define VLI_MAX             (UINT64_MAX / 2)
#define UNPADDED_SIZE_MIN   5
#define UNPADDED_SIZE_MAX   (VLI_MAX & ~3ull)

#define CHECK_NONE          0x00
#define CHECK_CRC32         0x01
#define CHECK_CRC64         0x04
#define CHECK_SHA256        0x0A
#define CHECK_SIZE_MAX      64

#define FILTER_DELTA        0x03
#define FILTER_X86          0x04
#define FILTER_LZMA2        0x21

static const uint8_t header_magic[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t footer_magic[2] = { 'Y', 'Z' };

static inline uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Size of the check field for each of the 16 check IDs (spec 2.1.1.2). */
static size_t check_size(unsigned id)
{
    static const uint8_t sizes[16] = {
        0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64,
    };
    return sizes[id & 0xF];
}

/* ---------------------------------------------------------------------------
 * SHA-256 (FIPS 180-4), one-shot over a contiguous buffer; only needed for
 * the SHA-256 check type.
 * ------------------------------------------------------------------------- */

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
    0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
    0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, hh;

    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
                      (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
                      (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = h[0]; b = h[1]; c = h[2]; d = h[3];
    e = h[4]; f = h[5]; g = h[6]; hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = hh + s1 + ch + sha256_k[i] + w[i];
        uint32_t s0 = ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = s0 + maj;
        hh = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

static void sha256(const uint8_t *data, size_t len, uint8_t digest[32])
{
    uint32_t h[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    uint8_t tail[128];
    size_t full = len & ~(size_t)63, rest = len - full, tail_len;
    uint64_t bits = (uint64_t)len * 8;

    for (size_t i = 0; i < full; i += 64)
        sha256_block(h, data + i);
    /* Final block(s): remaining bytes, 0x80, zeros, 64-bit length. */
    memset(tail, 0, sizeof(tail));
    if (rest)
        memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    tail_len = rest < 56 ? 64 : 128;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t i = 0; i < tail_len; i += 64)
        sha256_block(h, tail + i);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
}

/* ------------------------------------------------------------------------- */

/*
 * Variable-length integer from p[0, avail). Returns the number of bytes
 * used, 0 if avail ran out first, or -1 if malformed (over nine bytes, or a
 * needless trailing zero byte).
 */
static int read_vli(const uint8_t *p, size_t avail, uint64_t *val)
{
    uint64_t v = 0;

    for (size_t i = 0; i < VLI_BYTES_MAX; i++) {
        if (i >= avail)
            return 0;
        v |= (uint64_t)(p[i] & 0x7F) << (7 * i);
        if (!(p[i] & 0x80)) {
            if (p[i] == 0 && i > 0)
                return -1;
            *val = v;
            return (int)i + 1;
        }
    }
    return -1;
}

/* Summary of a list of index records; see the file comment. */
struct rec_sum {
    uint64_t count;
    uint64_t unpadded;
    uint64_t uncompressed;
    uint32_t crc;
};

static void rec_sum_add(struct rec_sum *s, uint64_t unpadded, uint64_t uncomp)
{
    uint8_t rec[16];

    for (int i = 0; i < 8; i++) {
        rec[i] = (uint8_t)(unpadded >> (8 * i));
        rec[8 + i] = (uint8_t)(uncomp >> (8 * i));
    }
    s->count++;
    s->unpadded += unpadded;
    s->uncompressed += uncomp;
    s->crc = xhv_crc32(s->crc, rec, sizeof(rec));
}

struct xz_dec {
    const uint8_t *in;
    size_t in_len;
    size_t ip;              /* next input byte */
    uint8_t *out;
    size_t out_cap;
    size_t op;              /* bytes of output produced */
};

struct filter {
    uint64_t id;
    uint32_t arg;           /* LZMA2: dict size; x86: start; delta: dist */
};

static int verify_check(unsigned type, const uint8_t *data, size_t len,
                        const uint8_t *stored)
{
    uint8_t digest[32];

    switch (type) {
    case CHECK_NONE:
        return XZ_OK;
    case CHECK_CRC32:
        return xhv_crc32(0, data, len) == le32(stored) ? XZ_OK : XZ_ERR_CHECK;
    case CHECK_CRC64:
        return xhv_crc64(0, data, len) == le64(stored) ? XZ_OK : XZ_ERR_CHECK;
    case CHECK_SHA256:
        sha256(data, len, digest);
        return memcmp(digest, stored, 32) == 0 ? XZ_OK : XZ_ERR_CHECK;
    default:
        return XZ_ERR_UNSUPPORTED;
    }
}

static void delta_decode(uint8_t *buf, size_t size, uint32_t dist)
{
    /* The filter's history starts as zeros, so the first dist bytes are
     * already final. */
    for (size_t i = dist; i < size; i++)
        buf[i] = (uint8_t)(buf[i] + buf[i - dist]);
}

/* Block Header (spec 3.1) at h[0, hsize), CRC already verified. */
static int parse_block_header(const uint8_t *h, size_t hsize,
                              struct filter *f, unsigned *nfilters,
                              uint64_t *csize, uint64_t *usize)
{
    size_t p = 2, end = hsize - 4;
    uint8_t flags = h[1];
    uint64_t prop_size;
    int n;

    if (flags & 0x3C)
        return XZ_ERR_UNSUPPORTED;          /* reserved flag bits */
    *csize = *usize = UINT64_MAX;           /* "not present" */
    if (flags & 0x40) {
        n = read_vli(h + p, end - p, csize);
        if (n <= 0 || *csize == 0)
            return XZ_ERR_CORRUPT;
        p += (size_t)n;
    }
    if (flags & 0x80) {
        n = read_vli(h + p, end - p, usize);
        if (n <= 0)
            return XZ_ERR_CORRUPT;
        p += (size_t)n;
    }

    *nfilters = (flags & 3) + 1;
    for (unsigned k = 0; k < *nfilters; k++) {
        bool last = k == *nfilters - 1;

        n = read_vli(h + p, end - p, &f[k].id);
        if (n <= 0)
            return XZ_ERR_CORRUPT;
        p += (size_t)n;
        n = read_vli(h + p, end - p, &prop_size);
        if (n <= 0)
            return XZ_ERR_CORRUPT;
        p += (size_t)n;
        if (prop_size > end - p)
            return XZ_ERR_CORRUPT;

        /* Only LZMA2 may (and must) end the chain. */
        switch (f[k].id) {
        case FILTER_LZMA2:
            if (!last || prop_size != 1 || (h[p] & 0xC0) ||
                !xz_lzma2_dict_size(h[p], &f[k].arg))
                return XZ_ERR_UNSUPPORTED;
            break;
        case FILTER_X86:
            if (last || (prop_size != 0 && prop_size != 4))
                return XZ_ERR_UNSUPPORTED;
            f[k].arg = prop_size ? le32(h + p) : 0;
            break;
        case FILTER_DELTA:
            if (last || prop_size != 1)
                return XZ_ERR_UNSUPPORTED;
            f[k].arg = (uint32_t)h[p] + 1;
            break;
        default:
            return XZ_ERR_UNSUPPORTED;
        }
        p += (size_t)prop_size;
    }

    /* Header Padding must be zero (reserved for future use). */
    for (; p < end; p++)
        if (h[p])
            return XZ_ERR_UNSUPPORTED;
    return XZ_OK;
}

/* One block at d->ip (whose first byte is known to be non-zero). */
static int decode_block(struct xz_dec *d, unsigned check, struct rec_sum *rs)
{
    const uint8_t *h = d->in + d->ip;
    size_t hsize = ((size_t)h[0] + 1) * 4;
    struct filter f[FILTERS_MAX];
    unsigned nfilters;
    uint64_t csize, usize;
    size_t data, in_avail, out_end, start, used, op_end, pos, npad, csum;
    int ret;

    if (d->in_len - d->ip < hsize)
        return XZ_ERR_TRUNCATED;
    if (xhv_crc32(0, h, hsize - 4) != le32(h + hsize - 4))
        return XZ_ERR_CHECK;
    ret = parse_block_header(h, hsize, f, &nfilters, &csize, &usize);
    if (ret)
        return ret;

    data = d->ip + hsize;
    in_avail = d->in_len - data;
    if (csize != UINT64_MAX) {
        if (csize > in_avail)
            return XZ_ERR_TRUNCATED;
        in_avail = (size_t)csize;
    }
    out_end = d->out_cap;
    if (usize != UINT64_MAX) {
        if (usize > d->out_cap - d->op)
            return XZ_ERR_OUTPUT_FULL;
        out_end = d->op + (size_t)usize;
    }

    start = d->op;
    ret = xz_lzma2_decode(d->in + data, in_avail, &used, d->out, start,
                          out_end, &op_end, f[nfilters - 1].arg);
    d->op = op_end;             /* what was written, on error too */
    if (ret == XZ_ERR_TRUNCATED && csize != UINT64_MAX)
        ret = XZ_ERR_CORRUPT;           /* overran the declared size */
    if (ret == XZ_ERR_OUTPUT_FULL && usize != UINT64_MAX)
        ret = XZ_ERR_CORRUPT;
    if (ret == XZ_OK && csize != UINT64_MAX && used != csize)
        ret = XZ_ERR_CORRUPT;
    if (ret == XZ_OK && usize != UINT64_MAX && op_end - start != usize)
        ret = XZ_ERR_CORRUPT;
    if (ret)
        return ret;

    /* Undo the other filters, last-applied first. */
    for (unsigned k = nfilters - 1; k-- > 0;) {
        if (f[k].id == FILTER_X86)
            xz_bcj_x86_decode(d->out + start, op_end - start, f[k].arg);
        else
            delta_decode(d->out + start, op_end - start, f[k].arg);
    }

    /* Block Padding (header size is a multiple of 4), then the Check. */
    pos = data + used;
    npad = (0 - used) & 3;
    csum = check_size(check);
    if (d->in_len - pos < npad + csum)
        return XZ_ERR_TRUNCATED;
    for (size_t i = 0; i < npad; i++)
        if (d->in[pos + i])
            return XZ_ERR_CORRUPT;
    pos += npad;
    ret = verify_check(check, d->out + start, op_end - start, d->in + pos);
    if (ret)
        return ret;
    rec_sum_add(rs, hsize + used + csum, op_end - start);
    d->ip = pos + csum;
    return XZ_OK;
}

/*
 * Parse an Index at in[start, in_len) (the indicator byte is known to be 0)
 * into *rs; *size gets its total size including the CRC32.
 * If expect_count is not UINT64_MAX, the record count must equal it (this
 * bounds the loop to the blocks actually seen).
 */
static int parse_index(const uint8_t *in, size_t in_len, size_t start,
                       uint64_t expect_count, struct rec_sum *rs,
                       uint64_t *padded_sum, size_t *size)
{
    size_t p = start + 1;
    uint64_t count, unpadded, uncomp;
    int n;

    *padded_sum = 0;
    n = read_vli(in + p, in_len - p, &count);
    if (n <= 0)
        return n ? XZ_ERR_CORRUPT : XZ_ERR_TRUNCATED;
    p += (size_t)n;
    if (expect_count != UINT64_MAX && count != expect_count)
        return XZ_ERR_CORRUPT;
    /* Each record takes at least two bytes. */
    if (count > (in_len - p) / 2)
        return expect_count != UINT64_MAX ? XZ_ERR_TRUNCATED : XZ_ERR_CORRUPT;

    for (uint64_t i = 0; i < count; i++) {
        n = read_vli(in + p, in_len - p, &unpadded);
        if (n <= 0)
            return n ? XZ_ERR_CORRUPT : XZ_ERR_TRUNCATED;
        p += (size_t)n;
        n = read_vli(in + p, in_len - p, &uncomp);
        if (n <= 0)
            return n ? XZ_ERR_CORRUPT : XZ_ERR_TRUNCATED;
        p += (size_t)n;
        if (unpadded < UNPADDED_SIZE_MIN || unpadded > UNPADDED_SIZE_MAX)
            return XZ_ERR_CORRUPT;
        /* Padded sizes of the blocks must fit before the index. */
        uint64_t padded = (unpadded + 3) & ~3ull;
        if (padded > start - *padded_sum ||
            uncomp > UINT64_MAX - rs->uncompressed)
            return XZ_ERR_CORRUPT;
        *padded_sum += padded;
        rec_sum_add(rs, unpadded, uncomp);
    }
    while ((p - start) & 3) {
        if (p >= in_len)
            return XZ_ERR_TRUNCATED;
        if (in[p++])
            return XZ_ERR_CORRUPT;
    }
    if (in_len - p < 4)
        return XZ_ERR_TRUNCATED;
    if (xhv_crc32(0, in + start, p - start) != le32(in + p))
        return XZ_ERR_CHECK;
    *size = p + 4 - start;
    return XZ_OK;
}

/* Stream Header at h (12 bytes available); *flags gets the flags byte. */
static int parse_stream_header(const uint8_t *h, uint8_t *flags)
{
    if (memcmp(h, header_magic, sizeof(header_magic)))
        return XZ_ERR_FORMAT;
    if (xhv_crc32(0, h + 6, 2) != le32(h + 8))
        return XZ_ERR_CHECK;
    if (h[6] != 0 || (h[7] & 0xF0))
        return XZ_ERR_UNSUPPORTED;
    *flags = h[7];
    return XZ_OK;
}

/* Stream Footer at f; *backward gets the Index size it records. */
static int parse_stream_footer(const uint8_t *f, uint8_t *flags,
                               uint64_t *backward)
{
    if (memcmp(f + 10, footer_magic, sizeof(footer_magic)))
        return XZ_ERR_CORRUPT;
    if (xhv_crc32(0, f + 4, 6) != le32(f))
        return XZ_ERR_CHECK;
    if (f[8] != 0 || (f[9] & 0xF0))
        return XZ_ERR_UNSUPPORTED;
    *flags = f[9];
    *backward = ((uint64_t)le32(f + 4) + 1) * 4;
    return XZ_OK;
}

static int decode_stream(struct xz_dec *d)
{
    const uint8_t *in = d->in;
    struct rec_sum blocks = { 0 }, index = { 0 };
    uint64_t backward, padded_sum;
    size_t index_size;
    uint8_t flags, footer_flags;
    int ret;

    if (d->in_len - d->ip < STREAM_HEADER_SIZE) {
        /* A prefix of the magic is a cut-off stream, anything else not xz. */
        size_t n = MIN(d->in_len - d->ip, sizeof(header_magic));
        return n && memcmp(in + d->ip, header_magic, n) ? XZ_ERR_FORMAT
                                                        : XZ_ERR_TRUNCATED;
    }
    ret = parse_stream_header(in + d->ip, &flags);
    if (ret)
        return ret;
    if (flags != CHECK_NONE && flags != CHECK_CRC32 && flags != CHECK_CRC64 &&
        flags != CHECK_SHA256)
        return XZ_ERR_UNSUPPORTED;
    d->ip += STREAM_HEADER_SIZE;

    for (;;) {
        if (d->ip >= d->in_len)
            return XZ_ERR_TRUNCATED;
        if (in[d->ip] == 0x00)
            break;                      /* Index Indicator */
        ret = decode_block(d, flags, &blocks);
        if (ret)
            return ret;
    }

    ret = parse_index(in, d->in_len, d->ip, blocks.count, &index, &padded_sum,
                      &index_size);
    if (ret)
        return ret;
    if (index.unpadded != blocks.unpadded ||
        index.uncompressed != blocks.uncompressed || index.crc != blocks.crc)
        return XZ_ERR_CORRUPT;
    d->ip += index_size;

    if (d->in_len - d->ip < STREAM_FOOTER_SIZE)
        return XZ_ERR_TRUNCATED;
    ret = parse_stream_footer(in + d->ip, &footer_flags, &backward);
    if (ret)
        return ret;
    if (backward != index_size || footer_flags != flags)
        return XZ_ERR_CORRUPT;
    d->ip += STREAM_FOOTER_SIZE;
    return XZ_OK;
}

/* Stands in for NULL buffers of length 0, so no pointer arithmetic on NULL. */
static uint8_t empty_buf[1];

int xz_decode_ex(const uint8_t *in, size_t in_len, uint8_t *out,
                 size_t out_cap, size_t *out_len, size_t *in_used,
                 unsigned flags)
{
    struct xz_dec d = {
        .in = in ? in : empty_buf, .in_len = in_len,
        .out = out ? out : empty_buf, .out_cap = out_cap,
    };
    int ret;

    if ((!in && in_len) || (!out && out_cap)) {
        ret = XZ_ERR_ARG;
        goto done;
    }
    in = d.in;
    ret = decode_stream(&d);
    if (ret || (flags & XZ_SINGLE_STREAM))
        goto done;

    /* Stream Padding, then either the end or another stream. */
    for (;;) {
        size_t pad_start = d.ip;

        while (d.ip < d.in_len && in[d.ip] == 0)
            d.ip++;
        if ((d.ip - pad_start) & 3) {
            ret = XZ_ERR_CORRUPT;
            break;
        }
        if (d.ip == d.in_len)
            break;
        ret = decode_stream(&d);
        if (ret)
            break;
    }
done:
    if (out_len)
        *out_len = d.op;
    if (in_used)
        *in_used = d.ip;
    return ret;
}

int xz_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
              size_t *out_len)
{
    return xz_decode_ex(in, in_len, out, out_cap, out_len, NULL, 0);
}

/* Move *end back over 4-byte groups of zero bytes (Stream Padding). */
static void skip_padding_back(const uint8_t *in, size_t *end)
{
    while (*end >= 4 && le32(in + *end - 4) == 0)
        *end -= 4;
}

int xz_uncompressed_size(const uint8_t *in, size_t in_len, uint64_t *size)
{
    size_t end = in_len;
    uint64_t total = 0;

    if ((!in && in_len) || !size)
        return XZ_ERR_ARG;
    if (in_len == 0)
        return XZ_ERR_TRUNCATED;
    if (memcmp(in, header_magic, MIN(in_len, sizeof(header_magic))))
        return XZ_ERR_FORMAT;
    if (in_len < STREAM_HEADER_SIZE)
        return XZ_ERR_TRUNCATED;
    /* Streams and padding are all multiples of four bytes. */
    if (in_len & 3)
        return XZ_ERR_CORRUPT;

    skip_padding_back(in, &end);
    for (;;) {
        struct rec_sum rs = { 0 };
        uint64_t backward, padded_sum;
        size_t index_start, index_size, start;
        uint8_t flags, hflags;
        int ret;

        if (end < STREAM_HEADER_SIZE + STREAM_FOOTER_SIZE + 8)
            return XZ_ERR_CORRUPT;
        ret = parse_stream_footer(in + end - STREAM_FOOTER_SIZE, &flags,
                                  &backward);
        if (ret)
            return ret;
        if (backward > end - STREAM_HEADER_SIZE - STREAM_FOOTER_SIZE)
            return XZ_ERR_CORRUPT;
        index_start = end - STREAM_FOOTER_SIZE - (size_t)backward;
        if (in[index_start] != 0x00)
            return XZ_ERR_CORRUPT;
        ret = parse_index(in, end - STREAM_FOOTER_SIZE, index_start,
                          UINT64_MAX, &rs, &padded_sum, &index_size);
        if (ret)
            return ret == XZ_ERR_TRUNCATED ? XZ_ERR_CORRUPT : ret;
        if (index_size != backward ||
            padded_sum > index_start - STREAM_HEADER_SIZE)
            return XZ_ERR_CORRUPT;

        start = index_start - (size_t)padded_sum - STREAM_HEADER_SIZE;
        ret = parse_stream_header(in + start, &hflags);
        if (ret)
            return ret == XZ_ERR_FORMAT ? XZ_ERR_CORRUPT : ret;
        if (hflags != flags)
            return XZ_ERR_CORRUPT;
        if (rs.uncompressed > UINT64_MAX - total)
            return XZ_ERR_CORRUPT;
        total += rs.uncompressed;

        end = start;
        if (end == 0)
            break;
        skip_padding_back(in, &end);
        if (end == 0)
            return XZ_ERR_CORRUPT;      /* padding before the first stream */
    }
    *size = total;
    return XZ_OK;
}

const char *xz_strerror(int err)
{
    switch (err) {
    case XZ_OK:              return "success";
    case XZ_ERR_FORMAT:      return "not in .xz format";
    case XZ_ERR_CORRUPT:     return "compressed data is corrupt";
    case XZ_ERR_CHECK:       return "integrity check (CRC/SHA-256) mismatch";
    case XZ_ERR_TRUNCATED:   return "unexpected end of input";
    case XZ_ERR_OUTPUT_FULL: return "output buffer too small";
    case XZ_ERR_UNSUPPORTED: return "unsupported .xz feature (filter, check "
                                    "type or flags)";
    case XZ_ERR_ARG:         return "invalid argument";
    default:                 return "unknown xz error";
    }
}
