/*
 * libFuzzer: the xenstore server fed arbitrary guest bytes. The input is a
 * sequence of chunks {u8 op, u16 len, bytes}: op 0 writes the bytes into
 * the request ring (as far as it has room) and advances req_prod; op 1
 * sets ring indices to values from the bytes (hostile indices); op 2 lets
 * the guest consume responses; op 3 makes a dom0 write (fires watches).
 * After every step the server runs. ASan/UBSan catch any access outside
 * the page or the store; the checks below catch a server that writes more
 * than the ring holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xhv/log.h>
#include <xhv/xs.h>
#include <xen/io/xs_wire.h>

static struct xenstore_domain_interface ring;

static void notify(void) { }
static void sink(const char *s, size_t n) { (void)s; (void)n; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;

    log_set_sink(sink);
    memset(&ring, 0, sizeof(ring));
    xs_store_init();
    xs_populate_domain(1, "fuzz", 1024, 1);
    xs_connect_ring(&ring, 1, notify);

    while (off + 3 <= size) {
        uint8_t op = data[off];
        size_t len = (size_t)data[off + 1] | ((size_t)data[off + 2] << 8);
        const uint8_t *p = data + off + 3;
        size_t i;

        off += 3;
        if (len > size - off)
            len = size - off;
        off += len;
        switch (op & 3) {
        case 0: {
            XENSTORE_RING_IDX room = XENSTORE_RING_SIZE -
                                     (ring.req_prod - ring.req_cons);

            if (room > XENSTORE_RING_SIZE)
                room = 0;
            if (len > room)
                len = room;
            for (i = 0; i < len; i++)
                ring.req[MASK_XENSTORE_IDX(ring.req_prod + i)] = (char)p[i];
            ring.req_prod += (XENSTORE_RING_IDX)len;
            break;
        }
        case 1:
            if (len >= 4)
                memcpy(&ring.req_prod, p, 4);
            if (len >= 8)
                memcpy(&ring.rsp_cons, p + 4, 4);
            break;
        case 2:
            ring.rsp_cons = ring.rsp_prod;
            break;
        case 3: {
            char v[64];
            size_t n = len < sizeof(v) ? len : sizeof(v);

            memcpy(v, p, n);
            xs_write(XS_DOM0, 0, "/local/domain/1/data/f", v, n);
            break;
        }
        }
        xs_kick();
        if (!ring.error && ring.rsp_prod - ring.rsp_cons > XENSTORE_RING_SIZE)
            abort();
    }
    return 0;
}
