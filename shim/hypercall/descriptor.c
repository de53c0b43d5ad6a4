/*
 * HYPERVISOR_set_gdt and HYPERVISOR_update_descriptor (public xen.h), with
 * Xen's rules (xen/arch/x86/pv/descriptor-tables.c):
 *
 *  set_gdt(frames, entries): at most FIRST_RESERVED_GDT_ENTRY entries
 *  (-EINVAL above); every frame must be the guest's and take the
 *  segment-descriptor type, which validates all 512 descriptors in it
 *  (include/xhv/descriptor.h) and keeps it from being mapped writable.
 *  All frames are typed before the old ones are released; on failure the
 *  old GDT stays.
 *
 *  update_descriptor(maddr, desc): maddr is the machine address of one
 *  8-byte-aligned descriptor in a frame the guest owns; the descriptor is
 *  checked; the frame is either in use as a descriptor page (GDT/LDT) or
 *  must be typeable writable (it cannot be a page table).
 */
#include <xhv/descriptor.h>
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/mm.h>
#include <xhv/pv_arch.h>
#include <xhv/string.h>

#define DESCS_PER_PAGE (PAGE_SIZE / 8)

/*
 * The page-type validator of a descriptor page. As Xen's check_descriptor,
 * a code/data descriptor with DPL < 3 is accepted and rewritten with DPL 3
 * in the page (Linux's own GDT has DPL-0 kernel descriptors it never loads
 * under Xen). Any refused descriptor fails the whole page before anything
 * is written.
 */
static int check_desc_page(const uint64_t *descs)
{
    uint64_t *page = (uint64_t *)descs;     /* the frame under validation */
    unsigned int i;
    uint64_t fixed;

    for (i = 0; i < DESCS_PER_PAGE; i++)
        if (!pv_check_descriptor(descs[i], &fixed))
            return -XEN_EINVAL;
    for (i = 0; i < DESCS_PER_PAGE; i++) {
        pv_check_descriptor(page[i], &fixed);
        page[i] = fixed;
    }
    return 0;
}

void pv_descriptors_init(void)
{
    mm_set_segdesc_check(check_desc_page);
}

long do_set_gdt(struct vcpu *v, uint64_t frame_list, uint64_t entries,
                uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = v->domain;
    xen_ulong_t frames[FIRST_RESERVED_GDT_PAGE];
    uint64_t mfns[FIRST_RESERVED_GDT_PAGE];
    unsigned int nr, i;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    nr = (unsigned int)((entries + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE);
    if (nr && copy_from_guest(frames, frame_list, nr * sizeof(frames[0])))
        return -XEN_EFAULT;
    /* Invariant: frames [0, i) hold a descriptor-page type reference. */
    for (i = 0; i < nr; i++) {
        struct page_info *pg = mfn_to_page(frames[i]);

        if (!pg || get_page_and_type(pg, d, PGT_seg_desc_page)) {
            while (i--)
                put_page_and_type(mfn_to_page(mfns[i]));
            return -XEN_EINVAL;
        }
        mfns[i] = frames[i];
    }
    for (i = 0; i < v->gdt_ents / DESCS_PER_PAGE +
                    (v->gdt_ents % DESCS_PER_PAGE ? 1 : 0); i++)
        put_page_and_type(mfn_to_page(v->gdt_frames[i]));
    memcpy(v->gdt_frames, mfns, nr * sizeof(mfns[0]));
    v->gdt_ents = (unsigned int)entries;
    arch_pv_gdt_load(v, v->gdt_frames, nr);
    return 0;
}

long do_update_descriptor(struct vcpu *v, uint64_t maddr, uint64_t desc,
                          uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = v->domain;
    struct page_info *pg;
    uint64_t fixed, *slot;
    int rc;

    if (maddr & 7)
        return -XEN_EINVAL;
    if (!pv_check_descriptor(desc, &fixed))
        return -XEN_EINVAL;
    pg = get_page_from_mfn(maddr >> PAGE_SHIFT, d);
    if (!pg)
        return -XEN_EINVAL;
    /* In use as a descriptor page, or else an ordinary writable page. */
    rc = get_page_type(pg, pg->type == PGT_seg_desc_page && pg->type_count ?
                           PGT_seg_desc_page : PGT_writable_page);
    if (rc) {
        put_page(pg);
        return -XEN_EINVAL;
    }
    slot = (uint64_t *)((uint8_t *)mm_arch_frame_va(maddr >> PAGE_SHIFT) +
                        (maddr & (PAGE_SIZE - 1)));
    *slot = fixed;
    put_page_and_type(pg);
    return 0;
}
