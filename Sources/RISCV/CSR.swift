// CSR.swift — the one CSR table: number → name, access rule, read, write
// (after QEMU's csr_ops[]). The same table feeds the interpreter, the GDB
// target description and the monitor's `info registers`.
//
// Privilege and read-only checks come from the CSR number itself
// (privileged spec §2.1: bits 9:8 = lowest privilege, bits 11:10 = 3 means
// read-only); `rule` adds the CSR-specific conditions (TVM, counter enables,
// Sstc). Field-level WARL behaviour lives in the write functions in
// Hart+CSR.swift.

/// Bits of mstatus and friends (privileged spec §3.1.6).
public enum CSRBits {
    public static let sie: UInt64 = 1 << 1
    public static let mie: UInt64 = 1 << 3
    public static let spie: UInt64 = 1 << 5
    public static let mpie: UInt64 = 1 << 7
    public static let spp: UInt64 = 1 << 8
    public static let mpp: UInt64 = 3 << 11
    public static let fs: UInt64 = 3 << 13
    public static let xs: UInt64 = 3 << 15
    public static let mprv: UInt64 = 1 << 17
    public static let sum: UInt64 = 1 << 18
    public static let mxr: UInt64 = 1 << 19
    public static let tvm: UInt64 = 1 << 20
    public static let tw: UInt64 = 1 << 21
    public static let tsr: UInt64 = 1 << 22
    public static let uxl: UInt64 = 3 << 32
    public static let sxl: UInt64 = 3 << 34
    public static let sd: UInt64 = 1 << 63

    /// SXL = UXL = 2 (64-bit), everything else 0 — QEMU's reset value.
    public static let mstatusReset: UInt64 = 0xa_0000_0000
    static let mstatusWritable: UInt64 = sie | mie | spie | mpie | spp | mpp | fs | mprv | sum | mxr | tvm | tw | tsr
    static let sstatusView: UInt64 = sie | spie | spp | fs | xs | sum | mxr | uxl | sd
    static let sstatusWritable: UInt64 = sie | spie | spp | fs | sum | mxr

    /// MXL = 64, extensions A C D F I M S U (RV64GC with S and U).
    public static let misa: UInt64 = 2 << 62 | extensionBits("ACDFIMSU")
    static func extensionBits(_ s: String) -> UInt64 {
        s.unicodeScalars.reduce(0) { $0 | 1 << UInt64($1.value - 65) }
    }

    /// Interrupts S-mode may be delegated (mideleg's writable bits).
    static let delegableInterrupts: UInt64 = Interrupt.ssi | Interrupt.sti | Interrupt.sei
    /// Exceptions that can be delegated: all but ecall-from-M (11) and the reserved 10 and 14.
    static let delegableExceptions: UInt64 = 0xb3ff
    static let mieWritable: UInt64 = Interrupt.ssi | Interrupt.msi | Interrupt.sti | Interrupt.mti | Interrupt.sei | Interrupt.mei
    static let envcfgSTCE: UInt64 = 1 << 63
    static let envcfgFIOM: UInt64 = 1
    static let counterTM: UInt64 = 1 << 1
}

/// CSR numbers used by name in the code.
public enum CSRNumber {
    public static let fflags: UInt16 = 0x001, frm: UInt16 = 0x002, fcsr: UInt16 = 0x003
    public static let sstatus: UInt16 = 0x100, sie: UInt16 = 0x104, stvec: UInt16 = 0x105
    public static let scounteren: UInt16 = 0x106, senvcfg: UInt16 = 0x10a
    public static let sscratch: UInt16 = 0x140, sepc: UInt16 = 0x141, scause: UInt16 = 0x142
    public static let stval: UInt16 = 0x143, sip: UInt16 = 0x144, stimecmp: UInt16 = 0x14d, satp: UInt16 = 0x180
    public static let mstatus: UInt16 = 0x300, misa: UInt16 = 0x301, medeleg: UInt16 = 0x302, mideleg: UInt16 = 0x303
    public static let mie: UInt16 = 0x304, mtvec: UInt16 = 0x305, mcounteren: UInt16 = 0x306, menvcfg: UInt16 = 0x30a
    public static let mcountinhibit: UInt16 = 0x320
    public static let mscratch: UInt16 = 0x340, mepc: UInt16 = 0x341, mcause: UInt16 = 0x342
    public static let mtval: UInt16 = 0x343, mip: UInt16 = 0x344
    public static let mcycle: UInt16 = 0xb00, minstret: UInt16 = 0xb02
    public static let cycle: UInt16 = 0xc00, time: UInt16 = 0xc01, instret: UInt16 = 0xc02
    public static let mhartid: UInt16 = 0xf14
}

/// When a CSR is accessible beyond the privilege encoded in its number.
public enum CSRRule: Sendable {
    case always
    /// Unprivileged counter `n` (cycle = 0, time = 1, instret = 2, hpmN = N):
    /// S needs mcounteren bit n, U needs mcounteren and scounteren bit n.
    case counter(Int)
    /// satp: S-mode needs mstatus.TVM = 0.
    case satp
    /// stimecmp: needs menvcfg.STCE, and in S-mode mcounteren.TM.
    case sstc
    /// fflags/frm/fcsr: need mstatus.FS ≠ Off.
    case fp
}

public struct CSRDescriptor: Sendable {
    public let number: UInt16
    public let name: String
    public let rule: CSRRule
    let read: @Sendable (Hart) -> UInt64
    /// nil: writes are ignored (a WARL register with one legal value).
    let write: (@Sendable (Hart, UInt64) -> Void)?

    /// Lowest privilege allowed (bits 9:8 of the number).
    public var privilege: UInt8 { UInt8((number >> 8) & 3) }
    public var isReadOnly: Bool { number >> 10 == 3 }
}

public enum CSRTable {
    /// Every CSR the hart implements, in number order.
    public static let all: [CSRDescriptor] = {
        typealias R = @Sendable (Hart) -> UInt64
        typealias W = @Sendable (Hart, UInt64) -> Void
        var t: [CSRDescriptor] = []
        func add(_ n: UInt16, _ name: String, _ rule: CSRRule = .always, _ r: @escaping R, _ w: W? = nil) {
            t.append(CSRDescriptor(number: n, name: name, rule: rule, read: r, write: w))
        }
        // Floating point: views of the one fcsr (fflags = bits 4:0, frm =
        // bits 7:5). A write makes FS Dirty.
        add(0x001, "fflags", .fp, { $0.fcsr & 0x1f }, { h, v in
            h.fcsr = (h.fcsr & ~0x1f) | (v & 0x1f)
            h.markFloatDirty()
        })
        add(0x002, "frm", .fp, { ($0.fcsr >> 5) & 7 }, { h, v in
            h.fcsr = (h.fcsr & 0x1f) | ((v & 7) << 5)
            h.markFloatDirty()
        })
        add(0x003, "fcsr", .fp, { $0.fcsr & 0xff }, { h, v in
            h.fcsr = v & 0xff
            h.markFloatDirty()
        })
        // Supervisor
        add(0x100, "sstatus", .always, { $0.mstatusRead & CSRBits.sstatusView }, { $0.writeSstatus($1) })
        add(0x104, "sie", .always, { $0.mie & $0.mideleg }, { h, v in h.mie = (h.mie & ~h.mideleg) | (v & h.mideleg & CSRBits.mieWritable) })
        add(0x105, "stvec", .always, { $0.stvec }, { h, v in if v & 3 < 2 { h.stvec = v } })
        add(0x106, "scounteren", .always, { $0.scounteren }, { h, v in h.scounteren = v & 0xffff_ffff })
        add(0x10a, "senvcfg", .always, { $0.senvcfg }, { h, v in h.senvcfg = v & CSRBits.envcfgFIOM })
        add(0x140, "sscratch", .always, { $0.sscratch }, { $0.sscratch = $1 })
        add(0x141, "sepc", .always, { $0.sepc }, { $0.sepc = $1 & ~1 })
        add(0x142, "scause", .always, { $0.scause }, { $0.scause = $1 })
        add(0x143, "stval", .always, { $0.stval }, { $0.stval = $1 })
        add(0x144, "sip", .always, { $0.mip & $0.mideleg }, { h, v in
            let m = Interrupt.ssi & h.mideleg
            h.mipSoftware = (h.mipSoftware & ~m) | (v & m)
        })
        add(0x14d, "stimecmp", .sstc, { $0.stimecmp }, { $0.writeStimecmp($1) })
        add(0x180, "satp", .satp, { $0.satp }, { $0.writeSatp($1) })
        // Machine
        add(0x300, "mstatus", .always, { $0.mstatusRead }, { $0.writeMstatus($1) })
        add(0x301, "misa", .always, { $0.misa })
        add(0x302, "medeleg", .always, { $0.medeleg }, { $0.medeleg = $1 & CSRBits.delegableExceptions })
        add(0x303, "mideleg", .always, { $0.mideleg }, { $0.mideleg = $1 & CSRBits.delegableInterrupts })
        add(0x304, "mie", .always, { $0.mie }, { $0.mie = $1 & CSRBits.mieWritable })
        add(0x305, "mtvec", .always, { $0.mtvec }, { h, v in if v & 3 < 2 { h.mtvec = v } })
        add(0x306, "mcounteren", .always, { $0.mcounteren }, { h, v in h.mcounteren = v & 0xffff_ffff })
        add(0x30a, "menvcfg", .always, { $0.menvcfg }, { $0.writeMenvcfg($1) })
        add(0x320, "mcountinhibit", .always, { $0.mcountinhibit }, { h, v in h.mcountinhibit = v & 0xffff_fffd })
        for n in 3...31 {
            add(0x320 + UInt16(n), "mhpmevent\(n)", .always, { _ in 0 }, { _, _ in })
        }
        add(0x340, "mscratch", .always, { $0.mscratch }, { $0.mscratch = $1 })
        add(0x341, "mepc", .always, { $0.mepc }, { $0.mepc = $1 & ~1 })
        add(0x342, "mcause", .always, { $0.mcause }, { $0.mcause = $1 })
        add(0x343, "mtval", .always, { $0.mtval }, { $0.mtval = $1 })
        add(0x344, "mip", .always, { $0.mip }, { $0.writeMip($1) })
        for i in 0..<16 where i % 2 == 0 {
            add(0x3a0 + UInt16(i), "pmpcfg\(i)", .always, { $0.pmpcfg[i / 2] }, { $0.writePmpcfg(i / 2, $1) })
        }
        for i in 0..<64 {
            add(0x3b0 + UInt16(i), "pmpaddr\(i)", .always, { $0.pmpaddr[i] }, { h, v in
                if !h.pmpLocked(i) { h.pmpaddr[i] = v & ((1 << 54) - 1) }
            })
        }
        // Debug triggers: present but with no trigger types (tdata1 reads 0),
        // which is how software probes for them.
        add(0x7a0, "tselect", .always, { _ in 0 }, { _, _ in })
        add(0x7a1, "tdata1", .always, { _ in 0 }, { _, _ in })
        add(0x7a2, "tdata2", .always, { _ in 0 }, { _, _ in })
        add(0x7a3, "tdata3", .always, { _ in 0 }, { _, _ in })
        add(0xb00, "mcycle", .always, { $0.cycleNow }, { $0.writeCycle($1) })
        add(0xb02, "minstret", .always, { $0.instretNow }, { $0.writeInstret($1) })
        for n in 3...31 {
            add(0xb00 + UInt16(n), "mhpmcounter\(n)", .always, { _ in 0 }, { _, _ in })
        }
        // Unprivileged counters (read-only shadows)
        add(0xc00, "cycle", .counter(0), { $0.cycleNow })
        add(0xc01, "time", .counter(1), { $0.timeSource() })
        add(0xc02, "instret", .counter(2), { $0.instretNow })
        for n in 3...31 {
            add(0xc00 + UInt16(n), "hpmcounter\(n)", .counter(n), { _ in 0 })
        }
        add(0xf11, "mvendorid", .always, { _ in 0 })
        add(0xf12, "marchid", .always, { _ in 0 })
        add(0xf13, "mimpid", .always, { _ in 0 })
        add(0xf14, "mhartid", .always, { UInt64($0.id) })
        add(0xf15, "mconfigptr", .always, { _ in 0 })
        return t.sorted { $0.number < $1.number }
    }()

    /// CSR number → index into `all`, or -1 (4096 entries).
    static let index: [Int16] = {
        var ix = [Int16](repeating: -1, count: 4096)
        for (i, d) in all.enumerated() {
            precondition(ix[Int(d.number)] == -1, "CSR \(d.name) listed twice")
            ix[Int(d.number)] = Int16(i)
        }
        return ix
    }()

    public static func descriptor(_ number: UInt16) -> CSRDescriptor? {
        let i = index[Int(number & 0xfff)]
        return i < 0 ? nil : all[Int(i)]
    }

    public static func descriptor(named name: String) -> CSRDescriptor? {
        all.first { $0.name == name }
    }
}

/// The CSR table laid out for the interpreter: indexed by CSR number, in
/// unsafe buffers, so a CSR instruction touches only the rule and the one
/// function it calls — no descriptor copies, no String or array traffic.
/// (xv6 reads `sstatus` on every lock acquire and release.)
struct CSRDispatch: @unchecked Sendable {
    let rule: UnsafeMutablePointer<CSRRule?>
    let read: UnsafeMutablePointer<(@Sendable (Hart) -> UInt64)?>
    let write: UnsafeMutablePointer<(@Sendable (Hart, UInt64) -> Void)?>

    static let shared = CSRDispatch()

    private init() {
        rule = .allocate(capacity: 4096)
        rule.initialize(repeating: nil, count: 4096)
        read = .allocate(capacity: 4096)
        read.initialize(repeating: nil, count: 4096)
        write = .allocate(capacity: 4096)
        write.initialize(repeating: nil, count: 4096)
        for d in CSRTable.all {
            let i = Int(d.number)
            rule[i] = d.rule
            read[i] = d.read
            write[i] = d.write
        }
    }
}
