UNIT_TESTS += multiboot
multiboot_SRCS := tests/unit/test_multiboot.c shim/boot/multiboot.c \
    shim/lib/string.c
