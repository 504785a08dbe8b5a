// FuzzInput.swift — what every fuzz target shares: a reader that takes
// typed values off the front of the fuzzer's bytes (running dry yields
// zeros, so every input, even the empty one, is a valid test case), and the
// failure a target reports when an invariant breaks.
//
// A target returns a `FuzzFailure` for a broken invariant; a host crash is a
// crash. libFuzzer turns both into a saved input (the driver traps on a
// failure); the property tests in Tests/FuzzTests expect none.

/// A broken invariant, in words that say which and how.
public struct FuzzFailure: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Consumes the fuzzer's bytes front to back.
public struct FuzzInput {
    let bytes: [UInt8]
    var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isEmpty: Bool { offset >= bytes.count }
    public var remaining: Int { max(bytes.count - offset, 0) }

    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// `n` bytes little-endian (n ≤ 8).
    public mutating func le(_ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(byte()) << (8 * UInt64(i)) }
        return v
    }

    public mutating func u16() -> UInt16 { UInt16(truncatingIfNeeded: le(2)) }
    public mutating func u32() -> UInt32 { UInt32(truncatingIfNeeded: le(4)) }
    public mutating func u64() -> UInt64 { le(8) }

    /// Up to `n` raw bytes (fewer when the input runs out).
    public mutating func take(_ n: Int) -> [UInt8] {
        let k = min(max(n, 0), remaining)
        defer { offset += k }
        return Array(bytes[offset..<offset + k])
    }

    /// Everything not consumed yet.
    public mutating func rest() -> [UInt8] { take(remaining) }

    /// One of `choices`, picked by the next byte.
    public mutating func pick<T>(_ choices: [T]) -> T { choices[Int(byte()) % choices.count] }
}

/// Values that sit on boundaries: where overflow and off-by-one bugs live.
public let edgeValues: [UInt64] = [
    0, 1, 2, 3, 4, 7, 8, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x1_0000,
    0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000,
    0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_fff0, 0xffff_ffff_ffff_fffe, .max,
]
