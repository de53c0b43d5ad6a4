/*
 * The xenstore wire protocol on the guest's ring page (public
 * io/xs_wire.h): requests are {type, req_id, tx_id, len} + payload in
 * req[], answers and watch events go to rsp[].
 *
 * Every index on the page is the guest's to write. A producer more than a
 * ring ahead of its consumer, or a payload longer than XENSTORE_PAYLOAD_MAX,
 * breaks the connection: the shim stops serving it, sets the page's
 * error field (XENSTORE_ERROR_RINGIDX / _PROTO) and says so; it never reads
 * or writes outside the page.
 *
 * Output that does not fit the ring waits in a bounded queue; requests are
 * taken only while an answer is sure to fit it. Watch events that find the
 * queue three-quarters full are dropped and counted (a watch storm cannot
 * exhaust the shim).
 */
#include <xhv/domain.h>
#include <xhv/event.h>
#include <xhv/format.h>
#include <xhv/log.h>
#include <xhv/paging.h>
#include <xhv/string.h>
#include <xhv/xs.h>
#include <xen/io/xs_wire.h>

#define HDR         sizeof(struct xsd_sockmsg)
#define OUTQ_SIZE   (32 * 1024)

static struct xenstore_domain_interface *intf;
static unsigned int guest_domid;
static void (*notify_guest)(void);
static bool broken;
static uint8_t outq[OUTQ_SIZE];
static size_t outq_len;
static unsigned long events_dropped;
static char msg[XENSTORE_PAYLOAD_MAX + 1];
static char reply[XENSTORE_PAYLOAD_MAX];

static void queue_msg(uint32_t type, uint32_t req_id, uint32_t tx_id,
                      const void *payload, size_t len)
{
    struct xsd_sockmsg h = {
        .type = type, .req_id = req_id, .tx_id = tx_id, .len = (uint32_t)len,
    };

    if (outq_len + HDR + len > OUTQ_SIZE)
        return;                 /* cannot happen for answers: see process */
    memcpy(outq + outq_len, &h, HDR);
    memcpy(outq + outq_len + HDR, payload, len);
    outq_len += HDR + len;
}

void xs_queue_watch_event(const char *path, const char *token)
{
    size_t pl = strlen(path) + 1, tl = strlen(token) + 1;
    char buf[XS_PATH_MAX + 64];

    if (!intf)
        return;
    if (outq_len + HDR + pl + tl > OUTQ_SIZE * 3 / 4 || pl + tl > sizeof(buf)) {
        events_dropped++;
        return;
    }
    memcpy(buf, path, pl);
    memcpy(buf + pl, token, tl);
    queue_msg(XS_WATCH_EVENT, 0, 0, buf, pl + tl);
}

static void mark_broken(uint32_t why, const char *what)
{
    broken = true;
    intf->error = why;
    printk(XLOG_G_WARN "d%u: xenstore connection broken: %s\n",
           guest_domid, what);
}

/* Move queued output into rsp[]; true if anything was written. */
static bool flush_out(void)
{
    XENSTORE_RING_IDX prod = intf->rsp_prod;
    XENSTORE_RING_IDX cons = __atomic_load_n(&intf->rsp_cons,
                                             __ATOMIC_ACQUIRE);
    size_t room, n, i;

    if (prod - cons > XENSTORE_RING_SIZE) {
        mark_broken(XENSTORE_ERROR_RINGIDX, "rsp indices");
        return false;
    }
    room = XENSTORE_RING_SIZE - (prod - cons);
    n = MIN(room, outq_len);
    for (i = 0; i < n; i++)
        intf->rsp[MASK_XENSTORE_IDX(prod + i)] = (char)outq[i];
    memmove(outq, outq + n, outq_len - n);
    outq_len -= n;
    __atomic_store_n(&intf->rsp_prod, prod + (XENSTORE_RING_IDX)n,
                     __ATOMIC_RELEASE);
    return n != 0;
}

/* The i-th NUL-terminated argument of the payload, or NULL. */
static const char *arg(const char *p, size_t len, unsigned int i,
                       size_t *end)
{
    size_t off = 0;

    for (;;) {
        size_t l = strnlen(p + off, len - off);

        if (off + l >= len)
            return NULL;        /* no terminating NUL inside the payload */
        if (i-- == 0) {
            if (end)
                *end = off + l + 1;
            return p + off;
        }
        off += l + 1;
    }
}

static void answer_err(const struct xsd_sockmsg *h, int err)
{
    const char *name = xs_errname(err);

    queue_msg(XS_ERROR, h->req_id, h->tx_id, name, strlen(name) + 1);
}

static void answer(const struct xsd_sockmsg *h, int rc, const void *p,
                   size_t len)
{
    if (rc)
        answer_err(h, rc);
    else
        queue_msg(h->type, h->req_id, h->tx_id, p, len);
}

static void handle(const struct xsd_sockmsg *h, const char *p, size_t len)
{
    const unsigned int me = guest_domid;
    const char *a0 = arg(p, len, 0, NULL), *a1;
    size_t n = 0, end0 = 0;
    uint32_t tx;
    int rc;

    switch (h->type) {
    case XS_READ:
        rc = a0 ? xs_read(me, h->tx_id, a0, reply, sizeof(reply), &n)
                : -XEN_EINVAL;
        answer(h, rc, reply, n);
        break;
    case XS_WRITE:
        arg(p, len, 0, &end0);
        rc = a0 ? xs_write(me, h->tx_id, a0, p + end0, len - end0)
                : -XEN_EINVAL;
        answer(h, rc, "OK", 3);
        break;
    case XS_MKDIR:
        rc = a0 ? xs_mkdir(me, h->tx_id, a0) : -XEN_EINVAL;
        answer(h, rc, "OK", 3);
        break;
    case XS_RM:
        rc = a0 ? xs_rm(me, h->tx_id, a0) : -XEN_EINVAL;
        answer(h, rc, "OK", 3);
        break;
    case XS_DIRECTORY:
        rc = a0 ? xs_directory(me, h->tx_id, a0, reply, sizeof(reply), &n)
                : -XEN_EINVAL;
        answer(h, rc, reply, n);
        break;
    case XS_GET_PERMS:
        rc = a0 ? xs_get_perms(me, h->tx_id, a0, reply, sizeof(reply), &n)
                : -XEN_EINVAL;
        answer(h, rc, reply, n);
        break;
    case XS_SET_PERMS:
        arg(p, len, 0, &end0);
        rc = a0 ? xs_set_perms(me, h->tx_id, a0, p + end0, len - end0)
                : -XEN_EINVAL;
        answer(h, rc, "OK", 3);
        break;
    case XS_WATCH:
    case XS_UNWATCH:
        a1 = arg(p, len, 1, NULL);
        if (!a0 || !a1)
            rc = -XEN_EINVAL;
        else if (h->type == XS_WATCH)
            rc = 0;             /* registered after the answer, see below */
        else
            rc = xs_unwatch(me, a0, a1);
        if (h->type == XS_WATCH && !rc) {
            /* xenstored answers first; the initial event follows. */
            size_t mark = outq_len;

            queue_msg(XS_WATCH, h->req_id, h->tx_id, "OK", 3);
            rc = xs_watch(me, a0, a1);
            if (rc) {
                outq_len = mark;
                answer_err(h, rc);
            }
        } else {
            answer(h, rc, "OK", 3);
        }
        break;
    case XS_TRANSACTION_START:
        rc = h->tx_id ? -XEN_EBUSY : xs_tx_start(me, &tx);
        if (!rc)
            n = (size_t)xhv_snprintf(reply, sizeof(reply), "%u", tx) + 1;
        answer(h, rc, reply, n);
        break;
    case XS_TRANSACTION_END:
        if (!a0 || (strcmp(a0, "T") && strcmp(a0, "F")))
            rc = -XEN_EINVAL;
        else
            rc = xs_tx_end(me, h->tx_id, a0[0] == 'T');
        answer(h, rc, "OK", 3);
        break;
    case XS_GET_DOMAIN_PATH:
        if (!a0 || !a0[0] || strnlen(a0, 6) > 5) {
            answer_err(h, -XEN_EINVAL);
            break;
        }
        n = (size_t)xhv_snprintf(reply, sizeof(reply), "/local/domain/%s",
                                 a0) + 1;
        answer(h, 0, reply, n);
        break;
    case XS_IS_DOMAIN_INTRODUCED:
        answer(h, a0 ? 0 : -XEN_EINVAL,
               a0 && (!strcmp(a0, "0") || !strcmp(a0, "1")) ? "T" : "F", 2);
        break;
    case XS_RESET_WATCHES:
        xs_reset_watches(me);
        answer(h, 0, "OK", 3);
        break;
    case XS_CONTROL:
    case XS_INTRODUCE:
    case XS_RELEASE:
    case XS_RESUME:
    case XS_SET_TARGET:
        answer_err(h, -XEN_EACCES);     /* dom0's operations */
        break;
    default:
        answer_err(h, -XEN_EINVAL);
        break;
    }
}

static void read_ring(XENSTORE_RING_IDX from, void *dst, size_t n)
{
    uint8_t *d = dst;
    size_t i;

    for (i = 0; i < n; i++)
        d[i] = (uint8_t)intf->req[MASK_XENSTORE_IDX(from + i)];
}

/*
 * The request being read: Linux only notifies when it writes into an empty
 * ring, so bytes are taken off the ring as soon as they arrive (as
 * xenstored does) and a request is assembled here across notifications.
 */
static struct xsd_sockmsg in_hdr;
static size_t in_got;               /* bytes of header + payload so far */

/* Take what the ring holds; true if the guest should be notified. */
static bool process(void)
{
    bool notify = false;

    while (!broken) {
        XENSTORE_RING_IDX cons = intf->req_cons;
        XENSTORE_RING_IDX prod = __atomic_load_n(&intf->req_prod,
                                                 __ATOMIC_ACQUIRE);
        size_t avail, need, take;

        if (prod - cons > XENSTORE_RING_SIZE) {
            mark_broken(XENSTORE_ERROR_RINGIDX, "req indices");
            break;
        }
        /* A complete answer must be sure to fit before we read more. */
        if (in_got == 0 &&
            outq_len + 2 * (HDR + XENSTORE_PAYLOAD_MAX) > OUTQ_SIZE)
            break;
        avail = prod - cons;
        if (!avail)
            break;
        need = in_got < HDR ? HDR - in_got : HDR + in_hdr.len - in_got;
        take = MIN(avail, need);
        if (in_got < HDR)
            read_ring(cons, (uint8_t *)&in_hdr + in_got, take);
        else
            read_ring(cons, msg + (in_got - HDR), take);
        in_got += take;
        __atomic_store_n(&intf->req_cons, cons + (XENSTORE_RING_IDX)take,
                         __ATOMIC_RELEASE);
        notify = true;          /* room freed: the writer may go on */
        if (in_got == HDR && in_hdr.len > XENSTORE_PAYLOAD_MAX) {
            mark_broken(XENSTORE_ERROR_PROTO, "payload too long");
            break;
        }
        if (in_got < HDR || in_got < HDR + in_hdr.len)
            continue;
        msg[in_hdr.len] = '\0';
        in_got = 0;
        handle(&in_hdr, msg, in_hdr.len);
        flush_out();
    }
    if (!broken)
        notify |= flush_out();
    return notify;
}

void xs_kick(void)
{
    if (intf && !broken && process() && notify_guest)
        notify_guest();
}

void xs_connect_ring(struct xenstore_domain_interface *ring,
                     unsigned int domid, void (*notify)(void))
{
    intf = ring;
    guest_domid = domid;
    notify_guest = notify;
    broken = false;
    outq_len = 0;
    in_got = 0;
}

#ifndef XHV_HOST_TEST
static struct domain *xs_dom;

static void xs_event(struct domain *d, evtchn_port_t port, void *ctx)
{
    xs_kick();
}

static void xs_notify_domain(void)
{
    evtchn_notify_guest(xs_dom, xs_dom->store_evtchn);
}

int xs_connect_guest(struct domain *d)
{
    xs_dom = d;
    xs_connect_ring(phys_to_virt(d->p2m[d->store_pfn] << PAGE_SHIFT),
                    d->domid, xs_notify_domain);
    return evtchn_bind_backend(d, d->store_evtchn, xs_event, NULL);
}
#endif

void xs_dump(void)
{
    if (!intf) {
        printk("xenstore: no guest connection\n");
        return;
    }
    printk("xenstore ring: req cons %u prod %u, rsp cons %u prod %u, "
           "queued %zu bytes, %s, %lu watch events dropped\n",
           intf->req_cons, intf->req_prod, intf->rsp_cons, intf->rsp_prod,
           outq_len, broken ? "BROKEN" : "ok", events_dropped);
}
