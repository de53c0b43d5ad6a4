/*
 * Software timers (include/xhv/timer.h). The active ones sit in a small
 * array; the parent's one-shot timer is always programmed for the earliest
 * deadline. Interrupts are disabled whenever the array changes (all shim
 * code runs so), so the interrupt handler never sees it half-updated.
 */
#include <xhv/panic.h>
#include <xhv/parent.h>
#include <xhv/timer.h>

#define MAX_TIMERS 16

static struct shim_timer *timers[MAX_TIMERS];
static unsigned int nr_timers;

static void timers_fire(void *unused);

static void reprogram(void)
{
    uint64_t earliest = UINT64_MAX;
    unsigned int i;

    for (i = 0; i < nr_timers; i++)
        if (timers[i]->active && timers[i]->deadline < earliest)
            earliest = timers[i]->deadline;
    if (earliest == UINT64_MAX)
        parent->timer_stop();
    else
        parent->timer_set(earliest, timers_fire, NULL);
}

static void timers_fire(void *unused)
{
    uint64_t now = parent->clock_ns();
    unsigned int i;

    for (i = 0; i < nr_timers; i++) {
        struct shim_timer *t = timers[i];

        if (t->active && t->deadline <= now) {
            t->active = false;
            t->fn(t->ctx);      /* may re-arm itself */
        }
    }
    reprogram();
}

static void track(struct shim_timer *t)
{
    unsigned int i;

    for (i = 0; i < nr_timers; i++)
        if (timers[i] == t)
            return;
    BUG_ON(nr_timers >= MAX_TIMERS);    /* a fixed set of shim timers */
    timers[nr_timers++] = t;
}

void timer_set(struct shim_timer *t, uint64_t deadline,
               void (*fn)(void *ctx), void *ctx)
{
    track(t);
    t->deadline = deadline;
    t->fn = fn;
    t->ctx = ctx;
    t->active = true;
    reprogram();
}

void timer_stop(struct shim_timer *t)
{
    if (!t->active)
        return;
    t->active = false;
    reprogram();
}
