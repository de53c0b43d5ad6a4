/*
 * Unit tests for shim/lib/vsnprintf.c.
 *
 * The C library's snprintf is the oracle: every defined combination of
 * flags, width, precision, length modifier and value is formatted by both
 * and must give the same string and return value, at every buffer size from
 * 0 to one past the full length (truncation). Cases where C leaves the
 * result undefined ('#' with d/i/u/c/s, '0' with c/s/p) and where xhv
 * differs on purpose (%p, %s of NULL) are checked against fixed strings.
 */
#include "harness.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>

#include <xhv/format.h>

static unsigned long n_compared;

/*
 * xhv_snprintf without the format attribute, for calls gcc's format checker
 * would refuse to compile (NULL %s, results over INT_MAX, bad formats).
 */
static int fmt_raw(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = xhv_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* Compare xhv and libc for one format and argument list at all sizes. */
static void __attribute__((format(printf, 1, 2))) cmp(const char *fmt, ...)
{
    char want[512], got[512];
    va_list ap, ap2;
    int wn, gn;
    size_t size;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    wn = vsnprintf(want, sizeof(want), fmt, ap);
    gn = xhv_vsnprintf(got, sizeof(got), fmt, ap2);
    va_end(ap2);
    va_end(ap);
    n_compared++;
    if (wn != gn || strcmp(want, got) != 0) {
        th_case_failures++;
        printf("  mismatch for \"%s\": libc %d \"%s\", xhv %d \"%s\"\n", fmt,
               wn, want, gn, got);
        return;
    }
    /* Truncation: every size must give the same prefix and return value. */
    for (size = 0; size <= (size_t)wn + 1; size++) {
        char w2[512], g2[512];

        memset(w2, 'X', sizeof(w2));
        memset(g2, 'X', sizeof(g2));
        va_start(ap, fmt);
        va_copy(ap2, ap);
        wn = vsnprintf(w2, size, fmt, ap);
        gn = xhv_vsnprintf(g2, size, fmt, ap2);
        va_end(ap2);
        va_end(ap);
        if (wn != gn || memcmp(w2, g2, sizeof(w2)) != 0) {
            th_case_failures++;
            printf("  truncation mismatch for \"%s\" at size %zu\n", fmt, size);
            return;
        }
    }
}

static const char *const flag_sets[] = {
    "", "-", "0", "+", " ", "#", "-0", "-+", "- ", "0+", "0 ", "+ ", "-#",
    "0#", "+#", "-0+ #", "0+#", " #",
};
static const char *const widths[] = { "", "1", "2", "5", "12", "25" };
static const char *const precs[] = { "", ".", ".0", ".1", ".3", ".12", ".25" };

static const long long sval[] = {
    0, 1, -1, 7, -8, 9, 10, 42, -42, 127, -128, 255, 256, 32767, -32768,
    65535, 65536, 1000000, INT_MAX, INT_MIN, (long long)UINT_MAX,
    0x123456789LL, LLONG_MAX, LLONG_MIN, -1000000000000LL,
};

/* Build "%<flags><width><prec><len><conv>" into f. */
static void mkfmt(char *f, size_t n, const char *fl, const char *w,
                  const char *p, const char *len, char conv)
{
    snprintf(f, n, "[%%%s%s%s%s%c]", fl, w, p, len, conv);
}

static bool flags_defined(const char *fl, char conv)
{
    /* '#' is undefined for d, i, u (C11 7.21.6.1p6). */
    return !(strchr(fl, '#') && (conv == 'd' || conv == 'i' || conv == 'u'));
}

static void one_int(const char *fl, const char *w, const char *p, char conv,
                    long long v)
{
    char f[64];

    if (!flags_defined(fl, conv))
        return;
    mkfmt(f, sizeof(f), fl, w, p, "hh", conv);
    cmp(f, (int)(signed char)v);
    mkfmt(f, sizeof(f), fl, w, p, "h", conv);
    cmp(f, (int)(short)v);
    mkfmt(f, sizeof(f), fl, w, p, "", conv);
    cmp(f, (int)v);
    mkfmt(f, sizeof(f), fl, w, p, "l", conv);
    cmp(f, (long)v);
    mkfmt(f, sizeof(f), fl, w, p, "ll", conv);
    cmp(f, v);
    mkfmt(f, sizeof(f), fl, w, p, "z", conv);
    cmp(f, (size_t)v);
    mkfmt(f, sizeof(f), fl, w, p, "t", conv);
    cmp(f, (ptrdiff_t)v);
    mkfmt(f, sizeof(f), fl, w, p, "j", conv);
    cmp(f, (intmax_t)v);
}

/* Every flag set x width x precision x length x value, for each integer
 * conversion: the bulk of the comparison table. */
static void test_integers_vs_libc(void)
{
    static const char convs[] = "diuxXo";
    size_t a, b, c, d, e;

    for (a = 0; a < ARRAY_SIZE(flag_sets); a++)
        for (b = 0; b < ARRAY_SIZE(widths); b++)
            for (c = 0; c < ARRAY_SIZE(precs); c++)
                for (d = 0; d < sizeof(convs) - 1; d++)
                    for (e = 0; e < ARRAY_SIZE(sval); e++)
                        one_int(flag_sets[a], widths[b], precs[c], convs[d],
                                sval[e]);
}

/* Strings and characters: flags '-' and width/precision (no '0' or '#'). */
static void test_strings_vs_libc(void)
{
    static const char *const strs[] = { "", "a", "hello", "hello, world",
                                        "0123456789abcdefghij" };
    static const char *const sflags[] = { "", "-" };
    size_t a, b, c, d;
    char f[64];

    for (a = 0; a < ARRAY_SIZE(sflags); a++)
        for (b = 0; b < ARRAY_SIZE(widths); b++) {
            for (c = 0; c < ARRAY_SIZE(precs); c++)
                for (d = 0; d < ARRAY_SIZE(strs); d++) {
                    mkfmt(f, sizeof(f), sflags[a], widths[b], precs[c], "",
                          's');
                    cmp(f, strs[d]);
                }
            mkfmt(f, sizeof(f), sflags[a], widths[b], "", "", 'c');
            cmp(f, 'x');
            cmp(f, 0xff);
            cmp(f, 0x141);      /* converted to unsigned char */
        }
}

/* Fixed formats: text around conversions, %%, several arguments, '*'. */
static void test_mixed_vs_libc(void)
{
    cmp("plain text");
    cmp("%s", "");
    cmp("%%");
    cmp("100%% sure %d%%", 5);
    cmp("%d %s %c %x %o %u|", -3, "str", 'q', 0xbeefu, 8u, 4000000000u);
    cmp("%*d|", 6, 42);
    cmp("%-*d|", 6, 42);
    cmp("%*d|", -6, 42);        /* negative '*' width: left-justify */
    cmp("%.*d|", 4, 42);
    cmp("%.*d|", -4, 42);       /* negative '*' precision: as if omitted */
    cmp("%0*d|", 8, -42);
    cmp("%*.*s|", 10, 3, "abcdef");
    cmp("%-*.*s|", -10, -3, "abcdef");
    cmp("%.*s|", 0, "abc");
    cmp("%lu %ld %llx %zu %zd %td %jd %ju", ULONG_MAX, LONG_MIN, ULLONG_MAX,
        SIZE_MAX, (size_t)-5, (ptrdiff_t)-7, INTMAX_MIN, UINTMAX_MAX);
    cmp("%hhu %hhd %hu %hd", 300, 200, 70000, 40000);
    cmp("%#o %#o %#.0o %#.3o %#5o", 0u, 8u, 0u, 8u, 1u);
    cmp("%#x %#X %#.0x %#08x %#-8x|", 0u, 0xabu, 0u, 0x1fu, 0x1fu);
    cmp("%.0d|%.0u|%.0x|%5.0d|%-5.0d|%+.0d|% .0d", 0, 0u, 0u, 0, 0, 0, 0);
    cmp("%.100d", 1);
    cmp("%300d|", -1);
    cmp("%-300x|", 255u);
    cmp("%i %i", INT_MIN, INT_MAX);
}

/* Precision bounds the read: a string without NUL must not be over-read
 * (ASan checks the buffer below is touched only within the precision). */
static void test_unterminated_string(void)
{
    char *s = malloc(4);
    char out[16];

    memcpy(s, "abcd", 4);
    CHECK_EQ(xhv_snprintf(out, sizeof(out), "%.4s", s), 4);
    CHECK_STR(out, "abcd");
    CHECK_EQ(xhv_snprintf(out, sizeof(out), "%.2s|", s), 3);
    CHECK_STR(out, "ab|");
    free(s);
}

/* xhv-specific: %p is always 0x + 16 digits; %s of NULL is "(null)". */
static void test_pointer_and_null(void)
{
    char out[64];

    CHECK_EQ(xhv_snprintf(out, sizeof(out), "%p", (void *)0x1234), 18);
    CHECK_STR(out, "0x0000000000001234");
    CHECK_EQ(xhv_snprintf(out, sizeof(out), "%p", (void *)0), 18);
    CHECK_STR(out, "0x0000000000000000");
    xhv_snprintf(out, sizeof(out), "%p", (void *)0xffff800000000000ULL);
    CHECK_STR(out, "0xffff800000000000");
    xhv_snprintf(out, sizeof(out), "[%20p]", (void *)0xabc);
    CHECK_STR(out, "[  0x0000000000000abc]");
    xhv_snprintf(out, sizeof(out), "[%-20p]", (void *)0);
    CHECK_STR(out, "[0x0000000000000000  ]");
    CHECK_EQ(fmt_raw(out, sizeof(out), "%s", (char *)NULL), 6);
    CHECK_STR(out, "(null)");
    fmt_raw(out, sizeof(out), "[%8s]", (char *)NULL);
    CHECK_STR(out, "[  (null)]");
    fmt_raw(out, sizeof(out), "[%.3s]", (char *)NULL);
    CHECK_STR(out, "[(nu]");
}

/* Unknown conversions and a format ending inside a spec print as written. */
static void test_unknown_conversion(void)
{
    char out[64];

    const char *f1 = "a%qb", *f2 = "end%-5", *f3 = "%5.2lk!";

    CHECK_EQ(fmt_raw(out, sizeof(out), f1, 0), 4);
    CHECK_STR(out, "a%qb");
    CHECK_EQ(fmt_raw(out, sizeof(out), f2, 0), 6);
    CHECK_STR(out, "end%-5");
    fmt_raw(out, sizeof(out), f3, 0);
    CHECK_STR(out, "%5.2lk!");
}

/* size 0 writes nothing (buf may be NULL); size 1 gives "". */
static void test_truncation_edges(void)
{
    char out[8];

    CHECK_EQ(xhv_snprintf(NULL, 0, "%d", 12345), 5);
    CHECK_EQ(fmt_raw(out, sizeof(out), ""), 0);
    CHECK_STR(out, "");
    memset(out, 'X', sizeof(out));
    CHECK_EQ(xhv_snprintf(out, 0, "abc"), 3);
    CHECK_EQ(out[0], 'X');
    CHECK_EQ(xhv_snprintf(out, 1, "abc"), 3);
    CHECK_EQ(out[0], '\0');
    CHECK_EQ(out[1], 'X');
    CHECK_EQ(xhv_snprintf(out, 4, "abcdef"), 6);
    CHECK_STR(out, "abc");
    CHECK_EQ(out[4], 'X');
    CHECK_EQ(xhv_snprintf(out, sizeof(out), "%s%p", "x", (void *)1), 19);
    CHECK_STR(out, "x0x0000");
}

/* A width that makes the result exceed INT_MAX returns -1 (C: EOVERFLOW),
 * quickly, without touching more than the buffer. */
static void test_overflow(void)
{
    char out[4];

    CHECK_EQ(fmt_raw(out, sizeof(out), "%2147483647d%d", 1, 2), -1);
    CHECK_STR(out, "   ");
    CHECK_EQ(fmt_raw(out, sizeof(out), "%2147483646d", 1), 2147483646);
}

int main(void)
{
    RUN_TEST(test_integers_vs_libc);
    RUN_TEST(test_strings_vs_libc);
    RUN_TEST(test_mixed_vs_libc);
    RUN_TEST(test_unterminated_string);
    RUN_TEST(test_pointer_and_null);
    RUN_TEST(test_unknown_conversion);
    RUN_TEST(test_truncation_edges);
    RUN_TEST(test_overflow);
    printf("compared %lu formats against libc\n", n_compared);
    return th_finish();
}
