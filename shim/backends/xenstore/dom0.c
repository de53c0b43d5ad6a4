/*
 * xenstore: setup, the dom0 C API for the shim's own code and backends, and
 * the toolstack's job of populating a new domain's directory.
 *
 * xs_init() creates what C xenstored creates at start (core.c
 * setup_structure: "/", /tool/xenstored, @releaseDomain, @introduceDomain,
 * all owned by dom0 with no access for others) and /local/domain/0
 * {name = "Domain-0", domid = "0"}, which Xen's xencommons script writes.
 *
 * xs_populate_domain(): decision, following xl for a PV domU (libxl_create.c
 * libxl__domain_make, libxl_dom.c libxl__build_post, libxl__domain_rename),
 * with "ro" = n0,r<domid> (dom0 owns, the guest may read) and "rw" =
 * n<domid> (the guest owns):
 *   /local/domain/<d>               ro
 *     vm = "/vm/<uuid>", name = <name>, domid = <d>      (inherit ro)
 *     cpu, memory, device, control                       ro
 *     cpu/<i>/availability = "online", i < vcpus        (inherit ro)
 *     memory/static-max = memory/target = <mem_kb>, memory/videoram = "-1"
 *     control/shutdown, control/feature-{poweroff,reboot,suspend},
 *     control/sysrq                                      rw, empty
 *     control/platform-feature-multiprocessor-suspend = "1",
 *     control/platform-feature-xs_reset_watches = "1"   (inherit ro)
 *     data, drivers, feature, attr, error                rw, empty
 *   /vm/<uuid>                      ro; uuid, name
 * Left out on purpose: device/suspend/event-channel (device/ stays empty:
 * a frontend enumerates it, so only devices a backend serves appear, added
 * by that backend); store/{port,ring-ref} and console/ (Linux takes both
 * rings from start_info; the caller may add them with xs_dom0_write);
 * /libxl/<d> (toolstack-private); HVM-only nodes. Differences: target is
 * mem_kb (libxl writes target - videoram, i.e. +1 KiB for PV); the uuid is
 * made from the domid (00000000-0000-0000-0000-<12 digits>), as there is no
 * configuration to take one from.
 *
 * Single-threaded (see include/xhv/xenstore.h).
 */
#include "private.h"
#include <xhv/format.h>
#include <xhv/log.h>

static const struct xsd_caller dom0 = { .domid = 0, .priv = true, .tx = -1 };
static char canon[XSD_PATH_BUF];

/* Watches fired by a dom0 change: callbacks, then guest rings. */
static int done(int err)
{
    xs_dom0_run_watches();
    xsd_kick_all(NULL);
    return err ? -err : 0;
}

static int dom0_path(const char *path, bool special, size_t *len)
{
    if (!path)
        return XEN_EINVAL;
    return xsd_canon(&dom0, path, special, canon, len, NULL);
}

int xs_dom0_write_bin(const char *path, const void *val, size_t vlen)
{
    size_t len;
    int err = dom0_path(path, false, &len);

    if (err)
        return -err;
    if (vlen > XENSTORE_PAYLOAD_MAX || (vlen && !val))
        return -XEN_E2BIG;
    return done(xsd_op_write(&dom0, canon, len, val, vlen));
}

int xs_dom0_write(const char *path, const char *value)
{
    return xs_dom0_write_bin(path, value, value ? strlen(value) : 0);
}

static int read_common(const char *path, bool special, int *rec)
{
    size_t len;
    int err = dom0_path(path, special, &len);

    if (err)
        return err;
    *rec = xsd_view(&dom0, canon, len);
    return *rec >= 0 ? 0 : XEN_ENOENT;
}

static int copy_out(const char *src, size_t n, char *buf, size_t cap,
                    size_t *len)
{
    if (len)
        *len = n;
    if (!buf || n + 1 > cap)
        return -XEN_E2BIG;
    memcpy(buf, src, n);
    buf[n] = '\0';
    return 0;
}

int xs_dom0_read(const char *path, char *buf, size_t cap, size_t *len)
{
    int r, err = read_common(path, false, &r);

    if (err)
        return -err;
    return copy_out(xsd_data(&xsd_recs[r]), xsd_recs[r].datalen, buf, cap, len);
}

int xs_dom0_directory(const char *path, char *buf, size_t cap, size_t *len)
{
    int r, err = read_common(path, false, &r);

    if (err)
        return -err;
    return copy_out(xsd_children(&xsd_recs[r]), xsd_recs[r].childlen, buf,
                    cap, len);
}

int xs_dom0_get_perms(const char *path, struct xs_perm *perms, unsigned int *n)
{
    int r, err = read_common(path, true, &r);

    if (err)
        return -err;
    if (!perms || !n || *n < xsd_recs[r].nperms)
        return -XEN_E2BIG;
    *n = xsd_recs[r].nperms;
    memcpy(perms, xsd_recs[r].perms, *n * sizeof(*perms));
    return 0;
}

int xs_dom0_mkdir(const char *path)
{
    size_t len;
    int err = dom0_path(path, false, &len);

    return err ? -err : done(xsd_op_mkdir(&dom0, canon, len));
}

int xs_dom0_rm(const char *path)
{
    size_t len;
    int err = dom0_path(path, false, &len);

    return err ? -err : done(xsd_op_rm(&dom0, canon, len));
}

int xs_dom0_set_perms(const char *path, const struct xs_perm *perms,
                      unsigned int n)
{
    size_t len;
    unsigned int i;
    int err = dom0_path(path, true, &len);

    if (err)
        return -err;
    if (!perms)
        return -XEN_EINVAL;
    for (i = 0; i < n; i++)
        if (perms[i].perms > XS_PERM_BOTH)
            return -XEN_EINVAL;
    return done(xsd_op_set_perms(&dom0, canon, len, perms, n));
}

/* A node outside the tree ("/" itself, "@..."), owned by dom0, no access. */
static void manual_node(const char *key)
{
    int r, err;

    r = xsd_rec_new(key, strlen(key), 0, 0, false, &err);
    if (r < 0)
        return;
    xsd_recs[r].flags |= XSD_F_OWN | XSD_F_EXISTS;
    xsd_recs[r].nperms = 1;
    xsd_recs[r].perms[0] = (struct xs_perm){ 0, XS_PERM_NONE };
    xsd_recs[r].gen = ++xsd_generation;
    xsd_node_count(&xsd_recs[r], +1);
}

void xs_init(void)
{
    xsd_store_reset();
    xsd_tx_reset();
    xsd_watch_reset();
    memset(xsd_conns, 0, sizeof(xsd_conns));
    manual_node("/");
    manual_node("@releaseDomain");
    manual_node("@introduceDomain");
    xs_dom0_mkdir("/tool/xenstored");
    xs_dom0_write("/local/domain/0/name", "Domain-0");
    xs_dom0_write("/local/domain/0/domid", "0");
}

static int pop_err;

static void pw(const char *dom, const char *rel, const char *val)
{
    char p[128];
    int err;

    xhv_snprintf(p, sizeof(p), "%s/%s", dom, rel);
    err = xs_dom0_write(p, val);
    if (err && !pop_err)
        pop_err = err;
}

static void pnode(const char *dom, const char *rel,
                  const struct xs_perm *perms, unsigned int n)
{
    char p[128];
    int err;

    xhv_snprintf(p, sizeof(p), "%s%s%s", dom, *rel ? "/" : "", rel);
    err = xs_dom0_write(p, "");
    if (!err)
        err = xs_dom0_set_perms(p, perms, n);
    if (err && !pop_err)
        pop_err = err;
}

/*
 * Weak only while the older shim/backends/xs_store.c (same name) is still
 * linked into build/xhv; drop the attribute when it goes.
 */
void xs_populate_domain(unsigned int domid,
                                              const char *name,
                                              uint64_t mem_kb,
                                              unsigned int vcpus)
{
    static const char *const rw_nodes[] = {
        "control/shutdown", "control/feature-poweroff",
        "control/feature-reboot", "control/feature-suspend", "control/sysrq",
        "data", "drivers", "feature", "attr", "error",
    };
    static const char *const ro_dirs[] = { "cpu", "memory", "device",
                                           "control" };
    const struct xs_perm ro[2] = { { 0, XS_PERM_NONE },
                                   { (uint16_t)domid, XS_PERM_READ } };
    const struct xs_perm rw[1] = { { (uint16_t)domid, XS_PERM_NONE } };
    char dom[40], vm[64], buf[64];
    unsigned int i;

    pop_err = 0;
    xhv_snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
    xhv_snprintf(vm, sizeof(vm), "/vm/00000000-0000-0000-0000-%012u", domid);
    xs_dom0_rm(dom);
    pnode(dom, "", ro, 2);
    xs_dom0_rm(vm);
    pnode(vm, "", ro, 2);
    pw(vm, "uuid", vm + 4);
    pw(vm, "name", name);
    pw(dom, "vm", vm);
    pw(dom, "name", name);
    for (i = 0; i < ARRAY_SIZE(ro_dirs); i++)
        pnode(dom, ro_dirs[i], ro, 2);
    for (i = 0; i < ARRAY_SIZE(rw_nodes); i++)
        pnode(dom, rw_nodes[i], rw, 1);
    pw(dom, "control/platform-feature-multiprocessor-suspend", "1");
    pw(dom, "control/platform-feature-xs_reset_watches", "1");
    xhv_snprintf(buf, sizeof(buf), "%llu", (unsigned long long)mem_kb);
    pw(dom, "memory/static-max", buf);
    pw(dom, "memory/target", buf);
    pw(dom, "memory/videoram", "-1");
    xhv_snprintf(buf, sizeof(buf), "%u", domid);
    pw(dom, "domid", buf);
    for (i = 0; i < vcpus; i++) {
        char p[48];

        xhv_snprintf(p, sizeof(p), "cpu/%u/availability", i);
        pw(dom, p, "online");
    }
    if (pop_err)
        printk(XLOG_ERR "xenstore: populating d%u failed: %s\n", domid,
               xsd_errname(pop_err));
}
