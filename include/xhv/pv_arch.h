/*
 * What the PV core needs from the CPU (arch/x86_64/pv_arch.c). The core
 * decides; these only load state into the hardware.
 */
#ifndef XHV_PV_ARCH_H
#define XHV_PV_ARCH_H

#include <xhv/types.h>

struct vcpu;

/* Load a guest L4 (machine address). */
void arch_pv_load_cr3(uint64_t cr3);
/*
 * Load FS base and the GS bases for the vCPU's current mode: in guest-kernel
 * mode GS = gs_kernel (inactive = gs_user), in user mode the other way.
 */
void arch_pv_load_segbases(const struct vcpu *v);
/* Write one segment base of v into its MSR (which MSR: v's mode). */
enum pv_seg { PV_SEG_FS, PV_SEG_GS_KERNEL, PV_SEG_GS_USER };
void arch_pv_write_segbase(const struct vcpu *v, enum pv_seg which);
/* Exchange MSR_GS_BASE and MSR_KERNEL_GS_BASE (a guest mode switch). */
void arch_pv_swap_gs(void);
/*
 * Load %gs with a guest selector (SEGBASE_GS_USER_SEL), from guest-kernel
 * mode: the user's GS base takes the load; 0, or -1 if refused.
 */
int arch_pv_load_gs_sel(uint16_t sel);
/* Set or clear CR0.TS (fpu_taskswitch, lazy FPU). */
void arch_pv_set_ts(bool ts);
/* Load the debug registers the guest set (DR0-3, DR7). */
void arch_pv_load_debugregs(const struct vcpu *v);

/*
 * The vCPU's GDT: a 16-page window per vCPU in the per-domain area. Pages
 * 0-13 show the guest's GDT frames (set_gdt; a zero page where the guest
 * has none, so an unused selector is a #GP, not a fault in the shim), page
 * 14 the shim's reserved entries (FIRST_RESERVED_GDT_ENTRY onwards, the
 * flat selectors of the ABI and the TSS). The shim's view is writable:
 * the CPU sets accessed bits; the guest can only reach the frames read-only
 * (they are typed as descriptor pages).
 */
int arch_pv_gdt_init(struct vcpu *v);
/* The window of vCPU/CPU `id`, and mapping it (reserved page at pa). */
uint64_t gdt_window_va(unsigned int id);
int gdt_window_init(unsigned int id, uint64_t reserved_pa);
/*
 * Show frames mfns[0..nr) (nr <= 14) as the guest part of v's window, and
 * load GDTR if v runs on this CPU.
 */
void arch_pv_gdt_load(struct vcpu *v, const uint64_t *mfns, unsigned int nr);

#endif /* XHV_PV_ARCH_H */
