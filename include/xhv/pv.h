/*
 * The PV CPU core: delivering exceptions, events and system calls to the
 * guest kernel (bounce frames), HYPERVISOR_iret, and the kernel/user mode
 * switch (shim/pv/).
 *
 * Bounce frame (public xen.h, and linux-pv-boot.md §4): pushed on the guest
 * kernel stack, lowest address first:
 *     RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS
 * CS holds the selector with RPL 0 if the guest was in kernel mode, and the
 * saved event mask in bits 32-39; RFLAGS.IF is the inverse of that mask.
 */
#ifndef XHV_PV_H
#define XHV_PV_H

#include <xhv/domain.h>

/* Deliver exception `vector` (with its error code if has_ec). */
void pv_inject_exception(struct vcpu *v, struct cpu_regs *r,
                         unsigned int vector, bool has_ec,
                         uint32_t error_code);
/* Deliver a guest-user `syscall` to the registered syscall callback. */
void pv_inject_syscall(struct vcpu *v, struct cpu_regs *r);
/* Deliver a pending event upcall, if any is pending and unmasked. */
void pv_deliver_events(struct vcpu *v, struct cpu_regs *r);

/* Switch between guest-kernel and guest-user mode (CR3, GS bases). */
void pv_toggle_mode(struct vcpu *v);
/*
 * The guest does not need rcx/r11 on this return (they are in a bounce
 * frame, or an iret said VGCF_in_syscall): leave through sysretq if the
 * frame allows (flat 64-bit ring-3 CS, canonical rip), with CS/SS the
 * flat selectors sysret loads (as Xen's sysret exit does).
 */
void pv_exit_via_sysret(struct cpu_regs *r);

/* The handler of every entry from ring 3 while a guest runs. */
void pv_handle_entry(struct vcpu *v, struct cpu_regs *r);

/* HYPERVISOR_iret: pop the iret_context from the guest stack. */
long do_iret(struct vcpu *v, struct cpu_regs *r);

#endif /* XHV_PV_H */
