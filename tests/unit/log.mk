UNIT_TESTS += log
log_SRCS := tests/unit/test_log.c shim/lib/log.c shim/lib/vsnprintf.c
