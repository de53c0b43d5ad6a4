/* xhv_setjmp / xhv_longjmp: callee-saved registers, stack and return RIP. */
        .text
        .globl  xhv_setjmp
xhv_setjmp:
        mov     %rbx, 0x00(%rdi)
        mov     %rbp, 0x08(%rdi)
        mov     %r12, 0x10(%rdi)
        mov     %r13, 0x18(%rdi)
        mov     %r14, 0x20(%rdi)
        mov     %r15, 0x28(%rdi)
        lea     8(%rsp), %rax
        mov     %rax, 0x30(%rdi)
        mov     (%rsp), %rax
        mov     %rax, 0x38(%rdi)
        xor     %eax, %eax
        ret

        .globl  xhv_longjmp
xhv_longjmp:
        mov     %esi, %eax
        test    %eax, %eax
        jnz     1f
        inc     %eax
1:      mov     0x00(%rdi), %rbx
        mov     0x08(%rdi), %rbp
        mov     0x10(%rdi), %r12
        mov     0x18(%rdi), %r13
        mov     0x20(%rdi), %r14
        mov     0x28(%rdi), %r15
        mov     0x30(%rdi), %rsp
        jmp     *0x38(%rdi)
