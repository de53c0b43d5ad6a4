/*
 * Minimal host unit-test harness.
 *
 * Arch-neutral shim files are compiled unchanged for the host (with
 * -DXHV_HOST_TEST, ASan and UBSan) and linked with a test file that includes
 * this header. Each test case prints "PASS: name" or "FAIL: name"; the
 * program ends with "N passed, N failed" and exits non-zero on any failure.
 */
#ifndef XHV_TEST_HARNESS_H
#define XHV_TEST_HARNESS_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned th_passed, th_failed, th_case_failures;

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            th_case_failures++;                                             \
            printf("  check failed: %s:%d: %s\n", __FILE__, __LINE__,       \
                   #cond);                                                  \
        }                                                                   \
    } while (0)

#define CHECK_EQ(a, b)                                                      \
    do {                                                                    \
        long long th_a_ = (long long)(a), th_b_ = (long long)(b);           \
        if (th_a_ != th_b_) {                                               \
            th_case_failures++;                                             \
            printf("  check failed: %s:%d: %s == %s (%lld vs %lld)\n",      \
                   __FILE__, __LINE__, #a, #b, th_a_, th_b_);               \
        }                                                                   \
    } while (0)

#define CHECK_STR(a, b)                                                     \
    do {                                                                    \
        const char *th_a_ = (a), *th_b_ = (b);                              \
        if (strcmp(th_a_, th_b_) != 0) {                                    \
            th_case_failures++;                                             \
            printf("  check failed: %s:%d: \"%s\" == \"%s\"\n", __FILE__,   \
                   __LINE__, th_a_, th_b_);                                 \
        }                                                                   \
    } while (0)

static inline void th_run(const char *name, void (*fn)(void))
{
    th_case_failures = 0;
    fn();
    if (th_case_failures) {
        th_failed++;
        printf("FAIL: %s\n", name);
    } else {
        th_passed++;
        printf("PASS: %s\n", name);
    }
    fflush(stdout);
}

#define RUN_TEST(fn) th_run(#fn, fn)

static inline int th_finish(void)
{
    printf("%u passed, %u failed\n", th_passed, th_failed);
    return th_failed ? 1 : 0;
}

/*
 * Stand-ins for the shim's printk() and panic() in tests that link shim
 * code without shim/lib/log.c: printk prints only when the environment
 * variable `env` is set; panic prints and aborts (a test failure).
 */
#define HARNESS_PRINTK_AND_PANIC(env)                                       \
    void printk(const char *fmt, ...)                                       \
    {                                                                       \
        va_list ap;                                                         \
                                                                            \
        if (!getenv(env))                                                   \
            return;                                                         \
        va_start(ap, fmt);                                                  \
        vprintf(fmt, ap);                                                   \
        va_end(ap);                                                         \
    }                                                                       \
                                                                            \
    void panic(const char *fmt, ...)                                        \
    {                                                                       \
        va_list ap;                                                         \
                                                                            \
        va_start(ap, fmt);                                                  \
        vprintf(fmt, ap);                                                   \
        va_end(ap);                                                         \
        printf("\n");                                                       \
        abort();                                                            \
    }

#endif /* XHV_TEST_HARNESS_H */
