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

/// How an instruction left the pc.
enum Flow {
    /// Fell through (pc advanced by the instruction length).
    case next
    /// Jumped or branched: pc may be on another page.
    case jump
    /// Retired, but the block must end (state the block relies on changed).
    case stop
    /// Trapped: did not retire; `self.pc` is the trap handler.
    case trapped
}

extension Hart {
    /// Runs until `budget` instructions have retired, or `wfi` sleeps, or a
    /// stop is requested, or a debugger breakpoint is reached.
    public func run(budget: Int) -> StopReason {
        var remaining = budget
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
            if _slowPath(debugChecks) {
                // Debugging: check the pc before each block. A block stays
                // on one page, so only on a page holding a breakpoint (or
                // with any watchpoint, checked after each access) must it
                // shrink to one instruction; elsewhere code runs at full
                // speed — a student's breakpoint in `three` must not make
                // the whole kernel crawl until it is reached.
                if let stop = debugStopBeforeBlock() { return stop }
                let single = !watchpoints.isEmpty || breakpointPages.contains(pc >> 12)
                remaining -= max(executeBlock(limit: single ? 1 : remaining), 1)
                if watchHit != nil { return .watchpoint }
            } else {
                // A block that retired nothing took a trap: it still costs
                // budget, so a guest trapping in a loop cannot wedge the host.
                remaining -= max(executeBlock(limit: remaining), 1)
            }
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
        var pc = self.pc
        guard let page = fetchPage(pc) else { return 0 }
        let pageBase = pc & ~0xfff
        // Hoisted: the compiler cannot keep `self.x` in a register across the
        // out-of-line calls in the loop by itself.
        let x = self.x
        var n = 0
        loop: while true {
            // pc - pageBase is at most 0x1000 here, which lands on the
            // `pageEnd` sentinel slot: sequential flow needs no bounds check.
            let slot = Int(truncatingIfNeeded: pc &- pageBase) >> 1
            let d = page[slot]
            var flow: Flow
            switch d.op {
            case .undecoded:
                if decodeSlot(page, pc: pc) { continue loop }
                break loop
            case .pageEnd:
                break loop
            case .straddle:
                self.pc = pc
                guard let whole = fetchStraddling(pc) else { instret &+= UInt64(n); return n }
                flow = execute(whole, &pc, n, x)
                if flow == .next { flow = .jump }   // pc is on the next page now
            default:
                let here = pc
                flow = execute(d, &pc, n, x)
                // A backward jump may close a spin loop or a fill loop
                // (Hart+Loops.swift).
                if flow == .jump && pc < here && d.pad0 != LoopClass.other {
                    if d.pad0 == LoopClass.fill {
                        n &+= fillLoop(page, slot: slot, pageBase: pageBase, loopStart: pc, budget: limit &- n &- 1)
                    } else if isSpinning(page, slot: slot, pageBase: pageBase, loopStart: pc, branch: here) {
                        spinning = true
                        n &+= 1
                        break loop
                    }
                }
            }
            switch flow {
            case .next:
                n &+= 1
                if n >= limit { break loop }
            case .jump:
                n &+= 1
                if pc & ~0xfff != pageBase || n >= limit { break loop }
            case .stop:
                n &+= 1
                break loop
            case .trapped:
                instret &+= UInt64(n)
                return n
            }
        }
        self.pc = pc
        instret &+= UInt64(n)
        return n
    }

    /// The semantics of one decoded instruction at `pc`. `retired` is the
    /// number of instructions of this block retired before it (for counters).
    @inline(__always)
    func execute(_ d: DecodedInst, _ pc: inout UInt64, _ retired: Int, _ x: UnsafeMutablePointer<UInt64>) -> Flow {
        let rd = Int(d.rd), rs1 = Int(d.rs1), rs2 = Int(d.rs2)
        let imm = UInt64(bitPattern: Int64(d.imm))
        let len = UInt64(d.length)
        switch d.op {
        // MARK: RV64I
        case .lui: x[rd] = imm
        case .auipc: x[rd] = pc &+ imm
        case .jal:
            x[rd] = pc &+ len
            pc = pc &+ imm
            return .jump
        case .jalr:
            let target = (x[rs1] &+ imm) & ~1
            x[rd] = pc &+ len
            pc = target
            return .jump
        case .beq: if x[rs1] == x[rs2] { pc = pc &+ imm; return .jump }
        case .bne: if x[rs1] != x[rs2] { pc = pc &+ imm; return .jump }
        case .blt: if Int64(bitPattern: x[rs1]) < Int64(bitPattern: x[rs2]) { pc = pc &+ imm; return .jump }
        case .bge: if Int64(bitPattern: x[rs1]) >= Int64(bitPattern: x[rs2]) { pc = pc &+ imm; return .jump }
        case .bltu: if x[rs1] < x[rs2] { pc = pc &+ imm; return .jump }
        case .bgeu: if x[rs1] >= x[rs2] { pc = pc &+ imm; return .jump }

        case .lb:
            guard let v = load(x[rs1] &+ imm, width: 1, pc: pc) else { return .trapped }
            x[rd] = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: v)))
        case .lh:
            guard let v = load(x[rs1] &+ imm, width: 2, pc: pc) else { return .trapped }
            x[rd] = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: v)))
        case .lw:
            guard let v = load(x[rs1] &+ imm, width: 4, pc: pc) else { return .trapped }
            x[rd] = sext32(v)
        case .ld:
            guard let v = load(x[rs1] &+ imm, width: 8, pc: pc) else { return .trapped }
            x[rd] = v
        case .lbu:
            guard let v = load(x[rs1] &+ imm, width: 1, pc: pc) else { return .trapped }
            x[rd] = v
        case .lhu:
            guard let v = load(x[rs1] &+ imm, width: 2, pc: pc) else { return .trapped }
            x[rd] = v
        case .lwu:
            guard let v = load(x[rs1] &+ imm, width: 4, pc: pc) else { return .trapped }
            x[rd] = v
        case .sb: guard store(x[rs1] &+ imm, width: 1, x[rs2], pc: pc) else { return .trapped }
        case .sh: guard store(x[rs1] &+ imm, width: 2, x[rs2], pc: pc) else { return .trapped }
        case .sw: guard store(x[rs1] &+ imm, width: 4, x[rs2], pc: pc) else { return .trapped }
        case .sd: guard store(x[rs1] &+ imm, width: 8, x[rs2], pc: pc) else { return .trapped }

        case .addi: x[rd] = x[rs1] &+ imm
        case .slti: x[rd] = Int64(bitPattern: x[rs1]) < Int64(d.imm) ? 1 : 0
        case .sltiu: x[rd] = x[rs1] < imm ? 1 : 0
        case .xori: x[rd] = x[rs1] ^ imm
        case .ori: x[rd] = x[rs1] | imm
        case .andi: x[rd] = x[rs1] & imm
        case .slli: x[rd] = x[rs1] << (imm & 63)
        case .srli: x[rd] = x[rs1] >> (imm & 63)
        case .srai: x[rd] = UInt64(bitPattern: Int64(bitPattern: x[rs1]) >> Int64(imm & 63))
        case .add: x[rd] = x[rs1] &+ x[rs2]
        case .sub: x[rd] = x[rs1] &- x[rs2]
        case .sll: x[rd] = x[rs1] << (x[rs2] & 63)
        case .slt: x[rd] = Int64(bitPattern: x[rs1]) < Int64(bitPattern: x[rs2]) ? 1 : 0
        case .sltu: x[rd] = x[rs1] < x[rs2] ? 1 : 0
        case .xor: x[rd] = x[rs1] ^ x[rs2]
        case .srl: x[rd] = x[rs1] >> (x[rs2] & 63)
        case .sra: x[rd] = UInt64(bitPattern: Int64(bitPattern: x[rs1]) >> Int64(x[rs2] & 63))
        case .or: x[rd] = x[rs1] | x[rs2]
        case .and: x[rd] = x[rs1] & x[rs2]
        case .addiw: x[rd] = sext32(x[rs1] &+ imm)
        case .slliw: x[rd] = sext32(UInt64(UInt32(truncatingIfNeeded: x[rs1]) << UInt32(imm & 31)))
        case .srliw: x[rd] = sext32(UInt64(UInt32(truncatingIfNeeded: x[rs1]) >> UInt32(imm & 31)))
        case .sraiw: x[rd] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: x[rs1]) >> Int32(imm & 31)))
        case .addw: x[rd] = sext32(x[rs1] &+ x[rs2])
        case .subw: x[rd] = sext32(x[rs1] &- x[rs2])
        case .sllw: x[rd] = sext32(UInt64(UInt32(truncatingIfNeeded: x[rs1]) << UInt32(x[rs2] & 31)))
        case .srlw: x[rd] = sext32(UInt64(UInt32(truncatingIfNeeded: x[rs1]) >> UInt32(x[rs2] & 31)))
        case .sraw: x[rd] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: x[rs1]) >> Int32(x[rs2] & 31)))

        // MARK: M
        case .mul: x[rd] = x[rs1] &* x[rs2]
        case .mulh:
            x[rd] = UInt64(bitPattern: Int64(bitPattern: x[rs1]).multipliedFullWidth(by: Int64(bitPattern: x[rs2])).high)
        case .mulhu: x[rd] = x[rs1].multipliedFullWidth(by: x[rs2]).high
        case .mulhsu:
            // signed × unsigned: the unsigned high word, corrected for a negative rs1.
            let a = x[rs1], b = x[rs2]
            x[rd] = a.multipliedFullWidth(by: b).high &- (Int64(bitPattern: a) < 0 ? b : 0)
        case .div: x[rd] = UInt64(bitPattern: divSigned(Int64(bitPattern: x[rs1]), Int64(bitPattern: x[rs2])))
        case .divu: x[rd] = x[rs2] == 0 ? .max : x[rs1] / x[rs2]
        case .rem: x[rd] = UInt64(bitPattern: remSigned(Int64(bitPattern: x[rs1]), Int64(bitPattern: x[rs2])))
        case .remu: x[rd] = x[rs2] == 0 ? x[rs1] : x[rs1] % x[rs2]
        case .mulw: x[rd] = sext32(x[rs1] &* x[rs2])
        case .divw:
            let q = divSigned(Int64(Int32(truncatingIfNeeded: x[rs1])), Int64(Int32(truncatingIfNeeded: x[rs2])))
            x[rd] = sext32(UInt64(bitPattern: q))
        case .divuw:
            let a = UInt32(truncatingIfNeeded: x[rs1]), b = UInt32(truncatingIfNeeded: x[rs2])
            x[rd] = sext32(UInt64(b == 0 ? .max : a / b))
        case .remw:
            let r = remSigned(Int64(Int32(truncatingIfNeeded: x[rs1])), Int64(Int32(truncatingIfNeeded: x[rs2])))
            x[rd] = sext32(UInt64(bitPattern: r))
        case .remuw:
            let a = UInt32(truncatingIfNeeded: x[rs1]), b = UInt32(truncatingIfNeeded: x[rs2])
            x[rd] = sext32(UInt64(b == 0 ? a : a % b))

        // MARK: System
        case .fence: break
        case .fence_i:
            // Stores to cached code are caught when they happen (see
            // MemorySystem), so fence.i has nothing left to invalidate.
            pc &+= len
            return .stop
        case .ecall:
            let cause: ExceptionCause = switch mode {
            case .user: .ecallFromU
            case .supervisor: .ecallFromS
            case .machine: .ecallFromM
            }
            raiseException(cause, tval: 0, pc: pc)
            return .trapped
        case .ebreak:
            raiseException(.breakpoint, tval: pc, pc: pc)
            return .trapped
        case .mret:
            guard executeMret(pc: pc, raw: d.raw) else { return .trapped }
            pc = self.pc
            return .stop
        case .sret:
            guard executeSret(pc: pc, raw: d.raw) else { return .trapped }
            pc = self.pc
            return .stop
        case .wfi:
            // U-mode wfi is illegal when S exists (QEMU's choice of the
            // spec's "bounded time" option); S-mode under TW likewise.
            if mode == .user || (mode == .supervisor && mstatus & CSRBits.tw != 0) {
                raiseException(.illegalInstruction, tval: UInt64(d.raw), pc: pc)
                return .trapped
            }
            pc &+= len
            if !hasPendingInterrupt { isWaitingForInterrupt = true }
            return .stop
        case .sfence_vma:
            if mode == .user || (mode == .supervisor && mstatus & CSRBits.tvm != 0) {
                raiseException(.illegalInstruction, tval: UInt64(d.raw), pc: pc)
                return .trapped
            }
            tlb.flushTranslated()
            pc &+= len
            return .stop
        case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci:
            guard executeCSR(d, pc: pc, retired: retired) else { return .trapped }
            pc &+= len
            // A write may change translation or interrupt state: end the block.
            let wrote = d.op == .csrrw || d.op == .csrrwi || d.rs1 != 0
            return wrote ? .stop : .next

        // MARK: A
        case .lr_w, .sc_w, .amoswap_w, .amoadd_w, .amoxor_w, .amoand_w, .amoor_w,
             .amomin_w, .amomax_w, .amominu_w, .amomaxu_w,
             .lr_d, .sc_d, .amoswap_d, .amoadd_d, .amoxor_d, .amoand_d, .amoor_d,
             .amomin_d, .amomax_d, .amominu_d, .amomaxu_d:
            guard executeAtomic(d, pc: pc) else { return .trapped }

        case .illegal, .undecoded, .straddle, .pageEnd:
            raiseException(.illegalInstruction, tval: UInt64(d.raw), pc: pc)
            return .trapped
        }
        pc &+= len
        return .next
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
