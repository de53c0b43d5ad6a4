# libFuzzer target for the xz decoder; seeds in tests/fuzz/seeds/xz/ (small
# .xz files covering each check type, x86 BCJ, Delta, multiple blocks and
# streams, and two raw LZMA2 inputs for the harness's direct LZMA2 path).
FUZZERS += xz
xz_FUZZ_SRCS := tests/fuzz/fuzz_xz.c shim/loader/xz.c shim/loader/lzma2.c \
    shim/loader/bcj_x86.c shim/loader/crc.c
