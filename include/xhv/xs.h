/*
 * The shim's xenstore (the shim is domain 0 for the guest): a node store
 * with permissions, watches and transactions (shim/backends/xs_store.c),
 * and the wire protocol on the guest's ring page (xs_proto.c), public
 * io/xs_wire.h.
 *
 * Limits (xenstored calls them quotas): XS_MAX_NODES nodes, paths up to
 * XS_PATH_MAX-1 bytes, values up to XS_VALUE_MAX bytes, XS_MAX_WATCHES
 * watches and XS_MAX_TX open transactions for the guest. Over a limit:
 * "EQUOTA" (nodes, watches), "ENOSPC" (transactions), "E2BIG" (sizes).
 *
 * Transactions: operations apply at once and are undone on abort or
 * conflict; a commit conflicts (EAGAIN) if anything else changed the
 * store since the transaction started (coarser than xenstored's per-node
 * check: a guest retries, as Linux does).
 *
 * Single-threaded: called from the guest's hypercall path or the shim
 * with interrupts disabled.
 */
#ifndef XHV_XS_H
#define XHV_XS_H

#include <xhv/types.h>

#define XS_MAX_NODES    512
#define XS_PATH_MAX     256
#define XS_VALUE_MAX    2048
#define XS_MAX_WATCHES  128
#define XS_MAX_TX       8
#define XS_MAX_PERMS    4

#define XS_DOM0         0
/* xenstored's "EQUOTA" has no XEN_E* number: a private error code. */
#define XS_EQUOTA       (-1000)

struct domain;

/* --- the store, for the protocol and the shim's own code (dom0) --- */
void xs_store_init(void);
/* Errors are negative XEN_E* values; xs_errname() gives the wire name. */
const char *xs_errname(int err);
int xs_read(unsigned int caller, uint32_t tx, const char *path,
            char *buf, size_t cap, size_t *len);
int xs_write(unsigned int caller, uint32_t tx, const char *path,
             const char *val, size_t len);
int xs_mkdir(unsigned int caller, uint32_t tx, const char *path);
int xs_rm(unsigned int caller, uint32_t tx, const char *path);
/* Children names, NUL-separated, into buf. */
int xs_directory(unsigned int caller, uint32_t tx, const char *path,
                 char *buf, size_t cap, size_t *len);
/* Perms in the wire form ("n0\0r1\0"). */
int xs_get_perms(unsigned int caller, uint32_t tx, const char *path,
                 char *buf, size_t cap, size_t *len);
int xs_set_perms(unsigned int caller, uint32_t tx, const char *path,
                 const char *perms, size_t len);
int xs_tx_start(unsigned int caller, uint32_t *tx);
int xs_tx_end(unsigned int caller, uint32_t tx, bool commit);
/* Watches of the guest: events go to the protocol layer's queue. */
int xs_watch(unsigned int caller, const char *path, const char *token);
int xs_unwatch(unsigned int caller, const char *path, const char *token);
void xs_reset_watches(unsigned int caller);

/* Populate /local/domain/<domid> as a toolstack does for a PV domU. */
void xs_populate_domain(unsigned int domid, const char *name,
                        uint64_t mem_kb, unsigned int vcpus);

/* --- provided by the protocol layer --- */
/* Queue a watch event for the guest (path fired, token). */
void xs_queue_watch_event(const char *path, const char *token);

/* --- the guest connection (xs_proto.c) --- */
int xs_connect_guest(struct domain *d);
struct xenstore_domain_interface;
/* Serve a ring page for domid; notify() signals the guest (tests use it). */
void xs_connect_ring(struct xenstore_domain_interface *ring,
                     unsigned int domid, void (*notify)(void));
/* Process the ring now (after a dom0 change that fired watches). */
void xs_kick(void);
/* Ring state (debug key 'x'). */
void xs_dump(void);

#endif /* XHV_XS_H */
