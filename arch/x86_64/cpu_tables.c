/*
 * GDT, TSS and IDT of a CPU.
 *
 * The GDT is laid out as Xen's: entries below FIRST_RESERVED_GDT_ENTRY
 * belong to the guest (its set_gdt frames are mapped there by the PV core,
 * later); the shim's own descriptors and the flat ring-3 descriptors of the
 * guest ABI live in the reserved range at Xen's selector values
 * (include/xhv/desc.h).
 *
 * IST stacks: #DF (1), NMI (2) and #MC (3) always run on a known-good stack.
 * #BP, #OF and vector 0x80 are DPL 3: a PV guest's int3, into and
 * int $0x80 reach the shim, which bounces them to the guest kernel.
 */
#include <xhv/desc.h>
#include <xhv/layout.h>
#include <xhv/percpu.h>
#include <xhv/string.h>
#include <xhv/x86.h>

#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3

struct tss64 {
    uint32_t rsvd0;
    uint64_t rsp[3];
    uint64_t rsvd1;
    uint64_t ist[7];
    uint64_t rsvd2;
    uint16_t rsvd3;
    uint16_t iomap_base;
} __packed;

struct idt_entry {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t rsvd;
} __packed;

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __packed;

BUILD_BUG_ON(sizeof(struct tss64) != 104);
BUILD_BUG_ON(sizeof(struct idt_entry) != 16);

extern const char entry_stubs[], entry_stubs_end[];
#define ENTRY_STUB(v) ((uint64_t)entry_stubs + 16 * (v))
BUILD_BUG_ON(XHV_VEC_SPURIOUS > 255);

/*
 * The boot CPU's GDT: the guest part (FIRST_RESERVED_GDT_PAGE pages, all
 * zero here) and one page of reserved entries, which the per-vCPU GDT
 * window (gdt.c) maps again. The other CPUs start on their window at once
 * (smp.c), so they only have the reserved page.
 */
static uint64_t bsp_gdt[(FIRST_RESERVED_GDT_PAGE + 1) * 512]
    __aligned(PAGE_SIZE);
static struct idt_entry idt[256] __aligned(PAGE_SIZE);
/* The boot CPU's entry stack block (the boot stack is head.S's). */
static uint8_t bsp_stack_block[XHV_STACK_BLOCK_SIZE]
    __aligned(XHV_STACK_BLOCK_SIZE);

struct percpu percpu[XHV_MAX_CPUS];
unsigned int nr_cpus = 1;
struct cpumask cpu_online_mask = { { 1 } };

uint64_t *cpu_gdt_reserved_page(void)
{
    return this_cpu()->gdt_reserved;
}

/* Flat code/data descriptor: base 0, limit 4G, given access byte/flags. */
static uint64_t seg_desc(uint8_t access, uint8_t flags)
{
    return 0xffffULL | (0xfULL << 48) | ((uint64_t)access << 40) |
           ((uint64_t)flags << 52);
}

static void set_tss_desc(uint64_t *gdt, unsigned int idx, const void *tss,
                         uint32_t limit)
{
    uint64_t base = (uint64_t)tss;

    gdt[idx] = (limit & 0xffffULL) | ((base & 0xffffffULL) << 16) |
               (0x89ULL << 40) | (((uint64_t)limit >> 16 & 0xf) << 48) |
               ((base >> 24 & 0xff) << 56);
    gdt[idx + 1] = base >> 32;
}

static void set_gate(unsigned int vec, uint64_t handler, uint8_t ist,
                     uint8_t dpl)
{
    struct idt_entry *e = &idt[vec];

    e->offset_lo = handler & 0xffff;
    e->selector = XHV_CS;
    e->ist = ist;
    e->type_attr = 0x80 | (dpl << 5) | 0xe;     /* present, interrupt gate */
    e->offset_mid = (handler >> 16) & 0xffff;
    e->offset_hi = handler >> 32;
    e->rsvd = 0;
}

static void idt_init(void)
{
    unsigned int v;

    for (v = 0; v < 256; v++)
        set_gate(v, ENTRY_STUB(v), 0, 0);
    set_gate(X86_EXC_DF, ENTRY_STUB(X86_EXC_DF), IST_DF, 0);
    set_gate(X86_EXC_NMI, ENTRY_STUB(X86_EXC_NMI), IST_NMI, 0);
    set_gate(X86_EXC_MC, ENTRY_STUB(X86_EXC_MC), IST_MC, 0);
    /* Software interrupts a PV guest may raise: int3, into, int $0x80. */
    set_gate(X86_EXC_BP, ENTRY_STUB(X86_EXC_BP), 0, 3);
    set_gate(X86_EXC_OF, ENTRY_STUB(X86_EXC_OF), 0, 3);
    set_gate(XHV_VEC_INT80, ENTRY_STUB(XHV_VEC_INT80), 0, 3);
}

/* CPU pc's stacks are in `block`: its stack_info, RSP0 and IST slots. */
static void set_stacks(struct percpu *pc, uint8_t *block)
{
    struct tss64 *tss = (struct tss64 *)pc->tss;
    unsigned int i;

    stack_info_of((uint64_t)block)->pc = pc;
    pc->stack_top = (uint64_t)block + XHV_STACK_BLOCK_SIZE -
                    sizeof(struct stack_info);
    tss->rsp[0] = pc->stack_top;
    for (i = 0; i < 3; i++)
        tss->ist[i] = (uint64_t)block + (i + 1) * XHV_IST_STACK_SIZE;
}

/*
 * Fill one CPU's reserved GDT entries (page `res`, entry 0 of it being
 * FIRST_RESERVED_GDT_ENTRY) and its TSS, whose stacks come from the CPU's
 * stack block; point the block's stack_info at the CPU.
 */
static void cpu_fill_tables(struct percpu *pc, uint64_t *res, uint8_t *block)
{
    struct tss64 *tss = (struct tss64 *)pc->tss;

    BUILD_BUG_ON(sizeof(pc->tss) < sizeof(struct tss64));
    BUILD_BUG_ON(3 * XHV_IST_STACK_SIZE + XHV_STACK_SIZE >
                 XHV_STACK_BLOCK_SIZE);
#define RES(sel) res[XHV_GDT_INDEX(sel) - FIRST_RESERVED_GDT_ENTRY]
    memset(res, 0, PAGE_SIZE);
    RES(XHV_CS) = seg_desc(0x9b, 0xa);      /* L=1 */
    RES(XHV_DS) = seg_desc(0x93, 0xc);
    RES(XHV_CS32) = seg_desc(0x9b, 0xc);
    RES(FLAT_RING3_CS32) = seg_desc(0xfb, 0xc);
    RES(FLAT_RING3_DS32) = seg_desc(0xf3, 0xc);
    RES(FLAT_RING3_CS64) = seg_desc(0xfb, 0xa);

    pc->gdt_reserved = res;
    memset(tss, 0, sizeof(*tss));
    set_stacks(pc, block);
    /* No I/O bitmap: every guest port access traps and is emulated. */
    tss->iomap_base = sizeof(*tss);
    set_tss_desc(res, XHV_GDT_INDEX(XHV_TSS) - FIRST_RESERVED_GDT_ENTRY,
                 tss, sizeof(*tss) - 1);
#undef RES
}

/* Load GDTR (base), reload CS and the data segments, TR, IDTR. */
static void cpu_load_tables(uint64_t gdt_base)
{
    struct desc_ptr gdtr, idtr;

    gdtr.limit = XHV_NR_GDT_ENTRIES * 8 - 1;
    gdtr.base = gdt_base;
    __asm__ volatile("lgdt %0" :: "m"(gdtr));
    /* Reload CS through a far return, then the data segments. */
    __asm__ volatile("pushq %[cs]\n"
                     "leaq 1f(%%rip), %%rax\n"
                     "pushq %%rax\n"
                     "lretq\n"
                     "1:\n"
                     "movl %[ds], %%eax\n"
                     "movl %%eax, %%ds\n"
                     "movl %%eax, %%es\n"
                     "movl %%eax, %%ss\n"
                     "xorl %%eax, %%eax\n"
                     "movl %%eax, %%fs\n"
                     "movl %%eax, %%gs\n"
                     :: [cs] "i"(XHV_CS), [ds] "i"(XHV_DS) : "rax", "memory");
    __asm__ volatile("ltr %w0" :: "r"(XHV_TSS));
    idtr.limit = sizeof(idt) - 1;
    idtr.base = (uint64_t)idt;
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

/*
 * syscall: kernel CS/SS from STAR[47:32] (XHV_CS, XHV_CS+8 = XHV_DS);
 * sysret's base STAR[63:48] = FLAT_RING3_CS32 gives CS64 = base+16 and
 * SS = base+8, the guest's flat selectors. SFMASK clears IF, DF, TF, NT
 * and AC on entry so the stack switch runs with interrupts off. LSTAR is
 * set per CPU by cpu_syscall_init (its own stub).
 */
static void cpu_syscall_msrs(void)
{
    wrmsr(MSR_STAR, ((uint64_t)FLAT_RING3_CS32 << 48) |
                    ((uint64_t)XHV_CS << 32));
    wrmsr(MSR_SFMASK, X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_TF |
                      X86_EFLAGS_NT | X86_EFLAGS_AC);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

void cpu_tables_init(struct percpu *pc)
{
    pc->cpu_id = 0;
    cpu_fill_tables(pc, &bsp_gdt[FIRST_RESERVED_GDT_ENTRY], bsp_stack_block);
    idt_init();
    cpu_load_tables((uint64_t)bsp_gdt);
    cpu_syscall_msrs();
}

/*
 * The boot CPU starts on a stack block in the image (its tables are built
 * before there is an allocator); once there is one, its entry and IST
 * stacks move to a block in the direct map, where every CPU's are: the
 * direct map's large pages keep the entry path's page walks short after
 * each guest CR3 switch (measured: a guest getpid under TCG went from 14.6
 * to 12.2 us when the boot CPU stopped using the image-mapped block).
 */
void cpu_tables_rehome_bsp(struct percpu *pc, uint8_t *block)
{
    set_stacks(pc, block);
}

void cpu_tables_init_ap(struct percpu *pc, uint64_t *res, uint8_t *block)
{
    cpu_fill_tables(pc, res, block);
}

void cpu_tables_load_ap(uint64_t gdt_base)
{
    cpu_load_tables(gdt_base);
    cpu_syscall_msrs();
}
