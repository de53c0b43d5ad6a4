/*
 * In-shim self-tests (option `selftest`): any file defines
 *
 *     SELFTEST(name) { ...; return ok; }
 *
 * and the test lands in the .selftests section; selftest_run() runs them in
 * link order, prints "PASS: name" / "FAIL: name" and a final
 * "N passed, N failed", then ends the run (include/xhv/exit.h).
 */
#ifndef XHV_SELFTEST_H
#define XHV_SELFTEST_H

#include <xhv/log.h>
#include <xhv/types.h>

struct selftest {
    const char *name;
    bool (*fn)(void);
};

#define SELFTEST(fn_)                                                       \
    static bool fn_(void);                                                  \
    static const struct selftest selftest_##fn_                             \
        __section(".selftests") __used = { #fn_, fn_ };                     \
    static bool fn_(void)

/* In a self-test: record a failed check and go on. Needs `bool ok`. */
#define ST_CHECK(cond)                                                      \
    do {                                                                    \
        if (!(cond)) {                                                      \
            printk(XLOG_ERR "  check failed: %s:%d: %s\n", __FILE__,        \
                   __LINE__, #cond);                                        \
            ok = false;                                                     \
        }                                                                   \
    } while (0)

#endif /* XHV_SELFTEST_H */
