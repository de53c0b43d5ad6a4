/*
 * libFuzzer target for the xenstore server (shim/backends/xenstore/): the
 * input is a script of guest actions on the ring page, which a hostile
 * guest controls completely.
 *
 * Each step takes an opcode byte:
 *   0-2  a well-formed header (type, tx_id and length from the input, the
 *        payload the next bytes) pushed into req[] as far as it fits;
 *   3    raw bytes into req[] (any framing, any length field);
 *   4    one index or field of the page set to any 32-bit value;
 *   5    the guest consumes rsp[] (honestly, or by a wild rsp_cons);
 *   6    connection = RECONNECT (or a junk value);
 *   7    a dom0 write/rm on a path built from the input (fires watches);
 * and then xs_ring_process() runs. The page is malloc'd at its exact size
 * so ASan reports any access outside it (and UBSan any arithmetic slip on
 * the wild indices). After every step a broken connection must name its
 * reason; dom0 watch callbacks (fired by guest writes) must get absolute
 * paths. At the end the dom0 API must still answer and read the guest's
 * name back: no guest input corrupts the store.
 */
#include <xhv/types.h>
#include <xen/io/xs_wire.h>
#include <xhv/xenstore.h>
#include <xhv/log.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

static void check_at(int cond, int line)
{
    if (!cond) {
        fprintf(stderr, "fuzz_xenstore: invariant at line %d broken\n", line);
        abort();
    }
}
#define check(c) check_at(!!(c), __LINE__)

static void sink(const char *s, size_t len)
{
    (void)s;
    (void)len;
}

static unsigned cb_count;

static void cb(const char *path, void *ctx)
{
    char buf[64];

    (void)ctx;
    cb_count++;
    check(path[0] == '/' || path[0] == '@');
    xs_dom0_read(path, buf, sizeof(buf), NULL);
}

struct in {
    const uint8_t *d;
    size_t n, pos;
};

static uint8_t u8(struct in *in)
{
    return in->pos < in->n ? in->d[in->pos++] : 0;
}

static uint32_t u32(struct in *in)
{
    uint32_t v = 0;
    int i;

    for (i = 0; i < 4; i++)
        v |= (uint32_t)u8(in) << (8 * i);
    return v;
}

static void push(struct xenstore_domain_interface *r, const uint8_t *p,
                 size_t len)
{
    size_t i;
    uint32_t space = XENSTORE_RING_SIZE - (r->req_prod - r->req_cons);

    if (space > XENSTORE_RING_SIZE)
        space = 0;          /* indices already wild: just bump */
    for (i = 0; i < len && i < space; i++)
        r->req[MASK_XENSTORE_IDX(r->req_prod + i)] = (char)p[i];
    r->req_prod += (uint32_t)i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xenstore_domain_interface *r = calloc(1, sizeof(*r));
    struct in in = { data, size, 0 };
    struct xs_conn *c;
    unsigned steps = 0;
    char name[16];

    log_set_sink(sink);
    xs_init();
    xs_populate_domain(1, "fuzz", 1024, 1);
    c = xs_conn_attach(1, r, NULL, NULL);
    check(c != NULL);
    check(xs_dom0_watch("/local/domain/1", cb, NULL) >= 0);

    while (in.pos < in.n && steps++ < 2000) {
        uint8_t op = u8(&in) % 8;

        switch (op) {
        case 0: case 1: case 2: {
            struct xsd_sockmsg h;
            size_t len = (size_t)u8(&in) | ((size_t)(u8(&in) & 0x1f) << 8);
            size_t avail;

            h.type = u8(&in) % (XS_TYPE_COUNT + 2);
            h.req_id = steps;
            h.tx_id = u8(&in) % 4;
            avail = in.n - in.pos;
            if (len > avail)
                len = avail;
            h.len = (uint32_t)len;
            push(r, (const uint8_t *)&h, sizeof(h));
            push(r, in.d + in.pos, len);
            in.pos += len;
            break;
        }
        case 3: {
            size_t len = u8(&in);

            if (len > in.n - in.pos)
                len = in.n - in.pos;
            push(r, in.d + in.pos, len);
            in.pos += len;
            break;
        }
        case 4: {
            uint8_t which = u8(&in) % 7;
            uint32_t v = u32(&in);

            if (which == 0) r->req_cons = v;
            else if (which == 1) r->req_prod = v;
            else if (which == 2) r->rsp_cons = v;
            else if (which == 3) r->rsp_prod = v;
            else if (which == 4) r->req_prod = r->req_cons + (v & 0x7ff);
            else if (which == 5) r->error = v;
            else r->server_features = v;
            break;
        }
        case 5:
            if (u8(&in) & 1)
                r->rsp_cons = r->rsp_prod;
            else
                r->rsp_cons += u8(&in);
            break;
        case 6:
            r->connection = (u8(&in) & 1) ? XENSTORE_RECONNECT : u32(&in);
            break;
        case 7: {
            char p[80] = "/local/domain/1/";
            size_t l = strlen(p), k = u8(&in) % 40;

            while (k-- && l < sizeof(p) - 1) {
                uint8_t ch = u8(&in);

                p[l++] = "abcd/-_@0123456789xyz"[ch % 21];
            }
            p[l] = 0;
            if (u8(&in) & 1)
                xs_dom0_write(p, "v");
            else
                xs_dom0_rm(p);
            break;
        }
        }
        xs_ring_process(c);
        {
            uint32_t why;

            if (xs_conn_broken(c, &why))
                check(why != 0);  /* (the guest may rewrite r->error) */
        }
    }
    /* Still alive and consistent for dom0. */
    check(xs_dom0_read("/local/domain/1/name", name, sizeof(name), NULL) == 0);
    check(!strcmp(name, "fuzz"));
    check(xs_dom0_write("/local/domain/1/data/end", "1") == 0);
    xs_init();      /* forget r before freeing it */
    free(r);
    return 0;
}
