/*
 * HYPERVISOR_xen_version (public version.h). xhv presents Xen 4.17, the
 * version of the public headers it is built against, with extraversion
 * "-xhv" so a guest (and its user) can tell.
 *
 * XENVER_get_features reports only what the shim really provides: the set
 * grows as the PV core lands (docs/hypercalls.md). Linux panics without
 * bits 5 (mmu_pt_update_preserve_ad) and 7 (gnttab_map_avail_bits); those
 * arrive with the PV MMU and grant tables.
 */
#include <xhv/guest_access.h>
#include <xhv/hypercall.h>
#include <xhv/string.h>
#include <xhv/version.h>
#include <xen/version.h>
#include <xen/features.h>

/*
 * The features xhv gives a PV guest, by submap:
 *  pae_pgdir_above_4gb       guest L4s may be anywhere in machine memory;
 *  mmu_pt_update_preserve_ad MMU_PT_UPDATE_PRESERVE_AD in mmu_update;
 *  gnttab_map_avail_bits     grant mappings keep the PTE's available bits
 *                            (a promise for the grant-map operations, which
 *                            do not exist yet: nothing can break it).
 */
static const uint32_t xhv_features[XENFEAT_NR_SUBMAPS] = {
    (1u << XENFEAT_pae_pgdir_above_4gb) |
    (1u << XENFEAT_mmu_pt_update_preserve_ad) |
    (1u << XENFEAT_gnttab_map_avail_bits),
};

const uint32_t *xhv_guest_features(void)
{
    return xhv_features;
}

static long copy_string(uint64_t arg, const char *s, size_t size)
{
    char buf[1024];

    if (size > sizeof(buf))
        return -XEN_EINVAL;
    memset(buf, 0, size);
    xhv_strlcpy(buf, s, size);
    return copy_to_guest(arg, buf, size);
}

long do_xen_version(struct vcpu *v, uint64_t cmd, uint64_t arg,
                    uint64_t a3, uint64_t a4, uint64_t a5)
{
    switch (cmd) {
    case XENVER_version:
        return (XHV_XEN_MAJOR << 16) | XHV_XEN_MINOR;

    case XENVER_extraversion:
        return copy_string(arg, ".0-xhv", sizeof(xen_extraversion_t));

    case XENVER_compile_info: {
        xen_compile_info_t info;

        memset(&info, 0, sizeof(info));
        xhv_strlcpy(info.compiler, "gcc", sizeof(info.compiler));
        xhv_strlcpy(info.compile_by, "xhv", sizeof(info.compile_by));
        xhv_strlcpy(info.compile_domain, "xhv", sizeof(info.compile_domain));
        xhv_strlcpy(info.compile_date, XHV_VERSION, sizeof(info.compile_date));
        return copy_to_guest(arg, &info, sizeof(info));
    }

    case XENVER_capabilities:
        return copy_string(arg, "xen-3.0-x86_64 ",
                           sizeof(xen_capabilities_info_t));

    case XENVER_changeset:
        return copy_string(arg, "xhv " XHV_VERSION,
                           sizeof(xen_changeset_info_t));

    case XENVER_platform_parameters: {
        xen_platform_parameters_t p = { .virt_start = HYPERVISOR_VIRT_START };

        return copy_to_guest(arg, &p, sizeof(p));
    }

    case XENVER_get_features: {
        xen_feature_info_t fi;

        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -XEN_EFAULT;
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
            return -XEN_EINVAL;
        fi.submap = xhv_features[fi.submap_idx];
        return copy_to_guest(arg, &fi, sizeof(fi));
    }

    case XENVER_pagesize:
        return PAGE_SIZE;

    case XENVER_guest_handle: {
        xen_domain_handle_t h;

        /* The toolstack's UUID for the domain: xhv has none; all zero. */
        memset(h, 0, sizeof(h));
        return copy_to_guest(arg, h, sizeof(h));
    }

    case XENVER_commandline:
    case XENVER_build_id:
        return -XEN_EPERM;          /* as Xen answers an unprivileged domU */

    default:
        return -XEN_ENOSYS;
    }
}
