/*
 * Unit tests for shim/boot/multiboot.c.
 *
 * A fake physical memory (2 MiB, some ranges made unmappable) holds
 * multiboot structures laid out as the real loaders do: QEMU 7.2's
 * multiboot1 loader (hw/i386/multiboot.c + pc-bios/optionrom/multiboot.S:
 * info at 0x9500, flags 0x24f, e820 map at 0x9000 with size-20 entries,
 * module list, command lines and "qemu" after the kernel image) and GRUB
 * 2.06's multiboot2 (tags 1, 2, 3, 4, 5, 6, 8, 9, 14, 15, 0). Then the same
 * structures broken in every way a loader (or an attacker able to control
 * one) could: each must be rejected or clamped with a warning, and the map
 * callback records that nothing outside the fake memory was asked for.
 */
#include "harness.h"

#include <xhv/boot_info.h>
#include <xhv/multiboot.h>
#include <xen/errno.h>

#define PHYS_SIZE   (2u << 20)

static uint8_t *phys;
static uint64_t deny_start, deny_end;   /* one unmappable window */
static unsigned long map_calls, map_refused;

static const void *fake_map(uint64_t pa, size_t len, void *ctx)
{
    (void)ctx;
    map_calls++;
    if (len == 0 || pa >= PHYS_SIZE || len > PHYS_SIZE - pa ||
        (pa < deny_end && pa + len > deny_start)) {
        map_refused++;
        return NULL;
    }
    return phys + pa;
}

static void reset_phys(void)
{
    memset(phys, 0xa5, PHYS_SIZE);      /* garbage, not zeros */
    deny_start = deny_end = 0;
    map_calls = map_refused = 0;
}

static void put32(uint64_t pa, uint32_t v) { memcpy(phys + pa, &v, 4); }
static void put64(uint64_t pa, uint64_t v) { memcpy(phys + pa, &v, 8); }
static void putstr(uint64_t pa, const char *s) { strcpy((char *)phys + pa, s); }

static struct boot_info bi;

/* ---- QEMU 7.2 multiboot1 -------------------------------------------- */

#define Q_MBI       0x9500
#define Q_MMAP      0x9000
#define Q_KERNEL    0x100000            /* xhv's load address */
#define Q_MBINFO    0x140000            /* page after the kernel image */

static const struct { uint64_t base, len; uint32_t type; } qemu_e820[] = {
    { 0x0, 0x9fc00, 1 },
    { 0x9fc00, 0x400, 2 },
    { 0xf0000, 0x10000, 2 },
    { 0x100000, 0x1fee0000, 1 },
    { 0x1ffe0000, 0x20000, 2 },
    { 0xfffc0000, 0x40000, 2 },
    { 0x100000000ULL, 0x20000000, 1 },  /* -m 1G-ish above 4 GiB */
};

/* Write QEMU's e820 as the option ROM does; returns mmap_length. */
static uint32_t qemu_write_mmap(uint64_t at, unsigned n)
{
    uint64_t p = at;
    unsigned i;

    for (i = 0; i < n && i < ARRAY_SIZE(qemu_e820); i++) {
        put32(p, 20);
        put64(p + 4, qemu_e820[i].base);
        put64(p + 12, qemu_e820[i].len);
        put32(p + 20, qemu_e820[i].type);
        p += 24;
    }
    return (uint32_t)(p - at);
}

/*
 * QEMU: -kernel /tmp/xhv -append "loglvl=all noreboot"
 *       -initrd "/tmp/vmlinuz console=hvc0 root=/dev/xvda,/tmp/initrd.img"
 */
static void build_qemu_mb1(void)
{
    uint64_t mods = Q_MBINFO, cl = Q_MBINFO + 2 * MB1_MOD_SIZE, c_mod0, c_mod1,
             c_kern, c_name;

    reset_phys();
    c_mod0 = cl;
    putstr(c_mod0, "/tmp/vmlinuz console=hvc0 root=/dev/xvda");
    c_mod1 = c_mod0 + strlen("/tmp/vmlinuz console=hvc0 root=/dev/xvda") + 1;
    putstr(c_mod1, "/tmp/initrd.img");
    c_kern = c_mod1 + strlen("/tmp/initrd.img") + 1;
    putstr(c_kern, "/tmp/xhv loglvl=all noreboot");
    c_name = c_kern + strlen("/tmp/xhv loglvl=all noreboot") + 1;
    putstr(c_name, "qemu");

    put32(mods + 0, 0x141000);          /* module 0: kernel */
    put32(mods + 4, 0x141000 + 0x7a1234);
    put32(mods + 8, (uint32_t)c_mod0);
    put32(mods + 12, 0);
    put32(mods + 16, 0x8e3000);         /* module 1: initrd */
    put32(mods + 20, 0x8e3000 + 0x1c0000);
    put32(mods + 24, (uint32_t)c_mod1);
    put32(mods + 28, 0);

    memset(phys + Q_MBI, 0, 88);
    put32(Q_MBI + MB1_INFO_OFF_FLAGS, 0x24f);
    put32(Q_MBI + MB1_INFO_OFF_MEM_LOWER, 639);
    put32(Q_MBI + MB1_INFO_OFF_MEM_UPPER, 523136);
    put32(Q_MBI + MB1_INFO_OFF_BOOT_DEVICE, 0x8000ffff);
    put32(Q_MBI + MB1_INFO_OFF_CMDLINE, (uint32_t)c_kern);
    put32(Q_MBI + MB1_INFO_OFF_MODS_COUNT, 2);
    put32(Q_MBI + MB1_INFO_OFF_MODS_ADDR, (uint32_t)mods);
    put32(Q_MBI + MB1_INFO_OFF_MMAP_ADDR, Q_MMAP);
    put32(Q_MBI + MB1_INFO_OFF_MMAP_LENGTH,
          qemu_write_mmap(Q_MMAP, ARRAY_SIZE(qemu_e820)));
    put32(Q_MBI + MB1_INFO_OFF_BOOT_LOADER, (uint32_t)c_name);
}

/* The well-formed QEMU structure parses completely, without warnings, and
 * the image names are cooked off the command lines. */
static void test_mb1_qemu(void)
{
    unsigned i;

    build_qemu_mb1();
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.warnings, 0);
    CHECK_EQ(bi.proto, BOOT_PROTO_MB1);
    CHECK_EQ(bi.mb1_flags, 0x24f);
    CHECK_STR(bi.loader_name, "qemu");
    CHECK_STR(bi.cmdline, "loglvl=all noreboot");
    CHECK(!bi.cmdline_truncated);
    CHECK(bi.have_meminfo);
    CHECK_EQ(bi.mem_lower_kb, 639);
    CHECK_EQ(bi.mem_upper_kb, 523136);
    CHECK(bi.mem_from_map);
    CHECK_EQ(bi.mem_count, ARRAY_SIZE(qemu_e820));
    for (i = 0; i < bi.mem_count; i++) {
        CHECK(bi.mem[i].base == qemu_e820[i].base);
        CHECK(bi.mem[i].len == qemu_e820[i].len);
        CHECK_EQ(bi.mem[i].type, qemu_e820[i].type);
    }
    CHECK_EQ(bi.mod_count, 2);
    CHECK_EQ(bi.mods[0].start, 0x141000);
    CHECK_EQ(bi.mods[0].len, 0x7a1234);
    CHECK_STR(bi.mods[0].cmdline, "console=hvc0 root=/dev/xvda");
    CHECK_EQ(bi.mods[1].start, 0x8e3000);
    CHECK_EQ(bi.mods[1].len, 0x1c0000);
    CHECK_STR(bi.mods[1].cmdline, "");
    CHECK(!bi.have_rsdp);
    CHECK_EQ(bi.info.start, Q_MBI);
    CHECK_EQ(bi.info.end, Q_MBI + 68);
    CHECK_EQ(map_refused, 0);
}

/* GRUB 2 (mb1 "multiboot" command) does not put the image name first. */
static void test_mb1_grub2_no_cook(void)
{
    build_qemu_mb1();
    putstr(0x150000, "GRUB 2.06-13+deb12u1");
    put32(Q_MBI + MB1_INFO_OFF_BOOT_LOADER, 0x150000);
    putstr(0x150100, "loglvl=all noreboot");
    put32(Q_MBI + MB1_INFO_OFF_CMDLINE, 0x150100);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_STR(bi.cmdline, "loglvl=all noreboot");
    CHECK_STR(bi.mods[0].cmdline, "/tmp/vmlinuz console=hvc0 root=/dev/xvda");
    /* GRUB Legacy ("GNU GRUB 0.97") does: it is not GRUB 2. */
    putstr(0x150000, "GNU GRUB 0.97");
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_STR(bi.cmdline, "noreboot");
}

/* Without flag bit 6 the map comes from mem_lower/mem_upper (bit 0). */
static void test_mb1_meminfo_fallback(void)
{
    build_qemu_mb1();
    put32(Q_MBI, 0x24f & ~MB1_INFO_MEM_MAP);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK(!bi.mem_from_map);
    CHECK_EQ(bi.mem_count, 2);
    CHECK_EQ(bi.mem[0].base, 0);
    CHECK_EQ(bi.mem[0].len, 639 * 1024);
    CHECK_EQ(bi.mem[1].base, 1 << 20);
    CHECK_EQ(bi.mem[1].len, 523136ULL * 1024);
    CHECK_EQ(bi.info.end, Q_MBI + 68);
    /* Neither map nor meminfo: nothing to run on. */
    put32(Q_MBI, MB1_INFO_CMDLINE);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), -XEN_EINVAL);
    CHECK_STR(bi.cmdline, "loglvl=all noreboot");
    /* Only the flags word is read when no flag is set. */
    put32(Q_MBI, 0);
    map_calls = 0;
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), -XEN_EINVAL);
    CHECK_EQ(map_calls, 1);
    CHECK_EQ(bi.info.end, Q_MBI + 4);
}

/* The info structure itself outside memory, or half inside. */
static void test_mb1_info_unmapped(void)
{
    build_qemu_mb1();
    CHECK_EQ(boot_info_from_mb1(&bi, 0xfffffff0u, fake_map, NULL),
             -XEN_EFAULT);
    CHECK_EQ(boot_info_from_mb1(&bi, PHYS_SIZE - 2, fake_map, NULL),
             -XEN_EFAULT);
    /* Flags readable, the rest not: fields skipped with warnings. */
    deny_start = Q_MBI + 4;
    deny_end = Q_MBI + 88;
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), -XEN_EINVAL);
    CHECK_EQ(bi.warnings, 5);
    CHECK_EQ(bi.mod_count, 0);
}

/* Bad memory map entries: size 0 (would loop forever), size below 20,
 * overrunning the map, a map running into unmapped memory, wrap-around,
 * more entries than fit. */
static void test_mb1_bad_mmap(void)
{
    unsigned i;

    build_qemu_mb1();
    put32(Q_MMAP + 24, 0);              /* second entry: size 0 */
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mem_count, 1);
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();
    put32(Q_MMAP, 0);                   /* first entry bad: use meminfo */
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK(!bi.mem_from_map);
    CHECK_EQ(bi.mem_count, 2);

    build_qemu_mb1();
    put32(Q_MMAP, 19);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* length cuts the 3rd entry */
    put32(Q_MBI + MB1_INFO_OFF_MMAP_LENGTH, 24 * 2 + 10);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mem_count, 2);
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* huge length near the end */
    qemu_write_mmap(PHYS_SIZE - 48, 2);
    put32(Q_MBI + MB1_INFO_OFF_MMAP_ADDR, PHYS_SIZE - 48);
    put32(Q_MBI + MB1_INFO_OFF_MMAP_LENGTH, 0xffffffff);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mem_count, 2);
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* entry size huge: overruns */
    put32(Q_MMAP, 0xfffffff0);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK(!bi.mem_from_map);

    build_qemu_mb1();                   /* mmap_addr outside memory */
    put32(Q_MBI + MB1_INFO_OFF_MMAP_ADDR, 0xfff00000);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK(!bi.mem_from_map);
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* base + len wraps */
    put64(Q_MMAP + 4, 0xfffffffffffff000ULL);
    put64(Q_MMAP + 12, 0x10000);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK(bi.mem[0].base + bi.mem[0].len >= bi.mem[0].base);
    CHECK(bi.mem[0].len == 0xfffULL);
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* zero-length entries vanish */
    put64(Q_MMAP + 12, 0);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mem_count, ARRAY_SIZE(qemu_e820) - 1);

    build_qemu_mb1();                   /* 200 entries: 128 kept */
    for (i = 0; i < 200; i++) {
        put32(0x60000 + 24 * i, 20);
        put64(0x60000 + 24 * i + 4, (uint64_t)i << 20);
        put64(0x60000 + 24 * i + 12, 1 << 20);
        put32(0x60000 + 24 * i + 20, 1 + i % 2);
    }
    put32(Q_MBI + MB1_INFO_OFF_MMAP_ADDR, 0x60000);
    put32(Q_MBI + MB1_INFO_OFF_MMAP_LENGTH, 24 * 200);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mem_count, BOOT_MEM_MAX);
    CHECK(bi.mem_truncated);
    CHECK_EQ(bi.mem[127].base, 127ULL << 20);
}

/* Bad modules: a huge count (only 16 read), end before start, a list or a
 * command line outside memory. */
static void test_mb1_bad_mods(void)
{
    unsigned i;

    build_qemu_mb1();
    for (i = 0; i < 20; i++) {
        put32(0x70000 + 16 * i, 0x200000 + i * 0x1000);
        put32(0x70000 + 16 * i + 4, 0x200000 + i * 0x1000 + 0x800);
        put32(0x70000 + 16 * i + 8, 0);
    }
    put32(Q_MBI + MB1_INFO_OFF_MODS_ADDR, 0x70000);
    put32(Q_MBI + MB1_INFO_OFF_MODS_COUNT, 0xffffffff);
    map_calls = 0;
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mod_count, BOOT_MOD_MAX);
    CHECK(bi.mods_truncated);
    CHECK(map_calls < 1000);
    CHECK_EQ(bi.mods[15].start, 0x200000 + 15 * 0x1000);

    build_qemu_mb1();
    put32(Q_MBINFO + 4, 0x100);         /* end < start */
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mod_count, 1);
    CHECK_EQ(bi.mods[0].start, 0x8e3000);
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();
    put32(Q_MBI + MB1_INFO_OFF_MODS_ADDR, PHYS_SIZE - 8);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mod_count, 0);
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* module string outside memory */
    put32(Q_MBINFO + 8, 0xfffffff0);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mod_count, 2);
    CHECK_STR(bi.mods[0].cmdline, "");
    CHECK_EQ(bi.warnings, 1);
    CHECK(map_refused >= 1);
}

/* Command lines: no NUL before the end of memory, longer than 1023, a
 * pointer into an unmappable window, a loader name too long. */
static void test_mb1_bad_strings(void)
{
    build_qemu_mb1();                   /* runs into the end of memory */
    memset(phys + PHYS_SIZE - 100, 'x', 100);
    put32(Q_MBI + MB1_INFO_OFF_CMDLINE, PHYS_SIZE - 100);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_STR(bi.cmdline, "");
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* 2000 bytes: cut to 1023 */
    memset(phys + 0x80000, 'y', 2000);
    phys[0x80000 + 5] = ' ';
    phys[0x80000 + 2000] = 0;
    put32(Q_MBI + MB1_INFO_OFF_CMDLINE, 0x80000);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK(bi.cmdline_truncated);
    CHECK_EQ(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1 - 6);   /* cooked */
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* exactly 1023 bytes fits */
    memset(phys + 0x80000, 'z', 1023);
    phys[0x80000 + 1023] = 0;
    put32(Q_MBI + MB1_INFO_OFF_CMDLINE, 0x80000);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK(!bi.cmdline_truncated);
    CHECK_EQ(bi.warnings, 0);

    build_qemu_mb1();                   /* string crosses a hole */
    putstr(0x90000, "/xhv abcdefgh");
    deny_start = 0x90008;
    deny_end = 0x90009;
    put32(Q_MBI + MB1_INFO_OFF_CMDLINE, 0x90000);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_STR(bi.cmdline, "");
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* loader name cut to 63 */
    memset(phys + 0x91000, 'L', 100);
    phys[0x91000 + 100] = 0;
    put32(Q_MBI + MB1_INFO_OFF_BOOT_LOADER, 0x91000);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_EQ(strlen(bi.loader_name), BOOT_LOADER_MAX - 1);
    CHECK_EQ(bi.warnings, 1);

    build_qemu_mb1();                   /* only the image name */
    putstr(0x92000, "  /tmp/xhv   ");
    put32(Q_MBI + MB1_INFO_OFF_CMDLINE, 0x92000);
    CHECK_EQ(boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL), 0);
    CHECK_STR(bi.cmdline, "");
}

/* ---- GRUB 2.06 multiboot2 ------------------------------------------- */

#define G_MBI       0x10000

static uint64_t g_off;

static uint64_t tag_begin(uint32_t type)
{
    uint64_t t = G_MBI + g_off;

    put32(t, type);
    return t;
}

static void tag_end(uint64_t t, uint32_t size)
{
    put32(t + 4, size);
    g_off += ALIGN_UP((uint64_t)size, 8);
}

static void tag_str(uint32_t type, const char *s)
{
    uint64_t t = tag_begin(type);

    putstr(t + 8, s);
    tag_end(t, 8 + (uint32_t)strlen(s) + 1);
}

static void tag_module(uint32_t start, uint32_t end, const char *s)
{
    uint64_t t = tag_begin(MB2_TAG_MODULE);

    put32(t + 8, start);
    put32(t + 12, end);
    putstr(t + 16, s);
    tag_end(t, 16 + (uint32_t)strlen(s) + 1);
}

static void tag_u32s(uint32_t type, const uint32_t *v, unsigned n)
{
    uint64_t t = tag_begin(type);
    unsigned i;

    for (i = 0; i < n; i++)
        put32(t + 8 + 4 * i, v[i]);
    tag_end(t, 8 + 4 * n);
}

static void tag_mmap(uint32_t esize, uint32_t version, unsigned n)
{
    uint64_t t = tag_begin(MB2_TAG_MMAP);
    unsigned i;

    put32(t + 8, esize);
    put32(t + 12, version);
    for (i = 0; i < n; i++) {
        uint64_t e = t + 16 + (uint64_t)i * esize;

        memset(phys + e, 0, esize);
        put64(e, qemu_e820[i].base);
        put64(e + 8, qemu_e820[i].len);
        put32(e + 16, qemu_e820[i].type);
    }
    tag_end(t, 16 + esize * n);
}

static void tag_rsdp(uint32_t type, unsigned len, uint8_t fill)
{
    uint64_t t = tag_begin(type);

    memset(phys + t + 8, fill, len);
    memcpy(phys + t + 8, "RSD PTR ", 8);
    tag_end(t, 8 + len);
}

static void finish_mb2(void)
{
    put32(G_MBI, (uint32_t)g_off);
    put32(G_MBI + 4, 0);
}

/* Tags in the order GRUB 2.06 writes them for "multiboot2 /boot/xhv ...;
 * module2 /boot/vmlinuz ...; module2 /boot/initrd.img". */
static void grub_head(void)
{
    reset_phys();
    g_off = 8;
    tag_str(MB2_TAG_CMDLINE, "console=com1 com1=115200,8n1 loglvl=all");
    tag_str(MB2_TAG_BOOT_LOADER_NAME, "GRUB 2.06-13+deb12u1");
    tag_module(0x200000, 0x200000 + 0x7a1234, "placeholder root=/dev/vda1 ro");
    tag_module(0x9a2000, 0x9a2000 + 0x1c0000, "");
}

static void grub_tail(void)
{
    static const uint32_t meminfo[] = { 639, 523136 };
    static const uint32_t bootdev[] = { 0x80, 0, 0xffffffff };
    static const uint32_t fb[] = { 0xb8000, 0, 160, 80, 25, 0x0210 };
    static const uint32_t elf[] = { 5, 64, 4, 0, 0, 0, 0 };

    tag_u32s(MB2_TAG_BASIC_MEMINFO, meminfo, 2);
    tag_u32s(MB2_TAG_BOOTDEV, bootdev, 3);
    tag_mmap(24, 0, ARRAY_SIZE(qemu_e820));
    tag_u32s(MB2_TAG_FRAMEBUFFER, fb, 6);
    tag_u32s(MB2_TAG_ELF_SECTIONS, elf, 7);
    tag_rsdp(MB2_TAG_ACPI_OLD, 20, 0x11);
    tag_rsdp(MB2_TAG_ACPI_NEW, 36, 0x22);
    tag_u32s(MB2_TAG_END, NULL, 0);
    finish_mb2();
}

static void build_grub_mb2(void)
{
    grub_head();
    grub_tail();
}

static void test_mb2_grub(void)
{
    unsigned i;

    build_grub_mb2();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.warnings, 0);
    CHECK_EQ(bi.proto, BOOT_PROTO_MB2);
    CHECK_STR(bi.loader_name, "GRUB 2.06-13+deb12u1");
    CHECK_STR(bi.cmdline, "console=com1 com1=115200,8n1 loglvl=all");
    CHECK_EQ(bi.mod_count, 2);
    CHECK_EQ(bi.mods[0].start, 0x200000);
    CHECK_EQ(bi.mods[0].len, 0x7a1234);
    CHECK_STR(bi.mods[0].cmdline, "placeholder root=/dev/vda1 ro");
    CHECK_STR(bi.mods[1].cmdline, "");
    CHECK(bi.have_meminfo);
    CHECK_EQ(bi.mem_upper_kb, 523136);
    CHECK(bi.mem_from_map);
    CHECK_EQ(bi.mem_count, ARRAY_SIZE(qemu_e820));
    for (i = 0; i < bi.mem_count; i++) {
        CHECK(bi.mem[i].base == qemu_e820[i].base);
        CHECK(bi.mem[i].len == qemu_e820[i].len);
        CHECK_EQ(bi.mem[i].type, qemu_e820[i].type);
    }
    CHECK(bi.have_rsdp);
    CHECK_EQ(bi.rsdp_len, 36);
    CHECK_EQ(bi.rsdp[35], 0x22);
    CHECK(memcmp(bi.rsdp, "RSD PTR ", 8) == 0);
    CHECK_EQ(bi.rsdp_phys, 0);
    CHECK(bi.mb2_tags == (BIT(0) | BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) |
                          BIT(6) | BIT(8) | BIT(9) | BIT(14) | BIT(15)));
    CHECK_EQ(bi.info.start, G_MBI);
    CHECK_EQ(bi.info.end, G_MBI + g_off);
    CHECK_EQ(map_refused, 0);
}

/* A non-GRUB-2 mb2 loader gets its command lines cooked like mb1. */
static void test_mb2_other_loader(void)
{
    reset_phys();
    g_off = 8;
    tag_str(MB2_TAG_CMDLINE, "/boot/xhv noreboot");
    tag_str(MB2_TAG_BOOT_LOADER_NAME, "iPXE");
    tag_module(0x200000, 0x201000, "vmlinuz quiet");
    grub_tail();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_STR(bi.cmdline, "noreboot");
    CHECK_STR(bi.mods[0].cmdline, "quiet");
}

/* ACPI: 1.0 only; 2.0 before 1.0 (2.0 still wins); a short tag. */
static void test_mb2_rsdp(void)
{
    static const uint32_t meminfo[] = { 639, 1024 };

    reset_phys();
    g_off = 8;
    tag_u32s(MB2_TAG_BASIC_MEMINFO, meminfo, 2);
    tag_rsdp(MB2_TAG_ACPI_OLD, 20, 0x11);
    tag_u32s(MB2_TAG_END, NULL, 0);
    finish_mb2();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK(bi.have_rsdp);
    CHECK_EQ(bi.rsdp_len, 20);
    CHECK_EQ(bi.rsdp[19], 0x11);
    CHECK(!bi.mem_from_map);
    CHECK_EQ(bi.mem_count, 2);

    reset_phys();
    g_off = 8;
    tag_u32s(MB2_TAG_BASIC_MEMINFO, meminfo, 2);
    tag_rsdp(MB2_TAG_ACPI_NEW, 40, 0x22);       /* longer than 36: cut */
    tag_rsdp(MB2_TAG_ACPI_OLD, 20, 0x11);
    tag_u32s(MB2_TAG_END, NULL, 0);
    finish_mb2();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.rsdp_len, 36);
    CHECK_EQ(bi.rsdp[20], 0x22);

    reset_phys();
    g_off = 8;
    tag_u32s(MB2_TAG_BASIC_MEMINFO, meminfo, 2);
    tag_rsdp(MB2_TAG_ACPI_NEW, 12, 0x22);
    tag_u32s(MB2_TAG_END, NULL, 0);
    finish_mb2();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK(!bi.have_rsdp);
    CHECK_EQ(bi.warnings, 1);
}

/* mmap entry_size honoured: 32-byte entries of a later version parse with
 * a 32-byte stride; entry_size 0 or below 24 disables the tag. */
static void test_mb2_mmap_entry_size(void)
{
    grub_head();
    tag_mmap(32, 1, 4);
    tag_u32s(MB2_TAG_END, NULL, 0);
    finish_mb2();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mem_count, 4);
    CHECK_EQ(bi.mem[3].base, 0x100000);
    CHECK_EQ(bi.warnings, 0);

    grub_head();
    tag_mmap(0, 0, 0);
    put32(G_MBI + g_off - 8 + 4, 16 + 24 * 3);  /* size claims 3 entries */
    g_off += 24 * 3;
    tag_u32s(MB2_TAG_END, NULL, 0);
    finish_mb2();
    map_calls = 0;
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), -XEN_EINVAL);
    CHECK_EQ(bi.mem_count, 0);
    CHECK(map_calls < 2000);

    grub_head();
    tag_mmap(20, 0, 2);
    tag_u32s(MB2_TAG_END, NULL, 0);
    finish_mb2();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), -XEN_EINVAL);
    CHECK_EQ(bi.warnings, 1);
}

/* Structural damage: misaligned info, total_size too small, a tag size
 * below 8 (would loop), a tag running past total_size, total_size past the
 * end of memory, no end tag, unknown tags. */
static void test_mb2_bad_structure(void)
{
    build_grub_mb2();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI + 4, fake_map, NULL), -XEN_EINVAL);
    CHECK_EQ(boot_info_from_mb2(&bi, 0xfffffff8u, fake_map, NULL),
             -XEN_EFAULT);
    put32(G_MBI, 15);
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), -XEN_EINVAL);

    build_grub_mb2();                   /* first tag size 0 */
    put32(G_MBI + 8 + 4, 0);
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), -XEN_EINVAL);
    CHECK_EQ(bi.warnings, 2);           /* tag size, no end tag */
    CHECK_STR(bi.cmdline, "");

    build_grub_mb2();                   /* first tag runs past total_size */
    put32(G_MBI, 64);
    put32(G_MBI + 8 + 4, 100);
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), -XEN_EINVAL);
    CHECK_EQ(bi.warnings, 2);

    build_grub_mb2();                   /* truncated: total cuts the mmap */
    put32(G_MBI, (uint32_t)(g_off - 200));
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mod_count, 2);
    CHECK(!bi.have_rsdp);
    CHECK(bi.warnings >= 2);

    build_grub_mb2();                   /* total_size beyond memory, no end */
    put32(G_MBI + g_off - 8, 99);       /* end tag becomes unknown type 99 */
    put32(G_MBI, 0xfffffff8);
    put32(G_MBI + g_off + 0, 0);
    put32(G_MBI + g_off + 4, 0);        /* then a size-0 tag: stop */
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mem_count, ARRAY_SIZE(qemu_e820));
    CHECK_EQ(bi.warnings, 2);

    build_grub_mb2();                   /* tags running off the memory */
    {
        uint64_t at = PHYS_SIZE - 32;

        put32(at, 0x10000);
        put32(at + 8, 200);             /* unknown type */
        put32(at + 12, 16);
        put32(at + 24, 4);              /* meminfo: size field beyond memory */
        CHECK_EQ(boot_info_from_mb2(&bi, (uint32_t)at, fake_map, NULL),
                 -XEN_EINVAL);
        CHECK(bi.mb2_tags == 0);
        CHECK_EQ(bi.warnings, 2);
    }
}

/* Strings in tags: no NUL inside the tag (cut at the tag's end, flagged),
 * and the tag's claimed size is the limit even if a NUL follows it. */
static void test_mb2_bad_strings(void)
{
    uint64_t t;

    reset_phys();
    g_off = 8;
    t = tag_begin(MB2_TAG_CMDLINE);
    memcpy(phys + t + 8, "noreboot-and-more", 17);
    phys[t + 8 + 17] = 0;
    tag_end(t, 8 + 8);                  /* only "noreboot" belongs to it */
    tag_str(MB2_TAG_BOOT_LOADER_NAME, "GRUB 2.06");
    grub_tail();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_STR(bi.cmdline, "noreboot");
    CHECK(bi.cmdline_truncated);
    CHECK_EQ(bi.warnings, 1);

    reset_phys();                       /* module tag shorter than 16 */
    g_off = 8;
    t = tag_begin(MB2_TAG_MODULE);
    put32(t + 8, 0x1000);
    tag_end(t, 12);
    grub_tail();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mod_count, 0);
    CHECK_EQ(bi.warnings, 1);

    reset_phys();                       /* module tag exactly 16: no string */
    g_off = 8;
    t = tag_begin(MB2_TAG_MODULE);
    put32(t + 8, 0x1000);
    put32(t + 12, 0x2000);
    tag_end(t, 16);
    grub_tail();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mod_count, 1);
    CHECK_STR(bi.mods[0].cmdline, "");
    CHECK_EQ(bi.warnings, 0);
}

/* 20 module tags: 16 kept, flagged. */
static void test_mb2_many_modules(void)
{
    unsigned i;

    reset_phys();
    g_off = 8;
    tag_str(MB2_TAG_BOOT_LOADER_NAME, "GRUB 2.06");
    for (i = 0; i < 20; i++)
        tag_module(0x100000 * (i + 1), 0x100000 * (i + 1) + 10, "m");
    grub_tail();
    CHECK_EQ(boot_info_from_mb2(&bi, G_MBI, fake_map, NULL), 0);
    CHECK_EQ(bi.mod_count, BOOT_MOD_MAX);
    CHECK(bi.mods_truncated);
    CHECK_EQ(bi.warnings, 1);
}

/* Random corruption of a valid structure must never crash or read outside
 * (ASan and the map callback watch), for both parsers. */
static void test_fuzz_smoke(void)
{
    unsigned iter, k;

    srand(12345);
    for (iter = 0; iter < 3000; iter++) {
        if (iter & 1) {
            build_qemu_mb1();
            for (k = 0; k < 4; k++)
                phys[Q_MMAP + rand() % 0x700] = (uint8_t)rand();
            phys[Q_MBI + rand() % 72] = (uint8_t)rand();
            boot_info_from_mb1(&bi, Q_MBI, fake_map, NULL);
        } else {
            build_grub_mb2();
            for (k = 0; k < 4; k++)
                phys[G_MBI + rand() % g_off] = (uint8_t)rand();
            boot_info_from_mb2(&bi, G_MBI, fake_map, NULL);
        }
        CHECK(bi.mem_count <= BOOT_MEM_MAX);
        CHECK(bi.mod_count <= BOOT_MOD_MAX);
        CHECK(strlen(bi.cmdline) < BOOT_CMDLINE_MAX);
        CHECK(strlen(bi.loader_name) < BOOT_LOADER_MAX);
        for (k = 0; k < bi.mem_count; k++)
            CHECK(bi.mem[k].len && bi.mem[k].base + bi.mem[k].len >
                                       bi.mem[k].base);
        if (th_case_failures)
            return;
    }
}

int main(void)
{
    phys = malloc(PHYS_SIZE);
    RUN_TEST(test_mb1_qemu);
    RUN_TEST(test_mb1_grub2_no_cook);
    RUN_TEST(test_mb1_meminfo_fallback);
    RUN_TEST(test_mb1_info_unmapped);
    RUN_TEST(test_mb1_bad_mmap);
    RUN_TEST(test_mb1_bad_mods);
    RUN_TEST(test_mb1_bad_strings);
    RUN_TEST(test_mb2_grub);
    RUN_TEST(test_mb2_other_loader);
    RUN_TEST(test_mb2_rsdp);
    RUN_TEST(test_mb2_mmap_entry_size);
    RUN_TEST(test_mb2_bad_structure);
    RUN_TEST(test_mb2_bad_strings);
    RUN_TEST(test_mb2_many_modules);
    RUN_TEST(test_fuzz_smoke);
    free(phys);
    return th_finish();
}
