// BareMetalProgramTests.swift — small assembly programs (Tests/Programs)
// built with the real cross compiler and run on the board; each checks
// machine state step by step and reports through HTIF (0 = pass, N = the
// first failed check). The same programs pass under qemu-system-riscv64
// -machine spike, except where a comment in the program names a QEMU bug.

import Testing
import Machine
import TestSupport

@Suite("Bare-metal programs")
struct BareMetalProgramTests {
    @Test("program passes every check", arguments: ["traps", "delegation", "vectored", "privilege", "interrupts", "amo"])
    func program(_ name: String) throws {
        let elf = try CrossCompiler.build(name)
        var config = MachineConfiguration()
        config.kernelPath = elf
        let machine = try Machine(configuration: config)
        let outcome = machine.run(instructionLimit: 10_000_000)
        #expect(outcome == .exited(status: 0), "\(name): a status N means check N failed")
    }
}
