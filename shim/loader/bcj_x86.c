/*
 * x86 BCJ ("branch/call/jump") filter, decoder side, for xz filter ID 0x04.
 *
 * The .xz spec (section 5.3.3 "Branch/Call/Jump Filters for Executables")
 * names the filter but defers its algorithm to the reference implementation
 * (LZMA SDK / XZ Utils), so this follows that behaviour exactly:
 *
 * The encoder replaced the rel32 operand of CALL (E8) / JMP (E9) opcodes by
 * an absolute address (operand + position of the next instruction), for
 * operands whose most significant byte is 0x00 or 0xFF (near branches). The
 * decoder scans the same way and subtracts the position again.
 *
 * Byte patterns that merely look like E8/E9 must be treated identically by
 * both sides, so the scan keeps a short history of E8/E9 bytes it left
 * alone within the previous three bytes:
 *   seen    bit d (d = 1..3): an unconverted E8/E9 lies d bytes back
 *   seen_ms bit d:            ...and the byte its operand MSB would occupy
 *                             was 0x00/0xFF
 * (bit 0 marks the opcode just skipped; both are shifted as the scan moves
 * to the next E8/E9.) A candidate is converted only if its own operand MSB
 * is 0x00/0xFF, no recent skipped opcode had an 0x00/0xFF MSB, and at most
 * one opcode was skipped in the last three bytes. That earlier opcode's MSB
 * falls inside the current operand (at byte 4 - d); if the converted value
 * would turn that byte into 0x00/0xFF, the conversion is redone on the value
 * with all bits up to and including that byte inverted, so that a re-scan
 * sees the same skip/convert decisions. (One redo always suffices: a second
 * would reproduce the inverted original byte, which was not 0x00/0xFF.)
 * Converted operands store bit 24 of the result sign-extended into byte 4.
 *
 * Positions are the offset within the block plus the start offset property,
 * modulo 2^32. The last four bytes of a block are never converted.
 */
#include <xhv/types.h>
#include "xz_internal.h"

static inline bool is_ms_byte(uint8_t b)
{
    return b == 0x00 || b == 0xFF;
}

void xz_bcj_x86_decode(uint8_t *buf, size_t size, uint32_t start)
{
    uint32_t seen = 0, seen_ms = 0;
    size_t last = 0;            /* position of the previous E8/E9 examined */

    if (size < 5)
        return;
    for (size_t i = 0; i <= size - 5; i++) {
        if ((buf[i] & 0xFE) != 0xE8)
            continue;

        /* Age the history by the distance from the previous opcode. */
        size_t gap = i - last;
        if (gap > 3) {
            seen = seen_ms = 0;
        } else {
            seen = (seen << gap) & 0xE;
            seen_ms = (seen_ms << gap) & 0xE;
        }
        last = i;

        uint8_t msb = buf[i + 4];
        bool one_or_none = (seen & (seen - 1)) == 0;
        if (!is_ms_byte(msb) || seen_ms != 0 || !one_or_none) {
            seen |= 1;
            if (is_ms_byte(msb))
                seen_ms |= 1;
            continue;
        }

        uint32_t here = start + (uint32_t)i + 5;
        uint32_t v = (uint32_t)buf[i + 1] | (uint32_t)buf[i + 2] << 8 |
                     (uint32_t)buf[i + 3] << 16 | (uint32_t)msb << 24;
        uint32_t dest = v - here;

        if (seen) {
            /* Earlier opcode d bytes back: its MSB is our byte 4 - d. */
            uint32_t d = seen == 2 ? 1 : seen == 4 ? 2 : 3;
            uint32_t shift = 8 * (3 - d);
            if (is_ms_byte((uint8_t)(dest >> shift)))
                dest = (dest ^ ((1u << (shift + 8)) - 1)) - here;
        }
        buf[i + 1] = (uint8_t)dest;
        buf[i + 2] = (uint8_t)(dest >> 8);
        buf[i + 3] = (uint8_t)(dest >> 16);
        buf[i + 4] = (dest & (1u << 24)) ? 0xFF : 0x00;
        seen = seen_ms = 0;
        i += 4;
    }
}
