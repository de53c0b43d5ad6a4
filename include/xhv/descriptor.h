/*
 * Guest segment descriptors (set_gdt, update_descriptor, LDT pages), with
 * Xen's rules for a 64-bit PV guest (xen/arch/x86/pv/descriptor-tables.c,
 * check_descriptor): a guest runs in ring 3, so every code/data descriptor
 * it installs gets DPL 3; not-present descriptors and type 0 (the upper
 * half of a 16-byte system descriptor) are harmless; every other system
 * descriptor — TSS, LDT, interrupt/trap gates — is refused. Call gates,
 * which Xen allows after retargeting them, are refused by xhv too: a
 * 64-bit Linux never installs one (docs/hypercalls.md).
 */
#ifndef XHV_DESCRIPTOR_H
#define XHV_DESCRIPTOR_H

#include <xhv/types.h>

/*
 * Check one 8-byte descriptor; on success write the (DPL-fixed) value to
 * *out and return true. false: the guest may not install it.
 */
bool pv_check_descriptor(uint64_t desc, uint64_t *out);

/* Register the descriptor-page validator with the MMU (before the guest). */
void pv_descriptors_init(void);

#endif /* XHV_DESCRIPTOR_H */
