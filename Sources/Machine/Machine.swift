// Machine.swift — the board: RAM, the bus, harts, time, and the scheduler
// that runs harts round-robin in fixed instruction quanta.
//
// Determinism: one host thread runs every hart in a fixed order, each for
// `quantum` instructions; time advances with retired instructions
// (VirtualClock). Device I/O from the host (console input) is the only
// outside influence.

import ELFLoader
import RISCV

/// Components that change interrupt lines as time passes (CLINT, Sstc timers…).
public protocol TimedDevice: AnyObject {
    /// Called between scheduling rounds with the current `mtime`.
    func tick(now: UInt64)
    /// The earliest `mtime` at which this device will raise a line, if any.
    var nextDeadline: UInt64? { get }
}

public final class Machine {
    public let configuration: MachineConfiguration
    public let bus: Bus
    public let memory: MemorySystem
    public let harts: [Hart]
    public let clock: VirtualClock
    public private(set) var kernel: ELFFile?

    /// Bytes the guest writes to its console (UART or HTIF).
    public var consoleSink: (UInt8) -> Void = { _ in }
    /// Guest stores to RAM pages flagged `.watched` (address, width), after
    /// HTIF has seen them: the COW lens's physical watches.
    public var onWatchedWrite: ((UInt64, Int) -> Void)?
    /// The hart whose quantum is running (the writer, for watch reports).
    public var currentHart: Hart { harts[runningHart] }

    var timedDevices: [TimedDevice] = []
    /// The virt board's devices (nil when `configuration.devices` is off).
    public internal(set) var clint: CLINT?
    public internal(set) var plic: PLIC?
    public internal(set) var uart: UART16550?
    public internal(set) var virtio: VirtioBlock?
    public internal(set) var disk: DiskImage?
    /// The hart whose turn it is (for `mtime` reads mid-quantum).
    var runningHart = 0

    // Debugger state (Machine+Debug.swift).
    /// While true no hart runs; `advance` returns `.stopped` at once.
    public internal(set) var debugHalted = false
    /// The hart and reason of the last debug stop.
    public internal(set) var lastStop: (hart: Int, reason: DebugStop)?
    var hartActions: [HartAction]
    /// Whether a debugger single-step may take a pending interrupt first
    /// (QEMU's `sstep` bits; off by default so `stepi` stays in the code).
    public var steppingTakesInterrupts = false
    var htif: HTIF?
    /// A debugger is attached: harts run under `hartActions`.
    public var debugging = false
    /// Set when the guest (or the debugger's kill) powered the board off.
    public private(set) var exitStatus: Int32?
    /// Instructions retired by each hart at the start of the current round.
    private var roundStart: [UInt64]
    /// Turns each hart still sits out after its scheduler was found idle,
    /// and how many times in a row it was (Hart+Idle.swift).
    private var idleSkips: [Int]
    private var idleStreak: [Int]

    public init(configuration: MachineConfiguration) throws(MachineError) {
        guard configuration.hartCount >= 1 && configuration.hartCount <= 8 else {
            throw MachineError("invalid number of harts \(configuration.hartCount): 1 to 8 are supported")
        }
        guard configuration.ramSize >= 1 << 20, configuration.ramSize <= 16 << 30,
              configuration.ramSize % 4096 == 0 else {
            throw MachineError("invalid RAM size \(configuration.ramSize) bytes: 1 MiB to 16 GiB, a multiple of 4 KiB")
        }
        self.configuration = configuration
        bus = Bus()
        let memory = MemorySystem(ramBase: 0x8000_0000, ramSize: configuration.ramSize, bus: bus)
        self.memory = memory
        harts = (0..<configuration.hartCount).map { Hart(id: $0, memory: memory) }
        clock = VirtualClock(instructionsPerTick: configuration.instructionsPerTick)
        roundStart = Array(repeating: 0, count: configuration.hartCount)
        idleSkips = Array(repeating: 0, count: configuration.hartCount)
        idleStreak = Array(repeating: 0, count: configuration.hartCount)
        hartActions = Array(repeating: .run, count: configuration.hartCount)
        for hart in harts {
            let index = hart.id
            hart.timeSource = { [unowned self, unowned hart] in
                self.clock.now(partial: hart.instret &- self.roundStart[index])
            }
        }
        memory.watchHandler = { [unowned self] address, width, _ in
            self.htif?.observe(address, width: width)
            self.onWatchedWrite?(address, width)
        }
        clock.runningHartProgress = { [unowned self] in
            self.harts[self.runningHart].instret &- self.roundStart[self.runningHart]
        }
        if configuration.devices { try attachDevices() }
        if let path = configuration.kernelPath {
            try loadKernel(path: path)
        }
    }

    // MARK: Loading

    /// Loads an ELF's segments at their physical addresses and points every
    /// hart at its entry (M-mode, a0 = mhartid).
    public func loadKernel(path: String) throws(MachineError) {
        let elf: ELFFile
        do {
            elf = try ELFFile.load(path: path)
        } catch {
            throw MachineError(error.description)
        }
        try loadKernel(elf)
    }

    /// Loads an ELF already read (the ELF fuzz target feeds mutated images
    /// straight from memory); `elf.path` names it in errors.
    public func loadKernel(_ elf: ELFFile) throws(MachineError) {
        let path = elf.path
        for (i, segment) in elf.segments.enumerated() {
            guard memory.isRAM(segment.physicalAddress, length: max(segment.memorySize, 1)) else {
                let end = segment.physicalAddress &+ segment.memorySize
                throw MachineError("\(path): segment \(i) at \(hex(segment.physicalAddress))–\(hex(end)) "
                    + "lies outside RAM (\(hex(memory.ramBase))–\(hex(memory.ramBase + memory.ramSize)))")
            }
            memory.writeRAM(segment.physicalAddress, segment.fileBytes)
            let bss = Int(segment.memorySize) - segment.fileBytes.count
            if bss > 0 {
                memory.writeRAM(segment.physicalAddress + UInt64(segment.fileBytes.count),
                                [UInt8](repeating: 0, count: bss))
            }
        }
        kernel = elf
        for hart in harts { hart.reset(pc: elf.entry) }
        configureIdleDetection(elf.symbols)
        if let tohost = elf.symbols.address(of: "tohost"), memory.isRAM(tohost, length: 8) {
            htif = HTIF(tohost: tohost, fromhost: elf.symbols.address(of: "fromhost"), memory: memory,
                        console: { [unowned self] in self.consoleSink($0) },
                        exit: { [unowned self] in self.powerOff(status: $0) })
        }
    }

    // MARK: Running

    /// Ends the run with `status` (test finisher, HTIF, debugger kill).
    public func powerOff(status: Int32) {
        exitStatus = status
        memory.stopRequested = true
    }

    /// Runs until the guest exits, or `instructionLimit` instructions
    /// (summed over harts) have retired. Idle time passes instantly (no
    /// host waits): this is the entry point for tests and batch runs.
    public func run(instructionLimit: UInt64? = nil) -> MachineOutcome {
        var executed: UInt64 = 0
        while true {
            if let limit = instructionLimit, executed >= limit { return .instructionLimitReached }
            let before = retiredInstructions
            let event = advance(rounds: 64)
            executed &+= retiredInstructions &- before
            switch event {
            case .exited(let status): return .exited(status: status)
            case .idle(let deadline): skipIdle(until: deadline)
            case .running, .stopped: break
            }
        }
    }

    /// Instructions retired by all harts so far.
    public var retiredInstructions: UInt64 { harts.reduce(0) { $0 &+ $1.instret } }

    /// Runs up to `rounds` scheduling rounds and reports why it returned.
    /// The host (CLI) drives the board with this, doing its own I/O between calls.
    public func advance(rounds: Int) -> MachineEvent {
        for _ in 0..<rounds {
            if let status = exitStatus { return .exited(status: status) }
            if debugHalted {
                memory.stopRequested = false
                return .stopped
            }
            let ran = runRound()
            if let status = exitStatus { return .exited(status: status) }
            if memory.stopRequested {
                memory.stopRequested = false
                return .stopped
            }
            if ran.busiest == 0 { return .idle(nextDeadline: nextDeadline) }
        }
        return .running
    }

    /// The earliest `mtime` at which a timer will fire, if any.
    public var nextDeadline: UInt64? {
        var deadline: UInt64? = timedDevices.compactMap(\.nextDeadline).min()
        for hart in harts where hart.sstcEnabled && hart.stimecmp > clock.ticks {
            deadline = min(deadline ?? .max, hart.stimecmp)
        }
        return deadline
    }

    /// Lets idle time pass: `ticks` of `mtime` with every hart asleep.
    /// Guest time that passed with every hart asleep (at wall-clock speed).
    public private(set) var idleTicks: UInt64 = 0

    public func passIdleTime(ticks: UInt64) {
        idleTicks &+= ticks
        clock.advance(ticks: max(ticks, 1))
        updateTimers()
    }

    /// Batch-mode idling: jump straight to the deadline. A guest asleep with
    /// no timer armed and nothing else to wake it would sleep forever; in a
    /// batch run that ends the run.
    func skipIdle(until deadline: UInt64?) {
        if let deadline, deadline > clock.ticks {
            passIdleTime(ticks: deadline - clock.ticks)
        } else if deadline == nil && !harts.contains(where: { $0.hasPendingInterrupt }) && !hasAsyncWakeSources {
            powerOff(status: 0)
        } else {
            passIdleTime(ticks: 1)
        }
    }

    /// True when something outside the harts may still wake them (console
    /// input, a debugger). Set by the host.
    public var hasAsyncWakeSources = false

    /// One scheduling round: every runnable hart gets a quantum.
    /// Returns instructions retired in total and by the busiest hart.
    func runRound() -> (total: UInt64, busiest: UInt64) {
        var total: UInt64 = 0, busiest: UInt64 = 0
        // A round is quiet when every hart slept in wfi or spun with nothing
        // to do (Hart+Loops.swift) *from the start of its turn*: then no hart
        // changed memory in this round and the board is as good as idle. A
        // hart that worked first and then slept or spun may have changed
        // what an earlier spinner waits for, so that round is not quiet.
        var quiet = true
        for (i, hart) in harts.enumerated() {
            runningHart = i
            roundStart[i] = hart.instret
            guard hart.wakeIfPending() || hartActions[i] == .step else { continue }
            // A hart whose scheduler was idle sits out a few turns (quietly),
            // unless an interrupt is pending for it.
            if idleSkips[i] > 0 && !hart.hasPendingInterrupt && !debugging {
                idleSkips[i] -= 1
                continue
            }
            idleSkips[i] = 0
            var keepGoing = true
            let reason: StopReason
            if debugging {
                (keepGoing, reason) = runDebugged(hart, budget: configuration.quantum)
            } else {
                hart.setIdleRecheck(idleStreak[i] > 0)
                reason = hart.run(budget: configuration.quantum)
                if reason == .budgetExhausted, pcSamples != nil { samplePC(hart) }
            }
            let n = hart.instret &- roundStart[i]
            if reason == .schedulerIdle {
                idleStreak[i] = min(idleStreak[i] + 1, Machine.maxIdleStreak)
                idleSkips[i] = 1 << idleStreak[i]
            } else if reason == .waitingForInterrupt && n > 0 {
                // This hart just went to sleep: whatever it left runnable
                // (xv6 2020 can sleep right after waking a process it has
                // already swept past) needs the harts sitting out to look.
                for j in idleSkips.indices { idleSkips[j] = 0 }
            } else if reason != .spinning && reason != .waitingForInterrupt {
                idleStreak[i] = 0
            }
            if !Machine.isQuiet(reason, retired: n, idleTurnClean: hart.idleTurnClean) { quiet = false }
            total &+= n
            busiest = max(busiest, n)
            if !keepGoing || memory.stopRequested {
                quiet = false
                break
            }
        }
        clock.advance(instructions: busiest)
        for i in harts.indices { roundStart[i] = harts[i].instret }
        updateTimers()
        return (total, quiet ? 0 : max(busiest, 1))
    }

    /// Whether a hart's turn did nothing: slept at once, spun from the
    /// start, or only polled an empty process table.
    static func isQuiet(_ reason: StopReason, retired: UInt64, idleTurnClean: Bool) -> Bool {
        switch reason {
        case .waitingForInterrupt: retired == 0
        case .spinning: retired <= UInt64(3 * Hart.maxSpinBody)
        case .schedulerIdle: idleTurnClean
        default: false
        }
    }

    /// `-d profile`: where harts were when a full quantum ran out, by pc
    /// (nil: not sampling) — a profile of guest instructions, not of host
    /// time. One sample per quantum costs nothing per instruction; the mode
    /// keeps user and kernel code at the same address apart.
    public var pcSamples: [PCSample: Int]?

    public struct PCSample: Hashable, Sendable {
        public let pc: UInt64
        public let user: Bool
    }

    func samplePC(_ hart: Hart) {
        pcSamples![PCSample(pc: hart.pc, user: hart.mode == .user), default: 0] += 1
    }

    /// An idle scheduler sits out up to 2^maxIdleStreak turns.
    static let maxIdleStreak = 3

    /// Functions an xv6 scheduler's polling loop runs in, besides `scheduler`.
    static let idleLoopHelpers = ["acquire", "release", "push_off", "pop_off", "holding", "mycpu", "cpuid"]

    /// Instructions a hart must poll without leaving the loop to count as
    /// idle: about five sweeps of a 64-entry process table (a sweep takes
    /// 4000–4500), so that a process made runnable behind the sweep is
    /// always reached before the hart gives up.
    public static let idleWindow = 24_000

    /// Turns on idle-scheduler detection when the kernel has a `scheduler`
    /// (Hart+Idle.swift); off for anything else. With a `cpus` array (xv6's
    /// `struct cpu cpus[NCPU]`, NCPU = 8, first field `struct proc *proc`),
    /// a hart only counts as idle while its entry runs no process.
    func configureIdleDetection(_ symbols: SymbolTable) {
        // A function symbol's code range; nil unless it has a size and its
        // end does not wrap past 2^64 (a corrupt ELF's `scheduler` of size
        // 2^64-1 made `..<` trap: the fuzzer's find).
        func code(_ name: String) -> Range<UInt64>? {
            guard let s = symbols.symbol(named: name), s.isFunction, s.size > 0 else { return nil }
            let (end, wraps) = s.address.addingReportingOverflow(s.size)
            return wraps ? nil : s.address..<end
        }
        guard configuration.detectIdleScheduler, let scheduler = code("scheduler") else {
            for hart in harts { hart.setIdleLoop(scheduler: 0..<0, helpers: [], window: 0) }
            return
        }
        let helpers = Machine.idleLoopHelpers.compactMap(code)
        var confirm: ((Hart) -> Bool)?
        if let cpus = symbols.symbol(named: "cpus"), cpus.size > 0, cpus.size % 8 == 0 {
            let stride = cpus.size / 8
            confirm = { [unowned memory] hart in
                let entry = cpus.address &+ UInt64(hart.id) &* stride
                return memory.isRAM(entry, length: 8) && memory.loadPhysical(entry, width: 8) == 0
            }
        }
        for hart in harts {
            hart.setIdleLoop(scheduler: scheduler,
                             helpers: helpers, window: Machine.idleWindow, confirm: confirm)
        }
    }

    func updateTimers() {
        let now = clock.ticks
        for device in timedDevices { device.tick(now: now) }
        for hart in harts where hart.sstcEnabled { hart.updateSstc(time: now) }
    }

}
