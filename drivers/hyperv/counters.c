/*
 * Counters of the Hyper-V parent: each hypercall xhv issues (by call code,
 * with its failures) and the events that show which Xen work became which
 * Hyper-V work (timer programming, fallbacks to the native way). Printed
 * by parent->print_counters beside the Xen hypercall census: debug key and
 * shutdown report.
 *
 * Locking: none. Each CPU bumps only its own row (interrupts are off in
 * shim code); the printer sums rows it may read mid-update, which can be
 * one count behind and is good enough for a census.
 */
#include <xhv/hyperv.h>
#include <xhv/log.h>
#include <xhv/percpu.h>

static uint64_t counts[XHV_MAX_CPUS][HV_NR_COUNTERS];
static uint64_t failures[XHV_MAX_CPUS][HV_NR_COUNTERS];

static enum hv_counter call_counter(uint16_t code)
{
#define HV_CALL_CASE(id, cc, name) case cc: return HV_CTR_##id;
    switch (code) {
    HV_CALLS(HV_CALL_CASE)
    default:
        return HV_CTR_OTHER_CALL;
    }
#undef HV_CALL_CASE
}

const char *hv_call_name(uint16_t code)
{
#define HV_CALL_CASE(id, cc, name) case cc: return name;
    switch (code) {
    HV_CALLS(HV_CALL_CASE)
    default:
        return "hypercall";
    }
#undef HV_CALL_CASE
}

void hv_count(enum hv_counter c)
{
    counts[smp_processor_id()][c]++;
}

void hv_count_call(uint16_t code, bool failed)
{
    unsigned int cpu = smp_processor_id();
    enum hv_counter c = call_counter(code);

    counts[cpu][c]++;
    failures[cpu][c] += failed;
}

static uint64_t sum(uint64_t (*rows)[HV_NR_COUNTERS], enum hv_counter c)
{
    uint64_t n = 0;
    unsigned int cpu;

    for (cpu = 0; cpu < XHV_MAX_CPUS; cpu++)
        n += __atomic_load_n(&rows[cpu][c], __ATOMIC_RELAXED);
    return n;
}

static void print_call(enum hv_counter c, unsigned int code,
                       const char *name)
{
    uint64_t n = sum(counts, c), failed = sum(failures, c);

    printk("  %#06x %-34s %10llu", code, name, (unsigned long long)n);
    if (failed)
        printk("   failed %llu\n", (unsigned long long)failed);
    else
        printk("\n");
}

void hv_print_counters(void)
{
    printk("Hyper-V calls issued by xhv (all CPUs):\n");
#define HV_PRINT_CALL(id, cc, name) print_call(HV_CTR_##id, cc, name);
    HV_CALLS(HV_PRINT_CALL)
#undef HV_PRINT_CALL
    if (sum(counts, HV_CTR_OTHER_CALL))
        print_call(HV_CTR_OTHER_CALL, 0, "(other call codes)");
    printk("Hyper-V parent events:\n");
#define HV_PRINT_EVENT(id, text)                                            \
    printk("  %-48s %10llu\n", text,                                        \
           (unsigned long long)sum(counts, HV_CTR_##id));
    HV_EVENTS(HV_PRINT_EVENT)
#undef HV_PRINT_EVENT
}
