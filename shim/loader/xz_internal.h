/*
 * Interfaces between the parts of the xz decoder (shim/loader/xz.c,
 * lzma2.c, bcj_x86.c). Not for other users: include <xhv/xz.h> instead.
 * Also used directly by the fuzz target to exercise the LZMA2 and BCJ
 * decoders without the container's CRCs in the way.
 */
#ifndef XHV_LOADER_XZ_INTERNAL_H
#define XHV_LOADER_XZ_INTERNAL_H

#include <xhv/types.h>

/*
 * Decode one LZMA2 stream (a sequence of chunks ending with the 0x00 end
 * marker) from in[0, in_len) into out[out_start, out_end). out[0, out_start)
 * is never read or written: the first chunk must reset the dictionary, so
 * matches only reach back to out_start. dict_size (from the filter
 * properties) additionally bounds match distances.
 *
 * On return *in_used is the number of input bytes consumed and *out_pos the
 * end of the output produced (both also set on error). Returns XZ_OK,
 * XZ_ERR_CORRUPT, XZ_ERR_TRUNCATED (a chunk runs past in_len) or
 * XZ_ERR_OUTPUT_FULL (a chunk runs past out_end).
 *
 * Uses static decoder state (not reentrant).
 */
int xz_lzma2_decode(const uint8_t *in, size_t in_len, size_t *in_used,
                    uint8_t *out, size_t out_start, size_t out_end,
                    size_t *out_pos, uint32_t dict_size);

/* LZMA2 dictionary size from the one-byte filter property; false if invalid. */
bool xz_lzma2_dict_size(uint8_t prop, uint32_t *dict_size);

/*
 * Undo the x86 BCJ filter in place over one whole block's worth of data.
 * start is the filter's start offset property (0 if absent).
 */
void xz_bcj_x86_decode(uint8_t *buf, size_t size, uint32_t start);

#endif /* XHV_LOADER_XZ_INTERNAL_H */
