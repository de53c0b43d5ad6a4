/*
 * Every way into the shim from an interrupt, exception or `syscall`, and
 * the one way out (iretq). Each entry builds a struct cpu_regs
 * (include/xhv/regs.h) on the current stack and calls do_entry(regs); on
 * return the frame, possibly edited (exception fixups, guest state), is
 * restored. Offsets come from build/obj/asm-offsets.h.
 *
 * Stacks: from ring 3 the CPU switches to TSS.RSP0; #DF, NMI and #MC run on
 * their own IST stacks; `syscall` switches stacks by hand through the
 * CPU's own entry stub, as in Xen.
 */
#include <xhv/desc.h>
#include <xhv/regs.h>
#include <xhv/cpumask.h>
#include "asm-offsets.h"

        .text

/* Push the general registers in struct cpu_regs order (r15 lowest). */
.macro SAVE_ALL
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
.endm

.macro RESTORE_ALL
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
.endm

/*
 * One 16-byte stub per vector, vector v at entry_stubs + 16 * v: a zero
 * error code where the CPU pushes none, the vector number in the upper half
 * of that slot, then the common path. (push 2 + movl 8 + jmp <= 5 bytes.)
 */
#define EC_VECTORS ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | \
                    (1 << 13) | (1 << 14) | (1 << 17) | (1 << 21))

        .globl  entry_stubs
        .balign 16
entry_stubs:
        .set    vec, 0
        .rept   256
        .balign 16
        .if vec >= 32
        push    $0
        .elseif ((EC_VECTORS >> vec) & 1) == 0
        push    $0
        .endif
        movl    $vec, 4(%rsp)
        jmp     entry_common
        .set    vec, vec + 1
        .endr
        .balign 16
        .globl  entry_stubs_end
entry_stubs_end:

entry_common:
        cld
        SAVE_ALL
        mov     %rsp, %rdi
        /* Align for C; rbp chain links back into the interrupted frame. */
        mov     %rsp, %rbx
        and     $~15, %rsp
        call    do_entry
        mov     %rbx, %rsp
        .globl  return_to_frame
return_to_frame:
        cmpl    $ENTRY_EXIT_SYSRET, REGS_vector(%rsp)
        je      2f
        RESTORE_ALL
        add     $8, %rsp                /* error code / vector slot */
1:      iretq

/*
 * sysretq (ENTRY_EXIT_SYSRET, set only for flat 64-bit ring-3 frames with
 * a canonical rip, rcx = rip, r11 = rflags): the guest's %rsp is loaded
 * by hand. Interrupts stay off until sysretq loads RFLAGS; NMI and #MC run
 * on IST stacks, so the guest stack is never used in ring 0.
 */
2:      RESTORE_ALL
        add     $8, %rsp                /* now at the hardware frame */
        mov     24(%rsp), %rsp          /* its rsp slot: rip cs rflags rsp */
        sysretq

/*
 * The iretq above faulted: the frame (a guest's, after HYPERVISOR_iret or a
 * bounce) had a selector the CPU refused. The fault handler resumed here,
 * in ring 0, with %rsp at that frame and the guest's registers loaded:
 * rebuild a cpu_regs around it and let C report the domain crash.
 */
iret_fault:
        pushq   $0
        SAVE_ALL
        mov     %rsp, %rdi
        and     $~15, %rsp
        call    iret_fault_handler
        ud2
        .pushsection .ex_table, "a"
        .balign 8
        .quad   1b, iret_fault
        .popsection

/*
 * `syscall` entry: RCX = return RIP, R11 = RFLAGS, RSP still the caller's
 * (SFMASK has cleared IF, so nothing can interrupt before the switch).
 * LSTAR points at a per-CPU copy of syscall_stub (cpu_syscall_init), whose
 * two immediates are patched: the CPU's %rax save slot and its stack top.
 * The stub switches stacks without a free register or %gs; the common part
 * builds the same frame as an interrupt from ring 3 would.
 */
        .globl  syscall_stub, syscall_stub_end
        .globl  syscall_stub_slot1, syscall_stub_stack, syscall_stub_slot2
        .globl  syscall_stub_target
syscall_stub:
        movabs  %rax, 0x1111111111111111        /* save %rax */
syscall_stub_slot1:
        mov     %rsp, %rax
        movabs  $0x2222222222222222, %rsp       /* this CPU's stack top */
syscall_stub_stack:
        push    $FLAT_RING3_SS64
        push    %rax                            /* the caller's %rsp */
        movabs  0x1111111111111111, %rax        /* restore %rax */
syscall_stub_slot2:
        push    %r11
        push    $FLAT_RING3_CS64
        push    %rcx
        /* The target sits in the stub's own (read-only) copy. */
        jmp     *(syscall_stub_target - 8)(%rip)
        .balign 8
        .quad   0x3333333333333333              /* entry_syscall_common */
syscall_stub_target:
syscall_stub_end:

/*
 * The per-CPU copies of syscall_stub live here, in the image's text
 * (written once per CPU through the direct map): right next to the entry
 * code, so a syscall after a CR3 reload does not also walk the page
 * tables for a stub page of its own.
 */
        .pushsection .text.stubs, "ax"
        .balign 64
        .globl  syscall_stubs
syscall_stubs:
        .fill   XHV_MAX_CPUS * 128, 1, 0xcc
        .popsection

        .globl  entry_syscall_common
entry_syscall_common:
        pushq   $0
        movl    $ENTRY_VECTOR_SYSCALL, 4(%rsp)
        jmp     entry_common

/*
 * enter_frame(regs): load a complete frame (e.g. a ring-3 context) and
 * iretq to it. Used for the first entry into ring 3; never returns here.
 */
        .globl  enter_frame
enter_frame:
        mov     %rdi, %rsp
        jmp     return_to_frame

/* capture_registers(struct cpu_regs *r): the caller's registers. */
        .globl  capture_registers
capture_registers:
        mov     %r15, REGS_r15(%rdi)
        mov     %r14, REGS_r14(%rdi)
        mov     %r13, REGS_r13(%rdi)
        mov     %r12, REGS_r12(%rdi)
        mov     %rbp, REGS_rbp(%rdi)
        mov     %rbx, REGS_rbx(%rdi)
        mov     %r11, REGS_r11(%rdi)
        mov     %r10, REGS_r10(%rdi)
        mov     %r9, REGS_r9(%rdi)
        mov     %r8, REGS_r8(%rdi)
        mov     %rax, REGS_rax(%rdi)
        mov     %rcx, REGS_rcx(%rdi)
        mov     %rdx, REGS_rdx(%rdi)
        mov     %rsi, REGS_rsi(%rdi)
        mov     %rdi, REGS_rdi(%rdi)
        movq    $0, REGS_error_code(%rdi)
        mov     (%rsp), %rax
        mov     %rax, REGS_rip(%rdi)
        lea     8(%rsp), %rax
        mov     %rax, REGS_rsp(%rdi)
        mov     %cs, %eax
        mov     %rax, REGS_cs(%rdi)
        mov     %ss, %eax
        mov     %rax, REGS_ss(%rdi)
        pushfq
        pop     %rax
        mov     %rax, REGS_rflags(%rdi)
        mov     REGS_rax(%rdi), %rax
        ret
