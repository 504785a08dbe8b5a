// Hart+Trap.swift — exceptions, interrupts and the xRET instructions
// (privileged spec §3.1.6.1, §3.1.9, §3.3.2, §12.1).

public enum ExceptionCause: UInt64, Sendable, CaseIterable {
    case instructionMisaligned = 0
    case instructionAccessFault = 1
    case illegalInstruction = 2
    case breakpoint = 3
    case loadMisaligned = 4
    case loadAccessFault = 5
    case storeMisaligned = 6
    case storeAccessFault = 7
    case ecallFromU = 8
    case ecallFromS = 9
    case ecallFromM = 11
    case instructionPageFault = 12
    case loadPageFault = 13
    case storePageFault = 15
}

/// Interrupt causes in the spec's priority order, highest first
/// (MEI, MSI, MTI, SEI, SSI, STI).
let interruptPriority: [UInt64] = [11, 3, 7, 9, 1, 5]

extension Hart {
    /// Takes an exception: the instruction at `pc` did not retire.
    func raiseException(_ cause: ExceptionCause, tval: UInt64, pc: UInt64) {
        enterTrap(cause: cause.rawValue, interrupt: false, tval: tval, epc: pc)
    }

    /// Goes to the trap handler: S-mode if the cause is delegated and we are
    /// not in M-mode, M-mode otherwise. Sets `self.pc` to the handler.
    func enterTrap(cause: UInt64, interrupt: Bool, tval: UInt64, epc: UInt64) {
        let delegated = (interrupt ? mideleg : medeleg) >> cause & 1 != 0
        let causeValue = interrupt ? cause | 1 << 63 : cause
        if delegated && mode != .machine {
            scause = causeValue
            sepc = epc & ~1
            stval = tval
            var s = mstatus & ~(CSRBits.spp | CSRBits.spie | CSRBits.sie)
            if mstatus & CSRBits.sie != 0 { s |= CSRBits.spie }
            if mode == .supervisor { s |= CSRBits.spp }
            setMstatus(s)
            setMode(.supervisor)
            pc = trapVector(stvec, cause: cause, interrupt: interrupt)
        } else {
            mcause = causeValue
            mepc = epc & ~1
            mtval = tval
            var s = mstatus & ~(CSRBits.mpp | CSRBits.mpie | CSRBits.mie)
            if mstatus & CSRBits.mie != 0 { s |= CSRBits.mpie }
            s |= UInt64(mode.rawValue) << 11
            setMstatus(s)
            setMode(.machine)
            pc = trapVector(mtvec, cause: cause, interrupt: interrupt)
        }
        trapCount &+= 1
        trapsByCause[Int(cause & 15) + (interrupt ? 16 : 0)] &+= 1
        spinEpoch &+= 1
        onTrap?(self, causeValue, tval, epc)
    }

    @inline(__always)
    func trapVector(_ tvec: UInt64, cause: UInt64, interrupt: Bool) -> UInt64 {
        let base = tvec & ~3
        return tvec & 1 == 1 && interrupt ? base &+ 4 &* cause : base
    }

    /// The interrupt to take now, if any: M-level ones (not delegated) when
    /// below M or with MIE set; S-level ones when below S, or in S with SIE.
    func pendingInterrupt() -> UInt64? {
        let pending = mip & mie
        guard pending != 0 else { return nil }
        let mEnabled = mode != .machine || mstatus & CSRBits.mie != 0
        let sEnabled = mode == .user || (mode == .supervisor && mstatus & CSRBits.sie != 0)
        var candidates: UInt64 = 0
        if mEnabled { candidates |= pending & ~mideleg }
        if candidates == 0 && sEnabled { candidates = pending & mideleg }
        guard candidates != 0 else { return nil }
        for cause in interruptPriority where candidates >> cause & 1 != 0 { return cause }
        return nil
    }

    /// Takes a pending, enabled interrupt at the current pc. True if taken.
    @discardableResult
    func takeInterruptIfAny() -> Bool {
        guard let cause = pendingInterrupt() else { return false }
        isWaitingForInterrupt = false
        enterTrap(cause: cause, interrupt: true, tval: 0, epc: pc)
        return true
    }

    /// `mret`: back to MPP with MIE = MPIE. False if it trapped.
    func executeMret(pc: UInt64, raw: UInt32) -> Bool {
        guard mode == .machine else {
            raiseException(.illegalInstruction, tval: UInt64(raw), pc: pc)
            return false
        }
        let target = PrivilegeMode(rawValue: UInt8((mstatus >> 11) & 3)) ?? .user
        var s = mstatus & ~(CSRBits.mie | CSRBits.mpp)
        if mstatus & CSRBits.mpie != 0 { s |= CSRBits.mie }
        s |= CSRBits.mpie
        if target != .machine { s &= ~CSRBits.mprv }
        setMstatus(s)
        setMode(target)
        self.pc = mepc
        return true
    }

    /// `sret`: back to SPP with SIE = SPIE. Illegal in U, and in S under TSR.
    func executeSret(pc: UInt64, raw: UInt32) -> Bool {
        guard mode == .machine || (mode == .supervisor && mstatus & CSRBits.tsr == 0) else {
            raiseException(.illegalInstruction, tval: UInt64(raw), pc: pc)
            return false
        }
        let target: PrivilegeMode = mstatus & CSRBits.spp != 0 ? .supervisor : .user
        var s = mstatus & ~(CSRBits.sie | CSRBits.spp)
        if mstatus & CSRBits.spie != 0 { s |= CSRBits.sie }
        s |= CSRBits.spie
        s &= ~CSRBits.mprv
        setMstatus(s)
        setMode(target)
        self.pc = sepc
        return true
    }
}
