/*
 * HYPERVISOR_console_io (public xen.h, CONSOLEIO_*): the guest's early
 * console, as `earlyprintk=xen` and xen_raw_console_write() use it.
 *
 * Decision (docs/hypercalls.md): Xen lets only dom0 (or debug builds) use
 * console_io; xhv's guest is the only domain and this is its earliest
 * output, so a domU may write. Output goes to the serial line with "(d1) "
 * at each line start, as Xen prints domU console_io. CONSOLEIO_read is not
 * implemented (input reaches the guest through its PV console ring).
 */
#include <xhv/console.h>
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>

#define CONSOLE_IO_MAX  (64 * 1024)     /* one call; larger: -EINVAL */
#define CHUNK           256

long do_console_io(struct vcpu *v, uint64_t cmd, uint64_t count,
                   uint64_t buf, uint64_t a4, uint64_t a5)
{
    char tmp[CHUNK];
    uint64_t done = 0;

    switch (cmd) {
    case CONSOLEIO_write:
        if (count > CONSOLE_IO_MAX)
            return -XEN_EINVAL;
        if (!guest_range_ok(buf, count))
            return -XEN_EFAULT;
        /* Invariant: bytes [0, done) of the guest buffer are written. */
        while (done < count) {
            size_t n = MIN(count - done, (uint64_t)CHUNK);

            if (copy_from_guest(tmp, buf + done, n))
                return -XEN_EFAULT;
            console_write_guest(v->domain->domid, tmp, n);
            done += n;
        }
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
