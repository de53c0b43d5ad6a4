/*
 * The shim's console on the serial line. Output is synchronous (polled
 * UART), so `sync_console` has nothing more to do; it is accepted for Xen
 * compatibility.
 */
#include <xhv/cmdline.h>
#include <xhv/console.h>
#include <xhv/format.h>
#include <xhv/log.h>
#include <xhv/uart.h>
#include <xhv/desc.h>
#include <xhv/irq.h>
#include <xhv/native.h>
#include <xhv/percpu.h>

static bool serial_enabled = true;

static void serial_sink(const char *s, size_t len)
{
    if (serial_enabled)
        uart_write(s, len);
}

void console_init_early(void)
{
    struct uart_params p = {
        .io_base = UART_COM1_BASE, .baud = 115200,
        .data_bits = 8, .parity = 'n', .stop_bits = 1,
    };

    uart_init(&p);
    log_set_sink(serial_sink);
}

void console_setup(const struct xhv_opts *o)
{
    const struct xhv_uart_cfg *c = &o->com1;
    struct uart_params p = {
        .io_base = c->io_base ? c->io_base : UART_COM1_BASE,
        .baud = c->baud,
        .data_bits = c->data_bits ? c->data_bits : 8,
        .parity = c->parity ? c->parity : 'n',
        .stop_bits = c->stop_bits ? c->stop_bits : 1,
    };

    log_set_thresholds(o->loglvl, o->loglvl_rl);
    log_set_guest_thresholds(o->guest_loglvl, o->guest_loglvl_rl);
    /* COM1 is the only serial console so far; "console=none" silences it. */
    serial_enabled = (o->console_mask & XHV_CONSOLE_COM1) != 0;
    if (c->given && c->baud)
        uart_init(&p);
}

/* Line state of the guest stream: at a line start, print the prefix. */
static bool guest_at_line_start = true;

void console_write_guest(unsigned int domid, const char *s, size_t len)
{
    char prefix[16];
    size_t i, start = 0;
    int n;

    if (!serial_enabled)
        return;
    n = xhv_snprintf(prefix, sizeof(prefix), "(d%u) ", domid);
    for (i = 0; i < len; i++) {
        if (guest_at_line_start) {
            uart_write(prefix, (size_t)n);
            guest_at_line_start = false;
        }
        if (s[i] == '\n') {
            uart_write(s + start, i + 1 - start);
            start = i + 1;
            guest_at_line_start = true;
        }
    }
    if (start < len)
        uart_write(s + start, len - start);
}

void console_write_raw(const char *s, size_t len)
{
    if (serial_enabled)
        uart_write_raw(s, len);
}

static void (*input_handler)(char c);

void console_set_input_handler(void (*fn)(char c))
{
    input_handler = fn;
}

static void serial_irq(struct cpu_regs *r)
{
    int c;

    /* Drain the FIFO: one interrupt may stand for several bytes. */
    while ((c = uart_getc()) >= 0)
        if (input_handler)
            input_handler((char)c);
    lapic_eoi();
}

void console_enable_input(void)
{
    unsigned int irq = uart_enable_rx_irq();

    irq_register(XHV_VEC_SERIAL, serial_irq);
    if (ioapic_route_isa_irq(irq, XHV_VEC_SERIAL, this_cpu()->apic_id))
        printk(XLOG_WARN "console: no IOAPIC route for IRQ %u: no serial "
               "input\n", irq);
}
