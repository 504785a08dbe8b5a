// TLB.swift — the soft TLB: virtual page → host pointer, per privilege mode
// and access kind (after TinyEMU's three 256-entry TLBs).
//
// Entries are kept per privilege mode (M, S, U) rather than flushed on every
// mode change: permissions depend only on the mode (and SUM/MXR), and an
// xv6 system call crosses U→S→U, so per-mode sets keep both warm. The sets
// for S and U are flushed on `satp` writes and `sfence.vma`; SUM/MXR changes
// flush what they affect. A write entry exists only for a RAM page whose
// `PageFlags` are empty, so the store fast path needs no other check.
//
// Only RAM is ever entered: device accesses always take the slow path.

struct TLBEntry {
    /// Virtual page number (vaddr >> 12); `invalidTag` when empty.
    var tag: UInt64
    /// host address = guest virtual address + addend.
    var addend: Int
}

final class TLB {
    static let invalidTag = UInt64.max
    static let slots = 1024
    static let machineSet = 0, supervisorSet = 1, userSet = 2
    static let read = 0, write = 1, fetch = 2

    @inline(__always)
    static func set(for mode: PrivilegeMode) -> Int {
        switch mode {
        case .machine: machineSet
        case .supervisor: supervisorSet
        case .user: userSet
        }
    }

    /// [set][kind][slot], 3 × 3 × 256 entries.
    let entries: UnsafeMutablePointer<TLBEntry>
    /// Decoded instructions of the page behind each fetch entry: [set][slot].
    let code: UnsafeMutablePointer<UnsafeMutablePointer<DecodedInst>?>
    /// Which slots of each [set][kind] table were filled since it was last
    /// flushed, so that a flush touches only those. xv6 writes `satp` twice
    /// per trap; clearing all 1536 translated entries each time cost more
    /// than the trap itself, while a trap fills only a handful.
    let filled: UnsafeMutablePointer<UInt16>
    var filledCount: [Int] = Array(repeating: 0, count: 9)

    init() {
        entries = .allocate(capacity: 9 * Self.slots)
        entries.initialize(repeating: TLBEntry(tag: Self.invalidTag, addend: 0), count: 9 * Self.slots)
        code = .allocate(capacity: 3 * Self.slots)
        code.initialize(repeating: nil, count: 3 * Self.slots)
        filled = .allocate(capacity: 9 * Self.slots)
        filled.initialize(repeating: 0, count: 9 * Self.slots)
    }

    deinit {
        entries.deallocate()
        code.deallocate()
        filled.deallocate()
    }

    /// Enters `entry` at `index` (from `index(set:kind:vpn:)`).
    @inline(__always)
    func fill(_ index: Int, _ entry: TLBEntry) {
        if entries[index].tag == Self.invalidTag {
            let table = index / Self.slots
            let n = filledCount[table]
            // Past `slots` the list is abandoned: the flush clears everything.
            if n < Self.slots { filled[table * Self.slots + n] = UInt16(index % Self.slots) }
            filledCount[table] = n + 1
        }
        entries[index] = entry
    }

    @inline(__always)
    static func index(set: Int, kind: Int, vpn: UInt64) -> Int {
        (set &* 3 &+ kind) &* slots &+ Int(truncatingIfNeeded: vpn & UInt64(slots - 1))
    }

    func flush(set: Int, kind: Int) {
        let table = set * 3 + kind
        let base = entries + table * Self.slots
        let n = filledCount[table]
        if n <= Self.slots {
            for i in 0..<n { base[Int(filled[table * Self.slots + i])].tag = Self.invalidTag }
        } else {
            base.update(repeating: TLBEntry(tag: Self.invalidTag, addend: 0), count: Self.slots)
        }
        filledCount[table] = 0
    }

    func flushAll() {
        entries.update(repeating: TLBEntry(tag: Self.invalidTag, addend: 0), count: 9 * Self.slots)
        for i in filledCount.indices { filledCount[i] = 0 }
    }

    /// `satp` write / `sfence.vma`: every translated (S and U) entry.
    func flushTranslated() {
        for set in [Self.supervisorSet, Self.userSet] {
            for kind in 0..<3 { flush(set: set, kind: kind) }
        }
    }

    func flushFetch() {
        for set in 0..<3 { flush(set: set, kind: Self.fetch) }
    }

    /// Drops write entries whose page is at host address `hostPage`
    /// (the page just gained a `PageFlags` bit).
    func dropWrites(toHostPage hostPage: UnsafeMutableRawPointer) {
        let target = Int(bitPattern: hostPage)
        for set in 0..<3 {
            let base = entries + (set * 3 + Self.write) * Self.slots
            for i in 0..<Self.slots where base[i].tag != Self.invalidTag {
                if Int(truncatingIfNeeded: base[i].tag << 12) &+ base[i].addend == target {
                    base[i].tag = Self.invalidTag
                }
            }
        }
    }
}
