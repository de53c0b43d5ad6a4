UNIT_TESTS += descriptor
descriptor_SRCS := tests/unit/test_descriptor.c shim/pv/descriptor.c
