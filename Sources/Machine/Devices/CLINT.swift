// CLINT.swift — the core-local interruptor (SiFive CLINT / ACLINT layout as
// QEMU's virt board has it): per-hart `msip` and `mtimecmp`, and `mtime`.
//
// `mtime` is the board's VirtualClock. MTIP is level: pending while
// mtime >= mtimecmp, re-evaluated as time passes (tick) and whenever
// mtimecmp or mtime is written. At reset mtimecmp is 0, so MTIP is pending
// from the start — as on QEMU (DESIGN.md §3).

import RISCV

public final class CLINT: Device, TimedDevice {
    let harts: [Hart]
    let clock: VirtualClock
    private(set) var mtimecmp: [UInt64]
    private(set) var msip: [Bool]

    static let msipBase: UInt64 = 0x0000
    static let mtimecmpBase: UInt64 = 0x4000
    static let mtimeOffset: UInt64 = 0xbff8

    public init(harts: [Hart], clock: VirtualClock) {
        self.harts = harts
        self.clock = clock
        mtimecmp = Array(repeating: 0, count: harts.count)
        msip = Array(repeating: false, count: harts.count)
        tick(now: clock.now())
    }

    public func read(_ offset: UInt64, width: Int) -> UInt64? {
        switch offset {
        case Self.msipBase..<Self.msipBase + 4 * UInt64(harts.count):
            guard width == 4, offset % 4 == 0 else { return nil }
            return msip[Int(offset / 4)] ? 1 : 0
        case Self.mtimecmpBase..<Self.mtimecmpBase + 8 * UInt64(harts.count):
            return half(mtimecmp[Int((offset - Self.mtimecmpBase) / 8)], offset: offset, width: width)
        case Self.mtimeOffset..<Self.mtimeOffset + 8:
            return half(clock.now(), offset: offset, width: width)
        default:
            return 0   // unimplemented registers read as zero, as in QEMU
        }
    }

    public func write(_ offset: UInt64, width: Int, _ value: UInt64) -> Bool {
        switch offset {
        case Self.msipBase..<Self.msipBase + 4 * UInt64(harts.count):
            guard width == 4, offset % 4 == 0 else { return true }
            let h = Int(offset / 4)
            msip[h] = value & 1 != 0
            harts[h].setInterruptLine(Interrupt.msi, msip[h])
        case Self.mtimecmpBase..<Self.mtimecmpBase + 8 * UInt64(harts.count):
            let h = Int((offset - Self.mtimecmpBase) / 8)
            guard let v = merge(mtimecmp[h], offset: offset, width: width, value) else { return true }
            mtimecmp[h] = v
            updateTimer(h, now: clock.now())
        case Self.mtimeOffset..<Self.mtimeOffset + 8:
            guard let v = merge(clock.now(), offset: offset, width: width, value) else { return true }
            clock.set(v)
            tick(now: v)
        default:
            break
        }
        return true
    }

    /// 64-bit registers are reachable as a doubleword or two words.
    private func half(_ v: UInt64, offset: UInt64, width: Int) -> UInt64? {
        switch (width, offset % 8) {
        case (8, 0): v
        case (4, 0): v & 0xffff_ffff
        case (4, 4): v >> 32
        default: nil
        }
    }

    private func merge(_ old: UInt64, offset: UInt64, width: Int, _ value: UInt64) -> UInt64? {
        switch (width, offset % 8) {
        case (8, 0): value
        case (4, 0): (old & ~0xffff_ffff) | (value & 0xffff_ffff)
        case (4, 4): (old & 0xffff_ffff) | (value << 32)
        default: nil
        }
    }

    private func updateTimer(_ h: Int, now: UInt64) {
        harts[h].setInterruptLine(Interrupt.mti, now >= mtimecmp[h])
    }

    public func tick(now: UInt64) {
        for h in harts.indices { updateTimer(h, now: now) }
    }

    public var nextDeadline: UInt64? {
        let now = clock.ticks
        return mtimecmp.filter { $0 > now }.min()
    }
}
