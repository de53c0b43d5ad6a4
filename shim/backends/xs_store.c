/*
 * The xenstore node store (include/xhv/xs.h): paths, values, permissions
 * (xenstored's model: the first entry names the owner and the default for
 * other domains, later entries give single domains r/w/b/n), watches, and
 * transactions with an undo log. Semantics follow Xen's docs/misc/
 * xenstore.txt; error names are xenstored's.
 *
 * Invariant: every used node's parent exists (the root "/" always does).
 */
#include <xhv/format.h>
#include <xhv/string.h>
#include <xhv/xen.h>
#include <xhv/xs.h>

#define XS_TX_LOG       16

struct xs_perm {
    uint16_t dom;
    char perm;                  /* 'n', 'r', 'w', 'b' */
};

struct xs_node {
    bool used;
    char path[XS_PATH_MAX];
    uint16_t vlen;
    uint8_t nperms;
    struct xs_perm perms[XS_MAX_PERMS];
    char value[XS_VALUE_MAX];
};

struct xs_tx {
    bool used;
    bool conflict;              /* something else changed the store */
    bool overflow;              /* undo log full: commit must fail */
    uint32_t id;
    unsigned int nlog;
    struct xs_node log[XS_TX_LOG];  /* node states before the tx (by path) */
};

struct xs_watch {
    bool used;
    bool relative;
    char path[XS_PATH_MAX];     /* absolute */
    char token[64];
};

static struct xs_node nodes[XS_MAX_NODES];
static struct xs_tx txs[XS_MAX_TX];
static struct xs_watch watches[XS_MAX_WATCHES];
static uint32_t next_tx_id = 1;

const char *xs_errname(int err)
{
    switch (err) {
    case -XEN_EINVAL: return "EINVAL";
    case -XEN_EACCES: return "EACCES";
    case -XEN_EEXIST: return "EEXIST";
    case -XEN_EISDIR: return "EISDIR";
    case -XEN_ENOENT: return "ENOENT";
    case -XEN_ENOMEM: return "ENOMEM";
    case -XEN_ENOSPC: return "ENOSPC";
    case -XEN_EIO: return "EIO";
    case -XEN_ENOTEMPTY: return "ENOTEMPTY";
    case -XEN_ENOSYS: return "ENOSYS";
    case -XEN_EROFS: return "EROFS";
    case -XEN_EBUSY: return "EBUSY";
    case -XEN_EAGAIN: return "EAGAIN";
    case -XEN_EISCONN: return "EISCONN";
    case -XEN_E2BIG: return "E2BIG";
    case -XEN_EPERM: return "EPERM";
    case XS_EQUOTA: return "EQUOTA";
    default: return "EINVAL";
    }
}

/* Turn a request path into an absolute one; validate its characters. */
static int norm_path(unsigned int caller, const char *in, char *out)
{
    size_t i, n = strnlen(in, XS_PATH_MAX);
    int len;

    if (n == 0 || n >= XS_PATH_MAX)
        return n ? -XEN_E2BIG : -XEN_EINVAL;
    if (in[0] == '/')
        len = xhv_snprintf(out, XS_PATH_MAX, "%s", in);
    else
        len = xhv_snprintf(out, XS_PATH_MAX, "/local/domain/%u/%s", caller,
                           in);
    if (len < 0 || len >= XS_PATH_MAX)
        return -XEN_E2BIG;
    for (i = 0; out[i]; i++) {
        char c = out[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
              c == '@'))
            return -XEN_EINVAL;
        if (c == '/' && out[i + 1] == '/')
            return -XEN_EINVAL;
    }
    if (len > 1 && out[len - 1] == '/')
        return -XEN_EINVAL;
    return 0;
}

static struct xs_node *find(const char *path)
{
    unsigned int i;

    for (i = 0; i < XS_MAX_NODES; i++)
        if (nodes[i].used && !strcmp(nodes[i].path, path))
            return &nodes[i];
    return NULL;
}

/* Is `p` equal to `anc` or below it? */
static bool is_under(const char *p, const char *anc)
{
    size_t n = strlen(anc);

    if (!strcmp(anc, "/"))
        return true;
    return !strncmp(p, anc, n) && (p[n] == '\0' || p[n] == '/');
}

static void parent_of(const char *path, char *out)
{
    size_t n = strlen(path);

    while (n > 1 && path[n - 1] != '/')
        n--;
    if (n > 1)
        n--;                    /* drop the '/' unless it is the root */
    memcpy(out, path, n);
    out[n] = '\0';
}

static char perm_of(unsigned int caller, const struct xs_node *node)
{
    unsigned int i;

    if (caller == XS_DOM0 || node->perms[0].dom == caller)
        return 'b';
    for (i = 1; i < node->nperms; i++)
        if (node->perms[i].dom == caller)
            return node->perms[i].perm;
    return node->perms[0].perm;
}

static bool can(unsigned int caller, const struct xs_node *node, char want)
{
    char p = perm_of(caller, node);

    return p == 'b' || p == want;
}

/* The nearest existing ancestor-or-self. */
static struct xs_node *nearest(const char *path)
{
    char p[XS_PATH_MAX];
    struct xs_node *n;

    xhv_strlcpy(p, path, sizeof(p));
    for (;;) {
        n = find(p);
        if (n)
            return n;
        parent_of(p, p);
    }
}

static struct xs_tx *tx_get(unsigned int caller, uint32_t id)
{
    unsigned int i;

    if (!id)
        return NULL;
    for (i = 0; i < XS_MAX_TX; i++)
        if (txs[i].used && txs[i].id == id)
            return &txs[i];
    return NULL;
}

/* Before changing `path`: note its state in the tx log; mark others. */
static void before_change(struct xs_tx *tx, const char *path)
{
    unsigned int i;

    for (i = 0; i < XS_MAX_TX; i++)
        if (txs[i].used && &txs[i] != tx)
            txs[i].conflict = true;
    if (!tx)
        return;
    for (i = 0; i < tx->nlog; i++)
        if (!strcmp(tx->log[i].path, path))
            return;             /* oldest state already kept */
    if (tx->nlog == XS_TX_LOG) {
        tx->overflow = true;
        return;
    }
    {
        struct xs_node *n = find(path), *l = &tx->log[tx->nlog++];

        if (n) {
            *l = *n;
        } else {
            memset(l, 0, sizeof(*l));
            xhv_strlcpy(l->path, path, sizeof(l->path));
        }
    }
}

static void fire(const char *path, bool removal)
{
    unsigned int i;

    for (i = 0; i < XS_MAX_WATCHES; i++) {
        const struct xs_watch *w = &watches[i];
        char rel[XS_PATH_MAX];
        const char *ev = path;

        if (!w->used)
            continue;
        if (!is_under(path, w->path) && !(removal && is_under(w->path, path)))
            continue;
        if (removal && is_under(w->path, path))
            ev = w->path;       /* the watched node itself went away */
        if (w->relative && !strncmp(ev, "/local/domain/1/", 16)) {
            xhv_strlcpy(rel, ev + 16, sizeof(rel));
            ev = rel;
        }
        xs_queue_watch_event(ev, w->token);
    }
}

static struct xs_node *alloc_node(void)
{
    unsigned int i;

    for (i = 0; i < XS_MAX_NODES; i++)
        if (!nodes[i].used)
            return &nodes[i];
    return NULL;
}

static unsigned int free_nodes(void)
{
    unsigned int i, n = 0;

    for (i = 0; i < XS_MAX_NODES; i++)
        n += !nodes[i].used;
    return n;
}

/* Create path and missing ancestors, inheriting the parent's perms. */
static int create(unsigned int caller, struct xs_tx *tx, const char *path,
                  struct xs_node **out)
{
    char chain[8][XS_PATH_MAX];
    unsigned int depth = 0;
    struct xs_node *anc = nearest(path), *n = NULL;
    char p[XS_PATH_MAX];

    if (!can(caller, anc, 'w'))
        return -XEN_EACCES;
    xhv_strlcpy(p, path, sizeof(p));
    /* Invariant: chain[0..depth) are missing nodes, deepest first. */
    while (strcmp(p, anc->path)) {
        if (depth == ARRAY_SIZE(chain))
            return -XEN_EINVAL;         /* too deep at once */
        xhv_strlcpy(chain[depth++], p, XS_PATH_MAX);
        parent_of(p, p);
    }
    if (free_nodes() < depth)
        return XS_EQUOTA;
    while (depth--) {
        n = alloc_node();
        before_change(tx, chain[depth]);
        memset(n, 0, sizeof(*n));
        n->used = true;
        xhv_strlcpy(n->path, chain[depth], sizeof(n->path));
        n->nperms = anc->nperms;
        memcpy(n->perms, anc->perms, sizeof(n->perms));
        if (caller != XS_DOM0)
            n->perms[0].dom = (uint16_t)caller;
        anc = n;
    }
    *out = n;
    return 0;
}

static int prep(unsigned int caller, uint32_t txid, const char *path,
                char *abs, struct xs_tx **tx)
{
    int rc = norm_path(caller, path, abs);

    if (rc)
        return rc;
    *tx = tx_get(caller, txid);
    if (txid && !*tx)
        return -XEN_ENOENT;     /* xenstored: unknown transaction */
    return 0;
}

int xs_read(unsigned int caller, uint32_t txid, const char *path,
            char *buf, size_t cap, size_t *len)
{
    char abs[XS_PATH_MAX];
    struct xs_tx *tx;
    struct xs_node *n;
    int rc = prep(caller, txid, path, abs, &tx);

    if (rc)
        return rc;
    n = find(abs);
    if (!n)
        return -XEN_ENOENT;
    if (!can(caller, n, 'r'))
        return -XEN_EACCES;
    if (n->vlen > cap)
        return -XEN_E2BIG;
    memcpy(buf, n->value, n->vlen);
    *len = n->vlen;
    return 0;
}

int xs_write(unsigned int caller, uint32_t txid, const char *path,
             const char *val, size_t len)
{
    char abs[XS_PATH_MAX];
    struct xs_tx *tx;
    struct xs_node *n;
    int rc = prep(caller, txid, path, abs, &tx);

    if (rc)
        return rc;
    if (len > XS_VALUE_MAX)
        return -XEN_E2BIG;
    n = find(abs);
    if (n) {
        if (!can(caller, n, 'w'))
            return -XEN_EACCES;
        before_change(tx, abs);
    } else {
        rc = create(caller, tx, abs, &n);
        if (rc)
            return rc;
    }
    memcpy(n->value, val, len);
    n->vlen = (uint16_t)len;
    fire(abs, false);
    return 0;
}

int xs_mkdir(unsigned int caller, uint32_t txid, const char *path)
{
    char abs[XS_PATH_MAX];
    struct xs_tx *tx;
    struct xs_node *n;
    int rc = prep(caller, txid, path, abs, &tx);

    if (rc)
        return rc;
    if (find(abs))
        return 0;               /* exists: fine, as xenstored */
    rc = create(caller, tx, abs, &n);
    if (!rc)
        fire(abs, false);
    return rc;
}

int xs_rm(unsigned int caller, uint32_t txid, const char *path)
{
    char abs[XS_PATH_MAX];
    struct xs_tx *tx;
    struct xs_node *n, *parent;
    char par[XS_PATH_MAX];
    unsigned int i;
    int rc = prep(caller, txid, path, abs, &tx);

    if (rc)
        return rc;
    if (!strcmp(abs, "/"))
        return -XEN_EINVAL;
    n = find(abs);
    if (!n) {
        parent_of(abs, par);
        return find(par) ? 0 : -XEN_ENOENT;    /* xenstored's answer */
    }
    if (!can(caller, n, 'w'))
        return -XEN_EACCES;
    for (i = 0; i < XS_MAX_NODES; i++)
        if (nodes[i].used && is_under(nodes[i].path, abs)) {
            before_change(tx, nodes[i].path);
            nodes[i].used = false;
        }
    parent_of(abs, par);
    parent = find(par);
    (void)parent;
    fire(abs, true);
    return 0;
}

int xs_directory(unsigned int caller, uint32_t txid, const char *path,
                 char *buf, size_t cap, size_t *len)
{
    char abs[XS_PATH_MAX];
    struct xs_tx *tx;
    struct xs_node *n;
    size_t plen, out = 0;
    unsigned int i;
    int rc = prep(caller, txid, path, abs, &tx);

    if (rc)
        return rc;
    n = find(abs);
    if (!n)
        return -XEN_ENOENT;
    if (!can(caller, n, 'r'))
        return -XEN_EACCES;
    plen = strcmp(abs, "/") ? strlen(abs) : 0;
    for (i = 0; i < XS_MAX_NODES; i++) {
        const char *c = nodes[i].path;
        size_t clen;

        if (!nodes[i].used || strncmp(c, abs, plen) || c[plen] != '/' ||
            !c[plen + 1] || strchr(c + plen + 1, '/'))
            continue;
        clen = strlen(c + plen + 1) + 1;
        if (out + clen > cap)
            return -XEN_E2BIG;
        memcpy(buf + out, c + plen + 1, clen);
        out += clen;
    }
    *len = out;
    return 0;
}

int xs_get_perms(unsigned int caller, uint32_t txid, const char *path,
                 char *buf, size_t cap, size_t *len)
{
    char abs[XS_PATH_MAX];
    struct xs_tx *tx;
    struct xs_node *n;
    size_t out = 0;
    unsigned int i;
    int rc = prep(caller, txid, path, abs, &tx);

    if (rc)
        return rc;
    n = find(abs);
    if (!n)
        return -XEN_ENOENT;
    if (!can(caller, n, 'r'))
        return -XEN_EACCES;
    for (i = 0; i < n->nperms; i++) {
        int w = xhv_snprintf(buf + out, cap - out, "%c%u", n->perms[i].perm,
                             n->perms[i].dom);

        if (w < 0 || (size_t)w + 1 > cap - out)
            return -XEN_E2BIG;
        out += (size_t)w + 1;
    }
    *len = out;
    return 0;
}

int xs_set_perms(unsigned int caller, uint32_t txid, const char *path,
                 const char *perms, size_t len)
{
    char abs[XS_PATH_MAX];
    struct xs_tx *tx;
    struct xs_node *n;
    struct xs_perm p[XS_MAX_PERMS];
    unsigned int np = 0;
    size_t off = 0;
    int rc = prep(caller, txid, path, abs, &tx);

    if (rc)
        return rc;
    /* Validate the whole list first. */
    while (off < len) {
        const char *e = perms + off;
        size_t elen = strnlen(e, len - off);
        unsigned long dom = 0;
        size_t k;

        if (elen == len - off || elen < 2 || np == XS_MAX_PERMS)
            return -XEN_EINVAL;
        if (e[0] != 'n' && e[0] != 'r' && e[0] != 'w' && e[0] != 'b')
            return -XEN_EINVAL;
        for (k = 1; k < elen; k++) {
            if (e[k] < '0' || e[k] > '9' || dom > 0xffff)
                return -XEN_EINVAL;
            dom = dom * 10 + (unsigned long)(e[k] - '0');
        }
        if (dom > 0xffff)
            return -XEN_EINVAL;
        p[np].perm = e[0];
        p[np++].dom = (uint16_t)dom;
        off += elen + 1;
    }
    if (!np)
        return -XEN_EINVAL;
    n = find(abs);
    if (!n)
        return -XEN_ENOENT;
    /* Only the owner (or dom0) may change permissions. */
    if (caller != XS_DOM0 && n->perms[0].dom != caller)
        return -XEN_EACCES;
    before_change(tx, abs);
    n->nperms = (uint8_t)np;
    memcpy(n->perms, p, sizeof(p));
    fire(abs, false);
    return 0;
}

int xs_tx_start(unsigned int caller, uint32_t *id)
{
    unsigned int i;

    for (i = 0; i < XS_MAX_TX; i++)
        if (!txs[i].used) {
            memset(&txs[i], 0, sizeof(txs[i]));
            txs[i].used = true;
            txs[i].id = next_tx_id++;
            if (!next_tx_id)
                next_tx_id = 1;
            *id = txs[i].id;
            return 0;
        }
    return -XEN_ENOSPC;
}

static void undo(struct xs_tx *tx)
{
    unsigned int i;

    /* Newest first is not needed: each path appears once, oldest state. */
    for (i = 0; i < tx->nlog; i++) {
        const struct xs_node *l = &tx->log[i];
        struct xs_node *n = find(l->path);

        if (l->used) {
            if (!n)
                n = alloc_node();
            if (n)
                *n = *l;
        } else if (n) {
            n->used = false;
        }
    }
}

int xs_tx_end(unsigned int caller, uint32_t id, bool commit)
{
    struct xs_tx *tx = tx_get(caller, id);
    int rc = 0;

    if (!tx)
        return -XEN_ENOENT;
    if (!commit) {
        undo(tx);
    } else if (tx->conflict || tx->overflow) {
        undo(tx);
        rc = -XEN_EAGAIN;
    }
    tx->used = false;
    return rc;
}

int xs_watch(unsigned int caller, const char *path, const char *token)
{
    char abs[XS_PATH_MAX];
    unsigned int i;
    int rc;

    if (strnlen(token, 64) >= 64)
        return -XEN_E2BIG;
    if (path[0] == '@') {               /* special watches: accepted */
        if (strnlen(path, XS_PATH_MAX) >= XS_PATH_MAX)
            return -XEN_E2BIG;
        xhv_strlcpy(abs, path, sizeof(abs));
    } else {
        rc = norm_path(caller, path, abs);
        if (rc)
            return rc;
    }
    for (i = 0; i < XS_MAX_WATCHES; i++)
        if (watches[i].used && !strcmp(watches[i].path, abs) &&
            !strcmp(watches[i].token, token))
            return -XEN_EEXIST;
    for (i = 0; i < XS_MAX_WATCHES; i++)
        if (!watches[i].used) {
            watches[i].used = true;
            watches[i].relative = path[0] != '/' && path[0] != '@';
            xhv_strlcpy(watches[i].path, abs, sizeof(watches[i].path));
            xhv_strlcpy(watches[i].token, token, sizeof(watches[i].token));
            /* A new watch fires once at once, with the path as given. */
            xs_queue_watch_event(path, token);
            return 0;
        }
    return XS_EQUOTA;
}

int xs_unwatch(unsigned int caller, const char *path, const char *token)
{
    char abs[XS_PATH_MAX];
    unsigned int i;
    int rc;

    if (path[0] == '@') {
        xhv_strlcpy(abs, path, sizeof(abs));
    } else {
        rc = norm_path(caller, path, abs);
        if (rc)
            return rc;
    }
    for (i = 0; i < XS_MAX_WATCHES; i++)
        if (watches[i].used && !strcmp(watches[i].path, abs) &&
            !strncmp(watches[i].token, token, 64)) {
            watches[i].used = false;
            return 0;
        }
    return -XEN_ENOENT;
}

void xs_reset_watches(unsigned int caller)
{
    memset(watches, 0, sizeof(watches));
}

void xs_store_init(void)
{
    memset(nodes, 0, sizeof(nodes));
    memset(txs, 0, sizeof(txs));
    memset(watches, 0, sizeof(watches));
    nodes[0].used = true;
    xhv_strlcpy(nodes[0].path, "/", sizeof(nodes[0].path));
    nodes[0].nperms = 1;
    nodes[0].perms[0].dom = XS_DOM0;
    nodes[0].perms[0].perm = 'n';
}

static void dom0_write(const char *path, const char *val)
{
    xs_write(XS_DOM0, 0, path, val, strlen(val));
}

static void dom0_perms(const char *path, unsigned int owner, char other,
                       unsigned int dom, char perm)
{
    char buf[32];
    int n = xhv_snprintf(buf, sizeof(buf), "%c%u", other, owner);

    if (dom != owner)
        n += 1 + xhv_snprintf(buf + n + 1, sizeof(buf) - (size_t)n - 1,
                              "%c%u", perm, dom);
    xs_set_perms(XS_DOM0, 0, path, buf, (size_t)n + 1);
}

/*
 * What a toolstack (xl/libxl) writes for a PV domU, minus devices (a
 * backend adds device/ entries only for what it serves): the domain's own
 * directory is the guest's; name, domid, memory and cpu entries are dom0's
 * and read-only to it; control/ belongs to the guest (it announces its
 * features there), and dom0 writes control/shutdown in it.
 */
void xs_populate_domain(unsigned int domid, const char *name,
                        uint64_t mem_kb, unsigned int vcpus)
{
    char p[XS_PATH_MAX], v[32];
    unsigned int i;

    xhv_snprintf(p, sizeof(p), "/local/domain/%u", domid);
    xs_mkdir(XS_DOM0, 0, "/local/domain/0");
    dom0_write("/local/domain/0/name", "Domain-0");
    dom0_write("/local/domain/0/domid", "0");
    xs_mkdir(XS_DOM0, 0, p);
    dom0_perms(p, domid, 'n', domid, 'b');

#define SUB(fmt, ...) xhv_snprintf(p, sizeof(p), "/local/domain/%u/" fmt, \
                                   domid, ##__VA_ARGS__)
    SUB("name");
    dom0_write(p, name);
    dom0_perms(p, XS_DOM0, 'n', domid, 'r');
    SUB("domid");
    xhv_snprintf(v, sizeof(v), "%u", domid);
    dom0_write(p, v);
    dom0_perms(p, XS_DOM0, 'n', domid, 'r');
    SUB("memory");
    xs_mkdir(XS_DOM0, 0, p);
    dom0_perms(p, XS_DOM0, 'n', domid, 'r');
    xhv_snprintf(v, sizeof(v), "%llu", (unsigned long long)mem_kb);
    SUB("memory/target");
    dom0_write(p, v);
    SUB("memory/static-max");
    dom0_write(p, v);
    SUB("cpu");
    xs_mkdir(XS_DOM0, 0, p);
    dom0_perms(p, XS_DOM0, 'n', domid, 'r');
    for (i = 0; i < vcpus; i++) {
        SUB("cpu/%u/availability", i);
        dom0_write(p, "online");
    }
    SUB("control");
    xs_mkdir(XS_DOM0, 0, p);
    dom0_perms(p, domid, 'n', domid, 'b');
    SUB("control/shutdown");
    dom0_write(p, "");
    dom0_perms(p, domid, 'n', domid, 'b');
    SUB("device");
    xs_mkdir(XS_DOM0, 0, p);
    dom0_perms(p, domid, 'n', domid, 'b');
    SUB("data");
    xs_mkdir(XS_DOM0, 0, p);
    dom0_perms(p, domid, 'n', domid, 'b');
#undef SUB
}
