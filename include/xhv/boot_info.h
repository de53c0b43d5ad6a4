/*
 * struct boot_info: what every boot path (multiboot1, multiboot2, UEFI)
 * hands to start_shim(). Everything in it is a copy: once filled, the
 * loader's structures (multiboot info, strings, memory map) may be
 * overwritten; only the modules' contents stay where the loader put them.
 *
 * Invariants after a successful boot_info_from_mb*():
 *   - every string is NUL-terminated within its array;
 *   - mem[0 .. mem_count) are the loader's entries in its order, len > 0,
 *     base + len does not wrap (run memmap_sanitize() before use);
 *   - mods[i].start + mods[i].len does not wrap;
 *   - counts never exceed the array sizes; a *_truncated flag says that
 *     something was dropped or cut to fit.
 *
 * Command lines are "cooked" as Xen does (cmdline_cook): loaders other than
 * GRUB 2 put the image name first (QEMU's -kernel gives "/path/xhv opts",
 * its -initrd modules "/path/vmlinuz args"), so that first word is removed
 * from the shim's and every module's command line.
 */
#ifndef XHV_BOOT_INFO_H
#define XHV_BOOT_INFO_H

#include <xhv/types.h>

/* E820 / multiboot memory types (ACPI "Address Range Types"). */
#define E820_RAM            1
#define E820_RESERVED       2
#define E820_ACPI           3   /* ACPI reclaimable */
#define E820_NVS            4   /* ACPI NVS */
#define E820_UNUSABLE       5

#define BOOT_CMDLINE_MAX    1024    /* incl. NUL; Xen's MAX_GUEST_CMDLINE */
#define BOOT_LOADER_MAX     64      /* loader name, incl. NUL */
#define BOOT_MEM_MAX        128     /* memory map entries */
#define BOOT_MOD_MAX        16      /* modules */
#define BOOT_RSDP_MAX       36      /* ACPI 2.0 RSDP size */

enum boot_proto {
    BOOT_PROTO_NONE = 0,
    BOOT_PROTO_MB1,
    BOOT_PROTO_MB2,
    BOOT_PROTO_EFI,
};

/* A physical address range [start, end). */
struct phys_range {
    uint64_t start;
    uint64_t end;
};

struct boot_mem_range {
    uint64_t base;
    uint64_t len;
    uint32_t type;              /* E820_* (other values: treat as reserved) */
};

struct boot_module {
    uint64_t start;             /* physical */
    uint64_t len;               /* bytes */
    char cmdline[BOOT_CMDLINE_MAX];
    bool cmdline_truncated;
};

struct boot_info {
    enum boot_proto proto;
    uint32_t mb1_flags;         /* multiboot1 info 'flags' as given */
    uint64_t mb2_tags;          /* bit n: a multiboot2 tag of type n (< 64) */

    char loader_name[BOOT_LOADER_MAX];

    char cmdline[BOOT_CMDLINE_MAX];     /* the shim's options */
    bool cmdline_truncated;

    struct boot_mem_range mem[BOOT_MEM_MAX];
    unsigned int mem_count;
    bool mem_truncated;
    bool mem_from_map;          /* false: built from mem_lower/mem_upper */
    bool have_meminfo;
    uint32_t mem_lower_kb;      /* below 1 MiB */
    uint32_t mem_upper_kb;      /* from 1 MiB to the first hole */

    struct boot_module mods[BOOT_MOD_MAX];
    unsigned int mod_count;
    bool mods_truncated;

    uint8_t rsdp[BOOT_RSDP_MAX];/* copy of the RSDP (multiboot2 14/15) */
    unsigned int rsdp_len;      /* 0: none; 20: ACPI 1.0; up to 36 */
    bool have_rsdp;
    uint64_t rsdp_phys;         /* 0 if the boot path knows no address */

    struct phys_range info;     /* the loader's info structure itself */

    unsigned int warnings;      /* things skipped or cut, see last_warning */
    const char *last_warning;   /* static text, or NULL */
};

/*
 * Physical memory access for the parsers: return a pointer through which
 * [pa, pa + len) can be read, or NULL if any of it cannot be provided.
 * len is never 0. The parsers read the loader's bytes only this way, so a
 * bad or hostile structure can make them skip data, never read elsewhere.
 */
typedef const void *(*boot_map_fn)(uint64_t pa, size_t len, void *ctx);

/*
 * Fill bi (zeroed first) from a multiboot1 / multiboot2 information
 * structure at info_pa; the caller has checked the magic in %eax.
 * Returns 0 (possibly with warnings), -XEN_EFAULT if the structure's header
 * cannot be mapped, or -XEN_EINVAL if it is malformed beyond use (mb2: bad
 * alignment or total_size) or gives no memory information at all (bi then
 * still holds what was found, e.g. for a message). Problems inside (a
 * module outside memory, a string without NUL, a bad mmap entry) are
 * skipped and counted in bi->warnings instead.
 */
int boot_info_from_mb1(struct boot_info *bi, uint32_t info_pa,
                       boot_map_fn map, void *ctx);
int boot_info_from_mb2(struct boot_info *bi, uint32_t info_pa,
                       boot_map_fn map, void *ctx);

/*
 * Sort m[0 .. n), page-align it (RAM shrinks inward, anything else grows
 * outward), resolve overlaps (the more restrictive type wins: unusable >
 * reserved and unknown types > NVS > ACPI reclaim > RAM), drop empty
 * entries and merge neighbours of equal type. Splitting a range can need
 * more entries than n; up to cap are used, and a piece that does not fit is
 * dropped: a dropped range reads as a hole, which is never RAM, so the cost
 * is memory, never safety. Returns the new count.
 */
unsigned memmap_sanitize(struct boot_mem_range *m, unsigned n, unsigned cap);

#endif /* XHV_BOOT_INFO_H */
