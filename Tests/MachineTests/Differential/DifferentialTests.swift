// DifferentialTests.swift — random RV64GC programs (ProgramGenerator) run
// under xv6emu and qemu-system-riscv64; the architectural state after every
// segment must be the same. CI runs a fixed corpus; the long mode runs as
// many programs as asked:
//
//   XV6EMU_DIFF_PROGRAMS=2000 swift test --filter DifferentialTests
//   (or tools/difftest.sh 2000)
//
// Other knobs: XV6EMU_DIFF_SEED (first seed, default 1), XV6EMU_DIFF_JOBS
// (programs run at once, default 2), XV6EMU_DIFF_ITEMS (items per segment).
// A mismatch is minimized and reported with its seed, the surviving
// instructions (text and encoding) and both states.

import Foundation
import Testing
import TestSupport

/// Counts shared by the worker threads of one corpus run.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    var programs = 0, retired: UInt64 = 0, random: UInt64 = 0, staticItems = 0, traps = 0
    var failures: [(UInt64, GeneratedProgram, Mismatch)] = []
    func add(_ body: (Tally) -> Void) { lock.lock(); body(self); lock.unlock() }
}

@Suite("Differential testing against QEMU")
struct DifferentialTests {
    static let environment = ProcessInfo.processInfo.environment
    static func knob(_ name: String, _ fallback: Int) -> Int { environment[name].flatMap { Int($0) } ?? fallback }

    /// The CI corpus: 40 programs of 8 segments × 400 items.
    static let programs = knob("XV6EMU_DIFF_PROGRAMS", 40)
    static let firstSeed = UInt64(knob("XV6EMU_DIFF_SEED", 1))
    static let jobs = knob("XV6EMU_DIFF_JOBS", 2)
    static let options = GeneratorOptions(segments: knob("XV6EMU_DIFF_SEGMENTS", 8), itemsPerSegment: knob("XV6EMU_DIFF_ITEMS", 400))

    /// What the harness itself costs, measured on xv6emu, so that the
    /// random code's instructions can be counted: the instructions an empty
    /// segment takes (entry, closing ecall), and those one trap handler run
    /// takes (the M handler skipping an ecall; the S handler is as long).
    static func calibrate() throws -> (segment: UInt64, trap: UInt64) {
        func run(_ items: [Item]) throws -> UInt64 {
            let segment = Segment(privilege: 3, sv39: false, medeleg: 0, items: items)
            let program = GeneratedProgram(seed: 0, segments: [segment], scratchSeed: 1, xinit: Array(repeating: 0, count: 32),
                                           finit: Array(repeating: 0, count: 32), pteS: [7, 7, 7, 7], pteU: [7, 7, 7, 7],
                                           mapS: [0, 1, 2, 3], mapU: [0, 1, 2, 3])
            let elf = try DifferentialRunner.assemble(program.render(), name: "calibrate")
            defer { try? FileManager.default.removeItem(atPath: elf) }
            return DifferentialRunner.segmentInstructions(try DifferentialRunner.runOurs(elf).0).first ?? 0
        }
        let empty = try run([])
        let traps = try run(Array(repeating: Item(lines: ["ecall"], rvc: false), count: 100))
        return (empty, (traps - empty) / 100 - 1)
    }

    @Test("random RV64GC programs leave the same state under xv6emu and QEMU")
    func corpus() throws {
        let tally = Tally()
        let seeds = (0..<UInt64(Self.programs)).map { Self.firstSeed + $0 }
        let start = Date()
        let cost = try Self.calibrate()
        let next = Tally()   // next.programs = index of the next seed to take
        DispatchQueue.concurrentPerform(iterations: max(1, Self.jobs)) { _ in
            while true {
                var index = 0
                next.add { index = $0.programs; $0.programs += 1 }
                guard index < seeds.count else { return }
                let seed = seeds[index]
                var generator = ProgramGenerator(seed: seed, options: Self.options)
                let program = generator.generate(seed: seed)
                do {
                    let elf = try DifferentialRunner.assemble(program.render(), name: "diff-\(seed)")
                    defer { try? FileManager.default.removeItem(atPath: elf) }
                    let r = try DifferentialRunner.run(elf)
                    let traps = r.theirs.split(separator: "\n").filter { $0.hasPrefix("n ") }
                        .reduce(0) { $0 + (Int($1.dropFirst(2), radix: 16) ?? 0) }
                    tally.add {
                        $0.programs += 1
                        $0.retired += r.retired
                        // The segments' instructions, less their entry and exit and the trap handlers.
                        let segments = DifferentialRunner.segmentInstructions(r.ours)
                        $0.random += segments.reduce(0) { $0 + ($1 &- cost.segment) } &- UInt64(traps) * cost.trap
                        $0.staticItems += program.itemCount
                        $0.traps += traps
                        if let m = r.mismatch { $0.failures.append((seed, program, m)) }
                    }
                } catch {
                    tally.add { $0.failures.append((seed, program, Mismatch(segment: -1, key: "error", ours: "\(error)", theirs: "", allDifferences: []))) }
                }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("""
            difftest: \(tally.programs) programs (seeds \(Self.firstSeed)...\(Self.firstSeed + UInt64(Self.programs) - 1)), \
            \(tally.staticItems) generated items, \(tally.random) instructions of random code compared \
            (\(tally.retired) retired in all, with the harness), \(tally.traps) traps, \(tally.failures.count) mismatching, \
            \(String(format: "%.1f", seconds)) s (harness: \(cost.segment) instructions a segment, \(cost.trap) a trap)
            """)
        #expect(tally.programs == seeds.count)
        #expect(tally.random > UInt64(seeds.count) * 1000, "the programs ran their random code")
        // Minimize a few of the failures (each takes a few hundred runs).
        for (k, (seed, program, mismatch)) in tally.failures.sorted(by: { $0.0 < $1.0 }).enumerated() {
            if k < 3 && mismatch.segment >= 0 {
                var minimizer = Minimizer(program: program, mismatch: mismatch)
                Issue.record(Comment(rawValue: minimizer.report()))
            } else {
                Issue.record("seed \(seed): \(mismatch)")
            }
        }
    }
}

/// The comparison itself, on hand-written outputs: a difference is found and
/// placed, the tolerated differences are not reported, and the generator is
/// a function of its seed (a reported seed reproduces the program).
@Suite("Differential testing: comparison and generator")
struct DifferentialComparisonTests {
    static let output = "S 0000000000000000\ni 0000000000000010\nr 1111\nc303 0000000000000000\nh 22\nS 0000000000000001\nx0a 0000000000000005\nE\n"

    @Test("a differing register is reported with its segment and key")
    func differenceFound() throws {
        let theirs = Self.output.replacingOccurrences(of: "x0a 0000000000000005", with: "x0a 0000000000000006")
        let m = try #require(DifferentialRunner.compare(Self.output, theirs))
        #expect(m.segment == 1 && m.key == "x0a")
        #expect(Minimizer.keyClass("r") == Minimizer.keyClass(m.key))
    }

    @Test("QEMU's H-extension mideleg bits and the minstret counts are not differences")
    func toleratedDifferences() {
        let theirs = Self.output.replacingOccurrences(of: "c303 0000000000000000", with: "c303 0000000000001444")
            .replacingOccurrences(of: "i 0000000000000010", with: "i 0000000000000999")
        #expect(DifferentialRunner.compare(Self.output, theirs) == nil)
        let truncated = String(Self.output.dropLast(2))
        #expect(DifferentialRunner.compare(Self.output, truncated)?.key == "length")
    }

    @Test("the same seed generates the same program; another seed another one")
    func deterministic() {
        var a = ProgramGenerator(seed: 7), b = ProgramGenerator(seed: 7), c = ProgramGenerator(seed: 8)
        let pa = a.generate(seed: 7).render(), pb = b.generate(seed: 7).render(), pc = c.generate(seed: 8).render()
        #expect(pa == pb)
        #expect(pa != pc)
    }
}
