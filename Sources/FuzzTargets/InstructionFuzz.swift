// InstructionFuzz.swift — fuzz target: arbitrary instruction words through
// decode and execute, on both execution paths.
//
// The input is a small header (starting privilege mode, whether Sv39 is on,
// a seed for the registers) followed by instruction words, written at the
// start of a 64 KiB RAM. Traps go to a four-instruction M-mode handler
// that skips the faulting instruction and returns (`mepc += 4; mret`), so a
// bad word costs one trap and execution goes on; the fuzzed code may of
// course wreck the handler, the vector or the page table — that is allowed,
// the step budget bounds the run.
//
// The same program runs twice on fresh harts: once through the threaded
// run loop (`Hart.run`, blocks of chained handlers, loop acceleration) and
// once one instruction at a time (`Hart.step`, what gdb's stepi uses). The
// host must not crash on either; afterwards the two must agree exactly —
// registers, pc, mode, the CSRs a trap touches, every byte of RAM — at the
// same count of retired instructions and traps, since both run the same
// instruction bodies. Invariants checked on each: pc 2-byte aligned (C is
// on), x0 reads 0, the mode is M, S or U.

import Machine
import RISCV

public enum InstructionFuzz {
    static let base: UInt64 = 0x8000_0000
    static let ramSize: UInt64 = 64 << 10
    /// Where the trap handler lives (the fuzzed code may overwrite it).
    static let handler: UInt64 = base + 0xf000
    /// Sv39 root table (identity gigapages for RAM and the device window).
    static let rootTable: UInt64 = base + 0xe000
    /// A device window: loads return the address, stores are accepted.
    static let deviceBase: UInt64 = 0x1000_0000
    /// Most words a program may have (two pages: straddling and cross-page chains).
    public static let maxWords = 2048
    static let maxSteps = 8192

    /// Runs `data` (see the file comment); nil if every invariant held.
    public static func run(_ data: [UInt8]) -> FuzzFailure? { execute(data).failure }

    /// What one input did: the broken invariant if any, and how much the
    /// threaded run executed (so a test can tell the harness really ran code).
    public struct Outcome: Sendable {
        public var failure: FuzzFailure?
        /// Instruction words in the input (the program's length / 4).
        public var words: Int
        public var retired: UInt64
        public var traps: UInt64
    }

    public static func execute(_ data: [UInt8]) -> Outcome {
        var input = FuzzInput(data)
        let flags = input.byte()
        let seed = input.u64()
        let code = input.take(maxWords * 4)
        let steps = min(maxSteps, 64 + 4 * code.count / 2)

        let threaded = Rig(flags: flags, seed: seed, code: code)
        _ = threaded.hart.run(budget: steps)
        var outcome = Outcome(failure: nil, words: code.count / 4, retired: threaded.hart.instret, traps: threaded.hart.trapCount)
        if let f = threaded.invariants("run") { outcome.failure = f; return outcome }

        // The single-step path, to the same point (instructions retired plus
        // traps taken). Loop acceleration may retire many at once in either.
        let stepped = Rig(flags: flags, seed: seed, code: code)
        let target = threaded.hart.instret &+ threaded.hart.trapCount
        var guardSteps = 0
        while stepped.hart.instret &+ stepped.hart.trapCount < target && guardSteps < (1 << 20) {
            stepped.hart.step(interrupts: true)
            guardSteps += 1
            if stepped.hart.isWaitingForInterrupt { break }
            if guardSteps % 64 == 0, let f = stepped.invariants("step") { outcome.failure = f; return outcome }
        }
        outcome.failure = stepped.invariants("step") ?? threaded.compare(with: stepped)
        return outcome
    }

    /// A hart on 64 KiB of RAM plus one device window, loaded with the program.
    final class Rig {
        let bus = EchoBus()
        let memory: MemorySystem
        let hart: Hart

        init(flags: UInt8, seed: UInt64, code: [UInt8]) {
            memory = MemorySystem(ramBase: InstructionFuzz.base, ramSize: InstructionFuzz.ramSize, bus: bus)
            hart = Hart(id: 0, memory: memory)
            memory.writeRAM(InstructionFuzz.base, code)
            // The trap handler: skip the instruction and return to the mode trapped from.
            let t6: UInt32 = 31
            let handler: [UInt32] = [
                UInt32(CSRNumber.mepc) << 20 | 2 << 12 | t6 << 7 | 0x73,   // csrr t6, mepc
                Enc.i(0x13, 0, t6, t6, 4),                                  // addi t6, t6, 4
                UInt32(CSRNumber.mepc) << 20 | t6 << 15 | 1 << 12 | 0x73,   // csrw mepc, t6
                0x3020_0073,                                                 // mret
            ]
            memory.writeRAM(InstructionFuzz.handler, handler.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * UInt32($0))) } })
            hart.reset(pc: InstructionFuzz.base)

            // Registers: a mix of RAM addresses (so loads and stores land),
            // device addresses, boundary values and noise, all from the seed.
            var rng = seed
            func next() -> UInt64 {
                rng &+= 0x9e37_79b9_7f4a_7c15
                var z = rng
                z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
                z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
                return z ^ (z >> 31)
            }
            for r in 1..<32 {
                let v = next()
                switch v % 5 {
                case 0, 1: hart.setRegister(r, InstructionFuzz.base &+ (v >> 8) % InstructionFuzz.ramSize)
                case 2: hart.setRegister(r, edgeValues[Int((v >> 8) % UInt64(edgeValues.count))])
                case 3: hart.setRegister(r, InstructionFuzz.deviceBase &+ (v >> 8) % 0x100)
                default: hart.setRegister(r, next())
                }
            }
            for r in 0..<32 { hart.f[r] = next() }

            // FP on, traps to the handler; S or U mode with Sv39 if asked.
            hart.debugWriteCSR(CSRNumber.mstatus, 0xa_0000_0000 | 1 << 13)
            hart.debugWriteCSR(CSRNumber.mtvec, InstructionFuzz.handler)
            if flags & 4 != 0 {
                let user: UInt64 = flags & 3 == 2 ? 1 << 4 : 0
                func pte(_ pa: UInt64) -> UInt64 { (pa >> 12) << 10 | 0xcf | user }   // V R W X A D (+U)
                memory.writeRAM(InstructionFuzz.rootTable + 8 * 2, le(pte(InstructionFuzz.base)))
                memory.writeRAM(InstructionFuzz.rootTable + 8 * 0, le(pte(0)))
                hart.debugWriteCSR(CSRNumber.satp, 8 << 60 | InstructionFuzz.rootTable >> 12)
            }
            switch flags & 3 {
            case 1: hart.debugSetMode(.supervisor)
            case 2: hart.debugSetMode(.user)
            default: break
            }
            if flags & 8 != 0 {
                // Delegate everything delegable to S with stvec at the same handler
                // (its mret then faults in S, which M handles: more paths).
                hart.debugWriteCSR(CSRNumber.medeleg, 0xffff)
                hart.debugWriteCSR(CSRNumber.stvec, InstructionFuzz.handler)
            }
        }

        func le(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }

        func invariants(_ path: String) -> FuzzFailure? {
            if hart.pc & 1 != 0 { return FuzzFailure("\(path): pc \(hex(hart.pc)) is odd") }
            if hart.register(0) != 0 { return FuzzFailure("\(path): x0 = \(hex(hart.register(0)))") }
            if ![PrivilegeMode.machine, .supervisor, .user].contains(hart.mode) {
                return FuzzFailure("\(path): mode \(hart.mode)")
            }
            return nil
        }

        static let comparedCSRs: [UInt16] = [
            CSRNumber.mstatus, CSRNumber.mepc, CSRNumber.mcause, CSRNumber.mtval, CSRNumber.mtvec,
            CSRNumber.sepc, CSRNumber.scause, CSRNumber.stval, CSRNumber.stvec, CSRNumber.satp,
            CSRNumber.mscratch, CSRNumber.sscratch, CSRNumber.medeleg, CSRNumber.mie, CSRNumber.fcsr,
        ]

        /// The threaded run and the stepped run must be in the same state.
        func compare(with other: Rig) -> FuzzFailure? {
            let a = hart, b = other.hart
            var diffs: [String] = []
            if a.instret != b.instret || a.trapCount != b.trapCount {
                // The stepped run could not reach the same point (it slept in
                // wfi earlier, or a loop was accelerated differently): no
                // common point to compare at.
                if b.isWaitingForInterrupt || a.isWaitingForInterrupt { return nil }
                diffs.append("instret/traps \(a.instret)/\(a.trapCount) vs \(b.instret)/\(b.trapCount)")
            }
            if a.pc != b.pc { diffs.append("pc \(hex(a.pc)) vs \(hex(b.pc))") }
            if a.mode != b.mode { diffs.append("mode \(a.mode) vs \(b.mode)") }
            for r in 1..<32 where a.register(r) != b.register(r) {
                diffs.append("x\(r) \(hex(a.register(r))) vs \(hex(b.register(r)))")
            }
            for r in 0..<32 where a.f[r] != b.f[r] { diffs.append("f\(r) \(hex(a.f[r])) vs \(hex(b.f[r]))") }
            for c in Rig.comparedCSRs where a.debugReadCSR(c) != b.debugReadCSR(c) {
                diffs.append("csr \(hex(UInt64(c))) \(hex(a.debugReadCSR(c) ?? 0)) vs \(hex(b.debugReadCSR(c) ?? 0))")
            }
            if memcmp(memory.ram, other.memory.ram, Int(InstructionFuzz.ramSize)) != 0 {
                var first = 0
                while first < Int(InstructionFuzz.ramSize)
                    && memory.ram.load(fromByteOffset: first, as: UInt8.self) == other.memory.ram.load(fromByteOffset: first, as: UInt8.self) {
                    first += 1
                }
                diffs.append("RAM differs from \(hex(InstructionFuzz.base + UInt64(first)))")
            }
            if bus.log != other.bus.log { diffs.append("device accesses differ") }
            return diffs.isEmpty ? nil : FuzzFailure("run vs step after \(a.instret) instructions, \(a.trapCount) traps: "
                + diffs.prefix(8).joined(separator: "; "))
        }
    }

    /// The device window: a load returns its own address (so the two runs
    /// see the same values), a store is logged; everything else faults.
    final class EchoBus: MMIOBus {
        var log: [UInt64] = []
        func load(_ address: UInt64, width: Int) -> UInt64? {
            guard address >= InstructionFuzz.deviceBase, address - InstructionFuzz.deviceBase < 0x1000 else { return nil }
            return address
        }
        func store(_ address: UInt64, width: Int, value: UInt64) -> Bool {
            guard address >= InstructionFuzz.deviceBase, address - InstructionFuzz.deviceBase < 0x1000 else { return false }
            if log.count < 4096 { log.append(address ^ value ^ UInt64(width) << 60) }
            return true
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
