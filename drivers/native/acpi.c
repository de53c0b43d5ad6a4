/*
 * Just enough ACPI for the native parent: find the FADT (through the RSDP
 * from the boot loader, or by scanning the EBDA and the BIOS area), read the
 * PM1 control blocks and the reset register, and the S5 sleep type from the
 * DSDT's \_S5 package. Offsets from the ACPI 6.x specification, 5.2.
 * Every table is checksummed and length-checked before use.
 */
#include <xhv/log.h>
#include <xhv/native.h>
#include <xhv/paging.h>
#include <xhv/string.h>
#include <xhv/x86.h>

struct acpi_header {
    char sig[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __packed;

/* Generic Address Structure (ACPI 5.2.3.2). */
struct acpi_gas {
    uint8_t space;          /* 0 memory, 1 I/O */
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address;
} __packed;

#define FADT_DSDT           40
#define FADT_PM1A_CNT       64
#define FADT_PM1B_CNT       68
#define FADT_FLAGS          112
#define FADT_RESET_REG      116
#define FADT_RESET_VALUE    128
#define FADT_X_DSDT         140
#define FADT_X_PM1A_CNT     172
#define FADT_X_PM1B_CNT     184
#define FADT_FLAG_RESET_REG_SUP BIT(10)
#define PM1_SLP_EN          BIT(13)
#define PM1_SLP_TYP_SHIFT   10
#define ACPI_MAX_TABLE      (1u << 20)

static struct {
    bool have_fadt;
    uint16_t pm1a_cnt, pm1b_cnt;    /* I/O ports; 0 = absent */
    bool have_s5;
    uint8_t s5_typa, s5_typb;
    bool have_reset;
    struct acpi_gas reset_reg;
    uint8_t reset_value;
    const struct acpi_header *madt;
} acpi;

static bool checksum_ok(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--)
        sum += *b++;
    return sum == 0;
}

/* Map a whole table after checking its header; NULL if bad. */
static const struct acpi_header *map_table(uint64_t pa)
{
    const struct acpi_header *h;

    if (!pa)
        return NULL;
    h = ioremap_cached(pa, sizeof(*h));
    if (!h || h->length < sizeof(*h) || h->length > ACPI_MAX_TABLE)
        return NULL;
    h = ioremap_cached(pa, h->length);
    if (!h || !checksum_ok(h, h->length))
        return NULL;
    return h;
}

static uint64_t find_rsdp_in(uint64_t pa, size_t len)
{
    const uint8_t *p = ioremap_cached(pa, len);
    size_t off;

    if (!p)
        return 0;
    for (off = 0; off + 20 <= len; off += 16)
        if (!memcmp(p + off, "RSD PTR ", 8) && checksum_ok(p + off, 20))
            return pa + off;
    return 0;
}

static uint64_t scan_for_rsdp(void)
{
    const uint16_t *ebda_seg = ioremap_cached(0x40e, 2);
    uint64_t r = 0;

    if (ebda_seg && *ebda_seg)
        r = find_rsdp_in((uint64_t)*ebda_seg << 4, 1024);
    if (!r)
        r = find_rsdp_in(0xe0000, 0x20000);
    return r;
}

/* Find \_S5 in the DSDT: NameOp "_S5_" PackageOp PkgLength NumElements. */
static void parse_s5(const struct acpi_header *dsdt)
{
    const uint8_t *p = (const uint8_t *)dsdt;
    size_t len = dsdt->length, i;

    for (i = sizeof(*dsdt); i + 4 < len; i++) {
        size_t j;
        uint8_t vals[2];
        unsigned int n;

        if (memcmp(p + i, "_S5_", 4) || p[i - 1] != 0x08 /* NameOp */)
            continue;
        j = i + 4;
        if (j >= len || p[j] != 0x12 /* PackageOp */)
            continue;
        j++;
        if (j >= len)
            return;
        j += 1 + (p[j] >> 6);               /* PkgLength bytes */
        j++;                                /* NumElements */
        for (n = 0; n < 2 && j < len; n++) {
            if (p[j] == 0x0a && j + 1 < len) {  /* BytePrefix */
                vals[n] = p[j + 1];
                j += 2;
            } else if (p[j] == 0x00 || p[j] == 0x01) {  /* Zero / One */
                vals[n] = p[j];
                j++;
            } else if (p[j] == 0xff) {      /* Ones */
                vals[n] = 0xff;
                j++;
            } else {
                return;
            }
        }
        if (n == 2) {
            acpi.have_s5 = true;
            acpi.s5_typa = vals[0] & 7;
            acpi.s5_typb = vals[1] & 7;
        }
        return;
    }
}

static void parse_fadt(const struct acpi_header *f)
{
    const uint8_t *p = (const uint8_t *)f;
    uint64_t dsdt = 0;
    const struct acpi_header *d;
    uint32_t v32;
    uint64_t v64;

    acpi.have_fadt = true;
    if (f->length >= FADT_PM1A_CNT + 4) {
        memcpy(&v32, p + FADT_PM1A_CNT, 4);
        acpi.pm1a_cnt = (uint16_t)v32;
        memcpy(&v32, p + FADT_PM1B_CNT, 4);
        acpi.pm1b_cnt = (uint16_t)v32;
        memcpy(&v32, p + FADT_DSDT, 4);
        dsdt = v32;
    }
    if (f->length >= FADT_RESET_VALUE + 1) {
        memcpy(&v32, p + FADT_FLAGS, 4);
        if (v32 & FADT_FLAG_RESET_REG_SUP) {
            memcpy(&acpi.reset_reg, p + FADT_RESET_REG, sizeof(acpi.reset_reg));
            acpi.reset_value = p[FADT_RESET_VALUE];
            acpi.have_reset = acpi.reset_reg.address != 0;
        }
    }
    if (f->length >= FADT_X_DSDT + 8) {
        memcpy(&v64, p + FADT_X_DSDT, 8);
        if (v64)
            dsdt = v64;
    }
    if (!acpi.pm1a_cnt && f->length >= FADT_X_PM1A_CNT + 12) {
        struct acpi_gas g;

        memcpy(&g, p + FADT_X_PM1A_CNT, sizeof(g));
        if (g.space == 1)
            acpi.pm1a_cnt = (uint16_t)g.address;
    }
    d = map_table(dsdt);
    if (d && !memcmp(d->sig, "DSDT", 4))
        parse_s5(d);
}

void acpi_init(uint64_t rsdp_phys, const uint8_t *rsdp_copy, size_t len)
{
    const uint8_t *rsdp = NULL;
    const struct acpi_header *root = NULL;
    uint64_t root_pa = 0;
    size_t entry_size = 4, i, n;

    if (rsdp_copy && len >= 20 && checksum_ok(rsdp_copy, 20))
        rsdp = rsdp_copy;
    if (!rsdp) {
        if (!rsdp_phys)
            rsdp_phys = scan_for_rsdp();
        if (rsdp_phys)
            rsdp = ioremap_cached(rsdp_phys, 36);
    }
    if (!rsdp) {
        printk(XLOG_WARN "ACPI: no RSDP; poweroff and reset use fallbacks\n");
        return;
    }
    if (rsdp[15] >= 2 && (rsdp_copy ? len >= 36 : true) &&
        checksum_ok(rsdp, 36))
        memcpy(&root_pa, rsdp + 24, 8);     /* XSDT */
    if (root_pa) {
        entry_size = 8;
    } else {
        uint32_t r;

        memcpy(&r, rsdp + 16, 4);           /* RSDT */
        root_pa = r;
    }
    root = map_table(root_pa);
    if (!root) {
        printk(XLOG_WARN "ACPI: bad RSDT/XSDT at %#lx\n",
               (unsigned long)root_pa);
        return;
    }
    n = (root->length - sizeof(*root)) / entry_size;
    for (i = 0; i < n; i++) {
        uint64_t pa = 0;
        const struct acpi_header *t;

        memcpy(&pa, (const uint8_t *)(root + 1) + i * entry_size, entry_size);
        t = map_table(pa);
        if (t && !memcmp(t->sig, "FACP", 4) && !acpi.have_fadt)
            parse_fadt(t);
        else if (t && !memcmp(t->sig, "APIC", 4) && !acpi.madt)
            acpi.madt = t;
    }
    printk(XLOG_INFO "ACPI: FADT %s, PM1a_CNT %#x, S5 %s (SLP_TYP %u), "
           "reset register %s\n", acpi.have_fadt ? "found" : "missing",
           acpi.pm1a_cnt, acpi.have_s5 ? "found" : "missing", acpi.s5_typa,
           acpi.have_reset ? "present" : "absent");
}

/*
 * MADT (ACPI 6.x, 5.2.12): a 44-byte header (36 + local APIC address and
 * flags), then entries {type, length, ...}. Type 0 Processor Local APIC:
 * [3] APIC id, [4..7] flags; type 9 Processor Local x2APIC: [4..7] id,
 * [8..11] flags. Flags bit 0: enabled. A truncated or zero-length entry
 * ends the walk.
 */
#define MADT_ENTRIES        44
#define MADT_LAPIC          0
#define MADT_X2APIC         9
#define MADT_ENABLED        BIT(0)

unsigned int acpi_madt_apic_ids(uint32_t *ids, unsigned int max)
{
    const uint8_t *p, *end;
    unsigned int n = 0;

    if (!acpi.madt)
        return 0;
    p = (const uint8_t *)acpi.madt + MADT_ENTRIES;
    end = (const uint8_t *)acpi.madt + acpi.madt->length;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        uint32_t id = 0, flags = 0;
        bool cpu = false;

        if (p[0] == MADT_LAPIC && p[1] >= 8) {
            id = p[3];
            memcpy(&flags, p + 4, 4);
            cpu = true;
        } else if (p[0] == MADT_X2APIC && p[1] >= 16) {
            memcpy(&id, p + 4, 4);
            memcpy(&flags, p + 8, 4);
            cpu = true;
        }
        if (cpu && (flags & MADT_ENABLED)) {
            if (n < max)
                ids[n] = id;
            n++;
        }
        p += p[1];
    }
    return n;
}

void acpi_poweroff(void)
{
    if (!acpi.pm1a_cnt)
        return;
    /* Without \_S5 assume SLP_TYP 0, which QEMU's PIIX4 and ICH9 use. */
    outw(acpi.pm1a_cnt, (uint16_t)((acpi.s5_typa << PM1_SLP_TYP_SHIFT) |
                                   PM1_SLP_EN));
    if (acpi.pm1b_cnt)
        outw(acpi.pm1b_cnt, (uint16_t)((acpi.s5_typb << PM1_SLP_TYP_SHIFT) |
                                       PM1_SLP_EN));
}

void acpi_reset(void)
{
    unsigned int i;

    if (acpi.have_reset) {
        if (acpi.reset_reg.space == 1) {
            outb((uint16_t)acpi.reset_reg.address, acpi.reset_value);
        } else if (acpi.reset_reg.space == 0) {
            volatile uint8_t *r = ioremap(acpi.reset_reg.address, 1);

            if (r)
                *r = acpi.reset_value;
        }
    }
    outb(0xcf9, 0x02);                      /* PCI reset control: hard */
    outb(0xcf9, 0x06);
    for (i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
        cpu_relax();
    outb(0x64, 0xfe);                       /* 8042 pulse reset line */
}
