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

#endif /* XHV_CONSOLE_H */
