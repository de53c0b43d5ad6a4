/*
 * Output of the PV test kernels: HYPERVISOR_console_io(CONSOLEIO_write),
 * which xhv prints on its serial line with "(d1) " at each line start.
 * One hypercall per message, so lines from the guest never interleave.
 */
#include "pvt.h"

#define LINE_MAX 256

struct buf {
    char s[LINE_MAX];
    size_t len;
};

static void put(struct buf *b, char c)
{
    if (b->len < sizeof(b->s))
        b->s[b->len++] = c;
}

static void put_str(struct buf *b, const char *s, unsigned int width)
{
    size_t n = strlen(s);

    for (; width > n; width--)
        put(b, ' ');
    for (; *s; s++)
        put(b, *s);
}

static void put_u(struct buf *b, unsigned long v, unsigned int base,
                  unsigned int width, char pad, bool neg)
{
    char digits[24];
    unsigned int n = 0;

    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (neg && pad == '0')
        put(b, '-');
    for (; width > n + neg; width--)
        put(b, pad);
    if (neg && pad != '0')
        put(b, '-');
    while (n)
        put(b, digits[--n]);
}

/* The names of <xen/errno.h> (aliases share a value: the first wins). */
static const struct {
    long value;
    const char *name;
} errno_names[] = {
#define XEN_ERRNO(name, value) { value, #name },
#include <xen/errno.h>
};

static const char *errno_name(long e)
{
    size_t i;

    for (i = 0; i < PVT_ARRAY_SIZE(errno_names); i++)
        if (errno_names[i].value == e)
            return errno_names[i].name;
    return NULL;
}

const char *pvt_rc_str(long rc, char *buf, size_t size)
{
    struct buf b = { .len = 0 };
    size_t i;

    if (rc < 0 && errno_name(-rc)) {
        put_u(&b, (unsigned long)-rc, 10, 0, ' ', true);
        put_str(&b, " (", 0);
        put_str(&b, errno_name(-rc), 0);
        put(&b, ')');
    } else if (rc < 0) {
        put_u(&b, -(unsigned long)rc, 10, 0, ' ', true);
    } else {
        put_u(&b, (unsigned long)rc, 10, 0, ' ', false);
    }
    for (i = 0; i < b.len && i + 1 < size; i++)
        buf[i] = b.s[i];
    buf[i] = '\0';
    return buf;
}

static void format(struct buf *b, const char *fmt, va_list ap)
{
    unsigned int width;
    const char *s;
    char pad;
    long v;
    bool lng;

    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(b, *fmt);
            continue;
        }
        fmt++;
        pad = ' ';
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        for (width = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (unsigned int)(*fmt - '0');
        lng = *fmt == 'l';
        if (lng)
            fmt++;
        switch (*fmt) {
        case 's':
            s = va_arg(ap, const char *);
            put_str(b, s ? s : "(null)", width);
            break;
        case 'c':
            put(b, (char)va_arg(ap, int));
            break;
        case 'd':
            v = lng ? va_arg(ap, long) : va_arg(ap, int);
            put_u(b, v < 0 ? -(unsigned long)v : (unsigned long)v, 10,
                  width, pad, v < 0);
            break;
        case 'u':
        case 'x':
            put_u(b, lng ? va_arg(ap, unsigned long)
                          : va_arg(ap, unsigned int),
                  *fmt == 'u' ? 10 : 16, width, pad, false);
            break;
        case 'p':
            put(b, '0');
            put(b, 'x');
            put_u(b, (unsigned long)va_arg(ap, void *), 16, width, pad,
                  false);
            break;
        case '%':
            put(b, '%');
            break;
        default:                /* unknown or cut-off conversion */
            put(b, '?');
            if (!*fmt)
                fmt--;
            break;
        }
    }
}

size_t pvt_vsnprintf(char *dst, size_t size, const char *fmt, va_list ap)
{
    struct buf b = { .len = 0 };
    size_t i;

    format(&b, fmt, ap);
    for (i = 0; i < b.len && i + 1 < size; i++)
        dst[i] = b.s[i];
    if (size)
        dst[i] = '\0';
    return i;
}

size_t pvt_snprintf(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = pvt_vsnprintf(dst, size, fmt, ap);
    va_end(ap);
    return n;
}

long pvt_vprintf(const char *fmt, va_list ap)
{
    struct buf b = { .len = 0 };

    format(&b, fmt, ap);
    return HYPERVISOR_console_io(CONSOLEIO_write, b.len, b.s);
}

long pvt_printf(const char *fmt, ...)
{
    va_list ap;
    long rc;

    va_start(ap, fmt);
    rc = pvt_vprintf(fmt, ap);
    va_end(ap);
    return rc;
}
