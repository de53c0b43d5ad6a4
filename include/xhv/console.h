/*
 * The shim's console: printk output and, later, the guest's hvc0 share the
 * serial line (DESIGN.md 3).
 */
#ifndef XHV_CONSOLE_H
#define XHV_CONSOLE_H

struct xhv_opts;

/* COM1 at 115200 8n1 and the printk sink: usable before anything else. */
void console_init_early(void);
/* Apply console=/com1= once the command line is parsed. */
void console_setup(const struct xhv_opts *o);

/*
 * Raw output of a guest (console_io, later its PV console) on the serial
 * line, with "(d<domid>) " at each line start, never filtered by loglvl.
 */
#include <xhv/types.h>
void console_write_guest(unsigned int domid, const char *s, size_t len);

/* A guest terminal stream (hvc0 output), written as is. */
void console_write_raw(const char *s, size_t len);

/*
 * Serial input: each received byte goes to the handler (the core's
 * keyhandler: Ctrl-A switching, debug keys, the guest's console), from
 * interrupt context. console_enable_input() turns the UART interrupt on.
 */
void console_set_input_handler(void (*fn)(char c));
void console_enable_input(void);

#endif /* XHV_CONSOLE_H */
