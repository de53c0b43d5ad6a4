/*
 * Unit tests for shim/cmdline.c.
 *
 * Table-driven: each row is a command line, the warnings it must produce
 * (unknown options, malformed values) and a function that turns the
 * defaults into the expected result; the parsed struct is then compared
 * field by field. Rows cover every option, every syntax form (bare, no-,
 * =<bool>, quoting, "--"), and unknown, malformed and overlong input.
 * A second table exercises the generic engine's uint/size/string types.
 */
#include "harness.h"

#include <xhv/cmdline.h>
#include <xhv/log.h>
#include <xen/errno.h>

static char logbuf[16384];
static size_t loglen;

static void capture(const char *s, size_t len)
{
    if (loglen + len < sizeof(logbuf)) {
        memcpy(logbuf + loglen, s, len);
        loglen += len;
        logbuf[loglen] = '\0';
    }
}

static void clear_log(void)
{
    loglen = 0;
    logbuf[0] = '\0';
}

static bool uart_eq(const struct xhv_uart_cfg *a, const struct xhv_uart_cfg *b)
{
    return a->given == b->given && a->baud == b->baud &&
           a->base_baud == b->base_baud && a->data_bits == b->data_bits &&
           a->parity == b->parity && a->stop_bits == b->stop_bits &&
           a->io_base == b->io_base && a->irq == b->irq;
}

static bool amt_eq(const struct xhv_mem_amount *a,
                   const struct xhv_mem_amount *b)
{
    return a->set == b->set && a->negative == b->negative &&
           a->bytes == b->bytes;
}

/* Field-by-field compare; prints the first differing field. */
static const char *opts_diff(const struct xhv_opts *a, const struct xhv_opts *b)
{
    if (strcmp(a->console, b->console) || a->console_mask != b->console_mask)
        return "console";
    if (!uart_eq(&a->com1, &b->com1))
        return "com1";
    if (!uart_eq(&a->com2, &b->com2))
        return "com2";
    if (a->loglvl != b->loglvl || a->loglvl_rl != b->loglvl_rl)
        return "loglvl";
    if (a->guest_loglvl != b->guest_loglvl ||
        a->guest_loglvl_rl != b->guest_loglvl_rl)
        return "guest_loglvl";
    if (a->noreboot != b->noreboot)
        return "noreboot";
    if (a->sync_console != b->sync_console)
        return "sync_console";
    if (!amt_eq(&a->dom0_mem.amount, &b->dom0_mem.amount) ||
        !amt_eq(&a->dom0_mem.min, &b->dom0_mem.min) ||
        !amt_eq(&a->dom0_mem.max, &b->dom0_mem.max))
        return "dom0_mem";
    if (a->dom0_vcpus_min != b->dom0_vcpus_min ||
        a->dom0_vcpus_max != b->dom0_vcpus_max)
        return "dom0_max_vcpus";
    if (a->selftest != b->selftest)
        return "selftest";
    if (a->has_rest != b->has_rest || strcmp(a->rest, b->rest))
        return "rest";
    if (a->unknown != b->unknown)
        return "unknown count";
    if (a->malformed != b->malformed)
        return "malformed count";
    return NULL;
}

#define EXPECT(fn, ...) static void fn(struct xhv_opts *e) { __VA_ARGS__ }

static struct xhv_mem_amount amt(bool neg, uint64_t bytes)
{
    struct xhv_mem_amount a = { .set = true, .negative = neg, .bytes = bytes };

    return a;
}

EXPECT(e_none, (void)e;)
EXPECT(e_noreboot, e->noreboot = true;)
EXPECT(e_sync, e->sync_console = true;)
EXPECT(e_both_bools, e->noreboot = true; e->sync_console = true;)
EXPECT(e_con_com1, strcpy(e->console, "com1");
       e->console_mask = XHV_CONSOLE_COM1;)
EXPECT(e_con_com1vga, strcpy(e->console, "com1,vga");
       e->console_mask = XHV_CONSOLE_COM1 | XHV_CONSOLE_VGA;)
EXPECT(e_con_vga_com2, strcpy(e->console, "vga,com2");
       e->console_mask = XHV_CONSOLE_COM2 | XHV_CONSOLE_VGA;)
EXPECT(e_con_none, strcpy(e->console, "none"); e->console_mask = 0;)
EXPECT(e_com1_baud, e->com1.given = true; e->com1.baud = 115200;)
EXPECT(e_com1_8n1, e->com1.given = true; e->com1.baud = 115200;)
EXPECT(e_com1_7e2, e->com1.given = true; e->com1.baud = 9600;
       e->com1.data_bits = 7; e->com1.parity = 'e'; e->com1.stop_bits = 2;)
EXPECT(e_com1_full, e->com1.given = true; e->com1.baud = 115200;
       e->com1.io_base = 0x3e8; e->com1.irq = 5;)
EXPECT(e_com1_clock, e->com1.given = true; e->com1.baud = 38400;
       e->com1.base_baud = 1500000; e->com1.parity = 'o';
       e->com1.data_bits = 5;)
EXPECT(e_com1_auto, e->com1.given = true; e->com1.baud = 0;
       e->com1.irq = 0;)
EXPECT(e_com1_named, e->com1.given = true; e->com1.baud = 57600;
       e->com1.parity = 'm'; e->com1.stop_bits = 2; e->com1.io_base = 0x2e8;
       e->com1.data_bits = 6; e->com1.base_baud = 921600; e->com1.irq = 9;)
EXPECT(e_com1_mixed, e->com1.given = true; e->com1.baud = 115200;
       e->com1.io_base = 0x3f8; e->com1.irq = 4; e->com1.parity = 's';)
EXPECT(e_com1_skip, e->com1.given = true; e->com1.io_base = 0x2f8;)
EXPECT(e_com2, e->com2.given = true; e->com2.baud = 19200;
       e->com2.irq = 11;)
EXPECT(e_loglvl_all, e->loglvl = 4; e->loglvl_rl = 4;)
EXPECT(e_loglvl_err_info, e->loglvl = 1; e->loglvl_rl = 3;)
EXPECT(e_gloglvl, e->guest_loglvl = 3; e->guest_loglvl_rl = 4;)
EXPECT(e_gloglvl_raise, e->guest_loglvl = 2; e->guest_loglvl_rl = 2;)
EXPECT(e_mem_512m, e->dom0_mem.amount = amt(false, 512ULL << 20);)
EXPECT(e_mem_kib, e->dom0_mem.amount = amt(false, 262144ULL << 10);)
EXPECT(e_mem_list, e->dom0_mem.amount = amt(false, 512ULL << 20);
       e->dom0_mem.max = amt(false, 1ULL << 30);)
EXPECT(e_mem_minmax, e->dom0_mem.min = amt(false, 128ULL << 20);
       e->dom0_mem.max = amt(false, 2ULL << 40);)
EXPECT(e_mem_neg, e->dom0_mem.amount = amt(true, 256ULL << 20);)
EXPECT(e_mem_units, e->dom0_mem.amount = amt(false, 4096);
       e->dom0_mem.min = amt(false, 0x10ULL << 20);
       e->dom0_mem.max = amt(false, 8ULL << 10);)
EXPECT(e_vcpus_4, e->dom0_vcpus_min = 4; e->dom0_vcpus_max = 4;)
EXPECT(e_vcpus_2_8, e->dom0_vcpus_min = 2; e->dom0_vcpus_max = 8;)
EXPECT(e_vcpus_max8, e->dom0_vcpus_min = 1; e->dom0_vcpus_max = 8;)
EXPECT(e_vcpus_min3, e->dom0_vcpus_min = 3;
       e->dom0_vcpus_max = XHV_VCPUS_UNLIMITED;)
EXPECT(e_selftest, e->selftest = XHV_SELFTEST_ON;)
EXPECT(e_selftest_fault, e->selftest = XHV_SELFTEST_FAULT;)
EXPECT(e_rest, e->has_rest = true; strcpy(e->rest, "console=hvc0 root=/dev/xvda");)
EXPECT(e_rest_nr, e->noreboot = true; e->has_rest = true;
       strcpy(e->rest, "noreboot");)
EXPECT(e_rest_empty, e->has_rest = true;)
EXPECT(e_typical, e->noreboot = true; strcpy(e->console, "com1");
       e->console_mask = XHV_CONSOLE_COM1; e->com1.given = true;
       e->com1.baud = 115200; e->loglvl = 4; e->loglvl_rl = 4;
       e->guest_loglvl = 4; e->guest_loglvl_rl = 4;
       e->dom0_mem.amount = amt(false, 1ULL << 30);
       e->dom0_vcpus_min = 2; e->dom0_vcpus_max = 2;
       e->has_rest = true; strcpy(e->rest, "quiet");)

struct case_row {
    const char *cmdline;
    unsigned unknown, malformed;
    void (*expect)(struct xhv_opts *e);
};

static const struct case_row rows[] = {
    /* Empty and blank lines. */
    { "", 0, 0, e_none },
    { "   \t \n ", 0, 0, e_none },
    /* Booleans: bare, no-, =<bool> in every spelling, last one wins. */
    { "noreboot", 0, 0, e_noreboot },
    { "no-noreboot", 0, 0, e_none },
    { "noreboot=1", 0, 0, e_noreboot },
    { "noreboot=yes", 0, 0, e_noreboot },
    { "noreboot=on", 0, 0, e_noreboot },
    { "noreboot=true", 0, 0, e_noreboot },
    { "noreboot=enable", 0, 0, e_noreboot },
    { "noreboot=", 0, 0, e_noreboot },
    { "noreboot noreboot=0", 0, 0, e_none },
    { "noreboot noreboot=no", 0, 0, e_none },
    { "noreboot noreboot=off", 0, 0, e_none },
    { "noreboot noreboot=false", 0, 0, e_none },
    { "noreboot noreboot=disable", 0, 0, e_none },
    { "noreboot no-noreboot", 0, 0, e_none },
    { "sync_console", 0, 0, e_sync },
    { "  sync_console\tnoreboot  ", 0, 0, e_both_bools },
    { "noreboot=maybe", 0, 1, e_none },
    { "noreboot=YES", 0, 1, e_none },
    { "no-noreboot=1", 0, 1, e_none },          /* undefined in Xen */
    { "noreboot noreboot=2", 0, 1, e_noreboot },
    /* console= */
    { "console=com1", 0, 0, e_con_com1 },
    { "console=com1,vga", 0, 0, e_con_com1vga },
    { "console=vga,com2", 0, 0, e_con_vga_com2 },
    { "console=none", 0, 0, e_con_none },
    { "console=", 0, 1, e_none },
    { "console", 0, 1, e_none },
    { "console=com3", 0, 1, e_none },
    { "console=com1,dbgp", 0, 1, e_none },
    { "console=com1H", 0, 1, e_none },
    { "console=com1,", 0, 1, e_none },
    { "console=com1,vga,com1,vga,com1,vga,com1,vga,com1,vga,com1,vga,com1,vga,com1",
      0, 1, e_none },                           /* 67 bytes: too long */
    { "no-console", 0, 1, e_none },
    /* com1= positional forms */
    { "com1=115200", 0, 0, e_com1_baud },
    { "com1=115200,8n1", 0, 0, e_com1_8n1 },
    { "com1=9600,7e2", 0, 0, e_com1_7e2 },
    { "com1=115200,8n1,0x3e8,5", 0, 0, e_com1_full },
    { "com1=38400/1500000,5o1", 0, 0, e_com1_clock },
    { "com1=auto,,,0", 0, 0, e_com1_auto },
    { "com1=,,0x2f8", 0, 0, e_com1_skip },
    /* com1= name=value forms, and positional then named */
    { "com1=baud=57600,parity=m,stop-bits=2,io-base=0x2e8,data-bits=6,"
      "clock-hz=921600,irq=9", 0, 0, e_com1_named },
    { "com1=115200,8n1,parity=s", 0, 0, e_com1_mixed },
    { "com2=19200,8n1,0x2f8,11", 0, 0, e_com2 },
    /* com1= malformed: whole value rejected */
    { "com1=", 0, 1, e_none },
    { "com1=0", 0, 1, e_none },
    { "com1=fast", 0, 1, e_none },
    { "com1=115200,9n1", 0, 1, e_none },
    { "com1=115200,8x1", 0, 1, e_none },
    { "com1=115200,8n3", 0, 1, e_none },
    { "com1=115200,8n", 0, 1, e_none },
    { "com1=115200,8n1,pci", 0, 1, e_none },
    { "com1=115200,8n1,0x3f8,msi", 0, 1, e_none },
    { "com1=115200,8n1,0x3f8,4,0:1.0", 0, 1, e_none },
    { "com1=115200,8n1,0x10000", 0, 1, e_none },
    { "com1=115200,8n1,0x3f8,256", 0, 1, e_none },
    { "com1=115200/0", 0, 1, e_none },
    { "com1=baud=115200,8n1", 0, 1, e_none },   /* positional after named */
    { "com1=reg-width=4", 0, 1, e_none },
    { "com1=data-bits=4", 0, 1, e_none },
    { "com1=stop-bits=0", 0, 1, e_none },
    { "com1=parity=x", 0, 1, e_none },
    { "com1=io-base=0", 0, 1, e_none },
    { "com1=baud=", 0, 1, e_none },
    { "no-com1", 0, 1, e_none },
    /* loglvl= / guest_loglvl= */
    { "loglvl=all", 0, 0, e_loglvl_all },
    { "loglvl=error/info", 0, 0, e_loglvl_err_info },
    { "guest_loglvl=info/debug", 0, 0, e_gloglvl },
    { "guest_loglvl=warning/error", 0, 0, e_gloglvl_raise },
    { "loglvl=loud", 0, 1, e_none },
    { "loglvl", 0, 1, e_none },
    { "loglvl=info/", 0, 1, e_none },
    /* dom0_mem= */
    { "dom0_mem=512M", 0, 0, e_mem_512m },
    { "dom0_mem=262144", 0, 0, e_mem_kib },
    { "dom0_mem=512M,max:1G", 0, 0, e_mem_list },
    { "dom0_mem=min:128m,max:2T", 0, 0, e_mem_minmax },
    { "dom0_mem=-256M", 0, 0, e_mem_neg },
    { "dom0_mem=4096b,min:0x10M,max:010", 0, 0, e_mem_units },
    { "dom0_mem=", 0, 1, e_none },
    { "dom0_mem=1G,", 0, 1, e_none },
    { "dom0_mem=1X", 0, 1, e_none },
    { "dom0_mem=25%", 0, 1, e_none },
    { "dom0_mem=1G+25%", 0, 1, e_none },
    { "dom0_mem=foo:1G", 0, 1, e_none },
    { "dom0_mem=512M,max:zz", 0, 1, e_none },    /* all or nothing */
    { "dom0_mem=16777216T", 0, 1, e_none },       /* 2^64: overflow */
    { "dom0_mem=99999999999999999999", 0, 1, e_none },
    /* dom0_max_vcpus= */
    { "dom0_max_vcpus=4", 0, 0, e_vcpus_4 },
    { "dom0_max_vcpus=2-8", 0, 0, e_vcpus_2_8 },
    { "dom0_max_vcpus=-8", 0, 0, e_vcpus_max8 },
    { "dom0_max_vcpus=3-", 0, 0, e_vcpus_min3 },
    { "dom0_max_vcpus=0", 0, 1, e_none },
    { "dom0_max_vcpus=8-2", 0, 1, e_none },
    { "dom0_max_vcpus=-", 0, 1, e_none },
    { "dom0_max_vcpus=a-b", 0, 1, e_none },
    { "dom0_max_vcpus=4294967296", 0, 1, e_none },
    { "dom0_max_vcpus=", 0, 1, e_none },
    /* selftest */
    { "selftest", 0, 0, e_selftest },
    { "selftest=1", 0, 0, e_selftest },
    { "selftest=fault", 0, 0, e_selftest_fault },
    { "selftest selftest=no", 0, 0, e_none },
    { "selftest no-selftest", 0, 0, e_none },
    { "selftest=crash", 0, 1, e_none },
    { "no-selftest=fault", 0, 1, e_none },
    /* Unknown options: counted, never fatal, parsing continues. */
    { "frobnicate", 1, 0, e_none },
    { "frobnicate=3 noreboot", 1, 0, e_noreboot },
    { "no-frobnicate", 1, 0, e_none },
    { "NOREBOOT", 1, 0, e_none },               /* names are case sensitive */
    { "no_reboot", 1, 0, e_none },
    { "=", 1, 0, e_none },
    { "=noreboot", 1, 0, e_none },
    /* Quoting: quotes removed, blanks inside kept, unterminated rejected. */
    { "console=\"com1\"", 0, 0, e_con_com1 },
    { "\"noreboot\"", 0, 0, e_noreboot },
    { "console=\"com1,vga\" noreboot", 0, 0, e_noreboot },
    { "console=\"com1, vga\"", 0, 1, e_none },  /* blank kept: bad item */
    { "console=\"com1", 0, 1, e_none },
    { "noreboot console=\"com1 sync_console", 0, 1, e_noreboot },
    /* "--" ends the shim's options; the rest is kept for the guest. */
    { "-- console=hvc0 root=/dev/xvda", 0, 0, e_rest },
    { "noreboot -- noreboot", 0, 0, e_rest_nr },
    { "--", 0, 0, e_rest_empty },
    { "--   ", 0, 0, e_rest_empty },
    { "--noreboot", 1, 0, e_none },             /* not a separator */
    { "\"--\"", 1, 0, e_none },                 /* quoted: not a separator */
    /* A typical line with everything at once. */
    { "noreboot console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all "
      "dom0_mem=1G dom0_max_vcpus=2 -- quiet", 0, 0, e_typical },
};

/* Every row of the table, parsed on top of the defaults. */
static void test_table(void)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(rows); i++) {
        struct xhv_opts got, want;
        const char *d;

        cmdline_defaults(&got);
        cmdline_defaults(&want);
        rows[i].expect(&want);
        want.unknown = rows[i].unknown;
        want.malformed = rows[i].malformed;
        cmdline_parse(rows[i].cmdline, &got);
        d = opts_diff(&got, &want);
        if (d) {
            th_case_failures++;
            printf("  row %zu \"%s\": %s differs (unknown %u malformed %u)\n",
                   i, rows[i].cmdline, d, got.unknown, got.malformed);
        }
    }
}

/* The global starts at the defaults; cmdline_defaults matches it. */
static void test_defaults(void)
{
    struct xhv_opts d;

    cmdline_defaults(&d);
    CHECK(opts_diff(&opts, &d) == NULL);
    CHECK_STR(d.console, "com1,vga");
    CHECK_EQ(d.com1.io_base, 0x3f8);
    CHECK_EQ(d.com1.irq, 4);
    CHECK_EQ(d.com2.io_base, 0x2f8);
    CHECK_EQ(d.loglvl, LOG_THRESH_WARNING);
    CHECK_EQ(d.guest_loglvl, LOG_THRESH_NONE);
    CHECK_EQ(d.guest_loglvl_rl, LOG_THRESH_WARNING);
    CHECK_EQ(d.dom0_vcpus_max, XHV_VCPUS_UNLIMITED);
    CHECK(!d.dom0_mem.amount.set);
    cmdline_parse(NULL, &d);
    CHECK(opts_diff(&opts, &d) == NULL);
}

/* Parsing layers on top of earlier values (built-in, then loader line). */
static void test_layering(void)
{
    struct xhv_opts o;

    cmdline_defaults(&o);
    cmdline_parse("noreboot loglvl=info bogus", &o);
    cmdline_parse("loglvl=debug loglvl=bad", &o);
    CHECK(o.noreboot);
    CHECK_EQ(o.loglvl, LOG_THRESH_DEBUG);
    CHECK_EQ(o.unknown, 1);
    CHECK_EQ(o.malformed, 1);
}

/* The warnings printk prints, word for word. */
static void test_warning_text(void)
{
    struct xhv_opts o;

    log_set_sink(capture);
    clear_log();
    cmdline_defaults(&o);
    cmdline_parse("frob=1 no-frob com1=fast", &o);
    CHECK_STR(logbuf, "(xhv) unknown option 'frob'\n"
                      "(xhv) unknown option 'no-frob'\n"
                      "(xhv) option 'com1': bad value 'fast', kept the old one\n");
    log_set_sink(NULL);
}

/* Overlong tokens are skipped with a warning; the parser goes on. */
static void test_overlong(void)
{
    static char line[3 * XHV_CMDLINE_MAX];
    struct xhv_opts o;
    size_t n;

    strcpy(line, "console=");
    n = strlen(line);
    memset(line + n, 'a', 2000);
    strcpy(line + n + 2000, " noreboot");
    cmdline_defaults(&o);
    cmdline_parse(line, &o);
    CHECK(o.noreboot);
    CHECK_EQ(o.malformed, 1);
    CHECK_STR(o.console, "com1,vga");

    /* A token of exactly XHV_CMDLINE_MAX - 1 bytes still fits. */
    memset(line, 'b', XHV_CMDLINE_MAX - 1);
    line[XHV_CMDLINE_MAX - 1] = '\0';
    cmdline_defaults(&o);
    cmdline_parse(line, &o);
    CHECK_EQ(o.unknown, 1);
    CHECK_EQ(o.malformed, 0);

    /* Text after "--" longer than the buffer is cut and counted. */
    strcpy(line, "-- ");
    memset(line + 3, 'r', 1500);
    line[1503] = '\0';
    cmdline_defaults(&o);
    cmdline_parse(line, &o);
    CHECK(o.has_rest);
    CHECK_EQ(strlen(o.rest), XHV_CMDLINE_MAX - 1);
    CHECK_EQ(o.malformed, 1);
}

/* ---- the generic engine on a test table ------------------------------ */

static int custom_calls;
static char custom_last[64];

static int custom_cb(void *target, const char *val)
{
    (void)target;
    custom_calls++;
    snprintf(custom_last, sizeof(custom_last), "%s", val);
    return strcmp(val, "bad") == 0 ? -XEN_EINVAL : 0;
}

struct tgt {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint64_t sz;
    uint32_t sz32;
    char str[8];
    bool flag;
};

#define F(n, t, f) { n, t, offsetof(struct tgt, f), \
                     sizeof(((struct tgt *)0)->f), NULL }
static const struct cmdline_opt ttab[] = {
    F("u8", CMDLINE_UINT, u8),   F("u16", CMDLINE_UINT, u16),
    F("u32", CMDLINE_UINT, u32), F("u64", CMDLINE_UINT, u64),
    F("sz", CMDLINE_SIZE, sz),   F("sz32", CMDLINE_SIZE, sz32),
    F("str", CMDLINE_STR, str),  F("flag", CMDLINE_BOOL, flag),
    { "cb", CMDLINE_CUSTOM, 0, 0, custom_cb },
};

static unsigned run_t(const char *line, struct tgt *t, unsigned *unknown)
{
    struct cmdline_status st;

    cmdline_parse_table(line, ttab, ARRAY_SIZE(ttab), t, &st);
    *unknown = st.unknown;
    return st.malformed;
}

/* uint: bases, field widths, overflow, junk, negative, missing value. */
static void test_engine_uint(void)
{
    struct tgt t = { 0 };
    unsigned u;

    CHECK_EQ(run_t("u8=255 u16=0xffff u32=037777777777 u64=18446744073709551615",
                   &t, &u), 0);
    CHECK_EQ(t.u8, 255);
    CHECK_EQ(t.u16, 0xffff);
    CHECK_EQ(t.u32, 0xffffffffu);
    CHECK(t.u64 == UINT64_MAX);
    CHECK_EQ(run_t("u8=256 u16=65536 u32=4294967296 u64=18446744073709551616",
                   &t, &u), 4);
    CHECK_EQ(t.u8, 255);
    CHECK_EQ(run_t("u8=-1 u8=1x u8= u8 u8=0x u8=08 no-u8", &t, &u), 7);
    CHECK_EQ(t.u8, 255);
    CHECK_EQ(run_t("u8=0 u16=010 u32=0X1F", &t, &u), 0);
    CHECK_EQ(t.u8, 0);
    CHECK_EQ(t.u16, 8);
    CHECK_EQ(t.u32, 31);
}

/* size: every unit in both cases, no unit = KiB, overflow per field. */
static void test_engine_size(void)
{
    static const struct { const char *s; uint64_t v; } ok[] = {
        { "sz=0", 0 },               { "sz=1", 1024 },
        { "sz=1b", 1 },              { "sz=1B", 1 },
        { "sz=2k", 2048 },           { "sz=2K", 2048 },
        { "sz=3m", 3ULL << 20 },     { "sz=3M", 3ULL << 20 },
        { "sz=4g", 4ULL << 30 },     { "sz=4G", 4ULL << 30 },
        { "sz=5t", 5ULL << 40 },     { "sz=5T", 5ULL << 40 },
        { "sz=0x10M", 16ULL << 20 }, { "sz=16777215T", 16777215ULL << 40 },
    };
    static const char *const bad[] = {
        "sz=", "sz", "sz=1P", "sz=1KB", "sz=k", "sz=16777216T", "sz=-1",
        "sz32=4G", "sz=1 M",
    };
    struct tgt t = { 0 };
    unsigned u;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(ok); i++) {
        t.sz = 12345;
        if (run_t(ok[i].s, &t, &u) != 0 || t.sz != ok[i].v) {
            th_case_failures++;
            printf("  \"%s\" gave %llu\n", ok[i].s, (unsigned long long)t.sz);
        }
    }
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        t.sz = 12345;
        t.sz32 = 7;
        /* "sz=1 M" is two tokens: "sz=1" is fine, "M" is unknown. */
        unsigned m = run_t(bad[i], &t, &u);

        if (strcmp(bad[i], "sz=1 M") == 0) {
            CHECK_EQ(m, 0);
            CHECK_EQ(u, 1);
        } else if (m != 1 || t.sz != 12345 || t.sz32 != 7) {
            th_case_failures++;
            printf("  \"%s\" accepted\n", bad[i]);
        }
    }
    CHECK_EQ(run_t("sz32=4194303K", &t, &u), 0);
    CHECK_EQ(t.sz32, 4194303u * 1024);
}

/* string: fits whole or is rejected; bare name stores "". */
static void test_engine_string(void)
{
    struct tgt t = { 0 };
    unsigned u;

    CHECK_EQ(run_t("str=abcdefg", &t, &u), 0);
    CHECK_STR(t.str, "abcdefg");
    CHECK_EQ(run_t("str=abcdefgh", &t, &u), 1);
    CHECK_STR(t.str, "abcdefg");
    CHECK_EQ(run_t("str=\"a b\"", &t, &u), 0);
    CHECK_STR(t.str, "a b");
    CHECK_EQ(run_t("str=x=y", &t, &u), 0);      /* only the first '=' splits */
    CHECK_STR(t.str, "x=y");
    CHECK_EQ(run_t("str", &t, &u), 0);
    CHECK_STR(t.str, "");
    CHECK_EQ(run_t("no-str", &t, &u), 1);
}

/* custom: gets "" for a bare name, "no" for no-name, the value otherwise;
 * a rejection is counted. */
static void test_engine_custom(void)
{
    struct tgt t = { 0 };
    unsigned u;

    custom_calls = 0;
    CHECK_EQ(run_t("cb", &t, &u), 0);
    CHECK_STR(custom_last, "");
    CHECK_EQ(run_t("no-cb", &t, &u), 0);
    CHECK_STR(custom_last, "no");
    CHECK_EQ(run_t("cb=\"x y\"", &t, &u), 0);
    CHECK_STR(custom_last, "x y");
    CHECK_EQ(run_t("cb=bad", &t, &u), 1);
    CHECK_EQ(run_t("no-cb=1", &t, &u), 1);      /* not passed on */
    CHECK_EQ(custom_calls, 4);
}

/* The rest pointer points into the caller's string. */
static void test_engine_rest(void)
{
    const char *line = "flag --  guest args -- more";
    struct cmdline_status st;
    struct tgt t = { 0 };

    cmdline_parse_table(line, ttab, ARRAY_SIZE(ttab), &t, &st);
    CHECK(t.flag);
    CHECK(st.rest == line + 9);
    CHECK_STR(st.rest, "guest args -- more");
    cmdline_parse_table("flag", ttab, ARRAY_SIZE(ttab), &t, &st);
    CHECK(st.rest == NULL);
}

/* Scalar helpers on their own. */
static void test_helpers(void)
{
    uint64_t v;

    CHECK_EQ(cmdline_parse_bool("enable"), 1);
    CHECK_EQ(cmdline_parse_bool("disable"), 0);
    CHECK_EQ(cmdline_parse_bool(""), -1);
    CHECK_EQ(cmdline_parse_bool("On"), -1);
    CHECK_EQ(cmdline_parse_uint("0", &v), 0);
    CHECK_EQ(v, 0);
    CHECK_EQ(cmdline_parse_uint("", &v), -XEN_EINVAL);
    CHECK_EQ(cmdline_parse_uint(" 1", &v), -XEN_EINVAL);
    CHECK_EQ(cmdline_parse_size("1G", &v), 0);
    CHECK(v == 1ULL << 30);
    CHECK_EQ(cmdline_parse_size("G", &v), -XEN_EINVAL);
}

int main(void)
{
    RUN_TEST(test_defaults);
    RUN_TEST(test_table);
    RUN_TEST(test_layering);
    RUN_TEST(test_warning_text);
    RUN_TEST(test_overlong);
    RUN_TEST(test_engine_uint);
    RUN_TEST(test_engine_size);
    RUN_TEST(test_engine_string);
    RUN_TEST(test_engine_custom);
    RUN_TEST(test_engine_rest);
    RUN_TEST(test_helpers);
    printf("%zu command lines in the table\n", ARRAY_SIZE(rows));
    return th_finish();
}
