/*
 * xenstore: watches of guests (events on their ring) and of the shim's own
 * code (callbacks).
 *
 * Spec: docs/misc/xenstore.txt (WATCH, UNWATCH, WATCH_EVENT: a watch fires
 * once when set, then for every change at or below its path; relative
 * watch paths give relative event paths); C xenstored watch.c for the rest:
 * a guest only sees events for nodes it can read, or whose parent it can
 * read; an event identical to one still queued is dropped; a watch with the
 * same path and token as an existing one is EEXIST; over quota is E2BIG.
 *
 * Bounded memory: a guest's events go to its connection's output queue
 * (ring.c). When an event does not fit, the watch is marked and, once
 * there is room, gets ONE event naming the watched path itself; the guest
 * re-reads what it watches (Linux's watch handlers read the state they
 * care about anyway). dom0 events go to a fixed queue of XSD_D0_QUEUE
 * entries with the same overflow rule, and are delivered by
 * xs_dom0_run_watches() outside any store operation.
 *
 * Single-threaded (see include/xhv/xenstore.h).
 */
#include "private.h"

#define XSD_D0_QUEUE    128

struct d0_watch {
    bool used;
    bool overflow;
    xs_watch_fn fn;
    void *ctx;
    uint32_t len;
    char path[XS_DOM0_PATH_MAX];
};

struct d0_event {
    int32_t w;
    uint32_t len;
    char path[XS_DOM0_PATH_MAX];
};

static struct xsd_watch watches[XSD_WATCH_MAX];
static struct d0_watch d0w[XS_DOM0_WATCH_MAX];
static struct d0_event d0q[XSD_D0_QUEUE];
static uint32_t d0q_head, d0q_tail;     /* free-running */
static bool d0_delivering;
static char evbuf[XENSTORE_PAYLOAD_MAX];

void xsd_watch_moved(uint32_t idx, uint32_t off)
{
    watches[idx].blob = off;
}

void xsd_watch_reset(void)
{
    memset(watches, 0, sizeof(watches));
    memset(d0w, 0, sizeof(d0w));
    d0q_head = d0q_tail = 0;
    d0_delivering = false;
}

static const char *wpath(const struct xsd_watch *w)
{
    return xsd_arena_ptr(w->blob);
}

static const char *wtoken(const struct xsd_watch *w)
{
    return (const char *)xsd_arena_ptr(w->blob) + w->pathlen + 1;
}

int xsd_watch_add(struct xs_conn *conn, const char *path, size_t plen,
                  uint32_t prefix, const char *token, size_t tlen)
{
    int i, slot = -1, err;
    uint32_t off;
    char *d;

    for (i = 0; i < XSD_WATCH_MAX; i++) {
        const struct xsd_watch *w = &watches[i];

        if (!w->used) {
            if (slot < 0)
                slot = i;
            continue;
        }
        if (w->conn == conn && w->pathlen == plen && w->toklen == tlen &&
            !memcmp(wpath(w), path, plen) && !memcmp(wtoken(w), token, tlen))
            return XEN_EEXIST;
    }
    if (conn->nr_watches >= XS_QUOTA_WATCHES || slot < 0)
        return XEN_E2BIG;
    off = xsd_arena_alloc((uint32_t)(plen + tlen + 2), XSD_OWN_WATCH(slot),
                          conn->domid, true, &err);
    if (off == XSD_NONE)
        return err;
    d = xsd_arena_ptr(off);
    memcpy(d, path, plen);
    d[plen] = '\0';
    memcpy(d + plen + 1, token, tlen);
    d[plen + 1 + tlen] = '\0';
    watches[slot] = (struct xsd_watch){
        .used = true, .conn = conn, .blob = off, .pathlen = (uint32_t)plen,
        .toklen = (uint32_t)tlen, .prefix = prefix,
    };
    conn->nr_watches++;
    return 0;
}

static void watch_free(struct xsd_watch *w)
{
    xsd_arena_free(w->blob);
    if (w->conn->nr_watches)
        w->conn->nr_watches--;
    memset(w, 0, sizeof(*w));
}

int xsd_watch_del(struct xs_conn *conn, const char *path, size_t plen,
                  const char *token, size_t tlen)
{
    int i;

    for (i = 0; i < XSD_WATCH_MAX; i++) {
        struct xsd_watch *w = &watches[i];

        if (w->used && w->conn == conn && w->pathlen == plen &&
            w->toklen == tlen && !memcmp(wpath(w), path, plen) &&
            !memcmp(wtoken(w), token, tlen)) {
            watch_free(w);
            return 0;
        }
    }
    return XEN_ENOENT;
}

void xsd_watch_drop_conn(struct xs_conn *conn)
{
    int i;

    for (i = 0; i < XSD_WATCH_MAX; i++)
        if (watches[i].used && watches[i].conn == conn)
            watch_free(&watches[i]);
}

/*
 * Queue "path NUL token NUL" for w, path being key without the watch's
 * relative prefix. Never allocates from the arena (key may live there).
 */
static void guest_event(struct xsd_watch *w, const char *key, size_t klen)
{
    struct xs_conn *c = w->conn;
    size_t pl, total;

    if (c->broken || klen < w->prefix)
        return;
    pl = klen - w->prefix;
    total = pl + 1 + w->toklen + 1;
    if (total > XENSTORE_PAYLOAD_MAX)
        return;             /* as xenstored: over-long events are dropped */
    if (w->overflow) {
        c->st.events_coalesced++;
        return;             /* the pending catch-all event covers it */
    }
    memcpy(evbuf, key + w->prefix, pl);
    evbuf[pl] = '\0';
    memcpy(evbuf + pl + 1, wtoken(w), w->toklen);
    evbuf[pl + 1 + w->toklen] = '\0';
    if (key[0] == '/' && xsd_out_has_event(c, evbuf, total))
        return;
    if (xsd_out_put(c, XS_WATCH_EVENT, 0, 0, evbuf, total, NULL, 0, true)) {
        c->st.events++;
    } else {
        w->overflow = true;
        c->st.events_coalesced++;
    }
}

/* The event a new watch gets at once (also the catch-all of an overflow). */
static void own_path_event(struct xsd_watch *w)
{
    guest_event(w, wpath(w), w->pathlen);
}

void xsd_watch_flush_overflow(struct xs_conn *conn)
{
    int i;

    for (i = 0; i < XSD_WATCH_MAX; i++) {
        struct xsd_watch *w = &watches[i];

        if (!w->used || w->conn != conn || !w->overflow)
            continue;
        w->overflow = false;
        own_path_event(w);
        if (w->overflow)
            break;          /* still full */
    }
}

/* Fire the initial event of the newest watch matching path and token. */
void xsd_watch_fire_new(struct xs_conn *conn, const char *path, size_t plen,
                        const char *token, size_t tlen)
{
    int i;

    for (i = 0; i < XSD_WATCH_MAX; i++) {
        struct xsd_watch *w = &watches[i];

        if (w->used && w->conn == conn && w->pathlen == plen &&
            w->toklen == tlen && !memcmp(wpath(w), path, plen) &&
            !memcmp(wtoken(w), token, tlen)) {
            own_path_event(w);
            return;
        }
    }
}

/* xenstored watch_permitted(): the node or its parent readable by conn. */
static bool permitted(struct xs_conn *conn, const char *key, size_t len,
                      const struct xsd_rec *r)
{
    struct xsd_caller c = { .domid = conn->domid, .conn = conn, .tx = -1 };
    size_t pl;
    int p;

    if (!r) {
        int g = xsd_find(key, len, 0);

        if (g < 0)
            return false;
        r = &xsd_recs[g];
    }
    if (xsd_perm_for(&c, r) & XS_PERM_READ)
        return true;
    pl = xsd_parent_len(key, len);
    p = pl == 1 ? xsd_find("/", 1, 0) : xsd_find(key, pl, 0);
    return p >= 0 && (xsd_perm_for(&c, &xsd_recs[p]) & XS_PERM_READ);
}

static bool matches(const char *key, size_t len, const char *wp, size_t wl,
                    bool exact)
{
    if (exact)
        return len == wl && !memcmp(key, wp, len);
    return xsd_is_child(key, len, wp, wl);
}

static void d0_queue(int wi, const char *key, size_t len)
{
    struct d0_event *e;

    if (len >= XS_DOM0_PATH_MAX || d0q_tail - d0q_head >= XSD_D0_QUEUE) {
        d0w[wi].overflow = true;
        return;
    }
    e = &d0q[d0q_tail++ % XSD_D0_QUEUE];
    e->w = wi;
    e->len = (uint32_t)len;
    memcpy(e->path, key, len);
    e->path[len] = '\0';
}

/*
 * Node key changed. exact: only watches on exactly key (the nodes below a
 * removed one). r: the node, for permission checks (NULL: look it up).
 */
void xsd_fire(const char *key, size_t len, bool exact, const struct xsd_rec *r)
{
    int i;

    for (i = 0; i < XSD_WATCH_MAX; i++) {
        struct xsd_watch *w = &watches[i];

        if (w->used && matches(key, len, wpath(w), w->pathlen, exact) &&
            permitted(w->conn, key, len, r))
            guest_event(w, key, len);
    }
    for (i = 0; i < XS_DOM0_WATCH_MAX; i++)
        if (d0w[i].used && matches(key, len, d0w[i].path, d0w[i].len, exact))
            d0_queue(i, key, len);
}

int xs_dom0_watch(const char *path, xs_watch_fn fn, void *ctx)
{
    static char canon[XSD_PATH_BUF];
    struct xsd_caller c = { .domid = 0, .priv = true, .tx = -1 };
    size_t len;
    int i, err;

    if (!path || !fn)
        return -XEN_EINVAL;
    err = xsd_canon(&c, path, true, canon, &len, NULL);
    if (err)
        return -err;
    if (len >= XS_DOM0_PATH_MAX)
        return -XEN_EINVAL;
    for (i = 0; i < XS_DOM0_WATCH_MAX; i++) {
        if (d0w[i].used)
            continue;
        d0w[i] = (struct d0_watch){
            .used = true, .fn = fn, .ctx = ctx, .len = (uint32_t)len,
        };
        memcpy(d0w[i].path, canon, len + 1);
        d0_queue(i, canon, len);
        xs_dom0_run_watches();
        return i;
    }
    return -XEN_ENOSPC;
}

int xs_dom0_unwatch(int h)
{
    if (h < 0 || h >= XS_DOM0_WATCH_MAX || !d0w[h].used)
        return -XEN_ENOENT;
    memset(&d0w[h], 0, sizeof(d0w[h]));
    return 0;
}

/*
 * Deliver queued dom0 events. Not reentrant: a callback's own changes are
 * queued and delivered by this same loop, bounded per call so a callback
 * that rewrites what it watches cannot loop forever.
 */
void xs_dom0_run_watches(void)
{
    static char cur[XS_DOM0_PATH_MAX];
    unsigned int budget = 4 * XSD_D0_QUEUE;
    int i;

    if (d0_delivering)
        return;
    d0_delivering = true;
    while (budget--) {
        struct d0_watch *w = NULL;

        if (d0q_head != d0q_tail) {
            const struct d0_event *e = &d0q[d0q_head++ % XSD_D0_QUEUE];

            if (!d0w[e->w].used)
                continue;
            w = &d0w[e->w];
            memcpy(cur, e->path, e->len + 1);
        } else {
            for (i = 0; i < XS_DOM0_WATCH_MAX && !w; i++)
                if (d0w[i].used && d0w[i].overflow)
                    w = &d0w[i];
            if (!w)
                break;
            w->overflow = false;
            memcpy(cur, w->path, w->len + 1);
        }
        w->fn(cur, w->ctx);
    }
    d0_delivering = false;
}
