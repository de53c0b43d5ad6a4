/*
 * The shim's xenstore through its wire protocol (shim/backends/xs_*.c),
 * with a fake ring page. Cases:
 *  - read/write/mkdir/rm/directory, relative and absolute paths; rm of a
 *    missing node under an existing parent (ok) and of "/" (EINVAL);
 *  - permissions: the guest cannot read dom0-only nodes (EACCES), can
 *    read its read-only ones, cannot write them; set/get perms;
 *  - watches: the first event at once, events on change and on removal of
 *    a parent, relative paths reported relative, unwatch, duplicate watch
 *    (EEXIST), watch quota (EQUOTA);
 *  - transactions: commit, abort (undone), conflict with a dom0 change
 *    (EAGAIN, undone), unknown id (ENOENT), too many (ENOSPC);
 *  - malformed requests: unknown type (EINVAL), path without NUL, empty
 *    path, "//", trailing "/", illegal characters, path too long (E2BIG),
 *    value too long (E2BIG), node quota (EQUOTA);
 *  - the ring: a request split across notifications, a payload longer than
 *    XENSTORE_PAYLOAD_MAX and indices more than a ring apart (connection
 *    broken, page error field set, nothing read or written outside),
 *    wrap-around at the ring size, a watch storm with a full response ring
 *    (bounded queue, events dropped, no crash).
 */
#include "harness.h"
#include <xhv/types.h>
#include <xhv/xs.h>
#include <xen/io/xs_wire.h>
#include <xhv/log.h>

static struct xenstore_domain_interface ring;
static int notifies;

static void notify(void)
{
    notifies++;
}

static void sink(const char *s, size_t n)
{
    (void)s;
    (void)n;
}

static void reset(void)
{
    memset(&ring, 0, sizeof(ring));
    xs_store_init();
    xs_populate_domain(1, "guest", 262144, 1);
    xs_connect_ring(&ring, 1, notify);
}

static void put(const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i;

    for (i = 0; i < n; i++)
        ring.req[MASK_XENSTORE_IDX(ring.req_prod + i)] = (char)b[i];
    ring.req_prod += (XENSTORE_RING_IDX)n;
}

/* Send one request (payload given with its NULs), run the server. */
static void send_req(uint32_t type, uint32_t tx, const char *payload,
                     size_t len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = 7, .tx_id = tx,
                             .len = (uint32_t)len };

    const char *p = payload;

    put(&h, sizeof(h));
    xs_kick();
    /* Feed the payload as the ring makes room, as a guest would. */
    while (len) {
        size_t room = XENSTORE_RING_SIZE - (ring.req_prod - ring.req_cons);
        size_t n = len < room ? len : room;

        put(p, n);
        p += n;
        len -= n;
        xs_kick();
    }
}

/* Take one message from the response ring. */
static bool get(struct xsd_sockmsg *h, char *buf)
{
    size_t i;
    uint8_t *hb = (uint8_t *)h;

    if (ring.rsp_prod - ring.rsp_cons < sizeof(*h))
        return false;
    for (i = 0; i < sizeof(*h); i++)
        hb[i] = (uint8_t)ring.rsp[MASK_XENSTORE_IDX(ring.rsp_cons + i)];
    for (i = 0; i < h->len; i++)
        buf[i] = ring.rsp[MASK_XENSTORE_IDX(ring.rsp_cons + sizeof(*h) + i)];
    buf[h->len] = 0;
    ring.rsp_cons += (XENSTORE_RING_IDX)(sizeof(*h) + h->len);
    xs_kick();
    return true;
}

/* Request and its answer (skipping watch events); returns the type. */
static uint32_t call(uint32_t type, uint32_t tx, const char *p, size_t len,
                     char *out)
{
    struct xsd_sockmsg h;

    send_req(type, tx, p, len);
    while (get(&h, out))
        if (h.type != XS_WATCH_EVENT)
            return h.type;
    return XS_INVALID;
}

#define S(lit) lit, sizeof(lit)         /* payload with its final NUL */
static char out[XENSTORE_PAYLOAD_MAX + 1];

static void test_basic(void)
{
    reset();
    CHECK_EQ(call(XS_WRITE, 0, "data/x\0hello", 12, out), XS_WRITE);
    CHECK_EQ(call(XS_READ, 0, S("data/x"), out), XS_READ);
    CHECK_STR(out, "hello");
    CHECK_EQ(call(XS_READ, 0, S("/local/domain/1/data/x"), out), XS_READ);
    CHECK_EQ(call(XS_MKDIR, 0, S("data/d/e"), out), XS_MKDIR);
    CHECK_EQ(call(XS_DIRECTORY, 0, S("data"), out), XS_DIRECTORY);
    CHECK(!memcmp(out, "x\0d\0", 4) || !memcmp(out, "d\0x\0", 4));
    CHECK_EQ(call(XS_RM, 0, S("data/d"), out), XS_RM);
    CHECK_EQ(call(XS_READ, 0, S("data/d/e"), out), XS_ERROR);
    CHECK_STR(out, "ENOENT");
    CHECK_EQ(call(XS_RM, 0, S("data/nothere"), out), XS_RM);
    CHECK_EQ(call(XS_RM, 0, S("/"), out), XS_ERROR);
    CHECK_STR(out, "EINVAL");
    CHECK_EQ(call(XS_GET_DOMAIN_PATH, 0, S("1"), out), XS_GET_DOMAIN_PATH);
    CHECK_STR(out, "/local/domain/1");
    CHECK_EQ(call(XS_READ, 0, S("memory/target"), out), XS_READ);
    CHECK_STR(out, "262144");
}

static void test_perms(void)
{
    reset();
    CHECK_EQ(call(XS_READ, 0, S("/local/domain/0/name"), out), XS_ERROR);
    CHECK_STR(out, "EACCES");
    CHECK_EQ(call(XS_READ, 0, S("name"), out), XS_READ);
    CHECK_EQ(call(XS_WRITE, 0, "name\0evil", 9, out), XS_ERROR);
    CHECK_STR(out, "EACCES");
    CHECK_EQ(call(XS_WRITE, 0, "/tool/x\0y", 9, out), XS_ERROR);
    CHECK_EQ(call(XS_GET_PERMS, 0, S("name"), out), XS_GET_PERMS);
    CHECK(!memcmp(out, "n0\0r1\0", 6));
    CHECK_EQ(call(XS_SET_PERMS, 0, "name\0b1\0", 8, out), XS_ERROR);
    CHECK_STR(out, "EACCES");
    CHECK_EQ(call(XS_SET_PERMS, 0, "data\0n1\0r0\0", 11, out), XS_SET_PERMS);
    CHECK_EQ(call(XS_SET_PERMS, 0, "data\0x1\0", 8, out), XS_ERROR);
    CHECK_STR(out, "EINVAL");
}

static void test_watches(void)
{
    struct xsd_sockmsg h;
    int events = 0;
    unsigned int i;

    reset();
    send_req(XS_WATCH, 0, "control/shutdown\0tok\0", 21);
    CHECK(get(&h, out) && h.type == XS_WATCH);
    CHECK(get(&h, out) && h.type == XS_WATCH_EVENT &&
          !strcmp(out, "control/shutdown") && !strcmp(out + 17, "tok"));
    CHECK_EQ(xs_write(XS_DOM0, 0, "/local/domain/1/control/shutdown",
                      "poweroff", 8), 0);
    xs_kick();
    while (get(&h, out))
        if (h.type == XS_WATCH_EVENT && !strcmp(out, "control/shutdown"))
            events++;
    CHECK_EQ(events, 1);
    /* Removing a parent fires the watch on the child. */
    CHECK_EQ(xs_rm(XS_DOM0, 0, "/local/domain/1/control"), 0);
    xs_kick();
    events = 0;
    while (get(&h, out))
        events += h.type == XS_WATCH_EVENT;
    CHECK_EQ(events, 1);
    CHECK_EQ(call(XS_WATCH, 0, "control/shutdown\0tok\0", 21, out), XS_ERROR);
    CHECK_STR(out, "EEXIST");
    CHECK_EQ(call(XS_UNWATCH, 0, "control/shutdown\0tok\0", 21, out),
             XS_UNWATCH);
    CHECK_EQ(call(XS_UNWATCH, 0, "control/shutdown\0tok\0", 21, out),
             XS_ERROR);
    /* Watch quota. */
    for (i = 0; i < XS_MAX_WATCHES + 2; i++) {
        char p[64];
        int n = snprintf(p, sizeof(p), "data/w%u", i);

        memcpy(p + n + 1, "t", 2);
        call(XS_WATCH, 0, p, (size_t)n + 3, out);
    }
    CHECK_STR(out, "EQUOTA");
}

static void test_transactions(void)
{
    char id[16];

    reset();
    CHECK_EQ(call(XS_TRANSACTION_START, 0, S(""), out), XS_TRANSACTION_START);
    strcpy(id, out);
    CHECK_EQ(call(XS_WRITE, (uint32_t)atoi(id), "data/t\0v", 8, out),
             XS_WRITE);
    CHECK_EQ(call(XS_TRANSACTION_END, (uint32_t)atoi(id), S("F"), out),
             XS_TRANSACTION_END);
    CHECK_EQ(call(XS_READ, 0, S("data/t"), out), XS_ERROR); /* undone */

    CHECK_EQ(call(XS_TRANSACTION_START, 0, S(""), out), XS_TRANSACTION_START);
    strcpy(id, out);
    CHECK_EQ(call(XS_WRITE, (uint32_t)atoi(id), "data/t\0v", 8, out),
             XS_WRITE);
    CHECK_EQ(xs_write(XS_DOM0, 0, "/local/domain/1/data/u", "x", 1), 0);
    CHECK_EQ(call(XS_TRANSACTION_END, (uint32_t)atoi(id), S("T"), out),
             XS_ERROR);
    CHECK_STR(out, "EAGAIN");
    CHECK_EQ(call(XS_READ, 0, S("data/t"), out), XS_ERROR);

    CHECK_EQ(call(XS_TRANSACTION_START, 0, S(""), out), XS_TRANSACTION_START);
    strcpy(id, out);
    CHECK_EQ(call(XS_WRITE, (uint32_t)atoi(id), "data/t\0v", 8, out),
             XS_WRITE);
    CHECK_EQ(call(XS_TRANSACTION_END, (uint32_t)atoi(id), S("T"), out),
             XS_TRANSACTION_END);
    CHECK_EQ(call(XS_READ, 0, S("data/t"), out), XS_READ);
    CHECK_EQ(call(XS_READ, 12345, S("data/t"), out), XS_ERROR);
    CHECK_STR(out, "ENOENT");
    for (int i = 0; i < XS_MAX_TX; i++)
        call(XS_TRANSACTION_START, 0, S(""), out);
    CHECK_EQ(call(XS_TRANSACTION_START, 0, S(""), out), XS_ERROR);
    CHECK_STR(out, "ENOSPC");
}

static void test_malformed(void)
{
    static char big[XS_PATH_MAX + 8];
    static char val[XS_VALUE_MAX + 16];
    int i;

    reset();
    CHECK_EQ(call(999, 0, S("x"), out), XS_ERROR);
    CHECK_STR(out, "EINVAL");
    CHECK_EQ(call(XS_READ, 0, "data", 4, out), XS_ERROR);     /* no NUL */
    CHECK_EQ(call(XS_READ, 0, S(""), out), XS_ERROR);
    CHECK_EQ(call(XS_READ, 0, S("data//x"), out), XS_ERROR);
    CHECK_EQ(call(XS_READ, 0, S("data/"), out), XS_ERROR);
    CHECK_EQ(call(XS_WRITE, 0, "da ta\0x", 7, out), XS_ERROR);
    CHECK_STR(out, "EINVAL");
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    CHECK_EQ(call(XS_READ, 0, big, sizeof(big), out), XS_ERROR);
    CHECK_STR(out, "E2BIG");
    memcpy(val, "data/v", 7);
    memset(val + 7, 'v', sizeof(val) - 7);
    CHECK_EQ(call(XS_WRITE, 0, val, sizeof(val), out), XS_ERROR);
    CHECK_STR(out, "E2BIG");
    /* Node quota. */
    for (i = 0; i < XS_MAX_NODES + 5; i++) {
        char p[32];
        int n = snprintf(p, sizeof(p), "data/n%d", i);

        call(XS_MKDIR, 0, p, (size_t)n + 1, out);
    }
    CHECK_STR(out, "EQUOTA");
}

static void test_ring(void)
{
    struct xsd_sockmsg h = { .type = XS_READ, .req_id = 1, .len = 5 };
    unsigned int i;

    /* A request arriving in pieces, each notification separate. */
    reset();
    put(&h, sizeof(h));
    xs_kick();
    CHECK_EQ(ring.req_cons, sizeof(h));     /* taken off the ring at once */
    put("name", 5);
    xs_kick();
    CHECK(get(&h, out) && h.type == XS_READ && !strcmp(out, "guest"));

    /* Wrap-around: many requests through the 1 KiB ring. */
    for (i = 0; i < 200; i++)
        CHECK_EQ(call(XS_READ, 0, S("name"), out), XS_READ);
    CHECK(ring.req_prod > XENSTORE_RING_SIZE);

    /* Payload too long: broken, nothing more served. */
    reset();
    h.len = XENSTORE_PAYLOAD_MAX + 1;
    put(&h, sizeof(h));
    xs_kick();
    CHECK_EQ(ring.error, XENSTORE_ERROR_PROTO);
    CHECK_EQ(ring.rsp_prod, 0);

    /* Producer more than a ring ahead. */
    reset();
    ring.req_prod = 5000;
    xs_kick();
    CHECK_EQ(ring.error, XENSTORE_ERROR_RINGIDX);
    /* Consumer beyond producer on the response side. */
    reset();
    ring.rsp_cons = 77777;
    send_req(XS_READ, 0, S("name"));
    CHECK_EQ(ring.error, XENSTORE_ERROR_RINGIDX);
}

static void test_watch_storm(void)
{
    unsigned int i;

    reset();
    call(XS_WATCH, 0, "data\0s\0", 7, out);
    /* Nobody reads rsp: thousands of changes fill the bounded queue. */
    for (i = 0; i < 5000; i++) {
        char v[16];
        int n = snprintf(v, sizeof(v), "%u", i);

        CHECK_EQ(xs_write(XS_DOM0, 0, "/local/domain/1/data/s", v,
                          (size_t)n), 0);
    }
    xs_kick();
    CHECK(ring.rsp_prod - ring.rsp_cons <= XENSTORE_RING_SIZE);
    /* The guest catches up: requests are still answered. */
    {
        struct xsd_sockmsg h;

        while (get(&h, out))
            CHECK(h.len <= XENSTORE_PAYLOAD_MAX);
    }
    CHECK_EQ(call(XS_READ, 0, S("name"), out), XS_READ);
}

int main(void)
{
    log_set_sink(sink);
    RUN_TEST(test_basic);
    RUN_TEST(test_perms);
    RUN_TEST(test_watches);
    RUN_TEST(test_transactions);
    RUN_TEST(test_malformed);
    RUN_TEST(test_ring);
    RUN_TEST(test_watch_storm);
    return th_finish();
}
