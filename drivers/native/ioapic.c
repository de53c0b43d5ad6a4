/*
 * Minimal IOAPIC (82093AA datasheet): one redirection entry per ISA IRQ
 * the shim uses (the serial port). Index/data registers at +0x00/+0x10;
 * redirection entry n at registers 0x10 + 2n (low) and 0x11 + 2n (high).
 */
#include <xhv/native.h>
#include <xhv/paging.h>

#define IOAPIC_DEFAULT_BASE 0xfec00000ULL
#define IOREGSEL    0x00
#define IOWIN       0x10
#define REG_VER     0x01
#define REG_REDIR   0x10

static volatile uint32_t *ioapic;

static uint32_t ioapic_read(unsigned int reg)
{
    ioapic[IOREGSEL / 4] = reg;
    return ioapic[IOWIN / 4];
}

static void ioapic_write(unsigned int reg, uint32_t v)
{
    ioapic[IOREGSEL / 4] = reg;
    ioapic[IOWIN / 4] = v;
}

int ioapic_route_isa_irq(unsigned int irq, uint8_t vector, uint32_t apic_id)
{
    unsigned int max_redir;

    if (!ioapic) {
        ioapic = ioremap(IOAPIC_DEFAULT_BASE, PAGE_SIZE);
        if (!ioapic)
            return -1;
    }
    max_redir = (ioapic_read(REG_VER) >> 16) & 0xff;
    if (irq > max_redir)
        return -1;
    /* Fixed delivery, physical destination, edge, active high, unmasked. */
    ioapic_write(REG_REDIR + 2 * irq + 1, apic_id << 24);
    ioapic_write(REG_REDIR + 2 * irq, vector);
    return 0;
}
