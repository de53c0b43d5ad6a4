/*
 * From head.S to start_shim(): early console, CPU tables, and the boot
 * information of whichever multiboot loader started us.
 */
#include <xhv/boot_info.h>
#include <xhv/console.h>
#include <xhv/desc.h>
#include <xhv/frame_alloc.h>
#include <xhv/layout.h>
#include <xhv/log.h>
#include <xhv/multiboot.h>
#include <xhv/paging.h>
#include <xhv/panic.h>
#include <xhv/percpu.h>
#include <xhv/setup.h>
#include <xhv/x86.h>

extern char __image_end[];

__noreturn void start_multiboot(uint32_t magic, uint32_t info_pa);

void arch_image_range(uint64_t *start, uint64_t *end)
{
    *start = XHV_PHYS_START;
    *end = ALIGN_UP((uint64_t)__image_end - XHV_VIRT_OFFSET, PAGE_SIZE);
}

void *boot_phys_to_virt(uint64_t pa, void *ctx)
{
    return phys_to_virt(pa);
}

/*
 * The loader's structures are read through the boot direct map, which
 * covers the first 4 GiB; anything beyond is refused, never dereferenced.
 */
static const void *boot_map(uint64_t pa, size_t len, void *ctx)
{
    const uint64_t limit = 4ULL << 30;

    if (pa >= limit || len > limit - pa)
        return NULL;
    return phys_to_virt(pa);
}

void arch_memory_init(struct frame_pool *fp)
{
    uint64_t block;

    paging_init(&boot_info, fp);
    block = frame_alloc(fp, XHV_STACK_BLOCK_SIZE / PAGE_SIZE,
                        XHV_STACK_BLOCK_SIZE / PAGE_SIZE);
    if (block == FRAME_NONE)
        panic("no memory for the boot CPU's stacks");
    cpu_tables_rehome_bsp(this_cpu(), phys_to_virt(block << PAGE_SHIFT));
    if (cpu_syscall_init(this_cpu()))
        panic("no memory for the boot CPU's syscall stub");
    wrmsr(MSR_LSTAR, this_cpu()->syscall_stub);
}

void start_multiboot(uint32_t magic, uint32_t info_pa)
{
    int rc;

    console_init_early();
    cpu_tables_init(&percpu[0]);

    if (magic == MB1_BOOTLOADER_MAGIC)
        rc = boot_info_from_mb1(&boot_info, info_pa, boot_map, NULL);
    else if (magic == MB2_BOOTLOADER_MAGIC)
        rc = boot_info_from_mb2(&boot_info, info_pa, boot_map, NULL);
    else
        panic("not started by a multiboot loader (magic %#x)", magic);
    if (rc)
        panic("bad multiboot information at %#x (error %d)", info_pa, rc);
    start_shim();
}
