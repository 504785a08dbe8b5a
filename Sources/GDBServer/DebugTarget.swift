// DebugTarget.swift — the narrow interface the GDB handler talks to, and
// its implementation over the board.
//
// The handler (GDBSession) never touches harts or memory directly; all it
// can do is listed here (rv32emu's `target_ops`, WasmKit's handler/engine
// split). Register numbers are gdb's remote numbers as QEMU 7.2 serves
// them: x0–x31 = 0–31, pc = 32, f0–f31 = 33–64, priv = 65, CSR n = 66 + n.

import Machine
import RISCV

public protocol DebugTarget: AnyObject {
    var threadCount: Int { get }
    func readRegister(thread: Int, _ number: Int) -> UInt64?
    func writeRegister(thread: Int, _ number: Int, _ value: UInt64) -> Bool
    /// Reads guest memory through `thread`'s current translation (or
    /// physical addresses); nil if any byte is unmapped or not RAM.
    func readMemory(thread: Int, address: UInt64, count: Int, physical: Bool) -> [UInt8]?
    func writeMemory(thread: Int, address: UInt64, bytes: [UInt8], physical: Bool) -> Bool
    func insertBreakpoint(_ address: UInt64)
    func removeBreakpoint(_ address: UInt64)
    func insertWatchpoint(_ w: Watchpoint)
    func removeWatchpoint(_ w: Watchpoint)
    func removeAllDebugPoints()
    /// One line for `qThreadExtraInfo`.
    func threadDescription(_ thread: Int) -> String
    var targetDescription: String { get }
    /// `monitor` commands: output text.
    func monitor(_ command: String, thread: Int) -> String
    /// Starts the board with one action per thread.
    func resume(_ actions: [HartAction])
    /// Asks a running board to halt (answered by a later stop).
    func requestHalt()
    /// Whether single steps may take pending interrupts.
    var steppingTakesInterrupts: Bool { get set }
}

/// Register numbers (see the file comment).
public enum GDBRegister {
    public static let pc = 32
    public static let firstFP = 33
    public static let priv = 65
    public static let firstCSR = 66
    /// The FP CSRs, numbered as CSRs (66 + 1, 2, 3) but served from the fpu feature.
    public static let fflags = 67, frm = 68, fcsr = 69
}

public final class MachineDebugTarget: DebugTarget {
    public let machine: Machine
    /// Extra monitor commands (the COW lens adds its own); consulted first.
    public var monitorHandler: ((String, Int) -> String?)?

    public init(machine: Machine) { self.machine = machine }

    public var threadCount: Int { machine.harts.count }

    func hart(_ t: Int) -> Hart? { machine.harts.indices.contains(t) ? machine.harts[t] : nil }

    public func readRegister(thread: Int, _ n: Int) -> UInt64? {
        guard let h = hart(thread) else { return nil }
        switch n {
        case 0..<32: return h.register(n)
        case GDBRegister.pc: return h.pc
        case GDBRegister.firstFP..<(GDBRegister.firstFP + 32): return h.f[n - GDBRegister.firstFP]
        case GDBRegister.fflags: return h.fcsr & 0x1f
        case GDBRegister.frm: return (h.fcsr >> 5) & 7
        case GDBRegister.fcsr: return h.fcsr & 0xff
        case GDBRegister.priv: return UInt64(h.mode.rawValue)
        case GDBRegister.firstCSR..<(GDBRegister.firstCSR + 4096): return h.debugReadCSR(UInt16(n - GDBRegister.firstCSR))
        default: return nil
        }
    }

    public func writeRegister(thread: Int, _ n: Int, _ v: UInt64) -> Bool {
        guard let h = hart(thread) else { return false }
        switch n {
        case 0..<32: h.setRegister(n, v)
        case GDBRegister.pc: h.pc = v
        case GDBRegister.firstFP..<(GDBRegister.firstFP + 32): h.f[n - GDBRegister.firstFP] = v
        case GDBRegister.fflags: h.fcsr = (h.fcsr & ~0x1f) | (v & 0x1f)
        case GDBRegister.frm: h.fcsr = (h.fcsr & ~0xe0) | ((v & 7) << 5)
        case GDBRegister.fcsr: h.fcsr = v & 0xff
        case GDBRegister.priv:
            guard let m = PrivilegeMode(rawValue: UInt8(truncatingIfNeeded: v)) else { return false }
            h.debugSetMode(m)
        case GDBRegister.firstCSR..<(GDBRegister.firstCSR + 4096):
            return h.debugWriteCSR(UInt16(n - GDBRegister.firstCSR), v)
        default: return false
        }
        return true
    }

    /// Physical address of each page-sized piece of a virtual range.
    func physicalRanges(thread: Int, address: UInt64, count: Int, physical: Bool, write: Bool)
        -> [(paddr: UInt64, length: Int)]? {
        guard let h = hart(thread), count >= 0 else { return nil }
        var out: [(UInt64, Int)] = []
        var va = address, left = count
        while left > 0 {
            let chunk = min(left, Int(4096 - (va & 0xfff)))
            let pa: UInt64
            if physical {
                pa = va
            } else {
                guard let p = h.debugTranslate(va, kind: write ? .write : .read) else { return nil }
                pa = p
            }
            // Only RAM: device registers have side effects a debugger must not trigger.
            guard machine.memory.isRAM(pa, length: UInt64(chunk)) else { return nil }
            out.append((pa, chunk))
            va &+= UInt64(chunk)
            left -= chunk
        }
        return out
    }

    public func readMemory(thread: Int, address: UInt64, count: Int, physical: Bool) -> [UInt8]? {
        guard let ranges = physicalRanges(thread: thread, address: address, count: count, physical: physical, write: false) else {
            return nil
        }
        var out: [UInt8] = []
        out.reserveCapacity(count)
        for r in ranges {
            guard let bytes = machine.memory.readRAM(r.paddr, count: r.length) else { return nil }
            out += bytes
        }
        return out
    }

    public func writeMemory(thread: Int, address: UInt64, bytes: [UInt8], physical: Bool) -> Bool {
        guard let ranges = physicalRanges(thread: thread, address: address, count: bytes.count, physical: physical, write: true) else {
            return false
        }
        var offset = 0
        for r in ranges {
            machine.memory.writeRAM(r.paddr, Array(bytes[offset..<offset + r.length]))
            offset += r.length
        }
        return true
    }

    public func insertBreakpoint(_ a: UInt64) { machine.insertBreakpoint(a) }
    public func removeBreakpoint(_ a: UInt64) { machine.removeBreakpoint(a) }
    public func insertWatchpoint(_ w: Watchpoint) { machine.insertWatchpoint(w) }
    public func removeWatchpoint(_ w: Watchpoint) { machine.removeWatchpoint(w) }
    public func removeAllDebugPoints() { machine.removeAllDebugPoints() }

    public func threadDescription(_ t: Int) -> String {
        guard let h = hart(t) else { return "" }
        let state = h.isWaitingForInterrupt ? "wfi" : (machine.debugHalted ? "halted" : "running")
        let satp = h.debugReadCSR(CSRNumber.satp) ?? 0
        return "hart \(t) [\(state)] \(h.mode)-mode satp=\(hex(satp))"
    }

    public var targetDescription: String { TargetDescription.xml }

    public func monitor(_ command: String, thread: Int) -> String {
        monitorHandler?(command, thread) ?? "unknown monitor command: \(command)\n"
    }

    public func resume(_ actions: [HartAction]) {
        machine.debugging = true
        machine.debugResume(actions)
    }

    public func requestHalt() { machine.debugHalt() }

    public var steppingTakesInterrupts: Bool {
        get { machine.steppingTakesInterrupts }
        set { machine.steppingTakesInterrupts = newValue }
    }
}
