// FloatInstructionTests.swift — F and D one instruction at a time on the
// bare hart: rounding modes (static and dynamic, reserved ones illegal),
// flag accrual, NaN boxing, the integer/FP register split (x0 sink, real
// f0), loads and stores including RVC, and mstatus.FS (Off traps, writes
// make it Dirty, SD follows). The arithmetic itself is checked against the
// host FPU in SoftFloatTests.swift.

import Testing
import TestSupport
@testable import RISCV

/// FP encoders for the tests.
enum F {
    static func r(_ funct7: UInt32, _ rm: UInt32, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 {
        Enc.r(0x53, rm, funct7, rd, rs1, rs2)
    }
    static func r4(_ opcode: UInt32, double: Bool, _ rm: UInt32, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32, _ rs3: UInt32) -> UInt32 {
        rs3 << 27 | (double ? 1 : 0) << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | opcode
    }
    static let dyn: UInt32 = 7
    // funct7 values (fmt in bit 0: 0 = S, 1 = D)
    static let add: UInt32 = 0x00, sub: UInt32 = 0x04, mul: UInt32 = 0x08, div: UInt32 = 0x0c, sqrt: UInt32 = 0x2c
    static let sgnj: UInt32 = 0x10, minmax: UInt32 = 0x14, cmp: UInt32 = 0x50
    static let cvtToInt: UInt32 = 0x60, cvtFromInt: UInt32 = 0x68, mvToInt: UInt32 = 0x70, mvFromInt: UInt32 = 0x78
    static let cvtSD: UInt32 = 0x20, cvtDS: UInt32 = 0x21
    static func flw(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { Enc.i(0x07, 2, rd, rs1, imm) }
    static func fld(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { Enc.i(0x07, 3, rd, rs1, imm) }
    static func fsw(_ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { Enc.s(0x27, 2, rs1, rs2, imm) }
    static func fsd(_ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { Enc.s(0x27, 3, rs1, rs2, imm) }
}

private let one32: UInt64 = 0x3f80_0000, one64: UInt64 = 0x3ff0_0000_0000_0000
private let boxed: UInt64 = 0xffff_ffff_0000_0000
private let fsInitial: UInt64 = 1 << 13

extension Bench {
    /// A bench with FS = Initial (reset leaves it Off, as QEMU does),
    /// `words` at the base, and the given f and x registers.
    static func fp(_ words: [UInt32], f: [Int: UInt64] = [:], x: [Int: UInt64] = [:], fcsr: UInt64 = 0) -> Bench {
        let b = Bench()
        b.setCSR(CSRNumber.mstatus, fsInitial)
        b.program(words)
        for (r, v) in f { b.hart.f[r] = v }
        for (r, v) in x { b[r] = v }
        b.hart.fcsr = fcsr
        return b
    }

    var trappedIllegal: Bool { csr(CSRNumber.mcause) == 2 && hart.pc == 0 }
    var fflags: UInt64 { hart.fcsr & 0x1f }
}

@Suite("F and D instructions")
struct FloatInstructionTests {
    /// (name, funct7, operands, expected by rm 0…4, flags) — a tie or an
    /// inexact quotient shows each rounding direction.
    static let rounding: [(String, UInt32, UInt64, UInt64, [UInt64], UInt64)] = [
        // 1 + 2^-53: exactly halfway between 1 and 1 + 2^-52.
        ("fadd.d tie", F.add | 1, one64, 0x3ca0_0000_0000_0000,
         [one64, one64, one64, one64 + 1, one64 + 1], 1),
        // −(1 + 2^-53)
        ("fadd.d negative tie", F.add | 1, one64 | 1 << 63, 0xbca0_0000_0000_0000,
         [one64 | 1 << 63, one64 | 1 << 63, (one64 + 1) | 1 << 63, one64 | 1 << 63, (one64 + 1) | 1 << 63], 1),
        // 1/3
        ("fdiv.d 1/3", F.div | 1, one64, 0x4008_0000_0000_0000,
         [0x3fd5_5555_5555_5555, 0x3fd5_5555_5555_5555, 0x3fd5_5555_5555_5555, 0x3fd5_5555_5555_5556, 0x3fd5_5555_5555_5555], 1),
        // 2/3 (single): 0x3f2aaaaa remainder above half
        ("fdiv.s 2/3", F.div, 0x4000_0000 | boxed, 0x4040_0000 | boxed,
         [0x3f2a_aaab, 0x3f2a_aaaa, 0x3f2a_aaaa, 0x3f2a_aaab, 0x3f2a_aaab].map { $0 | boxed }, 1),
        // max × 2 overflows: ∞ or the largest finite, by mode
        ("fmul.s overflow", F.mul, 0x7f7f_ffff | boxed, 0x4000_0000 | boxed,
         [0x7f80_0000, 0x7f7f_ffff, 0x7f7f_ffff, 0x7f80_0000, 0x7f80_0000].map { $0 | boxed }, 5),
        // smallest normal / 2^30: a subnormal with bits shifted out → UF|NX
        ("fmul.d underflow", F.mul | 1, 0x0010_0000_0000_0001, 0x3e10_0000_0000_0000,
         [0x0000_0000_0040_0000, 0x0000_0000_0040_0000, 0x0000_0000_0040_0000, 0x0000_0000_0040_0001, 0x0000_0000_0040_0000], 3),
    ]

    @Test("static rounding modes 0–4", arguments: rounding.indices)
    func staticRounding(_ i: Int) {
        let (name, funct7, a, b, want, flags) = Self.rounding[i]
        for rm in 0..<5 {
            let bench = Bench.fp([F.r(funct7, UInt32(rm), 10, 11, 12)], f: [11: a, 12: b])
            bench.step()
            #expect(bench.hart.f[10] == want[rm], "\(name) rm \(rm): \(hex(bench.hart.f[10]))")
            #expect(bench.fflags == flags, "\(name) rm \(rm) flags")
        }
    }

    @Test("dynamic rounding reads frm; rm 5 and 6, and frm 5–7 under dyn, are illegal")
    func dynamicRounding() {
        let word = F.r(F.div | 1, F.dyn, 10, 11, 12)
        for frm in 0..<8 {
            let b = Bench.fp([word], f: [11: one64, 12: 0x4008_0000_0000_0000], fcsr: UInt64(frm) << 5)
            b.step()
            if frm < 5 {
                #expect(b.hart.pc == Bench.base + 4)
                #expect(b.hart.f[10] == (frm == 3 ? 0x3fd5_5555_5555_5556 : 0x3fd5_5555_5555_5555), "frm \(frm)")
            } else {
                #expect(b.trappedIllegal, "frm \(frm)")
                #expect(b.csr(CSRNumber.mtval) == UInt64(word))
            }
        }
        for rm: UInt32 in [5, 6] {
            for w in [F.r(F.add, rm, 10, 11, 12), F.r(F.cvtToInt, rm, 10, 11, 0), F.r(F.cvtDS, rm, 10, 11, 0),
                      F.r4(0x43, double: true, rm, 10, 11, 12, 13)] {
                let b = Bench.fp([w])
                b.step()
                #expect(b.trappedIllegal, "rm \(rm) word \(hex(UInt64(w)))")
            }
        }
        // Operations without rounding ignore frm entirely (fsgnj's funct3 is not an rm).
        let b = Bench.fp([F.r(F.sgnj, 0, 10, 11, 12)], f: [11: one32 | boxed, 12: one32 | boxed], fcsr: 7 << 5)
        b.step()
        #expect(b.hart.f[10] == one32 | boxed)
    }

    @Test("flags accrue (OR) in fflags; frm is untouched")
    func accrue() {
        // fdiv 1/0 → DZ, then 1/3 → NX.
        let b = Bench.fp([F.r(F.div, 0, 10, 11, 0), F.r(F.div | 1, 0, 10, 12, 13)],
                         f: [11: one32 | boxed, 0: boxed, 12: one64, 13: 0x4008_0000_0000_0000], fcsr: 2 << 5)
        b.step()
        #expect(b.hart.fcsr == 2 << 5 | 8)
        #expect(b.hart.f[10] == 0x7f80_0000 | boxed)
        b.step()
        #expect(b.hart.fcsr == 2 << 5 | 9)
    }

    @Test("NaN boxing: an improperly boxed single reads as the canonical NaN")
    func nanBoxing() {
        let unboxed: UInt64 = 0x0000_0000_3f80_0000
        var b = Bench.fp([F.r(F.add, 0, 10, 11, 12)], f: [11: unboxed, 12: one32 | boxed])
        b.step()
        #expect(b.hart.f[10] == 0x7fc0_0000 | boxed)
        #expect(b.fflags == 0)
        // fsgnjn.s of an unboxed value: the canonical NaN's magnitude, sign from rs2.
        b = Bench.fp([F.r(F.sgnj, 1, 10, 11, 12)], f: [11: 0x1234_5678_3f80_0000, 12: one32 | boxed])
        b.step()
        #expect(b.hart.f[10] == 0xffc0_0000 | boxed)
        // fmv.x.w and fsw take the raw low 32 bits, boxed or not.
        b = Bench.fp([F.r(F.mvToInt, 0, 10, 11, 0), F.fsw(11, 12, 0)], f: [11: 0x1234_5678_bf80_0000], x: [12: Bench.base + 0x100])
        b.step(2)
        #expect(b[10] == 0xffff_ffff_bf80_0000, "sign-extended")
        #expect(b.read64(Bench.base + 0x100) & 0xffff_ffff == 0xbf80_0000)
        // Single results and flw/fmv.w.x are boxed; D operations see the box.
        b = Bench.fp([F.flw(1, 12, 0), F.r(F.mvFromInt, 0, 2, 13, 0), F.r(F.cvtDS, 0, 3, 1, 0)],
                     x: [12: Bench.base + 0x100, 13: 0xdead_beef_4040_0000])
        b.write64(Bench.base + 0x100, 0x1111_2222_4000_0000)
        b.step(3)
        #expect(b.hart.f[1] == 0x4000_0000 | boxed)
        #expect(b.hart.f[2] == 0x4040_0000 | boxed)
        #expect(b.hart.f[3] == 0x4000_0000_0000_0000, "fcvt.d.s of 2.0")
        // fadd.d on a boxed single is just a NaN double: canonical result.
        b = Bench.fp([F.r(F.add | 1, 0, 10, 11, 11)], f: [11: one32 | boxed])
        b.step()
        #expect(b.hart.f[10] == 0x7ff8_0000_0000_0000)
    }

    @Test("NaN results are canonical; payloads are not propagated")
    func canonicalNaN() {
        let b = Bench.fp([F.r(F.mul | 1, 0, 10, 11, 12), F.r(F.cvtSD, 0, 13, 11, 1)],
                         f: [11: 0x7ff0_0000_dead_beef, 12: one64])   // signaling NaN with payload
        b.step(2)
        #expect(b.hart.f[10] == 0x7ff8_0000_0000_0000)
        #expect(b.hart.f[13] == 0x7fc0_0000 | boxed)
        #expect(b.fflags == 16)
    }

    @Test("conversions write integer rd with the x0 sink, FP rd with a real f0; W results sign-extend")
    func registerFiles() {
        var b = Bench.fp([F.r(F.cvtToInt, 1, 0, 11, 1)], f: [11: 0x4f80_0000 | boxed])   // fcvt.wu.s x0, 2^32 (NV)
        b.step()
        #expect(b[0] == 0 && b.fflags == 16)
        b = Bench.fp([F.r(F.cvtToInt, 1, 10, 11, 1)], f: [11: 0x4f7f_ffff | boxed])   // fcvt.wu.s 4294967040
        b.step()
        #expect(b[10] == 0xffff_ffff_ffff_ff00)
        b = Bench.fp([F.r(F.cvtFromInt | 1, 0, 0, 11, 0)], x: [11: UInt64(bitPattern: -7)])   // fcvt.d.w f0, a1
        b.step()
        #expect(b.hart.f[0] == 0xc01c_0000_0000_0000)
        b = Bench.fp([F.r(F.cvtFromInt, 0, 1, 11, 1)], x: [11: 0xffff_ffff_0000_0001])   // fcvt.s.wu uses the low 32 bits
        b.step()
        #expect(b.hart.f[1] == one32 | boxed)
        b = Bench.fp([F.r(F.cvtFromInt | 1, 0, 1, 11, 3)], x: [11: .max])   // fcvt.d.lu 2^64−1 → 2^64, NX
        b.step()
        #expect(b.hart.f[1] == 0x43f0_0000_0000_0000 && b.fflags == 1)
        b = Bench.fp([F.r(F.cvtToInt | 1, 1, 10, 11, 2)], f: [11: 0xc3e0_0000_0000_0001])   // fcvt.l.d below −2^63
        b.step()
        #expect(b[10] == 1 << 63 && b.fflags == 16)
    }

    @Test("comparisons and fclass write integer registers; flt signals on a quiet NaN, feq does not")
    func compareAndClass() {
        let qnan: UInt64 = 0x7fc0_0000 | boxed
        var b = Bench.fp([F.r(F.cmp, 2, 10, 11, 12)], f: [11: qnan, 12: qnan])   // feq.s
        b.step()
        #expect(b[10] == 0 && b.fflags == 0)
        b = Bench.fp([F.r(F.cmp, 1, 10, 11, 12)], f: [11: qnan, 12: one32 | boxed])   // flt.s
        b.step()
        #expect(b[10] == 0 && b.fflags == 16)
        b = Bench.fp([F.r(F.cmp | 1, 0, 10, 11, 12)], f: [11: 1 << 63, 12: 0])   // fle.d −0 ≤ +0
        b.step()
        #expect(b[10] == 1)
        b = Bench.fp([F.r(F.mvToInt | 1, 1, 10, 11, 0)], f: [11: 0x0000_0000_0000_0001])   // fclass.d subnormal
        b.step()
        #expect(b[10] == 1 << 5)
        b = Bench.fp([F.r(F.mvToInt, 1, 10, 11, 0)], f: [11: 0x3f80_0000])   // fclass.s unboxed → qNaN
        b.step()
        #expect(b[10] == 1 << 9)
    }

    @Test("fused multiply-add: each of the four signs, one rounding")
    func fused() {
        // a = 1 + 2^-52, b = 1 − 2^-53: a·b = 1 + 2^-53 − 2^-105, c = −1.
        let a: UInt64 = 0x3ff0_0000_0000_0001, b: UInt64 = 0x3fef_ffff_ffff_ffff, c: UInt64 = 0xbff0_0000_0000_0000
        let cases: [(UInt32, UInt64)] = [
            (0x43, 0x3c9f_ffff_ffff_fffe),   // fmadd: ab + c = 2^-53 − 2^-105, exact (52 bits)
            (0x47, 0x4000_0000_0000_0000),   // fmsub: ab − c = 2 + 2^-53 − 2^-105 → 2
            (0x4b, 0xc000_0000_0000_0000),   // fnmsub: −ab + c → −2
            (0x4f, 0xbc9f_ffff_ffff_fffe),   // fnmadd: −ab − c = −(2^-53 − 2^-105)
        ]
        for (opcode, want) in cases {
            let bench = Bench.fp([F.r4(opcode, double: true, 0, 10, 11, 12, 13)], f: [11: a, 12: b, 13: c])
            bench.step()
            #expect(bench.hart.f[10] == want, "opcode \(hex(UInt64(opcode))): \(hex(bench.hart.f[10]))")
            #expect(bench.fflags == (opcode == 0x43 || opcode == 0x4f ? 0 : 1))
        }
    }

    @Test("fmin/fmax and fsgnj at instruction level")
    func minMaxSign() {
        let snan: UInt64 = 0x7ff4_0000_0000_0000
        var b = Bench.fp([F.r(F.minmax | 1, 1, 10, 11, 12)], f: [11: snan, 12: one64])   // fmax.d
        b.step()
        #expect(b.hart.f[10] == one64 && b.fflags == 16)
        b = Bench.fp([F.r(F.minmax, 0, 10, 11, 12)], f: [11: 0 | boxed, 12: 0x8000_0000 | boxed])   // fmin.s +0, −0
        b.step()
        #expect(b.hart.f[10] == 0x8000_0000 | boxed)
        b = Bench.fp([F.r(F.sgnj | 1, 2, 10, 11, 12)], f: [11: 0xbff0_0000_0000_0000, 12: 0xc000_0000_0000_0000])   // fsgnjx.d
        b.step()
        #expect(b.hart.f[10] == one64)
    }

    @Test("loads and stores: fld/fsd, and the compressed c.fld, c.fsd, c.fldsp, c.fsdsp")
    func loadStore() {
        let b = Bench.fp([F.fld(1, 10, 8), F.fsd(1, 10, 24)], x: [10: Bench.base + 0x200])
        b.write64(Bench.base + 0x208, 0x4009_21fb_5444_2d18)
        b.step(2)
        #expect(b.hart.f[1] == 0x4009_21fb_5444_2d18)
        #expect(b.read64(Bench.base + 0x218) == 0x4009_21fb_5444_2d18)
        // c.fld fa0,8(a1); c.fsd fa0,16(a1); c.fldsp ft0,8(sp); c.fsdsp fa0,24(sp)
        let c = Bench.fp([], x: [11: Bench.base + 0x300, 2: Bench.base + 0x400])
        c.half([0x2588, 0xa988, 0x2022, 0xac2a])
        c.write64(Bench.base + 0x308, 0x1122_3344_5566_7788)
        c.write64(Bench.base + 0x408, 0x99aa_bbcc_ddee_ff00)
        c.step(4)
        #expect(c.hart.f[10] == 0x1122_3344_5566_7788)
        #expect(c.read64(Bench.base + 0x310) == 0x1122_3344_5566_7788)
        #expect(c.hart.f[0] == 0x99aa_bbcc_ddee_ff00)
        #expect(c.read64(Bench.base + 0x418) == 0x1122_3344_5566_7788)
        #expect(c.hart.pc == Bench.base + 8)
        // A faulting FP load traps like an integer one and leaves f alone.
        let d = Bench.fp([F.fld(1, 10, 0)], f: [1: 42], x: [10: 0x10])
        d.step()
        #expect(d.csr(CSRNumber.mcause) == 5 && d.hart.f[1] == 42)
    }

    @Test("mstatus.FS = Off: every FP instruction and FP CSR access is illegal")
    func fsOff() {
        let words: [UInt32] = [F.flw(1, 10, 0), F.fsd(1, 10, 0), F.r(F.add, 0, 1, 2, 3), F.r(F.mvToInt, 0, 10, 1, 0),
                               F.r(F.mvFromInt | 1, 0, 1, 10, 0), F.r4(0x43, double: false, 0, 1, 2, 3, 4),
                               I.csr(2, 10, CSRNumber.fcsr, 0), I.csr(1, 0, CSRNumber.frm, 10), I.csr(2, 10, CSRNumber.fflags, 0)]
        for w in words {
            let b = Bench()
            b.program([w])
            b[10] = Bench.base + 0x100
            #expect(b.csr(CSRNumber.mstatus) & CSRBits.fs == 0, "reset leaves FS Off (QEMU 7.2 virt, -bios none)")
            b.step()
            #expect(b.trappedIllegal, "\(hex(UInt64(w)))")
            #expect(b.csr(CSRNumber.mtval) == UInt64(w))
        }
        // Compressed too: c.fld traps with its 16 bits in mtval.
        let b = Bench()
        b.half([0x2588])
        b.step()
        #expect(b.trappedIllegal && b.csr(CSRNumber.mtval) == 0x2588)
    }

    @Test("FP writes make FS Dirty and set SD in mstatus and sstatus; reads alone do not")
    func fsDirty() {
        // fmv.x.w reads FP state only; fmv.w.x writes it.
        let b = Bench.fp([F.r(F.mvToInt, 0, 10, 1, 0), F.r(F.mvFromInt, 0, 1, 10, 0)])
        b.step()
        #expect(b.csr(CSRNumber.mstatus) & CSRBits.fs == fsInitial)
        #expect(b.csr(CSRNumber.mstatus) >> 63 == 0)
        b.step()
        #expect(b.csr(CSRNumber.mstatus) & CSRBits.fs == CSRBits.fs)
        #expect(b.csr(CSRNumber.mstatus) >> 63 == 1)
        #expect(b.csr(CSRNumber.sstatus) >> 63 == 1)
        #expect(b.csr(CSRNumber.sstatus) & CSRBits.fs == CSRBits.fs)
        // A comparison that only raises a flag dirties fcsr, hence FS.
        let c = Bench.fp([F.r(F.cmp, 1, 10, 11, 12)], f: [11: 0x7fc0_0000 | boxed, 12: 0])
        c.step()
        #expect(c.csr(CSRNumber.mstatus) >> 63 == 1)
        // So does writing frm through the CSR; reading fcsr does not.
        let d = Bench.fp([I.csr(2, 10, CSRNumber.fcsr, 0), I.csr(5, 0, CSRNumber.frm, 3)], fcsr: 0xe5)
        d.step()
        #expect(d[10] == 0xe5 && d.csr(CSRNumber.mstatus) >> 63 == 0)
        d.step()
        #expect(d.hart.fcsr == 0x65 && d.csr(CSRNumber.mstatus) >> 63 == 1)
        // Software can clean it: writing FS = Clean clears SD.
        d.setCSR(CSRNumber.mstatus, 2 << 13)
        #expect(d.csr(CSRNumber.mstatus) >> 63 == 0)
    }

    @Test("random FP-opcode words with random registers never trap the host")
    func fuzz() {
        var g = SplitMix(seed: 2024)
        let opcodes: [UInt32] = [0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53]
        let b = Bench.fp([])
        for i in 0..<20_000 {
            let word = UInt32(truncatingIfNeeded: g.next()) & ~0x7f | opcodes[i % opcodes.count]
            b.program([word])
            for r in 0..<32 { b.hart.f[r] = g.operand(i & 1 == 0 ? .double : .single) | (g.next() % 4 == 0 ? 0 : boxed) }
            for r in 1..<32 { b[r] = r < 8 ? Bench.base + (g.next() & 0xfff8) : g.next() }
            b.hart.fcsr = g.next() & 0xff
            b.hart.pc = Bench.base
            b.step()
        }
        #expect(b.csr(CSRNumber.mstatus) & CSRBits.fs != 0)
    }

    @Test("fcsr, frm and fflags are views of one register")
    func fcsrViews() {
        // csrrw a0, fcsr, a1 (0x1ff: only 8 bits kept); csrr a2, frm; csrrci a3, fflags, 1
        let b = Bench.fp([I.csr(1, 10, CSRNumber.fcsr, 11), I.csr(2, 12, CSRNumber.frm, 0), I.csr(7, 13, CSRNumber.fflags, 1)],
                         x: [11: 0x1ff], fcsr: 0x21)
        b.step(3)
        #expect(b[10] == 0x21)
        #expect(b[12] == 7)
        #expect(b[13] == 0x1f)
        #expect(b.hart.fcsr == 0xfe)
    }
}
