UNIT_TESTS += frame_alloc
frame_alloc_SRCS := tests/unit/test_frame_alloc.c shim/frame_alloc.c
