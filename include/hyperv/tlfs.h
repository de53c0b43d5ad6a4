/*
 * The Hyper-V guest ABI as xhv uses it: the one place that knows it.
 *
 * Written from Microsoft's Hypervisor Top-Level Functional Specification
 * (TLFS 6.0b, published as MicrosoftDocs/Virtualization-Documentation
 * virtualization/hyper-v-on-windows/tlfs/) and checked against the fact
 * sheet ../shared/docs/hyperv-facts.md. Each group names its TLFS page
 * (tlfs/<page>.md) and type. Only what xhv uses is here.
 *
 * Pure definitions and pure encoders (no instructions): the host unit tests
 * include this file.
 */
#ifndef HYPERV_TLFS_H
#define HYPERV_TLFS_H

#include <xhv/types.h>

/* ------------------------------------------------------------------------
 * TLFS feature-discovery.md: the hypervisor CPUID leaves.
 * ------------------------------------------------------------------------ */
#define HV_CPUID_VENDOR_MAX         0x40000000  /* EAX: highest leaf */
#define HV_CPUID_INTERFACE          0x40000001  /* EAX: interface signature */
#define HV_CPUID_VERSION            0x40000002
#define HV_CPUID_FEATURES           0x40000003  /* privileges and features */
#define HV_CPUID_ENLIGHTENMENTS     0x40000004  /* recommendations */
#define HV_CPUID_LIMITS             0x40000005  /* max VPs, LPs */
#define HV_CPUID_HW_FEATURES        0x40000006
#define HV_CPUID_NESTED_FEATURES    0x4000000A
/* Leaves beyond this belong to someone else (KVM's at 0x40000100). */
#define HV_CPUID_MAX_LEAF           0x400000FF

#define HV_INTERFACE_SIGNATURE      0x31237648  /* "Hv#1" */

/*
 * 0x40000003 EAX: HV_PARTITION_PRIVILEGE_MASK bits 31:0 (the synthetic
 * MSRs this partition may access; datatypes/hv_partition_privilege_mask.md).
 */
#define HV_PRIV_VP_RUNTIME          BIT(0)
#define HV_PRIV_TIME_REF_COUNT      BIT(1)
#define HV_PRIV_SYNIC               BIT(2)
#define HV_PRIV_SYNTIMER            BIT(3)
#define HV_PRIV_APIC_MSRS           BIT(4)
#define HV_PRIV_HYPERCALL           BIT(5)  /* also GUEST_OS_ID */
#define HV_PRIV_VP_INDEX            BIT(6)
#define HV_PRIV_RESET               BIT(7)
#define HV_PRIV_REFERENCE_TSC       BIT(9)
#define HV_PRIV_GUEST_IDLE          BIT(10)
#define HV_PRIV_FREQUENCY_MSRS      BIT(11)
#define HV_PRIV_REENLIGHTENMENT     BIT(13)

/* 0x40000003 EBX: privilege mask bits 63:32 (hypercalls). */
#define HV_PRIV_HI_POST_MESSAGES    BIT(4)
#define HV_PRIV_HI_SIGNAL_EVENTS    BIT(5)
#define HV_PRIV_HI_EXTENDED_HYPERCALLS BIT(20)

/* 0x40000003 EDX: features available to the partition. */
#define HV_FEAT_XMM_HYPERCALL_INPUT BIT(4)
#define HV_FEAT_GUEST_IDLE          BIT(5)
#define HV_FEAT_FREQUENCY_MSRS      BIT(8)
#define HV_FEAT_CRASH_MSRS          BIT(10)
#define HV_FEAT_XMM_HYPERCALL_OUTPUT BIT(15)
#define HV_FEAT_STIMER_DIRECT       BIT(19)

/* 0x40000004 EAX: implementation recommendations. */
#define HV_REC_AS_SWITCH            BIT(0)  /* hypercall for CR3 switch */
#define HV_REC_LOCAL_TLB_FLUSH      BIT(1)
#define HV_REC_REMOTE_TLB_FLUSH     BIT(2)
#define HV_REC_APIC_MSRS            BIT(3)
#define HV_REC_RESET_MSR            BIT(4)
#define HV_REC_RELAXED_TIMING       BIT(5)
#define HV_REC_DEPRECATE_AUTO_EOI   BIT(9)
#define HV_REC_CLUSTER_IPI          BIT(10) /* HvCallSendSyntheticClusterIpi */
#define HV_REC_EX_PROCESSOR_MASKS   BIT(11) /* the ...Ex forms, HV_VP_SET */
/* 0x40000004 EBX: spin retries before HvCallNotifyLongSpinWait. */
#define HV_SPIN_RETRIES_NEVER       0xFFFFFFFFu

/* ------------------------------------------------------------------------
 * Synthetic MSRs (x64), each named on the TLFS page that uses it.
 * ------------------------------------------------------------------------ */
#define HV_MSR_GUEST_OS_ID          0x40000000
#define HV_MSR_HYPERCALL            0x40000001
#define HV_MSR_VP_INDEX             0x40000002
#define HV_MSR_RESET                0x40000003
#define HV_MSR_VP_RUNTIME           0x40000010
#define HV_MSR_TIME_REF_COUNT       0x40000020  /* 100 ns units, read-only */
#define HV_MSR_REFERENCE_TSC        0x40000021
#define HV_MSR_TSC_FREQUENCY        0x40000022  /* Hz */
#define HV_MSR_APIC_FREQUENCY       0x40000023  /* Hz */
#define HV_MSR_SCONTROL             0x40000080
#define HV_MSR_SVERSION             0x40000081
#define HV_MSR_SIEFP                0x40000082
#define HV_MSR_SIMP                 0x40000083
#define HV_MSR_EOM                  0x40000084
#define HV_MSR_SINT0                0x40000090  /* SINTn = SINT0 + n */
#define HV_MSR_STIMER0_CONFIG       0x400000B0  /* STIMERn_CONFIG = + 2n */
#define HV_MSR_STIMER0_COUNT        0x400000B1  /* STIMERn_COUNT = + 2n */
#define HV_MSR_CRASH_P0             0x40000100  /* P0..P4 consecutive */
#define HV_MSR_CRASH_CTL            0x40000105

/*
 * hypercall-interface.md "Reporting the Guest OS Identity", open-source
 * encoding: bit 63 set,
 * 62:56 OS type, 55:48 OS id (vendor/distribution), 47:16 version,
 * 15:0 build.
 */
#define HV_GUEST_OS_ID_OPEN_SOURCE  BIT(63)
#define HV_GUEST_OS_TYPE_SHIFT      56
#define HV_GUEST_OS_TYPE_LINUX      0x1
#define HV_GUEST_OS_TYPE_FREEBSD    0x2
#define HV_GUEST_OS_TYPE_XEN        0x3
#define HV_GUEST_OS_TYPE_ILLUMOS    0x4
#define HV_GUEST_OS_ID_SHIFT        48
#define HV_GUEST_OS_VERSION_SHIFT   16

static inline uint64_t hv_guest_os_id(unsigned int os_type, uint8_t os_id,
                                      uint32_t version, uint16_t build)
{
    return HV_GUEST_OS_ID_OPEN_SOURCE |
           ((uint64_t)(os_type & 0x7f) << HV_GUEST_OS_TYPE_SHIFT) |
           ((uint64_t)os_id << HV_GUEST_OS_ID_SHIFT) |
           ((uint64_t)version << HV_GUEST_OS_VERSION_SHIFT) | build;
}

/*
 * hypercall-interface.md HV_X64_MSR_HYPERCALL_CONTENTS and timers.md
 * HV_REFERENCE_TSC_MSR share a shape: bit 0 enable, 63:12 the page's GPA
 * (GPFN); bits 11:1 (11:2 for HYPERCALL, whose bit 1 is "locked") are
 * preserved on write.
 */
#define HV_MSR_PAGE_ENABLE          BIT(0)
#define HV_HYPERCALL_LOCKED         BIT(1)
#define HV_MSR_PAGE_GPA_MASK        (~0xfffULL)

/* ------------------------------------------------------------------------
 * hypercall-interface.md "Hypercall Inputs" (x64 register form): the input
 * value in RCX.
 * ------------------------------------------------------------------------ */
#define HV_HC_CODE_MASK             0xffffULL       /* 15:0 */
#define HV_HC_FAST                  BIT(16)
#define HV_HC_VARHEAD_SHIFT         17              /* 26:17, in qwords */
#define HV_HC_VARHEAD_MAX           0x3ffU
#define HV_HC_REP_COUNT_SHIFT       32              /* 43:32 */
#define HV_HC_REP_START_SHIFT       48              /* 59:48 */
#define HV_HC_REP_MAX               0xfffU
/* The result value in RAX: 15:0 status, 43:32 reps completed (absolute). */
#define HV_HC_RESULT_STATUS_MASK    0xffffULL
#define HV_HC_RESULT_REPS_SHIFT     32

static inline uint64_t hv_hc_control(uint16_t code, bool fast,
                                     unsigned int varhead_qwords,
                                     unsigned int rep_count,
                                     unsigned int rep_start)
{
    return (uint64_t)code | (fast ? HV_HC_FAST : 0) |
           ((uint64_t)(varhead_qwords & HV_HC_VARHEAD_MAX)
            << HV_HC_VARHEAD_SHIFT) |
           ((uint64_t)(rep_count & HV_HC_REP_MAX) << HV_HC_REP_COUNT_SHIFT) |
           ((uint64_t)(rep_start & HV_HC_REP_MAX) << HV_HC_REP_START_SHIFT);
}

static inline uint16_t hv_hc_code(uint64_t control)
{
    return (uint16_t)(control & HV_HC_CODE_MASK);
}

static inline unsigned int hv_hc_rep_count(uint64_t control)
{
    return (unsigned int)(control >> HV_HC_REP_COUNT_SHIFT) & HV_HC_REP_MAX;
}

static inline unsigned int hv_hc_rep_start(uint64_t control)
{
    return (unsigned int)(control >> HV_HC_REP_START_SHIFT) & HV_HC_REP_MAX;
}

static inline uint64_t hv_hc_with_rep_start(uint64_t control,
                                            unsigned int start)
{
    control &= ~((uint64_t)HV_HC_REP_MAX << HV_HC_REP_START_SHIFT);
    return control | ((uint64_t)(start & HV_HC_REP_MAX)
                      << HV_HC_REP_START_SHIFT);
}

static inline uint16_t hv_result_status(uint64_t result)
{
    return (uint16_t)(result & HV_HC_RESULT_STATUS_MASK);
}

static inline unsigned int hv_result_reps(uint64_t result)
{
    return (unsigned int)(result >> HV_HC_RESULT_REPS_SHIFT) & HV_HC_REP_MAX;
}

/* datatypes/hv_status.md, hypercall-interface.md: HV_STATUS. */
#define HV_STATUS_SUCCESS                   0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE    0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT   0x0003
#define HV_STATUS_INVALID_ALIGNMENT         0x0004
#define HV_STATUS_INVALID_PARAMETER         0x0005
#define HV_STATUS_ACCESS_DENIED             0x0006
#define HV_STATUS_INVALID_PARTITION_STATE   0x0007
#define HV_STATUS_OPERATION_DENIED          0x0008
#define HV_STATUS_INSUFFICIENT_MEMORY       0x000B
#define HV_STATUS_INVALID_PARTITION_ID      0x000D
#define HV_STATUS_INVALID_VP_INDEX          0x000E
#define HV_STATUS_INVALID_PORT_ID           0x0011
#define HV_STATUS_INVALID_CONNECTION_ID     0x0012
#define HV_STATUS_INSUFFICIENT_BUFFERS      0x0013
#define HV_STATUS_INVALID_SYNIC_STATE       0x0018
#define HV_STATUS_FEATURE_UNAVAILABLE       0x001E

/* hypercalls/overview.md: the calls xhv issues (hypercalls/HvCall*.md). */
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE      0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST       0x0003  /* rep */
#define HVCALL_NOTIFY_LONG_SPIN_WAIT            0x0008
#define HVCALL_SEND_SYNTHETIC_CLUSTER_IPI       0x000B
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX   0x0013
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX    0x0014  /* rep */
#define HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX    0x0015

/* ------------------------------------------------------------------------
 * datatypes/hv_vp_set.md HV_VP_SET: a set of VP indices. Bank b
 * covers VPs 64b..64b+63; ValidBanksMask bit b says bank b is present, and
 * the present banks' qwords follow in ascending bank order. In a hypercall
 * input the bank qwords are the variable header.
 * ------------------------------------------------------------------------ */
#define HV_GENERIC_SET_SPARSE_4K    0
#define HV_GENERIC_SET_ALL          1
#define HV_VP_SET_BANK_BITS         64
#define HV_VP_SET_MAX_BANKS         64  /* ValidBanksMask is one qword */

struct hv_vp_set {
    uint64_t format;
    uint64_t valid_bank_mask;
    uint64_t bank_contents[];
};

/* ------------------------------------------------------------------------
 * virtual-mmu.md, hypercalls/HvCallFlushVirtualAddress{Space,List}[Ex].md.
 * Flags (HV_FLUSH_FLAGS):
 * ------------------------------------------------------------------------ */
#define HV_FLUSH_ALL_PROCESSORS             BIT(0)
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES BIT(1)
#define HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY   BIT(2)  /* not for the List */
#define HV_FLUSH_USE_EXTENDED_RANGE_FORMAT  BIT(3)
/* A GVA list entry: page number, low 12 bits = additional pages (0..4095). */
#define HV_GVA_ADDITIONAL_PAGES_MASK        0xfffULL

struct hv_flush_input {             /* Space; List appends gva_list[] */
    uint64_t address_space;
    uint64_t flags;
    uint64_t processor_mask;        /* VP-index bits 0..63 */
    uint64_t gva_list[];
};

struct hv_flush_input_ex {          /* SpaceEx; ListEx: GVAs after banks */
    uint64_t address_space;
    uint64_t flags;
    struct hv_vp_set vp_set;
};

/* ------------------------------------------------------------------------
 * virtual-interrupts.md, hypercalls/HvCallSendSyntheticClusterIpi[Ex].md.
 * Fast form of the non-Ex call: RDX = vector | target VTL << 32, R8 = mask.
 * ------------------------------------------------------------------------ */
#define HV_IPI_LOW_VECTOR           0x10
#define HV_IPI_HIGH_VECTOR          0xff

struct hv_send_ipi_input {
    uint32_t vector;
    uint8_t target_vtl;
    uint8_t reserved[3];
    uint64_t processor_mask;
};

struct hv_send_ipi_ex_input {
    uint32_t vector;
    uint8_t target_vtl;
    uint8_t reserved[3];
    struct hv_vp_set vp_set;
};

/* ------------------------------------------------------------------------
 * timers.md "Partition Reference TSC Mechanism" (HV_REFERENCE_TSC_PAGE).
 * Reference time (100 ns) = ((TSC * TscScale) >> 64) + TscOffset, with a
 * 128-bit product. TscSequence 0 means "invalid: read TIME_REF_COUNT"; the
 * TLFS once named 0xFFFFFFFF for that, which no hypervisor publishes as a
 * valid sequence, so xhv treats both as invalid.
 * ------------------------------------------------------------------------ */
#define HV_TSC_SEQUENCE_INVALID     0u
#define HV_TSC_SEQUENCE_INVALID_OLD 0xFFFFFFFFu
#define HV_REF_TIME_HZ              10000000ULL     /* 100 ns units */

struct hv_ref_tsc_page {
    uint32_t tsc_sequence;
    uint32_t reserved1;
    uint64_t tsc_scale;
    int64_t tsc_offset;
    uint64_t reserved2[509];
};

/* ------------------------------------------------------------------------
 * inter-partition-communication.md, SynIC: SCONTROL, SIMP/SIEFP, SINTx, EOM.
 * SIMP and SIEFP: bit 0 enable, 63:12 GPA (the HV_MSR_PAGE_* shape).
 * ------------------------------------------------------------------------ */
#define HV_SCONTROL_ENABLE          BIT(0)
#define HV_SYNIC_SINT_COUNT         16
#define HV_SINT_VECTOR_MASK         0xffULL         /* vector >= 16 */
#define HV_SINT_MASKED              BIT(16)
#define HV_SINT_AUTO_EOI            BIT(17)
#define HV_SINT_POLLING             BIT(18)

/* datatypes/hv_message.md HV_MESSAGE: one 256-byte slot per SINT (SIMP). */
#define HV_MESSAGE_SIZE             256
#define HV_MESSAGE_PAYLOAD_QWORDS   30
#define HVMSG_NONE                  0x00000000u
#define HVMSG_TIMER_EXPIRED         0x80000010u
#define HV_MESSAGE_FLAG_PENDING     BIT(0)  /* write EOM after consuming */

struct hv_message_header {
    uint32_t message_type;
    uint8_t payload_size;
    uint8_t message_flags;
    uint8_t reserved[2];
    uint64_t sender;                /* port id or partition id */
};

struct hv_message {
    struct hv_message_header header;
    uint64_t payload[HV_MESSAGE_PAYLOAD_QWORDS];
};

struct hv_message_page {
    struct hv_message sint_message[HV_SYNIC_SINT_COUNT];
};

/* datatypes/hv_timer_message_payload.md (HVMSG_TIMER_EXPIRED). */
struct hv_timer_message_payload {
    uint32_t timer_index;
    uint32_t reserved;
    uint64_t expiration_time;       /* reference time, 100 ns */
    uint64_t delivery_time;
};

/* ------------------------------------------------------------------------
 * timers.md "Synthetic Timers": STIMERn_CONFIG. STIMERn_COUNT holds the
 * absolute expiry in reference time (one-shot) or the period; writing 0
 * stops the timer whatever AutoEnable says.
 * ------------------------------------------------------------------------ */
#define HV_STIMER_ENABLE            BIT(0)
#define HV_STIMER_PERIODIC          BIT(1)
#define HV_STIMER_LAZY              BIT(2)
#define HV_STIMER_AUTO_ENABLE       BIT(3)  /* a COUNT write enables */
#define HV_STIMER_VECTOR_SHIFT      4       /* 11:4, direct mode */
#define HV_STIMER_DIRECT_MODE       BIT(12)
#define HV_STIMER_SINT_SHIFT        16      /* 19:16, message mode */

/* ------------------------------------------------------------------------
 * datatypes/hv_crash_ctl_reg_contents.md, guest crash reporting:
 * CRASH_P0..P4 are free-form; writing CRASH_CTL with CRASH_NOTIFY reports
 * them. Reading CRASH_CTL tells which
 * notifications the hypervisor supports.
 * ------------------------------------------------------------------------ */
#define HV_CRASH_CTL_CRASH_NOTIFY       BIT(63)
#define HV_CRASH_CTL_CRASH_NOTIFY_MSG   BIT(62)
#define HV_CRASH_NR_PARAMS              5

/*
 * HV_X64_MSR_RESET (privilege AccessResetMsr; not on a TLFS page, see
 * Linux hyperv-tlfs.h and KVM): writing 1 resets the partition.
 */
#define HV_RESET_NOW                1

/* The layouts above are the ABI: pin their sizes. */
BUILD_BUG_ON(sizeof(struct hv_ref_tsc_page) != 4096);
BUILD_BUG_ON(sizeof(struct hv_message) != HV_MESSAGE_SIZE);
BUILD_BUG_ON(sizeof(struct hv_message_page) != 4096);
BUILD_BUG_ON(sizeof(struct hv_send_ipi_input) != 16);
BUILD_BUG_ON(sizeof(struct hv_send_ipi_ex_input) != 24);
BUILD_BUG_ON(sizeof(struct hv_flush_input) != 24);
BUILD_BUG_ON(sizeof(struct hv_flush_input_ex) != 32);
BUILD_BUG_ON(sizeof(struct hv_timer_message_payload) != 24);

#endif /* HYPERV_TLFS_H */
