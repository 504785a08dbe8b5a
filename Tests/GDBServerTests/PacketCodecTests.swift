// PacketCodecTests.swift — the remote protocol's framing fed byte strings,
// including everything a hostile or broken client can send.

import Testing
@testable import GDBServer

@Suite("GDB packet codec")
struct PacketCodecTests {
    func feed(_ s: String, max: Int = 0x4000) -> [PacketEvent] {
        var d = PacketDecoder(maxPacketSize: max)
        return d.feed(Array(s.utf8))
    }

    @Test("a packet with a good checksum")
    func good() {
        #expect(feed("$qSupported#37") == [.packet(Array("qSupported".utf8))])
    }

    @Test("acks, nacks and the interrupt byte between packets")
    func control() {
        #expect(feed("+-\u{03}$g#67") == [.ack, .nack, .interrupt, .packet([UInt8(ascii: "g")])])
    }

    @Test("a bad checksum or non-hex checksum is reported, not delivered")
    func badChecksum() {
        #expect(feed("$g#00") == [.badChecksum])
        #expect(feed("$g#zz") == [.badChecksum])
    }

    @Test("escaped bytes are unescaped and counted raw in the checksum")
    func escapes() {
        // payload "X}\x03" is sent as "X}]}#" ... build it with the encoder
        let framed = PacketEncoder.frame([UInt8(ascii: "X"), 0x7d, 0x23, 0x24, 0x2a])
        var d = PacketDecoder()
        #expect(d.feed(framed) == [.packet([UInt8(ascii: "X"), 0x7d, 0x23, 0x24, 0x2a])])
    }

    @Test("packets longer than the limit are dropped as tooLong")
    func tooLong() {
        let long = String(repeating: "a", count: 100)
        var sum: UInt8 = 0
        for b in long.utf8 { sum &+= b }
        let cs = String(sum, radix: 16)
        #expect(feed("$\(long)#\(cs.count == 1 ? "0" + cs : cs)", max: 10) == [.tooLong])
    }

    @Test("junk between packets is ignored; a truncated packet is abandoned at the next '$'")
    func junk() {
        #expect(feed("garbage\u{00}\u{ff}$g#67") == [.packet([UInt8(ascii: "g")])])
        #expect(feed("$qSupp$g#67") == [.packet([UInt8(ascii: "g")])])
    }

    @Test("random bytes never crash the decoder and memory stays bounded")
    func randomBytes() {
        var d = PacketDecoder(maxPacketSize: 64)
        var x: UInt64 = 0x1234_5678
        var events = 0
        for _ in 0..<20_000 {
            var chunk: [UInt8] = []
            for _ in 0..<64 {
                x = x &* 6364136223846793005 &+ 1442695040888963407
                chunk.append(UInt8(truncatingIfNeeded: x >> 33))
            }
            events += d.feed(chunk).count
        }
        #expect(events > 0)
    }

    @Test("hex helpers round-trip and reject bad input")
    func hex() {
        #expect(hexEncode([0x00, 0xab, 0xff]) == "00abff")
        #expect(hexDecode("00abff") == [0x00, 0xab, 0xff])
        #expect(hexDecode("abc") == nil)
        #expect(hexDecode("zz") == nil)
        #expect(hexLE64(0x0102) == "0201000000000000")
    }
}
