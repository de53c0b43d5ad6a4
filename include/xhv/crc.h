/*
 * CRC32 (IEEE 802.3, reflected polynomial 0xEDB88320) and CRC64 (ECMA-182,
 * reflected polynomial 0xC96C5795D7870F42), the two CRCs used by the .xz
 * format (.xz file format spec, section 5 "Integrity Checks" and the header
 * CRC32 fields).
 *
 * Both use the usual zlib-style convention: pass 0 to start, and feed the
 * previous return value back in to continue over more data:
 *     crc = xhv_crc32(0, a, alen); crc = xhv_crc32(crc, b, blen);
 * Check values: xhv_crc32(0, "123456789", 9) == 0xCBF43926,
 *               xhv_crc64(0, "123456789", 9) == 0x995DC9BBDF1939FA.
 *
 * The lookup tables are built on first use into static storage, so the
 * first call must not race with another (the shim calls these from one CPU).
 */
#ifndef XHV_CRC_H
#define XHV_CRC_H

#include <xhv/types.h>

uint32_t xhv_crc32(uint32_t crc, const void *buf, size_t len);
uint64_t xhv_crc64(uint64_t crc, const void *buf, size_t len);

#endif /* XHV_CRC_H */
