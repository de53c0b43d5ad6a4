# libFuzzer target for the multiboot1/multiboot2 information parsers and
# memmap_sanitize, over a fake physical memory built from the input (format
# in tests/fuzz/fuzz_multiboot.c); seeds in tests/fuzz/seeds/multiboot/
# (QEMU-like mb1, GRUB-like mb2 and a few odd shapes).
FUZZERS += multiboot
multiboot_FUZZ_SRCS := tests/fuzz/fuzz_multiboot.c shim/boot/multiboot.c \
    shim/boot/memmap.c shim/lib/string.c
