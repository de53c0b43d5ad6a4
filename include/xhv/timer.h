/*
 * Software timers over the parent's single one-shot timer: each fires its
 * callback once, from interrupt context, at or after its deadline (the
 * parent clock, ns). A fixed set of timers exists (guest vCPU timers,
 * SCHEDOP_poll timeouts, console polling); no allocation.
 */
#ifndef XHV_TIMER_H
#define XHV_TIMER_H

#include <xhv/types.h>

struct shim_timer {
    uint64_t deadline;
    void (*fn)(void *ctx);
    void *ctx;
    bool active;
};

/* (Re)arm t; an already-active timer moves. A past deadline fires soon. */
void timer_set(struct shim_timer *t, uint64_t deadline,
               void (*fn)(void *ctx), void *ctx);
void timer_stop(struct shim_timer *t);

#endif /* XHV_TIMER_H */
