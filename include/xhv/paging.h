/*
 * The shim's own address space: the direct map of RAM, the image, and
 * ioremap mappings, all in the hypervisor hole (include/xhv/layout.h).
 */
#ifndef XHV_PAGING_H
#define XHV_PAGING_H

#include <xhv/layout.h>
#include <xhv/types.h>

#define PTE_P           BIT(0)
#define PTE_RW          BIT(1)
#define PTE_US          BIT(2)
#define PTE_PWT         BIT(3)
#define PTE_PCD         BIT(4)
#define PTE_A           BIT(5)
#define PTE_D           BIT(6)
#define PTE_PS          BIT(7)
#define PTE_G           BIT(8)
#define PTE_NX          BIT(63)
#define PTE_ADDR_MASK   0x000ffffffffff000ULL

#define L1_SHIFT        12
#define L2_SHIFT        21
#define L3_SHIFT        30
#define L4_SHIFT        39
#define PT_INDEX(va, shift) (((va) >> (shift)) & 511)

struct boot_info;
struct frame_pool;

/* Direct map: valid for RAM, ACPI and NVS ranges after paging_init(). */
static inline void *phys_to_virt(uint64_t pa)
{
    return (void *)(XHV_DIRECTMAP_VIRT_START + pa);
}

/* Physical address of a direct-map or image address. */
uint64_t virt_to_phys(const void *va);

/*
 * Build and switch to the shim's final page tables: direct map of every
 * RAM/ACPI/NVS range, the image with W^X permissions, no identity map.
 * Page-table frames come from fp.
 */
void paging_init(const struct boot_info *bi, struct frame_pool *fp);

/*
 * Map [pa, pa+size) at va in the shim's tables with the given leaf flags
 * (PTE_RW, PTE_NX, PTE_PCD, PTE_US ...; PTE_P implied). 0 or -ENOMEM.
 */
int map_pages(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
/* Remove mappings of [va, va+size) (4 KiB pages only). */
void unmap_pages(uint64_t va, uint64_t size);

/* Map device registers (uncached) or firmware tables (cached). */
void *ioremap(uint64_t pa, size_t size);
void *ioremap_cached(uint64_t pa, size_t size);

/* The shim's L4 (guest L4s copy its hypervisor-hole slots). */
const uint64_t *shim_l4_table(void);

/* Leaf entry for va in the shim tables, or 0 if unmapped (for tests). */
uint64_t lookup_pte(uint64_t va, unsigned int *level);

/* NX bit if the CPU supports it (EFER.NXE set at boot), else 0. */
extern uint64_t pte_nx;


/* phys_to_virt with the frame allocator's callback signature. */
void *boot_phys_to_virt(uint64_t pa, void *ctx);

#endif /* XHV_PAGING_H */
