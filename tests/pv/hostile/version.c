/*
 * xen_version (public version.h; xhv: shim/hypercall/version.c). xhv
 * presents Xen 4.17; every sub-op that copies to or from the guest must
 * refuse a pointer the guest may not name.
 *
 * Cases (expected outcome):
 *   version/version_value              XENVER_version                0x40011
 *   version/version_ignores_arg        the same with a hole pointer  0x40011
 *   version/<subop>_<bad_ptr>          extraversion, compile_info,
 *                                      capabilities, changeset,
 *                                      platform_parameters,
 *                                      get_features, guest_handle,
 *                                      each with NULL, unmapped,
 *                                      non-canonical, M2P, shim text,
 *                                      direct map, the hole's last word
 *                                      and the read-only L4 page      -EFAULT
 *   version/get_features_submap_1      submap_idx 1                  -EINVAL
 *   version/get_features_submap_max    submap_idx 0xffffffff         -EINVAL
 *   version/get_features_submap_0      submap_idx 0                  0
 *   version/pagesize                   XENVER_pagesize               4096
 *   version/extraversion_good          a terminated string           0
 *   version/capabilities_good          names xen-3.0-x86_64          0
 *   version/platform_parameters_good   virt_start = HYPERVISOR_VIRT_START
 *   version/guest_handle_good          good buffer                   0
 *   version/commandline                good buffer                   -EPERM
 *   version/build_id                   good buffer                   -EPERM
 *                                      (both as Xen answers a domU)
 *   version/cmd_<n>                    11, 64, 0x7fffffff,
 *                                      0x80000000                    -ENOSYS
 */

#include "hostile.h"
#include <xen/version.h>

#define XEN_4_17 ((4L << 16) | 17)

static const struct {
    const char *name;
    unsigned int cmd;
} ptr_subops[] = {
    { "extraversion", XENVER_extraversion },
    { "compile_info", XENVER_compile_info },
    { "capabilities", XENVER_capabilities },
    { "changeset", XENVER_changeset },
    { "platform_parameters", XENVER_platform_parameters },
    { "get_features", XENVER_get_features },
    { "guest_handle", XENVER_guest_handle },
};

static union {
    xen_extraversion_t extra;
    xen_compile_info_t compile;
    xen_capabilities_info_t caps;
    xen_changeset_info_t changeset;
    xen_platform_parameters_t params;
    xen_feature_info_t features;
    xen_domain_handle_t handle;
    xen_commandline_t cmdline;
    struct {
        xen_build_id_t id;
        uint8_t more[64];
    } build_id;
} buf;

static bool has_nul(const char *s, size_t size)
{
    size_t i;

    for (i = 0; i < size; i++)
        if (!s[i])
            return true;
    return false;
}

static bool contains(const char *s, const char *what)
{
    size_t n = strlen(what), i;

    for (i = 0; s[i]; i++)
        if (!memcmp(s + i, what, n))
            return true;
    return false;
}

void test_version(void)
{
    unsigned int i, j;
    long rc;

    check(HYPERVISOR_xen_version(XENVER_version, 0), XEN_4_17,
          "version/version_value");
    check(HYPERVISOR_xen_version(XENVER_version, VA_HOLE_SHIM), XEN_4_17,
          "version/version_ignores_arg");

    for (i = 0; i < PVT_ARRAY_SIZE(ptr_subops); i++) {
        for (j = 0; j < nr_bad_ptrs; j++)
            check(HYPERVISOR_xen_version(ptr_subops[i].cmd, bad_ptrs[j].va),
                  -XEN_EFAULT, "version/%s_%s", ptr_subops[i].name,
                  bad_ptrs[j].name);
        check(HYPERVISOR_xen_version(ptr_subops[i].cmd, env.ro_va),
              -XEN_EFAULT, "version/%s_readonly_page", ptr_subops[i].name);
    }

    memset(&buf, 0x5a, sizeof(buf));
    buf.features.submap_idx = 1;
    check(HYPERVISOR_xen_version(XENVER_get_features, &buf.features),
          -XEN_EINVAL, "version/get_features_submap_1");
    buf.features.submap_idx = 0xffffffff;
    check(HYPERVISOR_xen_version(XENVER_get_features, &buf.features),
          -XEN_EINVAL, "version/get_features_submap_max");
    buf.features.submap_idx = 0;
    rc = HYPERVISOR_xen_version(XENVER_get_features, &buf.features);
    if (check(rc, 0, "version/get_features_submap_0"))
        pvt_printf("xhv-hostile: XENFEAT submap 0 = %x\n",
                   buf.features.submap);

    check(HYPERVISOR_xen_version(XENVER_pagesize, 0), 4096,
          "version/pagesize");

    memset(&buf, 0x5a, sizeof(buf));
    rc = HYPERVISOR_xen_version(XENVER_extraversion, &buf.extra);
    pvt_ok("version/extraversion_good",
           rc == 0 && has_nul(buf.extra, sizeof(buf.extra)),
           "rc %ld, terminated %d", rc, has_nul(buf.extra, sizeof(buf.extra)));

    memset(&buf, 0x5a, sizeof(buf));
    rc = HYPERVISOR_xen_version(XENVER_capabilities, &buf.caps);
    pvt_ok("version/capabilities_good",
           rc == 0 && has_nul(buf.caps, sizeof(buf.caps)) &&
           contains(buf.caps, "xen-3.0-x86_64"),
           "rc %ld", rc);

    memset(&buf, 0x5a, sizeof(buf));
    rc = HYPERVISOR_xen_version(XENVER_platform_parameters, &buf.params);
    pvt_ok("version/platform_parameters_good",
           rc == 0 && buf.params.virt_start == HYPERVISOR_VIRT_START,
           "rc %ld virt_start %lx", rc, (unsigned long)buf.params.virt_start);

    check(HYPERVISOR_xen_version(XENVER_guest_handle, buf.handle), 0,
          "version/guest_handle_good");
    check(HYPERVISOR_xen_version(XENVER_commandline, buf.cmdline),
          -XEN_EPERM, "version/commandline");
    buf.build_id.id.len = sizeof(buf.build_id.more);
    check(HYPERVISOR_xen_version(XENVER_build_id, &buf.build_id),
          -XEN_EPERM, "version/build_id");

    check(HYPERVISOR_xen_version(11, &buf), -XEN_ENOSYS, "version/cmd_11");
    check(HYPERVISOR_xen_version(64, &buf), -XEN_ENOSYS, "version/cmd_64");
    check(HYPERVISOR_xen_version(0x7fffffff, &buf), -XEN_ENOSYS,
          "version/cmd_0x7fffffff");
    check(HYPERVISOR_xen_version(0x80000000UL, &buf), -XEN_ENOSYS,
          "version/cmd_0x80000000");
}
