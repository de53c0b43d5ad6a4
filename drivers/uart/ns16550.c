/*
 * 16550-compatible UART (PC COM ports), polled. Register layout from the
 * National Semiconductor PC16550D datasheet.
 */
#include <xhv/uart.h>
#include <xhv/x86.h>

#define UART_RBR 0      /* receive buffer (read) */
#define UART_THR 0      /* transmit holding (write) */
#define UART_DLL 0      /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1      /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_DLAB 0x80
#define LSR_DR   0x01   /* data ready */
#define LSR_THRE 0x20   /* transmit holding register empty */
#define UART_CLOCK_HZ 1843200

static uint16_t uart_base = UART_COM1_BASE;

void uart_init(const struct uart_params *p)
{
    uint8_t lcr;

    uart_base = p->io_base ? p->io_base : UART_COM1_BASE;
    lcr = (uint8_t)((p->data_bits >= 5 && p->data_bits <= 8 ?
                     p->data_bits - 5 : 3) |
                    (p->stop_bits == 2 ? 0x04 : 0));
    switch (p->parity) {
    case 'o': lcr |= 0x08; break;
    case 'e': lcr |= 0x18; break;
    case 'm': lcr |= 0x28; break;
    case 's': lcr |= 0x38; break;
    default: break;
    }

    outb(uart_base + UART_IER, 0);
    if (p->baud) {
        uint32_t div = UART_CLOCK_HZ / 16 / p->baud;

        if (div == 0)
            div = 1;
        outb(uart_base + UART_LCR, LCR_DLAB);
        outb(uart_base + UART_DLL, div & 0xff);
        outb(uart_base + UART_DLM, (div >> 8) & 0xff);
    }
    outb(uart_base + UART_LCR, lcr);
    outb(uart_base + UART_FCR, 0x07);  /* enable and clear FIFOs */
    outb(uart_base + UART_MCR, 0x03);  /* DTR, RTS */
}

static void uart_putc(char c)
{
    unsigned int spins = 0;

    /* Bounded wait: a missing UART must not hang the shim. */
    while (!(inb(uart_base + UART_LSR) & LSR_THRE) && ++spins < 100000)
        cpu_relax();
    outb(uart_base + UART_THR, (uint8_t)c);
}

void uart_write(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '\n')
            uart_putc('\r');
        uart_putc(s[i]);
    }
}

void uart_write_raw(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        uart_putc(s[i]);
}

unsigned int uart_enable_rx_irq(void)
{
    outb(uart_base + UART_IER, 0x01);           /* received data available */
    outb(uart_base + UART_MCR, 0x0b);           /* DTR, RTS, OUT2 (IRQ on) */
    /* The PC convention: COM1/COM3 on IRQ 4, COM2/COM4 on IRQ 3. */
    return (uart_base == 0x2f8 || uart_base == 0x2e8) ? 3 : 4;
}

int uart_getc(void)
{
    if (inb(uart_base + UART_LSR) & LSR_DR)
        return inb(uart_base + UART_RBR);
    return -1;
}
