/*
 * Hypercalls of a 64-bit PV guest kernel, made with inline `syscall` (as
 * Debian's 6.1.123+ does; no hypercall page). Register ABI (public xen.h):
 * rax = number, arguments in rdi, rsi, rdx, r10, r8; the result comes back
 * in rax, negative XEN_E* on error. `syscall` itself destroys rcx and r11,
 * and every argument register is treated as clobbered (a debug shim may
 * poison them), so each is an in/out operand.
 *
 * All arguments are passed as unsigned long: tests deliberately hand the
 * hypervisor junk (high bits, non-canonical pointers) and nothing here may
 * narrow it.
 */
#ifndef PVT_HYPERCALL_H
#define PVT_HYPERCALL_H

#include <stdint.h>

#include <xen/xen.h>

/* Below 0x00030101 the headers alias sched_op to the old sched_op_compat. */
_Static_assert(__XEN_INTERFACE_VERSION__ >= 0x00030101,
               "build with __XEN_INTERFACE_VERSION__ set");

typedef unsigned long ul;

static inline long hypercall0(ul nr)
{
    long ret;

    asm volatile ("syscall"
                  : "=a" (ret)
                  : "0" (nr)
                  : "rcx", "r11", "memory");
    return ret;
}

static inline long hypercall1(ul nr, ul a1)
{
    long ret;

    asm volatile ("syscall"
                  : "=a" (ret), "+D" (a1)
                  : "0" (nr)
                  : "rcx", "r11", "memory");
    return ret;
}

static inline long hypercall2(ul nr, ul a1, ul a2)
{
    long ret;

    asm volatile ("syscall"
                  : "=a" (ret), "+D" (a1), "+S" (a2)
                  : "0" (nr)
                  : "rcx", "r11", "memory");
    return ret;
}

static inline long hypercall3(ul nr, ul a1, ul a2, ul a3)
{
    long ret;

    asm volatile ("syscall"
                  : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3)
                  : "0" (nr)
                  : "rcx", "r11", "memory");
    return ret;
}

static inline long hypercall4(ul nr, ul a1, ul a2, ul a3, ul a4)
{
    register ul r10 asm ("r10") = a4;
    long ret;

    asm volatile ("syscall"
                  : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3), "+r" (r10)
                  : "0" (nr)
                  : "rcx", "r11", "memory");
    return ret;
}

static inline long hypercall5(ul nr, ul a1, ul a2, ul a3, ul a4, ul a5)
{
    register ul r10 asm ("r10") = a4;
    register ul r8 asm ("r8") = a5;
    long ret;

    asm volatile ("syscall"
                  : "=a" (ret), "+D" (a1), "+S" (a2), "+d" (a3), "+r" (r10),
                    "+r" (r8)
                  : "0" (nr)
                  : "rcx", "r11", "memory");
    return ret;
}

/* The named wrappers: pointers and junk alike go in as unsigned long. */
#define HYPERVISOR_console_io(cmd, count, buf)                              \
    hypercall3(__HYPERVISOR_console_io, (ul)(cmd), (ul)(count), (ul)(buf))
#define HYPERVISOR_xen_version(cmd, arg)                                    \
    hypercall2(__HYPERVISOR_xen_version, (ul)(cmd), (ul)(arg))
#define HYPERVISOR_sched_op(cmd, arg)                                       \
    hypercall2(__HYPERVISOR_sched_op, (ul)(cmd), (ul)(arg))
#define HYPERVISOR_set_trap_table(traps)                                    \
    hypercall1(__HYPERVISOR_set_trap_table, (ul)(traps))
#define HYPERVISOR_callback_op(cmd, arg)                                    \
    hypercall2(__HYPERVISOR_callback_op, (ul)(cmd), (ul)(arg))
#define HYPERVISOR_set_callbacks(ev, fs, sc)                                \
    hypercall3(__HYPERVISOR_set_callbacks, (ul)(ev), (ul)(fs), (ul)(sc))
#define HYPERVISOR_stack_switch(ss, sp)                                     \
    hypercall2(__HYPERVISOR_stack_switch, (ul)(ss), (ul)(sp))
#define HYPERVISOR_set_segment_base(which, base)                            \
    hypercall2(__HYPERVISOR_set_segment_base, (ul)(which), (ul)(base))
#define HYPERVISOR_fpu_taskswitch(set)                                      \
    hypercall1(__HYPERVISOR_fpu_taskswitch, (ul)(set))
#define HYPERVISOR_set_debugreg(reg, val)                                   \
    hypercall2(__HYPERVISOR_set_debugreg, (ul)(reg), (ul)(val))
#define HYPERVISOR_get_debugreg(reg)                                        \
    hypercall1(__HYPERVISOR_get_debugreg, (ul)(reg))
#define HYPERVISOR_vm_assist(cmd, type)                                     \
    hypercall2(__HYPERVISOR_vm_assist, (ul)(cmd), (ul)(type))
#define HYPERVISOR_memory_op(cmd, arg)                                      \
    hypercall2(__HYPERVISOR_memory_op, (ul)(cmd), (ul)(arg))
#define HYPERVISOR_vcpu_op(cmd, vcpu, arg)                                  \
    hypercall3(__HYPERVISOR_vcpu_op, (ul)(cmd), (ul)(vcpu), (ul)(arg))
#define HYPERVISOR_physdev_op(cmd, arg)                                     \
    hypercall2(__HYPERVISOR_physdev_op, (ul)(cmd), (ul)(arg))
#define HYPERVISOR_multicall(list, nr)                                      \
    hypercall2(__HYPERVISOR_multicall, (ul)(list), (ul)(nr))
#define HYPERVISOR_mmu_update(reqs, count, pdone, dom)                      \
    hypercall4(__HYPERVISOR_mmu_update, (ul)(reqs), (ul)(count),            \
               (ul)(pdone), (ul)(dom))
#define HYPERVISOR_mmuext_op(ops, count, pdone, dom)                        \
    hypercall4(__HYPERVISOR_mmuext_op, (ul)(ops), (ul)(count),              \
               (ul)(pdone), (ul)(dom))
#define HYPERVISOR_update_va_mapping(va, val, flags)                        \
    hypercall3(__HYPERVISOR_update_va_mapping, (ul)(va), (ul)(val),         \
               (ul)(flags))
#define HYPERVISOR_update_va_mapping_otherdomain(va, val, flags, dom)       \
    hypercall4(__HYPERVISOR_update_va_mapping_otherdomain, (ul)(va),        \
               (ul)(val), (ul)(flags), (ul)(dom))
#define HYPERVISOR_set_gdt(frames, entries)                                 \
    hypercall2(__HYPERVISOR_set_gdt, (ul)(frames), (ul)(entries))
#define HYPERVISOR_update_descriptor(maddr, desc)                           \
    hypercall2(__HYPERVISOR_update_descriptor, (ul)(maddr), (ul)(desc))

#endif /* PVT_HYPERCALL_H */
