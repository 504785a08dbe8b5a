// Hart+CSR.swift — CSR instructions and the WARL rules of individual fields.
// The table of CSRs is in CSR.swift.

extension Hart {
    // MARK: Counters

    /// minstret as the current instruction sees it (`blockRetired` counts
    /// the instructions of the running block not yet added to `instret`).
    var instretNow: UInt64 { instret &+ blockRetired &+ instretOffset }
    var cycleNow: UInt64 { instret &+ blockRetired &+ cycleOffset }

    /// "The value written to instret will be the value read by the following
    /// instruction": the writing instruction's own increment is suppressed.
    func writeInstret(_ v: UInt64) { instretOffset = v &- (instret &+ blockRetired &+ 1) }
    func writeCycle(_ v: UInt64) { cycleOffset = v &- (instret &+ blockRetired &+ 1) }

    // MARK: Status

    var mstatusRead: UInt64 {
        var s = mstatus
        if s & CSRBits.fs == CSRBits.fs || s & CSRBits.xs == CSRBits.xs { s |= CSRBits.sd }
        return s
    }

    func writeMstatus(_ v: UInt64) {
        var new = (mstatus & ~CSRBits.mstatusWritable) | (v & CSRBits.mstatusWritable)
        // MPP is WARL over {U, S, M}: the reserved value 2 leaves it unchanged.
        if (new >> 11) & 3 == 2 { new = (new & ~CSRBits.mpp) | (mstatus & CSRBits.mpp) }
        setMstatus(new)
    }

    func writeSstatus(_ v: UInt64) {
        setMstatus((mstatus & ~CSRBits.sstatusWritable) | (v & CSRBits.sstatusWritable))
    }

    /// Installs a new mstatus, flushing what the change affects.
    func setMstatus(_ new: UInt64) {
        let changed = mstatus ^ new
        mstatus = new
        if changed & CSRBits.sum != 0 {
            tlb.flush(set: TLB.supervisorSet, kind: TLB.read)
            tlb.flush(set: TLB.supervisorSet, kind: TLB.write)
        }
        if changed & CSRBits.mxr != 0 {
            tlb.flush(set: TLB.supervisorSet, kind: TLB.read)
            tlb.flush(set: TLB.userSet, kind: TLB.read)
        }
        if changed & (CSRBits.mprv | CSRBits.mpp) != 0 { updateDataSet() }
    }

    // MARK: Translation, interrupts, timers

    func writeSatp(_ v: UInt64) {
        let mode = v >> 60
        // An unsupported MODE makes the whole write have no effect (§4.1.11).
        guard mode == 0 || mode == 8 else { return }
        satp = v & (0xf << 60 | 0xffff << 44 | (1 << 44 - 1))
        tlb.flushTranslated()
        onSatpWrite?(self, satp)
    }

    func writeMip(_ v: UInt64) {
        var writable = Interrupt.ssi | Interrupt.sei
        if !sstcEnabled { writable |= Interrupt.sti }
        mipSoftware = (mipSoftware & ~writable) | (v & writable)
    }

    func writeMenvcfg(_ v: UInt64) {
        let was = sstcEnabled
        menvcfg = v & (CSRBits.envcfgSTCE | CSRBits.envcfgFIOM)
        if was != sstcEnabled {
            setInterruptLine(Interrupt.sti, false)
            if sstcEnabled {
                mipSoftware &= ~Interrupt.sti
                updateSstc(time: timeSource())
            }
        }
    }

    func writeStimecmp(_ v: UInt64) {
        stimecmp = v
        updateSstc(time: timeSource())
    }

    // MARK: PMP (stored, not enforced)

    func pmpLocked(_ i: Int) -> Bool {
        let cfg = (pmpcfg[i / 8] >> (UInt64(i % 8) * 8)) & 0xff
        if cfg & 0x80 != 0 { return true }
        // A locked TOR entry also locks the address below it.
        if i + 1 < 64 {
            let next = (pmpcfg[(i + 1) / 8] >> (UInt64((i + 1) % 8) * 8)) & 0xff
            if next & 0x80 != 0 && (next >> 3) & 3 == 1 { return true }
        }
        return false
    }

    func writePmpcfg(_ reg: Int, _ v: UInt64) {
        var out = pmpcfg[reg]
        for b in 0..<8 {
            let shift = UInt64(b * 8)
            let old = (out >> shift) & 0xff
            if old & 0x80 != 0 { continue }                // locked entries ignore writes
            var byte = (v >> shift) & 0x9f                   // bits 6:5 are reserved
            if byte & 3 == 2 { byte &= ~3 }                  // R=0 W=1 is reserved
            out = (out & ~(0xff << shift)) | (byte << shift)
        }
        pmpcfg[reg] = out
    }

    // MARK: CSR instructions

    /// Whether the current mode may access CSR `number` under `rule`
    /// (write: the instruction writes).
    func csrAccessible(_ number: UInt16, _ rule: CSRRule, write: Bool) -> Bool {
        if mode.rawValue < UInt8((number >> 8) & 3) { return false }
        if write && number >> 10 == 3 { return false }
        switch rule {
        case .always:
            return true
        case .counter(let n):
            let bit: UInt64 = 1 << UInt64(n)
            if mode == .machine { return true }
            if mcounteren & bit == 0 { return false }
            return mode == .supervisor || scounteren & bit != 0
        case .satp:
            return !(mode == .supervisor && mstatus & CSRBits.tvm != 0)
        case .sstc:
            if !sstcEnabled { return false }
            return mode == .machine || mcounteren & CSRBits.counterTM != 0
        case .fp:
            return mstatus & CSRBits.fs != 0
        }
    }

    /// Executes a Zicsr instruction. Returns false if it trapped (illegal).
    /// `retired` = instructions of the current block retired before this one.
    func executeCSR(_ d: DecodedInst, pc: UInt64, retired: Int) -> Bool {
        blockRetired = UInt64(retired)
        defer { blockRetired = 0 }
        let number = UInt16(d.imm)
        let source: UInt64
        let writes: Bool
        switch d.op {
        case .csrrw, .csrrs, .csrrc: source = x[Int(d.rs1)]
        default: source = UInt64(d.rs1)
        }
        switch d.op {
        case .csrrw, .csrrwi: writes = true
        default: writes = d.rs1 != 0
        }
        let i = Int(number & 0xfff)
        guard let rule = csrDispatch.rule[i], csrAccessible(number, rule, write: writes) else {
            raiseException(.illegalInstruction, tval: UInt64(d.raw), pc: pc)
            return false
        }
        // csrrw with rd = x0 does not read (no read side effects).
        let old = (d.op == .csrrw || d.op == .csrrwi) && d.rd == Hart.sinkRegister ? 0 : csrDispatch.read[i].unsafelyUnwrapped(self)
        if writes, let write = csrDispatch.write[i] {
            let new: UInt64
            switch d.op {
            case .csrrw, .csrrwi: new = source
            case .csrrs, .csrrsi: new = old | source
            default: new = old & ~source
            }
            write(self, new)
        }
        x[Int(d.rd)] = old
        return true
    }

    // MARK: Host-side CSR access (debugger, monitor, tests)

    /// Reads a CSR without privilege checks or side effects; nil if absent.
    public func debugReadCSR(_ number: UInt16) -> UInt64? {
        CSRTable.descriptor(number)?.read(self)
    }

    /// Writes a CSR without privilege checks; false if absent.
    @discardableResult
    public func debugWriteCSR(_ number: UInt16, _ value: UInt64) -> Bool {
        guard let d = CSRTable.descriptor(number) else { return false }
        d.write?(self, value)
        return true
    }

    /// Changes the privilege mode (debugger's `priv` register).
    public func debugSetMode(_ m: PrivilegeMode) { setMode(m) }
}
