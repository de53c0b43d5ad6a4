/*
 * libFuzzer target for the xz decoder (shim/loader/xz.c, lzma2.c,
 * bcj_x86.c, crc.c; .xz file format 1.1.0, LZMA2, x86 BCJ).
 *
 * Each input is used three ways:
 *  1. as an .xz file: xz_decode_ex() into a 1 MiB buffer, in normal and
 *     single-stream mode, plus xz_uncompressed_size(). Beyond "no sanitizer
 *     report" it checks the API contract: *out_len <= out_cap and
 *     *in_used <= in_len whatever the result; a successful decode consumes
 *     the whole input, agrees with xz_uncompressed_size(), gives the same
 *     bytes again into an exact-size heap buffer (so ASan sees any write
 *     past out_cap) and XZ_ERR_OUTPUT_FULL with one byte less;
 *  2. as raw LZMA2 (byte 0: dictionary size property, byte 1: output start
 *     offset and BCJ flag, rest: chunks) straight into xz_lzma2_decode(),
 *     so the fuzzer reaches the LZMA decoder without having to forge the
 *     container's CRC32s; with the flag set the output is then run through
 *     the x86 BCJ decoder;
 *  3. as data for the x86 BCJ decoder directly, in an exact-size buffer.
 */
#include <xhv/xz.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../shim/loader/xz_internal.h"

#define OUT_CAP     (1u << 20)
#define RAW_OUT_CAP (256u << 10)

static uint8_t out_full[OUT_CAP];

static void check(int cond)
{
    if (!cond)
        abort();
}

static void as_xz(const uint8_t *in, size_t len)
{
    size_t n = (size_t)-1, used = (size_t)-1, n2, used2;
    uint64_t usize = 0;
    uint8_t *buf;
    int err, err2;

    err = xz_decode_ex(in, len, out_full, OUT_CAP, &n, &used, 0);
    check(n <= OUT_CAP && used <= len);
    err2 = xz_uncompressed_size(in, len, &usize);
    if (err == XZ_OK) {
        check(used == len);
        check(err2 == XZ_OK && usize == n);

        buf = malloc(n ? n : 1);
        err2 = xz_decode_ex(in, len, n ? buf : NULL, n, &n2, &used2, 0);
        check(err2 == XZ_OK && n2 == n && used2 == used);
        check(memcmp(buf, out_full, n) == 0);
        free(buf);
        if (n) {
            buf = malloc(n - 1 ? n - 1 : 1);
            err2 = xz_decode(in, len, n - 1 ? buf : NULL, n - 1, &n2);
            check(err2 == XZ_ERR_OUTPUT_FULL && n2 <= n - 1);
            free(buf);
        }
    } else {
        check(err < 0 && err >= XZ_ERR_ARG);
    }

    err = xz_decode_ex(in, len, out_full, OUT_CAP, &n, &used,
                       XZ_SINGLE_STREAM);
    check(n <= OUT_CAP && used <= len);
    check(xz_strerror(err) != NULL);
}

static void as_lzma2(const uint8_t *in, size_t len)
{
    uint32_t dict = 0;
    size_t used = (size_t)-1, op = (size_t)-1, start;
    int err;

    if (len < 2)
        return;
    check(xz_lzma2_dict_size(in[0] % 41, &dict));
    start = in[1] & 0x3F;
    err = xz_lzma2_decode(in + 2, len - 2, &used, out_full, start,
                          RAW_OUT_CAP, &op, dict);
    check(used <= len - 2 && op >= start && op <= RAW_OUT_CAP);
    if (err == XZ_OK && (in[1] & 0x80))
        xz_bcj_x86_decode(out_full + start, op - start,
                          (uint32_t)in[0] << 24 | in[1]);
}

static void as_bcj(const uint8_t *in, size_t len)
{
    uint8_t *buf = malloc(len ? len : 1);

    memcpy(buf, in, len);
    xz_bcj_x86_decode(buf, len, len > 4 ? (uint32_t)in[len / 2] << 24 : 0);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    as_xz(data, size);
    as_lzma2(data, size);
    as_bcj(data, size);
    return 0;
}
