/*
 * PV MMU hypercalls (Xen's do_mmu_update, do_mmuext_op,
 * do_update_va_mapping{,_otherdomain} in xen/arch/x86/mm.c): argument
 * decoding, batching and TLB maintenance; the page-type rules live in
 * shim/mm/.
 *
 * Batches: count is an unsigned int as in Xen; above MM_MAX_BATCH (which
 * includes Xen's MMU_UPDATE_PREEMPTED continuation bit, never set by a
 * guest itself) the call is refused with -XEN_EINVAL. Every request is
 * processed in one go (no continuations); the first failing request stops
 * the batch, and *pdone (if pdone is not NULL) receives the number of
 * requests that succeeded.
 *
 * Foreign domains (the guest is a domU, there is no other domain):
 *   DOMID_SELF                  the caller
 *   the caller's own id         -XEN_ESRCH (Xen: "Cannot specify itself")
 *   DOMID_IO, DOMID_XEN         -XEN_EPERM (Xen's XSM refuses a domU)
 *   anything else               -XEN_ESRCH (no such domain)
 * mmu_update's page-table owner (foreigndom >> 16) must be 0 or the
 * caller's id + 1, else -XEN_ESRCH.
 *
 * Locking: the dispatcher holds d->lock (shim/hypercall/table.c); the
 * flushes asked for reach other CPUs through mm_flush_tlb_mask.
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/log.h>
#include <xhv/m2p.h>
#include <xhv/mm.h>
#include <xhv/string.h>

#define LDT_MAX_ENTS    8192

static int pg_owner_check(uint16_t domid)
{
    if (domid == DOMID_SELF)
        return 0;
    if (domid == DOMID_IO || domid == DOMID_XEN)
        return -XEN_EPERM;
    return -XEN_ESRCH;
}

/*
 * Does the guest's vCPU bitmap at va name one of d's vCPUs? Xen reads it
 * a word at a time up to max_vcpus: one word here.
 */
/*
 * A guest vCPU bitmap (UVMF_MULTI, MMUEXT_*_MULTI: a pointer to one
 * xen_ulong_t, vCPUs 0-63) as the set of CPUs running those vCPUs (vCPU i
 * runs on CPU i). Bits beyond the domain's vCPUs are ignored.
 */
static int vcpumask_read(const struct domain *d, uint64_t va,
                         struct cpumask *m)
{
    uint64_t w;
    unsigned int i;

    if (copy_from_guest(&w, va, sizeof(w)))
        return -XEN_EFAULT;
    cpumask_clear(m);
    for (i = 0; i < d->nr_vcpus && i < 64; i++)
        if ((w >> i) & 1)
            cpumask_set(m, i);
    return 0;
}

/* Every CPU that has run one of d's vCPUs. */
static void all_vcpus(const struct domain *d, struct cpumask *m)
{
    *m = d->dirty_cpus;
}

/* The flush a guest asked for, on the CPUs of m (this one included). */
static void guest_flush(const struct cpumask *m, uint64_t va, bool one)
{
    if (one) {
        if (guest_addr_ok(va))
            mm_flush_tlb_mask(m, va, false);
    } else {
        mm_flush_tlb_mask(m, 0, true);
    }
}

static void write_done(uint64_t pdone, unsigned int done)
{
    uint32_t v = done;

    /* As Xen, a bad pdone does not change the result. */
    if (pdone)
        (void)copy_to_guest(pdone, &v, sizeof(v));
}

/* ---- mmu_update ---- */

/* MMU_NORMAL_PT_UPDATE and friends: *ptr = val, checked. */
static int normal_update(struct domain *d, uint64_t ptr, uint64_t val,
                         bool preserve_ad, bool *flush)
{
    struct page_info *pg = get_page_from_mfn(ptr >> PAGE_SHIFT, d);
    unsigned int idx = (unsigned int)((ptr & (PAGE_SIZE - 1)) >> 3);
    int rc;

    if (!pg) {
        printk(XLOG_G_WARN "mm: d%u mmu_update of frame %#llx: not its "
               "own\n", d->domid, (unsigned long long)(ptr >> PAGE_SHIFT));
        return -XEN_EINVAL;
    }
    if (mm_is_table_type(pg->type) && pg->type_count &&
        (pg->flags & PGF_validated)) {
        rc = mm_mod_entry(d, pg, idx, val, preserve_ad, flush);
    } else if (!get_page_type(pg, PGT_writable_page)) {
        /* Not a table (or an unused one): a plain checked write. */
        uint64_t *t = mm_arch_frame_va(page_to_mfn(pg));

        *(volatile uint64_t *)&t[idx] = val;
        put_page_type(pg);
        rc = 0;
    } else {
        rc = -XEN_EINVAL;               /* e.g. a descriptor page */
    }
    put_page(pg);
    return rc;
}

static int machphys_update(struct domain *d, uint64_t ptr, uint64_t pfn)
{
    struct page_info *pg = get_page_from_mfn(ptr >> PAGE_SHIFT, d);

    if (!pg)
        return -XEN_EINVAL;
    m2p_set(ptr >> PAGE_SHIFT, pfn);
    put_page(pg);
    return 0;
}

long do_mmu_update(struct vcpu *v, uint64_t reqs, uint64_t count64,
                   uint64_t pdone, uint64_t foreigndom64, uint64_t a5)
{
    struct domain *d = v->domain;
    unsigned int count = (unsigned int)count64, i = 0;
    unsigned int foreigndom = (unsigned int)foreigndom64;
    unsigned int pt_dom = foreigndom >> 16;
    bool flush = false;
    int rc;

    if (count > MM_MAX_BATCH)
        return -XEN_EINVAL;
    if (!guest_range_ok(reqs, (uint64_t)count * sizeof(mmu_update_t)))
        return -XEN_EFAULT;
    if (pt_dom && pt_dom - 1 != d->domid)
        return -XEN_ESRCH;
    rc = pg_owner_check((uint16_t)foreigndom);
    if (rc == -XEN_EPERM && !count)
        rc = 0;             /* Xen's XSM check is per request */

    /* Invariant: requests [0, i) are done. */
    for (i = 0; !rc && i < count; i++) {
        mmu_update_t req;
        unsigned int cmd;

        if (copy_from_guest(&req, reqs + (uint64_t)i * sizeof(req),
                            sizeof(req))) {
            rc = -XEN_EFAULT;
            break;
        }
        cmd = req.ptr & 7;
        switch (cmd) {
        case MMU_NORMAL_PT_UPDATE:
        case MMU_PT_UPDATE_PRESERVE_AD:
        case MMU_PT_UPDATE_NO_TRANSLATE:    /* PV: nothing to translate */
            rc = normal_update(d, req.ptr - cmd, req.val,
                               cmd == MMU_PT_UPDATE_PRESERVE_AD, &flush);
            break;
        case MMU_MACHPHYS_UPDATE:
            rc = machphys_update(d, req.ptr, req.val);
            break;
        default:
            rc = -XEN_ENOSYS;
            break;
        }
        if (rc)
            break;
    }
    /* An L2-L4 entry changed: no stale walk may survive the call. */
    if (flush)
        mm_flush_tlb_local();
    write_done(pdone, i);
    return rc;
}

/* ---- update_va_mapping ---- */

static long update_va_mapping(struct vcpu *v, uint64_t va, uint64_t val,
                              uint64_t flags)
{
    struct domain *d = v->domain;
    struct page_info *l1pg;
    unsigned int idx;
    uint64_t bmap;
    struct cpumask m;
    int rc;

    if (mm_walk_to_l1(d, v->cr3, va, &l1pg, &idx) || !get_page(l1pg, d))
        return -XEN_EINVAL;
    rc = mm_mod_entry(d, l1pg, idx, val, false, NULL);
    put_page(l1pg);
    if (rc)
        return rc;

    /* The entry changed; now the flush the guest asked for. */
    bmap = flags & ~UVMF_FLUSHTYPE_MASK;
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_NONE)
        return 0;
    if (bmap == UVMF_LOCAL) {
        cpumask_clear(&m);
        cpumask_set(&m, mm_arch_cpu());
    } else if (bmap == UVMF_ALL) {
        all_vcpus(d, &m);
    } else if (vcpumask_read(d, bmap, &m)) {
        return -XEN_EFAULT;
    }
    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_TLB_FLUSH:
        guest_flush(&m, 0, false);
        break;
    case UVMF_INVLPG:
        guest_flush(&m, va, true);
        break;
    }
    return 0;
}

long do_update_va_mapping(struct vcpu *v, uint64_t va, uint64_t val,
                          uint64_t flags, uint64_t a4, uint64_t a5)
{
    return update_va_mapping(v, va, val, flags);
}

/*
 * Xen lets a domU name only itself, as DOMID_SELF (its XSM check allows
 * d == pg_owner); its own id is -ESRCH, DOMID_IO/DOMID_XEN -EPERM.
 */
long do_update_va_mapping_otherdomain(struct vcpu *v, uint64_t va,
                                      uint64_t val, uint64_t flags,
                                      uint64_t domid, uint64_t a5)
{
    int rc = pg_owner_check((uint16_t)domid);

    return rc ? rc : update_va_mapping(v, va, val, flags);
}

/* ---- mmuext_op ---- */

static int pin_table(struct domain *d, uint64_t mfn, unsigned int type)
{
    struct page_info *pg = get_page_from_mfn(mfn, d);
    int rc;

    if (!pg)
        return -XEN_EINVAL;
    rc = get_page_type(pg, type);
    if (rc) {
        printk(XLOG_G_WARN "mm: d%u pin L%u %#llx failed (%d)\n", d->domid,
               type, (unsigned long long)mfn, rc);
        put_page(pg);
        return rc;
    }
    if (pg->flags & PGF_pinned) {
        put_page_and_type(pg);
        return -XEN_EINVAL;             /* already pinned */
    }
    pg->flags |= PGF_pinned;
    return 0;
}

static int unpin_table(struct domain *d, uint64_t mfn)
{
    struct page_info *pg = get_page_from_mfn(mfn, d);

    if (!pg)
        return -XEN_EINVAL;
    if (!(pg->flags & PGF_pinned)) {
        put_page(pg);
        return -XEN_EINVAL;
    }
    pg->flags &= ~PGF_pinned;
    put_page_and_type(pg);              /* the pin's references */
    put_page(pg);
    return 0;
}

static int new_baseptr(struct vcpu *v, uint64_t mfn)
{
    uint64_t old = v->kernel_cr3 >> PAGE_SHIFT;
    int rc;

    if (old == mfn) {
        if (v->in_kernel)
            mm_load_cr3(v->kernel_cr3);
        return 0;
    }
    rc = get_page_and_type(mfn_to_page(mfn), v->domain, PGT_l4_page_table);
    if (rc)
        return rc;
    v->kernel_cr3 = mfn << PAGE_SHIFT;
    if (v->in_kernel) {
        v->cr3 = v->kernel_cr3;
        mm_load_cr3(v->cr3);
    }
    /* After the switch: the old table may be torn down now. */
    if (old)
        put_page_and_type(mfn_to_page(old));
    return 0;
}

static int new_user_baseptr(struct vcpu *v, uint64_t mfn)
{
    uint64_t old = v->user_cr3 >> PAGE_SHIFT;
    int rc;

    if (old == mfn)
        return 0;
    if (mfn) {
        rc = get_page_and_type(mfn_to_page(mfn), v->domain,
                               PGT_l4_page_table);
        if (rc)
            return rc;
    }
    v->user_cr3 = mfn << PAGE_SHIFT;
    if (!v->in_kernel && mfn) {
        v->cr3 = v->user_cr3;
        mm_load_cr3(v->cr3);
    }
    if (old)
        put_page_and_type(mfn_to_page(old));
    return 0;
}

static int set_ldt(struct vcpu *v, uint64_t base, unsigned int ents)
{
    uint64_t ptr = ents ? base : 0;

    if (ents > LDT_MAX_ENTS ||
        (ents && ((ptr & (PAGE_SIZE - 1)) || !guest_addr_ok(ptr))))
        return -XEN_EINVAL;
    v->ldt_base = ptr;
    v->ldt_ents = ents;
    return 0;
}

static int clear_page(struct domain *d, uint64_t mfn)
{
    struct page_info *pg = get_page_from_mfn(mfn, d);

    if (!pg)
        return -XEN_EINVAL;
    if (get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        return -XEN_EINVAL;
    }
    memset(mm_arch_frame_va(mfn), 0, PAGE_SIZE);
    put_page_and_type(pg);
    return 0;
}

static int copy_page(struct domain *d, uint64_t dst_mfn, uint64_t src_mfn)
{
    struct page_info *src = get_page_from_mfn(src_mfn, d), *dst;

    if (!src)
        return -XEN_EINVAL;
    dst = get_page_from_mfn(dst_mfn, d);
    if (!dst || get_page_type(dst, PGT_writable_page)) {
        if (dst)
            put_page(dst);
        put_page(src);
        return -XEN_EINVAL;
    }
    memmove(mm_arch_frame_va(dst_mfn), mm_arch_frame_va(src_mfn), PAGE_SIZE);
    put_page_and_type(dst);
    put_page(src);
    return 0;
}

static int flush_multi(struct vcpu *v, const struct mmuext_op *op, bool one)
{
    struct cpumask m;
    uint64_t mask_va;

    memcpy(&mask_va, &op->arg2, sizeof(mask_va));
    if (vcpumask_read(v->domain, mask_va, &m))
        return -XEN_EINVAL;             /* Xen's code for a bad bitmap */
    guest_flush(&m, op->arg1.linear_addr, one);
    return 0;
}

static int flush_all(struct vcpu *v, const struct mmuext_op *op, bool one)
{
    struct cpumask m;

    all_vcpus(v->domain, &m);
    guest_flush(&m, op->arg1.linear_addr, one);
    return 0;
}

static int mmuext_one(struct vcpu *v, const struct mmuext_op *op)
{
    struct domain *d = v->domain;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pin_table(d, op->arg1.mfn,
                         op->cmd - MMUEXT_PIN_L1_TABLE + PGT_l1_page_table);
    case MMUEXT_UNPIN_TABLE:
        return unpin_table(d, op->arg1.mfn);
    case MMUEXT_NEW_BASEPTR:
        return new_baseptr(v, op->arg1.mfn);
    case MMUEXT_NEW_USER_BASEPTR:
        return new_user_baseptr(v, op->arg1.mfn);
    case MMUEXT_TLB_FLUSH_LOCAL:
        mm_flush_tlb_local();
        return 0;
    case MMUEXT_TLB_FLUSH_ALL:
        return flush_all(v, op, false);
    case MMUEXT_INVLPG_LOCAL:
        mm_invlpg(op->arg1.linear_addr);
        return 0;
    case MMUEXT_INVLPG_ALL:
        return flush_all(v, op, true);
    case MMUEXT_TLB_FLUSH_MULTI:
        return flush_multi(v, op, false);
    case MMUEXT_INVLPG_MULTI:
        return flush_multi(v, op, true);
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        return -XEN_EACCES;             /* not for a domU without devices */
    case MMUEXT_SET_LDT:
        return set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
    case MMUEXT_CLEAR_PAGE:
        return clear_page(d, op->arg1.mfn);
    case MMUEXT_COPY_PAGE:
        return copy_page(d, op->arg1.mfn, op->arg2.src_mfn);
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -XEN_EOPNOTSUPP;
    default:
        return -XEN_ENOSYS;
    }
}

long do_mmuext_op(struct vcpu *v, uint64_t ops, uint64_t count64,
                  uint64_t pdone, uint64_t foreigndom, uint64_t a5)
{
    unsigned int count = (unsigned int)count64, i;
    int rc;

    if (count > MM_MAX_BATCH)
        return -XEN_EINVAL;
    if (!guest_range_ok(ops, (uint64_t)count * sizeof(struct mmuext_op)))
        return -XEN_EFAULT;
    rc = pg_owner_check((uint16_t)foreigndom);
    if (rc)
        return rc;

    /* Invariant: operations [0, i) are done. */
    for (i = 0; i < count; i++) {
        struct mmuext_op op;

        if (copy_from_guest(&op, ops + (uint64_t)i * sizeof(op),
                            sizeof(op))) {
            rc = -XEN_EFAULT;
            break;
        }
        rc = mmuext_one(v, &op);
        if (rc)
            break;
    }
    write_done(pdone, i);
    return rc;
}
