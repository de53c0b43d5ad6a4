/*
 * The machine-to-phys table: one 8-byte entry per machine frame, the guest
 * pfn it holds or M2P_INVALID. Mapped read-only (and user-accessible: a PV
 * kernel runs in ring 3) at MACH2PHYS_VIRT_START in every address space;
 * the shim writes it through the direct map.
 */
#ifndef XHV_M2P_H
#define XHV_M2P_H

#include <xhv/types.h>

/* Linux and Xen both use all-ones for "no pfn" (Xen's INVALID_M2P_ENTRY). */
#define M2P_INVALID     (~0ULL)

struct frame_pool;

/* Allocate and map the table for machine frames [0, max_mfn). 0 or -1. */
int m2p_init(struct frame_pool *fp, uint64_t max_mfn);
void m2p_set(uint64_t mfn, uint64_t pfn);
uint64_t m2p_get(uint64_t mfn);
/* First machine frame of the (contiguous) table. */
uint64_t m2p_base_mfn(void);
/* Number of machine frames the table covers. */
uint64_t m2p_size(void);

#endif /* XHV_M2P_H */
