/*
 * The CPUID a PV guest sees: the host's leaves through Xen's PV filter.
 *
 * Pure: the host's values come in through a callback, the guest's go out
 * through pv_cpuid(); nothing here touches the hardware, so host unit tests
 * feed it fake CPUs. Built once before the guest starts, read-only after.
 *
 * Features are an allow-list, as Xen's pv_def featureset (the 'A' bits of
 * public arch-x86/cpufeatureset.h): a bit the list does not name, including
 * every bit a future CPU defines, is never offered. Of Xen's 'A' bits, xhv
 * drops the ones whose MSRs or instructions it does not virtualise (marked
 * "xhv" below). The notable hidden bits and why:
 *
 * | feature (leaf.reg)            | why the guest must not see it           |
 * |-------------------------------|-----------------------------------------|
 * | VMX 1.c5, SVM e1.c2           | no nested virtualisation for PV         |
 * | MONITOR 1.c3, MONITORX e1.c29 | MWAIT cannot idle a ring-3 kernel;      |
 * |                               | leaf 5 zeroed too                       |
 * | X2APIC 1.c21, TSC_DEADLINE    | no APIC for a PV guest (events instead) |
 * |   1.c24, EXTAPIC e1.c3        |                                         |
 * | PCID 1.c17, INVPCID 7.b10     | the guest cannot load CR3 or flush      |
 * | PKU 7.c3, OSPKE 7.c4          | CR4.PKE not offered (PTE key bits are   |
 * |                               | software bits in PV, as in Xen)         |
 * | LA57 7.c16                    | 4-level paging only (not allow-listed)  |
 * | PGE 1.d13, PSE 1.d3, PSE36    | PV page tables: no global or large      |
 * |   1.d17, PAGE1GB e1.d26       | guest pages                             |
 * | MTRR 1.d12                    | no MTRR MSRs                            |
 * | VME 1.d1, DE 1.d2 (xhv)       | no CR4.VME/DE (Xen shows DE)            |
 * | SMEP 7.b7, SMAP 7.b20, UMIP   | guest kernel is CPL3: meaningless       |
 * |   7.c2                        |                                         |
 * | FSGSBASE 7.b0                 | CR4.FSGSBASE not virtualised (xhv)      |
 * | DS 1.d21, DTES64 1.c2, DSCPL  | no debug store / perf MSRs              |
 * |   1.c4, PDCM 1.c15, leaf 0xa  | (PMU leaf zeroed)                       |
 * | TM1 1.d29, TM2 1.c8, ACPI     | no thermal/power MSRs; leaf 6 zeroed    |
 * |   1.d22 (xhv), EIST 1.c7, PBE |                                         |
 * | MCE 1.d7, MCA 1.d14 (xhv)     | would commit to vMCE MSRs               |
 * | HTT 1.d28, CMP_LEGACY e1.c1   | one vCPU, no topology; leaf 0xb zeroed  |
 * | RDTSCP e1.d27, RDPID 7.c22    | no TSC_AUX virtualisation               |
 * |   (xhv)                       |                                         |
 * | HLE 7.b4                      | Xen's default hides it                  |
 * | IBRSB/STIBP/SSBD 7.d26,27,31, | no MSR_SPEC_CTRL virtualisation; IBPB   |
 * |   IBRS/STIBP/SSBD e8.b (xhv)  | (PRED_CMD) is offered instead           |
 * | ARCH_CAPS 7.d29 (xhv)         | no MSR_ARCH_CAPABILITIES                |
 * | L1D_FLUSH 7.d28, SRBDS_CTRL,  | no FLUSH_CMD / MCU_OPT_CTRL / TSX_CTRL  |
 * |   TSX_FORCE_ABORT             |                                         |
 * | XSAVES 0xd:1.a3               | no MSR_XSS                              |
 * | MPX 7.b14, SGX, PT, CET, AMX, | no state/MSR support; MPX/PKRU/AMX      |
 * |   WAITPKG, ENQCMD, ...        | XCR0 bits refused                       |
 * | ITSC e7.d8                    | Xen offers it only on request           |
 * | DBEXT e1.c26 (xhv)            | no DR address-mask MSRs                 |
 * | SEP 1.d11 on AMD              | SYSENTER unusable in long mode on AMD   |
 * | SRSO_US_NO, SBPB, AUTO_IBRS   | user/kernel are both CPL3; no SBPB bit  |
 *
 * HYPERVISOR (1.c31) is always set. OSXSAVE (1.c27) is dynamic: set when
 * the guest's CR4 view has OSXSAVE or, for a forced-emulation CPUID from
 * guest-kernel mode, when the hardware has CR4.OSXSAVE (Xen's de-facto PV
 * ABI: Linux's xen_check_xsave() wants XSAVE and OSXSAVE together before it
 * has set CR4.OSXSAVE itself, and drops XSAVE otherwise).
 *
 * Leaves: basic up to 0xd (Xen's PV maximum), extended up to 0x80000021.
 * Zeroed: 3 (PSN), 5, 6, 8, 9 (DCA), 0xa, 0xb, 0xc, 0x80000007 (a-c),
 * 0x80000009-0x80000020; leaf 2 and 4 on AMD; vendor-specific clean-ups of
 * leaf 1 EBX (APIC ID 0, no logical-CPU count), 0x80000001 and 0x80000008
 * as Xen's recalculate_misc(). Leaf 0xd describes only the XCR0 bits the
 * guest may set (x87, SSE, YMM with AVX, the three AVX-512 components with
 * AVX512F), sizes computed for the guest's current XCR0.
 *
 * 0x40000000-0x4fffffff are Xen's (0x40000000-0x40000005) or zeros: the
 * parent's own leaves (Hyper-V's at 0x40000000, KVM's at 0x40000100) are
 * never read, let alone passed on.
 */
#include <xhv/emulate.h>
#include <xhv/string.h>
#include <xhv/version.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/arch-x86/cpufeatureset.h>

#include "emul.h"

/*
 * Bit of XEN_X86_FEATURE_<f> inside featureset word w; a name that is not
 * in word w is a compile error (negative array size).
 */
#define FW(w, f)                                                            \
    ((uint32_t)(sizeof(char[(XEN_X86_FEATURE_##f / 32) == (w) ? 1 : -1]) * 0) \
     + (1u << (XEN_X86_FEATURE_##f % 32)))
#define FEAT(f)         XEN_X86_FEATURE_##f

/* Featureset words (Xen's order) and where they live. */
enum {
    FS_1D, FS_1C, FS_E1D, FS_E1C, FS_DA1, FS_7B0, FS_7C0, FS_E7D, FS_E8B,
    FS_7D0, FS_7A1, FS_E21A, FS_7B1, FS_7D2, FS_7C1, FS_7D1, FS_MSR_LO,
    FS_MSR_HI, FS_E21C,
};
BUILD_BUG_ON(FS_E21C + 1 != PV_CPUID_FS_WORDS);

static const uint32_t pv_offered[PV_CPUID_FS_WORDS] = {
    [FS_1D] = FW(0, FPU) | FW(0, TSC) | FW(0, MSR) | FW(0, PAE) |
              FW(0, CX8) | FW(0, APIC) | FW(0, SEP) | FW(0, CMOV) |
              FW(0, PAT) | FW(0, CLFLUSH) | FW(0, MMX) | FW(0, FXSR) |
              FW(0, SSE) | FW(0, SSE2) | FW(0, SS),
    [FS_1C] = FW(1, SSE3) | FW(1, PCLMULQDQ) | FW(1, SSSE3) | FW(1, FMA) |
              FW(1, CX16) | FW(1, SSE4_1) | FW(1, SSE4_2) | FW(1, MOVBE) |
              FW(1, POPCNT) | FW(1, AESNI) | FW(1, XSAVE) | FW(1, AVX) |
              FW(1, F16C) | FW(1, RDRAND),
    [FS_E1D] = FW(2, SYSCALL) | FW(2, NX) | FW(2, MMXEXT) | FW(2, FFXSR) |
               FW(2, LM) | FW(2, 3DNOWEXT) | FW(2, 3DNOW),
    [FS_E1C] = FW(3, LAHF_LM) | FW(3, ABM) | FW(3, SSE4A) |
               FW(3, MISALIGNSSE) | FW(3, 3DNOWPREFETCH) | FW(3, XOP) |
               FW(3, FMA4) | FW(3, TBM),
    [FS_DA1] = FW(4, XSAVEOPT) | FW(4, XSAVEC) | FW(4, XGETBV1),
    [FS_7B0] = FW(5, BMI1) | FW(5, AVX2) | FW(5, FDP_EXCP_ONLY) |
               FW(5, BMI2) | FW(5, ERMS) | FW(5, RTM) | FW(5, NO_FPU_SEL) |
               FW(5, AVX512F) | FW(5, AVX512DQ) | FW(5, RDSEED) |
               FW(5, ADX) | FW(5, AVX512_IFMA) | FW(5, CLFLUSHOPT) |
               FW(5, CLWB) | FW(5, AVX512PF) | FW(5, AVX512ER) |
               FW(5, AVX512CD) | FW(5, SHA) | FW(5, AVX512BW) |
               FW(5, AVX512VL),
    [FS_7C0] = FW(6, PREFETCHWT1) | FW(6, AVX512_VBMI) |
               FW(6, AVX512_VBMI2) | FW(6, GFNI) | FW(6, VAES) |
               FW(6, VPCLMULQDQ) | FW(6, AVX512_VNNI) |
               FW(6, AVX512_BITALG) | FW(6, AVX512_VPOPCNTDQ) |
               FW(6, CLDEMOTE),
    [FS_E7D] = 0,
    [FS_E8B] = FW(8, CLZERO) | FW(8, RSTR_FP_ERR_PTRS) | FW(8, IBPB) |
               FW(8, SSB_NO) | FW(8, BTC_NO) | FW(8, IBPB_RET),
    [FS_7D0] = FW(9, AVX512_4VNNIW) | FW(9, AVX512_4FMAPS) | FW(9, FSRM) |
               FW(9, MD_CLEAR) | FW(9, SERIALIZE),
    [FS_7A1] = FW(10, AVX_VNNI) | FW(10, AVX512_BF16) | FW(10, FZRM) |
               FW(10, FSRS) | FW(10, FSRCS),
    [FS_E21A] = FW(11, LFENCE_DISPATCH) | FW(11, VERW_CLEAR) | FW(11, NSCB) |
                FW(11, IBPB_BRTYPE) | FW(11, SRSO_NO),
    [FS_7D2] = FW(13, MCDT_NO),
    [FS_E21C] = FW(18, TSA_SQ_NO) | FW(18, TSA_L1_NO),
};

/*
 * Hiding a feature hides what needs it (Xen's deep dependencies, the part
 * that matters here). Invariant: a feature's dependants come after it, so
 * one pass in table order settles the chain.
 */
struct feat_deps {
    unsigned int feat;
    unsigned int nr;
    unsigned int deps[16];
};
#define DEPS(f, ...)                                                        \
    { FEAT(f), sizeof((unsigned int[]){ __VA_ARGS__ }) / sizeof(unsigned int), \
      { __VA_ARGS__ } }

static const struct feat_deps deep_deps[] = {
    DEPS(XSAVE, FEAT(AVX), FEAT(XSAVEOPT), FEAT(XSAVEC), FEAT(XGETBV1)),
    DEPS(AVX, FEAT(FMA), FEAT(F16C), FEAT(AVX2), FEAT(XOP), FEAT(FMA4),
         FEAT(VAES), FEAT(VPCLMULQDQ), FEAT(AVX_VNNI)),
    DEPS(AVX2, FEAT(AVX512F)),
    DEPS(AVX512F, FEAT(AVX512DQ), FEAT(AVX512_IFMA), FEAT(AVX512PF),
         FEAT(AVX512ER), FEAT(AVX512CD), FEAT(AVX512BW), FEAT(AVX512VL),
         FEAT(AVX512_VBMI), FEAT(AVX512_VBMI2), FEAT(AVX512_VNNI),
         FEAT(AVX512_BITALG), FEAT(AVX512_VPOPCNTDQ), FEAT(AVX512_4VNNIW),
         FEAT(AVX512_4FMAPS), FEAT(AVX512_BF16)),
};

/* Leaf 1 EDX bits AMD mirrors into 0x80000001 EDX (Xen's common_1d). */
#define COMMON_1D 0x0183f3ffu

/* Largest sane XSAVE component end; anything beyond is a broken host. */
#define XSTATE_COMPONENT_LIMIT 0x100000u

bool pv_cpuid_has(const struct pv_cpuid_policy *p, unsigned int feature)
{
    return feature / 32 < PV_CPUID_FS_WORDS &&
           (p->fs[feature / 32] >> (feature % 32)) & 1;
}

static void fs_clear(uint32_t *fs, unsigned int feature)
{
    fs[feature / 32] &= ~(1u << (feature % 32));
}

static void fs_set(uint32_t *fs, unsigned int feature)
{
    fs[feature / 32] |= 1u << (feature % 32);
}

static bool fs_test(const uint32_t *fs, unsigned int feature)
{
    return (fs[feature / 32] >> (feature % 32)) & 1;
}

static enum pv_cpu_vendor vendor_of(const struct cpuid_leaf *l0)
{
    /* "GenuineIntel", "AuthenticAMD", "HygonGenuine" in EBX, EDX, ECX. */
    if (l0->b == 0x756e6547 && l0->d == 0x49656e69 && l0->c == 0x6c65746e)
        return PV_VENDOR_INTEL;
    if (l0->b == 0x68747541 && l0->d == 0x69746e65 && l0->c == 0x444d4163)
        return PV_VENDOR_AMD;
    if (l0->b == 0x6f677948 && l0->d == 0x6e65476e && l0->c == 0x656e6975)
        return PV_VENDOR_AMD;
    return PV_VENDOR_OTHER;
}

static uint32_t xstate_size(const struct pv_cpuid_policy *p, uint64_t mask,
                            bool compressed)
{
    uint64_t size = XSTATE_AREA_MIN;
    unsigned int i;

    for (i = 2; i < PV_CPUID_XSTATE_SUBLEAVES; i++) {
        const struct cpuid_leaf *c = &p->xstate[i];

        if (!(mask & BIT(i)))
            continue;
        if (compressed) {
            if (c->c & 2)   /* component is 64-byte aligned when compacted */
                size = ALIGN_UP(size, 64);
            size += c->a;
        } else if ((uint64_t)c->a + c->b > size) {
            size = (uint64_t)c->a + c->b;
        }
    }
    return (uint32_t)size;  /* bounded by XSTATE_COMPONENT_LIMIT checks */
}

/* The raw host leaves the policy starts from. */
static void read_host(struct pv_cpuid_policy *p, cpuid_host_fn host,
                      void *ctx)
{
    struct cpuid_leaf l;
    unsigned int i;

    host(ctx, 0, 0, &p->basic[0]);
    p->vendor = vendor_of(&p->basic[0]);
    p->basic_max = MIN(p->basic[0].a, PV_CPUID_BASIC_LAST);
    for (i = 1; i <= p->basic_max; i++)
        host(ctx, i, 0, &p->basic[i]);
    if (p->basic_max >= 4)
        for (i = 0; i < PV_CPUID_CACHE_SUBLEAVES; i++)
            host(ctx, 4, i, &p->cache[i]);
    if (p->basic_max >= 7) {
        p->feat_max = MIN(p->basic[7].a, PV_CPUID_FEAT_SUBLEAVES - 1);
        for (i = 0; i <= p->feat_max; i++)
            host(ctx, 7, i, &p->feat[i]);
    }
    if (p->basic_max >= 0xd)
        for (i = 0; i < PV_CPUID_XSTATE_SUBLEAVES; i++)
            host(ctx, 0xd, i, &p->xstate[i]);

    host(ctx, 0x80000000, 0, &l);
    if (l.a >= 0x80000000) {
        p->extd_max = MIN(l.a, PV_CPUID_EXTD_LAST);
        for (i = 0; i <= (p->extd_max & 0xffff); i++)
            host(ctx, 0x80000000 | i, 0, &p->extd[i]);
    }
}

static void featureset_from_leaves(const struct pv_cpuid_policy *p,
                                   uint32_t *fs)
{
    memset(fs, 0, PV_CPUID_FS_WORDS * sizeof(*fs));
    if (p->basic_max >= 1) {
        fs[FS_1D] = p->basic[1].d;
        fs[FS_1C] = p->basic[1].c;
    }
    if (p->basic_max >= 7) {
        fs[FS_7B0] = p->feat[0].b;
        fs[FS_7C0] = p->feat[0].c;
        fs[FS_7D0] = p->feat[0].d;
        if (p->feat_max >= 1) {
            fs[FS_7A1] = p->feat[1].a;
            fs[FS_7B1] = p->feat[1].b;
            fs[FS_7C1] = p->feat[1].c;
            fs[FS_7D1] = p->feat[1].d;
        }
        if (p->feat_max >= 2)
            fs[FS_7D2] = p->feat[2].d;
    }
    if (p->basic_max >= 0xd)
        fs[FS_DA1] = p->xstate[1].a;
    if (p->extd_max >= 0x80000001) {
        fs[FS_E1D] = p->extd[1].d;
        fs[FS_E1C] = p->extd[1].c;
    }
    if (p->extd_max >= 0x80000007)
        fs[FS_E7D] = p->extd[7].d;
    if (p->extd_max >= 0x80000008)
        fs[FS_E8B] = p->extd[8].b;
    if (p->extd_max >= 0x80000021) {
        fs[FS_E21A] = p->extd[0x21].a;
        fs[FS_E21C] = p->extd[0x21].c;
    }
}

/* Which features survive: allow-list, vendor quirks, XSAVE sanity, deps. */
static void filter_features(struct pv_cpuid_policy *p, uint32_t *fs)
{
    uint64_t host_xcr0 = p->xstate[0].a | ((uint64_t)p->xstate[0].d << 32);
    unsigned int i, j;

    /* Intel enumerates IBPB through IBRSB; offer it the AMD way too. */
    if (fs_test(fs, FEAT(IBRSB)))
        fs_set(fs, FEAT(IBPB));

    for (i = 0; i < PV_CPUID_FS_WORDS; i++)
        fs[i] &= pv_offered[i];

    if (p->vendor == PV_VENDOR_AMD)
        fs_clear(fs, FEAT(SEP));

    /* XSAVE needs leaf 0xd, x87+SSE state and sane component sizes. */
    if (p->basic_max < 0xd ||
        (host_xcr0 & (XSTATE_X87 | XSTATE_SSE)) != (XSTATE_X87 | XSTATE_SSE))
        fs_clear(fs, FEAT(XSAVE));
    for (i = 2; i < 8; i++) {
        const struct cpuid_leaf *c = &p->xstate[i];

        if (c->a == 0 || (uint64_t)c->a + c->b > XSTATE_COMPONENT_LIMIT)
            host_xcr0 &= ~BIT(i);
    }
    if (!(host_xcr0 & XSTATE_YMM))
        fs_clear(fs, FEAT(AVX));
    if ((host_xcr0 & XSTATE_AVX512) != XSTATE_AVX512)
        fs_clear(fs, FEAT(AVX512F));

    for (i = 0; i < ARRAY_SIZE(deep_deps); i++)
        if (!fs_test(fs, deep_deps[i].feat))
            for (j = 0; j < deep_deps[i].nr; j++)
                fs_clear(fs, deep_deps[i].deps[j]);

    fs_set(fs, FEAT(HYPERVISOR));
}

static void build_xstate(struct pv_cpuid_policy *p)
{
    struct cpuid_leaf host[PV_CPUID_XSTATE_SUBLEAVES];
    uint32_t ecx_mask = pv_cpuid_has(p, FEAT(XSAVEC)) ? 2 : 0;
    uint64_t m = 0;
    unsigned int i;

    memcpy(host, p->xstate, sizeof(host));
    memset(p->xstate, 0, sizeof(p->xstate));
    if (!pv_cpuid_has(p, FEAT(XSAVE))) {
        p->xcr0_max = 0;
        return;
    }
    m = XSTATE_X87 | XSTATE_SSE;
    if (pv_cpuid_has(p, FEAT(AVX)))
        m |= XSTATE_YMM;
    if (pv_cpuid_has(p, FEAT(AVX512F)))
        m |= XSTATE_AVX512;
    p->xcr0_max = m;

    for (i = 2; i < PV_CPUID_XSTATE_SUBLEAVES; i++) {
        if (!(m & BIT(i)))
            continue;
        p->xstate[i].a = host[i].a;
        p->xstate[i].b = host[i].b;
        p->xstate[i].c = host[i].c & ecx_mask;
    }
    p->xstate[0].a = (uint32_t)m;
    p->xstate[0].d = (uint32_t)(m >> 32);
    p->xstate[0].c = xstate_size(p, m, false);
    p->xstate[1].a = p->fs[FS_DA1];
}

static void build_basic(struct pv_cpuid_policy *p)
{
    unsigned int i;

    p->basic[0].a = p->basic_max;
    if (p->basic_max >= 1) {
        p->basic[1].a &= 0x0fff0fff;    /* no processor type */
        p->basic[1].b &= 0x0000ffff;    /* APIC ID 0, no CPU count */
        p->basic[1].c = p->fs[FS_1C];
        p->basic[1].d = p->fs[FS_1D];
    }
    if (p->basic_max >= 2 && p->vendor == PV_VENDOR_AMD)
        memset(&p->basic[2], 0, sizeof(p->basic[2]));
    for (i = 3; i <= p->basic_max; i++) {
        switch (i) {
        case 3: case 5: case 6: case 8: case 9: case 0xa: case 0xb:
        case 0xc:
            memset(&p->basic[i], 0, sizeof(p->basic[i]));
            break;
        }
    }

    /* Leaf 4: valid cache descriptions only, reserved bits clear. */
    for (i = 0; i < PV_CPUID_CACHE_SUBLEAVES; i++) {
        unsigned int type = p->cache[i].a & 0x1f;

        if (p->basic_max < 4 || p->vendor == PV_VENDOR_AMD ||
            type < 1 || type > 3) {
            memset(&p->cache[i], 0,
                   (PV_CPUID_CACHE_SUBLEAVES - i) * sizeof(p->cache[0]));
            break;
        }
        p->cache[i].a &= 0xffffc3ff;
        p->cache[i].d &= 7;
    }
    if (p->basic_max >= 4)
        p->basic[4] = p->cache[0];

    if (p->basic_max >= 7) {
        p->feat[0] = (struct cpuid_leaf){ p->feat_max, p->fs[FS_7B0],
                                          p->fs[FS_7C0], p->fs[FS_7D0] };
        if (p->feat_max >= 1)
            p->feat[1] = (struct cpuid_leaf){ p->fs[FS_7A1], p->fs[FS_7B1],
                                              p->fs[FS_7C1], p->fs[FS_7D1] };
        if (p->feat_max >= 2)
            p->feat[2] = (struct cpuid_leaf){ 0, 0, 0, p->fs[FS_7D2] };
        p->basic[7] = p->feat[0];
    }

    build_xstate(p);
    if (p->basic_max >= 0xd)
        p->basic[0xd] = p->xstate[0];
}

static void build_extd(struct pv_cpuid_policy *p)
{
    bool amd = p->vendor == PV_VENDOR_AMD;
    unsigned int last = p->extd_max & 0xffff;
    unsigned int i;

    if (p->extd_max < 0x80000000)
        return;
    p->extd[0].a = p->extd_max;
    if (amd) {
        p->extd[0].b = p->basic[0].b;
        p->extd[0].c = p->basic[0].c;
        p->extd[0].d = p->basic[0].d;
    } else {
        p->extd[0].b = p->extd[0].c = p->extd[0].d = 0;
    }

    for (i = 1; i <= last; i++) {
        struct cpuid_leaf *l = &p->extd[i];

        switch (i) {
        case 1:
            if (amd) {
                l->a = p->basic[1].a;
                l->b &= 0xff00ffff;
            } else {
                l->a = l->b = 0;
            }
            l->c = p->fs[FS_E1C];
            l->d = p->fs[FS_E1D] | (amd ? p->basic[1].d & COMMON_1D : 0);
            break;
        case 2: case 3: case 4:         /* brand string */
            break;
        case 5:                         /* AMD L1 cache/TLB */
            if (!amd)
                memset(l, 0, sizeof(*l));
            break;
        case 6:                         /* L2/L3 cache */
            if (!amd)
                l->a = l->b = l->d = 0;
            break;
        case 7:
            *l = (struct cpuid_leaf){ 0, 0, 0, p->fs[FS_E7D] };
            break;
        case 8:
            /* Physical bits as the host; 48 linear bits (no LA57). */
            l->a = (l->a & 0xff) | (48u << 8);
            l->b = p->fs[FS_E8B];
            l->c = amd ? l->c & 0x0003f0ff : 0;
            l->d = 0;
            break;
        case 0x21:
            *l = (struct cpuid_leaf){ p->fs[FS_E21A], 0, p->fs[FS_E21C], 0 };
            break;
        default:
            memset(l, 0, sizeof(*l));
            break;
        }
    }
}

void pv_cpuid_policy_build(struct pv_cpuid_policy *p, cpuid_host_fn host,
                           void *ctx)
{
    unsigned int paddr_bits;

    memset(p, 0, sizeof(*p));
    read_host(p, host, ctx);
    featureset_from_leaves(p, p->fs);
    filter_features(p, p->fs);
    build_basic(p);
    build_extd(p);

    /*
     * Machine address width (leaf 0x40000005): Linux asks for grant table
     * v2 above 44 bits (32-bit frame numbers). Report the host's physical
     * width, capped at 44: the shim keeps guest memory below 16 TiB.
     */
    paddr_bits = p->extd_max >= 0x80000008 ? p->extd[8].a & 0xff : 36;
    if (paddr_bits < 32)
        paddr_bits = 36;
    p->maddr_bits = (uint8_t)MIN(paddr_bits, 44u);
    p->built = true;
}

static void xen_leaf(const struct pv_cpuid_policy *p, uint32_t idx,
                     uint32_t subleaf, struct cpuid_leaf *out)
{
    switch (idx) {
    case 0:
        out->a = XEN_CPUID_LEAF(XEN_CPUID_MAX_NUM_LEAVES);
        out->b = XEN_CPUID_SIGNATURE_EBX;
        out->c = XEN_CPUID_SIGNATURE_ECX;
        out->d = XEN_CPUID_SIGNATURE_EDX;
        break;
    case 1:
        out->a = (XHV_XEN_MAJOR << 16) | XHV_XEN_MINOR;
        break;
    case 2:
        out->a = 1;                             /* one hypercall page */
        out->b = EMUL_MSR_XEN_HYPERCALL_PAGE;   /* Xen MSR base */
        out->c = XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD;
        break;
    case 3:
        /* TSC: mode 0 (default), no frequency: Linux PV uses pvclock. */
        break;
    case 4:
        /* HVM-only features: none for PV. */
        break;
    case 5:
        if (subleaf == 0)
            out->b = p->maddr_bits;
        break;
    }
}

void pv_cpuid(const struct pv_cpuid_policy *p, const struct pv_cpuid_state *s,
              uint32_t leaf, uint32_t subleaf, struct cpuid_leaf *out)
{
    uint64_t xcr0 = (s->xcr0 & p->xcr0_max) | XSTATE_X87 | XSTATE_SSE;

    *out = (struct cpuid_leaf){ 0, 0, 0, 0 };

    if (leaf <= p->basic_max) {
        switch (leaf) {
        case 1:
            *out = p->basic[1];
            if (pv_cpuid_has(p, FEAT(XSAVE)) &&
                ((s->cr4 & EMUL_CR4_OSXSAVE) || s->kernel_forced_osxsave))
                out->c |= 1u << (FEAT(OSXSAVE) % 32);
            break;
        case 4:
            if (subleaf < PV_CPUID_CACHE_SUBLEAVES)
                *out = p->cache[subleaf];
            break;
        case 7:
            if (subleaf <= p->feat_max)
                *out = p->feat[subleaf];
            break;
        case 0xd:
            if (!pv_cpuid_has(p, FEAT(XSAVE)) ||
                subleaf >= PV_CPUID_XSTATE_SUBLEAVES)
                break;
            *out = p->xstate[subleaf];
            if (subleaf == 0)
                out->b = xstate_size(p, xcr0, false);
            else if (subleaf == 1 && pv_cpuid_has(p, FEAT(XSAVEC)))
                out->b = xstate_size(p, xcr0, true);
            break;
        default:
            *out = p->basic[leaf];
            break;
        }
    } else if (leaf >= 0x40000000 && leaf <= 0x4fffffff) {
        if (leaf - 0x40000000 <= XEN_CPUID_MAX_NUM_LEAVES)
            xen_leaf(p, leaf - 0x40000000, subleaf, out);
    } else if (leaf >= 0x80000000 && p->extd_max >= 0x80000000 &&
               leaf <= p->extd_max) {
        *out = p->extd[leaf & 0xffff];
    }
}
