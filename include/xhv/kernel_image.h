/*
 * Guest kernel image classification and unpacking.
 *
 * A boot module holding the guest kernel may be
 *  - a Linux bzImage (x86 boot protocol, Documentation/arch/x86/boot.rst):
 *    the setup header at 0x1f1 carries "HdrS" at 0x202 and, from protocol
 *    2.08 on, payload_offset (0x248) and payload_length (0x24c), which name
 *    the compressed vmlinux ELF inside the protected-mode part that starts
 *    at (setup_sects + 1) * 512 (setup_sects 0 means 4). Linux appends the
 *    uncompressed size as 4 little-endian bytes to an xz payload; a gzip
 *    payload ends with gzip's own ISIZE, the same 4 bytes;
 *  - a plain ELF64 file (a vmlinux, or a small PV test kernel);
 *  - a gzip or xz file holding such an ELF.
 *
 * kernel_image_probe() looks at the module's bytes only (nothing is
 * decompressed), kernel_image_unpack() produces the ELF in a buffer the
 * caller provides, sized from ki->unpacked_size. Everything is bounded by
 * the module's length whatever the bytes say: a module is outside input.
 */
#ifndef XHV_KERNEL_IMAGE_H
#define XHV_KERNEL_IMAGE_H

#include <xhv/types.h>

enum kernel_image_kind {
    KERNEL_IMAGE_UNKNOWN = 0,
    KERNEL_IMAGE_BZIMAGE,       /* Linux bzImage, payload inside          */
    KERNEL_IMAGE_ELF,           /* the module is the ELF64 file itself     */
    KERNEL_IMAGE_COMPRESSED,    /* the module is a gzip/xz file of an ELF  */
};

enum kernel_compression {
    KERNEL_COMP_NONE = 0,       /* payload is the ELF (no unpacking)       */
    KERNEL_COMP_GZIP,
    KERNEL_COMP_XZ,
    /* Recognised by magic, not supported (probe fails naming them): */
    KERNEL_COMP_ZSTD,
    KERNEL_COMP_LZ4,
    KERNEL_COMP_BZIP2,
    KERNEL_COMP_LZMA,
    KERNEL_COMP_LZO,
    KERNEL_COMP_UNKNOWN,        /* bzImage payload with no known magic     */
};

enum kernel_image_error {
    KERNEL_IMAGE_OK               =   0,
    KERNEL_IMAGE_ERR_ARG          =  -1, /* NULL pointer with a length     */
    KERNEL_IMAGE_ERR_FORMAT       =  -2, /* not bzImage, ELF, gzip or xz   */
    KERNEL_IMAGE_ERR_NOT_ELF64    =  -3, /* ELF, but 32-bit or bad ident   */
    KERNEL_IMAGE_ERR_TRUNCATED    =  -4, /* setup header beyond the end    */
    KERNEL_IMAGE_ERR_OLD_PROTOCOL =  -5, /* boot protocol < 2.08           */
    KERNEL_IMAGE_ERR_PAYLOAD      =  -6, /* payload outside the image      */
    KERNEL_IMAGE_ERR_ZSTD         =  -7, /* unsupported compressions, by   */
    KERNEL_IMAGE_ERR_LZ4          =  -8, /*   name                         */
    KERNEL_IMAGE_ERR_BZIP2        =  -9,
    KERNEL_IMAGE_ERR_LZMA         = -10,
    KERNEL_IMAGE_ERR_LZO          = -11,
    KERNEL_IMAGE_ERR_COMP_UNKNOWN = -12, /* payload magic not recognised   */
    KERNEL_IMAGE_ERR_SIZE         = -13, /* size trailer implausible, or   */
                                         /* disagrees with xz index/data   */
    KERNEL_IMAGE_ERR_CORRUPT      = -14, /* compressed data does not decode */
    KERNEL_IMAGE_ERR_OUTPUT_FULL  = -15, /* out_cap < unpacked_size        */
    KERNEL_IMAGE_ERR_RESULT       = -16, /* unpacked bytes are no ELF64    */
};

struct kernel_image {
    enum kernel_image_kind kind;
    enum kernel_compression compression;
    /*
     * The ELF (KERNEL_COMP_NONE) or the compressed stream, pointing into
     * the probed module. For an xz bzImage payload Linux's 4-byte size
     * trailer is not included (payload_len is the .xz file alone).
     */
    const uint8_t *payload;
    size_t payload_len;
    size_t payload_offset;      /* payload - module start                  */
    uint64_t unpacked_size;     /* exact size of the ELF after unpacking   */
    uint16_t boot_protocol;     /* bzImage: setup header version, else 0   */
};

/*
 * Classify img[0, len) and fill *ki (zeroed first, so kind/compression are
 * meaningful even on most errors, e.g. compression says which unsupported
 * algorithm a bzImage uses). Returns KERNEL_IMAGE_OK or a negative
 * enum kernel_image_error. Does not decompress; for xz it reads the stream
 * index (xz_uncompressed_size) and, for a bzImage, requires it to agree
 * with Linux's size trailer. The ELF itself is not validated here beyond
 * its identification bytes: that is elf_parse()'s job.
 */
int kernel_image_probe(const uint8_t *img, size_t len, struct kernel_image *ki);

/*
 * Produce the ELF of a probed image in out[0, out_cap): decompress, or copy
 * for KERNEL_COMP_NONE. Requires out_cap >= ki->unpacked_size (else
 * KERNEL_IMAGE_ERR_OUTPUT_FULL, nothing written); writes nothing beyond
 * ki->unpacked_size bytes. The result must be exactly unpacked_size bytes
 * and start with an ELF64 identification. *out_len (may be NULL) gets the
 * number of bytes produced; after an error the buffer content is undefined.
 * The xz decoder it uses is not reentrant (see <xhv/xz.h>).
 */
int kernel_image_unpack(const struct kernel_image *ki, uint8_t *out,
                        size_t out_cap, size_t *out_len);

/* Static description of an enum kernel_image_error; never NULL. */
const char *kernel_image_strerror(int err);

/* "gzip", "xz", "zstd", ... ("none" for KERNEL_COMP_NONE); never NULL. */
const char *kernel_compression_name(enum kernel_compression c);

#endif /* XHV_KERNEL_IMAGE_H */
