/*
 * The shim's command-line parser: a generic table-driven engine
 * (cmdline_parse_table) plus the table of xhv's options and their value
 * parsers. Syntax and option meanings are in <xhv/cmdline.h>.
 *
 * Each option value is parsed completely into a temporary and stored only
 * if all of it is valid, so a malformed value keeps the earlier one.
 * Nothing here is fatal and nothing reads past the terminating NUL of the
 * input; tokens are copied into a bounded buffer on the stack (one option
 * at most XHV_CMDLINE_MAX - 1 bytes), so the parser needs ~1.5 KiB of
 * stack and no heap.
 */
#include <xhv/types.h>
#include <xhv/string.h>
#include <xhv/cmdline.h>
#include <xhv/log.h>
#include <xen/errno.h>

/* Xen's defaults where Xen has one; see cmdline_defaults() in the header. */
#define XHV_OPTS_DEFAULT {                                                  \
    .console = "com1,vga",                                                  \
    .console_mask = XHV_CONSOLE_COM1 | XHV_CONSOLE_VGA,                     \
    .com1 = { .base_baud = 115200, .data_bits = 8, .parity = 'n',           \
              .stop_bits = 1, .io_base = 0x3f8, .irq = 4 },                 \
    .com2 = { .base_baud = 115200, .data_bits = 8, .parity = 'n',           \
              .stop_bits = 1, .io_base = 0x2f8, .irq = 3 },                 \
    .loglvl = LOG_THRESH_WARNING,                                           \
    .loglvl_rl = LOG_THRESH_WARNING,                                        \
    .guest_loglvl = LOG_THRESH_NONE,                                        \
    .guest_loglvl_rl = LOG_THRESH_WARNING,                                  \
    .dom0_vcpus_min = 1,                                                    \
    .dom0_vcpus_max = XHV_VCPUS_UNLIMITED,                                  \
}

struct xhv_opts opts = XHV_OPTS_DEFAULT;

/* A copy apart from 'opts', so cmdline_defaults() works after opts changed. */
static const struct xhv_opts opts_default = XHV_OPTS_DEFAULT;

void cmdline_defaults(struct xhv_opts *o)
{
    memcpy(o, &opts_default, sizeof(*o));
}

/* ---- scalar values ------------------------------------------------------ */

int cmdline_parse_bool(const char *s)
{
    static const char *const yes[] = { "1", "on", "yes", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        if (strcmp(s, yes[i]) == 0)
            return 1;
        if (strcmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/*
 * Leading unsigned integer of s in Xen's bases (0x hex, 0 octal, else
 * decimal). Sets *end past it; false if there is no digit or it overflows.
 */
static bool scan_u64(const char *s, const char **end, uint64_t *v)
{
    unsigned int base = 10;
    uint64_t acc = 0;
    const char *p = s;
    int d;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        digit_value(p[2]) < 16) {
        base = 16;
        p += 2;
    } else if (p[0] == '0') {
        base = 8;
    }
    if (digit_value(*p) >= (int)base)
        return false;
    while ((d = digit_value(*p)) < (int)base) {
        if (acc > (UINT64_MAX - (uint64_t)d) / base)
            return false;
        acc = acc * base + (uint64_t)d;
        p++;
    }
    *end = p;
    *v = acc;
    return true;
}

int cmdline_parse_uint(const char *s, uint64_t *v)
{
    const char *end;
    uint64_t x;

    if (!scan_u64(s, &end, &x) || *end)
        return -XEN_EINVAL;
    *v = x;
    return 0;
}

/* Size with optional unit at s; *end past it. KiB without a unit. */
static bool scan_size(const char *s, const char **end, uint64_t *bytes)
{
    unsigned int shift = 10;
    const char *p;
    uint64_t v;

    if (!scan_u64(s, &p, &v))
        return false;
    switch (*p) {
    case 'T': case 't': shift = 40; p++; break;
    case 'G': case 'g': shift = 30; p++; break;
    case 'M': case 'm': shift = 20; p++; break;
    case 'K': case 'k': shift = 10; p++; break;
    case 'B': case 'b': shift = 0; p++; break;
    default: break;
    }
    if (v > (UINT64_MAX >> shift))
        return false;
    *bytes = v << shift;
    *end = p;
    return true;
}

int cmdline_parse_size(const char *s, uint64_t *bytes)
{
    const char *end;
    uint64_t b;

    if (!scan_size(s, &end, &b) || *end)
        return -XEN_EINVAL;
    *bytes = b;
    return 0;
}

/* Store v into an unsigned field of 'size' bytes; false if it won't fit. */
static bool store_uint(void *field, size_t size, uint64_t v)
{
    switch (size) {
    case 1:
        if (v > UINT8_MAX)
            return false;
        *(uint8_t *)field = (uint8_t)v;
        return true;
    case 2:
        if (v > UINT16_MAX)
            return false;
        *(uint16_t *)field = (uint16_t)v;
        return true;
    case 4:
        if (v > UINT32_MAX)
            return false;
        *(uint32_t *)field = (uint32_t)v;
        return true;
    case 8:
        *(uint64_t *)field = v;
        return true;
    default:
        return false;
    }
}

/* ---- the engine --------------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const struct cmdline_opt *find_opt(const struct cmdline_opt *tab,
                                          size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(tab[i].name, name) == 0)
            return &tab[i];
    return NULL;
}

/*
 * Apply one "name[=value]" (quotes already removed) to target.
 * Returns 0, -XEN_ENOENT for an unknown name, -XEN_EINVAL for a bad value.
 */
static int apply_opt(const struct cmdline_opt *tab, size_t n, void *target,
                     char *tok, const char **key, const char **shown_val)
{
    const struct cmdline_opt *o;
    char *val = strchr(tok, '=');
    const char *name = tok;
    bool negated = false;
    uint64_t v;
    int b;

    if (val)
        *val++ = '\0';
    *key = tok;
    *shown_val = val ? val : "";

    o = find_opt(tab, n, name);
    if (!o && strncmp(name, "no-", 3) == 0) {
        o = find_opt(tab, n, name + 3);
        negated = o != NULL;
    }
    if (!o)
        return -XEN_ENOENT;
    /* "no-" only negates booleans; "no-name=value" is undefined in Xen. */
    if (negated && (val || (o->type != CMDLINE_BOOL &&
                            o->type != CMDLINE_CUSTOM)))
        return -XEN_EINVAL;

    switch (o->type) {
    case CMDLINE_BOOL:
        b = negated ? 0 : (!val || !*val) ? 1 : cmdline_parse_bool(val);
        if (b < 0)
            return -XEN_EINVAL;
        *(bool *)((char *)target + o->off) = b;
        return 0;
    case CMDLINE_UINT:
        if (!val || cmdline_parse_uint(val, &v) ||
            !store_uint((char *)target + o->off, o->size, v))
            return -XEN_EINVAL;
        return 0;
    case CMDLINE_SIZE:
        if (!val || cmdline_parse_size(val, &v) ||
            !store_uint((char *)target + o->off, o->size, v))
            return -XEN_EINVAL;
        return 0;
    case CMDLINE_STR:
        /* A bare name stores "", as Xen does; never store a cut value. */
        if (!val)
            val = tok + strlen(tok);
        if (strlen(val) >= o->size)
            return -XEN_EINVAL;
        memcpy((char *)target + o->off, val, strlen(val) + 1);
        return 0;
    case CMDLINE_CUSTOM:
        return o->parse(target, negated ? "no" : val ? val : "") ? -XEN_EINVAL
                                                                 : 0;
    }
    return -XEN_EINVAL;
}

void cmdline_parse_table(const char *cmdline, const struct cmdline_opt *tab,
                         size_t n, void *target, struct cmdline_status *st)
{
    const char *p = cmdline ? cmdline : "";
    char tok[XHV_CMDLINE_MAX];

    st->unknown = 0;
    st->malformed = 0;
    st->rest = NULL;

    /* Invariant: p is at a token boundary; tokens before it are applied. */
    for (;;) {
        const char *start, *key, *shown_val;
        bool quoted = false, too_long = false;
        size_t len = 0;
        int rc;

        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        start = p;
        /* Copy one token, dropping quotes; blanks inside quotes stay. */
        while (*p && (quoted || !is_blank(*p))) {
            if (*p == '"')
                quoted = !quoted;
            else if (len < sizeof(tok) - 1)
                tok[len++] = *p;
            else
                too_long = true;
            p++;
        }
        tok[len] = '\0';

        if (p - start == 2 && start[0] == '-' && start[1] == '-') {
            while (is_blank(*p))
                p++;
            st->rest = p;
            break;
        }
        if (too_long || quoted) {
            st->malformed++;
            printk(XLOG_WARN "option '%.32s...': %s, ignored\n", tok,
                   quoted ? "unterminated quote" : "too long");
            continue;
        }
        rc = apply_opt(tab, n, target, tok, &key, &shown_val);
        if (rc == -XEN_ENOENT) {
            st->unknown++;
            printk(XLOG_WARN "unknown option '%s'\n", key);
        } else if (rc) {
            st->malformed++;
            printk(XLOG_WARN "option '%s': bad value '%s', kept the old one\n",
                   key, shown_val);
        }
    }
}

/* ---- xhv's option values ------------------------------------------------ */

/* Split s at the first c: s becomes the head, returns the tail or NULL. */
static char *split_at(char *s, char c)
{
    char *q = strchr(s, c);

    if (q)
        *q++ = '\0';
    return q;
}

static int parse_console(void *target, const char *val)
{
    struct xhv_opts *o = target;
    char buf[XHV_CONSOLE_MAX];
    unsigned int mask = 0;
    char *item, *next;

    if (!*val || strlen(val) >= sizeof(buf))
        return -XEN_EINVAL;
    memcpy(buf, val, strlen(val) + 1);
    for (item = buf; item; item = next) {
        next = split_at(item, ',');
        if (strcmp(item, "com1") == 0)
            mask |= XHV_CONSOLE_COM1;
        else if (strcmp(item, "com2") == 0)
            mask |= XHV_CONSOLE_COM2;
        else if (strcmp(item, "vga") == 0)
            mask |= XHV_CONSOLE_VGA;
        else if (strcmp(item, "none") != 0)
            return -XEN_EINVAL;     /* also Xen's pv, dbgp, ehci, xhci, comNH */
    }
    memcpy(o->console, val, strlen(val) + 1);
    o->console_mask = mask;
    return 0;
}

static bool uart_parity(const char *s, char *parity)
{
    if (!s[0] || s[1] || !strchr("noems", s[0]))
        return false;
    *parity = s[0];
    return true;
}

static bool uart_uint(const char *s, uint64_t max, uint64_t *v)
{
    return cmdline_parse_uint(s, v) == 0 && *v <= max;
}

/* baud=, "auto" or a positive rate. */
static bool uart_baud(const char *s, uint32_t *baud)
{
    uint64_t v;

    if (strcmp(s, "auto") == 0) {
        *baud = 0;
        return true;
    }
    if (!uart_uint(s, UINT32_MAX, &v) || v == 0)
        return false;
    *baud = (uint32_t)v;
    return true;
}

/* One "name=value" item of com<n>=; unsupported names are errors. */
static bool uart_named(struct xhv_uart_cfg *u, char *item)
{
    char *val = split_at(item, '=');
    uint64_t v;

    if (!val)
        return false;
    if (strcmp(item, "baud") == 0)
        return uart_baud(val, &u->baud);
    if (strcmp(item, "clock-hz") == 0) {
        /* Xen multiplies this by 16 to get the clock: it is the base baud. */
        if (!uart_uint(val, UINT32_MAX, &v) || v == 0)
            return false;
        u->base_baud = (uint32_t)v;
        return true;
    }
    if (strcmp(item, "data-bits") == 0) {
        if (!uart_uint(val, 8, &v) || v < 5)
            return false;
        u->data_bits = (uint8_t)v;
        return true;
    }
    if (strcmp(item, "parity") == 0)
        return uart_parity(val, &u->parity);
    if (strcmp(item, "stop-bits") == 0) {
        if (!uart_uint(val, 2, &v) || v < 1)
            return false;
        u->stop_bits = (uint8_t)v;
        return true;
    }
    if (strcmp(item, "io-base") == 0) {
        if (!uart_uint(val, UINT16_MAX, &v) || v == 0)
            return false;
        u->io_base = (uint16_t)v;
        return true;
    }
    if (strcmp(item, "irq") == 0) {
        if (!uart_uint(val, UINT8_MAX, &v))
            return false;
        u->irq = (uint8_t)v;
        return true;
    }
    /* reg-shift, reg-width, dev, port, bridge: PCI/MMIO UARTs, not yet. */
    return false;
}

/* Positional item 'idx' of com<n>=; an empty item keeps the default. */
static bool uart_positional(struct xhv_uart_cfg *u, unsigned int idx,
                            char *item)
{
    uint64_t v;
    char *base;
    char par[2];

    if (!*item)
        return true;
    switch (idx) {
    case 0:                                 /* <baud>[/<base-baud>] */
        base = split_at(item, '/');
        if (!uart_baud(item, &u->baud))
            return false;
        if (base) {
            if (!uart_uint(base, UINT32_MAX, &v) || v == 0)
                return false;
            u->base_baud = (uint32_t)v;
        }
        return true;
    case 1:                                 /* DPS, e.g. 8n1 */
        if (strlen(item) != 3 || item[0] < '5' || item[0] > '8' ||
            (item[2] != '1' && item[2] != '2'))
            return false;
        par[0] = item[1];
        par[1] = '\0';
        if (!uart_parity(par, &u->parity))
            return false;
        u->data_bits = (uint8_t)(item[0] - '0');
        u->stop_bits = (uint8_t)(item[2] - '0');
        return true;
    case 2:                                 /* <io-base>; not pci/amt */
        if (!uart_uint(item, UINT16_MAX, &v) || v == 0)
            return false;
        u->io_base = (uint16_t)v;
        return true;
    case 3:                                 /* <irq>; not msi */
        if (!uart_uint(item, UINT8_MAX, &v))
            return false;
        u->irq = (uint8_t)v;
        return true;
    default:                                /* port/bridge BDF: PCI UARTs */
        return false;
    }
}

static int parse_uart(struct xhv_uart_cfg *dst, const char *val)
{
    struct xhv_uart_cfg u = *dst;
    char buf[128];
    char *item, *next;
    unsigned int idx = 0;
    bool named = false;

    if (!*val || strlen(val) >= sizeof(buf))
        return -XEN_EINVAL;
    memcpy(buf, val, strlen(val) + 1);
    /* Positional items first; from the first name=value on, only names. */
    for (item = buf; item; item = next, idx++) {
        next = split_at(item, ',');
        if (strchr(item, '='))
            named = true;
        if (named ? !uart_named(&u, item) : !uart_positional(&u, idx, item))
            return -XEN_EINVAL;
    }
    u.given = true;
    *dst = u;
    return 0;
}

static int parse_com1(void *target, const char *val)
{
    return parse_uart(&((struct xhv_opts *)target)->com1, val);
}

static int parse_com2(void *target, const char *val)
{
    return parse_uart(&((struct xhv_opts *)target)->com2, val);
}

static int parse_loglvl(void *target, const char *val)
{
    struct xhv_opts *o = target;

    return log_parse_level(val, &o->loglvl, &o->loglvl_rl);
}

static int parse_guest_loglvl(void *target, const char *val)
{
    struct xhv_opts *o = target;

    return log_parse_level(val, &o->guest_loglvl, &o->guest_loglvl_rl);
}

/* <sz> := [-]<size>; Xen's "<size>+<frac>%" form is not supported. */
static bool mem_amount(const char *s, struct xhv_mem_amount *a)
{
    a->set = true;
    a->negative = *s == '-';
    if (a->negative)
        s++;
    return cmdline_parse_size(s, &a->bytes) == 0;
}

static int parse_dom0_mem(void *target, const char *val)
{
    struct xhv_opts *o = target;
    struct xhv_dom0_mem m = o->dom0_mem;
    char buf[128];
    char *item, *next;

    if (!*val || strlen(val) >= sizeof(buf))
        return -XEN_EINVAL;
    memcpy(buf, val, strlen(val) + 1);
    for (item = buf; item; item = next) {
        next = split_at(item, ',');
        if (strncmp(item, "min:", 4) == 0) {
            if (!mem_amount(item + 4, &m.min))
                return -XEN_EINVAL;
        } else if (strncmp(item, "max:", 4) == 0) {
            if (!mem_amount(item + 4, &m.max))
                return -XEN_EINVAL;
        } else if (!mem_amount(item, &m.amount)) {
            return -XEN_EINVAL;
        }
    }
    o->dom0_mem = m;
    return 0;
}

/* <n> | <min>-<max>, either side of '-' may be left out (1, unlimited). */
static int parse_dom0_max_vcpus(void *target, const char *val)
{
    struct xhv_opts *o = target;
    uint64_t lo = 1, hi = XHV_VCPUS_UNLIMITED;
    const char *dash = strchr(val, '-');
    const char *end;

    if (!dash) {
        if (cmdline_parse_uint(val, &lo) || lo == 0 || lo > UINT32_MAX)
            return -XEN_EINVAL;
        hi = lo;
    } else {
        if (val == dash && !dash[1])
            return -XEN_EINVAL;                 /* a lone "-" */
        if (val != dash && (!scan_u64(val, &end, &lo) || end != dash))
            return -XEN_EINVAL;
        if (dash[1] && cmdline_parse_uint(dash + 1, &hi))
            return -XEN_EINVAL;
        if (lo == 0 || hi == 0 || lo > hi || hi > UINT32_MAX)
            return -XEN_EINVAL;
    }
    o->dom0_vcpus_min = (uint32_t)lo;
    o->dom0_vcpus_max = (uint32_t)hi;
    return 0;
}

/* selftest | no-selftest | selftest=<bool> | selftest=fault */
static int parse_selftest(void *target, const char *val)
{
    struct xhv_opts *o = target;
    int b;

    if (strcmp(val, "fault") == 0) {
        o->selftest = XHV_SELFTEST_FAULT;
        return 0;
    }
    b = *val ? cmdline_parse_bool(val) : 1;
    if (b < 0)
        return -XEN_EINVAL;
    o->selftest = b ? XHV_SELFTEST_ON : XHV_SELFTEST_OFF;
    return 0;
}

#define OPT_FIELD(n, t, f) \
    { n, t, offsetof(struct xhv_opts, f), sizeof(((struct xhv_opts *)0)->f), \
      NULL }
#define OPT_CUSTOM(n, fn)  { n, CMDLINE_CUSTOM, 0, 0, fn }

static const struct cmdline_opt xhv_opt_table[] = {
    OPT_CUSTOM("console", parse_console),
    OPT_CUSTOM("com1", parse_com1),
    OPT_CUSTOM("com2", parse_com2),
    OPT_CUSTOM("loglvl", parse_loglvl),
    OPT_CUSTOM("guest_loglvl", parse_guest_loglvl),
    OPT_FIELD("noreboot", CMDLINE_BOOL, noreboot),
    OPT_FIELD("bootscrub", CMDLINE_BOOL, bootscrub),
    OPT_FIELD("sync_console", CMDLINE_BOOL, sync_console),
    OPT_CUSTOM("dom0_mem", parse_dom0_mem),
    OPT_CUSTOM("dom0_max_vcpus", parse_dom0_max_vcpus),
    OPT_CUSTOM("selftest", parse_selftest),
};

void cmdline_parse(const char *cmdline, struct xhv_opts *o)
{
    struct cmdline_status st;

    cmdline_parse_table(cmdline, xhv_opt_table, ARRAY_SIZE(xhv_opt_table), o,
                        &st);
    o->unknown += st.unknown;
    o->malformed += st.malformed;
    if (st.rest) {
        o->has_rest = true;
        if (xhv_strlcpy(o->rest, st.rest, sizeof(o->rest)) >= sizeof(o->rest)) {
            o->malformed++;
            printk(XLOG_WARN "text after '--' too long, cut to %zu bytes\n",
                   sizeof(o->rest) - 1);
        }
    }
}
