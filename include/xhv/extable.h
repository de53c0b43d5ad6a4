/*
 * Exception fixups: an instruction listed in the .ex_table section may fault
 * in ring 0; the trap handler then resumes at its fixup address instead of
 * panicking. This is how copy_{from,to}_guest() turn a bad guest pointer
 * into -EFAULT.
 */
#ifndef XHV_EXTABLE_H
#define XHV_EXTABLE_H

#include <xhv/types.h>

struct extable_entry {
    uint64_t insn;      /* address of the instruction that may fault */
    uint64_t fixup;     /* where to continue */
};

/* For inline assembly: "from" may fault, continue at "to". */
#define ASM_EXTABLE(from, to)                                               \
    ".pushsection .ex_table, \"a\"\n"                                       \
    ".balign 8\n"                                                           \
    ".quad " #from ", " #to "\n"                                            \
    ".popsection\n"

/* The fixup address for a faulting RIP, or 0 if there is none. */
uint64_t extable_search(uint64_t rip);

/*
 * Copy n bytes between shim memory and an address that may fault (guest
 * memory). Returns the number of bytes NOT copied (0 on success).
 */
size_t copy_from_unsafe(void *dst, const void *src, size_t n);
size_t copy_to_unsafe(void *dst, const void *src, size_t n);

#endif /* XHV_EXTABLE_H */
