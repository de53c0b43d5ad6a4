/*
 * xhv_vsnprintf(): the shim's only formatter (see <xhv/format.h> for the
 * supported conversions and the deliberate differences from libc).
 *
 * Output goes through struct fmt_out, which counts every character the
 * complete output would have and stores only those that fit, so truncation
 * and the C99 return value fall out of one place. Padding is counted in
 * O(1) once the buffer is full, so a huge width cannot make a small buffer
 * slow. No floating point anywhere: the shim is built with -mno-sse.
 *
 * Invariant: out->len is the length of the complete output so far;
 * out->buf[0 .. MIN(len, size - 1)) holds its prefix.
 */
#include <xhv/types.h>
#include <xhv/format.h>

#define FMT_INT_MAX     0x7fffffff

/* Flags of one conversion specification. */
#define F_LEFT          0x01    /* '-' */
#define F_ZERO          0x02    /* '0' */
#define F_PLUS          0x04    /* '+' */
#define F_SPACE         0x08    /* ' ' */
#define F_ALT           0x10    /* '#' */
#define F_UPPER         0x20    /* %X */

enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct fmt_out {
    char *buf;
    size_t size;
    size_t len;
};

struct fmt_spec {
    unsigned flags;
    size_t width;
    size_t prec;
    bool has_prec;
};

BUILD_BUG_ON(sizeof(size_t) != sizeof(long));
BUILD_BUG_ON(sizeof(ptrdiff_t) != sizeof(long));
BUILD_BUG_ON(sizeof(intmax_t) != sizeof(long long));

static void out_mem(struct fmt_out *out, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++, out->len++)
        if (out->len + 1 < out->size)
            out->buf[out->len] = s[i];
}

static void out_pad(struct fmt_out *out, char c, size_t n)
{
    /* Only the part that still fits is stored; the rest is just counted. */
    while (n && out->len + 1 < out->size) {
        out->buf[out->len++] = c;
        n--;
    }
    out->len += n;
}

/* Pad to the field width on the left (right-justified) before a body. */
static void pad_before(struct fmt_out *out, const struct fmt_spec *sp,
                       size_t body)
{
    if (!(sp->flags & F_LEFT) && sp->width > body)
        out_pad(out, ' ', sp->width - body);
}

static void pad_after(struct fmt_out *out, const struct fmt_spec *sp,
                      size_t body)
{
    if ((sp->flags & F_LEFT) && sp->width > body)
        out_pad(out, ' ', sp->width - body);
}

/*
 * One integer conversion. 'neg' says the value was negative (v is then its
 * magnitude); 'base' is 8, 10 or 16; 'is_signed' enables '+' and ' '.
 */
static void fmt_int(struct fmt_out *out, const struct fmt_spec *sp,
                    unsigned long long v, bool neg, bool is_signed,
                    unsigned base)
{
    const char *digits = (sp->flags & F_UPPER) ? "0123456789ABCDEF"
                                               : "0123456789abcdef";
    char tmp[24];               /* 22 octal digits for 2^64 - 1 */
    size_t nd = 0, zeros = 0, prefix_len = 0, total;
    char prefix[2];
    size_t prec = sp->has_prec ? sp->prec : 1;
    bool zero = v == 0;

    /* C99: precision 0 with value 0 prints no digits at all. */
    while (v) {
        tmp[nd++] = digits[v % base];
        v /= base;
    }
    if (nd == 0 && prec > 0)
        tmp[nd++] = '0';

    if (is_signed) {
        if (neg)
            prefix[prefix_len++] = '-';
        else if (sp->flags & F_PLUS)
            prefix[prefix_len++] = '+';
        else if (sp->flags & F_SPACE)
            prefix[prefix_len++] = ' ';
    }
    /* '#' with 'x': "0x" for a nonzero value only. */
    if ((sp->flags & F_ALT) && base == 16 && !zero) {
        prefix[prefix_len++] = '0';
        prefix[prefix_len++] = (sp->flags & F_UPPER) ? 'X' : 'x';
    }

    if (prec > nd)
        zeros = prec - nd;
    /* '#' with 'o': the precision grows so that the first digit is 0. */
    if ((sp->flags & F_ALT) && base == 8 && zeros == 0 &&
        (nd == 0 || tmp[nd - 1] != '0'))
        zeros = 1;

    total = prefix_len + zeros + nd;
    /* '0' pads with zeros after the sign/prefix; ignored with '-' or prec. */
    if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && !sp->has_prec &&
        sp->width > total) {
        zeros += sp->width - total;
        total = sp->width;
    }

    pad_before(out, sp, total);
    out_mem(out, prefix, prefix_len);
    out_pad(out, '0', zeros);
    while (nd)
        out_mem(out, &tmp[--nd], 1);
    pad_after(out, sp, total);
}

static void fmt_str(struct fmt_out *out, const struct fmt_spec *sp,
                    const char *s)
{
    size_t n = 0;

    if (!s)
        s = "(null)";
    /* Bounded by the precision: the string need not be terminated then. */
    while ((!sp->has_prec || n < sp->prec) && s[n])
        n++;
    pad_before(out, sp, n);
    out_mem(out, s, n);
    pad_after(out, sp, n);
}

/* Parse a decimal field (width or precision), saturating instead of
 * overflowing; anything above INT_MAX cannot produce a valid result anyway. */
static size_t parse_num(const char **pp)
{
    const char *p = *pp;
    size_t v = 0;

    while (*p >= '0' && *p <= '9') {
        if (v <= FMT_INT_MAX)
            v = v * 10 + (size_t)(*p - '0');
        p++;
    }
    *pp = p;
    return v;
}

/* Fetch a signed argument of the given length, return its magnitude. */
static unsigned long long arg_signed(va_list *ap, enum fmt_len len, bool *neg)
{
    long long v;

    switch (len) {
    case LEN_HH: v = (signed char)va_arg(*ap, int); break;
    case LEN_H:  v = (short)va_arg(*ap, int); break;
    case LEN_L:  v = va_arg(*ap, long); break;
    case LEN_LL: v = va_arg(*ap, long long); break;
    /* %zd takes the signed type of size_t's width: long on LP64. */
    case LEN_Z:  v = va_arg(*ap, long); break;
    case LEN_T:  v = va_arg(*ap, ptrdiff_t); break;
    case LEN_J:  v = va_arg(*ap, intmax_t); break;
    default:     v = va_arg(*ap, int); break;
    }
    *neg = v < 0;
    /* Negate in unsigned arithmetic: -LLONG_MIN overflows as signed. */
    return *neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
}

static unsigned long long arg_unsigned(va_list *ap, enum fmt_len len)
{
    switch (len) {
    case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L:  return va_arg(*ap, unsigned long);
    case LEN_LL: return va_arg(*ap, unsigned long long);
    case LEN_Z:  return va_arg(*ap, size_t);
    /* %tu: the unsigned type of ptrdiff_t's width. */
    case LEN_T:  return va_arg(*ap, unsigned long);
    case LEN_J:  return va_arg(*ap, uintmax_t);
    default:     return va_arg(*ap, unsigned int);
    }
}

static enum fmt_len parse_len(const char **pp)
{
    const char *p = *pp;
    enum fmt_len len = LEN_NONE;

    switch (*p) {
    case 'h':
        len = LEN_H;
        if (p[1] == 'h') {
            len = LEN_HH;
            p++;
        }
        p++;
        break;
    case 'l':
        len = LEN_L;
        if (p[1] == 'l') {
            len = LEN_LL;
            p++;
        }
        p++;
        break;
    case 'z': len = LEN_Z; p++; break;
    case 't': len = LEN_T; p++; break;
    case 'j': len = LEN_J; p++; break;
    default: break;
    }
    *pp = p;
    return len;
}

int xhv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct fmt_out out = { .buf = buf, .size = size, .len = 0 };
    va_list ap;
    const char *p = fmt;

    /* A local copy, so the helpers can take its address portably. */
    va_copy(ap, ap_in);

    /* Invariant: everything before p has been emitted into out. */
    while (*p) {
        struct fmt_spec sp = { 0 };
        const char *start;
        enum fmt_len len;
        bool neg;
        char c;

        if (*p != '%') {
            const char *q = p;

            while (*q && *q != '%')
                q++;
            out_mem(&out, p, (size_t)(q - p));
            p = q;
            continue;
        }
        start = p++;

        for (;; p++) {
            if (*p == '-')
                sp.flags |= F_LEFT;
            else if (*p == '0')
                sp.flags |= F_ZERO;
            else if (*p == '+')
                sp.flags |= F_PLUS;
            else if (*p == ' ')
                sp.flags |= F_SPACE;
            else if (*p == '#')
                sp.flags |= F_ALT;
            else
                break;
        }

        if (*p == '*') {
            int w = va_arg(ap, int);

            /* A negative '*' width is a '-' flag plus a positive width. */
            if (w < 0) {
                sp.flags |= F_LEFT;
                sp.width = 0U - (unsigned int)w;
            } else {
                sp.width = (size_t)w;
            }
            p++;
        } else {
            sp.width = parse_num(&p);
        }

        if (*p == '.') {
            p++;
            sp.has_prec = true;
            if (*p == '*') {
                int pr = va_arg(ap, int);

                /* A negative '*' precision is taken as if omitted. */
                if (pr < 0)
                    sp.has_prec = false;
                else
                    sp.prec = (size_t)pr;
                p++;
            } else {
                sp.prec = parse_num(&p);
            }
        }

        len = parse_len(&p);
        c = *p;
        if (c == '\0') {
            /* Format ends inside a specification: print what was there. */
            out_mem(&out, start, (size_t)(p - start));
            break;
        }
        p++;

        switch (c) {
        case 'd':
        case 'i': {
            unsigned long long v = arg_signed(&ap, len, &neg);

            fmt_int(&out, &sp, v, neg, true, 10);
            break;
        }
        case 'u':
            fmt_int(&out, &sp, arg_unsigned(&ap, len), false, false, 10);
            break;
        case 'o':
            fmt_int(&out, &sp, arg_unsigned(&ap, len), false, false, 8);
            break;
        case 'X':
            sp.flags |= F_UPPER;
            /* fall through */
        case 'x':
            fmt_int(&out, &sp, arg_unsigned(&ap, len), false, false, 16);
            break;
        case 'c': {
            char ch = (char)va_arg(ap, int);

            pad_before(&out, &sp, 1);
            out_mem(&out, &ch, 1);
            pad_after(&out, &sp, 1);
            break;
        }
        case 's':
            fmt_str(&out, &sp, va_arg(ap, const char *));
            break;
        case 'p': {
            struct fmt_spec ps = {
                .flags = (sp.flags & F_LEFT) | F_ALT,
                .width = sp.width,
                .prec = 16,
                .has_prec = true,
            };
            uintptr_t v = (uintptr_t)va_arg(ap, void *);

            /* "0x" + 16 digits even for 0, where '#' would drop the 0x. */
            if (v == 0) {
                pad_before(&out, &ps, 18);
                out_mem(&out, "0x0000000000000000", 18);
                pad_after(&out, &ps, 18);
            } else {
                fmt_int(&out, &ps, v, false, false, 16);
            }
            break;
        }
        case '%':
            out_mem(&out, "%", 1);
            break;
        default:
            /* Unknown conversion: show it as written, consume nothing. */
            out_mem(&out, start, (size_t)(p - start));
            break;
        }
    }
    va_end(ap);

    if (size)
        buf[out.len < size ? out.len : size - 1] = '\0';
    return out.len > FMT_INT_MAX ? -1 : (int)out.len;
}

int xhv_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = xhv_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
