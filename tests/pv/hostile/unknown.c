/*
 * Hypercall numbers xhv does not have (shim/hypercall/table.c): an empty
 * slot or a number past the table answers -ENOSYS, is counted in the
 * census, and leaves the shim working.
 *
 * Cases (expected outcome):
 *   unknown/hypercall_<n>              11, 43, 63, 64, 1000,
 *                                      2^32 + 17 (not xen_version),
 *                                      2^63, ~0                      -ENOSYS
 *   unknown/junk_arguments             hypercall 43 with every
 *                                      argument register a hole
 *                                      address                       -ENOSYS
 *   unknown/alive_console_io           a console_io write afterwards 0
 *   unknown/alive_xen_version          XENVER_version afterwards     0x40011
 */

#include "hostile.h"
#include <xen/version.h>

void test_unknown(void)
{
    static const struct { const char *name; unsigned long nr; } nrs[] = {
        { "11", 11 }, { "43", 43 }, { "63", 63 }, { "64", 64 },
        { "1000", 1000 }, { "2^32+17", (1UL << 32) | 17 },
        { "2^63", 1UL << 63 }, { "max", ~0UL },
    };
    static const char alive[] = "xhv-hostile: still alive\n";
    unsigned int i;

    for (i = 0; i < PVT_ARRAY_SIZE(nrs); i++)
        check(hypercall0(nrs[i].nr), -XEN_ENOSYS, "unknown/hypercall_%s",
              nrs[i].name);
    check(hypercall5(43, VA_HOLE_SHIM, VA_HOLE_DMAP, VA_HOLE_M2P,
                     VA_NONCANON, VA_HOLE_LAST), -XEN_ENOSYS,
          "unknown/junk_arguments");
    check(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(alive) - 1, alive),
          0, "unknown/alive_console_io");
    check(HYPERVISOR_xen_version(XENVER_version, 0), (4L << 16) | 17,
          "unknown/alive_xen_version");
}
