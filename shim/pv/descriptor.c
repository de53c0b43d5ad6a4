/*
 * Guest descriptor validation (include/xhv/descriptor.h has the rules).
 * Descriptor layout: SDM vol. 3, 3.4.5: bit 47 P, 46:45 DPL, 44 S,
 * 43:40 type.
 */
#include <xhv/descriptor.h>

#define DESC_P          BIT(47)
#define DESC_DPL_SHIFT  45
#define DESC_DPL_MASK   (3ULL << DESC_DPL_SHIFT)
#define DESC_S          BIT(44)
#define DESC_TYPE_SHIFT 40
#define DESC_TYPE_MASK  (0xfULL << DESC_TYPE_SHIFT)

bool pv_check_descriptor(uint64_t desc, uint64_t *out)
{
    /* A not-present descriptor always faults when used: harmless. */
    if (!(desc & DESC_P)) {
        *out = desc;
        return true;
    }
    if (desc & DESC_S) {
        /* Code or data: any base/limit; the guest's privilege is ring 3. */
        *out = desc | DESC_DPL_MASK;
        return true;
    }
    /* Type 0: the upper half of a 16-byte system descriptor. */
    if (((desc & DESC_TYPE_MASK) >> DESC_TYPE_SHIFT) == 0) {
        *out = desc;
        return true;
    }
    return false;       /* TSS, LDT, call/interrupt/trap gates */
}
