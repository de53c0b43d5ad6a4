/*
 * gzip (RFC 1952) and raw DEFLATE (RFC 1951) decoding into one buffer.
 *
 * The loader uses this to unpack compressed guest kernels and ramdisks. The
 * decoders allocate nothing and keep all state on the stack (about 3 KiB
 * at most), so they run on the shim's 16 KiB stack and are reentrant. The
 * whole result goes to one contiguous output buffer, which doubles as the
 * LZ77 window: a back-reference may reach anywhere in the output of the
 * current DEFLATE stream, but never before its start.
 *
 * Every function is bounded by in_len and out_cap whatever the input: a
 * corrupt or hostile stream yields a negative GZ_ERR_* code, never an access
 * outside the buffers.
 */
#ifndef XHV_GUNZIP_H
#define XHV_GUNZIP_H

#include <xhv/types.h>

enum gz_status {
    GZ_OK              =   0,
    GZ_ERR_ARG         =  -1, /* NULL buffer with a non-zero length */
    GZ_ERR_TRUNCATED   =  -2, /* input ended inside a member or stream */
    GZ_ERR_OUTPUT_FULL =  -3, /* result does not fit in out_cap bytes */
    GZ_ERR_FORMAT      =  -4, /* bad gzip magic, method or reserved flag */
    GZ_ERR_BLOCK       =  -5, /* reserved block type, stored LEN != ~NLEN */
    GZ_ERR_HUFFMAN     =  -6, /* bad code lengths: over-subscribed,
                                 incomplete, too many, no end-of-block */
    GZ_ERR_SYMBOL      =  -7, /* bit pattern that is no code, or a code
                                 for a reserved symbol (286/287, 30/31) */
    GZ_ERR_DISTANCE    =  -8, /* back-reference before start of output */
    GZ_ERR_HCRC        =  -9, /* FHCRC header CRC16 mismatch */
    GZ_ERR_CRC         = -10, /* CRC32 of the data mismatch */
    GZ_ERR_LENGTH      = -11, /* ISIZE mismatch */
    GZ_ERR_TRAILING    = -12, /* bytes after the last member that do not
                                 start another member (output is valid) */
};

/*
 * Decode the gzip file in[0..in_len) into out[0..out_cap).
 *
 * Members (RFC 1952 2.2) are decoded back to back and their outputs
 * concatenated, as gzip -d does. Each member's header flags are honoured
 * (FHCRC is verified), and its CRC32 and ISIZE trailer must match. At least
 * one member is required.
 *
 * After the last member the input must end. Other trailing bytes (for
 * example zero padding) make gunzip return GZ_ERR_TRAILING; in that case
 * the output is complete and verified, *out_len is its length and *in_used
 * is where the trailing bytes start, so a caller that tolerates padding can
 * accept the result. Trailing bytes starting with the gzip magic are taken
 * as another member and must decode.
 *
 * On return (success or not), *out_len holds the number of bytes written
 * and *in_used the number of input bytes consumed; either pointer may be
 * NULL. After an error the output is unverified and must not be used.
 */
int gunzip(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
           size_t *out_len, size_t *in_used);

/*
 * Decode one raw DEFLATE stream (RFC 1951, no header or trailer): blocks up
 * to and including the one with BFINAL set. Bytes after the stream are not
 * looked at; *in_used says where it ended (its last, partial byte counts as
 * used). *out_len and *in_used are set as for gunzip().
 */
int inflate_raw(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                size_t *out_len, size_t *in_used);

/* Short English description of a GZ_* code; never NULL. */
const char *gunzip_strerror(int err);

#endif /* XHV_GUNZIP_H */
