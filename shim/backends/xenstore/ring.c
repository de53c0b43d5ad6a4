/*
 * xenstore: the guest's ring page and the connection state behind it.
 *
 * Spec: public io/xs_wire.h (struct xenstore_domain_interface, ring size,
 * MASK_XENSTORE_IDX, XENSTORE_PAYLOAD_MAX), docs/misc/xenstore-ring.txt
 * (indices are free-running; the producer writes data, then the index; the
 * consumer reads the index, then the data; server_features, connection and
 * error fields; reconnection), C xenstored domain.c (check_indexes(): prod
 * - cons > ring size is an error; a request longer than the payload maximum
 * is a protocol error; both stop the connection and set error).
 *
 * Everything on the page belongs to the guest and may change at any time:
 * each index is read once per step, checked, and only masked offsets with
 * lengths bounded by the ring are used, so no access leaves req[]/rsp[].
 *
 * Flow control: a request is taken off the ring only when the output queue
 * can hold the largest reply, so replies are never dropped and a guest
 * that does not read its responses simply stops being served (xenstored's
 * "outstanding requests" quota). Watch events keep that much room free
 * and otherwise coalesce (watch.c).
 *
 * Ordering: the page is shared with a guest vCPU; acquire after reading an
 * index, release before publishing one (xenstored's xen_mb()).
 *
 * Single-threaded on the shim side (see include/xhv/xenstore.h).
 */
#include "private.h"
#include <xhv/log.h>

struct xs_conn xsd_conns[XS_CONN_MAX];

static uint32_t rd_idx(const XENSTORE_RING_IDX *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void wr_idx(XENSTORE_RING_IDX *p, uint32_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

void xsd_conn_reset_state(struct xs_conn *c)
{
    xsd_watch_drop_conn(c);
    xsd_tx_drop_conn(c);
    c->in_used = 0;
    c->out_len = c->out_msg0 = c->out_sent = 0;
}

static void conn_break(struct xs_conn *c, uint32_t why, const char *what)
{
    c->broken = true;
    c->broken_why = why;
    __atomic_store_n(&c->intf->error, why, __ATOMIC_RELEASE);
    printk(XLOG_G_WARN "xenstore: d%u: %s: connection stopped\n", c->domid,
           what);
    xsd_conn_reset_state(c);
}

struct xs_conn *xs_conn_attach(unsigned int domid,
                               struct xenstore_domain_interface *intf,
                               void (*notify)(void *ctx), void *ctx)
{
    struct xs_conn *c = NULL;
    unsigned int i;

    if (!domid || domid > 0xffff || !intf)
        return NULL;
    for (i = 0; i < XS_CONN_MAX; i++) {
        if (xsd_conns[i].used && xsd_conns[i].domid == domid)
            return NULL;
        if (!xsd_conns[i].used && !c)
            c = &xsd_conns[i];
    }
    if (!c)
        return NULL;
    memset(c, 0, sizeof(*c));
    c->used = true;
    c->domid = (uint16_t)domid;
    c->intf = intf;
    c->notify = notify;
    c->notify_ctx = ctx;
    c->next_tx_id = 1;
    xsd_acct(c->domid, true);
    __atomic_store_n(&intf->server_features,
                     XENSTORE_SERVER_FEATURE_RECONNECTION |
                     XENSTORE_SERVER_FEATURE_ERROR, __ATOMIC_RELEASE);
    return c;
}

static uint32_t queued(const struct xs_conn *c)
{
    return c->out_len - c->out_msg0;
}

/*
 * Append one message. reserve: keep room for a largest reply after it
 * (events must not starve the reply of the request being handled).
 */
bool xsd_out_put(struct xs_conn *c, uint32_t type, uint32_t req_id,
                 uint32_t tx_id, const void *p1, size_t l1, const void *p2,
                 size_t l2, bool reserve)
{
    struct xsd_sockmsg h = {
        .type = type, .req_id = req_id, .tx_id = tx_id,
        .len = (uint32_t)(l1 + l2),
    };
    uint32_t total = (uint32_t)(sizeof(h) + l1 + l2);
    uint32_t need = total + (reserve ? (uint32_t)XSD_MSG_MAX : 0);

    if (l1 + l2 > XENSTORE_PAYLOAD_MAX || queued(c) + need > XSD_OUT_SIZE)
        return false;
    if (c->out_len + total > XSD_OUT_SIZE) {
        memmove(c->out, c->out + c->out_msg0, queued(c));
        c->out_len -= c->out_msg0;
        c->out_sent -= c->out_msg0;
        c->out_msg0 = 0;
    }
    memcpy(c->out + c->out_len, &h, sizeof(h));
    if (l1)
        memcpy(c->out + c->out_len + sizeof(h), p1, l1);
    if (l2)
        memcpy(c->out + c->out_len + sizeof(h) + l1, p2, l2);
    c->out_len += total;
    return true;
}

/* Is an identical watch event still queued (xenstored drops the copy)? */
bool xsd_out_has_event(const struct xs_conn *c, const char *p, size_t len)
{
    uint32_t pos = c->out_msg0;
    struct xsd_sockmsg h;

    /* Invariant: pos starts a queued message. */
    while (pos < c->out_len) {
        memcpy(&h, c->out + pos, sizeof(h));
        if (h.type == XS_WATCH_EVENT && h.len == len &&
            !memcmp(c->out + pos + sizeof(h), p, len))
            return true;
        pos += (uint32_t)sizeof(h) + h.len;
    }
    return false;
}

/* Copy queued bytes into rsp[]. Returns true if any were written. */
bool xsd_out_flush(struct xs_conn *c)
{
    struct xenstore_domain_interface *intf = c->intf;
    uint32_t cons, prod, start;
    struct xsd_sockmsg h;

    if (c->broken || c->out_sent == c->out_len)
        return false;
    cons = rd_idx(&intf->rsp_cons);
    prod = rd_idx(&intf->rsp_prod);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (prod - cons > XENSTORE_RING_SIZE) {
        conn_break(c, XENSTORE_ERROR_RINGIDX, "bad response ring indices");
        return false;
    }
    start = prod;
    /* Invariant: prod - cons <= XENSTORE_RING_SIZE. */
    while (c->out_sent < c->out_len && prod - cons < XENSTORE_RING_SIZE) {
        uint32_t n = XENSTORE_RING_SIZE - (prod - cons);

        n = MIN(n, XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod));
        n = MIN(n, c->out_len - c->out_sent);
        memcpy(&intf->rsp[MASK_XENSTORE_IDX(prod)], c->out + c->out_sent, n);
        c->out_sent += n;
        prod += n;
    }
    if (prod != start) {
        __atomic_thread_fence(__ATOMIC_RELEASE);
        wr_idx(&intf->rsp_prod, prod);
    }
    /* Drop the messages sent completely. */
    while (c->out_msg0 < c->out_len) {
        memcpy(&h, c->out + c->out_msg0, sizeof(h));
        if (c->out_msg0 + sizeof(h) + h.len > c->out_sent)
            break;
        c->out_msg0 += (uint32_t)sizeof(h) + h.len;
    }
    if (c->out_msg0 == c->out_len)
        c->out_len = c->out_msg0 = c->out_sent = 0;
    return prod != start;
}

/*
 * Move request bytes from req[] into c->in, up to the end of the current
 * message. Returns bytes taken, or -1 if the connection broke.
 */
static int read_req(struct xs_conn *c)
{
    struct xenstore_domain_interface *intf = c->intf;
    uint32_t cons, prod, want, n, total = 0;
    struct xsd_sockmsg h;

    cons = rd_idx(&intf->req_cons);
    prod = rd_idx(&intf->req_prod);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (prod - cons > XENSTORE_RING_SIZE) {
        conn_break(c, XENSTORE_ERROR_RINGIDX, "bad request ring indices");
        return -1;
    }
    /* Invariant: in[0, in_used) is a prefix of one message. */
    for (;;) {
        if (c->in_used < sizeof(h)) {
            want = (uint32_t)sizeof(h) - c->in_used;
        } else {
            memcpy(&h, c->in, sizeof(h));
            want = (uint32_t)sizeof(h) + h.len - c->in_used;
        }
        n = MIN(want, prod - cons);
        n = MIN(n, XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons));
        if (!n)
            break;
        memcpy(c->in + c->in_used, &intf->req[MASK_XENSTORE_IDX(cons)], n);
        c->in_used += n;
        cons += n;
        total += n;
        if (c->in_used == sizeof(h)) {
            memcpy(&h, c->in, sizeof(h));
            if (h.len > XENSTORE_PAYLOAD_MAX)
                break;
        }
    }
    if (total) {
        /* Our reads are done before the guest may reuse the space. */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        wr_idx(&intf->req_cons, cons);
    }
    if (c->in_used >= sizeof(h)) {
        memcpy(&h, c->in, sizeof(h));
        if (h.len > XENSTORE_PAYLOAD_MAX) {
            conn_break(c, XENSTORE_ERROR_PROTO, "request over payload maximum");
            return -1;
        }
    }
    return (int)total;
}

static bool msg_complete(const struct xs_conn *c)
{
    struct xsd_sockmsg h;

    if (c->in_used < sizeof(h))
        return false;
    memcpy(&h, c->in, sizeof(h));
    return c->in_used == sizeof(h) + h.len;
}

/* The guest set connection = RECONNECT: start afresh (xenstore-ring.txt). */
static void reconnect(struct xs_conn *c)
{
    struct xenstore_domain_interface *intf = c->intf;

    xsd_conn_reset_state(c);
    c->broken = false;
    c->broken_why = XENSTORE_ERROR_NONE;
    wr_idx(&intf->req_cons, 0);
    wr_idx(&intf->req_prod, 0);
    wr_idx(&intf->rsp_cons, 0);
    wr_idx(&intf->rsp_prod, 0);
    __atomic_store_n(&intf->error, XENSTORE_ERROR_NONE, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&intf->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
}

bool xs_ring_process(struct xs_conn *c)
{
    unsigned int budget = XSD_RING_BUDGET;
    bool notify = false;
    int n;

    if (!c || !c->used)
        return false;
    if (__atomic_load_n(&c->intf->connection, __ATOMIC_ACQUIRE) ==
        XENSTORE_RECONNECT) {
        reconnect(c);
        notify = true;
    }
    if (c->broken)
        return notify;
    /* Invariant: each turn sends output, handles a message or reads input. */
    for (;;) {
        if (xsd_out_flush(c))
            notify = true;
        if (c->broken)
            break;
        if (msg_complete(c)) {
            struct xsd_sockmsg h;

            if (!budget || XSD_OUT_SIZE - queued(c) < XSD_MSG_MAX)
                break;
            budget--;
            memcpy(&h, c->in, sizeof(h));
            c->in[c->in_used] = 0;  /* payload strings end inside in[] */
            c->in_used = 0;
            xsd_handle(c, &h, (char *)c->in + sizeof(h));
            continue;
        }
        n = read_req(c);
        if (n <= 0)
            break;
        notify = true;      /* the guest may be waiting for req[] space */
    }
    xs_dom0_run_watches();
    if (!c->broken) {
        xsd_watch_flush_overflow(c);
        if (xsd_out_flush(c))
            notify = true;
    }
    xsd_kick_all(c);
    return notify;
}

bool xs_ring_pending(const struct xs_conn *c)
{
    return c && c->used && !c->broken && msg_complete(c);
}

bool xs_conn_broken(const struct xs_conn *c, uint32_t *why)
{
    if (why)
        *why = c->broken_why;
    return c->broken;
}

/* Push out events that dom0's changes queued; notify the guests. */
void xsd_kick_all(const struct xs_conn *except)
{
    unsigned int i;

    for (i = 0; i < XS_CONN_MAX; i++) {
        struct xs_conn *c = &xsd_conns[i];

        if (!c->used || c->broken || c == except)
            continue;
        xsd_watch_flush_overflow(c);
        if (xsd_out_flush(c) && c->notify)
            c->notify(c->notify_ctx);
    }
}

void xs_conn_get_stats(const struct xs_conn *c, struct xs_conn_stats *st)
{
    struct xsd_acct *a = xsd_acct(c->domid, false);

    *st = c->st;
    st->nodes = a ? a->nodes : 0;
    st->bytes = a ? a->bytes : 0;
    st->watches = c->nr_watches;
    st->transactions = c->nr_tx;
}
