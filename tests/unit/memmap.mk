UNIT_TESTS += memmap
memmap_SRCS := tests/unit/test_memmap.c shim/boot/memmap.c
