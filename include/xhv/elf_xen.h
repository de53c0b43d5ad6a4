/*
 * ELF64 kernel validation, PT_LOAD enumeration and the Xen ELF notes.
 *
 * A Xen PV kernel is an x86-64 ELF executable (System V gABI, x86-64
 * psABI) carrying notes named "Xen" whose types and meanings are Xen's
 * public <xen/elfnote.h>; the FEATURES string uses the XENFEAT_* names of
 * <xen/features.h> without the prefix. The domain builder reads them as
 * Xen's libelf does (xen/common/libelf/libelf-dominfo.c): see
 * shim/loader/xen_notes.c for the rules and where xhv is stricter.
 *
 * Order of use: xen_elf_parse() (which starts with elf_parse(), header and
 * segments), then xen_elf_check_features(), then elf_load_segments().
 * The ELF bytes are outside input: every length and offset is checked
 * against the buffer, nothing outside it is read, and a malformed file is
 * a negative enum xen_elf_error, never a crash. No heap, no state.
 */
#ifndef XHV_ELF_XEN_H
#define XHV_ELF_XEN_H

#include <xhv/types.h>
#include <xen/elfnote.h>
#include <xen/features.h>

/* ELF (not Xen) constants the API exposes; gABI values. */
#define ELF_PT_LOAD         1
#define ELF_PT_NOTE         4
#define ELF_PF_X            0x1
#define ELF_PF_W            0x2
#define ELF_PF_R            0x4
#define ELF_SHT_NOTE        7

/* Limits beyond which a kernel is refused (Linux 6.1 has 5 phdrs, ~20 notes). */
#define ELF_MAX_PHDRS       64
#define XEN_ELF_MAX_NOTES   1024             /* notes of any owner, in total */
#define XEN_ELF_MAX_SPAN    (1ull << 30)     /* kernel image: under one L2   */

#define XEN_ELF_FEATURE_BITS    (32 * XENFEAT_NR_SUBMAPS)

enum xen_elf_error {
    XEN_ELF_OK                 =   0,
    XEN_ELF_ERR_ARG            =  -1, /* NULL pointer, or info from another file */
    XEN_ELF_ERR_TRUNCATED      =  -2, /* shorter than an ELF64 header       */
    XEN_ELF_ERR_IDENT          =  -3, /* not ELF64, little-endian, version 1 */
    XEN_ELF_ERR_TYPE           =  -4, /* not ET_EXEC                        */
    XEN_ELF_ERR_MACHINE        =  -5, /* not EM_X86_64                      */
    XEN_ELF_ERR_PHDRS          =  -6, /* program headers: none, too many,   */
                                      /* wrong entry size, outside the file */
    XEN_ELF_ERR_SHDRS          =  -7, /* section headers outside the file   */
    XEN_ELF_ERR_SEGMENT        =  -8, /* PT_LOAD: filesz > memsz, data      */
                                      /* outside the file, address wraps    */
    XEN_ELF_ERR_OVERLAP        =  -9, /* two PT_LOADs overlap               */
    XEN_ELF_ERR_NO_LOAD        = -10, /* no loadable PT_LOAD                */
    XEN_ELF_ERR_NOTE_BOUNDS    = -11, /* note area outside the file, or a   */
                                      /* note running past its area's end   */
    XEN_ELF_ERR_NOTE_SIZE      = -12, /* Xen note with a size its type      */
                                      /* does not allow                     */
    XEN_ELF_ERR_TOO_MANY_NOTES = -13, /* more than XEN_ELF_MAX_NOTES        */
    XEN_ELF_ERR_FEATURE_NAME   = -14, /* FEATURES requires ("!") a feature  */
                                      /* name nobody knows                  */
    XEN_ELF_ERR_NOT_XEN        = -15, /* no Xen notes: not a PV kernel      */
    XEN_ELF_ERR_GUEST          = -16, /* neither LOADER "generic" nor       */
                                      /* GUEST_OS "linux"                   */
    XEN_ELF_ERR_XEN_VERSION    = -17, /* XEN_VERSION is not "xen-3.0"       */
    XEN_ELF_ERR_PADDR_OFFSET   = -18, /* PADDR_OFFSET without VIRT_BASE     */
    XEN_ELF_ERR_RANGE          = -19, /* kernel range wraps or exceeds      */
                                      /* XEN_ELF_MAX_SPAN, entry outside it, */
                                      /* VIRT_BASE above it                 */
    XEN_ELF_ERR_HYPERCALL_PAGE = -20, /* not a page-aligned page inside     */
                                      /* the kernel                         */
    XEN_ELF_ERR_P2M            = -21, /* INIT_P2M inside the kernel         */
    XEN_ELF_ERR_FEATURES       = -22, /* requires features we do not offer  */
};

/* One program header, decoded. */
struct elf_segment {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* One section header, the parts the note fallback needs. */
struct elf_section {
    uint32_t type;
    uint64_t offset, size;
};

/* A validated ELF file (pointers into the caller's buffer). */
struct elf_image {
    const uint8_t *data;
    size_t len;
    uint64_t entry;             /* e_entry                                  */
    uint64_t phoff, shoff;
    uint16_t phnum, shnum;      /* shnum 0: no section table                */
    unsigned nr_load;           /* loadable PT_LOADs (see elf_parse)        */
    uint64_t pstart, pend;      /* lowest p_paddr, highest p_paddr+p_memsz  */
                                /* (exclusive) over loadable PT_LOADs       */
};

/*
 * Validate elf[0, len): ELF64, little-endian, ET_EXEC, EM_X86_64, 1 to
 * ELF_MAX_PHDRS program headers of 56 bytes inside the file, the section
 * header table (if any) inside the file. A PT_LOAD is loadable, as in Xen's
 * libelf, if any of PF_R/PF_W/PF_X is set (others are ignored); each
 * loadable one must have p_filesz <= p_memsz, its file bytes inside the
 * file, p_paddr + p_memsz without wrapping, and no overlap in p_paddr with
 * another. At least one must exist.
 */
int elf_parse(const uint8_t *elf, size_t len, struct elf_image *ei);

/* Decode program header idx (< ei->phnum) / section header idx (< shnum). */
int elf_get_segment(const struct elf_image *ei, unsigned idx,
                    struct elf_segment *seg);
int elf_get_section(const struct elf_image *ei, unsigned idx,
                    struct elf_section *sec);
bool elf_segment_loadable(const struct elf_segment *seg);

/* What the Xen notes say, combined with the ELF header as Xen does. */
struct xen_elf_info {
    /* Values as given by the notes (has_* says whether the note exists). */
    uint64_t virt_base;         /* VIRT_BASE, else 0                        */
    uint64_t paddr_offset;      /* PADDR_OFFSET, else 0                     */
    uint64_t entry;             /* ENTRY, else e_entry                      */
    uint64_t hypercall_page;    /* HYPERCALL_PAGE (virtual address)         */
    uint64_t init_p2m;          /* INIT_P2M (virtual address of the p2m)    */
    uint64_t hv_start_low;      /* HV_START_LOW                             */
    uint64_t phys32_entry;      /* PHYS32_ENTRY (PVH only, unused for PV)   */
    uint64_t l1_mfn_valid_mask, l1_mfn_valid_value; /* first pair           */
    unsigned l1_mfn_valid_pairs;
    bool has_virt_base, has_paddr_offset, has_entry, has_hypercall_page,
         has_init_p2m, has_hv_start_low, has_phys32_entry, has_l1_mfn_valid,
         has_features, has_supported_features;
    bool mod_start_pfn;         /* MOD_START_PFN != 0                       */
    bool suspend_cancel;        /* SUSPEND_CANCEL != 0                      */
    bool bsd_symtab;            /* BSD_SYMTAB "yes" (xhv does not load it)  */
    /*
     * Features: supported = FEATURES names (with or without "!") |
     * SUPPORTED_FEATURES; required = the "!" names.
     */
    uint32_t features_supported[XENFEAT_NR_SUBMAPS];
    uint32_t features_required[XENFEAT_NR_SUBMAPS];
    uint32_t supported_features_note[XENFEAT_NR_SUBMAPS]; /* raw note 17   */
    unsigned features_unknown;  /* unknown names without "!" (ignored)      */
    /* Strings, NUL-terminated, truncated to fit (checks use prefixes). */
    char loader[32], guest_os[32], guest_version[32], xen_version[32],
         pae_mode[32];
    char features[128];         /* the FEATURES string as given             */
    uint32_t notes_seen;        /* bit n: a Xen note of type n was present  */
    unsigned nr_xen_notes;      /* Xen notes used (all types)               */
    bool notes_from_sections;   /* taken from SHT_NOTE, no PT_NOTE had any  */
    uint32_t error_note;        /* the note type a note error refers to     */

    /* Derived, as xen/common/libelf/libelf-dominfo.c does. */
    uint64_t elf_pstart, elf_pend; /* from elf_parse()                      */
    uint64_t virt_kstart;       /* elf_pstart + virt_base - paddr_offset    */
    uint64_t virt_kend;         /* elf_pend + ..., exclusive                */
};

/*
 * Parse elf[0, len) (elf_parse() first) and its Xen notes into *xi (zeroed
 * first). Notes come from the PT_NOTE segments (those with p_offset 0 are
 * skipped, as binutils sometimes emits them); only if none holds a Xen note
 * are SHT_NOTE sections used. Then the checks of Xen's libelf: a loader
 * "generic" or guest OS "linux", XEN_VERSION "xen-3.0", and the address
 * rules (see the enum). Returns XEN_ELF_OK or a negative error; on a note
 * error xi->error_note names the note type.
 */
int xen_elf_parse(const uint8_t *elf, size_t len, struct xen_elf_info *xi);

/*
 * Parse a FEATURES string s[0, len) (it ends at len or at a NUL) into the
 * bitmaps: "name" sets supported, "!name" sets supported and required.
 * Unknown names without "!" are ignored and counted in *unknown (may be
 * NULL); an unknown name with "!" is XEN_ELF_ERR_FEATURE_NAME.
 */
int xen_elf_parse_features(const char *s, size_t len, uint32_t *supported,
                           uint32_t *required, unsigned *unknown);

/*
 * Can we start this kernel with the features we offer (we_offer: the
 * XENFEAT bitmap, XENFEAT_NR_SUBMAPS words, that XENVER_get_features will
 * report; NULL = none)? Returns XEN_ELF_OK, or XEN_ELF_ERR_FEATURES with
 * the missing names in why ("requires unsupported Xen features: a, b",
 * truncated to why_len; why may be NULL). As Xen's PV builders do, a
 * required writable_page_tables or pae_pgdir_above_4gb is not held against
 * the kernel, and a required supervisor_mode_kernel is always refused.
 */
int xen_elf_check_features(const struct xen_elf_info *xi,
                           const uint32_t *we_offer, char *why,
                           size_t why_len);

/*
 * Copy every loadable PT_LOAD of elf[0, len), which xen_elf_parse() turned
 * into xi, to the guest: copy(va, src, n, zero_tail, ctx) must place the n
 * file bytes at src at guest virtual address va and zero the following
 * zero_tail bytes (p_memsz - p_filesz). va = p_paddr + virt_base -
 * paddr_offset, always inside [xi->virt_kstart, xi->virt_kend); segments
 * with p_memsz 0 are skipped. Calls are in program header order. A
 * non-zero return from copy stops the walk and is returned unchanged;
 * XEN_ELF_ERR_ARG if xi does not describe this file.
 */
int elf_load_segments(const uint8_t *elf, size_t len,
                      const struct xen_elf_info *xi,
                      int (*copy)(uint64_t guest_va, const void *src, size_t n,
                                  size_t zero_tail, void *ctx),
                      void *ctx);

/* The XENFEAT name of bit (e.g. "dom0"), or NULL if <xen/features.h> has none. */
const char *xen_feature_name(unsigned bit);

/* Static description of an enum xen_elf_error; never NULL. */
const char *xen_elf_strerror(int err);

#endif /* XHV_ELF_XEN_H */
