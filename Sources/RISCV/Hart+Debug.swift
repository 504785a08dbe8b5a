// Hart+Debug.swift — what a debugger needs from a hart: breakpoints,
// watchpoints, and side-effect-free access to state (the debug walk is in
// Hart+MMU.swift, debug CSR access in Hart+CSR.swift).
//
// Breakpoints and watchpoints live outside guest memory (no `ebreak` is
// ever written to RAM: a COW-shared page would trap in every process).
// While any exist the hart checks the pc before every block, and runs one
// instruction per block on pages holding a breakpoint (everywhere, while a
// watchpoint exists); free when none are set. A watched page never
// enters the TLB, so every access to it reaches the slow path's check.
// Code hooks (host callbacks at a pc, for the COW lens) are checked in the
// same place, but end blocks by keeping their instruction undecoded, so
// their page runs at full speed; `breakScope` narrows gdb's stops to one
// address space.

public enum WatchKind: Sendable, Equatable {
    case write, read, access
}

public struct Watchpoint: Sendable, Equatable {
    public var address: UInt64
    public var length: UInt64
    public var kind: WatchKind
    public init(address: UInt64, length: UInt64, kind: WatchKind) {
        self.address = address
        self.length = max(length, 1)
        self.kind = kind
    }
}

public struct WatchHit: Sendable, Equatable {
    public var watchpoint: Watchpoint
    /// The accessed address that matched.
    public var address: UInt64
}

extension Hart {
    func updateDebugMode() {
        debugChecks = !breakpoints.isEmpty || !watchpoints.isEmpty || !codeHooks.isEmpty
        breakpointPages = Set(breakpoints.map { $0 >> 12 })
        hasCodeHooks = !codeHooks.isEmpty
    }

    /// Before a block, while debugging: a stop if a gdb breakpoint (in
    /// scope, and not the one being resumed from) is at `pc`. Otherwise,
    /// while a code hook is at `pc`, runs it and then that one instruction
    /// (so the hook runs once per execution, and never again when gdb
    /// resumes from a stop at the same pc). Hooked pcs end blocks without
    /// making their whole page run one instruction at a time: their decode
    /// slots stay empty, and `decodeSlot` refuses them except here.
    @inline(never)
    func debugStopBeforeBlock() -> StopReason? {
        for _ in 0..<16 {
            if breakpoints.contains(pc) && !ignoreBreakpointOnce && (breakScope?(self) ?? true) { return .breakpoint }
            ignoreBreakpointOnce = false
            guard let hook = codeHooks[pc] else { return nil }
            hook(self)
            executeHookedInstruction()
            if watchHit != nil { return .watchpoint }
            if memory.stopRequested { return .stopRequested }
        }
        return nil
    }

    /// Executes the instruction at a hooked `pc`, decoding it for this one
    /// execution only (the instructions it retires are not charged to the
    /// run's budget: a quantum may run a few instructions long, identically
    /// every run).
    func executeHookedInstruction() {
        let hooked = pc
        hookPass = hooked
        _ = executeBlock(limit: 1)
        hookPass = nil
        forgetDecode(hooked)
    }

    /// Drops the cached decode of the instruction at virtual `pc`. A hart
    /// in user mode can't translate a kernel pc; the kernel's text is
    /// identity-mapped in xv6, so the pc is then taken as physical.
    func forgetDecode(_ pc: UInt64) {
        if let pa = debugTranslate(pc, kind: .fetch) ?? (memory.isRAM(pc) ? pc : nil) {
            memory.invalidateCode(pa, length: 1)
        }
    }

    /// Whether `decodeSlot` must leave the slot at `pc` empty (a code hook
    /// is there and is not being passed).
    @inline(__always)
    func hookRefusesDecode(_ pc: UInt64) -> Bool {
        hasCodeHooks && hookPass != pc && codeHooks[pc] != nil
    }

    /// A single step (gdb's `stepi`) onto a hooked pc: the hook, then the
    /// instruction. True if it executed the step's instruction.
    func stepThroughCodeHook() -> Bool {
        guard let hook = codeHooks[pc] else { return false }
        hook(self)
        executeHookedInstruction()
        return true
    }

    /// Records a hit if `[vaddr, vaddr+width)` meets a watchpoint of the
    /// access's kind. True if the page holds any watchpoint (so the access
    /// must bypass the TLB).
    func checkWatchpoints(_ vaddr: UInt64, width: Int, write: Bool) -> Bool {
        var onPage = false
        let page = vaddr >> 12
        for w in watchpoints {
            if w.address >> 12 <= page && page <= (w.address &+ w.length &- 1) >> 12 { onPage = true }
            guard vaddr < w.address &+ w.length && w.address < vaddr &+ UInt64(width) else { continue }
            let matches = switch w.kind {
            case .write: write
            case .read: !write
            case .access: true
            }
            if matches && watchHit == nil && (breakScope?(self) ?? true) { watchHit = WatchHit(watchpoint: w, address: max(vaddr, w.address)) }
        }
        return onPage
    }

    /// Clears a reported watchpoint hit.
    public func clearWatchHit() { watchHit = nil }
}
