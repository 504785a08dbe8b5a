// FuzzTarget.swift — the four targets by name, for the libFuzzer drivers in
// Fuzz/ (each main.swift is one line of this): run one input while
// keeping the counts TESTING.md reports (inputs, instruction words,
// packets, requests), and write a seed corpus from the generators.

#if canImport(Glibc)
import Glibc
#endif

public enum FuzzTarget: String, CaseIterable, Sendable {
    case instructions, gdb, elf, virtio

    /// Counts for the report printed at exit (one target per process).
    nonisolated(unsafe) public static var inputs = 0, units = 0, extra = 0

    /// Runs one input; counts it.
    public func run(_ bytes: [UInt8]) -> FuzzFailure? {
        FuzzTarget.inputs += 1
        switch self {
        case .instructions:
            let o = InstructionFuzz.execute(bytes)
            FuzzTarget.units += o.words
            FuzzTarget.extra += Int(o.retired)
            return o.failure
        case .gdb:
            let o = GDBFuzz.execute(bytes)
            FuzzTarget.units += o.packets
            FuzzTarget.extra += o.replies
            return o.failure
        case .elf:
            let o = ELFFuzz.execute(bytes)
            if o.stage == .ran { FuzzTarget.units += 1 }
            return o.failure
        case .virtio:
            let o = VirtioFuzz.execute(bytes)
            FuzzTarget.units += o.served
            return o.failure
        }
    }

    /// One line: what the counts mean for this target.
    public var report: String {
        let (i, u, x) = (FuzzTarget.inputs, FuzzTarget.units, FuzzTarget.extra)
        return switch self {
        case .instructions: "xv6emu-fuzz instructions: \(i) inputs, \(u) instruction words, \(x) retired (threaded run)"
        case .gdb: "xv6emu-fuzz gdb: \(i) inputs, \(u) packets, \(x) replies"
        case .elf: "xv6emu-fuzz elf: \(i) images, \(u) loaded and run"
        case .virtio: "xv6emu-fuzz virtio: \(i) driver programs, \(u) requests served"
        }
    }

    /// Generated seed inputs (ELF seeds come from the cross compiler instead: tools/fuzz.sh).
    public func seeds(_ count: Int) -> [[UInt8]] {
        switch self {
        case .instructions:
            var g = ProgramGenerator(seed: 1)
            return (0..<count).map { g.program(words: 64 << ($0 % 6)) }
        case .gdb:
            var g = GDBPacketGenerator(seed: 2)
            return (0..<count).map { _ in g.input(packets: 8) }
        case .elf:
            return []
        case .virtio:
            var g = VirtioProgramGenerator(seed: 4)
            return (0..<count).map { g.program(legacy: $0 % 2 == 0) }
        }
    }

    /// Writes `seeds(count)` as files `seed-N` into `directory`.
    public func writeSeeds(_ count: Int, to directory: String) {
        for (n, s) in seeds(count).enumerated() {
            guard let f = fopen(directory + "/seed-\(n)", "wb") else { continue }
            _ = s.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
            fclose(f)
        }
    }
}
