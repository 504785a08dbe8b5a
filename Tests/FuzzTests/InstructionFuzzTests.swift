// InstructionFuzzTests.swift — the decode+execute fuzz target as a seeded
// property test: random and table-shaped instruction words through both
// execution paths; nothing may crash, both paths must agree.

import Testing
import FuzzTargets
import RISCV

@Suite("fuzz: instructions")
struct InstructionFuzzTests {
    @Test("an empty program and a page of zeros (illegal) are handled")
    func trivial() {
        #expect(InstructionFuzz.run([]) == nil)
        #expect(InstructionFuzz.run([UInt8](repeating: 0, count: 4096)) == nil)
    }

    /// 10^5 words in CI (a few seconds in the debug build); tools/fuzz.sh
    /// runs libFuzzer on the same entry point for the long haul.
    @Test("100 000 instruction words: no crash, threaded and stepped runs agree")
    func randomPrograms() {
        var g = ProgramGenerator(seed: 0x5eed_0001)
        var failures: [String] = []
        var retired: UInt64 = 0, traps: UInt64 = 0
        for i in 0..<400 {
            let program = g.program(words: 250)
            let outcome = InstructionFuzz.execute(program)
            retired += outcome.retired
            traps += outcome.traps
            if let f = outcome.failure {
                failures.append("program \(i) (\(program.prefix(16).map { String($0, radix: 16) }.joined(separator: " "))…): \(f)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures; first: \(failures.prefix(3).joined(separator: "\n"))")
        // The harness really ran code: most legal words retire, the rest trap.
        #expect(retired > 50_000 && traps > 5_000, "retired \(retired), traps \(traps)")
        print("instruction fuzz: 400 programs, 100000 words, \(retired) retired, \(traps) traps")
    }

    /// The compressed space is small enough to cover whole: every 16-bit
    /// encoding (quadrants 0–2) decodes to something of length 2 whose
    /// registers are in range, and executes, in M and in U mode, on both paths.
    @Test("all 49 152 compressed encodings: decode in range; execute on both paths, M and U mode")
    func everyCompressedEncoding() {
        var bad: [String] = []
        for c in 0..<0x1_0000 where c & 3 != 3 {
            let d = Decoder.decodeCompressed(UInt16(c))
            if d.length != 2 || d.rd > 32 || d.rs1 > 32 || d.rs2 > 32 {
                bad.append(String(c, radix: 16))
            }
        }
        #expect(bad.isEmpty, "compressed decodes out of range: \(bad.prefix(8))")

        var failures: [String] = []
        var retired: UInt64 = 0
        for mode: UInt8 in [0, 2] {
            // 24 programs of 2048 words: each word two consecutive encodings.
            let halves = (0..<0x1_0000).filter { $0 & 3 != 3 }.map { UInt16($0) }
            for start in stride(from: 0, to: halves.count, by: 4096) {
                var program: [UInt8] = [mode] + [UInt8](repeating: 0x5a, count: 8)
                for h in halves[start..<min(start + 4096, halves.count)] { program += [UInt8(h & 0xff), UInt8(h >> 8)] }
                let outcome = InstructionFuzz.execute(program)
                retired += outcome.retired
                if let f = outcome.failure { failures.append("mode \(mode), from \(String(halves[start], radix: 16)): \(f)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(retired > 20_000, "retired \(retired)")
    }
}
