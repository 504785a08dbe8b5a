// ELFFuzzTests.swift — the ELF fuzz target as a seeded property test: a
// real executable from the cross compiler, mutated a field at a time.

import Foundation
import Testing
import TestSupport
import FuzzTargets

@Suite("fuzz: ELF loader")
struct ELFFuzzTests {
    static func seed() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: try CrossCompiler.build("fuzzseed"))))
    }

    @Test("the unmutated seed loads and runs")
    func seedRuns() throws {
        let outcome = ELFFuzz.execute(try Self.seed())
        #expect(outcome.stage == .ran)
        #expect(outcome.failure == nil)
    }

    @Test("3 000 mutated executables: a one-line error or a bounded run, never a crash")
    func mutations() throws {
        let seed = try Self.seed()
        var m = ELFMutator(seed: 0x5eed_0003)
        var failures: [String] = []
        var stages: [ELFFuzz.Stage: Int] = [:]
        for i in 0..<3000 {
            let bytes = m.mutate(seed)
            let outcome = ELFFuzz.execute(bytes)
            stages[outcome.stage, default: 0] += 1
            if let f = outcome.failure { failures.append("mutation \(i): \(f)") }
        }
        #expect(failures.isEmpty, "\(failures.count) failures; first: \(failures.prefix(3).joined(separator: "\n"))")
        // Mutations reach every stage: some rejected by each, many still run.
        #expect(stages[.rejectedByLoader, default: 0] > 100 && stages[.rejectedByBoard, default: 0] > 20
                && stages[.ran, default: 0] > 1000, "\(stages)")
        print("elf fuzz: 3000 mutations, \(stages)")
    }
}
