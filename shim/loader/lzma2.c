/*
 * LZMA2 decoder for the xz loader (single call, whole input in memory).
 *
 * Formats followed:
 *  - LZMA2 chunk framing (as in XZ Utils / the .xz spec's filter 0x21):
 *      0x00                  end of LZMA2 data
 *      0x01                  uncompressed chunk, dictionary reset
 *      0x02                  uncompressed chunk, no reset
 *      0x03-0x7F             invalid
 *      0x80-0xFF (LZMA)      bits 5-6: 0 nothing reset, 1 state reset,
 *                            2 state reset + new properties,
 *                            3 state reset + new properties + dict reset;
 *                            bits 0-4: bits 16-20 of (uncompressed size - 1)
 *    Uncompressed chunk: 16-bit big-endian (size - 1), then the bytes.
 *    LZMA chunk: 16-bit BE low bits of (uncompressed size - 1), 16-bit BE
 *    (compressed size - 1), a properties byte if bit 6 is set, then a
 *    complete range-coded LZMA stream (fresh range decoder every chunk).
 *    The first chunk must reset the dictionary; the first LZMA chunk after
 *    a dictionary reset must carry properties.
 *  - LZMA proper (LZMA SDK "lzma-specification"): adaptive binary range
 *    coder with 11-bit probabilities, 12-state literal/match state machine,
 *    literal coder with lc/lp context bits and "matched" literals after a
 *    match, length coder (2..273), distance slots with reverse bit trees and
 *    4 aligned bits, four repeat distances.
 *
 * The dictionary is the output buffer: a match copies from bytes already
 * written since the last dictionary reset ("dict" below points at that reset
 * position, so positions are relative to it, which is also what the lp/pb
 * position bits are taken from). Distances reaching before the reset or
 * beyond the declared dictionary size are errors, as is a match crossing
 * the end of its chunk, an end-of-payload marker (not allowed in LZMA2) or
 * a chunk whose range coder does not end exactly at its compressed size
 * with code == 0.
 *
 * The range decoder normalises eagerly (after every bit) instead of before
 * the next one; that consumes input in exactly the order the encoder
 * produced it, so at a chunk's end exactly "compressed size" bytes have been
 * read. Reads past a chunk's end return zeros and are detected when the
 * symbol completes, so the hot path has no early exits.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/xz.h>
#include "xz_internal.h"

#define RC_TOP_VALUE     (1u << 24)
#define RC_PROB_BITS     11
#define RC_PROB_ONE      (1u << RC_PROB_BITS)
#define RC_PROB_INIT     (RC_PROB_ONE / 2)
#define RC_MOVE_BITS     5

#define LZMA_STATES      12
#define LZMA_LIT_STATES  7      /* states below this: last symbol a literal */
#define POS_STATES_MAX   16     /* 1 << pb, pb <= 4 */
#define LC_LP_MAX        4      /* LZMA2 limits lc + lp to 4 */
#define LITERAL_PROBS    0x300  /* per literal context: 3 * 256 */

#define MATCH_LEN_MIN    2
#define LEN_LOW_SYMS     8
#define LEN_MID_SYMS     8
#define LEN_HIGH_SYMS    256

#define DIST_STATES      4      /* distance model chosen by min(len-2, 3) */
#define DIST_SLOTS       64
#define DIST_MODEL_START 4      /* slots below this are the distance itself */
#define DIST_MODEL_END   14     /* slots below this use dist_special */
#define FULL_DISTANCES   128    /* 1 << (DIST_MODEL_END / 2) */
#define ALIGN_BITS       4

#define LZMA2_PROPS_MAX  (9 * 5 * 5 - 1)

typedef uint16_t prob_t;

/*
 * The range coder state must stay in registers across the decoding loop
 * (it is touched for every bit), so every helper that takes it by pointer
 * is forced inline; otherwise gcc spills it to memory around the calls,
 * which is expensive under QEMU TCG.
 */
#define RC_INLINE static inline __attribute__((always_inline))

struct len_model {
    prob_t choice;
    prob_t choice2;
    prob_t low[POS_STATES_MAX][LEN_LOW_SYMS];
    prob_t mid[POS_STATES_MAX][LEN_MID_SYMS];
    prob_t high[LEN_HIGH_SYMS];
};

/*
 * All adaptive probabilities. literal[] is last so a state reset only has to
 * initialise the part the current lc + lp uses.
 */
struct lzma_model {
    prob_t is_match[LZMA_STATES][POS_STATES_MAX];
    prob_t is_rep[LZMA_STATES];
    prob_t is_rep0[LZMA_STATES];
    prob_t is_rep1[LZMA_STATES];
    prob_t is_rep2[LZMA_STATES];
    prob_t is_rep0_long[LZMA_STATES][POS_STATES_MAX];
    prob_t dist_slot[DIST_STATES][DIST_SLOTS];
    /* Reverse trees for slots 4..13; entry 0 unused (trees index from 1). */
    prob_t dist_special[FULL_DISTANCES - DIST_MODEL_END + 1];
    prob_t dist_align[1 << ALIGN_BITS];
    struct len_model match_len;
    struct len_model rep_len;
    prob_t literal[LITERAL_PROBS << LC_LP_MAX];
};

struct lzma2_dec {
    struct lzma_model m;
    uint32_t state;
    uint32_t rep0, rep1, rep2, rep3;
    uint32_t lc, lp, lp_mask, pb_mask;
    uint32_t dict_size;
};

/* ~28 KiB; static because the shim has no heap (see include/xhv/xz.h). */
static struct lzma2_dec lz;

struct rc {
    uint32_t range;
    uint32_t code;
    const uint8_t *in;
    size_t pos;   /* may run past size on corrupt data; reads then yield 0 */
    size_t size;
};

RC_INLINE void rc_normalize(struct rc *rc)
{
    if (rc->range < RC_TOP_VALUE) {
        rc->range <<= 8;
        rc->code <<= 8;
        if (likely(rc->pos < rc->size))
            rc->code |= rc->in[rc->pos];
        rc->pos++;
    }
}

RC_INLINE uint32_t rc_bit(struct rc *rc, prob_t *p)
{
    uint32_t bound = (rc->range >> RC_PROB_BITS) * *p;
    uint32_t bit;

    if (rc->code < bound) {
        rc->range = bound;
        *p = (prob_t)(*p + ((RC_PROB_ONE - *p) >> RC_MOVE_BITS));
        bit = 0;
    } else {
        rc->range -= bound;
        rc->code -= bound;
        *p = (prob_t)(*p - (*p >> RC_MOVE_BITS));
        bit = 1;
    }
    rc_normalize(rc);
    return bit;
}

/* Bit tree, most significant bit first; returns 0 .. nsyms-1. */
RC_INLINE uint32_t rc_tree(struct rc *rc, prob_t *probs, uint32_t nsyms)
{
    uint32_t m = 1;

    do
        m = (m << 1) | rc_bit(rc, &probs[m]);
    while (m < nsyms);
    return m - nsyms;
}

/* Bit tree, least significant bit first. */
RC_INLINE uint32_t rc_tree_rev(struct rc *rc, prob_t *probs, uint32_t bits)
{
    uint32_t m = 1, sym = 0;

    for (uint32_t i = 0; i < bits; i++) {
        uint32_t bit = rc_bit(rc, &probs[m]);
        m = (m << 1) | bit;
        sym |= bit << i;
    }
    return sym;
}

/* Fixed probability 1/2 bits, most significant first (bits >= 1). */
RC_INLINE uint32_t rc_direct(struct rc *rc, uint32_t bits)
{
    uint32_t sym = 0;

    do {
        rc->range >>= 1;
        uint32_t bit = rc->code >= rc->range;
        if (bit)
            rc->code -= rc->range;
        sym = (sym << 1) | bit;
        rc_normalize(rc);
    } while (--bits);
    return sym;
}

RC_INLINE uint32_t decode_len(struct rc *rc, struct len_model *l,
                                  uint32_t pos_state)
{
    if (!rc_bit(rc, &l->choice))
        return MATCH_LEN_MIN + rc_tree(rc, l->low[pos_state], LEN_LOW_SYMS);
    if (!rc_bit(rc, &l->choice2))
        return MATCH_LEN_MIN + LEN_LOW_SYMS +
               rc_tree(rc, l->mid[pos_state], LEN_MID_SYMS);
    return MATCH_LEN_MIN + LEN_LOW_SYMS + LEN_MID_SYMS +
           rc_tree(rc, l->high, LEN_HIGH_SYMS);
}

/* Distance (0-based: 0 means the previous byte) for a new match of len. */
RC_INLINE uint32_t decode_dist(struct rc *rc, struct lzma_model *m,
                                   uint32_t len)
{
    uint32_t dstate = MIN(len - MATCH_LEN_MIN, (uint32_t)DIST_STATES - 1);
    uint32_t slot = rc_tree(rc, m->dist_slot[dstate], DIST_SLOTS);

    if (slot < DIST_MODEL_START)
        return slot;

    /* Slot s >= 4: the top two bits are 1 and (s & 1), then nbits more. */
    uint32_t nbits = (slot >> 1) - 1;
    uint32_t dist = (2 | (slot & 1)) << nbits;

    if (slot < DIST_MODEL_END)
        return dist + rc_tree_rev(rc, m->dist_special + dist - slot, nbits);
    dist += rc_direct(rc, nbits - ALIGN_BITS) << ALIGN_BITS;
    return dist + rc_tree_rev(rc, m->dist_align, ALIGN_BITS);
}

static void lzma_state_reset(struct lzma2_dec *s)
{
    prob_t *p = (prob_t *)&s->m;
    size_t n = offsetof(struct lzma_model, literal) / sizeof(prob_t) +
               ((size_t)LITERAL_PROBS << (s->lc + s->lp));

    /* The model is treated as one array of probabilities. */
    BUILD_BUG_ON(offsetof(struct lzma_model, literal) % sizeof(prob_t));
    BUILD_BUG_ON(offsetof(struct lzma_model, literal) +
                 sizeof(((struct lzma_model *)0)->literal) !=
                 sizeof(struct lzma_model));
    for (size_t i = 0; i < n; i++)
        p[i] = RC_PROB_INIT;
    s->state = 0;
    s->rep0 = s->rep1 = s->rep2 = s->rep3 = 0;
}

/* lc/lp/pb from the properties byte ((pb * 5 + lp) * 9 + lc). */
static bool lzma_set_props(struct lzma2_dec *s, uint8_t props)
{
    uint32_t lc, lp, pb;

    if (props > LZMA2_PROPS_MAX)
        return false;
    lc = props % 9;
    props /= 9;
    lp = props % 5;
    pb = props / 5;
    if (lc + lp > LC_LP_MAX)
        return false;
    s->lc = lc;
    s->lp = lp;
    s->lp_mask = (1u << lp) - 1;
    s->pb_mask = (1u << pb) - 1;
    return true;
}

/*
 * Decode one LZMA chunk: exactly in[0, in_size) produces dict[pos, end).
 * dict[0, pos) is the dictionary (output since the last reset).
 */
static int lzma_chunk(struct lzma2_dec *s, const uint8_t *in, size_t in_size,
                      uint8_t *dict, size_t pos, size_t end)
{
    struct lzma_model *m = &s->m;
    struct rc rc;
    uint32_t state = s->state;
    uint32_t rep0 = s->rep0, rep1 = s->rep1, rep2 = s->rep2, rep3 = s->rep3;
    const uint32_t lc = s->lc, lp_mask = s->lp_mask, pb_mask = s->pb_mask;
    const size_t dict_size = s->dict_size;
    int ret = XZ_ERR_CORRUPT;

    /* Range coder init: a zero byte, then the 32-bit big-endian code. */
    if (in_size < 5 || in[0] != 0)
        return XZ_ERR_CORRUPT;
    rc.range = 0xFFFFFFFFu;
    rc.code = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 |
              (uint32_t)in[3] << 8 | in[4];
    rc.in = in;
    rc.pos = 5;
    rc.size = in_size;

    while (pos < end) {
        uint32_t pos_state = (uint32_t)pos & pb_mask;
        uint32_t len;

        if (unlikely(rc.pos > rc.size))
            goto out;                   /* ran off the end of the chunk */

        if (!rc_bit(&rc, &m->is_match[state][pos_state])) {
            /* Literal, coded in the context of the previous byte and
             * position; after a match, also of the byte at rep0. */
            uint32_t prev = pos ? dict[pos - 1] : 0;
            prob_t *probs = m->literal + LITERAL_PROBS *
                (((uint32_t)pos & lp_mask) << lc | prev >> (8 - lc));
            uint32_t sym = 1;

            if (state >= LZMA_LIT_STATES) {
                if (unlikely(rep0 >= pos))
                    goto out;
                uint32_t match_byte = dict[pos - rep0 - 1];
                /* Use the match byte's bits as context until the first
                 * bit that differs from it. */
                do {
                    uint32_t match_bit = (match_byte >> 7) & 1;
                    match_byte <<= 1;
                    uint32_t bit = rc_bit(&rc,
                                          &probs[((1 + match_bit) << 8) + sym]);
                    sym = (sym << 1) | bit;
                    if (bit != match_bit)
                        break;
                } while (sym < 0x100);
            }
            while (sym < 0x100)
                sym = (sym << 1) | rc_bit(&rc, &probs[sym]);
            dict[pos++] = (uint8_t)sym;
            state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
            continue;
        }

        if (!rc_bit(&rc, &m->is_rep[state])) {
            /* New match: length, then distance. */
            len = decode_len(&rc, &m->match_len, pos_state);
            state = state < LZMA_LIT_STATES ? 7 : 10;
            rep3 = rep2;
            rep2 = rep1;
            rep1 = rep0;
            rep0 = decode_dist(&rc, m, len);
            if (rep0 == 0xFFFFFFFFu)
                goto out;               /* end marker: not valid in LZMA2 */
        } else if (!rc_bit(&rc, &m->is_rep0[state])) {
            if (!rc_bit(&rc, &m->is_rep0_long[state][pos_state])) {
                /* "Short rep": one byte from distance rep0. */
                state = state < LZMA_LIT_STATES ? 9 : 11;
                if (unlikely(rep0 >= pos || rep0 >= dict_size))
                    goto out;
                dict[pos] = dict[pos - rep0 - 1];
                pos++;
                continue;
            }
            len = decode_len(&rc, &m->rep_len, pos_state);
            state = state < LZMA_LIT_STATES ? 8 : 11;
        } else {
            /* Repeat of rep1/rep2/rep3, moved to the front. */
            uint32_t dist;

            if (!rc_bit(&rc, &m->is_rep1[state])) {
                dist = rep1;
            } else {
                if (!rc_bit(&rc, &m->is_rep2[state])) {
                    dist = rep2;
                } else {
                    dist = rep3;
                    rep3 = rep2;
                }
                rep2 = rep1;
            }
            rep1 = rep0;
            rep0 = dist;
            len = decode_len(&rc, &m->rep_len, pos_state);
            state = state < LZMA_LIT_STATES ? 8 : 11;
        }

        /* Copy len bytes from rep0 + 1 back; overlap is intended. */
        if (unlikely(rep0 >= pos || rep0 >= dict_size || len > end - pos))
            goto out;
        {
            uint8_t *dst = dict + pos;
            const uint8_t *src = dst - rep0 - 1;

            pos += len;
            do
                *dst++ = *src++;
            while (--len);
        }
    }

    /* The chunk must end exactly at its compressed size with code 0. */
    if (rc.pos == rc.size && rc.code == 0)
        ret = XZ_OK;
out:
    s->state = state;
    s->rep0 = rep0;
    s->rep1 = rep1;
    s->rep2 = rep2;
    s->rep3 = rep3;
    return ret;
}

bool xz_lzma2_dict_size(uint8_t prop, uint32_t *dict_size)
{
    if (prop > 40)
        return false;
    if (prop == 40)
        *dict_size = 0xFFFFFFFFu;
    else
        *dict_size = (2u | (prop & 1u)) << (prop / 2 + 11);
    return true;
}

static inline uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

int xz_lzma2_decode(const uint8_t *in, size_t in_len, size_t *in_used,
                    uint8_t *out, size_t out_start, size_t out_end,
                    size_t *out_pos, uint32_t dict_size)
{
    struct lzma2_dec *s = &lz;
    size_t ip = 0, op = out_start, dict_start = out_start;
    bool need_dict_reset = true, need_props = true;
    int ret;

    s->dict_size = dict_size;
    for (;;) {
        uint32_t ctrl, usize, csize;

        if (ip >= in_len) {
            ret = XZ_ERR_TRUNCATED;
            break;
        }
        ctrl = in[ip];
        if (ctrl == 0x00) {
            ip++;
            ret = XZ_OK;
            break;
        }
        if (ctrl >= 0xE0 || ctrl == 0x01) {
            dict_start = op;
            need_dict_reset = false;
            need_props = true;
        } else if (need_dict_reset) {
            ret = XZ_ERR_CORRUPT;
            break;
        }

        if (ctrl < 0x80) {
            /* Uncompressed chunk: copied straight into the dictionary. */
            if (ctrl > 0x02) {
                ret = XZ_ERR_CORRUPT;
                break;
            }
            if (in_len - ip < 3) {
                ret = XZ_ERR_TRUNCATED;
                break;
            }
            usize = be16(in + ip + 1) + 1;
            if (in_len - ip - 3 < usize) {
                ret = XZ_ERR_TRUNCATED;
                break;
            }
            if (out_end - op < usize) {
                ret = XZ_ERR_OUTPUT_FULL;
                break;
            }
            ip += 3;
            memcpy(out + op, in + ip, usize);
            ip += usize;
            op += usize;
            continue;
        }

        /* LZMA chunk. */
        size_t hdr = ctrl >= 0xC0 ? 6 : 5;
        if (in_len - ip < hdr) {
            ret = XZ_ERR_TRUNCATED;
            break;
        }
        usize = ((ctrl & 0x1F) << 16) + be16(in + ip + 1) + 1;
        csize = be16(in + ip + 3) + 1;
        if (ctrl >= 0xC0) {
            if (!lzma_set_props(s, in[ip + 5])) {
                ret = XZ_ERR_CORRUPT;
                break;
            }
            need_props = false;
        } else if (need_props) {
            ret = XZ_ERR_CORRUPT;
            break;
        }
        if (ctrl >= 0xA0)
            lzma_state_reset(s);
        ip += hdr;
        if (in_len - ip < csize) {
            ret = XZ_ERR_TRUNCATED;
            break;
        }
        if (out_end - op < usize) {
            ret = XZ_ERR_OUTPUT_FULL;
            break;
        }
        ret = lzma_chunk(s, in + ip, csize, out + dict_start,
                         op - dict_start, op - dict_start + usize);
        if (ret != XZ_OK)
            break;
        ip += csize;
        op += usize;
    }
    *in_used = ip;
    *out_pos = op;
    return ret;
}
