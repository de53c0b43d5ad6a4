# Host unit tests of the xenstore server library (shim/backends/xenstore/),
# driven through a fake ring page as a guest would.
UNIT_TESTS += xenstored
XSD_LIB_SRCS := $(sort $(wildcard shim/backends/xenstore/*.c))
xenstored_SRCS := tests/unit/test_xenstored.c $(XSD_LIB_SRCS) shim/lib/log.c \
    shim/lib/vsnprintf.c shim/lib/string.c
