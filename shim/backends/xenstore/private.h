/*
 * Private interfaces of the xenstore server (shim/backends/xenstore/).
 *
 *   store.c       byte arena, node records, hash, accounting, paths, perms
 *   ops.c         the node operations (read/write/mkdir/rm/directory/perms)
 *                 on the caller's view: the global tree or a transaction's
 *   transaction.c transaction slots, shadow records, commit and abort
 *   watch.c       guest and dom0 watches, firing, dom0 event queue
 *   protocol.c    wire messages: validation, dispatch, replies
 *   ring.c        the ring page, input assembly, output queue, reconnect
 *   dom0.c        the dom0 C API and xs_populate_domain()
 *
 * Data model (as C xenstored's): a node is a record keyed by its full path,
 * holding value, permissions and the NUL-separated list of its children's
 * names. A transaction keeps "shadow" records keyed by the same path and
 * its slot: a shadow either only remembers the generation seen at the first
 * access (for conflict detection) or holds the node's content as the
 * transaction sees it (written, created or deleted). Commit checks every
 * remembered generation (EAGAIN on a mismatch), then replaces the global
 * records by the modified shadows and fires the queued watches.
 *
 * Memory: records in a fixed pool; their variable bytes (path, value,
 * children) and watches' path+token live in one byte arena. The arena
 * compacts itself when its end is reached (moving blobs down and fixing the
 * one reference each has), so ANY arena allocation may move every blob:
 * never hold a pointer into the arena across xsd_arena_alloc(). Per-guest
 * byte quotas keep the live data well under the arena size, so compaction
 * is rare and its cost amortized.
 *
 * Differences from C xenstored, on purpose:
 *  - quotas are "at most N" (xenstored allows N+1 watches/transactions);
 *  - a read inside a transaction sees later global changes (xenstored keeps
 *    a copy); such a transaction always ends in EAGAIN anyway;
 *  - ancestors consulted only to choose between ENOENT and EACCES are not
 *    recorded as transaction accesses (fewer spurious EAGAINs);
 *  - exceeding the per-guest byte quota is ENOSPC (xenstored: ENOMEM/EIO);
 *    pool exhaustion is ENOMEM;
 *  - the "outstanding requests" quota is the output queue: a request is
 *    only taken from the ring when its largest reply fits in the queue;
 *  - watch events that do not fit the bounded queue are coalesced into one
 *    event for the watched path itself (xenstored queues without bound and
 *    drops events after 20 s);
 *  - no XS_CONTROL, INTRODUCE, RELEASE, RESUME, SET_TARGET: guests get
 *    EACCES for them as from xenstored; dom0 uses the C API.
 */
#ifndef XHV_XENSTORE_PRIVATE_H
#define XHV_XENSTORE_PRIVATE_H

#include <xhv/types.h>
#include <xhv/string.h>
#include <xen/io/xs_wire.h>
#include <xen/errno.h>
#include <xhv/xenstore.h>

#define XSD_NO_GEN          UINT64_MAX
#define XSD_NONE            UINT32_MAX
#define XSD_REC_MAX         4096
#define XSD_HASH_SIZE       2048
#define XSD_ARENA_SIZE      (1u << 20)
#define XSD_PATH_BUF        (XENSTORE_ABS_PATH_MAX + 1)
#define XSD_TX_MAX          (XS_CONN_MAX * XS_QUOTA_TRANSACTIONS)
#define XSD_WATCH_MAX       (XS_CONN_MAX * XS_QUOTA_WATCHES)
#define XSD_ACCT_MAX        8
#define XSD_NODE_HDR        16      /* xenstored's node_hdr, for node-size */
#define XSD_NODE_PERM       8       /* its struct xs_permissions */
#define XS_PERM_OWNER       8u      /* internal: owner's rights */
#define XSD_MSG_MAX         (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)
#define XSD_OUT_SIZE        16384   /* per-connection output queue */
#define XSD_RING_BUDGET     256     /* requests per xs_ring_process call */

/* Record flags. A global node is USED|EXISTS|OWN. */
#define XSD_F_USED      0x01
#define XSD_F_OWN       0x02    /* holds content (else: only a generation) */
#define XSD_F_EXISTS    0x04    /* with OWN: node exists in this view */
#define XSD_F_MODIFIED  0x08    /* shadow: written/created/deleted in tx */
#define XSD_F_CHECK     0x10    /* shadow: compare gen at commit */
#define XSD_F_FIRE      0x20    /* shadow: fire watches at commit */
#define XSD_F_EXACT     0x40    /* shadow: ... only exact-path watches */

struct xsd_rec {
    uint64_t gen;           /* global: last change; shadow: gen first seen */
    uint32_t blob;          /* arena: key NUL, value, children; or XSD_NONE */
    uint32_t keylen, datalen, childlen;
    int32_t hnext;          /* hash chain */
    int32_t txnext;         /* next shadow of the same transaction */
    uint16_t acct;          /* domain charged for the blob */
    uint8_t tx;             /* 0: global; n: shadow of tx slot n-1 */
    uint8_t flags;
    uint8_t nperms;
    struct xs_perm perms[XS_PERMS_MAX];
};

/* Who is asking: a guest connection (maybe in a transaction) or dom0. */
struct xsd_caller {
    uint16_t domid;
    bool priv;
    struct xs_conn *conn;   /* NULL for the dom0 API */
    int tx;                 /* transaction slot or -1 */
};

struct xsd_tx {
    bool used;
    bool fail;              /* a step failed half-way: commit says ENOMEM */
    uint32_t id;
    struct xs_conn *conn;
    int32_t head, tail;     /* shadow list, in access order */
    uint32_t nodes;
};

struct xsd_watch {
    bool used;
    bool overflow;          /* events lost: send one for the watch path */
    struct xs_conn *conn;
    uint32_t blob;          /* arena: path NUL token NUL */
    uint32_t pathlen, toklen;
    uint32_t prefix;        /* bytes to strip for a relative watch */
};

struct xsd_acct {
    bool used;
    uint16_t domid;
    uint32_t nodes;
    uint32_t bytes;
};

struct xs_conn {
    bool used;
    bool broken;
    uint32_t broken_why;
    uint16_t domid;
    struct xenstore_domain_interface *intf;
    void (*notify)(void *ctx);
    void *notify_ctx;
    uint32_t next_tx_id;
    uint32_t nr_tx, nr_watches;
    /* request being assembled: header, then payload, then a NUL we add */
    uint32_t in_used;
    uint8_t in[XSD_MSG_MAX + 1];
    /*
     * Output queue: complete messages in out[0, out_len); out[out_msg0] is
     * the first not completely sent, of which out_sent - out_msg0 bytes
     * went to the ring already. Kept linear: compacted when appending.
     */
    uint32_t out_len, out_msg0, out_sent;
    uint8_t out[XSD_OUT_SIZE];
    struct xs_conn_stats st;
};

/* store.c */
extern struct xsd_rec xsd_recs[XSD_REC_MAX];
extern uint64_t xsd_generation;
void xsd_store_reset(void);
void *xsd_arena_ptr(uint32_t off);
uint32_t xsd_arena_alloc(uint32_t len, uint32_t owner, uint16_t acct,
                         bool chk, int *err);
void xsd_arena_free(uint32_t off);
void xsd_arena_set_owner(uint32_t off, uint32_t owner, uint16_t acct);
#define XSD_OWN_REC(i)      (0x01000000u | (uint32_t)(i))
#define XSD_OWN_WATCH(i)    (0x02000000u | (uint32_t)(i))
struct xsd_acct *xsd_acct(uint16_t domid, bool create);
const char *xsd_key(const struct xsd_rec *r);
const char *xsd_data(const struct xsd_rec *r);
const char *xsd_children(const struct xsd_rec *r);
int xsd_find(const char *key, size_t len, unsigned int tx);
int xsd_rec_new(const char *key, size_t len, unsigned int tx, uint16_t acct,
                bool chk, int *err);
void xsd_rec_free(int r);
void xsd_rec_make_global(int r);
int xsd_rec_set(int r, const void *val, size_t vlen, bool chk,
                uint16_t acct);
int xsd_rec_add_child(int r, const char *name, size_t len, bool chk,
                      uint16_t acct);
void xsd_rec_del_child(int r, const char *name, size_t len);
int xsd_rec_copy(int dst, int src, bool chk, uint16_t acct);
void xsd_rec_drop_content(int r);
uint32_t xsd_rec_free_count(void);
uint32_t xsd_arena_room(void);
void xsd_node_count(const struct xsd_rec *r, int delta);
unsigned int xsd_perm_for(const struct xsd_caller *c,
                          const struct xsd_rec *r);
uint32_t xsd_node_size(const struct xsd_rec *r);
int xsd_canon(const struct xsd_caller *c, const char *in, bool special,
              char *out, size_t *outlen, uint32_t *prefix);
size_t xsd_parent_len(const char *key, size_t len);
bool xsd_is_child(const char *child, size_t clen, const char *parent,
                  size_t plen);
uint32_t xsd_atou(const char *s);
size_t xsd_utoa(uint64_t v, char *buf);

/* ops.c: every call validates, then changes state. */
int xsd_view(const struct xsd_caller *c, const char *key, size_t len);
int xsd_get(const struct xsd_caller *c, const char *key, size_t len,
            unsigned int want, int *rec);
int xsd_op_write(const struct xsd_caller *c, const char *key, size_t len,
                 const void *val, size_t vlen);
int xsd_op_mkdir(const struct xsd_caller *c, const char *key, size_t len);
int xsd_op_rm(const struct xsd_caller *c, const char *key, size_t len);
int xsd_op_set_perms(const struct xsd_caller *c, const char *key, size_t len,
                     const struct xs_perm *p, unsigned int n);
int xsd_perms_parse(const char *s, size_t len, struct xs_perm *p,
                    unsigned int *n);
size_t xsd_perms_format(const struct xsd_rec *r, char *buf, size_t cap);

/* transaction.c */
extern struct xsd_tx xsd_txs[XSD_TX_MAX];
void xsd_tx_reset(void);
int xsd_tx_lookup(struct xs_conn *conn, uint32_t id, int *slot);
int xsd_tx_start(struct xs_conn *conn, uint32_t *id);
int xsd_tx_end(struct xs_conn *conn, int slot, bool commit);
void xsd_tx_drop_conn(struct xs_conn *conn);
int xsd_tx_touch(const struct xsd_caller *c, const char *key, size_t len,
                 int *shadow);
int xsd_tx_own(const struct xsd_caller *c, int shadow);
void xsd_tx_queue_fire(int shadow, bool exact);

/* watch.c */
void xsd_watch_reset(void);
void xsd_fire(const char *key, size_t len, bool exact,
              const struct xsd_rec *perms_of);
int xsd_watch_add(struct xs_conn *conn, const char *path, size_t plen,
                  uint32_t prefix, const char *token, size_t tlen);
int xsd_watch_del(struct xs_conn *conn, const char *path, size_t plen,
                  const char *token, size_t tlen);
void xsd_watch_drop_conn(struct xs_conn *conn);
void xsd_watch_flush_overflow(struct xs_conn *conn);
void xsd_watch_fire_new(struct xs_conn *conn, const char *path, size_t plen,
                        const char *token, size_t tlen);
/* Compaction moved watch idx's blob to off. */
void xsd_watch_moved(uint32_t idx, uint32_t off);

/* ring.c */
extern struct xs_conn xsd_conns[XS_CONN_MAX];
bool xsd_out_put(struct xs_conn *c, uint32_t type, uint32_t req_id,
                 uint32_t tx_id, const void *p1, size_t l1, const void *p2,
                 size_t l2, bool reserve);
bool xsd_out_has_event(const struct xs_conn *c, const char *p, size_t len);
bool xsd_out_flush(struct xs_conn *c);
void xsd_conn_reset_state(struct xs_conn *c);
void xsd_kick_all(const struct xs_conn *except);

/* protocol.c */
const char *xsd_errname(int err);
void xsd_handle(struct xs_conn *c, const struct xsd_sockmsg *h,
                char *payload);

#endif /* XHV_XENSTORE_PRIVATE_H */
