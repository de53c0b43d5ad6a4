/*
 * TSC and LAPIC timer calibration against the 8254 PIT's channel 2, whose
 * gate and output are visible in port 0x61 (the classic PC speaker
 * wiring), so no PIT interrupt is needed. PIT input clock: 1.193182 MHz.
 */
#include <xhv/native.h>
#include <xhv/x86.h>

#define PIT_HZ          1193182ULL
#define PIT_CH2         0x42
#define PIT_MODE        0x43
#define PORT_61         0x61
#define CAL_MS          25
#define CAL_TICKS       (PIT_HZ * CAL_MS / 1000)
#define CAL_ROUNDS      5

/* One measurement of CAL_MS milliseconds. */
static bool pit_measure(uint64_t *tsc_delta, uint32_t *apic_delta)
{
    uint8_t v = inb(PORT_61);
    uint64_t t0, t1, spins = 0;
    uint32_t a0, a1;

    outb(PORT_61, (v & ~0x02) | 0x01);      /* gate on, speaker off */
    outb(PIT_MODE, 0xb0);                   /* ch2, lo/hi, mode 0, binary */
    outb(PIT_CH2, CAL_TICKS & 0xff);
    outb(PIT_CH2, (CAL_TICKS >> 8) & 0xff);

    t0 = rdtsc();
    a0 = lapic_timer_current();
    while (!(inb(PORT_61) & 0x20)) {
        if (++spins > 100000000ULL)
            return false;
    }
    t1 = rdtsc();
    a1 = lapic_timer_current();
    *tsc_delta = t1 - t0;
    *apic_delta = a0 - a1;
    return true;
}

bool pit_calibrate(uint64_t *tsc_hz, uint64_t *lapic_hz)
{
    uint64_t dt[CAL_ROUNDS], t;
    uint32_t da[CAL_ROUNDS], a;
    unsigned int i, j;

    /* A free-running count for the LAPIC side of the measurement. */
    lapic_timer_start(0xffffffffu, false, 0xff);
    for (i = 0; i < CAL_ROUNDS; i++)
        if (!pit_measure(&dt[i], &da[i]))
            return false;
    lapic_timer_stop();
    /*
     * The median round: on a busy host (or an emulator) a round can be
     * stretched (descheduled while the PIT counts down after t0) or
     * shortened (descheduled between starting the PIT and reading t0), so
     * neither the shortest nor the longest can be trusted.
     */
    for (i = 1; i < CAL_ROUNDS; i++)
        for (j = i; j > 0 && dt[j - 1] > dt[j]; j--) {
            t = dt[j];
            dt[j] = dt[j - 1];
            dt[j - 1] = t;
            a = da[j];
            da[j] = da[j - 1];
            da[j - 1] = a;
        }
    *tsc_hz = dt[CAL_ROUNDS / 2] * 1000 / CAL_MS;
    *lapic_hz = (uint64_t)da[CAL_ROUNDS / 2] * 1000 / CAL_MS;
    return true;
}
