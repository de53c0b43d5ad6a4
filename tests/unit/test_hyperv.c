/*
 * Unit tests for the Hyper-V driver's pure part: the TLFS encoders of
 * include/hyperv/tlfs.h and drivers/hyperv/tlfs_calc.c, compiled
 * unchanged for the host.
 *
 * Why these: they are the parts that cannot be watched on a real parent.
 * A wrong control-word bit or VP-set bank order is answered with
 * INVALID_HYPERCALL_INPUT (or, worse, flushes or interrupts the wrong
 * VPs); a wrong restart index repeats or skips reps; a wrong reference
 * time skews every guest clock. Each is checked against a model written
 * independently here: field-by-field encodings, a fake hypervisor that
 * completes few reps per call, VP sets decoded back to their members, and
 * a partition reference counter computed from a TSC rate with exact
 * 128-bit division (which the freestanding code cannot use).
 */
#include "harness.h"

#include <hyperv/tlfs.h>
#include <xhv/hyperv.h>
#include <xen/errno.h>

typedef unsigned __int128 u128;

/* A deterministic generator, so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- Control word and result (hypercall-interface.md) ---------------- */

/* Each field lands at its documented bits and nowhere else. */
static void test_control_word_fields(void)
{
    uint64_t c;

    CHECK(hv_hc_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, false, 0, 0, 0)
          == 0x2);
    CHECK(hv_hc_control(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI, true, 0, 0, 0)
          == 0x1000bULL);
    /* List with 5 reps starting at 3: code | 5 << 32 | 3 << 48. */
    CHECK(hv_hc_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0, 5, 3)
          == 0x0003000500000003ULL);
    /* Variable header of 2 qwords: bits 26:17. */
    CHECK(hv_hc_control(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX, false, 2, 0, 0)
          == (0x15ULL | (2ULL << 17)));
    /* Maximal fields fill exactly their bits; reserved bits stay 0. */
    c = hv_hc_control(0xffff, true, 0x3ff, 0xfff, 0xfff);
    CHECK(c == 0x0fff0fff07ffffffULL);
    CHECK((c & 0xf000f000f8000000ULL) == 0);
    /* Too-wide arguments are cut to the field, not spilled into others. */
    c = hv_hc_control(0x14, false, 0x400, 0x1000, 0x1001);
    CHECK(c == (0x14ULL | (1ULL << 48)));
}

static void test_control_word_decode(void)
{
    uint64_t c = hv_hc_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, false,
                               7, 100, 42);
    uint64_t d;

    CHECK_EQ(hv_hc_code(c), HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX);
    CHECK_EQ(hv_hc_rep_count(c), 100);
    CHECK_EQ(hv_hc_rep_start(c), 42);
    CHECK_EQ((c >> HV_HC_VARHEAD_SHIFT) & HV_HC_VARHEAD_MAX, 7);
    d = hv_hc_with_rep_start(c, 99);
    CHECK_EQ(hv_hc_rep_start(d), 99);
    CHECK((d & ~(0xfffULL << 48)) == (c & ~(0xfffULL << 48)));
    /* Result: 15:0 status, 43:32 reps completed; other bits ignored. */
    CHECK_EQ(hv_result_status(0xdead00000000000bULL | (77ULL << 32)), 0xb);
    CHECK_EQ(hv_result_reps(0xdead00000000000bULL | (77ULL << 32)), 77);
    CHECK_EQ(hv_result_reps(77ULL << 32), 77);
}

/* ---- Status codes ------------------------------------------------------ */

static void test_status_mapping(void)
{
    static const struct { uint16_t s; int err; const char *name; } t[] = {
        { HV_STATUS_SUCCESS, 0, "SUCCESS" },
        { HV_STATUS_INVALID_HYPERCALL_CODE, -XEN_ENOSYS,
          "INVALID_HYPERCALL_CODE" },
        { HV_STATUS_INVALID_HYPERCALL_INPUT, -XEN_EINVAL,
          "INVALID_HYPERCALL_INPUT" },
        { HV_STATUS_INVALID_ALIGNMENT, -XEN_EINVAL, "INVALID_ALIGNMENT" },
        { HV_STATUS_INVALID_PARAMETER, -XEN_EINVAL, "INVALID_PARAMETER" },
        { HV_STATUS_ACCESS_DENIED, -XEN_EACCES, "ACCESS_DENIED" },
        { HV_STATUS_OPERATION_DENIED, -XEN_EPERM, "OPERATION_DENIED" },
        { HV_STATUS_INSUFFICIENT_MEMORY, -XEN_ENOMEM, "INSUFFICIENT_MEMORY" },
        { HV_STATUS_INVALID_VP_INDEX, -XEN_ESRCH, "INVALID_VP_INDEX" },
        { HV_STATUS_INVALID_CONNECTION_ID, -XEN_ENOENT,
          "INVALID_CONNECTION_ID" },
        { HV_STATUS_INSUFFICIENT_BUFFERS, -XEN_ENOBUFS,
          "INSUFFICIENT_BUFFERS" },
        { HV_STATUS_INVALID_SYNIC_STATE, -XEN_EBUSY, "INVALID_SYNIC_STATE" },
        { HV_STATUS_FEATURE_UNAVAILABLE, -XEN_EOPNOTSUPP,
          "FEATURE_UNAVAILABLE" },
    };
    unsigned int i, s;

    for (i = 0; i < ARRAY_SIZE(t); i++) {
        CHECK_EQ(hv_status_to_errno(t[i].s), t[i].err);
        CHECK_STR(hv_status_name(t[i].s), t[i].name);
    }
    /* Every failure maps to some negative error; unknown codes to EIO. */
    for (s = 1; s <= 0xffff; s++)
        CHECK(hv_status_to_errno((uint16_t)s) < 0);
    CHECK_EQ(hv_status_to_errno(0x1234), -XEN_EIO);
    CHECK_STR(hv_status_name(0x1234), "unknown");
}

/* ---- Rep hypercalls: restart on partial completion ------------------- */

static uint64_t result_of(uint16_t status, unsigned int reps)
{
    return status | ((uint64_t)reps << HV_HC_RESULT_REPS_SHIFT);
}

static void test_rep_step_cases(void)
{
    uint64_t c = hv_hc_control(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false,
                               0, 10, 0);
    uint64_t next = 0;

    CHECK_EQ(hv_rep_step(c, result_of(0, 10), &next), 1);
    CHECK_EQ(hv_rep_step(c, result_of(0, 4), &next), 0);
    CHECK_EQ(hv_hc_rep_start(next), 4);
    CHECK_EQ(hv_hc_rep_count(next), 10);
    CHECK_EQ(hv_hc_code(next), HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST);
    /* Reps completed are absolute: from start 4, 9 done means 5 more. */
    c = next;
    CHECK_EQ(hv_rep_step(c, result_of(0, 9), &next), 0);
    CHECK_EQ(hv_hc_rep_start(next), 9);
    /* No progress, or more than asked: would loop or is nonsense. */
    CHECK_EQ(hv_rep_step(c, result_of(0, 4), &next), -XEN_EIO);
    CHECK_EQ(hv_rep_step(c, result_of(0, 3), &next), -XEN_EIO);
    CHECK_EQ(hv_rep_step(c, result_of(0, 11), &next), -XEN_EIO);
    /* A failure status wins over the rep count. */
    CHECK_EQ(hv_rep_step(c, result_of(HV_STATUS_INVALID_PARAMETER, 10),
                         &next), -XEN_EINVAL);
}

/*
 * A fake hypervisor doing at most `burst` reps per call: driving
 * hv_rep_step as the driver does must process every rep exactly once, in
 * order, and end with 1.
 */
static void test_rep_restart_loop(void)
{
    unsigned int count, burst;

    for (count = 1; count <= 40; count++) {
        for (burst = 1; burst <= 7; burst++) {
            unsigned char seen[40] = { 0 };
            uint64_t control = hv_hc_control(
                HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, false, 3, count, 0);
            unsigned int calls = 0, i;
            int rc;

            do {
                unsigned int start = hv_hc_rep_start(control);
                unsigned int end = MIN(start + burst, count);

                for (i = start; i < end; i++)
                    seen[i]++;
                calls++;
                rc = hv_rep_step(control, result_of(0, end), &control);
                CHECK_EQ((control >> HV_HC_VARHEAD_SHIFT) & 0x3ff, 3);
            } while (rc == 0 && calls < 100);
            CHECK_EQ(rc, 1);
            CHECK_EQ(calls, (count + burst - 1) / burst);
            for (i = 0; i < count; i++)
                CHECK_EQ(seen[i], 1);
        }
    }
}

/* ---- Sparse VP sets (datatypes/hv_vp_set.md) --------------------------- */

/* A set's qwords: format, bank mask, the banks, one qword beyond. */
struct vpset_buf {
    uint64_t q[2 + HV_VP_SET_MAX_BANKS + 1];
};
#define VPSET(b)    ((struct hv_vp_set *)(b).q)
#define BANKS(b)    (&(b).q[2])

/* Decode a set back into membership, as the hypervisor reads it. */
static bool vpset_has(const struct hv_vp_set *s, unsigned int nr,
                      uint32_t vp)
{
    unsigned int bank = vp / 64, slot = 0, b;

    if (!(s->valid_bank_mask >> bank & 1))
        return false;
    for (b = 0; b < bank; b++)
        slot += s->valid_bank_mask >> b & 1;
    if (slot >= nr)
        return false;
    return s->bank_contents[slot] >> (vp % 64) & 1;
}

static void test_vpset_small(void)
{
    struct vpset_buf b;
    uint32_t vps[64] = { 0 };
    unsigned int i;

    memset(&b, 0xa5, sizeof(b));
    CHECK_EQ(hv_vp_set_build(VPSET(b), 64, vps, 0), 0);
    CHECK(VPSET(b)->format == HV_GENERIC_SET_SPARSE_4K);
    CHECK(VPSET(b)->valid_bank_mask == 0);

    vps[0] = 0;
    CHECK_EQ(hv_vp_set_build(VPSET(b), 64, vps, 1), 1);
    CHECK(VPSET(b)->valid_bank_mask == 1 && BANKS(b)[0] == 1);

    for (i = 0; i < 64; i++)
        vps[i] = 63 - i;
    CHECK_EQ(hv_vp_set_build(VPSET(b), 64, vps, 64), 1);
    CHECK(VPSET(b)->valid_bank_mask == 1 && BANKS(b)[0] == ~0ULL);

    /* VP 64 alone: bank 1 is present, and is the first qword. */
    vps[0] = 64;
    CHECK_EQ(hv_vp_set_build(VPSET(b), 64, vps, 1), 1);
    CHECK(VPSET(b)->valid_bank_mask == 2 && BANKS(b)[0] == 1);
}

/* VPs across banks 0, 2 and 63, out of order, with a repeat. */
static void test_vpset_sparse_above_64(void)
{
    static const uint32_t vps[] = { 4095, 130, 1, 129, 130, 63, 4032 };
    struct vpset_buf b;

    memset(&b, 0xa5, sizeof(b));
    CHECK_EQ(hv_vp_set_build(VPSET(b), 64, vps, ARRAY_SIZE(vps)), 3);
    CHECK(VPSET(b)->valid_bank_mask == (BIT(0) | BIT(2) | BIT(63)));
    CHECK(BANKS(b)[0] == (BIT(1) | BIT(63)));
    CHECK(BANKS(b)[1] == (BIT(1) | BIT(2)));
    CHECK(BANKS(b)[2] == (BIT(0) | BIT(63)));
    /* The next qword is the caller's (e.g. a GVA list): untouched. */
    CHECK(BANKS(b)[3] == 0xa5a5a5a5a5a5a5a5ULL);
}

static void test_vpset_limits(void)
{
    struct vpset_buf b;
    uint32_t vp;

    vp = 4096;                          /* bank 64: no such bank */
    CHECK_EQ(hv_vp_set_build(VPSET(b), 64, &vp, 1), -XEN_ERANGE);
    vp = 128;                           /* bank 2, only 2 allowed */
    CHECK_EQ(hv_vp_set_build(VPSET(b), 2, &vp, 1), -XEN_ERANGE);
    vp = 127;
    CHECK_EQ(hv_vp_set_build(VPSET(b), 2, &vp, 1), 1);
    CHECK(VPSET(b)->valid_bank_mask == 2 && BANKS(b)[0] == BIT(63));
    vp = 4095;                          /* max_banks above 64 is capped */
    CHECK_EQ(hv_vp_set_build(VPSET(b), 1000, &vp, 1), 1);
}

/* Random sets: the set holds exactly the members, banks ascending. */
static void test_vpset_random(void)
{
    unsigned int round;

    for (round = 0; round < 2000; round++) {
        uint32_t vps[64];
        unsigned char member[4096] = { 0 };
        unsigned int n = (unsigned int)(rnd() % 65), i, spread;
        uint32_t vp;
        struct vpset_buf b;
        int nr;

        spread = round % 3 == 0 ? 64 : round % 3 == 1 ? 512 : 4096;
        for (i = 0; i < n; i++) {
            vps[i] = (uint32_t)(rnd() % spread);
            member[vps[i]] = 1;
        }
        nr = hv_vp_set_build(VPSET(b), 64, vps, n);
        CHECK(nr >= 0);
        if (nr < 0)
            continue;
        CHECK_EQ(nr, __builtin_popcountll(VPSET(b)->valid_bank_mask));
        for (i = 0; i < (unsigned int)nr; i++)
            CHECK(BANKS(b)[i] != 0);     /* no empty bank is stored */
        for (vp = 0; vp < 4096; vp++)
            if (vpset_has(VPSET(b), (unsigned int)nr, vp) != member[vp]) {
                CHECK(!"membership differs");
                break;
            }
    }
}

static void test_vp_mask64(void)
{
    static const uint32_t low[] = { 0, 5, 63, 5 };
    static const uint32_t high[] = { 3, 64 };
    uint64_t m;

    CHECK(hv_vp_mask64(low, ARRAY_SIZE(low), &m));
    CHECK(m == (BIT(0) | BIT(5) | BIT(63)));
    CHECK(!hv_vp_mask64(high, ARRAY_SIZE(high), &m));
    CHECK(hv_vp_mask64(low, 0, &m) && m == 0);
}

/* ---- Reference time (timers.md) ---------------------------------------- */

/*
 * A partition on a TSC of `hz` Hz whose reference counter started at TSC
 * value tsc0: the counter TIME_REF_COUNT would read, computed exactly.
 */
static uint64_t model_ref_count(uint64_t tsc, uint64_t tsc0, uint64_t hz)
{
    return (uint64_t)((u128)(tsc - tsc0) * HV_REF_TIME_HZ / hz);
}

/* What a hypervisor publishes for that partition (its own arithmetic). */
static void model_publish(uint64_t tsc0, uint64_t hz, uint64_t *scale,
                          int64_t *offset)
{
    *scale = (uint64_t)(((u128)HV_REF_TIME_HZ << 64) / hz);
    *offset = -(int64_t)(((u128)tsc0 * *scale) >> 64);
}

/*
 * The page formula agrees with the counter to within 2 units (one from
 * each floor, and the scale's truncation costs < 1 unit below 2^64 ticks)
 * across rates, partition ages and TSC values up to 2^62.
 */
static void test_ref_time_vs_counter(void)
{
    static const uint64_t rates[] = { 100000000ULL, 1000000000ULL,
                                      2100000000ULL, 2500000000ULL,
                                      3123456789ULL, 4700000000ULL };
    unsigned int r, i;

    for (r = 0; r < ARRAY_SIZE(rates); r++) {
        for (i = 0; i < 5000; i++) {
            uint64_t tsc0 = rnd() >> (2 + rnd() % 40);
            uint64_t tsc = tsc0 + (rnd() >> (2 + rnd() % 50));
            uint64_t scale, want, got;
            int64_t offset;

            if (tsc >> 62)
                continue;
            model_publish(tsc0, rates[r], &scale, &offset);
            want = model_ref_count(tsc, tsc0, rates[r]);
            got = hv_ref_time(tsc, scale, offset);
            if (got + 2 < want || got > want + 2) {
                printf("  rate %llu tsc0 %llu tsc %llu: %llu vs %llu\n",
                       (unsigned long long)rates[r],
                       (unsigned long long)tsc0, (unsigned long long)tsc,
                       (unsigned long long)got, (unsigned long long)want);
                CHECK(!"reference time off the counter");
                break;
            }
        }
    }
}

/*
 * KVM's derivation (fact sheet §5): from kvmclock's ns = ((tsc << shift)
 * * mul) >> 32 (shift may be negative) it publishes
 * Scale = mul * 2^(32 + shift) / 100 and Offset = system_time / 100 (for
 * tsc_timestamp 0). The page must then read kvmclock's time / 100.
 */
static void test_ref_time_kvm_style(void)
{
    static const struct { uint32_t mul; int shift; } clk[] = {
        { 0x80000000u, 1 },     /* 1 GHz: 1 ns per tick */
        { 0xcccccccdu, -1 },    /* 2.5 GHz: 0.4 ns */
        { 0x9d89d89eu, -2 },    /* 6.5 GHz-ish */
        { 0xfa000000u, 0 },     /* ~1.024 GHz */
    };
    unsigned int k, i;

    for (k = 0; k < ARRAY_SIZE(clk); k++) {
        /* mul << (32 + shift), shift in [-32, 32]. */
        u128 s = ((u128)clk[k].mul << 64) >> (32 - clk[k].shift);
        uint64_t scale = (uint64_t)(s / 100);
        uint64_t system_time = 123456789000ULL;

        for (i = 0; i < 2000; i++) {
            uint64_t tsc = rnd() >> 20;
            uint64_t shifted = clk[k].shift >= 0 ? tsc << clk[k].shift
                                                 : tsc >> -clk[k].shift;
            uint64_t ns = system_time +
                          (uint64_t)(((u128)shifted * clk[k].mul) >> 32);
            uint64_t got = hv_ref_time(tsc, scale,
                                       (int64_t)(system_time / 100));

            if (got + 2 < ns / 100 || got > ns / 100 + 2) {
                CHECK(!"KVM-style page off kvmclock");
                break;
            }
        }
    }
}

/* The ns form is the 100 ns form plus the product's fraction. */
static void test_ref_time_ns(void)
{
    unsigned int i;

    for (i = 0; i < 10000; i++) {
        uint64_t tsc = rnd() >> 4, scale = rnd();
        int64_t offset = (int64_t)(rnd() >> 8) - (int64_t)(rnd() >> 9);
        uint64_t units = hv_ref_time(tsc, scale, offset);
        uint64_t ns = hv_ref_time_ns(tsc, scale, offset);

        CHECK(ns >= units * 100 && ns < units * 100 + 100);
        CHECK(hv_ref_time_ns(tsc + 1000, scale, offset) >= ns);
    }
    /* Exactly floor(tsc * scale * 100 / 2^64) + 100 * offset. */
    for (i = 0; i < 10000; i++) {
        uint64_t tsc = rnd() >> 8, scale = rnd();
        int64_t offset = (int64_t)(rnd() >> 12) - (int64_t)(rnd() >> 13);
        uint64_t want = (uint64_t)(((u128)tsc * scale * 100) >> 64) +
                        (uint64_t)offset * 100;

        CHECK(hv_ref_time_ns(tsc, scale, offset) == want);
    }
    CHECK(hv_ref_time_ns(1, 1ULL << 63, 0) == 50);     /* half a unit */
    CHECK(hv_ref_time_ns(3, 1ULL << 63, 2) == 350);
    /* Negative offsets wrap as signed arithmetic would. */
    CHECK(hv_ref_time(0, 0, -5) == (uint64_t)-5);
    CHECK(hv_ref_time(1ULL << 32, 1ULL << 32, -1) == 0);
}

static void test_tsc_hz_from_scale(void)
{
    static const uint64_t rates[] = { 10000001ULL, 999999937ULL,
                                      2100000000ULL, 3123456789ULL,
                                      18000000000ULL };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(rates); i++) {
        uint64_t scale, hz;
        int64_t offset;

        model_publish(0, rates[i], &scale, &offset);
        hz = hv_tsc_hz_from_scale(scale);
        CHECK(hz >= rates[i] - 1 && hz <= rates[i] + 1);
    }
    for (i = 0; i < 5000; i++) {
        uint64_t scale = rnd() | (HV_REF_TIME_HZ + 1);

        CHECK(hv_tsc_hz_from_scale(scale) ==
              (uint64_t)(((u128)HV_REF_TIME_HZ << 64) / scale));
    }
    CHECK(hv_tsc_hz_from_scale(0) == 0);
    CHECK(hv_tsc_hz_from_scale(HV_REF_TIME_HZ) == 0);  /* 2^64 Hz */
    CHECK(hv_tsc_hz_from_scale(HV_REF_TIME_HZ + 1) != 0);
}

/* ---- The page's sequence protocol and the fallback decision ------------ */

static struct hv_ref_tsc_page page;
static unsigned int tsc_reads;
static int tamper;          /* >0: bump the sequence on that many reads */

static uint64_t fake_tsc(void)
{
    tsc_reads++;
    if (tamper > 0) {
        tamper--;
        page.tsc_sequence++;
        page.tsc_scale += 1000;
    }
    return 1000000ULL * tsc_reads;
}

static void test_tsc_page_invalid_falls_back(void)
{
    struct hv_tsc_sample s;

    memset(&page, 0, sizeof(page));
    page.tsc_scale = 1ULL << 60;
    tsc_reads = 0;
    tamper = 0;
    /* Sequence 0 (and the TLFS's old 0xFFFFFFFF): use TIME_REF_COUNT. */
    CHECK(!hv_tsc_page_sample(&page, fake_tsc, &s));
    page.tsc_sequence = 0xffffffffu;
    CHECK(!hv_tsc_page_sample(&page, fake_tsc, &s));
    CHECK_EQ(tsc_reads, 0);         /* decided before reading the TSC */
    CHECK(!hv_tsc_sequence_valid(0));
    CHECK(hv_tsc_sequence_valid(1));
    CHECK(hv_tsc_sequence_valid(0xfffffffeu));
}

static void test_tsc_page_consistent_sample(void)
{
    struct hv_tsc_sample s;

    memset(&page, 0, sizeof(page));
    page.tsc_sequence = 7;
    page.tsc_scale = 0x1234;
    page.tsc_offset = -99;
    tsc_reads = 0;
    tamper = 0;
    CHECK(hv_tsc_page_sample(&page, fake_tsc, &s));
    CHECK(s.scale == 0x1234 && s.offset == -99 && s.tsc == 1000000);

    /* Changed while read: retried, and the new values come back. */
    tamper = 2;
    CHECK(hv_tsc_page_sample(&page, fake_tsc, &s));
    CHECK_EQ(tsc_reads, 1 + 3);
    CHECK(s.scale == 0x1234 + 2000 && s.tsc == 4000000);

    /* Never stable: give up, and the caller reads the MSR. */
    tamper = 1000;
    CHECK(!hv_tsc_page_sample(&page, fake_tsc, &s));
    tamper = 0;

    /* Invalidated while read: the retry sees 0 and falls back. */
    page.tsc_sequence = 0xffffffffu - 1;
    tamper = 1;                     /* -> 0xffffffff: invalid */
    CHECK(!hv_tsc_page_sample(&page, fake_tsc, &s));
}

/* ---- Timer deadlines --------------------------------------------------- */

static void test_ref_deadline(void)
{
    CHECK(hv_ref_deadline(0, 0) == 1);          /* 0 would stop the timer */
    CHECK(hv_ref_deadline(100, 0) == 1);
    CHECK(hv_ref_deadline(101, 0) == 2);        /* never early */
    CHECK(hv_ref_deadline(199, 1) == 2);
    CHECK(hv_ref_deadline(1000000000ULL, 5000000000ULL) == 60000000ULL);
    CHECK(hv_ref_deadline(UINT64_MAX, 12345) ==
          UINT64_MAX / 100 + 1);               /* saturates */
}

/* ---- Guest OS identity (hypercall-interface.md) ------------------------ */

static void test_guest_os_id(void)
{
    /* Linux's value for 6.1.0: 0x8100 << 48 | version << 16. */
    CHECK(hv_guest_os_id(HV_GUEST_OS_TYPE_LINUX, 0, 0x060100, 0) ==
          (0x8100ULL << 48 | 0x060100ULL << 16));
    CHECK(hv_guest_os_id(HV_GUEST_OS_TYPE_XEN, 0, 0x041100, 7) >> 48 ==
          0x8300);
    CHECK((hv_guest_os_id(HV_GUEST_OS_TYPE_XEN, 0x42, 0, 0) >> 48 & 0xff) ==
          0x42);
}

int main(void)
{
    RUN_TEST(test_control_word_fields);
    RUN_TEST(test_control_word_decode);
    RUN_TEST(test_status_mapping);
    RUN_TEST(test_rep_step_cases);
    RUN_TEST(test_rep_restart_loop);
    RUN_TEST(test_vpset_small);
    RUN_TEST(test_vpset_sparse_above_64);
    RUN_TEST(test_vpset_limits);
    RUN_TEST(test_vpset_random);
    RUN_TEST(test_vp_mask64);
    RUN_TEST(test_ref_time_vs_counter);
    RUN_TEST(test_ref_time_kvm_style);
    RUN_TEST(test_ref_time_ns);
    RUN_TEST(test_tsc_hz_from_scale);
    RUN_TEST(test_tsc_page_invalid_falls_back);
    RUN_TEST(test_tsc_page_consistent_sample);
    RUN_TEST(test_ref_deadline);
    RUN_TEST(test_guest_os_id);
    return th_finish();
}
