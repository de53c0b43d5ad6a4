# Guest kernel image probe/unpack (shim/loader/bzimage.c): bzImages built in
# the test around xz(1)/gzip(1) payloads, raw gzip/xz modules, unsupported
# compressions by name, malformed headers and sizes, truncations and flips.
# Set XHV_TEST_VMLINUZ=$(tools/fetch-kernel.sh) to also unpack Debian's kernel.
UNIT_TESTS += kernel_image
kernel_image_SRCS := tests/unit/test_kernel_image.c shim/loader/bzimage.c \
    shim/loader/xz.c shim/loader/lzma2.c shim/loader/bcj_x86.c \
    shim/loader/crc.c shim/loader/gunzip.c shim/loader/inflate.c
