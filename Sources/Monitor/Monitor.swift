// Monitor.swift — introspection commands, reached through gdb's `monitor`
// (qRcmd) and the console's Ctrl-A c prompt; the COW lens's commands
// (Lens/) are in the same table. A table of commands:
// name, one-line help, handler. Handlers read machine state only through
// side-effect-free paths (debug CSR reads, physical RAM reads).

import Machine
import RISCV

public struct MonitorCommand: Sendable {
    public let name: String
    public let usage: String
    public let help: String
    let run: @Sendable (Monitor, [String], Int) -> String
}

public final class Monitor {
    public let machine: Machine
    /// The COW lens (Lens/): its commands are in the table below.
    public let lens: Lens

    /// `cowBit`: the PTE bit the kernel marks COW pages with (`--cow-bit`).
    public init(machine: Machine, cowBit: Int? = nil) {
        self.machine = machine
        lens = Lens(machine: machine, cowBit: cowBit)
    }

    public static let commands: [MonitorCommand] = [
        MonitorCommand(name: "help", usage: "help", help: "list the monitor commands") { m, _, _ in m.helpText() },
        MonitorCommand(name: "info registers", usage: "info registers",
                       help: "the selected hart's registers and CSRs, decoded") { m, _, h in m.infoRegisters(hart: h) },
        MonitorCommand(name: "info mem", usage: "info mem",
                       help: "the selected hart's page table: virtual ranges, physical pages, flags") { m, _, h in
            m.infoMem(hart: h)
        },
        MonitorCommand(name: "xp", usage: "xp /NFU ADDR", help: "physical memory: N units of U (b h w g) in format F (x d u)") {
            m, args, _ in m.examinePhysical(args)
        },
        // The COW lens (Lens/Lens.swift).
        MonitorCommand(name: "lens", usage: "lens [on|off|status]",
                       help: "COW lens hooks: satp roots, kalloc shadow (xv6emu -lens: from boot); stop-on-error on|off") {
            m, args, _ in m.lens.lensCommand(args)
        },
        MonitorCommand(name: "pagetable", usage: "pagetable [hart N|root PA|pid N]",
                       help: "Sv39 tree: merged leaf ranges, RWXUGAD + COW/RSW, sharing count; --svg FILE draws all") {
            m, args, h in m.lens.pagetable(args, hart: h)
        },
        MonitorCommand(name: "pte", usage: "pte VA [root PA|pid N]", help: "the walk of VA level by level, each PTE's bits") {
            m, args, h in m.lens.pte(args, hart: h)
        },
        MonitorCommand(name: "refs", usage: "refs PA",
                       help: "every mapping of a physical page in every live address space, direct map included") {
            m, args, _ in m.lens.refs(args)
        },
        MonitorCommand(name: "cowcheck", usage: "cowcheck", help: "pages shared by two address spaces but writable in one") {
            m, _, _ in m.lens.cowcheck()
        },
        MonitorCommand(name: "ps", usage: "ps", help: "the kernel's processes (proc table) with their page-table roots") {
            m, _, _ in m.lens.ps()
        },
        MonitorCommand(name: "leaks", usage: "leaks",
                       help: "pages allocated but neither free, mapped, page tables nor pointed to; by allocation site") {
            m, _, _ in m.lens.shadow?.leaks() ?? "leaks: needs the kalloc shadow (lens on, or xv6emu -lens)\n"
        },
        MonitorCommand(name: "freepages", usage: "freepages", help: "count the kernel's free list (kmem.freelist)") {
            m, _, _ in m.lens.freepages()
        },
        MonitorCommand(name: "trace", usage: "trace traps|cow [on|off] …",
                       help: "log traps (causes, pid N) or COW faults with sharing before/after; trace show [N]") {
            m, args, _ in m.lens.traceCommand(args)
        },
        MonitorCommand(name: "backtrace", usage: "backtrace [hart N]",
                       help: "kernel frames, the trap from user mode, user frames via the trap frame") {
            m, args, h in m.lens.backtrace(args, hart: h)
        },
        MonitorCommand(name: "break-scope", usage: "break-scope pid N|root PA|off",
                       help: "gdb breakpoints/watchpoints fire only in that address space") {
            m, args, _ in m.lens.breakScope(args)
        },
        MonitorCommand(name: "watch-phys", usage: "watch-phys PA LEN|off|list",
                       help: "report (and stop on) writes to physical bytes through any alias or DMA") {
            m, args, _ in m.lens.watchPhys(args)
        },
    ]

    /// Runs one command line for hart `hart`; returns its output.
    public func run(_ line: String, hart: Int) -> String {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !words.isEmpty else { return "" }
        // Longest command name that prefixes the words wins ("info mem" vs "info").
        let match = Self.commands
            .filter { cmd in
                let parts = cmd.name.split(separator: " ").map(String.init)
                return words.count >= parts.count && Array(words.prefix(parts.count)) == parts
            }
            .max { $0.name.count < $1.name.count }
        guard let cmd = match else { return "unknown command: \(line)\ntry: help\n" }
        let args = Array(words.dropFirst(cmd.name.split(separator: " ").count))
        return cmd.run(self, args, min(max(hart, 0), machine.harts.count - 1))
    }

    func helpText() -> String {
        Self.commands.map { pad($0.usage, 28) + $0.help }.joined(separator: "\n") + "\n"
    }

    // MARK: info registers

    func infoRegisters(hart index: Int) -> String {
        let h = machine.harts[index]
        var out = "hart \(index)  pc \(hex16(h.pc))  mode \(h.mode)\(h.isWaitingForInterrupt ? "  (wfi)" : "")\n"
        for i in 0..<32 {
            out += pad("x\(i)/\(abi[i])", 9) + hex16(h.register(i)) + (i % 4 == 3 ? "\n" : "  ")
        }
        // FP registers as raw bits (a single shows its NaN box, ffffffff…).
        for i in 0..<32 {
            out += pad("f\(i)/\(fpABI[i])", 9) + hex16(h.f[i]) + (i % 4 == 3 ? "\n" : "  ")
        }
        out += "fcsr     \(hex16(h.fcsr))  frm=\(roundingModeName(h.fcsr >> 5 & 7)) fflags=\(flagNames(h.fcsr & 0x1f))\n"
        func csr(_ n: UInt16) -> UInt64 { h.debugReadCSR(n) ?? 0 }
        let sstatus = csr(CSRNumber.sstatus), mstatus = csr(CSRNumber.mstatus)
        out += "mstatus  \(hex16(mstatus))  \(decodeStatus(mstatus, machine: true))\n"
        out += "sstatus  \(hex16(sstatus))  \(decodeStatus(sstatus, machine: false))\n"
        for (name, n) in [("scause", CSRNumber.scause), ("mcause", CSRNumber.mcause)] {
            let v = csr(n)
            out += pad(name, 9) + hex16(v) + "  " + causeName(v) + "\n"
        }
        for (name, n) in [("sepc", CSRNumber.sepc), ("stval", CSRNumber.stval), ("stvec", CSRNumber.stvec),
                          ("satp", CSRNumber.satp), ("sie", CSRNumber.sie), ("sip", CSRNumber.sip),
                          ("mepc", CSRNumber.mepc), ("mtval", CSRNumber.mtval), ("mtvec", CSRNumber.mtvec),
                          ("mie", CSRNumber.mie), ("mip", CSRNumber.mip), ("medeleg", CSRNumber.medeleg),
                          ("mideleg", CSRNumber.mideleg), ("sscratch", CSRNumber.sscratch), ("mscratch", CSRNumber.mscratch)] {
            out += pad(name, 9) + hex16(csr(n)) + "\n"
        }
        let satp = csr(CSRNumber.satp)
        out += "  satp: mode \(satp >> 60 == 8 ? "Sv39" : satp >> 60 == 0 ? "Bare" : "\(satp >> 60)"), "
            + "asid \((satp >> 44) & 0xffff), root \(hex((satp & ((1 << 44) - 1)) << 12))\n"
        return out
    }

    let fpABI = (0...7).map { "ft\($0)" } + ["fs0", "fs1"] + (0...7).map { "fa\($0)" } + (2...11).map { "fs\($0)" }
        + (8...11).map { "ft\($0)" }

    func roundingModeName(_ rm: UInt64) -> String {
        ["rne", "rtz", "rdn", "rup", "rmm", "5?", "6?", "7?"][Int(rm & 7)]
    }

    /// fflags as NV DZ OF UF NX letters, "-" when clear.
    func flagNames(_ f: UInt64) -> String {
        let names = ["NV", "DZ", "OF", "UF", "NX"]
        let set = names.enumerated().filter { f >> UInt64(4 - $0.offset) & 1 != 0 }.map(\.element)
        return set.isEmpty ? "-" : set.joined(separator: ",")
    }

    func decodeStatus(_ s: UInt64, machine: Bool) -> String {
        var bits: [String] = []
        if s & CSRBits.sie != 0 { bits.append("SIE") }
        if machine && s & CSRBits.mie != 0 { bits.append("MIE") }
        if s & CSRBits.spie != 0 { bits.append("SPIE") }
        if machine && s & CSRBits.mpie != 0 { bits.append("MPIE") }
        bits.append("SPP=\(s & CSRBits.spp != 0 ? "S" : "U")")
        if machine { bits.append("MPP=\(["U", "S", "?", "M"][Int((s >> 11) & 3)])") }
        if s & CSRBits.sum != 0 { bits.append("SUM") }
        if s & CSRBits.mxr != 0 { bits.append("MXR") }
        if machine && s & CSRBits.mprv != 0 { bits.append("MPRV") }
        if machine && s & CSRBits.tvm != 0 { bits.append("TVM") }
        if machine && s & CSRBits.tw != 0 { bits.append("TW") }
        if machine && s & CSRBits.tsr != 0 { bits.append("TSR") }
        bits.append("FS=\(["Off", "Initial", "Clean", "Dirty"][Int((s >> 13) & 3)])")
        if s & CSRBits.sd != 0 { bits.append("SD") }
        return bits.joined(separator: " ")
    }

    // MARK: info mem

    func infoMem(hart index: Int) -> String {
        let satp = machine.harts[index].debugReadCSR(CSRNumber.satp) ?? 0
        guard satp >> 60 == 8 else { return "satp: paging disabled (Bare)\n" }
        let root = (satp & ((1 << 44) - 1)) << 12
        let walker = PageTableWalker(memory: machine.memory)
        var out = "page table at \(hex(root)) (satp \(hex(satp)))\n"
        out += pad("virtual range", 37) + pad("physical", 20) + "flags\n"
        for r in walker.ranges(root: root) {
            out += pad("\(hex16(r.virtualStart))-\(hex16(r.virtualEnd))", 37) + pad(hex(r.physicalStart), 20)
                + PageTableWalker.flagString(r.flags) + "\n"
        }
        return out
    }

    // MARK: xp

    func examinePhysical(_ args: [String]) -> String {
        var count = 1, unit = 4, format: Character = "x"
        var rest = args[...]
        if let f = rest.first, f.hasPrefix("/") {
            var digits = ""
            for c in f.dropFirst() {
                if c.isNumber { digits.append(c) }
                else if "bhwg".contains(c) { unit = ["b": 1, "h": 2, "w": 4, "g": 8][c]! }
                else if "xdu".contains(c) { format = c }
                else { return "xp: unknown format '\(c)'\n" }
            }
            count = Int(digits) ?? 1
            rest = rest.dropFirst()
        }
        guard let a = rest.first, let address = parseNumber(a) else { return "usage: xp /NFU ADDR\n" }
        count = min(max(count, 1), 4096)
        var out = ""
        for i in 0..<count {
            let pa = address &+ UInt64(i * unit)
            if i % (16 / unit) == 0 { out += (i > 0 ? "\n" : "") + hex16(pa) + ":" }
            guard machine.memory.isRAM(pa, length: UInt64(unit)), let v = machine.memory.loadPhysical(pa, width: unit) else {
                return out + " <not RAM>\n"
            }
            switch format {
            case "d": out += " " + String(Int64(bitPattern: v << (64 - 8 * UInt64(unit))) >> (64 - 8 * Int64(unit)))
            case "u": out += " " + String(v)
            default: out += " 0x" + String(v, radix: 16).leftPadded(to: unit * 2)
            }
        }
        return out + "\n"
    }
}

// MARK: Formatting helpers

let abi = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
           "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"]

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}

func hex16(_ v: UInt64) -> String { "0x" + String(v, radix: 16).leftPadded(to: 16) }

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

/// Accepts 0x-hex or decimal.
func parseNumber(_ s: String) -> UInt64? {
    if s.hasPrefix("0x") || s.hasPrefix("0X") { return UInt64(s.dropFirst(2), radix: 16) }
    return UInt64(s)
}

/// `scause`/`mcause` by name.
public func causeName(_ cause: UInt64) -> String {
    let interrupt = cause >> 63 == 1
    let code = cause & ~(1 << 63)
    if interrupt {
        let names: [UInt64: String] = [1: "supervisor software interrupt", 3: "machine software interrupt",
                                       5: "supervisor timer interrupt", 7: "machine timer interrupt",
                                       9: "supervisor external interrupt", 11: "machine external interrupt"]
        return names[code] ?? "interrupt \(code)"
    }
    let names: [UInt64: String] = [
        0: "instruction address misaligned", 1: "instruction access fault", 2: "illegal instruction",
        3: "breakpoint", 4: "load address misaligned", 5: "load access fault",
        6: "store/AMO address misaligned", 7: "store/AMO access fault", 8: "environment call from U-mode",
        9: "environment call from S-mode", 11: "environment call from M-mode", 12: "instruction page fault",
        13: "load page fault", 15: "store/AMO page fault",
    ]
    return names[code] ?? "exception \(code)"
}
