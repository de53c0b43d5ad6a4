/*
 * The common start: every boot path (multiboot1, multiboot2, later UEFI)
 * fills the global boot_info and calls start_shim().
 */
#ifndef XHV_SETUP_H
#define XHV_SETUP_H

#include <xhv/types.h>

struct frame_pool;
struct boot_info;

extern struct frame_pool frame_pool;
/* Filled by the boot path before start_shim(); read-only afterwards. */
extern struct boot_info boot_info;

__noreturn void start_shim(void);

/* Arch hook: build the final address space (paging_init and friends). */
void arch_memory_init(struct frame_pool *fp);

/* Physical extent of the loaded image, [start, end). */
void arch_image_range(uint64_t *start, uint64_t *end);

/* Self-tests (selftest= option): run, report, end the run. */
__noreturn void selftest_run(bool deliberate_fault);

#endif /* XHV_SETUP_H */
