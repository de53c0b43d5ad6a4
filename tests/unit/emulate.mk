# Privileged-instruction emulation and the PV CPUID policy (shim/emul/):
# the decoder on byte strings (every emulated and refused form, prefix
# mixes, truncated fetches, random bytes), MSR/CR/xsetbv/port-I/O semantics
# and the CPUID policy on fake hosts (all bits set, Intel, AMD, no XSAVE,
# parent hypervisor leaves present). copy_from_guest() and the arch hooks
# are fakes in the test.
UNIT_TESTS += emulate
emulate_SRCS := tests/unit/test_emulate.c shim/emul/priv_op.c \
    shim/emul/cpuid_policy.c shim/emul/msr.c shim/emul/io.c \
    shim/lib/log.c shim/lib/vsnprintf.c
