/*
 * 16550 UART: the shim's console. Polled output; input is polled too (the
 * console backend and debug keys read it).
 */
#ifndef XHV_UART_H
#define XHV_UART_H

#include <xhv/types.h>

#define UART_COM1_BASE  0x3f8

struct uart_params {
    uint16_t io_base;
    uint32_t baud;          /* 0: keep what firmware set */
    uint8_t data_bits;      /* 5..8 */
    char parity;            /* 'n', 'o', 'e', 'm', 's' */
    uint8_t stop_bits;      /* 1 or 2 */
};

void uart_init(const struct uart_params *p);
/* Write bytes, turning "\n" into "\r\n". */
void uart_write(const char *s, size_t len);
/* Write bytes as they are (a guest terminal stream). */
void uart_write_raw(const char *s, size_t len);
/* Interrupt on received data (IER RX, MCR OUT2); its ISA IRQ number. */
unsigned int uart_enable_rx_irq(void);
/* One received byte, or -1 if none is waiting. */
int uart_getc(void);

#endif /* XHV_UART_H */
