/*
 * The Hyper-V parent driver (drivers/hyperv/), private to drivers/. The
 * core sees only include/xhv/parent.h; the ABI lives in include/hyperv/
 * tlfs.h. One job per file:
 *
 *   tlfs_calc.c    pure arithmetic (status codes, rep restart, VP sets,
 *                  reference time): no instructions, host unit-tested
 *   hypercall.c    guest OS id, hypercall page, call wrappers, input pages
 *   hypercall_page.S  the executable page the hypervisor fills
 *   clock.c        reference TSC page / TIME_REF_COUNT, frequencies, wall
 *   synic.c        SynIC per CPU, the SINT message handler
 *   stimer.c       per-CPU one-shot timer: stimer0 direct or message mode,
 *                  LAPIC timer fallback
 *   ipi.c          SendSyntheticClusterIpi(Ex), LAPIC fallback
 *   flush.c        FlushVirtualAddressSpace/List(Ex), smp_flush_ipi fallback
 *   crash.c        crash MSRs, reset MSR, NotifyLongSpinWait
 *   counters.c     per-call and per-event counters, print_counters
 *   ops.c          CPUID probe, init/init_ap, hyperv_parent_ops
 *
 * Rule: a facility is used only if CPUID grants it (privileges in
 * 0x40000003, recommendations in 0x40000004); otherwise the native way.
 * What was chosen is decided once on the boot CPU (hv_enabled) before any
 * other CPU starts, and is read-only afterwards.
 */
#ifndef XHV_HYPERV_H
#define XHV_HYPERV_H

#include <hyperv/tlfs.h>
#include <xhv/cpumask.h>
#include <xhv/types.h>

struct crash_report;
struct parent_ops;

/* ------------------------------------------------------------------------
 * Pure TLFS arithmetic (drivers/hyperv/tlfs_calc.c), tested on the host.
 * ------------------------------------------------------------------------ */

/* "INVALID_PARAMETER" etc., "unknown" for codes xhv does not know. */
const char *hv_status_name(uint16_t status);
/* 0 for HV_STATUS_SUCCESS, else a -XEN_E* code (mapping in tlfs_calc.c). */
int hv_status_to_errno(uint16_t status);

/*
 * One step of a rep hypercall: `result` is what the call issued with
 * `control` returned. 1: all reps done. 0: cut short; re-issue *next (the
 * same call with RepStartIndex = reps completed). Negative -XEN_E*: the
 * call failed, or returned without progress.
 */
int hv_rep_step(uint64_t control, uint64_t result, uint64_t *next);

/*
 * Fill a sparse HV_VP_SET with the n VP indices (any order, repeats
 * allowed), using at most max_banks bank qwords' worth of VP numbers
 * (VP indices < 64 * max_banks). Returns the number of bank qwords written
 * (= the hypercall's variable header size), or -XEN_ERANGE.
 */
int hv_vp_set_build(struct hv_vp_set *set, unsigned int max_banks,
                    const uint32_t *vps, unsigned int n);
/* The VP indices as one 64-bit mask; false if any is >= 64. */
bool hv_vp_mask64(const uint32_t *vps, unsigned int n, uint64_t *mask);

/* Reference time in 100 ns units: ((tsc * scale) >> 64) + offset. */
uint64_t hv_ref_time(uint64_t tsc, uint64_t scale, int64_t offset);
/* The same in ns, keeping the product's fraction (finer than 100 ns). */
uint64_t hv_ref_time_ns(uint64_t tsc, uint64_t scale, int64_t offset);
/* False for the "invalid, read TIME_REF_COUNT" sequence values. */
bool hv_tsc_sequence_valid(uint32_t seq);

struct hv_tsc_sample {
    uint64_t tsc, scale;
    int64_t offset;
};
/*
 * Read a consistent (TSC, scale, offset) from a reference TSC page by its
 * sequence protocol. False: the page is invalid (or kept changing), and
 * the caller reads HV_MSR_TIME_REF_COUNT instead.
 */
bool hv_tsc_page_sample(const volatile struct hv_ref_tsc_page *p,
                        uint64_t (*read_tsc)(void), struct hv_tsc_sample *s);
/* The TSC rate a scale implies (Hz), 0 if absurd. */
uint64_t hv_tsc_hz_from_scale(uint64_t scale);
/*
 * STIMER_COUNT for a deadline: reference time (100 ns units, rounded up
 * so the timer never fires early) of deadline_ns on a clock that reads 0
 * at reference time base_ns; at least 1 (0 would stop the timer).
 */
uint64_t hv_ref_deadline(uint64_t deadline_ns, uint64_t base_ns);

/* ------------------------------------------------------------------------
 * Driver state.
 * ------------------------------------------------------------------------ */

/* The Hyper-V CPUID leaves, read once on the boot CPU. */
struct hv_caps {
    uint32_t max_leaf;      /* 0x40000000 EAX */
    uint32_t priv;          /* 0x40000003 EAX: HV_PRIV_* */
    uint32_t priv_hi;       /* 0x40000003 EBX: HV_PRIV_HI_* */
    uint32_t features;      /* 0x40000003 EDX: HV_FEAT_* */
    uint32_t rec;           /* 0x40000004 EAX: HV_REC_* */
    uint32_t spin_retries;  /* 0x40000004 EBX */
    uint32_t max_vps;       /* 0x40000005 EAX */
};
extern struct hv_caps hv_caps;

/* The enlightenments xhv can use, with the names the boot log prints. */
#define HV_ENLIGHTENMENTS(X)                                                \
    X(HYPERCALL,      "hypercall-page")                                     \
    X(VP_INDEX,       "vp-index")                                           \
    X(REF_COUNT,      "time-ref-count")                                     \
    X(REF_TSC,        "reference-tsc-page")                                 \
    X(FREQ_MSRS,      "frequency-msrs")                                     \
    X(SYNIC,          "synic")                                              \
    X(STIMER_DIRECT,  "stimer0-direct")                                     \
    X(STIMER_MSG,     "stimer0-message")                                    \
    X(CLUSTER_IPI,    "cluster-ipi")                                        \
    X(CLUSTER_IPI_EX, "cluster-ipi-ex")                                     \
    X(REMOTE_FLUSH,   "remote-flush")                                       \
    X(REMOTE_FLUSH_EX, "remote-flush-ex")                                   \
    X(LOCAL_FLUSH,    "local-flush")                                        \
    X(SPIN_NOTIFY,    "long-spin-notify")                                   \
    X(CRASH_MSRS,     "crash-msrs")                                         \
    X(RESET_MSR,      "reset-msr")

#define HV_ENL_ENUM(id, name) HV_ENL_##id,
enum hv_enlightenment { HV_ENLIGHTENMENTS(HV_ENL_ENUM) HV_NR_ENL };
#undef HV_ENL_ENUM

/* Bit e set: enlightenment e is in use. Written only by hv_init(). */
extern uint32_t hv_enabled;

static inline bool hv_uses(enum hv_enlightenment e)
{
    return (hv_enabled >> e) & 1;
}

/* Per-CPU driver state, indexed by shim CPU (percpu.cpu_id). */
struct hv_cpu {
    void *input;                /* hypercall input page (direct map) */
    uint64_t input_pa;
    struct hv_message_page *simp;   /* SynIC message page (message mode) */
    uint64_t simp_pa;
    bool vp_known;              /* percpu.vp_index read from VP_INDEX */
    uint64_t last_ns;           /* clock_ns() never goes back on a CPU */
};
extern struct hv_cpu hv_cpus[XHV_MAX_CPUS];

/*
 * The SINT xhv's stimer0 posts to in message mode: xhv's choice. Not 0
 * (timers.md: an enabled message-mode timer with SINTx 0 is disabled at
 * once), not 2 (Linux's VMBus message SINT, kept for a later VMBus driver).
 */
#define XHV_HV_STIMER_SINT      1

/* ------------------------------------------------------------------------
 * Counters (counters.c): each Hyper-V call xhv issues, and the events a
 * run should show (which Xen work became which Hyper-V work).
 * ------------------------------------------------------------------------ */
#define HV_CALLS(X)                                                         \
    X(FLUSH_SPACE,    HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,                   \
      "HvCallFlushVirtualAddressSpace")                                     \
    X(FLUSH_LIST,     HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,                    \
      "HvCallFlushVirtualAddressList")                                      \
    X(SPIN_WAIT,      HVCALL_NOTIFY_LONG_SPIN_WAIT,                         \
      "HvCallNotifyLongSpinWait")                                           \
    X(IPI,            HVCALL_SEND_SYNTHETIC_CLUSTER_IPI,                    \
      "HvCallSendSyntheticClusterIpi")                                      \
    X(FLUSH_SPACE_EX, HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,                \
      "HvCallFlushVirtualAddressSpaceEx")                                   \
    X(FLUSH_LIST_EX,  HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,                 \
      "HvCallFlushVirtualAddressListEx")                                    \
    X(IPI_EX,         HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX,                 \
      "HvCallSendSyntheticClusterIpiEx")

#define HV_EVENTS(X)                                                        \
    X(REP_RESTART,    "rep hypercalls re-issued after partial completion")  \
    X(STIMER_ARM,     "STIMER0_COUNT writes (timer programmed)")            \
    X(STIMER_STOP,    "STIMER0_COUNT zeroed (timer stopped)")               \
    X(STIMER_IRQ,     "stimer0 direct interrupts")                          \
    X(SINT_TIMER_MSG, "stimer0 expiry messages (SINT)")                     \
    X(SINT_EOM,       "EOM writes (more messages queued)")                  \
    X(REF_COUNT_READ, "TIME_REF_COUNT reads (TSC page invalid or absent)")  \
    X(LAPIC_TIMER,    "LAPIC timer arms (native fallback)")                 \
    X(IPI_NATIVE,     "LAPIC IPIs (native fallback)")                       \
    X(FLUSH_NATIVE,   "IPI TLB flushes (native fallback)")                  \
    X(FLUSH_LOCAL,    "local TLB flushes")                                  \
    X(SPIN_RELAX,     "spin waits below the retry hint (pause)")            \
    X(CRASH_REPORT,   "crash MSR reports")                                  \
    X(RESET,          "RESET MSR writes")

#define HV_CTR_CALL_ENUM(id, code, name) HV_CTR_##id,
#define HV_CTR_EVENT_ENUM(id, text) HV_CTR_##id,
enum hv_counter {
    HV_CALLS(HV_CTR_CALL_ENUM)
    HV_CTR_OTHER_CALL,          /* a call code not in HV_CALLS */
    HV_EVENTS(HV_CTR_EVENT_ENUM)
    HV_NR_COUNTERS
};
#undef HV_CTR_CALL_ENUM
#undef HV_CTR_EVENT_ENUM

void hv_count(enum hv_counter c);
/* One hypercall issued; `failed`: it returned a status other than 0. */
void hv_count_call(uint16_t code, bool failed);
/* "HvCallFlushVirtualAddressSpace", or "hypercall" for unknown codes. */
const char *hv_call_name(uint16_t code);
void hv_print_counters(void);

/* ------------------------------------------------------------------------
 * hypercall.c
 * ------------------------------------------------------------------------ */
/* The page the hypervisor fills (hypercall_page.S), inside .text. */
extern char hv_hypercall_page[];

/* Set the guest OS id and enable the hypercall page. 0 or -XEN_E*. */
int hv_hypercall_init(void);
/* Fast call, two input qwords in RDX and R8. 0 or -XEN_E*. */
int hv_call_fast(uint16_t code, uint64_t in0, uint64_t in1);
/* Memory-input call (simple). in_pa/out_pa: GPAs, 8-byte aligned. */
int hv_call_mem(uint16_t code, unsigned int varhead_qwords, uint64_t in_pa,
                uint64_t out_pa);
/* Memory-input rep call of `reps` elements, re-issued until all done. */
int hv_call_rep(uint16_t code, unsigned int varhead_qwords,
                unsigned int reps, uint64_t in_pa, uint64_t out_pa);
/*
 * This CPU's input page for a memory-input call: interrupts are off from
 * get to put, so nothing else on this CPU can reuse the page meanwhile.
 */
void *hv_input_get(uint64_t *pa, uint64_t *irq_flags);
void hv_input_put(uint64_t irq_flags);

/* ------------------------------------------------------------------------
 * clock.c
 * ------------------------------------------------------------------------ */
int hv_clock_init(void);
uint64_t hv_clock_ns(void);
uint64_t hv_tsc_khz(void);
uint64_t hv_wallclock_ns(void);
/* STIMER0_COUNT value for a clock_ns() deadline. */
uint64_t hv_clock_deadline_ref(uint64_t deadline_ns);
/* LAPIC timer rate (Hz) for the LAPIC timer fallback, 0 if unknown. */
uint64_t hv_lapic_hz(void);

/* ------------------------------------------------------------------------
 * synic.c, stimer.c
 * ------------------------------------------------------------------------ */
/* Install the SINT handler (message mode), on the boot CPU. */
void hv_synic_init(void);
/* Enable this CPU's SynIC; with `messages`, its SIMP page and SINT. */
int hv_synic_init_cpu(struct hv_cpu *c, bool messages);
/* Pick the timer (stimer0 direct, message, LAPIC), install handlers. */
int hv_timer_init(void);
/* Program this CPU's timer hardware for the chosen mode. */
int hv_timer_init_cpu(void);
void hv_timer_set(uint64_t deadline_ns, void (*fn)(void *ctx), void *ctx);
void hv_timer_stop(void);
/* This CPU's timer went off (any mode): run or re-arm percpu.timer. */
void hv_timer_expired(void);

/* ------------------------------------------------------------------------
 * ipi.c, flush.c, crash.c, ops.c
 * ------------------------------------------------------------------------ */
void hv_send_ipi(const struct cpumask *cpus, uint8_t vector);
void hv_tlb_flush_local(uint64_t va, bool all);
void hv_tlb_flush(const struct cpumask *cpus, uint64_t va, bool all);
/* Decide crash MSRs, reset MSR and spin notification (crash.c). */
void hv_crash_init(void);
void hv_crash_report(const struct crash_report *c);
__noreturn void hv_reset(void);
void hv_spin_wait_notify(uint32_t count);

/*
 * The VP indices of the online CPUs in `cpus`, into vps[XHV_MAX_CPUS].
 * Returns how many (0: none online), or -1 if an online CPU's VP index is
 * unknown (then: the native way).
 */
int hv_cpus_to_vps(const struct cpumask *cpus, uint32_t *vps);

/* For drivers/parent.c: one line naming the enlightenments in use. */
void hv_print_enlightenments(void);

extern const struct parent_ops hyperv_parent_ops;

#endif /* XHV_HYPERV_H */
