/*
 * The shim's xenstore server: a library, arch-neutral, no hardware and no
 * hypercalls. The shim plays domain 0; guests talk to it over the ring page
 * of io/xs_wire.h (`struct xenstore_domain_interface`); the shim's own code
 * and its backends use the dom0 C API below.
 *
 * Specs: Xen docs/misc/xenstore.txt (operations, permissions, watches,
 * transactions), docs/misc/xenstore-ring.txt (ring, server_features,
 * connection, error), public io/xs_wire.h (message layout, error names).
 * Semantics follow C xenstored (tools/xenstored: core.c, watch.c,
 * transaction.c, domain.c) where the documents are silent; differences are
 * listed in shim/backends/xenstore/private.h.
 *
 * Memory: fixed static pools (no heap), about 1.5 MiB in all; the limits
 * and per-guest quotas are the XS_QUOTA_* / XS_*_MAX values below.
 *
 * Context: single-threaded. Every function here must be called with the
 * store's lock held by the caller (the shim runs one CPU today, so calling
 * with interrupts off or from the one event path is enough). Watch
 * callbacks of the dom0 API run from the same context, never nested inside
 * a store operation (see xs_dom0_watch()).
 *
 * Errors of the dom0 API are negative XEN_E* values (<xen/errno.h>);
 * xs_errname() gives the wire name a guest would have seen.
 */
#ifndef XHV_XENSTORE_H
#define XHV_XENSTORE_H

#include <xhv/types.h>

struct xenstore_domain_interface;
struct xs_conn;

/* --- limits and per-guest quotas (C xenstored's defaults where it has one) */
#define XS_CONN_MAX             2       /* guest connections */
#define XS_QUOTA_NODES          1000    /* nodes owned by a guest: ENOSPC */
#define XS_QUOTA_WATCHES        128     /* watches of a guest: E2BIG */
#define XS_QUOTA_TRANSACTIONS   10      /* open transactions: ENOSPC */
#define XS_QUOTA_TX_NODES       200     /* nodes touched by one tx: ENOSPC */
#define XS_QUOTA_PERMS          5       /* perms entries per node: ENOSPC */
#define XS_QUOTA_NODE_SIZE      2048    /* bytes per node: ENOSPC */
#define XS_QUOTA_BYTES          (512u * 1024) /* store bytes of a guest: ENOSPC */
#define XS_PERMS_MAX            8       /* perms entries per node (dom0 too) */
#define XS_DOM0_WATCH_MAX       64
#define XS_DOM0_PATH_MAX        256     /* longest path a dom0 callback sees */

/* Permission bits of struct xs_perm (the wire spells them n, r, w, b). */
#define XS_PERM_NONE    0u
#define XS_PERM_READ    1u
#define XS_PERM_WRITE   2u
#define XS_PERM_BOTH    (XS_PERM_READ | XS_PERM_WRITE)

/*
 * perms[0] names the owner (who may do everything) and, in .perms, what
 * every domain not listed gets; perms[1..] grant one domain each.
 */
struct xs_perm {
    uint16_t domid;
    uint8_t perms;
};

/* --- setup ---------------------------------------------------------------- */

/*
 * Empty the store and create what xenstored creates at start ("/",
 * /tool/xenstored, @releaseDomain, @introduceDomain) plus /local/domain/0
 * {name, domid}, as Xen's xencommons does. Drops all connections, watches
 * and transactions. Call once before anything else (tests: before each case).
 */
void xs_init(void);

/*
 * Write /local/domain/<domid> the way xl/libxl (libxl__domain_make and
 * libxl__build_post) does for a PV domU, minus devices: see the decision
 * in shim/backends/xenstore/dom0.c. Failures are logged (they can only be
 * pool exhaustion, i.e. a shim bug).
 */
void xs_populate_domain(unsigned int domid, const char *name,
                        uint64_t mem_kb, unsigned int vcpus);

/* --- guest connections (the ring) ---------------------------------------- */

/*
 * Attach domain `domid` whose ring page is `intf` (mapped by the caller,
 * must stay mapped until the next xs_init). Sets server_features
 * (RECONNECTION | ERROR). `notify` (may be NULL) is called with `ctx` when
 * the library put something on the response ring outside xs_ring_process()
 * (a dom0 write fired a guest watch): the caller then signals the guest's
 * store event channel. Returns NULL if domid is 0, already attached, or
 * XS_CONN_MAX connections exist.
 */
struct xs_conn *xs_conn_attach(unsigned int domid,
                               struct xenstore_domain_interface *intf,
                               void (*notify)(void *ctx), void *ctx);

/*
 * Do the ring's work: handle a reconnection request, consume complete
 * requests from req[] (at most a budget per call, see xs_ring_pending),
 * answer them and write queued watch events into rsp[] as far as there is
 * room. Returns true if the guest must be notified (the caller sends the
 * event channel): we consumed requests or produced responses.
 *
 * Every index on the page is the guest's to scribble on: prod - cons >
 * XENSTORE_RING_SIZE on either ring, or a request longer than
 * XENSTORE_PAYLOAD_MAX, marks the connection broken (intf->error =
 * XENSTORE_ERROR_RINGIDX / _PROTO, one log line); a broken connection is
 * not processed again until the guest asks to reconnect. Nothing outside
 * req[]/rsp[] and the index fields is ever read or written.
 */
bool xs_ring_process(struct xs_conn *c);

/* True if complete input is waiting (the per-call budget ran out). */
bool xs_ring_pending(const struct xs_conn *c);

/* Broken? Then *why (if given) is the XENSTORE_ERROR_* value set. */
bool xs_conn_broken(const struct xs_conn *c, uint32_t *why);

/* Counters for debug keys and tests. */
struct xs_conn_stats {
    uint64_t requests;          /* messages handled */
    uint64_t errors;            /* of those, answered with XS_ERROR */
    uint64_t events;            /* watch events queued */
    uint64_t events_coalesced;  /* lost to a full queue, see xs_ring_process */
    uint32_t nodes, bytes, watches, transactions;   /* current use */
};
void xs_conn_get_stats(const struct xs_conn *c, struct xs_conn_stats *st);

/* --- dom0 API (the shim and its backends; privileged, no transactions) --- */

/* Wire name of an error ("ENOENT" for -XEN_ENOENT); "EINVAL" if unknown. */
const char *xs_errname(int err);

/*
 * Paths are absolute or relative to /local/domain/0, as for xenstored's
 * dom0. Writes create missing parents (they inherit the nearest existing
 * ancestor's perms); watches fire as for a guest's request.
 */
int xs_dom0_write(const char *path, const char *value);
int xs_dom0_write_bin(const char *path, const void *val, size_t len);
/*
 * Copy the value into buf (cap bytes) and NUL-terminate it; *len (if given)
 * gets the value's length. -XEN_E2BIG if it does not fit (nothing copied).
 */
int xs_dom0_read(const char *path, char *buf, size_t cap, size_t *len);
int xs_dom0_mkdir(const char *path);
int xs_dom0_rm(const char *path);
/* Child names, each NUL-terminated, as XS_DIRECTORY gives them. */
int xs_dom0_directory(const char *path, char *buf, size_t cap, size_t *len);
int xs_dom0_set_perms(const char *path, const struct xs_perm *perms,
                      unsigned int n);
/* *n in: room in perms[]; out: entries. */
int xs_dom0_get_perms(const char *path, struct xs_perm *perms, unsigned int *n);

/*
 * Call fn(path, ctx) whenever `path` or a node below it changes (written,
 * created, removed, perms set), and once right after registering, as
 * xenstored does. `path` is the node that changed (absolute); if it is
 * longer than XS_DOM0_PATH_MAX-1 or events were lost to a full queue, the
 * callback gets the watched path instead ("something below changed").
 * Callbacks run after the change is complete, from xs_ring_process() or at
 * the end of the xs_dom0_* call that caused them, never nested; a callback
 * may call the dom0 API (its own events are delivered in the same pass).
 * Returns a handle >= 0 or -XEN_EINVAL / -XEN_ENOSPC.
 */
typedef void (*xs_watch_fn)(const char *path, void *ctx);
int xs_dom0_watch(const char *path, xs_watch_fn fn, void *ctx);
int xs_dom0_unwatch(int handle);

/* Deliver pending dom0 watch callbacks now (normally automatic). */
void xs_dom0_run_watches(void);

#endif /* XHV_XENSTORE_H */
