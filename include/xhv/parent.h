/*
 * The parent: what xhv runs on. One ops table, chosen at boot by CPUID:
 * Hyper-V when leaf 0x40000001 EAX is "Hv#1" (drivers/hyperv/, falling
 * back to the native ops if its driver cannot start), otherwise the native
 * parent (LAPIC, PIT-calibrated TSC, CMOS, ACPI).
 *
 * The core calls only these hooks for time, timers, IPIs, TLB flushes,
 * idling, crash reports, reset and poweroff. Every hook may be called with
 * interrupts disabled; none blocks except idle().
 */
#ifndef XHV_PARENT_H
#define XHV_PARENT_H

#include <xhv/cpumask.h>
#include <xhv/types.h>

enum parent_kind {
    PARENT_NATIVE,
    PARENT_HYPERV,
};

struct crash_report {
    const char *reason;     /* short text */
    uint64_t code;          /* e.g. the guest's shutdown reason or vector */
    uint64_t rip, rsp, rax; /* the crashed context's registers */
    uint16_t domid;         /* 0x7ff0 (DOMID_XEN) for the shim itself */
};

struct parent_ops {
    const char *name;

    /* Bring the parent's facilities up (boot CPU, after paging, traps). */
    int (*init)(void);
    /*
     * The same for one more CPU, run on that CPU once its tables are
     * loaded (percpu.apic_id set): its timer, and on Hyper-V its VP index
     * and SynIC.
     */
    int (*init_ap)(void);

    /* Monotonic nanoseconds since the parent was initialised. */
    uint64_t (*clock_ns)(void);
    /* TSC frequency in kHz (0 if unknown). */
    uint64_t (*tsc_khz)(void);
    /* Wall-clock time at the moment of the call, ns since the Unix epoch. */
    uint64_t (*wallclock_ns)(void);

    /*
     * One-shot timer of the calling CPU (state in percpu.timer): call
     * fn(ctx) from interrupt context on this CPU at or after deadline_ns
     * (clock_ns() domain). A new call replaces the previous deadline; a
     * deadline in the past fires at once. timer_stop cancels.
     */
    void (*timer_set)(uint64_t deadline_ns, void (*fn)(void *ctx), void *ctx);
    void (*timer_stop)(void);

    /* Send a fixed interrupt vector to each CPU of the set (not self). */
    void (*send_ipi)(const struct cpumask *cpus, uint8_t vector);
    /* Flush this CPU's TLB (all non-global entries, or one VA). */
    void (*tlb_flush_local)(uint64_t va, bool all);
    /*
     * Flush the TLBs of the CPUs in the set (the caller's own included if
     * it is in the set): all non-global entries of every address space,
     * or one VA in every address space. Returns once no CPU of the set can
     * use an entry the flush removes. The native way is smp_flush_ipi()
     * (include/xhv/smp.h), which a parent may fall back to.
     */
    void (*tlb_flush)(const struct cpumask *cpus, uint64_t va, bool all);
    /* Wait for an interrupt with interrupts enabled; returns after it. */
    void (*idle)(void);
    /* A vCPU has spun for `count` iterations on a contended lock. */
    void (*spin_wait_notify)(uint32_t count);

    /*
     * Print the parent's own counters (e.g. Hyper-V hypercalls issued, by
     * call code), beside the Xen hypercall census: debug key and shutdown
     * report. NULL if the parent keeps none.
     */
    void (*print_counters)(void);

    /* Report a crash to whoever watches the VM (crash MSRs on Hyper-V). */
    void (*crash_report)(const struct crash_report *c);
    __noreturn void (*reset)(void);
    /* Power the VM off (ACPI S5: QEMU exits 0). */
    __noreturn void (*poweroff)(void);
};

extern const struct parent_ops *parent;

/* Which parent CPUID shows, before any driver is initialised. */
enum parent_kind parent_detect(void);
/* Detect, pick the ops (falling back to native), init; print the result. */
void parent_init(void);

extern const struct parent_ops native_parent_ops;

#endif /* XHV_PARENT_H */
