// Machine+Debug.swift — the board's execution control for a debugger:
// all-stop halting, per-hart resume actions (continue, step, stay stopped),
// and the record of why the board stopped.
//
// gdb 13 single-steps RISC-V in software: it plants a breakpoint at the next
// pc and resumes only the thread being stepped (`vCont;c:p1.N`), so
// resuming one hart while the others stay stopped is essential.

import RISCV

/// What a hart does when the debugger resumes the board.
public enum HartAction: Sendable, Equatable {
    case run, step, stay
}

/// Why the board stopped for the debugger.
public enum DebugStop: Sendable, Equatable {
    case breakpoint
    case step
    case watchpoint(WatchHit)
    /// The debugger (or the host) asked for a halt.
    case interrupted
}

extension Machine {
    /// Halts every hart (e.g. `-S`, or gdb's interrupt). The current round
    /// ends at the next block boundary.
    public func debugHalt(reason: DebugStop = .interrupted, hart: Int = 0) {
        if !debugHalted { lastStop = (hart, reason) }
        debugHalted = true
        memory.stopRequested = true
    }

    /// Resumes with one action per hart.
    public func debugResume(_ actions: [HartAction]) {
        precondition(actions.count == harts.count)
        hartActions = actions
        for (i, hart) in harts.enumerated() where actions[i] != .stay {
            hart.clearWatchHit()
            // Resuming from a breakpoint must execute the instruction under it.
            hart.ignoreBreakpointOnce = true
        }
        lastStop = nil
        debugHalted = false
    }

    /// Runs hart `i`'s share of a round under debugger control; returns
    /// false if the board must stop (a debug event happened).
    func runDebugged(_ hart: Hart, budget: Int) -> (keepGoing: Bool, reason: StopReason) {
        switch hartActions[hart.id] {
        case .stay:
            return (true, .waitingForInterrupt)
        case .step:
            hart.step(interrupts: steppingTakesInterrupts)
            if let hit = hart.watchHit {
                debugHalt(reason: .watchpoint(hit), hart: hart.id)
            } else {
                debugHalt(reason: .step, hart: hart.id)
            }
            return (false, .budgetExhausted)
        case .run:
            let reason = hart.run(budget: budget)
            switch reason {
            case .breakpoint:
                debugHalt(reason: .breakpoint, hart: hart.id)
                return (false, reason)
            case .watchpoint:
                if let hit = hart.watchHit { debugHalt(reason: .watchpoint(hit), hart: hart.id) }
                return (false, reason)
            default:
                return (true, reason)
            }
        }
    }

    // MARK: Breakpoints and watchpoints apply to every hart (gdb's model).

    public func insertBreakpoint(_ address: UInt64) {
        for hart in harts { hart.breakpoints.insert(address) }
    }

    public func removeBreakpoint(_ address: UInt64) {
        for hart in harts { hart.breakpoints.remove(address) }
    }

    public func insertWatchpoint(_ w: Watchpoint) {
        for hart in harts where !hart.watchpoints.contains(w) { hart.watchpoints.append(w) }
    }

    public func removeWatchpoint(_ w: Watchpoint) {
        for hart in harts { hart.watchpoints.removeAll { $0 == w } }
    }

    public func removeAllDebugPoints() {
        for hart in harts {
            hart.breakpoints.removeAll()
            hart.watchpoints.removeAll()
        }
    }
}
