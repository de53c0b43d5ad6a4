# ELF64 validation, Xen ELF notes and segment loading (shim/loader/elf.c,
# xen_notes.c) on ELF files built in the test: every note type and size,
# missing notes, bad headers and segments, note bounds, section fallback,
# feature checks, random damage. Set XHV_TEST_VMLINUZ=$(tools/fetch-kernel.sh)
# to also check Debian's kernel (probed and unpacked with bzimage.c + xz).
UNIT_TESTS += elf_xen
elf_xen_SRCS := tests/unit/test_elf_xen.c shim/loader/elf.c \
    shim/loader/xen_notes.c shim/loader/bzimage.c shim/loader/xz.c \
    shim/loader/lzma2.c shim/loader/bcj_x86.c shim/loader/crc.c \
    shim/loader/gunzip.c shim/loader/inflate.c
