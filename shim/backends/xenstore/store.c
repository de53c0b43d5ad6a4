/*
 * xenstore: node records, the byte arena they keep their bytes in, the
 * path hash, per-domain accounting, and path/permission helpers.
 *
 * Spec: docs/misc/xenstore.txt ("Permissions", path syntax); semantics of
 * C xenstored's core.c (canonicalize, perm_for_conn, node-size quota).
 *
 * The arena is a bump allocator over one static array. Each blob starts
 * with a header naming its size, the one reference to it (a record or a
 * watch) and the domain charged. Freeing marks the header; when the bump
 * pointer reaches the end, live blobs are slid down in address order and
 * their references rewritten. Hence (see private.h) no arena pointer may be
 * held across an allocation: every function here that allocates first
 * allocates, then derives its source pointers.
 *
 * Single-threaded (see include/xhv/xenstore.h).
 */
#include "private.h"

struct blob_hdr {
    uint32_t size;          /* whole blob, header included, 8-aligned */
    uint32_t owner;         /* XSD_OWN_*, 0 when free */
    uint32_t acct;          /* domid charged */
    uint32_t pad;
};

struct xsd_rec xsd_recs[XSD_REC_MAX];
uint64_t xsd_generation;

static uint8_t arena[XSD_ARENA_SIZE] __aligned(16);
static uint32_t arena_top, arena_live;
static int32_t hash_head[XSD_HASH_SIZE];
static int32_t rec_free[XSD_REC_MAX];
static uint32_t rec_nfree;
static struct xsd_acct accts[XSD_ACCT_MAX];

void xsd_store_reset(void)
{
    uint32_t i;

    memset(xsd_recs, 0, sizeof(xsd_recs));
    memset(accts, 0, sizeof(accts));
    arena_top = arena_live = 0;
    xsd_generation = 0;
    for (i = 0; i < XSD_HASH_SIZE; i++)
        hash_head[i] = -1;
    /* Invariant: rec_free[0, rec_nfree) are the unused records. */
    for (i = 0; i < XSD_REC_MAX; i++)
        rec_free[i] = (int32_t)(XSD_REC_MAX - 1 - i);
    rec_nfree = XSD_REC_MAX;
}

void *xsd_arena_ptr(uint32_t off)
{
    return &arena[off];
}

static struct blob_hdr *hdr_of(uint32_t off)
{
    return (struct blob_hdr *)(void *)&arena[off - sizeof(struct blob_hdr)];
}

struct xsd_acct *xsd_acct(uint16_t domid, bool create)
{
    unsigned int i;
    struct xsd_acct *freea = NULL;

    for (i = 0; i < XSD_ACCT_MAX; i++) {
        if (accts[i].used && accts[i].domid == domid)
            return &accts[i];
        if (!accts[i].used && !freea)
            freea = &accts[i];
    }
    if (!create || !freea)
        return NULL;    /* unknown domains are not charged: only dom0 names them */
    freea->used = true;
    freea->domid = domid;
    freea->nodes = freea->bytes = 0;
    return freea;
}

static void charge(uint16_t domid, int64_t delta)
{
    struct xsd_acct *a = xsd_acct(domid, delta > 0);

    if (!a)
        return;
    if (delta < 0 && (uint64_t)-delta > a->bytes)
        a->bytes = 0;
    else
        a->bytes = (uint32_t)((int64_t)a->bytes + delta);
}

static void compact(void)
{
    uint32_t src = 0, dst = 0;

    /* Invariant: blobs below dst are live and packed; src walks all blobs. */
    while (src < arena_top) {
        struct blob_hdr *h = (struct blob_hdr *)(void *)&arena[src];
        uint32_t size = h->size, owner = h->owner;

        if (owner) {
            if (dst != src)
                memmove(&arena[dst], &arena[src], size);
            if ((owner >> 24) == 1)
                xsd_recs[owner & 0xffffff].blob = dst + sizeof(*h);
            else
                xsd_watch_moved(owner & 0xffffff, dst + sizeof(*h));
            dst += size;
        }
        src += size;
    }
    arena_top = dst;
}

uint32_t xsd_arena_room(void)
{
    return XSD_ARENA_SIZE - arena_live;
}

/*
 * Allocate len bytes owned by `owner`, charged to `acct`; chk applies the
 * per-guest byte quota. May move every blob. Returns the offset of the
 * bytes, or XSD_NONE with *err = XEN_ENOSPC (quota) / XEN_ENOMEM (arena).
 */
uint32_t xsd_arena_alloc(uint32_t len, uint32_t owner, uint16_t acct,
                         bool chk, int *err)
{
    uint32_t need, off;
    struct blob_hdr *h;
    struct xsd_acct *a;

    if (len > XSD_ARENA_SIZE / 2) {
        *err = XEN_ENOMEM;
        return XSD_NONE;
    }
    need = ALIGN_UP(len + (uint32_t)sizeof(*h), 8u);
    a = xsd_acct(acct, false);
    if (chk && a && a->bytes + need > XS_QUOTA_BYTES) {
        *err = XEN_ENOSPC;
        return XSD_NONE;
    }
    if (arena_live + need > XSD_ARENA_SIZE) {
        *err = XEN_ENOMEM;
        return XSD_NONE;
    }
    if (arena_top + need > XSD_ARENA_SIZE)
        compact();
    h = (struct blob_hdr *)(void *)&arena[arena_top];
    h->size = need;
    h->owner = owner;
    h->acct = acct;
    h->pad = 0;
    off = arena_top + (uint32_t)sizeof(*h);
    arena_top += need;
    arena_live += need;
    charge(acct, need);
    return off;
}

void xsd_arena_free(uint32_t off)
{
    struct blob_hdr *h;

    if (off == XSD_NONE)
        return;
    h = hdr_of(off);
    h->owner = 0;
    arena_live -= h->size;
    charge((uint16_t)h->acct, -(int64_t)h->size);
    /* The newest blob can be given back at once (common: replace value). */
    if (off - sizeof(*h) + h->size == arena_top)
        arena_top -= h->size;
}

void xsd_arena_set_owner(uint32_t off, uint32_t owner, uint16_t acct)
{
    struct blob_hdr *h = hdr_of(off);

    if (h->acct != acct) {
        charge((uint16_t)h->acct, -(int64_t)h->size);
        charge(acct, h->size);
        h->acct = acct;
    }
    h->owner = owner;
}

const char *xsd_key(const struct xsd_rec *r)
{
    return (const char *)&arena[r->blob];
}

const char *xsd_data(const struct xsd_rec *r)
{
    return (const char *)&arena[r->blob + r->keylen + 1];
}

const char *xsd_children(const struct xsd_rec *r)
{
    return (const char *)&arena[r->blob + r->keylen + 1 + r->datalen];
}

static uint32_t hash(const char *key, size_t len, unsigned int tx)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (uint8_t)key[i]) * 16777619u;
    h ^= tx * 0x9e3779b9u;
    return (h ^ (h >> 15)) % XSD_HASH_SIZE;
}

int xsd_find(const char *key, size_t len, unsigned int tx)
{
    int32_t i;

    for (i = hash_head[hash(key, len, tx)]; i >= 0; i = xsd_recs[i].hnext) {
        const struct xsd_rec *r = &xsd_recs[i];

        if (r->tx == tx && r->keylen == len && !memcmp(xsd_key(r), key, len))
            return i;
    }
    return -1;
}

static void hash_link(int r)
{
    struct xsd_rec *p = &xsd_recs[r];
    uint32_t h = hash(xsd_key(p), p->keylen, p->tx);

    p->hnext = hash_head[h];
    hash_head[h] = r;
}

static void hash_unlink(int r)
{
    struct xsd_rec *p = &xsd_recs[r];
    int32_t *pp = &hash_head[hash(xsd_key(p), p->keylen, p->tx)];

    while (*pp >= 0) {
        if (*pp == r) {
            *pp = p->hnext;
            return;
        }
        pp = &xsd_recs[*pp].hnext;
    }
}

/* Re-key a shadow as a global record (commit). */
void xsd_rec_make_global(int r)
{
    hash_unlink(r);
    xsd_recs[r].tx = 0;
    hash_link(r);
}

uint32_t xsd_rec_free_count(void)
{
    return rec_nfree;
}

/* A new record holding only its key (which must not point into the arena). */
int xsd_rec_new(const char *key, size_t len, unsigned int tx, uint16_t acct,
                bool chk, int *err)
{
    int r;
    uint32_t off;

    if (!rec_nfree) {
        *err = XEN_ENOMEM;
        return -1;
    }
    r = rec_free[rec_nfree - 1];
    off = xsd_arena_alloc((uint32_t)len + 1, XSD_OWN_REC(r), acct, chk, err);
    if (off == XSD_NONE)
        return -1;
    rec_nfree--;
    memset(&xsd_recs[r], 0, sizeof(xsd_recs[r]));
    memcpy(&arena[off], key, len);
    arena[off + len] = '\0';
    xsd_recs[r].blob = off;
    xsd_recs[r].keylen = (uint32_t)len;
    xsd_recs[r].tx = (uint8_t)tx;
    xsd_recs[r].flags = XSD_F_USED;
    xsd_recs[r].acct = acct;
    xsd_recs[r].txnext = -1;
    hash_link(r);
    return r;
}

void xsd_rec_free(int r)
{
    struct xsd_rec *p = &xsd_recs[r];

    hash_unlink(r);
    xsd_arena_free(p->blob);
    memset(p, 0, sizeof(*p));
    rec_free[rec_nfree++] = r;
}

/*
 * Give record r a new blob of key + value + children, copying from the
 * given sources. val/name must not point into the arena; the children come
 * from record csrc (may be r itself), optionally plus one new name.
 */
static int rebuild(int r, const void *val, size_t vlen, int csrc,
                   const char *name, size_t nlen, bool chk, uint16_t acct)
{
    struct xsd_rec *p = &xsd_recs[r];
    uint32_t clen = csrc >= 0 ? xsd_recs[csrc].childlen : 0;
    uint32_t extra = name ? (uint32_t)nlen + 1 : 0;
    uint32_t len = p->keylen + 1 + (uint32_t)vlen + clen + extra;
    uint32_t off;
    uint8_t *d;
    int err;

    off = xsd_arena_alloc(len, XSD_OWN_REC(r), acct, chk, &err);
    if (off == XSD_NONE)
        return err;
    /* Sources only now: the allocation may have moved them. */
    d = &arena[off];
    memcpy(d, xsd_key(p), p->keylen + 1);
    d += p->keylen + 1;
    if (vlen)
        memcpy(d, val, vlen);
    d += vlen;
    if (clen)
        memcpy(d, xsd_children(&xsd_recs[csrc]), clen);
    d += clen;
    if (name) {
        memcpy(d, name, nlen);
        d[nlen] = '\0';
    }
    xsd_arena_free(p->blob);
    p->blob = off;
    p->acct = acct;
    p->datalen = (uint32_t)vlen;
    p->childlen = clen + extra;
    return 0;
}

int xsd_rec_set(int r, const void *val, size_t vlen, bool chk, uint16_t acct)
{
    return rebuild(r, val, vlen, r, NULL, 0, chk, acct);
}

int xsd_rec_add_child(int r, const char *name, size_t len, bool chk,
                      uint16_t acct)
{
    struct xsd_rec *p = &xsd_recs[r];
    uint32_t off;
    int err;

    /* rebuild() copies the value from a non-arena source: do it by hand. */
    off = xsd_arena_alloc(p->keylen + 1 + p->datalen + p->childlen +
                          (uint32_t)len + 1, XSD_OWN_REC(r), acct, chk, &err);
    if (off == XSD_NONE)
        return err;
    memcpy(&arena[off], xsd_key(p), p->keylen + 1 + p->datalen + p->childlen);
    memcpy(&arena[off + p->keylen + 1 + p->datalen + p->childlen], name, len);
    arena[off + p->keylen + 1 + p->datalen + p->childlen + len] = '\0';
    xsd_arena_free(p->blob);
    p->blob = off;
    p->acct = acct;
    p->childlen += (uint32_t)len + 1;
    return 0;
}

/* Remove one name from the children list, in place (never allocates). */
void xsd_rec_del_child(int r, const char *name, size_t len)
{
    struct xsd_rec *p = &xsd_recs[r];
    char *c = (char *)&arena[p->blob + p->keylen + 1 + p->datalen];
    uint32_t i = 0;

    /* Invariant: c[i] starts a name (names are NUL-terminated). */
    while (i < p->childlen) {
        size_t n = strnlen(c + i, p->childlen - i);

        if (n == len && !memcmp(c + i, name, len)) {
            memmove(c + i, c + i + n + 1, p->childlen - i - n - 1);
            p->childlen -= (uint32_t)n + 1;
            return;
        }
        i += (uint32_t)n + 1;
    }
}

/* dst takes src's value, children and perms (dst keeps its key). */
int xsd_rec_copy(int dst, int src, bool chk, uint16_t acct)
{
    struct xsd_rec *d = &xsd_recs[dst];
    const struct xsd_rec *s = &xsd_recs[src];
    uint32_t off, total = d->keylen + 1 + s->datalen + s->childlen;
    int err;

    off = xsd_arena_alloc(total, XSD_OWN_REC(dst), acct, chk, &err);
    if (off == XSD_NONE)
        return err;
    memcpy(&arena[off], xsd_key(d), d->keylen + 1);
    memcpy(&arena[off + d->keylen + 1], xsd_data(s), s->datalen + s->childlen);
    xsd_arena_free(d->blob);
    d->blob = off;
    d->acct = acct;
    d->datalen = s->datalen;
    d->childlen = s->childlen;
    d->nperms = s->nperms;
    memcpy(d->perms, s->perms, sizeof(d->perms));
    return 0;
}

/* Keep only the key (a deleted node's shadow); in place. */
void xsd_rec_drop_content(int r)
{
    xsd_recs[r].datalen = 0;
    xsd_recs[r].childlen = 0;
}

/* Count a global node for its owner (xenstored's "nodes" quota). */
void xsd_node_count(const struct xsd_rec *r, int delta)
{
    struct xsd_acct *a = xsd_acct(r->perms[0].domid, delta > 0);

    if (!a)
        return;
    if (delta < 0 && a->nodes < (uint32_t)-delta)
        a->nodes = 0;
    else
        a->nodes = (uint32_t)((int)a->nodes + delta);
}

/* xenstored's perm_for_conn(): owner and dom0 get everything. */
unsigned int xsd_perm_for(const struct xsd_caller *c, const struct xsd_rec *r)
{
    unsigned int i;

    if (c->priv || !r->nperms || r->perms[0].domid == c->domid)
        return XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER;
    for (i = 1; i < r->nperms; i++)
        if (r->perms[i].domid == c->domid)
            return r->perms[i].perms & XS_PERM_BOTH;
    return r->perms[0].perms & XS_PERM_BOTH;
}

uint32_t xsd_node_size(const struct xsd_rec *r)
{
    return XSD_NODE_HDR + r->nperms * XSD_NODE_PERM + r->datalen + r->childlen;
}

static bool valid_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' || ch == '_' ||
           ch == '@';
}

/* Length of "/local/domain/<1-5 digits>/" at the start of p, else 0. */
static size_t local_prefix(const char *p, size_t len)
{
    static const char pre[] = "/local/domain/";
    size_t i = sizeof(pre) - 1, d = 0;

    if (len < i || memcmp(p, pre, i))
        return 0;
    while (i < len && p[i] >= '0' && p[i] <= '9' && d < 5) {
        i++;
        d++;
    }
    return (d && i < len && p[i] == '/') ? i + 1 : 0;
}

/*
 * xenstored's canonicalize(): check the characters, make a relative path
 * absolute under the caller's /local/domain/<domid>, refuse a trailing
 * '/' (except "/"), "//", more than XENSTORE_ABS_PATH_MAX bytes, and, for a
 * guest, more than XENSTORE_REL_PATH_MAX bytes after /local/domain/<n>/.
 * in is NUL-terminated; out has XSD_PATH_BUF bytes. *prefix gets the
 * length added to a relative path (0 for an absolute one).
 */
int xsd_canon(const struct xsd_caller *c, const char *in, bool special,
              char *out, size_t *outlen, uint32_t *prefix)
{
    size_t n = strnlen(in, XSD_PATH_BUF), i, pre = 0, len;

    if (n >= XSD_PATH_BUF)
        return XEN_EINVAL;
    for (i = 0; i < n; i++)
        if (!valid_char(in[i]))
            return XEN_EINVAL;
    if (in[0] == '@' && !special)
        return XEN_EINVAL;
    if (in[0] != '/' && in[0] != '@') {
        static const char loc[] = "/local/domain/";
        char num[24];
        size_t nl = xsd_utoa(c->domid, num);

        pre = sizeof(loc) - 1 + nl + 1;
        if (pre + n >= XSD_PATH_BUF)
            return XEN_EINVAL;
        memcpy(out, loc, sizeof(loc) - 1);
        memcpy(out + sizeof(loc) - 1, num, nl);
        out[pre - 1] = '/';
    }
    memcpy(out + pre, in, n);
    len = pre + n;
    out[len] = '\0';
    if (len == 0 || (len > 1 && out[len - 1] == '/'))
        return XEN_EINVAL;
    for (i = 0; i + 1 < len; i++)
        if (out[i] == '/' && out[i + 1] == '/')
            return XEN_EINVAL;
    if (len > XENSTORE_ABS_PATH_MAX)
        return XEN_EINVAL;
    if (!c->priv && len - local_prefix(out, len) > XENSTORE_REL_PATH_MAX)
        return XEN_EINVAL;
    *outlen = len;
    if (prefix)
        *prefix = (uint32_t)pre;
    return 0;
}

/* Length of the parent's path ("/" for a top-level node or "@name"). */
size_t xsd_parent_len(const char *key, size_t len)
{
    size_t i;

    for (i = len; i > 1; i--)
        if (key[i - 1] == '/')
            return i - 1 > 0 ? i - 1 : 1;
    return 1;
}

/* Is child equal to or below parent? "/" is everything's parent. */
bool xsd_is_child(const char *child, size_t clen, const char *parent,
                  size_t plen)
{
    if (plen == 1 && parent[0] == '/')
        return true;
    if (clen < plen || memcmp(child, parent, plen))
        return false;
    return clen == plen || child[plen] == '/';
}

/* atoi() as xenstored uses it, without its overflow UB: wraps mod 2^32. */
uint32_t xsd_atou(const char *s)
{
    uint32_t v = 0;
    bool neg = false;

    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    while (*s >= '0' && *s <= '9')
        v = v * 10u + (uint32_t)(*s++ - '0');
    return neg ? 0u - v : v;
}

size_t xsd_utoa(uint64_t v, char *buf)
{
    char tmp[24];
    size_t n = 0, i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}
