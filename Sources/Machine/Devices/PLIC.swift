// PLIC.swift — the platform-level interrupt controller (SiFive PLIC as on
// QEMU's virt board): per-source priorities, pending bits, per-context
// enables, thresholds, claim/complete. Context 2h is hart h's M-mode
// (drives MEIP), 2h+1 its S-mode (drives SEIP).
//
// Gateway behaviour follows QEMU's sifive_plic rather than the letter of
// the spec, because xv6 depends on it: a source becomes pending when its
// device *signals* a level (each `setLevel` call) — high sets pending, low
// clears it — and a claim clears pending. Completing does not re-check the
// line. So an interrupt that stays asserted (the UART's THR-empty, which
// xv6 never acknowledges by reading IIR) is delivered once per device
// update, not in a storm.

import RISCV

public final class PLIC: Device, InterruptSink {
    let harts: [Hart]
    let sourceCount: Int
    private var priority: [UInt32]
    private var pending: [Bool]
    private var claimed: [Bool]
    /// enable[context][word]
    private var enable: [[UInt32]]
    private var threshold: [UInt32]

    static let priorityMask: UInt32 = 7
    var contextCount: Int { 2 * harts.count }

    public init(harts: [Hart], sources: Int = VirtMap.plicSources) {
        self.harts = harts
        sourceCount = sources
        priority = Array(repeating: 0, count: sources)
        pending = Array(repeating: false, count: sources)
        claimed = Array(repeating: false, count: sources)
        enable = Array(repeating: Array(repeating: 0, count: (sources + 31) / 32), count: 2 * harts.count)
        threshold = Array(repeating: 0, count: 2 * harts.count)
    }

    // MARK: InterruptSink

    public func setLevel(source: Int, _ high: Bool) {
        // Nothing changed, nothing to re-evaluate: the UART reports its
        // level on every byte sent, and a guest flooding it spent nearly all
        // its time here, walking every source for every context (a debug
        // build managed 5 KB/s, and Ctrl-A x waited seconds for the slice).
        guard source > 0 && source < sourceCount, pending[source] != high else { return }
        pending[source] = high
        update()
    }

    // MARK: Registers

    public func read(_ offset: UInt64, width: Int) -> UInt64? {
        guard width == 4, offset % 4 == 0 else { return 0 }
        switch offset {
        case 0..<0x1000:
            let s = Int(offset / 4)
            return s < sourceCount ? UInt64(priority[s]) : 0
        case 0x1000..<0x1080:
            let word = Int((offset - 0x1000) / 4)
            var bits: UInt32 = 0
            for b in 0..<32 where word * 32 + b < sourceCount && pending[word * 32 + b] { bits |= 1 << b }
            return UInt64(bits)
        case 0x2000..<0x1f_0000:
            let ctx = Int((offset - 0x2000) / 0x80), word = Int((offset - 0x2000) % 0x80 / 4)
            guard ctx < contextCount, word < enable[ctx].count else { return 0 }
            return UInt64(enable[ctx][word])
        case 0x20_0000..<0x60_0000:
            let ctx = Int((offset - 0x20_0000) / 0x1000)
            guard ctx < contextCount else { return 0 }
            switch (offset - 0x20_0000) % 0x1000 {
            case 0: return UInt64(threshold[ctx])
            case 4: return UInt64(claim(ctx))
            default: return 0
            }
        default:
            return 0
        }
    }

    public func write(_ offset: UInt64, width: Int, _ value: UInt64) -> Bool {
        guard width == 4, offset % 4 == 0 else { return true }
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0..<0x1000:
            let s = Int(offset / 4)
            if s > 0 && s < sourceCount { priority[s] = v & Self.priorityMask }
        case 0x2000..<0x1f_0000:
            let ctx = Int((offset - 0x2000) / 0x80), word = Int((offset - 0x2000) % 0x80 / 4)
            guard ctx < contextCount, word < enable[ctx].count else { return true }
            enable[ctx][word] = word == 0 ? v & ~1 : v   // source 0 does not exist
        case 0x20_0000..<0x60_0000:
            let ctx = Int((offset - 0x20_0000) / 0x1000)
            guard ctx < contextCount else { return true }
            switch (offset - 0x20_0000) % 0x1000 {
            case 0: threshold[ctx] = v & Self.priorityMask
            case 4: complete(ctx, source: Int(v))
            default: break
            }
        default:
            break
        }
        update()
        return true
    }

    func isEnabled(_ ctx: Int, _ s: Int) -> Bool { enable[ctx][s / 32] >> UInt32(s % 32) & 1 != 0 }

    /// The highest-priority pending, enabled source above the threshold (ties: lowest id).
    func best(_ ctx: Int) -> Int {
        var best = 0
        var bestPriority: UInt32 = 0
        for s in 1..<sourceCount where pending[s] && !claimed[s] && isEnabled(ctx, s) && priority[s] > threshold[ctx] {
            if priority[s] > bestPriority {
                best = s
                bestPriority = priority[s]
            }
        }
        return best
    }

    func claim(_ ctx: Int) -> Int {
        let s = best(ctx)
        if s != 0 {
            pending[s] = false
            claimed[s] = true
        }
        update()
        return s
    }

    func complete(_ ctx: Int, source s: Int) {
        guard s > 0 && s < sourceCount, claimed[s], isEnabled(ctx, s) else { return }
        claimed[s] = false
    }

    /// Drives each context's line to its hart.
    func update() {
        for ctx in 0..<contextCount {
            let line = best(ctx) != 0
            harts[ctx / 2].setInterruptLine(ctx % 2 == 0 ? Interrupt.mei : Interrupt.sei, line)
        }
    }
}
