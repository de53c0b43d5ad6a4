# The Hyper-V parent's pure part (drivers/hyperv/tlfs_calc.c) and the TLFS
# encoders (include/hyperv/tlfs.h): control word and result fields, status
# codes, rep restart against a fake hypervisor that completes a few reps
# per call, sparse VP sets (VP indices above 64, bank mask and order,
# random sets decoded back), and reference-TSC arithmetic against a
# TIME_REF_COUNT modelled with exact 128-bit division, with the page's
# sequence protocol and its fall back to the MSR.
UNIT_TESTS += hyperv
hyperv_SRCS := tests/unit/test_hyperv.c drivers/hyperv/tlfs_calc.c
$(BUILD)/unit/hyperv: include/hyperv/tlfs.h
