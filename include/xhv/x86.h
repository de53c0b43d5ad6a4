/*
 * x86-64 instructions and architectural constants used by arch/ and drivers/.
 * The arch-neutral core (shim/) must not include this header.
 */
#ifndef XHV_X86_H
#define XHV_X86_H

#include <xhv/types.h>

#define X86_CR0_PE      BIT(0)
#define X86_CR0_MP      BIT(1)
#define X86_CR0_EM      BIT(2)
#define X86_CR0_TS      BIT(3)
#define X86_CR0_NE      BIT(5)
#define X86_CR0_WP      BIT(16)
#define X86_CR0_PG      BIT(31)

#define X86_CR4_PAE     BIT(5)
#define X86_CR4_PGE     BIT(7)
#define X86_CR4_OSFXSR  BIT(9)
#define X86_CR4_OSXMMEXCPT BIT(10)

#define X86_EFLAGS_TF   BIT(8)
#define X86_EFLAGS_IF   BIT(9)
#define X86_EFLAGS_DF   BIT(10)
#define X86_EFLAGS_NT   BIT(14)
#define X86_EFLAGS_AC   BIT(18)

#define MSR_EFER        0xc0000080
#define EFER_SCE        BIT(0)
#define EFER_LME        BIT(8)
#define EFER_NXE        BIT(11)
#define MSR_STAR        0xc0000081
#define MSR_LSTAR       0xc0000082
#define MSR_CSTAR       0xc0000083
#define MSR_SFMASK      0xc0000084
#define MSR_FS_BASE     0xc0000100
#define MSR_GS_BASE     0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_APIC_BASE   0x0000001b
#define MSR_PAT         0x00000277

/* Exception vectors (SDM vol. 3, 6.3.1). */
#define X86_EXC_DE      0
#define X86_EXC_DB      1
#define X86_EXC_NMI     2
#define X86_EXC_BP      3
#define X86_EXC_OF      4
#define X86_EXC_BR      5
#define X86_EXC_UD      6
#define X86_EXC_NM      7
#define X86_EXC_DF      8
#define X86_EXC_TS      10
#define X86_EXC_NP      11
#define X86_EXC_SS      12
#define X86_EXC_GP      13
#define X86_EXC_PF      14
#define X86_EXC_MF      16
#define X86_EXC_AC      17
#define X86_EXC_MC      18
#define X86_EXC_XM      19
#define X86_EXC_VE      20
#define X86_EXC_CP      21
#define X86_NR_EXCEPTIONS 32

/* Exceptions that push an error code. */
#define X86_EXC_HAVE_EC ((1u << X86_EXC_DF) | (1u << X86_EXC_TS) |       \
                         (1u << X86_EXC_NP) | (1u << X86_EXC_SS) |       \
                         (1u << X86_EXC_GP) | (1u << X86_EXC_PF) |       \
                         (1u << X86_EXC_AC) | (1u << X86_EXC_CP))

/* #PF error code bits. */
#define PFEC_PRESENT    BIT(0)
#define PFEC_WRITE      BIT(1)
#define PFEC_USER       BIT(2)
#define PFEC_RSVD       BIT(3)
#define PFEC_INSN       BIT(4)

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
                               uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid"
                     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
                     : "a"(leaf), "c"(sub));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
                         uint32_t *c, uint32_t *d)
{
    cpuid_count(leaf, 0, a, b, c, d);
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
    __asm__ volatile("wrmsr"
                     :: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
                     : "memory");
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;

    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;

    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;

    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

#define DEFINE_CR_ACCESSORS(n)                                              \
    static inline uint64_t read_cr##n(void)                                 \
    {                                                                       \
        uint64_t v;                                                         \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                   \
        return v;                                                           \
    }                                                                       \
    static inline void write_cr##n(uint64_t v)                              \
    {                                                                       \
        __asm__ volatile("mov %0, %%cr" #n :: "r"(v) : "memory");           \
    }
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline void invlpg(const void *va)
{
    __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

static inline void local_irq_enable(void)  { __asm__ volatile("sti" ::: "memory"); }
static inline void local_irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void cpu_relax(void)         { __asm__ volatile("pause" ::: "memory"); }
static inline void halt(void)              { __asm__ volatile("hlt" ::: "memory"); }
/* sti; hlt: the interrupt shadow of sti makes the pair race-free. */
static inline void safe_halt(void)         { __asm__ volatile("sti; hlt" ::: "memory"); }

static inline uint64_t read_rflags(void)
{
    uint64_t f;

    __asm__ volatile("pushfq; pop %0" : "=r"(f));
    return f;
}

static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

#endif /* XHV_X86_H */
