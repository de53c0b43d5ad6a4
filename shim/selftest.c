/*
 * The self-test runner and the arch-neutral self-tests (frame allocator).
 * A pass ends with an ACPI poweroff (QEMU exit 0); any failure with
 * isa-debug-exit XHV_EXIT_SELFTEST_FAIL (QEMU exit 3).
 */
#include <xhv/exit.h>
#include <xhv/frame_alloc.h>
#include <xhv/log.h>
#include <xhv/paging.h>
#include <xhv/parent.h>
#include <xhv/selftest.h>
#include <xhv/setup.h>
#include <xhv/string.h>

extern const struct selftest __start_selftests[], __stop_selftests[];

/* Allocate, write through the direct map, free, and get them back. */
SELFTEST(frame_allocator)
{
    bool ok = true;
    uint64_t before = frame_pool_free_count(&frame_pool);
    uint64_t a = frame_alloc(&frame_pool, 1, 1);
    uint64_t b = frame_alloc(&frame_pool, 16, 16);

    ST_CHECK(a != FRAME_NONE && b != FRAME_NONE);
    if (a == FRAME_NONE || b == FRAME_NONE)
        return false;
    ST_CHECK(a != b && (a < b || a >= b + 16));
    ST_CHECK((b & 15) == 0);
    ST_CHECK(a >= 0x100);                      /* never the first MiB */
    ST_CHECK(frame_pool_free_count(&frame_pool) == before - 17);
    memset(phys_to_virt(a << PAGE_SHIFT), 0x5a, PAGE_SIZE);
    memset(phys_to_virt(b << PAGE_SHIFT), 0xa5, 16 * PAGE_SIZE);
    ST_CHECK(((uint8_t *)phys_to_virt(a << PAGE_SHIFT))[PAGE_SIZE - 1] == 0x5a);
    ST_CHECK(frame_free(&frame_pool, a, 1) == 0);
    ST_CHECK(frame_free(&frame_pool, b, 16) == 0);
    ST_CHECK(frame_free(&frame_pool, a, 1) != 0);  /* double free refused */
    ST_CHECK(frame_pool_free_count(&frame_pool) == before);
    return ok;
}

void selftest_run(bool deliberate_fault)
{
    const struct selftest *t;
    unsigned int passed = 0, failed = 0;

    printk("Self-tests:\n");
    for (t = __start_selftests; t < __stop_selftests; t++) {
        bool ok = t->fn();

        printk("%s: %s\n", ok ? "PASS" : "FAIL", t->name);
        if (ok)
            passed++;
        else
            failed++;
    }
    printk("%u passed, %u failed\n", passed, failed);

    if (deliberate_fault) {
        printk("Self-test: deliberate fatal page fault (selftest=fault)\n");
        *(volatile uint64_t *)XHV_RESERVED_VIRT_START = 0xdead;
    }
    if (failed)
        debug_exit(XHV_EXIT_SELFTEST_FAIL);
    parent->poweroff();
}
