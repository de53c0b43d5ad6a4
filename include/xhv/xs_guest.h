/*
 * The guest's xenstore connection: the xenstore library
 * (include/xhv/xenstore.h, shim/backends/xenstore/) served on the ring page
 * and event channel named in start_info.
 */
#ifndef XHV_XS_GUEST_H
#define XHV_XS_GUEST_H

struct domain;

/* xs_init + populate the domain + attach its ring + bind its port. */
int xs_connect_guest(struct domain *d);
/* Serve the ring now (after a dom0 change that may fire guest watches). */
void xs_kick(void);
/* Connection state (debug key 'x'). */
void xs_dump(void);

#endif /* XHV_XS_GUEST_H */
