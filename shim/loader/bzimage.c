/*
 * Guest kernel image classification and unpacking (see
 * include/xhv/kernel_image.h for the API).
 *
 * Follows the Linux x86 boot protocol (Documentation/arch/x86/boot.rst):
 *   0x1f1 setup_sects   sectors of real-mode setup after the boot sector;
 *                       0 means 4 (pre-2.00 convention kept by loaders)
 *   0x202 header        "HdrS"
 *   0x206 version       protocol version, 2.08 (0x0208) added the payload
 *   0x248 payload_offset  relative to the protected-mode code, which starts
 *                         at (setup_sects + 1) * 512 in the file
 *   0x24c payload_length
 * and what Linux's build puts into the payload (scripts/Makefile.lib,
 * arch/x86/boot/compressed/Makefile): "gzip -n -9" output, whose last 4
 * bytes are ISIZE, or xz_wrap.sh output followed by size_append, the
 * uncompressed size as 4 little-endian bytes. Compression is recognised by
 * the magic numbers Linux's lib/decompress.c uses.
 *
 * Probing reads headers only; the xz stream index gives the exact size
 * without decompressing (xz_uncompressed_size) and must agree with Linux's
 * trailer. Unpacking uses the decoders in xz.c and gunzip.c, into a buffer
 * whose size the caller took from the probe.
 *
 * No state, no locking. All offsets are computed in 64 bits and checked
 * against the module length before any byte is read.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/gunzip.h>
#include <xhv/xz.h>
#include <xhv/kernel_image.h>

/* Setup header fields (byte offsets in the image). */
#define BZ_SETUP_SECTS      0x1f1
#define BZ_HEADER           0x202
#define BZ_VERSION          0x206
#define BZ_PAYLOAD_OFFSET   0x248
#define BZ_PAYLOAD_LENGTH   0x24c
#define BZ_HEADER_END       0x250   /* bytes needed up to payload_length */
#define BZ_MIN_PROTOCOL     0x0208  /* first with payload_offset/length  */
#define BZ_SECTOR           512
#define BZ_DEFAULT_SECTS    4

/* ELF identification: enough to tell ELF64 from anything else. */
#define ELF_IDENT_LEN       5
#define ELF_CLASS64         2
#define ELF64_EHDR_SIZE     64      /* smallest plausible unpacked size */

#define GZIP_MIN_LEN        18      /* 10-byte header + 8-byte trailer */
#define SIZE_TRAILER        4

static const uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

/* Magic numbers, as lib/decompress.c (Linux) and the formats define them. */
static const struct {
    uint8_t len;
    uint8_t magic[6];
    enum kernel_compression comp;
} comp_magic[] = {
    { 2, { 0x1f, 0x8b },                         KERNEL_COMP_GZIP  },
    { 6, { 0xfd, '7', 'z', 'X', 'Z', 0x00 },     KERNEL_COMP_XZ    },
    { 4, { 0x28, 0xb5, 0x2f, 0xfd },             KERNEL_COMP_ZSTD  },
    { 4, { 0x02, 0x21, 0x4c, 0x18 },             KERNEL_COMP_LZ4   }, /* legacy */
    { 3, { 'B', 'Z', 'h' },                      KERNEL_COMP_BZIP2 },
    { 4, { 0x89, 'L', 'Z', 'O' },                KERNEL_COMP_LZO   },
    { 3, { 0x5d, 0x00, 0x00 },                   KERNEL_COMP_LZMA  },
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static enum kernel_compression detect(const uint8_t *p, size_t len)
{
    unsigned i;

    if (len >= sizeof(elf_magic) && memcmp(p, elf_magic, sizeof(elf_magic)) == 0)
        return KERNEL_COMP_NONE;
    for (i = 0; i < ARRAY_SIZE(comp_magic); i++)
        if (len >= comp_magic[i].len &&
            memcmp(p, comp_magic[i].magic, comp_magic[i].len) == 0)
            return comp_magic[i].comp;
    return KERNEL_COMP_UNKNOWN;
}

static int unsupported(enum kernel_compression c)
{
    switch (c) {
    case KERNEL_COMP_ZSTD:  return KERNEL_IMAGE_ERR_ZSTD;
    case KERNEL_COMP_LZ4:   return KERNEL_IMAGE_ERR_LZ4;
    case KERNEL_COMP_BZIP2: return KERNEL_IMAGE_ERR_BZIP2;
    case KERNEL_COMP_LZMA:  return KERNEL_IMAGE_ERR_LZMA;
    case KERNEL_COMP_LZO:   return KERNEL_IMAGE_ERR_LZO;
    default:                return KERNEL_IMAGE_ERR_COMP_UNKNOWN;
    }
}

static bool elf64_ident(const uint8_t *p, size_t len)
{
    return len >= ELF_IDENT_LEN && memcmp(p, elf_magic, sizeof(elf_magic)) == 0 &&
           p[4] == ELF_CLASS64;
}

/*
 * Size the ELF inside p[0, len), compressed with c, and set payload_len.
 * linux_trailer: an xz stream is followed by Linux's 4-byte size (bzImage);
 * otherwise a trailer is only tried if the whole input is not plain .xz.
 */
static int size_payload(struct kernel_image *ki, const uint8_t *p, size_t len,
                        bool linux_trailer)
{
    uint64_t size = 0;

    switch (ki->compression) {
    case KERNEL_COMP_NONE:
        if (!elf64_ident(p, len))
            return KERNEL_IMAGE_ERR_NOT_ELF64;
        ki->payload_len = len;
        ki->unpacked_size = len;
        break;

    case KERNEL_COMP_GZIP:
        /* ISIZE of the (last) member; gunzip() verifies it again. */
        if (len < GZIP_MIN_LEN)
            return KERNEL_IMAGE_ERR_CORRUPT;
        ki->payload_len = len;
        ki->unpacked_size = le32(p + len - SIZE_TRAILER);
        break;

    case KERNEL_COMP_XZ:
        if (!linux_trailer && xz_uncompressed_size(p, len, &size) == XZ_OK) {
            ki->payload_len = len;
            ki->unpacked_size = size;
            break;
        }
        if (len <= SIZE_TRAILER)
            return KERNEL_IMAGE_ERR_CORRUPT;
        if (xz_uncompressed_size(p, len - SIZE_TRAILER, &size) != XZ_OK)
            return KERNEL_IMAGE_ERR_CORRUPT;
        /* The trailer is 32 bits: a kernel of 4 GiB or more is refused. */
        if (size != le32(p + len - SIZE_TRAILER))
            return KERNEL_IMAGE_ERR_SIZE;
        ki->payload_len = len - SIZE_TRAILER;
        ki->unpacked_size = size;
        break;

    default:
        return unsupported(ki->compression);
    }
    if (ki->unpacked_size < ELF64_EHDR_SIZE || ki->unpacked_size > SIZE_MAX)
        return KERNEL_IMAGE_ERR_SIZE;
    return KERNEL_IMAGE_OK;
}

static int probe_bzimage(const uint8_t *img, size_t len, struct kernel_image *ki)
{
    uint64_t sects, start, plen;

    ki->kind = KERNEL_IMAGE_BZIMAGE;
    if (len < BZ_VERSION + 2)
        return KERNEL_IMAGE_ERR_TRUNCATED;
    ki->boot_protocol = le16(img + BZ_VERSION);
    if (ki->boot_protocol < BZ_MIN_PROTOCOL)
        return KERNEL_IMAGE_ERR_OLD_PROTOCOL;
    if (len < BZ_HEADER_END)
        return KERNEL_IMAGE_ERR_TRUNCATED;

    sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : BZ_DEFAULT_SECTS;
    /* At most 256 * 512 + 4 GiB: no overflow in 64 bits. */
    start = (sects + 1) * BZ_SECTOR + le32(img + BZ_PAYLOAD_OFFSET);
    plen = le32(img + BZ_PAYLOAD_LENGTH);
    if (start > len || plen > len - start || plen == 0)
        return KERNEL_IMAGE_ERR_PAYLOAD;

    ki->payload_offset = (size_t)start;
    ki->payload = img + start;
    ki->payload_len = (size_t)plen;
    ki->compression = detect(ki->payload, ki->payload_len);
    return size_payload(ki, ki->payload, ki->payload_len, true);
}

int kernel_image_probe(const uint8_t *img, size_t len, struct kernel_image *ki)
{
    enum kernel_compression c;

    if (!ki)
        return KERNEL_IMAGE_ERR_ARG;
    memset(ki, 0, sizeof(*ki));
    if (!img && len)
        return KERNEL_IMAGE_ERR_ARG;
    if (!img)
        return KERNEL_IMAGE_ERR_FORMAT;

    c = detect(img, len);
    /*
     * Strong magics at offset 0 first (a bzImage starts with "MZ" or a
     * boot sector, never with these), then the setup header, then the
     * weak magics (LZMA's is just 5D 00 00).
     */
    if (c == KERNEL_COMP_NONE || c == KERNEL_COMP_GZIP || c == KERNEL_COMP_XZ ||
        len < BZ_HEADER + 4 || memcmp(img + BZ_HEADER, "HdrS", 4) != 0) {
        if (c == KERNEL_COMP_UNKNOWN)
            return KERNEL_IMAGE_ERR_FORMAT;
        ki->kind = c == KERNEL_COMP_NONE ? KERNEL_IMAGE_ELF
                                         : KERNEL_IMAGE_COMPRESSED;
        ki->compression = c;
        ki->payload = img;
        ki->payload_len = len;
        return size_payload(ki, img, len, false);
    }
    return probe_bzimage(img, len, ki);
}

int kernel_image_unpack(const struct kernel_image *ki, uint8_t *out,
                        size_t out_cap, size_t *out_len)
{
    size_t n = 0, used;
    size_t want;
    int r;

    if (out_len)
        *out_len = 0;
    if (!ki || (!out && out_cap) || (!ki->payload && ki->payload_len))
        return KERNEL_IMAGE_ERR_ARG;
    if (ki->kind == KERNEL_IMAGE_UNKNOWN || !ki->payload)
        return KERNEL_IMAGE_ERR_FORMAT;
    if (ki->unpacked_size < ELF64_EHDR_SIZE || ki->unpacked_size > SIZE_MAX)
        return KERNEL_IMAGE_ERR_SIZE;
    want = (size_t)ki->unpacked_size;
    if (out_cap < want)
        return KERNEL_IMAGE_ERR_OUTPUT_FULL;

    switch (ki->compression) {
    case KERNEL_COMP_NONE:
        if (ki->payload_len != want)
            return KERNEL_IMAGE_ERR_SIZE;
        memcpy(out, ki->payload, want);
        n = want;
        break;
    case KERNEL_COMP_GZIP:
        /* Capped at the announced size: more data is a lying trailer. */
        r = gunzip(ki->payload, ki->payload_len, out, want, &n, &used);
        if (r == GZ_ERR_OUTPUT_FULL)
            return KERNEL_IMAGE_ERR_SIZE;
        if (r != GZ_OK)
            return KERNEL_IMAGE_ERR_CORRUPT;
        break;
    case KERNEL_COMP_XZ:
        r = xz_decode(ki->payload, ki->payload_len, out, want, &n);
        if (r == XZ_ERR_OUTPUT_FULL)
            return KERNEL_IMAGE_ERR_SIZE;
        if (r != XZ_OK)
            return KERNEL_IMAGE_ERR_CORRUPT;
        break;
    default:
        return unsupported(ki->compression);
    }
    if (out_len)
        *out_len = n;
    if (n != want)
        return KERNEL_IMAGE_ERR_SIZE;
    if (!elf64_ident(out, n))
        return KERNEL_IMAGE_ERR_RESULT;
    return KERNEL_IMAGE_OK;
}

const char *kernel_image_strerror(int err)
{
    switch (err) {
    case KERNEL_IMAGE_OK:               return "success";
    case KERNEL_IMAGE_ERR_ARG:          return "invalid argument";
    case KERNEL_IMAGE_ERR_FORMAT:
        return "not a kernel image (bzImage, ELF64, gzip or xz)";
    case KERNEL_IMAGE_ERR_NOT_ELF64:    return "ELF, but not ELF64";
    case KERNEL_IMAGE_ERR_TRUNCATED:    return "bzImage setup header truncated";
    case KERNEL_IMAGE_ERR_OLD_PROTOCOL:
        return "bzImage boot protocol older than 2.08 (no payload fields)";
    case KERNEL_IMAGE_ERR_PAYLOAD:
        return "bzImage payload lies outside the image";
    case KERNEL_IMAGE_ERR_ZSTD:         return "unsupported compression: zstd";
    case KERNEL_IMAGE_ERR_LZ4:          return "unsupported compression: lz4";
    case KERNEL_IMAGE_ERR_BZIP2:        return "unsupported compression: bzip2";
    case KERNEL_IMAGE_ERR_LZMA:         return "unsupported compression: lzma";
    case KERNEL_IMAGE_ERR_LZO:          return "unsupported compression: lzo";
    case KERNEL_IMAGE_ERR_COMP_UNKNOWN:
        return "unsupported compression: unknown payload format";
    case KERNEL_IMAGE_ERR_SIZE:
        return "kernel size trailer implausible or inconsistent";
    case KERNEL_IMAGE_ERR_CORRUPT:      return "compressed kernel is corrupt";
    case KERNEL_IMAGE_ERR_OUTPUT_FULL:
        return "output buffer smaller than the unpacked kernel";
    case KERNEL_IMAGE_ERR_RESULT:       return "unpacked kernel is not ELF64";
    default:                            return "unknown kernel image error";
    }
}

const char *kernel_compression_name(enum kernel_compression c)
{
    switch (c) {
    case KERNEL_COMP_NONE:  return "none";
    case KERNEL_COMP_GZIP:  return "gzip";
    case KERNEL_COMP_XZ:    return "xz";
    case KERNEL_COMP_ZSTD:  return "zstd";
    case KERNEL_COMP_LZ4:   return "lz4";
    case KERNEL_COMP_BZIP2: return "bzip2";
    case KERNEL_COMP_LZMA:  return "lzma";
    case KERNEL_COMP_LZO:   return "lzo";
    default:                return "unknown";
    }
}
