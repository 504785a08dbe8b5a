// Hart+Idle.swift — a kernel scheduler polling with nothing to run.
//
// The 2020 and 2022 xv6 schedulers never execute `wfi` (2020 only when at
// most two processes exist): an idle hart sweeps the process table for ever,
// taking and releasing every process's lock. On one host thread that sweep
// costs as much as real work on a busy hart. QEMU burns a host core on it.
//
// The board tells the hart where the scheduler's code lives (the ELF's
// `scheduler` and the small functions it calls; see
// Machine.configureIdleDetection). A hart is idle when, for `window`
// instructions, every block it ran started in that code, in S-mode, some of
// them in `scheduler` itself, and at the end the kernel's per-CPU record says
// it runs no process (`confirm`). It has then swept the whole table at least
// twice without finding a process to run — had it found one, it would have
// switched to it and left that code. Until another hart or an interrupt
// makes a process runnable, running on would only repeat the sweep, so the
// run loop gives up the quantum (`StopReason.schedulerIdle`) and the board
// lets the hart sit out a few turns. Everything is counted in instructions,
// so runs stay deterministic.
//
// Block starts are a sample, not a trace: a block may run on through other
// code in the same page (kfree calls acquire in the same page at boot, and
// push_off's CSR write starts a block inside the helpers). Requiring blocks
// that start in `scheduler` — reached from the helpers only by a return
// across pages — and the per-CPU check rules those out.

extension Hart {
    /// The longest block that still counts as polling.
    static let maxIdleBlock = 200

    /// Where the scheduler's polling loop runs: `scheduler` itself, the
    /// helpers it calls, and a final check (nil: none); window 0 turns it off.
    public func setIdleLoop(scheduler: Range<UInt64>, helpers: [Range<UInt64>], window: Int,
                            confirm: ((Hart) -> Bool)? = nil) {
        idleScheduler = scheduler
        idleRanges = [scheduler] + helpers
        idleWindow = window
        idleFullWindow = window
        idleConfirm = confirm
        idleRun = 0
        idleSawScheduler = false
    }

    /// Chooses the window for the next turn: the full one, or after the
    /// hart was found idle and sat out (`rechecking`), one sweep's worth.
    /// A hart that has just sat out only needs to look at every process
    /// slot once: anything made runnable while it sat out is somewhere in
    /// the table, and one sweep reaches it. The full window is for a hart
    /// coming from real work, whose first sweeps may race with other harts'
    /// wakeups.
    public func setIdleRecheck(_ rechecking: Bool) {
        guard idleFullWindow > 0 else { return }
        idleWindow = rechecking ? min(idleFullWindow, Hart.idleRecheckWindow) : idleFullWindow
    }

    /// A little more than one sweep of a 64-slot process table (4000–4500
    /// instructions in the 2020–2022 kernels).
    public static let idleRecheckWindow = 6_000

    /// Whether a block starting at `pc` is part of the idle loop.
    @inline(__always)
    func inIdleLoop(_ pc: UInt64) -> Bool {
        guard mode == .supervisor else { return false }
        for r in idleRanges where r.contains(pc) { return true }
        return false
    }

    /// Accounts a block of `retired` instructions that started at `start`;
    /// true when the hart has polled for a whole window.
    @inline(__always)
    func noteIdleBlock(start: UInt64, retired: Int) -> Bool {
        // The block must also end in the loop, and be short: polling takes
        // a lock per process, and push_off/pop_off's CSR writes end a block
        // every few instructions, while a block that started in the
        // scheduler and ran a process in between (blocks follow jumps into
        // other pages) is long.
        guard retired <= Hart.maxIdleBlock, inIdleLoop(start), inIdleLoop(pc) else {
            idleRun = 0
            idleSawScheduler = false
            idleTurnClean = false
            return false
        }
        if idleScheduler.contains(start) { idleSawScheduler = true }
        idleRun &+= retired
        // Stop only where interrupts are on: a hart holding a spinlock has
        // them off (xv6's push_off), and one sitting out turns while
        // holding a process's lock would stall every other hart.
        guard idleRun >= idleWindow, mstatus & CSRBits.sie != 0 else { return false }
        idleRun = 0
        let saw = idleSawScheduler
        idleSawScheduler = false
        guard saw && (idleConfirm?(self) ?? true) else { return false }
        idleLoopsDetected &+= 1
        return true
    }
}
