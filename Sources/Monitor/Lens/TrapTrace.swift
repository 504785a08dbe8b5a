// TrapTrace.swift — `trace traps` (a symbolized log of trap entries) and
// `trace cow` (store page faults on COW pages, with the page's sharing
// before the fault and what the handler left behind).
//
// Both ride on the hart's trap observer (`Hart.onTrap`), set only while a
// trace is on. A COW fault is finished at the faulting hart's next satp
// write back to the faulting address space — xv6 writes satp on every
// return to user mode — when the handler has replaced or re-enabled the page.

import Machine
import RISCV

struct TraceSettings {
    var traps = false
    /// Exception/interrupt codes to log (interrupts as 16 + code); nil: all.
    var causes: Set<UInt64>?
    var pid: Int?
    var cow = false
    /// COW faults whose handler has not finished, by faulting address
    /// space (the handler may be preempted and return on another hart).
    var pendingCow: [UInt64: PendingCowFault] = [:]
}

struct PendingCowFault {
    let root: UInt64
    let va: UInt64
    let pa: UInt64
    let sharedBefore: Int
    let epc: UInt64
    let process: String?
}

extension Lens {
    /// Cause names accepted by `trace traps CAUSE…` → codes (interrupts 16+).
    static let traceCauses: [String: [UInt64]] = [
        "syscall": [8], "ecall": [8, 9, 11], "pagefault": [12, 13, 15], "store": [15], "load": [13], "fetch": [12],
        "illegal": [2], "breakpoint": [3], "misaligned": [0, 4, 6], "access": [1, 5, 7],
        "timer": [16 + 5, 16 + 7], "external": [16 + 9, 16 + 11], "software": [16 + 1, 16 + 3], "interrupt": (16..<32).map { UInt64($0) },
    ]

    func updateTrapObserver() {
        let on = trace.traps || trace.cow
        for h in machine.harts {
            h.onTrap = on ? { [unowned self] hart, cause, tval, epc in self.trapTaken(hart, cause, tval, epc) } : nil
        }
    }

    func trapTaken(_ h: Hart, _ cause: UInt64, _ tval: UInt64, _ epc: UInt64) {
        let interrupt = cause >> 63 == 1
        let code = (cause & 0xff) + (interrupt ? 16 : 0)
        // The satp of the interrupted context (xv6 switches page tables
        // only in the trampoline, after the trap).
        let satp = h.debugReadCSR(CSRNumber.satp) ?? 0
        let root = satp >> 60 == 8 ? (satp & ((1 << 44) - 1)) << 12 : 0
        if trace.cow && !interrupt && code == 15 && root != 0 { cowFaultTaken(h, root: root, va: tval, epc: epc) }
        guard trace.traps else { return }
        if let causes = trace.causes, !causes.contains(code) { return }
        let process = currentProcessLabel(hart: h.id)
        if let pid = trace.pid, process?.hasPrefix("pid \(pid) ") != true { return }
        let fromUser = symbols.symbolize(epc) == nil || epc < memory.ramBase
        let at = fromUser ? "user pc \(hex(epc))" : symbolize(epc)
        report("trap: hart \(h.id) \(causeName(cause))  tval \(hex(tval))  epc \(at)  satp root \(root == 0 ? "bare" : hex(root))"
            + (process.map { "  \($0)" } ?? "") + "\n")
    }

    // MARK: trace cow

    /// The leaf PTE mapping `va` under `root`, read without side effects.
    func leafPTE(root: UInt64, va: UInt64) -> UInt64? {
        var table = root
        for level in stride(from: 2, through: 0, by: -1) {
            guard let pte = read64(table + ((va >> (12 + 9 * UInt64(level))) & 0x1ff) * 8), pte & PTE.v != 0 else { return nil }
            let pa = (pte >> 10 & ((1 << 44) - 1)) << 12
            if pte & (PTE.r | PTE.x) != 0 { return level == 0 ? pte : nil }
            table = pa
        }
        return nil
    }

    func cowFaultTaken(_ h: Hart, root: UInt64, va: UInt64, epc: UInt64) {
        guard let cowBit, let pte = leafPTE(root: root, va: va), pte & cowBit != 0 else { return }
        let pa = (pte >> 10 & ((1 << 44) - 1)) << 12
        trace.pendingCow[root] = PendingCowFault(root: root, va: va & ~0xfff, pa: pa, sharedBefore: userMappings(of: pa).count,
                                                 epc: epc, process: currentProcessLabel(hart: h.id))
    }

    func finishCowFault(_ h: Hart, root: UInt64) {
        guard let f = trace.pendingCow.removeValue(forKey: root) else { return }
        var line = "cow: hart \(h.id)\(f.process.map { " \($0)" } ?? "") store at va \(hex(f.va)) (user pc \(hex(f.epc))): "
            + "page \(hex(f.pa)) shared x\(f.sharedBefore)"
        if let pte = leafPTE(root: f.root, va: f.va) {
            let pa = (pte >> 10 & ((1 << 44) - 1)) << 12
            if pa == f.pa {
                line += " → kept, now [\(flagText(pte))], shared x\(userMappings(of: pa).count)"
            } else {
                line += " → copied to \(hex(pa)) [\(flagText(pte))]; old page now shared x\(userMappings(of: f.pa).count)"
            }
        } else {
            line += " → unmapped (process killed?)"
        }
        report(line + "\n")
    }

    // MARK: The command

    func traceCommand(_ args: [String]) -> String {
        guard let what = args.first else { return traceStatus() }
        var rest = Array(args.dropFirst())
        var on = true
        if let w = rest.first, w == "on" || w == "off" {
            on = w == "on"
            rest.removeFirst()
        }
        switch what {
        case "traps":
            var causes: Set<UInt64> = []
            var pid: Int?
            var i = 0
            while i < rest.count {
                if rest[i] == "pid" {
                    guard i + 1 < rest.count, let n = Int(rest[i + 1]) else { return "trace traps: pid needs a number\n" }
                    pid = n
                    i += 2
                    continue
                }
                if let codes = Self.traceCauses[rest[i]] {
                    causes.formUnion(codes)
                } else if let n = parseNumber(rest[i]), n < 32 {
                    causes.insert(n)
                } else {
                    return "trace traps: unknown cause '\(rest[i])' (one of \(Self.traceCauses.keys.sorted().joined(separator: " ")), or a number; interrupts are 16+code)\n"
                }
                i += 1
            }
            trace.traps = on
            trace.causes = causes.isEmpty ? nil : causes
            trace.pid = pid
        case "cow":
            guard cowBit != nil || !on else { return "trace cow: the COW bit is unknown (start xv6emu with --cow-bit N)\n" }
            trace.cow = on
            if !on { trace.pendingCow = [:] }
        case "show":
            let n = rest.first.flatMap { Int($0) } ?? 40
            return events.suffix(n).joined()
        case "clear":
            events.removeAll()
            return ""
        default:
            return "usage: trace traps [on|off] [CAUSE…] [pid N] | trace cow [on|off] | trace show [N] | trace clear\n"
        }
        updateTrapObserver()
        return traceStatus()
    }

    func traceStatus() -> String {
        var out = "trace traps: \(trace.traps ? "on" : "off")"
        if trace.traps, let c = trace.causes { out += " (causes \(c.sorted().map(String.init).joined(separator: ",")))" }
        if trace.traps, let p = trace.pid { out += " (pid \(p))" }
        return out + "; trace cow: \(trace.cow ? "on" : "off"); \(events.count) events logged (trace show)\n"
    }
}
