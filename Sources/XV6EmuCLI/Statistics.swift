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

    /// The `-d profile` report: the kernel functions (by the ELF's symbols)
    /// and user addresses where busy quanta ended, most frequent first.
    static func profile(_ machine: Machine, top: Int = 25) -> String {
        let samples = machine.pcSamples ?? [:]
        let total = samples.values.reduce(0, +)
        var lines = ["xv6emu profile: \(total) samples (one per busy quantum of \(machine.configuration.quantum) instructions)"]
        guard total > 0 else { return lines.joined(separator: "\n") }
        let symbols = machine.kernel?.symbols ?? .empty
        var byPlace: [String: Int] = [:]
        for (sample, n) in samples {
            let place: String
            if sample.user {
                // User programs have no symbols here; pages tell loops apart.
                place = "user " + hex(sample.pc & ~0xfff) + "…"
            } else if let (name, _) = symbols.symbolize(sample.pc) {
                place = name
            } else {
                place = hex(sample.pc)
            }
            byPlace[place, default: 0] += n
        }
        for (place, n) in byPlace.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }).prefix(top) {
            let pct = format1(Double(n) * 100 / Double(total))
            lines.append("  " + pad(pct + "%", 7) + pad(String(n), 9) + place)
        }
        return lines.joined(separator: "\n")
    }

    /// `s` right-padded with spaces to `width` columns.
    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    static func format1(_ v: Double) -> String {
        let scaled = (v * 10).rounded() / 10
        return String(scaled)
    }
}
