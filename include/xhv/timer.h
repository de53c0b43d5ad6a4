/*
 * Software timers over each CPU's one-shot parent timer: each fires its
 * callback once, from interrupt context on the CPU that set it, at or
 * after its deadline (the parent clock, ns). A fixed set of timers exists
 * per CPU (its vCPU's timers and SCHEDOP_poll timeout, console polling);
 * no allocation. A timer never moves to another CPU.
 */
#ifndef XHV_TIMER_H
#define XHV_TIMER_H

#include <xhv/types.h>

struct shim_timer {
    uint64_t deadline;
    void (*fn)(void *ctx);
    void *ctx;
    bool active;
    bool tracked;               /* known to its CPU's list */
    unsigned int cpu;           /* the CPU it belongs to (first set) */
};

/* (Re)arm t; an already-active timer moves. A past deadline fires soon. */
void timer_set(struct shim_timer *t, uint64_t deadline,
               void (*fn)(void *ctx), void *ctx);
void timer_stop(struct shim_timer *t);

#endif /* XHV_TIMER_H */
