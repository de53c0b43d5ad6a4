/*
 * The hostile PV test kernel (build/pv/hostile.elf): every hypercall xhv
 * implements, fed bad input. One file per family; each opens with the list
 * of cases it tries and the outcome it expects. Expected codes are xhv's
 * documented ones (docs/hypercalls.md); where xhv chose differently from
 * Xen the file says so.
 *
 * Shared here: the start-of-day facts every family needs (env), the bad
 * addresses, and check().
 */
#ifndef HOSTILE_H
#define HOSTILE_H

#include "../lib/pvt.h"     /* <stdint.h> before any Xen header */

#include <xen/xen.h>
#include <xen/errno.h>

/*
 * Addresses a guest may not hand the hypervisor. The hole is the public
 * ABI's; the shim's image and direct map inside it are xhv's layout
 * (docs/memory-layout.md), chosen because they are mapped in the guest's
 * own page tables (supervisor-only): a missing range check would be
 * followed, not fault.
 */
#define VA_UNMAPPED     0x0000000010000000UL    /* user half, never mapped */
#define VA_NONCANON     0x0000800000000000UL    /* first non-canonical */
#define VA_NONCANON_HI  0xdead000000000000UL
#define VA_HOLE_M2P     (unsigned long)HYPERVISOR_VIRT_START
#define VA_HOLE_SHIM    0xffff818000200000UL    /* xhv's .text */
#define VA_HOLE_DMAP    0xffff830000200000UL    /* direct map of the shim */
#define VA_HOLE_LAST    ((unsigned long)HYPERVISOR_VIRT_END - 8)

/* The pointer arguments every "bad pointer" loop tries. */
struct bad_ptr {
    const char *name;
    unsigned long va;
};
extern const struct bad_ptr bad_ptrs[];
extern const unsigned int nr_bad_ptrs;

struct hostile_env {
    const start_info_t *si;
    unsigned long nr_pages;
    const xen_pfn_t *p2m;           /* start_info.mfn_list */
    unsigned long boot_rsp;
    unsigned long pt_base;          /* bootstrap L4: mapped read-only */
    unsigned long ro_va;            /* inside it, an unused stretch */
    unsigned long map_end;          /* first unmapped page after us */
    unsigned int nr_vcpus;          /* VCPUOP_is_up answers below this */
};
extern struct hostile_env env;

/* The guest pfn / mfn behind one of our own virtual addresses. */
unsigned long va_to_pfn(const void *va);
unsigned long va_to_mfn(const void *va);

/* PASS/FAIL with a printf-formatted case name. */
bool check(long got, long expected, const char *name, ...) __printf(3, 4);

/* The families (one file each). */
void test_console(void);
void test_version(void);
void test_traps(void);
void test_callback(void);
void test_cpu(void);
void test_memory(void);
void test_vcpu(void);
void test_physdev(void);
void test_multicall(void);
void test_sched(void);
void test_unknown(void);
void test_mmu(void);
void test_descriptor(void);
void test_vcpu_init(void);

/*
 * The PV MMU facts mmu.c and descriptor.c share (mmu_facts() fills them on
 * first use): the bootstrap tables' frames (start_info.pt_base: L4, L3, L2,
 * then the L1s), frames that are not ours, and our page-table walk.
 */
struct mmu_facts {
    unsigned long l4_mfn, l3_mfn, l2_mfn, l1_mfn;   /* bootstrap tables */
    unsigned long m2p_mfn;          /* first M2P frame: the shim's */
    unsigned long foreign_mfn;      /* RAM, owned by no one we know */
    unsigned long beyond_mfn;       /* past the end of RAM */
    unsigned long max_ram_page;
    unsigned long shared_info_mfn;
};
const struct mmu_facts *mmu_facts(void);
/* The machine address of the L1 entry that maps va (0: not mapped). */
unsigned long pte_maddr(unsigned long va);
/* The current L1 entry of va, read through the read-only mapping. */
uint64_t pte_read(unsigned long va);
/* update_va_mapping(va, val, UVMF_INVLPG | UVMF_LOCAL). */
long pte_write(unsigned long va, uint64_t val);
/* A hash of every bootstrap page-table frame, accessed/dirty masked. */
uint64_t pt_hash(void);

#define PTE_P   0x001UL
#define PTE_RW  0x002UL
#define PTE_US  0x004UL
#define PTE_AD  0x060UL
#define PTE_PS  0x080UL
#define PTE_ADDR 0x000ffffffffff000UL

#endif /* HOSTILE_H */
