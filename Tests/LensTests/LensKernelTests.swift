// LensKernelTests.swift — the COW lens on the bundled kernel, built with
// each injected COW bug and without: the lens must name the exact page, the
// address spaces involved and the allocating (or freeing) call chain, and
// must find nothing wrong in the correct kernel after cowtest.

import Foundation
import Testing
import Machine
@testable import Monitor
import RISCV

@Suite("COW lens on the bundled kernel", .serialized)
struct LensKernelTests {
    @Test("BUG_PARENT_WRITABLE: cowcheck names the page writable in the parent while the child shares it, and who allocated it")
    func parentWritable() throws {
        let g = try LensGuest(bug: "BUG_PARENT_WRITABLE")
        try g.boot()
        // Between fork and exec the shell's child shares all of its pages.
        try g.stop(at: "exec", after: "echo hi")
        let check = g.monitor("cowcheck")
        #expect(check.contains("COW VIOLATION: page 0x"), "\(check)")
        #expect(check.contains("is writable in pid 2 (sh)") && check.contains("while shared with pid 3 (sh)"), "\(check)")
        #expect(check.contains("[r--u") && check.contains("COW]"), "the child's side is read-only COW:\n\(check)")
        #expect(check.contains("allocated by uvmalloc+0x") && check.contains("← exec ← sys_exec"), "\(check)")
        let pa = try #require(firstHex(after: "COW VIOLATION: page", in: check))
        // The page really is mapped writable by one and COW by the other.
        let index = g.lens.mappingIndex()
        let maps = (index.byPage[pa] ?? []).filter(\.isUser)
        #expect(maps.count == 2 && maps.contains { $0.pte & PTE.w != 0 } && maps.contains { $0.pte & (1 << 8) != 0 })
        let refs = g.monitor("refs \(hex(pa))")
        #expect(refs.contains("shared by 2 user address spaces"), "\(refs)")
        #expect(refs.contains("pid 2 (sh)") && refs.contains("pid 3 (sh)") && refs.contains("(kernel direct map)"), "\(refs)")
        let pt = g.monitor("pagetable pid 2")
        #expect(pt.contains(hex(pa)) && pt.contains("COW VIOLATION"), "\(pt)")
    }

    @Test("BUG_ORPHAN_LEAK: leaks lists the orphaned zombie's pages by allocation site")
    func orphanLeak() throws {
        let g = try LensGuest(bug: "BUG_ORPHAN_LEAK")
        try g.boot()
        // The group's shell exits before its background echo: echo is an orphan.
        try g.shell("(echo orphan &)")
        #expect(g.run(until: "orphan", instructions: 50_000_000))
        g.run(until: "never printed", instructions: 5_000_000)
        let ps = g.monitor("ps")
        #expect(ps.contains("ZOMBIE") && ps.contains("echo") && ps.contains("orphaned: parent gone"), "\(ps)")
        let leaks = g.monitor("leaks")
        #expect(leaks.contains("leaked pages, by allocation site"), "\(leaks)")
        #expect(leaks.contains("× uvmalloc ← exec ← sys_exec"), "\(leaks)")
        #expect(leaks.contains("× allocproc ← fork ← sys_fork"), "the trap frame:\n\(leaks)")
        #expect(leaks.contains("held only by orphaned zombie pid") && leaks.contains("(echo)"), "\(leaks)")
        #expect(g.monitor("cowcheck").contains("no COW violations"))
    }

    @Test("BUG_KFREE_IGNORES_COUNT: the shadow reports the free of a still-mapped page at once, with who freed and who allocated it")
    func kfreeIgnoresCount() throws {
        let g = try LensGuest(bug: "BUG_KFREE_IGNORES_COUNT")
        g.lens.stopOnError = true
        g.machine.debugging = true
        // init forks and the child execs sh: exec frees the forked image,
        // still shared with init.
        g.run(until: "$ ", instructions: 400_000_000)
        try #require(g.machine.debugHalted, "no stop on the first error:\n\(g.console)")
        let report = try #require(g.shadowErrors.first)
        #expect(report.contains("FREED WHILE MAPPED: page 0x") && report.contains("is free but still mapped by pid 1 (init)"), "\(report)")
        #expect(report.contains("by uvmunmap") && report.contains("← uvmfree ← exec"), "the freeing call chain:\n\(report)")
        #expect(report.contains("allocated by uvmalloc+0x"), "\(report)")
        let pa = try #require(firstHex(after: "FREED WHILE MAPPED: page", in: report))
        // At the stop, the page is on the kernel's free list yet mapped.
        #expect(g.lens.shadow?.isFree(pa) == true)
        let refs = g.monitor("refs \(hex(pa))")
        #expect(refs.contains("pid 1 (init)") && refs.contains("freed by uvmunmap"), "\(refs)")
        let status = g.monitor("lens status")
        #expect(status.contains("errors reported") && !status.contains(" 0 errors"), "\(status)")
    }

    @Test("the correct kernel: after cowtest and an orphan, no violations, no leaks, no shadow errors; trace cow sees copies")
    func correctKernel() throws {
        let g = try LensGuest(bug: nil)
        try g.boot()
        #expect(g.monitor("trace cow on").contains("trace cow: on"))
        try g.shell("cowtest", expect: "ALL COW TESTS PASSED")
        try g.shell("")
        #expect(g.monitor("trace cow off").contains("trace cow: off"))
        try g.shell("(echo orphan &)")
        g.run(until: "never printed", instructions: 5_000_000)
        #expect(g.shadowErrors.isEmpty, "\(g.shadowErrors.joined())")
        #expect(g.monitor("cowcheck").contains("no COW violations"))
        let leaks = g.monitor("leaks")
        #expect(leaks.hasPrefix("no leaks"), "\(leaks)")
        let cow = g.lens.events.filter { $0.hasPrefix("cow:") }
        #expect(cow.count > 50, "COW faults traced: \(cow.count)")
        #expect(cow.contains { $0.contains("shared x2 → copied to 0x") && $0.contains("(cowtest)") }, "\(cow.prefix(5).joined())")
        // freepages walks the list; the bundled kernel also counts it (kmem.nfree).
        let free = g.monitor("freepages")
        let kmem = try #require(g.lens.symbols.address(of: "kmem"))
        let nfree = try #require(g.lens.read32(kmem + 32))
        #expect(free.contains("freepages: \(nfree) free pages"), "\(free) vs nfree \(nfree)")
        let ps = g.monitor("ps")
        #expect(ps.contains("init") && ps.contains("sh") && !ps.contains("ZOMBIE"), "\(ps)")

        // Between fork and exec: every data page shared and COW, none writable.
        try g.stop(at: "exec", after: "echo hi")
        #expect(g.monitor("cowcheck").contains("no COW violations"))
        let index = g.lens.mappingIndex()
        let shared = try #require(index.byPage.keys.sorted().first { index.sharers($0) == 2 && (index.byPage[$0] ?? []).contains { $0.pte & (1 << 8) != 0 } })
        let refs = g.monitor("refs \(hex(shared))")
        #expect(refs.contains("shared by 2 user address spaces") && refs.contains("COW"), "\(refs)")
        // The child calling exec (its pid depends on how many cowtest used).
        let child = try #require(g.lens.currentProcessLabel(hart: g.machine.lastStop!.hart))
        let pid = try #require(child.split(separator: " ").dropFirst().first)
        let pt = g.monitor("pagetable pid \(pid)")
        #expect(pt.hasPrefix(child) && pt.contains("COW") && pt.contains("x2"), "\(pt)")
        // sys_exec tail-calls exec: exec, then syscall, then usertrap.
        let bt = g.monitor("backtrace")
        #expect(bt.contains("#0 exec\n") && bt.contains("syscall+0x") && bt.contains("usertrap+0x"), "\(bt)")
        #expect(bt.contains("trap from user mode: \(child), last scause environment call from U-mode") && bt.contains("user pc 0x"), "\(bt)")
        let svg = NSTemporaryDirectory() + "xv6emu-lens-\(getpid()).svg"
        defer { try? FileManager.default.removeItem(atPath: svg) }
        #expect(g.monitor("pagetable --svg \(svg)").contains("shared pages drawn"))
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg") && text.contains("<line") && text.contains("pid 2 (sh)") && text.contains(child))
    }

    @Test("trace traps, break-scope and watch-phys on a running kernel")
    func stopsAndTraces() throws {
        let g = try LensGuest(bug: nil)
        try g.boot()
        #expect(g.monitor("trace traps on syscall pid 2").contains("trace traps: on"))
        try g.shell("echo one")
        let traps = g.lens.events.filter { $0.hasPrefix("trap:") }
        #expect(!traps.isEmpty && traps.allSatisfy { $0.contains("environment call from U-mode") && $0.contains("pid 2 (sh)") && $0.contains("user pc 0x") },
                "\(traps.prefix(4).joined())")
        _ = g.monitor("trace traps off")

        // A breakpoint in sys_write scoped to the shell: echo's write (pid 3) passes.
        #expect(g.monitor("break-scope pid 2").contains("fire only in pid 2"))
        try g.stop(at: "sys_write", after: "echo two")
        #expect(g.console.contains("two"), "echo's write did not stop the board")
        #expect(g.lens.currentProcessLabel(hart: g.machine.lastStop!.hart) == "pid 2 (sh)")
        _ = g.monitor("break-scope off")
        g.resume()
        #expect(g.run(until: "$ "), "the prompt the shell was about to write")

        // A physical watch on the shell's stack page fires through any alias.
        let index = g.lens.mappingIndex()
        let sh = try #require(index.spaces.first { $0.label == "pid 2 (sh)" })
        var stack: UInt64 = 0
        g.lens.walk(sh.root) { va, pa, _, pte in if pte & PTE.u != 0 && pte & PTE.w != 0 { stack = pa } }
        #expect(g.monitor("watch-phys \(hex(stack)) 4096").contains("writes to \(hex(stack))"))
        try g.shell("echo three")
        let hits = g.lens.events.filter { $0.hasPrefix("watch-phys:") }
        #expect(hits.contains { $0.contains("(pid 2 (sh))") }, "\(hits.prefix(4).joined())")
        #expect(g.monitor("watch-phys off").contains("removed"))

        // The buffer cache: disk reads land there by DMA, not by any hart.
        let bcache = try #require(g.lens.symbols.symbol(named: "bcache"))
        #expect(g.monitor("watch-phys \(hex(bcache.address)) \(bcache.size)").contains("writes to"))
        try g.shell("wc usertests")
        #expect(g.lens.events.contains { $0.hasPrefix("watch-phys:") && $0.contains("by virtio DMA") },
                "\(g.lens.events.suffix(4).joined())\n\(g.console.suffix(300))")
        _ = g.monitor("watch-phys off")
    }
}
