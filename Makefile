# xhv — top-level build.
#
#   make            build build/xhv (the multiboot1/multiboot2 shim image)
#   make run        build, fetch the guest, boot it under xhv in QEMU (TCG)
#   make test       unit tests, fuzz smoke runs, boot tests; last line
#                   "N passed, N failed", non-zero exit on any failure
#   make unit       host unit tests only (ASan + UBSan)
#   make fuzz       longer libFuzzer runs (FUZZ_SECONDS each)
#   make boot-tests QEMU boot tests from tests/boot/matrix
#   make deps       install the Debian packages everything needs
#   make bench      benchmarks: native, Xen 4.17 and xhv in QEMU TCG, as
#                   ratios (tools/bench/run --help; --nested for Hyper-V)
#   make nested-test  the nested Hyper-V stage alone (docs/nested.md)

BUILD     ?= build
CC        := gcc
LD        := ld
OBJCOPY   := objcopy
HOSTCC    := gcc
FUZZCC    := clang

XEN_INC   := /usr/include/xen
STAGE_INC := $(BUILD)/include

# The guest ABI as of the headers we build with (Xen does the same), so no
# compatibility macros (e.g. console_evtchn) leak into our names.
XEN_ABI := -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__

# ---------------------------------------------------------------------------
# The freestanding shim.
#
# The shim is linked inside the Xen hypervisor hole (L4 slots 256-271, see
# docs/memory-layout.md), which is not in the top 2 GiB, so -mcmodel=kernel
# cannot be used. -fpie with the small code model makes every code and data
# reference RIP-relative (position independent within +-2 GiB), and hidden
# visibility stops gcc from going through a GOT; the final link is a plain
# static executable at a fixed address.
# ---------------------------------------------------------------------------
SHIM_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
    -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wvla \
    -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
    -Iinclude -I$(STAGE_INC) $(XEN_ABI) \
    -fpie -mcmodel=small -fvisibility=hidden -include include/xhv/visibility.h \
    -mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-80387 -mno-3dnow \
    -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables \
    -fno-omit-frame-pointer -fno-strict-aliasing -fno-common \
    -fno-tree-loop-distribute-patterns -fcf-protection=none \
    -MMD -MP
SHIM_ASFLAGS := $(filter-out -std=c11 -include include/xhv/visibility.h,$(SHIM_CFLAGS)) -D__ASSEMBLY__
SHIM_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 \
    -z noexecstack --no-relax --no-warn-rwx-segments -T $(BUILD)/xhv.lds --build-id=none

SHIM_DIRS := arch/x86_64 shim drivers
SHIM_C    := $(sort $(shell find $(SHIM_DIRS) -name '*.c'))
SHIM_S    := $(sort $(shell find $(SHIM_DIRS) -name '*.S'))
SHIM_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(SHIM_C)) \
             $(patsubst %.S,$(BUILD)/obj/%.o,$(SHIM_S))

.PHONY: all deps run test unit fuzz fuzz-smoke boot-tests clean stage pv-kernels
all: $(BUILD)/xhv

deps:
	@tools/deps.sh

$(STAGE_INC)/xen:
	@mkdir -p $(STAGE_INC)
	@ln -sfn $(XEN_INC) $@

$(BUILD)/obj/%.o: %.c | $(STAGE_INC)/xen
	@mkdir -p $(dir $@)
	$(CC) $(SHIM_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S | $(STAGE_INC)/xen
	@mkdir -p $(dir $@)
	$(CC) $(SHIM_ASFLAGS) -c $< -o $@

$(BUILD)/obj/asm-offsets.h: arch/x86_64/asm-offsets.c | $(STAGE_INC)/xen
	@mkdir -p $(dir $@)
	$(CC) $(SHIM_CFLAGS) -S $< -o $@.s
	sed -n 's/.*@@OFFSET@@ \([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\).*/#define \1 \2/p' $@.s > $@.tmp
	mv $@.tmp $@

$(patsubst %.S,$(BUILD)/obj/%.o,$(SHIM_S)): $(BUILD)/obj/asm-offsets.h
SHIM_ASFLAGS += -I$(BUILD)/obj

$(BUILD)/xhv.lds: arch/x86_64/xhv.lds include/xhv/layout.h
	@mkdir -p $(BUILD)
	$(CC) -E -P -x c -undef -D__ASSEMBLY__ -Iinclude $< -o $@

$(BUILD)/xhv: $(SHIM_OBJS) $(BUILD)/xhv.lds
	$(LD) $(SHIM_LDFLAGS) -o $@ $(filter %.o,$^) -Map $(BUILD)/xhv.map
	@tools/check-image.sh $@

-include $(SHIM_OBJS:.o=.d)

# ---------------------------------------------------------------------------
# Host unit tests: each tests/unit/<name>.mk adds "UNIT_TESTS += name" and
# "<name>_SRCS := tests/unit/test_<name>.c <shim files under test>".
# ---------------------------------------------------------------------------
HOST_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
    -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -DXHV_HOST_TEST -D_GNU_SOURCE $(XEN_ABI) \
    -Iinclude -I$(STAGE_INC) -Itests/unit

UNIT_TESTS :=
include $(wildcard tests/unit/*.mk)

UNIT_BINS := $(patsubst %,$(BUILD)/unit/%,$(UNIT_TESTS))

define unit_rule
$(BUILD)/unit/$(1): $$($(1)_SRCS) $$(wildcard include/xhv/*.h tests/unit/*.h) | $(STAGE_INC)/xen
	@mkdir -p $$(dir $$@)
	$$(HOSTCC) $$(HOST_CFLAGS) $$($(1)_CFLAGS) -o $$@ $$($(1)_SRCS) $$($(1)_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

unit: $(UNIT_BINS)
	@tools/test/run-unit.sh $(UNIT_BINS)

# ---------------------------------------------------------------------------
# libFuzzer targets: tests/fuzz/<name>.mk adds "FUZZERS += name" and
# "<name>_FUZZ_SRCS := tests/fuzz/fuzz_<name>.c <shim files>".
# ---------------------------------------------------------------------------
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -DXHV_HOST_TEST -D_GNU_SOURCE $(XEN_ABI) \
    -Iinclude -I$(STAGE_INC) -Itests/unit
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_SECONDS ?= 600

FUZZERS :=
include $(wildcard tests/fuzz/*.mk)
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/%,$(FUZZERS))

define fuzz_rule
$(BUILD)/fuzz/$(1): $$($(1)_FUZZ_SRCS) | $(STAGE_INC)/xen
	@mkdir -p $$(dir $$@)
	$$(FUZZCC) $$(FUZZ_CFLAGS) -o $$@ $$($(1)_FUZZ_SRCS)
endef
$(foreach t,$(FUZZERS),$(eval $(call fuzz_rule,$(t))))

fuzz-smoke: $(FUZZ_BINS)
	@tools/test/run-fuzz.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@tools/test/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# ---------------------------------------------------------------------------
# Our own PV test kernels (tests/pv/*.mk add their targets to PV_KERNELS).
# ---------------------------------------------------------------------------
PV_KERNELS :=
include $(wildcard tests/pv/*.mk)

pv-kernels: $(PV_KERNELS)

# ---------------------------------------------------------------------------
boot-tests: $(BUILD)/xhv $(PV_KERNELS)
	@tools/test/run-boot.sh tests/boot/matrix

# Nested Hyper-V harness (tools/nested, docs/nested.md): QEMU TCG with AMD
# SVM -> Debian + kvm_amd -> QEMU/KVM with hv-* flags -> xhv. nested-image
# builds the cached L1 image (root, debootstrap), nested-test is the test
# stage, nested-shell the guest's shell in L2 on this terminal.
.PHONY: nested-image nested-test nested-shell
nested-image:
	@tools/nested/build-l1.sh
nested-test: $(BUILD)/xhv
	@tools/nested/test.sh
nested-shell: $(BUILD)/xhv
	@tools/nested/run.py --shell

# Benchmarks (tools/bench, docs/benchmarks.md): the same guest natively, under
# Xen 4.17 and under xhv in QEMU TCG; reports ratios, never fails. Quick look:
# make bench BENCH_ARGS=--quick. Results in build/bench/.
.PHONY: bench
bench: deps $(BUILD)/xhv
	@tools/bench/run $(BENCH_ARGS)

test: deps
	@tools/test/run-all.sh

run: deps $(BUILD)/xhv
	@tools/run.sh

clean:
	rm -rf $(BUILD)
