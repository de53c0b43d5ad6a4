/*
 * Multiboot 1 (Multiboot Specification 0.6.96) and Multiboot 2 (Multiboot2
 * Specification 2.0) constants. Shared by the 32-bit boot assembly and the
 * C parsers (shim/boot/multiboot.c): everything C-only sits under
 * #ifndef __ASSEMBLY__, and the numbers carry no C suffixes.
 */
#ifndef XHV_MULTIBOOT_H
#define XHV_MULTIBOOT_H

/* ---- Multiboot 1 -------------------------------------------------------- */

#define MB1_HEADER_MAGIC            0x1BADB002  /* in the OS image */
#define MB1_BOOTLOADER_MAGIC        0x2BADB002  /* in %eax at entry */
#define MB1_SEARCH                  8192        /* header within first 8 KiB */
#define MB1_HEADER_ALIGN            4

/* Header flags (3.1.2). Bits 0-15 are "must understand". */
#define MB1_HDR_PAGE_ALIGN          0x00000001  /* modules page aligned */
#define MB1_HDR_MEMORY_INFO         0x00000002  /* want mem_* and mmap_* */
#define MB1_HDR_VIDEO_MODE          0x00000004  /* want video mode table */
#define MB1_HDR_AOUT_KLUDGE         0x00010000  /* address fields valid */

/* Info structure flags (3.3): which fields the loader filled in. */
#define MB1_INFO_MEMORY             0x00000001  /* mem_lower, mem_upper */
#define MB1_INFO_BOOTDEV            0x00000002
#define MB1_INFO_CMDLINE            0x00000004
#define MB1_INFO_MODS               0x00000008
#define MB1_INFO_AOUT_SYMS          0x00000010
#define MB1_INFO_ELF_SHDR           0x00000020
#define MB1_INFO_MEM_MAP            0x00000040  /* mmap_length, mmap_addr */
#define MB1_INFO_DRIVE_INFO         0x00000080
#define MB1_INFO_CONFIG_TABLE       0x00000100
#define MB1_INFO_BOOT_LOADER_NAME   0x00000200
#define MB1_INFO_APM_TABLE          0x00000400
#define MB1_INFO_VBE_INFO           0x00000800
#define MB1_INFO_FRAMEBUFFER_INFO   0x00001000

/* Byte offsets of the info structure fields (3.3). */
#define MB1_INFO_OFF_FLAGS          0
#define MB1_INFO_OFF_MEM_LOWER      4
#define MB1_INFO_OFF_MEM_UPPER      8
#define MB1_INFO_OFF_BOOT_DEVICE    12
#define MB1_INFO_OFF_CMDLINE        16
#define MB1_INFO_OFF_MODS_COUNT     20
#define MB1_INFO_OFF_MODS_ADDR      24
#define MB1_INFO_OFF_SYMS           28
#define MB1_INFO_OFF_MMAP_LENGTH    44
#define MB1_INFO_OFF_MMAP_ADDR      48
#define MB1_INFO_OFF_DRIVES_LENGTH  52
#define MB1_INFO_OFF_DRIVES_ADDR    56
#define MB1_INFO_OFF_CONFIG_TABLE   60
#define MB1_INFO_OFF_BOOT_LOADER    64
#define MB1_INFO_OFF_APM_TABLE      68
#define MB1_INFO_OFF_VBE            72
#define MB1_INFO_OFF_FRAMEBUFFER    88
#define MB1_INFO_SIZE               116 /* with the framebuffer fields */

/* Module entry: mod_start, mod_end, string, reserved. */
#define MB1_MOD_SIZE                16
/* Memory map entry: size (of the rest), base_addr, length, type. */
#define MB1_MMAP_ENTRY_MIN          20  /* value of 'size' for the base entry */

/* ---- Multiboot 2 -------------------------------------------------------- */

#define MB2_HEADER_MAGIC            0xE85250D6
#define MB2_BOOTLOADER_MAGIC        0x36D76289
#define MB2_SEARCH                  32768       /* header within first 32 KiB */
#define MB2_HEADER_ALIGN            8
#define MB2_ARCH_I386               0
#define MB2_ARCH_MIPS32             4

/* Header tags (3.1.3 ff). */
#define MB2_HDR_TAG_END             0
#define MB2_HDR_TAG_INFO_REQUEST    1
#define MB2_HDR_TAG_ADDRESS         2
#define MB2_HDR_TAG_ENTRY_ADDRESS   3
#define MB2_HDR_TAG_CONSOLE_FLAGS   4
#define MB2_HDR_TAG_FRAMEBUFFER     5
#define MB2_HDR_TAG_MODULE_ALIGN    6
#define MB2_HDR_TAG_EFI_BS          7
#define MB2_HDR_TAG_ENTRY_EFI32     8
#define MB2_HDR_TAG_ENTRY_EFI64     9
#define MB2_HDR_TAG_RELOCATABLE     10
#define MB2_HDR_TAG_OPTIONAL        1           /* tag 'flags' bit 0 */

/* Boot information tags (3.6). Tags are 8-byte aligned. */
#define MB2_TAG_ALIGN               8
#define MB2_TAG_END                 0
#define MB2_TAG_CMDLINE             1
#define MB2_TAG_BOOT_LOADER_NAME    2
#define MB2_TAG_MODULE              3
#define MB2_TAG_BASIC_MEMINFO       4
#define MB2_TAG_BOOTDEV             5
#define MB2_TAG_MMAP                6
#define MB2_TAG_VBE                 7
#define MB2_TAG_FRAMEBUFFER         8
#define MB2_TAG_ELF_SECTIONS        9
#define MB2_TAG_APM                 10
#define MB2_TAG_EFI32               11
#define MB2_TAG_EFI64               12
#define MB2_TAG_SMBIOS              13
#define MB2_TAG_ACPI_OLD            14          /* copy of an ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW            15          /* copy of an ACPI 2.0+ RSDP */
#define MB2_TAG_NETWORK             16
#define MB2_TAG_EFI_MMAP            17
#define MB2_TAG_EFI_BS              18
#define MB2_TAG_EFI32_IH            19
#define MB2_TAG_EFI64_IH            20
#define MB2_TAG_LOAD_BASE_ADDR      21

/* Fixed part sizes of the tags the parser reads (type and size included). */
#define MB2_INFO_HDR_SIZE           8   /* total_size, reserved */
#define MB2_TAG_HDR_SIZE            8   /* type, size */
#define MB2_TAG_MODULE_HDR_SIZE     16  /* + mod_start, mod_end */
#define MB2_TAG_MEMINFO_SIZE        16  /* + mem_lower, mem_upper */
#define MB2_TAG_MMAP_HDR_SIZE       16  /* + entry_size, entry_version */
#define MB2_MMAP_ENTRY_MIN          24  /* base_addr, length, type, reserved */

/*
 * Deliberately no C structs: the parsers read fields by the offsets above
 * through a bounds-checked map, never by casting a physical address. C-only
 * additions go under #ifndef __ASSEMBLY__.
 */

#endif /* XHV_MULTIBOOT_H */
