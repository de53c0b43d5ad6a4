/*
 * hcall-page / hcall-inline: the smallest 64-bit Xen PV guest kernel that
 * talks to the hypervisor, once through the hypercall page and once with
 * inline `syscall`.
 *
 * Why: Debian's older kernels (<= 6.1.119) and XTF-style kernels publish
 * XEN_ELFNOTE_HYPERCALL_PAGE and call into a page the domain builder fills
 * with 32-byte stubs; current ones (6.1.123+) have no such note and execute
 * `syscall` inline. xhv must support both (DESIGN.md section 6). Both
 * kernels are built from these sources:
 *   build/pv/hcall-page.elf    HYPERCALL_PAGE note; every hypercall is
 *                              `call hypercall_page + nr * 32`
 *   build/pv/hcall-inline.elf  -DNO_HYPERCALL_PAGE: no note; every
 *                              hypercall is `syscall` with rax = nr
 * Register ABI either way: rax = number, args rdi, rsi, rdx (r10, r8 are
 * not needed here), result in rax; rcx and r11 are lost to `syscall`.
 *
 * What it checks, in order (each prints "PASS: name" or "FAIL: name"):
 *  1. console_io: HYPERVISOR_console_io(CONSOLEIO_write) prints
 *     "xhv-pvtest: hello through the hypercall page" (or "... inline
 *     syscall") and returns 0. It runs first: the page (or the syscall
 *     entry) is the only way to say anything, so if it is unfilled (ud2)
 *     or wrong, the run dies here with nothing printed.
 *  2. start_info_magic: start_info (rsi at entry) begins with
 *     "xen-3.0-x86_64"; nr_pages and the magic are printed, nr_pages > 0.
 *  3. boot_stack: the builder's rsp at entry is page-aligned, above
 *     start_info (the stack is the last piece of the bootstrap region) and
 *     the word below it is writable.
 *  4. xen_version: xen_version(XENVER_version, NULL) is >= 0 with a major
 *     of at least 3; "major.minor" is printed.
 * Then "xhv-pvtest: N passed, N failed" and
 * sched_op(SCHEDOP_shutdown, { SHUTDOWN_poweroff }). That call must not
 * return; if it does, its result is printed as a FAIL and the kernel runs
 * ud2, so the shim reports a domain crash.
 *
 * Pass: the log holds the hello line and "xhv-pvtest: 4 passed, 0 failed",
 * and the domain powers off (QEMU exit status 0). Anything else fails: a
 * FAIL line, no verdict line (the guest crashed or hung), or a crash exit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/version.h>

/* Below 0x00030101 the headers alias sched_op to the old sched_op_compat. */
_Static_assert(__XEN_INTERFACE_VERSION__ >= 0x00030101,
               "build with __XEN_INTERFACE_VERSION__ set");

#define PAGE_SIZE   4096UL
#define NR_CHECKS   4

#ifdef NO_HYPERCALL_PAGE
#define HOW "inline syscall"
/* As Debian's 6.1.123+ does, minus its push/pop of rcx and r11. */
#define HYPERCALL3(nr, a1, a2, a3) ({                                       \
    unsigned long a1_ = (unsigned long)(a1), a2_ = (unsigned long)(a2),     \
                  a3_ = (unsigned long)(a3);                                \
    long ret_;                                                              \
    asm volatile ("syscall"                                                 \
                  : "=a" (ret_), "+D" (a1_), "+S" (a2_), "+d" (a3_)         \
                  : "0" ((unsigned long)(nr))                               \
                  : "rcx", "r11", "memory");                                \
    ret_;                                                                   \
})
#else
#define HOW "the hypercall page"
extern const uint8_t hypercall_page[PAGE_SIZE];
/* A direct call into stub nr; the stub preserves rcx and r11 itself. */
#define HYPERCALL3(nr, a1, a2, a3) ({                                       \
    unsigned long a1_ = (unsigned long)(a1), a2_ = (unsigned long)(a2),     \
                  a3_ = (unsigned long)(a3);                                \
    long ret_;                                                              \
    asm volatile ("call hypercall_page + %c[off]"                           \
                  : "=a" (ret_), "+D" (a1_), "+S" (a2_), "+d" (a3_)         \
                  : [off] "i" ((nr) * 32)                                   \
                  : "rcx", "r11", "memory");                                \
    ret_;                                                                   \
})
#endif

void test_main(const struct start_info *si, unsigned long boot_rsp)
    __attribute__((noreturn));

static unsigned int passed, failed;

/* ---- output ------------------------------------------------------------- */

static long console_write(const char *s, size_t len)
{
    return HYPERCALL3(__HYPERVISOR_console_io, CONSOLEIO_write, len, s);
}

struct buf {
    char s[256];
    size_t len;
};

static void put(struct buf *b, char c)
{
    if (b->len < sizeof(b->s))
        b->s[b->len++] = c;
}

static void put_u(struct buf *b, unsigned long v, unsigned int base)
{
    char digits[24];
    int n = 0;

    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        put(b, digits[--n]);
}

/*
 * printf with %s, %c, %d, %u, %x (each with an optional 'l') and %%;
 * one console_io call per message, cut at 256 bytes. Returns its result.
 */
static long __attribute__((format(printf, 1, 2))) print(const char *fmt, ...)
{
    struct buf b = { .len = 0 };
    const char *s;
    va_list ap;
    long v;
    int lng;

    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&b, *fmt);
            continue;
        }
        lng = fmt[1] == 'l';
        fmt += 1 + lng;
        switch (*fmt) {
        case 's':
            for (s = va_arg(ap, const char *); *s; s++)
                put(&b, *s);
            break;
        case 'c':
            put(&b, (char)va_arg(ap, int));
            break;
        case 'd':
            v = lng ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                put(&b, '-');
                put_u(&b, -(unsigned long)v, 10);
            } else {
                put_u(&b, (unsigned long)v, 10);
            }
            break;
        case 'u':
        case 'x':
            put_u(&b, lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int),
                  *fmt == 'u' ? 10 : 16);
            break;
        case '%':
            put(&b, '%');
            break;
        default:                /* unknown or cut-off conversion */
            put(&b, '?');
            if (!*fmt)
                fmt--;
            break;
        }
    }
    va_end(ap);
    return console_write(b.s, b.len);
}

static void report(int ok, const char *name)
{
    if (ok)
        passed++;
    else
        failed++;
    print("%s: %s\n", ok ? "PASS" : "FAIL", name);
}

/* ---- the test ----------------------------------------------------------- */

void test_main(const struct start_info *si, unsigned long boot_rsp)
{
    static const char magic[] = "xen-3.0-x86_64";
    struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };
    char shown[sizeof(si->magic) + 1];
    volatile unsigned long *below;
    long rc;
    size_t i;
    int ok;

    rc = print("xhv-pvtest: hello through " HOW "\n");
    report(rc == 0, "console_io");
    if (rc)
        print("xhv-pvtest: console_io returned %ld\n", rc);

    /* The magic need not be terminated: show at most its 32 bytes. */
    for (i = 0; i < sizeof(si->magic) && si->magic[i]; i++)
        shown[i] = si->magic[i];
    shown[i] = '\0';
    ok = 1;
    for (i = 0; i < sizeof(magic) - 1; i++)
        ok &= si->magic[i] == magic[i];
    print("xhv-pvtest: start_info %lx magic \"%s\" nr_pages %lu (%lx)\n",
          (unsigned long)si, shown, si->nr_pages, si->nr_pages);
    report(ok && si->nr_pages > 0, "start_info_magic");

    print("xhv-pvtest: boot rsp %lx\n", boot_rsp);
    ok = boot_rsp % PAGE_SIZE == 0 && boot_rsp > (unsigned long)si;
    if (ok) {
        below = (volatile unsigned long *)boot_rsp - 1;
        *below = 0x5a5a5a5a5a5a5a5aUL;
        ok = *below == 0x5a5a5a5a5a5a5a5aUL;
    }
    report(ok, "boot_stack");

    rc = HYPERCALL3(__HYPERVISOR_xen_version, XENVER_version, 0, 0);
    if (rc >= 0)
        print("xhv-pvtest: xen_version %lu.%lu\n",
              (unsigned long)rc >> 16, (unsigned long)rc & 0xffff);
    else
        print("xhv-pvtest: xen_version returned %ld\n", rc);
    report(rc >= 0 && ((unsigned long)rc >> 16) >= 3, "xen_version");

    if (passed + failed != NR_CHECKS)
        failed++;               /* a check went missing: the test is wrong */
    print("xhv-pvtest: %u passed, %u failed\n", passed, failed);

    rc = HYPERCALL3(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &sd, 0);
    print("FAIL: sched_op(SCHEDOP_shutdown, poweroff) returned %ld\n", rc);
    for (;;)
        asm volatile ("ud2");
}
