/*
 * Entry from a multiboot1 (QEMU -kernel) or multiboot2 (GRUB) loader.
 *
 * Both loaders enter in 32-bit protected mode, paging off, at the physical
 * address given by the headers' address fields (which is why a 64-bit ELF
 * loads under QEMU's multiboot1 loader: with the address fields it never
 * looks at the ELF header). We zero .bss, build boot page tables that map
 * the first 4 GiB three times (identity, the image slot, the direct map),
 * enter long mode and jump to the image's linked address in the hypervisor
 * hole. C takes over in start_multiboot(magic, info_pa).
 *
 * Registers on entry: eax = loader magic, ebx = physical address of the
 * loader's information structure.
 */
#include <xhv/layout.h>
#include <xhv/multiboot.h>

#define sym_phys(s)     ((s) - XHV_VIRT_OFFSET)

#define MB1_FLAGS       (MB1_HDR_PAGE_ALIGN | MB1_HDR_MEMORY_INFO | \
                         MB1_HDR_AOUT_KLUDGE)

#define X86_CR0_PE      0x00000001
#define X86_CR0_WP      0x00010000
#define X86_CR0_PG      0x80000000
#define X86_CR4_PAE     0x00000020
#define MSR_EFER        0xc0000080
#define EFER_LME        0x00000100
#define EFER_NXE        0x00000800
#define PTE_P_RW        0x003
#define PTE_P_RW_PS     0x083

        .section .text.head, "ax", @progbits
        .code32

        .balign 4
mb1_header:
        .long   MB1_HEADER_MAGIC
        .long   MB1_FLAGS
        .long   -(MB1_HEADER_MAGIC + MB1_FLAGS)
        .long   sym_phys(mb1_header)            /* header_addr */
        .long   XHV_PHYS_START                  /* load_addr: file offset 0 */
        .long   sym_phys(__load_end)            /* load_end_addr */
        .long   sym_phys(__bss_end)             /* bss_end_addr */
        .long   sym_phys(start32)               /* entry_addr */

        .balign 8
mb2_header:
        .long   MB2_HEADER_MAGIC
        .long   MB2_ARCH_I386
        .long   mb2_header_end - mb2_header
        .long   -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

        /* Information request: everything optional, we cope without. */
        .balign 8
mb2_info_req:
        .short  MB2_HDR_TAG_INFO_REQUEST
        .short  MB2_HDR_TAG_OPTIONAL
        .long   mb2_info_req_end - mb2_info_req
        .long   MB2_TAG_CMDLINE
        .long   MB2_TAG_BOOT_LOADER_NAME
        .long   MB2_TAG_MODULE
        .long   MB2_TAG_MMAP
        .long   MB2_TAG_ACPI_OLD
        .long   MB2_TAG_ACPI_NEW
mb2_info_req_end:

        .balign 8
        .short  MB2_HDR_TAG_ADDRESS
        .short  0
        .long   24
        .long   sym_phys(mb2_header)            /* header_addr */
        .long   XHV_PHYS_START                  /* load_addr */
        .long   sym_phys(__load_end)            /* load_end_addr */
        .long   sym_phys(__bss_end)             /* bss_end_addr */

        .balign 8
        .short  MB2_HDR_TAG_ENTRY_ADDRESS
        .short  0
        .long   12
        .long   sym_phys(start32)

        .balign 8
        .short  MB2_HDR_TAG_MODULE_ALIGN
        .short  0
        .long   8

        .balign 8
        .short  MB2_HDR_TAG_END
        .short  0
        .long   8
mb2_header_end:

/* Print the NUL-terminated string at %esi on COM1 and stop: no long mode. */
early_fail32:
        mov     $0x3f8 + 5, %dx
1:      in      %dx, %al
        test    $0x20, %al
        jz      1b
        mov     $0x3f8, %dx
        lodsb
        test    %al, %al
        jz      2f
        out     %al, %dx
        jmp     early_fail32
2:      cli
        hlt
        jmp     2b

        .globl  start32
start32:
        cli
        cld
        mov     %eax, %ebp                      /* loader magic */
        mov     %ebx, %esi                      /* loader info (phys) */
        mov     $sym_phys(boot_stack_top), %esp

        /* Zero .bss (QEMU does, a loader need not). Keeps %esi/%ebp. */
        mov     $sym_phys(__bss_start), %edi
        mov     $sym_phys(__bss_end), %ecx
        sub     %edi, %ecx
        xor     %eax, %eax
        rep stosb

        /* Long mode available? */
        mov     %esi, %edi
        mov     $0x80000000, %eax
        cpuid
        cmp     $0x80000001, %eax
        jb      .Lno_lm
        mov     $0x80000001, %eax
        cpuid
        bt      $29, %edx
        jnc     .Lno_lm
        mov     %edx, %ebx                      /* keep for NX check */
        mov     %edi, %esi

        /* L2s: 2048 x 2 MiB covering 0..4 GiB. */
        mov     $sym_phys(boot_l2), %edi
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        or      $PTE_P_RW_PS, %eax
        mov     %eax, (%edi, %ecx, 8)
        mov     %ecx, %eax
        shr     $11, %eax                       /* high dword: (i<<21)>>32 */
        mov     %eax, 4(%edi, %ecx, 8)
        inc     %ecx
        cmp     $2048, %ecx
        jb      1b

        /* L3: four L2s. */
        mov     $sym_phys(boot_l3), %edi
        mov     $sym_phys(boot_l2) + PTE_P_RW, %eax
        mov     %eax, 0(%edi)
        add     $0x1000, %eax
        mov     %eax, 8(%edi)
        add     $0x1000, %eax
        mov     %eax, 16(%edi)
        add     $0x1000, %eax
        mov     %eax, 24(%edi)

        /* L4: identity (slot 0), image slot, direct-map slot. */
        mov     $sym_phys(boot_l4), %edi
        mov     $sym_phys(boot_l3) + PTE_P_RW, %eax
        mov     %eax, 0(%edi)
        mov     %eax, (((XHV_VIRT_OFFSET >> 39) & 511) * 8)(%edi)
        mov     %eax, (((XHV_DIRECTMAP_VIRT_START >> 39) & 511) * 8)(%edi)

        mov     %cr4, %eax
        or      $X86_CR4_PAE, %eax
        mov     %eax, %cr4
        mov     $sym_phys(boot_l4), %eax
        mov     %eax, %cr3

        mov     $MSR_EFER, %ecx
        rdmsr
        or      $EFER_LME, %eax
        bt      $20, %ebx                       /* NX available */
        jnc     2f
        or      $EFER_NXE, %eax
2:      wrmsr

        mov     %cr0, %eax
        or      $(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE), %eax
        mov     %eax, %cr0

        lgdt    sym_phys(boot_gdtr)
        ljmp    $0x08, $sym_phys(start64_low)

.Lno_lm:
        mov     $sym_phys(no_lm_msg), %esi
        jmp     early_fail32

        .code64
start64_low:
        mov     %ebp, %r9d                      /* loader magic */
        mov     $0x10, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     %eax, %ss
        xor     %eax, %eax
        mov     %eax, %fs
        mov     %eax, %gs
        movabs  $start64_high, %rax
        jmp     *%rax

        .text
start64_high:
        /* The boot stack is a stack block: its stack_info names CPU 0. */
        movabs  $percpu, %rax
        movabs  %rax, boot_stack_top - XHV_STACK_INFO_SIZE
        movabs  $boot_stack_top - XHV_STACK_INFO_SIZE, %rsp
        xor     %ebp, %ebp                      /* end of frame-pointer chain */
        mov     %r9d, %edi                      /* start_multiboot(magic, */
        mov     %esi, %esi                      /*                 info_pa) */
        call    start_multiboot
        ud2

        .section .rodata
no_lm_msg:
        .asciz  "xhv: this CPU has no long mode (x86-64); cannot boot\r\n"

        .balign 16
boot_gdt:
        .quad   0
        .quad   0x00af9b000000ffff                  /* 0x08: 64-bit code */
        .quad   0x00cf93000000ffff                  /* 0x10: data */
boot_gdt_end:
boot_gdtr:
        .short  boot_gdt_end - boot_gdt - 1
        .long   sym_phys(boot_gdt)

        .section .bss.page_aligned, "aw", @nobits
        .balign 4096
        .globl  boot_l4
boot_l4:        .skip 4096
boot_l3:        .skip 4096
boot_l2:        .skip 4 * 4096
        .balign XHV_STACK_BLOCK_SIZE
        .globl  boot_stack
boot_stack:     .skip XHV_STACK_BLOCK_SIZE
        .globl  boot_stack_top
boot_stack_top:
