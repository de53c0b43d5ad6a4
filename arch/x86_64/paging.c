/*
 * The shim's page tables.
 *
 * Boot (head.S) maps the first 4 GiB three times with 2 MiB pages: identity,
 * image slot and direct map. paging_init() replaces that with the final
 * layout: the direct map of RAM/ACPI/NVS (2 MiB pages where a whole aligned
 * 2 MiB is covered, 4 KiB at the edges so no device memory is mapped
 * cacheable), the image (text RX, rodata R, data RW+NX), nothing in the
 * lower half — which will belong to the guest.
 *
 * Page-table frames are taken below 4 GiB so they are reachable through the
 * boot direct map while the final one is being built.
 */
#include <xhv/boot_info.h>
#include <xhv/frame_alloc.h>
#include <xhv/log.h>
#include <xhv/paging.h>
#include <xhv/spinlock.h>
#include <xhv/panic.h>
#include <xhv/string.h>
#include <xhv/x86.h>

extern uint64_t boot_l4[];
extern char __image_end[], __text_end[], __rodata_end[];

uint64_t pte_nx;

static uint64_t *shim_l4 = boot_l4;
static struct frame_pool *pt_pool;
static uint64_t ioremap_next = XHV_IOREMAP_VIRT_START;

#define FOUR_GIB (4ULL << 30)

uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;

    if (v >= XHV_DIRECTMAP_VIRT_START && v < XHV_DIRECTMAP_VIRT_END)
        return v - XHV_DIRECTMAP_VIRT_START;
    if (v >= XHV_IMAGE_VIRT_START && v < (uint64_t)__image_end)
        return v - XHV_VIRT_OFFSET;
    panic("virt_to_phys(%p): not a direct-map or image address", va);
}

static uint64_t *alloc_table(void)
{
    uint64_t pfn = frame_alloc_below(pt_pool, 1, 1, FOUR_GIB >> PAGE_SHIFT);
    uint64_t *t;

    if (pfn == FRAME_NONE)
        return NULL;
    t = phys_to_virt(pfn << PAGE_SHIFT);
    memset(t, 0, PAGE_SIZE);
    return t;
}

/*
 * The table the entry points to, creating it if absent. A user mapping
 * needs PTE_US on every level above it too.
 */
static uint64_t *next_table(uint64_t *entry, uint64_t us)
{
    uint64_t *t;

    if (*entry & PTE_P) {
        BUG_ON(*entry & PTE_PS);  /* shim-internal layout conflict */
        *entry |= us;
        return phys_to_virt(*entry & PTE_ADDR_MASK);
    }
    t = alloc_table();
    if (!t)
        return NULL;
    *entry = virt_to_phys(t) | PTE_P | PTE_RW | us;
    return t;
}

static int map_in(uint64_t *l4, uint64_t va, uint64_t pa, uint64_t size,
                  uint64_t flags, bool allow_2m)
{
    uint64_t us = flags & PTE_US;

    flags = (flags | PTE_P) & ~PTE_ADDR_MASK;

    /* Invariant: [va, va+size) still to map; va, pa, size 4 KiB aligned. */
    while (size) {
        uint64_t *l3, *l2, *l1;

        l3 = next_table(&l4[PT_INDEX(va, L4_SHIFT)], us);
        if (!l3)
            return -1;
        l2 = next_table(&l3[PT_INDEX(va, L3_SHIFT)], us);
        if (!l2)
            return -1;
        if (allow_2m && IS_ALIGNED(va | pa, 1ULL << L2_SHIFT) &&
            size >= (1ULL << L2_SHIFT) &&
            !(l2[PT_INDEX(va, L2_SHIFT)] & PTE_P)) {
            l2[PT_INDEX(va, L2_SHIFT)] = pa | flags | PTE_PS;
            va += 1ULL << L2_SHIFT;
            pa += 1ULL << L2_SHIFT;
            size -= 1ULL << L2_SHIFT;
            continue;
        }
        l1 = next_table(&l2[PT_INDEX(va, L2_SHIFT)], us);
        if (!l1)
            return -1;
        l1[PT_INDEX(va, L1_SHIFT)] = pa | flags;
        invlpg((void *)va);
        va += PAGE_SIZE;
        pa += PAGE_SIZE;
        size -= PAGE_SIZE;
    }
    return 0;
}

/*
 * The shim's tables are shared by all CPUs: one lock serialises changes.
 * (invlpg is local: callers change only mappings no other CPU uses, e.g.
 * their own GDT window, or map before other CPUs look.)
 */
static spinlock_t paging_lock = SPINLOCK_INIT;

int map_pages(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
    int rc;

    spin_lock(&paging_lock);
    rc = map_in(shim_l4, va, pa, ALIGN_UP(size, PAGE_SIZE), flags, false);
    spin_unlock(&paging_lock);
    return rc;
}

const uint64_t *shim_l4_table(void)
{
    return shim_l4;
}

uint64_t lookup_pte(uint64_t va, unsigned int *level)
{
    uint64_t e = shim_l4[PT_INDEX(va, L4_SHIFT)];
    unsigned int shift;

    for (shift = L3_SHIFT; ; shift -= 9) {
        if (!(e & PTE_P))
            return 0;
        e = ((uint64_t *)phys_to_virt(e & PTE_ADDR_MASK))[PT_INDEX(va, shift)];
        if (!(e & PTE_P))
            return 0;
        if (shift == L1_SHIFT || (e & PTE_PS)) {
            if (level)
                *level = (shift - L1_SHIFT) / 9 + 1;
            return e;
        }
    }
}

void unmap_pages(uint64_t va, uint64_t size)
{
    uint64_t end = va + ALIGN_UP(size, PAGE_SIZE);

    for (; va < end; va += PAGE_SIZE) {
        uint64_t e = shim_l4[PT_INDEX(va, L4_SHIFT)], *t;

        if (!(e & PTE_P))
            continue;
        t = phys_to_virt(e & PTE_ADDR_MASK);
        e = t[PT_INDEX(va, L3_SHIFT)];
        if (!(e & PTE_P) || (e & PTE_PS))
            continue;
        t = phys_to_virt(e & PTE_ADDR_MASK);
        e = t[PT_INDEX(va, L2_SHIFT)];
        if (!(e & PTE_P) || (e & PTE_PS))
            continue;
        t = phys_to_virt(e & PTE_ADDR_MASK);
        t[PT_INDEX(va, L1_SHIFT)] = 0;
        invlpg((void *)va);
    }
}

static void *ioremap_flags(uint64_t pa, size_t size, uint64_t flags)
{
    uint64_t off = pa & (PAGE_SIZE - 1);
    uint64_t len = ALIGN_UP(off + size, PAGE_SIZE);
    uint64_t va = ioremap_next;

    if (va + len > XHV_IOREMAP_VIRT_END)
        return NULL;
    if (map_pages(va, pa - off, len, flags | PTE_RW | pte_nx))
        return NULL;
    ioremap_next = va + len + PAGE_SIZE;  /* guard page between mappings */
    return (void *)(va + off);
}

void *ioremap(uint64_t pa, size_t size)
{
    return ioremap_flags(pa, size, PTE_PCD | PTE_PWT);
}

void *ioremap_cached(uint64_t pa, size_t size)
{
    return ioremap_flags(pa, size, 0);
}

void paging_init(const struct boot_info *bi, struct frame_pool *fp)
{
    uint64_t img = XHV_IMAGE_VIRT_START;
    uint64_t text_end = ALIGN_UP((uint64_t)__text_end, PAGE_SIZE);
    uint64_t ro_end = ALIGN_UP((uint64_t)__rodata_end, PAGE_SIZE);
    uint64_t end = ALIGN_UP((uint64_t)__image_end, PAGE_SIZE);
    uint64_t *l4;
    unsigned int i;

    pt_pool = fp;
    if (rdmsr(MSR_EFER) & EFER_NXE)
        pte_nx = PTE_NX;

    l4 = alloc_table();
    if (!l4)
        panic("paging_init: no memory for page tables");
    /*
     * Every hypervisor-hole slot gets its L3 now and keeps it: guest L4s
     * copy these sixteen entries when they are built, so anything the shim
     * maps later in the hole is visible through every guest's tables too.
     */
    for (i = XHV_HOLE_FIRST_SLOT; i <= XHV_HOLE_LAST_SLOT; i++)
        if (!next_table(&l4[i], 0))
            panic("paging_init: no memory for page tables");

    for (i = 0; i < bi->mem_count; i++) {
        const struct boot_mem_range *m = &bi->mem[i];
        uint64_t s = ALIGN_UP(m->base, PAGE_SIZE);
        uint64_t e = ALIGN_DOWN(m->base + m->len, PAGE_SIZE);

        if (m->type != E820_RAM && m->type != E820_ACPI &&
            m->type != E820_NVS)
            continue;
        if (e <= s)
            continue;
        if (e > XHV_DIRECTMAP_VIRT_END - XHV_DIRECTMAP_VIRT_START)
            panic("RAM above the direct map (%#lx)", (unsigned long)e);
        if (map_in(l4, XHV_DIRECTMAP_VIRT_START + s, s, e - s,
                   PTE_RW | pte_nx, true))
            panic("paging_init: cannot map RAM %#lx-%#lx",
                  (unsigned long)s, (unsigned long)e);
    }

    if (map_in(l4, img, img - XHV_VIRT_OFFSET, text_end - img, 0, false) ||
        map_in(l4, text_end, text_end - XHV_VIRT_OFFSET, ro_end - text_end,
               pte_nx, false) ||
        map_in(l4, ro_end, ro_end - XHV_VIRT_OFFSET, end - ro_end,
               PTE_RW | pte_nx, false))
        panic("paging_init: cannot map the image");

    write_cr3(virt_to_phys(l4));
    shim_l4 = l4;
    printk(XLOG_INFO "paging: shim tables at %#lx, direct map at %#lx%s\n",
           (unsigned long)virt_to_phys(l4),
           (unsigned long)XHV_DIRECTMAP_VIRT_START, pte_nx ? ", NX" : "");
}
