// VirtualClock.swift — the board's time, derived from retired instructions.
//
// `mtime` (10 MHz, like QEMU's virt CLINT) advances by one tick per
// `instructionsPerTick` instructions of the busiest hart in each scheduling
// round, so the same program sees the same times on every run
// (determinism, DESIGN.md §4). Only when every hart sleeps in `wfi` does the
// board let wall-clock time pass (see Machine.idle).

import RISCV

public final class VirtualClock {
    /// Guest instructions per 10 MHz tick: 10 makes a virtual 100 MIPS hart.
    public let instructionsPerTick: UInt64
    /// mtime at the start of the current round.
    public private(set) var ticks: UInt64 = 0
    /// Instructions not yet converted to a whole tick.
    private var residue: UInt64 = 0

    public init(instructionsPerTick: UInt64) {
        self.instructionsPerTick = max(1, instructionsPerTick)
    }

    /// A round in which the busiest hart retired `n` instructions.
    public func advance(instructions n: UInt64) {
        let total = residue &+ n
        ticks &+= total / instructionsPerTick
        residue = total % instructionsPerTick
    }

    /// Idle time passing (all harts in `wfi`).
    public func advance(ticks n: UInt64) {
        ticks &+= n
    }

    /// Software wrote `mtime`.
    public func set(_ value: UInt64) {
        ticks = value
        residue = 0
    }

    /// Instructions the running hart has retired in the current round (set by the board).
    public var runningHartProgress: () -> UInt64 = { 0 }

    /// mtime now, as the running hart sees it.
    public func now() -> UInt64 { now(partial: runningHartProgress()) }

    /// mtime as seen by a hart that has retired `partial` instructions in the current round.
    @inline(__always)
    public func now(partial: UInt64) -> UInt64 {
        ticks &+ (residue &+ partial) / instructionsPerTick
    }
}
