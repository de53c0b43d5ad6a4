UNIT_TESTS += cmdline
cmdline_SRCS := tests/unit/test_cmdline.c shim/cmdline.c shim/lib/log.c \
    shim/lib/vsnprintf.c shim/lib/string.c
