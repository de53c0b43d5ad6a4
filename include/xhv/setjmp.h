/* Non-local return within the shim (self-tests leaving ring 3). */
#ifndef XHV_SETJMP_H
#define XHV_SETJMP_H

#include <xhv/types.h>

struct jmp_buf {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

/* Returns 0 when called, the value given to xhv_longjmp when resumed. */
int xhv_setjmp(struct jmp_buf *b) __attribute__((returns_twice));
__noreturn void xhv_longjmp(struct jmp_buf *b, int val);

#endif /* XHV_SETJMP_H */
