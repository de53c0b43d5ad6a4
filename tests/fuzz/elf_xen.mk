# libFuzzer target for the kernel loader: module probe/unpack (bzImage,
# gzip, xz), ELF64 validation, Xen ELF notes, feature checks and segment
# loading. Seeds in tests/fuzz/seeds/elf_xen/: a Debian-like PV ELF (with
# and without hypercall page, notes in a section), the same as an xz and a
# gzip bzImage and a raw .xz, and a zstd bzImage.
FUZZERS += elf_xen
elf_xen_FUZZ_SRCS := tests/fuzz/fuzz_elf_xen.c shim/loader/elf.c \
    shim/loader/xen_notes.c shim/loader/bzimage.c shim/loader/xz.c \
    shim/loader/lzma2.c shim/loader/bcj_x86.c shim/loader/crc.c \
    shim/loader/gunzip.c shim/loader/inflate.c
