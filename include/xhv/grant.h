/*
 * Grant tables, version 1 (public grant_table.h), with Xen's semantics
 * (xen/common/grant_table.c): the guest's shared table, the "active"
 * (pin) state of each entry, the shim-side map/copy for the backends the
 * shim serves as dom0, and the hypercall (shim/hypercall/grant.c).
 *
 * The table: up to GNTTAB_MAX_FRAMES frames (Xen's default
 * max_grant_frames), allocated by the shim at domain build and shared with
 * the guest as Xen's share_xen_page_with_guest() does: owned by the
 * domain, one allocation reference, a permanent writable type reference
 * (PGF_shared), M2P entry invalid. GNTTAB_INITIAL_FRAMES are shared at
 * once; GNTTABOP_setup_table shares more, never fewer. A PV guest is not
 * translated: entry frames and setup_table's frame list are machine frames.
 *
 * Grant use ("pins"): a user of an entry is the backend domain (0, the
 * shim) or the guest itself (GNTTABOP_copy of its own grants). The first
 * pin checks the entry (GTF_permit_access, the user's domid in the domid
 * field, no GTF_readonly for a write, no GTF_sub_page for a map), then sets
 * GTF_reading (and GTF_writing for a write) with an atomic compare-and-swap
 * on the entry's flags+domid word, because the guest may change it at the
 * same time; only then is the frame read and checked. Later pins of a
 * pinned entry use the frame recorded at the first pin, as Xen does. Each
 * pin holds a general reference on the frame, and a writable type
 * reference if it is for writing: a page-table or descriptor frame can
 * never be pinned for writing, a pinned-writable frame never becomes one.
 * Dropping the last write pin clears GTF_writing, the last pin GTF_reading.
 *
 * Status codes are the public GNTST_* ones:
 *   GNTST_bad_domain    the domain has no grant table here (not the one
 *                       initialised; for the hypercall: see grant.c)
 *   GNTST_bad_gntref    ref >= the number of entries of the shared frames
 *   GNTST_general_error entry not GTF_permit_access (or GTF_sub_page for a
 *                       map), domid field not the user, GTF_readonly for a
 *                       write, entry pinned by another user, pin count
 *                       full, the entry kept changing under the
 *                       compare-and-swap (5 tries), frame not writable
 *                       (a page table / descriptor page)
 *   GNTST_bad_page      the entry's frame is not the granting domain's
 *                       (shim, I/O, another owner, beyond the frame table)
 *   GNTST_bad_copy_arg  offset + len beyond the page
 *   GNTST_bad_handle    unmap of a pin the backend does not hold
 * A refused operation leaves the entry's flags and the frame's counts as
 * they were.
 *
 * Locking: none. One CPU runs the one vCPU and the backends; every entry
 * point runs with interrupts disabled (SMP adds a per-domain grant lock).
 * The shared entries are the exception: the guest may write them at any
 * time (on another vCPU later), so the shim touches a v1 entry's header
 * only with atomic operations and reads each field once.
 */
#ifndef XHV_GRANT_H
#define XHV_GRANT_H

#include <xhv/domain.h>
#include <xen/grant_table.h>

struct frame_pool;

/* Xen's defaults: gnttab_max_frames=64, INITIAL_NR_GRANT_FRAMES 1. */
#define GNTTAB_MAX_FRAMES           64
#define GNTTAB_INITIAL_FRAMES       1
#define GNTTAB_ENTRIES_PER_FRAME    (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define GNTTAB_MAX_ENTRIES \
    (GNTTAB_MAX_FRAMES * GNTTAB_ENTRIES_PER_FRAME)
/* grant_table_op count above this: -XEN_EINVAL (Xen preempts instead). */
#define GNTTAB_MAX_BATCH            1024
/* The domain the backends run in: the shim plays dom0. */
#define GNTTAB_BACKEND_DOMID        0

/* ---- The table (shim/grant_table.c) ----------------------------------- */

/*
 * Build d's grant table: allocate GNTTAB_MAX_FRAMES zeroed frames from fp
 * and share the first GNTTAB_INITIAL_FRAMES with d. Needs the frame table
 * (mm_init); call once per domain build, e.g. after mm_adopt_domain(). One
 * domain: a second call starts a new, empty table (the old frames are not
 * given back). 0, -XEN_ENOMEM (no frames), -XEN_EINVAL (frames the frame
 * table does not cover or that are in use: a shim bug).
 */
int gnttab_domain_init(struct domain *d, struct frame_pool *fp);

/* Has d a grant table (gnttab_domain_init done)? */
bool gnttab_ready(const struct domain *d);
/* Frames shared with d so far (0 without a table). */
unsigned int gnttab_nr_frames(const struct domain *d);
/* Machine frame of d's table frame i (i < GNTTAB_MAX_FRAMES), for tests. */
uint64_t gnttab_frame_mfn(const struct domain *d, unsigned int i);

/*
 * Share frames until d's table has nr_frames (at least
 * GNTTAB_INITIAL_FRAMES); never shrinks. 0 or -XEN_EINVAL (above
 * GNTTAB_MAX_FRAMES, or no table). Cannot fail part-way.
 */
int gnttab_grow(struct domain *d, unsigned int nr_frames);

/*
 * What a toolstack does at build (xc_dom_gnttab_seed): write reserved
 * entry idx (< GNTTAB_NR_RESERVED_ENTRIES, e.g. GNTTAB_RESERVED_CONSOLE)
 * as GTF_permit_access of machine frame `frame` to domain be_domid.
 * 0 or -XEN_EINVAL.
 */
int gnttab_seed_entry(struct domain *d, unsigned int idx, domid_t be_domid,
                      uint64_t frame);

/* Print the table's used entries and pins (debug key 'g'). */
void gnttab_dump(const struct domain *d);

/* ---- Pins, shared by the backend API and the hypercall ---------------- */

/*
 * Pin entry ref of d's table for user ldom, for reading or writing; a map
 * (map = true) also refuses GTF_sub_page entries. On GNTST_okay, *mfn is
 * the frame and the pin holds its references; else nothing changed.
 */
int gnttab_pin(struct domain *d, grant_ref_t ref, domid_t ldom,
               bool readonly, bool map, uint64_t *mfn);
/* Drop one such pin. GNTST_okay, or GNTST_bad_handle if not held. */
int gnttab_unpin(struct domain *d, grant_ref_t ref, bool readonly);

/*
 * One GNTTABOP_copy for d (the caller; each side a gmfn of DOMID_SELF or a
 * gref of d's own table), checked as Xen does. A GNTST_* status.
 */
int16_t gnttab_copy_one(struct domain *d, const struct gnttab_copy *op);
/* GNTTABOP_swap_grant_ref of two of d's entries: a GNTST_* status. */
int16_t gnttab_swap(struct domain *d, grant_ref_t a, grant_ref_t b);

/* ---- The backends' API (dom0 role) ------------------------------------ */

/*
 * Map grant ref of guest d for the backend: checks as above, for domain
 * GNTTAB_BACKEND_DOMID. GNTST_okay with *mfn the frame to access (through
 * the direct map), or a GNTST_* error with nothing changed. The same ref
 * may be mapped several times; each map needs one unmap with the same
 * readonly.
 */
int gnt_map_for_backend(struct domain *d, grant_ref_t ref, bool readonly,
                        uint64_t *mfn);
/*
 * Undo one gnt_map_for_backend(d, ref, readonly): drops its references,
 * clears GTF_writing / GTF_reading once no such pin is left. GNTST_okay;
 * GNTST_bad_handle (logged, nothing changed) if the backend holds no such
 * mapping: a backend bug, but not one a guest may turn into a panic.
 */
int gnt_unmap_for_backend(struct domain *d, grant_ref_t ref, bool readonly);
/*
 * Copy len bytes between buf (shim memory) and bytes [offset, offset+len)
 * of the frame granted by ref: into the guest's frame if to_guest (needs
 * a writable grant), else out of it. Pins for the copy only.
 * GNTST_okay or a GNTST_* error (nothing copied).
 */
int gnt_copy_for_backend(struct domain *d, grant_ref_t ref,
                         unsigned int offset, void *buf, unsigned int len,
                         bool to_guest);

/* ---- The hypercall (shim/hypercall/grant.c) --------------------------- */

long do_grant_table_op(struct vcpu *v, uint64_t cmd, uint64_t uop,
                       uint64_t count, uint64_t a4, uint64_t a5);

#endif /* XHV_GRANT_H */
