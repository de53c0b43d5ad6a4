/*
 * TLB flushes (virtual-mmu.md; hypercalls/HvCallFlushVirtualAddress*.md).
 *
 * Remote: when 0x40000004 recommends remote flushes,
 * HvCallFlushVirtualAddressSpace (everything) or ...List with one GVA,
 * with the target VPs as a 64-bit mask; the Ex forms with a sparse
 * HV_VP_SET when a target's VP index is 64 or more and Ex masks are
 * recommended. Otherwise, or if a call fails, smp_flush_ipi(). The flush
 * is complete on every target when the call returns (TLFS), which is the
 * guarantee parent->tlb_flush must give.
 *
 * HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES: the targets run different guest
 * CR3s, so the address-space field is ignored. NON_GLOBAL_MAPPINGS_ONLY is
 * not used: flushing global entries too is always correct, the List form
 * refuses the flag, and PV guests may map user pages global.
 *
 * The caller's own CPU is flushed locally and left out of the call; CPUs
 * not online yet (no guest context has run there) are left out too.
 * Local: invlpg or a CR3 reload, or the hypercall with this VP alone when
 * 0x40000004 recommends hypercalls for local flushes.
 */
#include <xhv/hyperv.h>
#include <xhv/percpu.h>
#include <xhv/smp.h>
#include <xhv/x86.h>
#include <xhv/xen.h>

#define HV_FLUSH_FLAGS  HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES

static int flush_mask64(uint64_t mask, uint64_t va, bool all)
{
    struct hv_flush_input *in;
    uint64_t pa, irq_flags;
    int rc;

    in = hv_input_get(&pa, &irq_flags);
    in->address_space = 0;
    in->flags = HV_FLUSH_FLAGS;
    in->processor_mask = mask;
    if (all) {
        rc = hv_call_mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0, pa, 0);
    } else {
        in->gva_list[0] = va & PAGE_MASK;   /* + 0 additional pages */
        rc = hv_call_rep(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0, 1, pa, 0);
    }
    hv_input_put(irq_flags);
    return rc;
}

static int flush_ex(const uint32_t *vps, unsigned int n, uint64_t va,
                    bool all)
{
    struct hv_flush_input_ex *in;
    uint64_t pa, irq_flags;
    int banks, rc;

    in = hv_input_get(&pa, &irq_flags);
    in->address_space = 0;
    in->flags = HV_FLUSH_FLAGS;
    banks = hv_vp_set_build(&in->vp_set, HV_VP_SET_MAX_BANKS, vps, n);
    if (banks < 0) {
        rc = banks;
    } else if (all) {
        rc = hv_call_mem(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
                         (unsigned int)banks, pa, 0);
    } else {
        /* The GVA list follows the variable header (the set's banks). */
        in->vp_set.bank_contents[banks] = va & PAGE_MASK;
        rc = hv_call_rep(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,
                         (unsigned int)banks, 1, pa, 0);
    }
    hv_input_put(irq_flags);
    return rc;
}

void hv_tlb_flush_local(uint64_t va, bool all)
{
    struct percpu *pc = this_cpu();

    hv_count(HV_CTR_FLUSH_LOCAL);
    if (hv_uses(HV_ENL_LOCAL_FLUSH) && hv_cpus[pc->cpu_id].vp_known &&
        pc->vp_index < 64 && !flush_mask64(BIT(pc->vp_index), va, all))
        return;
    if (all)
        write_cr3(read_cr3());
    else
        invlpg((void *)va);
}

void hv_tlb_flush(const struct cpumask *cpus, uint64_t va, bool all)
{
    struct cpumask others = *cpus;
    unsigned int self = smp_processor_id();
    uint32_t vps[XHV_MAX_CPUS];
    int n, rc = -XEN_EOPNOTSUPP;
    uint64_t mask;

    if (cpumask_test(&others, self)) {
        hv_tlb_flush_local(va, all);
        cpumask_clear_cpu(&others, self);
    }
    if (cpumask_empty(&others))
        return;
    if (hv_uses(HV_ENL_REMOTE_FLUSH)) {
        n = hv_cpus_to_vps(&others, vps);
        if (n == 0)                     /* none online: nothing cached */
            return;
        if (n > 0 && hv_vp_mask64(vps, (unsigned int)n, &mask))
            rc = flush_mask64(mask, va, all);
        else if (n > 0 && hv_uses(HV_ENL_REMOTE_FLUSH_EX))
            rc = flush_ex(vps, (unsigned int)n, va, all);
    }
    if (rc) {
        hv_count(HV_CTR_FLUSH_NATIVE);
        smp_flush_ipi(&others, va, all);
    }
}
