/*
 * Formatted output into a buffer: the shim's snprintf.
 *
 * C99 semantics (7.19.6.5): the return value is the length the complete
 * output would have had, not counting the NUL; the output is truncated to
 * size - 1 characters and always NUL-terminated when size > 0; size == 0
 * writes nothing (buf may then be NULL). A result longer than INT_MAX
 * returns -1.
 *
 * Supported: %d %i %u %x %X %o %c %s %p %%; flags - 0 + space #; width and
 * precision, both also as '*'; length modifiers hh h l ll z t j.
 * Differences from the C library, on purpose:
 *   %s of NULL prints "(null)" (cut to the precision, if one is given);
 *   %p prints "0x" and exactly 16 hex digits, NULL too (width and '-' apply);
 *   no floating point, %n, wide characters or L; an unknown conversion is
 *   printed as written, so a bad format is visible instead of silent.
 */
#ifndef XHV_FORMAT_H
#define XHV_FORMAT_H

#include <xhv/types.h>

int xhv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int xhv_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* XHV_FORMAT_H */
