/*
 * Per-CPU state of the shim. One CPU for now (the SMP issue brings up the
 * others); every user goes through this_cpu() so that only this header
 * changes when there are more.
 */
#ifndef XHV_PERCPU_H
#define XHV_PERCPU_H

#include <xhv/types.h>

struct percpu {
    uint64_t syscall_user_rsp;  /* scratch for the syscall entry */
    uint64_t stack_top;         /* = TSS.RSP0 */
    unsigned int cpu_id;
    uint32_t apic_id;
};

extern struct percpu percpu_bsp;

static inline struct percpu *this_cpu(void)
{
    return &percpu_bsp;
}

#endif /* XHV_PERCPU_H */
