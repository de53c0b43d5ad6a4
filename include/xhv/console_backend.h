/*
 * The guest's PV console 0 (public io/console.h, struct xencons_interface):
 * the ring page and event channel named in start_info. Output is drained
 * to the serial line as is; serial input (routed by the keyhandler) is
 * fed into the `in` ring.
 */
#ifndef XHV_CONSOLE_BACKEND_H
#define XHV_CONSOLE_BACKEND_H

struct domain;

int console_backend_init(struct domain *d);

#endif /* XHV_CONSOLE_BACKEND_H */
