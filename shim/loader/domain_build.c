/*
 * The PV domain builder (include/xhv/domain_build.h): Xen's 64-bit PV
 * start of day (public xen.h "Start-of-day memory layout"; Xen's
 * xen/arch/x86/pv/dom0_build.c for dom0 and tools/libs/guest/xg_dom_x86.c
 * for a domU, which is what the guest is here).
 *
 *  1. Unpack the kernel (bzImage xz/gzip payload, or a plain ELF) into a
 *     temporary contiguous run of shim frames; read its Xen ELF notes.
 *  2. Take the guest's memory, fill the p2m (pfn -> mfn) and the M2P.
 *  3. Lay out the bootstrap region (include/xhv/pv_layout.h): kernel,
 *     initrd, p2m list, start_info, xenstore and console rings, page
 *     tables, boot stack, padding; load the segments and the initrd.
 *  4. Write start_info, shared_info, the hypercall page (if the kernel
 *     asks for one) and the bootstrap page tables: every mapping
 *     user-accessible (the guest kernel runs in ring 3), page-table pages
 *     read-only, the hypervisor hole's L4 slots copied from the shim.
 *  5. vCPU 0: rip = ENTRY, rsp = end of the boot stack, rsi = start_info,
 *     flat ring-3 selectors, events masked.
 *
 * Validate first, then change state: every size and address from the
 * kernel image is checked before anything is written; on failure all
 * frames taken are returned.
 */
#include <xhv/cmdline.h>
#include <xhv/domain.h>
#include <xhv/domain_build.h>
#include <xhv/elf_xen.h>
#include <xhv/frame_alloc.h>
#include <xhv/hypercall.h>
#include <xhv/kernel_image.h>
#include <xhv/log.h>
#include <xhv/m2p.h>
#include <xhv/mm.h>
#include <xhv/grant.h>
#include <xhv/emulate.h>
#include <xhv/paging.h>
#include <xhv/pv_layout.h>
#include <xhv/string.h>
#include <xhv/time.h>
#include <xhv/vtimer.h>
#include <xhv/event.h>
#include <xhv/xen.h>
#include <xen/elfnote.h>

#define GUEST_PTE_FLAGS (PTE_P | PTE_RW | PTE_US | PTE_A)
#define GUEST_L1_FLAGS  (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define CHUNK_FRAMES    512         /* guest memory in 2 MiB runs if it can */
#define STORE_EVTCHN    1           /* reserved for the xenstore ring */
#define CONSOLE_EVTCHN  2           /* reserved for the console ring */

struct build {
    struct domain *d;
    struct frame_pool *fp;
    struct pv_layout l;
    struct xen_elf_info xi;
    const uint8_t *elf;
    size_t elf_len;
    uint64_t tmp_pfn, tmp_frames;   /* unpacked kernel, if unpacked */
    uint64_t p2m_pfn, p2m_frames;   /* the shim's p2m array */
    uint64_t nr_taken;              /* guest frames allocated so far */
};

static void *guest_page(const struct build *b, uint64_t pfn)
{
    return phys_to_virt(b->d->p2m[pfn] << PAGE_SHIFT);
}

/* Copy (src) or zero (src == NULL) n bytes at guest virtual va. */
static int bootstrap_write(struct build *b, uint64_t va, const void *src,
                           size_t n)
{
    const uint8_t *s = src;

    if (va < b->l.v_start || va > b->l.v_end || n > b->l.v_end - va)
        return -1;
    /* Invariant: [va, va + n) is inside the bootstrap region. */
    while (n) {
        uint64_t off = va - b->l.v_start;
        size_t chunk = MIN(n, (size_t)(PAGE_SIZE - (off & (PAGE_SIZE - 1))));
        uint8_t *dst = (uint8_t *)guest_page(b, off >> PAGE_SHIFT) +
                       (off & (PAGE_SIZE - 1));

        if (s) {
            memcpy(dst, s, chunk);
            s += chunk;
        } else {
            memset(dst, 0, chunk);
        }
        va += chunk;
        n -= chunk;
    }
    return 0;
}

static int copy_segment(uint64_t va, const void *src, size_t n,
                        size_t zero_tail, void *ctx)
{
    struct build *b = ctx;

    if (bootstrap_write(b, va, src, n))
        return -1;
    return bootstrap_write(b, va + n, NULL, zero_tail);
}

static uint64_t va_to_pfn(const struct build *b, uint64_t va)
{
    return (va - b->l.v_start) >> PAGE_SHIFT;
}

static void release(struct build *b)
{
    uint64_t i;

    if (b->tmp_frames)
        frame_free(b->fp, b->tmp_pfn, b->tmp_frames);
    b->tmp_frames = 0;
    for (i = 0; i < b->nr_taken; i++) {
        m2p_set(b->d->p2m[i], M2P_INVALID);
        frame_free(b->fp, b->d->p2m[i], 1);
    }
    b->nr_taken = 0;
    if (b->p2m_frames)
        frame_free(b->fp, b->p2m_pfn, b->p2m_frames);
    b->p2m_frames = 0;
    b->d->p2m = NULL;
    if (b->d->shared_info) {
        frame_free(b->fp, b->d->shared_info_mfn, 1);
        b->d->shared_info = NULL;
    }
}

/* 1. The kernel as an ELF image in memory, and its Xen notes. */
static int unpack_kernel(struct build *b, const struct guest_image *img)
{
    struct kernel_image ki;
    char why[160];
    size_t out_len;
    int rc;

    rc = kernel_image_probe(img->kernel, img->kernel_len, &ki);
    if (rc) {
        printk(XLOG_ERR "guest kernel: %s\n", kernel_image_strerror(rc));
        return -1;
    }
    if (ki.compression == KERNEL_COMP_NONE) {
        b->elf = ki.payload;
        b->elf_len = ki.payload_len;
    } else {
        b->tmp_frames = ALIGN_UP(ki.unpacked_size, (uint64_t)PAGE_SIZE) >>
                        PAGE_SHIFT;
        b->tmp_pfn = frame_alloc(b->fp, b->tmp_frames, 1);
        if (b->tmp_pfn == FRAME_NONE) {
            printk(XLOG_ERR "guest kernel: no room to unpack %llu MiB\n",
                   (unsigned long long)(ki.unpacked_size >> 20));
            b->tmp_frames = 0;
            return -1;
        }
        printk("Unpacking the guest kernel (%s, %llu KiB -> %llu KiB)\n",
               kernel_compression_name(ki.compression),
               (unsigned long long)(ki.payload_len >> 10),
               (unsigned long long)(ki.unpacked_size >> 10));
        rc = kernel_image_unpack(&ki, phys_to_virt(b->tmp_pfn << PAGE_SHIFT),
                                 b->tmp_frames << PAGE_SHIFT, &out_len);
        if (rc) {
            printk(XLOG_ERR "guest kernel: %s\n", kernel_image_strerror(rc));
            return -1;
        }
        b->elf = phys_to_virt(b->tmp_pfn << PAGE_SHIFT);
        b->elf_len = out_len;
    }
    rc = xen_elf_parse(b->elf, b->elf_len, &b->xi);
    if (rc) {
        printk(XLOG_ERR "guest kernel: %s\n", xen_elf_strerror(rc));
        return -1;
    }
    if (xen_elf_check_features(&b->xi, xhv_guest_features(), why,
                               sizeof(why))) {
        printk(XLOG_ERR "guest kernel: %s\n", why);
        return -1;
    }
    return 0;
}

/*
 * Zero what the guest must not read: with bootscrub (Xen's option), every
 * frame; by default the frames the shim used and gave back (its unpacked
 * kernels, tables, buffers), while frames never handed out hold what the
 * parent gave the VM, which QEMU and Hyper-V zero (docs/boot.md). Zeroing
 * hundreds of MiB is most of the shim's boot time under TCG.
 */
static void scrub(const struct frame_pool *fp, uint64_t mfn, uint64_t n)
{
    uint64_t i = 0;

    if (opts.bootscrub) {
        memset(phys_to_virt(mfn << PAGE_SHIFT), 0, n << PAGE_SHIFT);
        return;
    }
    /* Invariant: used frames in [mfn, mfn + i) are zeroed. */
    while (i < n) {
        uint64_t run = 0;

        while (i + run < n && frame_was_used(fp, mfn + i + run))
            run++;
        if (run)
            memset(phys_to_virt((mfn + i) << PAGE_SHIFT), 0,
                   run << PAGE_SHIFT);
        i += run + 1;
    }
}

/* 2. Guest memory: the p2m array, the frames, the M2P entries. */
static int take_memory(struct build *b, uint64_t nr_pages)
{
    struct domain *d = b->d;
    uint64_t pfn = 0;

    b->p2m_frames = ALIGN_UP(nr_pages * 8, (uint64_t)PAGE_SIZE) >> PAGE_SHIFT;
    b->p2m_pfn = frame_alloc(b->fp, b->p2m_frames, 1);
    if (b->p2m_pfn == FRAME_NONE) {
        b->p2m_frames = 0;
        return -1;
    }
    d->p2m = phys_to_virt(b->p2m_pfn << PAGE_SHIFT);

    /* Invariant: guest pfns [0, pfn) have frames, zeroed, in the M2P. */
    while (pfn < nr_pages) {
        uint64_t n = MIN((uint64_t)CHUNK_FRAMES, nr_pages - pfn), mfn, i;

        mfn = frame_alloc(b->fp, n, n == CHUNK_FRAMES ? CHUNK_FRAMES : 1);
        if (mfn == FRAME_NONE) {
            n = 1;
            mfn = frame_alloc(b->fp, 1, 1);
            if (mfn == FRAME_NONE)
                return -1;
        }
        scrub(b->fp, mfn, n);
        for (i = 0; i < n; i++, pfn++) {
            d->p2m[pfn] = mfn + i;
            m2p_set(mfn + i, pfn);
        }
        b->nr_taken = pfn;
    }
    d->nr_pages = d->max_pages = nr_pages;
    return 0;
}

/* 4a. The bootstrap page tables, in guest frames at vpt_start. */
static void build_page_tables(struct build *b)
{
    const struct pv_layout *l = &b->l;
    const uint64_t *shim_l4 = shim_l4_table();
    uint64_t pt0 = va_to_pfn(b, l->vpt_start);
    uint64_t *l4 = guest_page(b, pt0), *l3 = guest_page(b, pt0 + 1);
    uint64_t *l2 = guest_page(b, pt0 + 2);
    uint64_t va, base2 = ALIGN_DOWN(l->v_start, 1ULL << L2_SHIFT);
    unsigned int i;

    for (i = XHV_HOLE_FIRST_SLOT; i <= XHV_HOLE_LAST_SLOT; i++)
        l4[i] = shim_l4[i];
    l4[PT_INDEX(l->v_start, L4_SHIFT)] =
        (b->d->p2m[pt0 + 1] << PAGE_SHIFT) | GUEST_PTE_FLAGS;
    l3[PT_INDEX(l->v_start, L3_SHIFT)] =
        (b->d->p2m[pt0 + 2] << PAGE_SHIFT) | GUEST_PTE_FLAGS;
    for (i = 0; i < l->nr_l1; i++)
        l2[PT_INDEX(base2, L2_SHIFT) + i] =
            (b->d->p2m[pt0 + 3 + i] << PAGE_SHIFT) | GUEST_PTE_FLAGS;

    for (va = l->v_start; va < l->v_end; va += PAGE_SIZE) {
        uint64_t pfn = va_to_pfn(b, va);
        unsigned int l1_idx = (unsigned int)((va - base2) >> L2_SHIFT);
        uint64_t *l1 = guest_page(b, pt0 + 3 + l1_idx);
        uint64_t flags = GUEST_L1_FLAGS;

        /* Page-table pages are never writable through a mapping. */
        if (va >= l->vpt_start && va < l->vpt_end)
            flags &= ~PTE_RW;
        /*
         * Nothing runs from the initrd, p2m list, start_info, rings, page
         * tables, stack or padding: no-execute, so no W+X mapping is left
         * where Linux's cleanup of the bootstrap region does not reach.
         */
        if (va < l->vkern_start || va >= ALIGN_UP(l->vkern_end,
                                                   (uint64_t)PAGE_SIZE))
            flags |= pte_nx;
        l1[PT_INDEX(va, L1_SHIFT)] = (b->d->p2m[pfn] << PAGE_SHIFT) | flags;
    }
}

/* 4b. The 64-bit PV hypercall page: 128 stubs of 32 bytes. */
static void fill_hypercall_page(uint8_t *p)
{
    unsigned int i;

    memset(p, 0xcc, PAGE_SIZE);                 /* int3 between stubs */
    for (i = 0; i < PAGE_SIZE / 32; i++, p += 32) {
        if (i == __HYPERVISOR_iret) {
            /* push %rcx; push %r11; push %rax; mov $23,%eax; syscall */
            static const uint8_t iret[] = { 0x51, 0x41, 0x53, 0x50, 0xb8,
                                            __HYPERVISOR_iret, 0, 0, 0,
                                            0x0f, 0x05 };
            memcpy(p, iret, sizeof(iret));
            continue;
        }
        /* push %rcx; push %r11; mov $i,%eax; syscall; pop %r11;
         * pop %rcx; ret */
        p[0] = 0x51;
        p[1] = 0x41; p[2] = 0x53;
        p[3] = 0xb8; p[4] = (uint8_t)i; p[5] = 0; p[6] = 0; p[7] = 0;
        p[8] = 0x0f; p[9] = 0x05;
        p[10] = 0x41; p[11] = 0x5b;
        p[12] = 0x59;
        p[13] = 0xc3;
    }
}

/* 4c. start_info and shared_info. */
static int write_start_info(struct build *b, const struct guest_image *img)
{
    struct domain *d = b->d;
    const struct pv_layout *l = &b->l;
    start_info_t *si = guest_page(b, va_to_pfn(b, l->vstartinfo_start));
    uint64_t si_pfn;

    si_pfn = frame_alloc(b->fp, 1, 1);
    if (si_pfn == FRAME_NONE)
        return -1;
    d->shared_info_mfn = si_pfn;
    d->shared_info = phys_to_virt(si_pfn << PAGE_SHIFT);
    memset(d->shared_info, 0, PAGE_SIZE);
    d->shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    d->shared_info->arch.max_pfn = d->nr_pages;

    memset(si, 0, PAGE_SIZE);
    xhv_strlcpy(si->magic, "xen-3.0-x86_64", sizeof(si->magic));
    si->nr_pages = d->nr_pages;
    si->shared_info = si_pfn << PAGE_SHIFT;     /* a machine address */
    si->flags = 0;                              /* domU */
    d->store_pfn = va_to_pfn(b, l->vstore);
    d->console_pfn = va_to_pfn(b, l->vconsole);
    d->store_evtchn = STORE_EVTCHN;
    d->console_evtchn = CONSOLE_EVTCHN;
    si->store_mfn = d->p2m[d->store_pfn];
    si->store_evtchn = d->store_evtchn;
    si->console.domU.mfn = d->p2m[d->console_pfn];
    si->console.domU.evtchn = d->console_evtchn;
    si->pt_base = l->vpt_start;
    si->nr_pt_frames = l->nr_pt_frames;
    si->mfn_list = l->vphysmap_start;
    if (img->initrd_len) {
        si->mod_start = l->vinitrd_start;
        si->mod_len = img->initrd_len;
    }
    xhv_strlcpy((char *)si->cmd_line, img->cmdline ? img->cmdline : "",
                sizeof(si->cmd_line));
    d->start_info_va = l->vstartinfo_start;
    return 0;
}

/*
 * vCPUs 1..n-1: present but down and without a context until the guest
 * gives one (VCPUOP_initialise) and starts them (VCPUOP_up), as Xen does
 * for a PV domain's secondary vCPUs.
 */
static void init_secondary_vcpus(struct domain *d, unsigned int n)
{
    unsigned int i;

    for (i = 1; i < n; i++) {
        struct vcpu *v = &d->vcpus[i];

        memset(v, 0, sizeof(*v));
        v->domain = d;
        v->vcpu_id = i;
        v->vcpu_info = &d->shared_info->vcpu_info[i];
        v->vcpu_info->evtchn_upcall_mask = 1;
        vtimer_vcpu_init(v);
        v->runstate.state = RUNSTATE_offline;
        time_update_vcpu(v);
    }
}

static void init_vcpu0(struct build *b)
{
    struct domain *d = b->d;
    struct vcpu *v = &d->vcpus[0];
    uint64_t pt0 = va_to_pfn(b, b->l.vpt_start);

    memset(v, 0, sizeof(*v));
    v->domain = d;
    v->vcpu_id = 0;
    v->in_kernel = true;
    v->kernel_cr3 = d->p2m[pt0] << PAGE_SHIFT;
    v->cr3 = v->kernel_cr3;
    v->regs.rip = b->xi.entry;
    v->regs.rsp = b->l.vstack_end;
    v->regs.rsi = b->l.vstartinfo_start;
    v->regs.cs = FLAT_KERNEL_CS64;
    v->regs.ss = FLAT_KERNEL_SS64;
    v->regs.rflags = BIT(9) | BIT(1);       /* IF, reserved bit 1 */
    v->vcpu_info = &d->shared_info->vcpu_info[0];
    v->initialised = true;
    v->is_up = true;
    pv_emulate_vcpu_init(v);
    vtimer_vcpu_init(v);
    evtchn_domain_init(d);
    /* The start_info ports, before the guest can allocate any. */
    evtchn_reserve(d, d->store_evtchn);
    evtchn_reserve(d, d->console_evtchn);
    /* Linux reads the TSC rate from vcpu_info[0].time during setup_arch. */
    time_update_vcpu(v);
    time_update_wallclock(d);
}

int pv_domain_build(struct domain *d, const struct guest_image *img,
                    struct frame_pool *fp, unsigned int nr_vcpus)
{
    struct build b;
    uint64_t nr_pages, free_frames, reserve;
    int rc;

    memset(&b, 0, sizeof(b));
    b.d = d;
    b.fp = fp;
    d->domid = XHV_GUEST_DOMID;

    if (unpack_kernel(&b, img))
        goto fail;

    /* Memory: as asked, or all but a reserve for the shim. */
    free_frames = frame_pool_free_count(fp);
    reserve = MAX((16ULL << 20) >> PAGE_SHIFT, free_frames / 32);
    if (free_frames <= reserve) {
        printk(XLOG_ERR "guest: no memory left for a guest\n");
        goto fail;
    }
    nr_pages = img->mem_bytes ? img->mem_bytes >> PAGE_SHIFT
                              : free_frames - reserve;
    if (nr_pages > free_frames - reserve) {
        printk(XLOG_WARN "guest: %llu MiB asked, %llu MiB available\n",
               (unsigned long long)(nr_pages >> 8),
               (unsigned long long)((free_frames - reserve) >> 8));
        nr_pages = free_frames - reserve;
    }

    rc = pv_layout_compute(&b.l, b.xi.virt_base, b.xi.virt_kstart,
                           b.xi.virt_kend, img->initrd_len, nr_pages);
    if (rc) {
        printk(XLOG_ERR "guest: %s (%llu pages)\n", pv_layout_strerror(rc),
               (unsigned long long)nr_pages);
        goto fail;
    }
    if (b.xi.has_hypercall_page &&
        (b.xi.hypercall_page < b.l.vkern_start ||
         b.xi.hypercall_page >= b.l.vkern_end ||
         !IS_ALIGNED(b.xi.hypercall_page, (uint64_t)PAGE_SIZE))) {
        printk(XLOG_ERR "guest kernel: HYPERCALL_PAGE %#llx is not a page "
               "of the kernel image\n",
               (unsigned long long)b.xi.hypercall_page);
        goto fail;
    }

    if (take_memory(&b, nr_pages)) {
        printk(XLOG_ERR "guest: cannot allocate %llu pages\n",
               (unsigned long long)nr_pages);
        goto fail;
    }
    if (elf_load_segments(b.elf, b.elf_len, &b.xi, copy_segment, &b)) {
        printk(XLOG_ERR "guest kernel: a segment does not fit the layout\n");
        goto fail;
    }
    if (img->initrd_len &&
        bootstrap_write(&b, b.l.vinitrd_start, img->initrd, img->initrd_len))
        goto fail;
    if (bootstrap_write(&b, b.l.vphysmap_start, d->p2m, nr_pages * 8))
        goto fail;
    if (write_start_info(&b, img))
        goto fail;
    if (b.xi.has_hypercall_page) {
        fill_hypercall_page(guest_page(&b, va_to_pfn(&b,
                                                     b.xi.hypercall_page)));
        d->hypercall_page_va = b.xi.hypercall_page;
    }
    build_page_tables(&b);
    init_vcpu0(&b);
    init_secondary_vcpus(d, nr_vcpus);
    rc = mm_adopt_domain(d, d->vcpus[0].kernel_cr3 >> PAGE_SHIFT);
    if (rc) {
        printk(XLOG_ERR "guest: the bootstrap page tables do not validate "
               "(%d)\n", rc);
        goto fail;
    }
    rc = gnttab_domain_init(d, fp);
    if (rc) {
        printk(XLOG_ERR "guest: no memory for the grant table (%d)\n", rc);
        goto fail;
    }

    /* Last: other CPUs start looking at vCPUs once this is set. */
    __atomic_store_n(&d->nr_vcpus, nr_vcpus, __ATOMIC_SEQ_CST);

    /* The unpacked ELF is no longer needed. */
    frame_free(fp, b.tmp_pfn, b.tmp_frames);
    b.tmp_frames = 0;

    printk("Guest d%u: %u vCPU%s, %llu MiB, entry %#llx, start_info %#llx, "
           "page tables %#llx (%u frames), region %#llx-%#llx%s\n",
           d->domid, nr_vcpus, nr_vcpus == 1 ? "" : "s",
           (unsigned long long)(nr_pages >> 8),
           (unsigned long long)b.xi.entry,
           (unsigned long long)b.l.vstartinfo_start,
           (unsigned long long)b.l.vpt_start, b.l.nr_pt_frames,
           (unsigned long long)b.l.v_start, (unsigned long long)b.l.v_end,
           b.xi.has_hypercall_page ? ", hypercall page" : "");
    return 0;

fail:
    release(&b);
    return -1;
}
