/*
 * ELF64 executable validation, program/section header access and the
 * PT_LOAD copy loop (API in include/xhv/elf_xen.h).
 *
 * Follows the System V gABI (ELF64 header, program and section headers)
 * and the x86-64 psABI (EM_X86_64, little-endian). Which segments are
 * loaded and where follows Xen's libelf (xen/common/libelf/libelf-loader.c,
 * read for semantics only): PT_LOAD segments with any of PF_R/PF_W/PF_X,
 * placed by p_paddr (p_vaddr is not used), the kernel's physical extent
 * being [lowest p_paddr, highest p_paddr + p_memsz).
 *
 * Stricter than libelf, because the bytes are a boot module we do not
 * trust and the builder behind us wants simple facts: at most
 * ELF_MAX_PHDRS program headers of exactly 56 bytes, loadable segments
 * that neither overlap nor wrap, their file bytes inside the file,
 * p_filesz <= p_memsz; a section header table that is present must lie
 * inside the file.
 *
 * Fields are read byte by byte (little-endian) at their gABI offsets, so
 * neither alignment nor host struct layout matters. No state, no locking;
 * the overlap check is quadratic in at most ELF_MAX_PHDRS entries.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/elf_xen.h>

/* ELF64 header (gABI "ELF Header"), byte offsets. */
#define EH_IDENT_CLASS      4
#define EH_IDENT_DATA       5
#define EH_IDENT_VERSION    6
#define EH_TYPE             16
#define EH_MACHINE          18
#define EH_VERSION          20
#define EH_ENTRY            24
#define EH_PHOFF            32
#define EH_SHOFF            40
#define EH_PHENTSIZE        54
#define EH_PHNUM            56
#define EH_SHENTSIZE        58
#define EH_SHNUM            60
#define EH_SIZE             64

#define ELFCLASS64_         2
#define ELFDATA2LSB_        1
#define EV_CURRENT_         1
#define ET_EXEC_            2
#define EM_X86_64_          62

/* ELF64 program header, byte offsets. */
#define PH_TYPE             0
#define PH_FLAGS            4
#define PH_OFFSET           8
#define PH_VADDR            16
#define PH_PADDR            24
#define PH_FILESZ           32
#define PH_MEMSZ            40
#define PH_ALIGN            48
#define PH_SIZE             56

/* ELF64 section header, byte offsets. */
#define SH_TYPE             4
#define SH_OFFSET           24
#define SH_SIZE             32
#define SH_SIZE_ENT         64

static const uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Is [off, off + size) inside [0, len)? Overflow-safe. */
static bool in_file(uint64_t off, uint64_t size, size_t len)
{
    return off <= len && size <= len - off;
}

bool elf_segment_loadable(const struct elf_segment *seg)
{
    return seg->type == ELF_PT_LOAD &&
           (seg->flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X)) != 0;
}

int elf_get_segment(const struct elf_image *ei, unsigned idx,
                    struct elf_segment *seg)
{
    const uint8_t *p;

    if (!ei || !seg || !ei->data || idx >= ei->phnum)
        return XEN_ELF_ERR_ARG;
    /* elf_parse() checked the whole table lies inside the file. */
    p = ei->data + ei->phoff + (uint64_t)idx * PH_SIZE;
    seg->type = rd32(p + PH_TYPE);
    seg->flags = rd32(p + PH_FLAGS);
    seg->offset = rd64(p + PH_OFFSET);
    seg->vaddr = rd64(p + PH_VADDR);
    seg->paddr = rd64(p + PH_PADDR);
    seg->filesz = rd64(p + PH_FILESZ);
    seg->memsz = rd64(p + PH_MEMSZ);
    seg->align = rd64(p + PH_ALIGN);
    return XEN_ELF_OK;
}

int elf_get_section(const struct elf_image *ei, unsigned idx,
                    struct elf_section *sec)
{
    const uint8_t *p;

    if (!ei || !sec || !ei->data || idx >= ei->shnum)
        return XEN_ELF_ERR_ARG;
    p = ei->data + ei->shoff + (uint64_t)idx * SH_SIZE_ENT;
    sec->type = rd32(p + SH_TYPE);
    sec->offset = rd64(p + SH_OFFSET);
    sec->size = rd64(p + SH_SIZE);
    return XEN_ELF_OK;
}

static int check_header(const uint8_t *elf, size_t len, struct elf_image *ei)
{
    uint16_t phentsize, shentsize;

    if (len < EH_SIZE)
        return XEN_ELF_ERR_TRUNCATED;
    if (memcmp(elf, elf_magic, sizeof(elf_magic)) != 0 ||
        elf[EH_IDENT_CLASS] != ELFCLASS64_ ||
        elf[EH_IDENT_DATA] != ELFDATA2LSB_ ||
        elf[EH_IDENT_VERSION] != EV_CURRENT_ ||
        rd32(elf + EH_VERSION) != EV_CURRENT_)
        return XEN_ELF_ERR_IDENT;
    if (rd16(elf + EH_TYPE) != ET_EXEC_)
        return XEN_ELF_ERR_TYPE;
    if (rd16(elf + EH_MACHINE) != EM_X86_64_)
        return XEN_ELF_ERR_MACHINE;

    ei->entry = rd64(elf + EH_ENTRY);
    ei->phoff = rd64(elf + EH_PHOFF);
    ei->shoff = rd64(elf + EH_SHOFF);
    ei->phnum = rd16(elf + EH_PHNUM);
    ei->shnum = rd16(elf + EH_SHNUM);
    phentsize = rd16(elf + EH_PHENTSIZE);
    shentsize = rd16(elf + EH_SHENTSIZE);

    /* 0xffff (PN_XNUM, count in section 0) is beyond ELF_MAX_PHDRS too. */
    if (ei->phnum == 0 || ei->phnum > ELF_MAX_PHDRS || phentsize != PH_SIZE ||
        !in_file(ei->phoff, (uint64_t)ei->phnum * PH_SIZE, len))
        return XEN_ELF_ERR_PHDRS;
    /* shnum 0 (with any shoff, e.g. extended numbering): no sections. */
    if (ei->shnum != 0 &&
        (shentsize != SH_SIZE_ENT ||
         !in_file(ei->shoff, (uint64_t)ei->shnum * SH_SIZE_ENT, len)))
        return XEN_ELF_ERR_SHDRS;
    return XEN_ELF_OK;
}

int elf_parse(const uint8_t *elf, size_t len, struct elf_image *ei)
{
    struct elf_segment a, b;
    unsigned i, j;
    int r;

    if (!ei)
        return XEN_ELF_ERR_ARG;
    memset(ei, 0, sizeof(*ei));
    if (!elf)
        return len ? XEN_ELF_ERR_ARG : XEN_ELF_ERR_TRUNCATED;
    r = check_header(elf, len, ei);
    if (r != XEN_ELF_OK)
        return r;
    ei->data = elf;
    ei->len = len;
    ei->pstart = UINT64_MAX;

    /* Invariant: segments [0, i) are valid; pstart/pend cover them. */
    for (i = 0; i < ei->phnum; i++) {
        if (elf_get_segment(ei, i, &a) != XEN_ELF_OK)
            return XEN_ELF_ERR_PHDRS;
        if (!elf_segment_loadable(&a))
            continue;
        if (a.filesz > a.memsz || !in_file(a.offset, a.filesz, len) ||
            a.paddr > UINT64_MAX - a.memsz)
            return XEN_ELF_ERR_SEGMENT;
        ei->nr_load++;
        ei->pstart = MIN(ei->pstart, a.paddr);
        ei->pend = MAX(ei->pend, a.paddr + a.memsz);
        /* Invariant: no two loadable segments in [0, i) overlap. */
        for (j = 0; j < i && a.memsz; j++) {
            if (elf_get_segment(ei, j, &b) != XEN_ELF_OK)
                return XEN_ELF_ERR_PHDRS;
            if (!elf_segment_loadable(&b) || !b.memsz)
                continue;
            if (a.paddr < b.paddr + b.memsz && b.paddr < a.paddr + a.memsz)
                return XEN_ELF_ERR_OVERLAP;
        }
    }
    if (ei->nr_load == 0)
        return XEN_ELF_ERR_NO_LOAD;
    return XEN_ELF_OK;
}

int elf_load_segments(const uint8_t *elf, size_t len,
                      const struct xen_elf_info *xi,
                      int (*copy)(uint64_t guest_va, const void *src, size_t n,
                                  size_t zero_tail, void *ctx),
                      void *ctx)
{
    struct elf_image ei;
    struct elf_segment seg;
    uint64_t offset, va;
    unsigned i;
    int r;

    if (!xi || !copy)
        return XEN_ELF_ERR_ARG;
    r = elf_parse(elf, len, &ei);
    if (r != XEN_ELF_OK)
        return r;
    /* xi must come from these bytes: same extent, same derived range. */
    offset = xi->virt_base - xi->paddr_offset;
    if (ei.pstart != xi->elf_pstart || ei.pend != xi->elf_pend ||
        xi->virt_kstart != ei.pstart + offset ||
        xi->virt_kend != ei.pend + offset ||
        xi->virt_kend - xi->virt_kstart != ei.pend - ei.pstart ||
        xi->virt_kend < xi->virt_kstart)
        return XEN_ELF_ERR_ARG;

    for (i = 0; i < ei.phnum; i++) {
        if (elf_get_segment(&ei, i, &seg) != XEN_ELF_OK)
            return XEN_ELF_ERR_PHDRS;
        if (!elf_segment_loadable(&seg) || !seg.memsz)
            continue;
        /* In range by construction: pstart <= paddr, paddr + memsz <= pend. */
        va = seg.paddr + offset;
        r = copy(va, elf + seg.offset, (size_t)seg.filesz,
                 (size_t)(seg.memsz - seg.filesz), ctx);
        if (r != 0)
            return r;
    }
    return XEN_ELF_OK;
}
