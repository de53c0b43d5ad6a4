/*
 * Fatal errors of the shim itself. Guest input never reaches these: a bad
 * guest argument is an error code, a broken guest is a domain crash
 * (docs/architecture.md, "Errors").
 */
#ifndef XHV_PANIC_H
#define XHV_PANIC_H

#include <xhv/types.h>

struct cpu_regs;

/* Print the message, the caller's registers and a stack trace; stop. */
__noreturn __printf(1, 2) void panic(const char *fmt, ...);
/* Same, with a given register frame (fatal exceptions). */
__noreturn __printf(2, 3) void panic_regs(const struct cpu_regs *r,
                                          const char *fmt, ...);

#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(c)                                                           \
    do {                                                                    \
        if (unlikely(c))                                                    \
            panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__);           \
    } while (0)

#ifdef NDEBUG
#define ASSERT(c) do { } while (0)
#else
#define ASSERT(c)                                                           \
    do {                                                                    \
        if (unlikely(!(c)))                                                 \
            panic("assertion '%s' failed at %s:%d", #c, __FILE__, __LINE__);\
    } while (0)
#endif

#endif /* XHV_PANIC_H */
