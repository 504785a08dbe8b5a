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
}
