// LoopTests.swift — the loop recognisers (Hart+Loops.swift) must leave
// exactly the state that running every instruction leaves: registers,
// memory and the instruction count. Each program runs twice: through
// `run` (chains, where loops are recognised) and one instruction at a time
// (never recognised), and the two are compared.

import Testing
@testable import RISCV

@Suite("Loop recognisers: same state as one instruction at a time")
struct LoopTests {
    static let a1: UInt32 = 11, a3: UInt32 = 13, a4: UInt32 = 14, a5: UInt32 = 15, a6: UInt32 = 16

    /// The 2020 lab kernel's byte memmove loop, and ours (words), then wfi.
    static let byteLoop: [UInt32] = [
        I.addi(a1, a1, 1), I.addi(a5, a5, 1), I.load(4, a4, a1, -1), I.store(0, a4, a5, -1),
        Enc.b(1, a1, a3, -16), I.wfi,
    ]
    static let wordLoop: [UInt32] = [
        I.load(3, a6, a3, 0), I.addi(a4, a4, 8), I.addi(a3, a3, 8), I.store(3, a6, a4, -8),
        Enc.b(1, a4, a5, -16), I.wfi,
    ]

    struct Outcome: Equatable {
        var registers: [UInt64]
        var memory: [UInt8]
        var instret: UInt64
    }

    static func outcome(_ program: [UInt32], _ regs: [Int: UInt64], stepping: Bool) -> Outcome {
        let b = Bench()
        b.program(program)
        // Data: a recognisable pattern over 16 KiB.
        b.memory.writeRAM(0x8001_0000, (0..<16384).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        for (r, v) in regs { b[r] = v }
        // Both ways end by retiring the final wfi.
        for _ in 0..<1_000_000 where !b.hart.isWaitingForInterrupt {
            if stepping { b.step() } else { _ = b.hart.run(budget: 10_000) }
        }
        return Outcome(registers: (0..<32).map { b[$0] },
                       memory: b.memory.readRAM(0x8001_0000, count: 16384)!,
                       instret: b.hart.instret)
    }

    /// Compares the two runs, naming the first difference (not dumping 16 KiB).
    static func compare(_ fast: Outcome, _ slow: Outcome, _ name: String) {
        #expect(fast.registers == slow.registers, "\(name): registers")
        #expect(fast.instret == slow.instret, "\(name): instret")
        if let i = zip(fast.memory, slow.memory).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(name): memory differs first at +\(i): \(fast.memory[i]) vs \(slow.memory[i])")
        }
        #expect(fast.instret > 5, "\(name): the loop ran")
    }

    static let cases: [(String, [UInt32], [Int: UInt64])] = [
        ("bytes, disjoint", byteLoop, [11: 0x8001_0000, 15: 0x8001_2000, 13: 0x8001_0000 + 3000]),
        ("bytes, across a page end", byteLoop, [11: 0x8001_0f00, 15: 0x8001_2800, 13: 0x8001_0f00 + 3000]),
        ("bytes, destination ahead inside the source", byteLoop, [11: 0x8001_0000, 15: 0x8001_0010, 13: 0x8001_0000 + 1000]),
        ("bytes, destination behind inside the source", byteLoop, [11: 0x8001_0010, 15: 0x8001_0000, 13: 0x8001_0010 + 1000]),
        ("words, disjoint", wordLoop, [13: 0x8001_0000, 14: 0x8001_2000, 15: 0x8001_2000 + 2048]),
        ("words, destination ahead inside the source", wordLoop, [13: 0x8001_0000, 14: 0x8001_0008, 15: 0x8001_0008 + 512]),
        ("words, one iteration", wordLoop, [13: 0x8001_0000, 14: 0x8001_2000, 15: 0x8001_2008]),
    ]

    /// memset's loop: `s{b,h,w,d} a1, 0(a5); addi a5, a5, width; bne a5, a4`, then wfi.
    static func fillLoop(log2Width: UInt32) -> [UInt32] {
        [I.store(log2Width, a1, a5, 0), I.addi(a5, a5, Int32(1 << log2Width)), Enc.b(1, a5, a4, -8), I.wfi]
    }

    static let fills: [(String, [UInt32], [Int: UInt64])] = [
        ("bytes", fillLoop(log2Width: 0), [11: 0x1_23ab, 15: 0x8001_0010, 14: 0x8001_0010 + 3000]),
        ("bytes, across a page end", fillLoop(log2Width: 0), [11: 0x5a, 15: 0x8001_0f00, 14: 0x8001_0f00 + 600]),
        ("halves, one byte value", fillLoop(log2Width: 1), [11: 0x7777, 15: 0x8001_0100, 14: 0x8001_0100 + 2000]),
        ("halves, two byte values", fillLoop(log2Width: 1), [11: 0x7701, 15: 0x8001_0100, 14: 0x8001_0100 + 2000]),
        ("words, one byte value", fillLoop(log2Width: 2), [11: 0xffff_ffff_0101_0101, 15: 0x8001_1000, 14: 0x8001_1000 + 4096]),
        ("words, a pattern", fillLoop(log2Width: 2), [11: 0x0102_0304, 15: 0x8001_1000, 14: 0x8001_1000 + 4096]),
        ("doublewords, one byte value", fillLoop(log2Width: 3), [11: 0x0505_0505_0505_0505, 15: 0x8001_0008, 14: 0x8001_0008 + 8192]),
        ("doublewords, zero", fillLoop(log2Width: 3), [11: 0, 15: 0x8001_0000, 14: 0x8001_0000 + 4096]),
        ("doublewords, a pattern", fillLoop(log2Width: 3), [11: 0x0102_0304_0506_0708, 15: 0x8001_0000, 14: 0x8001_0000 + 4096]),
        ("doublewords, low bytes equal only", fillLoop(log2Width: 3), [11: 0x0101_0101_0101_0001, 15: 0x8001_0000, 14: 0x8001_0000 + 1024]),
    ]

    /// Runs one case both ways and compares.
    static func check(_ c: (String, [UInt32], [Int: UInt64])) {
        let (name, program, regs) = c
        compare(outcome(program, regs, stepping: false), outcome(program, regs, stepping: true), name)
    }

    @Test("fill loops", arguments: fills.indices)
    func fill(_ i: Int) { Self.check(Self.fills[i]) }

    @Test("copy loops", arguments: cases.indices)
    func copy(_ i: Int) { Self.check(Self.cases[i]) }
}
