/*
 * panic(): the end of the shim. Prints the reason, the registers and a stack
 * trace, tells QEMU's isa-debug-exit (status 5, include/xhv/exit.h), then
 * halts (noreboot) or resets after a pause, as Xen does.
 * A panic while panicking only halts.
 */
#include <xhv/cmdline.h>
#include <xhv/exit.h>
#include <xhv/format.h>
#include <xhv/irq.h>
#include <xhv/log.h>
#include <xhv/panic.h>
#include <xhv/parent.h>
#include <xhv/smp.h>
#include <xhv/xen.h>
#include <xhv/regs.h>
#include <xhv/x86.h>

static int panicking;

static __noreturn void panic_finish(void)
{
    debug_exit(XHV_EXIT_PANIC);
    if (!opts.noreboot && parent) {
        uint64_t end = parent->clock_ns() + 5000000000ULL;

        printk(XLOG_ERR "Reboot in five seconds...\n");
        while (parent->clock_ns() < end)
            cpu_relax();
        parent->reset();
    }
    printk(XLOG_ERR "Manual reset required ('noreboot' specified)\n");
    for (;;)
        halt();
}

static __noreturn void vpanic(const struct cpu_regs *r, const char *fmt,
                              va_list ap)
{
    char msg[256];

    local_irq_disable();
    /* One CPU reports; a second panicking CPU stops where it is. */
    if (__atomic_fetch_add(&panicking, 1, __ATOMIC_SEQ_CST)) {
        for (;;)
            halt();
    }
    smp_stop_others();
    xhv_vsnprintf(msg, sizeof(msg), fmt, ap);
    printk(XLOG_ERR "\n");
    printk(XLOG_ERR "****************************************\n");
    printk(XLOG_ERR "Panic: %s\n", msg);
    printk(XLOG_ERR "****************************************\n");
    show_registers(r);
    show_stack_trace(r->rbp);
    if (parent) {
        struct crash_report c = {
            .reason = msg,
            .code = r->vector,
            .rip = r->rip,
            .rsp = r->rsp,
            .rax = r->rax,
            .domid = DOMID_XEN,
        };

        parent->crash_report(&c);
    }
    panic_finish();
}

void panic(const char *fmt, ...)
{
    struct cpu_regs r;
    va_list ap;

    capture_registers(&r);
    va_start(ap, fmt);
    vpanic(&r, fmt, ap);
}

void panic_regs(const struct cpu_regs *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vpanic(r, fmt, ap);
}
