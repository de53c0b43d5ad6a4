/*
 * libFuzzer target for the shim's command-line parser (shim/cmdline.c),
 * which reads bytes the boot loader hands over.
 *
 * The input, cut to 4 KiB, is copied into an exact-size heap buffer with a
 * NUL appended (so ASan reports a read even one byte past the terminator;
 * embedded NULs just end the line early) and parsed twice:
 *
 *  1. cmdline_parse() on top of the defaults. Afterwards every string in
 *     struct xhv_opts must be NUL-terminated in its array, every value in
 *     its documented range, console_mask must be exactly what the console=
 *     text names, and "--" text is there iff has_rest. Parsing the same
 *     line again on top of the result must change nothing but the warning
 *     counters: every option sets absolute values.
 *  2. cmdline_parse_table() with a table of all generic types (uint of
 *     1/2/4/8 bytes, size, bool, an 8-byte string, a custom parser) whose
 *     fields sit between canaries, so a write past a field is caught even
 *     though it stays inside the struct where ASan cannot see it.
 *
 * printk output goes to a sink that reads every byte it is given, so a bad
 * length from the logger is an ASan report too. Any broken invariant aborts.
 */
#include <xhv/cmdline.h>
#include <xhv/log.h>
#include <xen/errno.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT   4096
#define CANARY      0x5aa5c33cf00fd00dULL

static void check(int cond)
{
    if (!cond)
        abort();
}

static volatile unsigned sink_sum;

static void sink(const char *s, size_t len)
{
    size_t i;

    check(len > 0 && len < 4 * LOG_LINE_MAX);
    for (i = 0; i < len; i++)
        sink_sum += (unsigned char)s[i];
}

static int terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static void check_uart(const struct xhv_uart_cfg *u)
{
    check(u->base_baud > 0);
    check(u->data_bits >= 5 && u->data_bits <= 8);
    check(u->parity && strchr("noems", u->parity));
    check(u->stop_bits == 1 || u->stop_bits == 2);
    check(u->io_base != 0);
}

static void check_level(int lvl, int rl)
{
    check(lvl >= LOG_THRESH_NONE && lvl <= LOG_THRESH_DEBUG);
    check(rl >= lvl && rl <= LOG_THRESH_DEBUG);
}

/* console= holds only com1/com2/vga/none items and the mask says which. */
static void check_console(const struct xhv_opts *o)
{
    char buf[XHV_CONSOLE_MAX], *item, *next;
    unsigned int mask = 0;

    check(terminated(o->console, sizeof(o->console)));
    check(o->console[0] != '\0');
    memcpy(buf, o->console, sizeof(buf));
    for (item = buf; item; item = next) {
        next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        if (strcmp(item, "com1") == 0)
            mask |= XHV_CONSOLE_COM1;
        else if (strcmp(item, "com2") == 0)
            mask |= XHV_CONSOLE_COM2;
        else if (strcmp(item, "vga") == 0)
            mask |= XHV_CONSOLE_VGA;
        else
            check(strcmp(item, "none") == 0);
    }
    check(o->console_mask == mask);
}

static void check_amount(const struct xhv_mem_amount *a)
{
    check(a->set || (!a->negative && a->bytes == 0));
}

static void check_opts(const struct xhv_opts *o, const char *line,
                       unsigned int passes)
{
    check_console(o);
    check_uart(&o->com1);
    check_uart(&o->com2);
    check_level(o->loglvl, o->loglvl_rl);
    check_level(o->guest_loglvl, o->guest_loglvl_rl);
    check_amount(&o->dom0_mem.amount);
    check_amount(&o->dom0_mem.min);
    check_amount(&o->dom0_mem.max);
    check(o->dom0_vcpus_min >= 1 && o->dom0_vcpus_min <= o->dom0_vcpus_max);
    check(o->selftest == XHV_SELFTEST_OFF || o->selftest == XHV_SELFTEST_ON ||
          o->selftest == XHV_SELFTEST_FAULT);
    check(terminated(o->rest, sizeof(o->rest)));
    if (o->has_rest)
        check(strstr(line, "--") != NULL);
    else
        check(o->rest[0] == '\0');
    /* Each warning needs at least one input byte, in each pass. */
    check(o->unknown + o->malformed <= passes * strlen(line));
}

static int uart_same(const struct xhv_uart_cfg *a, const struct xhv_uart_cfg *b)
{
    return a->given == b->given && a->baud == b->baud &&
           a->base_baud == b->base_baud && a->data_bits == b->data_bits &&
           a->parity == b->parity && a->stop_bits == b->stop_bits &&
           a->io_base == b->io_base && a->irq == b->irq;
}

static int amount_same(const struct xhv_mem_amount *a,
                       const struct xhv_mem_amount *b)
{
    return a->set == b->set && a->negative == b->negative &&
           a->bytes == b->bytes;
}

/* Field by field: padding is not part of the result. */
static int opts_same(const struct xhv_opts *a, const struct xhv_opts *b)
{
    return strcmp(a->console, b->console) == 0 &&
           a->console_mask == b->console_mask &&
           uart_same(&a->com1, &b->com1) && uart_same(&a->com2, &b->com2) &&
           a->loglvl == b->loglvl && a->loglvl_rl == b->loglvl_rl &&
           a->guest_loglvl == b->guest_loglvl &&
           a->guest_loglvl_rl == b->guest_loglvl_rl &&
           a->noreboot == b->noreboot && a->sync_console == b->sync_console &&
           amount_same(&a->dom0_mem.amount, &b->dom0_mem.amount) &&
           amount_same(&a->dom0_mem.min, &b->dom0_mem.min) &&
           amount_same(&a->dom0_mem.max, &b->dom0_mem.max) &&
           a->dom0_vcpus_min == b->dom0_vcpus_min &&
           a->dom0_vcpus_max == b->dom0_vcpus_max &&
           a->selftest == b->selftest && a->has_rest == b->has_rest &&
           strcmp(a->rest, b->rest) == 0;
}

/* ---- the generic engine on a table of every type ---------------------- */

struct fields {
    uint64_t c0;
    uint8_t u8;
    uint64_t c1;
    uint16_t u16;
    uint64_t c2;
    uint32_t u32;
    uint64_t c3;
    uint64_t u64;
    uint64_t c4;
    uint64_t size;
    uint64_t c5;
    bool flag;
    uint64_t c6;
    char str[8];
    uint64_t c7;
    char custom[16];
    uint64_t c8;
};

/* Accepts values up to 15 bytes that do not start with 'x'. */
static int parse_custom(void *target, const char *val)
{
    struct fields *f = target;

    check(val != NULL);
    if (val[0] == 'x' || strlen(val) >= sizeof(f->custom))
        return -XEN_EINVAL;
    memcpy(f->custom, val, strlen(val) + 1);
    return 0;
}

#define F(n, t, m) { n, t, offsetof(struct fields, m), \
                     sizeof(((struct fields *)0)->m), NULL }

static const struct cmdline_opt table[] = {
    F("u8", CMDLINE_UINT, u8),
    F("u16", CMDLINE_UINT, u16),
    F("u32", CMDLINE_UINT, u32),
    F("u64", CMDLINE_UINT, u64),
    F("size", CMDLINE_SIZE, size),
    F("flag", CMDLINE_BOOL, flag),
    F("str", CMDLINE_STR, str),
    { "custom", CMDLINE_CUSTOM, 0, 0, parse_custom },
};

static void run_table(const char *line)
{
    struct fields f;
    struct cmdline_status st;
    const uint64_t *c[] = { &f.c0, &f.c1, &f.c2, &f.c3, &f.c4, &f.c5, &f.c6,
                            &f.c7, &f.c8 };
    size_t i;

    memset(&f, 0, sizeof(f));
    f.c0 = f.c1 = f.c2 = f.c3 = f.c4 = f.c5 = f.c6 = f.c7 = f.c8 = CANARY;
    cmdline_parse_table(line, table, sizeof(table) / sizeof(table[0]), &f,
                        &st);
    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        check(*c[i] == CANARY);
    check(terminated(f.str, sizeof(f.str)));
    check(terminated(f.custom, sizeof(f.custom)));
    check(f.custom[0] != 'x');
    check(st.unknown + st.malformed <= strlen(line));
    if (st.rest) {
        /* rest points into the line, past "--" and the blanks after it. */
        check(st.rest >= line + 2 && st.rest <= line + strlen(line));
        check(!strchr(" \t\n\r", st.rest[0]) || st.rest[0] == '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xhv_opts o, again;
    char *line;

    if (size > MAX_INPUT)
        size = MAX_INPUT;
    line = malloc(size + 1);
    check(line != NULL);
    memcpy(line, data, size);
    line[size] = '\0';
    log_set_sink(sink);

    cmdline_defaults(&o);
    cmdline_parse(line, &o);
    check_opts(&o, line, 1);

    again = o;
    cmdline_parse(line, &again);
    check_opts(&again, line, 2);
    check(opts_same(&o, &again));

    run_table(line);

    /* NULL is an empty line: nothing changes, nothing is counted. */
    cmdline_defaults(&o);
    again = o;
    cmdline_parse(NULL, &o);
    check(opts_same(&o, &again) && o.unknown == 0 && o.malformed == 0);

    free(line);
    return 0;
}
