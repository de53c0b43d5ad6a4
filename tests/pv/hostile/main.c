/*
 * hostile: a 64-bit PV guest kernel that feeds xhv's hypercalls bad input
 * and checks every answer (XTF's shape: one test_main, a header per family
 * naming each bad input and the expected outcome).
 *
 * Why: a hypercall argument is the guest's most direct lever on the shim.
 * Each family file (console.c, version.c, traps.c, callback.c, cpu.c,
 * memory.c, vcpu.c, physdev.c, multicall.c, sched.c, unknown.c, mmu.c,
 * descriptor.c, vcpu_init.c) lists its
 * cases. vcpu_init.c runs last: it brings up vCPU 1 (when the domain has
 * one) and leaves it down again. What this file adds:
 *   setup/trap_table       our trap table installs (0): every later
 *                          "does this fault" check depends on it
 *   setup/map_end          the first unmapped page after the bootstrap
 *                          region is found (a #PF) within 16 MiB
 *   setup/nr_vcpus         VCPUOP_is_up: vCPU 0 is up, the domain has
 *                          1..64 vCPUs (-ENOENT past the last), the
 *                          others offline (0) at start
 *   setup/registers_kept   a hypercall keeps rbx, rbp, r9, r12-r15 (the
 *                          ABI destroys only rax, rcx, r11 and the
 *                          argument registers)
 *   final/pagetable_untouched  no hypercall that was handed a pointer into
 *                          the read-only L4 page changed a byte of it
 * Then "xhv-hostile: N passed, N failed" and SCHEDOP_shutdown(poweroff);
 * the shim prints its hypercall census ("Hypercalls: N in all") on the way
 * out. Pass: that line says 0 failed and QEMU exits 0.
 */

#include "hostile.h"
#include <xen/sched.h>
#include <xen/vcpu.h>

struct hostile_env env;

const struct bad_ptr bad_ptrs[] = {
    { "null", 0 },
    { "unmapped", VA_UNMAPPED },
    { "noncanonical", VA_NONCANON },
    { "hole_m2p", VA_HOLE_M2P },
    { "hole_shim_text", VA_HOLE_SHIM },
    { "hole_directmap", VA_HOLE_DMAP },
    { "hole_last_word", VA_HOLE_LAST },
};
const unsigned int nr_bad_ptrs = PVT_ARRAY_SIZE(bad_ptrs);

static uint64_t l4_before[512];

unsigned long va_to_pfn(const void *va)
{
    /* The bootstrap region maps pfn n at VIRT_BASE + n * 4 KiB. */
    extern char __xen_virt_base[];

    return ((unsigned long)va - (unsigned long)__xen_virt_base) >> 12;
}

unsigned long va_to_mfn(const void *va)
{
    return env.p2m[va_to_pfn(va)];
}

bool check(long got, long expected, const char *name, ...)
{
    char buf[120];
    va_list ap;

    va_start(ap, name);
    pvt_vsnprintf(buf, sizeof(buf), name, ap);
    va_end(ap);
    return pvt_check(buf, got, expected);
}

/* How many vCPUs the domain has: VCPUOP_is_up says -ENOENT past the last. */
static void count_vcpus(void)
{
    unsigned int i;
    long rc = 0;
    bool ok = true;

    for (i = 0; i < 64; i++) {
        rc = HYPERVISOR_vcpu_op(VCPUOP_is_up, i, 0);
        if (rc == -XEN_ENOENT)
            break;
        if (rc != (i == 0))
            ok = false;             /* vCPU 0 up, the others not yet */
    }
    env.nr_vcpus = i ? i : 1;
    pvt_ok("setup/nr_vcpus", ok && i >= 1 && i < 64,
           "%u vCPUs (last answer %ld)", i, rc);
    pvt_printf("xhv-hostile: %u vCPU%s\n", env.nr_vcpus,
               env.nr_vcpus == 1 ? "" : "s");
}

static void find_map_end(void)
{
    unsigned long va = (env.boot_rsp + PVT_PAGE_SIZE - 1) & ~(PVT_PAGE_SIZE - 1);
    unsigned long limit = va + (16UL << 20);
    struct pvt_fault f;

    /* Invariant: every page in [boot stack, va) reads without a fault. */
    for (; va < limit; va += PVT_PAGE_SIZE)
        if (pvt_read_faults(va, &f))
            break;
    env.map_end = va;
    pvt_ok("setup/map_end", va < limit && f.vector == 14,
           "no #PF up to %lx (last vector %u)", va, f.vector);
    pvt_printf("xhv-hostile: bootstrap mapping ends at %lx\n", env.map_end);
}

/* xen_version(XENVER_version) with known values in the other registers. */
static bool registers_kept(void)
{
    unsigned long out[7], *outp = out;

    asm volatile (
        "push %%rbp\n\t"
        "push %%rax\n\t"                      /* out */
        "mov $0x1111111111111111, %%rbx\n\t"
        "mov $0x2222222222222222, %%rbp\n\t"
        "mov $0x3333333333333333, %%r9\n\t"
        "mov $0x4444444444444444, %%r12\n\t"
        "mov $0x5555555555555555, %%r13\n\t"
        "mov $0x6666666666666666, %%r14\n\t"
        "mov $0x7777777777777777, %%r15\n\t"
        "mov %[nr], %%eax\n\t"
        "xor %%edi, %%edi\n\t"
        "xor %%esi, %%esi\n\t"
        "syscall\n\t"
        "pop %%rax\n\t"
        "mov %%rbx, 0(%%rax)\n\t"
        "mov %%rbp, 8(%%rax)\n\t"
        "mov %%r9, 16(%%rax)\n\t"
        "mov %%r12, 24(%%rax)\n\t"
        "mov %%r13, 32(%%rax)\n\t"
        "mov %%r14, 40(%%rax)\n\t"
        "mov %%r15, 48(%%rax)\n\t"
        "pop %%rbp\n\t"
        : "+a" (outp)
        : [nr] "i" (__HYPERVISOR_xen_version)
        : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
          "r12", "r13", "r14", "r15", "memory");
    return out[0] == 0x1111111111111111UL && out[1] == 0x2222222222222222UL &&
           out[2] == 0x3333333333333333UL && out[3] == 0x4444444444444444UL &&
           out[4] == 0x5555555555555555UL && out[5] == 0x6666666666666666UL &&
           out[6] == 0x7777777777777777UL;
}

/*
 * The L4 as we found it, but for the accessed and dirty bits, which the CPU
 * sets on its own when it walks the hole's slots for the shim.
 */
static void l4_unchanged(void)
{
    const uint64_t *l4 = (const uint64_t *)env.pt_base;
    const uint64_t ad = (1UL << 5) | (1UL << 6);
    unsigned int i;

    for (i = 0; i < 512; i++)
        if ((l4[i] & ~ad) != (l4_before[i] & ~ad))
            break;
    pvt_ok("final/pagetable_untouched", i == 512,
           "L4 slot %u changed from %lx to %lx", i,
           i < 512 ? (unsigned long)l4_before[i] : 0,
           i < 512 ? (unsigned long)l4[i] : 0);
}

void test_main(const start_info_t *si, unsigned long boot_rsp)
{
    env.si = si;
    env.nr_pages = si->nr_pages;
    env.p2m = (const xen_pfn_t *)si->mfn_list;
    env.boot_rsp = boot_rsp;
    env.pt_base = si->pt_base;
    env.ro_va = si->pt_base + 0x100;    /* L4 slots 32..: user half, unused */
    memcpy(l4_before, (const void *)env.pt_base, sizeof(l4_before));

    pvt_printf("xhv-hostile: start_info %p nr_pages %lu pt_base %lx "
               "boot rsp %lx\n", si, env.nr_pages, env.pt_base, boot_rsp);
    if (!check(pvt_traps_install(), 0, "setup/trap_table"))
        pvt_crash("cannot install the trap table");
    find_map_end();
    count_vcpus();
    pvt_ok("setup/registers_kept", registers_kept(),
           "a callee-saved register changed across a hypercall");

    test_console();
    test_version();
    test_traps();
    test_callback();
    test_cpu();
    test_memory();
    test_vcpu();
    test_physdev();
    test_multicall();
    test_sched();
    test_unknown();
    test_mmu();
    test_descriptor();
    test_vcpu_init();

    l4_unchanged();
    pvt_finish("xhv-hostile");
}
