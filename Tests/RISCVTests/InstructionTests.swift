// InstructionTests.swift — one instruction at a time, every class, with the
// edge cases the spec calls out (division by zero and overflow, W-op sign
// extension, shift masking, LR/SC failure, misaligned access).

import Testing
@testable import RISCV

private let a0: UInt32 = 10, a1: UInt32 = 11, a2: UInt32 = 12
private let minI64 = UInt64(1) << 63
private func s(_ v: Int64) -> UInt64 { UInt64(bitPattern: v) }

@Suite("Integer instructions")
struct IntegerTests {
    /// (funct7, funct3, W?, rs1, rs2, expected)
    static let rType: [(String, UInt32, UInt32, Bool, UInt64, UInt64, UInt64)] = [
        ("add wraps", 0, 0, false, .max, 1, 0),
        ("sub wraps", 0x20, 0, false, 0, 1, .max),
        ("sll masks to 6 bits", 0, 1, false, 1, 64 + 63, minI64),
        ("slt signed", 0, 2, false, s(-1), 0, 1),
        ("sltu unsigned", 0, 3, false, s(-1), 0, 0),
        ("xor", 0, 4, false, 0xf0f0, 0xff00, 0x0ff0),
        ("srl logical", 0, 5, false, minI64, 63, 1),
        ("sra arithmetic", 0x20, 5, false, minI64, 63, .max),
        ("or", 0, 6, false, 0xf0, 0x0f, 0xff),
        ("and", 0, 7, false, 0xf0, 0x3c, 0x30),
        ("addw sign-extends", 0, 0, true, 0x7fff_ffff, 1, 0xffff_ffff_8000_0000),
        ("subw sign-extends", 0x20, 0, true, 0, 1, .max),
        ("sllw masks to 5 bits", 0, 1, true, 1, 32 + 31, 0xffff_ffff_8000_0000),
        ("srlw zero-fills 32 bits", 0, 5, true, 0xffff_ffff_8000_0000, 31, 1),
        ("sraw", 0x20, 5, true, 0x8000_0000, 31, .max),
        ("mul low", 1, 0, false, s(-3), 5, s(-15)),
        ("mulh signed", 1, 1, false, s(-1), s(-1), 0),
        ("mulh negative", 1, 1, false, minI64, 2, .max),
        ("mulhsu", 1, 2, false, s(-1), .max, .max),
        ("mulhu", 1, 3, false, .max, .max, .max - 1),
        ("div by zero", 1, 4, false, 7, 0, .max),
        ("div overflow", 1, 4, false, minI64, s(-1), minI64),
        ("div rounds toward zero", 1, 4, false, s(-7), 2, s(-3)),
        ("divu by zero", 1, 5, false, 7, 0, .max),
        ("rem by zero", 1, 6, false, s(-7), 0, s(-7)),
        ("rem overflow", 1, 6, false, minI64, s(-1), 0),
        ("rem sign of dividend", 1, 6, false, s(-7), 2, s(-1)),
        ("remu by zero", 1, 7, false, 7, 0, 7),
        ("mulw sign-extends", 1, 0, true, 0x10000, 0x8000, 0xffff_ffff_8000_0000),
        ("divw by zero", 1, 4, true, 7, 0, .max),
        ("divw overflow", 1, 4, true, 0xffff_ffff_8000_0000, s(-1), 0xffff_ffff_8000_0000),
        ("divuw by zero", 1, 5, true, 7, 0, .max),
        ("divuw uses low 32 bits", 1, 5, true, 0xdead_0000_0000_0010, 2, 8),
        ("remw overflow", 1, 6, true, 0x8000_0000, s(-1), 0),
        ("remuw by zero sign-extends", 1, 7, true, 0x8000_0000, 0, 0xffff_ffff_8000_0000),
    ]

    @Test("R-type", arguments: rType.indices)
    func rtype(_ i: Int) {
        let (name, f7, f3, w, x, y, want) = Self.rType[i]
        let b = Bench.run(I.r(f7, f3, a0, a1, a2, w: w), [11: x, 12: y])
        #expect(b[10] == want, "\(name)")
        #expect(b.hart.pc == Bench.base + 4)
    }

    @Test("immediates and shifts by 63/31")
    func immediates() {
        #expect(Bench.run(I.addi(a0, a1, -1), [11: 0])[10] == .max)
        #expect(Bench.run(Enc.i(0x13, 2, a0, a1, -1), [11: s(-2)])[10] == 1)          // slti
        #expect(Bench.run(Enc.i(0x13, 3, a0, a1, -1), [11: 5])[10] == 1)              // sltiu: -1 is max
        #expect(Bench.run(Enc.i(0x13, 1, a0, a1, 63), [11: 1])[10] == minI64)         // slli 63
        #expect(Bench.run(Enc.i(0x13, 5, a0, a1, 0x400 | 63), [11: minI64])[10] == .max)  // srai 63
        #expect(Bench.run(Enc.i(0x1b, 0, a0, a1, 1), [11: 0x7fff_ffff])[10] == 0xffff_ffff_8000_0000)  // addiw
        #expect(Bench.run(Enc.i(0x1b, 1, a0, a1, 31), [11: 1])[10] == 0xffff_ffff_8000_0000)  // slliw 31
        #expect(Bench.run(Enc.i(0x1b, 5, a0, a1, 0x400 | 31), [11: 0x8000_0000])[10] == .max)  // sraiw 31
        #expect(Bench.run(Enc.u(0x37, a0, Int32(bitPattern: 0x8000_0000)))[10] == 0xffff_ffff_8000_0000)  // lui
        #expect(Bench.run(Enc.u(0x17, a0, 0x1000))[10] == Bench.base + 0x1000)  // auipc
    }

    @Test("writes to x0 are discarded")
    func x0() {
        let b = Bench.run(I.addi(0, 0, 5))
        #expect(b[0] == 0)
    }

    @Test("jal and jalr: link, target, bit 0 cleared, rd == rs1")
    func jumps() {
        var b = Bench.run(Enc.j(1, 2048))
        #expect(b.hart.pc == Bench.base + 2048 && b[1] == Bench.base + 4)
        b = Bench.run(Enc.i(0x67, 0, a0, a1, 3), [11: Bench.base + 0x100])
        #expect(b.hart.pc == Bench.base + 0x102 && b[10] == Bench.base + 4)
        b = Bench.run(Enc.i(0x67, 0, a0, a0, 0), [10: Bench.base + 0x200])
        #expect(b.hart.pc == Bench.base + 0x200 && b[10] == Bench.base + 4)
        // c.jalr a0 links pc + 2
        let c = Bench()
        c.half([0x9502])
        c[10] = Bench.base + 0x40
        c.step()
        #expect(c.hart.pc == Bench.base + 0x40 && c[1] == Bench.base + 2)
    }

    @Test("branches taken and not taken", arguments: [
        (UInt32(0), s(-1), s(-1), true), (0, 1, 2, false),      // beq
        (1, 1, 2, true), (4, s(-1), 0, true), (4, 0, s(-1), false),  // bne, blt
        (5, 0, 0, true), (6, 0, s(-1), true), (7, s(-1), 0, true), (7, 0, s(-1), false),
    ])
    func branches(_ f3: UInt32, _ x: UInt64, _ y: UInt64, _ taken: Bool) {
        let b = Bench.run(Enc.b(f3, a1, a2, -16), [11: x, 12: y])
        #expect(b.hart.pc == (taken ? Bench.base - 16 : Bench.base + 4))
    }

    @Test("loads sign- and zero-extend")
    func loads() {
        let b = Bench()
        b.write64(Bench.base + 0x800, 0x8081_8283_8485_8687)
        let cases: [(UInt32, UInt64)] = [(0, 0xffff_ffff_ffff_ff87), (1, 0xffff_ffff_ffff_8687), (2, 0xffff_ffff_8485_8687),
                                         (3, 0x8081_8283_8485_8687), (4, 0x87), (5, 0x8687), (6, 0x8485_8687)]
        for (f3, want) in cases {
            let t = Bench()
            t.write64(Bench.base + 0x800, 0x8081_8283_8485_8687)
            t.program([I.load(f3, a0, a1, 0)])
            t[11] = Bench.base + 0x800
            t.step()
            #expect(t[10] == want, "funct3 \(f3)")
        }
        _ = b
    }

    @Test("stores of each width")
    func stores() {
        for (f3, want) in [(UInt32(0), UInt64(0xff)), (1, 0xffff), (2, 0xffff_ffff), (3, .max)] {
            let b = Bench()
            b.program([I.store(f3, a2, a1, 8)])
            b[11] = Bench.base + 0x800
            b[12] = .max
            b.step()
            #expect(b.read64(Bench.base + 0x808) == want)
        }
    }

    @Test("misaligned loads and stores work in hardware, within and across pages")
    func misaligned() {
        for address in [Bench.base + 0x801, Bench.base + 0xffd, Bench.base + 0x1ffe] {
            let b = Bench()
            b.program([I.store(3, a2, a1, 0), I.load(3, a0, a1, 0)])
            b[11] = address
            b[12] = 0x1122_3344_5566_7788
            b.step(2)
            #expect(b[10] == 0x1122_3344_5566_7788, "at \(String(address, radix: 16))")
            #expect(b.hart.pc == Bench.base + 8, "no trap")
            #expect(b.memory.readRAM(address, count: 1) == [0x88])
        }
    }
}

@Suite("Atomics")
struct AtomicTests {
    @Test("LR/SC succeeds, and fails without a reservation")
    func lrsc() {
        let b = Bench()
        let addr = Bench.base + 0x800
        b.write64(addr, 5)
        b.program([I.amo(0b00010, true, a0, a1, 0), I.amo(0b00011, true, a2, a1, 13), I.amo(0b00011, true, 14, a1, 13)])
        b[11] = addr
        b[13] = 9
        b.step(3)
        #expect(b[10] == 5)
        #expect(b[12] == 0, "first sc succeeds")
        #expect(b[14] == 1, "second sc has no reservation")
        #expect(b.read64(addr) == 9)
    }

    @Test("SC fails after an intervening store by the same hart")
    func scAfterOwnStore() {
        let b = Bench()
        let addr = Bench.base + 0x800
        b.program([I.amo(0b00010, true, a0, a1, 0), I.store(3, 13, a1, 0), I.amo(0b00011, true, a2, a1, 13)])
        b[11] = addr
        b[13] = 7
        b.step(3)
        #expect(b[12] == 1)
    }

    @Test("SC fails after a store by another hart")
    func scAfterOtherHart() {
        let b = Bench(harts: 2)
        let addr = Bench.base + 0x800
        b.program([I.amo(0b00010, true, a0, a1, 0), I.amo(0b00011, true, a2, a1, 13)])
        b.program([I.store(3, 13, a1, 0)], at: Bench.base + 0x400)
        b[11] = addr
        b[13] = 7
        b.step()
        let other = b.second
        other.pc = Bench.base + 0x400
        other.setRegister(11, addr)
        other.setRegister(13, 1)
        other.step()
        b.step()
        #expect(b[12] == 1)
        #expect(b.read64(addr) == 1)
    }

    /// (funct5, doubleword, old, operand, new memory value)
    static let amos: [(String, UInt32, Bool, UInt64, UInt64, UInt64)] = [
        ("amoswap.w", 0b00001, false, 0x1_0000_0001, 2, 0x1_0000_0002),
        ("amoadd.w wraps in 32 bits", 0b00000, false, 0xffff_ffff, 1, 0),
        ("amoxor.d", 0b00100, true, 0xff, 0x0f, 0xf0),
        ("amoand.d", 0b01100, true, 0xff, 0x0f, 0x0f),
        ("amoor.w", 0b01000, false, 0xf0, 0x0f, 0xff),
        ("amomin.w signed", 0b10000, false, 0xffff_ffff, 1, 0xffff_ffff),
        ("amomax.w signed", 0b10100, false, 0xffff_ffff, 1, 1),
        ("amominu.w", 0b11000, false, 0xffff_ffff, 1, 1),
        ("amomaxu.w", 0b11100, false, 0xffff_ffff, 1, 0xffff_ffff),
        ("amomin.d", 0b10000, true, .max, 1, .max),
        ("amomaxu.d", 0b11100, true, .max, 1, .max),
        ("amoadd.d", 0b00000, true, 1, 2, 3),
    ]

    @Test("AMOs", arguments: amos.indices)
    func amo(_ i: Int) {
        let (name, f5, d, old, operand, new) = Self.amos[i]
        let b = Bench()
        let addr = Bench.base + 0x800
        b.write64(addr, old)
        b.program([I.amo(f5, d, a0, a1, a2)])
        b[11] = addr
        b[12] = operand
        b.step()
        let mask: UInt64 = d ? .max : 0xffff_ffff
        #expect(b.read64(addr) & mask == new & mask, "\(name) memory")
        let expected = d ? old : UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: old)))
        #expect(b[10] == expected, "\(name) returns the old value, sign-extended for .w")
    }

    @Test("misaligned AMO raises a store/AMO misaligned exception")
    func misalignedAMO() {
        let b = Bench.run(I.amo(0b00000, true, a0, a1, a2), [11: Bench.base + 0x801])
        #expect(b.csr(CSRNumber.mcause) == 6)
        #expect(b.csr(CSRNumber.mtval) == Bench.base + 0x801)
    }
}
