// Scope.swift — stops that know about address spaces.
//   `break-scope pid N | root PA | off`: gdb's breakpoints and watchpoints
//     fire only in that address space (in user mode: satp's root; in the
//     kernel: the process the hart runs). A breakpoint at a user VA no
//     longer stops every process that maps something there.
//   `watch-phys PA LEN | off | list`: every write to those physical bytes,
//     through any alias — a user VA in any process, the kernel's direct
//     map, a virtio DMA — is reported (and stops the board under gdb). The
//     pages are flagged `.watched`, so their stores leave the TLB fast path.

import Machine
import RISCV

struct PhysicalWatch {
    let start: UInt64
    let length: UInt64
}

extension Lens {
    // MARK: break-scope

    func breakScope(_ args: [String]) -> String {
        guard let kind = args.first else { return "usage: break-scope pid N | root PA | off\n" }
        if kind == "off" {
            for h in machine.harts { h.breakScope = nil }
            return "break-scope: off (breakpoints fire in every address space)\n"
        }
        guard args.count == 2, let n = parseNumber(args[1]), kind == "pid" || kind == "root" else {
            return "usage: break-scope pid N | root PA | off\n"
        }
        if kind == "root" && !isPage(n) { return "break-scope: root \(hex(n)) is not a page-aligned RAM address\n" }
        if kind == "pid", case .failure(let e) = processTable() { return "break-scope: pid needs the process table: \(e.message)\n" }
        let pid = kind == "pid" ? Int(n) : nil
        let root = kind == "root" ? n : nil
        for h in machine.harts {
            // Asked only when a breakpoint or watchpoint matches.
            h.breakScope = { [unowned self] hart in self.inScope(hart, pid: pid, root: root) }
        }
        return "break-scope: gdb's breakpoints and watchpoints fire only in \(pid.map { "pid \($0)" } ?? "root \(hex(n))")\n"
    }

    func inScope(_ h: Hart, pid: Int?, root: UInt64?) -> Bool {
        let satpRoot = ((h.debugReadCSR(CSRNumber.satp) ?? 0) & ((1 << 44) - 1)) << 12
        let current = currentProc(hart: h.id)
        if let root { return h.mode == .user ? satpRoot == root : current?.pagetable == root }
        if let pid {
            if h.mode == .user {
                return processTableProcs().contains { $0.pid == pid && $0.pagetable == satpRoot }
            }
            return current?.pid == pid
        }
        return true
    }

    func processTableProcs() -> [ProcInfo] {
        if case .success(let t) = processTable() { return t.procs.filter { !$0.isUnused } }
        return []
    }

    // MARK: watch-phys

    func watchPhys(_ args: [String]) -> String {
        guard let first = args.first else { return "usage: watch-phys PA LEN | off | list\n" }
        if first == "list" {
            guard !physicalWatches.isEmpty else { return "watch-phys: none\n" }
            return physicalWatches.map { "watch-phys \(hex($0.start)) \($0.length)\n" }.joined()
        }
        if first == "off" {
            for w in physicalWatches { forEachPage(w) { page in
                if !(shadow?.isFree(page) ?? false) { memory.removeFlags(.watched, page: page) }
            } }
            physicalWatches = []
            updateWriteObservers()
            return "watch-phys: all removed\n"
        }
        guard let pa = parseNumber(first) else { return "watch-phys: '\(first)' is not an address\n" }
        let length = args.count > 1 ? parseNumber(args[1]) ?? 0 : 8
        guard length > 0, length <= 1 << 20 else { return "watch-phys: length must be 1 to 1 MiB\n" }
        guard memory.isRAM(pa, length: length) else { return "watch-phys: \(hex(pa))+\(length) is not RAM\n" }
        let w = PhysicalWatch(start: pa, length: length)
        physicalWatches.append(w)
        forEachPage(w) { memory.addFlags(.watched, page: $0) }
        updateWriteObservers()
        return "watch-phys: writes to \(hex(pa))…\(hex(pa + length - 1)) through any mapping or DMA are reported\(machine.debugging ? " and stop the board" : "")\n"
    }

    func forEachPage(_ w: PhysicalWatch, _ body: (UInt64) -> Void) {
        var page = w.start & ~0xfff
        while page < w.start + w.length {
            body(page)
            page += 4096
        }
    }

    func checkPhysicalWatches(_ pa: UInt64, length: Int, dma: Bool) {
        for w in physicalWatches where pa < w.start + w.length && w.start < pa + UInt64(length) {
            let h = machine.currentHart
            let who = dma ? "virtio DMA" : "hart \(h.id) \(h.mode == .user ? "user pc \(hex(h.pc))" : "in " + symbolize(h.pc))"
                + (currentProcessLabel(hart: h.id).map { " (\($0))" } ?? "")
            let value = memory.loadPhysical(pa, width: min(max(length, 1), 8) == 8 ? 8 : 1).map(hex) ?? "?"
            report("watch-phys: write of \(length) byte\(length == 1 ? "" : "s") at \(hex(pa)) by \(who); now \(value)\n")
            if machine.debugging { machine.debugHalt(reason: .interrupted, hart: h.id) }
            return
        }
    }
}
