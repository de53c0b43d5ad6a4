/*
 * The shim's command line, in Xen's syntax and with Xen's option names
 * where they mean the same (docs/misc/xen-command-line.pandoc).
 *
 * Syntax: options are separated by whitespace; "name=value"; booleans as
 * "name", "no-name" or "name=<bool>" (yes/no, on/off, true/false,
 * enable/disable, 1/0); a double-quoted stretch may contain whitespace and
 * the quotes are removed ("name=\"a b\"" gives the value "a b"); a "--"
 * token ends the shim's options and the text after it is kept for the
 * guest (Xen passes it to dom0). Integers are Xen's: decimal, 0x hex, or
 * octal with a leading 0. Sizes are Xen's parse_size_and_unit: an integer
 * with one suffix B, K, M, G, T (either case), KiB without one.
 *
 * Errors are never fatal: an unknown option, a malformed value or an
 * overlong token prints a warning (printk, XLOG_WARN), is counted, and
 * leaves the option as it was. A value is applied whole or not at all.
 *
 * Options: console=, com1=, com2=, loglvl=, guest_loglvl=, noreboot,
 * bootscrub,
 * sync_console, dom0_mem=, dom0_max_vcpus=, selftest[=fault]. The parsed
 * log levels are only stored here; whoever owns the console applies them
 * with log_set_thresholds()/log_set_guest_thresholds().
 *
 * The parser is table driven (struct cmdline_opt) and re-entrant: it keeps
 * no state outside its arguments, so tests run it on their own tables.
 */
#ifndef XHV_CMDLINE_H
#define XHV_CMDLINE_H

#include <xhv/types.h>

#define XHV_CMDLINE_MAX     1024    /* bytes incl. NUL, Xen's MAX_GUEST_CMDLINE */
#define XHV_CONSOLE_MAX     64      /* console= value, incl. NUL */

/* console= targets (console_mask). "none" is an empty mask. */
#define XHV_CONSOLE_COM1    0x1u
#define XHV_CONSOLE_COM2    0x2u
#define XHV_CONSOLE_VGA     0x4u

/* com1=/com2=: <baud>[/<base-baud>][,DPS[,<io-base>[,<irq>]]] or names. */
struct xhv_uart_cfg {
    bool given;             /* a valid com<n>= was on the command line */
    uint32_t baud;          /* 0 = "auto": keep what firmware set up */
    uint32_t base_baud;     /* UART clock / 16; divisor = base_baud / baud */
    uint8_t data_bits;      /* 5..8 */
    char parity;            /* 'n', 'o', 'e', 'm' or 's' */
    uint8_t stop_bits;      /* 1 or 2 */
    uint16_t io_base;       /* I/O port base */
    uint8_t irq;            /* 0 = poll mode */
};

/* One dom0_mem= amount. */
struct xhv_mem_amount {
    bool set;
    bool negative;          /* "-<size>": all available memory minus bytes */
    uint64_t bytes;
};

/* dom0_mem=: List of ( min:<sz> | max:<sz> | <sz> ); the guest's memory. */
struct xhv_dom0_mem {
    struct xhv_mem_amount amount;   /* <sz> */
    struct xhv_mem_amount min;      /* min:<sz> */
    struct xhv_mem_amount max;      /* max:<sz>, also the balloon limit */
};

#define XHV_VCPUS_UNLIMITED UINT32_MAX

enum xhv_selftest {
    XHV_SELFTEST_OFF = 0,
    XHV_SELFTEST_ON,        /* "selftest", "selftest=<true>" */
    XHV_SELFTEST_FAULT,     /* "selftest=fault": also a deliberate fatal fault */
};

struct xhv_opts {
    char console[XHV_CONSOLE_MAX];  /* console= as given */
    unsigned int console_mask;      /* XHV_CONSOLE_* parsed from it */
    struct xhv_uart_cfg com1, com2;
    int loglvl, loglvl_rl;          /* LOG_THRESH_*, see <xhv/log.h> */
    int guest_loglvl, guest_loglvl_rl;
    bool noreboot;
    bool bootscrub;                 /* zero all guest memory at build */
    bool sync_console;
    struct xhv_dom0_mem dom0_mem;
    uint32_t dom0_vcpus_min;        /* dom0_max_vcpus=<min>-<max> or <n> */
    uint32_t dom0_vcpus_max;        /* XHV_VCPUS_UNLIMITED if not bounded */
    enum xhv_selftest selftest;
    bool has_rest;                  /* a "--" was seen */
    char rest[XHV_CMDLINE_MAX];     /* text after "--", leading blanks cut */
    unsigned int unknown;           /* warnings: unknown options */
    unsigned int malformed;         /* warnings: bad values, too long */
};

/* The shim's options; holds the defaults until cmdline_parse() runs. */
extern struct xhv_opts opts;

/*
 * Defaults (Xen's where Xen has one): console=com1,vga; com1 0x3f8 irq 4,
 * com2 0x2f8 irq 3, both "auto" baud, base baud 115200, 8n1;
 * loglvl=warning; guest_loglvl=none/warning; noreboot and sync_console
 * off; dom0_mem unset (the domain builder picks); dom0_max_vcpus 1 to
 * unlimited; selftest off.
 */
void cmdline_defaults(struct xhv_opts *o);

/*
 * Parse cmdline (NULL is an empty line) on top of what o holds, so a
 * built-in line and the loader's can be applied in turn. Re-entrant; the
 * global opts is only for the shim's own use.
 */
void cmdline_parse(const char *cmdline, struct xhv_opts *o);

/* ---- the generic engine, also used by tests ------------------------- */

enum cmdline_type {
    CMDLINE_BOOL,       /* bool field */
    CMDLINE_UINT,       /* unsigned field of 1, 2, 4 or 8 bytes */
    CMDLINE_SIZE,       /* uint64_t field, bytes */
    CMDLINE_STR,        /* char array of 'size' bytes; must fit whole */
    CMDLINE_CUSTOM,     /* parse() */
};

struct cmdline_opt {
    const char *name;
    enum cmdline_type type;
    size_t off;         /* offset of the field in the target struct */
    size_t size;        /* size of the field */
    /*
     * CMDLINE_CUSTOM only: val is the value with quotes removed; "" for a
     * bare "name" and "no" for "no-name" (as Xen does). Return 0, or a
     * negative value to reject it; on rejection the target must be left
     * unchanged.
     */
    int (*parse)(void *target, const char *val);
};

struct cmdline_status {
    unsigned int unknown;
    unsigned int malformed;
    const char *rest;   /* into cmdline, after "--" and blanks; or NULL */
};

void cmdline_parse_table(const char *cmdline, const struct cmdline_opt *tab,
                         size_t n, void *target, struct cmdline_status *st);

/* Xen's parse_bool: 1, 0, or -1 if s is not a boolean word. */
int cmdline_parse_bool(const char *s);

/* Integer (base 0) / size with unit; whole string. 0 or -XEN_EINVAL. */
int cmdline_parse_uint(const char *s, uint64_t *v);
int cmdline_parse_size(const char *s, uint64_t *bytes);

#endif /* XHV_CMDLINE_H */
