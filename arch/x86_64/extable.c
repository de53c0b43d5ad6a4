/*
 * The exception table and the fault-tolerant copy primitives built on it.
 * Entries are few (one per guest-memory access site), so a linear search is
 * fine and keeps the table unsorted.
 */
#include <xhv/extable.h>

extern const struct extable_entry __start_ex_table[], __stop_ex_table[];

uint64_t extable_search(uint64_t rip)
{
    const struct extable_entry *e;

    for (e = __start_ex_table; e < __stop_ex_table; e++)
        if (e->insn == rip)
            return e->fixup;
    return 0;
}

/*
 * rep movsb with a fixup: on a fault, rcx still holds the bytes left, which
 * is exactly the "not copied" count we return.
 */
static size_t copy_unsafe(void *dst, const void *src, size_t n)
{
    __asm__ volatile("1: rep movsb\n"
                     "2:\n"
                     ASM_EXTABLE(1b, 2b)
                     : "+D"(dst), "+S"(src), "+c"(n)
                     :
                     : "memory");
    return n;
}

size_t copy_from_unsafe(void *dst, const void *src, size_t n)
{
    return copy_unsafe(dst, src, n);
}

size_t copy_to_unsafe(void *dst, const void *src, size_t n)
{
    return copy_unsafe(dst, src, n);
}
