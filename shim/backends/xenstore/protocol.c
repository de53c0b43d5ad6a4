/*
 * xenstore: one wire message from a guest in, one reply (and maybe watch
 * events) out.
 *
 * Spec: public io/xs_wire.h (types, header, error names), docs/misc/
 * xenstore.txt (payload of each request and reply); the validation and
 * error choices are C xenstored's (core.c process_message() and do_*):
 *  - unknown or reply-only type (WATCH_EVENT, ERROR): ENOSYS;
 *  - CONTROL, INTRODUCE, RELEASE, IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET
 *    from a guest: EACCES (privileged);
 *  - tx_id naming no open transaction of this connection: ENOENT (WATCH
 *    and UNWATCH ignore tx_id);
 *  - "one argument" requests need exactly one NUL, at the end: EINVAL;
 *    WRITE needs the path's NUL, the value is the rest (binary allowed);
 *    WATCH/UNWATCH exactly two strings; SET_PERMS the path and >= 1 perm;
 *  - a reply longer than XENSTORE_PAYLOAD_MAX: E2BIG.
 * Replies echo req_id and tx_id; "OK" acknowledgements carry their NUL.
 *
 * Single-threaded (see include/xhv/xenstore.h).
 */
#include "private.h"

/* The names xsd_errors[] gives; XEN_E* numbers are Linux's, as errno's. */
static const struct {
    int err;
    const char *name;
} errnames[] = {
    { XEN_EINVAL, "EINVAL" }, { XEN_EACCES, "EACCES" },
    { XEN_EEXIST, "EEXIST" }, { XEN_EISDIR, "EISDIR" },
    { XEN_ENOENT, "ENOENT" }, { XEN_ENOMEM, "ENOMEM" },
    { XEN_ENOSPC, "ENOSPC" }, { XEN_EIO, "EIO" },
    { XEN_ENOTEMPTY, "ENOTEMPTY" }, { XEN_ENOSYS, "ENOSYS" },
    { XEN_EROFS, "EROFS" }, { XEN_EBUSY, "EBUSY" },
    { XEN_EAGAIN, "EAGAIN" }, { XEN_EISCONN, "EISCONN" },
    { XEN_E2BIG, "E2BIG" }, { XEN_EPERM, "EPERM" },
};

const char *xsd_errname(int err)
{
    unsigned int i;

    if (err < 0)
        err = -err;
    for (i = 0; i < ARRAY_SIZE(errnames); i++)
        if (errnames[i].err == err)
            return errnames[i].name;
    return "EINVAL";    /* xenstored's choice for untranslatable errors */
}

/*
 * Weak only while the older shim/backends/xs_store.c (same name) is still
 * linked into build/xhv; drop the attribute when it goes.
 */
const char *xs_errname(int err)
{
    return xsd_errname(err);
}

static char path[XSD_PATH_BUF];
static char rbuf[XENSTORE_PAYLOAD_MAX + 32];
static struct xs_perm perms[XS_PERMS_MAX];

struct reply {
    const void *p1, *p2;
    size_t l1, l2;
};

static const char ok[] = "OK";

static void set_ok(struct reply *r)
{
    r->p1 = ok;
    r->l1 = sizeof(ok);
}

/* Number of NULs (xenstore_count_strings). */
static unsigned int count_nuls(const char *p, size_t len)
{
    unsigned int n = 0;
    size_t i;

    for (i = 0; i < len; i++)
        n += !p[i];
    return n;
}

/* Number of NUL-terminated strings (xenstored get_strings). */
static unsigned int count_strings(const char *p, size_t len)
{
    return count_nuls(p, len);
}

static bool onearg(const char *p, size_t len)
{
    return len && strnlen(p, len) == len - 1;
}

static int node_of(const struct xsd_caller *c, const char *p, bool special,
                   unsigned int want, int *rec, size_t *len)
{
    int err = xsd_canon(c, p, special, path, len, NULL);

    if (err)
        return err;
    return xsd_get(c, path, *len, want, rec);
}

static int do_read_like(const struct xsd_caller *c, uint32_t type,
                        const char *p, size_t len, struct reply *r)
{
    const struct xsd_rec *n;
    size_t pl;
    int rec, err;

    if (!onearg(p, len))
        return XEN_EINVAL;
    err = node_of(c, p, type == XS_GET_PERMS, XS_PERM_READ, &rec, &pl);
    if (err)
        return err;
    n = &xsd_recs[rec];
    if (type == XS_READ) {
        r->p1 = xsd_data(n);
        r->l1 = n->datalen;
    } else if (type == XS_DIRECTORY) {
        r->p1 = xsd_children(n);
        r->l1 = n->childlen;
    } else {
        r->p1 = rbuf;
        r->l1 = xsd_perms_format(n, rbuf, sizeof(rbuf));
    }
    return 0;
}

/* "<generation>\0" then whole child names from offset, "\0" at the end. */
static int do_directory_part(const struct xsd_caller *c, const char *p,
                             size_t len, struct reply *r)
{
    const struct xsd_rec *n;
    const char *ch;
    uint32_t off, used = 0, max, gl;
    size_t pl;
    int rec, err;

    if (count_nuls(p, len) != 2)
        return XEN_EINVAL;
    err = node_of(c, p, false, XS_PERM_READ, &rec, &pl);
    if (err)
        return err;
    n = &xsd_recs[rec];
    off = xsd_atou(p + strlen(p) + 1);
    gl = (uint32_t)xsd_utoa(n->gen, rbuf) + 1;
    if (off >= n->childlen) {
        rbuf[gl] = '\0';
        r->p1 = rbuf;
        r->l1 = gl + 1;
        return 0;
    }
    ch = xsd_children(n);
    max = XENSTORE_PAYLOAD_MAX - gl - 1;
    /* Invariant: ch[off, off+used) is whole names that fit. */
    while (off + used < n->childlen) {
        uint32_t l = (uint32_t)strnlen(ch + off + used,
                                       n->childlen - off - used);

        if (used + l >= max)
            break;
        used += l + 1;
    }
    memcpy(rbuf + gl, ch + off, used);
    if (off + used >= n->childlen)
        rbuf[gl + used++] = '\0';
    r->p1 = rbuf;
    r->l1 = gl + used;
    return 0;
}

static int do_watch(struct xs_conn *conn, const struct xsd_caller *c,
                    uint32_t type, const char *p, size_t len, struct reply *r)
{
    const char *tok;
    size_t pl;
    uint32_t prefix;
    int err;

    if (count_strings(p, len) != 2)
        return XEN_EINVAL;
    err = xsd_canon(c, p, true, path, &pl, &prefix);
    if (err)
        return err;
    tok = p + strlen(p) + 1;
    if (type == XS_UNWATCH)
        err = xsd_watch_del(conn, path, pl, tok, strlen(tok));
    else
        err = xsd_watch_add(conn, path, pl, prefix, tok, strlen(tok));
    if (!err)
        set_ok(r);
    return err;
}

static int do_write(const struct xsd_caller *c, const char *p, size_t len,
                    struct reply *r)
{
    size_t pl, off;
    int err;

    if (!count_nuls(p, len))
        return XEN_EINVAL;
    off = strlen(p) + 1;
    err = xsd_canon(c, p, false, path, &pl, NULL);
    if (!err)
        err = xsd_op_write(c, path, pl, p + off, len - off);
    if (!err)
        set_ok(r);
    return err;
}

static int do_set_perms(const struct xsd_caller *c, const char *p, size_t len,
                        struct reply *r)
{
    unsigned int n = count_nuls(p, len), np = XS_PERMS_MAX;
    size_t pl, off;
    int err;

    if (n < 2)
        return XEN_EINVAL;
    if (n - 1 > (c->priv ? XS_PERMS_MAX : XS_QUOTA_PERMS))
        return XEN_ENOSPC;
    off = strlen(p) + 1;
    err = xsd_perms_parse(p + off, len - off, perms, &np);
    if (!err)
        err = xsd_canon(c, p, true, path, &pl, NULL);
    if (!err)
        err = xsd_op_set_perms(c, path, pl, perms, np);
    if (!err)
        set_ok(r);
    return err;
}

static int do_path_op(const struct xsd_caller *c, uint32_t type,
                      const char *p, size_t len, struct reply *r)
{
    size_t pl;
    int err;

    if (!onearg(p, len))
        return XEN_EINVAL;
    err = xsd_canon(c, p, false, path, &pl, NULL);
    if (!err)
        err = type == XS_MKDIR ? xsd_op_mkdir(c, path, pl)
                               : xsd_op_rm(c, path, pl);
    if (!err)
        set_ok(r);
    return err;
}

static int dispatch(struct xs_conn *conn, const struct xsd_sockmsg *h,
                    const char *p, struct reply *r)
{
    struct xsd_caller c = { .domid = conn->domid, .conn = conn, .tx = -1 };
    size_t len = h->len;
    uint32_t id;
    int slot, err;

    switch (h->type) {
    case XS_CONTROL: case XS_INTRODUCE: case XS_RELEASE:
    case XS_IS_DOMAIN_INTRODUCED: case XS_RESUME: case XS_SET_TARGET:
        return XEN_EACCES;
    case XS_WATCH: case XS_UNWATCH:
        return do_watch(conn, &c, h->type, p, len, r);
    case XS_DIRECTORY: case XS_READ: case XS_GET_PERMS: case XS_DIRECTORY_PART:
    case XS_TRANSACTION_START: case XS_TRANSACTION_END: case XS_WRITE:
    case XS_MKDIR: case XS_RM: case XS_SET_PERMS: case XS_GET_DOMAIN_PATH:
    case XS_RESET_WATCHES:
        break;
    default:
        return XEN_ENOSYS;
    }
    err = xsd_tx_lookup(conn, h->tx_id, &slot);
    if (err)
        return err;
    c.tx = slot;
    switch (h->type) {
    case XS_DIRECTORY: case XS_READ: case XS_GET_PERMS:
        return do_read_like(&c, h->type, p, len, r);
    case XS_DIRECTORY_PART:
        return do_directory_part(&c, p, len, r);
    case XS_WRITE:
        return do_write(&c, p, len, r);
    case XS_MKDIR: case XS_RM:
        return do_path_op(&c, h->type, p, len, r);
    case XS_SET_PERMS:
        return do_set_perms(&c, p, len, r);
    case XS_TRANSACTION_START:
        if (slot >= 0)
            return XEN_EBUSY;       /* no nested transactions */
        err = xsd_tx_start(conn, &id);
        if (err)
            return err;
        r->p1 = rbuf;
        r->l1 = xsd_utoa(id, rbuf) + 1;
        return 0;
    case XS_TRANSACTION_END:
        if (!onearg(p, len) || len != 2 || (p[0] != 'T' && p[0] != 'F'))
            return XEN_EINVAL;
        if (slot < 0)
            return XEN_ENOENT;
        err = xsd_tx_end(conn, slot, p[0] == 'T');
        if (!err)
            set_ok(r);
        return err;
    case XS_GET_DOMAIN_PATH: {
        static const char loc[] = "/local/domain/";

        if (!onearg(p, len))
            return XEN_EINVAL;
        memcpy(rbuf, loc, sizeof(loc) - 1);
        r->p1 = rbuf;
        r->l1 = sizeof(loc) - 1 + xsd_utoa(xsd_atou(p), rbuf + sizeof(loc) - 1)
                + 1;
        return 0;
    }
    case XS_RESET_WATCHES:
        xsd_watch_drop_conn(conn);
        xsd_tx_drop_conn(conn);
        set_ok(r);
        return 0;
    }
    return XEN_ENOSYS;
}

void xsd_handle(struct xs_conn *conn, const struct xsd_sockmsg *h,
                char *payload)
{
    struct reply r = { 0 };
    const char *name;
    int err;

    conn->st.requests++;
    err = dispatch(conn, h, payload, &r);
    if (!err && r.l1 + r.l2 > XENSTORE_PAYLOAD_MAX)
        err = XEN_E2BIG;
    if (!err) {
        /* Room for one reply was checked before taking the request. */
        xsd_out_put(conn, h->type, h->req_id, h->tx_id, r.p1, r.l1, r.p2,
                    r.l2, false);
        /* A new watch fires once, after its acknowledgement. */
        if (h->type == XS_WATCH) {
            size_t pl;
            uint32_t prefix;
            const char *tok = payload + strlen(payload) + 1;
            struct xsd_caller c = { .domid = conn->domid, .conn = conn,
                                    .tx = -1 };

            if (!xsd_canon(&c, payload, true, path, &pl, &prefix))
                xsd_watch_fire_new(conn, path, pl, tok, strlen(tok));
        }
        return;
    }
    conn->st.errors++;
    name = xsd_errname(err);
    xsd_out_put(conn, XS_ERROR, h->req_id, h->tx_id, name, strlen(name) + 1,
                NULL, 0, false);
}
