/*
 * Catching the guest exceptions a test provokes on purpose: a trap table
 * (set_trap_table) whose handlers unwind into pvt_guarded() with the
 * vector, error code and rip, as XTF's exinfo does (read for shape only).
 *
 * Rules: one guarded call at a time (pvt_armed); an exception outside a
 * guarded call is an ERROR that ends the run with a domain crash, after
 * the totals so far. Events stay masked throughout: no handler sets the
 * trap_info "mask events" flag and nothing here unmasks them.
 */
#include "pvt.h"

struct pvt_jmp {
    unsigned long rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

int pvt_guarded_call(void (*fn)(void *), void *arg, struct pvt_jmp *j);
void pvt_guarded_unwind(const struct pvt_jmp *j) __noreturn;
void pvt_exc_handler(unsigned long *frame) __noreturn;

extern const char pvt_exc_stubs[];
#define STUB_SIZE 16

struct pvt_jmp *pvt_armed;
static struct pvt_fault last;

/* Vectors whose frame carries an error code (SDM vol. 3, table 6-1). */
#define HAS_EC ((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) |         \
                (1u << 13) | (1u << 14) | (1u << 17) | (1u << 21) |         \
                (1u << 29) | (1u << 30))

/* 0..31 minus NMI (2), #DF (8) and #MC (18), which xhv never bounces. */
static struct trap_info table[32 - 3 + 1];

const struct trap_info *pvt_trap_table(void)
{
    unsigned int v, n = 0;

    if (table[0].address)
        return table;
    for (v = 0; v < 32; v++) {
        if (v == 2 || v == 8 || v == 18)
            continue;
        table[n].vector = (uint8_t)v;
        /* DPL 3 for int3/into, so they reach us rather than #GP. */
        table[n].flags = (v == 3 || v == 4) ? 3 : 0;
        table[n].cs = FLAT_KERNEL_CS;
        table[n].address = (unsigned long)pvt_exc_stubs + v * STUB_SIZE;
        n++;
    }
    /* table[n] stays all zero: the terminator. */
    return table;
}

long pvt_traps_install(void)
{
    return HYPERVISOR_set_trap_table(pvt_trap_table());
}

void pvt_exc_handler(unsigned long *frame)
{
    unsigned int vec = (unsigned int)frame[0];
    bool ec = vec < 32 && (HAS_EC >> vec) & 1;
    struct pvt_jmp *j = pvt_armed;

    /* frame[1], frame[2]: the interrupted rcx and r11. */
    last.vector = vec;
    last.error_code = ec ? frame[3] : 0;
    last.rip = frame[ec ? 4 : 3];
    if (j) {
        pvt_armed = NULL;
        pvt_guarded_unwind(j);
    }
    pvt_error("unexpected exception %u (error code %lx) at rip %lx",
              vec, last.error_code, last.rip);
    pvt_printf("xhv-pvtest: %u passed, %u failed (stopped early)\n",
               pvt_passed(), pvt_failed());
    pvt_crash("unexpected guest exception");
}

bool pvt_guarded(void (*fn)(void *), void *arg, struct pvt_fault *f)
{
    struct pvt_jmp j;

    if (pvt_armed)
        pvt_crash("nested pvt_guarded()");
    last.vector = ~0u;
    if (!pvt_guarded_call(fn, arg, &j))
        return false;
    if (f)
        *f = last;
    return true;
}

static void read_byte(void *p)
{
    (void)*(volatile const uint8_t *)p;
}

static void write_byte(void *p)
{
    volatile uint8_t *b = p;

    *b = *b;
}

bool pvt_read_faults(unsigned long va, struct pvt_fault *f)
{
    return pvt_guarded(read_byte, (void *)va, f);
}

bool pvt_write_faults(unsigned long va, struct pvt_fault *f)
{
    return pvt_guarded(write_byte, (void *)va, f);
}
