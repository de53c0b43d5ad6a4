/*
 * The hypercall census: how often the guest made each hypercall (and
 * sub-op), and how many of those were answered -ENOSYS. Printed at domain
 * shutdown or crash, and on the 'p' debug key (events issue).
 */
#include <xhv/hypercall.h>
#include <xhv/log.h>

struct census_entry {
    uint64_t calls, enosys;
    uint64_t sub_calls[XHV_NR_SUBOPS + 1];   /* last: "other" */
    uint64_t sub_enosys[XHV_NR_SUBOPS + 1];
};

/* Slot XHV_NR_HYPERCALLS counts numbers beyond the table. */
static struct census_entry census[XHV_NR_HYPERCALLS + 1];

#define NAME(name, sub) [__HYPERVISOR_##name] = #name,
static const char *const names[XHV_NR_HYPERCALLS] = {
    XHV_HYPERCALL_LIST(NAME)
};
#undef NAME

const char *hypercall_name(unsigned int nr)
{
    if (nr < XHV_NR_HYPERCALLS && names[nr])
        return names[nr];
    return "(unknown)";
}

void census_record(unsigned int nr, bool has_subop, uint64_t subop, long rc)
{
    struct census_entry *e = &census[nr];
    bool enosys = rc == -XEN_ENOSYS;

    /* Counters are shared by all vCPUs: atomic adds, racy reads are fine. */
    __atomic_fetch_add(&e->calls, 1, __ATOMIC_RELAXED);
    if (enosys && __atomic_add_fetch(&e->enosys, 1, __ATOMIC_RELAXED) == 1 &&
        !has_subop)
        printk(XLOG_G_INFO "d%u: first -ENOSYS from %s (%u)\n",
               XHV_GUEST_DOMID, hypercall_name(nr), nr);
    if (has_subop) {
        unsigned int s = subop < XHV_NR_SUBOPS ? (unsigned int)subop
                                               : XHV_NR_SUBOPS;

        __atomic_fetch_add(&e->sub_calls[s], 1, __ATOMIC_RELAXED);
        /* Each unimplemented call says so once (guest_loglvl=info). */
        if (enosys &&
            __atomic_add_fetch(&e->sub_enosys[s], 1, __ATOMIC_RELAXED) == 1)
            printk(XLOG_G_INFO "d%u: first -ENOSYS from %s sub-op %u\n",
                   XHV_GUEST_DOMID, hypercall_name(nr), s);
    }
}

void census_print(void)
{
    unsigned int nr, s, kinds = 0;
    uint64_t total = 0, enosys = 0;

    printk("Hypercall census, domain %u (calls; -ENOSYS answers):\n",
           XHV_GUEST_DOMID);
    for (nr = 0; nr <= XHV_NR_HYPERCALLS; nr++) {
        const struct census_entry *e = &census[nr];

        if (!e->calls)
            continue;
        total += e->calls;
        enosys += e->enosys;
        kinds += e->enosys != 0;
        printk("  %2u %-27s %8llu", nr,
               nr < XHV_NR_HYPERCALLS ? hypercall_name(nr) : "(>= 64)",
               (unsigned long long)e->calls);
        if (e->enosys)
            printk("   -ENOSYS %llu\n", (unsigned long long)e->enosys);
        else
            printk("\n");
        for (s = 0; s <= XHV_NR_SUBOPS; s++) {
            if (!e->sub_calls[s])
                continue;
            if (s == XHV_NR_SUBOPS)
                printk("    %-28s %8llu", "sub-op >= 64",
                       (unsigned long long)e->sub_calls[s]);
            else
                printk("    sub-op %-21u %8llu", s,
                       (unsigned long long)e->sub_calls[s]);
            if (e->sub_enosys[s])
                printk("   -ENOSYS %llu\n",
                       (unsigned long long)e->sub_enosys[s]);
            else
                printk("\n");
        }
    }
    printk("Hypercalls: %llu in all, %llu answered -ENOSYS "
           "(%u hypercall%s)\n", (unsigned long long)total,
           (unsigned long long)enosys, kinds, kinds == 1 ? "" : "s");
}
