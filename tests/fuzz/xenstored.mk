# libFuzzer target for the xenstore server library: scripts of guest actions
# on the ring page (messages, raw bytes, wild indices, reconnects) mixed with
# dom0 writes; seeds in tests/fuzz/seeds/xenstored/ (Linux boot traffic).
FUZZERS += xenstored
xenstored_FUZZ_SRCS := tests/fuzz/fuzz_xenstored.c \
    $(sort $(wildcard shim/backends/xenstore/*.c)) shim/lib/log.c \
    shim/lib/vsnprintf.c shim/lib/string.c
