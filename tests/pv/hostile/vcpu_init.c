/*
 * VCPUOP_initialise / up / down / is_up (public vcpu.h; xhv:
 * shim/hypercall/vcpu.c, the context checks in
 * shim/hypercall/vcpu_context.c, shim/vcpu_run.c) and waking a second vCPU
 * out of SCHEDOP_poll with an IPI event channel (shim/event/evtchn.c,
 * shim/hypercall/sched.c). A first context is the most a PV guest ever
 * hands the hypervisor at once: registers, selectors, a GDT, page-table
 * roots, callbacks, a whole virtual IDT. Every bad one must be refused
 * cleanly before anything is taken or installed.
 *
 * "ctx" is a good context (below) with one thing changed. After every
 * refusal, <case>_unchanged checks that nothing happened: vCPU 1 is not up,
 * still has no context (VCPUOP_initialise with an unreadable pointer gives
 * -EFAULT, not -EEXIST: xhv checks "already initialised" first), and the
 * good context's GDT frame carries no type reference (it can be mapped
 * writable, then read-only again).
 *
 * The good context (vCPU 1): rip vi_ap_entry, its own 16 KiB stack (rsp,
 * kernel_sp), cs 0x10 / ss 0x18 / kernel_ss 0x18 in a GDT of ours (Linux's
 * layout: 64-bit code and data at DPL 0, which validation makes DPL 3 and
 * the RPL fixup makes 0x13 / 0x1b), gdt_page mapped read-only first,
 * ctrlreg[3] = the builder's bootstrap L4 (pinned by the builder), a trap
 * table of its own (vi_ap_traps: a fault there is recorded, not fatal),
 * callbacks at vi_ap_callback, fs_base / gs_base_kernel at two words of
 * ours, rdi and r15 set.
 *
 * Cases (expected outcome). With one vCPU only the first group runs.
 *   vcpu_init/no_vcpu_<id>             N, 8191, 0xffffffff: initialise,
 *                                      and up of N                 -ENOENT
 *   vcpu_init/vcpu0_again              vCPU 0 (running)            -EEXIST
 *   vcpu_init/is_up_1_at_start         vCPU 1                      0
 *   vcpu_init/up_without_context       VCPUOP_up of vCPU 1         -EINVAL
 *   vcpu_init/down_without_context     VCPUOP_down of it (as Xen:
 *                                      nothing to stop)            0
 *   vcpu_init/ctx_<bad_ptr>            the context pointer         -EFAULT
 *   vcpu_init/gdt_page_ro              gdt_page to RO (setup)      0
 *   vcpu_init/ctx_straddles_map_end    its first 64 bytes mapped   -EFAULT
 *   vcpu_init/flags_{0,no_in_kernel}   VGCF_in_kernel clear        -EINVAL
 *   vcpu_init/<field>_<where>          rip, rsp, kernel_sp, the three
 *                                      callbacks, fs_base, gs_base_kernel,
 *                                      gs_base_user, trap_ctxt[14] and
 *                                      [255].address, debugreg[0]: non-
 *                                      canonical, hole start (M2P), the
 *                                      shim's text, the hole's last word
 *                                                                  -EINVAL
 *   vcpu_init/ldt_ents_{1,8192}        an LDT at start (xhv: none;
 *                                      Xen allows up to 8192)      -EINVAL
 *   vcpu_init/ldt_base_hole            ldt_base in the hole        -EINVAL
 *   vcpu_init/gdt_ents_{7169,2^32+16,max}  > FIRST_RESERVED_GDT_ENTRY
 *                                                                  -EINVAL
 *   vcpu_init/gdt_frame_<which>        foreign, M2P, mfn 0, beyond RAM,
 *                                      ~0, our L4 / L3 / L1, a page
 *                                      mapped RW, shared_info      -EINVAL
 *   vcpu_init/gdt_second_frame_rw      [gdt_page, a RW page], 1024
 *                                      entries: the first frame's type
 *                                      reference is dropped again  -EINVAL
 *   vcpu_init/gdt_14_frames_cs_data    gdt_page as all 14 frames (7168
 *                                      entries), cs a data selector: 14
 *                                      references dropped          -EINVAL
 *   vcpu_init/gdt_14th_frame_rw        13 x gdt_page, then a RW page -EINVAL
 *   vcpu_init/gdt_frame_call_gate      a read-only page of ours with a
 *                                      call gate (validation refuses;
 *                                      call_gate_page_rw_again: no type
 *                                      left on it)                 -EINVAL
 *   vcpu_init/cs_<what>                null, LDT (0x14, 0x17), index 16
 *                                      (past gdt_ents) and 7000, a zero
 *                                      slot, data 0x18, 32-bit code 0x08
 *                                      and 0x23, L+D code, not-present
 *                                      64-bit code, FLAT_KERNEL_CS32,
 *                                      FLAT_KERNEL_SS64            -EINVAL
 *   vcpu_init/cs_gdt_code_no_gdt       0x10 with gdt_ents 0        -EINVAL
 *   vcpu_init/ss_<what>                64-bit code 0x10, FLAT_KERNEL_CS64,
 *                                      read-only data, not-present
 *                                      data, null, LDT, index 16   -EINVAL
 *   vcpu_init/kernel_ss_<what>         code 0x10, FLAT_KERNEL_CS64 -EINVAL
 *   vcpu_init/cr3_<which>              mfn 0, our L3, our L1, foreign,
 *                                      M2P, beyond RAM, ~0, gdt_page
 *                                      (a descriptor page), a RW page,
 *                                      shared_info                 -EINVAL
 *   vcpu_init/cr1_<which>              user L4: our L3, L1, foreign,
 *                                      beyond RAM, gdt_page, RW page
 *                                                                  -EINVAL
 *   vcpu_init/dr7_<bits>               L0, G0, L0|bit 10, G3, 0xff -EINVAL
 *   vcpu_init/fresh_l4_{ro,pin}        a copy of our L4, pinned    0
 *     cr1_l3_with_fresh_cr3            kernel L4 fine, user L4 bad:
 *                                      the kernel L4's reference is
 *                                      dropped again               -EINVAL
 *     cs_data_with_fresh_cr3           refused before the L4s      -EINVAL
 *     fresh_l4_{new_baseptr,unpin_in_use}  the copy as vCPU 0's base
 *                                      pointer, then unpinned      0
 *     cr3_unpinned_l4                  an L4 in use but not pinned -EINVAL
 *     bootstrap_l4_back                vCPU 0 back on its L4       0
 *     fresh_l4_rw_again                the copy has no type
 *                                      reference left: RW again    0
 *   vcpu_init/up_still_without_context after all that              -EINVAL
 *  the good path:
 *   vcpu_init/map_shared_info          at si_page, for the events  0
 *   vcpu_init/good                     the good context            0
 *   vcpu_init/good_not_up_yet          is_up                       0
 *   vcpu_init/good_again_before_up     initialise again            -EEXIST
 *   vcpu_init/good_gdt_page_held       gdt_page mapped RW now      -EBUSY
 *   vcpu_init/up                       VCPUOP_up                   0
 *   vcpu_init/ap_started               vCPU 1 reaches vi_ap_main (bounded
 *                                      wait), no fault; what it saw:
 *     ap_registers, ap_selectors       rdi/r15 as given; cs 0x13, ss 0x1b
 *     ap_gdt_es_loads                  %es = 0x2b loads from our GDT
 *     ap_gs_base, ap_fs_base           %gs:0, %fs:0: the magic words
 *     ap_is_up_self, ap_runstate_area  1; registering its area: 0
 *   vcpu_init/is_up_1, up_again        1; VCPUOP_up again          0
 *   vcpu_init/initialise_running       -EEXIST
 *   vcpu_init/ipi_bind_no_vcpu         EVTCHNOP_bind_ipi to vCPU N -ENOENT
 *   vcpu_init/ipi_bind, ipi_status     to vCPU 1: a port, status ipi on 1
 *   vcpu_init/poll_{masked,unmasked}_* vCPU 1 polls the port (masked, then
 *                                      unmasked); it is seen blocked in
 *                                      its runstate area, stays blocked
 *                                      while nothing is sent, and
 *                                      EVTCHNOP_send from vCPU 0 wakes it:
 *                                      poll returns 0, the port pending;
 *                                      masked: still masked, no upcall
 *                                      raised for vCPU 1; unmasked: the
 *                                      upcall is raised on vCPU 1
 *   vcpu_init/remote_down_*            vCPU 0 downs vCPU 1 while it spins
 *                                      on SCHEDOP_yield: 0, is_up 0, it
 *                                      stops (its counter freezes, its
 *                                      runstate says offline); up again:
 *                                      it resumes
 *   vcpu_init/self_down_*              vCPU 1 downs itself: is_up 0;
 *                                      initialise still -EEXIST; up: it
 *                                      resumes after the hypercall, which
 *                                      returned 0; down again at the end
 *   vcpu_init/ap_no_fault              no exception or callback on vCPU 1,
 *                                      every SCHEDOP_yield of it gave 0
 *   vcpu_init/gdt_page_held_at_end     vCPU 1's context keeps its GDT
 *                                      frame typed: RW mapping     -EBUSY
 *   vcpu_init/unmap_shared_info        si_page back (UVMF_ALL)     0
 * Two shim bugs this file found have regression cases (test_known_bugs()
 * says what and why).
 * Every wait is a loop of SCHEDOP_yield bounded in time (WAIT_NS, by the
 * TSC) and in count: a lost wake-up is a FAIL, not a hang.
 */

#include "hostile.h"
#include <stddef.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#define HYPERVISOR_event_channel_op(cmd, arg)                               \
    hypercall2(__HYPERVISOR_event_channel_op, (ul)(cmd), (ul)(arg))

/* Our GDT (gdt_page): Linux's 64-bit layout, then the refused kinds. */
#define GDT_ENTS            16
#define SEL_CS32            0x08    /* 1: 32-bit code, DPL 0 */
#define SEL_KCS             0x10    /* 2: 64-bit code, DPL 0 */
#define SEL_KDS             0x18    /* 3: data, DPL 0 */
#define SEL_UCS32           0x23    /* 4: 32-bit code, DPL 3 */
#define SEL_UDS             0x2b    /* 5: data, DPL 3 */
#define SEL_UCS             0x33    /* 6: 64-bit code, DPL 3 */
#define SEL_LD_CODE         0x3b    /* 7: code with both L and D */
#define SEL_NP_CODE         0x43    /* 8: 64-bit code, not present */
#define SEL_RO_DATA         0x4b    /* 9: read-only data */
#define SEL_NP_DATA         0x53    /* 10: data, not present */
#define SEL_ZERO            0x5b    /* 11: all zero */

static const uint64_t gdt_descs[GDT_ENTS] = {
    [1] = 0x00cf9b000000ffffUL,
    [2] = 0x00af9b000000ffffUL,
    [3] = 0x00cf93000000ffffUL,
    [4] = 0x00cffb000000ffffUL,
    [5] = 0x00cff3000000ffffUL,
    [6] = 0x00affb000000ffffUL,
    [7] = 0x00effb000000ffffUL,
    [8] = 0x00af7b000000ffffUL,
    [9] = 0x00cff1000000ffffUL,
    [10] = 0x00cf73000000ffffUL,
};

#define DESC_CALL_GATE  0x00008c00e0081000UL   /* DPL 0, as descriptor.c */

#define AP_RDI          0x1234567876543210UL
#define AP_R15          0x0f0f0f0ff0f0f0f0UL
#define AP_GS_MAGIC     0x6767676767676767UL
#define AP_FS_MAGIC     0x6666666666666666UL

/*
 * Bounded waits, timed with the TSC at the rate vCPU 1's vcpu_time_info
 * gives (tsc_to_system_mul/shift); a cap on the SCHEDOP_yields made stands
 * in if that rate is missing. After one wait has run out, the later ones
 * only look once (ap_lost): one lost wake-up is one FAIL per check, not a
 * row timeout.
 */
#define WAIT_NS         (5 * 1000000000UL)
#define WAIT_YIELDS     20000000UL
#define QUIET_NS        (50 * 1000000UL)    /* "does not happen" */
#define QUIET_YIELDS    20000UL

static uint64_t gdt_page[512] __aligned(4096);
static uint8_t rw_page[4096] __aligned(4096);       /* stays mapped RW */
static uint64_t fresh_l4[512] __aligned(4096);
static uint8_t si_page[4096] __aligned(4096);       /* shared_info here */
static uint8_t ap_stack[16384] __aligned(4096);

static struct vcpu_guest_context good, ctx;

/* What vCPU 1 and vCPU 0 share; every access is an atomic. */
enum { CMD_NONE, CMD_POLL, CMD_DOWN, CMD_PERIODIC };
enum { ST_NONE, ST_STARTED, ST_POLLING, ST_POLLED, ST_DOWNING, ST_RESUMED,
       ST_PERIODIC };

struct ap_shared {
    unsigned long seq, cmd, port;       /* vCPU 0 -> 1 */
    unsigned long stage, spins;         /* vCPU 1 -> 0 */
    long rs_rc, is_up_self, poll_rc, down_rc;
    unsigned long poll_pending, es, fs0, gs0;
    unsigned long fault;                /* vector + 1 */
    unsigned long fault_rip, fault_ec;
    unsigned long callback;             /* a callback was entered */
    long yield_rc;                      /* a SCHEDOP_yield that gave != 0 */
};
struct ap_shared vi_ap;
/* Filled by vi_ap_entry before any C runs: rdi, r15, cs, ss. */
unsigned long vi_ap_regs[4];
static struct vcpu_runstate_info ap_runstate;
static uint64_t ap_gs_area[2] = { AP_GS_MAGIC, 0 };
static uint64_t ap_fs_area[2] = { AP_FS_MAGIC, 0 };

#define LOAD(x)         __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v)     __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

void vi_ap_main(void) __noreturn;
void vi_ap_fault(const unsigned long *frame) __noreturn;
void vi_ap_cb(void) __noreturn;
extern const char vi_ap_entry[], vi_ap_traps[], vi_ap_callback[];

/*
 * vCPU 1's entry, trap stubs (one per vector, 16 bytes apart, as
 * tests/pv/lib/traps.S) and callback entry: each records what it can and
 * hands over to C.
 */
asm (
    "    .pushsection .text, \"ax\", @progbits\n"
    "    .globl vi_ap_entry\n"
    "vi_ap_entry:\n"
    "    mov %rdi, vi_ap_regs+0(%rip)\n"
    "    mov %r15, vi_ap_regs+8(%rip)\n"
    "    mov %cs, %eax\n"
    "    mov %rax, vi_ap_regs+16(%rip)\n"
    "    mov %ss, %eax\n"
    "    mov %rax, vi_ap_regs+24(%rip)\n"
    "    cld\n"
    "    call vi_ap_main\n"
    "    ud2\n"
    "    .balign 16\n"
    "    .globl vi_ap_traps\n"
    "vi_ap_traps:\n"
    "    vi_vec = 0\n"
    "    .rept 32\n"
    "    .balign 16\n"
    "    pushq $vi_vec\n"
    "    jmp vi_ap_trap_common\n"
    "    vi_vec = vi_vec + 1\n"
    "    .endr\n"
    "vi_ap_trap_common:\n"
    "    mov %rsp, %rdi\n"
    "    and $-16, %rsp\n"
    "    call vi_ap_fault\n"
    "    ud2\n"
    "    .globl vi_ap_callback\n"
    "vi_ap_callback:\n"
    "    and $-16, %rsp\n"
    "    call vi_ap_cb\n"
    "    ud2\n"
    "    .popsection\n");

static void ap_park(void) __noreturn;
static void ap_park(void)
{
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_yield, 0);
}

/* Vectors with an error code (as tests/pv/lib/traps.c). */
#define HAS_EC ((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) |         \
                (1u << 13) | (1u << 14) | (1u << 17) | (1u << 21))

/* frame: vector, rcx, r11, [error code], rip, cs, rflags, rsp, ss */
void vi_ap_fault(const unsigned long *frame)
{
    unsigned long vec = frame[0] & 31;
    bool ec = (HAS_EC >> vec) & 1;

    STORE(vi_ap.fault_ec, ec ? frame[3] : 0);
    STORE(vi_ap.fault_rip, frame[ec ? 4 : 3]);
    STORE(vi_ap.fault, vec + 1);
    ap_park();
}

void vi_ap_cb(void)
{
    STORE(vi_ap.callback, 1);
    ap_park();
}

static bool port_bit(const xen_ulong_t *words, unsigned long port)
{
    return (LOAD(words[port / (8 * sizeof(xen_ulong_t))]) >>
            (port % (8 * sizeof(xen_ulong_t)))) & 1;
}

/*
 * vCPU 1. No library calls: the report and trap code are vCPU 0's. It
 * spins on SCHEDOP_yield (counting) until vCPU 0 bumps vi_ap.seq, then
 * runs vi_ap.cmd.
 */
void vi_ap_main(void)
{
    const shared_info_t *si = (const shared_info_t *)si_page;
    vcpu_register_runstate_memory_area_t ra;
    unsigned long seen = 0, v;
    uint16_t es = SEL_UDS;

    asm volatile ("mov %0, %%es\n\tmov %%es, %0" : "+r" (es));
    STORE(vi_ap.es, es);
    asm volatile ("mov %%gs:0, %0" : "=r" (v));
    STORE(vi_ap.gs0, v);
    asm volatile ("mov %%fs:0, %0" : "=r" (v));
    STORE(vi_ap.fs0, v);
    ra.addr.p = (unsigned long)&ap_runstate;
    STORE(vi_ap.rs_rc, HYPERVISOR_vcpu_op(
              VCPUOP_register_runstate_memory_area, 1, &ra));
    STORE(vi_ap.is_up_self, HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, 0));
    STORE(vi_ap.stage, ST_STARTED);

    for (;;) {
        unsigned long seq = LOAD(vi_ap.seq);

        if (seq == seen) {
            long rc;

            STORE(vi_ap.spins, LOAD(vi_ap.spins) + 1);
            rc = HYPERVISOR_sched_op(SCHEDOP_yield, 0);
            if (rc)
                STORE(vi_ap.yield_rc, rc);  /* e.g. resumed mid-call */
            continue;
        }
        seen = seq;
        switch (LOAD(vi_ap.cmd)) {
        case CMD_POLL: {
            evtchn_port_t port = (evtchn_port_t)LOAD(vi_ap.port);
            struct sched_poll p = { .nr_ports = 1, .timeout = 0 };

            set_xen_guest_handle(p.ports, &port);
            STORE(vi_ap.stage, ST_POLLING);
            STORE(vi_ap.poll_rc, HYPERVISOR_sched_op(SCHEDOP_poll, &p));
            STORE(vi_ap.poll_pending, port_bit(si->evtchn_pending, port));
            STORE(vi_ap.stage, ST_POLLED);
            break;
        }
        case CMD_PERIODIC: {        /* test_known_bugs */
            struct vcpu_set_periodic_timer pt = { .period_ns = 10000000 };

            STORE(vi_ap.poll_rc, HYPERVISOR_vcpu_op(
                      VCPUOP_set_periodic_timer, 1, &pt));
            STORE(vi_ap.down_rc, HYPERVISOR_vcpu_op(
                      VCPUOP_stop_periodic_timer, 1, 0));
            STORE(vi_ap.stage, ST_PERIODIC);
            break;
        }
        case CMD_DOWN:
            STORE(vi_ap.stage, ST_DOWNING);
            STORE(vi_ap.down_rc, HYPERVISOR_vcpu_op(VCPUOP_down, 1, 0));
            STORE(vi_ap.stage, ST_RESUMED);
            break;
        default:
            break;
        }
    }
}

/* ---- vCPU 0 ------------------------------------------------------------- */

static unsigned long gdt_va, gdt_mfn;
static uint64_t gdt_pte;            /* as found: RW */
static bool ctx_taken;              /* a bad context was accepted */
static uint32_t tsc_mul;            /* 0: count yields instead */
static int8_t tsc_shift;
static bool ap_lost;                /* a wait ran out */
static uint64_t longest_wait_ns;

static long vcpu_init(unsigned long id, const void *c)
{
    return HYPERVISOR_vcpu_op(VCPUOP_initialise, id, c);
}

static long is_up(unsigned long id)
{
    return HYPERVISOR_vcpu_op(VCPUOP_is_up, id, 0);
}

static void ap_command(unsigned long cmd)
{
    STORE(vi_ap.cmd, cmd);
    STORE(vi_ap.seq, LOAD(vi_ap.seq) + 1);
}

static bool ap_stage_is(unsigned long s)
{
    return LOAD(vi_ap.stage) == s;
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    asm volatile ("rdtsc" : "=a" (lo), "=d" (hi));
    return ((uint64_t)hi << 32) | lo;
}

/* ns since tsc0 (the pvclock scaling); 0 without a rate. */
static uint64_t ns_since(uint64_t tsc0)
{
    uint64_t d = rdtsc() - tsc0;

    if (tsc_shift >= 0)
        d <<= tsc_shift;
    else
        d >>= -tsc_shift;
    return (uint64_t)(((unsigned __int128)d * tsc_mul) >> 32);
}

/* Yield for about ns (or `yields` SCHEDOP_yields) or until cond(arg). */
static bool yield_until(bool (*cond)(unsigned long), unsigned long arg,
                        uint64_t ns, unsigned long yields)
{
    uint64_t t0 = rdtsc();
    unsigned long i;

    for (i = 0; i < yields && (!tsc_mul || ns_since(t0) < ns); i++) {
        if (cond && cond(arg))
            return true;
        HYPERVISOR_sched_op(SCHEDOP_yield, 0);
    }
    return cond && cond(arg);
}

/* Bounded wait for cond(arg); a timeout sets ap_lost. */
static bool wait_until(bool (*cond)(unsigned long), unsigned long arg)
{
    uint64_t t0 = rdtsc(), ns;
    bool ok;

    if (ap_lost)
        return cond(arg);
    ok = yield_until(cond, arg, WAIT_NS, WAIT_YIELDS);
    ns = ns_since(t0);
    if (ns > longest_wait_ns)
        longest_wait_ns = ns;
    if (!ok) {
        ap_lost = true;
        pvt_printf("xhv-hostile: vcpu_init: a wait for vCPU 1 ran out "
                   "(%lu ms); later waits only look once\n",
                   (unsigned long)(ns / 1000000));
    }
    return ok;
}

static bool stage_reached(unsigned long s)
{
    return ap_stage_is(s) || LOAD(vi_ap.fault) || LOAD(vi_ap.callback);
}

static bool vcpu1_is_down(unsigned long unused)
{
    (void)unused;
    return is_up(1) == 0;
}

static bool spins_past(unsigned long n)
{
    return LOAD(vi_ap.spins) > n;
}

static bool runstate_is(unsigned long state)
{
    return (unsigned long)LOAD(ap_runstate.state) == state;
}

static void quiet(void)
{
    yield_until(NULL, 0, QUIET_NS, QUIET_YIELDS);
}

static void good_context(void)
{
    const struct trap_info none = { 0 };
    unsigned int v;

    memset(&good, 0, sizeof(good));
    good.flags = VGCF_in_kernel;
    good.user_regs.rip = (unsigned long)vi_ap_entry;
    good.user_regs.rsp = (unsigned long)ap_stack + sizeof(ap_stack);
    good.user_regs.cs = SEL_KCS;
    good.user_regs.ss = SEL_KDS;
    good.user_regs.rflags = 0x1000;         /* IOPL 1, as Linux passes */
    good.user_regs.rdi = AP_RDI;
    good.user_regs.r15 = AP_R15;
    for (v = 0; v < 256; v++)
        good.trap_ctxt[v] = none;
    for (v = 0; v < 32; v++) {
        if (v == 2 || v == 8 || v == 18)
            continue;
        good.trap_ctxt[v].vector = (uint8_t)v;
        good.trap_ctxt[v].flags = (v == 3 || v == 4) ? 3 : 0;
        good.trap_ctxt[v].cs = FLAT_KERNEL_CS;
        good.trap_ctxt[v].address = (unsigned long)vi_ap_traps + 16 * v;
    }
    good.gdt_frames[0] = gdt_mfn;
    good.gdt_ents = GDT_ENTS;
    good.kernel_ss = SEL_KDS;
    good.kernel_sp = good.user_regs.rsp;
    good.ctrlreg[3] = mmu_facts()->l4_mfn << 12;    /* xen_pfn_to_cr3 */
    good.event_callback_eip = (unsigned long)vi_ap_callback;
    good.failsafe_callback_eip = (unsigned long)vi_ap_callback;
    good.syscall_callback_eip = (unsigned long)vi_ap_callback;
    good.fs_base = (unsigned long)ap_fs_area;
    good.gs_base_kernel = (unsigned long)ap_gs_area;
}

/* After a refusal: vCPU 1 not up, no context, gdt_page untyped. */
static void unchanged(const char *name)
{
    long up = is_up(1), probe = vcpu_init(1, (void *)VA_UNMAPPED);
    long rw = pte_write(gdt_va, gdt_pte), ro = pte_write(gdt_va,
                                                          gdt_pte & ~PTE_RW);

    pvt_ok(name, up == 0 && probe == -XEN_EFAULT && rw == 0 && ro == 0,
           "is_up %ld (want 0); initialise probe %ld (want -14; -17: a "
           "context was installed); gdt_page RW %ld (want 0; -16: a type "
           "reference was left), RO %ld", up, probe, rw, ro);
    if (ro)
        pvt_error("vcpu_init: gdt_page is not read-only any more");
}

/* initialise(1, c) must give `expected` and change nothing. */
static void refuse(const struct vcpu_guest_context *c, long expected,
                   const char *fmt, ...) __printf(3, 4);
static void refuse(const struct vcpu_guest_context *c, long expected,
                   const char *fmt, ...)
{
    char name[80], uname[96];
    va_list ap;
    long rc;

    if (ctx_taken)
        return;
    va_start(ap, fmt);
    pvt_vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    rc = vcpu_init(1, c);
    check(rc, expected, "vcpu_init/%s", name);
    if (rc == 0) {
        ctx_taken = true;
        pvt_printf("xhv-hostile: vcpu_init: vCPU 1 took the bad context "
                   "'%s'; the remaining cases cannot run\n", name);
        return;
    }
    pvt_snprintf(uname, sizeof(uname), "vcpu_init/%s_unchanged", name);
    unchanged(uname);
}

/* ctx = good with one field of `size` bytes at `off` set to val. */
static const struct vcpu_guest_context *with(size_t off, size_t size,
                                             unsigned long val)
{
    ctx = good;
    memcpy((uint8_t *)&ctx + off, &val, size);
    return &ctx;
}

#define FIELD(f)  offsetof(struct vcpu_guest_context, f), \
                  sizeof(((struct vcpu_guest_context *)0)->f)

struct field_case {
    const char *name;
    size_t off, size;
};

static void test_addresses(void)
{
    static const struct field_case fields[] = {
        { "rip", FIELD(user_regs.rip) },
        { "rsp", FIELD(user_regs.rsp) },
        { "kernel_sp", FIELD(kernel_sp) },
        { "event_callback", FIELD(event_callback_eip) },
        { "failsafe_callback", FIELD(failsafe_callback_eip) },
        { "syscall_callback", FIELD(syscall_callback_eip) },
        { "fs_base", FIELD(fs_base) },
        { "gs_base_kernel", FIELD(gs_base_kernel) },
        { "gs_base_user", FIELD(gs_base_user) },
        { "trap14_address", FIELD(trap_ctxt[14].address) },
        { "trap255_address", FIELD(trap_ctxt[255].address) },
        { "debugreg0", FIELD(debugreg[0]) },
    };
    static const struct bad_ptr where[] = {
        { "noncanonical", VA_NONCANON },
        { "hole_start", VA_HOLE_M2P },
        { "hole_shim_text", VA_HOLE_SHIM },
        { "hole_last_word", VA_HOLE_LAST },
    };
    unsigned int f, w;

    for (f = 0; f < PVT_ARRAY_SIZE(fields); f++)
        for (w = 0; w < PVT_ARRAY_SIZE(where); w++)
            refuse(with(fields[f].off, fields[f].size, where[w].va),
                   -XEN_EINVAL, "%s_%s", fields[f].name, where[w].name);
}

static void test_gdt(const struct mmu_facts *m)
{
    unsigned long rw_va = (unsigned long)rw_page;
    uint64_t rw_pte = pte_read(rw_va);
    const struct { const char *name; unsigned long mfn; } frames[] = {
        { "foreign", m->foreign_mfn }, { "m2p", m->m2p_mfn },
        { "mfn0", 0 }, { "beyond_ram", m->beyond_mfn }, { "max", ~0UL },
        { "l4", m->l4_mfn }, { "l3", m->l3_mfn }, { "l1", m->l1_mfn },
        { "rw_page", va_to_mfn(rw_page) },
        { "shared_info", m->shared_info_mfn },
    };
    unsigned int i;

    refuse(with(FIELD(gdt_ents), FIRST_RESERVED_GDT_ENTRY + 1), -XEN_EINVAL,
           "gdt_ents_7169");
    refuse(with(FIELD(gdt_ents), (1UL << 32) + 16), -XEN_EINVAL,
           "gdt_ents_2^32+16");
    refuse(with(FIELD(gdt_ents), ~0UL), -XEN_EINVAL, "gdt_ents_max");
    for (i = 0; i < PVT_ARRAY_SIZE(frames); i++)
        refuse(with(FIELD(gdt_frames[0]), frames[i].mfn), -XEN_EINVAL,
               "gdt_frame_%s", frames[i].name);

    /* The first frame typed, the second refused: the first let go. */
    ctx = good;
    ctx.gdt_frames[1] = va_to_mfn(rw_page);
    ctx.gdt_ents = 1024;
    refuse(&ctx, -XEN_EINVAL, "gdt_second_frame_rw");

    /* gdt_page as all 14 frames: 14 type references, all let go. */
    ctx = good;
    for (i = 0; i < FIRST_RESERVED_GDT_PAGE; i++)
        ctx.gdt_frames[i] = gdt_mfn;
    ctx.gdt_ents = FIRST_RESERVED_GDT_ENTRY;
    ctx.user_regs.cs = SEL_KDS;
    refuse(&ctx, -XEN_EINVAL, "gdt_14_frames_cs_data");
    ctx.user_regs.cs = good.user_regs.cs;
    ctx.gdt_frames[FIRST_RESERVED_GDT_PAGE - 1] = va_to_mfn(rw_page);
    refuse(&ctx, -XEN_EINVAL, "gdt_14th_frame_rw");

    /* A read-only page of ours holding a call gate: validation refuses. */
    memset(rw_page, 0, sizeof(rw_page));
    ((uint64_t *)rw_page)[3] = DESC_CALL_GATE;
    if (check(pte_write(rw_va, rw_pte & ~PTE_RW), 0,
              "vcpu_init/call_gate_page_ro")) {
        refuse(with(FIELD(gdt_frames[0]), va_to_mfn(rw_page)), -XEN_EINVAL,
               "gdt_frame_call_gate");
        check(pte_write(rw_va, rw_pte), 0, "vcpu_init/call_gate_page_rw_again");
    }
    memset(rw_page, 0, sizeof(rw_page));
}

static void test_selectors(void)
{
    static const struct { const char *name; unsigned long sel; } cs[] = {
        { "null", 0 }, { "ldt_rpl0", 0x14 }, { "ldt_rpl3", 0x17 },
        { "index16", (16 << 3) | 3 }, { "index7000", (7000 << 3) | 3 },
        { "zero_slot", SEL_ZERO }, { "data", SEL_KDS },
        { "code32_dpl0", SEL_CS32 }, { "code32_dpl3", SEL_UCS32 },
        { "long_and_d", SEL_LD_CODE }, { "not_present", SEL_NP_CODE },
        { "flat_cs32", FLAT_KERNEL_CS32 }, { "flat_ss64", FLAT_KERNEL_SS64 },
    }, ss[] = {
        { "code64", SEL_KCS }, { "flat_cs64", FLAT_KERNEL_CS64 },
        { "read_only", SEL_RO_DATA }, { "not_present", SEL_NP_DATA },
        { "null", 0 }, { "ldt", 0x1c }, { "index16", (16 << 3) | 3 },
    };
    unsigned int i;

    for (i = 0; i < PVT_ARRAY_SIZE(cs); i++)
        refuse(with(FIELD(user_regs.cs), cs[i].sel), -XEN_EINVAL, "cs_%s",
               cs[i].name);
    ctx = good;
    ctx.gdt_ents = 0;
    refuse(&ctx, -XEN_EINVAL, "cs_gdt_code_no_gdt");
    for (i = 0; i < PVT_ARRAY_SIZE(ss); i++)
        refuse(with(FIELD(user_regs.ss), ss[i].sel), -XEN_EINVAL, "ss_%s",
               ss[i].name);
    refuse(with(FIELD(kernel_ss), SEL_KCS), -XEN_EINVAL, "kernel_ss_code64");
    refuse(with(FIELD(kernel_ss), FLAT_KERNEL_CS64), -XEN_EINVAL,
           "kernel_ss_flat_cs64");
}

static void test_ctrlregs(const struct mmu_facts *m)
{
    const struct { const char *name; unsigned long mfn; } cr3[] = {
        { "mfn0", 0 }, { "l3", m->l3_mfn }, { "l1", m->l1_mfn },
        { "foreign", m->foreign_mfn }, { "m2p", m->m2p_mfn },
        { "beyond_ram", m->beyond_mfn }, { "max", ~0UL >> 12 },
        { "gdt_page", gdt_mfn }, { "rw_page", va_to_mfn(rw_page) },
        { "shared_info", m->shared_info_mfn },
    }, cr1[] = {
        { "l3", m->l3_mfn }, { "l1", m->l1_mfn },
        { "foreign", m->foreign_mfn }, { "beyond_ram", m->beyond_mfn },
        { "gdt_page", gdt_mfn }, { "rw_page", va_to_mfn(rw_page) },
    };
    static const unsigned long dr7[] = { 0x1, 0x2, 0x401, 0x80, 0xff };
    unsigned int i;

    for (i = 0; i < PVT_ARRAY_SIZE(cr3); i++)
        refuse(with(FIELD(ctrlreg[3]), cr3[i].mfn << 12), -XEN_EINVAL,
               "cr3_%s", cr3[i].name);
    for (i = 0; i < PVT_ARRAY_SIZE(cr1); i++)
        refuse(with(FIELD(ctrlreg[1]), cr1[i].mfn << 12), -XEN_EINVAL,
               "cr1_%s", cr1[i].name);
    for (i = 0; i < PVT_ARRAY_SIZE(dr7); i++)
        refuse(with(FIELD(debugreg[7]), dr7[i]), -XEN_EINVAL, "dr7_%lx",
               dr7[i]);
}

static long ext1(unsigned int cmd, unsigned long mfn)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.mfn = mfn;
    return HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF);
}

/*
 * A copy of our L4 (same mappings), pinned: the kernel L4 of a context
 * whose user L4 is bad; then vCPU 0's base pointer, unpinned (an L4 in
 * use but not pinned). Back on the bootstrap L4, the copy must be
 * untyped: no reference of a refused context stayed behind.
 */
static void test_fresh_l4(const struct mmu_facts *m)
{
    unsigned long fva = (unsigned long)fresh_l4, fmfn = va_to_mfn(fresh_l4);
    uint64_t fpte = pte_read(fva);
    bool pinned, switched = false;

    memcpy(fresh_l4, (const void *)env.pt_base, sizeof(fresh_l4));
    if (!check(pte_write(fva, fpte & ~PTE_RW), 0, "vcpu_init/fresh_l4_ro"))
        return;
    pinned = check(ext1(MMUEXT_PIN_L4_TABLE, fmfn), 0,
                   "vcpu_init/fresh_l4_pin");
    if (pinned) {
        ctx = good;
        ctx.ctrlreg[3] = fmfn << 12;
        ctx.ctrlreg[1] = m->l3_mfn << 12;
        refuse(&ctx, -XEN_EINVAL, "cr1_l3_with_fresh_cr3");
        ctx.ctrlreg[1] = 0;
        ctx.user_regs.cs = SEL_KDS;
        refuse(&ctx, -XEN_EINVAL, "cs_data_with_fresh_cr3");
        switched = check(ext1(MMUEXT_NEW_BASEPTR, fmfn), 0,
                         "vcpu_init/fresh_l4_new_baseptr");
        if (switched) {
            if (check(ext1(MMUEXT_UNPIN_TABLE, fmfn), 0,
                      "vcpu_init/fresh_l4_unpin_in_use")) {
                pinned = false;
                refuse(with(FIELD(ctrlreg[3]), fmfn << 12), -XEN_EINVAL,
                       "cr3_unpinned_l4");
            }
            check(ext1(MMUEXT_NEW_BASEPTR, m->l4_mfn), 0,
                  "vcpu_init/bootstrap_l4_back");
        }
        if (pinned)
            check(ext1(MMUEXT_UNPIN_TABLE, fmfn), 0,
                  "vcpu_init/fresh_l4_unpin");
    }
    check(pte_write(fva, fpte), 0, "vcpu_init/fresh_l4_rw_again");
}

/* Everything that must be refused; vCPU 1 has no context throughout. */
static void test_refusals(const struct mmu_facts *m)
{
    unsigned long end = env.map_end;
    unsigned int i;

    check(is_up(1), 0, "vcpu_init/is_up_1_at_start");
    check(HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0), -XEN_EINVAL,
          "vcpu_init/up_without_context");
    check(HYPERVISOR_vcpu_op(VCPUOP_down, 1, 0), 0,
          "vcpu_init/down_without_context");
    unchanged("vcpu_init/down_without_context_unchanged");

    for (i = 0; i < nr_bad_ptrs; i++)
        refuse((const void *)bad_ptrs[i].va, -XEN_EFAULT, "ctx_%s",
               bad_ptrs[i].name);
    /* The context's first 64 bytes mapped, the rest not. */
    refuse((const void *)(end - 64), -XEN_EFAULT, "ctx_straddles_map_end");

    refuse(with(FIELD(flags), 0), -XEN_EINVAL, "flags_0");
    refuse(with(FIELD(flags), VGCF_online | VGCF_i387_valid), -XEN_EINVAL,
           "flags_no_in_kernel");
    test_addresses();
    refuse(with(FIELD(ldt_ents), 1), -XEN_EINVAL, "ldt_ents_1");
    refuse(with(FIELD(ldt_ents), 8192), -XEN_EINVAL, "ldt_ents_8192");
    refuse(with(FIELD(ldt_base), VA_HOLE_SHIM), -XEN_EINVAL, "ldt_base_hole");
    test_gdt(m);
    test_selectors();
    test_ctrlregs(m);
    test_fresh_l4(m);
    if (!ctx_taken)
        check(HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0), -XEN_EINVAL,
              "vcpu_init/up_still_without_context");
}

static bool ap_ok(const char *name, bool ok)
{
    return pvt_ok(name, ok && !LOAD(vi_ap.fault) && !LOAD(vi_ap.callback) &&
                        !LOAD(vi_ap.yield_rc),
                  "stage %lu, fault %lu at %lx (error %lx), callback %lu, "
                  "yield returned %ld", LOAD(vi_ap.stage), LOAD(vi_ap.fault),
                  LOAD(vi_ap.fault_rip), LOAD(vi_ap.fault_ec),
                  LOAD(vi_ap.callback), LOAD(vi_ap.yield_rc));
}

/* vCPU 1 polls `port`; vCPU 0 sends once it is seen blocked. */
static void test_poll(evtchn_port_t port, bool masked)
{
    shared_info_t *si = (shared_info_t *)si_page;
    vcpu_info_t *vi1 = &si->vcpu_info[1];
    unsigned int w = port / (8 * sizeof(xen_ulong_t));
    xen_ulong_t bit = (xen_ulong_t)1 << (port % (8 * sizeof(xen_ulong_t)));
    const char *k = masked ? "masked" : "unmasked";
    struct evtchn_send send = { .port = port };
    char name[64];

    __atomic_fetch_and(&si->evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST);
    if (masked)
        __atomic_fetch_or(&si->evtchn_mask[w], bit, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(&si->evtchn_mask[w], ~bit, __ATOMIC_SEQ_CST);
    STORE(vi1->evtchn_upcall_pending, 0);
    STORE(vi1->evtchn_pending_sel, 0);

    STORE(vi_ap.port, port);
    ap_command(CMD_POLL);
    pvt_snprintf(name, sizeof(name), "vcpu_init/poll_%s_blocked", k);
    if (!ap_ok(name, wait_until(stage_reached, ST_POLLING) &&
                     wait_until(runstate_is, RUNSTATE_blocked)))
        return;
    quiet();
    pvt_snprintf(name, sizeof(name), "vcpu_init/poll_%s_stays_blocked", k);
    ap_ok(name, ap_stage_is(ST_POLLING));
    pvt_snprintf(name, sizeof(name), "vcpu_init/poll_%s_send", k);
    check(HYPERVISOR_event_channel_op(EVTCHNOP_send, &send), 0, "%s", name);
    pvt_snprintf(name, sizeof(name), "vcpu_init/poll_%s_woken", k);
    if (!ap_ok(name, wait_until(stage_reached, ST_POLLED)))
        return;
    pvt_snprintf(name, sizeof(name), "vcpu_init/poll_%s_result", k);
    pvt_ok(name, LOAD(vi_ap.poll_rc) == 0 && LOAD(vi_ap.poll_pending) == 1,
           "poll returned %ld, port pending %lu", LOAD(vi_ap.poll_rc),
           LOAD(vi_ap.poll_pending));
    pvt_snprintf(name, sizeof(name), "vcpu_init/poll_%s_upcall", k);
    if (masked)
        pvt_ok(name, (LOAD(si->evtchn_mask[w]) & bit) &&
                     !LOAD(vi1->evtchn_upcall_pending) &&
                     !LOAD(vi1->evtchn_pending_sel),
               "mask %lx, vCPU 1 upcall_pending %u, pending_sel %lx "
               "(a masked port raises no upcall)",
               (unsigned long)(LOAD(si->evtchn_mask[w]) & bit),
               LOAD(vi1->evtchn_upcall_pending),
               (unsigned long)LOAD(vi1->evtchn_pending_sel));
    else
        pvt_ok(name, LOAD(vi1->evtchn_upcall_pending) == 1 &&
                     (LOAD(vi1->evtchn_pending_sel) >> w) & 1,
               "vCPU 1 upcall_pending %u, pending_sel %lx",
               LOAD(vi1->evtchn_upcall_pending),
               (unsigned long)LOAD(vi1->evtchn_pending_sel));
    /* vCPU 1 never unmasks events; tidy up anyway. */
    STORE(vi1->evtchn_upcall_pending, 0);
    STORE(vi1->evtchn_pending_sel, 0);
    __atomic_fetch_and(&si->evtchn_pending[w], ~bit, __ATOMIC_SEQ_CST);
}

static void test_ipi(void)
{
    struct evtchn_bind_ipi b = { .vcpu = env.nr_vcpus };
    struct evtchn_status st;
    struct evtchn_close c;

    check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b), -XEN_ENOENT,
          "vcpu_init/ipi_bind_no_vcpu");
    b.vcpu = 1;
    b.port = 0;
    if (!check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b), 0,
               "vcpu_init/ipi_bind") || !b.port)
        return;
    memset(&st, 0, sizeof(st));
    st.dom = DOMID_SELF;
    st.port = b.port;
    pvt_ok("vcpu_init/ipi_status",
           HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == 0 &&
           st.status == EVTCHNSTAT_ipi && st.vcpu == 1,
           "port %u: status %u vcpu %u", b.port, st.status, st.vcpu);
    test_poll(b.port, true);
    if (ap_stage_is(ST_POLLED))
        test_poll(b.port, false);
    c.port = b.port;
    check(HYPERVISOR_event_channel_op(EVTCHNOP_close, &c), 0,
          "vcpu_init/ipi_close");
}

/* Does vCPU 1's counter stand still over a quiet spell (QUIET_NS)? */
static bool spins_frozen(void)
{
    unsigned int tries;

    for (tries = 0; tries < 10; tries++) {
        unsigned long s = LOAD(vi_ap.spins);

        quiet();
        if (LOAD(vi_ap.spins) == s)
            return true;
    }
    return false;
}

static void test_down_up(void)
{
    unsigned long s;

    /* vCPU 0 takes vCPU 1 down while it spins. */
    s = LOAD(vi_ap.spins);
    if (!ap_ok("vcpu_init/remote_down_spinning", wait_until(spins_past, s)))
        return;
    check(HYPERVISOR_vcpu_op(VCPUOP_down, 1, 0), 0, "vcpu_init/remote_down");
    check(is_up(1), 0, "vcpu_init/remote_down_is_up");
    pvt_ok("vcpu_init/remote_down_stops", spins_frozen() &&
           wait_until(runstate_is, RUNSTATE_offline),
           "vCPU 1 still counts (%lu), runstate %d", LOAD(vi_ap.spins),
           LOAD(ap_runstate.state));
    check(HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0), 0, "vcpu_init/remote_down_up");
    s = LOAD(vi_ap.spins);
    ap_ok("vcpu_init/remote_down_resumes", wait_until(spins_past, s) &&
          is_up(1) == 1);

    /* vCPU 1 takes itself down; up resumes it after the hypercall. */
    ap_command(CMD_DOWN);
    if (!pvt_ok("vcpu_init/self_down", wait_until(vcpu1_is_down, 0) &&
                ap_stage_is(ST_DOWNING),
                "is_up %ld, stage %lu", is_up(1), LOAD(vi_ap.stage)))
        return;
    check(vcpu_init(1, &good), -XEN_EEXIST, "vcpu_init/self_down_initialise");
    check(HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0), 0, "vcpu_init/self_down_up");
    if (ap_ok("vcpu_init/self_down_resumes",
              wait_until(stage_reached, ST_RESUMED)))
        check(LOAD(vi_ap.down_rc), 0, "vcpu_init/self_down_returned");
    ap_command(CMD_DOWN);
    pvt_ok("vcpu_init/self_down_again", wait_until(vcpu1_is_down, 0),
           "vCPU 1 still up (stage %lu)", LOAD(vi_ap.stage));
}

/*
 * Regression cases for two shim bugs this file found (both fixed):
 *   vcpu_init/known_down_up_race  vCPU 0: VCPUOP_down(1) then VCPUOP_up(1)
 *                          back to back, 200 times: each time vCPU 1 must
 *                          end up running (is_up 1, its counter moving).
 *                          xhv lost the up: vcpu_down_self() stored
 *                          is_up = false after vcpu_check_state() found it
 *                          false, over an up that came in between.
 *   vcpu_init/known_periodic_other  vCPU 0 sets, then stops, vCPU 1's
 *                          periodic timer (Xen allows any vCPU of the
 *                          domain), then vCPU 1 sets and stops its own:
 *                          all 0. xhv panicked: BUG_ON(t->cpu != me) in
 *                          shim/timer.c, the timer having been tracked on
 *                          CPU 0 (now the vCPU's own CPU applies it).
 */
static void test_known_bugs(void)
{
    struct vcpu_set_periodic_timer pt = { .period_ns = 10000000 };
    unsigned int i, lost = 0;

    for (i = 0; i < 200; i++) {
        unsigned long s = LOAD(vi_ap.spins) + 2;

        HYPERVISOR_vcpu_op(VCPUOP_down, 1, 0);
        HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0);
        if (!yield_until(spins_past, s, WAIT_NS / 10, WAIT_YIELDS)) {
            lost++;
            HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0);    /* on with the rest */
            if (!wait_until(spins_past, s))
                break;
        }
    }
    pvt_ok("vcpu_init/known_down_up_race", !lost,
           "%u of %u down+up pairs left vCPU 1 down", lost, i);

    check(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 1, &pt), 0,
          "vcpu_init/known_periodic_other_set");
    check(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 1, 0), 0,
          "vcpu_init/known_periodic_other_stop");
    ap_command(CMD_PERIODIC);
    if (ap_ok("vcpu_init/known_periodic_other",
              wait_until(stage_reached, ST_PERIODIC)))
        pvt_ok("vcpu_init/known_periodic_other_rc",
               !LOAD(vi_ap.poll_rc) && !LOAD(vi_ap.down_rc),
               "vCPU 1's own set %ld, stop %ld", LOAD(vi_ap.poll_rc),
               LOAD(vi_ap.down_rc));
}

static void test_good(const struct mmu_facts *m)
{
    unsigned long siva = (unsigned long)si_page;
    uint64_t sipte = pte_read(siva);

    if (!check(pte_write(siva, (sipte & ~PTE_ADDR) |
                               (m->shared_info_mfn << 12)), 0,
               "vcpu_init/map_shared_info"))
        return;
    tsc_mul = ((const shared_info_t *)si_page)->vcpu_info[1].time
              .tsc_to_system_mul;
    tsc_shift = ((const shared_info_t *)si_page)->vcpu_info[1].time
                .tsc_shift;
    if (!tsc_mul)
        pvt_printf("xhv-hostile: vcpu_init: no TSC rate in vCPU 1's "
                   "vcpu_time_info; waits count yields\n");
    if (!check(vcpu_init(1, &good), 0, "vcpu_init/good"))
        goto out;
    check(is_up(1), 0, "vcpu_init/good_not_up_yet");
    check(vcpu_init(1, &good), -XEN_EEXIST, "vcpu_init/good_again_before_up");
    check(pte_write(gdt_va, gdt_pte), -XEN_EBUSY,
          "vcpu_init/good_gdt_page_held");
    if (!check(HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0), 0, "vcpu_init/up"))
        goto out;
    if (!ap_ok("vcpu_init/ap_started", wait_until(stage_reached, ST_STARTED)))
        goto out;
    pvt_ok("vcpu_init/ap_registers",
           vi_ap_regs[0] == AP_RDI && vi_ap_regs[1] == AP_R15,
           "rdi %lx r15 %lx", vi_ap_regs[0], vi_ap_regs[1]);
    pvt_ok("vcpu_init/ap_selectors",
           vi_ap_regs[2] == (SEL_KCS | 3) && vi_ap_regs[3] == (SEL_KDS | 3),
           "cs %lx ss %lx (want RPL 3 of 0x10 / 0x18)", vi_ap_regs[2],
           vi_ap_regs[3]);
    pvt_check_x("vcpu_init/ap_gdt_es_loads", LOAD(vi_ap.es), SEL_UDS);
    pvt_check_x("vcpu_init/ap_gs_base", LOAD(vi_ap.gs0), AP_GS_MAGIC);
    pvt_check_x("vcpu_init/ap_fs_base", LOAD(vi_ap.fs0), AP_FS_MAGIC);
    check(LOAD(vi_ap.is_up_self), 1, "vcpu_init/ap_is_up_self");
    check(LOAD(vi_ap.rs_rc), 0, "vcpu_init/ap_runstate_area");
    check(is_up(1), 1, "vcpu_init/is_up_1");
    check(HYPERVISOR_vcpu_op(VCPUOP_up, 1, 0), 0, "vcpu_init/up_again");
    check(vcpu_init(1, &good), -XEN_EEXIST, "vcpu_init/initialise_running");

    test_ipi();
    test_known_bugs();
    test_down_up();
    ap_ok("vcpu_init/ap_no_fault", true);
    pvt_printf("xhv-hostile: vcpu_init: longest wait for vCPU 1 %lu us\n",
               (unsigned long)(longest_wait_ns / 1000));
    check(pte_write(gdt_va, gdt_pte), -XEN_EBUSY,
          "vcpu_init/gdt_page_held_at_end");
out:
    /* vCPU 1 is down (or never ran): flush everywhere anyway. */
    check(HYPERVISOR_update_va_mapping(siva, sipte, UVMF_INVLPG | UVMF_ALL),
          0, "vcpu_init/unmap_shared_info");
}

void test_vcpu_init(void)
{
    const struct mmu_facts *m = mmu_facts();
    unsigned int n = env.nr_vcpus;

    gdt_va = (unsigned long)gdt_page;
    gdt_mfn = va_to_mfn(gdt_page);
    gdt_pte = pte_read(gdt_va);
    memcpy(gdt_page, gdt_descs, sizeof(gdt_descs));
    good_context();

    check(vcpu_init(n, &good), -XEN_ENOENT, "vcpu_init/no_vcpu_%u", n);
    check(vcpu_init(8191, &good), -XEN_ENOENT, "vcpu_init/no_vcpu_8191");
    check(vcpu_init(0xffffffffUL, &good), -XEN_ENOENT,
          "vcpu_init/no_vcpu_0xffffffff");
    check(HYPERVISOR_vcpu_op(VCPUOP_up, n, 0), -XEN_ENOENT,
          "vcpu_init/up_no_vcpu_%u", n);
    check(vcpu_init(0, &good), -XEN_EEXIST, "vcpu_init/vcpu0_again");
    if (n < 2) {
        pvt_printf("xhv-hostile: vcpu_init: one vCPU: the vCPU 1 cases "
                   "need -smp 2 (boot row pv-hostile-smp2)\n");
        return;
    }
    if (!check(pte_write(gdt_va, gdt_pte & ~PTE_RW), 0,
               "vcpu_init/gdt_page_ro"))
        return;
    test_refusals(m);
    if (ctx_taken)
        return;
    test_good(m);
}
