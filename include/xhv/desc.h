/*
 * The shim's segment selectors. They sit in the GDT entries Xen reserves for
 * itself (from FIRST_RESERVED_GDT_ENTRY, arch-x86/xen.h) at the same
 * selector values Xen uses, so the guest's flat ring-3 selectors
 * (FLAT_RING3_CS64 etc., arch-x86/xen-x86_64.h) are the ones the guest
 * ABI defines. Usable from assembly.
 */
#ifndef XHV_DESC_H
#define XHV_DESC_H

#ifdef __ASSEMBLY__
#include <xen/xen.h>
#else
#include <xhv/xen.h>
#endif

#define XHV_GDT_INDEX(sel)      ((sel) >> 3)
#define XHV_CS                  0xe008  /* ring 0, 64-bit code */
#define XHV_DS                  0xe010  /* ring 0, data */
#define XHV_CS32                0xe018  /* ring 0, 32-bit code (unused) */
#define XHV_TSS                 0xe040  /* 16-byte descriptor */
#define XHV_LDT                 0xe050  /* 16-byte descriptor, later */
#define XHV_NR_GDT_ENTRIES      (FIRST_RESERVED_GDT_ENTRY + 14)

/* Interrupt vectors the shim owns. */
#define XHV_VEC_LAPIC_TIMER     0xf0
#define XHV_VEC_SPURIOUS        0xff
#define XHV_VEC_INT80           0x80    /* guest int $0x80 (DPL 3 gate) */
#define XHV_VEC_SERIAL          0xe0    /* serial input (IOAPIC) */
#define XHV_VEC_HV_STIMER       0xf1    /* Hyper-V synthetic timer 0 */
#define XHV_VEC_HV_SINT         0xf2    /* Hyper-V SynIC SINT (messages) */
#define XHV_VEC_EVENT_CHECK     0xf8    /* IPI: look at this CPU's vCPU */
#define XHV_VEC_FLUSH           0xf9    /* IPI: TLB flush request */
#define XHV_VEC_STOP            0xfa    /* IPI: halt, the VM is ending */

#ifndef __ASSEMBLY__
#include <xhv/types.h>

struct percpu;
/* Build and load this CPU's GDT, TSS (with IST stacks) and the IDT. */
void cpu_tables_init(struct percpu *pc);
/* This CPU's page of reserved GDT entries (mapped into GDT windows). */
uint64_t *cpu_gdt_reserved_page(void);
/*
 * Another CPU: fill its reserved GDT page `res` and TSS, with its stacks
 * in `block` (XHV_STACK_BLOCK_SIZE, aligned); run on the boot CPU.
 */
void cpu_tables_init_ap(struct percpu *pc, uint64_t *res, uint8_t *block);
/* The boot CPU's stacks move to `block` (allocated, aligned). */
void cpu_tables_rehome_bsp(struct percpu *pc, uint8_t *block);
/* On that CPU: load a GDT at gdt_base (its window), TR, IDT, syscall MSRs. */
void cpu_tables_load_ap(uint64_t gdt_base);
/* Build CPU pc's own syscall stub (pc->syscall_stub); it loads LSTAR. */
int cpu_syscall_init(struct percpu *pc);
#endif

#endif /* XHV_DESC_H */
