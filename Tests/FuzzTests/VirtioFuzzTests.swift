// VirtioFuzzTests.swift — the virtio-blk fuzz target as a seeded property
// test: random driver programs (hostile rings, registers, notifies) on
// both transports, over a real image file.

import Foundation
import Testing
import FuzzTargets

@Suite("fuzz: virtio block")
struct VirtioFuzzTests {
    @Test("3 000 hostile driver programs per transport: no crash, no hang, interrupt line consistent", arguments: [0, 1])
    func hostileDrivers(transport: UInt8) {
        var g = VirtioProgramGenerator(seed: 0x5eed_0004 + UInt64(transport))
        var failures: [String] = []
        var served = 0
        let start = Date()
        for i in 0..<3000 {
            let input = g.program(legacy: transport == 0)
            let outcome = VirtioFuzz.execute(input)
            served += outcome.served
            if let f = outcome.failure { failures.append("program \(i) \(input.map { String($0, radix: 16) }.joined(separator: " ")): \(f)") }
        }
        #expect(failures.isEmpty, "\(failures.count) failures; first: \(failures.prefix(3).joined(separator: "\n"))")
        #expect(served > 1000, "requests really reached the disk: \(served)")
        #expect(Date().timeIntervalSince(start) < 60, "no program may make the device loop")
        print("virtio fuzz (\(transport == 0 ? "legacy" : "modern")): 3000 programs, \(served) requests served")
    }
}
