/*
 * Dispatch of every entry into the shim (exceptions, interrupts, syscall)
 * and the readable report of a fatal one.
 *
 * Ring-0 exceptions: an .ex_table fixup resumes at its continuation address
 * (guest-memory copies); anything else is a shim bug and panics with the
 * vector, error code, RIP, CR2, registers and a stack trace. Ring-3 entries
 * go to the registered user-entry handler.
 */
#include <xhv/extable.h>
#include <xhv/irq.h>
#include <xhv/log.h>
#include <xhv/panic.h>
#include <xhv/percpu.h>
#include <xhv/x86.h>
#include <xhv/desc.h>
#include <xhv/layout.h>

static irq_handler_t irq_handlers[256];
static irq_handler_t user_entry_handler;
static irq_handler_t user_irq_return_handler;

static const char *const exception_names[X86_NR_EXCEPTIONS] = {
    [X86_EXC_DE] = "#DE divide error",
    [X86_EXC_DB] = "#DB debug",
    [X86_EXC_NMI] = "NMI",
    [X86_EXC_BP] = "#BP breakpoint",
    [X86_EXC_OF] = "#OF overflow",
    [X86_EXC_BR] = "#BR bound range",
    [X86_EXC_UD] = "#UD invalid opcode",
    [X86_EXC_NM] = "#NM device not available",
    [X86_EXC_DF] = "#DF double fault",
    [9] = "coprocessor segment overrun",
    [X86_EXC_TS] = "#TS invalid TSS",
    [X86_EXC_NP] = "#NP segment not present",
    [X86_EXC_SS] = "#SS stack fault",
    [X86_EXC_GP] = "#GP general protection",
    [X86_EXC_PF] = "#PF page fault",
    [X86_EXC_MF] = "#MF x87 error",
    [X86_EXC_AC] = "#AC alignment check",
    [X86_EXC_MC] = "#MC machine check",
    [X86_EXC_XM] = "#XM SIMD error",
    [X86_EXC_VE] = "#VE virtualization",
    [X86_EXC_CP] = "#CP control protection",
};

const char *vector_name(unsigned int vector)
{
    if (vector < X86_NR_EXCEPTIONS)
        return exception_names[vector] ? exception_names[vector] : "reserved";
    if (vector == ENTRY_VECTOR_SYSCALL)
        return "syscall";
    return "IRQ";
}

void irq_register(unsigned int vector, irq_handler_t fn)
{
    BUG_ON(vector < X86_NR_EXCEPTIONS || vector > 255);
    irq_handlers[vector] = fn;
}

void set_user_entry_handler(irq_handler_t fn)
{
    user_entry_handler = fn;
}

void set_user_irq_return_handler(irq_handler_t fn)
{
    user_irq_return_handler = fn;
}

/*
 * Is [p, p+16) inside the stack block we are running on (a CPU's entry
 * and IST stacks, or the boot stack: include/xhv/percpu.h)?
 */
static bool on_known_stack(uint64_t p)
{
    uint64_t sp, block;

    __asm__("mov %%rsp, %0" : "=r"(sp));
    block = sp & ~(uint64_t)(XHV_STACK_BLOCK_SIZE - 1);
    return p >= block &&
           p + 16 <= block + XHV_STACK_BLOCK_SIZE - XHV_STACK_INFO_SIZE;
}

/* Walk the frame-pointer chain, staying inside the stacks we own. */
void show_stack_trace(uint64_t rbp)
{
    unsigned int depth;

    printk(XLOG_ERR "Stack trace (addr2line -e build/xhv <addr>):\n");
    for (depth = 0; depth < 32; depth++) {
        const uint64_t *frame = (const uint64_t *)rbp;

        /* Invariant: [rbp, rbp+16) lies in a known stack, rbp grows. */
        if (!on_known_stack(rbp) || (rbp & 7) || frame[1] == 0)
            break;
        printk(XLOG_ERR "   [<%016lx>]\n", (unsigned long)frame[1]);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
}

void show_registers(const struct cpu_regs *r)
{
    printk(XLOG_ERR "RIP: %04lx:%016lx  RFLAGS: %016lx  %s\n",
           (unsigned long)r->cs, (unsigned long)r->rip,
           (unsigned long)r->rflags, regs_from_user(r) ? "ring 3" : "ring 0");
    printk(XLOG_ERR "rax: %016lx  rbx: %016lx  rcx: %016lx\n",
           (unsigned long)r->rax, (unsigned long)r->rbx, (unsigned long)r->rcx);
    printk(XLOG_ERR "rdx: %016lx  rsi: %016lx  rdi: %016lx\n",
           (unsigned long)r->rdx, (unsigned long)r->rsi, (unsigned long)r->rdi);
    printk(XLOG_ERR "rbp: %016lx  rsp: %016lx  r8:  %016lx\n",
           (unsigned long)r->rbp, (unsigned long)r->rsp, (unsigned long)r->r8);
    printk(XLOG_ERR "r9:  %016lx  r10: %016lx  r11: %016lx\n",
           (unsigned long)r->r9, (unsigned long)r->r10, (unsigned long)r->r11);
    printk(XLOG_ERR "r12: %016lx  r13: %016lx  r14: %016lx\n",
           (unsigned long)r->r12, (unsigned long)r->r13, (unsigned long)r->r14);
    printk(XLOG_ERR "r15: %016lx  ss: %04lx\n",
           (unsigned long)r->r15, (unsigned long)r->ss);
    printk(XLOG_ERR "cr0: %016lx  cr2: %016lx  cr3: %016lx  cr4: %016lx\n",
           (unsigned long)read_cr0(), (unsigned long)read_cr2(),
           (unsigned long)read_cr3(), (unsigned long)read_cr4());
}

static __noreturn void fatal_trap(struct cpu_regs *r)
{
    unsigned int v = r->vector;

    if (v == X86_EXC_PF) {
        uint32_t ec = r->error_code;

        panic_regs(r, "FATAL TRAP: vector %u, %s, error code %04x "
                   "[%s %s %s%s%s] at %016lx, cr2 %016lx", v, vector_name(v),
                   ec, ec & PFEC_PRESENT ? "protection" : "not-present",
                   ec & PFEC_WRITE ? "write" : "read",
                   ec & PFEC_USER ? "user" : "supervisor",
                   ec & PFEC_RSVD ? " reserved-bit" : "",
                   ec & PFEC_INSN ? " instruction-fetch" : "",
                   (unsigned long)r->rip, (unsigned long)read_cr2());
    }
    panic_regs(r, "FATAL TRAP: vector %u, %s, error code %04x at %016lx",
               v, vector_name(v), r->error_code, (unsigned long)r->rip);
}

void do_entry(struct cpu_regs *r)
{
    unsigned int v = r->vector;

    if (v == ENTRY_VECTOR_SYSCALL ||
        ((v < X86_NR_EXCEPTIONS || v == XHV_VEC_INT80) &&
         regs_from_user(r))) {
        if (!user_entry_handler)
            fatal_trap(r);
        user_entry_handler(r);
        return;
    }

    if (v == X86_EXC_DB) {
        /*
         * A guest data breakpoint (set_debugreg) hit by the shim touching
         * guest memory: not the shim's to report. Clear DR6, go on.
         */
        __asm__ volatile("mov %0, %%dr6" :: "r"(0xffff0ff0UL));
        return;
    }
    if (v < X86_NR_EXCEPTIONS) {
        uint64_t fixup = extable_search(r->rip);

        if (fixup && v != X86_EXC_DF && v != X86_EXC_MC && v != X86_EXC_NMI) {
            r->rip = fixup;
            return;
        }
        fatal_trap(r);
    }

    if (irq_handlers[v])
        irq_handlers[v](r);
    else if (v != XHV_VEC_SPURIOUS)
        printk(XLOG_WARN "unexpected interrupt vector %#x\n", v);
    /* An interrupt while ring 3 ran: the same checks as any guest entry. */
    if (regs_from_user(r) && user_irq_return_handler)
        user_irq_return_handler(r);
}
