/*
 * gzip file decoder (RFC 1952) on top of inflate_raw() (RFC 1951).
 *
 * Follows RFC 1952 section 2: a file is a series of members (2.2), each a
 * 10-byte header with optional FEXTRA / FNAME / FCOMMENT / FHCRC fields
 * (2.3.1), a raw DEFLATE stream, and an 8-byte trailer of CRC32 and ISIZE
 * (2.3.1, CRC as in 8). Members are independent DEFLATE streams, so each is
 * inflated with its own window starting at its own output: a back-reference
 * into the previous member's output is rejected, as zlib does.
 *
 * The CRC32 here is private (gz_crc32) until the shared <xhv/crc.h> lands.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/gunzip.h>

#define GZ_ID1          0x1f
#define GZ_ID2          0x8b
#define GZ_CM_DEFLATE   8
#define GZ_HDR_LEN      10      /* ID1 ID2 CM FLG MTIME(4) XFL OS */
#define GZ_TRAILER_LEN  8       /* CRC32 ISIZE */

/* FLG bits, 2.3.1. FTEXT is only a hint and is ignored. */
#define GZ_FTEXT        0x01
#define GZ_FHCRC        0x02
#define GZ_FEXTRA       0x04
#define GZ_FNAME        0x08
#define GZ_FCOMMENT     0x10
#define GZ_FRESERVED    0xe0    /* must be zero */

/*
 * CRC-32 of ISO 3309 / ITU-T V.42 as used by gzip (RFC 1952 section 8):
 * reflected polynomial 0xedb88320, register preset to all ones and
 * complemented at the end. gz_crc32_table[n] is the CRC register after
 * shifting the byte n through it, generated offline from the polynomial.
 */
static const uint32_t gz_crc32_table[256] = {
    0x00000000, 0x77073096, 0xee0e612c, 0x990951ba, 0x076dc419, 0x706af48f,
    0xe963a535, 0x9e6495a3, 0x0edb8832, 0x79dcb8a4, 0xe0d5e91e, 0x97d2d988,
    0x09b64c2b, 0x7eb17cbd, 0xe7b82d07, 0x90bf1d91, 0x1db71064, 0x6ab020f2,
    0xf3b97148, 0x84be41de, 0x1adad47d, 0x6ddde4eb, 0xf4d4b551, 0x83d385c7,
    0x136c9856, 0x646ba8c0, 0xfd62f97a, 0x8a65c9ec, 0x14015c4f, 0x63066cd9,
    0xfa0f3d63, 0x8d080df5, 0x3b6e20c8, 0x4c69105e, 0xd56041e4, 0xa2677172,
    0x3c03e4d1, 0x4b04d447, 0xd20d85fd, 0xa50ab56b, 0x35b5a8fa, 0x42b2986c,
    0xdbbbc9d6, 0xacbcf940, 0x32d86ce3, 0x45df5c75, 0xdcd60dcf, 0xabd13d59,
    0x26d930ac, 0x51de003a, 0xc8d75180, 0xbfd06116, 0x21b4f4b5, 0x56b3c423,
    0xcfba9599, 0xb8bda50f, 0x2802b89e, 0x5f058808, 0xc60cd9b2, 0xb10be924,
    0x2f6f7c87, 0x58684c11, 0xc1611dab, 0xb6662d3d, 0x76dc4190, 0x01db7106,
    0x98d220bc, 0xefd5102a, 0x71b18589, 0x06b6b51f, 0x9fbfe4a5, 0xe8b8d433,
    0x7807c9a2, 0x0f00f934, 0x9609a88e, 0xe10e9818, 0x7f6a0dbb, 0x086d3d2d,
    0x91646c97, 0xe6635c01, 0x6b6b51f4, 0x1c6c6162, 0x856530d8, 0xf262004e,
    0x6c0695ed, 0x1b01a57b, 0x8208f4c1, 0xf50fc457, 0x65b0d9c6, 0x12b7e950,
    0x8bbeb8ea, 0xfcb9887c, 0x62dd1ddf, 0x15da2d49, 0x8cd37cf3, 0xfbd44c65,
    0x4db26158, 0x3ab551ce, 0xa3bc0074, 0xd4bb30e2, 0x4adfa541, 0x3dd895d7,
    0xa4d1c46d, 0xd3d6f4fb, 0x4369e96a, 0x346ed9fc, 0xad678846, 0xda60b8d0,
    0x44042d73, 0x33031de5, 0xaa0a4c5f, 0xdd0d7cc9, 0x5005713c, 0x270241aa,
    0xbe0b1010, 0xc90c2086, 0x5768b525, 0x206f85b3, 0xb966d409, 0xce61e49f,
    0x5edef90e, 0x29d9c998, 0xb0d09822, 0xc7d7a8b4, 0x59b33d17, 0x2eb40d81,
    0xb7bd5c3b, 0xc0ba6cad, 0xedb88320, 0x9abfb3b6, 0x03b6e20c, 0x74b1d29a,
    0xead54739, 0x9dd277af, 0x04db2615, 0x73dc1683, 0xe3630b12, 0x94643b84,
    0x0d6d6a3e, 0x7a6a5aa8, 0xe40ecf0b, 0x9309ff9d, 0x0a00ae27, 0x7d079eb1,
    0xf00f9344, 0x8708a3d2, 0x1e01f268, 0x6906c2fe, 0xf762575d, 0x806567cb,
    0x196c3671, 0x6e6b06e7, 0xfed41b76, 0x89d32be0, 0x10da7a5a, 0x67dd4acc,
    0xf9b9df6f, 0x8ebeeff9, 0x17b7be43, 0x60b08ed5, 0xd6d6a3e8, 0xa1d1937e,
    0x38d8c2c4, 0x4fdff252, 0xd1bb67f1, 0xa6bc5767, 0x3fb506dd, 0x48b2364b,
    0xd80d2bda, 0xaf0a1b4c, 0x36034af6, 0x41047a60, 0xdf60efc3, 0xa867df55,
    0x316e8eef, 0x4669be79, 0xcb61b38c, 0xbc66831a, 0x256fd2a0, 0x5268e236,
    0xcc0c7795, 0xbb0b4703, 0x220216b9, 0x5505262f, 0xc5ba3bbe, 0xb2bd0b28,
    0x2bb45a92, 0x5cb36a04, 0xc2d7ffa7, 0xb5d0cf31, 0x2cd99e8b, 0x5bdeae1d,
    0x9b64c2b0, 0xec63f226, 0x756aa39c, 0x026d930a, 0x9c0906a9, 0xeb0e363f,
    0x72076785, 0x05005713, 0x95bf4a82, 0xe2b87a14, 0x7bb12bae, 0x0cb61b38,
    0x92d28e9b, 0xe5d5be0d, 0x7cdcefb7, 0x0bdbdf21, 0x86d3d2d4, 0xf1d4e242,
    0x68ddb3f8, 0x1fda836e, 0x81be16cd, 0xf6b9265b, 0x6fb077e1, 0x18b74777,
    0x88085ae6, 0xff0f6a70, 0x66063bca, 0x11010b5c, 0x8f659eff, 0xf862ae69,
    0x616bffd3, 0x166ccf45, 0xa00ae278, 0xd70dd2ee, 0x4e048354, 0x3903b3c2,
    0xa7672661, 0xd06016f7, 0x4969474d, 0x3e6e77db, 0xaed16a4a, 0xd9d65adc,
    0x40df0b66, 0x37d83bf0, 0xa9bcae53, 0xdebb9ec5, 0x47b2cf7f, 0x30b5ffe9,
    0xbdbdf21c, 0xcabac28a, 0x53b39330, 0x24b4a3a6, 0xbad03605, 0xcdd70693,
    0x54de5729, 0x23d967bf, 0xb3667a2e, 0xc4614ab8, 0x5d681b02, 0x2a6f2b94,
    0xb40bbe37, 0xc30c8ea1, 0x5a05df1b, 0x2d02ef8d,
};

/* Continue a CRC: crc is a previous result (0 to start). */
static uint32_t gz_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--)
        crc = gz_crc32_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/*
 * Skip a zero-terminated FNAME / FCOMMENT field starting at *pos.
 * Missing terminator means the input was cut short.
 */
static int skip_string(const uint8_t *in, size_t in_len, size_t *pos)
{
    size_t p = *pos;

    while (p < in_len && in[p] != 0)
        p++;
    if (p >= in_len)
        return GZ_ERR_TRUNCATED;
    *pos = p + 1;
    return 0;
}

/*
 * Parse the member header at in[0..in_len); on success *hdr_len is its size.
 * Header checks come before any decoding so that a non-gzip input is
 * reported as GZ_ERR_FORMAT rather than as a DEFLATE error.
 */
static int parse_header(const uint8_t *in, size_t in_len, size_t *hdr_len)
{
    size_t pos = GZ_HDR_LEN;
    uint8_t flg;

    /* Check what is there of the fixed part before calling it short. */
    if (in_len >= 1 && in[0] != GZ_ID1)
        return GZ_ERR_FORMAT;
    if (in_len >= 2 && in[1] != GZ_ID2)
        return GZ_ERR_FORMAT;
    if (in_len >= 3 && in[2] != GZ_CM_DEFLATE)
        return GZ_ERR_FORMAT;
    if (in_len >= 4 && (in[3] & GZ_FRESERVED))
        return GZ_ERR_FORMAT;
    if (in_len < GZ_HDR_LEN)
        return GZ_ERR_TRUNCATED;
    flg = in[3];

    if (flg & GZ_FEXTRA) {
        size_t xlen;

        if (in_len - pos < 2)
            return GZ_ERR_TRUNCATED;
        xlen = (size_t)in[pos] | (size_t)in[pos + 1] << 8;
        pos += 2;
        /* The subfield layout inside is not checked: nothing uses it. */
        if (in_len - pos < xlen)
            return GZ_ERR_TRUNCATED;
        pos += xlen;
    }
    if (flg & GZ_FNAME) {
        int err = skip_string(in, in_len, &pos);

        if (err)
            return err;
    }
    if (flg & GZ_FCOMMENT) {
        int err = skip_string(in, in_len, &pos);

        if (err)
            return err;
    }
    if (flg & GZ_FHCRC) {
        /* Low 16 bits of the CRC32 of all header bytes before it. */
        uint32_t want;

        if (in_len - pos < 2)
            return GZ_ERR_TRUNCATED;
        want = (uint32_t)in[pos] | (uint32_t)in[pos + 1] << 8;
        if ((gz_crc32(0, in, pos) & 0xffff) != want)
            return GZ_ERR_HCRC;
        pos += 2;
    }
    *hdr_len = pos;
    return 0;
}

/* Decode one member at in[0..); output goes to out[0..out_cap). */
static int gunzip_member(const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t out_cap, size_t *out_len, size_t *in_used)
{
    size_t hdr_len, used, n;
    int err;

    *out_len = 0;
    *in_used = 0;
    err = parse_header(in, in_len, &hdr_len);
    if (err)
        return err;
    *in_used = hdr_len;

    err = inflate_raw(in + hdr_len, in_len - hdr_len, out, out_cap, &n, &used);
    *out_len = n;
    *in_used = hdr_len + used;
    if (err)
        return err;

    if (in_len - *in_used < GZ_TRAILER_LEN)
        return GZ_ERR_TRUNCATED;
    if (get_le32(in + *in_used) != gz_crc32(0, out, n))
        return GZ_ERR_CRC;
    /* ISIZE is the length modulo 2^32 (2.3.1). */
    if (get_le32(in + *in_used + 4) != (uint32_t)n)
        return GZ_ERR_LENGTH;
    *in_used += GZ_TRAILER_LEN;
    return 0;
}

int gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
           size_t *out_len, size_t *in_used)
{
    /* See inflate_raw(): avoid arithmetic on NULL for empty buffers. */
    static const uint8_t dummy_in[1];
    static uint8_t dummy_out[1];
    size_t ipos = 0, opos = 0;
    int err;

    if (out_len)
        *out_len = 0;
    if (in_used)
        *in_used = 0;
    if ((!in && in_len) || (!out && out_cap))
        return GZ_ERR_ARG;
    if (!in)
        in = dummy_in;
    if (!out)
        out = dummy_out;

    /*
     * The first member is mandatory (empty input is truncated). A later
     * one starts wherever the bytes left begin with ID1 (and ID2, if
     * present): a lone trailing 0x1f is a cut-off member, not padding.
     */
    do {
        size_t n, used;

        err = gunzip_member(in + ipos, in_len - ipos, out + opos,
                            out_cap - opos, &n, &used);
        opos += n;
        ipos += used;
        if (err)
            break;
        if (ipos < in_len && !(in[ipos] == GZ_ID1 &&
                               (ipos + 1 == in_len || in[ipos + 1] == GZ_ID2)))
            err = GZ_ERR_TRAILING;
    } while (!err && ipos < in_len);

    if (out_len)
        *out_len = opos;
    if (in_used)
        *in_used = ipos;
    return err;
}

const char *gunzip_strerror(int err)
{
    switch (err) {
    case GZ_OK:              return "success";
    case GZ_ERR_ARG:         return "invalid argument";
    case GZ_ERR_TRUNCATED:   return "unexpected end of input";
    case GZ_ERR_OUTPUT_FULL: return "output buffer too small";
    case GZ_ERR_FORMAT:      return "not a gzip stream (bad magic, method "
                                    "or flags)";
    case GZ_ERR_BLOCK:       return "invalid deflate block header";
    case GZ_ERR_HUFFMAN:     return "invalid huffman code lengths";
    case GZ_ERR_SYMBOL:      return "invalid huffman code in data";
    case GZ_ERR_DISTANCE:    return "distance too far back";
    case GZ_ERR_HCRC:        return "header crc mismatch";
    case GZ_ERR_CRC:         return "data crc mismatch";
    case GZ_ERR_LENGTH:      return "length (isize) mismatch";
    case GZ_ERR_TRAILING:    return "trailing data after gzip stream";
    default:                 return "unknown error";
    }
}
