/*
 * Pure TLFS arithmetic of the Hyper-V driver: hypercall status codes, rep
 * restart, sparse VP sets and reference time. No instructions and no
 * state, so tests/unit/test_hyperv.c compiles this file unchanged on the
 * host. The formats are in include/hyperv/tlfs.h.
 */
#include <hyperv/tlfs.h>
#include <xhv/hyperv.h>
#include <xhv/xen.h>

/*
 * HV_STATUS -> -XEN_E*, for callers that only need to know what went
 * wrong in kind; the name goes to the log.
 *   bad call code                          -XEN_ENOSYS
 *   bad input value, alignment, parameter,
 *     partition id                         -XEN_EINVAL
 *   bad VP index                           -XEN_ESRCH
 *   access / operation denied              -XEN_EACCES / -XEN_EPERM
 *   partition or SynIC state               -XEN_EBUSY
 *   memory / buffers                       -XEN_ENOMEM / -XEN_ENOBUFS
 *   port or connection id                  -XEN_ENOENT
 *   feature unavailable                    -XEN_EOPNOTSUPP
 *   anything else                          -XEN_EIO
 */
#define HV_STATUS_ENTRY(code, err) { HV_STATUS_##code, err, #code }
static const struct {
    uint16_t status;
    int err;
    const char *name;
} hv_statuses[] = {
    HV_STATUS_ENTRY(SUCCESS,                 0),
    HV_STATUS_ENTRY(INVALID_HYPERCALL_CODE,  -XEN_ENOSYS),
    HV_STATUS_ENTRY(INVALID_HYPERCALL_INPUT, -XEN_EINVAL),
    HV_STATUS_ENTRY(INVALID_ALIGNMENT,       -XEN_EINVAL),
    HV_STATUS_ENTRY(INVALID_PARAMETER,       -XEN_EINVAL),
    HV_STATUS_ENTRY(ACCESS_DENIED,           -XEN_EACCES),
    HV_STATUS_ENTRY(INVALID_PARTITION_STATE, -XEN_EBUSY),
    HV_STATUS_ENTRY(OPERATION_DENIED,        -XEN_EPERM),
    HV_STATUS_ENTRY(INSUFFICIENT_MEMORY,     -XEN_ENOMEM),
    HV_STATUS_ENTRY(INVALID_PARTITION_ID,    -XEN_EINVAL),
    HV_STATUS_ENTRY(INVALID_VP_INDEX,        -XEN_ESRCH),
    HV_STATUS_ENTRY(INVALID_PORT_ID,         -XEN_ENOENT),
    HV_STATUS_ENTRY(INVALID_CONNECTION_ID,   -XEN_ENOENT),
    HV_STATUS_ENTRY(INSUFFICIENT_BUFFERS,    -XEN_ENOBUFS),
    HV_STATUS_ENTRY(INVALID_SYNIC_STATE,     -XEN_EBUSY),
    HV_STATUS_ENTRY(FEATURE_UNAVAILABLE,     -XEN_EOPNOTSUPP),
};
#undef HV_STATUS_ENTRY

const char *hv_status_name(uint16_t status)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(hv_statuses); i++)
        if (hv_statuses[i].status == status)
            return hv_statuses[i].name;
    return "unknown";
}

int hv_status_to_errno(uint16_t status)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(hv_statuses); i++)
        if (hv_statuses[i].status == status)
            return hv_statuses[i].err;
    return -XEN_EIO;
}

/*
 * hypercall-interface.md, rep hypercalls: "reps completed" in the result
 * counts from rep 0, not from RepStartIndex. The hypervisor may return
 * SUCCESS before all reps are done; the caller then re-issues the call
 * with RepStartIndex = reps completed, the input unchanged. A return that
 * completed nothing new would repeat for ever, so it is an error here.
 */
int hv_rep_step(uint64_t control, uint64_t result, uint64_t *next)
{
    unsigned int count = hv_hc_rep_count(control);
    unsigned int start = hv_hc_rep_start(control);
    unsigned int done = hv_result_reps(result);
    uint16_t status = hv_result_status(result);

    if (status != HV_STATUS_SUCCESS)
        return hv_status_to_errno(status);
    if (done == count)
        return 1;
    if (done > count || done <= start)
        return -XEN_EIO;
    *next = hv_hc_with_rep_start(control, done);
    return 0;
}

/* Own: __builtin_popcountll may call into libgcc, which the shim lacks. */
static unsigned int popcount64(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned int)((x * 0x0101010101010101ULL) >> 56);
}

/*
 * datatypes/hv_vp_set.md: only the banks holding a VP are stored, in
 * ascending bank order, so a VP's qword is the number of present banks
 * below its own.
 */
int hv_vp_set_build(struct hv_vp_set *set, unsigned int max_banks,
                    const uint32_t *vps, unsigned int n)
{
    uint64_t mask = 0;
    unsigned int i, nr;

    if (max_banks > HV_VP_SET_MAX_BANKS)
        max_banks = HV_VP_SET_MAX_BANKS;
    for (i = 0; i < n; i++) {
        if (vps[i] / HV_VP_SET_BANK_BITS >= max_banks)
            return -XEN_ERANGE;
        mask |= BIT(vps[i] / HV_VP_SET_BANK_BITS);
    }
    nr = popcount64(mask);
    set->format = HV_GENERIC_SET_SPARSE_4K;
    set->valid_bank_mask = mask;
    for (i = 0; i < nr; i++)
        set->bank_contents[i] = 0;
    for (i = 0; i < n; i++) {
        unsigned int bank = vps[i] / HV_VP_SET_BANK_BITS;
        unsigned int slot = popcount64(mask & (BIT(bank) - 1));

        set->bank_contents[slot] |= BIT(vps[i] % HV_VP_SET_BANK_BITS);
    }
    return (int)nr;
}

bool hv_vp_mask64(const uint32_t *vps, unsigned int n, uint64_t *mask)
{
    unsigned int i;

    *mask = 0;
    for (i = 0; i < n; i++) {
        if (vps[i] >= 64)
            return false;
        *mask |= BIT(vps[i]);
    }
    return true;
}

/*
 * timers.md: ReferenceTime = ((VirtualTsc * TscScale) >> 64) + TscOffset.
 * The offset is signed; adding it as unsigned is the same modulo 2^64.
 */
uint64_t hv_ref_time(uint64_t tsc, uint64_t scale, int64_t offset)
{
    return (uint64_t)(((unsigned __int128)tsc * scale) >> 64) +
           (uint64_t)offset;
}

uint64_t hv_ref_time_ns(uint64_t tsc, uint64_t scale, int64_t offset)
{
    unsigned __int128 p = (unsigned __int128)tsc * scale;
    uint64_t units = (uint64_t)(p >> 64) + (uint64_t)offset;
    uint64_t frac = (uint64_t)p;    /* 2^-64 units of 100 ns */

    return units * 100 + (uint64_t)(((unsigned __int128)frac * 100) >> 64);
}

bool hv_tsc_sequence_valid(uint32_t seq)
{
    return seq != HV_TSC_SEQUENCE_INVALID &&
           seq != HV_TSC_SEQUENCE_INVALID_OLD;
}

/* The hypervisor rewrites the page rarely (migration, host clock step). */
#define HV_TSC_PAGE_TRIES   16

/*
 * timers.md, reading the reference TSC page: sample the sequence; if it
 * is valid read scale, offset and the TSC, then the sequence again; equal
 * means the three belong together. x86 keeps loads in order, so compiler
 * barriers are enough between the reads.
 */
bool hv_tsc_page_sample(const volatile struct hv_ref_tsc_page *p,
                        uint64_t (*read_tsc)(void), struct hv_tsc_sample *s)
{
    unsigned int tries;

    /* Invariant: *s is returned only from one unchanged, valid sequence. */
    for (tries = 0; tries < HV_TSC_PAGE_TRIES; tries++) {
        uint32_t seq = p->tsc_sequence;

        if (!hv_tsc_sequence_valid(seq))
            return false;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        s->scale = p->tsc_scale;
        s->offset = p->tsc_offset;
        s->tsc = read_tsc();
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        if (p->tsc_sequence == seq)
            return true;
    }
    return false;
}

/*
 * (hi:lo) / d by shift and subtract: a 128-bit division would call into
 * libgcc. False if the quotient does not fit in 64 bits (hi >= d).
 */
static bool div128_64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *q)
{
    uint64_t rem = hi, quo = 0;
    int i;

    if (!d || hi >= d)
        return false;
    /* Invariant: rem < d; quo holds the quotient bits above bit i. */
    for (i = 63; i >= 0; i--) {
        bool carry = rem >> 63;     /* rem << 1 would lose this bit */

        rem = (rem << 1) | ((lo >> i) & 1);
        quo <<= 1;
        if (carry || rem >= d) {
            rem -= d;
            quo |= 1;
        }
    }
    *q = quo;
    return true;
}

/* A tick is scale / 2^64 units of 100 ns: Hz = 10^7 * 2^64 / scale. */
uint64_t hv_tsc_hz_from_scale(uint64_t scale)
{
    uint64_t hz;

    return div128_64(HV_REF_TIME_HZ, 0, scale, &hz) ? hz : 0;
}

uint64_t hv_ref_deadline(uint64_t deadline_ns, uint64_t base_ns)
{
    uint64_t ns = deadline_ns + base_ns;
    uint64_t ref;

    if (ns < deadline_ns)           /* "never": the farthest we can say */
        ns = UINT64_MAX;
    ref = ns / 100 + (ns % 100 != 0);
    return ref ? ref : 1;
}
