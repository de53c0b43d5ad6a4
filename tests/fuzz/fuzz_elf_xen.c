/*
 * libFuzzer target for the guest kernel loader: image probing and
 * unpacking (shim/loader/bzimage.c over xz.c and gunzip.c), ELF64
 * validation (elf.c) and the Xen ELF notes (xen_notes.c).
 *
 * Each input is used three ways:
 *  1. as a boot module: kernel_image_probe(); on success the payload must
 *     lie inside the input, and if the announced size is at most 4 MiB the
 *     image is unpacked into an exact-size heap buffer (ASan watches its
 *     end) and the result, if any, goes through step 2;
 *  2. as an ELF kernel: xen_elf_parse(); on success the documented
 *     invariants must hold (entry and INIT_P2M against the kernel range,
 *     strings terminated), xen_elf_check_features() must keep its
 *     explanation terminated for any buffer size, and elf_load_segments()
 *     may only copy from inside the file to inside [virt_kstart,
 *     virt_kend);
 *  3. as a FEATURES string for xen_elf_parse_features().
 */
#include <xhv/elf_xen.h>
#include <xhv/kernel_image.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UNPACK (4u << 20)

static void check(int cond)
{
    if (!cond)
        abort();
}

struct load_ctx {
    const uint8_t *elf;
    size_t len;
    const struct xen_elf_info *xi;
    uint64_t bytes;
};

static int checked_copy(uint64_t va, const void *src, size_t n,
                        size_t zero_tail, void *opaque)
{
    struct load_ctx *c = opaque;
    const uint8_t *s = src;

    check(va >= c->xi->virt_kstart && va < c->xi->virt_kend);
    check(n <= c->xi->virt_kend - va &&
          zero_tail <= c->xi->virt_kend - va - n);
    check(s >= c->elf && (size_t)(s - c->elf) <= c->len &&
          n <= c->len - (size_t)(s - c->elf));
    if (n)
        c->bytes += s[0] + s[n - 1];    /* touch both ends */
    return 0;
}

static void as_elf(const uint8_t *elf, size_t len)
{
    static const uint32_t offers[][XENFEAT_NR_SUBMAPS] = {
        { 0 }, { 0xa0 }, { 0xffffffff },
    };
    struct xen_elf_info xi;
    struct load_ctx c = { elf, len, &xi, 0 };
    char why[64];
    int r;

    r = xen_elf_parse(elf, len, &xi);
    check(xen_elf_strerror(r) != NULL);
    if (r != XEN_ELF_OK) {
        check(r < 0 && r >= XEN_ELF_ERR_FEATURES);
        return;
    }
    check(xi.virt_kstart <= xi.virt_kend);
    check(xi.virt_kend - xi.virt_kstart <= XEN_ELF_MAX_SPAN);
    check(xi.entry >= xi.virt_kstart && xi.entry < xi.virt_kend);
    check(!xi.has_init_p2m || xi.init_p2m < xi.virt_kstart ||
          xi.init_p2m >= xi.virt_kend);
    check(xi.nr_xen_notes > 0);
    check(memchr(xi.loader, 0, sizeof(xi.loader)) != NULL);
    check(memchr(xi.features, 0, sizeof(xi.features)) != NULL);
    for (size_t i = 0; i < sizeof(offers) / sizeof(offers[0]); i++) {
        size_t wl = len % sizeof(why);
        memset(why, 'x', sizeof(why));
        r = xen_elf_check_features(&xi, offers[i], why, wl);
        check(r == XEN_ELF_OK || r == XEN_ELF_ERR_FEATURES);
        if (wl)
            check(memchr(why, 0, wl) != NULL);
        check(wl == sizeof(why) || why[wl] == 'x');
    }
    check(elf_load_segments(elf, len, &xi, checked_copy, &c) == XEN_ELF_OK);
}

static void as_module(const uint8_t *in, size_t len)
{
    struct kernel_image ki;
    size_t n = (size_t)-1;
    uint8_t *out;
    int r;

    r = kernel_image_probe(in, len, &ki);
    check(kernel_image_strerror(r) != NULL);
    if (r != KERNEL_IMAGE_OK)
        return;
    check(ki.payload >= in && ki.payload_offset == (size_t)(ki.payload - in) &&
          ki.payload_len <= len - ki.payload_offset);
    check(ki.unpacked_size >= 64);
    if (ki.unpacked_size > MAX_UNPACK)
        return;
    out = malloc((size_t)ki.unpacked_size);
    r = kernel_image_unpack(&ki, out, (size_t)ki.unpacked_size, &n);
    check(n <= ki.unpacked_size);
    if (r == KERNEL_IMAGE_OK) {
        check(n == ki.unpacked_size);
        as_elf(out, n);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t sup[XENFEAT_NR_SUBMAPS] = { 0 }, req[XENFEAT_NR_SUBMAPS] = { 0 };
    unsigned unknown = 0;

    as_module(data, size);
    as_elf(data, size);
    xen_elf_parse_features((const char *)data, size, sup, req, &unknown);
    check((req[0] & ~sup[0]) == 0);
    return 0;
}
