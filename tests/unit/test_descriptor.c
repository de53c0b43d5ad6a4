/*
 * Guest descriptor validation (shim/pv/descriptor.c). Allowed: not-present
 * descriptors of any content, code and data of every DPL (forced to 3,
 * other bits untouched), type-0 upper halves. Refused: present system
 * descriptors of every type 1..15 (TSS, LDT, call gates, interrupt and
 * trap gates) at every DPL — among them the DPL-0 call gate into ring 0 a
 * hostile guest would want.
 */
#include "harness.h"
#include <xhv/descriptor.h>

static uint64_t mk(unsigned p, unsigned dpl, unsigned s, unsigned type,
                   uint64_t rest)
{
    return rest | ((uint64_t)p << 47) | ((uint64_t)dpl << 45) |
           ((uint64_t)s << 44) | ((uint64_t)type << 40);
}

static void test_code_data(void)
{
    unsigned dpl, type;
    uint64_t out;

    for (dpl = 0; dpl < 4; dpl++)
        for (type = 0; type < 16; type++) {
            uint64_t d = mk(1, dpl, 1, type, 0x00af00000000ffffULL);

            CHECK(pv_check_descriptor(d, &out));
            CHECK_EQ((out >> 45) & 3, 3);
            CHECK_EQ(out & ~(3ULL << 45), d & ~(3ULL << 45));
        }
}

static void test_not_present(void)
{
    uint64_t out;

    CHECK(pv_check_descriptor(0, &out) && out == 0);
    CHECK(pv_check_descriptor(mk(0, 0, 0, 0xc, 0x1234), &out) &&
          out == mk(0, 0, 0, 0xc, 0x1234));
}

static void test_system_refused(void)
{
    unsigned dpl, type;
    uint64_t out = 0x55;

    for (dpl = 0; dpl < 4; dpl++)
        for (type = 1; type < 16; type++)
            CHECK(!pv_check_descriptor(mk(1, dpl, 0, type, 0xe0080000ULL),
                                       &out));
    CHECK_EQ(out, 0x55);                /* nothing written on refusal */
    CHECK(pv_check_descriptor(mk(1, 0, 0, 0, 0), &out));
}

int main(void)
{
    RUN_TEST(test_code_data);
    RUN_TEST(test_not_present);
    RUN_TEST(test_system_refused);
    return th_finish();
}
