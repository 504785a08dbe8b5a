// Backtrace.swift — `backtrace`: a hart's kernel frames, the trap that
// brought it in from user mode, then the user frames, unwound through the
// process's trap frame (user pc = its epc, user fp = its saved s0) and read
// through the process's own page table. gdb stops at usertrap because the
// kernel stack ends there; the lens knows where the user state was saved.

import Machine
import RISCV

extension Lens {
    func backtrace(_ args: [String], hart selected: Int) -> String {
        var hartIndex = selected
        if args.count >= 2, args[0] == "hart" {
            guard let n = Int(args[1]), machine.harts.indices.contains(n) else { return "backtrace: no hart \(args[1])\n" }
            hartIndex = n
        }
        let h = machine.harts[hartIndex]
        var out = "hart \(h.id), mode \(h.mode)\n"
        if h.mode == .user {
            let root = ((h.debugReadCSR(CSRNumber.satp) ?? 0) & ((1 << 44) - 1)) << 12
            out += "  #0 user pc \(hex(h.pc))\n"
            return out + userFrames(root: root, fp: h.register(8), ra: h.register(1), first: 1)
        }
        guard h.mode == .supervisor else { return out + "  in M-mode at \(symbolize(h.pc)): no kernel frames to unwind\n" }
        out += "  #0 \(symbolize(h.pc))\n"
        var n = 1
        for ra in framePointerChain(fp: h.register(8), hart: h, depth: 16) {
            out += "  #\(n) \(symbolize(ra &- 4))\n"
            n += 1
        }
        guard let p = currentProc(hart: h.id) else {
            return out + "  (no process on this hart, or the proc table can't be read: no user frames)\n"
        }
        guard isPage(p.trapframe), let layout = trapframeLayout(p.trapframe),
              let epc = read64(p.trapframe + layout.epc), let s0 = read64(p.trapframe + layout.register(8)),
              let ra = read64(p.trapframe + layout.register(1)), isPage(p.pagetable) else {
            return out + "  (\(p.label): trap frame not readable)\n"
        }
        let scause = h.debugReadCSR(CSRNumber.scause) ?? 0
        out += "  ——— trap from user mode: \(p.label), last scause \(causeName(scause)), "
            + "user epc \(hex(epc)) (trap frame \(hex(p.trapframe)), \(layout.name) layout) ———\n"
        out += "  #\(n) user pc \(hex(epc))\n"
        return out + userFrames(root: p.pagetable, fp: s0, ra: ra, first: n + 1)
    }

    /// User frames through the frame-pointer chain, read via `root`.
    func userFrames(root: UInt64, fp start: UInt64, ra: UInt64, first: Int) -> String {
        func read(_ va: UInt64) -> UInt64? {
            guard let pte = leafPTE(root: root, va: va), pte & PTE.u != 0 else { return nil }
            return read64(((pte >> 10 & ((1 << 44) - 1)) << 12) | (va & 0xfff))
        }
        var out = ""
        var fp = start
        var n = first
        for _ in 0..<16 {
            guard fp & 7 == 0, fp >= 16, let ra = read(fp - 8), let prev = read(fp - 16) else { break }
            out += "  #\(n) user pc \(hex(ra &- 4))\n"
            n += 1
            // xv6 user stacks are one page; the outermost frame's fp leaves it.
            guard prev > fp, prev - fp < 0x2000 else { break }
            fp = prev
        }
        if out.isEmpty { out = "  (user fp \(hex(start)) leads nowhere; ra \(hex(ra)))\n" }
        return out + "  (user addresses: symbolize with add-symbol-file user/_PROG in gdb)\n"
    }
}
