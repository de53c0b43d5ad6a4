/*
 * xenstore: the node operations, on the caller's view of the store (the
 * global tree, or the global tree seen through a transaction's shadows).
 *
 * Spec: docs/misc/xenstore.txt (WRITE, MKDIR, RM, SET_PERMS, permissions);
 * semantics of C xenstored core.c: get_node()/errno_from_parents() (a
 * missing or forbidden node is EACCES unless the nearest existing ancestor
 * grants the access asked for, so the error leaks nothing), construct_node()
 * (missing parents are created and inherit the nearest ancestor's perms; a
 * guest owns what it creates), rm_node() (every removed node fires the
 * watches on exactly its path, the removed root fires like a write).
 *
 * Order: validate (paths, perms, quotas) first, then change state. The one
 * failure that can come late is an arena or record shortage while creating
 * parents; that is rolled back (global tree) or fails the transaction, as
 * xenstored does.
 *
 * Keys handed in must not point into the arena (they come from the
 * protocol's or dom0 API's path buffers); see private.h.
 */
#include "private.h"

static const char root_key[] = "/";
static char tmp_key[XSD_PATH_BUF];
/* Path component ends of the nodes being created (rollback too). */
static uint32_t comp_end[XSD_PATH_BUF / 2 + 2];
static int created[XSD_PATH_BUF / 2 + 2];

/* Record showing key to caller, or -1 if the node does not exist there. */
int xsd_view(const struct xsd_caller *c, const char *key, size_t len)
{
    if (c->tx >= 0) {
        int s = xsd_find(key, len, (unsigned int)c->tx + 1);

        if (s >= 0 && (xsd_recs[s].flags & XSD_F_OWN))
            return (xsd_recs[s].flags & XSD_F_EXISTS) ? s : -1;
    }
    return xsd_find(key, len, 0);
}

/* Look up and, in a transaction, record the access (xenstored read_node). */
static int view_touch(const struct xsd_caller *c, const char *key, size_t len,
                      int *rec)
{
    *rec = -1;
    if (c->tx >= 0) {
        int s, err = xsd_tx_touch(c, key, len, &s);

        if (err)
            return err;
    }
    *rec = xsd_view(c, key, len);
    return 0;
}

/* Rights the nearest existing ancestor gives (xenstored ask_parents). */
static unsigned int ask_parents(const struct xsd_caller *c, const char *key,
                                size_t len)
{
    int r;

    /* Invariant: key[0, len) is a node that does not answer. */
    while (len > 1 || key[0] != '/') {
        len = xsd_parent_len(key, len);
        r = len == 1 ? xsd_view(c, root_key, 1) : xsd_view(c, key, len);
        if (r >= 0)
            return xsd_perm_for(c, &xsd_recs[r]);
        if (len == 1)
            break;
    }
    return XS_PERM_NONE;
}

/*
 * Find key for an access needing `want`. 0 and *rec; or XEN_ENOENT /
 * XEN_EACCES chosen as xenstored does, or a transaction quota error.
 */
int xsd_get(const struct xsd_caller *c, const char *key, size_t len,
            unsigned int want, int *rec)
{
    int r, err = view_touch(c, key, len, &r);

    *rec = r;
    if (err)
        return err;
    if (r >= 0 && (xsd_perm_for(c, &xsd_recs[r]) & want) == want)
        return 0;
    err = r >= 0 ? XEN_EACCES : XEN_ENOENT;
    if (!(ask_parents(c, key, len) & want))
        err = XEN_EACCES;
    return err;
}

static bool chk_for(const struct xsd_caller *c, uint16_t charged)
{
    return !c->priv && charged == c->domid;
}

/* The record to modify for key (global, or the tx's shadow made own). */
static int writable(const struct xsd_caller *c, const char *key, size_t len,
                    int *rec)
{
    int s, err;

    if (c->tx < 0) {
        *rec = xsd_find(key, len, 0);
        return *rec >= 0 ? 0 : XEN_ENOENT;
    }
    err = xsd_tx_touch(c, key, len, &s);
    if (!err)
        err = xsd_tx_own(c, s);
    if (err)
        return err;
    xsd_recs[s].flags |= XSD_F_MODIFIED;
    *rec = s;
    return 0;
}

/* Who a record's blob is charged to: owner, or the tx's domain. */
static uint16_t charge_of(const struct xsd_caller *c)
{
    return c->tx >= 0 ? c->domid : 0xffff;
}

static uint16_t acct_for(const struct xsd_caller *c, int r)
{
    return c->tx >= 0 ? charge_of(c) : xsd_recs[r].perms[0].domid;
}

static void changed(const struct xsd_caller *c, int r, bool exact)
{
    if (c->tx >= 0) {
        xsd_tx_queue_fire(r, exact);
        return;
    }
    xsd_recs[r].gen = ++xsd_generation;
    xsd_fire(xsd_key(&xsd_recs[r]), xsd_recs[r].keylen, exact, &xsd_recs[r]);
}

static void fail_tx(const struct xsd_caller *c)
{
    if (c->tx >= 0)
        xsd_txs[c->tx].fail = true;
}

/*
 * Create key (absent for the caller) and its missing parents, giving the
 * last one the value. Nodes inherit the nearest existing ancestor's perms.
 */
static int create(const struct xsd_caller *c, const char *key, size_t len,
                  const void *val, size_t vlen)
{
    struct xs_perm perms[XS_PERMS_MAX];
    unsigned int nperms, k = 0, ncreated = 0, i, j;
    int anc, r = -1, err;
    size_t pl = len;
    uint32_t b0, e0;
    uint16_t owner, ch;
    struct xsd_acct *a;

    /* Walk up to the nearest existing node, recording each miss. */
    for (;;) {
        comp_end[k++] = (uint32_t)pl;
        pl = xsd_parent_len(key, pl);
        err = view_touch(c, pl == 1 ? root_key : key, pl, &anc);
        if (err)
            return err;
        if (anc >= 0)
            break;
        if (pl == 1)
            return XEN_EIO;     /* no root: cannot happen */
    }
    /* Create comp_end[k-1] (a child of anc) down to comp_end[0] (key). */
    e0 = comp_end[k - 1];
    b0 = pl == 1 ? 1 : (uint32_t)pl + 1;
    nperms = xsd_recs[anc].nperms;
    memcpy(perms, xsd_recs[anc].perms, sizeof(perms));
    if (!c->priv)
        perms[0].domid = c->domid;
    owner = perms[0].domid;

    if (!c->priv) {
        a = xsd_acct(owner, false);
        if (a && a->nodes + k > XS_QUOTA_NODES)
            return XEN_ENOSPC;
        if (xsd_node_size(&xsd_recs[anc]) + (e0 - b0 + 1) > XS_QUOTA_NODE_SIZE ||
            XSD_NODE_HDR + nperms * XSD_NODE_PERM + vlen > XS_QUOTA_NODE_SIZE)
            return XEN_ENOSPC;
    }
    if (xsd_rec_free_count() < k + 1)
        return XEN_ENOMEM;

    /* The ancestor gets the first new name. */
    err = writable(c, pl == 1 ? root_key : key, pl, &anc);
    if (!err)
        err = xsd_rec_add_child(anc, key + b0, e0 - b0,
                                chk_for(c, acct_for(c, anc)), acct_for(c, anc));
    if (err) {
        fail_tx(c);
        return err;
    }
    if (c->tx < 0)
        xsd_recs[anc].gen = ++xsd_generation;

    /* Then each new node, top-down. Invariant: created[0, ncreated) exist. */
    for (i = k; i-- > 0;) {
        uint32_t e = comp_end[i];

        if (c->tx >= 0) {
            err = xsd_tx_touch(c, key, e, &r);
            if (!err)
                err = xsd_tx_own(c, r);
            ch = c->domid;
        } else {
            r = xsd_rec_new(key, e, 0, owner, chk_for(c, owner), &err);
            ch = owner;
        }
        if (err)
            goto undo;
        created[ncreated++] = r;
        xsd_recs[r].flags |= XSD_F_OWN | XSD_F_EXISTS | XSD_F_MODIFIED;
        xsd_recs[r].nperms = (uint8_t)nperms;
        memcpy(xsd_recs[r].perms, perms, sizeof(perms));
        if (c->tx < 0) {
            xsd_recs[r].gen = ++xsd_generation;
            xsd_node_count(&xsd_recs[r], +1);
        }
        if (i == 0) {
            err = xsd_rec_set(r, val, vlen, chk_for(c, ch), ch);
        } else {
            uint32_t b = e + 1;

            err = xsd_rec_set(r, NULL, 0, chk_for(c, ch), ch);
            if (!err)
                err = xsd_rec_add_child(r, key + b, comp_end[i - 1] - b,
                                        chk_for(c, ch), ch);
        }
        if (err)
            goto undo;
    }
    changed(c, r, false);
    return 0;

undo:
    if (c->tx >= 0) {
        fail_tx(c);
        return err;
    }
    for (j = 0; j < ncreated; j++) {
        xsd_node_count(&xsd_recs[created[j]], -1);
        xsd_rec_free(created[j]);
    }
    xsd_rec_del_child(anc, key + b0, e0 - b0);
    return err;
}

int xsd_op_write(const struct xsd_caller *c, const char *key, size_t len,
                 const void *val, size_t vlen)
{
    int r, err = xsd_get(c, key, len, XS_PERM_WRITE, &r);

    if (err == XEN_ENOENT)
        return create(c, key, len, val, vlen);
    if (err)
        return err;
    if (!c->priv && xsd_node_size(&xsd_recs[r]) - xsd_recs[r].datalen + vlen >
                    XS_QUOTA_NODE_SIZE)
        return XEN_ENOSPC;
    err = writable(c, key, len, &r);
    if (!err)
        err = xsd_rec_set(r, val, vlen, chk_for(c, acct_for(c, r)),
                          acct_for(c, r));
    if (err) {
        fail_tx(c);
        return err;
    }
    changed(c, r, false);
    return 0;
}

int xsd_op_mkdir(const struct xsd_caller *c, const char *key, size_t len)
{
    int r, err = xsd_get(c, key, len, XS_PERM_WRITE, &r);

    if (err == XEN_ENOENT)
        return create(c, key, len, NULL, 0);
    return err;
}

static bool is_below(const struct xsd_rec *d, const char *key, size_t len)
{
    return d->keylen > len && xsd_key(d)[len] == '/' &&
           !memcmp(xsd_key(d), key, len);
}

/* In a transaction: mark key deleted (it exists in the tx's view). */
static int tx_delete(const struct xsd_caller *c, const char *k, size_t len,
                     bool exact)
{
    int s, g, err = xsd_tx_touch(c, k, len, &s);

    if (err)
        return err;
    if (xsd_recs[s].flags & XSD_F_OWN) {
        if (!(xsd_recs[s].flags & XSD_F_EXISTS))
            return 0;
    } else {
        g = xsd_find(k, len, 0);
        if (g < 0)
            return 0;
        /* Keep the old perms: commit checks watch permissions with them. */
        xsd_recs[s].nperms = xsd_recs[g].nperms;
        memcpy(xsd_recs[s].perms, xsd_recs[g].perms, sizeof(xsd_recs[s].perms));
    }
    xsd_rec_drop_content(s);
    xsd_recs[s].flags = (uint8_t)((xsd_recs[s].flags & ~XSD_F_EXISTS) |
                                  XSD_F_OWN | XSD_F_MODIFIED);
    xsd_tx_queue_fire(s, exact);
    return 0;
}

static int rm_tx(const struct xsd_caller *c, const char *key, size_t len)
{
    struct xsd_tx *t = &xsd_txs[c->tx];
    int i, err;

    /* Every global node below key, then those this tx created. */
    for (i = 0; i < XSD_REC_MAX; i++) {
        const struct xsd_rec *d = &xsd_recs[i];

        if (!(d->flags & XSD_F_USED) || d->tx || !is_below(d, key, len))
            continue;
        memcpy(tmp_key, xsd_key(d), d->keylen);
        err = tx_delete(c, tmp_key, d->keylen, true);
        if (err)
            return err;
    }
    for (i = t->head; i >= 0; i = xsd_recs[i].txnext) {
        const struct xsd_rec *d = &xsd_recs[i];
        size_t kl = d->keylen;

        if (!(d->flags & XSD_F_EXISTS) || !is_below(d, key, len))
            continue;
        memcpy(tmp_key, xsd_key(d), kl);
        err = tx_delete(c, tmp_key, kl, true);
        if (err)
            return err;
    }
    return tx_delete(c, key, len, false);
}

static void rm_global(const char *key, size_t len, int r)
{
    int i;

    /* Fire while the node can still be seen (xenstored delnode_sub). */
    for (i = 0; i < XSD_REC_MAX; i++) {
        struct xsd_rec *d = &xsd_recs[i];

        if (!(d->flags & XSD_F_USED) || d->tx || !is_below(d, key, len))
            continue;
        xsd_fire(xsd_key(d), d->keylen, true, d);
        xsd_node_count(d, -1);
        xsd_rec_free(i);
    }
    xsd_fire(key, len, false, &xsd_recs[r]);
    xsd_node_count(&xsd_recs[r], -1);
    xsd_rec_free(r);
}

int xsd_op_rm(const struct xsd_caller *c, const char *key, size_t len)
{
    int r, p, err = xsd_get(c, key, len, XS_PERM_WRITE, &r);
    size_t pl = xsd_parent_len(key, len), b;

    if (err == XEN_ENOENT) {
        /* Gone already: fine if the parent exists. */
        err = view_touch(c, pl == 1 ? root_key : key, pl, &p);
        if (err)
            return err;
        return p >= 0 ? 0 : XEN_ENOENT;
    }
    if (err)
        return err;
    if (len == 1 && key[0] == '/')
        return XEN_EINVAL;
    if (key[0] != '/')
        return XEN_EINVAL;      /* special nodes are never removed */
    err = view_touch(c, pl == 1 ? root_key : key, pl, &p);
    if (err)
        return err;
    if (p < 0)
        return XEN_EINVAL;
    b = pl == 1 ? 1 : pl + 1;
    if (c->tx >= 0) {
        err = rm_tx(c, key, len);
        if (!err)
            err = writable(c, pl == 1 ? root_key : key, pl, &p);
        if (err) {
            fail_tx(c);
            return err;
        }
        xsd_rec_del_child(p, key + b, len - b);
        return 0;
    }
    rm_global(key, len, r);
    xsd_rec_del_child(p, key + b, len - b);
    xsd_recs[p].gen = ++xsd_generation;
    return 0;
}

int xsd_op_set_perms(const struct xsd_caller *c, const char *key, size_t len,
                     const struct xs_perm *perms, unsigned int n)
{
    int r, err;
    uint16_t old_owner;

    if (n < 1)
        return XEN_EINVAL;
    if (n > XS_PERMS_MAX || (!c->priv && n > XS_QUOTA_PERMS))
        return XEN_ENOSPC;
    err = xsd_get(c, key, len, XS_PERM_WRITE | XS_PERM_OWNER, &r);
    if (err)
        return err;
    old_owner = xsd_recs[r].perms[0].domid;
    if (!c->priv && perms[0].domid != old_owner)
        return XEN_EPERM;
    if (!c->priv && xsd_node_size(&xsd_recs[r]) - xsd_recs[r].nperms *
                    XSD_NODE_PERM + n * XSD_NODE_PERM > XS_QUOTA_NODE_SIZE)
        return XEN_ENOSPC;
    err = writable(c, key, len, &r);
    if (err) {
        fail_tx(c);
        return err;
    }
    if (c->tx < 0)
        xsd_node_count(&xsd_recs[r], -1);
    memset(xsd_recs[r].perms, 0, sizeof(xsd_recs[r].perms));
    memcpy(xsd_recs[r].perms, perms, n * sizeof(*perms));
    xsd_recs[r].nperms = (uint8_t)n;
    if (c->tx < 0) {
        xsd_node_count(&xsd_recs[r], +1);
        /* Bytes follow the owner, as xenstored charges them. */
        xsd_arena_set_owner(xsd_recs[r].blob, XSD_OWN_REC(r), perms[0].domid);
        xsd_recs[r].acct = perms[0].domid;
    }
    changed(c, r, false);
    return 0;
}

/*
 * Parse wire perms: n NUL-terminated strings "<n|r|w|b><domid>" in s[0,len).
 * XEN_EINVAL for a bad letter or domid (decimal, <= 65535); *n in: room.
 */
int xsd_perms_parse(const char *s, size_t len, struct xs_perm *p,
                    unsigned int *n)
{
    unsigned int cnt = 0;
    size_t i = 0;

    /* Invariant: s[i] starts a string; the input ends with a NUL. */
    while (i < len) {
        size_t l = strnlen(s + i, len - i), j;
        uint32_t id = 0;

        if (i + l >= len)
            return XEN_EINVAL;      /* not NUL-terminated */
        if (cnt >= *n)
            return XEN_ENOSPC;
        switch (s[i]) {
        case 'n': p[cnt].perms = XS_PERM_NONE; break;
        case 'r': p[cnt].perms = XS_PERM_READ; break;
        case 'w': p[cnt].perms = XS_PERM_WRITE; break;
        case 'b': p[cnt].perms = XS_PERM_BOTH; break;
        default: return XEN_EINVAL;
        }
        if (l < 2 || l > 6)
            return XEN_EINVAL;
        for (j = 1; j < l; j++) {
            if (s[i + j] < '0' || s[i + j] > '9')
                return XEN_EINVAL;
            id = id * 10 + (uint32_t)(s[i + j] - '0');
        }
        if (id > 0xffff)
            return XEN_EINVAL;
        p[cnt++].domid = (uint16_t)id;
        i += l + 1;
    }
    *n = cnt;
    return 0;
}

size_t xsd_perms_format(const struct xsd_rec *r, char *buf, size_t cap)
{
    static const char letter[4] = { 'n', 'r', 'w', 'b' };
    size_t n = 0;
    unsigned int i;

    for (i = 0; i < r->nperms && n + 8 <= cap; i++) {
        buf[n++] = letter[r->perms[i].perms & XS_PERM_BOTH];
        n += xsd_utoa(r->perms[i].domid, buf + n) + 1;
    }
    return n;
}
