/*
 * Glue between the guest and the xenstore library (include/xhv/xs_guest.h).
 * The library is told nothing about event channels: it asks for a
 * notification, and this file turns that into the guest's store port.
 */
#include <xhv/domain.h>
#include <xhv/event.h>
#include <xhv/log.h>
#include <xhv/paging.h>
#include <xhv/spinlock.h>
#include <xhv/xenstore.h>
#include <xhv/xs_guest.h>

static struct xs_conn *conn;
static struct domain *xs_dom;
/*
 * The xenstore library is single-threaded: one CPU at a time runs it.
 * Taken before d->evtchn_lock (notify() sends to the guest).
 */
static spinlock_t xs_lock = SPINLOCK_INIT;

static void notify(void *ctx)
{
    evtchn_notify_guest(xs_dom, xs_dom->store_evtchn);
}

void xs_kick(void)
{
    unsigned int rounds = 0;

    if (!conn)
        return;
    spin_lock(&xs_lock);
    /* Invariant: each call takes at most 256 requests; go on while more
     * wait, but bounded, so a guest cannot keep the shim here forever. */
    do {
        if (xs_ring_process(conn))
            notify(NULL);
    } while (xs_ring_pending(conn) && ++rounds < 64);
    spin_unlock(&xs_lock);
}

static void store_event(struct domain *d, evtchn_port_t port, void *ctx)
{
    xs_kick();
}

int xs_connect_guest(struct domain *d)
{
    xs_dom = d;
    xs_init();
    xs_populate_domain(d->domid, "xhv-guest",
                       d->nr_pages * (PAGE_SIZE / 1024), d->nr_vcpus);
    conn = xs_conn_attach(d->domid,
                          phys_to_virt(d->p2m[d->store_pfn] << PAGE_SHIFT),
                          notify, NULL);
    if (!conn)
        return -1;
    return evtchn_bind_backend(d, d->store_evtchn, store_event, NULL);
}

void xs_dump(void)
{
    struct xs_conn_stats st;
    uint32_t why = 0;

    if (!conn) {
        printk("xenstore: no guest connection\n");
        return;
    }
    xs_conn_get_stats(conn, &st);
    printk("xenstore: %llu requests (%llu errors), %llu watch events "
           "(%llu coalesced), %u nodes, %u bytes, %u watches, %u "
           "transactions%s\n", (unsigned long long)st.requests,
           (unsigned long long)st.errors, (unsigned long long)st.events,
           (unsigned long long)st.events_coalesced, st.nodes, st.bytes,
           st.watches, st.transactions,
           xs_conn_broken(conn, &why) ? ", connection BROKEN" : "");
}
