/*
 * PV console backend (include/xhv/console_backend.h), the part of Xen's
 * xenconsoled that serves console 0 of a domU.
 *
 * The ring indices are the guest's to write: out_prod and in_cons are
 * trusted only as far as they make sense (prod - cons within the ring).
 * A guest that breaks that loses its console output (the shim resyncs and
 * says so once), never the shim's memory.
 */
#include <xhv/console.h>
#include <xhv/console_backend.h>
#include <xhv/domain.h>
#include <xhv/event.h>
#include <xhv/keyhandler.h>
#include <xhv/log.h>
#include <xhv/paging.h>
#include <xhv/spinlock.h>
#include <xen/io/console.h>

static struct xencons_interface *ring;
static struct domain *cons_dom;
static bool warned;
/*
 * Serialises the shim's side of the ring: output drained from any vCPU's
 * CPU, input from the serial interrupt. Taken before d->evtchn_lock.
 */
static spinlock_t cons_lock = SPINLOCK_INIT;

static void drain_output(struct domain *d)
{
    XENCONS_RING_IDX cons = ring->out_cons;
    XENCONS_RING_IDX prod = __atomic_load_n(&ring->out_prod, __ATOMIC_ACQUIRE);
    char buf[128];
    size_t n = 0;

    if (prod - cons > sizeof(ring->out)) {
        if (!warned)
            printk(XLOG_G_WARN "d%u: console ring indices inconsistent "
                   "(out_prod %u, out_cons %u): output dropped\n", d->domid,
                   prod, cons);
        warned = true;
        __atomic_store_n(&ring->out_cons, prod, __ATOMIC_RELEASE);
        return;
    }
    /* Invariant: bytes [out_cons, cons) are copied to buf or written. */
    while (cons != prod) {
        buf[n++] = ring->out[MASK_XENCONS_IDX(cons, ring->out)];
        cons++;
        if (n == sizeof(buf)) {
            console_write_raw(buf, n);
            n = 0;
        }
    }
    if (n)
        console_write_raw(buf, n);
    __atomic_store_n(&ring->out_cons, cons, __ATOMIC_RELEASE);
}

static void console_event(struct domain *d, evtchn_port_t port, void *ctx)
{
    spin_lock(&cons_lock);
    drain_output(d);
    spin_unlock(&cons_lock);
    /* Tell the guest there is room again (and look at `in`). */
    evtchn_notify_guest(d, port);
}

static void guest_input(char c)
{
    XENCONS_RING_IDX prod, cons;

    spin_lock(&cons_lock);
    prod = ring->in_prod;
    cons = __atomic_load_n(&ring->in_cons, __ATOMIC_ACQUIRE);
    if (prod - cons >= sizeof(ring->in)) {
        spin_unlock(&cons_lock);
        return;                 /* full (or nonsense): the byte is lost */
    }
    ring->in[MASK_XENCONS_IDX(prod, ring->in)] = c;
    __atomic_store_n(&ring->in_prod, prod + 1, __ATOMIC_RELEASE);
    spin_unlock(&cons_lock);
    evtchn_notify_guest(cons_dom, cons_dom->console_evtchn);
}

int console_backend_init(struct domain *d)
{
    ring = phys_to_virt(d->p2m[d->console_pfn] << PAGE_SHIFT);
    cons_dom = d;
    keyhandler_set_guest_sink(guest_input);
    return evtchn_bind_backend(d, d->console_evtchn, console_event, NULL);
}
