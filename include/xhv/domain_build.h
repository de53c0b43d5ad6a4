/*
 * The PV domain builder: from a kernel module (bzImage or ELF) and an
 * optional initrd to a domain whose vCPU 0 is ready to enter the guest at
 * its ENTRY with the start-of-day state of the public xen.h.
 */
#ifndef XHV_DOMAIN_BUILD_H
#define XHV_DOMAIN_BUILD_H

#include <xhv/types.h>

struct domain;
struct frame_pool;

struct guest_image {
    const uint8_t *kernel;      /* the module as the loader gave it */
    size_t kernel_len;
    const uint8_t *initrd;      /* NULL: none */
    size_t initrd_len;
    const char *cmdline;        /* the guest's command line */
    uint64_t mem_bytes;         /* 0: the builder's default */
};

/*
 * Build domain d with nr_vcpus vCPUs (vCPU 0 ready to run, the others
 * down). On failure prints why (naming what is missing or wrong),
 * releases what it took and returns a negative value; the shim then ends
 * the run with XHV_EXIT_BOOT_ERROR.
 */
int pv_domain_build(struct domain *d, const struct guest_image *img,
                    struct frame_pool *fp, unsigned int nr_vcpus);

#endif /* XHV_DOMAIN_BUILD_H */
