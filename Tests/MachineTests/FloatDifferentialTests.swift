// FloatDifferentialTests.swift — F and D against QEMU: Tests/Programs/fpdiff.c
// runs ten thousand generated FP operations (every operation × every
// rounding mode, special/boundary/random operands, improperly boxed
// singles) and prints hashes of the results and fflags. Its output under
// xv6emu must equal its output under qemu-system-riscv64 byte for byte.

import Foundation
import Testing
import TestSupport
@testable import Machine

@Suite("F and D against QEMU")
struct FloatDifferentialTests {
    /// Runs an ELF under qemu-system-riscv64 -machine virt -bios none; returns its console output.
    static func qemu(_ elf: String, timeout: TimeInterval = 30) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["qemu-system-riscv64", "-machine", "virt", "-bios", "none", "-nographic", "-kernel", elf]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // The output (a few KiB) fits in the pipe, so it is read after the exit.
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test("fpdiff prints the same results and flags under xv6emu and QEMU")
    func sameAsQEMU() throws {
        let elf = try CrossCompiler.build("fpdiff")
        let (outcome, ours, _) = try runProgram(elf, limit: 50_000_000)
        #expect(outcome == .exited(status: 0), "\(ours)")
        let (status, theirs) = try Self.qemu(elf)
        #expect(status == 0, "qemu-system-riscv64 failed: \(theirs)")
        #expect(ours.contains("reset FS 0"), "FS is Off at reset, as in QEMU")
        #expect(ours.contains("ops 10080"))
        // Line by line first, so a mismatch names the operation.
        let a = ours.split(separator: "\n"), b = theirs.split(separator: "\n")
        for (x, y) in zip(a, b) where x != y { Issue.record("xv6emu: \(x)\nQEMU:   \(y)") }
        #expect(ours == theirs)
    }
}
