// Lens.swift — the COW lens: what an xv6 kernel's memory looks like from
// outside, for the copy-on-write lab. This file holds the lens's state and
// the hooks it installs; each concern has its own file:
//   AddressSpaces.swift  roots, `pagetable`, `pte`, `refs`, `cowcheck`
//   ProcessTable.swift   `ps`: the kernel's proc table (known layouts)
//   KallocShadow.swift   allocation sites, bad frees, freed-page writes, `leaks`, `freepages`
//   TrapTrace.swift      `trace traps`, `trace cow`
//   Backtrace.swift      `backtrace` across the user/kernel trap boundary
//   Scope.swift          `break-scope`, `watch-phys`
//   SVG.swift            `pagetable … --svg FILE`
//
// Reads are side-effect free (physical RAM reads, debug translation). The
// lens costs nothing until asked: the shadow's code hooks, the trap and
// satp observers and the page watches are installed only while in use.

import ELFLoader
import Machine
import RISCV

public final class Lens {
    public let machine: Machine
    /// The kernel's symbols (empty for a kernel without any).
    public let symbols: SymbolTable
    /// The PTE bit the kernel uses for COW (nil: unknown, RSW shown raw).
    public var cowBit: UInt64?
    /// Where the COW bit's name came from, for `pagetable`'s header.
    public private(set) var cowBitSource: String

    /// Page-table roots seen in `satp` writes (physical address → first hart).
    var rootsSeen: [UInt64: Int] = [:]
    /// The kalloc shadow, when running.
    public internal(set) var shadow: KallocShadow?
    /// Trap/COW tracing state (TrapTrace.swift).
    var trace = TraceSettings()
    /// struct proc's layout and size, once the table has been read.
    var procLayoutCache: (layout: ProcLayout, stride: Int)?
    /// Physical watches (Scope.swift).
    var physicalWatches: [PhysicalWatch] = []
    /// Lines the lens reports as they happen (bad frees, watched writes,
    /// traces): the console prints them; they are also kept for `events`.
    public var output: ((String) -> Void)?
    /// Stop the board (for gdb) when the shadow finds an error.
    public var stopOnError = false
    /// Every reported event, oldest first (bounded).
    public internal(set) var events: [String] = []
    static let maxEvents = 5000

    public init(machine: Machine, cowBit: Int? = nil) {
        self.machine = machine
        symbols = machine.kernel?.symbols ?? .empty
        if let cowBit {
            self.cowBit = 1 << UInt64(cowBit)
            cowBitSource = "--cow-bit \(cowBit)"
        } else if symbols.address(of: "uvmcopy") != nil {
            // Every xv6 COW lab (and the bundled kernel) uses RSW bit 8.
            self.cowBit = 1 << 8
            cowBitSource = "bit 8, the xv6 COW labs' convention (kernel has uvmcopy)"
        } else {
            cowBitSource = "unknown (use --cow-bit N)"
        }
    }

    /// Whether the lens's hooks are installed (`lens on`, or xv6emu -lens).
    public private(set) var isOn = false

    /// Installs the satp observer and, when the kernel has kalloc/kfree,
    /// the kalloc shadow. `sinceBoot`: no instruction has run yet.
    @discardableResult
    public func start(sinceBoot: Bool) -> String {
        guard !isOn else { return "lens: already on\n" }
        isOn = true
        observeSatp(true)
        shadow = KallocShadow(lens: self, sinceBoot: sinceBoot)
        shadow?.start()
        updateWriteObservers()
        return "lens: on; " + (shadow == nil ? "no kalloc/kfree symbols, so no kalloc shadow\n"
            : "kalloc shadow \(sinceBoot ? "from boot" : "from now: pages allocated earlier have no known site")\n")
    }

    /// Removes every hook: the board runs as if the lens did not exist.
    @discardableResult
    public func stop() -> String {
        guard isOn else { return "lens: already off\n" }
        isOn = false
        observeSatp(false)
        shadow?.stop()
        shadow = nil
        trace = TraceSettings()
        updateTrapObserver()
        _ = watchPhys(["off"])
        for h in machine.harts { h.breakScope = nil }
        updateWriteObservers()
        return "lens: off; every hook removed\n"
    }

    func lensCommand(_ args: [String]) -> String {
        switch args.first {
        case "on": return start(sinceBoot: false)
        case "off": return stop()
        case "stop-on-error":
            stopOnError = args.dropFirst().first != "off"
            return "lens: errors found by the kalloc shadow \(stopOnError ? "stop the board (under gdb)" : "are only reported")\n"
        case nil, "status":
            var out = "lens: \(isOn ? "on" : "off"); COW bit: \(cowBit.map { "bit \($0.trailingZeroBitCount)" } ?? "unknown") (\(cowBitSource))\n"
            out += "  roots seen in satp writes: \(rootsSeen.count)\n"
            if let shadow { out += "  " + shadow.status() } else if isOn { out += "  no kalloc shadow (no kalloc/kfree symbols)\n" }
            return out + "  " + traceStatus()
        default:
            return "usage: lens [on | off | status | stop-on-error on|off]\n"
        }
    }

    /// Records an event: kept, and printed by whoever listens.
    func report(_ line: String) {
        events.append(line)
        if events.count > Self.maxEvents { events.removeFirst(events.count - Self.maxEvents) }
        output?(line)
    }

    /// Asks the board to stop for the debugger after an error, if wanted.
    func stopIfWanted(hart: Int) {
        guard stopOnError, machine.debugging else { return }
        machine.debugHalt(reason: .interrupted, hart: max(hart, 0))
    }

    // MARK: Hooks (each installed only while in use)

    /// Satp writes teach the lens the roots of address spaces. One closure
    /// call per satp write (xv6: twice per system call) — cheap, but
    /// removable with `lens off`.
    func observeSatp(_ on: Bool) {
        for hart in machine.harts {
            hart.onSatpWrite = on ? { [unowned self] h, satp in self.satpWritten(h, satp) } : nil
        }
        // The current satps too: a lens created mid-run knows them at once.
        if on { for h in machine.harts { noteRoot(satp: h.debugReadCSR(CSRNumber.satp) ?? 0, hart: h.id) } }
    }

    func satpWritten(_ hart: Hart, _ satp: UInt64) {
        noteRoot(satp: satp, hart: hart.id)
        shadow?.satpWritten(hart)
        // Back to the faulting address space: the COW handler is done.
        if !trace.pendingCow.isEmpty { finishCowFault(hart, root: (satp & ((1 << 44) - 1)) << 12) }
    }

    func noteRoot(satp: UInt64, hart: Int) {
        guard satp >> 60 == 8 else { return }
        let root = (satp & ((1 << 44) - 1)) << 12
        if rootsSeen[root] == nil { rootsSeen[root] = hart }
    }

    /// Code hooks are shared by every hart (kernel text is one address space).
    func setCodeHook(_ pc: UInt64, _ hook: ((Hart) -> Void)?) {
        for h in machine.harts { h.codeHooks[pc] = hook }
    }

    /// Routes watched-page writes (guest stores and host DMA) to the
    /// shadow and the physical watches; removes the routes when neither needs them.
    func updateWriteObservers() {
        let needed = shadow != nil || !physicalWatches.isEmpty
        machine.onWatchedWrite = needed ? { [unowned self] pa, width in
            self.physicalWrite(pa, length: width, dma: false)
        } : nil
        machine.memory.hostWriteHandler = needed ? { [unowned self] pa, length in
            self.physicalWrite(pa, length: length, dma: true)
        } : nil
    }

    func physicalWrite(_ pa: UInt64, length: Int, dma: Bool) {
        shadow?.observeWrite(pa, length: length, dma: dma)
        if !physicalWatches.isEmpty { checkPhysicalWatches(pa, length: length, dma: dma) }
    }

    // MARK: Kernel memory, read without side effects

    var memory: MemorySystem { machine.memory }

    func read64(_ pa: UInt64) -> UInt64? {
        memory.isRAM(pa, length: 8) ? memory.loadPhysical(pa, width: 8) : nil
    }

    func read32(_ pa: UInt64) -> UInt32? {
        memory.isRAM(pa, length: 4) ? memory.loadPhysical(pa, width: 4).map { UInt32(truncatingIfNeeded: $0) } : nil
    }

    /// A C string of at most `max` bytes.
    func readString(_ pa: UInt64, max: Int) -> String? {
        guard let bytes = memory.readRAM(pa, count: max) else { return nil }
        let text = bytes.prefix { $0 != 0 }
        guard text.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return nil }
        return String(decoding: text, as: UTF8.self)
    }

    /// True if `pa` is a page-aligned RAM address.
    func isPage(_ pa: UInt64) -> Bool { pa & 0xfff == 0 && memory.isRAM(pa, length: 4096) }

    /// A kernel virtual address read through `hart`'s translation when it
    /// has one (kernel stacks live above the direct map), else as physical.
    func kernelRead64(_ va: UInt64, hart: Hart) -> UInt64? {
        if let pa = hart.debugTranslate(va) { return read64(pa) }
        return read64(va)
    }

    /// `function+0x12`, or the hex address when no symbol covers it.
    func symbolize(_ pc: UInt64) -> String {
        guard let s = symbols.symbolize(pc) else { return hex(pc) }
        return s.offset == 0 ? s.name : "\(s.name)+\(hex(s.offset))"
    }

    /// Just the function name (for allocation sites: `uvmalloc ← growproc`).
    func functionName(_ pc: UInt64) -> String { symbols.symbolize(pc)?.name ?? hex(pc) }
}

/// Parses 0x-hex or decimal, as the rest of the monitor does; with a
/// message for the user when it isn't a number.
func parseAddress(_ s: String, what: String) -> Result<UInt64, LensError> {
    guard let v = parseNumber(s) else { return .failure(LensError("\(what): '\(s)' is not a number (0x… or decimal)")) }
    return .success(v)
}

struct LensError: Error {
    let message: String
    init(_ m: String) { message = m }
}
