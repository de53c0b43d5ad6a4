/*
 * xhv's virtual and physical memory layout (docs/memory-layout.md has the
 * table). Everything the shim maps lives inside the Xen hypervisor hole
 * HYPERVISOR_VIRT_START..HYPERVISOR_VIRT_END (L4 slots 256-271), so a PV
 * guest owns the rest of the 48-bit address space, exactly as under Xen.
 *
 * Included from assembly: plain integer constants only.
 */
#ifndef XHV_LAYOUT_H
#define XHV_LAYOUT_H

/* Physical address the image is loaded at (multiboot address fields). */
#define XHV_PHYS_START          0x200000

/*
 * L4 slot 256: the machine-to-phys table, read-only to the guest at
 * MACH2PHYS_VIRT_START..MACH2PHYS_VIRT_END (from the public
 * arch-x86/xen-x86_64.h). Checked against the header in layout_check.c.
 */
#define XHV_M2P_VIRT_START      0xFFFF800000000000
#define XHV_M2P_VIRT_END        0xFFFF804000000000

/* L4 slot 257: reserved (the shim's writable M2P alias, later). */
#define XHV_RESERVED_VIRT_START 0xFFFF808000000000

/* L4 slot 258: MMIO and firmware-table mappings (ioremap), 512 GiB. */
#define XHV_IOREMAP_VIRT_START  0xFFFF810000000000
#define XHV_IOREMAP_VIRT_END    0xFFFF818000000000

/*
 * L4 slot 259: the shim image. Its virtual address is its physical address
 * plus XHV_VIRT_OFFSET, so 32-bit boot code computes physical addresses
 * with a subtraction.
 */
#define XHV_VIRT_OFFSET         0xFFFF818000000000
#define XHV_IMAGE_VIRT_START    (XHV_VIRT_OFFSET + XHV_PHYS_START)

/* L4 slots 260-261: per-domain/per-vCPU areas (GDT/LDT shadows), later. */
#define XHV_PERDOMAIN_VIRT_START 0xFFFF820000000000

/* L4 slots 262-271: the direct map of all RAM, 5 TiB. */
#define XHV_DIRECTMAP_VIRT_START 0xFFFF830000000000
#define XHV_DIRECTMAP_VIRT_END   0xFFFF880000000000

#define XHV_HOLE_FIRST_SLOT     256
#define XHV_HOLE_LAST_SLOT      271

/*
 * Stacks: per CPU one block, aligned to its size (include/xhv/percpu.h):
 * three IST stacks at the bottom, the main (entry) stack at the top, and
 * the block's struct stack_info in its last 64 bytes. The boot CPU's boot
 * stack is a block of the same shape.
 */
#define XHV_STACK_BLOCK_SIZE    0x8000
#define XHV_STACK_SIZE          0x4000
#define XHV_IST_STACK_SIZE      0x1000
#define XHV_STACK_INFO_SIZE     64

/*
 * The other CPUs start in real mode at this page (STARTUP IPI vector 0x08):
 * conventional memory the firmware reports as RAM, unused once the boot
 * loader's data has been copied (boot_info holds copies).
 */
#define XHV_TRAMPOLINE_PA       0x8000

#endif /* XHV_LAYOUT_H */
