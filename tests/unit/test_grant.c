/*
 * Unit tests for grant tables v1: shim/grant_table.c and
 * shim/hypercall/grant.c, compiled unchanged for the host, over the real
 * frame pool, frame table and page types (shim/mm).
 *
 * The world: 1024 fake machine frames (frame n at fake_mem + n * 4096; the
 * first MiB is I/O). A guest d1 of 64 frames adopted by mm_adopt_domain()
 * (pfn 0 an empty L4 = its page tables, pfns 1..63 plain frames), a
 * shared_info frame, a "shim" frame nobody owns, a frame owned by another
 * domain d2, and the grant table built by gnttab_domain_init() as the
 * domain builder will. Guest pointers for hypercall arguments are host
 * pointers; the low 64 KiB "faults" both ways and ro_lo..ro_hi faults for
 * writes only.
 *
 * Each test says which case it tries; every refusal is checked for its
 * code and for leaving the entry's flags and the frames' counts as they
 * were. The race test runs a second thread playing the guest, flipping
 * flag bits with 16-bit atomics as Linux does, against map/unmap.
 */
#include "harness.h"

#include <pthread.h>
#include <stdarg.h>
#include <xhv/frame_alloc.h>
#include <xhv/grant.h>
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/m2p.h>
#include <xhv/mm.h>

#define NR_FRAMES   1024
#define GUEST_PAGES 64
#define FAULT_LIMIT 0x10000ULL

static uint8_t *fake_mem;
static struct frame_pool pool;
static struct domain dom, other;
static uint64_t p2m[GUEST_PAGES];
static uint64_t shim_l4[512];
static uint64_t m2p_fake[NR_FRAMES];
static uint64_t shim_mfn, other_mfn, si_mfn;
static uint64_t ro_lo, ro_hi;       /* guest range that faults on writes */
static struct vcpu *v0;

/* ---- Fakes for what the files under test call ---- */

void *mm_arch_frame_va(uint64_t mfn)
{
    if (mfn >= NR_FRAMES)
        abort();
    return fake_mem + mfn * 4096;
}
void mm_arch_flush_tlb_local(void) { }
void mm_arch_invlpg(uint64_t va) { }
void mm_arch_write_cr3(uint64_t m) { }
unsigned int mm_arch_cpu(void) { return 0; }
void mm_arch_flush_tlb_mask(const struct cpumask *m, uint64_t va, bool all)
{
}
const uint64_t *mm_arch_shim_l4(void) { return shim_l4; }
uint64_t mm_arch_pte_nx(void) { return PTE_NX; }

void m2p_set(uint64_t mfn, uint64_t pfn)
{
    if (mfn < NR_FRAMES)
        m2p_fake[mfn] = pfn;
}
uint64_t m2p_get(uint64_t mfn)
{
    return mfn < NR_FRAMES ? m2p_fake[mfn] : M2P_INVALID;
}

size_t copy_from_unsafe(void *dst, const void *src, size_t n)
{
    if ((uint64_t)src < FAULT_LIMIT)
        return n;
    memcpy(dst, src, n);
    return 0;
}
size_t copy_to_unsafe(void *dst, const void *src, size_t n)
{
    uint64_t a = (uint64_t)dst;

    if (a < FAULT_LIMIT || (a < ro_hi && a + n > ro_lo))
        return n;
    memcpy(dst, src, n);
    return 0;
}

HARNESS_PRINTK_AND_PANIC("GRANT_TEST_VERBOSE")

static void *p2v(uint64_t pa, void *ctx)
{
    return fake_mem + pa;
}

static int segdesc_ok(const uint64_t *descs)
{
    return 0;
}

/* ---- The world ---- */

static uint64_t G(unsigned pfn) { return p2m[pfn]; }
static struct page_info *PG(uint64_t mfn) { return mfn_to_page(mfn); }
static uint8_t *VA(uint64_t mfn) { return mm_arch_frame_va(mfn); }

static void world(void)
{
    struct boot_mem_range ram = { .base = 0, .len = NR_FRAMES * 4096ULL,
                                  .type = 1 };
    uint64_t base;
    unsigned i;

    if (!fake_mem)
        fake_mem = aligned_alloc(4096, NR_FRAMES * 4096ULL);
    memset(fake_mem, 0, NR_FRAMES * 4096ULL);
    memset(&dom, 0, sizeof(dom));
    memset(&other, 0, sizeof(other));
    memset(m2p_fake, 0xff, sizeof(m2p_fake));
    ro_lo = ro_hi = 0;
    mm_set_segdesc_check(segdesc_ok);
    if (frame_pool_init(&pool, &ram, 1, NULL, 0, p2v, NULL) ||
        mm_init(&pool))
        abort();
    for (i = 0; i < 512; i++)
        shim_l4[i] = (i >= 256 && i <= 271) ? (0xabc000ULL + i * 4096) | 3
                                             : 0;
    base = frame_alloc(&pool, GUEST_PAGES, 1);
    for (i = 0; i < GUEST_PAGES; i++) {
        p2m[i] = base + i;
        m2p_set(p2m[i], i);
    }
    si_mfn = frame_alloc(&pool, 1, 1);
    shim_mfn = frame_alloc(&pool, 1, 1);
    other_mfn = frame_alloc(&pool, 1, 1);
    mfn_to_page(other_mfn)->owner = &other;     /* d2's frame */
    mfn_to_page(other_mfn)->count = 1;
    other.domid = 2;

    dom.domid = 1;
    dom.p2m = p2m;
    dom.nr_pages = dom.max_pages = GUEST_PAGES;
    dom.shared_info_mfn = si_mfn;
    dom.nr_vcpus = 1;
    v0 = &dom.vcpus[0];
    v0->domain = &dom;
    v0->in_kernel = true;
    v0->kernel_cr3 = v0->cr3 = G(0) << 12;
    if (mm_adopt_domain(&dom, G(0)) || gnttab_domain_init(&dom, &pool))
        abort();
}

static grant_entry_v1_t *ENT(grant_ref_t ref)
{
    grant_entry_v1_t *t = mm_arch_frame_va(gnttab_frame_mfn(&dom, ref / 512));

    return &t[ref % 512];
}

/* The guest grants: frame, domid, then flags (its documented order). */
static void grant(grant_ref_t ref, uint16_t flags, domid_t domid,
                  uint64_t frame)
{
    grant_entry_v1_t *e = ENT(ref);

    e->frame = (uint32_t)frame;
    e->domid = domid;
    __atomic_store_n(&e->flags, flags, __ATOMIC_SEQ_CST);
}

static uint16_t gflags(grant_ref_t ref)
{
    return __atomic_load_n(&ENT(ref)->flags, __ATOMIC_SEQ_CST);
}

#define RW_TO_BE    GTF_permit_access
#define RO_TO_BE    (GTF_permit_access | GTF_readonly)

/* Counts of one frame, to prove "nothing changed". */
struct cnt { uint32_t count, type_count; uint8_t type; };

static struct cnt counts(uint64_t mfn)
{
    struct page_info *pg = PG(mfn);
    struct cnt c = { pg->count, pg->type_count, pg->type };

    return c;
}

static bool same_counts(uint64_t mfn, struct cnt c)
{
    struct cnt n = counts(mfn);

    if (n.count != c.count || n.type_count != c.type_count ||
        (c.type_count && n.type != c.type)) {
        printf("  mfn %#lx: count %u/%u type %u/%u type count %u/%u\n",
               (unsigned long)mfn, c.count, n.count, c.type, n.type,
               c.type_count, n.type_count);
        return false;
    }
    return true;
}

static long gop(unsigned long cmd, void *arg, uint64_t count)
{
    return do_grant_table_op(v0, cmd, (uint64_t)arg, count, 0, 0);
}

/* ---- Table, setup_table, query_size ---- */

/* Built as Xen builds it: one frame shared (owner d1, writable type held,
 * PGF_shared, M2P invalid), the other 63 the shim's, all zero. */
static void test_init_state(void)
{
    struct page_info *pg;
    unsigned i;

    world();
    CHECK(gnttab_ready(&dom));
    CHECK(!gnttab_ready(&other));
    CHECK_EQ(gnttab_nr_frames(&dom), 1);
    pg = PG(gnttab_frame_mfn(&dom, 0));
    CHECK(pg->owner == &dom);
    CHECK_EQ(pg->count, 1);
    CHECK_EQ(pg->type, PGT_writable_page);
    CHECK_EQ(pg->type_count, 1);
    CHECK(pg->flags & PGF_shared);
    CHECK(m2p_get(gnttab_frame_mfn(&dom, 0)) == M2P_INVALID);
    for (i = 1; i < GNTTAB_MAX_FRAMES; i++)
        CHECK(PG(gnttab_frame_mfn(&dom, i))->owner == NULL);
    for (i = 0; i < GNTTAB_MAX_FRAMES; i++) {
        const uint8_t *p = VA(gnttab_frame_mfn(&dom, i));
        unsigned j;

        for (j = 0; j < 4096; j++)
            if (p[j])
                break;
        CHECK_EQ(j, 4096);
    }
    CHECK(gnttab_frame_mfn(&dom, 64) == FRAME_NONE);
    CHECK(gnttab_frame_mfn(&other, 0) == FRAME_NONE);
}

/* The guest maps its table frames as Linux does (RW PTEs): allowed; it
 * can never turn one into a page table. */
static void test_guest_maps_table_frame(void)
{
    uint64_t mfn;

    world();
    mfn = gnttab_frame_mfn(&dom, 0);
    CHECK_EQ(mm_get_entry_refs(1, (mfn << 12) | PTE_P | PTE_RW, &dom), 0);
    mm_put_entry_refs(1, (mfn << 12) | PTE_P | PTE_RW);
    CHECK_EQ(get_page_and_type(PG(mfn), &dom, PGT_l1_page_table),
             -XEN_EINVAL);
    /* A frame not shared yet is not the guest's. */
    mfn = gnttab_frame_mfn(&dom, 1);
    CHECK(mm_get_entry_refs(1, (mfn << 12) | PTE_P, &dom) != 0);
}

/* query_size: own table for DOMID_SELF or d1; dom0 permission denied,
 * others bad domain; count and pointer errors refuse the call. */
static void test_query_size(void)
{
    struct gnttab_query_size q;
    static struct gnttab_query_size roq;

    world();
    memset(&q, 0, sizeof(q));
    q.dom = DOMID_SELF;
    q.status = 99;
    CHECK_EQ(gop(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.status, GNTST_okay);
    CHECK_EQ(q.nr_frames, 1);
    CHECK_EQ(q.max_nr_frames, 64);
    q.dom = 1;
    CHECK_EQ(gop(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.status, GNTST_okay);

    q.dom = 0;
    q.nr_frames = 77;
    CHECK_EQ(gop(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.status, GNTST_permission_denied);
    CHECK_EQ(q.nr_frames, 77);
    q.dom = 7;
    CHECK_EQ(gop(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.status, GNTST_bad_domain);
    q.dom = DOMID_IO;
    CHECK_EQ(gop(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.status, GNTST_bad_domain);

    q.dom = DOMID_SELF;
    CHECK_EQ(gop(GNTTABOP_query_size, &q, 0), -XEN_EINVAL);
    CHECK_EQ(gop(GNTTABOP_query_size, &q, 2), -XEN_EINVAL);
    CHECK_EQ(gop(GNTTABOP_query_size, (void *)0x100, 1), -XEN_EFAULT);
    CHECK_EQ(gop(GNTTABOP_query_size, (void *)0xffff800000000000ULL, 1),
             -XEN_EFAULT);
    roq.dom = DOMID_SELF;
    ro_lo = (uint64_t)&roq;
    ro_hi = ro_lo + sizeof(roq);
    CHECK_EQ(gop(GNTTABOP_query_size, &roq, 1), -XEN_EFAULT);
}

/* setup_table grows the table (never shrinks), returns machine frames,
 * and refuses the cases Xen refuses. */
static void test_setup_table(void)
{
    struct gnttab_setup_table s;
    xen_pfn_t list[GNTTAB_MAX_FRAMES + 1];
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    unsigned i;

    world();
    memset(&s, 0, sizeof(s));
    s.dom = DOMID_SELF;
    s.nr_frames = 1;
    set_xen_guest_handle(s.frame_list, list);
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_okay);
    CHECK_EQ(list[0], gnttab_frame_mfn(&dom, 0));

    s.nr_frames = 4;
    memset(list, 0, sizeof(list));
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_okay);
    CHECK_EQ(gnttab_nr_frames(&dom), 4);
    for (i = 0; i < 4; i++) {
        CHECK_EQ(list[i], gnttab_frame_mfn(&dom, i));
        CHECK(PG(list[i])->owner == &dom);
        CHECK(PG(list[i])->flags & PGF_shared);
    }
    CHECK_EQ(list[4], 0);
    CHECK(PG(gnttab_frame_mfn(&dom, 4))->owner == NULL);

    /* Fewer frames: only those are written; the table stays. */
    s.nr_frames = 2;
    memset(list, 0, sizeof(list));
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_okay);
    CHECK_EQ(list[1], gnttab_frame_mfn(&dom, 1));
    CHECK_EQ(list[2], 0);
    CHECK_EQ(gop(GNTTABOP_query_size, &q, 1), 0);
    CHECK_EQ(q.nr_frames, 4);

    /* 0 frames, NULL list: fine. The guest's own id: fine. */
    s.nr_frames = 0;
    set_xen_guest_handle(s.frame_list, NULL);
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_okay);
    set_xen_guest_handle(s.frame_list, list);
    s.dom = 1;
    s.nr_frames = 1;
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_okay);

    /* Above the maximum: general error, nothing grown. */
    s.dom = DOMID_SELF;
    s.nr_frames = 65;
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_general_error);
    CHECK_EQ(gnttab_nr_frames(&dom), 4);
    s.nr_frames = 64;
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_okay);
    CHECK_EQ(gnttab_nr_frames(&dom), 64);
    CHECK_EQ(list[63], gnttab_frame_mfn(&dom, 63));

    /* Other domains. */
    s.nr_frames = 1;
    s.dom = 0;
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_permission_denied);
    s.dom = 9;
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_bad_domain);
    s.dom = DOMID_SELF;

    /* The call itself refused. */
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 2), -XEN_EINVAL);
    CHECK_EQ(gop(GNTTABOP_setup_table, (void *)0x20, 1), -XEN_EFAULT);
    set_xen_guest_handle(s.frame_list, (xen_pfn_t *)0xffff800000000000ULL);
    s.status = 99;
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), -XEN_EFAULT);
    CHECK_EQ(s.status, 99);
    s.dom = 9;                          /* the list is checked first */
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), -XEN_EFAULT);
    s.dom = DOMID_SELF;

    /* A list that faults part-way: bad_virt_addr, the first ones written. */
    set_xen_guest_handle(s.frame_list, list);
    memset(list, 0, sizeof(list));
    s.nr_frames = 4;
    ro_lo = (uint64_t)&list[2];
    ro_hi = ro_lo + 8;
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), 0);
    CHECK_EQ(s.status, GNTST_bad_virt_addr);
    CHECK_EQ(list[1], gnttab_frame_mfn(&dom, 1));
    CHECK_EQ(list[2], 0);
    CHECK_EQ(list[3], 0);
    /* The status cannot be written back: the call faults. */
    ro_lo = (uint64_t)&s.status;
    ro_hi = ro_lo + 2;
    CHECK_EQ(gop(GNTTABOP_setup_table, &s, 1), -XEN_EFAULT);
}

/* set_version: 1 fine, 2 -ENOSYS (v2 disabled, as Xen answers), anything
 * else -EINVAL; version 1 written back each time. get_version, and
 * get_status_frames (v1: none). */
static void test_versions(void)
{
    struct gnttab_set_version sv;
    struct gnttab_get_version gv;
    struct gnttab_get_status_frames sf;
    uint64_t frames[2];

    world();
    sv.version = 1;
    CHECK_EQ(gop(GNTTABOP_set_version, &sv, 1), 0);
    CHECK_EQ(sv.version, 1);
    sv.version = 2;
    CHECK_EQ(gop(GNTTABOP_set_version, &sv, 1), -XEN_ENOSYS);
    CHECK_EQ(sv.version, 1);
    sv.version = 0;
    CHECK_EQ(gop(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
    CHECK_EQ(sv.version, 1);
    sv.version = 3;
    CHECK_EQ(gop(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
    CHECK_EQ(gop(GNTTABOP_set_version, (void *)0x40, 1), -XEN_EFAULT);
    sv.version = 1;
    ro_lo = (uint64_t)&sv;
    ro_hi = ro_lo + sizeof(sv);
    CHECK_EQ(gop(GNTTABOP_set_version, &sv, 1), -XEN_EFAULT);
    ro_lo = ro_hi = 0;

    memset(&gv, 0, sizeof(gv));
    gv.dom = DOMID_SELF;
    CHECK_EQ(gop(GNTTABOP_get_version, &gv, 1), 0);
    CHECK_EQ(gv.version, 1);
    gv.dom = 1;
    gv.version = 0;
    CHECK_EQ(gop(GNTTABOP_get_version, &gv, 1), 0);
    CHECK_EQ(gv.version, 1);
    gv.dom = 0;
    CHECK_EQ(gop(GNTTABOP_get_version, &gv, 1), -XEN_EPERM);
    gv.dom = 5;
    CHECK_EQ(gop(GNTTABOP_get_version, &gv, 1), -XEN_ESRCH);
    CHECK_EQ(gop(GNTTABOP_get_version, (void *)0x40, 1), -XEN_EFAULT);

    memset(&sf, 0, sizeof(sf));
    sf.dom = DOMID_SELF;
    set_xen_guest_handle(sf.frame_list, frames);
    CHECK_EQ(gop(GNTTABOP_get_status_frames, &sf, 1), 0);
    CHECK_EQ(sf.status, GNTST_okay);
    sf.nr_frames = 1;
    CHECK_EQ(gop(GNTTABOP_get_status_frames, &sf, 1), 0);
    CHECK_EQ(sf.status, GNTST_general_error);
    sf.dom = 0;
    CHECK_EQ(gop(GNTTABOP_get_status_frames, &sf, 1), 0);
    CHECK_EQ(sf.status, GNTST_permission_denied);
    CHECK_EQ(gop(GNTTABOP_get_status_frames, &sf, 2), -XEN_EINVAL);
    set_xen_guest_handle(sf.frame_list, (uint64_t *)0x8000);
    CHECK_EQ(gop(GNTTABOP_get_status_frames, &sf, 1), 0);   /* range ok */
    set_xen_guest_handle(sf.frame_list, (uint64_t *)0xffff800000000000ULL);
    CHECK_EQ(gop(GNTTABOP_get_status_frames, &sf, 1), -XEN_EFAULT);
}

/* Commands a domU of xhv does not get, counts above the cap, and a
 * domain without a table. */
static void test_unimplemented(void)
{
    static const unsigned long cmds[] = {
        GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref,
        GNTTABOP_unmap_and_replace, GNTTABOP_transfer, GNTTABOP_dump_table,
        GNTTABOP_cache_flush, 13, 0x1000 | GNTTABOP_setup_table,
        0x100000000UL | GNTTABOP_query_size,
    };
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    uint8_t buf[64] = { 0 };
    struct vcpu *saved;
    unsigned i;

    world();
    for (i = 0; i < ARRAY_SIZE(cmds); i++)
        CHECK_EQ(gop(cmds[i], buf, 1), -XEN_ENOSYS);
    CHECK_EQ(gop(GNTTABOP_copy, buf, GNTTAB_MAX_BATCH + 1), -XEN_EINVAL);
    CHECK_EQ(gop(GNTTABOP_copy, buf, 1ULL << 32), -XEN_EINVAL);
    CHECK_EQ(gop(GNTTABOP_copy, buf, 0), 0);
    /* A domain without a table: as if the hypercall did not exist. */
    saved = v0;
    other.vcpus[0].domain = &other;
    v0 = &other.vcpus[0];
    CHECK_EQ(gop(GNTTABOP_query_size, &q, 1), -XEN_ENOSYS);
    v0 = saved;
}

/* ---- The backends' map ---- */

/* Read-only and writable maps: flags, references, several maps of one
 * ref, unmaps release exactly what they took; the guest's own flag bits
 * survive. */
static void test_backend_map(void)
{
    struct cnt c5, c6;
    uint64_t mfn = 0;

    world();
    c5 = counts(G(5));
    c6 = counts(G(6));
    grant(10, RO_TO_BE | GTF_PWT, 0, G(5));
    CHECK_EQ(gnt_map_for_backend(&dom, 10, true, &mfn), GNTST_okay);
    CHECK_EQ(mfn, G(5));
    CHECK_EQ(gflags(10), RO_TO_BE | GTF_PWT | GTF_reading);
    CHECK_EQ(PG(G(5))->count, c5.count + 1);
    CHECK_EQ(PG(G(5))->type_count, 0);
    CHECK_EQ(gnt_map_for_backend(&dom, 10, true, &mfn), GNTST_okay);
    CHECK_EQ(PG(G(5))->count, c5.count + 2);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 10, true), GNTST_okay);
    CHECK_EQ(gflags(10), RO_TO_BE | GTF_PWT | GTF_reading);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 10, true), GNTST_okay);
    CHECK_EQ(gflags(10), RO_TO_BE | GTF_PWT);
    CHECK(same_counts(G(5), c5));

    grant(11, RW_TO_BE, 0, G(6));
    CHECK_EQ(gnt_map_for_backend(&dom, 11, false, &mfn), GNTST_okay);
    CHECK_EQ(mfn, G(6));
    CHECK_EQ(gflags(11), RW_TO_BE | GTF_reading | GTF_writing);
    CHECK_EQ(PG(G(6))->type, PGT_writable_page);
    CHECK_EQ(PG(G(6))->type_count, 1);
    CHECK_EQ(gnt_map_for_backend(&dom, 11, true, &mfn), GNTST_okay);
    CHECK_EQ(gnt_map_for_backend(&dom, 11, false, &mfn), GNTST_okay);
    CHECK_EQ(PG(G(6))->type_count, 2);
    CHECK_EQ(PG(G(6))->count, c6.count + 3);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 11, false), GNTST_okay);
    CHECK_EQ(gflags(11), RW_TO_BE | GTF_reading | GTF_writing);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 11, false), GNTST_okay);
    CHECK_EQ(gflags(11), RW_TO_BE | GTF_reading);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 11, true), GNTST_okay);
    CHECK_EQ(gflags(11), RW_TO_BE);
    CHECK(same_counts(G(6), c6));
    /* The frame is free to become a page table again. */
    CHECK_EQ(get_page_and_type(PG(G(6)), &dom, PGT_l1_page_table), 0);
    put_page_and_type(PG(G(6)));
}

/* Refs beyond the shared frames: bad_gntref, including huge ones; a
 * grown table makes more refs valid. */
static void test_backend_bad_ref(void)
{
    struct cnt c = { 0 };
    uint64_t mfn = 0;

    world();
    c = counts(G(5));
    CHECK_EQ(gnt_map_for_backend(&dom, 512, true, &mfn), GNTST_bad_gntref);
    CHECK_EQ(gnt_map_for_backend(&dom, 0xffffffffu, false, &mfn),
             GNTST_bad_gntref);
    CHECK_EQ(gnt_map_for_backend(&dom, GNTTAB_MAX_ENTRIES, true, &mfn),
             GNTST_bad_gntref);
    CHECK_EQ(gnttab_grow(&dom, 2), 0);
    grant(600, RW_TO_BE, 0, G(5));
    CHECK_EQ(gnt_map_for_backend(&dom, 600, false, &mfn), GNTST_okay);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 600, false), GNTST_okay);
    CHECK(same_counts(G(5), c));
    CHECK_EQ(gnttab_grow(&dom, 65), -XEN_EINVAL);
    CHECK_EQ(gnttab_grow(&dom, 1), 0);          /* never shrinks */
    CHECK_EQ(gnttab_nr_frames(&dom), 2);
}

/* Entries that do not grant the backend access: wrong type, sub-page
 * (map only), wrong domid (the guest itself, another domain). */
static void test_backend_bad_entry(void)
{
    static const struct { uint16_t flags; domid_t dom; } bad[] = {
        { GTF_invalid, 0 },
        { GTF_accept_transfer, 0 },
        { GTF_transitive, 0 },
        { GTF_permit_access | GTF_sub_page, 0 },
        { GTF_permit_access, 1 },
        { GTF_permit_access, 5 },
        { GTF_permit_access | GTF_readonly, DOMID_SELF },
        { GTF_readonly, 0 },
    };
    struct cnt c;
    uint64_t mfn = 0;
    unsigned i;

    world();
    c = counts(G(7));
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        grant(3, bad[i].flags, bad[i].dom, G(7));
        CHECK_EQ(gnt_map_for_backend(&dom, 3, true, &mfn),
                 GNTST_general_error);
        CHECK_EQ(gnt_map_for_backend(&dom, 3, false, &mfn),
                 GNTST_general_error);
        CHECK_EQ(gflags(3), bad[i].flags);
        CHECK(same_counts(G(7), c));
    }
    /* Sub-page grants may be copied, not mapped (Xen's mapflag). */
    grant(3, GTF_permit_access | GTF_sub_page, 0, G(7));
    CHECK_EQ(gnt_copy_for_backend(&dom, 3, 0, &mfn, 8, true), GNTST_okay);
    CHECK_EQ(gflags(3), GTF_permit_access | GTF_sub_page);
    CHECK(same_counts(G(7), c));
}

/* A read-only grant used for writing: refused, flags and counts as
 * before; reading it is fine. */
static void test_backend_readonly_grant(void)
{
    struct cnt c;
    uint64_t mfn = 0;
    uint8_t b[4] = { 1, 2, 3, 4 };

    world();
    c = counts(G(8));
    grant(4, RO_TO_BE, 0, G(8));
    CHECK_EQ(gnt_map_for_backend(&dom, 4, false, &mfn), GNTST_general_error);
    CHECK_EQ(gflags(4), RO_TO_BE);
    CHECK(same_counts(G(8), c));
    CHECK_EQ(gnt_copy_for_backend(&dom, 4, 0, b, 4, true),
             GNTST_general_error);
    CHECK_EQ(VA(G(8))[0], 0);
    /* Pinned read-only, then a write attempt: refused, reading stays. */
    CHECK_EQ(gnt_map_for_backend(&dom, 4, true, &mfn), GNTST_okay);
    CHECK_EQ(gnt_map_for_backend(&dom, 4, false, &mfn), GNTST_general_error);
    CHECK_EQ(gflags(4), RO_TO_BE | GTF_reading);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 4, true), GNTST_okay);
    CHECK_EQ(gflags(4), RO_TO_BE);
    CHECK(same_counts(G(8), c));
}

/* Frames the guest does not own: the shim's, I/O, another domain's,
 * beyond the frame table, its own table frame not yet shared. bad_page,
 * and no GTF_reading left behind. */
static void test_backend_not_owned(void)
{
    uint64_t frames[] = { shim_mfn, 10, other_mfn, NR_FRAMES, 0xffffffffu,
                          0 };
    struct cnt cs, co;
    uint64_t mfn = 0;
    unsigned i;

    world();
    frames[5] = gnttab_frame_mfn(&dom, 5);
    cs = counts(shim_mfn);
    co = counts(other_mfn);
    for (i = 0; i < ARRAY_SIZE(frames); i++) {
        grant(2, RW_TO_BE, 0, frames[i]);
        CHECK_EQ(gnt_map_for_backend(&dom, 2, true, &mfn), GNTST_bad_page);
        CHECK_EQ(gnt_map_for_backend(&dom, 2, false, &mfn), GNTST_bad_page);
        CHECK_EQ(gflags(2), RW_TO_BE);
        CHECK_EQ(gnt_copy_for_backend(&dom, 2, 0, &mfn, 8, false),
                 GNTST_bad_page);
    }
    CHECK(same_counts(shim_mfn, cs));
    CHECK(same_counts(other_mfn, co));
    /* Frames the guest owns through the shim: shared_info, its table. */
    grant(2, RW_TO_BE, 0, si_mfn);
    CHECK_EQ(gnt_map_for_backend(&dom, 2, false, &mfn), GNTST_okay);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 2, false), GNTST_okay);
}

/* Page-table and descriptor frames: never writable through a grant,
 * readable; a frame the backend maps writable cannot become a table. */
static void test_backend_typed_frames(void)
{
    struct cnt c;
    uint64_t mfn = 0;

    world();
    /* pfn 0 is d1's (pinned) L4. */
    c = counts(G(0));
    grant(5, RW_TO_BE, 0, G(0));
    CHECK_EQ(gnt_map_for_backend(&dom, 5, false, &mfn), GNTST_general_error);
    CHECK_EQ(gflags(5), RW_TO_BE);
    CHECK(same_counts(G(0), c));
    CHECK_EQ(gnt_map_for_backend(&dom, 5, true, &mfn), GNTST_okay);
    CHECK_EQ(gflags(5), RW_TO_BE | GTF_reading);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 5, true), GNTST_okay);
    CHECK(same_counts(G(0), c));

    /* An L1 and a descriptor page. */
    CHECK_EQ(get_page_and_type(PG(G(20)), &dom, PGT_l1_page_table), 0);
    CHECK_EQ(get_page_and_type(PG(G(21)), &dom, PGT_seg_desc_page), 0);
    grant(6, RW_TO_BE, 0, G(20));
    grant(7, RW_TO_BE, 0, G(21));
    CHECK_EQ(gnt_map_for_backend(&dom, 6, false, &mfn), GNTST_general_error);
    CHECK_EQ(gnt_map_for_backend(&dom, 7, false, &mfn), GNTST_general_error);
    CHECK_EQ(gnt_copy_for_backend(&dom, 6, 0, &mfn, 8, true),
             GNTST_general_error);
    CHECK_EQ(gflags(6), RW_TO_BE);
    CHECK_EQ(gflags(7), RW_TO_BE);
    put_page_and_type(PG(G(20)));
    put_page_and_type(PG(G(21)));

    /* Mapped writable: the guest cannot make it a table meanwhile. */
    grant(8, RW_TO_BE, 0, G(22));
    CHECK_EQ(gnt_map_for_backend(&dom, 8, false, &mfn), GNTST_okay);
    CHECK_EQ(get_page_and_type(PG(G(22)), &dom, PGT_l1_page_table),
             -XEN_EINVAL);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 8, false), GNTST_okay);
    CHECK_EQ(get_page_and_type(PG(G(22)), &dom, PGT_l1_page_table), 0);
    put_page_and_type(PG(G(22)));
}

/* Unmaps the backend does not hold: refused, nothing changes. Maps of a
 * domain without a table: bad_domain. */
static void test_backend_unmap_errors(void)
{
    struct cnt c;
    uint64_t mfn = 0;

    world();
    c = counts(G(9));
    grant(9, RW_TO_BE, 0, G(9));
    CHECK_EQ(gnt_unmap_for_backend(&dom, 9, true), GNTST_bad_handle);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 9, false), GNTST_bad_handle);
    CHECK_EQ(gnt_map_for_backend(&dom, 9, true, &mfn), GNTST_okay);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 9, false), GNTST_bad_handle);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 512, true), GNTST_bad_handle);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 0xffffffffu, true),
             GNTST_bad_handle);
    CHECK_EQ(gnt_unmap_for_backend(&other, 9, true), GNTST_bad_handle);
    CHECK_EQ(gnt_unmap_for_backend(NULL, 9, true), GNTST_bad_handle);
    CHECK_EQ(gflags(9), RW_TO_BE | GTF_reading);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 9, true), GNTST_okay);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 9, true), GNTST_bad_handle);
    CHECK_EQ(gflags(9), RW_TO_BE);
    CHECK(same_counts(G(9), c));
    CHECK_EQ(gnt_map_for_backend(&other, 9, true, &mfn), GNTST_bad_domain);
    CHECK_EQ(gnt_map_for_backend(NULL, 9, true, &mfn), GNTST_bad_domain);
}

/* The guest rewrites an entry while the backend holds it (a misbehaving
 * guest, or a race): the pin keeps the frame it was given, later pins
 * use it, and the unmaps release exactly that frame. Setting GTF_readonly
 * on a pinned entry stops new write pins. */
static void test_guest_changes_pinned_entry(void)
{
    struct cnt c10, c11;
    uint64_t mfn = 0;

    world();
    c10 = counts(G(10));
    c11 = counts(G(11));
    grant(12, RW_TO_BE, 0, G(10));
    CHECK_EQ(gnt_map_for_backend(&dom, 12, true, &mfn), GNTST_okay);
    /* The guest retargets and revokes it behind the backend's back. */
    ENT(12)->frame = (uint32_t)G(11);
    ENT(12)->domid = 7;
    __atomic_and_fetch(&ENT(12)->flags, ~GTF_permit_access,
                       __ATOMIC_SEQ_CST);
    CHECK_EQ(gnt_map_for_backend(&dom, 12, true, &mfn), GNTST_okay);
    CHECK_EQ(mfn, G(10));
    CHECK_EQ(gnt_map_for_backend(&dom, 12, false, &mfn), GNTST_okay);
    CHECK_EQ(mfn, G(10));
    CHECK_EQ(gflags(12), GTF_reading | GTF_writing);
    CHECK(same_counts(G(11), c11));
    /* Read-only now: a new write pin is refused... */
    __atomic_or_fetch(&ENT(12)->flags, GTF_readonly, __ATOMIC_SEQ_CST);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 12, false), GNTST_okay);
    CHECK_EQ(gflags(12), GTF_readonly | GTF_reading);
    CHECK_EQ(gnt_map_for_backend(&dom, 12, false, &mfn),
             GNTST_general_error);
    CHECK_EQ(gflags(12), GTF_readonly | GTF_reading);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 12, true), GNTST_okay);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 12, true), GNTST_okay);
    CHECK_EQ(gflags(12), GTF_readonly);
    CHECK(same_counts(G(10), c10));
    CHECK(same_counts(G(11), c11));
    /* ...and unpinned, the entry's new contents rule again. */
    CHECK_EQ(gnt_map_for_backend(&dom, 12, true, &mfn), GNTST_general_error);
}

/* Pin counts are bounded: the 65536th read-only map of one ref is
 * refused, not wrapped. */
static void test_pin_overflow(void)
{
    struct cnt c;
    uint64_t mfn = 0;
    unsigned i, ok = 0;

    world();
    c = counts(G(13));
    grant(13, RW_TO_BE, 0, G(13));
    for (i = 0; i < 65535; i++)
        ok += gnt_map_for_backend(&dom, 13, true, &mfn) == GNTST_okay;
    CHECK_EQ(ok, 65535);
    CHECK_EQ(gnt_map_for_backend(&dom, 13, true, &mfn), GNTST_general_error);
    CHECK_EQ(gnt_map_for_backend(&dom, 13, false, &mfn), GNTST_okay);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 13, false), GNTST_okay);
    for (i = 0; i < 65535; i++)
        ok -= gnt_unmap_for_backend(&dom, 13, true) == GNTST_okay;
    CHECK_EQ(ok, 0);
    CHECK_EQ(gflags(13), RW_TO_BE);
    CHECK(same_counts(G(13), c));
}

/* ---- A racing guest ---- */

static int race_stop;
static unsigned long race_updates;     /* written by the racer only */

/*
 * The guest counts in the flag bits nobody defines (9-15), with 16-bit
 * atomics as Linux updates flags: a shim that ever wrote back a stale
 * word would lose counts (a carry out of bit 15 is dropped, so the
 * defined bits below never change).
 */
#define RACE_SHIFT  9
#define RACE_MASK   (0x7fu << RACE_SHIFT)

static void *racer(void *arg)
{
    uint16_t *flags = arg;

    while (!__atomic_load_n(&race_stop, __ATOMIC_ACQUIRE)) {
        __atomic_fetch_add(flags, (uint16_t)(1u << RACE_SHIFT),
                           __ATOMIC_SEQ_CST);
        __atomic_store_n(&race_updates, race_updates + 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/*
 * Map/unmap while the guest changes the same flags word: every count of
 * the guest survives (the shim never writes back a stale word), the
 * shim's own bits are right after each map and gone at the end, and a
 * map either succeeds or gives up with general_error (an unstable entry),
 * leaving nothing behind.
 */
static void test_concurrent_flags(void)
{
    pthread_t t;
    struct cnt c;
    uint64_t mfn = 0;
    unsigned i, ok = 0, unstable = 0, bad = 0;

    world();
    c = counts(G(14));
    grant(14, RW_TO_BE, 0, G(14));
    race_stop = 0;
    race_updates = 0;
    if (pthread_create(&t, NULL, racer, &ENT(14)->flags))
        abort();
    while (__atomic_load_n(&race_updates, __ATOMIC_RELAXED) < 1000)
        ;                               /* the guest is running */
    for (i = 0; i < 200000; i++) {
        bool ro = i & 1;
        int rc = gnt_map_for_backend(&dom, 14, ro, &mfn);

        if (rc == GNTST_general_error) {
            unstable++;
            continue;
        }
        if (rc != GNTST_okay || mfn != G(14)) {
            bad++;
            continue;
        }
        ok++;
        if (!(gflags(14) & GTF_reading) ||
            (!ro && !(gflags(14) & GTF_writing)))
            bad++;
        if (gnt_unmap_for_backend(&dom, 14, ro) != GNTST_okay)
            bad++;
    }
    __atomic_store_n(&race_stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    printf("  %u maps, %u given up as unstable, %lu guest updates\n", ok,
           unstable, race_updates);
    CHECK_EQ(bad, 0);
    CHECK(ok > 0);
    CHECK_EQ(gflags(14) & ~RACE_MASK, RW_TO_BE);
    CHECK_EQ((gflags(14) & RACE_MASK) >> RACE_SHIFT, race_updates & 0x7f);
    CHECK(same_counts(G(14), c));
}

/* ---- Copies ---- */

/* The backend's copy: into a writable grant, out of any grant, bounded
 * to the page, pinned only for the copy. */
static void test_backend_copy(void)
{
    uint8_t in[16], out[16];
    struct cnt c;
    unsigned i;

    world();
    for (i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(0xa0 + i);
    c = counts(G(15));
    grant(15, RW_TO_BE, 0, G(15));
    CHECK_EQ(gnt_copy_for_backend(&dom, 15, 4090, in, 6, true), GNTST_okay);
    CHECK_EQ(memcmp(VA(G(15)) + 4090, in, 6), 0);
    CHECK_EQ(gnt_copy_for_backend(&dom, 15, 4090, out, 6, false),
             GNTST_okay);
    CHECK_EQ(memcmp(out, in, 6), 0);
    CHECK_EQ(gflags(15), RW_TO_BE);
    CHECK(same_counts(G(15), c));
    CHECK_EQ(gnt_copy_for_backend(&dom, 15, 4090, in, 7, true),
             GNTST_bad_copy_arg);
    CHECK_EQ(gnt_copy_for_backend(&dom, 15, 4097, in, 0, true),
             GNTST_bad_copy_arg);
    CHECK_EQ(gnt_copy_for_backend(&dom, 15, 0, in, 0xffffffffu, false),
             GNTST_bad_copy_arg);
    CHECK_EQ(gnt_copy_for_backend(&dom, 15, 4096, in, 0, true), GNTST_okay);
    CHECK_EQ(gnt_copy_for_backend(&dom, 600, 0, in, 1, true),
             GNTST_bad_gntref);
    grant(16, RO_TO_BE, 0, G(16));
    VA(G(16))[0] = 0x5a;
    CHECK_EQ(gnt_copy_for_backend(&dom, 16, 0, out, 1, false), GNTST_okay);
    CHECK_EQ(out[0], 0x5a);
    /* While the backend maps it writable, a copy stacks on the pin. */
    CHECK_EQ(gnt_map_for_backend(&dom, 15, false, (uint64_t *)out),
             GNTST_okay);
    CHECK_EQ(gnt_copy_for_backend(&dom, 15, 0, in, 2, true), GNTST_okay);
    CHECK_EQ(gflags(15), RW_TO_BE | GTF_reading | GTF_writing);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 15, false), GNTST_okay);
    CHECK(same_counts(G(15), c));
}

static struct gnttab_copy cop(uint16_t flags, uint64_t src, domid_t sdom,
                              uint16_t soff, uint64_t dst, domid_t ddom,
                              uint16_t doff, uint16_t len)
{
    struct gnttab_copy op;

    memset(&op, 0, sizeof(op));
    op.flags = flags;
    if (flags & GNTCOPY_source_gref)
        op.source.u.ref = (grant_ref_t)src;
    else
        op.source.u.gmfn = src;
    op.source.domid = sdom;
    op.source.offset = soff;
    if (flags & GNTCOPY_dest_gref)
        op.dest.u.ref = (grant_ref_t)dst;
    else
        op.dest.u.gmfn = dst;
    op.dest.domid = ddom;
    op.dest.offset = doff;
    op.len = len;
    op.status = 99;
    return op;
}

static int16_t copy1(struct gnttab_copy op)
{
    long rc = gop(GNTTABOP_copy, &op, 1);

    CHECK_EQ(rc, 0);
    return op.status;
}

#define SELF DOMID_SELF
#define SG   GNTCOPY_source_gref
#define DG   GNTCOPY_dest_gref

/* GNTTABOP_copy from the guest: its own frames (DOMID_SELF only) and its
 * own grants (to itself); dom0 publishes no grants; Xen's order of
 * checks; nothing left pinned or referenced. */
static void test_guest_copy(void)
{
    struct cnt c30, c31, cl1;
    unsigned i;

    world();
    for (i = 0; i < 4096; i++)
        VA(G(30))[i] = (uint8_t)i;
    c30 = counts(G(30));
    c31 = counts(G(31));

    /* Frame to frame. */
    CHECK_EQ(copy1(cop(0, G(30), SELF, 16, G(31), SELF, 100, 32)),
             GNTST_okay);
    CHECK_EQ(memcmp(VA(G(31)) + 100, VA(G(30)) + 16, 32), 0);
    /* Grant (to itself) to frame, frame to grant given with its own id. */
    grant(20, RO_TO_BE, 1, G(30));
    grant(21, RW_TO_BE, 1, G(31));
    CHECK_EQ(copy1(cop(SG, 20, SELF, 0, G(31), SELF, 0, 8)), GNTST_okay);
    CHECK_EQ(copy1(cop(DG, G(30), SELF, 8, 21, 1, 8, 8)), GNTST_okay);
    CHECK_EQ(memcmp(VA(G(31)), VA(G(30)), 16), 0);
    CHECK_EQ(copy1(cop(SG | DG, 20, 1, 0, 21, SELF, 2048, 2048)),
             GNTST_okay);
    CHECK_EQ(memcmp(VA(G(31)) + 2048, VA(G(30)), 2048), 0);
    CHECK_EQ(gflags(20), RO_TO_BE);
    CHECK_EQ(gflags(21), RW_TO_BE);
    /* Same frame, overlapping: memmove semantics. */
    CHECK_EQ(copy1(cop(0, G(30), SELF, 0, G(30), SELF, 1, 8)), GNTST_okay);
    CHECK_EQ(VA(G(30))[1], 0);
    CHECK_EQ(VA(G(30))[8], 7);
    CHECK(same_counts(G(30), c30));
    CHECK(same_counts(G(31), c31));

    /* len 0: okay before anything is looked at. */
    CHECK_EQ(copy1(cop(SG, 9999, 0, 0, 0, 77, 0, 0)), GNTST_okay);
    /* A frame of anyone but DOMID_SELF: permission denied. */
    CHECK_EQ(copy1(cop(0, G(30), 1, 0, G(31), SELF, 0, 8)),
             GNTST_permission_denied);
    CHECK_EQ(copy1(cop(0, G(30), SELF, 0, G(31), 0, 0, 8)),
             GNTST_permission_denied);
    /* Grants of dom0 (the shim publishes none) or of nobody. */
    CHECK_EQ(copy1(cop(SG, 20, 0, 0, G(31), SELF, 0, 8)), GNTST_bad_domain);
    CHECK_EQ(copy1(cop(DG, G(30), SELF, 0, 21, 9, 0, 8)), GNTST_bad_domain);
    CHECK_EQ(copy1(cop(SG, 20, DOMID_IO, 0, G(31), SELF, 0, 8)),
             GNTST_bad_domain);
    /* Frames the guest does not own. */
    CHECK_EQ(copy1(cop(0, shim_mfn, SELF, 0, G(31), SELF, 0, 8)),
             GNTST_bad_page);
    CHECK_EQ(copy1(cop(0, G(30), SELF, 0, 10, SELF, 0, 8)), GNTST_bad_page);
    CHECK_EQ(copy1(cop(0, 1ULL << 40, SELF, 0, G(31), SELF, 0, 8)),
             GNTST_bad_page);
    CHECK_EQ(copy1(cop(0, G(30), SELF, 0, other_mfn, SELF, 0, 8)),
             GNTST_bad_page);
    /* Into a page table: general error; out of one: fine. */
    CHECK_EQ(copy1(cop(0, G(30), SELF, 0, G(0), SELF, 0, 8)),
             GNTST_general_error);
    CHECK_EQ(copy1(cop(0, G(0), SELF, 0, G(31), SELF, 0, 8)), GNTST_okay);
    /* Beyond the page, on either side. */
    CHECK_EQ(copy1(cop(0, G(30), SELF, 4095, G(31), SELF, 0, 2)),
             GNTST_bad_copy_arg);
    CHECK_EQ(copy1(cop(SG | DG, 20, SELF, 0, 21, SELF, 4000, 100)),
             GNTST_bad_copy_arg);
    CHECK_EQ(gflags(20), RO_TO_BE);
    CHECK_EQ(gflags(21), RW_TO_BE);
    /* Grant errors: read-only as destination, granted to the backend not
     * to the guest, bad ref, invalid entry. */
    CHECK_EQ(copy1(cop(DG, G(30), SELF, 0, 20, SELF, 0, 8)),
             GNTST_general_error);
    grant(22, RW_TO_BE, 0, G(31));
    CHECK_EQ(copy1(cop(SG, 22, SELF, 0, G(31), SELF, 0, 8)),
             GNTST_general_error);
    CHECK_EQ(copy1(cop(SG, 512, SELF, 0, G(31), SELF, 0, 8)),
             GNTST_bad_gntref);
    CHECK_EQ(copy1(cop(SG, 23, SELF, 0, G(31), SELF, 0, 8)),
             GNTST_general_error);
    /* Source fine, destination refused: the source pin is dropped. */
    CHECK_EQ(copy1(cop(SG, 20, SELF, 0, G(0), SELF, 0, 8)),
             GNTST_general_error);
    CHECK_EQ(gflags(20), RO_TO_BE);
    /* An entry the backend holds is not the guest's to copy. */
    grant(24, RW_TO_BE, 0, G(32));
    cl1 = counts(G(32));
    {
        uint64_t mfn;

        CHECK_EQ(gnt_map_for_backend(&dom, 24, true, &mfn), GNTST_okay);
        ENT(24)->domid = 1;
        CHECK_EQ(copy1(cop(SG, 24, SELF, 0, G(31), SELF, 0, 8)),
                 GNTST_general_error);
        CHECK_EQ(gnt_unmap_for_backend(&dom, 24, true), GNTST_okay);
        CHECK_EQ(copy1(cop(SG, 24, SELF, 0, G(31), SELF, 0, 8)),
                 GNTST_okay);
    }
    CHECK(same_counts(G(32), cl1));
    CHECK(same_counts(G(30), c30));
    CHECK(same_counts(G(31), c31));
}

/* A batch: one status per op, call result 0; an unreadable array is
 * -EFAULT before anything is done; a fault part-way stops there. */
static void test_guest_copy_batch(void)
{
    struct gnttab_copy ops[3];
    static struct gnttab_copy ro_ops[2];

    world();
    VA(G(40))[0] = 0x11;
    ops[0] = cop(0, G(40), SELF, 0, G(41), SELF, 0, 1);
    ops[1] = cop(0, shim_mfn, SELF, 0, G(41), SELF, 0, 1);
    ops[2] = cop(0, G(40), SELF, 0, G(42), SELF, 0, 1);
    CHECK_EQ(gop(GNTTABOP_copy, ops, 3), 0);
    CHECK_EQ(ops[0].status, GNTST_okay);
    CHECK_EQ(ops[1].status, GNTST_bad_page);
    CHECK_EQ(ops[2].status, GNTST_okay);
    CHECK_EQ(VA(G(42))[0], 0x11);

    VA(G(40))[0] = 0x22;
    CHECK_EQ(gop(GNTTABOP_copy, (void *)0xffff800000000000ULL, 1),
             -XEN_EFAULT);
    CHECK_EQ(gop(GNTTABOP_copy, (void *)0x1000, 2), -XEN_EFAULT);
    /* The second status cannot be written: first op done, then -EFAULT. */
    ro_ops[0] = cop(0, G(40), SELF, 0, G(41), SELF, 0, 1);
    ro_ops[1] = cop(0, G(40), SELF, 0, G(42), SELF, 0, 1);
    ro_lo = (uint64_t)&ro_ops[1];
    ro_hi = ro_lo + sizeof(ro_ops[1]);
    CHECK_EQ(gop(GNTTABOP_copy, ro_ops, 2), -XEN_EFAULT);
    CHECK_EQ(ro_ops[0].status, GNTST_okay);
    CHECK_EQ(VA(G(41))[0], 0x22);
    CHECK_EQ(VA(G(42))[0], 0x22);       /* done, status lost (as Xen) */
}

/* swap_grant_ref: swaps two entries; bad refs, the same ref, and pinned
 * entries (eagain) as Xen. */
static void test_swap(void)
{
    struct gnttab_swap_grant_ref s[4];
    uint64_t mfn;

    world();
    grant(30, RW_TO_BE, 0, G(50));
    grant(31, RO_TO_BE, 3, G(51));
    memset(s, 0, sizeof(s));
    s[0].ref_a = 30;
    s[0].ref_b = 31;
    s[1].ref_a = 30;
    s[1].ref_b = 512;
    s[2].ref_a = 5;
    s[2].ref_b = 5;
    s[3].ref_a = 0xffffffffu;
    s[3].ref_b = 1;
    CHECK_EQ(gop(GNTTABOP_swap_grant_ref, s, 4), 0);
    CHECK_EQ(s[0].status, GNTST_okay);
    CHECK_EQ(s[1].status, GNTST_bad_gntref);
    CHECK_EQ(s[2].status, GNTST_okay);
    CHECK_EQ(s[3].status, GNTST_bad_gntref);
    CHECK_EQ(gflags(30), RO_TO_BE);
    CHECK_EQ(ENT(30)->domid, 3);
    CHECK_EQ(ENT(30)->frame, G(51));
    CHECK_EQ(gflags(31), RW_TO_BE);
    CHECK_EQ(ENT(31)->frame, G(50));
    CHECK_EQ(gnt_map_for_backend(&dom, 31, true, &mfn), GNTST_okay);
    CHECK_EQ(gop(GNTTABOP_swap_grant_ref, s, 1), 0);
    CHECK_EQ(s[0].status, GNTST_eagain);
    CHECK_EQ(gnt_unmap_for_backend(&dom, 31, true), GNTST_okay);
    CHECK_EQ(gop(GNTTABOP_swap_grant_ref, (void *)0x10, 1), -XEN_EFAULT);
}

/* Seeding the reserved entries as a toolstack does, and the dump. */
static void test_seed_and_dump(void)
{
    uint64_t mfn;

    world();
    CHECK_EQ(gnttab_seed_entry(&dom, GNTTAB_RESERVED_CONSOLE, 0, G(60)), 0);
    CHECK_EQ(gnttab_seed_entry(&dom, GNTTAB_RESERVED_XENSTORE, 0, G(61)),
             0);
    CHECK_EQ(gflags(0), GTF_permit_access);
    CHECK_EQ(ENT(1)->frame, G(61));
    CHECK_EQ(gnttab_seed_entry(&dom, GNTTAB_NR_RESERVED_ENTRIES, 0, G(60)),
             -XEN_EINVAL);
    CHECK_EQ(gnttab_seed_entry(&dom, 2, 0, 1ULL << 32), -XEN_EINVAL);
    CHECK_EQ(gnttab_seed_entry(&other, 2, 0, G(60)), -XEN_EINVAL);
    CHECK_EQ(gnt_map_for_backend(&dom, GNTTAB_RESERVED_CONSOLE, false, &mfn),
             GNTST_okay);
    CHECK_EQ(mfn, G(60));
    gnttab_dump(&dom);
    gnttab_dump(&other);
    CHECK_EQ(gnt_unmap_for_backend(&dom, GNTTAB_RESERVED_CONSOLE, false),
             GNTST_okay);
}

int main(void)
{
    RUN_TEST(test_init_state);
    RUN_TEST(test_guest_maps_table_frame);
    RUN_TEST(test_query_size);
    RUN_TEST(test_setup_table);
    RUN_TEST(test_versions);
    RUN_TEST(test_unimplemented);
    RUN_TEST(test_backend_map);
    RUN_TEST(test_backend_bad_ref);
    RUN_TEST(test_backend_bad_entry);
    RUN_TEST(test_backend_readonly_grant);
    RUN_TEST(test_backend_not_owned);
    RUN_TEST(test_backend_typed_frames);
    RUN_TEST(test_backend_unmap_errors);
    RUN_TEST(test_guest_changes_pinned_entry);
    RUN_TEST(test_pin_overflow);
    RUN_TEST(test_concurrent_flags);
    RUN_TEST(test_backend_copy);
    RUN_TEST(test_guest_copy);
    RUN_TEST(test_guest_copy_batch);
    RUN_TEST(test_swap);
    RUN_TEST(test_seed_and_dump);
    free(fake_mem);
    return th_finish();
}
