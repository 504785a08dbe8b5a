// PacketCodec.swift — the GDB remote serial protocol's framing, sans I/O:
// feed it bytes from the wire, take complete events out; encode replies.
//
// Holds no socket and no knowledge of commands (WasmKit's
// GDBRemoteProtocol split). Framing rules (gdb manual, "Overview" of the
// remote protocol): `$payload#cc` with a two-hex-digit modulo-256 checksum;
// `}` escapes the next byte XOR 0x20; `+`/`-` acknowledge; a lone 0x03 is
// an interrupt request. Hostile input — bad checksums, junk between
// packets, packets longer than `maxPacketSize`, truncated packets — only
// ever produces events, never a crash or unbounded memory.

public enum PacketEvent: Equatable, Sendable {
    /// A complete packet with a good checksum (payload unescaped).
    case packet([UInt8])
    /// The client acknowledged (`+`) or asked for a resend (`-`).
    case ack, nack
    /// Ctrl-C from the client (0x03 outside a packet).
    case interrupt
    /// A packet whose checksum did not match (the stub should answer `-`).
    case badChecksum
    /// A packet longer than the limit was dropped.
    case tooLong
}

public struct PacketDecoder: Sendable {
    public let maxPacketSize: Int
    private enum State: Sendable { case idle, payload, escape, checksum1, checksum2 }
    private var state = State.idle
    private var payload: [UInt8] = []
    private var sum: UInt8 = 0
    private var check: UInt8 = 0
    private var overflow = false

    public init(maxPacketSize: Int = 0x4000) {
        self.maxPacketSize = maxPacketSize
    }

    /// Consumes bytes; returns the events they complete, in order.
    public mutating func feed<S: Sequence<UInt8>>(_ bytes: S) -> [PacketEvent] {
        var events: [PacketEvent] = []
        for b in bytes {
            switch state {
            case .idle:
                switch b {
                case UInt8(ascii: "$"):
                    state = .payload
                    payload.removeAll(keepingCapacity: true)
                    sum = 0
                    overflow = false
                case UInt8(ascii: "+"): events.append(.ack)
                case UInt8(ascii: "-"): events.append(.nack)
                case 0x03: events.append(.interrupt)
                default: break   // junk between packets is ignored
                }
            case .payload, .escape:
                if b == UInt8(ascii: "#") && state == .payload {
                    state = .checksum1
                    continue
                }
                if b == UInt8(ascii: "$") && state == .payload {
                    // A new packet starts before the old one ended: the old
                    // one was truncated; start over.
                    payload.removeAll(keepingCapacity: true)
                    sum = 0
                    overflow = false
                    continue
                }
                sum &+= b
                var value = b
                if state == .escape {
                    value = b ^ 0x20
                    state = .payload
                } else if b == UInt8(ascii: "}") {
                    state = .escape
                    continue
                }
                if payload.count < maxPacketSize { payload.append(value) } else { overflow = true }
            case .checksum1:
                guard let h = hexValue(b) else { state = .idle; events.append(.badChecksum); continue }
                check = h << 4
                state = .checksum2
            case .checksum2:
                state = .idle
                guard let l = hexValue(b) else { events.append(.badChecksum); continue }
                if overflow {
                    events.append(.tooLong)
                } else if check | l == sum {
                    events.append(.packet(payload))
                } else {
                    events.append(.badChecksum)
                }
            }
        }
        return events
    }
}

@inline(__always)
func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
}

public enum PacketEncoder {
    /// Frames a reply: `$payload#cc`, escaping `$ # } *`.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "$")]
        out.reserveCapacity(payload.count + 4)
        var sum: UInt8 = 0
        for b in payload {
            if b == UInt8(ascii: "$") || b == UInt8(ascii: "#") || b == UInt8(ascii: "}") || b == UInt8(ascii: "*") {
                out.append(UInt8(ascii: "}"))
                out.append(b ^ 0x20)
                sum &+= UInt8(ascii: "}") &+ (b ^ 0x20)
            } else {
                out.append(b)
                sum &+= b
            }
        }
        out.append(UInt8(ascii: "#"))
        out.append(contentsOf: hexByte(sum))
        return out
    }

    public static func frame(_ payload: String) -> [UInt8] { frame(Array(payload.utf8)) }
}

let hexDigits = Array("0123456789abcdef".utf8)

@inline(__always)
func hexByte(_ b: UInt8) -> [UInt8] { [hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]] }

/// Lowercase hex of bytes, as memory and register packets carry them.
public func hexEncode<S: Sequence<UInt8>>(_ bytes: S) -> String {
    var out: [UInt8] = []
    for b in bytes { out.append(contentsOf: hexByte(b)) }
    return String(decoding: out, as: UTF8.self)
}

/// Bytes from hex text; nil on odd length or a non-hex character.
public func hexDecode<S: StringProtocol>(_ s: S) -> [UInt8]? {
    let u = Array(s.utf8)
    guard u.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(u.count / 2)
    var i = 0
    while i < u.count {
        guard let h = hexValue(u[i]), let l = hexValue(u[i + 1]) else { return nil }
        out.append(h << 4 | l)
        i += 2
    }
    return out
}

/// A little-endian 64-bit value as 16 hex digits (register packets).
public func hexLE64(_ v: UInt64) -> String {
    hexEncode(withUnsafeBytes(of: v.littleEndian) { Array($0) })
}
