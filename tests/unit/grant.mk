# Grant tables v1 (shim/grant_table.c, shim/hypercall/grant.c) over 1024
# fake frames and the real frame table and page types: setup_table,
# query_size, versions, GNTTABOP_copy/swap, the backends' map/unmap/copy
# with every refusal, and a second thread racing the guest's flag bits.
# GRANT_TEST_VERBOSE=1 shows the shim's messages.
UNIT_TESTS += grant
grant_SRCS := tests/unit/test_grant.c shim/grant_table.c \
    shim/hypercall/grant.c shim/mm/frame_table.c shim/mm/page_type.c \
    shim/mm/pt_validate.c shim/frame_alloc.c shim/guest_access.c
grant_LIBS := -pthread
