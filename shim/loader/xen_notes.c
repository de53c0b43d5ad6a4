/*
 * Xen ELF notes of a PV kernel, and the checks a domain builder makes on
 * them before building anything (API in include/xhv/elf_xen.h).
 *
 * Follows Xen's public <xen/elfnote.h> (note types and value formats) and
 * <xen/features.h> (XENFEAT_* bits; FEATURES names are those without the
 * prefix), and reproduces the behaviour of Xen's libelf
 * (xen/common/libelf/libelf-dominfo.c) and PV dom0 builder
 * (xen/arch/x86/pv/dom0_build.c), read for semantics only:
 *
 *  - Notes named "Xen" are read from every PT_NOTE segment (one with
 *    p_offset 0 is skipped: some binutils emit those); only if none holds a
 *    Xen note are SHT_NOTE sections read. Unknown types are ignored; a
 *    repeated note overrides the earlier one, feature bits accumulate.
 *  - Numeric notes are 1, 2, 4 or 8 bytes, little-endian. String notes end
 *    at the first NUL or at descsz (Linux's FEATURES has no NUL: the next
 *    note starts after its 4-byte padding). SUPPORTED_FEATURES is an array
 *    of 32-bit words (the first XENFEAT_NR_SUBMAPS are used);
 *    L1_MFN_VALID a list of 64-bit (mask, value) pairs (the first is kept).
 *  - FEATURES is "name|!name|...": every name sets its bit in supported,
 *    "!" also in required; an unknown name is ignored, an unknown required
 *    one makes the kernel unbootable. We know every name <xen/features.h>
 *    has, libelf only seven of them; the difference only shows for kernels
 *    libelf refuses.
 *  - The image must be for the "generic" loader or a "linux" guest OS, and
 *    for "xen-3.0" (prefix compares, as libelf). A kernel without any Xen
 *    note is not a PV kernel.
 *  - Addresses: VIRT_BASE defaults to 0; PADDR_OFFSET to 0 (but giving it
 *    without VIRT_BASE is an error); ENTRY to e_entry. The kernel occupies
 *    virtual [pstart + VIRT_BASE - PADDR_OFFSET, pend + ...) where
 *    [pstart, pend) is the PT_LOAD extent by p_paddr: p_vaddr is never used
 *    (Linux's per-CPU segment has p_vaddr 0). VIRT_BASE must not lie above
 *    the kernel start, ENTRY must be inside it, INIT_P2M must not be.
 *  - Features for PV (dom0_build.c): a required writable_page_tables or
 *    pae_pgdir_above_4gb is not held against the kernel (Linux 6.1 says
 *    "!writable_page_tables" yet checks at run time that the bit is NOT
 *    reported; PV page tables are always emulated, PAE is moot on 64-bit),
 *    and a required supervisor_mode_kernel is refused. xhv refuses any
 *    other required feature it does not offer (libelf/dom0_build would
 *    start the kernel and let it fail later).
 *
 * Stricter than Xen, on purpose: a numeric note of another size, a note
 * running past the end of its segment, an area outside the file, more than
 * XEN_ELF_MAX_NOTES notes, a kernel range that wraps or exceeds
 * XEN_ELF_MAX_SPAN, ENTRY equal to the end of the kernel, and a
 * HYPERCALL_PAGE that is not a whole page inside the kernel are errors
 * (Xen reads 0, reads past, or checks later against its own layout).
 * The legacy "__xen_guest" section and BSD_SYMTAB loading are not
 * supported (the latter is recorded only).
 *
 * No state, no locking, no recursion.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/elf_xen.h>

#define NOTE_HDR            12      /* namesz, descsz, type: 3 x 32 bits */
#define NOTE_ALIGN(x)       (((x) + 3) & ~(uint64_t)3)
#define HYPERCALL_PAGE_SIZE 4096ull

BUILD_BUG_ON(XENFEAT_direct_mapped >= XEN_ELF_FEATURE_BITS);
BUILD_BUG_ON(XEN_ELFNOTE_MAX >= 32);    /* notes_seen is 32 bits */

static const char *const feature_names[] = {
    [XENFEAT_writable_page_tables]       = "writable_page_tables",
    [XENFEAT_writable_descriptor_tables] = "writable_descriptor_tables",
    [XENFEAT_auto_translated_physmap]    = "auto_translated_physmap",
    [XENFEAT_supervisor_mode_kernel]     = "supervisor_mode_kernel",
    [XENFEAT_pae_pgdir_above_4gb]        = "pae_pgdir_above_4gb",
    [XENFEAT_mmu_pt_update_preserve_ad]  = "mmu_pt_update_preserve_ad",
    [XENFEAT_highmem_assist]             = "highmem_assist",
    [XENFEAT_gnttab_map_avail_bits]      = "gnttab_map_avail_bits",
    [XENFEAT_hvm_callback_vector]        = "hvm_callback_vector",
    [XENFEAT_hvm_safe_pvclock]           = "hvm_safe_pvclock",
    [XENFEAT_hvm_pirqs]                  = "hvm_pirqs",
    [XENFEAT_dom0]                       = "dom0",
    [XENFEAT_memory_op_vnode_supported]  = "memory_op_vnode_supported",
    [XENFEAT_ARM_SMCCC_supported]        = "ARM_SMCCC_supported",
    [XENFEAT_linux_rsdp_unrestricted]    = "linux_rsdp_unrestricted",
    [XENFEAT_not_direct_mapped]          = "not_direct_mapped",
    [XENFEAT_direct_mapped]              = "direct_mapped",
};

/* Required bits Xen's PV builders do not hold against a kernel. */
#define PV_IGNORED_REQUIRED \
    (BIT(XENFEAT_writable_page_tables) | BIT(XENFEAT_pae_pgdir_above_4gb))

const char *xen_feature_name(unsigned bit)
{
    return bit < ARRAY_SIZE(feature_names) ? feature_names[bit] : NULL;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void set_bit32(uint32_t *map, unsigned bit)
{
    map[bit / 32] |= 1u << (bit % 32);
}

static bool test_bit32(const uint32_t *map, unsigned bit)
{
    return (map[bit / 32] >> (bit % 32)) & 1;
}

/* Length of the string in s[0, max): up to the first NUL or max. */
static size_t bounded_len(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n] != '\0')
        n++;
    return n;
}

/* Copy s[0, n) (no NUL inside) into dst[size], truncating, terminated. */
static void copy_str(char *dst, size_t size, const char *s, size_t n)
{
    n = MIN(n, size - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool has_prefix(const char *s, const char *prefix)
{
    size_t n = bounded_len(prefix, SIZE_MAX);

    return strncmp(s, prefix, n) == 0;
}

int xen_elf_parse_features(const char *s, size_t len, uint32_t *supported,
                           uint32_t *required, unsigned *unknown)
{
    size_t pos = 0, tok, n;
    unsigned bit;
    bool req;

    if ((!s && len) || !supported || !required)
        return XEN_ELF_ERR_ARG;
    len = s ? bounded_len(s, len) : 0;

    /* Invariant: s[0, pos) has been parsed, pos is at a token start. */
    while (pos < len) {
        tok = pos;
        while (pos < len && s[pos] != '|')
            pos++;
        n = pos - tok;
        pos++;                          /* skip the '|' (or step past end) */
        req = n > 0 && s[tok] == '!';
        if (req) {
            tok++;
            n--;
        }
        if (n == 0 && !req)
            continue;                   /* empty token: "a||b", trailing '|' */
        for (bit = 0; bit < ARRAY_SIZE(feature_names); bit++)
            if (feature_names[bit] && bounded_len(feature_names[bit], n + 1) == n &&
                memcmp(feature_names[bit], s + tok, n) == 0)
                break;
        if (bit == ARRAY_SIZE(feature_names)) {
            if (req)
                return XEN_ELF_ERR_FEATURE_NAME;
            if (unknown)
                (*unknown)++;
            continue;
        }
        set_bit32(supported, bit);
        if (req)
            set_bit32(required, bit);
    }
    return XEN_ELF_OK;
}

/* Little-endian value of a numeric note (1, 2, 4 or 8 bytes). */
static bool note_numeric(const uint8_t *desc, uint32_t descsz, uint64_t *val)
{
    uint32_t i;

    if (descsz != 1 && descsz != 2 && descsz != 4 && descsz != 8)
        return false;
    *val = 0;
    for (i = 0; i < descsz; i++)
        *val |= (uint64_t)desc[i] << (8 * i);
    return true;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* The string notes and where they are kept. */
static char *note_string_dst(struct xen_elf_info *xi, uint32_t type,
                             size_t *size)
{
    switch (type) {
    case XEN_ELFNOTE_LOADER:
        *size = sizeof(xi->loader);
        return xi->loader;
    case XEN_ELFNOTE_GUEST_OS:
        *size = sizeof(xi->guest_os);
        return xi->guest_os;
    case XEN_ELFNOTE_GUEST_VERSION:
        *size = sizeof(xi->guest_version);
        return xi->guest_version;
    case XEN_ELFNOTE_XEN_VERSION:
        *size = sizeof(xi->xen_version);
        return xi->xen_version;
    case XEN_ELFNOTE_PAE_MODE:
        *size = sizeof(xi->pae_mode);
        return xi->pae_mode;
    default:
        return NULL;
    }
}

/* Apply one Xen note of the given type to xi. */
static int xen_note(struct xen_elf_info *xi, uint32_t type,
                    const uint8_t *desc, uint32_t descsz)
{
    const char *str = (const char *)desc;
    size_t slen = bounded_len(str, descsz), size;
    char *dst;
    uint64_t val = 0;
    unsigned i;
    int r;

    xi->error_note = type;
    switch (type) {
    case XEN_ELFNOTE_ENTRY:
    case XEN_ELFNOTE_HYPERCALL_PAGE:
    case XEN_ELFNOTE_VIRT_BASE:
    case XEN_ELFNOTE_PADDR_OFFSET:
    case XEN_ELFNOTE_HV_START_LOW:
    case XEN_ELFNOTE_SUSPEND_CANCEL:
    case XEN_ELFNOTE_INIT_P2M:
    case XEN_ELFNOTE_MOD_START_PFN:
    case XEN_ELFNOTE_PHYS32_ENTRY:
        if (!note_numeric(desc, descsz, &val))
            return XEN_ELF_ERR_NOTE_SIZE;
        break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        if (descsz == 0 || descsz % 4)
            return XEN_ELF_ERR_NOTE_SIZE;
        break;
    case XEN_ELFNOTE_L1_MFN_VALID:
        if (descsz == 0 || descsz % 16)
            return XEN_ELF_ERR_NOTE_SIZE;
        break;
    default:
        break;
    }

    switch (type) {
    case XEN_ELFNOTE_ENTRY:
        xi->entry = val;
        xi->has_entry = true;
        break;
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        xi->hypercall_page = val;
        xi->has_hypercall_page = true;
        break;
    case XEN_ELFNOTE_VIRT_BASE:
        xi->virt_base = val;
        xi->has_virt_base = true;
        break;
    case XEN_ELFNOTE_PADDR_OFFSET:
        xi->paddr_offset = val;
        xi->has_paddr_offset = true;
        break;
    case XEN_ELFNOTE_HV_START_LOW:
        xi->hv_start_low = val;
        xi->has_hv_start_low = true;
        break;
    case XEN_ELFNOTE_SUSPEND_CANCEL:
        xi->suspend_cancel = val != 0;
        break;
    case XEN_ELFNOTE_INIT_P2M:
        xi->init_p2m = val;
        xi->has_init_p2m = true;
        break;
    case XEN_ELFNOTE_MOD_START_PFN:
        xi->mod_start_pfn = val != 0;
        break;
    case XEN_ELFNOTE_PHYS32_ENTRY:
        xi->phys32_entry = val;
        xi->has_phys32_entry = true;
        break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        for (i = 0; i < XENFEAT_NR_SUBMAPS && i < descsz / 4; i++) {
            xi->supported_features_note[i] = rd32(desc + 4 * i);
            xi->features_supported[i] |= xi->supported_features_note[i];
        }
        xi->has_supported_features = true;
        break;
    case XEN_ELFNOTE_L1_MFN_VALID:
        xi->l1_mfn_valid_mask = rd64(desc);
        xi->l1_mfn_valid_value = rd64(desc + 8);
        xi->l1_mfn_valid_pairs = descsz / 16;
        xi->has_l1_mfn_valid = true;
        break;
    case XEN_ELFNOTE_BSD_SYMTAB:
        xi->bsd_symtab = slen == 3 && memcmp(str, "yes", 3) == 0;
        break;
    case XEN_ELFNOTE_FEATURES:
        r = xen_elf_parse_features(str, slen, xi->features_supported,
                                   xi->features_required,
                                   &xi->features_unknown);
        if (r != XEN_ELF_OK)
            return r;
        xi->has_features = true;
        copy_str(xi->features, sizeof(xi->features), str, slen);
        break;
    default:
        dst = note_string_dst(xi, type, &size);
        if (dst)
            copy_str(dst, size, str, slen);
        break;
    }
    if (type < 32)
        xi->notes_seen |= 1u << type;
    xi->nr_xen_notes++;
    return XEN_ELF_OK;
}

static bool is_xen_name(const uint8_t *name, uint32_t namesz)
{
    return (namesz == 4 && memcmp(name, "Xen", 4) == 0) ||
           (namesz == 3 && memcmp(name, "Xen", 3) == 0);
}

static bool all_zero(const uint8_t *p, uint64_t n)
{
    uint64_t i;

    for (i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/*
 * Walk the notes in elf[off, off + size) and apply the Xen ones. *count is
 * the number of notes (of any owner) seen so far, across areas.
 */
static int parse_note_area(struct xen_elf_info *xi, const uint8_t *elf,
                           size_t len, uint64_t off, uint64_t size,
                           unsigned *count)
{
    uint64_t pos, end, desc;
    uint32_t namesz, descsz, type;
    int r;

    if (off > len || size > len - off)
        return XEN_ELF_ERR_NOTE_BOUNDS;
    end = off + size;
    /* Invariant: off <= pos <= end <= len; notes before pos are applied. */
    for (pos = off; pos < end;) {
        if (end - pos < NOTE_HDR) {
            /* Zero padding after the last note is tolerated. */
            if (all_zero(elf + pos, end - pos))
                break;
            return XEN_ELF_ERR_NOTE_BOUNDS;
        }
        if (++*count > XEN_ELF_MAX_NOTES)
            return XEN_ELF_ERR_TOO_MANY_NOTES;
        namesz = rd32(elf + pos);
        descsz = rd32(elf + pos + 4);
        type = rd32(elf + pos + 8);
        /* 32-bit sizes: no overflow in 64 bits. */
        desc = pos + NOTE_HDR + NOTE_ALIGN((uint64_t)namesz);
        if (desc > end || descsz > end - desc)
            return XEN_ELF_ERR_NOTE_BOUNDS;
        if (is_xen_name(elf + pos + NOTE_HDR, namesz)) {
            r = xen_note(xi, type, elf + desc, descsz);
            if (r != XEN_ELF_OK)
                return r;
        }
        /* The last note's padding may be missing. */
        pos = MIN(end, desc + NOTE_ALIGN((uint64_t)descsz));
    }
    return XEN_ELF_OK;
}

static int parse_notes(struct xen_elf_info *xi, const struct elf_image *ei)
{
    struct elf_segment seg;
    struct elf_section sec;
    unsigned i, count = 0;
    int r;

    for (i = 0; i < ei->phnum; i++) {
        if (elf_get_segment(ei, i, &seg) != XEN_ELF_OK)
            return XEN_ELF_ERR_PHDRS;
        if (seg.type != ELF_PT_NOTE || seg.offset == 0)
            continue;
        r = parse_note_area(xi, ei->data, ei->len, seg.offset, seg.filesz,
                            &count);
        if (r != XEN_ELF_OK)
            return r;
    }
    if (xi->nr_xen_notes)
        return XEN_ELF_OK;

    /* Section 0 is the null section. */
    for (i = 1; i < ei->shnum; i++) {
        if (elf_get_section(ei, i, &sec) != XEN_ELF_OK)
            return XEN_ELF_ERR_SHDRS;
        if (sec.type != ELF_SHT_NOTE)
            continue;
        r = parse_note_area(xi, ei->data, ei->len, sec.offset, sec.size,
                            &count);
        if (r != XEN_ELF_OK)
            return r;
    }
    xi->notes_from_sections = xi->nr_xen_notes != 0;
    return XEN_ELF_OK;
}

/* libelf's elf_xen_note_check() for PV: who the image is built for. */
static int check_guest(const struct xen_elf_info *xi)
{
    if (!xi->nr_xen_notes)
        return XEN_ELF_ERR_NOT_XEN;
    if (!has_prefix(xi->loader, "generic") && !has_prefix(xi->guest_os, "linux"))
        return XEN_ELF_ERR_GUEST;
    if (!has_prefix(xi->xen_version, "xen-3.0"))
        return XEN_ELF_ERR_XEN_VERSION;
    return XEN_ELF_OK;
}

/* libelf's elf_xen_addr_calc_check() for PV, plus our own range limits. */
static int check_addresses(struct xen_elf_info *xi, const struct elf_image *ei)
{
    uint64_t offset, span;

    if (xi->has_paddr_offset && !xi->has_virt_base)
        return XEN_ELF_ERR_PADDR_OFFSET;
    if (!xi->has_entry)
        xi->entry = ei->entry;

    xi->elf_pstart = ei->pstart;
    xi->elf_pend = ei->pend;
    span = ei->pend - ei->pstart;
    offset = xi->virt_base - xi->paddr_offset;
    xi->virt_kstart = ei->pstart + offset;
    xi->virt_kend = xi->virt_kstart + span;

    if (span > XEN_ELF_MAX_SPAN || xi->virt_kstart > UINT64_MAX - span)
        return XEN_ELF_ERR_RANGE;
    if (xi->entry < xi->virt_kstart || xi->entry >= xi->virt_kend ||
        xi->virt_base > xi->virt_kstart)
        return XEN_ELF_ERR_RANGE;
    if (xi->has_init_p2m && xi->init_p2m >= xi->virt_kstart &&
        xi->init_p2m < xi->virt_kend)
        return XEN_ELF_ERR_P2M;
    if (xi->has_hypercall_page &&
        (xi->hypercall_page % HYPERCALL_PAGE_SIZE ||
         xi->hypercall_page < xi->virt_kstart ||
         xi->hypercall_page >= xi->virt_kend ||
         xi->virt_kend - xi->hypercall_page < HYPERCALL_PAGE_SIZE))
        return XEN_ELF_ERR_HYPERCALL_PAGE;
    return XEN_ELF_OK;
}

int xen_elf_parse(const uint8_t *elf, size_t len, struct xen_elf_info *xi)
{
    struct elf_image ei;
    int r;

    if (!xi)
        return XEN_ELF_ERR_ARG;
    memset(xi, 0, sizeof(*xi));
    r = elf_parse(elf, len, &ei);
    if (r != XEN_ELF_OK)
        return r;
    r = parse_notes(xi, &ei);
    if (r != XEN_ELF_OK)
        return r;
    xi->error_note = 0;
    r = check_guest(xi);
    if (r != XEN_ELF_OK)
        return r;
    return check_addresses(xi, &ei);
}

/* Append s to why[*pos], keeping it terminated and within why_len. */
static void append(char *why, size_t why_len, size_t *pos, const char *s)
{
    while (*s && *pos + 1 < why_len)
        why[(*pos)++] = *s++;
    if (why_len)
        why[*pos] = '\0';
}

int xen_elf_check_features(const struct xen_elf_info *xi,
                           const uint32_t *we_offer, char *why,
                           size_t why_len)
{
    static const char digits[] = "0123456789";
    char num[8];
    size_t pos = 0;
    unsigned bit, missing = 0;
    bool offered;

    if (!why)
        why_len = 0;
    if (why_len)
        why[0] = '\0';
    if (!xi)
        return XEN_ELF_ERR_ARG;

    for (bit = 0; bit < XEN_ELF_FEATURE_BITS; bit++) {
        if (!test_bit32(xi->features_required, bit) ||
            (BIT(bit) & PV_IGNORED_REQUIRED))
            continue;
        offered = we_offer && test_bit32(we_offer, bit) &&
                  bit != XENFEAT_supervisor_mode_kernel;
        if (offered)
            continue;
        append(why, why_len, &pos, missing++ ? ", "
               : "requires unsupported Xen features: ");
        if (xen_feature_name(bit)) {
            append(why, why_len, &pos, xen_feature_name(bit));
        } else {
            /* Only FEATURES names set required bits, but be total. */
            num[0] = 'b'; num[1] = 'i'; num[2] = 't';
            num[3] = digits[bit / 100 % 10];
            num[4] = digits[bit / 10 % 10];
            num[5] = digits[bit % 10];
            num[6] = '\0';
            append(why, why_len, &pos, num);
        }
    }
    return missing ? XEN_ELF_ERR_FEATURES : XEN_ELF_OK;
}

const char *xen_elf_strerror(int err)
{
    switch (err) {
    case XEN_ELF_OK:                 return "success";
    case XEN_ELF_ERR_ARG:            return "invalid argument";
    case XEN_ELF_ERR_TRUNCATED:      return "shorter than an ELF64 header";
    case XEN_ELF_ERR_IDENT:
        return "not a little-endian ELF64 file of version 1";
    case XEN_ELF_ERR_TYPE:           return "ELF file is not an executable";
    case XEN_ELF_ERR_MACHINE:        return "ELF file is not for x86-64";
    case XEN_ELF_ERR_PHDRS:          return "bad ELF program header table";
    case XEN_ELF_ERR_SHDRS:          return "bad ELF section header table";
    case XEN_ELF_ERR_SEGMENT:        return "bad PT_LOAD segment";
    case XEN_ELF_ERR_OVERLAP:        return "PT_LOAD segments overlap";
    case XEN_ELF_ERR_NO_LOAD:        return "no loadable segment";
    case XEN_ELF_ERR_NOTE_BOUNDS:    return "ELF note outside its area";
    case XEN_ELF_ERR_NOTE_SIZE:      return "Xen ELF note has a bad size";
    case XEN_ELF_ERR_TOO_MANY_NOTES: return "too many ELF notes";
    case XEN_ELF_ERR_FEATURE_NAME:
        return "FEATURES requires an unknown feature";
    case XEN_ELF_ERR_NOT_XEN:
        return "no Xen ELF notes: not a Xen PV kernel";
    case XEN_ELF_ERR_GUEST:
        return "kernel is neither for the generic loader nor Linux";
    case XEN_ELF_ERR_XEN_VERSION:    return "kernel is not built for xen-3.0";
    case XEN_ELF_ERR_PADDR_OFFSET:   return "PADDR_OFFSET set, VIRT_BASE unset";
    case XEN_ELF_ERR_RANGE:
        return "kernel address range, entry or VIRT_BASE out of bounds";
    case XEN_ELF_ERR_HYPERCALL_PAGE:
        return "HYPERCALL_PAGE is not a page inside the kernel";
    case XEN_ELF_ERR_P2M:            return "INIT_P2M lies inside the kernel";
    case XEN_ELF_ERR_FEATURES:
        return "kernel requires Xen features we do not offer";
    default:                         return "unknown ELF error";
    }
}
