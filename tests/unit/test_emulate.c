/*
 * Privileged-instruction emulation and the PV CPUID policy (shim/emul/).
 *
 * The emulator files are compiled unchanged; this file supplies what the
 * shim would: copy_from_guest() over a fake guest memory (two mapped pages
 * at GVA, everything else faults), and fake arch hooks that record what
 * the emulator asked the hardware to do. Fake hosts feed the CPUID policy:
 * every bit set; a realistic Intel and AMD part; both with Hyper-V's and
 * KVM's own hypervisor leaves, which must never reach the guest; hosts
 * without XSAVE or without AVX state.
 *
 * Cases and why:
 *  - policy: every hidden bit hidden on every host, Xen's leaves exact,
 *    parent leaves never read nor passed on, leaf ranges clamped, XSAVE
 *    leaf sizes for the guest's XCR0, dependency pruning, vendor quirks;
 *  - decoder: every emulated form with its prefix mixes, every refused form,
 *    truncated and unmapped fetches, a short instruction at the end of the
 *    last mapped page, RF/TF handling, and random bytes (must not crash, and
 *    UNHANDLED must leave the registers alone);
 *  - MSRs, CRs, xsetbv and port I/O semantics, including the #GP/#UD cases.
 */
#include "harness.h"

#include <xhv/emulate.h>
#include <xhv/guest_access.h>
#include <xhv/log.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/arch-x86/cpufeatureset.h>

#include "../../shim/emul/emul.h"

/* ---- fake guest memory ------------------------------------------------ */

#define GVA         0xffffffff81000000ULL
#define GMEM_SIZE   (2 * 4096)
static uint8_t gmem[GMEM_SIZE];
static uint64_t gmem_mapped = GMEM_SIZE;    /* bytes readable from GVA */

int copy_from_guest(void *dst, uint64_t guest_va, size_t len)
{
    if (guest_va < GVA || len > gmem_mapped ||
        guest_va - GVA > gmem_mapped - len)
        return -XEN_EFAULT;
    memcpy(dst, gmem + (guest_va - GVA), len);
    return 0;
}

/* ---- fake hardware ---------------------------------------------------- */

static uint64_t hw_cr0, hw_cr4, hw_efer, hw_tsc;
static uint64_t hw_xcr0;
static int hw_xcr0_fail;
static unsigned hw_set_ts_calls, hw_segload_calls, hw_ibpb_calls;
static unsigned hw_fpu_init_calls;
static uint64_t hw_fpu_init_xcr0;
static bool hw_ts;

/* The host CPUID the next policy build sees. */
typedef void (*fake_host_fn)(uint32_t leaf, uint32_t sub, struct cpuid_leaf *l);
static fake_host_fn fake_host;
static unsigned host_queries_in_hv_range;

static void host_cb(void *ctx, uint32_t leaf, uint32_t sub,
                    struct cpuid_leaf *out)
{
    (void)ctx;
    if (leaf >= 0x40000000 && leaf <= 0x4fffffff)
        host_queries_in_hv_range++;
    memset(out, 0, sizeof(*out));
    fake_host(leaf, sub, out);
}

void emul_arch_cpuid(void *ctx, uint32_t leaf, uint32_t subleaf,
                     struct cpuid_leaf *out)
{
    host_cb(ctx, leaf, subleaf, out);
}

void emul_arch_fpu_init(uint64_t xcr0)
{
    hw_fpu_init_calls++;
    hw_fpu_init_xcr0 = xcr0;
    hw_xcr0 = xcr0;
}

uint64_t emul_arch_read_cr0(void) { return hw_cr0; }
uint64_t emul_arch_read_cr4(void) { return hw_cr4; }
uint64_t emul_arch_read_efer(void) { return hw_efer; }
uint64_t emul_arch_rdtsc(void) { return hw_tsc; }
void emul_arch_ibpb(void) { hw_ibpb_calls++; }

void emul_arch_set_ts(bool ts)
{
    hw_set_ts_calls++;
    hw_ts = ts;
}

int emul_arch_set_xcr0(uint64_t xcr0)
{
    if (hw_xcr0_fail)
        return -1;
    hw_xcr0 = xcr0;
    return 0;
}

void emul_arch_load_segbases(const struct vcpu *v)
{
    (void)v;
    hw_segload_calls++;
}

/* ---- fake hosts ------------------------------------------------------- */

static void sig(struct cpuid_leaf *l, const char *s12)
{
    memcpy(&l->b, s12, 4);
    memcpy(&l->d, s12 + 4, 4);
    memcpy(&l->c, s12 + 8, 4);
}

/* Every register of every leaf all ones. */
static void host_all_ones(uint32_t leaf, uint32_t sub, struct cpuid_leaf *l)
{
    (void)leaf; (void)sub;
    l->a = l->b = l->c = l->d = 0xffffffff;
}

/* The parent's own hypervisor leaves, as Hyper-V and KVM present them. */
static bool parent_leaves(uint32_t leaf, struct cpuid_leaf *l)
{
    switch (leaf) {
    case 0x40000000:
        l->a = 0x4000000c;
        memcpy(&l->b, "Micr", 4);
        memcpy(&l->c, "osof", 4);
        memcpy(&l->d, "t Hv", 4);
        return true;
    case 0x40000001:
        memcpy(&l->a, "Hv#1", 4);
        return true;
    case 0x40000003:
        l->a = 0x2fff; l->b = 0x3b8030; l->d = 0xbed7b2;
        return true;
    case 0x40000100:
        l->a = 0x40000101;
        memcpy(&l->b, "KVMK", 4);
        memcpy(&l->c, "VMKV", 4);
        memcpy(&l->d, "M\0\0\0", 4);
        return true;
    }
    return leaf >= 0x40000000 && leaf <= 0x4fffffff;
}

/* Roughly an Ice Lake server with everything a guest should not see. */
static void host_intel(uint32_t leaf, uint32_t sub, struct cpuid_leaf *l)
{
    static const struct cpuid_leaf xs[] = {
        [0] = { 0x2e7, 0xa88, 0xa88, 0 },   /* x87 SSE YMM AVX512 PKRU */
        [1] = { 0xf, 0x988, 0x1900, 0 },    /* incl. XSAVES, XSS */
        [2] = { 0x100, 0x240, 0, 0 },
        [3] = { 0x40, 0x3c0, 0, 0 },
        [4] = { 0x40, 0x400, 0, 0 },
        [5] = { 0x40, 0x440, 0, 0 },
        [6] = { 0x200, 0x480, 0, 0 },
        [7] = { 0x400, 0x680, 0, 0 },
        [8] = { 0x80, 0, 1, 0 },
        [9] = { 0x8, 0xa80, 0, 0 },
    };

    if (parent_leaves(leaf, l))
        return;
    switch (leaf) {
    case 0: l->a = 0x1b; sig(l, "GenuineIntel"); break;
    case 1:
        *l = (struct cpuid_leaf){ 0x000606a6, 0x02100800, 0x7ffefbff,
                                  0xbfebfbff };
        break;
    case 2: *l = (struct cpuid_leaf){ 0x00feff01, 0xf0, 0, 0 }; break;
    case 4:
        switch (sub) {
        case 0: *l = (struct cpuid_leaf){ 0x1c004121, 0x02c0003f, 0x3f, 0 }; break;
        case 1: *l = (struct cpuid_leaf){ 0x1c004122, 0x01c0003f, 0x3f, 0 }; break;
        case 2: *l = (struct cpuid_leaf){ 0x1c004143, 0x03c0003f, 0x3ff, 0 }; break;
        case 3: *l = (struct cpuid_leaf){ 0x1c03c163, 0x0280003f, 0xdfff, 4 }; break;
        }
        break;
    case 5: *l = (struct cpuid_leaf){ 0x40, 0x40, 3, 0x2020 }; break;
    case 6: *l = (struct cpuid_leaf){ 0x77, 2, 9, 0 }; break;
    case 7:
        if (sub == 0)
            *l = (struct cpuid_leaf){ 2, 0xf3bfbfff, 0x40417f5e, 0xbc040412 };
        else if (sub == 1)
            *l = (struct cpuid_leaf){ 0x00001c30, 0, 0, 0 };
        else if (sub == 2)
            *l = (struct cpuid_leaf){ 0, 0, 0, 0x17 };
        break;
    case 0xa: *l = (struct cpuid_leaf){ 0x08300805, 0, 0, 0x603 }; break;
    case 0xb: *l = (struct cpuid_leaf){ 1, 2, 0x100, 2 }; break;
    case 0xd:
        if (sub < sizeof(xs) / sizeof(xs[0]))
            *l = xs[sub];
        break;
    case 0x15: *l = (struct cpuid_leaf){ 2, 0x7c, 0x016e3600, 0 }; break;
    case 0x80000000: l->a = 0x80000008; break;
    case 0x80000001: *l = (struct cpuid_leaf){ 0, 0, 0x121, 0x2c100800 }; break;
    case 0x80000002: memcpy(l, "Intel(R) Xeon(R)", 16); break;
    case 0x80000006: *l = (struct cpuid_leaf){ 0, 0, 0x01007040, 0 }; break;
    case 0x80000007: l->d = 0x100; break;
    case 0x80000008: *l = (struct cpuid_leaf){ 0x0000302e, 0x200, 0, 0 }; break;
    }
}

/* Roughly a Zen 3 part. */
static void host_amd(uint32_t leaf, uint32_t sub, struct cpuid_leaf *l)
{
    if (parent_leaves(leaf, l))
        return;
    switch (leaf) {
    case 0: l->a = 0x10; sig(l, "AuthenticAMD"); break;
    case 1:
        *l = (struct cpuid_leaf){ 0x00a00f11, 0x04200800, 0x7ed8320b,
                                  0x178bfbff };
        break;
    case 2: *l = (struct cpuid_leaf){ 1, 2, 3, 4 }; break;   /* reserved */
    case 4: *l = (struct cpuid_leaf){ 0x121, 1, 2, 3 }; break; /* reserved */
    case 5: *l = (struct cpuid_leaf){ 0x40, 0x40, 3, 0x11 }; break;
    case 7:
        if (sub == 0)
            *l = (struct cpuid_leaf){ 0, 0x219c97a9, 0x0040069c, 0x10 };
        break;
    case 0xd:
        switch (sub) {
        case 0: *l = (struct cpuid_leaf){ 0x207, 0x340, 0x988, 0 }; break;
        case 1: *l = (struct cpuid_leaf){ 0xf, 0x340, 0x1800, 0 }; break;
        case 2: *l = (struct cpuid_leaf){ 0x100, 0x240, 0, 0 }; break;
        case 9: *l = (struct cpuid_leaf){ 0x8, 0x980, 0, 0 }; break;
        case 11: *l = (struct cpuid_leaf){ 0x10, 0, 1, 0 }; break;
        }
        break;
    case 0x80000000: l->a = 0x80000023; sig(l, "AuthenticAMD"); break;
    case 0x80000001:
        *l = (struct cpuid_leaf){ 0x00a00f11, 0x20ff0000, 0x75c237ff,
                                  0x2fd3fbff };
        break;
    case 0x80000005: *l = (struct cpuid_leaf){ 1, 2, 3, 4 }; break;
    case 0x80000007: l->d = 0x6799; break;
    case 0x80000008:
        *l = (struct cpuid_leaf){ 0x00003030, 0x111ef657, 0x0000500f, 0 };
        break;
    case 0x8000000a: *l = (struct cpuid_leaf){ 1, 0x8000, 0, 0x1ebfbcff }; break;
    case 0x8000001e: *l = (struct cpuid_leaf){ 2, 0x100, 0, 0 }; break;
    case 0x80000021: *l = (struct cpuid_leaf){ 0x62fcf, 5, 6, 7 }; break;
    case 0x80000022: *l = (struct cpuid_leaf){ 9, 9, 9, 9 }; break;
    }
}

/* An old CPU: no XSAVE at all (but an AVX bit it cannot back). */
static void host_no_xsave(uint32_t leaf, uint32_t sub, struct cpuid_leaf *l)
{
    host_intel(leaf, sub, l);
    if (leaf == 1)
        l->c &= ~((1u << 26) | (1u << 27));
    if (leaf == 0xd)
        memset(l, 0, sizeof(*l));
}

/* XSAVE with x87/SSE state only: AVX and everything built on it must go. */
static void host_no_ymm(uint32_t leaf, uint32_t sub, struct cpuid_leaf *l)
{
    host_intel(leaf, sub, l);
    if (leaf == 0xd && sub == 0)
        *l = (struct cpuid_leaf){ 3, 0x240, 0x240, 0 };
    if (leaf == 0xd && sub >= 2)
        memset(l, 0, sizeof(*l));
}

/* Basic leaves only up to 1 and a narrow physical address width. */
static void host_tiny(uint32_t leaf, uint32_t sub, struct cpuid_leaf *l)
{
    host_intel(leaf, sub, l);
    if (leaf == 0)
        l->a = 1;
    if (leaf == 0x80000008)
        l->a = 0x3027;
}

static struct pv_cpuid_policy pol;

static void build(fake_host_fn h)
{
    fake_host = h;
    host_queries_in_hv_range = 0;
    pv_cpuid_policy_build(&pol, host_cb, NULL);
}

static struct cpuid_leaf q(uint32_t leaf, uint32_t sub)
{
    struct pv_cpuid_state s = { .cr4 = 0, .xcr0 = 3 };
    struct cpuid_leaf l;

    pv_cpuid(&pol, &s, leaf, sub, &l);
    return l;
}

static uint32_t reg(struct cpuid_leaf l, char r)
{
    return r == 'a' ? l.a : r == 'b' ? l.b : r == 'c' ? l.c : l.d;
}

/* ---- policy tests ----------------------------------------------------- */

/* A bit the guest must never see: (leaf, subleaf, register, bit, name). */
struct hidden { uint32_t leaf, sub; char r; unsigned bit; const char *name; };
static const struct hidden hidden_bits[] = {
    { 1, 0, 'c', 2, "DTES64" }, { 1, 0, 'c', 3, "MONITOR" },
    { 1, 0, 'c', 4, "DSCPL" }, { 1, 0, 'c', 5, "VMX" },
    { 1, 0, 'c', 6, "SMX" }, { 1, 0, 'c', 7, "EIST" },
    { 1, 0, 'c', 8, "TM2" }, { 1, 0, 'c', 11, "SDBG" },
    { 1, 0, 'c', 14, "XTPR" }, { 1, 0, 'c', 15, "PDCM" },
    { 1, 0, 'c', 17, "PCID" }, { 1, 0, 'c', 18, "DCA" },
    { 1, 0, 'c', 21, "X2APIC" }, { 1, 0, 'c', 24, "TSC_DEADLINE" },
    { 1, 0, 'd', 1, "VME" }, { 1, 0, 'd', 2, "DE" },
    { 1, 0, 'd', 3, "PSE" }, { 1, 0, 'd', 7, "MCE" },
    { 1, 0, 'd', 12, "MTRR" }, { 1, 0, 'd', 13, "PGE" },
    { 1, 0, 'd', 14, "MCA" }, { 1, 0, 'd', 17, "PSE36" },
    { 1, 0, 'd', 18, "PSN" }, { 1, 0, 'd', 21, "DS" },
    { 1, 0, 'd', 22, "ACPI" }, { 1, 0, 'd', 28, "HTT" },
    { 1, 0, 'd', 29, "TM1" }, { 1, 0, 'd', 31, "PBE" },
    { 7, 0, 'b', 0, "FSGSBASE" }, { 7, 0, 'b', 1, "TSC_ADJUST" },
    { 7, 0, 'b', 2, "SGX" }, { 7, 0, 'b', 4, "HLE" },
    { 7, 0, 'b', 7, "SMEP" }, { 7, 0, 'b', 10, "INVPCID" },
    { 7, 0, 'b', 12, "PQM" }, { 7, 0, 'b', 14, "MPX" },
    { 7, 0, 'b', 15, "PQE" }, { 7, 0, 'b', 20, "SMAP" },
    { 7, 0, 'b', 25, "PROC_TRACE" },
    { 7, 0, 'c', 2, "UMIP" }, { 7, 0, 'c', 3, "PKU" },
    { 7, 0, 'c', 4, "OSPKE" }, { 7, 0, 'c', 5, "WAITPKG" },
    { 7, 0, 'c', 7, "CET_SS" }, { 7, 0, 'c', 16, "LA57" },
    { 7, 0, 'c', 22, "RDPID" }, { 7, 0, 'c', 27, "MOVDIRI" },
    { 7, 0, 'c', 28, "MOVDIR64B" }, { 7, 0, 'c', 29, "ENQCMD" },
    { 7, 0, 'c', 30, "SGX_LC" }, { 7, 0, 'c', 31, "PKS" },
    { 7, 0, 'd', 9, "SRBDS_CTRL" }, { 7, 0, 'd', 11, "RTM_ALWAYS_ABORT" },
    { 7, 0, 'd', 13, "TSX_FORCE_ABORT" }, { 7, 0, 'd', 15, "HYBRID" },
    { 7, 0, 'd', 16, "TSXLDTRK" }, { 7, 0, 'd', 20, "CET_IBT" },
    { 7, 0, 'd', 22, "AMX_BF16" }, { 7, 0, 'd', 24, "AMX_TILE" },
    { 7, 0, 'd', 26, "IBRSB" }, { 7, 0, 'd', 27, "STIBP" },
    { 7, 0, 'd', 28, "L1D_FLUSH" }, { 7, 0, 'd', 29, "ARCH_CAPS" },
    { 7, 0, 'd', 30, "CORE_CAPS" }, { 7, 0, 'd', 31, "SSBD" },
    { 7, 1, 'b', 0, "INTEL_PPIN" }, { 7, 1, 'a', 26, "LAM" },
    { 7, 2, 'd', 0, "INTEL_PSFD" }, { 7, 2, 'd', 1, "IPRED_CTRL" },
    { 7, 2, 'd', 2, "RRSBA_CTRL" }, { 7, 2, 'd', 4, "BHI_CTRL" },
    { 0xd, 1, 'a', 3, "XSAVES" },
    { 0x80000001, 0, 'c', 1, "CMP_LEGACY" }, { 0x80000001, 0, 'c', 2, "SVM" },
    { 0x80000001, 0, 'c', 3, "EXTAPIC" }, { 0x80000001, 0, 'c', 4, "CR8_LEGACY" },
    { 0x80000001, 0, 'c', 9, "OSVW" }, { 0x80000001, 0, 'c', 10, "IBS" },
    { 0x80000001, 0, 'c', 12, "SKINIT" }, { 0x80000001, 0, 'c', 13, "WDT" },
    { 0x80000001, 0, 'c', 15, "LWP" }, { 0x80000001, 0, 'c', 22, "TOPOEXT" },
    { 0x80000001, 0, 'c', 26, "DBEXT" }, { 0x80000001, 0, 'c', 29, "MONITORX" },
    { 0x80000001, 0, 'd', 26, "PAGE1GB" }, { 0x80000001, 0, 'd', 27, "RDTSCP" },
    { 0x80000007, 0, 'd', 8, "ITSC" },
    { 0x80000008, 0, 'b', 9, "WBNOINVD" }, { 0x80000008, 0, 'b', 14, "IBRS" },
    { 0x80000008, 0, 'b', 15, "AMD_STIBP" }, { 0x80000008, 0, 'b', 24, "AMD_SSBD" },
    { 0x80000008, 0, 'b', 25, "VIRT_SSBD" }, { 0x80000008, 0, 'b', 28, "PSFD" },
    { 0x80000021, 0, 'a', 8, "AUTO_IBRS" }, { 0x80000021, 0, 'a', 27, "SBPB" },
    { 0x80000021, 0, 'a', 30, "SRSO_US_NO" },
};

static void check_hidden(const char *host)
{
    unsigned i;

    for (i = 0; i < sizeof(hidden_bits) / sizeof(hidden_bits[0]); i++) {
        const struct hidden *h = &hidden_bits[i];

        if ((reg(q(h->leaf, h->sub), h->r) >> h->bit) & 1) {
            th_case_failures++;
            printf("  %s host: %s (leaf %#x.%u %c%u) visible\n", host,
                   h->name, h->leaf, h->sub, h->r, h->bit);
        }
    }
    /* Whole leaves that must be empty. */
    CHECK(q(1, 0).b >> 16 == 0);            /* no APIC ID, no CPU count */
    CHECK(q(3, 0).a == 0 && q(3, 0).d == 0);
    CHECK(q(5, 0).a == 0 && q(5, 0).b == 0 && q(5, 0).c == 0);
    CHECK(q(6, 0).a == 0 && q(6, 0).c == 0);
    CHECK(q(0xa, 0).a == 0 && q(0xa, 0).d == 0);
    CHECK(q(0xb, 0).b == 0 && q(0xb, 1).c == 0);
    CHECK(q(0xd, 3).a == 0 && q(0xd, 4).a == 0);   /* MPX */
    CHECK(q(0xd, 9).a == 0);                        /* PKRU */
    CHECK(q(0xd, 8).c == 0 && q(0xd, 1).c == 0);    /* no XSS */
    CHECK((q(0xd, 0).a & (XSTATE_BNDREGS | XSTATE_BNDCSR | XSTATE_PKRU)) == 0);
    CHECK(q(0x80000007, 0).a == 0 && q(0x80000007, 0).d == 0);
    CHECK(q(0x8000000a, 0).a == 0 && q(0x8000000a, 0).d == 0);   /* SVM */
    CHECK(q(0x8000001e, 0).a == 0);
    CHECK(q(0x80000008, 0).d == 0);
    CHECK(((q(0x80000008, 0).a >> 8) & 0xff) == 48);
    CHECK((q(1, 0).c >> 31) & 1);           /* HYPERVISOR */
    CHECK(!((q(1, 0).c >> 27) & 1));        /* OSXSAVE off by default */
}

static void check_xen_leaves(void)
{
    struct cpuid_leaf l = q(0x40000000, 0);

    CHECK_EQ(l.a, 0x40000005);
    CHECK_EQ(l.b, XEN_CPUID_SIGNATURE_EBX);
    CHECK_EQ(l.c, XEN_CPUID_SIGNATURE_ECX);
    CHECK_EQ(l.d, XEN_CPUID_SIGNATURE_EDX);
    CHECK(memcmp(&l.b, "XenV", 4) == 0 && memcmp(&l.c, "MMXe", 4) == 0 &&
          memcmp(&l.d, "nVMM", 4) == 0);
    l = q(0x40000001, 0);
    CHECK_EQ(l.a, (4u << 16) | 17);
    CHECK(l.b == 0 && l.c == 0 && l.d == 0);
    l = q(0x40000002, 0);
    CHECK_EQ(l.a, 1);
    CHECK_EQ(l.b, 0x40000000);
    CHECK_EQ(l.c, XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD);
    CHECK_EQ(l.d, 0);
    l = q(0x40000003, 0);
    CHECK(l.a == 0 && l.b == 0);
    l = q(0x40000004, 0);
    CHECK(l.a == 0 && l.b == 0 && l.c == 0 && l.d == 0);
    l = q(0x40000005, 0);
    CHECK(l.b <= 44 && l.a == 0);
    l = q(0x40000005, 1);
    CHECK_EQ(l.b, 0);
}

/* Nothing of the parent's leaves anywhere; nothing above Xen's. */
static void check_no_parent_leaks(void)
{
    static const uint32_t zero_leaves[] = {
        0x40000006, 0x40000007, 0x4000000c, 0x40000010, 0x40000080,
        0x400000ff, 0x40000100, 0x40000101, 0x40000105, 0x40000200,
        0x40010000, 0x4ffffff0, 0x4fffffff,
    };
    uint32_t ranges[][2] = {
        { 0, 0x30 }, { 0x40000000, 0x40000110 }, { 0x80000000, 0x80000030 },
    };
    unsigned i, k;
    uint32_t leaf, sub;

    for (i = 0; i < sizeof(zero_leaves) / sizeof(zero_leaves[0]); i++) {
        struct cpuid_leaf l = q(zero_leaves[i], 0);

        if (l.a || l.b || l.c || l.d) {
            th_case_failures++;
            printf("  leaf %#x not zero\n", zero_leaves[i]);
        }
    }
    for (k = 0; k < 3; k++)
        for (leaf = ranges[k][0]; leaf <= ranges[k][1]; leaf++)
            for (sub = 0; sub < 3; sub++) {
                struct cpuid_leaf l = q(leaf, sub);
                const char *bad[] = { "Micr", "osof", "t Hv", "Hv#1",
                                      "KVMK", "VMKV" };
                unsigned j;

                for (j = 0; j < 6; j++)
                    if (!memcmp(&l.a, bad[j], 4) || !memcmp(&l.b, bad[j], 4) ||
                        !memcmp(&l.c, bad[j], 4) || !memcmp(&l.d, bad[j], 4)) {
                        th_case_failures++;
                        printf("  parent signature in leaf %#x.%u\n", leaf, sub);
                    }
            }
    CHECK_EQ(host_queries_in_hv_range, 0);
}

/* A host with every bit set: only allow-listed bits may come through. */
static void test_policy_all_ones(void)
{
    build(host_all_ones);
    check_hidden("all-ones");
    check_xen_leaves();
    check_no_parent_leaks();
    CHECK_EQ(q(0, 0).a, 0xd);
    CHECK_EQ(q(0x80000000, 0).a, 0x80000021);
    CHECK(q(0xe, 0).a == 0 && q(0x14, 0).b == 0);   /* past basic max */
    CHECK(q(0x80000022, 0).a == 0);                 /* past extd max */
    CHECK(q(0x80000010, 0).a == 0 && q(0x80000020, 0).d == 0);
    /* Allow-listed features are there. */
    /* FPU TSC MSR PAE CX8 APIC SEP CMOV PAT CLFLUSH MMX FXSR SSE SSE2 SS */
    CHECK_EQ(q(1, 0).d, 0x0f898b71u);
    CHECK(pv_cpuid_has(&pol, XEN_X86_FEATURE_SSE2));
    CHECK(pv_cpuid_has(&pol, XEN_X86_FEATURE_LM));
    CHECK(pv_cpuid_has(&pol, XEN_X86_FEATURE_NX));
    CHECK(pv_cpuid_has(&pol, XEN_X86_FEATURE_SYSCALL));
    CHECK((q(0x80000001, 0).d >> 29) & 1);          /* LM */
    CHECK(pv_cpuid_has(&pol, XEN_X86_FEATURE_IBPB));
    /* Not a known vendor: leaf 1 EAX keeps family/model, type cleared. */
    CHECK_EQ(q(1, 0).a, 0x0fff0fff);
    /* All-ones XSAVE sizes are nonsense: only x87/SSE state survives. */
    CHECK(pv_cpuid_has(&pol, XEN_X86_FEATURE_XSAVE));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX2));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX512F));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX512BW));
    CHECK_EQ(pol.xcr0_max, 3);
    CHECK_EQ(q(0xd, 0).a, 3);
    CHECK_EQ(q(0xd, 0).c, 576);
    CHECK_EQ(q(0x40000005, 0).b, 44);
}

static void test_policy_intel(void)
{
    struct cpuid_leaf l;

    build(host_intel);
    check_hidden("intel");
    check_xen_leaves();
    check_no_parent_leaks();
    CHECK_EQ(pol.vendor, PV_VENDOR_INTEL);
    CHECK_EQ(q(0, 0).a, 0xd);
    l = q(0, 0);
    CHECK(memcmp(&l.b, "Genu", 4) == 0);
    CHECK_EQ(q(1, 0).a, 0x000606a6);
    CHECK_EQ(q(1, 0).b, 0x00000800);        /* CLFLUSH size kept */
    CHECK_EQ(q(1, 0).d, 0x0f898b71u & 0xbfebfbff);
    /* 1.c: SSE3 PCLMUL SSSE3 FMA CX16 SSE4.1/2 MOVBE POPCNT AES XSAVE AVX F16C RDRAND HV */
    CHECK_EQ(q(1, 0).c, (0x76d83203u & 0x7ffefbff) | 0x80000000u);
    CHECK_EQ(q(2, 0).a, 0x00feff01);        /* Intel cache descriptors */
    /* Leaf 4: valid subleaves, reserved bits clear, then zeros. */
    CHECK_EQ(q(4, 0).a, 0x1c004121 & 0xffffc3ff);
    CHECK_EQ(q(4, 3).d, 4);
    CHECK(q(4, 4).a == 0 && q(4, 7).b == 0 && q(4, 100).a == 0);
    /* Leaf 7. */
    l = q(7, 0);
    CHECK_EQ(l.a, 2);
    CHECK(l.b & (1u << 5));                 /* AVX2 */
    CHECK(l.b & (1u << 16));                /* AVX512F */
    CHECK(l.d & (1u << 10));                /* MD_CLEAR */
    CHECK_EQ(q(7, 1).a, 0x00001c30 & ((1u << 4) | (1u << 5) | (1u << 10) |
                                      (1u << 11) | (1u << 12)));
    CHECK(q(7, 3).b == 0);
    /* IBPB offered through the AMD bit because the host has IBRSB. */
    CHECK(q(0x80000008, 0).b & (1u << 12));
    /* Extended leaves on Intel. */
    CHECK_EQ(q(0x80000000, 0).a, 0x80000008);
    CHECK(q(0x80000000, 0).b == 0);
    l = q(0x80000001, 0);
    CHECK_EQ(l.d, 0x20100800u);             /* SYSCALL NX LM: no 1G, RDTSCP */
    CHECK_EQ(l.c, 0x121);
    l = q(0x80000002, 0);
    CHECK(memcmp(&l, "Intel(R) Xeon(R)", 16) == 0);
    CHECK_EQ(q(0x80000006, 0).c, 0x01007040);
    CHECK_EQ(q(0x80000008, 0).a & 0xff, 46);
    CHECK_EQ(q(0x80000008, 0).c, 0);
    CHECK_EQ(q(0x40000005, 0).b, 44);
    /* XSAVE: x87 SSE YMM and the AVX-512 trio; no PKRU/MPX/XSS. */
    CHECK_EQ(pol.xcr0_max, 0xe7);
    l = q(0xd, 0);
    CHECK_EQ(l.a, 0xe7);
    CHECK_EQ(l.d, 0);
    CHECK_EQ(l.c, 0xa80);
    CHECK_EQ(l.b, 576);                     /* for XCR0 = x87|SSE */
    l = q(0xd, 1);
    CHECK_EQ(l.a, 7);                       /* XSAVEOPT XSAVEC XGETBV1 */
    CHECK_EQ(l.b, 576);
    CHECK_EQ(q(0xd, 2).a, 0x100);
    CHECK_EQ(q(0xd, 2).b, 0x240);
    CHECK_EQ(q(0xd, 7).b, 0x680);
    CHECK(q(0xd, 62).a == 0 && q(0xd, 63).a == 0 && q(0xd, 64).a == 0);
}

/* Leaf 0xd and OSXSAVE follow the vCPU state. */
static void test_policy_dynamic(void)
{
    struct pv_cpuid_state s = { .cr4 = 0, .xcr0 = 7 };
    struct cpuid_leaf l;

    build(host_intel);
    pv_cpuid(&pol, &s, 0xd, 0, &l);
    CHECK_EQ(l.b, 0x340);
    pv_cpuid(&pol, &s, 0xd, 1, &l);
    CHECK_EQ(l.b, 0x340);                   /* compacted: 576 + 256 */
    s.xcr0 = 0xe7;
    pv_cpuid(&pol, &s, 0xd, 0, &l);
    CHECK_EQ(l.b, 0xa80);
    pv_cpuid(&pol, &s, 0xd, 1, &l);
    CHECK_EQ(l.b, 576 + 0x100 + 0x40 + 0x200 + 0x400);
    s.xcr0 = 0x2e7;                         /* PKRU is not the guest's */
    pv_cpuid(&pol, &s, 0xd, 0, &l);
    CHECK_EQ(l.b, 0xa80);

    s.xcr0 = 3;
    pv_cpuid(&pol, &s, 1, 0, &l);
    CHECK(!(l.c & (1u << 27)));
    s.cr4 = EMUL_CR4_OSXSAVE;
    pv_cpuid(&pol, &s, 1, 0, &l);
    CHECK(l.c & (1u << 27));
    s.cr4 = 0;
    s.kernel_forced_osxsave = true;
    pv_cpuid(&pol, &s, 1, 0, &l);
    CHECK(l.c & (1u << 27));

    /* Without XSAVE there is no OSXSAVE whatever the state says. */
    build(host_no_xsave);
    s.cr4 = EMUL_CR4_OSXSAVE;
    pv_cpuid(&pol, &s, 1, 0, &l);
    CHECK(!(l.c & (1u << 27)));
}

static void test_policy_amd(void)
{
    struct cpuid_leaf l;

    build(host_amd);
    check_hidden("amd");
    check_xen_leaves();
    check_no_parent_leaks();
    CHECK_EQ(pol.vendor, PV_VENDOR_AMD);
    CHECK_EQ(q(0, 0).a, 0xd);
    /* AMD: leaf 2 and 4 are reserved: zeros. */
    CHECK(q(2, 0).a == 0 && q(2, 0).d == 0);
    CHECK(q(4, 0).a == 0 && q(4, 0).d == 0);
    /* SYSENTER hidden in long mode on AMD. */
    CHECK(!(q(1, 0).d & (1u << 11)));
    /* e1.d mirrors the filtered common leaf-1 bits only. */
    l = q(0x80000001, 0);
    CHECK_EQ(l.d & 0x0183f3ffu, q(1, 0).d & 0x0183f3ffu);
    CHECK(!(l.d & ((1u << 3) | (1u << 7) | (1u << 12) | (1u << 13) |
                   (1u << 14) | (1u << 17) | (1u << 1) | (1u << 2))));
    CHECK(l.d & (1u << 29));                /* LM */
    CHECK(l.d & (1u << 11));                /* SYSCALL */
    CHECK_EQ(l.a, 0x00a00f11);
    CHECK_EQ(l.b, 0x20ff0000 & 0xff00ffff);
    CHECK_EQ(q(0x80000000, 0).a, 0x80000021);
    l = q(0x80000000, 0);
    CHECK(memcmp(&l.b, "Auth", 4) == 0);
    CHECK_EQ(q(0x80000005, 0).a, 1);        /* AMD L1 cache info kept */
    l = q(0x80000008, 0);
    CHECK(l.b & (1u << 12));                /* IBPB */
    CHECK(l.b & (1u << 0));                 /* CLZERO */
    CHECK_EQ(l.c, 0x0000500f & 0x0003f0ff);
    l = q(0x80000021, 0);
    CHECK_EQ(l.a, 0x62fcf & ((1u << 2) | (1u << 5) | (1u << 6) | (1u << 28) |
                             (1u << 29)));
    CHECK(l.b == 0 && l.d == 0);
    CHECK(q(0x80000022, 0).a == 0);
    CHECK_EQ(pol.xcr0_max, 7);
    CHECK_EQ(q(0xd, 0).a, 7);
    CHECK_EQ(q(0xd, 9).a, 0);
    CHECK_EQ(q(0x40000005, 0).b, 44);
}

static void test_policy_degraded_hosts(void)
{
    build(host_no_xsave);
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_XSAVE));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_FMA));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_F16C));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX2));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX512F));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX512VL));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_VAES));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_XSAVEOPT));
    CHECK(q(0xd, 0).a == 0 && q(0xd, 1).a == 0 && q(0xd, 2).a == 0);
    CHECK(pv_cpuid_has(&pol, XEN_X86_FEATURE_SSE4_2));
    CHECK_EQ(pol.xcr0_max, 0);

    build(host_no_ymm);
    CHECK(pv_cpuid_has(&pol, XEN_X86_FEATURE_XSAVE));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX2));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX512F));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX_VNNI));
    CHECK_EQ(pol.xcr0_max, 3);
    CHECK_EQ(q(0xd, 0).c, 576);

    build(host_tiny);
    CHECK_EQ(q(0, 0).a, 1);
    CHECK(q(7, 0).b == 0 && q(0xd, 0).a == 0 && q(4, 0).a == 0);
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_XSAVE));
    CHECK(!pv_cpuid_has(&pol, XEN_X86_FEATURE_AVX));
    CHECK_EQ(q(0x40000005, 0).b, 39);
    check_xen_leaves();
}

/* ---- emulator fixture ------------------------------------------------- */

static struct domain dom;
static struct vcpu *v;
static vcpu_info_t vinfo;
static struct cpu_regs r;
static struct pv_exc exc;

#define CR0_HOST (EMUL_CR0_PE | EMUL_CR0_MP | EMUL_CR0_ET | EMUL_CR0_NE | \
                  EMUL_CR0_WP | EMUL_CR0_PG)
#define CR4_HOST (EMUL_CR4_PAE | EMUL_CR4_PGE | EMUL_CR4_MCE | \
                  EMUL_CR4_OSFXSR | EMUL_CR4_OSXMMEXCPT | EMUL_CR4_OSXSAVE)

/* A fresh vCPU 0 in guest-kernel mode on the given host. */
static void setup(fake_host_fn h)
{
    memset(&dom, 0, sizeof(dom));
    memset(&vinfo, 0, sizeof(vinfo));
    memset(gmem, 0xcc, sizeof(gmem));
    gmem_mapped = GMEM_SIZE;
    dom.domid = 1;
    dom.nr_vcpus = 1;
    v = &dom.vcpus[0];
    v->domain = &dom;
    v->in_kernel = true;
    v->vcpu_info = &vinfo;
    v->cr3 = 0x1234000;
    v->kernel_cr3 = 0x1234000;
    hw_cr0 = CR0_HOST;
    hw_cr4 = CR4_HOST;
    hw_efer = EMUL_EFER_SCE | EMUL_EFER_LME | EMUL_EFER_LMA | EMUL_EFER_NXE |
              BIT(12) /* SVME */;
    hw_tsc = 0x123456789abcULL;
    hw_xcr0_fail = 0;
    hw_set_ts_calls = hw_segload_calls = hw_ibpb_calls = 0;
    hw_fpu_init_calls = 0;
    hw_ts = false;
    fake_host = h;
    pv_emulate_set_hypercall_page_hook(NULL);
    pv_emulate_vcpu_init(v);
    CHECK_EQ(hw_fpu_init_calls, 0);         /* no CPU state touched */
    pv_emulate_cpu_load(v);
    memset(&r, 0, sizeof(r));
    r.cs = 0xe033;
    r.ss = 0xe02b;
    r.rflags = 0x202;
    memset(&exc, 0xa5, sizeof(exc));
}

/* Place an instruction at offset off of the fake memory, point RIP at it. */
static void put(unsigned off, const void *bytes, size_t n)
{
    memcpy(gmem + off, bytes, n);
    r.rip = GVA + off;
}

#define INSN(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static enum pv_emul run(unsigned vector)
{
    return pv_emulate_priv(v, &r, vector, &exc);
}

/* Run and expect DONE with RIP moved by len. */
static bool ok(unsigned vector, unsigned len)
{
    uint64_t rip = r.rip;
    enum pv_emul rc = run(vector);

    if (rc != PV_EMUL_DONE) {
        printf("  rc %d (exc %u) at %#llx\n", rc, exc.vector,
               (unsigned long long)rip);
        return false;
    }
    if (r.rip != rip + len) {
        printf("  rip moved by %lld, wanted %u\n", (long long)(r.rip - rip),
               len);
        return false;
    }
    return true;
}

/* Run and expect UNHANDLED with the registers untouched. */
static bool unhandled(unsigned vector)
{
    struct cpu_regs before = r;
    enum pv_emul rc = run(vector);

    return rc == PV_EMUL_UNHANDLED && memcmp(&before, &r, sizeof(r)) == 0;
}

static bool gp0(unsigned vector)
{
    uint64_t rip = r.rip;

    return run(vector) == PV_EMUL_EXCEPTION && exc.vector == 13 &&
           exc.has_ec && exc.error_code == 0 && r.rip == rip;
}

static uint64_t rdmsr_t(uint32_t msr, enum pv_emul *rc)
{
    put(100, INSN(0x0f, 0x32));
    r.rcx = msr;
    r.rax = r.rdx = 0xdeadbeefdeadbeefULL;
    *rc = run(13);
    return (r.rdx << 32) | (uint32_t)r.rax;
}

static enum pv_emul wrmsr_t(uint32_t msr, uint64_t val)
{
    put(100, INSN(0x0f, 0x30));
    r.rcx = msr | 0xffffffff00000000ULL;    /* upper half ignored */
    r.rax = (uint32_t)val | 0x5555555500000000ULL;
    r.rdx = (val >> 32) | 0xaaaaaaaa00000000ULL;
    return run(13);
}

/* ---- decoder tests ---------------------------------------------------- */

/* The forced-emulation CPUID from kernel and user mode, and its guards. */
static void test_forced_cpuid(void)
{
    setup(host_intel);
    put(0, INSN(0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2));
    r.rax = 0xffffffff40000000ULL;          /* upper half ignored */
    r.rcx = 0;
    CHECK(ok(6, 7));
    CHECK_EQ(r.rax, 0x40000005);
    CHECK_EQ(r.rbx, XEN_CPUID_SIGNATURE_EBX);
    CHECK_EQ(r.rcx, XEN_CPUID_SIGNATURE_ECX);
    CHECK_EQ(r.rdx, XEN_CPUID_SIGNATURE_EDX);

    /* Kernel mode with hardware OSXSAVE: OSXSAVE leaks (Xen's PV ABI). */
    put(0, INSN(0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2));
    r.rax = 1;
    CHECK(ok(6, 7));
    CHECK(r.rcx & (1u << 27));
    CHECK(r.rcx & (1u << 31));

    /* User mode: emulated too, but architectural OSXSAVE. */
    v->in_kernel = false;
    put(0, INSN(0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2));
    r.rax = 1;
    CHECK(ok(6, 7));
    CHECK(!(r.rcx & (1u << 27)));
    v->in_kernel = true;

    /* Hyper-V's leaf is Xen's, never the parent's. */
    put(0, INSN(0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2));
    r.rax = 0x40000100;
    CHECK(ok(6, 7));
    CHECK(r.rax == 0 && r.rbx == 0 && r.rcx == 0 && r.rdx == 0);

    /* A plain ud2, a wrong signature, prefix without cpuid: bounced. */
    put(0, INSN(0x0f, 0x0b, 0x90, 0x90, 0x90, 0x90, 0x90));
    CHECK(unhandled(6));
    put(0, INSN(0x0f, 0x0b, 'x', 'e', 'N', 0x0f, 0xa2));
    CHECK(unhandled(6));
    put(0, INSN(0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0x31));
    CHECK(unhandled(6));
    /* As #GP it means nothing. */
    put(0, INSN(0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2));
    CHECK(unhandled(13));
    /* Other vectors are never emulated. */
    CHECK(unhandled(14));
    CHECK(unhandled(1));

    /* Single-step: emulated, then #DB with RIP past it. */
    put(0, INSN(0x0f, 0x0b, 'x', 'e', 'n', 0x0f, 0xa2));
    r.rflags |= EMUL_EFLAGS_TF | EMUL_EFLAGS_RF;
    r.rax = 0;
    CHECK_EQ(run(6), PV_EMUL_EXCEPTION);
    CHECK_EQ(exc.vector, 1);
    CHECK(!exc.has_ec);
    CHECK_EQ(r.rip, GVA + 7);
    CHECK_EQ(r.rax, 0xd);
    CHECK(v->debugreg[6] & EMUL_DR6_BS);
    CHECK(!(r.rflags & EMUL_EFLAGS_RF));
}

/* Fetches that fault: bounced unchanged; a short insn at a page end works. */
static void test_fetch(void)
{
    setup(host_intel);
    /* Forced prefix cut by the end of mapped memory. */
    gmem_mapped = 4096;
    put(4096 - 4, INSN(0x0f, 0x0b, 'x', 'e'));
    CHECK(unhandled(6));
    /* rdmsr as the last two mapped bytes still decodes. */
    put(4096 - 2, INSN(0x0f, 0x32));
    r.rcx = 0x277;
    CHECK(ok(13, 2));
    CHECK_EQ(r.rax, (uint32_t)PV_GUEST_PAT);
    /* mov %cr0 whose ModRM byte is unmapped. */
    put(4096 - 2, INSN(0x0f, 0x20));
    CHECK(unhandled(13));
    /* in al,imm8 without its immediate. */
    put(4096 - 1, INSN(0xe4));
    v->iopl = 1;
    CHECK(unhandled(13));
    /* Nothing mapped at RIP at all, and a RIP outside the guest. */
    r.rip = GVA + 4096 + 100;
    CHECK(unhandled(13));
    CHECK(unhandled(6));
    r.rip = 0x1000;
    CHECK(unhandled(13));
    r.rip = ~0ULL - 3;
    CHECK(unhandled(13));
    /* Fifteen prefixes and no opcode. */
    gmem_mapped = GMEM_SIZE;
    memset(gmem + 200, 0x2e, 15);
    r.rip = GVA + 200;
    CHECK(unhandled(13));
}

/* Everything the emulator refuses comes back untouched. */
static void test_refused_forms(void)
{
    static const struct { uint8_t b[6]; unsigned n; const char *what; } f[] = {
        { { 0xf4 }, 1, "hlt" },
        { { 0x0f, 0x01, 0x10 }, 3, "lgdt" },
        { { 0x0f, 0x01, 0x18 }, 3, "lidt" },
        { { 0x0f, 0x01, 0x38 }, 3, "invlpg" },
        { { 0x0f, 0x01, 0xf8 }, 3, "swapgs" },
        { { 0x0f, 0x01, 0xf9 }, 3, "rdtscp" },
        { { 0x0f, 0x01, 0xd0 }, 3, "xgetbv" },
        { { 0x48, 0x0f, 0x07 }, 3, "sysretq" },
        { { 0x48, 0xcf }, 2, "iretq" },
        { { 0x0f, 0x00, 0xd0 }, 3, "lldt" },
        { { 0x0f, 0x21, 0xc0 }, 3, "mov %dr0" },
        { { 0x0f, 0x23, 0xc0 }, 3, "mov to %dr0" },
        { { 0x0f, 0x31 }, 2, "rdtsc" },
        { { 0x0f, 0x33 }, 2, "rdpmc" },
        { { 0x0f, 0x22, 0xd8 }, 3, "mov to %cr3" },
        { { 0x0f, 0x20, 0xc8 }, 3, "mov %cr1" },
        { { 0x0f, 0x20, 0xe8 }, 3, "mov %cr5" },
        { { 0x44, 0x0f, 0x20, 0xc8 }, 4, "mov %cr9" },
        { { 0x6c }, 1, "insb" },
        { { 0x6d }, 1, "insl" },
        { { 0x6e }, 1, "outsb" },
        { { 0xf3, 0x6f }, 2, "rep outsl" },
        { { 0xf3, 0xec }, 2, "rep in" },
        { { 0xf2, 0xe4, 0x80 }, 3, "repne in imm" },
        { { 0xf0, 0x0f, 0x20, 0xc0 }, 4, "lock mov %cr0" },
        { { 0xf0, 0xec }, 2, "lock in" },
        { { 0x66, 0x0f, 0x32 }, 3, "66 rdmsr" },
        { { 0xf3, 0x0f, 0x32 }, 3, "f3 rdmsr" },
        { { 0xf2, 0x0f, 0x09 }, 3, "f2 wbinvd" },
        { { 0x48, 0x66, 0xe5, 0x80 }, 4, "REX before 66" },
        { { 0x40, 0x40, 0xec }, 3, "two REX" },
        { { 0x0f, 0xff }, 2, "ud0" },
        { { 0x90 }, 1, "nop" },
        { { 0xcd, 0x80 }, 2, "int $0x80" },
    };
    unsigned i;

    setup(host_intel);
    v->iopl = 1;
    for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        put(300, f[i].b, f[i].n);
        r.rcx = 0x10;
        if (!unhandled(13)) {
            th_case_failures++;
            printf("  %s not refused\n", f[i].what);
        }
    }
    /* From guest user mode even the emulated forms are bounced. */
    v->in_kernel = false;
    put(0, INSN(0x0f, 0x32));
    r.rcx = 0x277;
    CHECK(unhandled(13));
    put(0, INSN(0xec));
    v->iopl = 3;
    CHECK(unhandled(13));
    put(0, INSN(0x0f, 0x20, 0xc0));
    CHECK(unhandled(13));
}

/* Random instruction bytes: never a crash; UNHANDLED leaves r alone. */
static void test_random_bytes(void)
{
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    unsigned i, j, counts[3] = { 0 };

    for (i = 0; i < 200000; i++) {
        uint8_t b[15];
        struct cpu_regs before;
        enum pv_emul rc;

        if (i % 4096 == 0)
            setup((i / 4096) % 2 ? host_amd : host_all_ones);
        for (j = 0; j < 15; j++) {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
            b[j] = (uint8_t)seed;
        }
        /* Bias towards the interesting opcodes. */
        if (seed % 3 == 0) { b[0] = 0x0f; }
        if (seed % 7 == 0) { b[0] = 0x0f; b[1] = 0x0b; b[2] = 'x'; b[3] = 'e'; b[4] = 'n'; }
        put(4096 - 15 + (unsigned)(seed % 16), b, 15 - (unsigned)(seed % 16));
        gmem_mapped = 4096 + (seed % 5 == 0 ? 4096 : 0);
        r.rax = seed; r.rcx = seed >> 7; r.rdx = seed >> 3;
        v->in_kernel = seed % 11 != 0;
        v->iopl = (seed >> 5) & 3;
        before = r;
        rc = pv_emulate_priv(v, &r, seed % 2 ? 13 : 6, &exc);
        counts[rc]++;
        if (rc == PV_EMUL_UNHANDLED && memcmp(&before, &r, sizeof(r))) {
            th_case_failures++;
            printf("  UNHANDLED changed registers\n");
            break;
        }
        if (rc == PV_EMUL_EXCEPTION &&
            !(exc.vector == 13 || exc.vector == 6 || exc.vector == 1)) {
            th_case_failures++;
            printf("  odd exception %u\n", exc.vector);
            break;
        }
    }
    CHECK(counts[PV_EMUL_DONE] > 0 && counts[PV_EMUL_UNHANDLED] > 0 &&
          counts[PV_EMUL_EXCEPTION] > 0);
}

/* ---- MSRs --------------------------------------------------------------- */

static void test_msr_segbases(void)
{
    enum pv_emul rc;

    setup(host_intel);
    /* startup_xen: wrmsr GS_BASE = the kernel's per-CPU area. */
    CHECK_EQ(wrmsr_t(0xc0000101, 0xffff888003a00000ULL), PV_EMUL_DONE);
    CHECK_EQ(v->seg.gs_kernel, 0xffff888003a00000ULL);
    CHECK_EQ(hw_segload_calls, 1);
    CHECK_EQ(r.rip, GVA + 102);
    CHECK_EQ(wrmsr_t(0xc0000102, 0x00007f0000001000ULL), PV_EMUL_DONE);
    CHECK_EQ(v->seg.gs_user, 0x00007f0000001000ULL);
    CHECK_EQ(wrmsr_t(0xc0000100, 0x00007f0000002000ULL), PV_EMUL_DONE);
    CHECK_EQ(v->seg.fs, 0x00007f0000002000ULL);
    CHECK_EQ(hw_segload_calls, 3);
    CHECK_EQ(rdmsr_t(0xc0000101, &rc), 0xffff888003a00000ULL);
    CHECK_EQ(rc, PV_EMUL_DONE);
    CHECK_EQ(rdmsr_t(0xc0000102, &rc), 0x00007f0000001000ULL);
    CHECK_EQ(rdmsr_t(0xc0000100, &rc), 0x00007f0000002000ULL);
    /* rdmsr writes zero-extended EAX and EDX. */
    CHECK_EQ(r.rax, 0x2000);
    CHECK_EQ(r.rdx, 0x7f00);
    /* Non-canonical: #GP(0), nothing changes. */
    CHECK_EQ(wrmsr_t(0xc0000101, 0x0000800000000000ULL), PV_EMUL_EXCEPTION);
    CHECK(exc.vector == 13 && exc.has_ec && exc.error_code == 0);
    CHECK_EQ(r.rip, GVA + 100);
    CHECK_EQ(v->seg.gs_kernel, 0xffff888003a00000ULL);
    CHECK_EQ(hw_segload_calls, 3);
}

static void test_msr_fixed(void)
{
    enum pv_emul rc;

    setup(host_intel);
    CHECK_EQ(rdmsr_t(0x277, &rc), 0x0000050100070406ULL);
    CHECK_EQ(rc, PV_EMUL_DONE);
    CHECK_EQ(wrmsr_t(0x277, 0x0000050100070406ULL), PV_EMUL_DONE);
    CHECK_EQ(wrmsr_t(0x277, 0x0007040600070406ULL), PV_EMUL_EXCEPTION);
    CHECK_EQ(rdmsr_t(0x1b, &rc), 0xfee00900ULL);      /* EN | BSP */
    CHECK_EQ(wrmsr_t(0x1b, 0xfee00900ULL), PV_EMUL_EXCEPTION);
    CHECK_EQ(rdmsr_t(0xc0000080, &rc), 0xd01);        /* no SVME */
    CHECK_EQ(wrmsr_t(0xc0000080, 0xd01), PV_EMUL_DONE);
    CHECK_EQ(wrmsr_t(0xc0000080, 0x501), PV_EMUL_EXCEPTION);
    CHECK_EQ(rdmsr_t(0x10, &rc), hw_tsc);
    CHECK_EQ(wrmsr_t(0x10, 0), PV_EMUL_EXCEPTION);
    /* Intel's microcode revision probe: wrmsr 0, cpuid, rdmsr. */
    CHECK_EQ(wrmsr_t(0x8b, 0), PV_EMUL_DONE);
    CHECK_EQ(wrmsr_t(0x8b, 1), PV_EMUL_EXCEPTION);
    CHECK_EQ(rdmsr_t(0x8b, &rc), 0);
    CHECK_EQ(rc, PV_EMUL_DONE);
    CHECK_EQ(rdmsr_t(0x3a, &rc), 1);                  /* locked, no VMX */
    CHECK_EQ(wrmsr_t(0x3a, 5), PV_EMUL_EXCEPTION);
    CHECK_EQ(rdmsr_t(0xce, &rc), 0);
    CHECK_EQ(rdmsr_t(0x140, &rc), 0);
    CHECK_EQ(wrmsr_t(0x140, 0), PV_EMUL_DONE);
    CHECK_EQ(wrmsr_t(0x140, 1), PV_EMUL_EXCEPTION);
    CHECK_EQ(rdmsr_t(0x1a0, &rc), 0x801801);
    CHECK_EQ(wrmsr_t(0x1a0, 0x801801 | 0x40000), PV_EMUL_DONE);  /* dropped */
    CHECK_EQ(rdmsr_t(0x1a0, &rc), 0x801801);
    CHECK_EQ(rdmsr_t(0x199, &rc), 0);
    CHECK_EQ(wrmsr_t(0x199, 0x1234), PV_EMUL_DONE);
    CHECK_EQ(rdmsr_t(0x40000000, &rc), 0);
    CHECK_EQ(rc, PV_EMUL_DONE);
    /* AMD-only MSRs on Intel. */
    rdmsr_t(0xc0011029, &rc);
    CHECK_EQ(rc, PV_EMUL_EXCEPTION);
    CHECK_EQ(wrmsr_t(0xc0010015, 0), PV_EMUL_EXCEPTION);
}

static void test_msr_vendor_amd(void)
{
    enum pv_emul rc;

    setup(host_amd);
    rdmsr_t(0x1a0, &rc);                    /* MISC_ENABLE: Intel only */
    CHECK_EQ(rc, PV_EMUL_EXCEPTION);
    rdmsr_t(0x3a, &rc);
    CHECK_EQ(rc, PV_EMUL_EXCEPTION);
    CHECK_EQ(rdmsr_t(0xc0011029, &rc), 2);  /* DE_CFG: LFENCE serialising */
    CHECK_EQ(wrmsr_t(0xc0011029, 0), PV_EMUL_DONE);
    CHECK_EQ(rdmsr_t(0xc0010015, &rc), 0);
    CHECK_EQ(rc, PV_EMUL_DONE);
    CHECK_EQ(rdmsr_t(0x8b, &rc), 0);
    CHECK_EQ(rc, PV_EMUL_DONE);
    CHECK_EQ(wrmsr_t(0x8b, 0), PV_EMUL_EXCEPTION);  /* write: Intel only */
    CHECK_EQ(wrmsr_t(0x49, 1), PV_EMUL_DONE);       /* IBPB offered */
    CHECK_EQ(hw_ibpb_calls, 1);
}

static int hcall_page_rc;
static uint64_t hcall_page_gmfn;
static int fake_hcall_page(struct vcpu *vc, uint64_t gmfn)
{
    (void)vc;
    hcall_page_gmfn = gmfn;
    return hcall_page_rc;
}

static void test_msr_refused(void)
{
    static const uint32_t gp[] = {
        0x48 /* SPEC_CTRL */, 0x10a /* ARCH_CAPS */, 0x10b /* FLUSH_CMD */,
        0x122 /* TSX_CTRL */, 0x123 /* MCU_OPT_CTRL */, 0xc0000103 /* TSC_AUX */,
        0x179 /* MCG_CAP */, 0x17a, 0x17b, 0x400 /* MC0_CTL */, 0x401, 0x47f,
        0x280, 0x4d0, 0x186 /* PERFEVTSEL0 */, 0xc1 /* PMC0 */, 0x309,
        0x38d, 0x38f, 0x345 /* PERF_CAPS */, 0x1d9 /* DEBUGCTL */,
        0xc0000081 /* STAR */, 0xc0000082, 0xc0000084, 0x174, 0x175, 0x176,
        0x40000001, 0x40000073 /* Hyper-V VP_ASSIST */, 0x400000f0,
        0x40000200, 0x4b564d00 /* KVM */, 0x200 /* MTRR */, 0x2ff, 0x1b0,
        0x6e0 /* TSC_DEADLINE */, 0x800, 0x802 /* x2APIC */, 0x8fff,
        0xda0 /* XSS */, 0xc0010114 /* VM_CR */, 0xc0010117 /* VM_HSAVE */,
        0x12345678, 0xffffffff, 0,
    };
    unsigned i;
    enum pv_emul rc;

    setup(host_intel);
    for (i = 0; i < sizeof(gp) / sizeof(gp[0]); i++) {
        rdmsr_t(gp[i], &rc);
        if (rc != PV_EMUL_EXCEPTION || exc.vector != 13 || exc.error_code) {
            th_case_failures++;
            printf("  rdmsr %#x not #GP(0)\n", gp[i]);
        }
        CHECK_EQ(r.rip, GVA + 100);
        CHECK_EQ(r.rax, 0xdeadbeefdeadbeefULL);
        if (wrmsr_t(gp[i], 0) != PV_EMUL_EXCEPTION || exc.vector != 13) {
            th_case_failures++;
            printf("  wrmsr %#x not #GP(0)\n", gp[i]);
        }
    }
    /* PRED_CMD: write-only, IBPB bit only. */
    rdmsr_t(0x49, &rc);
    CHECK_EQ(rc, PV_EMUL_EXCEPTION);
    CHECK_EQ(wrmsr_t(0x49, 1), PV_EMUL_DONE);
    CHECK_EQ(hw_ibpb_calls, 1);
    CHECK_EQ(wrmsr_t(0x49, 0), PV_EMUL_DONE);
    CHECK_EQ(hw_ibpb_calls, 1);
    CHECK_EQ(wrmsr_t(0x49, 0x80), PV_EMUL_EXCEPTION);   /* SBPB not offered */
    CHECK_EQ(wrmsr_t(0x49, 1ULL << 32), PV_EMUL_EXCEPTION);
    /* Without IBPB in the policy PRED_CMD does not exist. */
    setup(host_tiny);
    CHECK_EQ(wrmsr_t(0x49, 1), PV_EMUL_EXCEPTION);
    CHECK_EQ(hw_ibpb_calls, 0);

    /* The hypercall-page MSR: #GP without a hook, the hook otherwise. */
    setup(host_intel);
    CHECK_EQ(wrmsr_t(0x40000000, 0x5000), PV_EMUL_EXCEPTION);
    pv_emulate_set_hypercall_page_hook(fake_hcall_page);
    hcall_page_rc = 0;
    CHECK_EQ(wrmsr_t(0x40000000, 0x123456000ULL), PV_EMUL_DONE);
    CHECK_EQ(hcall_page_gmfn, 0x123456);
    CHECK_EQ(wrmsr_t(0x40000000, 0x123456001ULL), PV_EMUL_EXCEPTION);
    hcall_page_rc = -XEN_EINVAL;
    CHECK_EQ(wrmsr_t(0x40000000, 0x5000), PV_EMUL_EXCEPTION);
    pv_emulate_set_hypercall_page_hook(NULL);
}

/* ---- control registers --------------------------------------------------- */

static void test_cr_reads(void)
{
    setup(host_intel);
    /* setup(): vcpu_init (state only), then cpu_load (the hardware). */
    CHECK_EQ(hw_fpu_init_calls, 1);
    CHECK_EQ(hw_fpu_init_xcr0, 3);
    CHECK_EQ(v->xcr0, 3);
    CHECK_EQ(v->cr0_ts, 0);
    CHECK_EQ(v->cr4_shadow, EMUL_CR4_PAE | EMUL_CR4_OSFXSR | EMUL_CR4_OSXMMEXCPT);

    put(0, INSN(0x0f, 0x20, 0xc0));         /* mov %cr0,%rax */
    r.rax = ~0ULL;
    CHECK(ok(13, 3));
    CHECK_EQ(r.rax, CR0_HOST);
    v->cr0_ts = EMUL_CR0_TS;
    put(0, INSN(0x41, 0x0f, 0x20, 0xc1));   /* mov %cr0,%r9 */
    CHECK(ok(13, 4));
    CHECK_EQ(r.r9, CR0_HOST | EMUL_CR0_TS);
    v->cr0_ts = 0;
    put(0, INSN(0x0f, 0x20, 0xe3));         /* mov %cr4,%rbx */
    CHECK(ok(13, 3));
    CHECK_EQ(r.rbx, v->cr4_shadow);
    put(0, INSN(0x0f, 0x20, 0x24));         /* mod 00: still %rsp */
    CHECK(ok(13, 3));
    CHECK_EQ(r.rsp, v->cr4_shadow);
    put(0, INSN(0x2e, 0x67, 0x64, 0x0f, 0x20, 0xd7));  /* overrides: %cr2,%rdi */
    vinfo.arch.cr2 = 0xffffc90000123456ULL;
    CHECK(ok(13, 6));
    CHECK_EQ(r.rdi, 0xffffc90000123456ULL);
    put(0, INSN(0x48, 0x0f, 0x20, 0xd8));   /* mov %cr3,%rax */
    CHECK(ok(13, 4));
    CHECK_EQ(r.rax, 0x1234000);
    put(0, INSN(0x44, 0x0f, 0x20, 0xc0));   /* mov %cr8,%rax */
    CHECK(gp0(13));
    put(0, INSN(0x44, 0x0f, 0x22, 0xc0));   /* mov %rax,%cr8 */
    CHECK(gp0(13));
    /* No vcpu_info yet: CR2 reads 0. */
    v->vcpu_info = NULL;
    put(0, INSN(0x0f, 0x20, 0xd0));
    CHECK(ok(13, 3));
    CHECK_EQ(r.rax, 0);
}

static void test_cr_writes(void)
{
    setup(host_intel);
    /* CR0: only TS may change (fpu_taskswitch). */
    put(0, INSN(0x0f, 0x22, 0xc0));
    r.rax = CR0_HOST | EMUL_CR0_TS;
    CHECK(ok(13, 3));
    CHECK_EQ(v->cr0_ts, EMUL_CR0_TS);
    CHECK(hw_ts);
    put(0, INSN(0x0f, 0x06));               /* clts */
    CHECK(ok(13, 2));
    CHECK_EQ(v->cr0_ts, 0);
    CHECK(!hw_ts);
    put(0, INSN(0x0f, 0x22, 0xc0));
    r.rax = CR0_HOST & ~EMUL_CR0_WP;
    CHECK(gp0(13));
    r.rax = CR0_HOST | EMUL_CR0_AM;
    CHECK(gp0(13));
    CHECK_EQ(v->cr0_ts, 0);

    /* CR4: OSXSAVE is the guest's; PGE/PSE/VMXE etc. are dropped. */
    put(0, INSN(0x0f, 0x22, 0xe0));         /* mov %rax,%cr4 */
    r.rax = EMUL_CR4_PAE | EMUL_CR4_OSFXSR | EMUL_CR4_OSXMMEXCPT |
            EMUL_CR4_OSXSAVE | EMUL_CR4_PGE | EMUL_CR4_PSE | EMUL_CR4_TSD |
            EMUL_CR4_FSGSBASE | BIT(13);
    CHECK(ok(13, 3));
    CHECK_EQ(v->cr4_shadow, EMUL_CR4_PAE | EMUL_CR4_OSFXSR |
                            EMUL_CR4_OSXMMEXCPT | EMUL_CR4_OSXSAVE);
    put(0, INSN(0x0f, 0x22, 0xe0));
    r.rax = 0;                              /* the hardware bits stay */
    CHECK(ok(13, 3));
    CHECK_EQ(v->cr4_shadow, EMUL_CR4_PAE | EMUL_CR4_OSFXSR |
                            EMUL_CR4_OSXMMEXCPT);
    /* CR2 writes land in vcpu_info. */
    put(0, INSN(0x41, 0x0f, 0x22, 0xd7));   /* mov %r15,%cr2 */
    r.r15 = 0x4242;
    CHECK(ok(13, 4));
    CHECK_EQ(vinfo.arch.cr2, 0x4242);

    /* Without XSAVE the guest cannot set OSXSAVE. */
    setup(host_no_xsave);
    CHECK_EQ(hw_fpu_init_xcr0, 0);
    CHECK_EQ(v->xcr0, 0);
    put(0, INSN(0x0f, 0x22, 0xe0));
    r.rax = EMUL_CR4_OSXSAVE | EMUL_CR4_PAE;
    CHECK(ok(13, 3));
    CHECK(!(v->cr4_shadow & EMUL_CR4_OSXSAVE));
}

/* ---- xsetbv ------------------------------------------------------------ */

static enum pv_emul do_xsetbv(uint32_t index, uint64_t val)
{
    put(0, INSN(0x0f, 0x01, 0xd1));
    r.rcx = index;
    r.rax = (uint32_t)val;
    r.rdx = val >> 32;
    return run(13);
}

static void test_xsetbv(void)
{
    setup(host_intel);
    /* CR4.OSXSAVE clear in the guest's view: #UD. */
    CHECK_EQ(do_xsetbv(0, 7), PV_EMUL_EXCEPTION);
    CHECK(exc.vector == 6 && !exc.has_ec);
    v->cr4_shadow |= EMUL_CR4_OSXSAVE;
    CHECK_EQ(do_xsetbv(0, 7), PV_EMUL_DONE);
    CHECK_EQ(r.rip, GVA + 3);
    CHECK_EQ(v->xcr0, 7);
    CHECK_EQ(hw_xcr0, 7);
    CHECK_EQ(do_xsetbv(0, 0xe7), PV_EMUL_DONE);
    CHECK_EQ(v->xcr0, 0xe7);
    CHECK_EQ(do_xsetbv(0, 3), PV_EMUL_DONE);
    CHECK_EQ(v->xcr0, 3);
    /* Refused values: #GP(0), XCR0 unchanged. */
    CHECK_EQ(do_xsetbv(0, 2), PV_EMUL_EXCEPTION);       /* no x87 */
    CHECK(exc.vector == 13 && exc.has_ec && exc.error_code == 0);
    CHECK_EQ(do_xsetbv(0, 5), PV_EMUL_EXCEPTION);       /* YMM w/o SSE */
    CHECK_EQ(do_xsetbv(0, 0x207), PV_EMUL_EXCEPTION);   /* PKRU */
    CHECK_EQ(do_xsetbv(0, 0x1f), PV_EMUL_EXCEPTION);    /* MPX */
    CHECK_EQ(do_xsetbv(0, 0x27), PV_EMUL_EXCEPTION);    /* OPMASK alone */
    CHECK_EQ(do_xsetbv(0, 0xe3), PV_EMUL_EXCEPTION);    /* AVX-512 w/o YMM */
    CHECK_EQ(do_xsetbv(0, (1ULL << 62) | 3), PV_EMUL_EXCEPTION);
    CHECK_EQ(do_xsetbv(1, 3), PV_EMUL_EXCEPTION);       /* XCR1 */
    CHECK_EQ(v->xcr0, 3);
    CHECK_EQ(r.rip, GVA);
    /* The CPU refusing it is #GP too. */
    hw_xcr0_fail = 1;
    CHECK_EQ(do_xsetbv(0, 7), PV_EMUL_EXCEPTION);
    CHECK_EQ(v->xcr0, 3);
    hw_xcr0_fail = 0;
    /* 66 prefix is refused; upper halves of rcx/rax/rdx are ignored. */
    put(0, INSN(0x66, 0x0f, 0x01, 0xd1));
    CHECK(unhandled(13));
    put(0, INSN(0x0f, 0x01, 0xd1));
    r.rcx = 0xffffffff00000000ULL;
    r.rax = 0xffffffff00000007ULL;
    r.rdx = 0xffffffff00000000ULL;
    CHECK(ok(13, 3));
    CHECK_EQ(v->xcr0, 7);

    /* AMD host: AVX but no AVX-512. */
    setup(host_amd);
    v->cr4_shadow |= EMUL_CR4_OSXSAVE;
    CHECK_EQ(do_xsetbv(0, 7), PV_EMUL_DONE);
    CHECK_EQ(do_xsetbv(0, 0xe7), PV_EMUL_EXCEPTION);
    /* No XSAVE at all: #UD even with OSXSAVE in the view. */
    setup(host_no_xsave);
    v->cr4_shadow |= EMUL_CR4_OSXSAVE;
    CHECK_EQ(do_xsetbv(0, 3), PV_EMUL_EXCEPTION);
    CHECK_EQ(exc.vector, 6);
}

/* ---- port I/O ------------------------------------------------------------ */

static void test_port_io(void)
{
    setup(host_amd);
    /* IOPL 0: the guest kernel (CPL 1) may not. */
    put(0, INSN(0xec));
    r.rdx = 0xcf8;
    CHECK(gp0(13));
    put(0, INSN(0xe6, 0x80));
    CHECK(gp0(13));

    /* set_iopl(1), as Linux does. */
    v->iopl = 1;
    put(0, INSN(0xe4, 0x80));               /* in $0x80,%al */
    r.rax = 0x1122334455667700ULL;
    CHECK(ok(13, 2));
    CHECK_EQ(r.rax, 0x11223344556677ffULL);
    put(0, INSN(0x66, 0xe5, 0x71));         /* in $0x71,%ax */
    r.rax = 0x1122334455660000ULL;
    CHECK(ok(13, 3));
    CHECK_EQ(r.rax, 0x112233445566ffffULL);
    put(0, INSN(0xed));                     /* in (%dx),%eax */
    r.rax = 0x1122334455667788ULL;
    r.rdx = 0xffff0060;                     /* only DX counts */
    CHECK(ok(13, 1));
    CHECK_EQ(r.rax, 0xffffffffULL);
    put(0, INSN(0x2e, 0x67, 0x48, 0xed));   /* REX.W ignored: still 32-bit */
    CHECK(ok(13, 4));
    CHECK_EQ(r.rax, 0xffffffffULL);
    /* Writes go nowhere. */
    put(0, INSN(0xee));
    r.rax = 0x55;
    r.rdx = 0x80;
    CHECK(ok(13, 1));
    CHECK_EQ(r.rax, 0x55);
    put(0, INSN(0x66, 0xe7, 0x70));
    CHECK(ok(13, 3));
    /* PCI CONFIG_ADDRESS latch (32-bit only), CONFIG_DATA all ones. */
    put(0, INSN(0xef));
    r.rdx = 0xcf8;
    r.rax = 0x80000000;
    CHECK(ok(13, 1));
    put(0, INSN(0xed));
    r.rax = 0;
    CHECK(ok(13, 1));
    CHECK_EQ(r.rax, 0x80000000);
    put(0, INSN(0x66, 0xed));
    r.rax = 0;
    CHECK(ok(13, 2));
    CHECK_EQ(r.rax, 0xffff);
    put(0, INSN(0xed));
    r.rdx = 0xcfc;
    CHECK(ok(13, 1));
    CHECK_EQ(r.rax, 0xffffffffULL);
    /* Single-step through an OUT: done, then #DB. */
    put(0, INSN(0xe6, 0x80));
    r.rflags |= EMUL_EFLAGS_TF;
    CHECK_EQ(run(13), PV_EMUL_EXCEPTION);
    CHECK_EQ(exc.vector, 1);
    CHECK_EQ(r.rip, GVA + 2);
    r.rflags &= ~EMUL_EFLAGS_TF;

    /* architectural_iopl: the kernel is CPL 0, so IOPL 0 is enough. */
    v->iopl = 0;
    dom.vm_assist |= 1UL << VMASST_TYPE_architectural_iopl;
    put(0, INSN(0xec));
    CHECK(ok(13, 1));
    dom.vm_assist = 0;
    /* IOPL 3 also covers the kernel. */
    v->iopl = 3;
    put(0, INSN(0xec));
    CHECK(ok(13, 1));
}

static void test_misc_insns(void)
{
    setup(host_intel);
    put(0, INSN(0x0f, 0x09));               /* wbinvd */
    r.rflags |= EMUL_EFLAGS_RF;
    CHECK(ok(13, 2));
    CHECK(!(r.rflags & EMUL_EFLAGS_RF));
    put(0, INSN(0xf3, 0x0f, 0x09));         /* wbnoinvd */
    CHECK(ok(13, 3));
    put(0, INSN(0x0f, 0x08));               /* invd */
    CHECK(ok(13, 2));
    /* cli/sti: skipped with IOPL >= 1 (Xen), bounced otherwise. */
    put(0, INSN(0xfa));
    CHECK(unhandled(13));
    v->iopl = 1;
    CHECK(ok(13, 1));
    put(0, INSN(0xfb));
    CHECK(ok(13, 1));
    /* cpuid trapped as #GP (CPUID faulting): the policy, no OSXSAVE leak. */
    put(0, INSN(0x0f, 0xa2));
    r.rax = 1;
    CHECK(ok(13, 2));
    CHECK(!(r.rcx & (1u << 27)));
    CHECK(r.rcx & (1u << 31));
}

int main(void)
{
    log_set_sink(NULL);
    RUN_TEST(test_policy_all_ones);
    RUN_TEST(test_policy_intel);
    RUN_TEST(test_policy_dynamic);
    RUN_TEST(test_policy_amd);
    RUN_TEST(test_policy_degraded_hosts);
    RUN_TEST(test_forced_cpuid);
    RUN_TEST(test_fetch);
    RUN_TEST(test_refused_forms);
    RUN_TEST(test_random_bytes);
    RUN_TEST(test_msr_segbases);
    RUN_TEST(test_msr_fixed);
    RUN_TEST(test_msr_vendor_amd);
    RUN_TEST(test_msr_refused);
    RUN_TEST(test_cr_reads);
    RUN_TEST(test_cr_writes);
    RUN_TEST(test_xsetbv);
    RUN_TEST(test_port_io);
    RUN_TEST(test_misc_insns);
    return th_finish();
}
