/*
 * The legacy 8259A PICs. Firmware leaves the master at vectors 0x08-0x0f,
 * on top of the CPU exceptions, with the PIT's IRQ 0 unmasked: the first
 * `sti` would then look like a double fault. Remap both to 0x20-0x2f and
 * mask every line; xhv uses the LAPIC (and, later, the IOAPIC) only.
 */
#include <xhv/native.h>
#include <xhv/x86.h>

#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xa0
#define PIC2_DATA   0xa1
#define PIC_VECTOR_BASE 0x20

void pic_disable(void)
{
    outb(PIC1_CMD, 0x11);                   /* ICW1: init, ICW4 follows */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, PIC_VECTOR_BASE);       /* ICW2: vector base */
    outb(PIC2_DATA, PIC_VECTOR_BASE + 8);
    outb(PIC1_DATA, 0x04);                  /* ICW3: slave on IRQ 2 */
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01);                  /* ICW4: 8086 mode */
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xff);                  /* mask everything */
    outb(PIC2_DATA, 0xff);
}
