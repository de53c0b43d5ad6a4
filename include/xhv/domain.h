/*
 * The guest: one PV domain (domid 1, a domU) and its vCPUs.
 *
 * vCPU i runs only on CPU i (pinned), so a struct vcpu's CPU and
 * scheduling state is touched by its own CPU, except where marked
 * "shared" below (atomics, or under d->lock).
 *
 * Locking (all with interrupts disabled):
 *   d->lock          the domain's memory state: page types and counts of
 *                    its frames (shim/mm/), page tables, grant table,
 *                    descriptor pages, vCPU contexts (VCPUOP_initialise)
 *                    and registered vcpu_info frames. Taken by the
 *                    hypercall dispatcher for the families marked in
 *                    shim/hypercall/table.c and by the writable-page-table
 *                    fault path.
 *   d->evtchn_lock   event-channel port state (shim/event/evtchn.c).
 * Order: d->lock, then the backend locks (console, xenstore: their
 * handlers run without d->evtchn_lock and notify the guest back), then
 * d->evtchn_lock, then the log lock; the TLB flush lock is innermost.
 */
#ifndef XHV_DOMAIN_H
#define XHV_DOMAIN_H

#include <xhv/cpumask.h>
#include <xhv/regs.h>
#include <xhv/spinlock.h>
#include <xhv/timer.h>
#include <xhv/xen.h>
#include <xen/vcpu.h>

#define XHV_GUEST_DOMID     1
/*
 * vCPUs: one per CPU, and at most the legacy vcpu_info slots of
 * shared_info, which every vCPU starts with (public xen.h).
 */
#define XHV_MAX_VCPUS       MIN(XHV_MAX_CPUS, XEN_LEGACY_MAX_VCPUS)

struct domain;

/* Segment bases a PV guest sets (set_segment_base, wrmsr emulation). */
struct pv_segbases {
    uint64_t fs;
    uint64_t gs_kernel;         /* GS base in guest-kernel mode */
    uint64_t gs_user;           /* GS base in guest-user mode */
    uint16_t gs_sel_user;       /* user %gs selector (SEGBASE_GS_USER_SEL) */
};

struct vcpu {
    struct domain *domain;
    unsigned int vcpu_id;
    /* Guest registers at the last entry from the guest (or before start). */
    struct cpu_regs regs;
    /* Guest-kernel mode (true) or guest-user mode. */
    bool in_kernel;
    /* Machine address of the active L4 (kernel or user). */
    uint64_t cr3;
    uint64_t kernel_cr3, user_cr3;  /* 0: none (user_cr3 may be 0) */

    /* --- PV CPU state (shim/pv/, shim/hypercall/) --- */
    struct trap_info trap_ctxt[256];    /* set_trap_table; address 0 = none */
    uint64_t event_callback, failsafe_callback, syscall_callback;
    uint64_t nmi_callback;
    bool event_mask_on_entry, failsafe_mask_on_entry, syscall_mask_on_entry;
    uint64_t kernel_ss, kernel_sp;      /* stack_switch */
    struct pv_segbases seg;
    uint64_t gdt_frames[16];            /* set_gdt: mfns, gdt_ents entries */
    unsigned int gdt_ents;
    uint64_t ldt_base;                  /* MMUEXT_SET_LDT: linear address */
    unsigned int ldt_ents;
    uint64_t cr0_ts;                    /* X86_CR0_TS if fpu_taskswitch set */
    uint64_t cr4_shadow;                /* what the guest reads/writes */
    uint64_t xcr0;
    uint64_t debugreg[8];
    unsigned int iopl;                  /* virtual IOPL (physdev set_iopl) */
    vcpu_info_t *vcpu_info;             /* in shared_info or registered */
    uint64_t runstate_guest_va;         /* register_runstate_memory_area */
    uint64_t time_guest_va;             /* register_vcpu_time_memory_area */

    /* --- time and scheduling (shim/vtimer.c, shim/hypercall/sched.c) --- */
    struct shim_timer singleshot;       /* VCPUOP_set_singleshot_timer */
    struct shim_timer periodic;         /* VCPUOP_set_periodic_timer */
    uint64_t periodic_period;           /* ns; 0: stopped */
    uint64_t periodic_request;          /* shared: asked by another vCPU */
    bool periodic_pending;              /* shared: a request to apply */
    struct vcpu_runstate_info runstate; /* the shim's copy */
    bool blocked;                       /* shared: in SCHEDOP_block/poll */
    struct shim_timer poll_timer;       /* SCHEDOP_poll timeout */
    bool poll_expired;
    uint32_t yields;                    /* SCHEDOP_yield in a row */

    /* --- life (shim/vcpu_run.c, VCPUOP_*), shared --- */
    bool initialised;                   /* has a context (VCPUOP_initialise) */
    bool is_up;                         /* runs, or should run */
    bool running;                       /* its CPU has entered it */
};

struct domain {
    domid_t domid;
    uint64_t nr_pages;          /* guest memory, frames */
    uint64_t max_pages;
    uint64_t *p2m;              /* shim's copy: pfn -> mfn, nr_pages long */
    uint64_t p2m_frames_pfn;    /* machine frames holding p2m (shim side) */

    shared_info_t *shared_info; /* shim frame, mapped by the guest */
    uint64_t shared_info_mfn;

    uint64_t start_info_va;     /* guest virtual */
    uint64_t store_pfn, console_pfn;
    uint32_t store_evtchn, console_evtchn;
    uint64_t hypercall_page_va; /* 0: the kernel has no HYPERCALL_PAGE */

    bool is_shutting_down;
    bool is_crashed;
    unsigned int shutdown_reason;   /* SHUTDOWN_* */

    unsigned long vm_assist;            /* VMASST_TYPE_* bits enabled */

    spinlock_t lock;                    /* memory state: see above */
    struct cpumask dirty_cpus;          /* CPUs that have run its vCPUs */
    spinlock_t evtchn_lock;

    unsigned int nr_vcpus;
    struct vcpu vcpus[XHV_MAX_VCPUS];
};

extern struct domain guest_domain;

/* The vCPU running on this CPU (NULL before the guest starts). */
struct vcpu *current_vcpu(void);
void set_current_vcpu(struct vcpu *v);

/*
 * The domain cannot continue: log why (file:line and the guest's
 * registers), mark it crashed. The caller unwinds; the entry path then ends
 * the domain (domain_end()).
 */
#define domain_crash(d, fmt, ...)                                           \
    domain_crash_at((d), __FILE__, __LINE__, fmt, ##__VA_ARGS__)
void domain_crash_at(struct domain *d, const char *file, int line,
                     const char *fmt, ...) __printf(4, 5);

/* SCHEDOP_shutdown: record the reason; the entry path ends the domain. */
void domain_shutdown(struct domain *d, unsigned int reason);

/*
 * The domain is over (shut down or crashed): print the census and end the
 * run as include/xhv/exit.h documents. Only one domain exists, so the VM
 * powers off, resets or reports the crash.
 */
__noreturn void domain_end(struct domain *d);

/* Start running vCPU v in the guest (arch; never returns). */
__noreturn void arch_enter_guest(struct vcpu *v);

/*
 * vCPU life (shim/vcpu_run.c). A CPU without a running vCPU waits in
 * vcpu_idle_loop() until its vCPU is up, then enters it. vcpu_kick() makes
 * the vCPU's CPU look at it soon (events pending, poll wake-up, down).
 */
__noreturn void vcpu_idle_loop(void);
void vcpu_kick(struct vcpu *v);
/* VCPUOP_up of a vCPU with a context; 0 or a Xen error. */
long vcpu_up(struct vcpu *v);
/*
 * The calling vCPU stops here (its is_up already cleared by the caller, or
 * by VCPUOP_down from another vCPU): never returns.
 */
__noreturn void vcpu_down_self(struct vcpu *v);
/* The result the current hypercall returns, set before it ends early. */
void vcpu_set_hypercall_result(long rc);
/* VCPUOP_initialise (shim/hypercall/vcpu_context.c); d->lock held. */
long vcpu_initialise(struct domain *d, struct vcpu *v, uint64_t arg);
/* Before returning to the guest: does this vCPU still run here? */
void vcpu_check_state(struct vcpu *v);

#endif /* XHV_DOMAIN_H */
