/*
 * The life and end of the guest domain. One domain exists, so its end is
 * the end of the run: poweroff powers the VM off, reboot resets it, a crash
 * is reported (parent crash channel, serial) and ends with
 * XHV_EXIT_GUEST_CRASH where QEMU's isa-debug-exit is present
 * (docs/boot.md). The census is printed first in every case.
 */
#include <xhv/cmdline.h>
#include <xhv/domain.h>
#include <xhv/exit.h>
#include <xhv/format.h>
#include <xhv/hypercall.h>
#include <xhv/log.h>
#include <xhv/parent.h>
#include <xhv/smp.h>
#include <xen/sched.h>

struct domain guest_domain;

static const char *shutdown_name(unsigned int reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff: return "poweroff";
    case SHUTDOWN_reboot: return "reboot";
    case SHUTDOWN_suspend: return "suspend";
    case SHUTDOWN_crash: return "crash";
    case SHUTDOWN_watchdog: return "watchdog";
    case SHUTDOWN_soft_reset: return "soft_reset";
    default: return "unknown";
    }
}

static void show_guest_registers(const struct cpu_regs *r)
{
    printk(XLOG_ERR "d%u RIP: %04llx:%016llx RFLAGS: %016llx\n",
           guest_domain.domid, (unsigned long long)r->cs,
           (unsigned long long)r->rip, (unsigned long long)r->rflags);
    printk(XLOG_ERR "  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n",
           (unsigned long long)r->rax, (unsigned long long)r->rbx,
           (unsigned long long)r->rcx, (unsigned long long)r->rdx);
    printk(XLOG_ERR "  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n",
           (unsigned long long)r->rsi, (unsigned long long)r->rdi,
           (unsigned long long)r->rbp, (unsigned long long)r->rsp);
    printk(XLOG_ERR "  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n",
           (unsigned long long)r->r8, (unsigned long long)r->r9,
           (unsigned long long)r->r10, (unsigned long long)r->r11);
    printk(XLOG_ERR "  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n",
           (unsigned long long)r->r12, (unsigned long long)r->r13,
           (unsigned long long)r->r14, (unsigned long long)r->r15);
}

static struct cpu_regs crash_regs;
static bool have_crash_regs;

void domain_crash_at(struct domain *d, const char *file, int line,
                     const char *fmt, ...)
{
    char why[160];
    va_list ap;

    if (d->is_crashed)
        return;
    va_start(ap, fmt);
    xhv_vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    d->is_crashed = true;
    d->is_shutting_down = true;
    d->shutdown_reason = SHUTDOWN_crash;
    printk(XLOG_ERR "domain %u crashed (%s:%d): %s\n", d->domid, file, line,
           why);
    if (current_vcpu() && current_vcpu()->domain == d) {
        crash_regs = current_vcpu()->regs;
        have_crash_regs = true;
        show_guest_registers(&crash_regs);
        printk(XLOG_ERR "  (symbolize the guest RIP with its /proc/kallsyms "
               "or the -dbg vmlinux)\n");
    }
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
    if (d->is_shutting_down)
        return;
    d->is_shutting_down = true;
    d->shutdown_reason = reason;
    printk("domain %u shut down: %s\n", d->domid, shutdown_name(reason));
    if (reason == SHUTDOWN_crash || reason == SHUTDOWN_watchdog) {
        d->is_crashed = true;
        if (current_vcpu() && current_vcpu()->domain == d) {
            crash_regs = current_vcpu()->regs;
            have_crash_regs = true;
        }
    }
}

void domain_end(struct domain *d)
{
    static int ending;

    /* One CPU ends the run; the others halt first (their vCPUs stop). */
    if (__atomic_fetch_add(&ending, 1, __ATOMIC_SEQ_CST))
        smp_stop_this_cpu();
    smp_stop_others();
    census_print();
    if (parent->print_counters)
        parent->print_counters();
    if (d->is_crashed) {
        struct crash_report c = {
            .reason = "guest crashed",
            .code = d->shutdown_reason,
            .rip = have_crash_regs ? crash_regs.rip : 0,
            .rsp = have_crash_regs ? crash_regs.rsp : 0,
            .rax = have_crash_regs ? crash_regs.rax : 0,
            .domid = d->domid,
        };

        parent->crash_report(&c);
        printk(XLOG_ERR "domain %u crashed: ending the run\n", d->domid);
        debug_exit(XHV_EXIT_GUEST_CRASH);
        if (!opts.noreboot)
            parent->reset();
        parent->poweroff();
    }
    if (d->shutdown_reason == SHUTDOWN_reboot)
        parent->reset();
    parent->poweroff();
}
