/*
 * Basic types and helpers shared by every part of xhv.
 *
 * Only the compiler's freestanding headers are used (stdint, stddef,
 * stdbool, stdarg), so the same file compiles for the shim and for host
 * unit tests.
 */
#ifndef XHV_TYPES_H
#define XHV_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)       (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)      (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)    ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)    (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b)           ((a) < (b) ? (a) : (b))
#define MAX(a, b)           ((a) > (b) ? (a) : (b))
#define BIT(n)              (1ULL << (n))

#define likely(x)           __builtin_expect(!!(x), 1)
#define unlikely(x)         __builtin_expect(!!(x), 0)
#define __packed            __attribute__((packed))
#define __aligned(n)        __attribute__((aligned(n)))
#define __noreturn          __attribute__((noreturn))
#define __printf(a, b)      __attribute__((format(printf, a, b)))
#define __section(s)        __attribute__((section(s)))
#define __used              __attribute__((used))
#define __unused            __attribute__((unused))

#define BUILD_BUG_ON(cond)  _Static_assert(!(cond), #cond)

#define PAGE_SHIFT          12
#define PAGE_SIZE           (1UL << PAGE_SHIFT)
#define PAGE_MASK           (~(PAGE_SIZE - 1))

#endif /* XHV_TYPES_H */
