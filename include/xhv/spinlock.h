/*
 * Ticket spinlocks. All shim code runs with interrupts disabled (only the
 * idle loops enable them, holding no lock), so a lock is never taken from
 * an interrupt on a CPU that already holds it, and no irqsave form is
 * needed.
 *
 * While it spins, a CPU calls smp_spin_poll() (arch, weak: absent in host
 * unit tests): another CPU may hold the lock and wait for this one to
 * acknowledge a TLB flush, which it cannot take as an interrupt with
 * interrupts off. Polling for such requests is what keeps "hold a lock,
 * flush the others" deadlock-free.
 */
#ifndef XHV_SPINLOCK_H
#define XHV_SPINLOCK_H

#include <xhv/types.h>

typedef struct {
    uint16_t next;      /* ticket handed to the next arrival */
    uint16_t owner;     /* ticket now served */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

void smp_spin_poll(void) __attribute__((weak));

static inline void spin_relax(void)
{
#if defined(__x86_64__)
    __asm__ volatile("pause" ::: "memory");
#endif
    if (smp_spin_poll)
        smp_spin_poll();
}

static inline void spin_lock(spinlock_t *l)
{
    uint16_t me = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);

    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me)
        spin_relax();
}

static inline bool spin_trylock(spinlock_t *l)
{
    uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
    spinlock_t old = { owner, owner }, new = { (uint16_t)(owner + 1), owner };
    uint32_t o, n;

    __builtin_memcpy(&o, &old, sizeof(o));
    __builtin_memcpy(&n, &new, sizeof(n));
    return __atomic_compare_exchange_n((uint32_t *)l, &o, n, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *l)
{
    __atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
    return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
           __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}

#endif /* XHV_SPINLOCK_H */
