/*
 * PV start-of-day layout (shim/loader/pv_layout.c). Cases: Debian's 6.1
 * kernel shape (VIRT_BASE 0xffffffff80000000, kernel at +16 MiB) with and
 * without an initrd over many guest sizes, checking the xen.h ordering,
 * page alignment, the 4 MiB end with >= 512 KiB slack, page-table count
 * exactly covering the region, and the single-L2 rule; refused inputs:
 * kernel below VIRT_BASE, empty kernel, region over 1 GiB, too little
 * memory, unaligned VIRT_BASE.
 */
#include "harness.h"
#include <xhv/pv_layout.h>

#define VB 0xffffffff80000000ULL
#define MB (1ULL << 20)

static void check_invariants(const struct pv_layout *l, uint64_t initrd,
                             uint64_t nr_pages)
{
    CHECK(l->v_start == VB);
    CHECK(l->vinitrd_start >= l->vkern_end);
    CHECK(l->vinitrd_start % 4096 == 0);
    CHECK(l->vinitrd_end - l->vinitrd_start == initrd);
    CHECK(l->vphysmap_start >= l->vinitrd_end && l->vphysmap_start % 4096 == 0);
    CHECK(l->vphysmap_end - l->vphysmap_start == nr_pages * 8);
    CHECK(l->vstartinfo_start >= l->vphysmap_end);
    CHECK(l->vstore == l->vstartinfo_start + 4096);
    CHECK(l->vconsole == l->vstore + 4096);
    CHECK(l->vpt_start == l->vconsole + 4096);
    CHECK(l->vpt_end == l->vpt_start + (uint64_t)l->nr_pt_frames * 4096);
    CHECK(l->vstack_end == l->vpt_end + 4096);
    CHECK(l->v_end % (4 * MB) == 0);
    CHECK(l->v_end - l->vstack_end >= 512 * 1024);
    CHECK(l->v_end - l->vstack_end < 4 * MB + 512 * 1024);
    CHECK(l->nr_pt_frames >= 3 + l->nr_l1);
    CHECK(l->nr_l1 == (l->v_end - l->v_start + 2 * MB - 1) / (2 * MB));
    CHECK(l->v_end <= VB + (1ULL << 30));
    CHECK(l->nr_bootstrap_pages == (l->v_end - l->v_start) / 4096);
    CHECK(l->nr_bootstrap_pages <= nr_pages);
}

static void test_debian_shape(void)
{
    static const uint64_t initrds[] = { 0, 1, 4096, 3 * MB + 17, 40 * MB };
    uint64_t nr;
    unsigned int i;

    for (i = 0; i < sizeof(initrds) / sizeof(initrds[0]); i++) {
        for (nr = 32768; nr <= 1048576; nr *= 2) {
            struct pv_layout l;
            int rc = pv_layout_compute(&l, VB, VB + 16 * MB,
                                       VB + 16 * MB + 37 * MB + 123, initrds[i], nr);

            CHECK_EQ(rc, PV_LAYOUT_OK);
            if (rc == PV_LAYOUT_OK)
                check_invariants(&l, initrds[i], nr);
        }
    }
}

static void test_refusals(void)
{
    struct pv_layout l;

    CHECK_EQ(pv_layout_compute(&l, VB, VB - 4096, VB + MB, 0, 65536),
             PV_LAYOUT_BAD_KERNEL);
    CHECK_EQ(pv_layout_compute(&l, VB, VB + MB, VB + MB, 0, 65536),
             PV_LAYOUT_BAD_KERNEL);
    CHECK_EQ(pv_layout_compute(&l, VB + 1, VB + MB, VB + 2 * MB, 0, 65536),
             PV_LAYOUT_BAD_KERNEL);
    /* Kernel + initrd past one gigabyte. */
    CHECK_EQ(pv_layout_compute(&l, VB, VB + 16 * MB, VB + 600 * MB,
                               500 * MB, 1 << 20), PV_LAYOUT_TOO_BIG);
    /* 16 MiB of guest for a region of ~60 MiB. */
    CHECK_EQ(pv_layout_compute(&l, VB, VB + 16 * MB, VB + 50 * MB, 0, 4096),
             PV_LAYOUT_NO_MEMORY);
    /* Hostile sizes do not overflow. */
    CHECK_EQ(pv_layout_compute(&l, VB, VB + MB, UINT64_MAX, 0, 65536),
             PV_LAYOUT_BAD_KERNEL);
    CHECK_EQ(pv_layout_compute(&l, VB, VB + MB, VB + 2 * MB, UINT64_MAX, 65536),
             PV_LAYOUT_BAD_KERNEL);
    CHECK_EQ(pv_layout_compute(&l, VB, VB + MB, VB + 2 * MB, 0, UINT64_MAX),
             PV_LAYOUT_BAD_KERNEL);
}

static void test_low_kernel(void)
{
    /* XTF-style: virt base 0, kernel at 1 MiB. */
    struct pv_layout l;

    CHECK_EQ(pv_layout_compute(&l, 0, MB, 2 * MB, 0, 8192), PV_LAYOUT_OK);
    CHECK(l.v_start == 0 && l.v_end % (4 * MB) == 0);
    CHECK(l.nr_bootstrap_pages <= 8192);
}

int main(void)
{
    RUN_TEST(test_debian_shape);
    RUN_TEST(test_refusals);
    RUN_TEST(test_low_kernel);
    return th_finish();
}
