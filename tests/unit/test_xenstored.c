/*
 * Unit tests for the xenstore server (shim/backends/xenstore/).
 *
 * A fake guest speaks the wire protocol (public io/xs_wire.h) through a
 * ring page of its own (malloc'd at exactly its size, so ASan sees any
 * access outside it), calling xs_ring_process() as the event channel
 * would. Each case says what it tries and why; expected errors are the
 * names C xenstored sends. Covered: every operation, the error strings,
 * malformed requests, permissions, transactions and their conflicts,
 * watches (initial event, changes, removal of a parent, relative paths,
 * unwatch, transactions), quotas, hostile ring indices, index wrap-around,
 * oversized payloads, a watch storm against a full ring, the Linux boot
 * traffic of linux-pv-boot.md section 6, the dom0 API and populate.
 */
#include "harness.h"

#include <xhv/types.h>
#include <xen/io/xs_wire.h>
#include <xen/errno.h>
#include <xhv/xenstore.h>
#include <xhv/log.h>

static struct xenstore_domain_interface *ring;
static struct xs_conn *conn;
static unsigned notifies;
static uint32_t next_req = 100;

struct msg {
    struct xsd_sockmsg h;
    char p[XENSTORE_PAYLOAD_MAX + 1];
};

#define MAX_EVENTS 4096
static struct ev { char path[XENSTORE_PAYLOAD_MAX + 1]; char token[64]; } events[MAX_EVENTS];
static unsigned nevents;

/*
 * Take one message off the response ring; false if none is complete yet.
 * Bytes are consumed as they come (a message may be larger than the ring),
 * the way Linux's xenbus reads.
 */
static uint8_t part[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
static uint32_t part_len;

static void sink(const char *s, size_t len) { (void)s; (void)len; }

static void notify_cb(void *ctx) { (void)ctx; notifies++; }

static void setup(void)
{
    log_set_sink(sink);
    xs_init();
    xs_populate_domain(1, "guest", 524288, 2);
    free(ring);
    ring = calloc(1, sizeof(*ring));
    conn = xs_conn_attach(1, ring, notify_cb, NULL);
    nevents = 0;
    part_len = 0;
}

static bool process(void)
{
    return xs_ring_process(conn);
}

/* Put bytes on the request ring, processing when it is full. */
static void put_bytes(const void *data, size_t len)
{
    const uint8_t *d = data;

    while (len) {
        uint32_t space = XENSTORE_RING_SIZE - (ring->req_prod - ring->req_cons);
        uint32_t n = MIN((uint32_t)len, space);
        uint32_t i;

        for (i = 0; i < n; i++)
            ring->req[MASK_XENSTORE_IDX(ring->req_prod + i)] = (char)d[i];
        ring->req_prod += n;
        d += n;
        len -= n;
        if (len)
            process();
        if (xs_conn_broken(conn, NULL))
            return;
    }
}

static void send_msg(uint32_t type, uint32_t req_id, uint32_t tx,
                     const void *p, size_t len)
{
    struct xsd_sockmsg h = { type, req_id, tx, (uint32_t)len };

    put_bytes(&h, sizeof(h));
    put_bytes(p, len);
}

static bool take(struct msg *m)
{
    struct xsd_sockmsg h;

    for (;;) {
        uint32_t want;

        if (part_len < sizeof(h)) {
            want = sizeof(h) - part_len;
        } else {
            memcpy(&h, part, sizeof(h));
            if (h.len > XENSTORE_PAYLOAD_MAX)
                abort();        /* the server must never send this */
            want = sizeof(h) + h.len - part_len;
        }
        if (!want)
            break;
        if (ring->rsp_prod == ring->rsp_cons)
            return false;
        part[part_len++] = (uint8_t)ring->rsp[MASK_XENSTORE_IDX(ring->rsp_cons)];
        ring->rsp_cons++;
    }
    memcpy(&m->h, part, sizeof(h));
    memcpy(m->p, part + sizeof(h), m->h.len);
    m->p[m->h.len] = 0;
    part_len = 0;
    return true;
}

static void log_event(const struct msg *m)
{
    if (nevents < MAX_EVENTS) {
        snprintf(events[nevents].path, sizeof(events[0].path), "%s", m->p);
        snprintf(events[nevents].token, sizeof(events[0].token), "%s",
                 m->p + strlen(m->p) + 1);
        nevents++;
    }
}

/* Drain the response ring: events logged, the first reply kept. */
static bool drain(struct msg *reply)
{
    struct msg m;
    bool got = false;
    int rounds;

    for (rounds = 0; rounds < 10000; rounds++) {
        bool any = false;

        while (take(&m)) {
            any = true;
            if (m.h.type == XS_WATCH_EVENT) {
                log_event(&m);
            } else if (!got) {
                *reply = m;
                got = true;
            }
        }
        if (!process() && !any)
            break;
    }
    return got;
}

static struct msg rep;

/* Send one request (payload p, len), return its reply in rep. */
static uint32_t rq(uint32_t type, uint32_t tx, const void *p, size_t len)
{
    uint32_t id = next_req++;

    memset(&rep, 0, sizeof(rep));
    send_msg(type, id, tx, p, len);
    process();
    if (!drain(&rep))
        rep.h.type = 0xdead;
    return rep.h.type;
}

/* Request whose payload is strings a, b (each sent with its NUL). */
static uint32_t rq2(uint32_t type, uint32_t tx, const char *a, const char *b)
{
    char buf[XENSTORE_PAYLOAD_MAX + 16];
    size_t n = strlen(a) + 1;

    memcpy(buf, a, n);
    if (b) {
        memcpy(buf + n, b, strlen(b) + 1);
        n += strlen(b) + 1;
    }
    return rq(type, tx, buf, n);
}

static uint32_t rq1(uint32_t type, uint32_t tx, const char *a)
{
    return rq2(type, tx, a, NULL);
}

/* WRITE: path NUL value (no NUL after the value, as Linux sends it). */
static uint32_t wr(uint32_t tx, const char *path, const char *val)
{
    char buf[XENSTORE_PAYLOAD_MAX + 16];
    size_t n = strlen(path) + 1, v = strlen(val);

    memcpy(buf, path, n);
    memcpy(buf + n, val, v);
    return rq(XS_WRITE, tx, buf, n + v);
}

#define IS_ERR(name) (rep.h.type == XS_ERROR && !strcmp(rep.p, name))
#define CHECK_ERR(call, name)                                               \
    do {                                                                    \
        call;                                                               \
        if (!IS_ERR(name)) {                                                \
            th_case_failures++;                                             \
            printf("  check failed: %s:%d: %s -> type %u \"%s\", want %s\n", \
                   __FILE__, __LINE__, #call, rep.h.type, rep.p, name);     \
        }                                                                   \
    } while (0)
#define CHECK_OK(call)                                                      \
    do {                                                                    \
        uint32_t t_ = (call);                                               \
        if (t_ == XS_ERROR || t_ == 0xdead) {                               \
            th_case_failures++;                                             \
            printf("  check failed: %s:%d: %s -> \"%s\"\n", __FILE__,       \
                   __LINE__, #call, t_ == 0xdead ? "no reply" : rep.p);     \
        }                                                                   \
    } while (0)

static bool has_event(const char *path, const char *token)
{
    unsigned i;

    for (i = 0; i < nevents; i++)
        if (!strcmp(events[i].path, path) && !strcmp(events[i].token, token))
            return true;
    return false;
}

/* ---------------------------------------------------------------------- */

/* Basic READ/WRITE/MKDIR/RM/DIRECTORY, relative and absolute paths. */
static void test_basic_ops(void)
{
    setup();
    CHECK_OK(wr(0, "data/x", "hello"));
    CHECK_STR(rep.p, "OK");
    CHECK_EQ(rep.h.len, 3);
    CHECK_OK(rq1(XS_READ, 0, "data/x"));
    CHECK_EQ(rep.h.len, 5);
    CHECK(!memcmp(rep.p, "hello", 5));
    CHECK_OK(rq1(XS_READ, 0, "/local/domain/1/data/x"));
    CHECK_STR(rep.p, "hello");
    CHECK_OK(rq1(XS_MKDIR, 0, "data/d/e"));
    CHECK_OK(rq1(XS_MKDIR, 0, "data/d/e"));         /* exists: fine */
    CHECK_OK(rq1(XS_DIRECTORY, 0, "data"));
    CHECK_EQ(rep.h.len, 4);
    CHECK(!memcmp(rep.p, "x\0d\0", 4));
    CHECK_OK(rq1(XS_READ, 0, "data/d"));
    CHECK_EQ(rep.h.len, 0);
    CHECK_OK(rq1(XS_RM, 0, "data/d"));
    CHECK_ERR(rq1(XS_READ, 0, "data/d/e"), "ENOENT");
    CHECK_OK(rq1(XS_RM, 0, "data/d"));              /* gone, parent there */
    CHECK_ERR(rq1(XS_RM, 0, "data/nope/x"), "ENOENT");
    CHECK_OK(rq1(XS_DIRECTORY, 0, "data"));
    CHECK_EQ(rep.h.len, 2);
    /* Reply echoes req_id and tx_id. */
    CHECK_EQ(rep.h.req_id, next_req - 1);
    CHECK_EQ(rep.h.tx_id, 0);
    CHECK_OK(rq1(XS_GET_DOMAIN_PATH, 0, "1"));
    CHECK_STR(rep.p, "/local/domain/1");
    CHECK_OK(rq1(XS_GET_DOMAIN_PATH, 0, "abc"));
    CHECK_STR(rep.p, "/local/domain/0");
}

/* Values are binary: NULs inside survive a round trip; empty is fine. */
static void test_binary_values(void)
{
    char buf[64] = "data/bin\0a\0b\0\xff\x01";
    size_t n = 9 + 7;

    setup();
    CHECK_OK(rq(XS_WRITE, 0, buf, n));
    CHECK_OK(rq1(XS_READ, 0, "data/bin"));
    CHECK_EQ(rep.h.len, 7);
    CHECK(!memcmp(rep.p, "a\0b\0\xff\x01", 7));
    CHECK_OK(rq(XS_WRITE, 0, "data/empty", 11));
    CHECK_OK(rq1(XS_READ, 0, "data/empty"));
    CHECK_EQ(rep.h.len, 0);
}

/* Malformed requests answer with xenstored's error names. */
static void test_malformed(void)
{
    char big[XENSTORE_PAYLOAD_MAX];
    size_t i;

    setup();
    CHECK_ERR(rq(XS_READ, 0, "", 0), "EINVAL");          /* zero length */
    CHECK_ERR(rq(XS_READ, 0, "data", 4), "EINVAL");      /* no NUL */
    CHECK_ERR(rq(XS_READ, 0, "a\0b\0", 4), "EINVAL");    /* two args */
    CHECK_ERR(rq(XS_WRITE, 0, "data/x", 6), "EINVAL");   /* no path NUL */
    CHECK_ERR(rq1(XS_READ, 0, "data//x"), "EINVAL");
    CHECK_ERR(rq1(XS_READ, 0, "data/x/"), "EINVAL");
    CHECK_ERR(rq1(XS_READ, 0, ""), "EINVAL");            /* "/local/domain/1/" */
    CHECK_ERR(rq1(XS_READ, 0, "data/a b"), "EINVAL");
    CHECK_ERR(rq1(XS_READ, 0, "data/\xc3\xa9"), "EINVAL");
    CHECK_ERR(rq1(XS_READ, 0, "@releaseDomain"), "EINVAL");
    CHECK_ERR(wr(0, "@foo", "1"), "EINVAL");
    CHECK_ERR(rq1(XS_RM, 0, "/"), "EACCES");             /* guest */
    CHECK_ERR(rq(99, 0, "x", 2), "ENOSYS");
    CHECK_ERR(rq(XS_WATCH_EVENT, 0, "x\0t", 4), "ENOSYS");
    CHECK_ERR(rq(XS_ERROR, 0, "x", 2), "ENOSYS");
    CHECK_ERR(rq(XS_INVALID, 0, "x", 2), "ENOSYS");
    CHECK_ERR(rq(XS_WATCH, 0, "a\0", 2), "EINVAL");      /* one string */
    CHECK_ERR(rq(XS_WATCH, 0, "a\0b\0c\0", 6), "EINVAL");
    CHECK_ERR(rq(XS_UNWATCH, 0, "a", 1), "EINVAL");
    CHECK_ERR(rq(XS_SET_PERMS, 0, "data\0", 5), "EINVAL");
    CHECK_ERR(rq(XS_DIRECTORY_PART, 0, "data\0", 5), "EINVAL");
    /* Overlong: more than XENSTORE_REL_PATH_MAX after /local/domain/1/. */
    memset(big, 'a', sizeof(big));
    memcpy(big, "data/", 5);
    for (i = 5 + 99; i < sizeof(big); i += 100)
        big[i] = '/';           /* short components: node-size quota */
    big[XENSTORE_REL_PATH_MAX] = 0;
    CHECK_OK(rq(XS_WRITE, 0, big, XENSTORE_REL_PATH_MAX + 1));
    big[XENSTORE_REL_PATH_MAX] = 'a';
    big[XENSTORE_REL_PATH_MAX + 1] = 0;
    CHECK_ERR(rq(XS_WRITE, 0, big, XENSTORE_REL_PATH_MAX + 2), "EINVAL");
    /* Absolute path outside /local/domain/N counts fully. */
    big[0] = '/';
    big[XENSTORE_ABS_PATH_MAX + 1] = 0;
    CHECK_ERR(rq(XS_READ, 0, big, XENSTORE_ABS_PATH_MAX + 2), "EINVAL");
    /* Still healthy. */
    CHECK_OK(rq1(XS_READ, 0, "name"));
    CHECK_STR(rep.p, "guest");
}

/* Privileged operations are dom0's: a guest gets EACCES (xenstored). */
static void test_privileged_ops(void)
{
    setup();
    CHECK_ERR(rq1(XS_INTRODUCE, 0, "2"), "EACCES");
    CHECK_ERR(rq1(XS_IS_DOMAIN_INTRODUCED, 0, "0"), "EACCES");
    CHECK_ERR(rq1(XS_RELEASE, 0, "1"), "EACCES");
    CHECK_ERR(rq1(XS_CONTROL, 0, "print"), "EACCES");
    CHECK_ERR(rq2(XS_SET_TARGET, 0, "1", "2"), "EACCES");
    CHECK_ERR(rq1(XS_RESUME, 0, "1"), "EACCES");
}

/* Permissions: owner, default, per-domain entries, ENOENT vs EACCES. */
static void test_permissions(void)
{
    setup();
    CHECK_ERR(rq1(XS_READ, 0, "/local/domain/0/name"), "EACCES");
    CHECK_ERR(rq1(XS_READ, 0, "/tool/xenstored"), "EACCES");
    CHECK_ERR(rq1(XS_READ, 0, "/tool/nothing"), "EACCES"); /* leaks nothing */
    CHECK_ERR(rq1(XS_READ, 0, "data/nothing"), "ENOENT");
    CHECK_ERR(wr(0, "/tool/x", "1"), "EACCES");
    CHECK_ERR(wr(0, "name", "evil"), "EACCES");            /* ro: n0,r1 */
    CHECK_ERR(wr(0, "newtop", "1"), "EACCES");             /* dom dir ro */
    CHECK_ERR(rq1(XS_RM, 0, "name"), "EACCES");
    CHECK_ERR(rq1(XS_MKDIR, 0, "cpu/9"), "EACCES");
    CHECK_OK(rq1(XS_READ, 0, "memory/target"));
    CHECK_STR(rep.p, "524288");
    CHECK_OK(rq1(XS_GET_PERMS, 0, ""  "memory"));
    CHECK_EQ(rep.h.len, 6);
    CHECK(!memcmp(rep.p, "n0\0r1\0", 6));
    CHECK_OK(rq1(XS_GET_PERMS, 0, "control/shutdown"));
    CHECK(!memcmp(rep.p, "n1\0", 3));
    /* The guest owns what it creates. */
    CHECK_OK(wr(0, "data/mine/x", "1"));
    CHECK_OK(rq1(XS_GET_PERMS, 0, "data/mine"));
    CHECK(!memcmp(rep.p, "n1\0", 3));
    CHECK_OK(rq(XS_SET_PERMS, 0, "data/mine\0n1\0r0\0", 16));
    CHECK_OK(rq1(XS_GET_PERMS, 0, "data/mine"));
    CHECK_EQ(rep.h.len, 6);
    CHECK_ERR(rq(XS_SET_PERMS, 0, "data/mine\0n0\0", 13), "EPERM");
    CHECK_ERR(rq(XS_SET_PERMS, 0, "name\0n1\0", 8), "EACCES");
    CHECK_ERR(rq(XS_SET_PERMS, 0, "data/mine\0x1\0", 13), "EINVAL");
    CHECK_ERR(rq(XS_SET_PERMS, 0, "data/mine\0r\0", 12), "EINVAL");
    CHECK_ERR(rq(XS_SET_PERMS, 0, "data/mine\0r99999\0", 17), "EINVAL");
    CHECK_ERR(rq(XS_SET_PERMS, 0,
                 "data/mine\0n1\0r2\0r3\0r4\0r5\0r6\0", 28), "ENOSPC");
    CHECK_ERR(rq1(XS_GET_PERMS, 0, "@releaseDomain"), "EACCES");
    /* dom0 sees everything. */
    {
        char v[16];

        CHECK_EQ(xs_dom0_read("/local/domain/1/data/mine/x", v, sizeof(v),
                              NULL), 0);
        CHECK_STR(v, "1");
    }
    /* A node with r1 for the guest but owned by dom0. */
    {
        struct xs_perm p[2] = { { 0, XS_PERM_NONE }, { 1, XS_PERM_READ } };

        CHECK_EQ(xs_dom0_write("/shared/ro", "v"), 0);
        CHECK_EQ(xs_dom0_set_perms("/shared/ro", p, 2), 0);
        CHECK_OK(rq1(XS_READ, 0, "/shared/ro"));
        CHECK_ERR(wr(0, "/shared/ro", "x"), "EACCES");
        CHECK_ERR(rq1(XS_READ, 0, "/shared"), "EACCES");
    }
}

/* Transactions: isolation, commit, abort, EAGAIN on conflict, errors. */
static void test_transactions(void)
{
    uint32_t t, t2;

    setup();
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    CHECK(t != 0);
    CHECK_OK(wr(t, "data/a", "1"));
    CHECK_EQ(rep.h.tx_id, t);
    CHECK_ERR(rq1(XS_READ, 0, "data/a"), "ENOENT");    /* not yet visible */
    CHECK_OK(rq1(XS_READ, t, "data/a"));
    CHECK_STR(rep.p, "1");
    CHECK_OK(rq1(XS_DIRECTORY, t, "data"));
    CHECK_STR(rep.p, "a");
    CHECK_OK(rq1(XS_TRANSACTION_END, t, "T"));
    CHECK_OK(rq1(XS_READ, 0, "data/a"));
    CHECK_STR(rep.p, "1");
    CHECK_ERR(rq1(XS_READ, t, "data/a"), "ENOENT");    /* tx gone */

    /* Conflict: the tx read a node someone else then changed. */
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    CHECK_OK(rq1(XS_READ, t, "data/a"));
    CHECK_EQ(xs_dom0_write("/local/domain/1/data/a", "2"), 0);
    CHECK_OK(wr(t, "data/b", "x"));
    CHECK_ERR(rq1(XS_TRANSACTION_END, t, "T"), "EAGAIN");
    CHECK_ERR(rq1(XS_READ, 0, "data/b"), "ENOENT");
    CHECK_ERR(rq1(XS_TRANSACTION_END, t, "F"), "ENOENT"); /* ended */

    /* Conflict on a node created meanwhile (read as missing). */
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    CHECK_ERR(rq1(XS_READ, t, "data/c"), "ENOENT");
    CHECK_EQ(xs_dom0_write("/local/domain/1/data/c", "3"), 0);
    CHECK_OK(wr(t, "data/d", "x"));
    CHECK_ERR(rq1(XS_TRANSACTION_END, t, "T"), "EAGAIN");

    /* Two transactions, interleaved; the second loses. */
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t2 = (uint32_t)atoi(rep.p);
    CHECK(t2 != t);
    CHECK_OK(rq1(XS_READ, t, "data/a"));
    CHECK_OK(rq1(XS_READ, t2, "data/c"));
    CHECK_OK(wr(t, "data/c", "from1"));
    CHECK_OK(wr(t2, "data/a", "from2"));
    CHECK_OK(rq1(XS_TRANSACTION_END, t, "T"));
    CHECK_ERR(rq1(XS_TRANSACTION_END, t2, "T"), "EAGAIN");
    CHECK_OK(rq1(XS_READ, 0, "data/a"));
    CHECK_STR(rep.p, "2");

    /* Abort discards; rm and mkdir inside a tx. */
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    CHECK_OK(rq1(XS_RM, t, "data/a"));
    CHECK_OK(rq1(XS_MKDIR, t, "data/m/n"));
    CHECK_ERR(rq1(XS_READ, t, "data/a"), "ENOENT");
    CHECK_OK(rq1(XS_TRANSACTION_END, t, "F"));
    CHECK_OK(rq1(XS_READ, 0, "data/a"));
    CHECK_ERR(rq1(XS_READ, 0, "data/m"), "ENOENT");
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    CHECK_OK(rq1(XS_RM, t, "data/a"));
    CHECK_OK(rq1(XS_MKDIR, t, "data/m/n"));
    CHECK_OK(rq1(XS_TRANSACTION_END, t, "T"));
    CHECK_ERR(rq1(XS_READ, 0, "data/a"), "ENOENT");
    CHECK_OK(rq1(XS_READ, 0, "data/m/n"));
    CHECK_OK(rq1(XS_GET_PERMS, 0, "data/m"));
    CHECK(!memcmp(rep.p, "n1\0", 3));

    /* Errors. */
    CHECK_ERR(rq1(XS_READ, 12345, "data/m"), "ENOENT");
    CHECK_ERR(rq1(XS_TRANSACTION_END, 0, "T"), "ENOENT");
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    CHECK_ERR(rq1(XS_TRANSACTION_START, t, ""), "EBUSY");
    CHECK_ERR(rq1(XS_TRANSACTION_END, t, "X"), "EINVAL");
    CHECK_ERR(rq1(XS_TRANSACTION_END, t, "TT"), "EINVAL");
    CHECK_OK(rq1(XS_TRANSACTION_END, t, "F"));
}

/* At most XS_QUOTA_TRANSACTIONS open; at most XS_QUOTA_TX_NODES touched. */
static void test_transaction_quotas(void)
{
    uint32_t ids[XS_QUOTA_TRANSACTIONS];
    char p[32];
    unsigned i;

    setup();
    for (i = 0; i < XS_QUOTA_TRANSACTIONS; i++) {
        CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
        ids[i] = (uint32_t)atoi(rep.p);
    }
    CHECK_ERR(rq1(XS_TRANSACTION_START, 0, ""), "ENOSPC");
    for (i = 0; i < XS_QUOTA_TRANSACTIONS; i++)
        CHECK_OK(rq1(XS_TRANSACTION_END, ids[i], "F"));
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    ids[0] = (uint32_t)atoi(rep.p);
    for (i = 0; i < XS_QUOTA_TX_NODES + 5; i++) {
        snprintf(p, sizeof(p), "data/n%u", i);
        rq1(XS_READ, ids[0], p);
    }
    CHECK(IS_ERR("ENOSPC"));
    CHECK_ERR(rq1(XS_TRANSACTION_END, ids[0], "T"), "ENOMEM"); /* failed */
}

/* Watches: immediate event, changes below, relative paths, unwatch. */
static void test_watches(void)
{
    setup();
    CHECK_OK(rq2(XS_WATCH, 0, "control/shutdown", "tok1"));
    CHECK_STR(rep.p, "OK");
    CHECK(has_event("control/shutdown", "tok1"));
    CHECK_EQ(nevents, 1);
    nevents = 0;
    CHECK_EQ(xs_dom0_write("/local/domain/1/control/shutdown", "poweroff"), 0);
    drain(&rep);
    CHECK(has_event("control/shutdown", "tok1"));
    CHECK(notifies > 0);

    /* Relative watch on a directory sees a deep write, relative. */
    CHECK_OK(rq2(XS_WATCH, 0, "device", "dev"));
    nevents = 0;
    CHECK_EQ(xs_dom0_write("/local/domain/1/device/vbd/768/state", "1"), 0);
    drain(&rep);
    CHECK(has_event("device/vbd/768/state", "dev"));
    /* Absolute watch gets absolute paths. */
    CHECK_OK(rq2(XS_WATCH, 0, "/local/domain/1/device/vbd", "abs"));
    nevents = 0;
    CHECK_EQ(xs_dom0_rm("/local/domain/1/device/vbd"), 0);
    drain(&rep);
    CHECK(has_event("device/vbd", "dev"));
    CHECK(has_event("/local/domain/1/device/vbd", "abs"));
    /* Removing a parent fires a watch on a node below it (exact). */
    CHECK_OK(wr(0, "data/p/c", "1"));
    CHECK_OK(rq2(XS_WATCH, 0, "data/p/c", "child"));
    nevents = 0;
    CHECK_OK(rq1(XS_RM, 0, "data/p"));
    CHECK(has_event("data/p/c", "child"));
    /* Duplicate, unwatch, unwatch again. */
    CHECK_ERR(rq2(XS_WATCH, 0, "data/p/c", "child"), "EEXIST");
    CHECK_OK(rq2(XS_UNWATCH, 0, "data/p/c", "child"));
    CHECK_ERR(rq2(XS_UNWATCH, 0, "data/p/c", "child"), "ENOENT");
    nevents = 0;
    CHECK_OK(wr(0, "data/p/c", "2"));
    CHECK(!has_event("data/p/c", "child"));
    /* Special paths can be watched (fire once). */
    CHECK_OK(rq2(XS_WATCH, 0, "@releaseDomain", "rel"));
    CHECK(has_event("@releaseDomain", "rel"));
    /* Events for nodes the guest cannot read are not sent. */
    CHECK_OK(rq2(XS_WATCH, 0, "/local/domain/0", "d0"));
    nevents = 0;
    CHECK_EQ(xs_dom0_write("/local/domain/0/secret", "x"), 0);
    drain(&rep);
    CHECK(!has_event("/local/domain/0/secret", "d0"));
    /* Watches ignore tx_id. */
    CHECK_OK(rq2(XS_WATCH, 777, "data/q", "q"));
    /* RESET_WATCHES drops them all. */
    CHECK_OK(rq1(XS_RESET_WATCHES, 0, ""));
    nevents = 0;
    CHECK_EQ(xs_dom0_write("/local/domain/1/control/shutdown", "reboot"), 0);
    drain(&rep);
    CHECK_EQ(nevents, 0);
}

/* Events caused inside a transaction fire at commit, not before; none on abort. */
static void test_watch_transaction(void)
{
    uint32_t t;

    setup();
    CHECK_OK(rq2(XS_WATCH, 0, "data", "w"));
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    nevents = 0;
    CHECK_OK(wr(t, "data/x", "1"));
    CHECK_EQ(nevents, 0);
    CHECK_OK(rq1(XS_TRANSACTION_END, t, "T"));
    CHECK(has_event("data/x", "w"));
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    nevents = 0;
    CHECK_OK(wr(t, "data/y", "1"));
    CHECK_OK(rq1(XS_TRANSACTION_END, t, "F"));
    CHECK_EQ(nevents, 0);
}

/* Quotas: watches (E2BIG), nodes (ENOSPC), node size (ENOSPC). */
static void test_quotas(void)
{
    char p[64], val[XS_QUOTA_NODE_SIZE + 16];
    unsigned i;

    setup();
    for (i = 0; i < XS_QUOTA_WATCHES; i++) {
        snprintf(p, sizeof(p), "data/w%u", i);
        CHECK_OK(rq2(XS_WATCH, 0, p, "t"));
    }
    CHECK_ERR(rq2(XS_WATCH, 0, "data/one-more", "t"), "E2BIG");
    CHECK_OK(rq1(XS_RESET_WATCHES, 0, ""));
    memset(val, 'v', sizeof(val));
    val[XS_QUOTA_NODE_SIZE] = 0;
    CHECK_ERR(wr(0, "data/big", val), "ENOSPC");
    val[1000] = 0;
    CHECK_OK(wr(0, "data/big", val));
    for (i = 0; i < XS_QUOTA_NODES + 10; i++) {
        snprintf(p, sizeof(p), "data/n%u", i);
        if (wr(0, p, "1") == XS_ERROR)
            break;
    }
    CHECK(IS_ERR("ENOSPC"));
    CHECK(i < XS_QUOTA_NODES);
    {
        struct xs_conn_stats st;

        xs_conn_get_stats(conn, &st);
        CHECK(st.nodes <= XS_QUOTA_NODES);
    }
    /* Removing frees quota again. */
    CHECK_OK(rq1(XS_RM, 0, "data"));
    CHECK_ERR(rq1(XS_MKDIR, 0, "data"), "EACCES");  /* dom dir is ro */
    CHECK_EQ(xs_dom0_mkdir("/local/domain/1/data"), 0);
    {
        struct xs_perm rw = { 1, XS_PERM_NONE };

        CHECK_EQ(xs_dom0_set_perms("/local/domain/1/data", &rw, 1), 0);
    }
    CHECK_OK(wr(0, "data/again", "1"));
}

/* DIRECTORY over the payload limit is E2BIG; DIRECTORY_PART pages it. */
static void test_directory_part(void)
{
    char p[128], all[16384];
    size_t alen = 0, off = 0;
    unsigned i, rounds = 0;

    setup();
    for (i = 0; i < 200; i++) {
        snprintf(p, sizeof(p), "/local/domain/1/data/child-with-a-long-name-%03u",
                 i);
        CHECK_EQ(xs_dom0_write(p, ""), 0);
    }
    CHECK_ERR(rq1(XS_DIRECTORY, 0, "data"), "E2BIG");
    for (;;) {
        char o[16];
        size_t gl, n;

        snprintf(o, sizeof(o), "%zu", off);
        CHECK_OK(rq2(XS_DIRECTORY_PART, 0, "data", o));
        gl = strlen(rep.p) + 1;
        n = rep.h.len - gl;
        if (n == 1 && rep.p[gl] == 0)
            break;
        if (rep.p[rep.h.len - 1] == 0 && rep.p[rep.h.len - 2] == 0) {
            memcpy(all + alen, rep.p + gl, n - 1);
            alen += n - 1;
            break;
        }
        memcpy(all + alen, rep.p + gl, n);
        alen += n;
        off += n;
        if (++rounds > 10)
            break;
    }
    CHECK(rounds >= 1);
    CHECK_EQ(alen, 200 * 27);
    CHECK(!memcmp(all, "child-with-a-long-name-000", 27));
}

/* Bad indices: far ahead, consumer beyond producer; reconnect recovers. */
static void test_bad_indices(void)
{
    uint32_t why;

    setup();
    ring->req_prod = ring->req_cons + XENSTORE_RING_SIZE + 1;
    process();
    CHECK(xs_conn_broken(conn, &why));
    CHECK_EQ(why, XENSTORE_ERROR_RINGIDX);
    CHECK_EQ(ring->error, XENSTORE_ERROR_RINGIDX);
    CHECK(!process());
    /* Reconnect (xenstore-ring.txt). */
    ring->connection = XENSTORE_RECONNECT;
    CHECK(process());
    CHECK_EQ(ring->connection, XENSTORE_CONNECTED);
    CHECK_EQ(ring->error, XENSTORE_ERROR_NONE);
    CHECK_EQ(ring->req_prod, 0);
    CHECK(!xs_conn_broken(conn, NULL));
    CHECK_OK(rq1(XS_READ, 0, "name"));
    /* Consumer beyond producer. */
    ring->req_cons = ring->req_prod + 1;
    process();
    CHECK(xs_conn_broken(conn, NULL));
    ring->connection = XENSTORE_RECONNECT;
    process();
    /* Response ring: guest claims to have consumed more than we produced. */
    ring->rsp_cons = ring->rsp_prod + 5;
    send_msg(XS_READ, 1, 0, "name", 5);
    process();
    CHECK(xs_conn_broken(conn, &why));
    CHECK_EQ(why, XENSTORE_ERROR_RINGIDX);
    ring->connection = XENSTORE_RECONNECT;
    process();
    /* Exactly full rings are valid. */
    ring->req_cons = 5000;
    ring->req_prod = 5000 + XENSTORE_RING_SIZE;
    memset(ring->req, 0, sizeof(ring->req));     /* 64 zero headers */
    process();
    CHECK(!xs_conn_broken(conn, NULL));
    {
        struct msg m;
        unsigned n = 0, k;

        for (k = 0; k < 100; k++) {
            while (take(&m))
                n += m.h.type == XS_ERROR && !strcmp(m.p, "EACCES");
            if (!process())
                break;
        }
        CHECK_EQ(n, XENSTORE_RING_SIZE / 16);    /* type 0 = CONTROL */
    }
}

/* A request longer than XENSTORE_PAYLOAD_MAX stops the connection. */
static void test_payload_too_long(void)
{
    struct xsd_sockmsg h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
    uint32_t why;
    static char big[XENSTORE_PAYLOAD_MAX + 8];

    setup();
    /* Exactly the maximum is fine (and larger than the ring). */
    memset(big, 'a', XENSTORE_PAYLOAD_MAX);
    memcpy(big, "data/x", 6);
    big[6] = 0;
    CHECK_ERR(rq(XS_WRITE, 0, big, XENSTORE_PAYLOAD_MAX), "ENOSPC");
    CHECK(!xs_conn_broken(conn, NULL));
    put_bytes(&h, sizeof(h));
    process();
    CHECK(xs_conn_broken(conn, &why));
    CHECK_EQ(why, XENSTORE_ERROR_PROTO);
}

/* Indices wrap at 2^32; messages straddle the ring's end. */
static void test_index_wrap(void)
{
    unsigned i;

    setup();
    ring->req_cons = ring->req_prod = 0xfffffff0u;
    ring->rsp_cons = ring->rsp_prod = 0xfffffff7u;
    for (i = 0; i < 300; i++) {
        char p[32], v[32];

        snprintf(p, sizeof(p), "data/k%u", i % 7);
        snprintf(v, sizeof(v), "value-%u", i);
        CHECK_OK(wr(0, p, v));
        CHECK_OK(rq1(XS_READ, 0, p));
        CHECK_STR(rep.p, v);
    }
    CHECK(ring->req_prod < 0x10000);
    CHECK(!xs_conn_broken(conn, NULL));
}

/* Many requests with nobody reading replies: served in order, bounded. */
static void test_backpressure(void)
{
    unsigned i, got = 0;
    struct msg m;

    setup();
    for (i = 0; i < 500; i++) {
        struct xsd_sockmsg h = { XS_READ, 1000 + i, 0, 5 };

        if (XENSTORE_RING_SIZE - (ring->req_prod - ring->req_cons) < 21)
            break;
        put_bytes(&h, sizeof(h));
        put_bytes("name", 5);
        process();
    }
    CHECK(i > 50);      /* requests kept flowing while output queued */
    for (;;) {
        while (take(&m)) {
            if (m.h.type == XS_READ) {
                CHECK_EQ(m.h.req_id, 1000 + got);
                got++;
            }
        }
        if (!process())
            break;
    }
    CHECK_EQ(got, i);
}

/* Thousands of changes while the guest reads nothing: bounded, coalesced. */
static void test_watch_storm(void)
{
    struct xs_conn_stats st;
    char p[64];
    unsigned i;

    setup();
    CHECK_OK(rq2(XS_WATCH, 0, "device", "storm"));
    CHECK_OK(rq2(XS_WATCH, 0, "data", "own"));
    nevents = 0;
    for (i = 0; i < 5000; i++) {
        snprintf(p, sizeof(p), "/local/domain/1/device/storm-node-%u", i % 1500);
        CHECK_EQ(xs_dom0_write(p, "x"), 0);
    }
    xs_conn_get_stats(conn, &st);
    CHECK(st.events_coalesced > 0);
    CHECK(st.events < 5000);
    drain(&rep);
    CHECK(nevents > 10);
    CHECK(nevents < 2000);
    /* The catch-all event for the watched path came last. */
    CHECK_STR(events[nevents - 1].path, "device");
    /* Still healthy, events flow again. */
    nevents = 0;
    CHECK_EQ(xs_dom0_write("/local/domain/1/device/after", "1"), 0);
    drain(&rep);
    CHECK(has_event("device/after", "storm"));
    /* A guest-side storm too (its own writes fire its own watch). */
    for (i = 0; i < 3000; i++) {
        struct xsd_sockmsg h = { XS_WRITE, i, 0, 9 };

        if (XENSTORE_RING_SIZE - (ring->req_prod - ring->req_cons) < 25)
            process();
        if (XENSTORE_RING_SIZE - (ring->req_prod - ring->req_cons) < 25)
            break;
        put_bytes(&h, sizeof(h));
        put_bytes("data/g\0xy", 9);
    }
    process();
    CHECK(!xs_conn_broken(conn, NULL));
    drain(&rep);
    CHECK_OK(rq1(XS_READ, 0, "data/g"));
    CHECK_STR(rep.p, "xy");
}

/* The traffic of linux-pv-boot.md section 6, in Linux's order. */
static void test_linux_boot(void)
{
    uint32_t t;

    setup();
    CHECK_OK(rq1(XS_DIRECTORY, 0, "device"));
    CHECK_EQ(rep.h.len, 0);
    CHECK_OK(rq2(XS_WATCH, 0, "device", "FFFFFFFF8200A000"));
    CHECK_OK(rq2(XS_WATCH, 0, "control/shutdown", "FFFFFFFF8200B000"));
    CHECK_OK(rq2(XS_WATCH, 0, "control/sysrq", "FFFFFFFF8200C000"));
    CHECK_OK(wr(0, "control/feature-poweroff", "1"));
    CHECK_OK(wr(0, "control/feature-reboot", "1"));
    CHECK_OK(wr(0, "control/feature-suspend", "1"));
    CHECK_OK(rq2(XS_WATCH, 0, "memory/target", "FFFFFFFF8200D000"));
    CHECK_OK(rq1(XS_READ, 0, "memory/static-max"));
    CHECK_STR(rep.p, "524288");
    CHECK(has_event("control/shutdown", "FFFFFFFF8200B000"));
    CHECK(has_event("device", "FFFFFFFF8200A000"));
    {
        char v[8];

        CHECK_EQ(xs_dom0_read("/local/domain/1/control/feature-poweroff", v,
                              sizeof(v), NULL), 0);
        CHECK_STR(v, "1");
    }
    /* The toolstack asks for poweroff; manage.c acknowledges in a tx. */
    nevents = 0;
    CHECK_EQ(xs_dom0_write("/local/domain/1/control/shutdown", "poweroff"), 0);
    drain(&rep);
    CHECK(has_event("control/shutdown", "FFFFFFFF8200B000"));
    CHECK_OK(rq1(XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)atoi(rep.p);
    CHECK_OK(rq1(XS_READ, t, "control/shutdown"));
    CHECK_STR(rep.p, "poweroff");
    CHECK_OK(wr(t, "control/shutdown", ""));
    CHECK_OK(rq1(XS_TRANSACTION_END, t, "T"));
    CHECK_OK(rq1(XS_READ, 0, "control/shutdown"));
    CHECK_EQ(rep.h.len, 0);
}

static unsigned cb_calls;
static char cb_path[XS_DOM0_PATH_MAX];

static void cb(const char *path, void *ctx)
{
    cb_calls++;
    snprintf(cb_path, sizeof(cb_path), "%s", path);
    if (ctx)    /* a callback may use the API; its own events come later */
        xs_dom0_write("/local/domain/1/device/vbd/768/state", "4");
}

/* The dom0 API: reads, writes, perms, watches with callbacks. */
static void test_dom0_api(void)
{
    char buf[512];
    size_t len;
    struct xs_perm p[4];
    unsigned n = 4;
    int h;

    setup();
    CHECK_EQ(xs_dom0_write("backend/vbd/1/768/state", "2"), 0);  /* relative */
    CHECK_EQ(xs_dom0_read("/local/domain/0/backend/vbd/1/768/state", buf,
                          sizeof(buf), &len), 0);
    CHECK_STR(buf, "2");
    CHECK_EQ(len, 1);
    CHECK_EQ(xs_dom0_read("/nope", buf, sizeof(buf), NULL), -XEN_ENOENT);
    CHECK_EQ(xs_dom0_read("bad//path", buf, sizeof(buf), NULL), -XEN_EINVAL);
    CHECK_EQ(xs_dom0_read("backend/vbd/1/768/state", buf, 1, &len), -XEN_E2BIG);
    CHECK_EQ(xs_dom0_directory("/local/domain/1/control", buf, sizeof(buf),
                               &len), 0);
    CHECK(len > 10);
    CHECK_EQ(xs_dom0_get_perms("/local/domain/1", p, &n), 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(p[1].domid, 1);
    CHECK_EQ(p[1].perms, XS_PERM_READ);
    CHECK_EQ(xs_dom0_mkdir("/a/b"), 0);
    CHECK_EQ(xs_dom0_rm("/a"), 0);
    CHECK_EQ(xs_dom0_rm("/a/b/c"), -XEN_ENOENT);
    CHECK_STR(xs_errname(-XEN_EAGAIN), "EAGAIN");
    CHECK_STR(xs_errname(-12345), "EINVAL");

    h = xs_dom0_watch("/local/domain/1/device", cb, NULL);
    CHECK(h >= 0);
    CHECK_EQ(cb_calls, 1);                       /* fires once at once */
    CHECK_STR(cb_path, "/local/domain/1/device");
    CHECK_EQ(xs_dom0_write("/local/domain/1/device/vbd/768/state", "1"), 0);
    CHECK_EQ(cb_calls, 2);
    CHECK_STR(cb_path, "/local/domain/1/device/vbd/768/state");
    /* A guest write to a node it may write also reaches the callback. */
    {
        struct xs_perm own = { 1, XS_PERM_NONE };

        CHECK_EQ(xs_dom0_set_perms("/local/domain/1/device/vbd/768", &own, 1),
                 0);
    }
    cb_calls = 0;
    CHECK_OK(wr(0, "device/vbd/768/ring-ref", "8"));
    CHECK_EQ(cb_calls, 1);
    CHECK_STR(cb_path, "/local/domain/1/device/vbd/768/ring-ref");
    CHECK_EQ(xs_dom0_unwatch(h), 0);
    CHECK_EQ(xs_dom0_unwatch(h), -XEN_ENOENT);
    cb_calls = 0;
    CHECK_EQ(xs_dom0_write("/local/domain/1/device/vbd/768/state", "3"), 0);
    CHECK_EQ(cb_calls, 0);
    /* A callback that writes: delivered in the same pass, no recursion. */
    h = xs_dom0_watch("/local/domain/1/device/vbd/768/state", cb, &cb_calls);
    CHECK(h >= 0);
    CHECK(cb_calls >= 2);
    CHECK(cb_calls < 1000);
}

/* populate wrote what xl writes (minus devices), with xl's permissions. */
static void test_populate(void)
{
    static const char *const vals[][2] = {
        { "/local/domain/1/name", "guest" },
        { "/local/domain/1/domid", "1" },
        { "/local/domain/1/memory/static-max", "524288" },
        { "/local/domain/1/memory/target", "524288" },
        { "/local/domain/1/memory/videoram", "-1" },
        { "/local/domain/1/cpu/0/availability", "online" },
        { "/local/domain/1/cpu/1/availability", "online" },
        { "/local/domain/1/control/shutdown", "" },
        { "/local/domain/1/control/platform-feature-multiprocessor-suspend", "1" },
        { "/local/domain/1/vm", "/vm/00000000-0000-0000-0000-000000000001" },
        { "/vm/00000000-0000-0000-0000-000000000001/name", "guest" },
        { "/local/domain/0/name", "Domain-0" },
    };
    char buf[128];
    struct xs_perm p[4];
    unsigned i, n;
    size_t len;

    setup();
    for (i = 0; i < ARRAY_SIZE(vals); i++) {
        CHECK_EQ(xs_dom0_read(vals[i][0], buf, sizeof(buf), NULL), 0);
        CHECK_STR(buf, vals[i][1]);
    }
    CHECK_EQ(xs_dom0_read("/local/domain/1/cpu/2/availability", buf,
                          sizeof(buf), NULL), -XEN_ENOENT);
    CHECK_EQ(xs_dom0_directory("/local/domain/1/device", buf, sizeof(buf),
                               &len), 0);
    CHECK_EQ(len, 0);
    n = 4;
    CHECK_EQ(xs_dom0_get_perms("/local/domain/1/control/feature-poweroff", p,
                               &n), 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(p[0].domid, 1);
    n = 4;
    CHECK_EQ(xs_dom0_get_perms("/local/domain/1/cpu/0", p, &n), 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(p[0].domid, 0);
    CHECK_OK(wr(0, "data/ok", "1"));
    CHECK_OK(wr(0, "control/feature-poweroff", "1"));
    CHECK_ERR(wr(0, "control/platform-feature-xs_reset_watches", "0"), "EACCES");
    /* Populating again starts afresh. */
    CHECK_EQ(xs_dom0_write("/local/domain/1/data/old", "1"), 0);
    xs_populate_domain(1, "again", 1024, 1);
    CHECK_EQ(xs_dom0_read("/local/domain/1/data/old", buf, sizeof(buf), NULL),
             -XEN_ENOENT);
    CHECK_EQ(xs_dom0_read("/local/domain/1/name", buf, sizeof(buf), NULL), 0);
    CHECK_STR(buf, "again");
}

/* Churn: many rewrites and deletions force arena compaction. */
static void test_compaction(void)
{
    static char val[1500];
    char p[32], v[1600];
    unsigned i;

    setup();
    for (i = 0; i < 4000; i++) {
        snprintf(p, sizeof(p), "/churn/n%u", i % 50);
        memset(val, 'a' + (char)(i % 26), sizeof(val) - 1);
        snprintf(val, 12, "%010u", i);
        val[10] = '-';
        CHECK_EQ(xs_dom0_write(p, val), 0);
        if (i % 97 == 0)
            CHECK_EQ(xs_dom0_rm(p), 0);
    }
    for (i = 4000 - 50; i < 4000; i++) {
        if (i % 97 == 0)
            continue;
        snprintf(p, sizeof(p), "/churn/n%u", i % 50);
        CHECK_EQ(xs_dom0_read(p, v, sizeof(v), NULL), 0);
        CHECK_EQ(atoi(v), i);
    }
    /* The guest's view still works after many compactions. */
    CHECK_OK(rq1(XS_READ, 0, "name"));
    CHECK_STR(rep.p, "guest");
    CHECK_OK(rq2(XS_WATCH, 0, "data", "w"));
    for (i = 0; i < 2000; i++)
        CHECK_EQ(xs_dom0_write("/churn/big", val), 0);
    nevents = 0;
    CHECK_EQ(xs_dom0_write("/local/domain/1/data/z", "1"), 0);
    drain(&rep);
    CHECK(has_event("data/z", "w"));
}

/* Attach rules and a second guest. */
static void test_attach(void)
{
    struct xenstore_domain_interface *r2 = calloc(1, sizeof(*r2));

    setup();
    CHECK(xs_conn_attach(1, r2, NULL, NULL) == NULL);   /* twice */
    CHECK(xs_conn_attach(0, r2, NULL, NULL) == NULL);   /* dom0 */
    CHECK_EQ(ring->server_features,
             XENSTORE_SERVER_FEATURE_RECONNECTION |
             XENSTORE_SERVER_FEATURE_ERROR);
    CHECK(xs_conn_attach(2, r2, NULL, NULL) != NULL);
    CHECK(xs_conn_attach(3, r2, NULL, NULL) == NULL);   /* pool full */
    free(r2);
    xs_init();      /* forget r2 before it is reused */
}

int main(void)
{
    RUN_TEST(test_basic_ops);
    RUN_TEST(test_binary_values);
    RUN_TEST(test_malformed);
    RUN_TEST(test_privileged_ops);
    RUN_TEST(test_permissions);
    RUN_TEST(test_transactions);
    RUN_TEST(test_transaction_quotas);
    RUN_TEST(test_watches);
    RUN_TEST(test_watch_transaction);
    RUN_TEST(test_quotas);
    RUN_TEST(test_directory_part);
    RUN_TEST(test_bad_indices);
    RUN_TEST(test_payload_too_long);
    RUN_TEST(test_index_wrap);
    RUN_TEST(test_backpressure);
    RUN_TEST(test_watch_storm);
    RUN_TEST(test_linux_boot);
    RUN_TEST(test_dom0_api);
    RUN_TEST(test_populate);
    RUN_TEST(test_compaction);
    RUN_TEST(test_attach);
    free(ring);
    return th_finish();
}
