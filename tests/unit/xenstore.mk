UNIT_TESTS += xenstore
xenstore_SRCS := tests/unit/test_xenstore.c shim/backends/xs_store.c \
    shim/backends/xs_proto.c shim/lib/vsnprintf.c shim/lib/log.c \
    shim/lib/string.c
