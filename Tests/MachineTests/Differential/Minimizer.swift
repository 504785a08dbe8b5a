// Minimizer.swift — shrinks a program that makes xv6emu and QEMU disagree
// to the few items that still do (Zeller's delta debugging, ddmin, over the
// item list), re-running both emulators for every candidate. "Still
// disagrees" means: the first difference is in the same key (x0a, c300, T,
// …), so the search does not wander off to another bug.

import Foundation

struct Minimizer {
    let program: GeneratedProgram
    let original: Mismatch
    /// Candidates tried at most (each costs an assembly and two runs).
    var budget = 400
    private(set) var trials = 0

    init(program: GeneratedProgram, mismatch: Mismatch) {
        self.program = program
        original = mismatch
    }

    /// Segments up to the one that differs (later ones cannot matter).
    var segmentLimit: Int { original.segment < 0 ? program.segments.count : original.segment + 1 }

    private mutating func fails(_ keep: [Int]) -> Mismatch? {
        trials += 1
        let source = program.render(keep: Set(keep), segmentLimit: segmentLimit)
        guard let elf = try? DifferentialRunner.assemble(source, name: "min-\(program.seed)"),
              let r = try? DifferentialRunner.run(elf) else { return nil }
        defer { try? FileManager.default.removeItem(atPath: elf) }
        guard let m = r.mismatch, Self.keyClass(m.key) == Self.keyClass(original.key) else { return nil }
        return m
    }

    /// Keys that name the same state: a segment prints hashes of its x and
    /// f registers ("r", "f") unless it is the last, which prints them one by
    /// one ("x0a", "f1f"); a candidate cut after that segment prints the latter.
    static func keyClass(_ key: String) -> String {
        if key == "r" || key.hasPrefix("x") { return "x" }
        if key.hasPrefix("f") { return "f" }
        return key
    }

    /// The smallest item set found, with the mismatch it gives.
    mutating func minimize() -> (items: [Int], mismatch: Mismatch) {
        let total = program.segments.prefix(segmentLimit).reduce(0) { $0 + $1.items.count }
        var current = Array(0..<total)
        var best = original
        if let m = fails([]) { return ([], m) }      // the harness alone differs
        var n = 2
        while current.count >= 2 && trials < budget {
            let size = (current.count + n - 1) / n
            let chunks = stride(from: 0, to: current.count, by: size).map { Array(current[$0..<min($0 + size, current.count)]) }
            var reduced = false
            for chunk in chunks where trials < budget {
                if let m = fails(chunk) { current = chunk; best = m; n = 2; reduced = true; break }
            }
            if !reduced {
                for chunk in chunks where trials < budget && chunks.count > 2 {
                    let rest = current.filter { !chunk.contains($0) }
                    if let m = fails(rest) { current = rest; best = m; n = max(n - 1, 2); reduced = true; break }
                }
            }
            if !reduced {
                if n >= current.count { break }
                n = min(current.count, n * 2)
            }
        }
        return (current, best)
    }

    /// The report: seed, the surviving items as written and as assembled,
    /// and the differing state.
    mutating func report() -> String {
        let (items, mismatch) = minimize()
        var s = "seed \(program.seed): xv6emu and QEMU differ in \(original)\n"
        s += "minimized in \(trials) runs to \(items.count) item(s) (segments 0...\(segmentLimit - 1):"
        s += program.segments.prefix(segmentLimit).map { " " + $0.modeName }.joined() + "):\n"
        for i in items { s += "  " + program.itemText(i) + "\n" }
        s += "minimized difference: \(mismatch)\n"
        if let elf = try? DifferentialRunner.assemble(program.render(keep: Set(items), segmentLimit: segmentLimit),
                                                      name: "min-\(program.seed)") {
            s += "generated code of the reproducer (objdump):\n"
                + DifferentialRunner.disassemble(elf).split(separator: "\n").prefix(80).joined(separator: "\n")
        }
        return s
    }
}
