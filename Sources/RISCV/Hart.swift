// Hart.swift — one RISC-V hart's architectural state and its public face.
//
// Holds: registers, pc, privilege mode, the CSR state, the LR/SC reservation,
// the soft TLB. Execution is in Hart+Execute.swift, traps in Hart+Trap.swift,
// CSRs in CSR.swift / Hart+CSR.swift, address translation in Hart+MMU.swift.

public enum PrivilegeMode: UInt8, Sendable, CustomStringConvertible {
    case user = 0, supervisor = 1, machine = 3
    public var description: String {
        switch self {
        case .user: "U"
        case .supervisor: "S"
        case .machine: "M"
        }
    }
}

/// Why `Hart.run` returned.
public enum StopReason: Sendable, Equatable {
    /// The instruction budget is used up.
    case budgetExhausted
    /// `wfi` with nothing pending: the hart sleeps until an interrupt is pending.
    case waitingForInterrupt
    /// `MemorySystem.stopRequested` was set (HTIF exit, debugger, …).
    case stopRequested
    /// A debugger breakpoint matched the pc (before executing it).
    case breakpoint
    /// A debugger watchpoint matched an access (after the instruction; see `Hart.watchHit`).
    case watchpoint
    /// The hart is in a loop that cannot make progress until another hart
    /// or a device changes memory or an interrupt arrives (Hart+Spin.swift).
    case spinning
    /// The kernel's scheduler polled its process table for a whole window
    /// without finding work (Hart+Idle.swift).
    case schedulerIdle
}

/// Bit positions of `mip`/`mie` (privileged spec §3.1.9).
public enum Interrupt {
    public static let ssi: UInt64 = 1 << 1
    public static let msi: UInt64 = 1 << 3
    public static let sti: UInt64 = 1 << 5
    public static let mti: UInt64 = 1 << 7
    public static let sei: UInt64 = 1 << 9
    public static let mei: UInt64 = 1 << 11
}

public final class Hart {
    /// Index of the register that absorbs writes to x0.
    static let sinkRegister: UInt8 = 32

    public let id: Int
    public let memory: MemorySystem

    /// x0…x31, then the sink (index 32). x[0] is never written.
    let x: UnsafeMutablePointer<UInt64>
    /// f0…f31 (singles NaN-boxed) and fcsr (frm in bits 7:5, fflags in
    /// 4:0). F and D are in Hart+Float.swift.
    public let f: UnsafeMutablePointer<UInt64>
    public var fcsr: UInt64 = 0
    public var pc: UInt64 = 0
    public internal(set) var mode: PrivilegeMode = .machine

    // Machine-level CSR state (see CSR.swift for the fields' rules).
    var mstatus: UInt64 = CSRBits.mstatusReset
    let misa: UInt64 = CSRBits.misa
    var medeleg: UInt64 = 0
    var mideleg: UInt64 = 0
    var mie: UInt64 = 0
    /// Pending bits written by software (SSIP, STIP, SEIP).
    var mipSoftware: UInt64 = 0
    /// Pending bits driven by devices (MSIP, MTIP, MEIP, SEIP) and Sstc (STIP).
    var mipLines: UInt64 = 0
    var mtvec: UInt64 = 0
    var mepc: UInt64 = 0
    var mcause: UInt64 = 0
    var mtval: UInt64 = 0
    var mscratch: UInt64 = 0
    var mcounteren: UInt64 = 0
    var mcountinhibit: UInt64 = 0
    var menvcfg: UInt64 = 0
    // Supervisor-level
    var stvec: UInt64 = 0
    var sepc: UInt64 = 0
    var scause: UInt64 = 0
    var stval: UInt64 = 0
    var sscratch: UInt64 = 0
    var scounteren: UInt64 = 0
    var senvcfg: UInt64 = 0
    var satp: UInt64 = 0
    public internal(set) var stimecmp: UInt64 = .max
    // PMP: stored and read back, not enforced (see ARCHITECTURE.md).
    var pmpcfg = [UInt64](repeating: 0, count: 8)
    var pmpaddr = [UInt64](repeating: 0, count: 64)

    /// Instructions retired (minstret = instret + instretOffset).
    public internal(set) var instret: UInt64 = 0
    var instretOffset: UInt64 = 0
    var cycleOffset: UInt64 = 0
    /// Instructions of the running block retired but not yet in `instret`
    /// (nonzero only while a CSR instruction executes).
    var blockRetired: UInt64 = 0

    /// Traps taken (exceptions and interrupts).
    public internal(set) var trapCount: UInt64 = 0
    /// Translations that missed the soft TLB (or were never cacheable: devices).
    public internal(set) var tlbMisses: UInt64 = 0
    /// Instructions decoded into the cache (each executed instruction either
    /// hits a decoded slot or is decoded once).
    public internal(set) var decodes: UInt64 = 0
    /// Traps by cause: exceptions at 0…15, interrupts at 16 + cause.
    public internal(set) var trapsByCause = [UInt64](repeating: 0, count: 32)
    /// Called after every trap entry with (hart, cause with interrupt bit,
    /// tval, epc): the trace and statistics hook. Off the hot path.
    public var onTrap: ((Hart, UInt64, UInt64, UInt64) -> Void)?

    var reservation: UInt64 = 0
    var reservationValid = false

    /// Set by `wfi` when nothing is pending; cleared when an enabled
    /// interrupt becomes pending (checked by `run`).
    public internal(set) var isWaitingForInterrupt = false

    let tlb = TLB()
    /// The CSR table by number (held here so the hot path skips the lazy-global check).
    let csrDispatch = CSRDispatch.shared
    /// TLB set used by loads/stores (differs from the fetch set under MPRV).
    var dataSet = TLB.machineSet
    /// TLB set used by instruction fetch (the current privilege mode).
    var fetchSet = TLB.machineSet

    /// Reads the board's `mtime` (10 MHz). Set by the board.
    public var timeSource: () -> UInt64 = { 0 }

    /// Debugger breakpoints (virtual pcs). See Hart+Debug.swift.
    public var breakpoints: Set<UInt64> = [] {
        didSet { updateDebugMode() }
    }
    /// Debugger watchpoints (virtual ranges).
    public var watchpoints: [Watchpoint] = [] {
        didSet {
            updateDebugMode()
            tlb.flushAll()   // fills now avoid watched pages
        }
    }
    /// Host callbacks at virtual pcs (the COW lens's kalloc/kfree probes):
    /// run just before the instruction at that pc executes, never seen by
    /// gdb. Blocks end at them (their decode slots stay empty), so they
    /// cost nothing elsewhere on their page. See Hart+Debug.swift.
    public var codeHooks: [UInt64: (Hart) -> Void] = [:] {
        didSet {
            updateDebugMode()
            // A new hook's slot must stay undecoded so that a block reaching
            // it ends there (`decodeSlot` refuses it): forget its decode.
            for pc in codeHooks.keys where oldValue[pc] == nil { forgetDecode(pc) }
        }
    }
    /// Code hooks exist (tested where `codeHooks` would cost a lookup).
    var hasCodeHooks = false
    /// The hooked pc whose instruction may be decoded right now.
    var hookPass: UInt64?
    /// When set, gdb's breakpoints and watchpoints fire only while it
    /// returns true (an address-space-scoped stop). Asked only on a match.
    public var breakScope: ((Hart) -> Bool)?
    /// Called after every `satp` write that took effect (hart, new satp):
    /// the lens learns address-space roots here. Nil costs one test per write.
    public var onSatpWrite: ((Hart, UInt64) -> Void)?
    /// Breakpoints, watchpoints or code hooks exist: check before every block.
    var debugChecks = false
    /// Virtual page numbers holding a breakpoint: one instruction per block there.
    var breakpointPages: Set<UInt64> = []
    /// Skip the breakpoint at this pc once (resuming from it).
    public var ignoreBreakpointOnce = false
    // Spin detection (Hart+Spin.swift).
    var spinning = false
    var spinBranch: UInt64 = .max
    var spinEpoch: UInt64 = 0
    var spinSnapshotEpoch: UInt64 = 0
    let spinRegisters = UnsafeMutablePointer<UInt64>.allocate(capacity: 2)
    /// Spins detected (statistics).
    public internal(set) var spinsDetected: UInt64 = 0

    // Idle-scheduler detection (Hart+Idle.swift).
    var idleScheduler: Range<UInt64> = 0..<0
    var idleRanges: [Range<UInt64>] = []
    var idleWindow = 0
    var idleFullWindow = 0
    var idleRun = 0
    var idleSawScheduler = false
    var idleConfirm: ((Hart) -> Bool)?
    /// Every block of the current turn so far ran in the idle loop.
    public internal(set) var idleTurnClean = true
    /// Times the idle loop was recognised (statistics).
    public internal(set) var idleLoopsDetected: UInt64 = 0

    /// `Hart.handlerTable`, read once (a static is checked for
    /// initialisation on every access).
    let handlerTable = Hart.handlerTable
    /// The interpreter's per-block state (Handlers.swift).
    let blockContext = UnsafeMutablePointer<BlockContext>.allocate(capacity: 1)
    /// Where a page-straddling instruction runs (Hart+Execute.swift).
    let straddleScratch = DecodedPage.allEnds()

    /// Set by a watchpoint hit; the run loop stops after the instruction.
    public internal(set) var watchHit: WatchHit?

    public init(id: Int, memory: MemorySystem) {
        self.id = id
        self.memory = memory
        x = .allocate(capacity: 33)
        x.initialize(repeating: 0, count: 33)
        f = .allocate(capacity: 32)
        f.initialize(repeating: 0, count: 32)
        memory.register(self)
        reset(pc: 0)
    }

    deinit {
        x.deallocate()
        f.deallocate()
        spinRegisters.deallocate()
        blockContext.deallocate()
    }

    /// Architectural reset: M-mode at `pc`, a0 = mhartid.
    public func reset(pc: UInt64) {
        for i in 0..<33 { x[i] = 0 }
        for i in 0..<32 { f[i] = 0 }
        fcsr = 0
        self.pc = pc
        setMode(.machine)
        mstatus = CSRBits.mstatusReset
        x[10] = UInt64(id)
        isWaitingForInterrupt = false
        reservationValid = false
        tlb.flushAll()
    }

    // MARK: Registers (host side: debugger, loader, tests)

    public func register(_ i: Int) -> UInt64 { i == 0 ? 0 : x[i & 31] }
    public func setRegister(_ i: Int, _ v: UInt64) { if i != 0 { x[i & 31] = v } }

    // MARK: Interrupt lines (driven by the board)

    /// Sets or clears device-driven pending bits (MSIP, MTIP, MEIP, SEIP).
    public func setInterruptLine(_ bits: UInt64, _ on: Bool) {
        if on { mipLines |= bits } else { mipLines &= ~bits }
    }

    /// The effective `mip`.
    public var mip: UInt64 { mipSoftware | mipLines }

    /// True when some interrupt is pending and enabled in `mie` (the `wfi`
    /// wake-up condition, regardless of global enables).
    public var hasPendingInterrupt: Bool { mip & mie != 0 }

    /// Re-evaluates Sstc's STIP against `time` (called by the board as time
    /// passes and after `stimecmp` writes).
    public func updateSstc(time: UInt64) {
        guard menvcfg & CSRBits.envcfgSTCE != 0 else { return }
        setInterruptLine(Interrupt.sti, time >= stimecmp)
    }

    /// Whether Sstc drives STIP (menvcfg.STCE).
    public var sstcEnabled: Bool { menvcfg & CSRBits.envcfgSTCE != 0 }

    /// Wakes a hart sleeping in `wfi` if an enabled interrupt is pending.
    @discardableResult
    public func wakeIfPending() -> Bool {
        if isWaitingForInterrupt && hasPendingInterrupt { isWaitingForInterrupt = false }
        return !isWaitingForInterrupt
    }

    func setMode(_ m: PrivilegeMode) {
        mode = m
        fetchSet = TLB.set(for: m)
        updateDataSet()
    }

    /// Loads and stores translate with MPP's privilege when M-mode sets MPRV.
    func updateDataSet() {
        if mode == .machine && mstatus & CSRBits.mprv != 0 {
            dataSet = TLB.set(for: PrivilegeMode(rawValue: UInt8((mstatus >> 11) & 3)) ?? .user)
        } else {
            dataSet = fetchSet
        }
    }

    /// The privilege used for loads and stores.
    var dataMode: PrivilegeMode {
        if mode == .machine && mstatus & CSRBits.mprv != 0 {
            return PrivilegeMode(rawValue: UInt8((mstatus >> 11) & 3)) ?? .user
        }
        return mode
    }
}
