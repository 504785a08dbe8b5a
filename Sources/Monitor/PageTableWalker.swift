// PageTableWalker.swift — reads an Sv39 tree from physical memory without
// side effects and lists its leaf mappings, merged into ranges where
// virtual and physical addresses and flags continue.

import RISCV

public struct MappedRange: Sendable, Equatable {
    public var virtualStart: UInt64
    /// Inclusive end.
    public var virtualEnd: UInt64
    public var physicalStart: UInt64
    /// PTE bits 9:0 (V R W X U G A D and the two RSW bits).
    public var flags: UInt64
}

public struct PageTableWalker {
    let memory: MemorySystem

    public init(memory: MemorySystem) { self.memory = memory }

    /// Every leaf under `root`, merged.
    public func ranges(root: UInt64) -> [MappedRange] {
        var out: [MappedRange] = []
        visit(table: root, level: 2, base: 0, depth: 0) { va, pa, size, flags in
            if var last = out.last, last.virtualEnd &+ 1 == va, last.flags == flags,
               last.physicalStart &+ (last.virtualEnd &- last.virtualStart &+ 1) == pa {
                last.virtualEnd = va &+ size &- 1
                out[out.count - 1] = last
            } else {
                out.append(MappedRange(virtualStart: va, virtualEnd: va &+ size &- 1, physicalStart: pa, flags: flags))
            }
        }
        return out
    }

    /// Calls `leaf(va, pa, size, flags)` for each valid leaf, in VA order.
    func visit(table: UInt64, level: Int, base: UInt64, depth: Int,
               _ leaf: (UInt64, UInt64, UInt64, UInt64) -> Void) {
        guard depth < 3, memory.isRAM(table, length: 4096) else { return }
        let span: UInt64 = 1 << (12 + 9 * UInt64(level))
        for i in 0..<512 {
            guard let pte = memory.loadPhysical(table + UInt64(i) * 8, width: 8), pte & PTE.v != 0 else { continue }
            var va = base | UInt64(i) * span
            // Sign-extend bit 38 (canonical Sv39 addresses).
            if va & (1 << 38) != 0 { va |= ~((1 << 39) - 1) }
            let pa = (pte >> 10 & ((1 << 44) - 1)) << 12
            if pte & (PTE.r | PTE.x) != 0 {
                leaf(va, pa, span, pte & 0x3ff)
            } else if level > 0 {
                visit(table: pa, level: level - 1, base: va, depth: depth + 1, leaf)
            }
        }
    }

    /// `rwxugad` plus the RSW bits, e.g. `rw-u-ad c`.
    public static func flagString(_ f: UInt64, cowBit: UInt64? = nil) -> String {
        let letters: [(UInt64, Character)] = [(PTE.r, "r"), (PTE.w, "w"), (PTE.x, "x"), (PTE.u, "u"),
                                               (PTE.g, "g"), (PTE.a, "a"), (PTE.d, "d")]
        var s = String(letters.map { f & $0.0 != 0 ? $0.1 : "-" })
        let rsw = (f >> 8) & 3
        if rsw != 0 {
            if let cowBit, f & cowBit != 0 { s += " COW" } else { s += " rsw=\(rsw)" }
        }
        return s
    }
}
