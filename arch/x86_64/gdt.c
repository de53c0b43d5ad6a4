/*
 * Per-vCPU GDT windows (include/xhv/pv_arch.h). Until the first guest
 * entry the CPU runs on the static boot GDT (cpu_tables.c); the window
 * re-uses that GDT's reserved page, so the descriptors (and the busy TSS)
 * stay the same and TR need not be reloaded.
 */
#include <xhv/desc.h>
#include <xhv/domain.h>
#include <xhv/frame_alloc.h>
#include <xhv/layout.h>
#include <xhv/paging.h>
#include <xhv/pv_arch.h>
#include <xhv/setup.h>
#include <xhv/string.h>
#include <xhv/x86.h>

#define GDT_WINDOW_PAGES    16
#define GUEST_GDT_PAGES     FIRST_RESERVED_GDT_PAGE

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __packed;


static uint64_t zero_mfn;

static uint64_t window(const struct vcpu *v)
{
    return XHV_PERDOMAIN_VIRT_START +
           (uint64_t)v->vcpu_id * GDT_WINDOW_PAGES * PAGE_SIZE;
}

static void load_gdtr(const struct vcpu *v)
{
    struct desc_ptr gdtr = {
        .limit = XHV_NR_GDT_ENTRIES * 8 - 1,
        .base = window(v),
    };

    __asm__ volatile("lgdt %0" :: "m"(gdtr) : "memory");
}

int arch_pv_gdt_init(struct vcpu *v)
{
    uint64_t w = window(v);
    unsigned int i;

    if (!zero_mfn) {
        zero_mfn = frame_alloc(&frame_pool, 1, 1);
        if (zero_mfn == FRAME_NONE)
            return -1;
        memset(phys_to_virt(zero_mfn << PAGE_SHIFT), 0, PAGE_SIZE);
    }
    for (i = 0; i < GUEST_GDT_PAGES; i++)
        if (map_pages(w + i * PAGE_SIZE, zero_mfn << PAGE_SHIFT, PAGE_SIZE,
                      pte_nx))
            return -1;
    if (map_pages(w + GUEST_GDT_PAGES * PAGE_SIZE,
                  virt_to_phys(cpu_gdt_reserved_page()), PAGE_SIZE,
                  PTE_RW | pte_nx))
        return -1;
    load_gdtr(v);
    return 0;
}

void arch_pv_gdt_load(struct vcpu *v, const uint64_t *mfns, unsigned int nr)
{
    uint64_t w = window(v);
    unsigned int i;

    for (i = 0; i < GUEST_GDT_PAGES; i++) {
        uint64_t mfn = i < nr ? mfns[i] : zero_mfn;

        /* Shim-internal: the window's tables exist since gdt_init. */
        map_pages(w + i * PAGE_SIZE, mfn << PAGE_SHIFT, PAGE_SIZE,
                  (i < nr ? PTE_RW : 0) | pte_nx);
    }
    load_gdtr(v);
}
