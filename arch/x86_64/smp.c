/*
 * Bringing up the other CPUs (include/xhv/smp.h) and the IPIs every parent
 * shares: event check (wake a CPU to look at its vCPU) and stop.
 *
 * Bring-up, one CPU at a time (the trampoline page is shared): the boot
 * CPU gives the CPU its stack block, reserved GDT page, GDT window and
 * syscall stub, fills the trampoline, sends INIT, waits 10 ms, sends
 * STARTUP (twice, 200 us apart, unless it is already alive: SDM vol. 3,
 * 8.4.4.1), and waits up to a second for it to reach ap_start(). There the
 * CPU loads its tables, runs parent->init_ap() and, online, waits for its
 * vCPU (vcpu_idle_loop).
 *
 * CPU i runs vCPU i (pinned, as Xen's pv-shim does): the CPU index is the
 * MADT order with the boot CPU first.
 */
#include <xhv/desc.h>
#include <xhv/domain.h>
#include <xhv/frame_alloc.h>
#include <xhv/irq.h>
#include <xhv/layout.h>
#include <xhv/log.h>
#include <xhv/native.h>
#include <xhv/paging.h>
#include <xhv/panic.h>
#include <xhv/parent.h>
#include <xhv/percpu.h>
#include <xhv/pv_arch.h>
#include <xhv/setup.h>
#include <xhv/smp.h>
#include <xhv/string.h>
#include <xhv/time.h>
#include <xhv/x86.h>

extern const char trampoline_start[], trampoline_end[];
extern const char tr_cr0[], tr_cr3[], tr_cr4[], tr_efer[], tr_rsp[];
extern const char tr_entry[], tr_arg[], tr_alive[];

#define STACK_BLOCK_PAGES   (XHV_STACK_BLOCK_SIZE / PAGE_SIZE)
#define TSC_WARP_ROUNDS     20000


static volatile bool stopping;

/* A field of the trampoline's copy at XHV_TRAMPOLINE_PA (identity-mapped). */
static void *tr_field(const char *label)
{
    return (uint8_t *)XHV_TRAMPOLINE_PA + (label - trampoline_start);
}

static void wait_ns(uint64_t ns)
{
    uint64_t end = parent->clock_ns() + ns;

    while (parent->clock_ns() < end)
        cpu_relax();
}

static void event_check_irq(struct cpu_regs *r)
{
    lapic_eoi();            /* the return path looks at the vCPU */
}

static __noreturn void stop_this_cpu(void)
{
    local_irq_disable();
    this_cpu()->online = false;
    for (;;)
        halt();
}

static void stop_irq(struct cpu_regs *r)
{
    lapic_eoi();
    stop_this_cpu();
}

/* Where ap_start() continues: the shim's wait for this CPU's vCPU. */
static __noreturn void ap_start(struct percpu *pc)
{
    cpu_tables_load_ap(gdt_window_va(pc->cpu_id));
    wrmsr(MSR_LSTAR, pc->syscall_stub);
    if (parent->init_ap())
        panic("CPU%u: parent %s failed to initialise", pc->cpu_id,
              parent->name);
    cpumask_set_atomic(&cpu_online_mask, pc->cpu_id);
    __atomic_store_n(&pc->online, true, __ATOMIC_SEQ_CST);
    tsc_warp_check(TSC_WARP_ROUNDS);    /* with the boot CPU, at once */
    vcpu_idle_loop();
}

/* Stack block, GDT page and window, syscall stub for CPU `cpu`. */
static int prepare_cpu(unsigned int cpu, uint32_t apic_id)
{
    struct percpu *pc = &percpu[cpu];
    uint64_t block = frame_alloc(&frame_pool, STACK_BLOCK_PAGES,
                                 STACK_BLOCK_PAGES);
    uint64_t res = frame_alloc(&frame_pool, 1, 1);

    if (block == FRAME_NONE || res == FRAME_NONE)
        return -1;
    pc->cpu_id = cpu;
    pc->apic_id = apic_id;
    cpu_tables_init_ap(pc, phys_to_virt(res << PAGE_SHIFT),
                       phys_to_virt(block << PAGE_SHIFT));
    if (gdt_window_init(cpu, res << PAGE_SHIFT))
        return -1;
    return cpu_syscall_init(pc);
}

static bool start_cpu(unsigned int cpu)
{
    struct percpu *pc = &percpu[cpu];
    volatile uint32_t *alive = tr_field(tr_alive);
    uint64_t rsp = pc_idle_rsp(pc);
    uint64_t give_up;

    *(uint64_t *)tr_field(tr_rsp) = rsp - 8;    /* as if called */
    *(uint64_t *)tr_field(tr_entry) = (uint64_t)ap_start;
    *(uint64_t *)tr_field(tr_arg) = (uint64_t)pc;
    *alive = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    lapic_send_init(pc->apic_id);
    wait_ns(10000000);
    lapic_send_startup(pc->apic_id, XHV_TRAMPOLINE_PA >> PAGE_SHIFT);
    wait_ns(200000);
    if (!*alive)
        lapic_send_startup(pc->apic_id, XHV_TRAMPOLINE_PA >> PAGE_SHIFT);
    /* Under TCG a CPU can take a while; a second is generous. */
    give_up = parent->clock_ns() + 1000000000ULL;
    while (!__atomic_load_n(&pc->online, __ATOMIC_SEQ_CST)) {
        if (parent->clock_ns() > give_up)
            return false;
        cpu_relax();
    }
    tsc_warp_check(TSC_WARP_ROUNDS);
    return true;
}

unsigned int smp_boot_cpus(unsigned int max)
{
    uint32_t ids[XHV_MAX_CPUS];
    unsigned int n, i, cpu = 1;
    uint64_t tramp_len = (uint64_t)(trampoline_end - trampoline_start);

    irq_register(XHV_VEC_EVENT_CHECK, event_check_irq);
    irq_register(XHV_VEC_STOP, stop_irq);
    smp_flush_init();
    percpu[0].online = true;

    n = acpi_madt_apic_ids(ids, XHV_MAX_CPUS);
    if (n > XHV_MAX_CPUS) {
        printk(XLOG_WARN "smp: %u CPUs listed, using %u\n", n, XHV_MAX_CPUS);
        n = XHV_MAX_CPUS;
    }
    if (max && n > max)
        n = max;
    if (n <= 1) {
        printk("smp: 1 CPU\n");
        return nr_cpus;
    }

    /* The trampoline page, identity-mapped while CPUs come up. */
    if (map_pages(XHV_TRAMPOLINE_PA, XHV_TRAMPOLINE_PA, PAGE_SIZE, PTE_RW))
        panic("smp: cannot map the trampoline");
    memcpy((void *)XHV_TRAMPOLINE_PA, trampoline_start, tramp_len);
    BUG_ON(virt_to_phys(shim_l4_table()) >> 32);    /* 32-bit mov to CR3 */
    *(uint64_t *)tr_field(tr_cr0) = read_cr0();
    *(uint64_t *)tr_field(tr_cr3) = virt_to_phys(shim_l4_table());
    *(uint64_t *)tr_field(tr_cr4) = read_cr4();
    *(uint64_t *)tr_field(tr_efer) = rdmsr(MSR_EFER);

    for (i = 0; i < n; i++) {
        if (ids[i] == percpu[0].apic_id)
            continue;
        if (cpu >= n)
            break;
        if (prepare_cpu(cpu, ids[i])) {
            printk(XLOG_WARN "smp: no memory for CPU%u\n", cpu);
            break;
        }
        if (!start_cpu(cpu)) {
            printk(XLOG_WARN "smp: CPU%u (APIC id %u) did not start\n", cpu,
                   ids[i]);
            break;
        }
        cpu++;
    }
    nr_cpus = cpu;
    memset((void *)XHV_TRAMPOLINE_PA, 0, PAGE_SIZE);
    unmap_pages(XHV_TRAMPOLINE_PA, PAGE_SIZE);
    printk("smp: %u CPUs online\n", nr_cpus);
    return nr_cpus;
}

void smp_kick(unsigned int cpu)
{
    struct cpumask m;

    if (cpu == smp_processor_id() || cpu >= XHV_MAX_CPUS ||
        !percpu[cpu].online)
        return;
    cpumask_clear(&m);
    cpumask_set(&m, cpu);
    parent->send_ipi(&m, XHV_VEC_EVENT_CHECK);
}

void smp_stop_others(void)
{
    struct cpumask m = cpu_online_mask;
    uint64_t give_up;
    unsigned int cpu;

    stopping = true;
    cpumask_clear_cpu(&m, smp_processor_id());
    if (cpumask_empty(&m))
        return;
    parent->send_ipi(&m, XHV_VEC_STOP);
    /* A CPU spinning with interrupts off sees `stopping` (smp_spin_poll). */
    give_up = parent->clock_ns() + 100000000ULL;
    for_each_cpu(cpu, &m)
        while (__atomic_load_n(&percpu[cpu].online, __ATOMIC_SEQ_CST) &&
               parent->clock_ns() < give_up)
            cpu_relax();
}

bool smp_stopping(void)
{
    return stopping;
}

void smp_stop_this_cpu(void)
{
    stop_this_cpu();
}

void smp_call_on_fresh_stack(void (*fn)(void))
{
    uint64_t rsp = pc_idle_rsp(this_cpu());

    __asm__ volatile("mov %0, %%rsp\n"
                     "xor %%ebp, %%ebp\n"
                     "call *%1\n"
                     "ud2\n"
                     :: "r"(rsp), "r"(fn) : "memory");
    __builtin_unreachable();
}
