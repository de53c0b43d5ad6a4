FUZZERS += xenstore
xenstore_FUZZ_SRCS := tests/fuzz/fuzz_xenstore.c shim/backends/xs_store.c \
    shim/backends/xs_proto.c shim/lib/vsnprintf.c shim/lib/log.c \
    shim/lib/string.c
