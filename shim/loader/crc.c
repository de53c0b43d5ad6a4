/*
 * CRC32 and CRC64 for the xz decoder (see include/xhv/crc.h).
 *
 * Table-driven "slicing by 4": four 256-entry tables let the inner loop fold
 * four input bytes per iteration, which matters when checking tens of MiB of
 * decompressed kernel under QEMU TCG. Table k holds the CRC of a byte
 * followed by k zero bytes, so a 4-byte word can be folded with four lookups.
 * The tables are generated on first use (no 12 KiB of constants in the
 * source); the shim is single-threaded when it decompresses.
 */
#include <xhv/crc.h>

#define CRC32_POLY 0xEDB88320u
#define CRC64_POLY 0xC96C5795D7870F42ull

static uint32_t crc32_tab[4][256];
static uint64_t crc64_tab[4][256];
static bool crc32_ready, crc64_ready;

static void crc32_build(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (CRC32_POLY & (0u - (c & 1)));
        crc32_tab[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int k = 1; k < 4; k++) {
            uint32_t prev = crc32_tab[k - 1][i];
            crc32_tab[k][i] = (prev >> 8) ^ crc32_tab[0][prev & 0xFF];
        }
    crc32_ready = true;
}

static void crc64_build(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (CRC64_POLY & (0ull - (c & 1)));
        crc64_tab[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int k = 1; k < 4; k++) {
            uint64_t prev = crc64_tab[k - 1][i];
            crc64_tab[k][i] = (prev >> 8) ^ crc64_tab[0][prev & 0xFF];
        }
    crc64_ready = true;
}

/* Little-endian 32-bit load from any alignment (gcc merges it to one load). */
static inline uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

uint32_t xhv_crc32(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (unlikely(!crc32_ready))
        crc32_build();
    crc = ~crc;
    for (; len >= 4; len -= 4, p += 4) {
        crc ^= load_le32(p);
        crc = crc32_tab[3][crc & 0xFF] ^ crc32_tab[2][(crc >> 8) & 0xFF] ^
              crc32_tab[1][(crc >> 16) & 0xFF] ^ crc32_tab[0][crc >> 24];
    }
    for (; len; len--, p++)
        crc = crc32_tab[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

uint64_t xhv_crc64(uint64_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (unlikely(!crc64_ready))
        crc64_build();
    crc = ~crc;
    for (; len >= 4; len -= 4, p += 4) {
        /* Only the low 32 bits meet the new bytes; the high half shifts. */
        uint32_t lo = (uint32_t)crc ^ load_le32(p);
        crc = crc64_tab[3][lo & 0xFF] ^ crc64_tab[2][(lo >> 8) & 0xFF] ^
              crc64_tab[1][(lo >> 16) & 0xFF] ^ crc64_tab[0][lo >> 24] ^
              (crc >> 32);
    }
    for (; len; len--, p++)
        crc = crc64_tab[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
    return ~crc;
}
