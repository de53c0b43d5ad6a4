/* QEMU's isa-debug-exit device (include/xhv/exit.h has the codes). */
#include <xhv/exit.h>
#include <xhv/x86.h>

void debug_exit(unsigned int code)
{
    outl(XHV_DEBUG_EXIT_PORT, code);
}
