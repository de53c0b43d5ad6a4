/*
 * xenstore: transactions.
 *
 * Spec: docs/misc/xenstore.txt (TRANSACTION_START/END: "T" commits, "F"
 * aborts; EAGAIN means the commit lost a race and the client retries);
 * C xenstored transaction.c for the mechanism: every node a transaction
 * touches gets a shadow keyed by path and transaction, remembering the
 * node's generation at the first access; modified shadows carry the new
 * content (or a deletion). Commit fails with EAGAIN if any remembered
 * generation differs from the global node's now (a node that did not exist
 * is generation XSD_NO_GEN), else copies the modified shadows into the
 * global tree, in access order, firing the watches queued for them.
 *
 * Each transaction is bounded by XS_QUOTA_TX_NODES shadows (ENOSPC beyond,
 * which also fails the transaction, as xenstored does); a connection by
 * XS_QUOTA_TRANSACTIONS open transactions.
 *
 * Single-threaded (see include/xhv/xenstore.h).
 */
#include "private.h"

struct xsd_tx xsd_txs[XSD_TX_MAX];

void xsd_tx_reset(void)
{
    memset(xsd_txs, 0, sizeof(xsd_txs));
}

/* tx_id 0 is "none" (*slot = -1); an unknown id is XEN_ENOENT. */
int xsd_tx_lookup(struct xs_conn *conn, uint32_t id, int *slot)
{
    int i;

    *slot = -1;
    if (!id)
        return 0;
    for (i = 0; i < XSD_TX_MAX; i++) {
        if (xsd_txs[i].used && xsd_txs[i].conn == conn && xsd_txs[i].id == id) {
            *slot = i;
            return 0;
        }
    }
    return XEN_ENOENT;
}

int xsd_tx_start(struct xs_conn *conn, uint32_t *id)
{
    int i, slot = -1, dummy;

    if (conn->nr_tx >= XS_QUOTA_TRANSACTIONS)
        return XEN_ENOSPC;
    for (i = 0; i < XSD_TX_MAX && slot < 0; i++)
        if (!xsd_txs[i].used)
            slot = i;
    if (slot < 0)
        return XEN_ENOSPC;
    /* Ids count up per connection, skipping 0 and ids still open. */
    do {
        *id = conn->next_tx_id++;
    } while (!*id || (xsd_tx_lookup(conn, *id, &dummy) == 0 && dummy >= 0));
    xsd_txs[slot] = (struct xsd_tx){
        .used = true, .id = *id, .conn = conn, .head = -1, .tail = -1,
    };
    conn->nr_tx++;
    return 0;
}

static void tx_free(int slot)
{
    struct xsd_tx *t = &xsd_txs[slot];
    int32_t i = t->head, next;

    /* Invariant: shadows from i on still belong to the tx (or were made
     * global by the commit, which leaves them alone). */
    while (i >= 0) {
        next = xsd_recs[i].txnext;
        if ((xsd_recs[i].flags & XSD_F_USED) &&
            xsd_recs[i].tx == (uint8_t)(slot + 1))
            xsd_rec_free(i);
        i = next;
    }
    if (t->conn && t->conn->nr_tx)
        t->conn->nr_tx--;
    memset(t, 0, sizeof(*t));
}

void xsd_tx_drop_conn(struct xs_conn *conn)
{
    int i;

    for (i = 0; i < XSD_TX_MAX; i++)
        if (xsd_txs[i].used && xsd_txs[i].conn == conn)
            tx_free(i);
}

/*
 * Record an access to key (not an arena pointer) by c's transaction: the
 * shadow in *shadow, created remembering the global generation.
 */
int xsd_tx_touch(const struct xsd_caller *c, const char *key, size_t len,
                 int *shadow)
{
    struct xsd_tx *t = &xsd_txs[c->tx];
    int s, g, err;

    s = xsd_find(key, len, (unsigned int)c->tx + 1);
    if (s >= 0) {
        *shadow = s;
        return 0;
    }
    if (!c->priv && t->nodes >= XS_QUOTA_TX_NODES) {
        t->fail = true;
        return XEN_ENOSPC;
    }
    s = xsd_rec_new(key, len, (unsigned int)c->tx + 1, c->domid, !c->priv,
                    &err);
    if (s < 0) {
        t->fail = true;
        return err;
    }
    g = xsd_find(key, len, 0);
    xsd_recs[s].gen = g >= 0 ? xsd_recs[g].gen : XSD_NO_GEN;
    xsd_recs[s].flags |= XSD_F_CHECK;
    if (t->tail >= 0)
        xsd_recs[t->tail].txnext = s;
    else
        t->head = s;
    t->tail = s;
    t->nodes++;
    *shadow = s;
    return 0;
}

/* Give the shadow its own copy of the node as the tx sees it. */
int xsd_tx_own(const struct xsd_caller *c, int s)
{
    struct xsd_rec *r = &xsd_recs[s];
    int g, err;

    if (r->flags & XSD_F_OWN)
        return 0;
    g = xsd_find(xsd_key(r), r->keylen, 0);
    if (g >= 0) {
        err = xsd_rec_copy(s, g, !c->priv, c->domid);
        if (err) {
            xsd_txs[c->tx].fail = true;
            return err;
        }
        r->flags |= XSD_F_OWN | XSD_F_EXISTS;
    } else {
        r->flags |= XSD_F_OWN;
    }
    return 0;
}

/* xenstored queue_watches(): a non-exact event replaces an exact one. */
void xsd_tx_queue_fire(int s, bool exact)
{
    struct xsd_rec *r = &xsd_recs[s];

    if (!(r->flags & XSD_F_FIRE)) {
        r->flags |= XSD_F_FIRE;
        if (exact)
            r->flags |= XSD_F_EXACT;
        else
            r->flags &= (uint8_t)~XSD_F_EXACT;
    } else if (!exact) {
        r->flags &= (uint8_t)~XSD_F_EXACT;
    }
}

/* Node-count change the commit would make for domid. */
static int node_delta(int slot, uint16_t domid)
{
    int32_t i;
    int d = 0;

    for (i = xsd_txs[slot].head; i >= 0; i = xsd_recs[i].txnext) {
        const struct xsd_rec *s = &xsd_recs[i];
        int g;

        if (!(s->flags & XSD_F_MODIFIED))
            continue;
        g = xsd_find(xsd_key(s), s->keylen, 0);
        if (g >= 0 && xsd_recs[g].perms[0].domid == domid)
            d--;
        if ((s->flags & XSD_F_EXISTS) && s->perms[0].domid == domid)
            d++;
    }
    return d;
}

static bool conflicts(int slot)
{
    int32_t i;

    for (i = xsd_txs[slot].head; i >= 0; i = xsd_recs[i].txnext) {
        const struct xsd_rec *s = &xsd_recs[i];
        int g;

        if (!(s->flags & XSD_F_CHECK))
            continue;
        g = xsd_find(xsd_key(s), s->keylen, 0);
        if ((g >= 0 ? xsd_recs[g].gen : XSD_NO_GEN) != s->gen)
            return true;
    }
    return false;
}

/* Move one modified shadow into the global tree; fire its watches. */
static void apply(int si)
{
    struct xsd_rec *s = &xsd_recs[si];
    int g = xsd_find(xsd_key(s), s->keylen, 0);
    uint16_t owner = s->perms[0].domid;
    bool fire = s->flags & XSD_F_FIRE, exact = s->flags & XSD_F_EXACT;

    if (s->flags & XSD_F_EXISTS) {
        if (g >= 0) {
            struct xsd_rec *d = &xsd_recs[g];
            uint32_t old = d->blob;

            /*
             * Swap blobs (both start with the same key): the node takes the
             * new content, the shadow the old bytes, which tx_free() frees.
             */
            xsd_node_count(d, -1);
            d->blob = s->blob;
            s->blob = old;
            d->datalen = s->datalen;
            d->childlen = s->childlen;
            d->nperms = s->nperms;
            memcpy(d->perms, s->perms, sizeof(d->perms));
            xsd_arena_set_owner(d->blob, XSD_OWN_REC(g), owner);
            xsd_arena_set_owner(s->blob, XSD_OWN_REC(si), s->acct);
            s->datalen = s->childlen = 0;
            d->acct = owner;
            d->gen = ++xsd_generation;
            xsd_node_count(d, +1);
            if (fire)
                xsd_fire(xsd_key(d), d->keylen, exact, d);
            return;
        }
        xsd_rec_make_global(si);
        /* txnext stays: tx_free() still walks the list through it. */
        s->flags = XSD_F_USED | XSD_F_OWN | XSD_F_EXISTS;
        xsd_arena_set_owner(s->blob, XSD_OWN_REC(si), owner);
        s->acct = owner;
        s->gen = ++xsd_generation;
        xsd_node_count(s, +1);
        if (fire)
            xsd_fire(xsd_key(s), s->keylen, exact, s);
        return;
    }
    if (g < 0)
        return;     /* created and deleted inside the tx: nothing seen */
    if (fire)
        xsd_fire(xsd_key(s), s->keylen, exact, s->nperms ? s : &xsd_recs[g]);
    xsd_node_count(&xsd_recs[g], -1);
    xsd_rec_free(g);
}

/*
 * End transaction `slot` of conn: abort, or commit (XEN_ENOMEM if a step
 * failed half-way, XEN_ENOSPC over the node quota, XEN_EAGAIN on a
 * conflict). The transaction is gone afterwards in every case.
 */
int xsd_tx_end(struct xs_conn *conn, int slot, bool commit)
{
    struct xsd_tx *t = &xsd_txs[slot];
    struct xsd_acct *a;
    int32_t i, next;
    int d, err = 0;

    if (!commit)
        goto out;
    if (t->fail) {
        err = XEN_ENOMEM;
        goto out;
    }
    d = node_delta(slot, conn->domid);
    a = xsd_acct(conn->domid, false);
    if (d > 0 && a && a->nodes + (uint32_t)d > XS_QUOTA_NODES) {
        err = XEN_ENOSPC;
        goto out;
    }
    if (conflicts(slot)) {
        err = XEN_EAGAIN;
        goto out;
    }
    /* Invariant: shadows before i are applied (or were not modified). */
    for (i = t->head; i >= 0; i = next) {
        next = xsd_recs[i].txnext;
        if (xsd_recs[i].flags & XSD_F_MODIFIED)
            apply(i);
    }
out:
    tx_free(slot);
    return err;
}
