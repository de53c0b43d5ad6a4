/*
 * Event channels, 2-level ABI (include/xhv/event.h), with Xen's semantics
 * (xen/common/event_channel.c, event_2l.c):
 *  - a port is pending when its bit in evtchn_pending is set; if it is not
 *    masked, its selector bit in the notified vCPU's evtchn_pending_sel and
 *    that vCPU's evtchn_upcall_pending are set too, which makes the entry
 *    path deliver an upcall once the vCPU's upcall mask is clear;
 *  - unmasking a pending port re-raises the upcall the same way;
 *  - the bitmaps live in shared_info, which the guest writes concurrently
 *    from every vCPU: every update is an atomic bit operation;
 *  - a vCPU on another CPU hears of a new upcall, or of a newly pending
 *    port while it polls (SCHEDOP_poll, even for a masked port), through
 *    vcpu_kick(). The order that makes the wake-up race-free: the sender
 *    sets the pending bit, then reads v->blocked; the poller sets
 *    v->blocked, then reads the pending bits (all sequentially
 *    consistent), so at least one of them sees the other.
 * Port 0 is never allocated (reserved, as in Xen).
 *
 * Locking: d->evtchn_lock covers the port table (states, bindings). Raising
 * a port needs no lock beyond what makes the port's binding stable. A
 * backend's handler runs without the lock (it notifies the guest back
 * through evtchn_notify_guest, which takes it).
 */
#include <xhv/event.h>
#include <xhv/log.h>
#include <xhv/string.h>

#define BITS_PER_WORD   (sizeof(xen_ulong_t) * 8)

enum ecs {
    ECS_FREE = 0,
    ECS_RESERVED,
    ECS_UNBOUND,
    ECS_INTERDOMAIN,
    ECS_VIRQ,
    ECS_IPI,
};

struct evtchn {
    uint8_t state;
    uint16_t notify_vcpu;
    domid_t remote_dom;             /* UNBOUND, INTERDOMAIN */
    evtchn_port_t remote_port;      /* INTERDOMAIN to the guest itself */
    uint32_t virq;                  /* VIRQ */
    evtchn_backend_fn backend;      /* INTERDOMAIN to dom0 (the shim) */
    void *backend_ctx;
};

/* One guest domain: its ports and its per-vCPU VIRQ bindings. */
static struct evtchn ports[EVTCHN_NR_PORTS];
static evtchn_port_t virq_port[XHV_MAX_VCPUS][NR_VIRQS];

static bool test_and_set(xen_ulong_t *w, unsigned int bit)
{
    xen_ulong_t m = (xen_ulong_t)1 << bit;

    return __atomic_fetch_or(w, m, __ATOMIC_SEQ_CST) & m;
}

static void clear_bit_atomic(xen_ulong_t *w, unsigned int bit)
{
    __atomic_fetch_and(w, ~((xen_ulong_t)1 << bit), __ATOMIC_SEQ_CST);
}

static bool test_bit_atomic(const xen_ulong_t *w, unsigned int bit)
{
    return (__atomic_load_n(w, __ATOMIC_SEQ_CST) >> bit) & 1;
}

static struct vcpu *port_vcpu(struct domain *d, const struct evtchn *e)
{
    return &d->vcpus[e->notify_vcpu < d->nr_vcpus ? e->notify_vcpu : 0];
}

/* Raise the upcall for a pending, unmasked port on its vCPU. */
static void raise_upcall(struct domain *d, evtchn_port_t port)
{
    struct vcpu *v = port_vcpu(d, &ports[port]);
    vcpu_info_t *vi = v->vcpu_info;

    if (!vi)
        return;
    if (!test_and_set(&vi->evtchn_pending_sel, port / BITS_PER_WORD) &&
        !__atomic_exchange_n(&vi->evtchn_upcall_pending, 1,
                             __ATOMIC_SEQ_CST))
        vcpu_kick(v);
}

static void set_pending(struct domain *d, evtchn_port_t port)
{
    shared_info_t *s = d->shared_info;
    unsigned int w = port / BITS_PER_WORD, b = port % BITS_PER_WORD;
    struct vcpu *v;

    if (test_and_set(&s->evtchn_pending[w], b))
        return;
    if (!test_bit_atomic(&s->evtchn_mask[w], b)) {
        raise_upcall(d, port);
        return;
    }
    /* Masked: only a vCPU polling (or blocked) on it needs to look. */
    v = port_vcpu(d, &ports[port]);
    if (__atomic_load_n(&v->blocked, __ATOMIC_SEQ_CST))
        vcpu_kick(v);
}

void evtchn_domain_init(struct domain *d)
{
    memset(ports, 0, sizeof(ports));
    memset(virq_port, 0, sizeof(virq_port));
    ports[0].state = ECS_RESERVED;
}

static bool port_valid(evtchn_port_t p)
{
    return p < EVTCHN_NR_PORTS;
}

/* The lowest free port, or 0 if none. */
static evtchn_port_t get_free_port(void)
{
    evtchn_port_t p;

    for (p = 1; p < EVTCHN_NR_PORTS; p++)
        if (ports[p].state == ECS_FREE)
            return p;
    return 0;
}

int evtchn_reserve(struct domain *d, evtchn_port_t port)
{
    if (!port_valid(port) || port == 0 || ports[port].state != ECS_FREE)
        return -XEN_EINVAL;
    ports[port].state = ECS_RESERVED;
    return 0;
}

int evtchn_bind_backend(struct domain *d, evtchn_port_t port,
                        evtchn_backend_fn fn, void *ctx)
{
    if (!port_valid(port) || port == 0 ||
        (ports[port].state != ECS_FREE && ports[port].state != ECS_RESERVED))
        return -XEN_EINVAL;
    ports[port].state = ECS_INTERDOMAIN;
    ports[port].remote_dom = 0;
    ports[port].backend = fn;
    ports[port].backend_ctx = ctx;
    ports[port].notify_vcpu = 0;
    return 0;
}

void evtchn_notify_guest(struct domain *d, evtchn_port_t port)
{
    spin_lock(&d->evtchn_lock);
    if (port_valid(port) && ports[port].state == ECS_INTERDOMAIN)
        set_pending(d, port);
    spin_unlock(&d->evtchn_lock);
}

void evtchn_send_virq(struct vcpu *v, unsigned int virq)
{
    evtchn_port_t p;

    if (virq >= NR_VIRQS)
        return;
    spin_lock(&v->domain->evtchn_lock);
    p = virq_port[v->vcpu_id][virq];
    if (p)
        set_pending(v->domain, p);
    spin_unlock(&v->domain->evtchn_lock);
}

bool evtchn_port_pending(struct domain *d, evtchn_port_t port)
{
    if (!port_valid(port))
        return false;
    return test_bit_atomic(&d->shared_info->evtchn_pending[port /
                                                           BITS_PER_WORD],
                           port % BITS_PER_WORD);
}

/* VIRQs that are per vCPU; the rest are global (bound on vCPU 0 only). */
static bool virq_is_percpu(unsigned int virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG ||
           virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

static long bind_virq(struct domain *d, struct evtchn_bind_virq *b)
{
    evtchn_port_t p;

    if (b->virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (b->vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    if (!virq_is_percpu(b->virq) && b->vcpu != 0)
        return -XEN_EINVAL;
    if (virq_port[b->vcpu][b->virq])
        return -XEN_EEXIST;
    p = get_free_port();
    if (!p)
        return -XEN_ENOSPC;
    ports[p].state = ECS_VIRQ;
    ports[p].virq = b->virq;
    ports[p].notify_vcpu = (uint16_t)b->vcpu;
    virq_port[b->vcpu][b->virq] = p;
    b->port = p;
    return 0;
}

static long bind_ipi(struct domain *d, struct evtchn_bind_ipi *b)
{
    evtchn_port_t p;

    if (b->vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    p = get_free_port();
    if (!p)
        return -XEN_ENOSPC;
    ports[p].state = ECS_IPI;
    ports[p].notify_vcpu = (uint16_t)b->vcpu;
    b->port = p;
    return 0;
}

static long alloc_unbound(struct domain *d, struct evtchn_alloc_unbound *a)
{
    evtchn_port_t p;

    if (a->dom != DOMID_SELF && a->dom != d->domid)
        return -XEN_EPERM;          /* only dom0 may allocate for others */
    if (a->remote_dom != DOMID_SELF && a->remote_dom != d->domid &&
        a->remote_dom != 0)
        return -XEN_ESRCH;
    p = get_free_port();
    if (!p)
        return -XEN_ENOSPC;
    ports[p].state = ECS_UNBOUND;
    ports[p].remote_dom = a->remote_dom == DOMID_SELF ? d->domid
                                                      : a->remote_dom;
    ports[p].notify_vcpu = 0;
    a->port = p;
    return 0;
}

/*
 * bind_interdomain: to one of the guest's own unbound ports (loopback), as
 * Xen allows; the shim's backends connect their ports themselves, so dom0
 * has no unbound port a guest could bind to: -EINVAL, as Xen answers for a
 * remote port that is not unbound-for-us.
 */
static long bind_interdomain(struct domain *d,
                             struct evtchn_bind_interdomain *b)
{
    evtchn_port_t p, r = b->remote_port;

    if (b->remote_dom != DOMID_SELF && b->remote_dom != d->domid) {
        if (b->remote_dom == 0)
            return -XEN_EINVAL;
        return -XEN_ESRCH;
    }
    if (!port_valid(r) || ports[r].state != ECS_UNBOUND ||
        ports[r].remote_dom != d->domid)
        return -XEN_EINVAL;
    p = get_free_port();
    if (!p)
        return -XEN_ENOSPC;
    ports[p].state = ECS_INTERDOMAIN;
    ports[p].remote_dom = d->domid;
    ports[p].remote_port = r;
    ports[p].notify_vcpu = 0;
    ports[r].state = ECS_INTERDOMAIN;
    ports[r].remote_dom = d->domid;
    ports[r].remote_port = p;
    b->local_port = p;
    /* Xen raises the new port, in case the other end already signalled. */
    set_pending(d, p);
    return 0;
}

static void close_port(struct domain *d, evtchn_port_t p)
{
    struct evtchn *e = &ports[p];

    switch (e->state) {
    case ECS_VIRQ:
        if (virq_port[e->notify_vcpu][e->virq] == p)
            virq_port[e->notify_vcpu][e->virq] = 0;
        break;
    case ECS_INTERDOMAIN:
        if (!e->backend && e->remote_port != p &&
            port_valid(e->remote_port) &&
            ports[e->remote_port].state == ECS_INTERDOMAIN) {
            /* The other end goes back to waiting, as in Xen. */
            ports[e->remote_port].state = ECS_UNBOUND;
            ports[e->remote_port].remote_port = 0;
        }
        break;
    default:
        break;
    }
    memset(e, 0, sizeof(*e));
    clear_bit_atomic(&d->shared_info->evtchn_pending[p / BITS_PER_WORD],
                     p % BITS_PER_WORD);
}

static long evtchn_close(struct domain *d, evtchn_port_t p)
{
    if (!port_valid(p) || p == 0)
        return -XEN_EINVAL;
    if (ports[p].state == ECS_FREE)
        return -XEN_EINVAL;
    if (ports[p].backend)
        return -XEN_EINVAL;     /* the shim's backend ports stay */
    close_port(d, p);
    return 0;
}

/*
 * Called with the lock held; a backend port's handler is returned in *fn
 * for the caller to run once the lock is dropped.
 */
static long evtchn_send(struct domain *d, evtchn_port_t p,
                        evtchn_backend_fn *fn, void **ctx)
{
    struct evtchn *e;

    if (!port_valid(p))
        return -XEN_EINVAL;
    e = &ports[p];
    switch (e->state) {
    case ECS_INTERDOMAIN:
        if (e->backend) {
            *fn = e->backend;
            *ctx = e->backend_ctx;
        } else {
            set_pending(d, e->remote_port);
        }
        return 0;
    case ECS_IPI:
        set_pending(d, p);
        return 0;
    case ECS_UNBOUND:
        return 0;               /* nobody listens yet: dropped, as Xen */
    default:
        return -XEN_EINVAL;
    }
}

static long evtchn_unmask(struct domain *d, evtchn_port_t p)
{
    shared_info_t *s = d->shared_info;
    unsigned int w = p / BITS_PER_WORD, b = p % BITS_PER_WORD;

    if (!port_valid(p))
        return -XEN_EINVAL;
    clear_bit_atomic(&s->evtchn_mask[w], b);
    if (test_bit_atomic(&s->evtchn_pending[w], b))
        raise_upcall(d, p);
    return 0;
}

static long evtchn_status(struct domain *d, struct evtchn_status *st)
{
    const struct evtchn *e;

    if (st->dom != DOMID_SELF && st->dom != d->domid)
        return -XEN_EPERM;
    if (!port_valid(st->port))
        return -XEN_EINVAL;
    e = &ports[st->port];
    st->vcpu = e->notify_vcpu;
    switch (e->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        st->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = e->remote_dom;
        break;
    case ECS_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = e->backend ? 0 : e->remote_dom;
        st->u.interdomain.port = e->backend ? 0 : e->remote_port;
        break;
    case ECS_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = e->virq;
        break;
    case ECS_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    }
    return 0;
}

static long evtchn_bind_vcpu(struct domain *d, evtchn_port_t p,
                             unsigned int vcpu)
{
    struct evtchn *e;

    if (!port_valid(p))
        return -XEN_EINVAL;
    if (vcpu >= d->nr_vcpus)
        return -XEN_ENOENT;
    e = &ports[p];
    switch (e->state) {
    case ECS_VIRQ:
        if (virq_is_percpu(e->virq))
            return -XEN_EINVAL;
        e->notify_vcpu = (uint16_t)vcpu;
        return 0;
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
        e->notify_vcpu = (uint16_t)vcpu;
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

static long evtchn_reset(struct domain *d, domid_t dom)
{
    evtchn_port_t p;

    if (dom != DOMID_SELF && dom != d->domid)
        return -XEN_EPERM;
    for (p = 1; p < EVTCHN_NR_PORTS; p++)
        if (ports[p].state != ECS_FREE && !ports[p].backend)
            close_port(d, p);
    return 0;
}

#include <xhv/guest_access.h>

#define COPY_IN(x)  do { if (copy_from_guest(&(x), arg, sizeof(x)))      \
                             return -XEN_EFAULT; } while (0)
#define COPY_OUT(x) (copy_to_guest(arg, &(x), sizeof(x)) ? -XEN_EFAULT : 0)

/* Under d->evtchn_lock (copies from the guest may fault: fixups only). */
static long evtchn_op_locked(struct vcpu *v, uint64_t cmd, uint64_t arg,
                             evtchn_backend_fn *fn, void **ctx,
                             evtchn_port_t *fn_port)
{
    struct domain *d = v->domain;
    long rc;

    switch (cmd) {
    case EVTCHNOP_bind_virq: {
        struct evtchn_bind_virq b;

        COPY_IN(b);
        rc = bind_virq(d, &b);
        return rc ? rc : COPY_OUT(b);
    }
    case EVTCHNOP_bind_ipi: {
        struct evtchn_bind_ipi b;

        COPY_IN(b);
        rc = bind_ipi(d, &b);
        return rc ? rc : COPY_OUT(b);
    }
    case EVTCHNOP_alloc_unbound: {
        struct evtchn_alloc_unbound a;

        COPY_IN(a);
        rc = alloc_unbound(d, &a);
        return rc ? rc : COPY_OUT(a);
    }
    case EVTCHNOP_bind_interdomain: {
        struct evtchn_bind_interdomain b;

        COPY_IN(b);
        rc = bind_interdomain(d, &b);
        return rc ? rc : COPY_OUT(b);
    }
    case EVTCHNOP_close: {
        struct evtchn_close c;

        COPY_IN(c);
        return evtchn_close(d, c.port);
    }
    case EVTCHNOP_send: {
        struct evtchn_send s;

        COPY_IN(s);
        *fn_port = s.port;
        return evtchn_send(d, s.port, fn, ctx);
    }
    case EVTCHNOP_status: {
        struct evtchn_status st;

        COPY_IN(st);
        rc = evtchn_status(d, &st);
        return rc ? rc : COPY_OUT(st);
    }
    case EVTCHNOP_bind_vcpu: {
        struct evtchn_bind_vcpu b;

        COPY_IN(b);
        return evtchn_bind_vcpu(d, b.port, b.vcpu);
    }
    case EVTCHNOP_unmask: {
        struct evtchn_unmask u;

        COPY_IN(u);
        return evtchn_unmask(d, u.port);
    }
    case EVTCHNOP_reset: {
        struct evtchn_reset r;

        COPY_IN(r);
        return evtchn_reset(d, r.dom);
    }
    case EVTCHNOP_bind_pirq:            /* no physical IRQs in a domU */
        return -XEN_EPERM;
    default:
        /* init_control, expand_array (FIFO), set_priority (2-level has
         * no priorities; Xen answers -ENOSYS too), reset_cont. */
        return -XEN_ENOSYS;
    }
}

long do_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                         uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = v->domain;
    evtchn_backend_fn fn = NULL;
    void *ctx = NULL;
    evtchn_port_t port = 0;
    long rc;

    spin_lock(&d->evtchn_lock);
    rc = evtchn_op_locked(v, cmd, arg, &fn, &ctx, &port);
    spin_unlock(&d->evtchn_lock);
    if (fn)
        fn(d, port, ctx);
    return rc;
}

void evtchn_dump(struct domain *d)
{
    static const char *const names[] = {
        "free", "reserved", "unbound", "interdomain", "virq", "ipi",
    };
    shared_info_t *s = d->shared_info;
    evtchn_port_t p;

    printk("Event channels of d%u (2-level):\n", d->domid);
    for (p = 1; p < EVTCHN_NR_PORTS; p++) {
        const struct evtchn *e = &ports[p];

        if (e->state == ECS_FREE)
            continue;
        printk("  port %4u %-11s vcpu %u%s%s", p, names[e->state],
               e->notify_vcpu,
               test_bit_atomic(&s->evtchn_pending[p / BITS_PER_WORD],
                               p % BITS_PER_WORD) ? " pending" : "",
               test_bit_atomic(&s->evtchn_mask[p / BITS_PER_WORD],
                               p % BITS_PER_WORD) ? " masked" : "");
        if (e->state == ECS_VIRQ)
            printk(" virq %u\n", e->virq);
        else if (e->state == ECS_INTERDOMAIN && e->backend)
            printk(" -> shim backend\n");
        else if (e->state == ECS_INTERDOMAIN)
            printk(" -> d%u port %u\n", e->remote_dom, e->remote_port);
        else
            printk("\n");
    }
}
