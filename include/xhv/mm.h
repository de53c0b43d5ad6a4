/*
 * The PV MMU: a frame table (one struct page_info per machine frame), page
 * types and reference counts with Xen's rules (xen/arch/x86/mm.c), the
 * page-table entry validators, writable-page-table emulation, and the arch
 * hooks they need. Files: shim/mm/{frame_table,page_type,pt_validate,
 * ptwr}.c, shim/hypercall/mmu.c, arch/x86_64/mm_hooks.c.
 *
 * The rules (Xen's invariants, kept here and checked by tests/unit/test_mm.c):
 *  - Every frame has at most one owner. Guest frames are owned by their
 *    domain; shim frames by nobody; non-RAM frames and the first MiB are
 *    "io" and can never be mapped by a domU. The shared_info frame is a shim
 *    frame owned by the domain with PGF_shared: permanently writable-typed.
 *  - A frame has one type at a time (none, L1..L4 table, segment
 *    descriptor, writable) and a type count. A frame is a page table OR
 *    writable, never both; the type changes only while the type count is 0.
 *  - Taking a table type validates the table (PGF_validated): every present
 *    entry must be acceptable, and takes a general and a type reference on
 *    what it points to (an L1 entry: the frame, plus a writable type
 *    reference if it maps RW; an L2/L3/L4 entry: the next-lower table type).
 *    Dropping the last type reference un-validates the table and drops the
 *    references of its entries. Levels strictly decrease along an entry, so
 *    validation and teardown recurse at most 4 deep and no loop of tables
 *    can form. Xen's "linear page tables" (an L2/L3/L4 entry naming a table
 *    of its own level) are REFUSED with -XEN_EINVAL.
 *  - A held type reference implies PGF_validated; a pinned table holds one
 *    general and one type reference; so does each vCPU base pointer
 *    (kernel_cr3, user_cr3) and each entry pointing at a table.
 *  - L4 slots 256-271 (the hypervisor hole) are the shim's: validation of
 *    an L4 fills them from the shim's L4, no guest update can change them.
 *
 * Errors are Xen's: -XEN_EINVAL for bad flags, bad types, frames not owned
 * by the domain in L2-L4 entries; -XEN_EPERM for io/out-of-range frames in
 * an L1 entry; -XEN_EBUSY for an L1 entry naming a frame the domain does not
 * own or cannot have writable.
 *
 * Locking: every entry point here runs with the owning domain's d->lock
 * held (taken by the hypercall dispatcher and the #PF path), interrupts
 * disabled. The flush clock is atomic: flushes happen under any lock.
 *
 * The TLB invariant (several CPUs): a frame may change type, or leave the
 * domain, only once no CPU can still reach it through a TLB or
 * paging-structure-cache entry made for its old use. Each frame records
 * the flush clock when its type count last dropped to 0
 * (tlbflush_stamp); each CPU records the clock when it last began a full
 * flush. A CPU that began one after the stamp holds nothing stale; the
 * others running the domain are flushed before the type changes
 * (mm_flush_stale, from get_page_type).
 */
#ifndef XHV_MM_H
#define XHV_MM_H

#include <xhv/domain.h>
#include <xhv/paging.h>
#include <xhv/types.h>
#include <xhv/guest_access.h>

struct frame_pool;
struct cpu_regs;

/* ---- Page types (Xen's PGT_*) and flags ---------------------------- */

enum {
    PGT_none = 0,
    PGT_l1_page_table = 1,      /* == the table's level, on purpose */
    PGT_l2_page_table = 2,
    PGT_l3_page_table = 3,
    PGT_l4_page_table = 4,
    PGT_seg_desc_page = 5,      /* GDT/LDT frame */
    PGT_writable_page = 6,
};

#define PGF_validated   BIT(0)  /* contents checked for the current type */
#define PGF_pinned      BIT(1)  /* MMUEXT_PIN_*: holds a type reference */
#define PGF_shared      BIT(2)  /* shim frame shared with its owner */
#define PGF_io          BIT(3)  /* not RAM (or the first MiB): never mapped */

struct page_info {
    struct domain *owner;       /* NULL: the shim's, or free */
    uint32_t count;             /* general references */
    uint32_t type_count;        /* references of the current type */
    uint32_t tlbflush_stamp;    /* mm_tlb_clock when type_count last hit 0 */
    uint8_t type;               /* PGT_* */
    uint8_t flags;              /* PGF_* */
    uint16_t pad;
};

/* Both counts refuse to grow past this (-XEN_EINVAL), as Xen's overflow
 * checks do; no guest reaches it legitimately. */
#define MM_COUNT_MAX    0x7fffffffu

/* Xen's _PAGE_GUEST_KERNEL: a guest-kernel L1 mapping (user bit forced). */
#define MM_PTE_GUEST_KERNEL BIT(52)
/* Xen's _PAGE_GNTTAB (PTE bit 62): refused in guest L1 entries. */
#define MM_PTE_GNTTAB       BIT(62)
#define MM_PTE_PAT          BIT(7)      /* in an L1 entry */

#define MM_L1_ENTRIES   512
#define MM_MAX_BATCH    (1u << 20)      /* mmu_update/mmuext_op count cap */

static inline uint64_t pte_mfn(uint64_t e)
{
    return (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

static inline bool mm_is_table_type(unsigned int type)
{
    return type >= PGT_l1_page_table && type <= PGT_l4_page_table;
}

/* A guest L4 slot (not the hypervisor hole, 256-271). */
static inline bool mm_is_guest_l4_slot(unsigned int i)
{
    return i < XHV_HOLE_FIRST_SLOT || i > XHV_HOLE_LAST_SLOT;
}


/* ---- Arch hooks (arch/x86_64/mm_hooks.c; faked by the unit test) ------ */

/* The shim's (direct-map) address of a RAM frame. */
void *mm_arch_frame_va(uint64_t mfn);
/* Flush this CPU's whole TLB, global entries and paging caches included. */
void mm_arch_flush_tlb_local(void);
/* Flush one linear address from this CPU's TLB (va must be canonical). */
void mm_arch_invlpg(uint64_t va);
/* Load CR3 (a machine address); flushes the non-global TLB. */
void mm_arch_write_cr3(uint64_t maddr);
/* The shim's L4; guest L4s copy its slots 256-271. */
const uint64_t *mm_arch_shim_l4(void);
/* PTE_NX if the CPU has NX (EFER.NXE set), else 0. */
uint64_t mm_arch_pte_nx(void);
/* This CPU's index (= the vCPU it runs). */
unsigned int mm_arch_cpu(void);
/*
 * Flush the TLBs of the CPUs in m (this one too, if in m): everything
 * non-global, or one VA. Returns when done (the parent's tlb_flush).
 */
void mm_arch_flush_tlb_mask(const struct cpumask *m, uint64_t va, bool all);

/* ---- Frame table (shim/mm/frame_table.c) -------------------------------- */

/*
 * Allocate the frame table from fp, covering frames [0, fp->max_pfn), every
 * frame unowned; frames the pool does not manage as RAM, and the first
 * MiB, are marked PGF_io. Call once, before the domain builder.
 * 0, or -XEN_ENOMEM.
 */
int mm_init(struct frame_pool *fp);

/* The page_info of a machine frame, or NULL if the table does not cover it. */
struct page_info *mfn_to_page(uint64_t mfn);
uint64_t page_to_mfn(const struct page_info *pg);
uint64_t mm_nr_frames(void);

/*
 * The builder's last step: hand the domain its frames and its bootstrap
 * page tables, as Xen's builders do.
 *  - every frame of d->p2m[0, d->nr_pages) becomes owned by d (one general
 *    "allocation" reference each); d->shared_info_mfn becomes owned by d
 *    with PGF_shared and a permanent writable type reference;
 *  - the L4 at l4_mfn is typed and validated (which validates the whole
 *    bootstrap tree: L3, L2, L1s, writable references on RW-mapped frames)
 *    and pinned;
 *  - each vCPU's kernel_cr3 (and user_cr3 if non-zero) takes its base
 *    pointer reference; they must name l4_mfn.
 * Validate first: if a frame is out of range, io, already owned, or the
 * tree does not validate, nothing changes and a negative XEN_E* is
 * returned (a builder bug: the caller fails the build).
 */
int mm_adopt_domain(struct domain *d, uint64_t l4_mfn);

/* General references: the page must be owned by d (Xen's get_page). */
bool get_page(struct page_info *pg, const struct domain *d);
void put_page(struct page_info *pg);
/* mfn_to_page + get_page; NULL if out of range or not d's. */
struct page_info *get_page_from_mfn(uint64_t mfn, const struct domain *d);

/*
 * TLB maintenance through the hooks, with the clock of Xen's flush filter
 * (the invariant is at the top of this file).
 */
void mm_flush_tlb_local(void);
void mm_invlpg(uint64_t va);         /* ignores non-canonical addresses */
void mm_load_cr3(uint64_t maddr);
/* Flush the CPUs in m (all, or one VA), keeping the clock. */
void mm_flush_tlb_mask(const struct cpumask *m, uint64_t va, bool all);
/* Flush every CPU of d that has not fully flushed since `stamp`. */
void mm_flush_stale(const struct domain *d, uint32_t stamp);
uint32_t mm_tlb_clock(void);

/* ---- Page types (shim/mm/page_type.c) ------------------------------------ */

/*
 * Take a type reference (Xen's get_page_type). At type count 0 the type may
 * change (with a TLB flush if stale mappings may exist); a table type is
 * then validated. 0, or -XEN_EINVAL (wrong type in use, count overflow,
 * mid-validation) or a validator's error. The caller holds a general ref.
 */
int get_page_type(struct page_info *pg, unsigned int type);
/* Drop a type reference; the last one of a table un-validates it. */
void put_page_type(struct page_info *pg);
/* get_page + get_page_type; -XEN_EINVAL if the page is not d's. */
int get_page_and_type(struct page_info *pg, const struct domain *d,
                      unsigned int type);
void put_page_and_type(struct page_info *pg);

/*
 * Segment-descriptor pages (GDT/LDT frames) are validated by the descriptor
 * code (set_gdt, LDT): it registers its checker of one 4 KiB page of
 * descriptors here (0 = acceptable). Until one is registered, taking the
 * PGT_seg_desc_page type fails with -XEN_EINVAL.
 */
typedef int (*mm_segdesc_check_t)(const uint64_t *descs);
void mm_set_segdesc_check(mm_segdesc_check_t fn);

/* ---- Entry validation (shim/mm/pt_validate.c) -------------------------- */

/* Flags a guest may not set in a present entry of this level (1-4). */
uint64_t mm_disallow_mask(unsigned int level);
/* Xen's adjust_guest_l*e: user bit (and L1 guest-kernel/global, L4 A). */
uint64_t mm_adjust_guest_entry(unsigned int level, uint64_t e);

/*
 * References for one present entry of a table of this level owned by d
 * (Xen's get_page_from_l*e). Checks flags too. 0 or -XEN_E*.
 */
int mm_get_entry_refs(unsigned int level, uint64_t e, struct domain *d);
/* Drop what mm_get_entry_refs took; non-present entries hold nothing. */
void mm_put_entry_refs(unsigned int level, uint64_t e);

/* Copy the shim's hole slots into an L4 (Xen's init_xen_l4_slots). */
void mm_init_shim_l4_slots(uint64_t *l4);

/*
 * Update entry idx of the validated table pg (owned by d) to nval, exactly
 * as mmu_update does (Xen's mod_l*_entry): validate the new entry, take its
 * references, write it (ORing in the old A/D bits if preserve_ad), then drop
 * the old entry's references. *flush is set if a level 2-4 entry changed
 * (the caller flushes the TLB before returning to the guest).
 * 0, or -XEN_E* with nothing changed.
 */
int mm_mod_entry(struct domain *d, struct page_info *pg, unsigned int idx,
                 uint64_t nval, bool preserve_ad, bool *flush);

/*
 * Walk the page tables rooted at the L4 machine address cr3 (a validated L4
 * owned by d) to the L1 entry that maps va. 0 with *l1pg and *idx set, or
 * -XEN_EINVAL (va in the hole or non-canonical, an upper entry not
 * present). Takes no references.
 */
int mm_walk_to_l1(struct domain *d, uint64_t cr3, uint64_t va,
                  struct page_info **l1pg, unsigned int *idx);

/* ---- Writable page tables (shim/mm/ptwr.c) ------------------------------ */

/*
 * A #PF from the guest with cr2: if it is a guest-kernel write to a
 * read-only mapping of one of the domain's page tables, and the
 * instruction is one of the stores this emulates, validate and apply the
 * write as mmu_update would, advance r->rip and return true. Otherwise
 * (or if the new entry is refused) change nothing and return false: the
 * caller bounces the fault to the guest. r is the live register frame.
 */
bool ptwr_do_page_fault(struct vcpu *v, struct cpu_regs *r, uint64_t cr2);

#endif /* XHV_MM_H */
