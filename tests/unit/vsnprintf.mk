UNIT_TESTS += vsnprintf
vsnprintf_SRCS := tests/unit/test_vsnprintf.c shim/lib/vsnprintf.c
