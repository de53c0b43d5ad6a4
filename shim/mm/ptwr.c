/*
 * Writable page tables (Xen's ptwr, xen/arch/x86/pv/ro-page-fault.c): a
 * guest kernel that writes straight into one of its page tables, which are
 * mapped read-only, takes a #PF; the shim decodes the store, validates the
 * new entry exactly as mmu_update would (mm_mod_entry), applies it and
 * steps over the instruction.
 *
 * Unlike Xen, which emulates any instruction with its full emulator but
 * only for L1 tables, this decodes the few stores Linux's PV paths emit on
 * page-table entries, for tables of any level (L2-L4 writes are followed by
 * a TLB flush, as mmu_update does):
 *   mov r->m (88, 89), mov imm->m (c6 /0, c7 /0), xchg (86, 87),
 *   cmpxchg (0f b0, 0f b1; lock optional), or/and r->m (08, 09, 20, 21),
 *   or/and imm->m (80, 81, 83 /1 /4: set_bit/clear_bit), bts/btr imm
 *   (0f ba /5 /6: test_and_clear_bit on A/D bits);
 * 8-, 16-, 32- and 64-bit operands (a partial store is merged into the
 * 64-bit entry). The operand must be naturally aligned and in the page of
 * cr2. Prefixes: lock, 66, REX, and the CS/DS/ES/SS overrides (no-ops in
 * 64-bit mode); FS/GS, 67, rep and anything else is not handled.
 * Not emulated (the fault goes back to the guest): other instructions,
 * register-direct operands, a write the validators refuse, guest-user
 * mode, single-step (#DB after the emulated instruction is not injected).
 *
 * Locking: none (see include/xhv/mm.h).
 */
#include <xhv/guest_access.h>
#include <xhv/log.h>
#include <xhv/mm.h>
#include <xhv/regs.h>
#include <xhv/string.h>

#define MAX_INSN_LEN    15

#define FLAG_CF     BIT(0)
#define FLAG_PF     BIT(2)
#define FLAG_AF     BIT(4)
#define FLAG_ZF     BIT(6)
#define FLAG_SF     BIT(7)
#define FLAG_OF     BIT(11)
#define ARITH_FLAGS (FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF)

/* #PF error code bits (SDM 4.7), as the CPU pushes them. */
#define PFEC_P      BIT(0)
#define PFEC_W      BIT(1)
#define PFEC_RSVD   BIT(3)
#define PFEC_I      BIT(4)

enum op { OP_MOV, OP_XCHG, OP_CMPXCHG, OP_OR, OP_AND, OP_BTS, OP_BTR };

struct insn {
    enum op op;
    unsigned int len;
    unsigned int size;      /* operand bytes: 1, 2, 4, 8 */
    unsigned int reg;       /* ModRM.reg (with REX.R) for register sources */
    bool has_imm;
    bool rex;
    uint64_t imm;           /* sign-extended to the operand size */
    uint64_t ea;            /* effective (linear) address */
};

struct decoder {
    const uint8_t *b;
    unsigned int n, pos;
    bool ok;
};

static uint8_t next(struct decoder *dc)
{
    if (dc->pos >= dc->n) {
        dc->ok = false;
        return 0;
    }
    return dc->b[dc->pos++];
}

static uint64_t next_le(struct decoder *dc, unsigned int bytes)
{
    uint64_t v = 0;
    unsigned int i;

    for (i = 0; i < bytes; i++)
        v |= (uint64_t)next(dc) << (8 * i);
    /* Sign-extend (disp8/disp32/imm8/imm16/imm32 all are). */
    if (bytes < 8 && (v & (1ULL << (8 * bytes - 1))))
        v |= ~0ULL << (8 * bytes);
    return v;
}

static uint64_t size_mask(unsigned int size)
{
    return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Register n as an operand of this size (AH..BH without REX). */
static uint64_t reg_read(struct cpu_regs *r, const struct insn *in,
                         unsigned int n)
{
    if (in->size == 1 && !in->rex && n >= 4 && n < 8)
        return (*regs_gpr(r, n - 4) >> 8) & 0xff;
    return *regs_gpr(r, n) & size_mask(in->size);
}

/* Write with the CPU's rules: 32-bit writes zero-extend, 8/16 merge. */
static void reg_write(struct cpu_regs *r, const struct insn *in,
                      unsigned int n, uint64_t v)
{
    uint64_t *p;

    if (in->size == 1 && !in->rex && n >= 4 && n < 8) {
        p = regs_gpr(r, n - 4);
        *p = (*p & ~0xff00ULL) | ((v & 0xff) << 8);
        return;
    }
    p = regs_gpr(r, n);
    if (in->size >= 4)
        *p = v & size_mask(in->size);
    else
        *p = (*p & ~size_mask(in->size)) | (v & size_mask(in->size));
}

/* ModRM memory operand -> effective address; false if register-direct. */
static bool decode_modrm(struct decoder *dc, struct cpu_regs *r,
                         uint8_t rex, uint8_t modrm, uint64_t *ea,
                         bool *rip_rel)
{
    unsigned int mod = modrm >> 6, rm = modrm & 7;
    uint64_t addr = 0;

    *rip_rel = false;
    if (mod == 3)
        return false;
    if (rm == 4) {
        uint8_t sib = next(dc);
        unsigned int base = (sib & 7) | ((rex & 1) << 3);
        unsigned int index = ((sib >> 3) & 7) | ((rex & 2) << 2);

        if (index != 4)
            addr += *regs_gpr(r, index) << (sib >> 6);
        if ((sib & 7) == 5 && mod == 0)
            addr += next_le(dc, 4);
        else
            addr += *regs_gpr(r, base);
    } else if (rm == 5 && mod == 0) {
        *rip_rel = true;
        addr = next_le(dc, 4);
    } else {
        addr = *regs_gpr(r, rm | ((rex & 1) << 3));
    }
    if (mod == 1)
        addr += next_le(dc, 1);
    else if (mod == 2)
        addr += next_le(dc, 4);
    *ea = addr;
    return true;
}

/* Decode one store at bytes[0, n) executed with registers r. */
static bool decode(const uint8_t *bytes, unsigned int n, struct cpu_regs *r,
                   struct insn *in)
{
    struct decoder dc = { .b = bytes, .n = n, .ok = true };
    uint8_t b = 0, rex = 0, modrm, opsize = 0, sub;
    bool rip_rel, byte_op = false;
    unsigned int imm_bytes = 0, i;

    memset(in, 0, sizeof(*in));
    for (i = 0; i < MAX_INSN_LEN; i++) {
        b = next(&dc);
        if (b == 0xf0 || b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36)
            continue;               /* lock; no-op segment overrides */
        if (b == 0x66) {
            opsize = 1;
            continue;
        }
        break;
    }
    if ((b & 0xf0) == 0x40) {       /* REX, last before the opcode */
        rex = b;
        in->rex = true;
        b = next(&dc);
    }
    switch (b) {
    case 0x88: byte_op = true; /* fall through */
    case 0x89: in->op = OP_MOV; break;
    case 0x86: byte_op = true; /* fall through */
    case 0x87: in->op = OP_XCHG; break;
    case 0x08: byte_op = true; /* fall through */
    case 0x09: in->op = OP_OR; break;
    case 0x20: byte_op = true; /* fall through */
    case 0x21: in->op = OP_AND; break;
    case 0xc6: byte_op = true; /* fall through */
    case 0xc7: in->op = OP_MOV; in->has_imm = true; break;
    case 0x80: byte_op = true; imm_bytes = 1; /* fall through */
    case 0x81: in->op = OP_OR; in->has_imm = true; break;  /* /1 or /4 */
    case 0x83: in->op = OP_OR; in->has_imm = true; imm_bytes = 1; break;
    case 0x0f:
        b = next(&dc);
        if (b == 0xb0 || b == 0xb1) {
            in->op = OP_CMPXCHG;
            byte_op = b == 0xb0;
        } else if (b == 0xba) {
            in->op = OP_BTS;        /* /5 bts, /6 btr below */
            in->has_imm = true;
            imm_bytes = 1;
        } else {
            return false;
        }
        b = 0;
        break;
    default:
        return false;
    }
    in->size = byte_op ? 1 : (rex & 8) ? 8 : opsize ? 2 : 4;

    modrm = next(&dc);
    sub = (modrm >> 3) & 7;
    in->reg = sub | ((rex & 4) << 1);
    if (!decode_modrm(&dc, r, rex, modrm, &in->ea, &rip_rel))
        return false;
    if (in->has_imm) {
        if (in->op == OP_BTS) {
            if (sub != 5 && sub != 6)
                return false;
            in->op = sub == 5 ? OP_BTS : OP_BTR;
        } else if (in->op == OP_OR) {
            if (sub != 1 && sub != 4)
                return false;
            in->op = sub == 1 ? OP_OR : OP_AND;
        } else if (sub != 0) {
            return false;           /* c6/c7 with reg != 0 */
        }
        if (!imm_bytes)
            imm_bytes = in->size == 8 ? 4 : in->size;
        in->imm = next_le(&dc, imm_bytes) & size_mask(in->size);
    }
    if (!dc.ok || dc.pos > MAX_INSN_LEN)
        return false;
    in->len = dc.pos;
    if (rip_rel)
        in->ea += r->rip + in->len;
    return true;
}

static bool parity_even(uint64_t v)
{
    return !__builtin_parityll(v & 0xff);
}

/* Flags of a logic op (or, and): CF = OF = 0. */
static uint64_t logic_flags(uint64_t res, unsigned int size)
{
    uint64_t f = 0;

    if (!(res & size_mask(size)))
        f |= FLAG_ZF;
    if (res & (1ULL << (8 * size - 1)))
        f |= FLAG_SF;
    if (parity_even(res))
        f |= FLAG_PF;
    return f;
}

/* Flags of cmp a, b (a - b), as cmpxchg sets them. */
static uint64_t sub_flags(uint64_t a, uint64_t b, unsigned int size)
{
    uint64_t m = size_mask(size), res = (a - b) & m;
    uint64_t sign = 1ULL << (8 * size - 1);
    uint64_t f = logic_flags(res, size);

    if ((a & m) < (b & m))
        f |= FLAG_CF;
    if (((a ^ b) & (a ^ res)) & sign)
        f |= FLAG_OF;
    if ((a ^ b ^ res) & 0x10)
        f |= FLAG_AF;
    return f;
}

/* Fetch up to 15 bytes at rip without faulting on an unneeded next page. */
static unsigned int fetch(uint64_t rip, uint8_t *buf)
{
    unsigned int first = (unsigned int)MIN((uint64_t)MAX_INSN_LEN,
                                           PAGE_SIZE - (rip & (PAGE_SIZE - 1)));

    if (copy_from_guest(buf, rip, first))
        return 0;
    if (first < MAX_INSN_LEN &&
        !copy_from_guest(buf + first, rip + first, MAX_INSN_LEN - first))
        return MAX_INSN_LEN;
    return first;
}

bool ptwr_do_page_fault(struct vcpu *v, struct cpu_regs *r, uint64_t cr2)
{
    struct domain *d = v->domain;
    struct page_info *l1pg, *pg;
    uint8_t bytes[MAX_INSN_LEN];
    unsigned int idx, n, shift;
    uint64_t *l1, pte, *t, old_entry, new_entry, old_val, new_val, m;
    uint64_t src = 0, flags = 0, flag_mask = 0;
    bool write = true, flush = false;
    struct insn in;

    /* A guest-kernel write to a present page, in 64-bit code. */
    if (!v->in_kernel || r->cs != FLAT_KERNEL_CS64 ||
        (r->error_code & (PFEC_P | PFEC_W | PFEC_RSVD | PFEC_I)) !=
        (PFEC_P | PFEC_W))
        return false;
    /* ... through a read-only mapping of one of its page tables. */
    if (mm_walk_to_l1(d, v->cr3, cr2, &l1pg, &idx))
        return false;
    l1 = mm_arch_frame_va(page_to_mfn(l1pg));
    pte = l1[idx];
    if ((pte & (PTE_P | PTE_RW)) != PTE_P)
        return false;
    pg = mfn_to_page(pte_mfn(pte));
    if (!pg || pg->owner != d || !mm_is_table_type(pg->type) ||
        !pg->type_count || !(pg->flags & PGF_validated))
        return false;

    n = fetch(r->rip, bytes);
    if (!n || !decode(bytes, n, r, &in))
        return false;
    /* Only a naturally aligned store inside the faulting page. */
    if (((in.ea ^ cr2) & PAGE_MASK) || (in.ea & (in.size - 1)))
        return false;

    t = mm_arch_frame_va(page_to_mfn(pg));
    idx = (unsigned int)((in.ea & (PAGE_SIZE - 1)) >> 3);
    shift = (unsigned int)(in.ea & 7) * 8;
    m = size_mask(in.size);
    old_entry = t[idx];
    old_val = (old_entry >> shift) & m;
    if (!in.has_imm)
        src = reg_read(r, &in, in.reg);

    switch (in.op) {
    case OP_MOV:
        new_val = in.has_imm ? in.imm : src;
        break;
    case OP_XCHG:
        new_val = src;
        break;
    case OP_CMPXCHG: {
        uint64_t acc = *regs_gpr(r, 0) & m;

        flag_mask = ARITH_FLAGS;
        flags = sub_flags(acc, old_val, in.size);
        new_val = src;
        write = acc == old_val;
        break;
    }
    case OP_OR:
    case OP_AND:
        src = in.has_imm ? in.imm : src;
        new_val = in.op == OP_OR ? old_val | src : old_val & src;
        flag_mask = ARITH_FLAGS;
        flags = logic_flags(new_val, in.size);
        break;
    default: {                       /* OP_BTS, OP_BTR */
        unsigned int bit = (unsigned int)(in.imm & (8 * in.size - 1));

        flag_mask = FLAG_CF;
        flags = (old_val >> bit) & 1 ? FLAG_CF : 0;
        new_val = in.op == OP_BTS ? old_val | (1ULL << bit)
                                  : old_val & ~(1ULL << bit);
        break;
    }
    }

    if (write) {
        new_entry = (old_entry & ~(m << shift)) | ((new_val & m) << shift);
        if (mm_mod_entry(d, pg, idx, new_entry, false, &flush))
            return false;
        if (flush)
            mm_flush_tlb_local();
    }

    /* Committed: the architectural side effects. */
    if (in.op == OP_XCHG)
        reg_write(r, &in, in.reg, old_val);
    else if (in.op == OP_CMPXCHG && !write)
        reg_write(r, &in, 0, old_val);
    r->rflags = (r->rflags & ~flag_mask) | flags;
    r->rip += in.len;
    return true;
}
