/*
 * Hypercalls: the one number -> handler table (shim/hypercall/table.c),
 * the handlers (one family per file in shim/hypercall/), and the census.
 *
 * ABI (x86-64 PV, public xen.h): rax = number, arguments in rdi, rsi, rdx,
 * r10, r8; the result goes back in rax as a long (negative XEN_E*).
 * A slot without a handler answers -XEN_ENOSYS, and every call is counted.
 */
#ifndef XHV_HYPERCALL_H
#define XHV_HYPERCALL_H

#include <xhv/domain.h>

#define XHV_NR_HYPERCALLS   64
#define XHV_NR_SUBOPS       64  /* sub-ops counted one by one; more: "other" */

/*
 * Every hypercall number of the public xen.h with its name, and whether
 * its first argument is a sub-op (counted separately in the census).
 */
#define XHV_HYPERCALL_LIST(X)                                               \
    X(set_trap_table, 0) X(mmu_update, 0) X(set_gdt, 0)                     \
    X(stack_switch, 0) X(set_callbacks, 0) X(fpu_taskswitch, 0)             \
    X(sched_op_compat, 1) X(platform_op, 0) X(set_debugreg, 0)              \
    X(get_debugreg, 0) X(update_descriptor, 0) X(memory_op, 1)              \
    X(multicall, 0) X(update_va_mapping, 0) X(set_timer_op, 0)              \
    X(event_channel_op_compat, 0) X(xen_version, 1) X(console_io, 1)        \
    X(physdev_op_compat, 0) X(grant_table_op, 1) X(vm_assist, 1)            \
    X(update_va_mapping_otherdomain, 0) X(iret, 0) X(vcpu_op, 1)            \
    X(set_segment_base, 1) X(mmuext_op, 0) X(xsm_op, 0) X(nmi_op, 1)        \
    X(sched_op, 1) X(callback_op, 1) X(xenoprof_op, 1)                      \
    X(event_channel_op, 1) X(physdev_op, 1) X(hvm_op, 1) X(sysctl, 0)       \
    X(domctl, 0) X(kexec_op, 1) X(tmem_op, 0) X(argo_op, 1)                 \
    X(xenpmu_op, 1) X(dm_op, 0) X(hypfs_op, 1)

typedef long (*hypercall_fn_t)(struct vcpu *v, uint64_t a1, uint64_t a2,
                               uint64_t a3, uint64_t a4, uint64_t a5);

/* Run the hypercall in the guest's registers; result into r->rax. */
void do_hypercall(struct vcpu *v, struct cpu_regs *r);
/* One hypercall by number (also for multicall entries); counted. */
long hypercall_dispatch(struct vcpu *v, uint64_t nr, uint64_t a1,
                        uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* Handlers (shim/hypercall/<family>.c). */
long do_console_io(struct vcpu *v, uint64_t cmd, uint64_t count,
                   uint64_t buf, uint64_t a4, uint64_t a5);
long do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg,
                    uint64_t a3, uint64_t a4, uint64_t a5);
long do_sched_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                 uint64_t a3, uint64_t a4, uint64_t a5);
long do_set_trap_table(struct vcpu *v, uint64_t traps, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5);
long do_callback_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                    uint64_t a3, uint64_t a4, uint64_t a5);
long do_set_callbacks(struct vcpu *v, uint64_t event, uint64_t failsafe,
                      uint64_t syscall, uint64_t a4, uint64_t a5);
long do_stack_switch(struct vcpu *v, uint64_t ss, uint64_t sp,
                     uint64_t a3, uint64_t a4, uint64_t a5);
long do_set_segment_base(struct vcpu *v, uint64_t which, uint64_t base,
                         uint64_t a3, uint64_t a4, uint64_t a5);
long do_fpu_taskswitch(struct vcpu *v, uint64_t set, uint64_t a2,
                       uint64_t a3, uint64_t a4, uint64_t a5);
long do_set_debugreg(struct vcpu *v, uint64_t reg, uint64_t value,
                     uint64_t a3, uint64_t a4, uint64_t a5);
long do_get_debugreg(struct vcpu *v, uint64_t reg, uint64_t a2,
                     uint64_t a3, uint64_t a4, uint64_t a5);
long do_vm_assist(struct vcpu *v, uint64_t cmd, uint64_t type,
                  uint64_t a3, uint64_t a4, uint64_t a5);
long do_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                  uint64_t a3, uint64_t a4, uint64_t a5);
long do_vcpu_op(struct vcpu *v, uint64_t cmd, uint64_t vcpuid,
                uint64_t arg, uint64_t a4, uint64_t a5);
long do_physdev_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                   uint64_t a3, uint64_t a4, uint64_t a5);
long do_multicall(struct vcpu *v, uint64_t list, uint64_t nr,
                  uint64_t a3, uint64_t a4, uint64_t a5);
long do_set_gdt(struct vcpu *v, uint64_t frames, uint64_t entries,
                uint64_t a3, uint64_t a4, uint64_t a5);
long do_update_descriptor(struct vcpu *v, uint64_t ma, uint64_t desc,
                          uint64_t a3, uint64_t a4, uint64_t a5);

long do_set_timer_op(struct vcpu *v, uint64_t timeout, uint64_t a2,
                     uint64_t a3, uint64_t a4, uint64_t a5);
long do_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                         uint64_t a3, uint64_t a4, uint64_t a5);

/* PV MMU (shim/hypercall/mmu.c, shim/mm/). */
long do_mmu_update(struct vcpu *v, uint64_t reqs, uint64_t count,
                   uint64_t done, uint64_t foreigndom, uint64_t a5);
long do_mmuext_op(struct vcpu *v, uint64_t ops, uint64_t count,
                  uint64_t done, uint64_t foreigndom, uint64_t a5);
long do_update_va_mapping(struct vcpu *v, uint64_t va, uint64_t val,
                          uint64_t flags, uint64_t a4, uint64_t a5);
long do_update_va_mapping_otherdomain(struct vcpu *v, uint64_t va,
                                      uint64_t val, uint64_t flags,
                                      uint64_t domid, uint64_t a5);

/*
 * The XENFEAT_* bits xhv really provides, XENFEAT_NR_SUBMAPS words: what
 * XENVER_get_features reports and what a kernel's required features are
 * checked against (one list, shim/hypercall/version.c).
 */
const uint32_t *xhv_guest_features(void);

/* Census (shim/hypercall/census.c). */
void census_record(unsigned int nr, bool has_subop, uint64_t subop,
                   long rc);
void census_print(void);
const char *hypercall_name(unsigned int nr);

#endif /* XHV_HYPERCALL_H */
