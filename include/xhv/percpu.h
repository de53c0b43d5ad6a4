/*
 * Per-CPU state of the shim.
 *
 * Finding it: every stack the shim runs on (a CPU's entry stack with its
 * IST stacks, the boot CPU's boot stack) is one XHV_STACK_BLOCK_SIZE block,
 * aligned to its size, whose top bytes hold a struct stack_info pointing to
 * the CPU's struct percpu. this_cpu() rounds %rsp up to that: no segment
 * register is needed, so the guest keeps %gs (as in Xen's get_cpu_info()).
 */
#ifndef XHV_PERCPU_H
#define XHV_PERCPU_H

#include <xhv/cpumask.h>
#include <xhv/layout.h>
#include <xhv/regs.h>
#include <xhv/types.h>

struct vcpu;

/* The parent's one-shot timer of this CPU (drivers/: native, hyperv). */
struct parent_timer {
    uint64_t deadline;          /* parent clock, ns */
    void (*fn)(void *ctx);
    void *ctx;
};

struct percpu {
    uint64_t syscall_scratch;   /* the syscall stub's save slot for %rax */
    uint64_t stack_top;         /* = TSS.RSP0, below this block's info */
    unsigned int cpu_id;        /* shim CPU index; vCPU cpu_id runs here */
    uint32_t apic_id;           /* local APIC (x2APIC) id */
    uint32_t vp_index;          /* Hyper-V VP index (HV_X64_MSR_VP_INDEX) */
    bool online;                /* finished bring-up, takes IPIs */
    struct vcpu *vcpu;          /* the vCPU running here, NULL when none */
    struct parent_timer timer;
    void *gdt_reserved;         /* this CPU's reserved GDT page */
    uint64_t tss[16];           /* this CPU's TSS (104 bytes used) */
    uint64_t syscall_stub;      /* VA of its syscall stub (LSTAR) */
};

struct stack_info {
    struct percpu *pc;
    uint64_t pad[7];
};
BUILD_BUG_ON(sizeof(struct stack_info) != XHV_STACK_INFO_SIZE);

extern struct percpu percpu[XHV_MAX_CPUS];
/* CPUs brought up (indices 0 .. nr_cpus-1), and that set. */
extern unsigned int nr_cpus;
extern struct cpumask cpu_online_mask;

static inline struct stack_info *stack_info_of(uint64_t sp)
{
    return (struct stack_info *)((sp | (XHV_STACK_BLOCK_SIZE - 1)) + 1 -
                                 sizeof(struct stack_info));
}

static inline struct percpu *this_cpu(void)
{
    uint64_t sp;

    __asm__("mov %%rsp, %0" : "=r"(sp));
    return stack_info_of(sp)->pc;
}

/*
 * Where every entry from ring 3 puts the guest's registers on CPU pc: the
 * top of its entry stack. Code that idles or starts a vCPU on that stack
 * runs below pc_idle_rsp(), so entering the guest never overwrites it.
 */
static inline struct cpu_regs *pc_guest_frame(const struct percpu *pc)
{
    return (struct cpu_regs *)(pc->stack_top - sizeof(struct cpu_regs));
}

static inline uint64_t pc_idle_rsp(const struct percpu *pc)
{
    return ((uint64_t)pc_guest_frame(pc) - 64) & ~15ULL;
}

static inline unsigned int smp_processor_id(void)
{
    return this_cpu()->cpu_id;
}

#endif /* XHV_PERCPU_H */
