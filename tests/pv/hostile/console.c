/*
 * console_io (public xen.h CONSOLEIO_*; xhv: shim/hypercall/console.c,
 * docs/hypercalls.md). xhv lets its only guest write (Xen: dom0 only),
 * at most 64 KiB per call; CONSOLEIO_read is not implemented.
 *
 * Cases (expected outcome):
 *   console/write_good                 a short line                  0
 *   console/write_count0_null          count 0, buffer NULL          0
 *   console/write_<bad_ptr>            16 bytes from NULL, unmapped,
 *                                      non-canonical, the M2P, the
 *                                      shim's text, its direct map,
 *                                      the hole's last word          -EFAULT
 *                                      (the hole is mapped for the shim:
 *                                      only the range check stops a leak)
 *   console/write_noncanonical_high    0xdead000000000000            -EFAULT
 *   console/write_leaving_hole         from 16 bytes below the hole's
 *                                      end, 32 bytes                 -EFAULT
 *   console/write_crossing_canonical   from 16 bytes below 2^47      -EFAULT
 *   console/write_wrapping             from 2^64 - 16, 32 bytes      -EFAULT
 *   console/write_off_mapping          last 16 mapped bytes + 16     -EFAULT
 *   console/write_too_big              65537 bytes (good buffer)     -EINVAL
 *   console/write_count_max            count 2^64 - 1, NULL          -EINVAL
 *   console/read                       CONSOLEIO_read, good buffer   -ENOSYS
 *   console/subop_<n>                  sub-ops 2, 0xffffffff         -ENOSYS
 */
#include "hostile.h"

static char line[] = "xhv-hostile: console_io write test line\n";

void test_console(void)
{
    char big[64];
    unsigned int i;

    check(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(line) - 1, line), 0,
          "console/write_good");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 0, 0), 0,
          "console/write_count0_null");
    for (i = 0; i < nr_bad_ptrs; i++)
        check(HYPERVISOR_console_io(CONSOLEIO_write, 16, bad_ptrs[i].va),
              -XEN_EFAULT, "console/write_%s", bad_ptrs[i].name);
    check(HYPERVISOR_console_io(CONSOLEIO_write, 16, VA_NONCANON_HI),
          -XEN_EFAULT, "console/write_noncanonical_high");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 32,
                                (unsigned long)HYPERVISOR_VIRT_END - 16),
          -XEN_EFAULT, "console/write_leaving_hole");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 32, VA_NONCANON - 16),
          -XEN_EFAULT, "console/write_crossing_canonical");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 32, -16UL), -XEN_EFAULT,
          "console/write_wrapping");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 32, env.map_end - 16),
          -XEN_EFAULT, "console/write_off_mapping");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 64 * 1024 + 1,
                                pvt_stack), -XEN_EINVAL,
          "console/write_too_big");
    check(HYPERVISOR_console_io(CONSOLEIO_write, ~0UL, 0), -XEN_EINVAL,
          "console/write_count_max");
    check(HYPERVISOR_console_io(CONSOLEIO_read, sizeof(big), big),
          -XEN_ENOSYS, "console/read");
    check(HYPERVISOR_console_io(2, sizeof(line) - 1, line), -XEN_ENOSYS,
          "console/subop_2");
    check(HYPERVISOR_console_io(0xffffffffUL, sizeof(line) - 1, line),
          -XEN_ENOSYS, "console/subop_0xffffffff");
}
