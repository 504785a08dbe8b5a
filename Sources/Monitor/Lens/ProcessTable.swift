// ProcessTable.swift — the kernel's processes, read from its `proc` array
// (symbol `proc`, NPROC entries), and which one each hart runs (`cpus`).
//
// No DWARF reader is linked (libdw's headers are not a dependency), so
// field offsets come from the known layouts of struct proc: xv6-riscv since
// 2021 (and the bundled kernel) and xv6-riscv 2020 differ in the order of
// `parent`/`chan`/`killed`/`xstate`/`pid` and in whether USED exists. Both
// share everything from `kstack` on, and `name[16]` is always last. The
// layout whose reading of the table makes most sense wins (pids positive,
// page tables and trap frames page-aligned RAM, names printable); with
// neither making sense `ps` says so and the lens falls back to the address
// spaces seen in satp writes.

import Machine
import RISCV

struct ProcLayout: Sendable {
    let name: String
    let state: Int, parent: Int, pid: Int
    let kstack = 64, sz = 72, pagetable = 80, trapframe = 88
    let states: [String]
}

/// A process as the kernel records it.
struct ProcInfo {
    let slot: Int
    let address: UInt64
    let state: String
    let pid: Int
    let parent: UInt64
    let sz: UInt64
    let pagetable: UInt64
    let trapframe: UInt64
    let name: String
    var label: String { "pid \(pid) (\(name))" }
    var isUnused: Bool { state == "UNUSED" }
}

/// Where the trap frame keeps a user register and the user pc.
struct TrapframeLayout: Sendable {
    let name: String
    let epc: UInt64
    /// Offset of x1; xN follows at 8·(N−1) after it.
    let x1: UInt64
    func register(_ n: Int) -> UInt64 { x1 + UInt64(n - 1) * 8 }
}

extension Lens {
    static let procLayouts: [ProcLayout] = [
        ProcLayout(name: "xv6-riscv (2021 and later; the bundled kernel)", state: 24, parent: 56, pid: 48,
                   states: ["UNUSED", "USED", "SLEEPING", "RUNNABLE", "RUNNING", "ZOMBIE"]),
        ProcLayout(name: "xv6-riscv 2020", state: 24, parent: 32, pid: 56,
                   states: ["UNUSED", "SLEEPING", "RUNNABLE", "RUNNING", "ZOMBIE"]),
    ]

    /// The bundled kernel saves xN at 8·N, epc at 288; xv6 keeps five
    /// kernel fields first (epc at 24) and ra at 40.
    static let trapframeLayouts: [(satpOffset: UInt64, layout: TrapframeLayout)] = [
        (0, TrapframeLayout(name: "xv6", epc: 24, x1: 40)),
        (256, TrapframeLayout(name: "bundled", epc: 288, x1: 8)),
    ]

    /// NPROC candidates, xv6's first.
    static let nprocCandidates = [64, 32, 16, 128, 8]

    /// The proc table read with the best-fitting layout, or a reason why not.
    func processTable() -> Result<(layout: ProcLayout, procs: [ProcInfo]), LensError> {
        guard let sym = symbols.symbol(named: "proc"), !sym.isFunction else {
            return .failure(LensError("no `proc` symbol in the kernel: not an xv6 kernel (or stripped)"))
        }
        guard sym.size > 0, memory.isRAM(sym.address, length: sym.size) else {
            return .failure(LensError("`proc` at \(hex(sym.address)) (\(sym.size) bytes) is not in RAM"))
        }
        var best: (score: Int, layout: ProcLayout, procs: [ProcInfo])?
        for nproc in Self.nprocCandidates where sym.size % UInt64(nproc) == 0 {
            let stride = Int(sym.size) / nproc
            guard stride >= 128, stride % 8 == 0 else { continue }
            for layout in Self.procLayouts {
                let (score, procs) = readProcs(sym.address, count: nproc, stride: stride, layout: layout)
                if score > (best?.score ?? 0) { best = (score, layout, procs) }
            }
            if best != nil { break }
        }
        guard let best else {
            return .failure(LensError("the `proc` table matches no known struct proc layout (or no process exists yet)"))
        }
        procLayoutCache = (best.layout, best.procs.count > 1 ? Int(best.procs[1].address - best.procs[0].address) : Int(sym.size))
        return .success((best.layout, best.procs))
    }

    /// Reads every slot; the score counts in-use slots that look right.
    private func readProcs(_ base: UInt64, count: Int, stride: Int, layout: ProcLayout) -> (Int, [ProcInfo]) {
        var score = 0
        var procs: [ProcInfo] = []
        for i in 0..<count {
            let p = base + UInt64(i * stride)
            guard let state = read32(p + UInt64(layout.state)), let pid = read32(p + UInt64(layout.pid)),
                  let parent = read64(p + UInt64(layout.parent)), let sz = read64(p + UInt64(layout.sz)),
                  let pt = read64(p + UInt64(layout.pagetable)), let tf = read64(p + UInt64(layout.trapframe)) else {
                return (0, [])
            }
            guard Int(state) < layout.states.count else { return (0, []) }   // not this layout
            let name = readString(p + UInt64(stride - 16), max: 16)
            let info = ProcInfo(slot: i, address: p, state: layout.states[Int(state)], pid: Int(Int32(bitPattern: pid)),
                                parent: parent, sz: sz, pagetable: pt, trapframe: tf, name: name ?? "?")
            if state != 0 {
                let sane = info.pid > 0 && info.pid < 1 << 24 && (pt == 0 || isPage(pt)) && (tf == 0 || isPage(tf))
                    && name != nil && (parent == 0 || (parent >= base && parent < base + UInt64(count * stride)))
                guard sane else { return (0, []) }
                score += 1
            }
            procs.append(info)
        }
        return (score, procs)
    }

    /// The layout found by the last successful `processTable()`, finding it if need be.
    func cachedProcLayout() -> (layout: ProcLayout, stride: Int)? {
        if let c = procLayoutCache { return c }
        _ = processTable()
        return procLayoutCache
    }

    /// The proc running on each hart (`cpus[i].proc`), by proc address.
    func runningProcs() -> [Int: UInt64] {
        guard let cpus = symbols.symbol(named: "cpus"), cpus.size >= 8 else { return [:] }
        // NCPU is 8 in every xv6; the stride follows from the symbol size.
        let stride = cpus.size / 8
        var out: [Int: UInt64] = [:]
        for h in machine.harts where UInt64(h.id) < 8 {
            if let p = read64(cpus.address + UInt64(h.id) * stride), p != 0 { out[h.id] = p }
        }
        return out
    }

    /// The process running on `hart`, if the table can be read.
    func currentProc(hart: Int) -> ProcInfo? {
        guard case .success(let t) = processTable(), let p = runningProcs()[hart] else { return nil }
        return t.procs.first { $0.address == p }
    }

    /// Zombies nobody will ever reap: their parent has exited too (xv6 hands
    /// an exiting process's children to init, so a live zombie's parent is
    /// never a zombie or an unused slot).
    func isUnreapable(_ p: ProcInfo, in procs: [ProcInfo]) -> Bool {
        guard p.state == "ZOMBIE", p.parent != 0 else { return false }
        guard let parent = procs.first(where: { $0.address == p.parent }) else { return true }
        return parent.state == "ZOMBIE" || parent.isUnused
    }

    /// How this kernel's trap frame is laid out: the kernel_satp field of a
    /// process that has run holds a Sv39 satp.
    func trapframeLayout(_ tf: UInt64) -> TrapframeLayout? {
        for (offset, layout) in Self.trapframeLayouts {
            if let v = read64(tf + offset), v >> 60 == 8 { return layout }
        }
        return nil
    }

    // MARK: ps

    func ps() -> String {
        switch processTable() {
        case .failure(let e):
            var out = "ps: \(e.message)\naddress spaces seen in satp writes:\n"
            for (root, hart) in rootsSeen.sorted(by: { $0.key < $1.key }) {
                out += "  root \(hex(root))  first on hart \(hart)\n"
            }
            return out
        case .success(let t):
            let running = runningProcs()
            var out = "struct proc layout: \(t.layout.name)\n"
            out += pad("pid", 6) + pad("state", 10) + pad("name", 17) + pad("size", 10) + pad("page table", 13)
                + pad("trapframe", 13) + "\n"
            for p in t.procs where !p.isUnused {
                let hart = running.first { $0.value == p.address }.map { "  on hart \($0.key)" } ?? ""
                let orphan = isUnreapable(p, in: t.procs) ? "  (orphaned: parent gone, never reaped)" : ""
                out += pad(String(p.pid), 6) + pad(p.state, 10) + pad(p.name, 17) + pad(hex(p.sz), 10)
                    + pad(hex(p.pagetable), 13) + pad(hex(p.trapframe), 13) + hart + orphan + "\n"
            }
            return out
        }
    }
}
