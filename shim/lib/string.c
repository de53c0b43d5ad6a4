/*
 * Memory and string functions for the freestanding shim. gcc may emit calls
 * to memcpy/memset/memmove/memcmp itself, so these names are mandatory.
 * xhv_strlcpy is arch-neutral and also used by host unit tests.
 */
#include <xhv/string.h>

#ifndef XHV_HOST_TEST
/*
 * rep movs / rep stos: one instruction each, fast on CPUs with ERMS, and
 * far faster than a byte loop under QEMU TCG, which runs a rep string
 * instruction one element per iteration: so the bulk goes 8 bytes at a
 * time (movsq/stosq), the tail by bytes. Guest memory (hundreds of MiB)
 * is zeroed and kernels are copied with these.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t q = n / 8, r = n % 8;

    __asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) :: "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(r) :: "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d == s || n == 0)
        return dst;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        d += n;
        s += n;
        while (n--)
            *--d = *--s;
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    uint64_t v = 0x0101010101010101ULL * (uint8_t)c;
    size_t q, r;

    /*
     * Large aligned areas (guest memory, page after page): 64 bytes per
     * loop iteration, which QEMU TCG runs several times faster than a
     * rep stosq, one element per iteration.
     */
    if (n >= 256 && !((uintptr_t)d & 7)) {
        uint64_t *p = d;
        size_t blocks = n / 64;

        for (; blocks; blocks--, p += 8) {
            p[0] = v; p[1] = v; p[2] = v; p[3] = v;
            p[4] = v; p[5] = v; p[6] = v; p[7] = v;
        }
        d = p;
        n %= 64;
    }
    q = n / 8;
    r = n % 8;

    __asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}
#endif /* !XHV_HOST_TEST */

size_t xhv_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
