UNIT_TESTS += pv_layout
pv_layout_SRCS := tests/unit/test_pv_layout.c shim/loader/pv_layout.c
