// GDBFuzzTests.swift — the GDB fuzz target as a seeded property test:
// generated packets (as payloads and as damaged wire bytes) against a
// real two-hart board with the monitor attached.

import Testing
import FuzzTargets
import GDBServer
import Machine

@Suite("fuzz: GDB remote protocol")
struct GDBFuzzTests {
    /// 10^4 packets in CI; tools/fuzz.sh gdb runs libFuzzer on the same entry point.
    @Test("10 000 generated packets: no crash, every reply well framed")
    func generatedPackets() {
        var g = GDBPacketGenerator(seed: 0x5eed_0002)
        var failures: [String] = []
        var replies = 0, resumes = 0
        for i in 0..<500 {
            let input = g.input(packets: 20)
            let outcome = GDBFuzz.execute(input)
            replies += outcome.replies
            resumes += outcome.resumes
            if let f = outcome.failure {
                failures.append("input \(i) \(input.prefix(200).map { String($0, radix: 16) }.joined(separator: " ")): \(f)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures; first: \(failures.prefix(3).joined(separator: "\n"))")
        // Most packets got through the codec and were answered; the board ran.
        #expect(replies > 6000 && resumes > 300, "\(replies) replies, \(resumes) resumes")
        print("gdb fuzz: 500 inputs, 10000 packets, \(replies) replies, \(resumes) resumes")
    }

    /// Memory written by `X` (binary, escaped on the wire) or `M` (hex) reads
    /// back the same through `m`: a round trip through the real codec.
    @Test("1 000 random X/M writes of random bytes read back identically through m")
    func writeReadRoundTrip() throws {
        var config = MachineConfiguration()
        config.ramSize = 1 << 20
        let m = try Machine(configuration: config)
        let s = GDBSession(target: MachineDebugTarget(machine: m))
        var rng = FuzzRandom(seed: 0x5eed_0005)
        var mismatches: [String] = []
        for _ in 0..<1000 {
            let addr = 0x8000_0000 + UInt64(rng.below(1 << 20) - 64)
            let data = rng.bytes(1 + rng.below(64))
            let head = rng.chance(2) ? "X" : "M"
            let payload = Array("\(head)\(String(addr, radix: 16)),\(String(data.count, radix: 16)):".utf8)
                + (head == "X" ? data : Array(hexEncode(data).utf8))
            let reply = s.receive(PacketEncoder.frame(payload))
            let read = s.handle("m\(String(addr, radix: 16)),\(String(data.count, radix: 16))")
            if reply != Array("+".utf8) + PacketEncoder.frame("OK") || read != [hexEncode(data)] {
                mismatches.append("\(head) at \(String(addr, radix: 16)) of \(hexEncode(data)): \(String(decoding: reply, as: UTF8.self)), read \(read)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches; first: \(mismatches.prefix(3))")
    }
}
