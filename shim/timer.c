/*
 * Software timers (include/xhv/timer.h), per CPU: each CPU keeps the
 * timers set on it in a small array and programs its parent one-shot
 * timer for the earliest deadline.
 *
 * Invariant (no lock): a timer is armed, stopped and fired only on the
 * CPU it belongs to (t->cpu, fixed by its first timer_set), with
 * interrupts disabled — all shim code runs so, and the timer interrupt
 * comes on that CPU. vCPU timers belong to their vCPU's CPU (vCPU i is
 * pinned to CPU i), so a vCPU's hypercalls always run where its timers
 * are.
 */
#include <xhv/panic.h>
#include <xhv/parent.h>
#include <xhv/percpu.h>
#include <xhv/timer.h>

#define MAX_TIMERS 16

struct cpu_timers {
    struct shim_timer *t[MAX_TIMERS];
    unsigned int n;
};

static struct cpu_timers cpu_timers[XHV_MAX_CPUS];

static void timers_fire(void *unused);

static void reprogram(struct cpu_timers *ct)
{
    uint64_t earliest = UINT64_MAX;
    unsigned int i;

    for (i = 0; i < ct->n; i++)
        if (ct->t[i]->active && ct->t[i]->deadline < earliest)
            earliest = ct->t[i]->deadline;
    if (earliest == UINT64_MAX)
        parent->timer_stop();
    else
        parent->timer_set(earliest, timers_fire, NULL);
}

static void timers_fire(void *unused)
{
    struct cpu_timers *ct = &cpu_timers[smp_processor_id()];
    uint64_t now = parent->clock_ns();
    unsigned int i;

    for (i = 0; i < ct->n; i++) {
        struct shim_timer *t = ct->t[i];

        if (t->active && t->deadline <= now) {
            t->active = false;
            t->fn(t->ctx);      /* may re-arm itself */
        }
    }
    reprogram(ct);
}

static struct cpu_timers *track(struct shim_timer *t)
{
    unsigned int me = smp_processor_id();
    struct cpu_timers *ct = &cpu_timers[me];

    if (t->tracked) {
        BUG_ON(t->cpu != me);           /* timers do not migrate */
        return ct;
    }
    BUG_ON(ct->n >= MAX_TIMERS);        /* a fixed set of shim timers */
    ct->t[ct->n++] = t;
    t->tracked = true;
    t->cpu = me;
    return ct;
}

void timer_set(struct shim_timer *t, uint64_t deadline,
               void (*fn)(void *ctx), void *ctx)
{
    struct cpu_timers *ct = track(t);

    t->deadline = deadline;
    t->fn = fn;
    t->ctx = ctx;
    t->active = true;
    reprogram(ct);
}

void timer_stop(struct shim_timer *t)
{
    if (!t->active)
        return;
    BUG_ON(t->cpu != smp_processor_id());
    t->active = false;
    reprogram(&cpu_timers[t->cpu]);
}
