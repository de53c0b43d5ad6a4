/*
 * Per-CPU `syscall` entry stubs. SYSCALL leaves %rsp as the guest's and no
 * register free, and the shim does not own %gs, so each CPU gets its own
 * copy of entry.S's syscall_stub with that CPU's %rax save slot and stack
 * top patched in as immediates (Xen does the same with per-CPU stubs).
 * The copy is written through the direct map and executed through a
 * read-only executable mapping of its own: no page is writable and
 * executable at once.
 */
#include <xhv/desc.h>
#include <xhv/frame_alloc.h>
#include <xhv/layout.h>
#include <xhv/paging.h>
#include <xhv/percpu.h>
#include <xhv/setup.h>
#include <xhv/string.h>
#include <xhv/x86.h>

extern const char syscall_stub[], syscall_stub_end[];
extern const char syscall_stub_slot1[], syscall_stub_stack[];
extern const char syscall_stub_slot2[], syscall_stub_target[];
extern void entry_syscall_common(void);

/* Stubs live 1 GiB into the per-domain slot, one page per CPU. */
#define STUB_VIRT(cpu)  (XHV_PERDOMAIN_VIRT_START + (1ULL << 30) + \
                         (uint64_t)(cpu) * PAGE_SIZE)

static void patch(uint8_t *page, const char *label_after, uint64_t val)
{
    size_t off = (size_t)(label_after - syscall_stub) - 8;

    memcpy(page + off, &val, sizeof(val));
}

int cpu_syscall_init(struct percpu *pc)
{
    uint64_t mfn = frame_alloc(&frame_pool, 1, 1);
    uint8_t *page;

    if (mfn == FRAME_NONE)
        return -1;
    page = phys_to_virt(mfn << PAGE_SHIFT);
    memset(page, 0xcc, PAGE_SIZE);          /* int3 around the stub */
    memcpy(page, syscall_stub, (size_t)(syscall_stub_end - syscall_stub));
    patch(page, syscall_stub_slot1, (uint64_t)&pc->syscall_scratch);
    patch(page, syscall_stub_slot2, (uint64_t)&pc->syscall_scratch);
    patch(page, syscall_stub_stack, pc->stack_top);
    patch(page, syscall_stub_target, (uint64_t)entry_syscall_common);
    if (map_pages(STUB_VIRT(pc->cpu_id), mfn << PAGE_SHIFT, PAGE_SIZE, 0))
        return -1;
    pc->syscall_stub = STUB_VIRT(pc->cpu_id);
    return 0;
}
