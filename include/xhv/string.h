/*
 * Memory and string functions.
 *
 * The shim provides its own (shim/lib/string.c); host unit tests use the C
 * library's, so arch-neutral files include this header and build unchanged
 * in both worlds.
 */
#ifndef XHV_STRING_H
#define XHV_STRING_H

#include <xhv/types.h>

#ifdef XHV_HOST_TEST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copy at most size-1 bytes and always terminate; returns strlen(src). */
size_t xhv_strlcpy(char *dst, const char *src, size_t size);

#endif /* XHV_STRING_H */
