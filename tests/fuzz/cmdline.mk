# libFuzzer target for the shim's command-line parser (cmdline_parse and
# the generic table engine); seeds in tests/fuzz/seeds/cmdline/ (lines as
# QEMU -append and GRUB give them, every option and syntax form).
FUZZERS += cmdline
cmdline_FUZZ_SRCS := tests/fuzz/fuzz_cmdline.c shim/cmdline.c shim/lib/log.c \
    shim/lib/vsnprintf.c shim/lib/string.c
