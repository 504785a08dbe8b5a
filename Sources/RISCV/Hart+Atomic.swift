// Hart+Atomic.swift — the A extension: LR/SC and AMOs (unprivileged spec ch. 8).
//
// One host thread runs every hart, so each AMO is atomic by construction;
// aq/rl need no action. The reservation is on a physical address: any store
// to it (by any hart, or a device) breaks it — the page is flagged
// `.reserved` so that stores to it take the slow path, which checks.

extension Hart {
    /// Executes an LR, SC or AMO. False if it trapped.
    @inline(never)
    func executeAtomic(_ d: DecodedInst, pc: UInt64) -> Bool {
        let isWord: Bool
        switch d.op {
        case .lr_w, .sc_w, .amoswap_w, .amoadd_w, .amoxor_w, .amoand_w, .amoor_w,
             .amomin_w, .amomax_w, .amominu_w, .amomaxu_w:
            isWord = true
        default:
            isWord = false
        }
        let width = isWord ? 4 : 8
        let address = x[Int(d.rs1)]
        let isLR = d.op == .lr_w || d.op == .lr_d
        // Misaligned atomics are not done in hardware: LR reports a load
        // misalignment, SC and AMOs a store/AMO one.
        guard address & UInt64(width - 1) == 0 else {
            raiseException(isLR ? .loadMisaligned : .storeMisaligned, tval: address, pc: pc)
            return false
        }
        guard let paddr = translate(address, isLR ? .read : .write, pc: pc) else { return false }
        guard memory.isRAM(paddr, length: UInt64(width)) else {
            raiseException(isLR ? .loadAccessFault : .storeAccessFault, tval: address, pc: pc)
            return false
        }
        let host = memory.ram + Int(paddr &- memory.ramBase)
        let old = loadLittleEndian(host, width: width)
        let result = isWord ? sext32(old) : old

        switch d.op {
        case .lr_w, .lr_d:
            reservation = paddr
            reservationValid = true
            memory.addFlags(.reserved, page: paddr)
            x[Int(d.rd)] = result
            return true
        case .sc_w, .sc_d:
            let success = reservationValid && reservation == paddr
            if success { _ = physicalStore(paddr, width: width, x[Int(d.rs2)]) }
            reservationValid = false
            memory.breakReservations(paddr, width: 0)   // drops the page flag if unused
            x[Int(d.rd)] = success ? 0 : 1
            return true
        default:
            break
        }

        let src = x[Int(d.rs2)]
        let new: UInt64
        switch d.op {
        case .amoswap_w, .amoswap_d: new = src
        case .amoadd_w, .amoadd_d: new = old &+ src
        case .amoxor_w, .amoxor_d: new = old ^ src
        case .amoand_w, .amoand_d: new = old & src
        case .amoor_w, .amoor_d: new = old | src
        case .amomin_w: new = Int32(truncatingIfNeeded: old) < Int32(truncatingIfNeeded: src) ? old : src
        case .amomax_w: new = Int32(truncatingIfNeeded: old) > Int32(truncatingIfNeeded: src) ? old : src
        case .amominu_w: new = UInt32(truncatingIfNeeded: old) < UInt32(truncatingIfNeeded: src) ? old : src
        case .amomaxu_w: new = UInt32(truncatingIfNeeded: old) > UInt32(truncatingIfNeeded: src) ? old : src
        case .amomin_d: new = Int64(bitPattern: old) < Int64(bitPattern: src) ? old : src
        case .amomax_d: new = Int64(bitPattern: old) > Int64(bitPattern: src) ? old : src
        case .amominu_d: new = old < src ? old : src
        case .amomaxu_d: new = old > src ? old : src
        default: new = old
        }
        _ = physicalStore(paddr, width: width, new)
        if new != old { spinEpoch &+= 1 }   // memory changed: not a pure spin
        x[Int(d.rd)] = result
        return true
    }
}
