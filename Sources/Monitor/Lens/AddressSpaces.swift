// AddressSpaces.swift — every address space the kernel keeps, and who maps
// which physical page: `pagetable`, `pte`, `refs`, `cowcheck`.
//
// Roots come from the process table (each live process's page table) and
// the kernel's `kernel_pagetable`, plus the roots seen in satp writes while
// the table can't be read. Walks read PTEs straight from RAM: no A/D bit
// is touched and no TLB filled.

import Machine
import RISCV

/// One address space: a root and what to call it.
struct AddressSpace: Hashable {
    let root: UInt64
    let label: String
    let isKernel: Bool
    /// A zombie nobody will reap: its pages count as leaked.
    var unreapable = false
    /// The process's trap frame, if known.
    var trapframe: UInt64 = 0
}

/// One leaf mapping (4 KiB pages; superpages report their base).
struct Mapping {
    let space: AddressSpace
    let va: UInt64
    let pa: UInt64
    let size: UInt64
    let pte: UInt64
    var flags: UInt64 { pte & 0x3ff }
    var isUser: Bool { pte & PTE.u != 0 }
    /// The kernel's identity map of RAM (va == pa), present for every page.
    var isDirectMap: Bool { va == pa && !isUser }
}

/// Every leaf of every live address space, indexed by physical page.
struct MappingIndex {
    var byPage: [UInt64: [Mapping]] = [:]
    /// Pages used as page-table pages (any level), with their owner.
    var tablePages: [UInt64: AddressSpace] = [:]
    let spaces: [AddressSpace]

    /// Distinct user address spaces mapping `page` with a U leaf.
    func sharers(_ page: UInt64) -> Int {
        Set((byPage[page] ?? []).filter(\.isUser).map(\.space.root)).count
    }
}

extension Lens {
    // MARK: Which address spaces exist

    /// The kernel's root page table: `kernel_pagetable`'s value, else the
    /// first root written to satp.
    func kernelRoot() -> UInt64? {
        if let sym = symbols.symbol(named: "kernel_pagetable"), let v = read64(sym.address), isPage(v) { return v }
        return rootsSeen.min { $0.value < $1.value }.map(\.key)
    }

    /// Live address spaces: the kernel's, every process's (from the proc
    /// table; unreapable zombies flagged), or the satp roots seen (minus
    /// any the kalloc shadow saw freed) when there is no table.
    func addressSpaces() -> [AddressSpace] {
        var out: [AddressSpace] = []
        let kroot = kernelRoot()
        if let kroot { out.append(AddressSpace(root: kroot, label: "kernel", isKernel: true)) }
        if case .success(let t) = processTable() {
            for p in t.procs where !p.isUnused && isPage(p.pagetable) {
                var s = AddressSpace(root: p.pagetable, label: p.label, isKernel: false)
                s.unreapable = isUnreapable(p, in: t.procs)
                s.trapframe = p.trapframe
                out.append(s)
            }
        } else {
            for root in rootsSeen.keys.sorted() where root != kroot && isPage(root) {
                if let shadow, shadow.isFree(root) { continue }
                out.append(AddressSpace(root: root, label: "root \(hex(root))", isKernel: false))
            }
        }
        return out
    }

    /// Calls `leaf` for each valid leaf under `root` (VA order) and `table`
    /// for each page-table page, including the root.
    func walk(_ root: UInt64, table: (UInt64) -> Void = { _ in }, leaf: (UInt64, UInt64, UInt64, UInt64) -> Void) {
        func visit(_ t: UInt64, level: Int, base: UInt64) {
            guard isPage(t) else { return }
            table(t)
            let span: UInt64 = 1 << (12 + 9 * UInt64(level))
            let entries = (memory.ram + Int(t - memory.ramBase)).assumingMemoryBound(to: UInt64.self)
            for i in 0..<512 {
                let pte = UInt64(littleEndian: entries[i])
                guard pte & PTE.v != 0 else { continue }
                var va = base | UInt64(i) * span
                if va & (1 << 38) != 0 { va |= ~((1 << 39) - 1) }   // canonical Sv39
                let pa = (pte >> 10 & ((1 << 44) - 1)) << 12
                if pte & (PTE.r | PTE.x) != 0 {
                    leaf(va, pa, span, pte)
                } else if level > 0 {
                    visit(pa, level: level - 1, base: va)
                }
            }
        }
        visit(root, level: 2, base: 0)
    }

    /// Who maps what, across `spaces`.
    func mappingIndex(_ spaces: [AddressSpace]? = nil) -> MappingIndex {
        let spaces = spaces ?? addressSpaces()
        var index = MappingIndex(spaces: spaces)
        for s in spaces {
            walk(s.root, table: { index.tablePages[$0] = s }) { va, pa, size, pte in
                // A superpage is recorded at its base only (the kernel's
                // direct map would otherwise be 32768 entries); `mappings(of:)`
                // checks containment when superpages matter.
                index.byPage[pa, default: []].append(Mapping(space: s, va: va, pa: pa, size: size, pte: pte))
            }
        }
        return index
    }

    /// Every mapping of `page` in `spaces`, superpages included (slower:
    /// walks every root; for `refs`).
    func mappings(of page: UInt64, in spaces: [AddressSpace]) -> [Mapping] {
        var out: [Mapping] = []
        for s in spaces {
            walk(s.root) { va, pa, size, pte in
                if page >= pa && page < pa &+ size {
                    out.append(Mapping(space: s, va: va &+ (page - pa), pa: page, size: 4096, pte: pte))
                }
            }
        }
        return out
    }

    /// U mappings of `page` in user address spaces (the shadow's check).
    func userMappings(of page: UInt64) -> [Mapping] {
        mappings(of: page, in: addressSpaces().filter { !$0.isKernel }).filter(\.isUser)
    }

    func flagText(_ pte: UInt64) -> String { PageTableWalker.flagString(pte & 0x3ff, cowBit: cowBit) }

    // MARK: Choosing an address space from arguments

    /// `hart N`, `root PA`, `pid N`, or nothing (the selected hart's satp).
    func selectSpace(_ args: [String], hart: Int) -> Result<AddressSpace, LensError> {
        let spaces = addressSpaces()
        func named(_ root: UInt64) -> AddressSpace {
            spaces.first { $0.root == root } ?? AddressSpace(root: root, label: "root \(hex(root))", isKernel: false)
        }
        func fromHart(_ h: Int) -> Result<AddressSpace, LensError> {
            guard machine.harts.indices.contains(h) else {
                return .failure(LensError("no hart \(h) (harts 0–\(machine.harts.count - 1))"))
            }
            let satp = machine.harts[h].debugReadCSR(CSRNumber.satp) ?? 0
            guard satp >> 60 == 8 else { return .failure(LensError("hart \(h): paging is off (satp Bare)")) }
            return .success(named((satp & ((1 << 44) - 1)) << 12))
        }
        guard args.count >= 2 else {
            if args.isEmpty { return fromHart(hart) }
            return .failure(LensError("expected hart N, root PA or pid N"))
        }
        guard let n = parseNumber(args[1]) else { return .failure(LensError("'\(args[1])' is not a number")) }
        switch args[0] {
        case "hart": return fromHart(Int(clamping: n))
        case "root":
            guard isPage(n) else { return .failure(LensError("root \(hex(n)) is not a page-aligned RAM address")) }
            return .success(named(n))
        case "pid":
            guard case .success(let t) = processTable() else {
                return .failure(LensError("pid: the kernel's process table can't be read (try root PA; see ps)"))
            }
            guard let p = t.procs.first(where: { !$0.isUnused && $0.pid == Int(n) }) else {
                return .failure(LensError("no process with pid \(n) (see ps)"))
            }
            guard isPage(p.pagetable) else { return .failure(LensError("pid \(n) has no page table yet")) }
            return .success(named(p.pagetable))
        default:
            return .failure(LensError("expected hart N, root PA or pid N, not '\(args[0])'"))
        }
    }

    // MARK: pagetable

    func pagetable(_ args: [String], hart: Int) -> String {
        var args = args
        var svgPath: String?
        if let i = args.firstIndex(where: { $0 == "--svg" || $0 == "--html" }) {
            guard i + 1 < args.count else { return "pagetable: --svg needs a file name\n" }
            svgPath = args[i + 1]
            args.removeSubrange(i...(i + 1))
        }
        if let svgPath { return writeSVG(args, hart: hart, path: svgPath) }
        let space: AddressSpace
        switch selectSpace(args, hart: hart) {
        case .failure(let e): return "pagetable: \(e.message)\n"
        case .success(let s): space = s
        }
        let index = mappingIndex()
        var out = "\(space.label): root \(hex(space.root)); RSW: \(cowBit.map { "COW = bit \($0.trailingZeroBitCount)" } ?? "raw") (\(cowBitSource))\n"
        out += pad("virtual range", 37) + pad("physical", 20) + pad("flags", 12) + "shared\n"
        struct Row { var va0, va1, pa0: UInt64; var pte: UInt64; var share: Int }
        var rows: [Row] = []
        walk(space.root) { va, pa, size, pte in
            let share = pte & PTE.u != 0 ? index.sharers(pa) : 0
            if var last = rows.last, last.va1 &+ 1 == va, last.pte & 0x3ff == pte & 0x3ff, last.share == share,
               last.pa0 &+ (last.va1 &- last.va0 &+ 1) == pa {
                last.va1 = va &+ size &- 1
                rows[rows.count - 1] = last
            } else {
                rows.append(Row(va0: va, va1: va &+ size &- 1, pa0: pa, pte: pte, share: share))
            }
        }
        for r in rows {
            let pages = (r.va1 - r.va0 + 1) / 4096
            out += pad("\(hex16(r.va0))-\(hex16(r.va1))", 37) + pad(hex(r.pa0), 20) + pad(flagText(r.pte), 12)
                + (r.share > 0 ? "x\(r.share)" : "") + (pages > 1 ? "  (\(pages) pages)" : "") + "\n"
        }
        let warnings = cowViolations(index).filter { $0.writable.space.root == space.root || $0.other.space.root == space.root }
        for v in warnings { out += describe(v) }
        return out
    }

    // MARK: pte

    func pte(_ args: [String], hart: Int) -> String {
        guard let first = args.first, let va = parseNumber(first) else {
            return "usage: pte VA [root PA | pid N | hart N]\n"
        }
        let space: AddressSpace
        switch selectSpace(Array(args.dropFirst()), hart: hart) {
        case .failure(let e): return "pte: \(e.message)\n"
        case .success(let s): space = s
        }
        let top = Int64(bitPattern: va) >> 38
        guard top == 0 || top == -1 else { return "pte: \(hex(va)) is not a canonical Sv39 address (bits 63:39 ≠ bit 38)\n" }
        var out = "\(hex16(va)) in \(space.label), root \(hex(space.root))\n"
        var table = space.root
        for level in stride(from: 2, through: 0, by: -1) {
            let index = (va >> (12 + 9 * UInt64(level))) & 0x1ff
            let at = table + index * 8
            guard let pte = read64(at) else { return out + "  L\(level): table \(hex(table)) is not RAM\n" }
            let pa = (pte >> 10 & ((1 << 44) - 1)) << 12
            out += "  L\(level)[\(index)] at \(hex(at)): \(hex16(pte))  "
            guard pte & PTE.v != 0 else { return out + "not valid: unmapped\n" }
            if pte & (PTE.r | PTE.x) == 0 {
                guard level > 0 else { return out + "pointer at level 0: invalid (page fault)\n" }
                out += "→ table \(hex(pa))\n"
                table = pa
                continue
            }
            let offset = va & ((1 << (12 + 9 * UInt64(level))) - 1)
            out += "leaf \(flagText(pte)) → page \(hex(pa))\(level > 0 ? " (\(level == 2 ? "1 GiB" : "2 MiB") superpage)" : "")\n"
            out += "  physical address \(hex(pa | offset))\n"
            if let shadow, let line = shadow.describe(page: pa & ~0xfff) { out += "  " + line + "\n" }
            return out
        }
        return out
    }

    // MARK: refs

    func refs(_ args: [String]) -> String {
        guard let a = args.first, let addr = parseNumber(a) else { return "usage: refs PA\n" }
        guard memory.isRAM(addr) else { return "refs: \(hex(addr)) is not in RAM (\(hex(memory.ramBase))–\(hex(memory.ramBase + memory.ramSize - 1)))\n" }
        let page = addr & ~0xfff
        let spaces = addressSpaces()
        let maps = mappings(of: page, in: spaces)
        let users = Set(maps.filter(\.isUser).map(\.space.root)).count
        var out = "physical page \(hex(page)): \(maps.count) mapping\(maps.count == 1 ? "" : "s"), shared by \(users) user address space\(users == 1 ? "" : "s")\n"
        for m in maps {
            out += "  " + pad(m.space.label, 22) + pad("root \(hex(m.space.root))", 18) + "va " + pad(hex16(m.va), 20)
                + flagText(m.pte) + (m.isDirectMap ? "  (kernel direct map)" : "") + "\n"
        }
        let index = mappingIndex(spaces)
        if let owner = index.tablePages[page] { out += "  a page-table page of \(owner.label)\n" }
        if let shadow, let line = shadow.describe(page: page) { out += "  " + line + "\n" }
        return out
    }

    // MARK: cowcheck

    struct CowViolation {
        let writable: Mapping
        let other: Mapping
    }

    /// Pages mapped by two or more user address spaces while writable in one.
    func cowViolations(_ index: MappingIndex) -> [CowViolation] {
        var out: [CowViolation] = []
        for (_, maps) in index.byPage.sorted(by: { $0.key < $1.key }) {
            let user = maps.filter { $0.isUser && !$0.space.isKernel }
            guard Set(user.map(\.space.root)).count >= 2, let w = user.first(where: { $0.pte & PTE.w != 0 }) else { continue }
            if let other = user.first(where: { $0.space.root != w.space.root }) {
                out.append(CowViolation(writable: w, other: other))
            }
        }
        return out
    }

    func describe(_ v: CowViolation) -> String {
        var out = "COW VIOLATION: page \(hex(v.writable.pa)) is writable in \(v.writable.space.label) at va \(hex(v.writable.va)) "
            + "[\(flagText(v.writable.pte))] while shared with \(v.other.space.label) at va \(hex(v.other.va)) [\(flagText(v.other.pte))]\n"
        if let shadow, let line = shadow.describe(page: v.writable.pa) { out += "  " + line + "\n" }
        return out
    }

    func cowcheck() -> String {
        let index = mappingIndex()
        let violations = cowViolations(index)
        let shared = index.byPage.keys.filter { index.sharers($0) >= 2 }.count
        let users = index.spaces.filter { !$0.isKernel }.count
        var out = violations.map(describe).joined()
        // A page both writable and COW is a half-resolved fault.
        for (page, maps) in index.byPage.sorted(by: { $0.key < $1.key }) {
            for m in maps where m.isUser && m.pte & PTE.w != 0 && cowBit.map({ m.pte & $0 != 0 }) == true {
                out += "WARNING: page \(hex(page)) is both writable and COW in \(m.space.label) at va \(hex(m.va))\n"
            }
        }
        if out.isEmpty {
            out = "no COW violations: \(users) user address space\(users == 1 ? "" : "s"), \(shared) shared page\(shared == 1 ? "" : "s"), none writable\n"
        }
        return out
    }
}
