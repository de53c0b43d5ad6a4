/*
 * Host unit tests for ELF64 validation, the Xen ELF notes and the segment
 * loader (shim/loader/elf.c, xen_notes.c).
 *
 * ELF files are built here from a small description: program headers,
 * segment bytes, optional section headers, and a note area written note by
 * note, so every note type, size and owner can be set, broken or left out.
 * The reference kernel mimics Debian's 6.1 (notes, a text, a data+bss and
 * a per-CPU segment with p_vaddr 0); each test changes one thing and says
 * which rule it tries. Random bit flips must never crash, and whatever
 * parses must load only inside the kernel range.
 *
 * If XHV_TEST_VMLINUZ names Debian's vmlinuz (tools/fetch-kernel.sh), it
 * is probed, unpacked (bzimage.c, xz.c) and its notes must be Debian's.
 */
#include <xhv/elf_xen.h>
#include <xhv/kernel_image.h>

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#define VB          0xffffffff80000000ull   /* Linux __START_KERNEL_map */
#define KSTART      (VB + 0x1000000)
#define ENTRY_VA    (VB + 0x1000100)
#define HCALL_VA    (VB + 0x1002000)

/* ---------------------------------------------------------------------------
 * Building ELF files.
 * ------------------------------------------------------------------------- */

struct notes {
    uint8_t b[16384];
    size_t n;
};

/* Append a note; name is namesz bytes (NUL included if wanted). */
static void note(struct notes *ns, const char *name, uint32_t namesz,
                 uint32_t type, const void *desc, uint32_t descsz)
{
    uint32_t h[3] = { namesz, descsz, type };

    memcpy(ns->b + ns->n, h, 12);
    ns->n += 12;
    memset(ns->b + ns->n, 0, (namesz + 3) & ~3u);
    memcpy(ns->b + ns->n, name, namesz);
    ns->n += (namesz + 3) & ~3u;
    memset(ns->b + ns->n, 0, (descsz + 3) & ~3u);
    if (descsz)
        memcpy(ns->b + ns->n, desc, descsz);
    ns->n += (descsz + 3) & ~3u;
}

static void xraw(struct notes *ns, uint32_t type, const void *d, uint32_t n)
{
    note(ns, "Xen", 4, type, d, n);
}

static void xnum(struct notes *ns, uint32_t type, uint64_t v, uint32_t size)
{
    xraw(ns, type, &v, size);           /* little-endian host */
}

static void xstr(struct notes *ns, uint32_t type, const char *s)
{
    xraw(ns, type, s, (uint32_t)strlen(s) + 1);
}

struct tseg {
    uint32_t type, flags;
    uint64_t vaddr, paddr, memsz;
    const void *data;
    size_t filesz;
    /* raw: write offset/filesz_raw verbatim, place no bytes */
    int raw;
    uint64_t offset, filesz_raw;
};

static struct tseg SEG(uint32_t type, uint32_t flags, uint64_t vaddr,
                       uint64_t paddr, uint64_t memsz, const void *d,
                       size_t filesz)
{
    struct tseg s = { .type = type, .flags = flags, .vaddr = vaddr,
                      .paddr = paddr, .memsz = memsz, .data = d,
                      .filesz = filesz };
    return s;
}

struct tsec {
    uint32_t type;
    const void *data;
    size_t size;
};

struct telf {
    uint16_t type, machine;
    uint64_t entry;
    struct tseg seg[80];
    unsigned nseg;
    struct tsec sec[4];
    unsigned nsec;
};

/* Lay out header, phdrs, segment bytes, section headers; caller frees. */
static uint8_t *build(const struct telf *t, size_t *len)
{
    size_t off = sizeof(Elf64_Ehdr) + t->nseg * sizeof(Elf64_Phdr);
    size_t total = off, sec_off[4], shoff;
    uint64_t seg_off[80];
    uint8_t *p;
    unsigned i;

    for (i = 0; i < t->nseg; i++) {
        total = (total + 15) & ~(size_t)15;
        seg_off[i] = total;
        if (!t->seg[i].raw)
            total += t->seg[i].filesz;
    }
    for (i = 0; i < t->nsec; i++) {
        total = (total + 15) & ~(size_t)15;
        sec_off[i] = total;
        total += t->sec[i].size;
    }
    total = (total + 15) & ~(size_t)15;
    shoff = total;
    if (t->nsec)
        total += (t->nsec + 1) * sizeof(Elf64_Shdr);
    p = calloc(1, total);

    Elf64_Ehdr *eh = (Elf64_Ehdr *)p;
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = t->type ? t->type : ET_EXEC;
    eh->e_machine = t->machine ? t->machine : EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = t->entry;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = (uint16_t)t->nseg;
    if (t->nsec) {
        eh->e_shoff = shoff;
        eh->e_shentsize = sizeof(Elf64_Shdr);
        eh->e_shnum = (uint16_t)(t->nsec + 1);
    }
    for (i = 0; i < t->nseg; i++) {
        const struct tseg *s = &t->seg[i];
        Elf64_Phdr *ph = (Elf64_Phdr *)(p + sizeof(Elf64_Ehdr)) + i;
        ph->p_type = s->type;
        ph->p_flags = s->flags;
        ph->p_vaddr = s->vaddr;
        ph->p_paddr = s->paddr;
        ph->p_memsz = s->memsz;
        ph->p_align = 16;
        if (s->raw) {
            ph->p_offset = s->offset;
            ph->p_filesz = s->filesz_raw;
        } else {
            ph->p_offset = seg_off[i];
            ph->p_filesz = s->filesz;
            if (s->filesz)
                memcpy(p + seg_off[i], s->data, s->filesz);
        }
    }
    for (i = 0; i < t->nsec; i++) {
        Elf64_Shdr *sh = (Elf64_Shdr *)(p + shoff) + i + 1;
        sh->sh_type = t->sec[i].type;
        sh->sh_offset = sec_off[i];
        sh->sh_size = t->sec[i].size;
        memcpy(p + sec_off[i], t->sec[i].data, t->sec[i].size);
    }
    *len = total;
    return p;
}

static uint8_t text[0x3000], data[0x800], percpu[0x100];

/* Debian 6.1's notes, in its order; hypercall page only if asked. */
static void linux_notes(struct notes *ns, int hypercall_page)
{
    static const uint64_t l1[2] = { 1, 1 };
    static const char feat[] = "!writable_page_tables|pae_pgdir_above_4gb";
    uint32_t sup = 0x8801;

    ns->n = 0;
    xstr(ns, XEN_ELFNOTE_GUEST_OS, "linux");
    xstr(ns, XEN_ELFNOTE_GUEST_VERSION, "2.6");
    xstr(ns, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    xnum(ns, XEN_ELFNOTE_VIRT_BASE, VB, 8);
    xnum(ns, XEN_ELFNOTE_INIT_P2M, 0x8000000000ull, 8);
    xnum(ns, XEN_ELFNOTE_ENTRY, ENTRY_VA, 8);
    if (hypercall_page)
        xnum(ns, XEN_ELFNOTE_HYPERCALL_PAGE, HCALL_VA, 8);
    xraw(ns, XEN_ELFNOTE_FEATURES, feat, sizeof(feat) - 1);   /* no NUL */
    xraw(ns, XEN_ELFNOTE_SUPPORTED_FEATURES, &sup, 4);
    xstr(ns, XEN_ELFNOTE_PAE_MODE, "yes");
    xstr(ns, XEN_ELFNOTE_LOADER, "generic");
    xraw(ns, XEN_ELFNOTE_L1_MFN_VALID, l1, 16);
    xnum(ns, XEN_ELFNOTE_SUSPEND_CANCEL, 1, 4);
    xnum(ns, XEN_ELFNOTE_MOD_START_PFN, 1, 4);
    xnum(ns, XEN_ELFNOTE_HV_START_LOW, 0xffff800000000000ull, 8);
    xnum(ns, XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    note(ns, "GNU", 4, 3, "0123456789abcdefghij", 20);
    xnum(ns, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000850, 8);
}

/*
 * The reference kernel: text at paddr 16 MiB, data + bss, a per-CPU
 * segment linked at vaddr 0, and the notes as a PT_NOTE.
 */
static void linux_elf(struct telf *t, const struct notes *ns)
{
    memset(t, 0, sizeof(*t));
    t->entry = 0x1000000;
    t->seg[0] = SEG(PT_LOAD, PF_R | PF_X, VB + 0x1000000,
                               0x1000000, sizeof(text), text, sizeof(text));
    t->seg[1] = SEG(PT_LOAD, PF_R | PF_W, VB + 0x1004000,
                               0x1004000, 0x2000, data, sizeof(data));
    t->seg[2] = SEG(PT_LOAD, PF_R | PF_W, 0, 0x1006000, 0x1000,
                               percpu, sizeof(percpu));
    t->seg[3] = SEG(PT_NOTE, 0, VB + 0x1002800, 0x1002800, ns->n,
                               ns->b, ns->n);
    t->nseg = 4;
}

/* Build the reference kernel with notes ns and parse it. */
static int parse_notes_with(const struct notes *ns, struct xen_elf_info *xi)
{
    struct telf t;
    size_t len;
    uint8_t *p;
    int r;

    linux_elf(&t, ns);
    p = build(&t, &len);
    r = xen_elf_parse(p, len, xi);
    free(p);
    return r;
}

static int parse_elf(const struct telf *t, struct xen_elf_info *xi)
{
    size_t len;
    uint8_t *p = build(t, &len);
    int r = xen_elf_parse(p, len, xi);

    free(p);
    return r;
}

/* Notes with the minimum libelf wants (guest, version) plus extra. */
static void base_notes(struct notes *ns)
{
    ns->n = 0;
    xstr(ns, XEN_ELFNOTE_GUEST_OS, "linux");
    xstr(ns, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    xnum(ns, XEN_ELFNOTE_VIRT_BASE, VB, 8);
    xnum(ns, XEN_ELFNOTE_ENTRY, ENTRY_VA, 8);
}

/* Record of copy() calls. */
struct copies {
    unsigned n;
    uint64_t va[8];
    size_t len[8], zero[8];
    const void *src[8];
    int fail_at;                /* return -1234 on this call (1-based) */
};

static int record_copy(uint64_t va, const void *src, size_t n,
                       size_t zero_tail, void *ctx)
{
    struct copies *c = ctx;

    if (c->n < 8) {
        c->va[c->n] = va;
        c->src[c->n] = src;
        c->len[c->n] = n;
        c->zero[c->n] = zero_tail;
    }
    c->n++;
    return (int)c->n == c->fail_at ? -1234 : 0;
}

/* ---------------------------------------------------------------------------
 * Tests.
 * ------------------------------------------------------------------------- */

/* Error texts exist and differ; feature names are Xen's. */
static void test_strerror_and_names(void)
{
    for (int e = 0; e >= XEN_ELF_ERR_FEATURES; e--) {
        CHECK(xen_elf_strerror(e) != NULL);
        for (int f = e - 1; f >= XEN_ELF_ERR_FEATURES; f--)
            CHECK(strcmp(xen_elf_strerror(e), xen_elf_strerror(f)));
    }
    CHECK_STR(xen_elf_strerror(-100), "unknown ELF error");
    CHECK_STR(xen_feature_name(XENFEAT_writable_page_tables),
              "writable_page_tables");
    CHECK_STR(xen_feature_name(XENFEAT_pae_pgdir_above_4gb),
              "pae_pgdir_above_4gb");
    CHECK_STR(xen_feature_name(XENFEAT_supervisor_mode_kernel),
              "supervisor_mode_kernel");
    CHECK_STR(xen_feature_name(XENFEAT_hvm_callback_vector),
              "hvm_callback_vector");
    CHECK_STR(xen_feature_name(XENFEAT_dom0), "dom0");
    CHECK_STR(xen_feature_name(XENFEAT_direct_mapped), "direct_mapped");
    CHECK(xen_feature_name(12) == NULL);        /* commented out in Xen */
    CHECK(xen_feature_name(18) == NULL);
    CHECK(xen_feature_name(1000) == NULL);
}

/* The FEATURES grammar: names, "!", empty tokens, unknown names. */
static void test_parse_features(void)
{
    uint32_t sup[XENFEAT_NR_SUBMAPS], req[XENFEAT_NR_SUBMAPS];
    unsigned unk;
    const char *s;

#define PF(str, n) (memset(sup, 0, sizeof(sup)), memset(req, 0, sizeof(req)), \
                    unk = 0, xen_elf_parse_features(str, n, sup, req, &unk))
    s = "!writable_page_tables|pae_pgdir_above_4gb";
    CHECK_EQ(PF(s, strlen(s)), XEN_ELF_OK);
    CHECK_EQ(sup[0], 0x11);
    CHECK_EQ(req[0], 0x1);
    CHECK_EQ(unk, 0);
    /* Unknown names are ignored (and counted); partial names are unknown. */
    s = "dom|dom0x|frobnicate|dom0|";
    CHECK_EQ(PF(s, strlen(s)), XEN_ELF_OK);
    CHECK_EQ(sup[0], 1u << XENFEAT_dom0);
    CHECK_EQ(unk, 3);
    /* An unknown *required* name makes the kernel unbootable. */
    s = "dom0|!frobnicate";
    CHECK_EQ(PF(s, strlen(s)), XEN_ELF_ERR_FEATURE_NAME);
    s = "dom0|!";
    CHECK_EQ(PF(s, strlen(s)), XEN_ELF_ERR_FEATURE_NAME);
    /* Empty tokens anywhere, empty string. */
    s = "||hvm_callback_vector||";
    CHECK_EQ(PF(s, strlen(s)), XEN_ELF_OK);
    CHECK_EQ(sup[0], 1u << XENFEAT_hvm_callback_vector);
    CHECK_EQ(PF("", 0), XEN_ELF_OK);
    CHECK_EQ(sup[0], 0);
    CHECK_EQ(PF(NULL, 0), XEN_ELF_OK);
    CHECK_EQ(PF(NULL, 3), XEN_ELF_ERR_ARG);
    /* The length bounds the string (no NUL needed); a NUL ends it early. */
    s = "dom0|!auto_translated_physmap";
    CHECK_EQ(PF(s, 4), XEN_ELF_OK);
    CHECK_EQ(sup[0], 1u << XENFEAT_dom0);
    CHECK_EQ(req[0], 0);
    CHECK_EQ(PF("dom0\0!frobnicate", 16), XEN_ELF_OK);
    /* A 200-character name is just unknown. */
    {
        char longname[210];
        memset(longname, 'a', 200);
        strcpy(longname + 200, "|dom0");
        CHECK_EQ(PF(longname, strlen(longname)), XEN_ELF_OK);
        CHECK_EQ(sup[0], 1u << XENFEAT_dom0);
        CHECK_EQ(unk, 1);
    }
    /* Every name round-trips, required or not. */
    for (unsigned b = 0; b < 32; b++) {
        char buf[64];
        if (!xen_feature_name(b))
            continue;
        snprintf(buf, sizeof(buf), "!%s", xen_feature_name(b));
        CHECK_EQ(PF(buf, strlen(buf)), XEN_ELF_OK);
        CHECK_EQ(sup[0], 1u << b);
        CHECK_EQ(req[0], 1u << b);
    }
    CHECK_EQ(xen_elf_parse_features("x", 1, NULL, req, NULL), XEN_ELF_ERR_ARG);
#undef PF
}

/* The reference kernel parses to Debian's values, with Xen's arithmetic. */
static void test_linux_like(void)
{
    struct notes ns;
    struct xen_elf_info xi;

    linux_notes(&ns, 0);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK(xi.has_virt_base && xi.virt_base == VB);
    CHECK(xi.has_paddr_offset && xi.paddr_offset == 0);
    CHECK(xi.has_entry && xi.entry == ENTRY_VA);
    CHECK(!xi.has_hypercall_page);
    CHECK(xi.has_init_p2m && xi.init_p2m == 0x8000000000ull);
    CHECK(xi.has_hv_start_low && xi.hv_start_low == 0xffff800000000000ull);
    CHECK(xi.has_l1_mfn_valid && xi.l1_mfn_valid_mask == 1 &&
          xi.l1_mfn_valid_value == 1 && xi.l1_mfn_valid_pairs == 1);
    CHECK(xi.has_phys32_entry && xi.phys32_entry == 0x1000850);
    CHECK(xi.mod_start_pfn && xi.suspend_cancel && !xi.bsd_symtab);
    CHECK(xi.has_features && xi.has_supported_features);
    CHECK_EQ(xi.supported_features_note[0], 0x8801);
    CHECK_EQ(xi.features_supported[0], 0x8811);
    CHECK_EQ(xi.features_required[0], 0x1);
    CHECK_STR(xi.features, "!writable_page_tables|pae_pgdir_above_4gb");
    CHECK_STR(xi.guest_os, "linux");
    CHECK_STR(xi.guest_version, "2.6");
    CHECK_STR(xi.xen_version, "xen-3.0");
    CHECK_STR(xi.loader, "generic");
    CHECK_STR(xi.pae_mode, "yes");
    CHECK_EQ(xi.nr_xen_notes, 16);
    CHECK(!xi.notes_from_sections);
    CHECK_EQ(xi.notes_seen, 0x7f7fau);          /* all but INFO, HCALL, BSD */
    CHECK_EQ(xi.elf_pstart, 0x1000000);
    CHECK_EQ(xi.elf_pend, 0x1007000);
    CHECK(xi.virt_kstart == KSTART);
    CHECK(xi.virt_kend == VB + 0x1007000);

    /* With the (pre-6.1.123) hypercall page. */
    linux_notes(&ns, 1);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK(xi.has_hypercall_page && xi.hypercall_page == HCALL_VA);
}

/*
 * Each numeric note accepts 1, 2, 4 and 8 bytes (little-endian) and
 * refuses any other size, naming the note.
 */
static void test_numeric_sizes(void)
{
    static const uint32_t types[] = {
        XEN_ELFNOTE_ENTRY, XEN_ELFNOTE_HYPERCALL_PAGE, XEN_ELFNOTE_VIRT_BASE,
        XEN_ELFNOTE_PADDR_OFFSET, XEN_ELFNOTE_HV_START_LOW,
        XEN_ELFNOTE_SUSPEND_CANCEL, XEN_ELFNOTE_INIT_P2M,
        XEN_ELFNOTE_MOD_START_PFN, XEN_ELFNOTE_PHYS32_ENTRY,
    };
    static const uint32_t good[] = { 1, 2, 4, 8 }, bad[] = { 0, 3, 5, 7, 9, 16 };
    struct notes ns;
    struct xen_elf_info xi;

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
            uint8_t d[16] = { 0 };
            base_notes(&ns);
            xraw(&ns, types[i], d, bad[j]);
            CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_NOTE_SIZE);
            CHECK_EQ(xi.error_note, types[i]);
        }
    }
    /* Values are little-endian of the given width; HV_START_LOW as probe. */
    for (size_t j = 0; j < sizeof(good) / sizeof(good[0]); j++) {
        uint8_t d[8] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
        uint64_t want = 0;
        memcpy(&want, d, good[j]);
        base_notes(&ns);
        xraw(&ns, XEN_ELFNOTE_HV_START_LOW, d, good[j]);
        xraw(&ns, XEN_ELFNOTE_SUSPEND_CANCEL, "\0\0", good[j] >= 2 ? 2 : 1);
        xraw(&ns, XEN_ELFNOTE_MOD_START_PFN, "\0\1", 2);
        CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
        CHECK(xi.hv_start_low == want);
        CHECK(!xi.suspend_cancel && xi.mod_start_pfn);
    }
}

/* SUPPORTED_FEATURES and L1_MFN_VALID: arrays with their own sizes. */
static void test_array_notes(void)
{
    struct notes ns;
    struct xen_elf_info xi;
    uint32_t words[3] = { 0x8801, 0xffffffff, 0xffffffff };
    uint64_t pairs[4] = { 1, 1, 0x80, 0 };

    /* Extra SUPPORTED_FEATURES words (future submaps) are ignored. */
    for (uint32_t n = 4; n <= 12; n += 4) {
        base_notes(&ns);
        xraw(&ns, XEN_ELFNOTE_SUPPORTED_FEATURES, words, n);
        CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
        CHECK_EQ(xi.features_supported[0], 0x8801);
        CHECK_EQ(xi.features_required[0], 0);
    }
    for (uint32_t n = 0; n <= 7; n++) {
        if (n == 4)
            continue;
        base_notes(&ns);
        xraw(&ns, XEN_ELFNOTE_SUPPORTED_FEATURES, words, n);
        CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_NOTE_SIZE);
        CHECK_EQ(xi.error_note, XEN_ELFNOTE_SUPPORTED_FEATURES);
    }
    /* L1_MFN_VALID: one or more 16-byte pairs; the first is kept. */
    base_notes(&ns);
    xraw(&ns, XEN_ELFNOTE_L1_MFN_VALID, pairs, 32);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK(xi.l1_mfn_valid_mask == 1 && xi.l1_mfn_valid_value == 1);
    CHECK_EQ(xi.l1_mfn_valid_pairs, 2);
    static const uint32_t bad[] = { 0, 8, 12, 17, 24 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        base_notes(&ns);
        xraw(&ns, XEN_ELFNOTE_L1_MFN_VALID, pairs, bad[i]);
        CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_NOTE_SIZE);
        CHECK_EQ(xi.error_note, XEN_ELFNOTE_L1_MFN_VALID);
    }
    /* FEATURES and SUPPORTED_FEATURES combine; an unknown "!" is fatal. */
    base_notes(&ns);
    xraw(&ns, XEN_ELFNOTE_SUPPORTED_FEATURES, words, 4);
    xstr(&ns, XEN_ELFNOTE_FEATURES, "!auto_translated_physmap|bogus");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK_EQ(xi.features_supported[0], 0x8805);
    CHECK_EQ(xi.features_required[0], 0x4);
    CHECK_EQ(xi.features_unknown, 1);
    xstr(&ns, XEN_ELFNOTE_FEATURES, "dom0|!bogus");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_FEATURE_NAME);
    CHECK_EQ(xi.error_note, XEN_ELFNOTE_FEATURES);
}

/* String notes: NUL or not, empty, too long for their field, BSD_SYMTAB. */
static void test_string_notes(void)
{
    struct notes ns;
    struct xen_elf_info xi;
    char longs[300];

    memset(longs, 'z', sizeof(longs));
    ns.n = 0;
    xraw(&ns, XEN_ELFNOTE_GUEST_OS, "linuxAND-MORE", 5);      /* no NUL */
    xraw(&ns, XEN_ELFNOTE_XEN_VERSION, "xen-3.0\0junk", 12);  /* NUL inside */
    xraw(&ns, XEN_ELFNOTE_GUEST_VERSION, "", 0);
    xraw(&ns, XEN_ELFNOTE_LOADER, longs, sizeof(longs));
    xraw(&ns, XEN_ELFNOTE_FEATURES, longs, sizeof(longs));    /* unknown */
    xstr(&ns, XEN_ELFNOTE_BSD_SYMTAB, "yes");
    xnum(&ns, XEN_ELFNOTE_ENTRY, 0x1000100, 8);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK_STR(xi.guest_os, "linux");
    CHECK_STR(xi.xen_version, "xen-3.0");
    CHECK_STR(xi.guest_version, "");
    CHECK_EQ(strlen(xi.loader), sizeof(xi.loader) - 1);
    CHECK_EQ(strlen(xi.features), sizeof(xi.features) - 1);
    CHECK_EQ(xi.features_unknown, 1);
    CHECK(xi.bsd_symtab);
    /* No VIRT_BASE: the kernel is where p_paddr says. */
    CHECK(xi.virt_base == 0 && xi.virt_kstart == 0x1000000);
    CHECK(xi.notes_seen & (1u << XEN_ELFNOTE_BSD_SYMTAB));
    /* BSD_SYMTAB other than "yes" is recorded as no. */
    xraw(&ns, XEN_ELFNOTE_BSD_SYMTAB, "yes!", 4);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK(!xi.bsd_symtab);
}

/* Which notes must be there (libelf's elf_xen_note_check) and defaults. */
static void test_missing_notes(void)
{
    struct notes ns;
    struct xen_elf_info xi;

    /* No notes at all, or only other owners' notes: not a PV kernel. */
    ns.n = 0;
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_NOT_XEN);
    note(&ns, "GNU", 4, XEN_ELFNOTE_GUEST_OS, "linux", 6);
    note(&ns, "xen", 4, XEN_ELFNOTE_GUEST_OS, "linux", 6);
    note(&ns, "XenX", 5, XEN_ELFNOTE_GUEST_OS, "linux", 6);
    note(&ns, "Xe", 3, XEN_ELFNOTE_GUEST_OS, "linux", 6);
    note(&ns, "", 0, XEN_ELFNOTE_GUEST_OS, "linux", 6);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_NOT_XEN);
    /* A name of 3 bytes without its NUL still counts as "Xen" (libelf). */
    note(&ns, "Xen", 3, XEN_ELFNOTE_GUEST_OS, "linux", 6);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_XEN_VERSION);
    CHECK_EQ(xi.nr_xen_notes, 1);

    /* Neither LOADER "generic" nor GUEST_OS "linux". */
    ns.n = 0;
    xstr(&ns, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_GUEST);
    xstr(&ns, XEN_ELFNOTE_GUEST_OS, "Mini-OS");
    xstr(&ns, XEN_ELFNOTE_LOADER, "gener");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_GUEST);
    /* Either one suffices; prefixes count (as libelf's strncmp). */
    xstr(&ns, XEN_ELFNOTE_LOADER, "generic-v2");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    ns.n = 0;
    xstr(&ns, XEN_ELFNOTE_XEN_VERSION, "xen-3.0-unstable");
    xstr(&ns, XEN_ELFNOTE_GUEST_OS, "linux-6.1");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    /* ...which also shows the defaults: no VIRT_BASE, PADDR_OFFSET, ENTRY. */
    CHECK(!xi.has_virt_base && xi.virt_base == 0 && xi.paddr_offset == 0);
    CHECK(!xi.has_entry && xi.entry == 0x1000000);          /* e_entry */
    CHECK(xi.virt_kstart == 0x1000000 && xi.virt_kend == 0x1007000);
    /* XEN_VERSION missing or wrong. */
    ns.n = 0;
    xstr(&ns, XEN_ELFNOTE_GUEST_OS, "linux");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_XEN_VERSION);
    xstr(&ns, XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_XEN_VERSION);
}

/* Unknown types, repeated notes, the order of things. */
static void test_unknown_and_repeated(void)
{
    struct notes ns;
    struct xen_elf_info xi;

    base_notes(&ns);
    xnum(&ns, XEN_ELFNOTE_INFO, 5, 3);                  /* odd size: ignored */
    xnum(&ns, XEN_ELFNOTE_CRASH_INFO, 5, 8);
    xnum(&ns, 0x7777, 5, 5);
    xnum(&ns, XEN_ELFNOTE_MAX + 1, 5, 1);
    xstr(&ns, XEN_ELFNOTE_FEATURES, "!dom0");
    xstr(&ns, XEN_ELFNOTE_FEATURES, "hvm_callback_vector");
    xnum(&ns, XEN_ELFNOTE_ENTRY, ENTRY_VA + 8, 8);      /* last one wins */
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK(xi.entry == ENTRY_VA + 8);
    CHECK_EQ(xi.features_supported[0],
             (1u << XENFEAT_dom0) | (1u << XENFEAT_hvm_callback_vector));
    CHECK_EQ(xi.features_required[0], 1u << XENFEAT_dom0);
    CHECK_STR(xi.features, "hvm_callback_vector");
    CHECK_EQ(xi.nr_xen_notes, 11);
    CHECK_EQ(xi.notes_seen, (1u << XEN_ELFNOTE_GUEST_OS) |
             (1u << XEN_ELFNOTE_XEN_VERSION) | (1u << XEN_ELFNOTE_VIRT_BASE) |
             (1u << XEN_ELFNOTE_ENTRY) | (1u << XEN_ELFNOTE_INFO) |
             (1u << XEN_ELFNOTE_FEATURES) | (1u << (XEN_ELFNOTE_MAX + 1)));
}

/* Address rules: PADDR_OFFSET, entry, VIRT_BASE, span, wrap. */
static void test_addresses(void)
{
    struct notes ns;
    struct xen_elf_info xi;
    struct telf t;

    /* PADDR_OFFSET without VIRT_BASE. */
    ns.n = 0;
    xstr(&ns, XEN_ELFNOTE_GUEST_OS, "linux");
    xstr(&ns, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    xnum(&ns, XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_PADDR_OFFSET);
    /* A PADDR_OFFSET moves the kernel: VA = paddr + VIRT_BASE - offset. */
    base_notes(&ns);
    xnum(&ns, XEN_ELFNOTE_PADDR_OFFSET, 0x800000, 8);
    xnum(&ns, XEN_ELFNOTE_ENTRY, VB + 0x800000, 8);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK(xi.virt_kstart == VB + 0x800000 && xi.virt_kend == VB + 0x807000);
    /* ...but not below VIRT_BASE. */
    xnum(&ns, XEN_ELFNOTE_PADDR_OFFSET, 0x1000001, 8);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_RANGE);
    xnum(&ns, XEN_ELFNOTE_PADDR_OFFSET, 0x1000000, 8);
    xnum(&ns, XEN_ELFNOTE_ENTRY, VB, 8);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK(xi.virt_kstart == VB);
    /* Entry: first byte ok, last byte ok, end and outside refused. */
    static const struct { uint64_t e; int r; } entries[] = {
        { KSTART, XEN_ELF_OK }, { VB + 0x1006fff, XEN_ELF_OK },
        { VB + 0x1007000, XEN_ELF_ERR_RANGE }, { KSTART - 1, XEN_ELF_ERR_RANGE },
        { 0x1000100, XEN_ELF_ERR_RANGE },
    };
    for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
        base_notes(&ns);
        xnum(&ns, XEN_ELFNOTE_ENTRY, entries[i].e, 8);
        CHECK_EQ(parse_notes_with(&ns, &xi), entries[i].r);
    }
    /* Without an ENTRY note, e_entry must be inside too. */
    ns.n = 0;
    xstr(&ns, XEN_ELFNOTE_GUEST_OS, "linux");
    xstr(&ns, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    xnum(&ns, XEN_ELFNOTE_VIRT_BASE, VB, 8);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_RANGE);

    /* The range may not wrap, nor exceed 1 GiB. */
    base_notes(&ns);
    xnum(&ns, XEN_ELFNOTE_VIRT_BASE, 0xfffffffffefff000ull, 8);
    xnum(&ns, XEN_ELFNOTE_ENTRY, 0xfffffffffffff000ull, 8);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_RANGE);
    base_notes(&ns);
    linux_elf(&t, &ns);
    t.seg[2].paddr = 0x1004000 + (1ull << 30);
    t.seg[1].memsz = (1ull << 30);                      /* span > 1 GiB */
    CHECK_EQ(parse_elf(&t, &xi), XEN_ELF_ERR_RANGE);
    t.seg[1].memsz = (1ull << 30) - 0x4000 - 0x1000;    /* exactly 1 GiB... */
    t.seg[2].paddr = 0x1000000 + (1ull << 30) - 0x1000;
    CHECK_EQ(parse_elf(&t, &xi), XEN_ELF_OK);
    CHECK(xi.virt_kend - xi.virt_kstart == (1ull << 30));

    /* INIT_P2M may not point into the kernel. */
    base_notes(&ns);
    xnum(&ns, XEN_ELFNOTE_INIT_P2M, VB + 0x1006fff, 8);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_P2M);
    xnum(&ns, XEN_ELFNOTE_INIT_P2M, VB + 0x1007000, 8);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
}

/* HYPERCALL_PAGE: a whole, aligned page inside the kernel. */
static void test_hypercall_page(void)
{
    static const struct { uint64_t va; int r; } t[] = {
        { HCALL_VA, XEN_ELF_OK },
        { KSTART, XEN_ELF_OK },
        { VB + 0x1006000, XEN_ELF_OK },                 /* last page */
        { HCALL_VA + 8, XEN_ELF_ERR_HYPERCALL_PAGE },   /* unaligned */
        { VB + 0x1007000, XEN_ELF_ERR_HYPERCALL_PAGE }, /* past the end */
        { KSTART - 0x1000, XEN_ELF_ERR_HYPERCALL_PAGE },
        { 0, XEN_ELF_ERR_HYPERCALL_PAGE },
    };
    struct notes ns;
    struct xen_elf_info xi;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        base_notes(&ns);
        xnum(&ns, XEN_ELFNOTE_HYPERCALL_PAGE, t[i].va, 8);
        CHECK_EQ(parse_notes_with(&ns, &xi), t[i].r);
    }
    /* A kernel ending mid-page cannot hold a page at its last page start. */
    {
        struct telf te;
        base_notes(&ns);
        xnum(&ns, XEN_ELFNOTE_HYPERCALL_PAGE, VB + 0x1006000, 8);
        linux_elf(&te, &ns);
        te.seg[2].memsz = 0x800;
        CHECK_EQ(parse_elf(&te, &xi), XEN_ELF_ERR_HYPERCALL_PAGE);
    }
}

/* ELF header validation. */
static void test_elf_header(void)
{
    struct notes ns;
    struct telf t;
    struct elf_image ei;
    struct xen_elf_info xi;
    size_t len;
    uint8_t *p;

    linux_notes(&ns, 0);
    linux_elf(&t, &ns);
    p = build(&t, &len);
    CHECK_EQ(elf_parse(p, len, &ei), XEN_ELF_OK);
    CHECK_EQ(ei.phnum, 4);
    CHECK_EQ(ei.nr_load, 3);
    CHECK_EQ(ei.shnum, 0);
    CHECK_EQ(ei.entry, 0x1000000);

    CHECK_EQ(elf_parse(p, len, NULL), XEN_ELF_ERR_ARG);
    CHECK_EQ(elf_parse(NULL, 5, &ei), XEN_ELF_ERR_ARG);
    CHECK_EQ(elf_parse(NULL, 0, &ei), XEN_ELF_ERR_TRUNCATED);
    CHECK_EQ(xen_elf_parse(p, len, NULL), XEN_ELF_ERR_ARG);
    for (size_t n = 0; n < 64; n++)
        CHECK_EQ(elf_parse(p, n, &ei), XEN_ELF_ERR_TRUNCATED);
    /* Every shorter file fails (a segment or phdr runs past the end). */
    size_t used = ((Elf64_Phdr *)(p + 64))[3].p_offset +
                  ((Elf64_Phdr *)(p + 64))[3].p_filesz;
    CHECK(used <= len && used > len - 16);
    for (size_t n = 64; n < used; n++)
        CHECK(xen_elf_parse(p, n, &xi) != XEN_ELF_OK);

    static const struct { size_t off, size; uint64_t val; int r; } bad[] = {
        { EI_MAG0, 1, 0x7e, XEN_ELF_ERR_IDENT },
        { EI_MAG3, 1, 'f', XEN_ELF_ERR_IDENT },
        { EI_CLASS, 1, ELFCLASS32, XEN_ELF_ERR_IDENT },
        { EI_DATA, 1, ELFDATA2MSB, XEN_ELF_ERR_IDENT },
        { EI_VERSION, 1, 0, XEN_ELF_ERR_IDENT },
        { offsetof(Elf64_Ehdr, e_version), 4, 2, XEN_ELF_ERR_IDENT },
        { offsetof(Elf64_Ehdr, e_type), 2, ET_DYN, XEN_ELF_ERR_TYPE },
        { offsetof(Elf64_Ehdr, e_type), 2, ET_REL, XEN_ELF_ERR_TYPE },
        { offsetof(Elf64_Ehdr, e_machine), 2, EM_386, XEN_ELF_ERR_MACHINE },
        { offsetof(Elf64_Ehdr, e_machine), 2, EM_AARCH64, XEN_ELF_ERR_MACHINE },
        { offsetof(Elf64_Ehdr, e_phnum), 2, 0, XEN_ELF_ERR_PHDRS },
        { offsetof(Elf64_Ehdr, e_phnum), 2, 0xffff, XEN_ELF_ERR_PHDRS },
        { offsetof(Elf64_Ehdr, e_phnum), 2, 1000, XEN_ELF_ERR_PHDRS },
        { offsetof(Elf64_Ehdr, e_phentsize), 2, 32, XEN_ELF_ERR_PHDRS },
        { offsetof(Elf64_Ehdr, e_phentsize), 2, 64, XEN_ELF_ERR_PHDRS },
        { offsetof(Elf64_Ehdr, e_phoff), 8, 1ull << 40, XEN_ELF_ERR_PHDRS },
        { offsetof(Elf64_Ehdr, e_phoff), 8, ~0ull - 7, XEN_ELF_ERR_PHDRS },
        /* Section table: out of the file, bad entry size. */
        { offsetof(Elf64_Ehdr, e_shnum), 2, 3, XEN_ELF_ERR_SHDRS },
        /* shnum 0 with any shoff: no sections, fine. */
        { offsetof(Elf64_Ehdr, e_shoff), 8, ~0ull, XEN_ELF_OK },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t *q = malloc(len);
        memcpy(q, p, len);
        memcpy(q + bad[i].off, &bad[i].val, bad[i].size);
        CHECK_EQ(elf_parse(q, len, &ei), bad[i].r);
        free(q);
    }
    /* Exactly ELF_MAX_PHDRS program headers is fine, one more is not. */
    {
        static uint8_t one[16];
        struct telf many;
        memset(&many, 0, sizeof(many));
        many.entry = 0x1000;
        for (unsigned i = 0; i < ELF_MAX_PHDRS + 1; i++)
            many.seg[i] = SEG(PT_LOAD, PF_R, 0x1000 + i * 16,
                                         0x1000 + i * 16, 16, one, 16);
        many.nseg = ELF_MAX_PHDRS;
        uint8_t *q = build(&many, &len);
        CHECK_EQ(elf_parse(q, len, &ei), XEN_ELF_OK);
        CHECK_EQ(ei.nr_load, ELF_MAX_PHDRS);
        free(q);
        many.nseg = ELF_MAX_PHDRS + 1;
        q = build(&many, &len);
        CHECK_EQ(elf_parse(q, len, &ei), XEN_ELF_ERR_PHDRS);
        free(q);
    }
    free(p);
}

/* PT_LOAD rules: sizes, file bounds, wrap, overlap, loadability. */
static void test_segments(void)
{
    struct notes ns;
    struct telf t;
    struct elf_image ei;
    struct xen_elf_info xi;
    size_t len;
    uint8_t *p;

    base_notes(&ns);
#define TRY(setup, want)                                                  \
    do {                                                                  \
        linux_elf(&t, &ns);                                               \
        setup;                                                            \
        p = build(&t, &len);                                              \
        CHECK_EQ(elf_parse(p, len, &ei), want);                           \
        free(p);                                                          \
    } while (0)
    TRY((void)0, XEN_ELF_OK);
    /* p_filesz > p_memsz. */
    TRY(t.seg[1].memsz = 0x7ff, XEN_ELF_ERR_SEGMENT);
    TRY(t.seg[1].memsz = 0x800, XEN_ELF_OK);
    /* File bytes beyond the end; offsets that overflow. */
    TRY((t.seg[0].raw = 1, t.seg[0].offset = 0x100,
         t.seg[0].filesz_raw = 1ull << 32, t.seg[0].memsz = 1ull << 32),
        XEN_ELF_ERR_SEGMENT);
    TRY((t.seg[0].raw = 1, t.seg[0].offset = ~0ull - 0x10,
         t.seg[0].filesz_raw = 0x20), XEN_ELF_ERR_SEGMENT);
    TRY((t.seg[0].raw = 1, t.seg[0].offset = 1ull << 62,
         t.seg[0].filesz_raw = 0), XEN_ELF_ERR_SEGMENT);
    /* Zero file bytes anywhere in the file: pure bss. */
    TRY((t.seg[0].raw = 1, t.seg[0].offset = 64, t.seg[0].filesz_raw = 0),
        XEN_ELF_OK);
    /* p_paddr + p_memsz wraps. */
    TRY((t.seg[2].paddr = ~0ull - 0x800, t.seg[2].memsz = 0x1000),
        XEN_ELF_ERR_SEGMENT);
    /* Overlap by one byte with an earlier / later segment; touching is ok. */
    TRY(t.seg[1].paddr = 0x1002fff, XEN_ELF_ERR_OVERLAP);
    TRY(t.seg[1].paddr = 0x1003000, XEN_ELF_OK);
    TRY(t.seg[0].paddr = 0x1005fff, XEN_ELF_ERR_OVERLAP);
    TRY(t.seg[2].paddr = 0x1000000, XEN_ELF_ERR_OVERLAP);
    /* Same p_vaddr does not matter (only p_paddr places segments). */
    TRY(t.seg[2].vaddr = t.seg[0].vaddr, XEN_ELF_OK);
    /* A zero-size segment overlaps nothing but still counts for extent. */
    TRY((t.seg[2].memsz = 0, t.seg[2].filesz = 0, t.seg[2].paddr = 0x1000800),
        XEN_ELF_OK);
    /* PT_LOAD without R/W/X is not loaded, so its fields do not matter. */
    TRY((t.seg[2].flags = 0, t.seg[2].raw = 1, t.seg[2].offset = ~0ull,
         t.seg[2].filesz_raw = ~0ull, t.seg[2].paddr = 0x1000000),
        XEN_ELF_OK);
    CHECK_EQ(ei.nr_load, 2);
    CHECK_EQ(ei.pend, 0x1006000);
    /* Nothing loadable. */
    TRY((t.seg[0].flags = t.seg[1].flags = t.seg[2].flags = 0),
        XEN_ELF_ERR_NO_LOAD);
    TRY((t.seg[0].type = t.seg[1].type = t.seg[2].type = PT_GNU_STACK),
        XEN_ELF_ERR_NO_LOAD);
#undef TRY
    /* And xen_elf_parse reports the same. */
    linux_elf(&t, &ns);
    t.seg[1].paddr = 0x1002fff;
    CHECK_EQ(parse_elf(&t, &xi), XEN_ELF_ERR_OVERLAP);
}

/* Note areas: bounds, descsz/namesz overflow, padding, p_offset 0. */
static void test_note_bounds(void)
{
    struct notes ns;
    struct telf t;
    struct xen_elf_info xi;

    base_notes(&ns);
    linux_elf(&t, &ns);
    /* PT_NOTE outside the file. */
    t.seg[3].raw = 1;
    t.seg[3].offset = 64;
    t.seg[3].filesz_raw = 1ull << 40;
    CHECK_EQ(parse_elf(&t, &xi), XEN_ELF_ERR_NOTE_BOUNDS);
    t.seg[3].offset = ~0ull;
    t.seg[3].filesz_raw = 2;
    CHECK_EQ(parse_elf(&t, &xi), XEN_ELF_ERR_NOTE_BOUNDS);
    /* PT_NOTE at p_offset 0 is skipped (binutils quirk): no notes left. */
    t.seg[3].offset = 0;
    t.seg[3].filesz_raw = 64;
    CHECK_EQ(parse_elf(&t, &xi), XEN_ELF_ERR_NOT_XEN);

    /* descsz reaching past the area, up to 0xffffffff. */
    static const uint32_t descsz[] = { 0xffffffff, 0xfffffffd, 0x1000, 9 };
    for (size_t i = 0; i < sizeof(descsz) / sizeof(descsz[0]); i++) {
        base_notes(&ns);
        uint32_t h[3] = { 4, descsz[i], XEN_ELFNOTE_ENTRY };
        memcpy(ns.b + ns.n, h, 12);
        memcpy(ns.b + ns.n + 12, "Xen\0\1\2\3\4", 8);
        ns.n += 20;
        CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_NOTE_BOUNDS);
    }
    /* namesz past the area. */
    base_notes(&ns);
    {
        uint32_t h[3] = { 0xfffffffe, 0, 1 };
        memcpy(ns.b + ns.n, h, 12);
        ns.n += 12;
    }
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_NOTE_BOUNDS);
    /* A last note whose desc padding is cut off by the area's end is ok. */
    base_notes(&ns);
    xraw(&ns, XEN_ELFNOTE_GUEST_VERSION, "2.6.x", 5);
    ns.n -= 3;
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK_STR(xi.guest_version, "2.6.x");
    /* ...but a desc cut off is not. */
    ns.n -= 1;
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_NOTE_BOUNDS);
    /* Trailing bytes shorter than a note header: zeros ok, else not. */
    base_notes(&ns);
    memset(ns.b + ns.n, 0, 8);
    ns.n += 8;
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    ns.b[ns.n - 3] = 1;
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_NOTE_BOUNDS);
}

/* At most XEN_ELF_MAX_NOTES notes of any owner, over all areas. */
static void test_too_many_notes(void)
{
    struct notes ns;
    struct xen_elf_info xi;
    struct telf t;

    /* Exactly the limit: 4 base notes + empty ones. */
    ns.n = 0;
    base_notes(&ns);
    for (unsigned i = 4; i < XEN_ELF_MAX_NOTES; i++)
        note(&ns, "", 0, 1, NULL, 0);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    note(&ns, "", 0, 1, NULL, 0);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_ERR_TOO_MANY_NOTES);
    /* The count spans areas: the same area twice is twice the notes. */
    ns.n = 0;
    base_notes(&ns);
    for (unsigned i = 4; i < XEN_ELF_MAX_NOTES / 2 + 1; i++)
        note(&ns, "", 0, 1, NULL, 0);
    linux_elf(&t, &ns);
    t.seg[4] = t.seg[3];
    t.nseg = 5;
    CHECK_EQ(parse_elf(&t, &xi), XEN_ELF_ERR_TOO_MANY_NOTES);
}

/* SHT_NOTE sections are used only when no PT_NOTE has Xen notes. */
static void test_section_notes(void)
{
    struct notes ns, sn;
    struct telf t;
    struct xen_elf_info xi;
    size_t len;
    uint8_t *p;

    linux_notes(&sn, 0);
    /* No PT_NOTE: the section's notes are used. */
    ns.n = 0;
    linux_elf(&t, &ns);
    t.nseg = 3;
    t.sec[0] = (struct tsec){ SHT_PROGBITS, "junk", 4 };
    t.sec[1] = (struct tsec){ SHT_NOTE, sn.b, sn.n };
    t.nsec = 2;
    CHECK_EQ(parse_elf(&t, &xi), XEN_ELF_OK);
    CHECK(xi.notes_from_sections);
    CHECK(xi.virt_kstart == KSTART && xi.entry == ENTRY_VA);
    /* A PT_NOTE with only GNU notes does not stop the fallback. */
    note(&ns, "GNU", 4, 3, "abcd", 4);
    linux_elf(&t, &ns);
    t.sec[0] = (struct tsec){ SHT_NOTE, sn.b, sn.n };
    t.nsec = 1;
    CHECK_EQ(parse_elf(&t, &xi), XEN_ELF_OK);
    CHECK(xi.notes_from_sections);
    /* A PT_NOTE with Xen notes wins; the section is not even read. */
    base_notes(&ns);
    xnum(&ns, XEN_ELFNOTE_ENTRY, ENTRY_VA + 4, 8);
    linux_elf(&t, &ns);
    t.sec[0] = (struct tsec){ SHT_NOTE, sn.b, sn.n };
    t.nsec = 1;
    p = build(&t, &len);
    /* Corrupt the section's first note: unread, so harmless. */
    {
        Elf64_Ehdr *eh = (Elf64_Ehdr *)p;
        Elf64_Shdr *sh = (Elf64_Shdr *)(p + eh->e_shoff) + 1;
        memset(p + sh->sh_offset, 0xff, 12);
        CHECK_EQ(xen_elf_parse(p, len, &xi), XEN_ELF_OK);
        CHECK(!xi.notes_from_sections && xi.entry == ENTRY_VA + 4);
        CHECK(!xi.has_hv_start_low);
        /* With no Xen PT_NOTE it is read, and its damage found. */
        Elf64_Phdr *ph = (Elf64_Phdr *)(p + eh->e_phoff) + 3;
        ph->p_type = PT_NULL;
        CHECK_EQ(xen_elf_parse(p, len, &xi), XEN_ELF_ERR_NOTE_BOUNDS);
        /* Section outside the file. */
        sh->sh_offset = len - 4;
        CHECK_EQ(xen_elf_parse(p, len, &xi), XEN_ELF_ERR_NOTE_BOUNDS);
        /* Section header table itself outside the file. */
        eh->e_shoff = len - 64;
        CHECK_EQ(xen_elf_parse(p, len, &xi), XEN_ELF_ERR_SHDRS);
        eh->e_shoff = (uint64_t)(sh - 1 - (Elf64_Shdr *)p) * 64;
        eh->e_shentsize = 40;
        CHECK_EQ(xen_elf_parse(p, len, &xi), XEN_ELF_ERR_SHDRS);
    }
    free(p);
}

/* Features we offer vs features the kernel requires (PV rules). */
static void test_check_features(void)
{
    struct notes ns;
    struct xen_elf_info xi;
    uint32_t offer[XENFEAT_NR_SUBMAPS] = {
        (1u << XENFEAT_mmu_pt_update_preserve_ad) |
        (1u << XENFEAT_gnttab_map_avail_bits) | (1u << XENFEAT_highmem_assist)
    };
    char why[200];

    /* Linux: "!writable_page_tables" is not held against it for PV. */
    linux_notes(&ns, 0);
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    strcpy(why, "stale");
    CHECK_EQ(xen_elf_check_features(&xi, offer, why, sizeof(why)), XEN_ELF_OK);
    CHECK_STR(why, "");
    CHECK_EQ(xen_elf_check_features(&xi, NULL, NULL, 0), XEN_ELF_OK);
    CHECK_EQ(xen_elf_check_features(NULL, offer, why, sizeof(why)),
             XEN_ELF_ERR_ARG);
    /* Nor is "!pae_pgdir_above_4gb". */
    base_notes(&ns);
    xstr(&ns, XEN_ELFNOTE_FEATURES, "!pae_pgdir_above_4gb|!writable_page_tables");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK_EQ(xen_elf_check_features(&xi, NULL, why, sizeof(why)), XEN_ELF_OK);

    /* Required features we cannot give are named, in bit order. */
    base_notes(&ns);
    xstr(&ns, XEN_ELFNOTE_FEATURES,
         "!dom0|!auto_translated_physmap|!gnttab_map_avail_bits|hvm_pirqs");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK_EQ(xen_elf_check_features(&xi, offer, why, sizeof(why)),
             XEN_ELF_ERR_FEATURES);
    CHECK_STR(why, "requires unsupported Xen features: "
                   "auto_translated_physmap, dom0");
    /* Offering them makes the kernel acceptable. */
    uint32_t more[XENFEAT_NR_SUBMAPS] = {
        offer[0] | (1u << XENFEAT_dom0) | (1u << XENFEAT_auto_translated_physmap)
    };
    CHECK_EQ(xen_elf_check_features(&xi, more, why, sizeof(why)), XEN_ELF_OK);
    /* Truncated explanation stays terminated; size 1 and 0 are fine. */
    CHECK_EQ(xen_elf_check_features(&xi, offer, why, 12), XEN_ELF_ERR_FEATURES);
    CHECK_STR(why, "requires un");
    why[0] = 'x';
    CHECK_EQ(xen_elf_check_features(&xi, offer, why, 1), XEN_ELF_ERR_FEATURES);
    CHECK_EQ(why[0], '\0');
    why[0] = 'x';
    CHECK_EQ(xen_elf_check_features(&xi, offer, why, 0), XEN_ELF_ERR_FEATURES);
    CHECK_EQ(why[0], 'x');

    /* supervisor_mode_kernel is refused even when "offered" (dom0_build). */
    base_notes(&ns);
    xstr(&ns, XEN_ELFNOTE_FEATURES, "!supervisor_mode_kernel");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    uint32_t all[XENFEAT_NR_SUBMAPS] = { ~0u };
    CHECK_EQ(xen_elf_check_features(&xi, all, why, sizeof(why)),
             XEN_ELF_ERR_FEATURES);
    CHECK_STR(why, "requires unsupported Xen features: supervisor_mode_kernel");
    /* Supported-only features never matter. */
    base_notes(&ns);
    xstr(&ns, XEN_ELFNOTE_FEATURES, "supervisor_mode_kernel|dom0");
    CHECK_EQ(parse_notes_with(&ns, &xi), XEN_ELF_OK);
    CHECK_EQ(xen_elf_check_features(&xi, NULL, why, sizeof(why)), XEN_ELF_OK);
    /* A hand-made required bit without a name is reported by number. */
    xi.features_required[0] = 1u << 12;
    CHECK_EQ(xen_elf_check_features(&xi, NULL, why, sizeof(why)),
             XEN_ELF_ERR_FEATURES);
    CHECK_STR(why, "requires unsupported Xen features: bit012");
}

/* Segment loading: addresses, sizes, bss tails, errors. */
static void test_load_segments(void)
{
    struct notes ns;
    struct telf t;
    struct xen_elf_info xi, other;
    struct copies c;
    size_t len, len2;
    uint8_t *p, *q;

    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (uint8_t)(i * 7 + 3);
    memset(data, 0xda, sizeof(data));
    memset(percpu, 0xcc, sizeof(percpu));
    linux_notes(&ns, 0);
    linux_elf(&t, &ns);
    t.seg[3].flags = PF_R;              /* a PT_NOTE is never loaded */
    p = build(&t, &len);
    CHECK_EQ(xen_elf_parse(p, len, &xi), XEN_ELF_OK);

    memset(&c, 0, sizeof(c));
    CHECK_EQ(elf_load_segments(p, len, &xi, record_copy, &c), XEN_ELF_OK);
    CHECK_EQ(c.n, 3);
    CHECK(c.va[0] == KSTART && c.len[0] == sizeof(text) && c.zero[0] == 0);
    CHECK(memcmp(c.src[0], text, sizeof(text)) == 0);
    CHECK(c.va[1] == VB + 0x1004000 && c.len[1] == 0x800 &&
          c.zero[1] == 0x1800);
    CHECK(memcmp(c.src[1], data, sizeof(data)) == 0);
    /* The per-CPU segment goes by p_paddr, not its p_vaddr of 0. */
    CHECK(c.va[2] == VB + 0x1006000 && c.len[2] == 0x100 &&
          c.zero[2] == 0xf00);
    for (unsigned i = 0; i < 3; i++)
        CHECK(c.va[i] >= xi.virt_kstart &&
              c.va[i] + c.len[i] + c.zero[i] <= xi.virt_kend);

    /* A copy error stops the walk and comes back unchanged. */
    memset(&c, 0, sizeof(c));
    c.fail_at = 2;
    CHECK_EQ(elf_load_segments(p, len, &xi, record_copy, &c), -1234);
    CHECK_EQ(c.n, 2);

    /* Arguments, and info that belongs to another file. */
    CHECK_EQ(elf_load_segments(p, len, NULL, record_copy, &c),
             XEN_ELF_ERR_ARG);
    CHECK_EQ(elf_load_segments(p, len, &xi, NULL, &c), XEN_ELF_ERR_ARG);
    CHECK_EQ(elf_load_segments(p, 10, &xi, record_copy, &c),
             XEN_ELF_ERR_TRUNCATED);
    t.seg[2].paddr = 0x1008000;         /* bigger extent */
    q = build(&t, &len2);
    CHECK_EQ(xen_elf_parse(q, len2, &other), XEN_ELF_OK);
    CHECK_EQ(elf_load_segments(p, len, &other, record_copy, &c),
             XEN_ELF_ERR_ARG);
    other = xi;
    other.virt_kstart += 0x1000;
    CHECK_EQ(elf_load_segments(p, len, &other, record_copy, &c),
             XEN_ELF_ERR_ARG);
    other = xi;
    other.virt_base += 0x1000;
    CHECK_EQ(elf_load_segments(p, len, &other, record_copy, &c),
             XEN_ELF_ERR_ARG);
    free(q);

    /* A zero-size segment is not copied. */
    linux_elf(&t, &ns);
    t.seg[2].memsz = t.seg[2].filesz = 0;
    q = build(&t, &len2);
    CHECK_EQ(xen_elf_parse(q, len2, &other), XEN_ELF_OK);
    memset(&c, 0, sizeof(c));
    CHECK_EQ(elf_load_segments(q, len2, &other, record_copy, &c), XEN_ELF_OK);
    CHECK_EQ(c.n, 2);
    free(q);
    free(p);
}

/* Segment / section accessors. */
static void test_accessors(void)
{
    struct notes ns;
    struct telf t;
    struct elf_image ei;
    struct elf_segment seg;
    struct elf_section sec;
    size_t len;
    uint8_t *p;

    linux_notes(&ns, 0);
    linux_elf(&t, &ns);
    t.sec[0] = (struct tsec){ SHT_NOTE, ns.b, ns.n };
    t.nsec = 1;
    p = build(&t, &len);
    CHECK_EQ(elf_parse(p, len, &ei), XEN_ELF_OK);
    CHECK_EQ(ei.shnum, 2);
    CHECK_EQ(elf_get_segment(&ei, 2, &seg), XEN_ELF_OK);
    CHECK(seg.type == PT_LOAD && seg.vaddr == 0 && seg.paddr == 0x1006000 &&
          seg.filesz == 0x100 && seg.memsz == 0x1000 && seg.align == 16 &&
          seg.flags == (PF_R | PF_W));
    CHECK(elf_segment_loadable(&seg));
    CHECK_EQ(elf_get_segment(&ei, 3, &seg), XEN_ELF_OK);
    CHECK(seg.type == PT_NOTE && !elf_segment_loadable(&seg));
    CHECK_EQ(elf_get_segment(&ei, 4, &seg), XEN_ELF_ERR_ARG);
    CHECK_EQ(elf_get_segment(&ei, 0, NULL), XEN_ELF_ERR_ARG);
    CHECK_EQ(elf_get_segment(NULL, 0, &seg), XEN_ELF_ERR_ARG);
    CHECK_EQ(elf_get_section(&ei, 1, &sec), XEN_ELF_OK);
    CHECK(sec.type == SHT_NOTE && sec.size == ns.n &&
          memcmp(p + sec.offset, ns.b, ns.n) == 0);
    CHECK_EQ(elf_get_section(&ei, 2, &sec), XEN_ELF_ERR_ARG);
    CHECK_EQ(elf_get_section(NULL, 0, &sec), XEN_ELF_ERR_ARG);
    free(p);
}

/*
 * Random damage to the reference kernel (with a section table): parse
 * never crashes, and whatever parses loads only inside its range from
 * inside the file.
 */
static const uint8_t *fz_base;
static size_t fz_len;
static const struct xen_elf_info *fz_xi;

static int checked_copy(uint64_t va, const void *src, size_t n,
                        size_t zero_tail, void *ctx)
{
    const uint8_t *s = src;

    (void)ctx;
    if (!(va >= fz_xi->virt_kstart && n + zero_tail <= fz_xi->virt_kend - va &&
          s >= fz_base && n <= fz_len - (size_t)(s - fz_base)))
        th_case_failures++;
    return 0;
}

static void test_random_damage(void)
{
    struct notes ns;
    struct telf t;
    struct xen_elf_info xi;
    size_t len;
    uint8_t *p, *q;
    uint64_t st = 12345;
    unsigned ok = 0;

    linux_notes(&ns, 1);
    linux_elf(&t, &ns);
    t.sec[0] = (struct tsec){ SHT_NOTE, ns.b, ns.n };
    t.nsec = 1;
    p = build(&t, &len);
    q = malloc(len);
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(q, p, len);
        int flips = 1 + (int)(st % 4);
        for (int f = 0; f < flips; f++) {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            /* Mostly headers and notes, where the parsing is. */
            size_t at = st % 3 ? (st >> 20) % 0x180 : (st >> 20) % len;
            if (st % 5 == 0 && at + 8 <= len)
                memcpy(q + at, &st, (st >> 40) % 8 + 1);
            else
                q[at] ^= (uint8_t)(1u << ((st >> 8) % 8));
        }
        if (xen_elf_parse(q, len, &xi) != XEN_ELF_OK)
            continue;
        ok++;
        fz_base = q;
        fz_len = len;
        fz_xi = &xi;
        CHECK_EQ(elf_load_segments(q, len, &xi, checked_copy, NULL),
                 XEN_ELF_OK);
        CHECK(xi.entry >= xi.virt_kstart && xi.entry < xi.virt_kend);
        CHECK(xi.loader[sizeof(xi.loader) - 1] == '\0');
    }
    printf("  %u of 20000 damaged files still parse\n", ok);
    CHECK(ok > 0);
    free(q);
    free(p);
}

/* Debian's kernel: probe, unpack, and the notes of linux-pv-boot.md §1. */
static void test_debian_vmlinuz(void)
{
    const char *path = getenv("XHV_TEST_VMLINUZ");
    struct kernel_image ki;
    struct xen_elf_info xi;
    uint8_t *img, *elf;
    size_t n, elf_n;
    FILE *f;
    uint32_t offer[XENFEAT_NR_SUBMAPS] = {
        (1u << XENFEAT_mmu_pt_update_preserve_ad) |
        (1u << XENFEAT_gnttab_map_avail_bits)
    };
    char why[128];
    struct copies c;

    f = fopen(path, "rb");
    if (!f) {
        CHECK(!"cannot open XHV_TEST_VMLINUZ");
        return;
    }
    fseek(f, 0, SEEK_END);
    n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    img = malloc(n);
    CHECK_EQ(fread(img, 1, n, f), n);
    fclose(f);

    CHECK_EQ(kernel_image_probe(img, n, &ki), KERNEL_IMAGE_OK);
    CHECK_EQ(ki.kind, KERNEL_IMAGE_BZIMAGE);
    CHECK_EQ(ki.compression, KERNEL_COMP_XZ);
    elf = malloc((size_t)ki.unpacked_size);
    CHECK_EQ(kernel_image_unpack(&ki, elf, (size_t)ki.unpacked_size, &elf_n),
             KERNEL_IMAGE_OK);
    CHECK_EQ(elf_n, ki.unpacked_size);

    CHECK_EQ(xen_elf_parse(elf, elf_n, &xi), XEN_ELF_OK);
    printf("  guest_os \"%s\" guest_version \"%s\" xen_version \"%s\" "
           "loader \"%s\" pae_mode \"%s\"\n", xi.guest_os, xi.guest_version,
           xi.xen_version, xi.loader, xi.pae_mode);
    printf("  virt_base %#llx paddr_offset %#llx entry %#llx "
           "kernel [%#llx, %#llx)\n",
           (unsigned long long)xi.virt_base,
           (unsigned long long)xi.paddr_offset, (unsigned long long)xi.entry,
           (unsigned long long)xi.virt_kstart,
           (unsigned long long)xi.virt_kend);
    printf("  init_p2m %#llx hv_start_low %#llx l1_mfn_valid %#llx/%#llx "
           "phys32_entry %#llx\n", (unsigned long long)xi.init_p2m,
           (unsigned long long)xi.hv_start_low,
           (unsigned long long)xi.l1_mfn_valid_mask,
           (unsigned long long)xi.l1_mfn_valid_value,
           (unsigned long long)xi.phys32_entry);
    printf("  features \"%s\" supported_features %#x -> supported %#x "
           "required %#x; hypercall page %s; %u Xen notes, seen %#x\n",
           xi.features, xi.supported_features_note[0],
           xi.features_supported[0], xi.features_required[0],
           xi.has_hypercall_page ? "yes" : "no", xi.nr_xen_notes,
           xi.notes_seen);
    CHECK(xi.has_virt_base && xi.virt_base == 0xffffffff80000000ull);
    CHECK(xi.has_paddr_offset && xi.paddr_offset == 0);
    CHECK(xi.has_entry);
    CHECK(xi.has_init_p2m && xi.init_p2m == 0x8000000000ull);
    CHECK(xi.has_l1_mfn_valid && xi.l1_mfn_valid_mask == 1 &&
          xi.l1_mfn_valid_value == 1);
    CHECK(xi.has_hv_start_low && xi.hv_start_low == 0xffff800000000000ull);
    CHECK(!xi.has_hypercall_page);
    CHECK_STR(xi.features, "!writable_page_tables|pae_pgdir_above_4gb");
    CHECK(xi.has_supported_features);
    CHECK_EQ(xi.supported_features_note[0], 0x8801);
    CHECK_EQ(xi.features_required[0], 1u << XENFEAT_writable_page_tables);
    CHECK_STR(xi.guest_os, "linux");
    CHECK_STR(xi.xen_version, "xen-3.0");
    CHECK_STR(xi.loader, "generic");
    CHECK_STR(xi.pae_mode, "yes");
    CHECK(xi.mod_start_pfn && xi.suspend_cancel);
    CHECK(xi.virt_kstart == 0xffffffff81000000ull);
    CHECK(xi.entry > xi.virt_kstart && xi.entry < xi.virt_kend);
    CHECK_EQ(xen_elf_check_features(&xi, offer, why, sizeof(why)), XEN_ELF_OK);

    fz_base = elf;
    fz_len = elf_n;
    fz_xi = &xi;
    CHECK_EQ(elf_load_segments(elf, elf_n, &xi, checked_copy, NULL),
             XEN_ELF_OK);
    memset(&c, 0, sizeof(c));
    CHECK_EQ(elf_load_segments(elf, elf_n, &xi, record_copy, &c), XEN_ELF_OK);
    CHECK_EQ(c.n, 4);
    for (unsigned i = 0; i < c.n && i < 8; i++)
        printf("  load %#llx: %zu bytes + %zu zero\n",
               (unsigned long long)c.va[i], c.len[i], c.zero[i]);
    free(elf);
    free(img);
}

int main(void)
{
    struct stat st;
    const char *v;

    RUN_TEST(test_strerror_and_names);
    RUN_TEST(test_parse_features);
    RUN_TEST(test_linux_like);
    RUN_TEST(test_numeric_sizes);
    RUN_TEST(test_array_notes);
    RUN_TEST(test_string_notes);
    RUN_TEST(test_missing_notes);
    RUN_TEST(test_unknown_and_repeated);
    RUN_TEST(test_addresses);
    RUN_TEST(test_hypercall_page);
    RUN_TEST(test_elf_header);
    RUN_TEST(test_segments);
    RUN_TEST(test_note_bounds);
    RUN_TEST(test_too_many_notes);
    RUN_TEST(test_section_notes);
    RUN_TEST(test_check_features);
    RUN_TEST(test_load_segments);
    RUN_TEST(test_accessors);
    RUN_TEST(test_random_damage);
    v = getenv("XHV_TEST_VMLINUZ");
    if (v && *v && stat(v, &st) == 0)
        RUN_TEST(test_debian_vmlinuz);
    else
        printf("SKIP: debian vmlinuz notes (set XHV_TEST_VMLINUZ, see "
               "tools/fetch-kernel.sh)\n");
    return th_finish();
}
