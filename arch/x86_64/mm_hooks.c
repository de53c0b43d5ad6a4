/*
 * The PV MMU's hardware hooks (include/xhv/mm.h): the direct map, TLB
 * flushes, CR3 loads, the shim's L4 and the NX bit. Called with interrupts
 * disabled from the guest entry path.
 */
#include <xhv/mm.h>
#include <xhv/parent.h>
#include <xhv/percpu.h>
#include <xhv/paging.h>
#include <xhv/x86.h>

void *mm_arch_frame_va(uint64_t mfn)
{
    return phys_to_virt(mfn << PAGE_SHIFT);
}

void mm_arch_flush_tlb_local(void)
{
    uint64_t cr4 = read_cr4();

    /* Toggling PGE drops global entries too; without PGE a CR3 reload
     * flushes everything (no PCID in use). */
    if (cr4 & X86_CR4_PGE) {
        write_cr4(cr4 & ~X86_CR4_PGE);
        write_cr4(cr4);
    } else {
        write_cr3(read_cr3());
    }
}

void mm_arch_invlpg(uint64_t va)
{
    invlpg((const void *)va);
}

void mm_arch_write_cr3(uint64_t maddr)
{
    write_cr3(maddr);
}

const uint64_t *mm_arch_shim_l4(void)
{
    return shim_l4_table();
}

uint64_t mm_arch_pte_nx(void)
{
    return pte_nx;
}

unsigned int mm_arch_cpu(void)
{
    return smp_processor_id();
}

void mm_arch_flush_tlb_mask(const struct cpumask *m, uint64_t va, bool all)
{
    parent->tlb_flush(m, va, all);
}
