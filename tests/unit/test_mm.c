/*
 * Unit tests for the PV MMU: shim/mm/{frame_table,page_type,pt_validate,
 * ptwr}.c and shim/hypercall/mmu.c, compiled unchanged for the host.
 *
 * The world: 4096 fake machine frames (16 MiB of host memory; frame n at
 * fake_mem + n * 4096) under the real frame pool (shim/frame_alloc.c) and
 * the real frame table. A guest of 512 frames, its p2m reversed so that a
 * pfn/mfn mix-up shows; its bootstrap tables built as the domain builder
 * does (L4 pfn 0, L3 pfn 1, L2 pfn 2, L1 pfn 3 mapping pfns 0..255 at
 * VIRT_BASE, page tables read-only), pfns 256..511 unmapped and free for
 * new tables; a shared_info frame; a "shim" frame nobody owns; the first
 * MiB is I/O. The arch hooks count flushes and CR3 loads. Guest pointers
 * for hypercall arguments are host pointers (copy_*_unsafe are memcpy),
 * except the low 64 KiB, which "faults".
 *
 * Every validation rule is tried allowed and refused, every hypercall
 * error path once, and the type state machine through pin/unpin, base
 * pointers and mappings; counts are checked after each step.
 */
#include "harness.h"

#include <stdarg.h>
#include <xhv/frame_alloc.h>
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/m2p.h>
#include <xhv/mm.h>
#include <xhv/regs.h>

#define NR_FRAMES   4096
#define GUEST_PAGES 512
#define MAPPED      256             /* pfns mapped by the bootstrap L1 */
#define VIRT_BASE   0xffffffff80000000ULL
#define FAULT_LIMIT 0x10000ULL      /* guest pointers below this fault */

static uint8_t *fake_mem;
static struct frame_pool pool;
static struct domain dom;
static uint64_t p2m[GUEST_PAGES];
static uint64_t shim_l4[512];
static uint64_t m2p_fake[NR_FRAMES];
static uint64_t shim_mfn, si_mfn;
static unsigned flushes, invlpgs, cr3_loads;
static uint64_t last_invlpg, last_cr3, fake_nx = PTE_NX;
static uint64_t fault_page;         /* a page of host memory that faults */
static struct vcpu *v0;

/* ---- Fakes for what the files under test call ---- */

void *mm_arch_frame_va(uint64_t mfn)
{
    if (mfn >= NR_FRAMES)
        abort();
    return fake_mem + mfn * 4096;
}
void mm_arch_flush_tlb_local(void) { flushes++; }
void mm_arch_invlpg(uint64_t va) { invlpgs++; last_invlpg = va; }
/*
 * This test is CPU 0. A mask flush counts as a local flush (or invlpg)
 * when it includes CPU 0, and is remembered for the SMP checks.
 */
static struct cpumask last_mask;
static unsigned mask_flushes;
unsigned int mm_arch_cpu(void) { return 0; }
void mm_arch_flush_tlb_mask(const struct cpumask *m, uint64_t va, bool all)
{
    last_mask = *m;
    mask_flushes++;
    if (!cpumask_test(m, 0))
        return;
    if (all)
        flushes++;
    else
        mm_arch_invlpg(va);
}
void mm_arch_write_cr3(uint64_t m) { cr3_loads++; last_cr3 = m; }
const uint64_t *mm_arch_shim_l4(void) { return shim_l4; }
uint64_t mm_arch_pte_nx(void) { return fake_nx; }

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
    uint64_t a = (uint64_t)src;

    if (a < FAULT_LIMIT ||
        (fault_page && a < fault_page + 4096 && a + n > fault_page))
        return n;
    memcpy(dst, src, n);
    return 0;
}
size_t copy_to_unsafe(void *dst, const void *src, size_t n)
{
    if ((uint64_t)dst < FAULT_LIMIT)
        return n;
    memcpy(dst, src, n);
    return 0;
}

HARNESS_PRINTK_AND_PANIC("MM_TEST_VERBOSE")

static void *p2v(uint64_t pa, void *ctx)
{
    return fake_mem + pa;
}

/* ---- The world ---- */

static uint64_t M(unsigned pfn) { return p2m[pfn]; }
static uint64_t *T(unsigned pfn) { return mm_arch_frame_va(p2m[pfn]); }
static struct page_info *PG(unsigned pfn) { return mfn_to_page(p2m[pfn]); }
static uint64_t GVA(unsigned pfn) { return VIRT_BASE + (uint64_t)pfn * 4096; }
static uint64_t E(unsigned pfn, uint64_t flags)
{
    return (M(pfn) << 12) | flags;
}
#define PRW (PTE_P | PTE_RW)
#define PRWU (PTE_P | PTE_RW | PTE_US | PTE_A)

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
    cpumask_set(&dom.dirty_cpus, 0);        /* vCPU 0 runs on CPU 0 */
    memset(m2p_fake, 0xff, sizeof(m2p_fake));
    flushes = invlpgs = cr3_loads = 0;
    mask_flushes = 0;
    cpumask_clear(&last_mask);
    fake_nx = PTE_NX;
    if (frame_pool_init(&pool, &ram, 1, NULL, 0, p2v, NULL) ||
        mm_init(&pool))
        abort();
    for (i = 0; i < 512; i++)
        shim_l4[i] = (i >= 256 && i <= 271) ? (0xabc000ULL + i * 4096) | 3
                                             : 0;

    base = frame_alloc(&pool, GUEST_PAGES, 1);
    for (i = 0; i < GUEST_PAGES; i++) {
        p2m[i] = base + GUEST_PAGES - 1 - i;
        m2p_set(p2m[i], i);
    }
    si_mfn = frame_alloc(&pool, 1, 1);
    shim_mfn = frame_alloc(&pool, 1, 1);
    dom.domid = 1;
    dom.p2m = p2m;
    dom.nr_pages = dom.max_pages = GUEST_PAGES;
    dom.shared_info_mfn = si_mfn;
    dom.nr_vcpus = 1;
    v0 = &dom.vcpus[0];
    v0->domain = &dom;
    v0->in_kernel = true;
    v0->kernel_cr3 = v0->cr3 = M(0) << 12;

    /* The builder's tables (shim/loader/domain_build.c). */
    for (i = 256; i <= 271; i++)
        T(0)[i] = 0x1234;           /* junk: validation must replace it */
    T(0)[511] = E(1, PRWU);
    T(1)[510] = E(2, PRWU);
    T(2)[0] = E(3, PRWU);
    for (i = 0; i < MAPPED; i++)
        T(3)[i] = E(i, (i < 4 ? PTE_P : PRW) | PTE_US | PTE_A | PTE_D);
    if (mm_adopt_domain(&dom, M(0)))
        abort();
}

/* One mmu_update request; *done_out if given. */
static long mmu1(uint64_t ptr, uint64_t val, uint64_t fd)
{
    mmu_update_t req = { .ptr = ptr, .val = val };
    uint32_t done = 99;
    long rc = do_mmu_update(v0, (uint64_t)&req, 1, (uint64_t)&done, fd, 0);

    CHECK_EQ(done, rc ? 0 : 1);
    return rc;
}

/* Entry idx of the table at pfn, through mmu_update. */
static long set_entry(unsigned pfn, unsigned idx, uint64_t val)
{
    return mmu1((M(pfn) << 12) + idx * 8 + MMU_NORMAL_PT_UPDATE, val,
                DOMID_SELF);
}

static long ext(unsigned cmd, uint64_t arg1, uint64_t arg2)
{
    struct mmuext_op op;
    uint32_t done = 99;
    long rc;

    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.mfn = arg1;
    memcpy(&op.arg2, &arg2, sizeof(arg2));
    rc = do_mmuext_op(v0, (uint64_t)&op, 1, (uint64_t)&done, DOMID_SELF, 0);
    CHECK_EQ(done, rc ? 0 : 1);
    return rc;
}

/* A snapshot of every guest frame's references, to prove "nothing
 * changed" (types of unreferenced frames and flush stamps may differ). */
struct snap { struct page_info pi[GUEST_PAGES + 1]; };

static void take(struct snap *s)
{
    unsigned i;

    for (i = 0; i < GUEST_PAGES; i++)
        s->pi[i] = *PG(i);
    s->pi[GUEST_PAGES] = *mfn_to_page(si_mfn);
}

static bool same(const struct snap *s)
{
    struct snap now;
    unsigned i;

    take(&now);
    for (i = 0; i <= GUEST_PAGES; i++) {
        const struct page_info *a = &s->pi[i], *b = &now.pi[i];

        if (a->owner != b->owner || a->count != b->count ||
            a->type_count != b->type_count ||
            (a->type_count && a->type != b->type) ||
            (a->flags & PGF_pinned) != (b->flags & PGF_pinned)) {
            printf("  frame of pfn %u: count %u/%u, type %u/%u, "
                   "type count %u/%u\n", i, a->count, b->count, a->type,
                   b->type, a->type_count, b->type_count);
            return false;
        }
    }
    return true;
}

/* ---- Tests ---- */

/* The frame table covers the pool; the first MiB is I/O; the table's own
 * frames and free frames are nobody's. */
static void test_frame_table_init(void)
{
    world();
    CHECK_EQ(mm_nr_frames(), NR_FRAMES);
    CHECK(mfn_to_page(0)->flags & PGF_io);
    CHECK(mfn_to_page(255)->flags & PGF_io);
    CHECK(!(mfn_to_page(256)->flags & PGF_io));
    CHECK(mfn_to_page(NR_FRAMES) == NULL);
    CHECK(mfn_to_page(shim_mfn)->owner == NULL);
    CHECK(get_page_from_mfn(shim_mfn, &dom) == NULL);
    CHECK(get_page_from_mfn(NR_FRAMES + 5, &dom) == NULL);
}

/* Adoption: ownership, the tree typed and counted, the L4 pinned + cr3,
 * hole slots from the shim, entries adjusted. */
static void test_adopt(void)
{
    unsigned i;

    world();
    CHECK(PG(0)->type == PGT_l4_page_table && PG(0)->type_count == 2);
    CHECK(PG(0)->flags & PGF_pinned);
    CHECK_EQ(PG(0)->count, 1 + 2 + 1);      /* alloc, pin + cr3, RO map */
    CHECK(PG(1)->type == PGT_l3_page_table && PG(1)->type_count == 1);
    CHECK(PG(2)->type == PGT_l2_page_table && PG(2)->type_count == 1);
    CHECK(PG(3)->type == PGT_l1_page_table && PG(3)->type_count == 1);
    CHECK_EQ(PG(3)->count, 3);              /* alloc, L2 entry, RO map */
    for (i = 0; i < 4; i++)
        CHECK(PG(i)->flags & PGF_validated);
    CHECK(PG(4)->type == PGT_writable_page && PG(4)->type_count == 1);
    CHECK_EQ(PG(4)->count, 2);
    CHECK(PG(300)->owner == &dom && PG(300)->count == 1 &&
          PG(300)->type_count == 0);
    for (i = 256; i <= 271; i++)
        CHECK_EQ(T(0)[i], shim_l4[i]);
    CHECK_EQ(T(0)[511], E(1, PRWU));
    CHECK_EQ(T(3)[4], E(4, PRW | PTE_US | PTE_A | PTE_D | PTE_G));
    CHECK(mfn_to_page(si_mfn)->owner == &dom);
    CHECK(mfn_to_page(si_mfn)->flags & PGF_shared);
    CHECK(mfn_to_page(si_mfn)->type == PGT_writable_page);
}

/* Adoption refuses a bad domain and changes nothing. */
static void test_adopt_refused(void)
{
    struct domain d2;
    uint64_t p2[2];

    world();
    memset(&d2, 0, sizeof(d2));
    d2.domid = 2;
    d2.p2m = p2;
    d2.nr_pages = 2;
    d2.shared_info_mfn = shim_mfn;
    p2[0] = 10;                             /* I/O frame */
    p2[1] = shim_mfn - 1;
    CHECK_EQ(mm_adopt_domain(&d2, p2[1]), -XEN_EINVAL);
    p2[0] = M(5);                           /* already d1's */
    CHECK_EQ(mm_adopt_domain(&d2, p2[1]), -XEN_EINVAL);
    p2[0] = NR_FRAMES + 1;                  /* out of range */
    CHECK_EQ(mm_adopt_domain(&d2, p2[1]), -XEN_EINVAL);
    p2[0] = p2[1];                          /* twice in the p2m */
    CHECK_EQ(mm_adopt_domain(&d2, p2[1]), -XEN_EINVAL);
    CHECK(mfn_to_page(p2[1])->owner == NULL);
    /* An L4 whose L3 names a frame that is not d2's. */
    p2[0] = shim_mfn - 2;
    memset(mm_arch_frame_va(p2[0]), 0, 4096);
    memset(mm_arch_frame_va(p2[1]), 0, 4096);
    ((uint64_t *)mm_arch_frame_va(p2[0]))[0] = (p2[1] << 12) | PRW;
    ((uint64_t *)mm_arch_frame_va(p2[1]))[0] = ((shim_mfn - 3) << 12) | PRW;
    CHECK_EQ(mm_adopt_domain(&d2, p2[0]), -XEN_EINVAL);
    CHECK(mfn_to_page(p2[0])->owner == NULL);
    CHECK(mfn_to_page(p2[1])->owner == NULL);
    CHECK(mfn_to_page(shim_mfn)->owner == NULL);
    CHECK(mfn_to_page(p2[1])->type_count == 0);
    /* With a vCPU whose cr3 is not that L4. */
    ((uint64_t *)mm_arch_frame_va(p2[1]))[0] = 0;
    d2.nr_vcpus = 1;
    d2.vcpus[0].kernel_cr3 = p2[1] << 12;
    CHECK_EQ(mm_adopt_domain(&d2, p2[0]), -XEN_EINVAL);
    d2.vcpus[0].kernel_cr3 = p2[0] << 12;
    CHECK_EQ(mm_adopt_domain(&d2, p2[0]), 0);   /* and now it is fine */
    CHECK(mfn_to_page(p2[0])->type_count == 2);
    CHECK(mfn_to_page(p2[1])->type == PGT_l3_page_table);
    CHECK(mfn_to_page(shim_mfn)->flags & PGF_shared);
}

/* L1 entry rules, table-driven, through mmu_update on an unused slot. */
static void test_l1_rules(void)
{
    static const struct {
        const char *what;
        int target;             /* pfn, or <0: special frame below */
        uint64_t flags;
        long rc;
    } c[] = {
        { "non-present junk (swap entry)", -4, 0x7ffffffffffffffeULL, 0 },
        { "RW own data frame", 5, PRW, 0 },
        { "RO own data frame", 5, PTE_P, 0 },
        { "user RW own frame", 5, PRW | PTE_US, 0 },
        { "RO L1 table", 3, PTE_P, 0 },
        { "RO L4 table", 0, PTE_P, 0 },
        { "RW L1 table", 3, PRW, -XEN_EBUSY },
        { "RW L4 table", 0, PRW, -XEN_EBUSY },
        { "PWT", 5, PRW | PTE_PWT, -XEN_EINVAL },
        { "PCD", 5, PRW | PTE_PCD, -XEN_EINVAL },
        { "PAT", 5, PRW | MM_PTE_PAT, -XEN_EINVAL },
        { "GNTTAB bit 62", 5, PRW | MM_PTE_GNTTAB, -XEN_EINVAL },
        { "global allowed", 5, PRW | PTE_G, 0 },
        { "NX allowed", 5, PRW | PTE_NX, 0 },
        { "avail bits 9-11, 52-61", 5, PRW | 0xe00 | 0x3ff0000000000000ULL,
          0 },
        { "A/D", 5, PRW | PTE_A | PTE_D, 0 },
        { "shim frame RO", -1, PTE_P, -XEN_EBUSY },
        { "shim frame RW", -1, PRW, -XEN_EBUSY },
        { "I/O frame (first MiB)", -2, PTE_P, -XEN_EPERM },
        { "beyond the frame table", -3, PTE_P, -XEN_EPERM },
        { "the invalid frame", -5, PTE_P, -XEN_EINVAL },
        { "shared_info RW", -6, PRW, 0 },
        { "shared_info RO", -6, PTE_P, 0 },
    };
    unsigned i;

    world();
    for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        uint64_t mfn, val, stored;
        struct snap s;
        long rc;

        switch (c[i].target) {
        case -1: mfn = shim_mfn; break;
        case -2: mfn = 10; break;
        case -3: mfn = NR_FRAMES + 100; break;
        case -4: mfn = 0; break;
        case -5: mfn = PTE_ADDR_MASK >> 12; break;
        case -6: mfn = si_mfn; break;
        default: mfn = M((unsigned)c[i].target); break;
        }
        val = c[i].target == -4 ? c[i].flags : (mfn << 12) | c[i].flags;
        take(&s);
        rc = set_entry(3, 300, val);
        if (rc != c[i].rc)
            printf("  case '%s': rc %ld, want %ld\n", c[i].what, rc,
                   c[i].rc);
        CHECK_EQ(rc, c[i].rc);
        stored = T(3)[300];
        if (c[i].rc) {
            CHECK_EQ(stored, 0);
            CHECK(same(&s));
            continue;
        }
        if (val & PTE_P) {
            /* Adjusted: user forced; kernel pages marked, user global. */
            CHECK(stored & PTE_US);
            if (val & PTE_US)
                CHECK(stored & PTE_G);
            else
                CHECK(stored & MM_PTE_GUEST_KERNEL);
            CHECK_EQ(stored & PTE_ADDR_MASK, val & PTE_ADDR_MASK);
        } else {
            CHECK_EQ(stored, val);          /* never interpreted */
        }
        CHECK_EQ(set_entry(3, 300, 0), 0);
        CHECK(same(&s));                    /* references given back */
    }
    /* Without NX support, NX is refused. */
    fake_nx = 0;
    CHECK_EQ(set_entry(3, 300, E(5, PRW | PTE_NX)), -XEN_EINVAL);
    fake_nx = PTE_NX;
}

/* Writable references count mappings; shared_info stays writable. */
static void test_writable_refcount(void)
{
    world();
    CHECK_EQ(set_entry(3, 300, E(300, PRW)), 0);
    CHECK_EQ(set_entry(3, 301, E(300, PRW)), 0);
    CHECK_EQ(set_entry(3, 302, E(300, PTE_P)), 0);
    CHECK(PG(300)->type == PGT_writable_page && PG(300)->type_count == 2);
    CHECK_EQ(PG(300)->count, 4);
    /* Replacing an entry by itself keeps the counts. */
    CHECK_EQ(set_entry(3, 300, E(300, PRW)), 0);
    CHECK_EQ(PG(300)->type_count, 2);
    CHECK_EQ(set_entry(3, 300, E(300, PTE_P)), 0);
    CHECK_EQ(PG(300)->type_count, 1);
    CHECK_EQ(set_entry(3, 301, 0), 0);
    CHECK_EQ(set_entry(3, 300, 0), 0);
    CHECK_EQ(set_entry(3, 302, 0), 0);
    CHECK_EQ(PG(300)->type_count, 0);
    CHECK_EQ(PG(300)->count, 1);
    CHECK_EQ(mfn_to_page(si_mfn)->type_count, 1);
}

/* L2/L3/L4 entry rules. Frames 300.. are free for new tables. */
static void test_upper_rules(void)
{
    struct snap s;

    world();
    /* A fresh L1 under the bootstrap L2. */
    T(300)[0] = E(301, PRW);
    CHECK_EQ(set_entry(2, 1, E(300, PRW)), 0);
    CHECK(PG(300)->type == PGT_l1_page_table && PG(300)->type_count == 1);
    CHECK(PG(301)->type == PGT_writable_page && PG(301)->type_count == 1);
    CHECK(T(2)[1] & PTE_US);
    CHECK(T(300)[0] & PTE_US);
    CHECK(flushes >= 1);                    /* L2 change flushed */
    take(&s);
    /* Refused entries, nothing changes. */
    CHECK_EQ(set_entry(2, 2, E(302, PRW | PTE_PS)), -XEN_EINVAL);
    CHECK_EQ(set_entry(2, 2, E(302, PRW | PTE_PWT)), -XEN_EINVAL);
    CHECK_EQ(set_entry(2, 2, E(302, PRW | PTE_PCD)), -XEN_EINVAL);
    CHECK_EQ(set_entry(2, 2, E(302, PRW | PTE_G)), -XEN_EINVAL);
    CHECK_EQ(set_entry(1, 2, E(302, PRW | PTE_PS)), -XEN_EINVAL);   /* 1G */
    CHECK_EQ(set_entry(0, 2, E(302, PRW | PTE_PS)), -XEN_EINVAL);
    CHECK_EQ(set_entry(2, 2, (shim_mfn << 12) | PRW), -XEN_EINVAL);
    CHECK_EQ(set_entry(2, 2, (10ULL << 12) | PRW), -XEN_EINVAL);
    CHECK_EQ(set_entry(2, 2, ((uint64_t)NR_FRAMES << 12) | PRW),
             -XEN_EINVAL);
    CHECK_EQ(set_entry(2, 2, E(5, PRW)), -XEN_EINVAL);  /* mapped RW */
    CHECK_EQ(set_entry(2, 2, E(2, PRW)), -XEN_EINVAL);  /* itself */
    CHECK_EQ(set_entry(1, 2, E(1, PRW)), -XEN_EINVAL);
    CHECK_EQ(set_entry(0, 2, E(0, PRW)), -XEN_EINVAL);
    CHECK_EQ(set_entry(2, 2, E(1, PRW)), -XEN_EINVAL);  /* an L3 as L1 */
    CHECK_EQ(set_entry(1, 2, E(3, PRW)), -XEN_EINVAL);  /* an L1 as L2 */
    CHECK_EQ(set_entry(0, 2, E(2, PRW)), -XEN_EINVAL);  /* an L2 as L3 */
    CHECK_EQ(set_entry(2, 2, (si_mfn << 12) | PRW), -XEN_EINVAL);
    CHECK(same(&s));
    /* NX and the available bits are fine on upper levels. */
    CHECK_EQ(set_entry(2, 2, E(300, PRW | PTE_NX | 0xe00)), 0);
    CHECK_EQ(PG(300)->type_count, 2);
    CHECK_EQ(set_entry(2, 2, 0), 0);
    CHECK_EQ(PG(300)->type_count, 1);
    /* The hole: slots 256-271 refused, their neighbours fine. */
    T(310)[0] = 0;
    CHECK_EQ(set_entry(0, 256, E(310, PRW)), -XEN_EINVAL);
    CHECK_EQ(set_entry(0, 271, E(310, PRW)), -XEN_EINVAL);
    CHECK_EQ(set_entry(0, 256, 0), -XEN_EINVAL);
    CHECK_EQ(T(0)[256], shim_l4[256]);
    CHECK_EQ(set_entry(0, 255, E(310, PRW)), 0);
    CHECK_EQ(T(0)[255], E(310, PRW | PTE_US | PTE_A));
    CHECK_EQ(set_entry(0, 272, E(310, PRW)), 0);
    CHECK_EQ(PG(310)->type_count, 2);
    CHECK_EQ(set_entry(0, 255, 0), 0);
    CHECK_EQ(set_entry(0, 272, 0), 0);
    CHECK_EQ(PG(310)->type_count, 0);
    CHECK(!(PG(310)->flags & PGF_validated));
}

/* A deep refusal unwinds every reference taken on the way. */
static void test_nested_failure_unwinds(void)
{
    struct snap s;

    world();
    /* L3 300 -> L2 301 -> L1 302: slot 0 maps 303 RW, slot 1 a PT RW. */
    T(300)[0] = E(301, PRW);
    T(301)[0] = E(302, PRW);
    T(302)[0] = E(303, PRW);
    T(302)[1] = E(3, PRW);
    take(&s);
    CHECK_EQ(set_entry(0, 5, E(300, PRW)), -XEN_EBUSY);
    CHECK(same(&s));
    CHECK(PG(300)->type_count == 0 && PG(301)->type_count == 0 &&
          PG(302)->type_count == 0 && PG(303)->type_count == 0);
    /* Fixed, it goes through, and tears down completely. */
    T(302)[1] = E(3, PTE_P);
    CHECK_EQ(set_entry(0, 5, E(300, PRW)), 0);
    CHECK(PG(302)->type == PGT_l1_page_table);
    CHECK(PG(303)->type_count == 1);
    CHECK_EQ(PG(3)->count, 4);              /* + RO map from 302 */
    CHECK_EQ(set_entry(0, 5, 0), 0);
    CHECK(same(&s));
}

/* Self- and mutually-referencing tables never validate (no linear PTs). */
static void test_loops_refused(void)
{
    struct snap s;

    world();
    take(&s);
    /* L4 naming itself. */
    T(300)[0] = E(300, PRW);
    CHECK_EQ(ext(MMUEXT_PIN_L4_TABLE, M(300), 0), -XEN_EINVAL);
    /* L4 -> L3 -> back to the L4 as its L2. */
    T(300)[0] = E(301, PRW);
    T(301)[0] = E(300, PRW);
    CHECK_EQ(ext(MMUEXT_PIN_L4_TABLE, M(300), 0), -XEN_EINVAL);
    /* L3 -> L2 -> L3 as its L1. */
    CHECK_EQ(ext(MMUEXT_PIN_L3_TABLE, M(301), 0), -XEN_EINVAL);
    /* L2 naming itself; L2 naming another L2 (linear). */
    T(302)[0] = E(302, PRW);
    CHECK_EQ(ext(MMUEXT_PIN_L2_TABLE, M(302), 0), -XEN_EINVAL);
    T(302)[0] = E(2, PRW);
    CHECK_EQ(ext(MMUEXT_PIN_L2_TABLE, M(302), 0), -XEN_EINVAL);
    /* L1 mapping itself RW (RO is fine). */
    T(303)[0] = E(303, PRW);
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, M(303), 0), -XEN_EBUSY);
    CHECK(same(&s));
    T(303)[0] = E(303, PTE_P);
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, M(303), 0), 0);
    CHECK_EQ(ext(MMUEXT_UNPIN_TABLE, M(303), 0), 0);
    CHECK(same(&s));
}

/* Writable <-> table only at type count 0; pin/unpin rules. */
static void test_type_state_machine(void)
{
    unsigned f;

    world();
    CHECK_EQ(set_entry(3, 300, E(300, PRW)), 0);
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, M(300), 0), -XEN_EINVAL);  /* RW */
    CHECK_EQ(set_entry(3, 300, E(300, PTE_P)), 0);
    f = flushes;
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, M(300), 0), 0);
    CHECK_EQ(flushes, f + 1);               /* stale RW TLB entry flushed */
    CHECK(PG(300)->type == PGT_l1_page_table);
    CHECK_EQ(PG(300)->type_count, 1);
    CHECK_EQ(set_entry(3, 301, E(300, PRW)), -XEN_EBUSY); /* table RW */
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, M(300), 0), -XEN_EINVAL); /* twice */
    CHECK_EQ(PG(300)->type_count, 1);
    CHECK_EQ(PG(300)->count, 3);            /* alloc, pin, RO map */
    CHECK_EQ(ext(MMUEXT_PIN_L2_TABLE, M(300), 0), -XEN_EINVAL); /* L1 */
    CHECK_EQ(ext(MMUEXT_UNPIN_TABLE, M(300), 0), 0);
    CHECK_EQ(ext(MMUEXT_UNPIN_TABLE, M(300), 0), -XEN_EINVAL);  /* not */
    CHECK_EQ(PG(300)->type_count, 0);
    CHECK_EQ(PG(300)->count, 2);
    CHECK_EQ(set_entry(3, 301, E(300, PRW)), 0);  /* writable again */
    CHECK(PG(300)->type == PGT_writable_page);
    /* Not the guest's, out of range, io: refused. */
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, shim_mfn, 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, NR_FRAMES + 3, 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, 10, 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_UNPIN_TABLE, shim_mfn, 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, si_mfn, 0), -XEN_EINVAL);
    /* No flush when one already happened since the count hit 0. */
    CHECK_EQ(set_entry(3, 301, 0), 0);
    mm_flush_tlb_local();
    f = flushes;
    CHECK_EQ(ext(MMUEXT_PIN_L1_TABLE, M(300), 0), 0);
    CHECK_EQ(flushes, f);
    /* Descriptor pages: no checker registered, refused. */
    CHECK_EQ(get_page_and_type(PG(302), &dom, PGT_seg_desc_page),
             -XEN_EINVAL);
    CHECK_EQ(PG(302)->count, 1);
}

/* Reference counts through a whole L4 tree, built, pinned, torn down. */
static void test_tree_refcounts(void)
{
    struct snap s;
    unsigned i;

    world();
    take(&s);
    T(300)[0] = E(301, PRW);                /* L4 */
    T(300)[1] = E(301, PRW);                /* the same L3 twice */
    T(301)[0] = E(302, PRW);                /* L3 */
    T(302)[0] = E(303, PRW);                /* L2 */
    T(302)[1] = E(3, PRW);                  /* share the bootstrap L1 */
    for (i = 0; i < 8; i++)
        T(303)[i] = E(304 + i, PRW);        /* L1 */
    T(303)[8] = E(300, PTE_P);              /* the L4, read-only */
    for (i = 256; i <= 271; i++)
        T(300)[i] = 0x5555;                 /* junk in the hole */
    CHECK_EQ(ext(MMUEXT_PIN_L4_TABLE, M(300), 0), 0);
    CHECK(PG(300)->type == PGT_l4_page_table && PG(300)->type_count == 1);
    CHECK_EQ(PG(300)->count, 3);            /* alloc, pin, RO map */
    CHECK(PG(301)->type_count == 2 && PG(301)->count == 3);
    CHECK(PG(302)->type_count == 1 && PG(303)->type_count == 1);
    CHECK_EQ(PG(3)->type_count, 2);
    for (i = 0; i < 8; i++)
        CHECK(PG(304 + i)->type == PGT_writable_page &&
              PG(304 + i)->type_count == 1);
    for (i = 256; i <= 271; i++)
        CHECK_EQ(T(300)[i], shim_l4[i]);
    CHECK_EQ(ext(MMUEXT_UNPIN_TABLE, M(300), 0), 0);
    for (i = 300; i < 312; i++)
        CHECK_EQ(PG(i)->type_count, 0);
    for (i = 300; i < 304; i++)
        CHECK(!(PG(i)->flags & PGF_validated));
    CHECK_EQ(PG(3)->type_count, 1);
    for (i = 300; i < 312; i++)
        CHECK_EQ(PG(i)->count, 1);
    CHECK_EQ(T(300)[256], shim_l4[256]);    /* left as Xen leaves it */
    (void)s;
}

/* mmu_update: batches, done counts, commands, foreign domains. */
static void test_mmu_update(void)
{
    mmu_update_t req[4];
    uint32_t done;
    uint64_t l1 = M(3) << 12;
    long rc;

    world();
    /* Batch stops at the failing request; done = successes. */
    req[0].ptr = l1 + 300 * 8; req[0].val = E(300, PRW);
    req[1].ptr = l1 + 301 * 8; req[1].val = E(301, PTE_P);
    req[2].ptr = l1 + 302 * 8; req[2].val = E(0, PRW);     /* L4 RW */
    req[3].ptr = l1 + 303 * 8; req[3].val = E(303, PRW);
    rc = do_mmu_update(v0, (uint64_t)req, 4, (uint64_t)&done, DOMID_SELF, 0);
    CHECK_EQ(rc, -XEN_EBUSY);
    CHECK_EQ(done, 2);
    CHECK(T(3)[300] && T(3)[301] && !T(3)[302] && !T(3)[303]);
    CHECK_EQ(do_mmu_update(v0, (uint64_t)req, 2, 0, DOMID_SELF, 0), 0);
    /* PRESERVE_AD keeps A/D set in the old entry. */
    T(3)[300] |= PTE_A | PTE_D;             /* as the CPU would */
    CHECK_EQ(mmu1(l1 + 300 * 8 + MMU_PT_UPDATE_PRESERVE_AD, E(300, PRW),
                  DOMID_SELF), 0);
    CHECK((T(3)[300] & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
    CHECK_EQ(mmu1(l1 + 300 * 8 + MMU_PT_UPDATE_NO_TRANSLATE, E(300, PRW),
                  DOMID_SELF), 0);
    CHECK(!(T(3)[300] & PTE_D));
    /* Unknown commands. */
    CHECK_EQ(mmu1(l1 + 300 * 8 + 4, 0, DOMID_SELF), -XEN_ENOSYS);
    CHECK_EQ(mmu1(l1 + 300 * 8 + 7, 0, DOMID_SELF), -XEN_ENOSYS);
    /* M2P. */
    CHECK_EQ(mmu1((M(7) << 12) + MMU_MACHPHYS_UPDATE, 77, DOMID_SELF), 0);
    CHECK_EQ(m2p_get(M(7)), 77);
    CHECK_EQ(mmu1((shim_mfn << 12) + MMU_MACHPHYS_UPDATE, 1, DOMID_SELF),
             -XEN_EINVAL);
    CHECK_EQ(mmu1((10ULL << 12) + MMU_MACHPHYS_UPDATE, 1, DOMID_SELF),
             -XEN_EINVAL);
    /* Frames that are not the guest's. */
    CHECK_EQ(mmu1(shim_mfn << 12, 0x1234, DOMID_SELF), -XEN_EINVAL);
    CHECK_EQ(*(uint64_t *)mm_arch_frame_va(shim_mfn), 0);
    CHECK_EQ(mmu1(((uint64_t)NR_FRAMES + 9) << 12, 0, DOMID_SELF),
             -XEN_EINVAL);
    /* A plain data page: an unchecked write. */
    CHECK_EQ(mmu1((M(400) << 12) + 16, 0xfeed, DOMID_SELF), 0);
    CHECK_EQ(T(400)[2], 0xfeed);
    CHECK_EQ(PG(400)->type_count, 0);
    /* Foreign domains. */
    CHECK_EQ(mmu1(l1 + 300 * 8, 0, 1), -XEN_ESRCH);
    CHECK_EQ(mmu1(l1 + 300 * 8, 0, DOMID_IO), -XEN_EPERM);
    CHECK_EQ(mmu1(l1 + 300 * 8, 0, DOMID_XEN), -XEN_EPERM);
    CHECK_EQ(mmu1(l1 + 300 * 8, 0, 5), -XEN_ESRCH);
    CHECK_EQ(do_mmu_update(v0, (uint64_t)req, 1, 0, 3U << 16 | DOMID_SELF,
                           0), -XEN_ESRCH);
    CHECK_EQ(mmu1(l1 + 300 * 8, 0, 2U << 16 | DOMID_SELF), 0);
    CHECK_EQ(do_mmu_update(v0, 0, 0, 0, DOMID_IO, 0), 0);
    /* Counts and pointers. */
    CHECK_EQ(do_mmu_update(v0, (uint64_t)req, MM_MAX_BATCH + 1, 0,
                           DOMID_SELF, 0), -XEN_EINVAL);
    CHECK_EQ(do_mmu_update(v0, (uint64_t)req, 0x80000001u, 0, DOMID_SELF, 0),
             -XEN_EINVAL);
    CHECK_EQ(do_mmu_update(v0, 0xffff800000001000ULL, 1, 0, DOMID_SELF, 0),
             -XEN_EFAULT);
    done = 5;
    CHECK_EQ(do_mmu_update(v0, 0x1000, 1, (uint64_t)&done, DOMID_SELF, 0),
             -XEN_EFAULT);
    CHECK_EQ(done, 0);
    CHECK_EQ(do_mmu_update(v0, (uint64_t)req, 0, (uint64_t)&done,
                           DOMID_SELF, 0), 0);
    CHECK_EQ(do_mmu_update(v0, (uint64_t)req, 1, 0x2000, DOMID_SELF, 0), 0);
}

/* update_va_mapping and its flush flags. */
static void test_update_va_mapping(void)
{
    uint64_t va = GVA(200), mask;
    unsigned f;

    world();
    CHECK_EQ(do_update_va_mapping(v0, va, si_mfn << 12 | PRW, UVMF_INVLPG,
                                  0, 0), 0);
    CHECK_EQ(T(3)[200] & PTE_ADDR_MASK, si_mfn << 12);
    CHECK_EQ(invlpgs, 1);
    CHECK_EQ(last_invlpg, va);
    CHECK_EQ(PG(200)->type_count, 0);       /* old RW mapping gone */
    f = flushes;
    CHECK_EQ(do_update_va_mapping(v0, va, E(200, PRW), UVMF_TLB_FLUSH, 0,
                                  0), 0);
    CHECK_EQ(flushes, f + 1);
    CHECK_EQ(do_update_va_mapping(v0, va, E(200, PRW),
                                  UVMF_TLB_FLUSH | UVMF_ALL, 0, 0), 0);
    CHECK_EQ(flushes, f + 2);
    mask = 1;
    CHECK_EQ(do_update_va_mapping(v0, va, E(200, PRW),
                                  UVMF_TLB_FLUSH | (uint64_t)&mask, 0, 0), 0);
    CHECK_EQ(flushes, f + 3);
    mask = 2;                               /* no such vCPU */
    CHECK_EQ(do_update_va_mapping(v0, va, E(200, PRW),
                                  UVMF_INVLPG | (uint64_t)&mask, 0, 0), 0);
    CHECK_EQ(invlpgs, 1);
    /* A bad bitmap: the entry changed, the result is -EFAULT (Xen). */
    CHECK_EQ(do_update_va_mapping(v0, va, E(201, PTE_P),
                                  UVMF_INVLPG | 0x1000, 0, 0), -XEN_EFAULT);
    CHECK_EQ(T(3)[200] & PTE_ADDR_MASK, M(201) << 12);
    CHECK_EQ(do_update_va_mapping(v0, va, 0, UVMF_NONE, 0, 0), 0);
    /* Refused. */
    CHECK_EQ(do_update_va_mapping(v0, va, E(0, PRW), 0, 0, 0), -XEN_EBUSY);
    CHECK_EQ(do_update_va_mapping(v0, 0xffff800000000000ULL, 0, 0, 0, 0),
             -XEN_EINVAL);
    CHECK_EQ(do_update_va_mapping(v0, 0xffff870000000000ULL, 0, 0, 0, 0),
             -XEN_EINVAL);
    CHECK_EQ(do_update_va_mapping(v0, 0x0000900000000000ULL, 0, 0, 0, 0),
             -XEN_EINVAL);                  /* non-canonical */
    CHECK_EQ(do_update_va_mapping(v0, 0x1000, 0, 0, 0, 0), -XEN_EINVAL);
    CHECK_EQ(do_update_va_mapping(v0, VIRT_BASE + (2ULL << 21), 0, 0, 0, 0),
             -XEN_EINVAL);                  /* no L1 there */
    /* otherdomain: only DOMID_SELF, as Xen. */
    CHECK_EQ(do_update_va_mapping_otherdomain(v0, va, E(200, PRW), 0,
                                              DOMID_SELF, 0), 0);
    CHECK_EQ(do_update_va_mapping_otherdomain(v0, va, 0, 0, 1, 0),
             -XEN_ESRCH);
    CHECK_EQ(do_update_va_mapping_otherdomain(v0, va, 0, 0, DOMID_IO, 0),
             -XEN_EPERM);
    CHECK_EQ(do_update_va_mapping_otherdomain(v0, va, 0, 0, 7, 0),
             -XEN_ESRCH);
    CHECK(T(3)[200] & PTE_P);
}

/* Linux's switch away from the bootstrap tables: pin the new L4, unpin
 * the old, NEW_BASEPTR; the old L4/L3 become ordinary memory again. */
static void test_baseptr_switch(void)
{
    uint64_t old_cr3 = v0->kernel_cr3;

    world();
    T(300)[511] = E(301, PRW);              /* new L4 -> new L3 */
    T(301)[510] = E(2, PRW);                /* -> the bootstrap L2 */
    CHECK_EQ(ext(MMUEXT_PIN_L4_TABLE, M(300), 0), 0);
    CHECK_EQ(ext(MMUEXT_UNPIN_TABLE, M(0), 0), 0);
    CHECK_EQ(PG(0)->type_count, 1);         /* still our cr3 */
    CHECK_EQ(ext(MMUEXT_NEW_BASEPTR, M(300), 0), 0);
    CHECK_EQ(v0->kernel_cr3, M(300) << 12);
    CHECK_EQ(v0->cr3, M(300) << 12);
    CHECK_EQ(last_cr3, M(300) << 12);
    CHECK_EQ(PG(0)->type_count, 0);
    CHECK_EQ(PG(1)->type_count, 0);
    CHECK_EQ(PG(2)->type_count, 1);
    CHECK_EQ(PG(300)->type_count, 2);
    /* The old L4 and L3 may now be mapped RW (Linux frees them). */
    CHECK_EQ(do_update_va_mapping(v0, GVA(0), E(0, PRW), UVMF_INVLPG, 0,
                                  0), 0);
    CHECK_EQ(do_update_va_mapping(v0, GVA(1), E(1, PRW), UVMF_INVLPG, 0,
                                  0), 0);
    CHECK_EQ(ext(MMUEXT_NEW_BASEPTR, M(0), 0), -XEN_EINVAL);  /* RW now */
    CHECK_EQ(ext(MMUEXT_NEW_BASEPTR, M(5), 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_NEW_BASEPTR, shim_mfn, 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_NEW_BASEPTR, NR_FRAMES, 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_NEW_BASEPTR, M(3), 0), -XEN_EINVAL);  /* an L1 */
    CHECK_EQ(v0->kernel_cr3, M(300) << 12);
    /* Same base again: reload only. */
    cr3_loads = 0;
    CHECK_EQ(ext(MMUEXT_NEW_BASEPTR, M(300), 0), 0);
    CHECK_EQ(cr3_loads, 1);
    CHECK_EQ(PG(300)->type_count, 2);
    /* User base pointer: 0 allowed, references follow. */
    CHECK_EQ(ext(MMUEXT_NEW_USER_BASEPTR, 0, 0), 0);
    CHECK_EQ(ext(MMUEXT_NEW_USER_BASEPTR, M(300), 0), 0);
    CHECK_EQ(v0->user_cr3, M(300) << 12);
    CHECK_EQ(PG(300)->type_count, 3);
    CHECK_EQ(v0->cr3, M(300) << 12);
    CHECK_EQ(ext(MMUEXT_NEW_USER_BASEPTR, M(5), 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_NEW_USER_BASEPTR, 0, 0), 0);
    CHECK_EQ(v0->user_cr3, 0);
    CHECK_EQ(PG(300)->type_count, 2);
    (void)old_cr3;
}

/* The remaining mmuext commands and their refusals. */
static void test_mmuext_misc(void)
{
    struct mmuext_op ops[3];
    uint64_t mask = 1;
    uint32_t done;
    unsigned f;
    long rc;

    world();
    f = flushes;
    CHECK_EQ(ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    CHECK_EQ(ext(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0);
    CHECK_EQ(ext(MMUEXT_TLB_FLUSH_MULTI, 0, (uint64_t)&mask), 0);
    CHECK_EQ(flushes, f + 3);
    CHECK_EQ(ext(MMUEXT_TLB_FLUSH_MULTI, 0, 0x1000), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_INVLPG_LOCAL, 0x5000, 0), 0);
    CHECK_EQ(ext(MMUEXT_INVLPG_LOCAL, 0x0000900000000000ULL, 0), 0);
    CHECK_EQ(invlpgs, 1);                   /* non-canonical skipped */
    CHECK_EQ(ext(MMUEXT_INVLPG_ALL, 0xffff800000000000ULL, 0), 0);
    CHECK_EQ(invlpgs, 1);                   /* hole skipped */
    CHECK_EQ(ext(MMUEXT_INVLPG_MULTI, 0x6000, (uint64_t)&mask), 0);
    CHECK_EQ(invlpgs, 2);
    CHECK_EQ(last_invlpg, 0x6000);
    CHECK_EQ(ext(MMUEXT_INVLPG_MULTI, 0x6000, 0x10), -XEN_EINVAL);
    /* SET_LDT. */
    CHECK_EQ(ext(MMUEXT_SET_LDT, 0x10000, 8193), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_SET_LDT, 0x10008, 16), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_SET_LDT, 0xffff800000000000ULL, 16), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_SET_LDT, 0x0000900000000000ULL, 16), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_SET_LDT, 0xffff880000000000ULL, 8192), 0);
    CHECK_EQ(v0->ldt_base, 0xffff880000000000ULL);
    CHECK_EQ(v0->ldt_ents, 8192);
    CHECK_EQ(ext(MMUEXT_SET_LDT, 0x10008, 0), 0);
    CHECK_EQ(v0->ldt_base, 0);
    CHECK_EQ(v0->ldt_ents, 0);
    /* CLEAR_PAGE / COPY_PAGE. */
    T(400)[0] = 42;
    CHECK_EQ(ext(MMUEXT_COPY_PAGE, M(401), M(400)), 0);
    CHECK_EQ(T(401)[0], 42);
    CHECK_EQ(ext(MMUEXT_CLEAR_PAGE, M(400), 0), 0);
    CHECK_EQ(T(400)[0], 0);
    CHECK_EQ(ext(MMUEXT_COPY_PAGE, M(3), M(401)), -XEN_EINVAL); /* to PT */
    CHECK_EQ(ext(MMUEXT_COPY_PAGE, M(401), M(3)), 0);   /* from a PT */
    CHECK_EQ(ext(MMUEXT_COPY_PAGE, M(401), shim_mfn), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_COPY_PAGE, shim_mfn, M(401)), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_CLEAR_PAGE, M(0), 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_CLEAR_PAGE, shim_mfn, 0), -XEN_EINVAL);
    CHECK_EQ(ext(MMUEXT_CLEAR_PAGE, NR_FRAMES * 2, 0), -XEN_EINVAL);
    CHECK_EQ(T(0)[511], E(1, PRWU));
    CHECK_EQ(PG(401)->type_count, 0);
    /* Unsupported and unknown. */
    CHECK_EQ(ext(MMUEXT_FLUSH_CACHE, 0, 0), -XEN_EACCES);
    CHECK_EQ(ext(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -XEN_EACCES);
    CHECK_EQ(ext(MMUEXT_MARK_SUPER, M(5), 0), -XEN_EOPNOTSUPP);
    CHECK_EQ(ext(MMUEXT_UNMARK_SUPER, M(5), 0), -XEN_EOPNOTSUPP);
    CHECK_EQ(ext(14, 0, 0), -XEN_ENOSYS);
    CHECK_EQ(ext(99, 0, 0), -XEN_ENOSYS);
    /* Batch: stops at the bad one; foreign domains; sizes; pointers. */
    memset(ops, 0, sizeof(ops));
    ops[0].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    ops[1].cmd = MMUEXT_UNPIN_TABLE;
    ops[1].arg1.mfn = M(5);
    ops[2].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    rc = do_mmuext_op(v0, (uint64_t)ops, 3, (uint64_t)&done, DOMID_SELF, 0);
    CHECK_EQ(rc, -XEN_EINVAL);
    CHECK_EQ(done, 1);
    CHECK_EQ(do_mmuext_op(v0, (uint64_t)ops, 1, 0, 1, 0), -XEN_ESRCH);
    CHECK_EQ(do_mmuext_op(v0, (uint64_t)ops, 1, 0, DOMID_IO, 0),
             -XEN_EPERM);
    CHECK_EQ(do_mmuext_op(v0, (uint64_t)ops, 1, 0, 9, 0), -XEN_ESRCH);
    CHECK_EQ(do_mmuext_op(v0, (uint64_t)ops, MM_MAX_BATCH + 1, 0,
                          DOMID_SELF, 0), -XEN_EINVAL);
    CHECK_EQ(do_mmuext_op(v0, 0xffff800000000000ULL, 1, 0, DOMID_SELF, 0),
             -XEN_EFAULT);
    CHECK_EQ(do_mmuext_op(v0, 0x3000, 1, (uint64_t)&done, DOMID_SELF, 0),
             -XEN_EFAULT);
    CHECK_EQ(done, 0);
}

/* ---- ptwr ---- */

struct ptwr_case {
    const char *what;
    uint8_t insn[16];
    unsigned len;
};

static struct cpu_regs regs_for(const uint8_t *insn, uint64_t cr2)
{
    struct cpu_regs r;

    memset(&r, 0, sizeof(r));
    r.rip = (uint64_t)insn;
    r.cs = FLAT_KERNEL_CS64;
    r.rflags = 0x202;
    r.error_code = 7;                       /* present, write, user */
    r.rdi = cr2;
    return r;
}

/* Direct stores into the bootstrap L1 (mapped RO at GVA(3)). */
static void test_ptwr_stores(void)
{
    static const uint8_t mov[16] = { 0x48, 0x89, 0x07 };
    static const uint8_t movi0[16] = { 0x48, 0xc7, 0x07, 0, 0, 0, 0 };
    static const uint8_t xchg[16] = { 0x48, 0x87, 0x07 };
    static const uint8_t cmpx[16] = { 0xf0, 0x48, 0x0f, 0xb1, 0x37 };
    static const uint8_t andb[16] = { 0xf0, 0x80, 0x27, 0xfd };
    static const uint8_t btr[16] = { 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05 };
    static const uint8_t orq[16] = { 0xf0, 0x48, 0x83, 0x0f, 0x20 };
    static const uint8_t mov32[16] = { 0x89, 0x07 };
    static const uint8_t disp8[16] = { 0x48, 0x89, 0x47, 0x08 };
    static const uint8_t sib[16] = { 0x48, 0x89, 0x04, 0xcf };
    static const uint8_t dsseg[16] = { 0x3e, 0x48, 0x89, 0x07 };
    uint64_t cr2 = GVA(3) + 300 * 8;
    struct cpu_regs r;

    world();
    /* mov %rax,(%rdi) */
    r = regs_for(mov, cr2);
    r.rax = E(300, PRW);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK_EQ(r.rip, (uint64_t)mov + 3);
    CHECK_EQ(T(3)[300], E(300, PRW | PTE_US) | MM_PTE_GUEST_KERNEL);
    CHECK_EQ(PG(300)->type_count, 1);
    /* xchg %rax,(%rdi) */
    r = regs_for(xchg, cr2);
    r.rax = E(301, PTE_P | PTE_US);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK_EQ(r.rax, E(300, PRW | PTE_US) | MM_PTE_GUEST_KERNEL);
    CHECK_EQ(PG(300)->type_count, 0);
    CHECK_EQ(T(3)[300], E(301, PTE_P | PTE_US | PTE_G));
    /* lock cmpxchg %rsi,(%rdi): success, then failure. */
    r = regs_for(cmpx, cr2);
    r.rax = T(3)[300];
    r.rsi = E(302, PRW);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK(r.rflags & BIT(6));               /* ZF */
    CHECK_EQ(T(3)[300] & PTE_ADDR_MASK, M(302) << 12);
    r = regs_for(cmpx, cr2);
    r.rax = 0x1234;
    r.rsi = E(303, PRW);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK(!(r.rflags & BIT(6)));
    CHECK_EQ(r.rax, T(3)[300]);
    CHECK_EQ(T(3)[300] & PTE_ADDR_MASK, M(302) << 12);
    CHECK_EQ(PG(303)->type_count, 0);
    /* lock andb $0xfd,(%rdi): clear_bit(_PAGE_BIT_RW). */
    CHECK_EQ(PG(302)->type_count, 1);
    r = regs_for(andb, cr2);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK(!(T(3)[300] & PTE_RW));
    CHECK_EQ(PG(302)->type_count, 0);
    CHECK_EQ(r.rip, (uint64_t)andb + 4);
    /* lock orq $0x20,(%rdi); lock btr $5,(%rdi): A set, then cleared. */
    r = regs_for(orq, cr2);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK(T(3)[300] & PTE_A);
    r = regs_for(btr, cr2);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK(!(T(3)[300] & PTE_A));
    CHECK(r.rflags & 1);                    /* CF = old A */
    /* movq $0,(%rdi): pte_clear. */
    r = regs_for(movi0, cr2);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK_EQ(T(3)[300], 0);
    CHECK_EQ(r.rip, (uint64_t)movi0 + 7);
    /* mov %eax,(%rdi): the low half merged into the entry. */
    T(3)[300] = 0;
    r = regs_for(mov32, cr2);
    r.rax = 0xffffffff00000000ULL | (uint32_t)E(304, PTE_P);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK_EQ(T(3)[300] & PTE_ADDR_MASK, M(304) << 12);
    /* Addressing modes: disp8, SIB, a DS override. */
    r = regs_for(disp8, cr2);
    r.rdi = cr2 - 8;
    r.rax = 0;
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK_EQ(T(3)[300], 0);
    r = regs_for(sib, cr2);
    r.rdi = cr2 - 16;
    r.rcx = 2;
    r.rax = E(305, PTE_P);
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK_EQ(T(3)[300] & PTE_ADDR_MASK, M(305) << 12);
    r = regs_for(dsseg, cr2);
    r.rax = 0;
    CHECK(ptwr_do_page_fault(v0, &r, cr2));
    CHECK_EQ(T(3)[300], 0);
    /* An L2 write through ptwr: validated, flushed. */
    {
        uint64_t l2va = GVA(2) + 7 * 8;
        unsigned f = flushes;

        r = regs_for(mov, l2va);
        r.rax = E(310, PRW);
        CHECK(ptwr_do_page_fault(v0, &r, l2va));
        CHECK(PG(310)->type == PGT_l1_page_table);
        CHECK(flushes > f);
    }
}

/* Faults ptwr must leave alone (the guest gets its #PF). */
static void test_ptwr_refused(void)
{
    static const uint8_t mov[16] = { 0x48, 0x89, 0x07 };
    static const uint8_t add[16] = { 0x48, 0x01, 0x07 };
    static const uint8_t regdirect[16] = { 0x48, 0x89, 0xc0 };
    static const uint8_t fsmov[16] = { 0x64, 0x48, 0x89, 0x07 };
    static const uint8_t a32[16] = { 0x67, 0x48, 0x89, 0x07 };
    static const uint8_t rep[16] = { 0xf3, 0x48, 0xab };
    static const uint8_t movc7r[16] = { 0x48, 0xc7, 0x0f, 0, 0, 0, 0 };
    static const uint8_t trunc[] = { 0x48, 0xc7, 0x07, 0 };
    uint64_t cr2 = GVA(3) + 300 * 8;
    const uint8_t *bad[] = { add, regdirect, fsmov, a32, rep, movc7r };
    struct cpu_regs r, r0;
    struct snap s;
    unsigned i;

    world();
    take(&s);
    /* A store the validators refuse: RW mapping of a page table. */
    r = regs_for(mov, cr2);
    r.rax = E(0, PRW);
    r0 = r;
    CHECK(!ptwr_do_page_fault(v0, &r, cr2));
    CHECK(!memcmp(&r, &r0, sizeof(r)));
    CHECK_EQ(T(3)[300], 0);
    /* Unsupported instructions and forms. */
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = regs_for(bad[i], cr2);
        r.rax = E(300, PTE_P);
        CHECK(!ptwr_do_page_fault(v0, &r, cr2));
    }
    /* Truncated instruction: its last bytes lie on a page that faults. */
    {
        uint8_t *p = aligned_alloc(4096, 8192);

        memcpy(p + 4096 - sizeof(trunc), trunc, sizeof(trunc));
        fault_page = (uint64_t)p + 4096;
        r = regs_for(p + 4096 - sizeof(trunc), cr2);
        CHECK(!ptwr_do_page_fault(v0, &r, cr2));
        fault_page = 0;
        free(p);
    }
    /* Misaligned and out-of-page operands. */
    r = regs_for(mov, cr2 + 4);
    CHECK(!ptwr_do_page_fault(v0, &r, cr2 + 4));
    r = regs_for(mov, cr2);
    r.rdi = cr2 + 4096;
    CHECK(!ptwr_do_page_fault(v0, &r, cr2));
    /* Error codes: read, not present, reserved bit, instruction fetch. */
    for (i = 0; i < 4; i++) {
        static const uint32_t ec[] = { 5, 6, 0xf, 0x17 };

        r = regs_for(mov, cr2);
        r.error_code = ec[i];
        CHECK(!ptwr_do_page_fault(v0, &r, cr2));
    }
    /* Guest user mode; a non-kernel code segment. */
    v0->in_kernel = false;
    r = regs_for(mov, cr2);
    CHECK(!ptwr_do_page_fault(v0, &r, cr2));
    v0->in_kernel = true;
    r = regs_for(mov, cr2);
    r.cs = FLAT_USER_CS32;
    CHECK(!ptwr_do_page_fault(v0, &r, cr2));
    /* A read-only data page (not a table); an RW mapping; unmapped. */
    CHECK_EQ(set_entry(3, 250, E(250, PTE_P)), 0);
    r = regs_for(mov, GVA(250));
    CHECK(!ptwr_do_page_fault(v0, &r, GVA(250)));
    r = regs_for(mov, GVA(20));
    CHECK(!ptwr_do_page_fault(v0, &r, GVA(20)));
    r = regs_for(mov, GVA(260));
    CHECK(!ptwr_do_page_fault(v0, &r, GVA(260)));
    r = regs_for(mov, 0xffff800000000000ULL);
    CHECK(!ptwr_do_page_fault(v0, &r, 0xffff800000000000ULL));
    /* The hole slots of an L4 through ptwr. */
    r = regs_for(mov, GVA(0) + 256 * 8);
    r.rax = 0;
    CHECK(!ptwr_do_page_fault(v0, &r, GVA(0) + 256 * 8));
    CHECK_EQ(T(0)[256], shim_l4[256]);
    /* Instruction bytes that cannot be fetched. */
    r = regs_for(mov, cr2);
    r.rip = 0x1000;
    CHECK(!ptwr_do_page_fault(v0, &r, cr2));
    CHECK_EQ(set_entry(3, 250, E(250, PRW)), 0);
    CHECK(same(&s));
}

int main(void)
{
    RUN_TEST(test_frame_table_init);
    RUN_TEST(test_adopt);
    RUN_TEST(test_adopt_refused);
    RUN_TEST(test_l1_rules);
    RUN_TEST(test_writable_refcount);
    RUN_TEST(test_upper_rules);
    RUN_TEST(test_nested_failure_unwinds);
    RUN_TEST(test_loops_refused);
    RUN_TEST(test_type_state_machine);
    RUN_TEST(test_tree_refcounts);
    RUN_TEST(test_mmu_update);
    RUN_TEST(test_update_va_mapping);
    RUN_TEST(test_baseptr_switch);
    RUN_TEST(test_mmuext_misc);
    RUN_TEST(test_ptwr_stores);
    RUN_TEST(test_ptwr_refused);
    return th_finish();
}
