# The PV MMU (shim/mm, shim/hypercall/mmu.c) over 4096 fake frames: frame
# table, page types and reference counts, every entry rule allowed and
# refused, mmu_update/mmuext_op/update_va_mapping error paths, and the
# writable-page-table decoder. MM_TEST_VERBOSE=1 shows the shim's messages.
UNIT_TESTS += mm
mm_SRCS := tests/unit/test_mm.c shim/mm/frame_table.c shim/mm/page_type.c \
    shim/mm/pt_validate.c shim/mm/ptwr.c shim/hypercall/mmu.c \
    shim/frame_alloc.c shim/guest_access.c
