// Harness.swift — a one-instruction test bench (after libriscv's
// testable_insn): a hart on 1 MiB of RAM at 0x80000000 and no devices,
// programs written as instruction words, run one step at a time.

@testable import RISCV

/// A bus with no devices: every access outside RAM is an access fault.
final class NoDevices: MMIOBus {
    var stores: [(UInt64, Int, UInt64)] = []
    func load(_ address: UInt64, width: Int) -> UInt64? { nil }
    func store(_ address: UInt64, width: Int, value: UInt64) -> Bool { false }
}

struct Bench {
    static let base: UInt64 = 0x8000_0000
    let bus = NoDevices()
    let memory: MemorySystem
    let harts: [Hart]
    var hart: Hart { harts[0] }

    init(harts count: Int = 1) {
        let memory = MemorySystem(ramBase: Bench.base, ramSize: 1 << 20, bus: bus)
        self.memory = memory
        harts = (0..<max(count, 1)).map { Hart(id: $0, memory: memory) }
        harts[0].pc = Bench.base
    }

    var second: Hart { harts[1] }

    /// Writes 32-bit words (and/or 16-bit halves via `half`) at `address`.
    func program(_ words: [UInt32], at address: UInt64 = Bench.base) {
        var bytes: [UInt8] = []
        for w in words { bytes += withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        memory.writeRAM(address, bytes)
    }

    func half(_ halves: [UInt16], at address: UInt64 = Bench.base) {
        var bytes: [UInt8] = []
        for h in halves { bytes += withUnsafeBytes(of: h.littleEndian) { Array($0) } }
        memory.writeRAM(address, bytes)
    }

    func write64(_ address: UInt64, _ v: UInt64) {
        memory.writeRAM(address, withUnsafeBytes(of: v.littleEndian) { Array($0) })
    }

    func read64(_ address: UInt64) -> UInt64 {
        memory.readRAM(address, count: 8)!.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    subscript(reg: Int) -> UInt64 {
        get { hart.register(reg) }
        nonmutating set { hart.setRegister(reg, newValue) }
    }

    /// Executes `n` instructions (or traps), one block boundary each.
    func step(_ n: Int = 1) {
        for _ in 0..<n { hart.step(interrupts: true) }
    }

    /// Runs one instruction `word` with the given registers and returns the bench.
    @discardableResult
    static func run(_ word: UInt32, _ regs: [Int: UInt64] = [:]) -> Bench {
        let b = Bench()
        b.program([word])
        for (r, v) in regs { b[r] = v }
        b.step()
        return b
    }

    func csr(_ n: UInt16) -> UInt64 { hart.debugReadCSR(n)! }
    func setCSR(_ n: UInt16, _ v: UInt64) { hart.debugWriteCSR(n, v) }
}

/// Encoders for test programs (the same `Enc` the decoder's RVC expansion uses).
enum I {
    static func addi(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { Enc.i(0x13, 0, rd, rs1, imm) }
    static func r(_ f7: UInt32, _ f3: UInt32, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32, w: Bool = false) -> UInt32 {
        Enc.r(w ? 0x3b : 0x33, f3, f7, rd, rs1, rs2)
    }
    static func load(_ f3: UInt32, _ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { Enc.i(0x03, f3, rd, rs1, imm) }
    static func store(_ f3: UInt32, _ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { Enc.s(0x23, f3, rs1, rs2, imm) }
    static func csr(_ f3: UInt32, _ rd: UInt32, _ csr: UInt16, _ rs1: UInt32) -> UInt32 {
        UInt32(csr) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | 0x73
    }
    static func amo(_ f5: UInt32, _ d: Bool, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 {
        f5 << 27 | rs2 << 20 | rs1 << 15 | (d ? 3 : 2) << 12 | rd << 7 | 0x2f
    }
    static let ecall: UInt32 = 0x73, ebreak: UInt32 = 0x0010_0073, mret: UInt32 = 0x3020_0073
    static let sret: UInt32 = 0x1020_0073, wfi: UInt32 = 0x1050_0073, nop: UInt32 = 0x13
}
