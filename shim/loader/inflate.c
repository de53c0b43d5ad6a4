/*
 * Raw DEFLATE decoder (RFC 1951), used by gunzip() and usable on its own.
 *
 * Follows RFC 1951 section 3.2: bit packing (3.2.1), canonical Huffman
 * codes (3.2.2), block headers (3.2.3), stored blocks (3.2.4), the
 * length/distance alphabets (3.2.5), the fixed code (3.2.6) and dynamic
 * code descriptions (3.2.7).
 *
 * Design:
 *  - The output buffer is the sliding window: a back-reference copies from
 *    earlier in out[], and one reaching before out[0] is an error.
 *  - Huffman decoding uses a small direct lookup table indexed by the next
 *    FAST_BITS input bits (codes are sent MSB first, so the table is indexed
 *    by bit-reversed codes). Longer codes, and lookups near the end of the
 *    input, fall back to the bit-at-a-time canonical walk of 3.2.2. The
 *    tables live in struct inflater on the caller's stack (~2.7 KiB).
 *  - Every read is checked against in_len and every write against out_cap.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/gunzip.h>

#define MAX_BITS        15      /* longest code, 3.2.7 */
#define NUM_LITLEN      288     /* fixed code size; dynamic HLIT <= 286 */
#define NUM_DIST        32      /* fixed code size; dynamic HDIST <= 30 */
#define NUM_CLEN        19      /* code length alphabet, 3.2.7 */
#define MAX_HLIT        286
#define MAX_HDIST       30
#define END_OF_BLOCK    256

/* Lookup-table widths: 9 covers the whole fixed literal/length code. */
#define LIT_FAST_BITS   9
#define DIST_FAST_BITS  8
#define CLEN_FAST_BITS  7       /* code length codes are at most 7 bits */

/* huff_build() flags: which incomplete codes 3.2.7 lets us accept. */
#define HUFF_ALLOW_EMPTY   1u   /* no codes at all (distance code only) */
#define HUFF_ALLOW_SINGLE  2u   /* one code of length 1 */

struct bitreader {
    const uint8_t *in;
    size_t len;
    size_t pos;         /* next byte to load into buf */
    uint64_t buf;       /* loaded, unconsumed bits; next bit is bit 0 */
    unsigned cnt;       /* valid bits in buf; bits above cnt are zero */
};

/*
 * A canonical Huffman code. sym[] lists the symbols in code order (by
 * length, then symbol value), which is all the slow decoder needs with
 * count[]. fast[] maps the next fast_bits input bits to (symbol << 4 |
 * length) for codes no longer than fast_bits, or 0 when the code is longer
 * or the bit pattern is not a code.
 */
struct huff {
    uint16_t count[MAX_BITS + 1];
    uint16_t *sym;
    uint16_t *fast;
    unsigned fast_bits;
};

struct inflater {
    struct bitreader br;
    uint8_t *out;
    size_t out_cap;
    size_t out_pos;
    struct huff lit;
    struct huff dist;   /* also holds the code length code while reading
                           a dynamic header: 19 <= 32 symbols, 7 <= 8 bits */
    uint16_t lit_sym[NUM_LITLEN];
    uint16_t lit_fast[1u << LIT_FAST_BITS];
    uint16_t dist_sym[NUM_DIST];
    uint16_t dist_fast[1u << DIST_FAST_BITS];
    uint8_t lens[MAX_HLIT + MAX_HDIST];     /* dynamic: HLIT + HDIST */
};
BUILD_BUG_ON(MAX_HLIT + MAX_HDIST < NUM_LITLEN);   /* fixed code reuses lens */
BUILD_BUG_ON(NUM_CLEN > NUM_DIST || CLEN_FAST_BITS > DIST_FAST_BITS);

/* 3.2.5: base value and extra bits for length codes 257..285. */
static const uint16_t len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const uint8_t len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
};

/* 3.2.5: base value and extra bits for distance codes 0..29. */
static const uint16_t dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
    257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289,
    16385, 24577,
};
static const uint8_t dist_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
    7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
};

/* 3.2.7: order in which code length code lengths are sent. */
static const uint8_t clen_order[NUM_CLEN] = {
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
};

/* Load whole bytes while at least one fits; keeps cnt <= 64. */
static void br_refill(struct bitreader *br)
{
    while (br->cnt <= 56 && br->pos < br->len) {
        br->buf |= (uint64_t)br->in[br->pos++] << br->cnt;
        br->cnt += 8;
    }
}

/* Next n (<= 16) bits as a number, first bit least significant (3.2.1). */
static int br_bits(struct bitreader *br, unsigned n)
{
    unsigned v;

    if (br->cnt < n) {
        br_refill(br);
        if (br->cnt < n)
            return GZ_ERR_TRUNCATED;
    }
    v = (unsigned)br->buf & ((1u << n) - 1);
    br->buf >>= n;
    br->cnt -= n;
    return (int)v;
}

/* Skip to the next byte boundary (stored blocks, end of stream). */
static void br_align(struct bitreader *br)
{
    unsigned drop = br->cnt & 7;

    br->buf >>= drop;
    br->cnt -= drop;
}

/*
 * Input bytes consumed so far. Whole bytes still sitting in buf have not
 * been used; call after br_align() so cnt is a multiple of 8.
 */
static size_t br_used(const struct bitreader *br)
{
    return br->pos - br->cnt / 8;
}

/* Reverse the low n bits of v. */
static unsigned bit_reverse(unsigned v, unsigned n)
{
    unsigned r = 0;

    while (n--) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

/*
 * Build the canonical code for lens[0..n) (each <= MAX_BITS; 0 = unused)
 * into h, whose sym[] must hold n entries and fast[] 1 << fast_bits.
 *
 * Kraft check: "left" is the number of unused codes at the current length.
 * Negative means over-subscribed (codes would collide); positive at the end
 * means incomplete (some bit patterns decode to nothing). RFC 1951 3.2.7
 * only sanctions incomplete codes for distances: none at all, or a single
 * one-bit code. zlib also accepts the single one-bit case for
 * literal/length codes, and so do we (HUFF_ALLOW_SINGLE) so as not to
 * reject streams zlib decodes; decoding the unused pattern is still an
 * error.
 */
static int huff_build(struct huff *h, const uint8_t *lens, unsigned n,
                      unsigned fast_bits, unsigned flags)
{
    uint16_t offs[MAX_BITS + 2];
    unsigned i, len, ncodes, code, idx;
    int left;

    memset(h->count, 0, sizeof(h->count));
    for (i = 0; i < n; i++)
        h->count[lens[i]]++;
    ncodes = n - h->count[0];

    left = 1;
    for (len = 1; len <= MAX_BITS; len++) {
        left <<= 1;
        left -= h->count[len];
        if (left < 0)
            return GZ_ERR_HUFFMAN;
    }
    if (left > 0) {
        bool empty_ok = ncodes == 0 && (flags & HUFF_ALLOW_EMPTY);
        bool single_ok = ncodes == 1 && h->count[1] == 1 &&
                         (flags & HUFF_ALLOW_SINGLE);
        if (!empty_ok && !single_ok)
            return GZ_ERR_HUFFMAN;
    }

    /* Sort symbols by code length, keeping symbol order within a length. */
    offs[1] = 0;
    for (len = 1; len <= MAX_BITS; len++)
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
    for (i = 0; i < n; i++)
        if (lens[i])
            h->sym[offs[lens[i]]++] = (uint16_t)i;

    /*
     * Fill the lookup table. Codes of one length are consecutive integers
     * (3.2.2); the first code of length len+1 is (last code of len + 1) << 1.
     * A code of length len < fast_bits owns every table slot whose low len
     * bits are its reversed code.
     */
    h->fast_bits = fast_bits;
    memset(h->fast, 0, sizeof(h->fast[0]) << fast_bits);
    code = 0;
    idx = 0;
    for (len = 1; len <= fast_bits; len++) {
        for (i = 0; i < h->count[len]; i++, idx++, code++) {
            unsigned slot = bit_reverse(code, len);
            uint16_t entry = (uint16_t)(h->sym[idx] << 4 | len);

            for (; slot < (1u << fast_bits); slot += 1u << len)
                h->fast[slot] = entry;
        }
        code <<= 1;
    }
    return 0;
}

/*
 * Slow path: walk the code one bit at a time (3.2.2). Within a length the
 * codes are first..first+count-1 and map to sym[idx..]; a prefix that is
 * below first would have matched a shorter code already.
 */
static int huff_decode_slow(struct bitreader *br, const struct huff *h)
{
    int code = 0, first = 0, idx = 0;
    unsigned len;

    for (len = 1; len <= MAX_BITS; len++) {
        int count = h->count[len];

        if (br->cnt == 0) {
            br_refill(br);
            if (br->cnt == 0)
                return GZ_ERR_TRUNCATED;
        }
        code |= (int)(br->buf & 1);
        br->buf >>= 1;
        br->cnt--;
        if (code - first < count)
            return h->sym[idx + (code - first)];
        idx += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return GZ_ERR_SYMBOL;
}

/*
 * Decode one symbol. The table lookup is only trusted when the matched
 * code lies within the bits actually loaded (bits above cnt read as zero);
 * otherwise the slow path decides between a valid code and truncation.
 */
static int huff_decode(struct bitreader *br, const struct huff *h)
{
    unsigned e, len;

    if (br->cnt < MAX_BITS)
        br_refill(br);
    e = h->fast[br->buf & ((1u << h->fast_bits) - 1)];
    len = e & 15;
    if (e != 0 && len <= br->cnt) {
        br->buf >>= len;
        br->cnt -= len;
        return (int)(e >> 4);
    }
    return huff_decode_slow(br, h);
}

/* 3.2.4: LEN, NLEN, then LEN bytes copied verbatim. */
static int inflate_stored(struct inflater *s)
{
    struct bitreader *br = &s->br;
    int len, nlen;

    br_align(br);
    len = br_bits(br, 16);
    if (len < 0)
        return len;
    nlen = br_bits(br, 16);
    if (nlen < 0)
        return nlen;
    if (len != (~nlen & 0xffff))
        return GZ_ERR_BLOCK;

    /* Hand any whole bytes still in buf back to the byte stream. */
    br->pos = br_used(br);
    br->buf = 0;
    br->cnt = 0;

    if ((size_t)len > br->len - br->pos)
        return GZ_ERR_TRUNCATED;
    if ((size_t)len > s->out_cap - s->out_pos)
        return GZ_ERR_OUTPUT_FULL;
    if (len) {
        memcpy(s->out + s->out_pos, br->in + br->pos, (size_t)len);
        s->out_pos += (size_t)len;
        br->pos += (size_t)len;
    }
    return 0;
}

/* Decode symbols with s->lit / s->dist until end-of-block (3.2.5). */
static int inflate_codes(struct inflater *s)
{
    struct bitreader *br = &s->br;

    for (;;) {
        int sym = huff_decode(br, &s->lit);
        int extra;
        size_t len, dist, i;
        const uint8_t *src;
        uint8_t *dst;

        if (sym < 0)
            return sym;
        if (sym < 256) {
            if (s->out_pos >= s->out_cap)
                return GZ_ERR_OUTPUT_FULL;
            s->out[s->out_pos++] = (uint8_t)sym;
            continue;
        }
        if (sym == END_OF_BLOCK)
            return 0;

        sym -= 257;
        if (sym >= (int)ARRAY_SIZE(len_base))
            return GZ_ERR_SYMBOL;           /* 286, 287 */
        extra = br_bits(br, len_extra[sym]);
        if (extra < 0)
            return extra;
        len = (size_t)len_base[sym] + (size_t)extra;

        sym = huff_decode(br, &s->dist);
        if (sym < 0)
            return sym;
        if (sym >= (int)ARRAY_SIZE(dist_base))
            return GZ_ERR_SYMBOL;           /* 30, 31 */
        extra = br_bits(br, dist_extra[sym]);
        if (extra < 0)
            return extra;
        dist = (size_t)dist_base[sym] + (size_t)extra;

        if (dist > s->out_pos)
            return GZ_ERR_DISTANCE;
        if (len > s->out_cap - s->out_pos)
            return GZ_ERR_OUTPUT_FULL;
        /* Byte by byte: source and destination overlap when dist < len. */
        dst = s->out + s->out_pos;
        src = dst - dist;
        for (i = 0; i < len; i++)
            dst[i] = src[i];
        s->out_pos += len;
    }
}

/* 3.2.6: the fixed literal/length and distance codes. */
static int inflate_fixed(struct inflater *s)
{
    unsigned i;
    int err;

    for (i = 0; i < 144; i++)
        s->lens[i] = 8;
    for (; i < 256; i++)
        s->lens[i] = 9;
    for (; i < 280; i++)
        s->lens[i] = 7;
    for (; i < NUM_LITLEN; i++)
        s->lens[i] = 8;
    err = huff_build(&s->lit, s->lens, NUM_LITLEN, LIT_FAST_BITS, 0);
    if (err)
        return err;
    for (i = 0; i < NUM_DIST; i++)
        s->lens[i] = 5;
    err = huff_build(&s->dist, s->lens, NUM_DIST, DIST_FAST_BITS, 0);
    if (err)
        return err;
    return inflate_codes(s);
}

/* 3.2.7: read the code descriptions, then decode the block. */
static int inflate_dynamic(struct inflater *s)
{
    struct bitreader *br = &s->br;
    int hlit, hdist, hclen, err;
    unsigned i, total;

    hlit = br_bits(br, 5);
    if (hlit < 0)
        return hlit;
    hdist = br_bits(br, 5);
    if (hdist < 0)
        return hdist;
    hclen = br_bits(br, 4);
    if (hclen < 0)
        return hclen;
    hlit += 257;
    hdist += 1;
    hclen += 4;
    if (hlit > MAX_HLIT || hdist > MAX_HDIST)
        return GZ_ERR_HUFFMAN;

    /* Code length code, built into the distance tables for the moment. */
    memset(s->lens, 0, NUM_CLEN);
    for (i = 0; i < (unsigned)hclen; i++) {
        int v = br_bits(br, 3);

        if (v < 0)
            return v;
        s->lens[clen_order[i]] = (uint8_t)v;
    }
    err = huff_build(&s->dist, s->lens, NUM_CLEN, CLEN_FAST_BITS, 0);
    if (err)
        return err;

    /* Literal/length and distance lengths form one sequence: a repeat may
     * run from the one into the other, but not past the end. */
    total = (unsigned)(hlit + hdist);
    i = 0;
    while (i < total) {
        int sym = huff_decode(br, &s->dist);
        int rep;
        uint8_t val = 0;

        if (sym < 0)
            return sym;
        if (sym < 16) {
            s->lens[i++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0)
                return GZ_ERR_HUFFMAN;      /* nothing to repeat */
            val = s->lens[i - 1];
            rep = br_bits(br, 2);
            if (rep < 0)
                return rep;
            rep += 3;
        } else if (sym == 17) {
            rep = br_bits(br, 3);
            if (rep < 0)
                return rep;
            rep += 3;
        } else {
            rep = br_bits(br, 7);
            if (rep < 0)
                return rep;
            rep += 11;
        }
        if ((unsigned)rep > total - i)
            return GZ_ERR_HUFFMAN;
        while (rep--)
            s->lens[i++] = val;
    }

    if (s->lens[END_OF_BLOCK] == 0)
        return GZ_ERR_HUFFMAN;      /* the block could never end */
    err = huff_build(&s->lit, s->lens, (unsigned)hlit, LIT_FAST_BITS,
                     HUFF_ALLOW_SINGLE);
    if (err)
        return err;
    err = huff_build(&s->dist, s->lens + hlit, (unsigned)hdist,
                     DIST_FAST_BITS, HUFF_ALLOW_EMPTY | HUFF_ALLOW_SINGLE);
    if (err)
        return err;
    return inflate_codes(s);
}

/* 3.2.3: blocks until the one with BFINAL set. */
static int inflate_blocks(struct inflater *s)
{
    int final, type, err;

    do {
        final = br_bits(&s->br, 1);
        if (final < 0)
            return final;
        type = br_bits(&s->br, 2);
        if (type < 0)
            return type;
        switch (type) {
        case 0:
            err = inflate_stored(s);
            break;
        case 1:
            err = inflate_fixed(s);
            break;
        case 2:
            err = inflate_dynamic(s);
            break;
        default:
            err = GZ_ERR_BLOCK;
            break;
        }
        if (err)
            return err;
    } while (!final);
    return 0;
}

int inflate_raw(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                size_t *out_len, size_t *in_used)
{
    /* Stand-ins for NULL buffers of length 0, so that no pointer
     * arithmetic is ever done on NULL. Nothing is written to dummy_out:
     * its capacity stays 0. */
    static const uint8_t dummy_in[1];
    static uint8_t dummy_out[1];
    struct inflater s;
    int err;

    if (out_len)
        *out_len = 0;
    if (in_used)
        *in_used = 0;
    if ((!in && in_len) || (!out && out_cap))
        return GZ_ERR_ARG;

    s.br.in = in ? in : dummy_in;
    s.br.len = in_len;
    s.br.pos = 0;
    s.br.buf = 0;
    s.br.cnt = 0;
    s.out = out ? out : dummy_out;
    s.out_cap = out_cap;
    s.out_pos = 0;
    s.lit.sym = s.lit_sym;
    s.lit.fast = s.lit_fast;
    s.dist.sym = s.dist_sym;
    s.dist.fast = s.dist_fast;

    err = inflate_blocks(&s);
    br_align(&s.br);
    if (out_len)
        *out_len = s.out_pos;
    if (in_used)
        *in_used = br_used(&s.br);
    return err;
}
