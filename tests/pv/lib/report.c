/*
 * Results of a PV test kernel: one "PASS: name" or "FAIL: name: why" line
 * per check (kvm-unit-tests' lib/report.c shape), ERROR lines for a broken
 * test, and the final "<tag>: N passed, N failed" before the poweroff that
 * ends the run. A run that never prints that line (a crash, a hang) is a
 * failure by the boot matrix's rules.
 */
#include "pvt.h"

#include <xen/sched.h>

static unsigned int passed, failed;

unsigned int pvt_passed(void)
{
    return passed;
}

unsigned int pvt_failed(void)
{
    return failed;
}

static bool record(bool ok)
{
    if (ok)
        passed++;
    else
        failed++;
    return ok;
}

bool pvt_check(const char *name, long got, long expected)
{
    char g[32], e[32];

    if (got == expected)
        pvt_printf("PASS: %s\n", name);
    else
        pvt_printf("FAIL: %s: got %s expected %s\n", name,
                   pvt_rc_str(got, g, sizeof(g)),
                   pvt_rc_str(expected, e, sizeof(e)));
    return record(got == expected);
}

bool pvt_check_x(const char *name, unsigned long got, unsigned long expected)
{
    if (got == expected)
        pvt_printf("PASS: %s\n", name);
    else
        pvt_printf("FAIL: %s: got %lx expected %lx\n", name, got, expected);
    return record(got == expected);
}

bool pvt_ok(const char *name, bool ok, const char *why, ...)
{
    char reason[200];
    va_list ap;

    if (ok) {
        pvt_printf("PASS: %s\n", name);
        return record(true);
    }
    va_start(ap, why);
    pvt_vsnprintf(reason, sizeof(reason), why, ap);
    va_end(ap);
    pvt_printf("FAIL: %s: %s\n", name, reason);
    return record(false);
}

void pvt_error(const char *fmt, ...)
{
    char what[200];
    va_list ap;

    va_start(ap, fmt);
    pvt_vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    pvt_printf("ERROR: %s\n", what);
    failed++;
}
long pvt_shutdown(unsigned int reason)
{
    struct sched_shutdown sd = { .reason = reason };

    return HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
}

void pvt_crash(const char *why)
{
    long rc;

    pvt_printf("ERROR: %s: crashing the domain\n", why);
    rc = pvt_shutdown(SHUTDOWN_crash);
    pvt_printf("FAIL: sched_op(SCHEDOP_shutdown, crash) returned %ld\n", rc);
    for (;;)
        asm volatile ("ud2");
}

void pvt_finish(const char *tag)
{
    long rc;

    pvt_printf("%s: %u passed, %u failed\n", tag, passed, failed);
    rc = pvt_shutdown(SHUTDOWN_poweroff);
    pvt_printf("FAIL: sched_op(SCHEDOP_shutdown, poweroff) returned %ld\n",
               rc);
    for (;;)
        asm volatile ("ud2");
}
