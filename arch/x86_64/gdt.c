/*
 * Per-vCPU GDT windows (include/xhv/pv_arch.h). Until the first guest
 * entry the boot CPU runs on the static boot GDT (cpu_tables.c); the other
 * CPUs start on their window. A window re-uses its CPU's reserved page, so
 * the descriptors (and the busy TSS) stay the same and TR need not be
 * reloaded. Windows are written only before their CPU runs them, or by
 * that CPU itself (set_gdt), so the local invlpg of map_pages suffices.
 */
#include <xhv/desc.h>
#include <xhv/domain.h>
#include <xhv/frame_alloc.h>
#include <xhv/layout.h>
#include <xhv/paging.h>
#include <xhv/percpu.h>
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

/* vCPU i runs on CPU i: the window of id i serves both. */
uint64_t gdt_window_va(unsigned int id)
{
    return XHV_PERDOMAIN_VIRT_START +
           (uint64_t)id * GDT_WINDOW_PAGES * PAGE_SIZE;
}

static uint64_t window(const struct vcpu *v)
{
    return gdt_window_va(v->vcpu_id);
}

static void load_gdtr(const struct vcpu *v)
{
    struct desc_ptr gdtr = {
        .limit = XHV_NR_GDT_ENTRIES * 8 - 1,
        .base = window(v),
    };

    __asm__ volatile("lgdt %0" :: "m"(gdtr) : "memory");
}

/* Map window `id`: zero pages for the guest part, then the reserved page. */
int gdt_window_init(unsigned int id, uint64_t reserved_pa)
{
    uint64_t w = gdt_window_va(id);
    unsigned int i;

    if (!zero_mfn) {
        uint64_t mfn = frame_alloc(&frame_pool, 1, 1);

        if (mfn == FRAME_NONE)
            return -1;
        memset(phys_to_virt(mfn << PAGE_SHIFT), 0, PAGE_SIZE);
        zero_mfn = mfn;
    }
    for (i = 0; i < GUEST_GDT_PAGES; i++)
        if (map_pages(w + i * PAGE_SIZE, zero_mfn << PAGE_SHIFT, PAGE_SIZE,
                      pte_nx))
            return -1;
    return map_pages(w + GUEST_GDT_PAGES * PAGE_SIZE, reserved_pa, PAGE_SIZE,
                     PTE_RW | pte_nx);
}

int arch_pv_gdt_init(struct vcpu *v)
{
    if (gdt_window_init(v->vcpu_id, virt_to_phys(cpu_gdt_reserved_page())))
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
    /* Another vCPU's window (VCPUOP_initialise) is loaded when it starts. */
    if (v == this_cpu()->vcpu)
        load_gdtr(v);
}
