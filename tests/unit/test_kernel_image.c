/*
 * Host unit tests for guest kernel image classification and unpacking
 * (shim/loader/bzimage.c, on top of xz.c and gunzip.c).
 *
 * bzImages are built here: a setup area of (setup_sects + 1) sectors with
 * the boot protocol header, then the protected-mode part holding the
 * payload at payload_offset, then trailing bytes (Debian's images carry a
 * signature after the payload). Payloads come from the system xz(1) and
 * gzip(1), run at test time on generated "ELF-looking" data (an ELF64
 * identification followed by mixed text and binary), with the options
 * Linux's build uses; other compressors (zstd, lz4 -l, bzip2, lzma) are
 * used if installed, and their magic numbers are always tested by hand.
 * Malformed headers, sizes and streams must fail with the documented
 * error, truncations and bit flips must never crash.
 *
 * If XHV_TEST_VMLINUZ names a bzImage (tools/fetch-kernel.sh), it must
 * probe as xz and unpack to exactly what "xz -d" makes of its payload.
 */
#include <xhv/kernel_image.h>
#include <xhv/xz.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char tmpdir[64];

/* ---------------------------------------------------------------------------
 * Helpers.
 * ------------------------------------------------------------------------- */

static uint64_t rng_state = 1;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    if (n && fwrite(p, 1, n, f) != n) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    p = malloc(len > 0 ? (size_t)len : 1);
    if (len < 0 || fread(p, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(p);
        return NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return p;
}

/* Run "<tool> <opts>" as a filter over data; malloc'ed output or NULL. */
static uint8_t *run_filter(const char *tool, const void *data, size_t n,
                           size_t *out_n)
{
    char in[128], out[128], cmd[512];

    snprintf(in, sizeof(in), "%s/in", tmpdir);
    snprintf(out, sizeof(out), "%s/out", tmpdir);
    if (write_file(in, data, n))
        return NULL;
    snprintf(cmd, sizeof(cmd), "%s < %s > %s 2>/dev/null", tool, in, out);
    if (system(cmd) != 0)
        return NULL;
    return read_file(out, out_n);
}

static bool have_tool(const char *name)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "command -v %s > /dev/null 2>&1", name);
    return system(cmd) == 0;
}

/*
 * An "ELF-looking" kernel: the ELF64 identification, then runs of text,
 * random bytes and x86-like call instructions (for the BCJ filter).
 */
static uint8_t *gen_elf(size_t n, uint64_t seed)
{
    static const char text[] = "startup_xen xen_start_kernel hypercall ";
    uint8_t *p = malloc(n);
    size_t i = 0;

    rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
    while (i < n) {
        size_t run = 1 + rng() % 300;
        unsigned kind = rng() % 3;
        for (size_t j = 0; j < run && i < n; j++, i++) {
            if (kind == 0)
                p[i] = (uint8_t)text[(i + j) % (sizeof(text) - 1)];
            else if (kind == 1)
                p[i] = (uint8_t)rng();
            else
                p[i] = j % 5 == 0 ? 0xe8 : (uint8_t)(j * 7);
        }
    }
    memcpy(p, "\x7f" "ELF\x02\x01\x01", 7);
    return p;
}

/*
 * A bzImage around payload[0, plen): setup_sects (0 = the default 4),
 * protocol version, payload placed poff bytes into the protected-mode part,
 * followed by tail bytes of junk. Fields can be overridden afterwards.
 */
static uint8_t *make_bzimage(const uint8_t *payload, size_t plen,
                             unsigned setup_sects, uint16_t version,
                             uint32_t poff, size_t tail, size_t *len)
{
    size_t pm = ((setup_sects ? setup_sects : 4) + 1) * 512;
    size_t n = pm + poff + plen + tail;
    uint8_t *p = calloc(1, n);

    p[0] = 'M';
    p[1] = 'Z';
    p[0x1f1] = (uint8_t)setup_sects;
    p[0x1fe] = 0x55;
    p[0x1ff] = 0xaa;
    memcpy(p + 0x202, "HdrS", 4);
    p[0x206] = (uint8_t)version;
    p[0x207] = (uint8_t)(version >> 8);
    put32(p + 0x248, poff);
    put32(p + 0x24c, (uint32_t)plen);
    for (size_t i = 0; i < poff; i++)
        p[pm + i] = (uint8_t)(0x90 + i);       /* decompressor "code" */
    memcpy(p + pm + poff, payload, plen);
    for (size_t i = 0; i < tail; i++)
        p[pm + poff + plen + i] = (uint8_t)(i * 13 + 1);
    *len = n;
    return p;
}

/* Linux's xz payload: xz_wrap.sh options, then the 4-byte size. */
static uint8_t *linux_xz(const uint8_t *data, size_t n, size_t *out_n)
{
    uint8_t *x = run_filter("xz -q -c --format=xz --check=crc32 --x86 "
                            "--lzma2=preset=6,dict=1MiB", data, n, out_n);
    if (!x)
        return NULL;
    x = realloc(x, *out_n + 4);
    put32(x + *out_n, (uint32_t)n);
    *out_n += 4;
    return x;
}

static uint8_t *linux_gzip(const uint8_t *data, size_t n, size_t *out_n)
{
    return run_filter("gzip -n -9 -c", data, n, out_n);
}

/* Probe and unpack img, expecting want[0, want_n) out of it. */
static void expect_unpack(const char *what, const uint8_t *img, size_t len,
                          enum kernel_image_kind kind,
                          enum kernel_compression comp,
                          const uint8_t *want, size_t want_n)
{
    struct kernel_image ki;
    size_t out_n = 99;
    uint8_t *out;
    int r;

    r = kernel_image_probe(img, len, &ki);
    if (r != KERNEL_IMAGE_OK || ki.kind != kind || ki.compression != comp ||
        ki.unpacked_size != want_n) {
        printf("  %s: probe %d (%s) kind %d comp %d size %llu want %zu\n",
               what, r, kernel_image_strerror(r), ki.kind, ki.compression,
               (unsigned long long)ki.unpacked_size, want_n);
        th_case_failures++;
        return;
    }
    CHECK(ki.payload >= img && ki.payload + ki.payload_len <= img + len);
    CHECK_EQ(ki.payload - img, ki.payload_offset);

    out = malloc(want_n);
    r = kernel_image_unpack(&ki, out, want_n, &out_n);
    if (r != KERNEL_IMAGE_OK || out_n != want_n || memcmp(out, want, want_n)) {
        printf("  %s: unpack %d (%s) out_n %zu\n", what, r,
               kernel_image_strerror(r), out_n);
        th_case_failures++;
    }
    /* One byte short: refused before anything is written. */
    memset(out, 0xa5, want_n);
    CHECK_EQ(kernel_image_unpack(&ki, out, want_n - 1, &out_n),
             KERNEL_IMAGE_ERR_OUTPUT_FULL);
    CHECK_EQ(out_n, 0);
    CHECK_EQ(out[0], 0xa5);
    free(out);
}

/* ---------------------------------------------------------------------------
 * Tests.
 * ------------------------------------------------------------------------- */

/* Every code has its own text; unsupported compressions are named. */
static void test_strerror(void)
{
    static const struct { int err; const char *name; } named[] = {
        { KERNEL_IMAGE_ERR_ZSTD, "zstd" }, { KERNEL_IMAGE_ERR_LZ4, "lz4" },
        { KERNEL_IMAGE_ERR_BZIP2, "bzip2" }, { KERNEL_IMAGE_ERR_LZMA, "lzma" },
        { KERNEL_IMAGE_ERR_LZO, "lzo" },
    };
    for (int e = 0; e >= KERNEL_IMAGE_ERR_RESULT; e--) {
        CHECK(kernel_image_strerror(e) != NULL);
        for (int f = e - 1; f >= KERNEL_IMAGE_ERR_RESULT; f--)
            CHECK(strcmp(kernel_image_strerror(e), kernel_image_strerror(f)));
        CHECK(strcmp(kernel_image_strerror(e), kernel_image_strerror(-99)));
    }
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "unsupported compression: %s",
                 named[i].name);
        CHECK_STR(kernel_image_strerror(named[i].err), want);
    }
    CHECK_STR(kernel_compression_name(KERNEL_COMP_XZ), "xz");
    CHECK_STR(kernel_compression_name(KERNEL_COMP_GZIP), "gzip");
    CHECK_STR(kernel_compression_name(KERNEL_COMP_ZSTD), "zstd");
    CHECK_STR(kernel_compression_name(KERNEL_COMP_NONE), "none");
    CHECK_STR(kernel_compression_name((enum kernel_compression)77), "unknown");
}

/* NULL pointers, empty and tiny inputs. */
static void test_args(void)
{
    struct kernel_image ki;
    uint8_t b[8] = { 0 }, out[128];
    size_t n = 5;

    CHECK_EQ(kernel_image_probe(b, 8, NULL), KERNEL_IMAGE_ERR_ARG);
    CHECK_EQ(kernel_image_probe(NULL, 8, &ki), KERNEL_IMAGE_ERR_ARG);
    CHECK_EQ(kernel_image_probe(NULL, 0, &ki), KERNEL_IMAGE_ERR_FORMAT);
    CHECK_EQ(kernel_image_probe(b, 0, &ki), KERNEL_IMAGE_ERR_FORMAT);
    CHECK_EQ(kernel_image_probe(b, 8, &ki), KERNEL_IMAGE_ERR_FORMAT);
    CHECK_EQ(ki.kind, KERNEL_IMAGE_UNKNOWN);
    CHECK_EQ(kernel_image_unpack(NULL, out, sizeof(out), &n),
             KERNEL_IMAGE_ERR_ARG);
    CHECK_EQ(n, 0);
    memset(&ki, 0, sizeof(ki));
    CHECK_EQ(kernel_image_unpack(&ki, NULL, 5, NULL), KERNEL_IMAGE_ERR_ARG);
    CHECK_EQ(kernel_image_unpack(&ki, out, sizeof(out), NULL),
             KERNEL_IMAGE_ERR_FORMAT);
    /* Hand-made descriptor with a size that cannot be an ELF. */
    ki.kind = KERNEL_IMAGE_ELF;
    ki.payload = b;
    ki.payload_len = 8;
    ki.unpacked_size = 8;
    CHECK_EQ(kernel_image_unpack(&ki, out, sizeof(out), NULL),
             KERNEL_IMAGE_ERR_SIZE);
    /* A gzip/xz magic alone is no stream. */
    CHECK_EQ(kernel_image_probe((const uint8_t *)"\x1f\x8b", 2, &ki),
             KERNEL_IMAGE_ERR_CORRUPT);
    CHECK_EQ(ki.compression, KERNEL_COMP_GZIP);
    CHECK_EQ(kernel_image_probe((const uint8_t *)"\xfd" "7zXZ", 6, &ki),
             KERNEL_IMAGE_ERR_CORRUPT);
    CHECK_EQ(ki.compression, KERNEL_COMP_XZ);
}

/* A plain ELF64 module is used as is; ELF32 is refused. */
static void test_plain_elf(void)
{
    uint8_t *elf = gen_elf(5000, 1);
    struct kernel_image ki;

    expect_unpack("plain elf", elf, 5000, KERNEL_IMAGE_ELF, KERNEL_COMP_NONE,
                  elf, 5000);
    CHECK_EQ(kernel_image_probe(elf, 5000, &ki), KERNEL_IMAGE_OK);
    CHECK_EQ(ki.boot_protocol, 0);
    CHECK(ki.payload == elf && ki.payload_len == 5000);
    elf[4] = 1;                                 /* ELFCLASS32 */
    CHECK_EQ(kernel_image_probe(elf, 5000, &ki), KERNEL_IMAGE_ERR_NOT_ELF64);
    elf[4] = 2;
    CHECK_EQ(kernel_image_probe(elf, 4, &ki), KERNEL_IMAGE_ERR_NOT_ELF64);
    CHECK_EQ(kernel_image_probe(elf, 63, &ki), KERNEL_IMAGE_ERR_SIZE);
    free(elf);
}

/* The Debian case: bzImage, xz payload with Linux's size trailer. */
static void test_bzimage_xz(void)
{
    static const size_t sizes[] = { 64, 4096, 100000, 700001 };
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t n = sizes[s], xn, len;
        uint8_t *elf = gen_elf(n, s + 10), *x = linux_xz(elf, n, &xn), *img;
        struct kernel_image ki;
        char what[64];

        if (!x) {
            CHECK(!"xz failed");
            free(elf);
            continue;
        }
        for (unsigned sects = 0; sects <= 31; sects += 31) {
            img = make_bzimage(x, xn, sects, 0x020f, 0x3c0 + (uint32_t)s, 777,
                               &len);
            snprintf(what, sizeof(what), "bz xz %zu sects %u", n, sects);
            expect_unpack(what, img, len, KERNEL_IMAGE_BZIMAGE, KERNEL_COMP_XZ,
                          elf, n);
            CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_OK);
            CHECK_EQ(ki.boot_protocol, 0x020f);
            CHECK_EQ(ki.payload_len, xn - 4);      /* trailer not included */
            CHECK_EQ(ki.payload_offset,
                     ((sects ? sects : 4) + 1) * 512 + 0x3c0 + s);
            free(img);
        }
        /* Protocol 2.08 exactly is enough. */
        img = make_bzimage(x, xn, 2, 0x0208, 0, 0, &len);
        expect_unpack("bz xz 2.08", img, len, KERNEL_IMAGE_BZIMAGE,
                      KERNEL_COMP_XZ, elf, n);
        free(img);
        free(x);
        free(elf);
    }
}

/* gzip payload: gzip's own ISIZE is the size trailer. */
static void test_bzimage_gzip(void)
{
    static const size_t sizes[] = { 64, 70000, 333333 };
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t n = sizes[s], gn, len;
        uint8_t *elf = gen_elf(n, s + 20), *g = linux_gzip(elf, n, &gn), *img;
        struct kernel_image ki;

        if (!g) {
            CHECK(!"gzip failed");
            free(elf);
            continue;
        }
        img = make_bzimage(g, gn, 27, 0x020c, 0x1000, 512, &len);
        expect_unpack("bz gzip", img, len, KERNEL_IMAGE_BZIMAGE,
                      KERNEL_COMP_GZIP, elf, n);
        CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_OK);
        CHECK_EQ(ki.payload_len, gn);
        free(img);
        free(g);
        free(elf);
    }
}

/* An uncompressed ELF as the bzImage payload is accepted too. */
static void test_bzimage_elf_payload(void)
{
    uint8_t *elf = gen_elf(3000, 5), *img;
    size_t len;

    img = make_bzimage(elf, 3000, 1, 0x020f, 64, 100, &len);
    expect_unpack("bz elf", img, len, KERNEL_IMAGE_BZIMAGE, KERNEL_COMP_NONE,
                  elf, 3000);
    free(img);
    free(elf);
}

/* Raw gzip / xz modules (vmlinux.gz, vmlinux.xz, Linux's vmlinux.bin.xz). */
static void test_raw_compressed(void)
{
    size_t n = 54321, gn, xn, xln;
    uint8_t *elf = gen_elf(n, 30);
    uint8_t *g = linux_gzip(elf, n, &gn);
    uint8_t *x = run_filter("xz -q -c -6", elf, n, &xn);
    uint8_t *xl = linux_xz(elf, n, &xln);
    struct kernel_image ki;

    CHECK(g && x && xl);
    if (g && x && xl) {
        expect_unpack("raw gzip", g, gn, KERNEL_IMAGE_COMPRESSED,
                      KERNEL_COMP_GZIP, elf, n);
        expect_unpack("raw xz", x, xn, KERNEL_IMAGE_COMPRESSED,
                      KERNEL_COMP_XZ, elf, n);
        CHECK_EQ(kernel_image_probe(x, xn, &ki), KERNEL_IMAGE_OK);
        CHECK_EQ(ki.payload_len, xn);
        expect_unpack("raw xz + trailer", xl, xln, KERNEL_IMAGE_COMPRESSED,
                      KERNEL_COMP_XZ, elf, n);
        CHECK_EQ(kernel_image_probe(xl, xln, &ki), KERNEL_IMAGE_OK);
        CHECK_EQ(ki.payload_len, xln - 4);
        /* A trailer that disagrees with the index. */
        xl[xln - 1] ^= 1;
        CHECK_EQ(kernel_image_probe(xl, xln, &ki), KERNEL_IMAGE_ERR_SIZE);
    }
    free(g);
    free(x);
    free(xl);
    free(elf);
}

/* Other compressions are recognised and refused by name. */
static void test_unsupported(void)
{
    static const struct {
        const char *magic;
        size_t len;
        enum kernel_compression comp;
        int err;
        const char *tool;
    } t[] = {
        { "\x28\xb5\x2f\xfd", 4, KERNEL_COMP_ZSTD, KERNEL_IMAGE_ERR_ZSTD,
          "zstd -q -c -19" },
        { "\x02\x21\x4c\x18", 4, KERNEL_COMP_LZ4, KERNEL_IMAGE_ERR_LZ4,
          "lz4 -q -l -c" },
        { "BZh", 3, KERNEL_COMP_BZIP2, KERNEL_IMAGE_ERR_BZIP2, "bzip2 -c" },
        { "\x5d\x00\x00", 3, KERNEL_COMP_LZMA, KERNEL_IMAGE_ERR_LZMA,
          "xz -q -c --format=lzma" },
        { "\x89LZO", 4, KERNEL_COMP_LZO, KERNEL_IMAGE_ERR_LZO, "lzop -c" },
        { "\x1f\x9e", 2, KERNEL_COMP_UNKNOWN, KERNEL_IMAGE_ERR_COMP_UNKNOWN,
          NULL },
        { "\x00\x00\x00\x00", 4, KERNEL_COMP_UNKNOWN,
          KERNEL_IMAGE_ERR_COMP_UNKNOWN, NULL },
    };
    uint8_t *elf = gen_elf(20000, 40);
    struct kernel_image ki;
    uint8_t payload[64], out[256];
    size_t len;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        memset(payload, 0x11, sizeof(payload));
        memcpy(payload, t[i].magic, t[i].len);
        uint8_t *img = make_bzimage(payload, sizeof(payload), 3, 0x020f, 0,
                                    16, &len);
        CHECK_EQ(kernel_image_probe(img, len, &ki), t[i].err);
        CHECK_EQ(ki.kind, KERNEL_IMAGE_BZIMAGE);
        CHECK_EQ(ki.compression, t[i].comp);
        /* Unpacking a refused image names the same reason. */
        ki.unpacked_size = 100;
        CHECK_EQ(kernel_image_unpack(&ki, out, sizeof(out), NULL), t[i].err);
        free(img);

        /* The real tool's output, if installed, in a bzImage and raw. */
        if (t[i].tool) {
            char name[16];
            sscanf(t[i].tool, "%15s", name);
            if (!have_tool(name)) {
                printf("  (no %s: magic bytes only)\n", name);
                continue;
            }
            size_t cn;
            uint8_t *c = run_filter(t[i].tool, elf, 20000, &cn);
            CHECK(c != NULL);
            if (!c)
                continue;
            img = make_bzimage(c, cn, 3, 0x020f, 0, 0, &len);
            CHECK_EQ(kernel_image_probe(img, len, &ki), t[i].err);
            CHECK_EQ(ki.compression, t[i].comp);
            free(img);
            CHECK_EQ(kernel_image_probe(c, cn, &ki), t[i].err);
            CHECK_EQ(ki.kind, KERNEL_IMAGE_COMPRESSED);
            free(c);
        }
    }
    free(elf);
}

/* Setup header errors: short, old protocol, payload outside the file. */
static void test_header_errors(void)
{
    uint8_t payload[100];
    struct kernel_image ki;
    size_t len;
    uint8_t *img;

    memset(payload, 0, sizeof(payload));
    memcpy(payload, "\x7f" "ELF\x02", 5);
    img = make_bzimage(payload, sizeof(payload), 4, 0x020f, 0, 0, &len);
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_OK);

    /* Truncated inside the version field, and before payload_length. */
    CHECK_EQ(kernel_image_probe(img, 0x207, &ki), KERNEL_IMAGE_ERR_TRUNCATED);
    CHECK_EQ(ki.kind, KERNEL_IMAGE_BZIMAGE);
    CHECK_EQ(kernel_image_probe(img, 0x24f, &ki), KERNEL_IMAGE_ERR_TRUNCATED);
    /* Too short to hold "HdrS": not a kernel at all. */
    CHECK_EQ(kernel_image_probe(img, 0x205, &ki), KERNEL_IMAGE_ERR_FORMAT);
    /* Protocol 2.07 has no payload fields. */
    img[0x206] = 0x07;
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_OLD_PROTOCOL);
    CHECK_EQ(ki.boot_protocol, 0x0207);
    img[0x206] = 0x0f;
    /* Payload one byte longer than the file. */
    put32(img + 0x24c, sizeof(payload) + 1);
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_PAYLOAD);
    put32(img + 0x24c, 0);
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_PAYLOAD);
    put32(img + 0x24c, 0xffffffff);
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_PAYLOAD);
    put32(img + 0x24c, sizeof(payload));
    /* Offset past the end, and offset + length wrapping 32 bits. */
    put32(img + 0x248, 0xffffffff);
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_PAYLOAD);
    put32(img + 0x248, 1);
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_PAYLOAD);
    put32(img + 0x248, 0);
    /* setup_sects 255: protected-mode part beyond the file. */
    img[0x1f1] = 255;
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_PAYLOAD);
    img[0x1f1] = 4;
    /* "HdrS" damaged: neither bzImage nor anything else. */
    img[0x203] = 'x';
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_FORMAT);
    free(img);
}

/* Sizes that lie, streams that are damaged, results that are no ELF. */
static void test_size_and_corruption(void)
{
    size_t n = 80000, xn, gn, len, out_n;
    uint8_t *elf = gen_elf(n, 50);
    uint8_t *x = linux_xz(elf, n, &xn), *g = linux_gzip(elf, n, &gn), *img;
    uint8_t *out = malloc(n + 100);
    struct kernel_image ki;

    if (!x || !g) {
        CHECK(!"compressor failed");
        goto out;
    }
    /* xz: trailer disagrees with the stream index. */
    img = make_bzimage(x, xn, 4, 0x020f, 0, 0, &len);
    put32(img + len - 4, (uint32_t)n + 1);
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_SIZE);
    put32(img + len - 4, (uint32_t)n);
    /* Damaged index: probe fails. */
    img[len - 4 - 13] ^= 0x40;
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_CORRUPT);
    img[len - 4 - 13] ^= 0x40;
    /* Damaged data with an intact index: probe passes, unpack fails. */
    img[5 * 512 + xn / 2] ^= 0x10;
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_OK);
    CHECK_EQ(kernel_image_unpack(&ki, out, n, &out_n),
             KERNEL_IMAGE_ERR_CORRUPT);
    free(img);

    /* gzip: ISIZE lowered (output would overflow) or raised (short). */
    img = make_bzimage(g, gn, 4, 0x020f, 0, 0, &len);
    put32(img + len - 4, (uint32_t)n - 1);
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_OK);
    CHECK_EQ(kernel_image_unpack(&ki, out, n + 100, &out_n),
             KERNEL_IMAGE_ERR_SIZE);
    CHECK(out_n <= n - 1);
    put32(img + len - 4, (uint32_t)n + 1);
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_OK);
    CHECK(kernel_image_unpack(&ki, out, n + 100, &out_n) != KERNEL_IMAGE_OK);
    put32(img + len - 4, 10);               /* smaller than an ELF header */
    CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_SIZE);
    free(img);

    /* A payload that is no ELF. */
    {
        uint8_t junk[4000];
        size_t jn;
        memset(junk, 'j', sizeof(junk));
        uint8_t *jx = linux_xz(junk, sizeof(junk), &jn);
        CHECK(jx != NULL);
        if (jx) {
            img = make_bzimage(jx, jn, 4, 0x020f, 0, 0, &len);
            CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_OK);
            CHECK_EQ(kernel_image_unpack(&ki, out, n, &out_n),
                     KERNEL_IMAGE_ERR_RESULT);
            CHECK_EQ(out_n, sizeof(junk));
            free(img);
            free(jx);
        }
        /* ...and one too small to be one. */
        jx = linux_xz(junk, 10, &jn);
        if (jx) {
            img = make_bzimage(jx, jn, 4, 0x020f, 0, 0, &len);
            CHECK_EQ(kernel_image_probe(img, len, &ki), KERNEL_IMAGE_ERR_SIZE);
            free(img);
            free(jx);
        }
    }
out:
    free(out);
    free(x);
    free(g);
    free(elf);
}

/*
 * Every truncation and many bit flips of a bzImage: whatever probe says,
 * it stays inside the image, and unpack into an exact-size heap buffer
 * (ASan watches its end) never overruns.
 */
static void test_truncation_and_flips(void)
{
    size_t n = 6000, xn, gn;
    uint8_t *elf = gen_elf(n, 60);
    uint8_t *x = linux_xz(elf, n, &xn), *g = linux_gzip(elf, n, &gn);
    uint8_t *srcs[2] = { x, g };
    size_t lens[2] = { xn, gn };
    unsigned ok = 0;

    for (int k = 0; k < 2; k++) {
        size_t len;
        uint8_t *img;

        if (!srcs[k]) {
            CHECK(!"compressor failed");
            continue;
        }
        img = make_bzimage(srcs[k], lens[k], 4, 0x020f, 0, 0, &len);
        for (size_t cut = 0; cut <= len; cut++) {
            uint8_t *copy = malloc(cut ? cut : 1);
            struct kernel_image ki;
            memcpy(copy, img, cut);
            int r = kernel_image_probe(copy, cut, &ki);
            if (r == KERNEL_IMAGE_OK) {
                CHECK(ki.payload + ki.payload_len <= copy + cut);
                CHECK(cut == len);
                ok++;
            }
            free(copy);
        }
        rng_state = 77 + k;
        for (int iter = 0; iter < 1500; iter++) {
            uint8_t *copy = malloc(len);
            struct kernel_image ki;
            memcpy(copy, img, len);
            /* Flip in the header area or the payload. */
            for (int f = 0; f < 1 + (int)(rng() % 3); f++) {
                size_t at = rng() % 2 ? 0x1f0 + rng() % 0x70 : rng() % len;
                copy[at] ^= (uint8_t)(1u << (rng() % 8));
            }
            if (kernel_image_probe(copy, len, &ki) == KERNEL_IMAGE_OK) {
                CHECK(ki.payload >= copy &&
                      ki.payload + ki.payload_len <= copy + len);
                if (ki.unpacked_size <= 1 << 20) {
                    size_t cap = (size_t)ki.unpacked_size, out_n;
                    uint8_t *out = malloc(cap);
                    int r = kernel_image_unpack(&ki, out, cap, &out_n);
                    CHECK(out_n <= cap);
                    if (r == KERNEL_IMAGE_OK)
                        CHECK_EQ(out_n, cap);
                    free(out);
                }
            }
            free(copy);
        }
        free(img);
    }
    CHECK_EQ(ok, 2);
    free(x);
    free(g);
    free(elf);
}

/* Debian's kernel, if given: xz bzImage, unpacks to what xz -d says. */
static void test_debian_vmlinuz(void)
{
    const char *path = getenv("XHV_TEST_VMLINUZ");
    struct kernel_image ki;
    size_t n, ref_n, out_n;
    uint8_t *img = read_file(path, &n), *ref, *out;
    char cmd[512], pay[128], refp[128];

    if (!img) {
        CHECK(!"cannot read XHV_TEST_VMLINUZ");
        return;
    }
    CHECK_EQ(kernel_image_probe(img, n, &ki), KERNEL_IMAGE_OK);
    CHECK_EQ(ki.kind, KERNEL_IMAGE_BZIMAGE);
    CHECK_EQ(ki.compression, KERNEL_COMP_XZ);
    CHECK(ki.boot_protocol >= 0x0208);
    printf("  %s: protocol %x, payload %zu bytes at %#zx, unpacks to %llu\n",
           path, ki.boot_protocol, ki.payload_len, ki.payload_offset,
           (unsigned long long)ki.unpacked_size);

    snprintf(pay, sizeof(pay), "%s/payload", tmpdir);
    snprintf(refp, sizeof(refp), "%s/payload.out", tmpdir);
    write_file(pay, ki.payload, ki.payload_len);
    snprintf(cmd, sizeof(cmd), "xz -d -c < %s > %s", pay, refp);
    CHECK_EQ(system(cmd), 0);
    ref = read_file(refp, &ref_n);
    if (!ref) {
        CHECK(!"xz -d of the payload failed");
        free(img);
        return;
    }
    CHECK_EQ(ref_n, ki.unpacked_size);
    out = malloc(ref_n);
    CHECK_EQ(kernel_image_unpack(&ki, out, ref_n, &out_n), KERNEL_IMAGE_OK);
    CHECK_EQ(out_n, ref_n);
    CHECK(memcmp(out, ref, ref_n) == 0);
    free(out);
    free(ref);
    free(img);
}

int main(void)
{
    char cmd[128];
    struct stat st;
    const char *v;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/xhv-test-kimg-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    if (!have_tool("xz") || !have_tool("gzip")) {
        printf("FAIL: xz(1) or gzip(1) not found\n");
        return 1;
    }

    RUN_TEST(test_strerror);
    RUN_TEST(test_args);
    RUN_TEST(test_plain_elf);
    RUN_TEST(test_bzimage_xz);
    RUN_TEST(test_bzimage_gzip);
    RUN_TEST(test_bzimage_elf_payload);
    RUN_TEST(test_raw_compressed);
    RUN_TEST(test_unsupported);
    RUN_TEST(test_header_errors);
    RUN_TEST(test_size_and_corruption);
    RUN_TEST(test_truncation_and_flips);
    v = getenv("XHV_TEST_VMLINUZ");
    if (v && *v && stat(v, &st) == 0)
        RUN_TEST(test_debian_vmlinuz);
    else
        printf("SKIP: debian vmlinuz (set XHV_TEST_VMLINUZ, see "
               "tools/fetch-kernel.sh)\n");

    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    if (system(cmd) != 0)
        printf("warning: could not remove %s\n", tmpdir);
    return th_finish();
}
