/*
 * The native parent's pieces (drivers/native/): LAPIC, PIT, CMOS RTC and
 * ACPI. Private to drivers/; the core sees only include/xhv/parent.h.
 */
#ifndef XHV_NATIVE_H
#define XHV_NATIVE_H

#include <xhv/cpumask.h>
#include <xhv/types.h>

/* Remap the legacy 8259 PICs away from the exception vectors, mask all. */
void pic_disable(void);

/* LAPIC (xAPIC by MMIO, or x2APIC by MSR when the CPU offers it). */
void lapic_init(void);
bool lapic_is_x2apic(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* Bring-up of another CPU: INIT, then STARTUP at real-mode page `page`. */
void lapic_send_init(uint32_t apic_id);
void lapic_send_startup(uint32_t apic_id, uint8_t page);
/* A fixed IPI to every CPU of the set but this one (by percpu.apic_id). */
void lapic_send_ipi_mask(const struct cpumask *cpus, uint8_t vector);
/* Timer: one-shot or periodic, counting `count` bus ticks (divide by 1). */
void lapic_timer_start(uint32_t count, bool periodic, uint8_t vector);
void lapic_timer_stop(void);
uint32_t lapic_timer_current(void);

/*
 * Measure TSC and LAPIC timer frequencies against PIT channel 2.
 * Returns false if the PIT does not tick (no PIT).
 */
bool pit_calibrate(uint64_t *tsc_hz, uint64_t *lapic_hz);
/* Busy-wait using the PIT (before the TSC is calibrated). */

/* CMOS RTC: seconds since the Unix epoch, or 0 if unreadable. */
uint64_t rtc_read_unix_time(void);

/* ACPI: find the FADT and _S5; rsdp_phys 0 means "search for it". */
void acpi_init(uint64_t rsdp_phys, const uint8_t *rsdp_copy, size_t len);
/*
 * The MADT's enabled local APICs (types 0 and 9), in table order: up to
 * `max` ids into ids[]; returns how many there are (0: no MADT).
 */
unsigned int acpi_madt_apic_ids(uint32_t *ids, unsigned int max);
/* Power off through PM1 control (S5). Returns only if that failed. */
void acpi_poweroff(void);
/* Reset through the FADT reset register, then 0xcf9, then the 8042. */
void acpi_reset(void);

/*
 * IOAPIC: route ISA IRQ `irq` (edge, active high) to `vector` on the LAPIC
 * with id `apic_id`. The IOAPIC is at the architectural default address
 * 0xfec00000 (QEMU, Hyper-V generation 1; the MADT is read later).
 */
int ioapic_route_isa_irq(unsigned int irq, uint8_t vector, uint32_t apic_id);

#endif /* XHV_NATIVE_H */
