/*
 * Interrupts to other CPUs (virtual-interrupts.md): when 0x40000004
 * recommends HvCallSendSyntheticClusterIpi, its fast form with the target
 * VPs as one 64-bit mask (RDX = vector, R8 = mask); when a target's VP
 * index is 64 or more, the Ex form with a sparse HV_VP_SET (memory input,
 * the set's banks as variable header), if Ex masks are recommended too.
 * Otherwise, or if the call fails, the LAPIC ICR: an IPI is never dropped.
 *
 * The sender is left out of the set (parent contract: "not self"), and so
 * are CPUs not online yet, as the LAPIC way (lapic_send_ipi_mask) does.
 */
#include <xhv/hyperv.h>
#include <xhv/native.h>
#include <xhv/percpu.h>
#include <xhv/string.h>
#include <xhv/xen.h>

static void send_native(const struct cpumask *cpus, uint8_t vector)
{
    lapic_send_ipi_mask(cpus, vector);
    hv_count(HV_CTR_IPI_NATIVE);
}

static int send_ex(const uint32_t *vps, unsigned int n, uint8_t vector)
{
    struct hv_send_ipi_ex_input *in;
    uint64_t pa, irq_flags;
    int banks, rc;

    in = hv_input_get(&pa, &irq_flags);
    memset(in, 0, sizeof(*in));         /* target VTL 0, reserved 0 */
    in->vector = vector;
    banks = hv_vp_set_build(&in->vp_set, HV_VP_SET_MAX_BANKS, vps, n);
    rc = banks < 0 ? banks
                   : hv_call_mem(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI_EX,
                                 (unsigned int)banks, pa, 0);
    hv_input_put(irq_flags);
    return rc;
}

void hv_send_ipi(const struct cpumask *cpus, uint8_t vector)
{
    struct cpumask targets = *cpus;
    uint32_t vps[XHV_MAX_CPUS];
    int n, rc = -XEN_EOPNOTSUPP;
    uint64_t mask;

    cpumask_clear_cpu(&targets, smp_processor_id());
    if (cpumask_empty(&targets))
        return;
    /* The hypercall takes vectors 0x10-0xff (HV_IPI_LOW/HIGH_VECTOR). */
    if (hv_uses(HV_ENL_CLUSTER_IPI) && vector >= HV_IPI_LOW_VECTOR) {
        n = hv_cpus_to_vps(&targets, vps);
        if (n == 0)                     /* none online: as the LAPIC way */
            return;
        if (n > 0 && hv_vp_mask64(vps, (unsigned int)n, &mask))
            rc = hv_call_fast(HVCALL_SEND_SYNTHETIC_CLUSTER_IPI, vector,
                              mask);
        else if (n > 0 && hv_uses(HV_ENL_CLUSTER_IPI_EX))
            rc = send_ex(vps, (unsigned int)n, vector);
    }
    if (rc)
        send_native(&targets, vector);
}
