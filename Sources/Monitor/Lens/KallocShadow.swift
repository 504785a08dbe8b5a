// KallocShadow.swift — a shadow of the kernel's page allocator, kept from
// outside through code hooks on `kalloc` and `kfree` (their entries and
// their returns to each call site), never through guest memory.
//
// It knows, for every page it saw allocated, where (call site and a short
// frame-pointer backtrace: xv6 kernels keep s0 as the frame pointer, the
// saved ra at fp-8 and the caller's fp at fp-16), by which hart and process;
// and for every page it saw freed, by whom. From that it reports at once:
//   - a free of a page already free (double free);
//   - a free of a page never allocated (after boot's own frees);
//   - a page freed while a user address space still maps it, checked when
//     the freeing kernel thread next calls kalloc or writes satp to return
//     to user mode (xv6 clears the PTE just after kfree returns, so the
//     check waits for the teardown to finish);
//   - a write to a freed page (guest store or device DMA): freed pages are
//     flagged `.watched`, so their stores leave the TLB fast path.
// A kfree that only drops a reference (COW kernels count them) is told from
// one that frees by the kernel's own free list: the page is its new head.
// `leaks` and `freepages` are computed on demand.

import ELFLoader
import Machine
import RISCV

/// Where something happened: call chain (innermost first), hart, process.
struct Site {
    let pcs: [UInt64]
    let hart: Int
    let process: String?
}

public final class KallocShadow {
    unowned let lens: Lens
    let kallocEntry: UInt64
    let kfreeEntry: UInt64
    /// `kmem.freelist` (the field after the spinlock), when the layout checks out.
    let freelist: UInt64?
    /// True when the shadow ran from the first instruction: every page in
    /// use was seen allocated, so an unknown page's free is an error.
    let sinceBoot: Bool

    struct Page {
        var allocated: Site?
        var freed: Site?
        var isFree = false
        /// A write to the freed page was already reported (one per free).
        var writeReported = false
    }
    var pages: [UInt64: Page] = [:]

    /// A kalloc or kfree call in progress, keyed by kernel thread: a call
    /// may be preempted (a timer interrupt after `release`) and return on
    /// another hart, so harts can't key it. A thread is its kernel stack
    /// page (xv6 gives each one page), and the return is recognised by the
    /// return address with the stack pointer back where it was at the call.
    struct Pending {
        let returnAddress: UInt64
        let sp: UInt64
        let site: Site
        let pa: UInt64
    }
    var pendingAlloc: [UInt64: Pending] = [:]
    var pendingFree: [UInt64: Pending] = [:]
    /// Return-site hooks in place, with how many calls wait on each.
    var returnHooks: [UInt64: Int] = [:]
    /// Pages freed by each kernel thread, not yet checked for leftover mappings.
    var uncheckedFrees: [UInt64: [UInt64]] = [:]

    /// The kernel thread a hart runs: its stack page.
    func thread(_ h: Hart) -> UInt64 { (h.register(2) &- 1) >> 12 }
    /// Boot's frees (xv6's freerange) have ended once a kalloc was seen.
    var sawKalloc = false

    public private(set) var allocations = 0, frees = 0, errors = 0

    init?(lens: Lens, sinceBoot: Bool) {
        guard let k = lens.symbols.symbol(named: "kalloc"), k.isFunction,
              let f = lens.symbols.symbol(named: "kfree"), f.isFunction else { return nil }
        self.lens = lens
        kallocEntry = k.address
        kfreeEntry = f.address
        self.sinceBoot = sinceBoot
        // struct { struct spinlock lock; struct run *freelist; … } kmem: xv6's
        // spinlock is 24 bytes (locked, name, cpu), and so is the bundled one.
        if let kmem = lens.symbols.symbol(named: "kmem"), !kmem.isFunction, kmem.size >= 32 || kmem.size == 0 {
            freelist = kmem.address + 24
        } else {
            freelist = nil
        }
    }

    func start() {
        lens.setCodeHook(kallocEntry) { [unowned self] h in self.kallocEntered(h) }
        lens.setCodeHook(kfreeEntry) { [unowned self] h in self.kfreeEntered(h) }
    }

    func stop() {
        lens.setCodeHook(kallocEntry, nil)
        lens.setCodeHook(kfreeEntry, nil)
        for pc in returnHooks.keys { lens.setCodeHook(pc, nil) }
        returnHooks = [:]
        for (page, p) in pages where p.isFree { lens.memory.removeFlags(.watched, page: page) }
    }

    func isFree(_ page: UInt64) -> Bool { pages[page]?.isFree == true }

    // MARK: Hooks

    /// The call chain at a function's first instruction: ra is the call
    /// site; s0 is still the caller's frame pointer.
    func site(_ h: Hart) -> Site {
        var pcs = [h.register(1) &- 4]
        pcs += lens.framePointerChain(fp: h.register(8), hart: h, depth: 5).map { $0 &- 4 }
        return Site(pcs: pcs, hart: h.id, process: lens.currentProcessLabel(hart: h.id))
    }

    func kallocEntered(_ h: Hart) {
        guard h.mode == .supervisor else { return }
        sawKalloc = true
        checkFrees(thread: thread(h), hart: h.id)
        if let stale = pendingAlloc[thread(h)] { dropReturnHook(stale.returnAddress) }
        pendingAlloc[thread(h)] = Pending(returnAddress: h.register(1), sp: h.register(2), site: site(h), pa: 0)
        addReturnHook(h.register(1))
    }

    func kfreeEntered(_ h: Hart) {
        guard h.mode == .supervisor else { return }
        let pa = h.register(10)
        let s = site(h)
        let callers = s.pcs.map(lens.functionName)
        if !lens.isPage(pa) {
            error("kfree(\(hex(pa))): not a page-aligned RAM address", by: s, page: nil, hart: h.id)
        } else if let p = pages[pa], p.isFree {
            error("DOUBLE FREE of page \(hex(pa))", by: s, page: pa, hart: h.id)
        } else if pages[pa]?.allocated == nil && sinceBoot && sawKalloc
                    && !callers.contains(where: { $0 == "freerange" || $0 == "kinit" }) {
            error("FREE OF A PAGE NEVER ALLOCATED: \(hex(pa))", by: s, page: pa, hart: h.id)
        }
        if let stale = pendingFree[thread(h)] { dropReturnHook(stale.returnAddress) }
        pendingFree[thread(h)] = Pending(returnAddress: h.register(1), sp: h.register(2), site: s, pa: pa)
        addReturnHook(h.register(1))
    }

    func addReturnHook(_ pc: UInt64) {
        returnHooks[pc, default: 0] += 1
        if returnHooks[pc] == 1 { lens.setCodeHook(pc) { [unowned self] h in self.returned(h) } }
    }

    func dropReturnHook(_ pc: UInt64) {
        guard let n = returnHooks[pc] else { return }
        if n <= 1 {
            returnHooks[pc] = nil
            // Keep a return site that is also an entry (never happens in xv6).
            if pc != kallocEntry && pc != kfreeEntry { lens.setCodeHook(pc, nil) }
        } else {
            returnHooks[pc] = n - 1
        }
    }

    /// A hart reached a return site: finish its thread's pending kalloc or kfree.
    func returned(_ h: Hart) {
        let t = thread(h), sp = h.register(2)
        if let p = pendingAlloc[t], p.returnAddress == h.pc, p.sp == sp {
            pendingAlloc[t] = nil
            dropReturnHook(p.returnAddress)
            allocated(h.register(10), site: p.site)
        }
        if let p = pendingFree[t], p.returnAddress == h.pc, p.sp == sp {
            pendingFree[t] = nil
            dropReturnHook(p.returnAddress)
            freed(p.pa, site: p.site, thread: t)
        }
    }

    func allocated(_ pa: UInt64, site: Site) {
        guard pa != 0, lens.isPage(pa) else { return }
        allocations += 1
        if pages[pa]?.isFree == true { lens.memory.removeFlags(.watched, page: pa) }
        pages[pa] = Page(allocated: site)
        for t in uncheckedFrees.keys { uncheckedFrees[t]?.removeAll { $0 == pa } }
    }

    func freed(_ pa: UInt64, site: Site, thread: UInt64) {
        guard lens.isPage(pa) else { return }
        // A COW kernel's kfree may only drop a reference: it freed the page
        // only if the page is now the free list's head.
        if let freelist, let head = lens.read64(freelist), head != pa { return }
        frees += 1
        var p = pages[pa] ?? Page()
        p.isFree = true
        p.freed = site
        p.writeReported = false
        pages[pa] = p
        lens.rootsSeen[pa] = nil
        lens.memory.addFlags(.watched, page: pa)
        uncheckedFrees[thread, default: []].append(pa)
    }

    /// The freeing thread moved on (kalloc, or satp written on the way
    /// back to user mode): no user page table may map its freed pages any more.
    func checkFrees(thread: UInt64, hart: Int) {
        guard let list = uncheckedFrees[thread], !list.isEmpty else { return }
        uncheckedFrees[thread] = nil
        // One walk of every user page table looking for just these pages
        // (a COW fault frees one page between two kallocs: this runs often).
        let wanted = Set(list.filter(isFree))
        guard !wanted.isEmpty else { return }
        var found: [UInt64: [Mapping]] = [:]
        for s in lens.addressSpaces() where !s.isKernel {
            lens.walk(s.root) { va, pa, size, pte in
                if size == 4096, pte & PTE.u != 0, wanted.contains(pa) {
                    found[pa, default: []].append(Mapping(space: s, va: va, pa: pa, size: size, pte: pte))
                }
            }
        }
        for pa in list where isFree(pa) {
            guard let maps = found[pa], !maps.isEmpty else { continue }
            let who = maps.map { "\($0.space.label) va \(hex($0.va)) [\(lens.flagText($0.pte))]" }.joined(separator: ", ")
            error("FREED WHILE MAPPED: page \(hex(pa)) is free but still mapped by \(who)",
                  by: pages[pa]?.freed, page: pa, hart: hart)
        }
    }

    /// Every hart's pending checks (before a command looks).
    func checkAllFrees() {
        for t in uncheckedFrees.keys { checkFrees(thread: t, hart: -1) }
    }

    func satpWritten(_ h: Hart) { checkFrees(thread: thread(h), hart: h.id) }

    /// A store (or DMA) reached a watched page.
    func observeWrite(_ pa: UInt64, length: Int, dma: Bool) {
        var page = pa & ~0xfff
        let end = pa &+ UInt64(max(length, 1))
        while page < end {
            defer { page &+= 4096 }
            guard var p = pages[page], p.isFree, !p.writeReported else { continue }
            let h = lens.machine.currentHart
            // kalloc and kfree write freed pages themselves (junk fill, the
            // free-list link) before the shadow hears they returned.
            if !dma && (pendingAlloc[thread(h)] != nil || pendingFree[thread(h)] != nil) { continue }
            p.writeReported = true
            pages[page] = p
            let writer = dma ? "a virtio DMA transfer" : "hart \(h.id) \(h.mode == .user ? "at user pc \(hex(h.pc))" : "in " + lens.symbolize(h.pc))\(lens.currentProcessLabel(hart: h.id).map { " (\($0))" } ?? "")"
            error("WRITE TO FREED PAGE \(hex(page)) (at \(hex(pa))) by \(writer)", by: nil, page: page, hart: h.id)
        }
    }

    // MARK: Reports

    func error(_ what: String, by: Site?, page: UInt64?, hart: Int) {
        errors += 1
        var text = "kalloc shadow: " + what + "\n"
        if let by { text += "  by " + describe(by) + "\n" }
        if let page, let line = describe(page: page, skipFreeSite: by != nil) { text += "  " + line + "\n" }
        lens.report(text)
        lens.stopIfWanted(hart: hart)
    }

    func describe(_ s: Site) -> String {
        let chain = s.pcs.enumerated().map { $0.offset == 0 ? lens.symbolize($0.element) : lens.functionName($0.element) }
        return chain.joined(separator: " ← ") + " (hart \(s.hart)\(s.process.map { ", \($0)" } ?? ""))"
    }

    /// Allocation chain by function names only (for grouping).
    func siteKey(_ s: Site?) -> String {
        guard let s else { return "(allocated before the shadow started)" }
        return s.pcs.map(lens.functionName).joined(separator: " ← ")
    }

    /// One line: the page's allocation (and free) as the shadow knows it.
    func describe(page: UInt64, skipFreeSite: Bool = false) -> String? {
        guard let p = pages[page] else { return sinceBoot ? "never allocated by kalloc (boot memory or free since boot)" : nil }
        var s = "allocated by " + (p.allocated.map(describe) ?? "? (before the shadow started)")
        if p.isFree, let f = p.freed, !skipFreeSite { s += "; freed by " + describe(f) }
        else if p.isFree { s += "; now free" }
        return s
    }

    // MARK: leaks, freepages

    /// Pages the shadow saw allocated and not freed that nothing reaches:
    /// no live page table maps them (the kernel's direct map aside) or uses
    /// them as a page-table page, and no word of the kernel's data points
    /// into them (pipes, disk rings) — or only an unreapable zombie does.
    func leaks() -> String {
        checkAllFrees()
        let spaces = lens.addressSpaces()
        let live = lens.mappingIndex(spaces.filter { !$0.unreapable })
        let dead = lens.mappingIndex(spaces.filter(\.unreapable))
        let pointed = lens.kernelDataPointers()
        var groups: [String: [(UInt64, String?)]] = [:]
        for (page, p) in pages where !p.isFree {
            if live.tablePages[page] != nil { continue }
            if (live.byPage[page] ?? []).contains(where: { !$0.isDirectMap }) { continue }
            if pointed.contains(page) { continue }
            // Transient: a kalloc in flight on some hart.
            let holder = dead.tablePages[page]?.label ?? dead.byPage[page]?.first(where: { !$0.isDirectMap })?.space.label
                ?? spaces.first(where: { $0.unreapable && $0.trapframe == page })?.label
            groups[siteKey(p.allocated), default: []].append((page, holder))
        }
        guard !groups.isEmpty else {
            return "no leaks: \(pages.values.filter { !$0.isFree }.count) pages in use, all reachable\n"
        }
        let total = groups.values.reduce(0) { $0 + $1.count }
        var out = "\(total) leaked page\(total == 1 ? "" : "s"), by allocation site:\n"
        for (key, list) in groups.sorted(by: { $0.value.count > $1.value.count }) {
            out += "  \(list.count) × \(key)\n"
            for (page, holder) in list.sorted(by: { $0.0 < $1.0 }).prefix(4) {
                out += "      \(hex(page))" + (holder.map { "  held only by orphaned zombie \($0)" } ?? "  unreachable") + "\n"
            }
            if list.count > 4 { out += "      …\n" }
        }
        return out
    }

    func status() -> String {
        checkAllFrees()
        let inUse = pages.values.filter { !$0.isFree }.count
        return "kalloc shadow: \(sinceBoot ? "since boot" : "started mid-run"); \(allocations) allocations, \(frees) frees seen; "
            + "\(inUse) pages in use, \(errors) error\(errors == 1 ? "" : "s") reported\n"
    }
}

extension Lens {
    /// Return addresses up the frame-pointer chain from `fp` (xv6: -fno-omit-frame-pointer).
    func framePointerChain(fp start: UInt64, hart: Hart, depth: Int) -> [UInt64] {
        var out: [UInt64] = []
        var fp = start
        let stackPage = (start &- 1) & ~0xfff
        for _ in 0..<depth {
            guard fp & 7 == 0, fp > 16, let ra = kernelRead64(fp - 8, hart: hart),
                  let prev = kernelRead64(fp - 16, hart: hart) else { break }
            guard symbols.symbolize(ra) != nil else { break }
            out.append(ra)
            // Frames stay on one kernel stack and grow up as we unwind.
            guard prev > fp, (prev &- 1) & ~0xfff == stackPage || prev - fp < 0x2000 else { break }
            fp = prev
        }
        return out
    }

    /// `pid 3 (sh)` for the process `hart` runs, using the cached proc layout.
    func currentProcessLabel(hart: Int) -> String? {
        guard let layout = cachedProcLayout() else { return nil }
        guard let cpus = symbols.symbol(named: "cpus"), cpus.size >= 8,
              let p = read64(cpus.address + UInt64(hart) * (cpus.size / 8)), p != 0,
              let pid = read32(p + UInt64(layout.layout.pid)) else { return nil }
        let name = readString(p + UInt64(layout.stride - 16), max: 16) ?? "?"
        return "pid \(pid) (\(name))"
    }

    /// The kernel's writable data and BSS, as physical ranges.
    func kernelDataRanges() -> [(UInt64, UInt64)] {
        (machine.kernel?.segments ?? []).filter(\.isWritable).map { ($0.physicalAddress, $0.physicalAddress + $0.memorySize) }
    }

    /// Pages that some word of the kernel's data or BSS points into, outside
    /// the proc table (its processes are judged by `addressSpaces`) and the
    /// allocator's own state.
    func kernelDataPointers() -> Set<UInt64> {
        var skip: [(UInt64, UInt64)] = []
        for name in ["proc", "kmem"] {
            if let s = symbols.symbol(named: name), s.size > 0 { skip.append((s.address, s.address + s.size)) }
        }
        var out = Set<UInt64>()
        for (lo, hi) in kernelDataRanges() {
            var a = (lo + 7) & ~7
            while a + 8 <= hi {
                if let (s0, s1) = skip.first(where: { a >= $0.0 && a < $0.1 }) {
                    a = (s1 + 7) & ~7
                    _ = s0
                    continue
                }
                if let w = read64(a), memory.isRAM(w) { out.insert(w & ~0xfff) }
                a += 8
            }
        }
        return out
    }

    /// `freepages`: the kernel's free list, walked from `kmem.freelist`.
    func freepages() -> String {
        guard let kmem = symbols.symbol(named: "kmem"), !kmem.isFunction else {
            return "freepages: no `kmem` symbol: not an xv6 kernel (or stripped)\n"
        }
        let head = kmem.address + 24
        guard var node = read64(head) else { return "freepages: kmem at \(hex(kmem.address)) is not in RAM\n" }
        let limit = Int(memory.ramSize / 4096)
        var count = 0
        var seen = Set<UInt64>()
        while node != 0 {
            guard isPage(node) else {
                return "freepages: \(count) pages, then a bad link \(hex(node)) (free list corrupt, or kmem's layout is not xv6's)\n"
            }
            guard seen.insert(node).inserted, count < limit else {
                return "freepages: \(count) pages, then a cycle at \(hex(node)) (a page freed twice?)\n"
            }
            count += 1
            node = read64(node) ?? 0
        }
        var out = "freepages: \(count) free pages (\(count * 4) KiB) on kmem.freelist\n"
        if let shadow {
            let freeShadow = shadow.pages.values.filter(\.isFree).count
            out += "  the shadow saw \(freeShadow) of them freed since it started\n"
        }
        return out
    }
}
