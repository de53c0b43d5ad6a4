/*
 * Event channels (public event_channel.h), 2-level ABI: ports in the
 * shared_info evtchn_pending/evtchn_mask bitmaps, selected per vCPU by
 * evtchn_pending_sel, announced by evtchn_upcall_pending and delivered by
 * the entry path (pv_deliver_events) whenever the upcall mask allows.
 *
 * The shim is domain 0 for the guest's backends (xenstore, console): a
 * guest port connected "interdomain" to dom0 ends in a callback here, and a
 * backend notifies the guest through its port.
 *
 * FIFO (init_control/expand_array) is not offered: -ENOSYS, and Linux
 * falls back to 2-level. Locking: single vCPU; all calls with interrupts
 * disabled (timer callbacks raise VIRQs from interrupt context).
 */
#ifndef XHV_EVENT_H
#define XHV_EVENT_H

#include <xhv/domain.h>
#include <xen/event_channel.h>

/* 2-level: 64 selector bits x 64 bits per word. */
#define EVTCHN_NR_PORTS     (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)

typedef void (*evtchn_backend_fn)(struct domain *d, evtchn_port_t port,
                                  void *ctx);

/* Reset the domain's ports (all closed). */
void evtchn_domain_init(struct domain *d);

/*
 * Connect guest port `port` to a backend in the shim (as dom0): the guest's
 * EVTCHNOP_send on it calls fn. Used for the ports named in start_info.
 */
int evtchn_bind_backend(struct domain *d, evtchn_port_t port,
                        evtchn_backend_fn fn, void *ctx);
/* Keep `port` from being allocated (a start_info port not yet served). */
int evtchn_reserve(struct domain *d, evtchn_port_t port);
/* A backend (or the shim) signals the guest on port. */
void evtchn_notify_guest(struct domain *d, evtchn_port_t port);

/* Raise a virtual IRQ: per-vCPU (VIRQ_TIMER...) or global (vcpu 0). */
void evtchn_send_virq(struct vcpu *v, unsigned int virq);

/* Is port pending (for SCHEDOP_poll)? false for an invalid port. */
bool evtchn_port_pending(struct domain *d, evtchn_port_t port);

/* Dump the ports (debug key 'e'). */
void evtchn_dump(struct domain *d);

long do_event_channel_op(struct vcpu *v, uint64_t cmd, uint64_t arg,
                         uint64_t a3, uint64_t a4, uint64_t a5);

#endif /* XHV_EVENT_H */
