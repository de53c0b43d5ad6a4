/*
 * libFuzzer target for the multiboot information parsers
 * (shim/boot/multiboot.c: boot_info_from_mb1/_from_mb2) and the memory map
 * sanitizer behind them (shim/boot/memmap.c: memmap_sanitize). These read
 * what the boot loader left in memory, so every byte is outside input.
 *
 * Input: a fake physical memory made of up to four segments.
 *   offset 0   u32 info_pa         address passed to both parsers
 *   offset 4   4 x { u32 pa; u16 len }  segments, little endian
 *   offset 28  the segments' bytes, one after the other; a length running
 *              past the input is cut, len 0 leaves a segment unused
 * Everything else in physical memory is unmappable. The map callback
 * accepts [pa, pa + len) only if it lies inside one segment, and returns an
 * exact-size heap copy of those input bytes, so a parser that reads even
 * one byte beyond what it asked for is an ASan report. A request with
 * len 0 breaks the callback's contract and aborts.
 *
 * Each input is parsed as multiboot1 and as multiboot2. Checked after each:
 *  - the return value is 0, -XEN_EFAULT or -XEN_EINVAL, and 0 means memory
 *    information was found;
 *  - the struct boot_info invariants of <xhv/boot_info.h>: strings
 *    NUL-terminated in their arrays, counts within the arrays, memory
 *    entries non-empty and not wrapping, modules not wrapping, RSDP length
 *    within its array, a warning text iff warnings were counted.
 * Then memmap_sanitize() runs on the map twice, with room to spare and
 * with cap == n (both in exact-size heap arrays), and its output must be
 * sorted, disjoint, page-aligned, non-empty, merged (no touching neighbours
 * of equal type), and never call RAM what the input did not: every output
 * RAM byte lies in some input RAM entry and in no input non-RAM entry.
 *
 * Seeds (tests/fuzz/seeds/multiboot/): QEMU 7.2-like multiboot1 info (flags
 * 0x24f, e820 map, two modules with command lines, "qemu"), a meminfo-only
 * mb1, GRUB 2.06-like multiboot2 tag lists (cmdline, loader name, modules,
 * meminfo, bootdev, mmap, framebuffer, ACPI old/new, end), a few odd
 * shapes (overlapping map, large entry_size, truncated tags, more entries
 * and modules than fit) and regress-mmap-base-top.bin (an mmap entry at
 * base 2^64-1, which once gave a zero-length entry).
 */
#include <xhv/boot_info.h>
#include <xhv/multiboot.h>
#include <xen/errno.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NSEG        4
#define HDR_SIZE    (4 + NSEG * 6)
#define PG          4096ULL
#define MAX_MAPS    (1u << 18)

struct seg {
    uint64_t pa;
    size_t len;
    const uint8_t *bytes;       /* inside the fuzz input */
};

struct fake_phys {
    struct seg seg[NSEG];
    void *copies[MAX_MAPS];     /* handed out by fake_map, freed per input */
    unsigned int ncopies;
};

static void check(int cond)
{
    if (!cond)
        abort();
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static const void *fake_map(uint64_t pa, size_t len, void *ctx)
{
    struct fake_phys *fp = ctx;
    unsigned int i;
    void *copy;

    check(len != 0);
    if (pa + len < pa)
        return NULL;
    for (i = 0; i < NSEG; i++) {
        const struct seg *s = &fp->seg[i];

        if (s->len && pa >= s->pa && pa + len <= s->pa + s->len)
            break;
    }
    if (i == NSEG)
        return NULL;
    /* A parser byte-loops over strings and maps: this bounds the work. */
    check(fp->ncopies < MAX_MAPS);
    copy = malloc(len);
    check(copy != NULL);
    memcpy(copy, fp->seg[i].bytes + (pa - fp->seg[i].pa), len);
    fp->copies[fp->ncopies++] = copy;
    return copy;
}

static void release(struct fake_phys *fp)
{
    while (fp->ncopies)
        free(fp->copies[--fp->ncopies]);
}

static int terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static void check_boot_info(const struct boot_info *bi, int rc,
                            enum boot_proto proto)
{
    unsigned int i;

    check(rc == 0 || rc == -XEN_EFAULT || rc == -XEN_EINVAL);
    check(bi->proto == proto);
    check(rc != 0 || bi->mem_count > 0);
    check(terminated(bi->loader_name, sizeof(bi->loader_name)));
    check(terminated(bi->cmdline, sizeof(bi->cmdline)));
    check(bi->mem_count <= BOOT_MEM_MAX);
    check(!bi->mem_from_map || bi->mem_count > 0);
    for (i = 0; i < bi->mem_count; i++) {
        check(bi->mem[i].len > 0);
        check(bi->mem[i].base + bi->mem[i].len >= bi->mem[i].base);
    }
    check(bi->mod_count <= BOOT_MOD_MAX);
    for (i = 0; i < bi->mod_count; i++) {
        check(bi->mods[i].start + bi->mods[i].len >= bi->mods[i].start);
        check(terminated(bi->mods[i].cmdline, sizeof(bi->mods[i].cmdline)));
    }
    check(bi->rsdp_len <= BOOT_RSDP_MAX);
    check(bi->have_rsdp == (bi->rsdp_len != 0));
    check(!bi->have_rsdp || bi->rsdp_len >= 20);
    check((bi->warnings != 0) == (bi->last_warning != NULL));
    check(!bi->last_warning || terminated(bi->last_warning, 256));
    check(bi->info.end >= bi->info.start);
}

/* Does the union of in[] entries of RAM type (ram) or of any other type
 * (!ram) cover all of [s, e)? */
static int covered(const struct boot_mem_range *in, unsigned int n, bool ram,
                   uint64_t s, uint64_t e)
{
    unsigned int i;
    int moved = 1;

    /* Invariant: [original s, s) is covered. */
    while (s < e && moved) {
        moved = 0;
        for (i = 0; i < n; i++) {
            uint64_t b = in[i].base, end = in[i].base + in[i].len;

            if ((in[i].type == E820_RAM) != ram)
                continue;
            if (b <= s && s < end) {
                s = end;
                moved = 1;
                if (s >= e)
                    break;
            }
        }
    }
    return s >= e;
}

/* Does any input entry not of RAM type overlap [s, e)? */
static int hits_non_ram(const struct boot_mem_range *in, unsigned int n,
                        uint64_t s, uint64_t e)
{
    unsigned int i;

    for (i = 0; i < n; i++)
        if (in[i].type != E820_RAM && in[i].base < e &&
            s < in[i].base + in[i].len)
            return 1;
    return 0;
}

static void sanitize_and_check(const struct boot_mem_range *in, unsigned int n,
                               unsigned int cap)
{
    struct boot_mem_range *m = malloc((cap ? cap : 1) * sizeof(*m));
    unsigned int i, out;

    check(m != NULL);
    memcpy(m, in, n * sizeof(*m));
    out = memmap_sanitize(m, n, cap);
    check(out <= cap);
    /* Invariant: m[0 .. i) is sorted, disjoint, aligned and merged. */
    for (i = 0; i < out; i++) {
        uint64_t s = m[i].base, e = m[i].base + m[i].len;

        check(m[i].len > 0 && e > s);
        check(s % PG == 0 && m[i].len % PG == 0);
        if (i) {
            uint64_t pe = m[i - 1].base + m[i - 1].len;

            check(pe <= s);
            check(pe < s || m[i - 1].type != m[i].type);
        }
        if (m[i].type == E820_RAM) {
            check(covered(in, n, true, s, e));
            check(!hits_non_ram(in, n, s, e));
        }
    }
    free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fake_phys fp;
    static struct boot_info bi;
    const uint8_t *p = data + HDR_SIZE;
    size_t left;
    uint32_t info_pa;
    unsigned int i, pass;
    int rc;

    if (size < HDR_SIZE)
        return 0;
    info_pa = get32(data);
    left = size - HDR_SIZE;
    for (i = 0; i < NSEG; i++) {
        const uint8_t *h = data + 4 + i * 6;
        size_t len = (size_t)h[4] | (size_t)h[5] << 8;

        if (len > left)
            len = left;
        fp.seg[i].pa = get32(h);
        fp.seg[i].len = len;
        fp.seg[i].bytes = p;
        p += len;
        left -= len;
    }

    for (pass = 0; pass < 2; pass++) {
        if (pass == 0)
            rc = boot_info_from_mb1(&bi, info_pa, fake_map, &fp);
        else
            rc = boot_info_from_mb2(&bi, info_pa, fake_map, &fp);
        release(&fp);
        check_boot_info(&bi, rc, pass == 0 ? BOOT_PROTO_MB1 : BOOT_PROTO_MB2);
        sanitize_and_check(bi.mem, bi.mem_count, 2 * BOOT_MEM_MAX);
        sanitize_and_check(bi.mem, bi.mem_count, bi.mem_count);
    }
    return 0;
}
