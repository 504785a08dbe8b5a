// fpdiff.c — F and D differential test: a fixed-seed generator drives every
// F/D operation through every rounding mode with special, boundary and
// random operands (singles sometimes improperly NaN-boxed), and prints per
// operation a hash of all results and fflags plus the first raw results.
// The test runs it under xv6emu and qemu-system-riscv64 and compares the
// two outputs byte for byte.
#include "lib.h"

static void puthex(u64 v) {
    for (int i = 60; i >= 0; i -= 4) putc("0123456789abcdef"[(v >> i) & 15]);
}

static u64 state = 0x243f6a8885a308d3UL;
static u64 next(void) {  // splitmix64
    state += 0x9e3779b97f4a7c15UL;
    u64 z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
    return z ^ (z >> 31);
}

// An operand of a format (ebits/fbits), often special or near a boundary.
static u64 fpoperand(int ebits, int fbits) {
    u64 r = next(), sign = (r >> 63) << (ebits + fbits), frac = next() & ((1UL << fbits) - 1);
    u64 top = (1UL << ebits) - 1, bias = top >> 1, inf = top << fbits, qbit = 1UL << (fbits - 1);
    switch (r % 16) {
    case 0: {
        u64 s[8] = {0, inf, inf | qbit, inf | 1, inf - 1, 1, (1UL << fbits) - 1, inf | qbit | 5};
        return sign | s[(r >> 8) & 7];
    }
    case 1: case 2: return sign | (frac >> ((r >> 8) & 31));                       // subnormal
    case 3: return sign | ((1 + (r >> 8) % 3) << fbits) | frac;                    // just normal
    case 4: return sign | ((top - 1 - (r >> 8) % 3) << fbits) | frac;              // near overflow
    case 5: case 6: return sign | ((bias + (r >> 8) % 8 - 4) << fbits) | frac;     // near 1
    case 7: return sign | ((bias + (r >> 8) % 70) << fbits) | (frac & ~((1UL << fbits) >> 3));  // near integer limits
    case 8: return sign | ((bias + 20 + (r >> 8) % 40) << fbits) | (frac & 0xff);  // integer-valued, big
    // Just below the normal range, and just above/below 1: their products
    // and quotients land on the underflow threshold, where tininess is
    // decided after rounding.
    case 9: case 11: return sign | (((1UL << fbits) - 1 - (r >> 8) % 4) + ((r >> 12) & 1 ? 1UL << fbits : 0));
    case 10: case 12: return sign | ((r >> 8) & 1 ? (bias << fbits) | ((r >> 9) % 4) : ((bias - 1) << fbits) | ((1UL << fbits) - 1 - (r >> 9) % 4));
    default: return 1 + ebits + fbits == 64 ? next() : next() & ((1UL << (1 + ebits + fbits)) - 1);
    }
}

static u64 single(void) {
    u64 v = fpoperand(8, 23);
    return next() % 16 == 0 ? (next() << 32) | v : 0xffffffff00000000UL | v;  // sometimes not NaN-boxed
}
static u64 dbl(void) { return fpoperand(11, 52); }
static u64 integer(void) {
    u64 r = next();
    u64 s[12] = {0, 1, -1UL, 0x7fffffff, 0x80000000, 0xffffffff80000000UL, 0xffffffff, 1UL << 63,
                 (1UL << 63) - 1, (1UL << 24) + 1, (1UL << 53) + 1, 0xfffffffffffffc00UL};
    switch (r % 4) {
    case 0: return s[(r >> 8) % 12];
    case 1: return next() >> ((r >> 8) & 63);
    default: return next();
    }
}

typedef u64 (*opfn)(u64, u64, u64);

// Operands travel in integer registers and enter ft0/ft1/ft3 by fmv.d.x;
// FP results leave ft2 by fmv.x.d, so the 64-bit register (the NaN box) is seen.
#define FOP1(fn, insn, rm) static u64 fn(u64 a, u64 b, u64 c) { u64 r; (void)b; (void)c; \
    asm volatile("fmv.d.x ft0, %1\n\t" insn " ft2, ft0" rm "\n\tfmv.x.d %0, ft2" : "=r"(r) : "r"(a) : "ft0", "ft2"); return r; }
#define FOP2(fn, insn, rm) static u64 fn(u64 a, u64 b, u64 c) { u64 r; (void)c; \
    asm volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn " ft2, ft0, ft1" rm "\n\tfmv.x.d %0, ft2" \
                 : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1", "ft2"); return r; }
#define FOP3(fn, insn, rm) static u64 fn(u64 a, u64 b, u64 c) { u64 r; \
    asm volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfmv.d.x ft3, %3\n\t" insn " ft2, ft0, ft1, ft3" rm "\n\tfmv.x.d %0, ft2" \
                 : "=r"(r) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3"); return r; }
#define FCMP(fn, insn) static u64 fn(u64 a, u64 b, u64 c) { u64 r; (void)c; \
    asm volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn " %0, ft0, ft1" : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1"); return r; }
#define FTOI(fn, insn, rm) static u64 fn(u64 a, u64 b, u64 c) { u64 r; (void)b; (void)c; \
    asm volatile("fmv.d.x ft0, %1\n\t" insn " %0, ft0" rm : "=r"(r) : "r"(a) : "ft0"); return r; }
#define ITOF(fn, insn, rm) static u64 fn(u64 a, u64 b, u64 c) { u64 r; (void)b; (void)c; \
    asm volatile(insn " ft2, %1" rm "\n\tfmv.x.d %0, ft2" : "=r"(r) : "r"(a) : "ft2"); return r; }

#define DYN ", dyn"
// Conversions that are always exact take no rounding suffix in binutils 2.40.
#define EXACT_s DYN
#define EXACT_d ""
#define FORMAT(s) \
    FOP2(fadd_##s, "fadd." #s, DYN) FOP2(fsub_##s, "fsub." #s, DYN) FOP2(fmul_##s, "fmul." #s, DYN) \
    FOP2(fdiv_##s, "fdiv." #s, DYN) FOP1(fsqrt_##s, "fsqrt." #s, DYN) \
    FOP2(fmin_##s, "fmin." #s, "") FOP2(fmax_##s, "fmax." #s, "") \
    FOP3(fmadd_##s, "fmadd." #s, DYN) FOP3(fmsub_##s, "fmsub." #s, DYN) \
    FOP3(fnmsub_##s, "fnmsub." #s, DYN) FOP3(fnmadd_##s, "fnmadd." #s, DYN) \
    FOP2(fsgnj_##s, "fsgnj." #s, "") FOP2(fsgnjn_##s, "fsgnjn." #s, "") FOP2(fsgnjx_##s, "fsgnjx." #s, "") \
    FCMP(feq_##s, "feq." #s) FCMP(flt_##s, "flt." #s) FCMP(fle_##s, "fle." #s) FTOI(fclass_##s, "fclass." #s, "") \
    FTOI(fcvt_w_##s, "fcvt.w." #s, DYN) FTOI(fcvt_wu_##s, "fcvt.wu." #s, DYN) \
    FTOI(fcvt_l_##s, "fcvt.l." #s, DYN) FTOI(fcvt_lu_##s, "fcvt.lu." #s, DYN) \
    ITOF(fcvt_##s##_w, "fcvt." #s ".w", EXACT_##s) ITOF(fcvt_##s##_wu, "fcvt." #s ".wu", EXACT_##s) \
    ITOF(fcvt_##s##_l, "fcvt." #s ".l", DYN) ITOF(fcvt_##s##_lu, "fcvt." #s ".lu", DYN)
FORMAT(s)
FORMAT(d)
FTOI(fmv_x_w, "fmv.x.w", "") FTOI(fmv_x_d, "fmv.x.d", "")
ITOF(fmv_w_x, "fmv.w.x", "") ITOF(fmv_d_x, "fmv.d.x", "")
FOP1(fcvt_s_d, "fcvt.s.d", DYN) FOP1(fcvt_d_s, "fcvt.d.s", "")

// Static rounding modes, one function per mode.
#define STATIC5(fn, mac, insn) mac(fn##_rne, insn, ", rne") mac(fn##_rtz, insn, ", rtz") \
    mac(fn##_rdn, insn, ", rdn") mac(fn##_rup, insn, ", rup") mac(fn##_rmm, insn, ", rmm")
STATIC5(sadd_d, FOP2, "fadd.d") STATIC5(sdiv_s, FOP2, "fdiv.s") STATIC5(smadd_s, FOP3, "fmadd.s")
STATIC5(scvt_w_d, FTOI, "fcvt.w.d") STATIC5(scvt_s_l, ITOF, "fcvt.s.l")

enum { S, D, I };  // operand kinds
struct op { const char *name; opfn fn; int kind; };

#define ROW(s, K) \
    {"fadd." #s, fadd_##s, K}, {"fsub." #s, fsub_##s, K}, {"fmul." #s, fmul_##s, K}, {"fdiv." #s, fdiv_##s, K}, \
    {"fsqrt." #s, fsqrt_##s, K}, {"fmin." #s, fmin_##s, K}, {"fmax." #s, fmax_##s, K}, \
    {"fmadd." #s, fmadd_##s, K}, {"fmsub." #s, fmsub_##s, K}, {"fnmsub." #s, fnmsub_##s, K}, {"fnmadd." #s, fnmadd_##s, K}, \
    {"fsgnj." #s, fsgnj_##s, K}, {"fsgnjn." #s, fsgnjn_##s, K}, {"fsgnjx." #s, fsgnjx_##s, K}, \
    {"feq." #s, feq_##s, K}, {"flt." #s, flt_##s, K}, {"fle." #s, fle_##s, K}, {"fclass." #s, fclass_##s, K}, \
    {"fcvt.w." #s, fcvt_w_##s, K}, {"fcvt.wu." #s, fcvt_wu_##s, K}, {"fcvt.l." #s, fcvt_l_##s, K}, \
    {"fcvt.lu." #s, fcvt_lu_##s, K}, {"fcvt." #s ".w", fcvt_##s##_w, I}, {"fcvt." #s ".wu", fcvt_##s##_wu, I}, \
    {"fcvt." #s ".l", fcvt_##s##_l, I}, {"fcvt." #s ".lu", fcvt_##s##_lu, I}

static const struct op ops[] = {
    ROW(s, S), ROW(d, D),
    {"fmv.x.w", fmv_x_w, S}, {"fmv.x.d", fmv_x_d, D}, {"fmv.w.x", fmv_w_x, I}, {"fmv.d.x", fmv_d_x, I},
    {"fcvt.s.d", fcvt_s_d, D}, {"fcvt.d.s", fcvt_d_s, S},
};

#define ST(fn, K) {#fn, {fn##_rne, fn##_rtz, fn##_rdn, fn##_rup, fn##_rmm}, K}
static const struct { const char *name; opfn fn[5]; int kind; } statics[] = {
    ST(sadd_d, D), ST(sdiv_s, S), ST(smadd_s, S), ST(scvt_w_d, D), ST(scvt_s_l, I),
};

static u64 operand(int kind) { return kind == S ? single() : kind == D ? dbl() : integer(); }
static u64 fflags(void) { u64 f; asm volatile("csrr %0, fflags" : "=r"(f)); return f; }
static void clearflags(void) { asm volatile("csrw fflags, zero"); }
static u64 mix(u64 h, u64 v) { return (h ^ v) * 0x100000001b3UL + (h >> 29); }

#define PER 32
static u64 count;

static void report(const char *name, u64 h, u64 first, u64 firstflags) {
    puts(name); puts(" "); puthex(h); puts(" "); puthex(first); puts(" "); putu(firstflags); puts("\n");
}

int main(void) {
    u64 ms;
    asm volatile("csrr %0, mstatus" : "=r"(ms));
    puts("reset FS "); putu((ms >> 13) & 3); puts("\n");
    asm volatile("csrs mstatus, %0" :: "r"(1UL << 13));   // FS = Initial

    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        u64 h = 0, first = 0, firstflags = 0;
        for (u64 rm = 0; rm < 5; rm++) {
            asm volatile("csrw frm, %0" :: "r"(rm));
            for (int n = 0; n < PER; n++) {
                u64 a = operand(ops[i].kind), b = operand(ops[i].kind), c = operand(ops[i].kind);
                clearflags();
                u64 r = ops[i].fn(a, b, c), f = fflags();
                if (rm == 0 && n == 0) { first = r; firstflags = f; }
                h = mix(mix(h, r), f);
                count++;
            }
        }
        report(ops[i].name, h, first, firstflags);
    }
    asm volatile("csrw frm, %0" :: "r"(7UL));   // static modes must not look at frm
    for (unsigned i = 0; i < sizeof statics / sizeof statics[0]; i++) {
        u64 h = 0;
        for (int rm = 0; rm < 5; rm++) {
            for (int n = 0; n < PER; n++) {
                u64 a = operand(statics[i].kind), b = operand(statics[i].kind), c = operand(statics[i].kind);
                clearflags();
                u64 r = statics[i].fn[rm](a, b, c), f = fflags();
                h = mix(mix(h, r), f);
                count++;
            }
        }
        report(statics[i].name, h, 0, 0);
    }
    asm volatile("csrr %0, mstatus" : "=r"(ms));
    puts("FS "); putu((ms >> 13) & 3); puts(" SD "); putu(ms >> 63); puts("\n");
    puts("ops "); putu(count); puts("\n");
    return 0;
}
