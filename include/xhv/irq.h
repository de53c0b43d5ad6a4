/*
 * Interrupt vectors and ring-3 entries: who handles what.
 *
 * Contract: handlers run with interrupts disabled on the interrupted
 * context's stack (or the CPU stack for ring-3 entries) and must not block.
 * An interrupt handler acknowledges its own interrupt (e.g. LAPIC EOI).
 */
#ifndef XHV_IRQ_H
#define XHV_IRQ_H

#include <xhv/regs.h>

typedef void (*irq_handler_t)(struct cpu_regs *r);

/* Install the handler for an external/LAPIC vector (32..255). */
void irq_register(unsigned int vector, irq_handler_t fn);

/*
 * The handler of every entry from ring 3 (exceptions and `syscall`): the
 * PV core once a guest runs, the self-tests before. NULL: such an entry is
 * fatal. It may edit *r; the entry code then returns to the frame in *r.
 */
void set_user_entry_handler(irq_handler_t fn);
/* Called after an interrupt that came from ring 3 (the guest's return). */
void set_user_irq_return_handler(irq_handler_t fn);

/* Called by the entry code for every entry (arch/x86_64/entry.S). */
void do_entry(struct cpu_regs *r);

/* Print a register frame and a stack trace at error level. */
void show_registers(const struct cpu_regs *r);
void show_stack_trace(uint64_t rbp);

/* Readable name of an exception vector ("#PF"), or "IRQ". */
const char *vector_name(unsigned int vector);

#endif /* XHV_IRQ_H */
