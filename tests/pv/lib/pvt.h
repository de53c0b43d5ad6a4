/*
 * tests/pv/lib: the small library our PV test kernels are built on.
 *
 *   head.S       entry (_start -> test_main) and the Xen ELF notes
 *   hypercall.h  inline-`syscall` hypercalls, 0-5 arguments
 *   console.c    pvt_printf() through HYPERVISOR_console_io(CONSOLEIO_write)
 *   report.c     PASS/FAIL lines, the final "N passed, N failed", shutdown
 *   traps.c/.S   a trap table whose handlers turn a guest exception inside
 *                pvt_guarded() into a return value (XTF's exinfo, in small)
 *   string.c     memcpy/memset/memcmp/strlen (gcc may emit the first two)
 *
 * A test kernel provides test_main(). Result words, as XTF keeps them
 * apart: FAIL means xhv is wrong, ERROR means the test kernel is, and both
 * count as failed; there is no SKIP yet. Single vCPU, no locking.
 */
#ifndef PVT_H
#define PVT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>

#include "hypercall.h"

#define PVT_PAGE_SIZE       4096UL
#define PVT_ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define __noreturn          __attribute__((noreturn))
#define __printf(f, a)      __attribute__((format(printf, f, a)))
#define __aligned(n)        __attribute__((aligned(n)))

/* Provided by the test kernel; entered from head.S, never returns. */
void test_main(const start_info_t *si, unsigned long boot_rsp) __noreturn;

/* head.S */
extern char pvt_stack[], pvt_stack_top[];
/* kernel.lds */
extern char _end[];

/* ---- console.c ---------------------------------------------------------- */

/*
 * printf with %s %c %d %u %x %p %% ('l' for long, '0' and a width), one
 * console_io call per message, cut at 256 bytes. Returns console_io's
 * result (0, or a negative XEN_E*).
 */
long pvt_printf(const char *fmt, ...) __printf(1, 2);
long pvt_vprintf(const char *fmt, va_list ap);
/* The same into dst (always terminated); returns the length. */
size_t pvt_vsnprintf(char *dst, size_t size, const char *fmt, va_list ap);
size_t pvt_snprintf(char *dst, size_t size, const char *fmt, ...)
    __printf(3, 4);
/* "-14 (EFAULT)" for a Xen error code, else the number, into buf. */
const char *pvt_rc_str(long rc, char *buf, size_t size);

/* ---- report.c ----------------------------------------------------------- */

/* PASS: name, or FAIL: name: got X expected Y (X, Y as error codes). */
bool pvt_check(const char *name, long got, long expected);
/* The same with both values in hex (addresses, bit masks). */
bool pvt_check_x(const char *name, unsigned long got, unsigned long expected);
/* PASS: name, or FAIL: name: <why>. */
bool pvt_ok(const char *name, bool ok, const char *why, ...) __printf(3, 4);
/* ERROR: the test itself is broken (counted as failed). */
void pvt_error(const char *fmt, ...) __printf(1, 2);
unsigned int pvt_passed(void);
unsigned int pvt_failed(void);

/*
 * Print "<tag>: N passed, N failed" and power off (QEMU exits 0). If the
 * shutdown returns, that is printed as a FAIL and the domain crashes.
 */
void pvt_finish(const char *tag) __noreturn;
/* SCHEDOP_shutdown with reason; returns only if the hypercall does. */
long pvt_shutdown(unsigned int reason);
/* Crash the domain (SHUTDOWN_crash, then ud2): a broken test kernel. */
void pvt_crash(const char *why) __noreturn;

/* ---- traps.c ------------------------------------------------------------ */

struct pvt_fault {
    unsigned int vector;        /* X86 exception vector */
    unsigned long error_code;   /* 0 if the vector has none */
    unsigned long rip;          /* where it happened */
};

/*
 * The library's trap table: a handler for every exception vector but NMI,
 * #DF and #MC, ending with the address-0 terminator. pvt_traps_install()
 * hands it to set_trap_table and returns the result.
 */
const struct trap_info *pvt_trap_table(void);
long pvt_traps_install(void);

/*
 * Run fn(arg). Returns false if it returned normally; true if it raised an
 * exception (bounced to our trap table), with *f filled in: execution then
 * resumes here as if fn had returned. Outside pvt_guarded() an exception is
 * an ERROR: totals are printed and the domain crashes.
 */
bool pvt_guarded(void (*fn)(void *), void *arg, struct pvt_fault *f);
/* Convenience: does reading (or writing) one byte at va fault? */
bool pvt_read_faults(unsigned long va, struct pvt_fault *f);
bool pvt_write_faults(unsigned long va, struct pvt_fault *f);

/* ---- string.c ----------------------------------------------------------- */

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif /* PVT_H */
