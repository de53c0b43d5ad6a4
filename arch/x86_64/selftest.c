/*
 * Self-tests of the arch layer: page mapping, exception recovery through
 * the fixup table (a deliberate #PF and #UD), a round trip through ring 3
 * (iretq out, `syscall` and an exception back in), and the LAPIC timer
 * arriving at the calibrated rate.
 */
#include <xhv/desc.h>
#include <xhv/extable.h>
#include <xhv/frame_alloc.h>
#include <xhv/irq.h>
#include <xhv/native.h>
#include <xhv/paging.h>
#include <xhv/parent.h>
#include <xhv/selftest.h>
#include <xhv/setjmp.h>
#include <xhv/setup.h>
#include <xhv/string.h>
#include <xhv/x86.h>

#define TEST_VA         (XHV_RESERVED_VIRT_START + 0x10000)
#define UNMAPPED_VA     (XHV_RESERVED_VIRT_START + 0x20000)
#define USER_CODE_VA    0x400000ULL
#define USER_STACK_VA   0x401000ULL
#define TEST_VECTOR     0xf1

__noreturn void enter_frame(struct cpu_regs *r);
uint64_t native_lapic_hz(void);

SELFTEST(page_mapping)
{
    bool ok = true;
    uint64_t pfn = frame_alloc(&frame_pool, 1, 1);
    volatile uint64_t *p = (volatile uint64_t *)TEST_VA;
    uint64_t buf;
    unsigned int level = 0;

    if (pfn == FRAME_NONE)
        return false;
    ST_CHECK(map_pages(TEST_VA, pfn << PAGE_SHIFT, PAGE_SIZE,
                       PTE_RW | pte_nx) == 0);
    *p = 0x0123456789abcdefULL;
    ST_CHECK(*(uint64_t *)phys_to_virt(pfn << PAGE_SHIFT) ==
             0x0123456789abcdefULL);
    ST_CHECK((lookup_pte(TEST_VA, &level) & PTE_ADDR_MASK) ==
             pfn << PAGE_SHIFT);
    ST_CHECK(level == 1);
    /* A copy running off the end of the mapping stops there. */
    ST_CHECK(copy_from_unsafe(&buf, (void *)(TEST_VA + PAGE_SIZE - 4), 8)
             == 4);
    unmap_pages(TEST_VA, PAGE_SIZE);
    ST_CHECK(lookup_pte(TEST_VA, NULL) == 0);
    ST_CHECK(copy_from_unsafe(&buf, (void *)TEST_VA, 8) == 8);
    frame_free(&frame_pool, pfn, 1);
    return ok;
}

SELFTEST(fixup_page_fault)
{
    bool ok = true;
    uint8_t buf[16], src[16];

    memset(src, 0x77, sizeof(src));
    ST_CHECK(copy_from_unsafe(buf, (void *)UNMAPPED_VA, 16) == 16);
    ST_CHECK(read_cr2() == UNMAPPED_VA);
    ST_CHECK(copy_to_unsafe((void *)(UNMAPPED_VA + 8), src, 16) == 16);
    ST_CHECK(copy_from_unsafe(buf, src, 16) == 0 && buf[15] == 0x77);
    return ok;
}

SELFTEST(fixup_invalid_opcode)
{
    bool ok = true;
    unsigned int faulted;

    __asm__ volatile("movl $1, %0\n"
                     "1: ud2\n"
                     "movl $0, %0\n"
                     "2:\n"
                     ASM_EXTABLE(1b, 2b)
                     : "=&r"(faulted));
    ST_CHECK(faulted == 1);
    return ok;
}

static struct jmp_buf user_jb;
static uint64_t user_syscall_rax;
static unsigned int user_vector;
static uint64_t user_rip;

static void user_entry(struct cpu_regs *r)
{
    if (r->vector == ENTRY_VECTOR_SYSCALL) {
        user_syscall_rax = r->rax;
        r->rax = 0;
        return;                 /* back to ring 3 after the syscall */
    }
    user_vector = r->vector;
    user_rip = r->rip;
    xhv_longjmp(&user_jb, 1);
}

/* iretq to ring 3 at rip; back here when user_entry() longjmps. */
static __attribute__((noinline)) void run_in_ring3(uint64_t rip, uint64_t rsp)
{
    struct cpu_regs f;

    memset(&f, 0, sizeof(f));
    f.rip = rip;
    f.cs = FLAT_RING3_CS64;
    f.rflags = 0x2;
    f.rsp = rsp;
    f.ss = FLAT_RING3_SS64;
    user_vector = ~0u;
    set_user_entry_handler(user_entry);
    if (xhv_setjmp(&user_jb) == 0)
        enter_frame(&f);
    set_user_entry_handler(NULL);
}

SELFTEST(ring3_round_trip)
{
    /* mov $0x1234, %eax; syscall; ud2 */
    static const uint8_t code[] = { 0xb8, 0x34, 0x12, 0x00, 0x00,
                                    0x0f, 0x05, 0x0f, 0x0b };
    bool ok = true;
    uint64_t pfn = frame_alloc(&frame_pool, 2, 1);
    if (pfn == FRAME_NONE)
        return false;
    memcpy(phys_to_virt(pfn << PAGE_SHIFT), code, sizeof(code));
    ST_CHECK(map_pages(USER_CODE_VA, pfn << PAGE_SHIFT, PAGE_SIZE,
                       PTE_US) == 0);
    ST_CHECK(map_pages(USER_STACK_VA, (pfn + 1) << PAGE_SHIFT, PAGE_SIZE,
                       PTE_US | PTE_RW | pte_nx) == 0);

    run_in_ring3(USER_CODE_VA, USER_STACK_VA + PAGE_SIZE);

    ST_CHECK(user_syscall_rax == 0x1234);
    ST_CHECK(user_vector == X86_EXC_UD);
    ST_CHECK(user_rip == USER_CODE_VA + 7);
    unmap_pages(USER_CODE_VA, 2 * PAGE_SIZE);
    frame_free(&frame_pool, pfn, 2);
    return ok;
}

static volatile unsigned int timer_ticks;

static void test_timer_irq(struct cpu_regs *r)
{
    timer_ticks++;
    lapic_eoi();
}

/* 200 Hz periodic for 500 ms by the TSC clock: 100 ticks, +-10 %. */
SELFTEST(lapic_timer_rate)
{
    bool ok = true;
    const uint64_t hz = 200, window_ns = 500000000ULL;
    uint64_t start, end;
    unsigned int ticks;

    if (parent != &native_parent_ops) {
        /* Another parent's timer is its own (its self-test below). */
        printk("  lapic timer: skipped (parent %s)\n", parent->name);
        return true;
    }
    irq_register(TEST_VECTOR, test_timer_irq);
    timer_ticks = 0;
    lapic_timer_start((uint32_t)(native_lapic_hz() / hz), true, TEST_VECTOR);
    start = parent->clock_ns();
    end = start + window_ns;
    while (parent->clock_ns() < end)
        parent->idle();         /* the periodic interrupt wakes us */
    ticks = timer_ticks;
    lapic_timer_stop();
    printk("  lapic timer: %u ticks in %llu ms at %llu Hz (expected %llu)\n",
           ticks, (unsigned long long)(window_ns / 1000000),
           (unsigned long long)hz,
           (unsigned long long)(hz * window_ns / 1000000000ULL));
    ST_CHECK(ticks >= 90 && ticks <= 110);
    return ok;
}

static volatile uint64_t oneshot_fired_ns;

static void oneshot_fn(void *ctx)
{
    oneshot_fired_ns = parent->clock_ns();
}

/* The parent's one-shot timer fires 100 ms later, +-10 %. */
SELFTEST(parent_oneshot_timer)
{
    bool ok = true;
    uint64_t start = parent->clock_ns(), giveup = start + 1000000000ULL;
    uint64_t delay = 100000000ULL, took;

    oneshot_fired_ns = 0;
    parent->timer_set(start + delay, oneshot_fn, NULL);
    while (!oneshot_fired_ns && parent->clock_ns() < giveup)
        parent->idle();
    parent->timer_stop();
    took = oneshot_fired_ns - start;
    ST_CHECK(oneshot_fired_ns != 0);
    printk("  one-shot timer: fired after %llu us (asked %llu us)\n",
           (unsigned long long)(took / 1000),
           (unsigned long long)(delay / 1000));
    ST_CHECK(took >= delay && took <= delay + delay / 10);
    return ok;
}
