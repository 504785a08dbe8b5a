// BoardProgramTests.swift — C programs (Tests/Programs/*.c, built with the
// real cross compiler) driving the virt board's devices from a real CPU:
// CLINT timers and software interrupts on three harts, both virtio
// transport versions against a real image file, and determinism.

import Foundation
import Testing
import TestSupport
@testable import Machine

func runProgram(_ elf: String, harts: Int = 1, disk: String? = nil, legacy: Bool = true,
                limit: UInt64 = 200_000_000) throws -> (MachineOutcome, String, Machine) {
    var config = MachineConfiguration()
    config.kernelPath = elf
    config.hartCount = harts
    config.diskPath = disk
    config.legacyVirtio = legacy
    let machine = try Machine(configuration: config)
    var out: [UInt8] = []
    machine.consoleSink = { out.append($0) }
    let outcome = machine.run(instructionLimit: limit)
    return (outcome, String(decoding: out, as: UTF8.self), machine)
}

@Suite("Board programs")
struct BoardProgramTests {
    @Test("CLINT: each of three harts takes its own timer, then a software interrupt")
    func clintOnThreeHarts() throws {
        let (outcome, out, _) = try runProgram(CrossCompiler.build("clint_harts"), harts: 3)
        #expect(outcome == .exited(status: 0), "\(out)")
        #expect(out.contains("all harts took"))
    }

    @Test("virtio reads and writes a real image, legacy and modern", arguments: [true, false])
    func virtio(legacy: Bool) throws {
        let image = FileManager.default.temporaryDirectory.appendingPathComponent("xv6emu-vd-\(UUID().uuidString).img").path
        FileManager.default.createFile(atPath: image, contents: Data(repeating: 0x11, count: 512 * 16))
        let (outcome, out, machine) = try runProgram(CrossCompiler.build("virtio_disk"), disk: image, legacy: legacy)
        #expect(outcome == .exited(status: 0), "\(out)")
        #expect(out.contains("virtio ok v\(legacy ? 1 : 2)"))
        #expect(machine.virtio?.requests ?? 0 >= 18)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image)))
        for s in 2..<10 {
            #expect((0..<512).allSatisfy { bytes[s * 512 + $0] == UInt8(truncatingIfNeeded: s * 7 + $0) }, "sector \(s) on disk")
        }
        #expect(bytes[512..<1024].allSatisfy { $0 == 0x11 }, "sector 1 untouched")
    }

    @Test("determinism: two runs of a racing 3-hart program agree byte for byte and instruction for instruction")
    func determinism() throws {
        let elf = try CrossCompiler.build("multi")
        let a = try runProgram(elf, harts: 3)
        let b = try runProgram(elf, harts: 3)
        #expect(a.0 == .exited(status: 0), "\(a.1)")
        #expect(a.1 == b.1)
        #expect(a.2.harts.map(\.instret) == b.2.harts.map(\.instret))
        #expect(a.1.contains("counter 60000"), "\(a.2.harts.map { ($0.pc, $0.instret, $0.spinsDetected, $0.isWaitingForInterrupt) })")
    }
}
