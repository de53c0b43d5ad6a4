/*
 * Single-call .xz decoder (in-memory input, one contiguous output buffer).
 *
 * Follows "The .xz File Format" 1.1.0 (stream header/footer, blocks, index,
 * stream padding, concatenated streams) and the LZMA/LZMA2 format as
 * documented by the LZMA SDK and XZ Utils. Used by the loader to unpack the
 * xz payload of a Linux bzImage.
 *
 * Supported: check types None, CRC32, CRC64, SHA-256; filter chains ending in
 * LZMA2, preceded by up to three x86 BCJ (with or without start offset) or
 * Delta filters. Anything else returns XZ_ERR_UNSUPPORTED.
 *
 * Memory: no heap. The LZMA2 dictionary is the output buffer itself (match
 * distances refer to bytes already written since the last dictionary reset),
 * and the ~28 KiB of LZMA probability state is a static object inside the
 * decoder. The functions are therefore NOT reentrant: call them from one CPU
 * at a time (the shim loader runs single-threaded).
 *
 * Bounds: whatever the input, nothing outside in[0, in_len) is read and
 * nothing outside out[0, out_cap) is written.
 */
#ifndef XHV_XZ_H
#define XHV_XZ_H

#include <xhv/types.h>

enum xz_error {
    XZ_OK              = 0,
    XZ_ERR_FORMAT      = -1, /* not an .xz stream (bad magic bytes)         */
    XZ_ERR_CORRUPT     = -2, /* malformed header, index or compressed data  */
    XZ_ERR_CHECK       = -3, /* a CRC32 of a header/index, or the block     */
                             /* integrity check, does not match             */
    XZ_ERR_TRUNCATED   = -4, /* input ends before the stream does           */
    XZ_ERR_OUTPUT_FULL = -5, /* out_cap is too small for the result         */
    XZ_ERR_UNSUPPORTED = -6, /* valid .xz, but uses a filter, check type or */
                             /* reserved flag this decoder does not know    */
    XZ_ERR_ARG         = -7, /* NULL buffer with a non-zero length          */
};

/* xz_decode_ex() flags. */
#define XZ_SINGLE_STREAM  (1u << 0) /* stop after the first stream's footer;
                                       whatever follows is not examined
                                       (a bzImage payload ends with a 4-byte
                                       size after the stream) */

/*
 * Decode the whole of in[0, in_len): one or more concatenated streams,
 * optionally separated/followed by stream padding (zero bytes, a multiple of
 * four). On success returns XZ_OK and sets *out_len to the decoded size. On
 * error returns a negative enum xz_error; *out_len is then the number of
 * bytes written so far (their content is unspecified). out may be NULL only
 * if out_cap is 0. out_len may be NULL.
 */
int xz_decode(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
              size_t *out_len);

/*
 * As xz_decode(), with flags (XZ_SINGLE_STREAM). If in_used is not NULL it
 * receives the number of input bytes consumed (on success: up to and
 * including the last footer and any stream padding examined; in single-stream
 * mode exactly the first stream).
 */
int xz_decode_ex(const uint8_t *in, size_t in_len, uint8_t *out,
                 size_t out_cap, size_t *out_len, size_t *in_used,
                 unsigned flags);

/*
 * Total uncompressed size of in[0, in_len), read from the stream footers and
 * indexes (walking backwards over concatenated streams and padding) without
 * decompressing anything. Validates footers, index CRC32s and records and the
 * stream headers they point back to. in_len must end exactly at a stream
 * footer or stream padding: for a bzImage payload pass the length without
 * Linux's appended 4-byte size.
 */
int xz_uncompressed_size(const uint8_t *in, size_t in_len, uint64_t *size);

/* Static, human-readable description of an xz_error value. */
const char *xz_strerror(int err);

#endif /* XHV_XZ_H */
