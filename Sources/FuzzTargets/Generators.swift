// Generators.swift — seeded, structure-aware inputs for the fuzz targets:
// what the property tests in CI feed them, and what tools/fuzz.sh writes as
// libFuzzer's seed corpus. Pure noise mostly dies at the first check
// (illegal instruction, bad checksum, no ELF magic); these know enough of
// each format to get deep, and still throw in boundary values and junk.

import GDBServer
import RISCV

/// splitmix64, so that every generated input is reproducible from its seed.
public struct FuzzRandom {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    public mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }
    public mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
    public mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
    /// A boundary value, a RAM address, a small number or noise.
    public mutating func interesting() -> UInt64 {
        switch below(4) {
        case 0: return pick(edgeValues)
        case 1: return 0x8000_0000 &+ next() % (1 << 21) &- (chance(8) ? 0x1000 : 0)
        case 2: return next() % 64
        default: return next()
        }
    }
}

/// InstructionFuzz inputs: a header, then words of three kinds — noise
/// (mostly illegal), instructions of the decoder's own table with random
/// operand fields (legal, so they really execute), and compressed pairs.
public struct ProgramGenerator {
    var rng: FuzzRandom
    public init(seed: UInt64) { rng = FuzzRandom(seed: seed) }

    mutating func word() -> UInt32 {
        let r = rng.next()
        switch r % 8 {
        case 0: return UInt32(truncatingIfNeeded: rng.next())
        case 1: return UInt32(truncatingIfNeeded: rng.next()) & ~3   // two compressed halves
        default:
            let patterns = Decoder.patterns
            let p = patterns[Int((r >> 8) % UInt64(patterns.count))]
            var w = p.match | UInt32(truncatingIfNeeded: rng.next()) & ~p.mask
            // Mostly registers x0–x7 (plus the fields' top bit), so that
            // neighbouring instructions use each other's results.
            if r >> 40 & 1 == 0 { w = (w & ~(0x18 << 15 | 0x18 << 20 | 0x18 << 7)) | p.match }
            return w
        }
    }

    public mutating func program(words: Int) -> [UInt8] {
        var out: [UInt8] = [UInt8(truncatingIfNeeded: rng.next() % 16)]
        out += rng.bytes(8)
        for _ in 0..<words {
            let w = word()
            out += (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) }
        }
        return out
    }
}

/// GDBFuzz inputs: packets of every kind the session knows (and some it
/// doesn't), with arguments drawn from boundary values, RAM addresses and
/// malformed numbers; sent either as payloads (framed by the target) or
/// as raw wire bytes with broken checksums, escapes and junk mixed in.
public struct GDBPacketGenerator {
    var rng: FuzzRandom
    public init(seed: UInt64) { rng = FuzzRandom(seed: seed) }

    mutating func number() -> String {
        switch rng.below(8) {
        case 0: return ""
        case 1: return "-" + String(rng.next() % 32, radix: 16)
        case 2: return String(repeating: "f", count: 17 + rng.below(8))   // overflows 64 bits
        case 3: return "zz"
        default: return String(rng.interesting(), radix: 16)
        }
    }

    mutating func thread() -> String {
        rng.pick(["p1.1", "p1.2", "p1.-1", "p01.03", "-1", "0", "1", "2", "3", "ff", "p", "p1.", "p1.0", number()])
    }

    mutating func hexBytes(_ n: Int) -> String { hexEncode(rng.bytes(n)) + (rng.chance(10) ? "z" : "") }

    mutating func monitorCommand() -> String {
        let names = ["help", "info registers", "info mem", "xp /4x", "xp /100000000x", "xp /3i", "xp", "lens on", "lens off",
                     "lens status", "pagetable", "pagetable hart", "pte", "refs", "cowcheck", "ps", "leaks", "freepages",
                     "trace traps on", "trace cow on", "trace traps", "backtrace", "backtrace hart", "break-scope pid",
                     "break-scope off", "watch-phys", "watch-phys off", "watch-phys list", "bogus"]
        var line = rng.pick(names)
        for _ in 0..<rng.below(3) { line += " " + (rng.chance(3) ? "0x" : "") + number() }
        return line
    }

    public mutating func packet() -> String {
        switch rng.below(34) {
        case 0: return "?"
        case 1: return "g"
        case 2: return "G" + hexBytes(rng.chance(2) ? 33 * 8 : rng.below(300))
        case 3: return "p" + number()
        case 4: return "P" + number() + "=" + hexBytes(rng.chance(2) ? 8 : rng.below(12))
        case 5, 6: return "m" + number() + "," + number()
        case 7: return "M" + number() + "," + number() + ":" + hexBytes(rng.below(40))
        case 8: return "X" + number() + "," + number() + ":" + String(decoding: rng.bytes(rng.below(20)), as: UTF8.self)
        case 9, 10:
            var z = (rng.chance(2) ? "Z" : "z") + String(rng.below(6)) + "," + number() + "," + number()
            if rng.chance(4) { z += ";" + rng.pick(["", "X2,0", ";", "cmd"]) }
            if rng.chance(8) { z = rng.pick(["Z0,1,;", "Z0,,", "Z", "Z0", "Z0,1", "z1,;,"]) }
            return z
        case 11: return "H" + rng.pick(["g", "c", "x", ""]) + thread()
        case 12: return "T" + thread()
        case 13: return rng.pick(["c", "s", "C05", "S05", "c" + number(), "s" + number()])
        case 14, 15:
            var v = "vCont"
            for _ in 0..<rng.below(4) {
                v += ";" + rng.pick(["c", "s", "t", "C05", "S05", "x", "", ":"])
                if rng.chance(2) { v += ":" + thread() }
            }
            return rng.chance(10) ? "vCont?" : v
        case 16: return rng.pick(["vMustReplyEmpty", "vKill;1", "vFile:open:", "vAttach;1", "vRun"])
        case 17: return "qSupported:multiprocess+;swbreak+;xmlRegisters=i386"
        case 18, 19: return "qXfer:features:read:target.xml:" + number() + "," + number()
        case 20: return rng.pick(["qXfer:features:read:other.xml:0,100", "qXfer:memory-map:read::0,100", "qXfer:features:read:target.xml:"])
        case 21: return rng.pick(["qfThreadInfo", "qsThreadInfo", "qC", "qAttached", "qAttached:1", "qSymbol::", "qOffsets", "qTStatus"])
        case 22: return "qThreadExtraInfo," + thread()
        case 23, 24: return "qRcmd," + (rng.chance(10) ? hexBytes(5) : hexEncode(Array(monitorCommand().utf8)))
        case 25: return "Qqemu.PhyMemMode:" + rng.pick(["0", "1", "2", ""])
        case 26: return rng.pick(["Qqemu.sstep=", "Qqemu.sstep=7", "Qqemu.sstep=1", "Qqemu.sstep=zz"]) + (rng.chance(2) ? number() : "")
        case 27: return rng.pick(["qqemu.sstep", "qqemu.sstepbits", "qqemu.PhyMemMode", "QStartNoAckMode"])
        case 28: return rng.chance(20) ? rng.pick(["D", "k", "vKill"]) : "?"
        case 29: return String(decoding: rng.bytes(rng.below(30)), as: UTF8.self)
        default: return rng.pick(["", "qSupported", "g", "m80000000,40", "Z0,80000010,4", "Z2,80000100,8", "c", "z0,80000010,4"])
        }
    }

    /// A GDBFuzz input of `count` packets sent as payloads (mode 1), or
    /// as wire bytes with damage mixed in (mode 0).
    public mutating func input(packets count: Int) -> [UInt8] {
        let wire = rng.chance(3)
        var out: [UInt8] = [UInt8(rng.chance(4) ? 2 : 0) | (wire ? 0 : 1)]
        if !wire {
            out += (0..<count).map { _ in Array(packet().utf8) }.joined(separator: [0x0a])
            return out
        }
        for _ in 0..<count {
            var framed = PacketEncoder.frame(packet())
            switch rng.below(10) {
            case 0: framed[framed.count - 1] ^= 1                             // bad checksum
            case 1: framed.removeLast(rng.below(framed.count))                // truncated
            case 2: framed = [0x03] + framed                                  // interrupt first
            case 3: framed = Array("+-junk".utf8) + framed
            case 4: framed.insert(contentsOf: Array("}*}".utf8), at: min(1 + rng.below(framed.count), framed.count - 3))
            default: break
            }
            // Delivered in pieces: a length byte, then the bytes.
            var rest = framed[...]
            while !rest.isEmpty {
                let n = min(rest.count, 1 + rng.below(64))
                out.append(UInt8(n - 1))
                out += rest.prefix(n)
                rest = rest.dropFirst(n)
            }
        }
        return out
    }
}

/// VirtioFuzz inputs: driver programs — a queue setup, then actions
/// weighted towards well-formed requests with hostile details, since pure
/// noise rarely completes one. Half of all argument bytes are zero, which
/// picks each choice list's first, sane entry.
public struct VirtioProgramGenerator {
    var rng: FuzzRandom
    public init(seed: UInt64) { rng = FuzzRandom(seed: seed) }

    mutating func argument() -> UInt8 { rng.chance(2) ? 0 : UInt8(truncatingIfNeeded: rng.next()) }

    public mutating func program(legacy: Bool) -> [UInt8] {
        var out: [UInt8] = [legacy ? 0 : 1]
        if !rng.chance(10) { out += [0] + (0..<16).map { _ in argument() } }
        for _ in 0..<(4 + rng.below(24)) {
            let op = rng.pick([1, 2, 3, 3, 4, 5, 6, 7, 7, 7, 8, 0] as [UInt8])
            out.append(op)
            out += (0..<12).map { _ in argument() }
        }
        return out
    }
}
