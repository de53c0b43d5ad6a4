# The hostile PV test kernel (tests/pv/hostile/, see main.c): every
# implemented hypercall fed bad input, on the shared PV test library
# (tests/pv/lib/: entry and notes, inline-syscall hypercalls, console
# printf, PASS/FAIL reporting, a trap table that catches provoked faults).
# One gcc call compiles and links everything against lib/kernel.lds, with
# the same flags as hcall-page.mk.

PVLIB_DIR  := tests/pv/lib
PVLIB_SRCS := $(PVLIB_DIR)/head.S $(PVLIB_DIR)/traps.S \
              $(PVLIB_DIR)/console.c $(PVLIB_DIR)/report.c \
              $(PVLIB_DIR)/traps.c $(PVLIB_DIR)/string.c
PVLIB_HDRS := $(wildcard $(PVLIB_DIR)/*.h)
PVLIB_LDS  := $(PVLIB_DIR)/kernel.lds

PVLIB_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
    -Wstrict-prototypes -Wmissing-prototypes \
    -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
    -I$(STAGE_INC) $(XEN_ABI) \
    -fno-pic -mcmodel=kernel -mno-red-zone -mno-sse -mno-sse2 -mno-mmx \
    -mno-80387 -fno-stack-protector -fno-asynchronous-unwind-tables \
    -fcf-protection=none -fno-builtin
PVLIB_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
    -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,-T,$(PVLIB_LDS)

HOSTILE_DIR  := tests/pv/hostile
HOSTILE_SRCS := $(sort $(wildcard $(HOSTILE_DIR)/*.c))

$(BUILD)/pv/hostile.elf: $(PVLIB_SRCS) $(PVLIB_HDRS) $(PVLIB_LDS) \
        $(HOSTILE_SRCS) $(HOSTILE_DIR)/hostile.h tests/pv/hostile.mk \
        | $(STAGE_INC)/xen
	@mkdir -p $(dir $@)
	$(CC) $(PVLIB_CFLAGS) $(PVLIB_LDFLAGS) -o $@ $(PVLIB_SRCS) \
	    $(HOSTILE_SRCS)

PV_KERNELS += $(BUILD)/pv/hostile.elf
