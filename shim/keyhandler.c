/*
 * Serial input routing and debug keys (include/xhv/keyhandler.h).
 * Ctrl-A three times in a row toggles where input goes; the third Ctrl-A
 * is not passed on (the first two are, as ordinary input).
 */
#include <xhv/domain.h>
#include <xhv/event.h>
#include <xhv/hypercall.h>
#include <xhv/keyhandler.h>
#include <xhv/log.h>
#include <xhv/parent.h>
#include <xhv/format.h>
#include <xhv/string.h>
#include <xhv/xenstore.h>
#include <xhv/xs_guest.h>
#include <xhv/grant.h>

#define CTRL_A 0x01

struct key {
    char key;
    void (*fn)(void);
    const char *help;
};

static void (*guest_sink)(char c);
static bool input_to_shim;
static unsigned int ctrl_a_count;

static void key_help(void);

static void key_domains(void)
{
    struct domain *d = &guest_domain;
    unsigned int i;

    printk("Domain %u: %llu pages, %s\n", d->domid,
           (unsigned long long)d->nr_pages,
           d->is_crashed ? "crashed" :
           d->is_shutting_down ? "shutting down" : "running");
    for (i = 0; i < d->nr_vcpus; i++) {
        const struct vcpu *v = &d->vcpus[i];

        printk("  vcpu %u: %s mode, rip %#llx, cr3 %#llx, upcall "
               "pending %u mask %u, %s\n", i,
               v->in_kernel ? "kernel" : "user",
               (unsigned long long)v->regs.rip,
               (unsigned long long)v->cr3,
               v->vcpu_info ? v->vcpu_info->evtchn_upcall_pending : 0,
               v->vcpu_info ? v->vcpu_info->evtchn_upcall_mask : 0,
               v->blocked ? "blocked" : "running");
        printk("    runstate: running %llu ms, blocked %llu ms\n",
               (unsigned long long)(v->runstate.time[RUNSTATE_running] /
                                    1000000),
               (unsigned long long)(v->runstate.time[RUNSTATE_blocked] /
                                    1000000));
    }
}

static void key_evtchn(void)
{
    if (guest_domain.shared_info)
        evtchn_dump(&guest_domain);
}

static void key_census(void)
{
    census_print();
    if (parent && parent->print_counters)
        parent->print_counters();
}

static void key_grants(void)
{
    gnttab_dump(&guest_domain);
}

static void key_time(void)
{
    printk("Parent clock %llu ns, wall clock %llu s\n",
           (unsigned long long)parent->clock_ns(),
           (unsigned long long)(parent->wallclock_ns() / 1000000000ULL));
}

/* Shutdown from outside, as `xl shutdown` does: through xenstore. */
static void request_shutdown(const char *how)
{
    char path[64];
    int n = xhv_snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown",
                         XHV_GUEST_DOMID);

    (void)n;
    if (xs_dom0_write(path, how))
        printk("cannot write %s\n", path);
    else
        printk("Asked d%u to %s (control/shutdown)\n", XHV_GUEST_DOMID, how);
    xs_kick();
}

static void key_poweroff(void)
{
    request_shutdown("poweroff");
}

static void key_reboot(void)
{
    request_shutdown("reboot");
}

static void key_all(void);

static const struct key keys[] = {
    { 'h', key_help, "this help" },
    { 'q', key_domains, "domain and vCPU state" },
    { 'e', key_evtchn, "event channels" },
    { 'p', key_census, "hypercall census" },
    { 'g', key_grants, "grant table" },
    { 't', key_time, "clocks" },
    { 'x', xs_dump, "xenstore ring" },
    { 'O', key_poweroff, "ask the guest to power off (xenstore)" },
    { 'R', key_reboot, "ask the guest to reboot (xenstore)" },
    { '*', key_all, "all of the above" },
};

static void key_help(void)
{
    unsigned int i;

    printk("Debug keys (CTRL-a three times switches input back to d%u):\n",
           XHV_GUEST_DOMID);
    for (i = 0; i < ARRAY_SIZE(keys); i++)
        printk("  '%c'  %s\n", keys[i].key, keys[i].help);
}

static void key_all(void)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(keys); i++)
        if (keys[i].fn != key_all && keys[i].fn != key_help &&
            keys[i].fn != key_poweroff && keys[i].fn != key_reboot)
            keys[i].fn();
}

void keyhandler_run(char key)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(keys); i++)
        if (keys[i].key == key) {
            keys[i].fn();
            return;
        }
    printk("'%c' (%#x) is not a debug key; 'h' for help\n",
           key >= 0x20 && key < 0x7f ? key : '?', (unsigned char)key);
}

void keyhandler_set_guest_sink(void (*fn)(char c))
{
    guest_sink = fn;
}

void keyhandler_input(char c)
{
    if (c == CTRL_A) {
        if (++ctrl_a_count == 3) {
            ctrl_a_count = 0;
            input_to_shim = !input_to_shim;
            printk("*** Serial input to %s (type 'CTRL-a' three times to "
                   "switch input)\n", input_to_shim ? "xhv" : "d1");
            return;
        }
    } else {
        ctrl_a_count = 0;
    }
    if (input_to_shim)
        keyhandler_run(c);
    else if (guest_sink)
        guest_sink(c);
}
