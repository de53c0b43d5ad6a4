/*
 * Exception entry stubs and the guarded call of tests/pv/lib (traps.c has
 * the C side and the rules).
 *
 * xhv bounces an exception to the handler named in our trap table with the
 * 64-bit PV frame on our stack (public xen.h; docs/hypercalls.md):
 *   rsp -> RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS
 * Each stub pushes its vector and hands the frame to pvt_exc_handler(),
 * which never returns: it either unwinds into pvt_guarded_call() or crashes
 * the domain. Nothing here returns with HYPERVISOR_iret.
 */

/* struct pvt_jmp: rbx, rbp, r12, r13, r14, r15, rsp, rip (traps.c). */

    .text

/*
 * int pvt_guarded_call(void (*fn)(void *), void *arg, struct pvt_jmp *j)
 * Saves the callee-saved registers and where to return to in *j, arms it
 * (pvt_armed = j) and calls fn(arg). Returns 0 when fn returns; returns 1
 * through pvt_guarded_unwind(j) when fn raised an exception.
 */
    .globl pvt_guarded_call
    .type pvt_guarded_call, @function
pvt_guarded_call:
    mov     %rbx, 0(%rdx)
    mov     %rbp, 8(%rdx)
    mov     %r12, 16(%rdx)
    mov     %r13, 24(%rdx)
    mov     %r14, 32(%rdx)
    mov     %r15, 40(%rdx)
    lea     8(%rsp), %rax           /* rsp once we have returned */
    mov     %rax, 48(%rdx)
    mov     (%rsp), %rax            /* our return address */
    mov     %rax, 56(%rdx)
    mov     %rdx, pvt_armed(%rip)
    mov     %rdi, %rax
    mov     %rsi, %rdi
    sub     $8, %rsp                /* callee entry: rsp = 8 mod 16 */
    call    *%rax
    add     $8, %rsp
    movq    $0, pvt_armed(%rip)
    xor     %eax, %eax
    ret
    .size pvt_guarded_call, . - pvt_guarded_call

/* void pvt_guarded_unwind(const struct pvt_jmp *j): return 1 from the call. */
    .globl pvt_guarded_unwind
    .type pvt_guarded_unwind, @function
pvt_guarded_unwind:
    mov     0(%rdi), %rbx
    mov     8(%rdi), %rbp
    mov     16(%rdi), %r12
    mov     24(%rdi), %r13
    mov     32(%rdi), %r14
    mov     40(%rdi), %r15
    mov     48(%rdi), %rsp
    mov     $1, %eax
    jmp     *56(%rdi)
    .size pvt_guarded_unwind, . - pvt_guarded_unwind

/* One stub per vector 0..31: push the vector, go to the common path. */
    .balign 16
    .globl pvt_exc_stubs
pvt_exc_stubs:
    vec = 0
    .rept 32
    .balign 16
    pushq   $vec
    jmp     pvt_exc_common
    vec = vec + 1
    .endr

pvt_exc_common:
    mov     %rsp, %rdi              /* frame: vector, rcx, r11, [ec], rip.. */
    and     $-16, %rsp
    call    pvt_exc_handler         /* does not return */
    ud2

    .section .note.GNU-stack, "", @progbits
