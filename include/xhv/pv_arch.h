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
/* Load %gs with a guest selector (SEGBASE_GS_USER_SEL); 0 or -EINVAL. */
int arch_pv_load_gs_sel(uint16_t sel);
/* Set or clear CR0.TS (fpu_taskswitch, lazy FPU). */
void arch_pv_set_ts(bool ts);
/* Load the debug registers the guest set (DR0-3, DR7). */
void arch_pv_load_debugregs(const struct vcpu *v);

#endif /* XHV_PV_ARCH_H */
