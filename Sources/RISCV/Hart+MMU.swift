// Hart+MMU.swift — Sv39 translation, the TLB fast paths for loads, stores and
// fetches, and their slow paths (privileged spec §4.3–4.4).
//
// A/D bits are set by the hardware walk, as QEMU does (Svadu behaviour): xv6
// never sets them itself. Misaligned accesses are done in hardware; one that
// crosses a page is split into bytes on the slow path.

public enum AccessKind: Int, Sendable {
    case read = 0, write = 1, fetch = 2
}

/// Outcome of a walk when it fails.
enum TranslationFault {
    case page, access
}

extension AccessKind {
    func fault(_ f: TranslationFault) -> ExceptionCause {
        switch (self, f) {
        case (.read, .page): .loadPageFault
        case (.write, .page): .storePageFault
        case (.fetch, .page): .instructionPageFault
        case (.read, .access): .loadAccessFault
        case (.write, .access): .storeAccessFault
        case (.fetch, .access): .instructionAccessFault
        }
    }
}

/// Sv39 PTE bits.
public enum PTE {
    public static let v: UInt64 = 1 << 0, r: UInt64 = 1 << 1, w: UInt64 = 1 << 2, x: UInt64 = 1 << 3
    public static let u: UInt64 = 1 << 4, g: UInt64 = 1 << 5, a: UInt64 = 1 << 6, d: UInt64 = 1 << 7
    /// The two bits reserved for software (xv6's COW flag lives here).
    public static let rsw: UInt64 = 3 << 8
    /// Bits 63:54 (PBMT, N and reserved): must be zero without Svpbmt/Svnapot.
    static let reservedHigh: UInt64 = 0x3ff << 54
}

/// The result of a debug walk.
public struct DebugTranslation: Sendable {
    public var physical: UInt64
    public var pte: UInt64
    public var level: Int
}

extension Hart {
    // MARK: Walk

    /// Translates `vaddr` for `kind` with privilege `mode`.
    /// `updateAD`: set A/D in the PTE (false for debugger walks).
    /// Returns the physical address, or the fault.
    func walk(_ vaddr: UInt64, _ kind: AccessKind, mode: PrivilegeMode, updateAD: Bool) -> Result<UInt64, TranslationFaultBox> {
        if mode == .machine || satp >> 60 == 0 {
            return .success(vaddr)
        }
        // Sv39: bits 63:39 must equal bit 38.
        let top = Int64(bitPattern: vaddr) >> 38
        guard top == 0 || top == -1 else { return .failure(.init(.page)) }
        var table = (satp & (1 << 44 - 1)) << 12
        var level = 2
        while true {
            let vpn = (vaddr >> (12 + 9 * UInt64(level))) & 0x1ff
            let pteAddress = table &+ vpn &* 8
            // A page-table entry outside RAM is an access fault (§4.3.2 step 2).
            guard memory.isRAM(pteAddress, length: 8), let pte = memory.loadPhysical(pteAddress, width: 8) else {
                return .failure(.init(.access))
            }
            if pte & PTE.v == 0 || (pte & PTE.r == 0 && pte & PTE.w != 0) || pte & PTE.reservedHigh != 0 {
                return .failure(.init(.page))
            }
            if pte & (PTE.r | PTE.x) == 0 {
                // Pointer to the next level.
                guard level > 0, pte & (PTE.a | PTE.d | PTE.u) == 0 else { return .failure(.init(.page)) }
                table = (pte >> 10 & (1 << 44 - 1)) << 12
                level -= 1
                continue
            }
            // Leaf: permissions.
            if mode == .user {
                guard pte & PTE.u != 0 else { return .failure(.init(.page)) }
            } else if pte & PTE.u != 0 {
                // S-mode reaches U pages only for loads/stores with SUM, never fetches.
                guard kind != .fetch, mstatus & CSRBits.sum != 0 else { return .failure(.init(.page)) }
            }
            switch kind {
            case .fetch: guard pte & PTE.x != 0 else { return .failure(.init(.page)) }
            case .read:
                guard pte & PTE.r != 0 || (mstatus & CSRBits.mxr != 0 && pte & PTE.x != 0) else {
                    return .failure(.init(.page))
                }
            case .write: guard pte & PTE.w != 0 else { return .failure(.init(.page)) }
            }
            let ppn = pte >> 10 & (1 << 44 - 1)
            // A superpage's low PPN bits must be zero.
            let lowMask: UInt64 = (1 << (9 * UInt64(level))) - 1
            guard ppn & lowMask == 0 else { return .failure(.init(.page)) }
            if updateAD {
                var want = pte | PTE.a
                if kind == .write { want |= PTE.d }
                if want != pte { _ = physicalStore(pteAddress, width: 8, want) }
            }
            let pageOffset = vaddr & ((1 << (12 + 9 * UInt64(level))) - 1)
            return .success((ppn << 12) | pageOffset)
        }
    }

    /// Translation for `kind` at the current (data or fetch) privilege,
    /// raising the fault in the guest on failure.
    @inline(never)
    func translate(_ vaddr: UInt64, _ kind: AccessKind, pc: UInt64) -> UInt64? {
        tlbMisses &+= 1
        let m = kind == .fetch ? mode : dataMode
        switch walk(vaddr, kind, mode: m, updateAD: true) {
        case .success(let p): return p
        case .failure(let f):
            raiseException(kind.fault(f.fault), tval: vaddr, pc: pc)
            return nil
        }
    }

    /// Debugger translation through the current privilege and satp: no A/D
    /// updates, no TLB fill, no trap. nil if unmapped.
    public func debugTranslate(_ vaddr: UInt64, kind: AccessKind = .read) -> UInt64? {
        // The debugger may read any mapped page, including U pages from S.
        let m = dataMode
        let savedStatus = mstatus
        mstatus |= CSRBits.sum | CSRBits.mxr
        defer { mstatus = savedStatus }
        if case .success(let p) = walk(vaddr, kind == .write ? .read : kind, mode: m == .user ? .user : m, updateAD: false) {
            return p
        }
        return nil
    }

    // MARK: Physical stores with side effects (A/D updates, AMOs, slow path)

    /// Stores to RAM or a device honouring page flags. False: access fault.
    func physicalStore(_ paddr: UInt64, width: Int, _ value: UInt64) -> Bool {
        if memory.isRAM(paddr, length: UInt64(width)) {
            storeLittleEndian(memory.ram + Int(paddr &- memory.ramBase), width: width, value)
            notePhysicalWrite(paddr, width: width, value)
            return true
        }
        return memory.bus.store(paddr, width: width, value: value)
    }

    /// Handles a RAM page's flags after a write to it.
    @inline(__always)
    func notePhysicalWrite(_ paddr: UInt64, width: Int, _ value: UInt64) {
        let flags = memory.pageFlags[memory.pageIndex(paddr)]
        guard flags != 0 else { return }
        if flags & PageFlags.code.rawValue != 0 { memory.noteCodeWrite(paddr, width: width) }
        if flags & PageFlags.reserved.rawValue != 0 { memory.breakReservations(paddr, width: width) }
        if flags & PageFlags.watched.rawValue != 0 { memory.watchHandler?(paddr, width, value) }
    }

    // MARK: Load/store fast paths

    @inline(__always)
    func load(_ vaddr: UInt64, width: Int, pc: UInt64) -> UInt64? {
        let vpn = vaddr >> 12
        let e = tlb.entries[TLB.index(set: dataSet, kind: TLB.read, vpn: vpn)]
        if _fastPath(e.tag == vpn && (vaddr & 0xfff) &+ UInt64(width) <= 4096) {
            let p = UnsafeRawPointer(bitPattern: Int(truncatingIfNeeded: vaddr) &+ e.addend).unsafelyUnwrapped
            return loadLittleEndian(p, width: width)
        }
        return loadSlow(vaddr, width: width, pc: pc)
    }

    @inline(__always)
    func store(_ vaddr: UInt64, width: Int, _ value: UInt64, pc: UInt64) -> Bool {
        let vpn = vaddr >> 12
        let e = tlb.entries[TLB.index(set: dataSet, kind: TLB.write, vpn: vpn)]
        if _fastPath(e.tag == vpn && (vaddr & 0xfff) &+ UInt64(width) <= 4096) {
            let p = UnsafeMutableRawPointer(bitPattern: Int(truncatingIfNeeded: vaddr) &+ e.addend).unsafelyUnwrapped
            storeLittleEndian(p, width: width, value)
            return true
        }
        return storeSlow(vaddr, width: width, value, pc: pc)
    }

    @inline(never)
    func loadSlow(_ vaddr: UInt64, width: Int, pc: UInt64) -> UInt64? {
        if (vaddr & 0xfff) + UInt64(width) > 4096 {
            // Crosses a page: byte by byte, little-endian.
            var v: UInt64 = 0
            for i in 0..<width {
                guard let b = loadSlow(vaddr &+ UInt64(i), width: 1, pc: pc) else { return nil }
                v |= b << (8 * UInt64(i))
            }
            return v
        }
        guard let paddr = translate(vaddr, .read, pc: pc) else { return nil }
        if _slowPath(debugChecks) && checkWatchpoints(vaddr, width: width, write: false) { return loadUncached(paddr, vaddr, width, pc) }
        if memory.isRAM(paddr, length: UInt64(width)) {
            fillTLB(vaddr, paddr, kind: TLB.read, set: dataSet)
            return loadLittleEndian(memory.ram + Int(paddr &- memory.ramBase), width: width)
        }
        guard let v = memory.bus.load(paddr, width: width) else {
            raiseException(.loadAccessFault, tval: vaddr, pc: pc)
            return nil
        }
        return v
    }

    @inline(never)
    func storeSlow(_ vaddr: UInt64, width: Int, _ value: UInt64, pc: UInt64) -> Bool {
        spinEpoch &+= 1
        if (vaddr & 0xfff) + UInt64(width) > 4096 {
            // Crosses a page: translate both halves first so a fault leaves
            // memory untouched. The second half is translated at the page
            // boundary, so a fault there reports where that portion of the
            // access begins (privileged spec 3.1.16; QEMU does the same).
            for a in [vaddr, (vaddr | 0xfff) &+ 1] where translate(a, .write, pc: pc) == nil { return false }
            for i in 0..<width where !storeSlow(vaddr &+ UInt64(i), width: 1, value >> (8 * UInt64(i)), pc: pc) {
                return false
            }
            return true
        }
        guard let paddr = translate(vaddr, .write, pc: pc) else { return false }
        let watched = _slowPath(debugChecks) && checkWatchpoints(vaddr, width: width, write: true)
        if memory.isRAM(paddr, length: UInt64(width)) && !watched {
            if memory.pageFlags[memory.pageIndex(paddr)] == 0 {
                fillTLB(vaddr, paddr, kind: TLB.write, set: dataSet)
            }
        }
        guard physicalStore(paddr, width: width, value) else {
            raiseException(.storeAccessFault, tval: vaddr, pc: pc)
            return false
        }
        return true
    }

    /// A load that must not enter the TLB (its page holds a watchpoint).
    func loadUncached(_ paddr: UInt64, _ vaddr: UInt64, _ width: Int, _ pc: UInt64) -> UInt64? {
        guard let v = memory.loadPhysical(paddr, width: width) else {
            raiseException(.loadAccessFault, tval: vaddr, pc: pc)
            return nil
        }
        return v
    }

    @inline(__always)
    func fillTLB(_ vaddr: UInt64, _ paddr: UInt64, kind: Int, set: Int) {
        let vpn = vaddr >> 12
        let host = memory.ram + Int((paddr & ~0xfff) &- memory.ramBase)
        tlb.fill(TLB.index(set: set, kind: kind, vpn: vpn),
                 TLBEntry(tag: vpn, addend: Int(bitPattern: host) &- Int(truncatingIfNeeded: vpn << 12)))
    }

    // MARK: Fetch

    /// The decoded-instruction slots of the page holding `pc` (nil: fetch
    /// fault raised, `self.pc` is the handler).
    @inline(__always)
    func fetchPage(_ pc: UInt64) -> UnsafeMutablePointer<DecodedInst>? {
        let vpn = pc >> 12
        let slot = Int(truncatingIfNeeded: vpn & UInt64(TLB.slots - 1))
        let i = TLB.index(set: fetchSet, kind: TLB.fetch, vpn: vpn)
        if _fastPath(tlb.entries[i].tag == vpn) {
            return tlb.code[fetchSet * TLB.slots + slot].unsafelyUnwrapped
        }
        return fetchPageSlow(pc)
    }

    @inline(never)
    func fetchPageSlow(_ pc: UInt64) -> UnsafeMutablePointer<DecodedInst>? {
        guard let paddr = translate(pc, .fetch, pc: pc) else { return nil }
        guard memory.isRAM(paddr) else {
            raiseException(.instructionAccessFault, tval: pc, pc: pc)
            return nil
        }
        let page = memory.decodedPage(forRAM: paddr)
        let vpn = pc >> 12
        fillTLB(pc, paddr, kind: TLB.fetch, set: fetchSet)
        tlb.code[fetchSet * TLB.slots + Int(truncatingIfNeeded: vpn & UInt64(TLB.slots - 1))] = page.entries
        return page.entries
    }

    /// Host pointer for fetching at `pc`, through the fetch TLB entry just
    /// used by `fetchPage` (which guarantees it is present).
    @inline(__always)
    func fetchHostPointer(_ pc: UInt64) -> UnsafeRawPointer {
        let e = tlb.entries[TLB.index(set: fetchSet, kind: TLB.fetch, vpn: pc >> 12)]
        return UnsafeRawPointer(bitPattern: Int(truncatingIfNeeded: pc) &+ e.addend).unsafelyUnwrapped
    }

    /// Decodes the instruction at `pc` into its cache slot. False if the
    /// page's fetch entry is gone (its decode was dropped mid-block): the
    /// caller must end the block and fetch again.
    @inline(never)
    func decodeSlot(_ page: UnsafeMutablePointer<DecodedInst>, pc: UInt64) -> Bool {
        guard tlb.entries[TLB.index(set: fetchSet, kind: TLB.fetch, vpn: pc >> 12)].tag == pc >> 12 else { return false }
        // A code hook's instruction stays undecoded: the block ends before
        // it and the run loop's debug path runs the hook (Hart+Debug.swift).
        if _slowPath(hookRefusesDecode(pc)) { return false }
        decodes &+= 1
        let p = fetchHostPointer(pc)
        let low = p.loadUnaligned(as: UInt16.self)
        let slot = Int(pc & 0xfff) >> 1
        if low & 3 != 3 {
            page[slot] = Decoder.decodeCompressed(low)
        } else if pc & 0xfff == 0xffe {
            page[slot] = DecodedInst(op: .straddle)
        } else {
            page[slot] = Decoder.decode(p.loadUnaligned(as: UInt32.self))
        }
        return true
    }

    /// Fetches and decodes a 32-bit instruction straddling two pages (never
    /// cached: the second page may change without the first knowing).
    func fetchStraddling(_ pc: UInt64) -> DecodedInst? {
        let low = UInt32(fetchHostPointer(pc).loadUnaligned(as: UInt16.self))
        let next = pc &+ 2
        guard let paddr = translate(next, .fetch, pc: pc) else { return nil }
        guard memory.isRAM(paddr, length: 2) else {
            raiseException(.instructionAccessFault, tval: next, pc: pc)
            return nil
        }
        let high = UInt32(loadLittleEndian(memory.ram + Int(paddr &- memory.ramBase), width: 2))
        return Decoder.decode(high << 16 | low)
    }
}

/// `Result` needs an Error; the fault kind travels in this box.
struct TranslationFaultBox: Error {
    let fault: TranslationFault
    init(_ f: TranslationFault) { fault = f }
}
