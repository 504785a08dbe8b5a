// ELFFuzz.swift — fuzz target: the ELF loader and the board's placement of
// what it loads, on mutated executables.
//
// The input is an ELF image (libFuzzer starts from real ones the cross
// compiler built; the property test mutates one field at a time with
// `ELFMutator`). The loader must either refuse it with a one-line error
// naming the file, or return segments that are consistent with the file;
// the board must either refuse to place them or load them, set up HTIF
// and idle detection from the (possibly absurd) symbols, and run a few
// thousand instructions without the host crashing or hanging.

import ELFLoader
import Machine

public enum ELFFuzz {
    public static let path = "fuzz.elf"

    /// How far an input got: rejected by the loader, rejected by the board, or run.
    public enum Stage: Sendable { case rejectedByLoader, rejectedByBoard, ran }

    public static func run(_ data: [UInt8]) -> FuzzFailure? { execute(data).failure }

    public static func execute(_ data: [UInt8]) -> (stage: Stage, failure: FuzzFailure?) {
        let elf: ELFFile
        do {
            elf = try ELFFile.load(bytes: data, path: path)
        } catch {
            let text = error.description
            guard text.hasPrefix(path + ": "), text.count > path.count + 2, !text.contains("\n") else {
                return (.rejectedByLoader, FuzzFailure("loader error is not one line naming the file: \(text)"))
            }
            return (.rejectedByLoader, nil)
        }
        for (i, s) in elf.segments.enumerated() where UInt64(s.fileBytes.count) > s.memorySize {
            return (.ran, FuzzFailure("segment \(i): \(s.fileBytes.count) file bytes > memory size \(s.memorySize)"))
        }
        let symbols = elf.symbols.symbols
        if zip(symbols, symbols.dropFirst()).contains(where: { $0.address > $1.address }) {
            return (.ran, FuzzFailure("symbol table not sorted by address"))
        }
        _ = elf.symbols.symbolize(elf.entry)

        var config = MachineConfiguration()
        config.ramSize = 1 << 20
        config.quantum = 256
        guard let machine = try? Machine(configuration: config) else { return (.ran, FuzzFailure("board did not build")) }
        do {
            try machine.loadKernel(elf)
        } catch {
            guard !error.description.isEmpty, !error.description.contains("\n") else {
                return (.rejectedByBoard, FuzzFailure("board error is not one line: \(error.description)"))
            }
            return (.rejectedByBoard, nil)
        }
        // A bounded run: rounds, never `run()`, which waits out idle time.
        for _ in 0..<8 {
            switch machine.advance(rounds: 1) {
            case .exited, .idle: return (.ran, nil)
            case .running, .stopped: continue
            }
        }
        return (.ran, nil)
    }
}

/// Mutates a valid ELF64 one structural field at a time (header, program
/// and section headers, symbol table entries) to boundary or nearby
/// values, plus the odd byte flip, truncation or extension: mutations a
/// byte-level fuzzer takes long to stumble on, like a symbol's size.
public struct ELFMutator {
    var rng: FuzzRandom
    public init(seed: UInt64) { rng = FuzzRandom(seed: seed) }

    static func get(_ b: [UInt8], _ at: Int, _ n: Int) -> UInt64 {
        guard at >= 0, at <= b.count - n else { return 0 }
        return (0..<n).reduce(0) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
    }

    static func set(_ b: inout [UInt8], _ at: Int, _ n: Int, _ v: UInt64) {
        guard at >= 0, at <= b.count - n else { return }
        for i in 0..<n { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }

    /// A new value for a field that now holds `old`.
    mutating func value(near old: UInt64, width n: Int) -> UInt64 {
        let v: UInt64
        switch rng.below(5) {
        case 0: v = rng.pick(edgeValues)
        case 1: v = old &+ UInt64(rng.below(64)) &- 32
        case 2: v = old &* 2 &+ 1
        case 3: v = 0x8000_0000 &+ UInt64(rng.below(1 << 21))
        default: v = rng.next()
        }
        return n == 8 ? v : v & ((1 << (8 * UInt64(n))) - 1)
    }

    /// Fields as (offset, width) in an ELF64 file. Offsets read from the
    /// (already mutated) file may be anything: tables are only followed
    /// when they start inside the file, so no offset arithmetic overflows
    /// (it did, in this harness, on libFuzzer's inputs).
    func fields(_ b: [UInt8]) -> [(Int, Int)] {
        func inFile(_ at: Int) -> Bool { at >= 0 && at < b.count }
        var out: [(Int, Int)] = [(16, 2), (18, 2), (24, 8), (32, 8), (40, 8), (52, 2), (54, 2), (56, 2), (58, 2), (60, 2), (62, 2)]
        let phoff = Int(truncatingIfNeeded: Self.get(b, 32, 8)), phnum = Int(Self.get(b, 56, 2))
        for i in 0..<min(phnum, 16) {
            let p = phoff &+ 56 * i
            guard inFile(p) else { break }
            out += [(p, 4), (p + 4, 4), (p + 8, 8), (p + 16, 8), (p + 24, 8), (p + 32, 8), (p + 40, 8)]
        }
        let shoff = Int(truncatingIfNeeded: Self.get(b, 40, 8)), shnum = Int(Self.get(b, 60, 2))
        for i in 0..<min(shnum, 32) {
            let s = shoff &+ 64 * i
            guard inFile(s) else { break }
            out += [(s, 4), (s + 4, 4), (s + 24, 8), (s + 32, 8), (s + 40, 4), (s + 56, 8)]
            // A symbol table: its entries' name, info, section, value and size.
            if Self.get(b, s + 4, 4) == 2 {
                let off = Int(truncatingIfNeeded: Self.get(b, s + 24, 8)), size = Int(truncatingIfNeeded: Self.get(b, s + 32, 8))
                for k in 0..<min(max(size, 0) / 24, 64) {
                    let e = off &+ 24 * k
                    guard inFile(e) else { break }
                    out += [(e, 4), (e + 4, 1), (e + 6, 2), (e + 8, 8), (e + 16, 8)]
                }
            }
        }
        return out.filter { $0.0 >= 0 && $0.0 <= b.count - $0.1 }
    }

    /// `count` mutations of `seed` (2 at a time on average).
    public mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
        var b = seed
        for _ in 0..<(1 + rng.below(3)) {
            switch rng.below(10) {
            case 0: if !b.isEmpty { b[rng.below(b.count)] ^= UInt8(1 << rng.below(8)) }
            case 1: b.removeLast(rng.below(b.count / 2 + 1))
            case 2: b += rng.bytes(rng.below(256))
            default:
                let fs = fields(b)
                guard !fs.isEmpty else { continue }
                let (at, n) = rng.pick(fs)
                Self.set(&b, at, n, value(near: Self.get(b, at, n), width: n))
            }
        }
        return b
    }
}
