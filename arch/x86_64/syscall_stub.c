/*
 * Per-CPU `syscall` entry stubs. SYSCALL leaves %rsp as the guest's and no
 * register free, and the shim does not own %gs, so each CPU gets its own
 * copy of entry.S's syscall_stub with that CPU's %rax save slot and stack
 * top patched in as immediates (Xen does the same with per-CPU stubs).
 * The copies sit in the image's text (entry.S: syscall_stubs, 128 bytes a
 * CPU), which is mapped read-only and executable; they are written once,
 * through the direct map, before their CPU uses them.
 */
#include <xhv/cpumask.h>
#include <xhv/desc.h>
#include <xhv/paging.h>
#include <xhv/percpu.h>
#include <xhv/string.h>

#define STUB_SIZE 128

extern const char syscall_stub[], syscall_stub_end[];
extern const char syscall_stub_slot1[], syscall_stub_stack[];
extern const char syscall_stub_slot2[], syscall_stub_target[];
extern const char syscall_stubs[];
extern void entry_syscall_common(void);

static void patch(uint8_t *stub, const char *label_after, uint64_t val)
{
    size_t off = (size_t)(label_after - syscall_stub) - 8;

    memcpy(stub + off, &val, sizeof(val));
}

int cpu_syscall_init(struct percpu *pc)
{
    const char *text = syscall_stubs + (size_t)pc->cpu_id * STUB_SIZE;
    uint8_t *stub = phys_to_virt(virt_to_phys(text));    /* writable alias */

    BUILD_BUG_ON(XHV_MAX_CPUS * STUB_SIZE > 2 * 4096);
    if ((size_t)(syscall_stub_end - syscall_stub) > STUB_SIZE)
        return -1;
    memcpy(stub, syscall_stub, (size_t)(syscall_stub_end - syscall_stub));
    patch(stub, syscall_stub_slot1, (uint64_t)&pc->syscall_scratch);
    patch(stub, syscall_stub_slot2, (uint64_t)&pc->syscall_scratch);
    patch(stub, syscall_stub_stack, pc->stack_top);
    patch(stub, syscall_stub_target, (uint64_t)entry_syscall_common);
    pc->syscall_stub = (uint64_t)text;
    return 0;
}
