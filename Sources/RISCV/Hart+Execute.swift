// Hart+Execute.swift — the interpreter: the run loop, block execution over
// the decoded-instruction cache, and the semantics of every operation.
//
// This is the hot loop. Rules it keeps (DESIGN.md §4): no Swift arrays,
// existentials, closures or reference counting per instruction — registers
// and decoded pages are unsafe buffers, memory goes through the TLB's host
// pointers; interrupts, the budget and the debugger are checked between
// blocks, not per instruction. A block is a run of instructions in one
// page: it ends at a jump to another page, a trap, an instruction that may
// change translation or interrupt state (CSR writes, xRET, fences, wfi), or
// the budget.

extension Hart {
    /// Runs until `budget` instructions have retired, or `wfi` sleeps, or a
    /// stop is requested, or a debugger breakpoint is reached.
    public func run(budget: Int) -> StopReason {
        var remaining = budget
        idleTurnClean = true
        while true {
            if memory.stopRequested { return .stopRequested }
            if (mipSoftware | mipLines) & mie != 0 {
                isWaitingForInterrupt = false
                // A trap moved the pc away from the breakpoint being resumed from.
                if takeInterruptIfAny() { ignoreBreakpointOnce = false }
            }
            if isWaitingForInterrupt { return .waitingForInterrupt }
            if remaining <= 0 { return .budgetExhausted }
            if spinning {
                spinning = false
                return .spinning
            }
            let start = pc
            let retired: Int
            if _slowPath(debugChecks) {
                // Debugging: check the pc before each block. A block stays
                // on one page, so only on a page holding a breakpoint (or
                // with any watchpoint, checked after each access) must it
                // shrink to one instruction; elsewhere code runs at full
                // speed — a student's breakpoint in `three` must not make
                // the whole kernel crawl until it is reached.
                if let stop = debugStopBeforeBlock() { return stop }
                let single = !watchpoints.isEmpty || breakpointPages.contains(pc >> 12)
                retired = executeBlock(limit: single ? 1 : remaining)
                if watchHit != nil { return .watchpoint }
            } else {
                retired = executeBlock(limit: remaining)
            }
            // A block that retired nothing took a trap: it still costs
            // budget, so a guest trapping in a loop cannot wedge the host.
            remaining -= max(retired, 1)
            if idleWindow > 0 && noteIdleBlock(start: start, retired: retired) { return .schedulerIdle }
        }
    }

    /// Executes exactly one instruction (or takes one trap), for debugger
    /// single-stepping. With `interrupts` false, pending interrupts are not
    /// taken first (QEMU's default `sstep` behaviour).
    public func step(interrupts: Bool = false) {
        if interrupts && (mipSoftware | mipLines) & mie != 0 {
            isWaitingForInterrupt = false
            if takeInterruptIfAny() { return }
        }
        isWaitingForInterrupt = false
        if _slowPath(hasCodeHooks) && stepThroughCodeHook() { return }
        _ = executeBlock(limit: 1)
    }

    /// Executes instructions from the page holding `pc`; returns how many retired.
    func executeBlock(limit: Int) -> Int {
        let pc = self.pc
        guard let page = fetchPage(pc) else { return 0 }
        return interpret(page, pageBase: pc & ~0xfff, offset: Int(pc & 0xfff), limit: limit)
    }

    /// The interpreter proper: runs decoded instructions of one page, from
    /// byte `offset`, until `limit` have retired, control leaves the page,
    /// or an instruction ends the block. Returns how many retired; on return
    /// `self.pc` is the next pc (or the trap handler) and `instret` counts them.
    /// The instructions themselves run as a chain of handlers (Handlers.swift).
    func interpret(_ page: UnsafeMutablePointer<DecodedInst>, pageBase: UInt64, offset: Int, limit: Int) -> Int {
        let chain = min(limit, Hart.maxChain)
        // Hoisted: nothing in a block changes these (a change of mode, satp
        // or MPRV ends the block).
        blockContext.pointee = BlockContext(
            page: page, pageBase: pageBase,
            readTLB: tlb.entries + TLB.index(set: dataSet, kind: TLB.read, vpn: 0),
            writeTLB: tlb.entries + TLB.index(set: dataSet, kind: TLB.write, vpn: 0),
            hart: Unmanaged.passUnretained(self), start: chain,
            fetchTLB: debugChecks ? nil : tlb.entries + TLB.index(set: fetchSet, kind: TLB.fetch, vpn: 0),
            fetchCode: tlb.code + fetchSet * TLB.slots)
        let ip = UnsafeMutableRawPointer(page + offset >> 1)
        let left = dispatch(ip, x, chain, UnsafeMutableRawPointer(blockContext), handlerTable)
        let n = chain &- left
        instret &+= UInt64(n)
        let k = blockContext.pointee
        switch k.exit {
        case .next:
            pc = k.exitPC
        case .trapped:
            break
        case .spin:
            pc = k.exitPC
            spinning = true
        case .straddle:
            pc = k.exitPC
            return n &+ executeStraddling(limit: limit &- n)
        }
        return n
    }

    /// The longest chain of handlers one `interpret` runs. Release builds
    /// turn every handler's call of the next into a jump, so a chain costs
    /// no stack; debug builds make real calls, so there chains stay short.
    #if DEBUG
    static let maxChain = 64
    #else
    static let maxChain = Int.max
    #endif

    /// A 32-bit instruction whose second half is on the next page: fetched
    /// and decoded on each execution, then run through the interpreter from
    /// a scratch page in which it sits in the page's last slot (so the pc
    /// arithmetic is the real page's) and every other slot ends the block.
    @inline(never)
    func executeStraddling(limit: Int) -> Int {
        guard limit > 0, let whole = fetchStraddling(pc) else { return 0 }
        let scratch = straddleScratch.entries
        scratch[DecodedPage.slots - 1] = whole
        defer { scratch[DecodedPage.slots - 1] = .pageEnd }
        return interpret(scratch, pageBase: pc & ~0xfff, offset: 0xffe, limit: 1)
    }

    /// Operations that end a block even when they fall through: they may
    /// change translation, privilege or interrupt state, which the block
    /// hoisted.
    @inline(__always)
    static func endsBlock(_ d: DecodedInst) -> Bool {
        switch d.op {
        case .csrrs, .csrrc, .csrrsi, .csrrci: d.rs1 != 0
        default: true
        }
    }

    /// System and Zicsr instructions: the next pc, or nil if it trapped.
    @inline(never)
    func executeSystem(_ d: DecodedInst, pc: UInt64, retired: Int) -> UInt64? {
        let len = UInt64(d.length)
        switch d.op {
        case .fence_i:
            // Stores to cached code are caught when they happen (see
            // MemorySystem), so fence.i has nothing left to invalidate.
            return pc &+ len
        case .ecall:
            let cause: ExceptionCause = switch mode {
            case .user: .ecallFromU
            case .supervisor: .ecallFromS
            case .machine: .ecallFromM
            }
            raiseException(cause, tval: 0, pc: pc)
            return nil
        case .ebreak:
            raiseException(.breakpoint, tval: pc, pc: pc)
            return nil
        case .mret:
            guard executeMret(pc: pc, raw: d.raw) else { return nil }
            return self.pc
        case .sret:
            guard executeSret(pc: pc, raw: d.raw) else { return nil }
            return self.pc
        case .wfi:
            // U-mode wfi is illegal when S exists (QEMU's choice of the
            // spec's "bounded time" option); S-mode under TW likewise.
            if mode == .user || (mode == .supervisor && mstatus & CSRBits.tw != 0) {
                raiseException(.illegalInstruction, tval: UInt64(d.raw), pc: pc)
                return nil
            }
            if !hasPendingInterrupt { isWaitingForInterrupt = true }
            return pc &+ len
        case .sfence_vma:
            if mode == .user || (mode == .supervisor && mstatus & CSRBits.tvm != 0) {
                raiseException(.illegalInstruction, tval: UInt64(d.raw), pc: pc)
                return nil
            }
            tlb.flushTranslated()
            return pc &+ len
        case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci:
            guard executeCSR(d, pc: pc, retired: retired) else { return nil }
            return pc &+ len
        default:
            raiseException(.illegalInstruction, tval: UInt64(d.raw), pc: pc)
            return nil
        }
    }

    /// The M extension's multi-cycle operations (mul and mulw are inline).
    @inline(__always)
    static func multiplyDivide(_ op: Op, _ a: UInt64, _ b: UInt64) -> UInt64 {
        switch op {
        case .mulh:
            UInt64(bitPattern: Int64(bitPattern: a).multipliedFullWidth(by: Int64(bitPattern: b)).high)
        case .mulhu: a.multipliedFullWidth(by: b).high
        case .mulhsu:
            // signed × unsigned: the unsigned high word, corrected for a negative a.
            a.multipliedFullWidth(by: b).high &- (Int64(bitPattern: a) < 0 ? b : 0)
        case .div: UInt64(bitPattern: divSigned(Int64(bitPattern: a), Int64(bitPattern: b)))
        case .divu: b == 0 ? .max : a / b
        case .rem: UInt64(bitPattern: remSigned(Int64(bitPattern: a), Int64(bitPattern: b)))
        case .remu: b == 0 ? a : a % b
        case .divw:
            sext32(UInt64(bitPattern: divSigned(Int64(Int32(truncatingIfNeeded: a)), Int64(Int32(truncatingIfNeeded: b)))))
        case .divuw:
            sext32(UInt64(UInt32(truncatingIfNeeded: b) == 0 ? .max
                : UInt32(truncatingIfNeeded: a) / UInt32(truncatingIfNeeded: b)))
        case .remw:
            sext32(UInt64(bitPattern: remSigned(Int64(Int32(truncatingIfNeeded: a)), Int64(Int32(truncatingIfNeeded: b)))))
        default:  // remuw
            sext32(UInt64(UInt32(truncatingIfNeeded: b) == 0 ? UInt32(truncatingIfNeeded: a)
                : UInt32(truncatingIfNeeded: a) % UInt32(truncatingIfNeeded: b)))
        }
    }
}

@inline(__always)
func sext32(_ v: UInt64) -> UInt64 {
    UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v)))
}

/// Signed division with RISC-V's rules: ÷0 gives −1, overflow gives the dividend.
@inline(__always)
func divSigned(_ a: Int64, _ b: Int64) -> Int64 {
    if b == 0 { return -1 }
    if a == .min && b == -1 { return a }
    return a / b
}

/// Signed remainder: ÷0 gives the dividend, overflow gives 0.
@inline(__always)
func remSigned(_ a: Int64, _ b: Int64) -> Int64 {
    if b == 0 { return a }
    if a == .min && b == -1 { return 0 }
    return a % b
}
