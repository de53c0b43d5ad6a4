/*
 * Multiboot 1 and 2 information parsers: loader structures -> struct
 * boot_info (<xhv/boot_info.h>).
 *
 * Trust: the structures come from the boot loader, which may be buggy, and
 * the bytes are read only through the caller's map callback, one field at a
 * time, each read bounds-checked by it. Every count, size and pointer is
 * checked before use: loops are bounded by the array sizes here or by the
 * structure's own (checked) lengths, and a bad item is skipped and counted
 * in bi->warnings rather than failing the boot. Nothing is written outside
 * *bi.
 *
 * Ordering: strings are copied raw first; the image-name cooking needs the
 * loader name, which multiboot2 may give after the command line, so it runs
 * once at the end.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/boot_info.h>
#include <xhv/multiboot.h>
#include <xen/errno.h>

struct mbr {
    boot_map_fn map;
    void *ctx;
    struct boot_info *bi;
};

static void warn(struct boot_info *bi, const char *why)
{
    bi->warnings++;
    bi->last_warning = why;
}

static bool rd_bytes(const struct mbr *r, uint64_t pa, void *dst, size_t n)
{
    const void *p;

    if (pa + n < pa)
        return false;
    p = r->map(pa, n, r->ctx);
    if (!p)
        return false;
    memcpy(dst, p, n);      /* the loader's fields need not be aligned */
    return true;
}

static bool rd32(const struct mbr *r, uint64_t pa, uint32_t *v)
{
    return rd_bytes(r, pa, v, sizeof(*v));
}

static bool rd64(const struct mbr *r, uint64_t pa, uint64_t *v)
{
    return rd_bytes(r, pa, v, sizeof(*v));
}

enum str_result { STR_OK, STR_CUT, STR_BAD };

/*
 * Copy the string at pa, of which at most 'avail' bytes belong to the
 * structure, into dst[size] (size >= 1). Bytes are mapped one at a time so
 * a string ending just before unmapped memory is still read. STR_CUT: the
 * copy was cut to fit dst, or no NUL within 'avail' (the bytes before are
 * kept). STR_BAD: unreadable before its end; dst is then "".
 */
static enum str_result copy_str(const struct mbr *r, uint64_t pa,
                                uint64_t avail, char *dst, size_t size)
{
    uint64_t i;
    char c;

    /* Invariant: dst[0 .. i) holds the first i bytes, none of them NUL. */
    for (i = 0;; i++) {
        if (i == avail) {
            dst[i < size ? i : size - 1] = '\0';
            return STR_CUT;
        }
        if (!rd_bytes(r, pa + i, &c, 1)) {
            dst[0] = '\0';
            return STR_BAD;
        }
        if (c == '\0') {
            dst[i] = '\0';
            return STR_OK;
        }
        if (i == size - 1) {
            dst[i] = '\0';
            return STR_CUT;
        }
        dst[i] = c;
    }
}

/* Copy a string and record problems; 'cut' may be NULL. */
static void take_str(const struct mbr *r, uint64_t pa, uint64_t avail,
                     char *dst, size_t size, bool *cut, const char *what)
{
    switch (copy_str(r, pa, avail, dst, size)) {
    case STR_OK:
        break;
    case STR_CUT:
        if (cut)
            *cut = true;
        warn(r->bi, what);
        break;
    case STR_BAD:
        warn(r->bi, what);
        break;
    }
}

static void add_mem(struct boot_info *bi, uint64_t base, uint64_t len,
                    uint32_t type)
{
    if (len == 0)
        return;
    if (len > UINT64_MAX - base) {
        len = UINT64_MAX - base;        /* wraps: end at the top instead */
        warn(bi, "memory map entry wraps around");
        if (len == 0)                   /* base == UINT64_MAX: nothing left */
            return;
    }
    if (bi->mem_count == BOOT_MEM_MAX) {
        if (!bi->mem_truncated)
            warn(bi, "memory map too long, entries dropped");
        bi->mem_truncated = true;
        return;
    }
    bi->mem[bi->mem_count].base = base;
    bi->mem[bi->mem_count].len = len;
    bi->mem[bi->mem_count].type = type;
    bi->mem_count++;
}

/* Returns the new module, or NULL (and a warning) if it is unusable. */
static struct boot_module *add_mod(struct boot_info *bi, uint32_t start,
                                   uint32_t end)
{
    struct boot_module *m;

    if (end < start) {
        warn(bi, "module ends before it starts, skipped");
        return NULL;
    }
    if (bi->mod_count == BOOT_MOD_MAX) {
        if (!bi->mods_truncated)
            warn(bi, "too many modules, extra ones dropped");
        bi->mods_truncated = true;
        return NULL;
    }
    m = &bi->mods[bi->mod_count++];
    m->start = start;
    m->len = (uint64_t)end - start;
    m->cmdline[0] = '\0';
    return m;
}

/* No map: RAM below 1 MiB and from 1 MiB up to the first hole. */
static void mem_from_meminfo(struct boot_info *bi)
{
    add_mem(bi, 0, (uint64_t)bi->mem_lower_kb << 10, E820_RAM);
    add_mem(bi, 1ULL << 20, (uint64_t)bi->mem_upper_kb << 10, E820_RAM);
}

/* Xen's loader_is_grub2: "GRUB 1.x"/"GRUB 2.x"; GRUB Legacy is "GNU GRUB 0.x". */
static bool loader_is_grub2(const char *name)
{
    const char *p;

    for (p = name; *p; p++)
        if (strncmp(p, "GRUB ", 5) == 0)
            return p[5] != '0' && p[5] != '\0';
    return false;
}

/* Drop leading blanks and the image name plus the blanks after it. */
static void strip_image_name(char *s)
{
    size_t i = 0;

    while (s[i] == ' ')
        i++;
    while (s[i] && s[i] != ' ')
        i++;
    while (s[i] == ' ')
        i++;
    memmove(s, s + i, strlen(s + i) + 1);
}

static void cook_cmdlines(struct boot_info *bi)
{
    unsigned int i;

    if (loader_is_grub2(bi->loader_name))
        return;
    strip_image_name(bi->cmdline);
    for (i = 0; i < bi->mod_count; i++)
        strip_image_name(bi->mods[i].cmdline);
}

/* ---- multiboot1 ---------------------------------------------------------- */

static void mb1_mmap(const struct mbr *r, uint32_t addr, uint32_t length)
{
    uint64_t off = 0;

    /* Invariant: entries in [addr, addr + off) have been taken. Each step
     * advances by at least 24 bytes, so the loop ends. */
    while (off + 4 <= length) {
        uint64_t e = (uint64_t)addr + off, base, len;
        uint32_t size, type;

        if (!rd32(r, e, &size)) {
            warn(r->bi, "memory map unreadable");
            return;
        }
        if (size < MB1_MMAP_ENTRY_MIN) {
            warn(r->bi, "memory map entry size too small");
            return;
        }
        if (off + 4 + size > length) {
            warn(r->bi, "memory map entry overruns the map");
            return;
        }
        if (!rd64(r, e + 4, &base) || !rd64(r, e + 12, &len) ||
            !rd32(r, e + 20, &type)) {
            warn(r->bi, "memory map unreadable");
            return;
        }
        add_mem(r->bi, base, len, type);
        off += 4 + (uint64_t)size;
    }
}

static void mb1_mods(const struct mbr *r, uint32_t count, uint32_t addr)
{
    uint32_t i;

    /* Only as many entries as fit are read: a huge count costs nothing. */
    for (i = 0; i < count; i++) {
        uint64_t e = (uint64_t)addr + (uint64_t)i * MB1_MOD_SIZE;
        uint32_t start, end, str;
        struct boot_module *m;

        if (r->bi->mod_count == BOOT_MOD_MAX) {
            r->bi->mods_truncated = true;
            warn(r->bi, "too many modules, extra ones dropped");
            return;
        }
        if (!rd32(r, e, &start) || !rd32(r, e + 4, &end) ||
            !rd32(r, e + 8, &str)) {
            warn(r->bi, "module list unreadable");
            return;
        }
        m = add_mod(r->bi, start, end);
        if (m && str)
            take_str(r, str, UINT64_MAX, m->cmdline, sizeof(m->cmdline),
                     &m->cmdline_truncated, "module command line bad or cut");
    }
}

int boot_info_from_mb1(struct boot_info *bi, uint32_t info_pa,
                       boot_map_fn map, void *ctx)
{
    const struct mbr r = { .map = map, .ctx = ctx, .bi = bi };
    uint32_t flags, a, b;
    uint64_t end = 4;

    memset(bi, 0, sizeof(*bi));
    bi->proto = BOOT_PROTO_MB1;
    if (!rd32(&r, info_pa, &flags))
        return -XEN_EFAULT;
    bi->mb1_flags = flags;

    if (flags & MB1_INFO_MEMORY) {
        end = MB1_INFO_OFF_MEM_UPPER + 4;
        if (rd32(&r, info_pa + MB1_INFO_OFF_MEM_LOWER, &a) &&
            rd32(&r, info_pa + MB1_INFO_OFF_MEM_UPPER, &b)) {
            bi->have_meminfo = true;
            bi->mem_lower_kb = a;
            bi->mem_upper_kb = b;
        } else {
            warn(bi, "mem_lower/mem_upper unreadable");
        }
    }
    if (flags & MB1_INFO_CMDLINE) {
        end = MB1_INFO_OFF_CMDLINE + 4;
        if (rd32(&r, info_pa + MB1_INFO_OFF_CMDLINE, &a))
            take_str(&r, a, UINT64_MAX, bi->cmdline, sizeof(bi->cmdline),
                     &bi->cmdline_truncated, "command line bad or cut");
        else
            warn(bi, "command line pointer unreadable");
    }
    if (flags & MB1_INFO_MODS) {
        end = MB1_INFO_OFF_MODS_ADDR + 4;
        if (rd32(&r, info_pa + MB1_INFO_OFF_MODS_COUNT, &a) &&
            rd32(&r, info_pa + MB1_INFO_OFF_MODS_ADDR, &b))
            mb1_mods(&r, a, b);
        else
            warn(bi, "module fields unreadable");
    }
    if (flags & MB1_INFO_MEM_MAP) {
        end = MB1_INFO_OFF_MMAP_ADDR + 4;
        if (rd32(&r, info_pa + MB1_INFO_OFF_MMAP_LENGTH, &a) &&
            rd32(&r, info_pa + MB1_INFO_OFF_MMAP_ADDR, &b))
            mb1_mmap(&r, b, a);
        else
            warn(bi, "memory map fields unreadable");
        bi->mem_from_map = bi->mem_count != 0;
    }
    if (flags & MB1_INFO_BOOT_LOADER_NAME) {
        end = MB1_INFO_OFF_BOOT_LOADER + 4;
        if (rd32(&r, info_pa + MB1_INFO_OFF_BOOT_LOADER, &a))
            take_str(&r, a, UINT64_MAX, bi->loader_name,
                     sizeof(bi->loader_name), NULL, "loader name bad or cut");
        else
            warn(bi, "loader name pointer unreadable");
    }
    bi->info.start = info_pa;
    bi->info.end = info_pa + end;

    if (bi->mem_count == 0 && bi->have_meminfo)
        mem_from_meminfo(bi);
    cook_cmdlines(bi);
    return bi->mem_count ? 0 : -XEN_EINVAL;
}

/* ---- multiboot2 ---------------------------------------------------------- */

static void mb2_mmap(const struct mbr *r, uint64_t tag, uint32_t size)
{
    uint32_t esize, version;
    uint64_t off;

    if (size < MB2_TAG_MMAP_HDR_SIZE ||
        !rd32(r, tag + 8, &esize) || !rd32(r, tag + 12, &version)) {
        warn(r->bi, "mmap tag too short");
        return;
    }
    /* entry_size lets later versions append fields: honour it, and only
     * require the fields this version defines. */
    if (esize < MB2_MMAP_ENTRY_MIN) {
        warn(r->bi, "mmap tag entry_size too small");
        return;
    }
    /* Invariant: entries before off are taken; off + esize <= size. */
    for (off = MB2_TAG_MMAP_HDR_SIZE; off + esize <= size; off += esize) {
        uint64_t base, len;
        uint32_t type;

        if (!rd64(r, tag + off, &base) || !rd64(r, tag + off + 8, &len) ||
            !rd32(r, tag + off + 16, &type)) {
            warn(r->bi, "mmap tag unreadable");
            return;
        }
        add_mem(r->bi, base, len, type);
        if (r->bi->mem_truncated)
            return;
    }
}

static void mb2_module(const struct mbr *r, uint64_t tag, uint32_t size)
{
    struct boot_module *m;
    uint32_t start, end;

    if (size < MB2_TAG_MODULE_HDR_SIZE ||
        !rd32(r, tag + 8, &start) || !rd32(r, tag + 12, &end)) {
        warn(r->bi, "module tag too short");
        return;
    }
    m = add_mod(r->bi, start, end);
    if (m && size > MB2_TAG_MODULE_HDR_SIZE)
        take_str(r, tag + MB2_TAG_MODULE_HDR_SIZE,
                 size - MB2_TAG_MODULE_HDR_SIZE, m->cmdline,
                 sizeof(m->cmdline), &m->cmdline_truncated,
                 "module command line bad or cut");
}

static void mb2_rsdp(const struct mbr *r, uint64_t tag, uint32_t size,
                     uint32_t type, bool *have_new)
{
    uint32_t n = size - MB2_TAG_HDR_SIZE;

    /* An ACPI 2.0+ copy wins over a 1.0 one, whatever the order. */
    if (type == MB2_TAG_ACPI_OLD && *have_new)
        return;
    if (n < 20) {                       /* the ACPI 1.0 RSDP is 20 bytes */
        warn(r->bi, "ACPI RSDP tag too short");
        return;
    }
    if (n > BOOT_RSDP_MAX)
        n = BOOT_RSDP_MAX;
    if (!rd_bytes(r, tag + MB2_TAG_HDR_SIZE, r->bi->rsdp, n)) {
        warn(r->bi, "ACPI RSDP tag unreadable");
        return;
    }
    r->bi->rsdp_len = n;
    r->bi->have_rsdp = true;
    if (type == MB2_TAG_ACPI_NEW)
        *have_new = true;
}

int boot_info_from_mb2(struct boot_info *bi, uint32_t info_pa,
                       boot_map_fn map, void *ctx)
{
    const struct mbr r = { .map = map, .ctx = ctx, .bi = bi };
    uint32_t total, type, size, a, b;
    bool saw_end = false, have_new = false;
    uint64_t off;

    memset(bi, 0, sizeof(*bi));
    bi->proto = BOOT_PROTO_MB2;
    if (!IS_ALIGNED(info_pa, MB2_TAG_ALIGN))
        return -XEN_EINVAL;
    if (!rd32(&r, info_pa, &total))
        return -XEN_EFAULT;
    if (total < MB2_INFO_HDR_SIZE + MB2_TAG_HDR_SIZE)
        return -XEN_EINVAL;
    bi->info.start = info_pa;
    bi->info.end = (uint64_t)info_pa + total;

    /* Invariant: tags before off are handled; off is 8-byte aligned. Each
     * step advances by at least 8, so the loop ends. */
    for (off = MB2_INFO_HDR_SIZE; off + MB2_TAG_HDR_SIZE <= total;
         off += ALIGN_UP((uint64_t)size, MB2_TAG_ALIGN)) {
        uint64_t tag = (uint64_t)info_pa + off;

        if (!rd32(&r, tag, &type) || !rd32(&r, tag + 4, &size)) {
            warn(bi, "tag unreadable");
            break;
        }
        if (size < MB2_TAG_HDR_SIZE || size > total - off) {
            warn(bi, "tag size out of range");
            break;
        }
        if (type < 64)
            bi->mb2_tags |= BIT(type);

        switch (type) {
        case MB2_TAG_END:
            saw_end = true;
            break;
        case MB2_TAG_CMDLINE:
            take_str(&r, tag + MB2_TAG_HDR_SIZE, size - MB2_TAG_HDR_SIZE,
                     bi->cmdline, sizeof(bi->cmdline), &bi->cmdline_truncated,
                     "command line bad or cut");
            break;
        case MB2_TAG_BOOT_LOADER_NAME:
            take_str(&r, tag + MB2_TAG_HDR_SIZE, size - MB2_TAG_HDR_SIZE,
                     bi->loader_name, sizeof(bi->loader_name), NULL,
                     "loader name bad or cut");
            break;
        case MB2_TAG_MODULE:
            mb2_module(&r, tag, size);
            break;
        case MB2_TAG_BASIC_MEMINFO:
            if (size >= MB2_TAG_MEMINFO_SIZE && rd32(&r, tag + 8, &a) &&
                rd32(&r, tag + 12, &b)) {
                bi->have_meminfo = true;
                bi->mem_lower_kb = a;
                bi->mem_upper_kb = b;
            } else {
                warn(bi, "basic meminfo tag too short");
            }
            break;
        case MB2_TAG_MMAP:
            mb2_mmap(&r, tag, size);
            break;
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW:
            mb2_rsdp(&r, tag, size, type, &have_new);
            break;
        default:
            break;              /* unknown or unused: skipped */
        }
        if (saw_end)
            break;
    }
    if (!saw_end)
        warn(bi, "no end tag");

    bi->mem_from_map = bi->mem_count != 0;
    if (bi->mem_count == 0 && bi->have_meminfo)
        mem_from_meminfo(bi);
    cook_cmdlines(bi);
    return bi->mem_count ? 0 : -XEN_EINVAL;
}
