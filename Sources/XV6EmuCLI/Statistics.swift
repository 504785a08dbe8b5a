// Statistics.swift — the `-d stats` report printed at exit.

import Machine
import Monitor

enum Statistics {
    static func report(_ machine: Machine, wallSeconds: Double) -> String {
        var lines = ["xv6emu statistics:"]
        var total: UInt64 = 0
        for h in machine.harts {
            total &+= h.instret
            lines.append("  hart \(h.id): \(h.instret) instructions, \(h.trapCount) traps, \(h.spinsDetected) spins given up"
                + (h.idleLoopsDetected > 0 ? ", \(h.idleLoopsDetected) idle scheduler sweeps" : ""))
            if h.instret > 0 {
                let perK = { (n: UInt64) in format1(Double(n) * 1000 / Double(h.instret)) }
                lines.append("    decode cache: \(h.decodes) decodes, hit rate \(String(((100 - Double(h.decodes) * 100 / Double(h.instret)) * 1000).rounded() / 1000)) %; "
                    + "TLB: \(h.tlbMisses) misses (\(perK(h.tlbMisses)) per 1000 instructions)")
            }
            for (i, n) in h.trapsByCause.enumerated() where n > 0 {
                let cause = i >= 16 ? UInt64(1) << 63 | UInt64(i - 16) : UInt64(i)
                lines.append("    \(n) × \(causeName(cause))")
            }
        }
        let mips = wallSeconds > 0 ? Double(total) / wallSeconds / 1e6 : 0
        lines.append("  total \(total) instructions in \(String(format1(wallSeconds))) s wall = \(String(format1(mips))) MIPS")
        lines.append("  mtime \(machine.clock.ticks) ticks (\(String(format1(Double(machine.clock.ticks) / 1e7))) s of guest time, "
            + "\(format1(Double(machine.idleTicks) / 1e7)) s of it with every hart idle)")
        if let v = machine.virtio { lines.append("  virtio: \(v.requests) requests") }
        return lines.joined(separator: "\n")
    }

    static func format1(_ v: Double) -> String {
        let scaled = (v * 10).rounded() / 10
        return String(scaled)
    }
}
