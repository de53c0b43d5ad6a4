/*
 * start_shim(): the arch-neutral start, reached from every boot path with
 * boot_info filled. Order matters: console and options first (so every
 * later line obeys loglvl=), then memory, then the parent, then whatever
 * this run is for (self-tests or the guest).
 */
#include <xhv/boot_info.h>
#include <xhv/cmdline.h>
#include <xhv/console.h>
#include <xhv/domain.h>
#include <xhv/domain_build.h>
#include <xhv/exit.h>
#include <xhv/frame_alloc.h>
#include <xhv/m2p.h>
#include <xhv/mm.h>
#include <xhv/descriptor.h>
#include <xhv/console_backend.h>
#include <xhv/keyhandler.h>
#include <xhv/xs_guest.h>
#include <xhv/log.h>
#include <xhv/panic.h>
#include <xhv/paging.h>
#include <xhv/parent.h>
#include <xhv/setup.h>
#include <xhv/smp.h>
#include <xhv/percpu.h>
#include <xhv/version.h>

struct frame_pool frame_pool;
struct boot_info boot_info;

static const char *e820_name(uint32_t type)
{
    switch (type) {
    case E820_RAM: return "usable";
    case E820_RESERVED: return "reserved";
    case E820_ACPI: return "ACPI data";
    case E820_NVS: return "ACPI NVS";
    case E820_UNUSABLE: return "unusable";
    default: return "unknown";
    }
}

static void print_memory_map(void)
{
    unsigned int i;
    uint64_t ram = 0;

    printk("Memory map (from %s):\n", boot_info.loader_name[0] ?
           boot_info.loader_name : "boot loader");
    for (i = 0; i < boot_info.mem_count; i++) {
        const struct boot_mem_range *m = &boot_info.mem[i];

        printk(" %016llx - %016llx (%s)\n", (unsigned long long)m->base,
               (unsigned long long)(m->base + m->len), e820_name(m->type));
        if (m->type == E820_RAM)
            ram += m->len;
    }
    printk("RAM: %llu MiB\n", (unsigned long long)(ram >> 20));
}

static void print_modules(void)
{
    unsigned int i;

    for (i = 0; i < boot_info.mod_count; i++) {
        const struct boot_module *m = &boot_info.mods[i];

        printk("Module %u: %#llx-%#llx '%s'\n", i,
               (unsigned long long)m->start,
               (unsigned long long)(m->start + m->len), m->cmdline);
    }
}

/* Frames the allocator must never hand out. */
static void frames_init(void)
{
    struct phys_range excl[2 + BOOT_MOD_MAX];
    unsigned int n = 0, i;
    uint64_t s, e;

    excl[n].start = 0;              /* real-mode area, BIOS data, ROMs */
    excl[n++].end = 0x100000;
    arch_image_range(&s, &e);
    excl[n].start = s;
    excl[n++].end = e;
    for (i = 0; i < boot_info.mod_count; i++) {
        excl[n].start = boot_info.mods[i].start;
        excl[n++].end = boot_info.mods[i].start + boot_info.mods[i].len;
    }
    if (frame_pool_init(&frame_pool, boot_info.mem, boot_info.mem_count,
                        excl, n, boot_phys_to_virt, NULL))
        panic("cannot set up the frame allocator");
    printk(XLOG_INFO "frames: %llu free of %llu\n",
           (unsigned long long)frame_pool_free_count(&frame_pool),
           (unsigned long long)frame_pool.ram_count);
}

/* dom0_mem= (Xen's syntax) as the guest's size in bytes; 0: default. */
static uint64_t guest_mem_bytes(void)
{
    const struct xhv_dom0_mem *m = &opts.dom0_mem;
    uint64_t avail = frame_pool_free_count(&frame_pool) << PAGE_SHIFT;
    uint64_t bytes = 0;

    if (m->amount.set)
        bytes = m->amount.negative ?
                (avail > m->amount.bytes ? avail - m->amount.bytes : 0) :
                m->amount.bytes;
    else if (m->max.set)
        bytes = m->max.bytes;
    if (bytes && m->min.set && bytes < m->min.bytes)
        bytes = m->min.bytes;
    if (bytes && m->max.set && bytes > m->max.bytes)
        bytes = m->max.bytes;
    return bytes;
}

/*
 * dom0_max_vcpus=<min>-<max> (Xen's syntax): one vCPU per CPU, clamped to
 * [min, max]; vCPUs are pinned, so never more than the CPUs online.
 */
static unsigned int guest_vcpu_count(void)
{
    unsigned int n = nr_cpus;

    if (n < opts.dom0_vcpus_min) {
        printk(XLOG_WARN "dom0_max_vcpus: %u vCPUs asked, %u CPUs online\n",
               opts.dom0_vcpus_min, nr_cpus);
    }
    if (opts.dom0_vcpus_max != XHV_VCPUS_UNLIMITED &&
        n > opts.dom0_vcpus_max)
        n = opts.dom0_vcpus_max;
    if (n > XHV_MAX_VCPUS)
        n = XHV_MAX_VCPUS;
    return n;
}

/* Module 0 is the guest kernel (its command line the guest's), 1 the initrd. */
static __noreturn void start_guest(void)
{
    const struct boot_module *k = &boot_info.mods[0];
    const struct boot_module *r = boot_info.mod_count > 1 ?
                                  &boot_info.mods[1] : NULL;
    struct guest_image img = {
        .kernel = phys_to_virt(k->start),
        .kernel_len = k->len,
        .initrd = r ? phys_to_virt(r->start) : NULL,
        .initrd_len = r ? r->len : 0,
        .cmdline = k->cmdline,
        .mem_bytes = guest_mem_bytes(),
    };

    if (m2p_init(&frame_pool, frame_pool.max_pfn))
        panic("cannot set up the machine-to-phys table");
    if (mm_init(&frame_pool))
        panic("cannot set up the frame table");
    pv_descriptors_init();
    if (pv_domain_build(&guest_domain, &img, &frame_pool,
                        guest_vcpu_count())) {
        printk(XLOG_ERR "Cannot start the guest: see above.\n");
        debug_exit(XHV_EXIT_BOOT_ERROR);
        parent->poweroff();
    }
    if (console_backend_init(&guest_domain))
        panic("cannot connect the guest's console");
    if (xs_connect_guest(&guest_domain))
        panic("cannot connect the guest's xenstore ring");
    console_set_input_handler(keyhandler_input);
    console_enable_input();
    printk("Starting guest d%u (command line '%s')\n", guest_domain.domid,
           img.cmdline);
    printk("(serial input goes to d%u; CTRL-a three times for debug keys)\n",
           guest_domain.domid);
    /* vCPU 0 is up: this CPU enters it as every CPU enters its vCPU. */
    vcpu_idle_loop();
}

void start_shim(void)
{
    cmdline_defaults(&opts);
    cmdline_parse(boot_info.cmdline, &opts);
    console_setup(&opts);
    boot_info.mem_count = memmap_sanitize(boot_info.mem, boot_info.mem_count,
                                          BOOT_MEM_MAX);

    printk("xhv %s: a Xen PV ABI shim (guest ABI Xen %d.%d)\n",
           XHV_VERSION, XHV_XEN_MAJOR, XHV_XEN_MINOR);
    printk("Command line: %s\n", boot_info.cmdline);
    if (boot_info.warnings)
        printk(XLOG_WARN "boot information: %u problem(s), last: %s\n",
               boot_info.warnings, boot_info.last_warning ?
               boot_info.last_warning : "?");
    print_memory_map();
    print_modules();

    frames_init();
    arch_memory_init(&frame_pool);
    parent_init();
    smp_boot_cpus(opts.dom0_vcpus_max == XHV_VCPUS_UNLIMITED ? 0 :
                  opts.dom0_vcpus_max);

    if (opts.selftest != XHV_SELFTEST_OFF)
        selftest_run(opts.selftest == XHV_SELFTEST_FAULT);

    if (!boot_info.mod_count) {
        printk("No guest kernel module given: nothing to run.\n");
        printk("Powering off.\n");
        parent->poweroff();
    }
    start_guest();
}
