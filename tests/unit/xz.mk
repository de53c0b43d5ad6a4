# xz decoder (shim/loader): .xz container + LZMA2 + x86 BCJ, checked against
# the system xz(1), which the test runs itself into a private temp dir.
# Set XHV_TEST_VMLINUZ=/path/to/bzImage to also check a real kernel payload.
UNIT_TESTS += xz
xz_SRCS := tests/unit/test_xz.c shim/loader/xz.c shim/loader/lzma2.c \
    shim/loader/bcj_x86.c shim/loader/crc.c
