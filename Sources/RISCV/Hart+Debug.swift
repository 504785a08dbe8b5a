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
// Code hooks (host callbacks at a pc, for the COW lens) ride on the same
// mechanism, and `breakScope` narrows gdb's stops to one address space.

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
        breakpointPages = Set(breakpoints.map { $0 >> 12 }).union(codeHooks.keys.map { $0 >> 12 })
    }

    /// Before a block, while debugging: true if a gdb breakpoint stops the
    /// hart here (in scope, not the one being resumed from). Otherwise runs
    /// the code hook at `pc`, if any — after the breakpoint check, so that a
    /// hook runs once per execution, not again when gdb resumes from a stop.
    @inline(never)
    func debugStopsBeforeBlock() -> Bool {
        if breakpoints.contains(pc) && !ignoreBreakpointOnce && (breakScope?(self) ?? true) { return true }
        ignoreBreakpointOnce = false
        if let hook = codeHooks[pc] { hook(self) }
        return false
    }

    /// The code hook at `pc`, for single steps (which bypass `run`).
    func runCodeHook() {
        if let hook = codeHooks[pc] { hook(self) }
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
