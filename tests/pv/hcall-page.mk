# Our first PV test kernels (tests/pv/hcall-page/, see main.c): hello,
# start_info, xen_version and poweroff, through the hypercall page
# (hcall-page.elf) or with inline `syscall` and no HYPERCALL_PAGE note
# (hcall-inline.elf, -DNO_HYPERCALL_PAGE). Each is one gcc call that
# compiles and links both sources against their own linker script.

XEN_ABI ?= -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__

HCALL_PV_DIR  := tests/pv/hcall-page
HCALL_PV_SRCS := $(HCALL_PV_DIR)/head.S $(HCALL_PV_DIR)/main.c
HCALL_PV_LDS  := $(HCALL_PV_DIR)/kernel.lds
HCALL_PV_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
    -Wstrict-prototypes -Wmissing-prototypes \
    -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
    -I$(STAGE_INC) $(XEN_ABI) \
    -fno-pic -mcmodel=kernel -mno-red-zone -mno-sse -mno-sse2 -mno-mmx \
    -mno-80387 -fno-stack-protector -fno-asynchronous-unwind-tables \
    -fcf-protection=none -fno-builtin
HCALL_PV_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
    -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,-T,$(HCALL_PV_LDS)

$(BUILD)/pv/hcall-page.elf: $(HCALL_PV_SRCS) $(HCALL_PV_LDS) \
        tests/pv/hcall-page.mk | $(STAGE_INC)/xen
	@mkdir -p $(dir $@)
	$(CC) $(HCALL_PV_CFLAGS) $(HCALL_PV_LDFLAGS) -o $@ $(HCALL_PV_SRCS)

$(BUILD)/pv/hcall-inline.elf: $(HCALL_PV_SRCS) $(HCALL_PV_LDS) \
        tests/pv/hcall-page.mk | $(STAGE_INC)/xen
	@mkdir -p $(dir $@)
	$(CC) $(HCALL_PV_CFLAGS) -DNO_HYPERCALL_PAGE $(HCALL_PV_LDFLAGS) \
	    -o $@ $(HCALL_PV_SRCS)

PV_KERNELS += $(BUILD)/pv/hcall-page.elf $(BUILD)/pv/hcall-inline.elf
