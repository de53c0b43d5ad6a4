/*
 * libFuzzer target for the gzip / DEFLATE decoder (shim/loader/gunzip.c,
 * shim/loader/inflate.c; RFC 1952 and RFC 1951).
 *
 * The input is fed to gunzip() and, unchanged, to inflate_raw(). Beyond
 * "no sanitizer report", it checks the API contract:
 *  - *out_len <= out_cap and *in_used <= in_len, whatever the result;
 *  - success consumes the whole input (gunzip) and is deterministic;
 *  - with exactly the decoded size as capacity the result is the same, and
 *    with one byte less it is GZ_ERR_OUTPUT_FULL with a correct prefix.
 * Reduced-capacity runs use exact-size heap buffers so that ASan catches a
 * write even one byte past out_cap.
 */
#include <xhv/gunzip.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OUT_CAP (1u << 20)

static uint8_t out_full[OUT_CAP];

typedef int (*decode_fn)(const uint8_t *, size_t, uint8_t *, size_t,
                         size_t *, size_t *);

static void check(int cond)
{
    if (!cond)
        abort();
}

static void exercise(decode_fn fn, int whole_input, const uint8_t *in,
                     size_t len)
{
    size_t n = (size_t)-1, used = (size_t)-1, n2, used2;
    uint8_t *buf;
    int err, err2;

    err = fn(in, len, out_full, OUT_CAP, &n, &used);
    check(n <= OUT_CAP && used <= len);
    check(gunzip_strerror(err) != NULL);
    if (err != GZ_OK && err != GZ_ERR_TRAILING)
        return;
    check(!whole_input || err != GZ_OK || used == len);

    /* Exact capacity: same answer, same bytes. */
    buf = malloc(n ? n : 1);
    check(buf != NULL);
    err2 = fn(in, len, n ? buf : NULL, n, &n2, &used2);
    check(err2 == err && n2 == n && used2 == used);
    check(memcmp(buf, out_full, n) == 0);
    free(buf);

    /* One byte short: must stop, having written a correct prefix. */
    if (n > 0) {
        buf = malloc(n - 1 ? n - 1 : 1);
        check(buf != NULL);
        err2 = fn(in, len, n - 1 ? buf : NULL, n - 1, &n2, &used2);
        check(err2 == GZ_ERR_OUTPUT_FULL && n2 <= n - 1 && used2 <= len);
        check(memcmp(buf, out_full, n2) == 0);
        free(buf);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exercise(gunzip, 1, data, size);
    exercise(inflate_raw, 0, data, size);
    return 0;
}
