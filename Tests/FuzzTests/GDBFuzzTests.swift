// GDBFuzzTests.swift — the GDB fuzz target as a seeded property test:
// generated packets (as payloads and as damaged wire bytes) against a
// real two-hart board with the monitor attached.

import Testing
import FuzzTargets

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
}
