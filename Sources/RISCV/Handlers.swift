// Handlers.swift — threaded dispatch: one small function per operation,
// each ending by jumping straight to the next instruction's function.
//
// Why: a `switch` in a loop has a single indirect jump that every
// instruction shares, so the branch predictor sees one jump with ~80
// targets; and the loop's state lives across the whole switch, so the
// compiler spills it to the stack. With a handler per operation, each
// handler ends in its own indirect jump (the predictor learns "after an
// add comes a branch" per handler), and the hot state travels in argument
// registers: the instruction pointer, the register file, the remaining
// budget, the block context and the handler table.
//
// How Swift gets there (after WasmKit's threaded interpreter): handlers
// are context-free closures of one `@convention(thin)` type (a bare code
// pointer: `@convention(c)` works too but reaches each body through a
// thunk, one more jump per instruction) whose last act is calling the next
// handler; with nothing left to do after that call (trivial types only, no
// reference counting), LLVM emits it as a `jmp`.
// Release builds rely on that; debug builds do not optimise tail calls, so
// there a chain of handlers is capped (`Hart.maxChain`) to bound the stack.
//
// Conventions every handler keeps:
// - `r` is how many more instructions may retire (≥ 1 on entry). A handler
//   that retires its instruction continues with `r - 1`, or leaves with
//   `r - 1` when that is 0; a handler that traps leaves with `r`.
// - Leaving means returning the remaining budget with `exitPC` and `exit`
//   set in the context; `Hart.interpret` takes it from there.
// - Raw pointers cross the signature; handlers rebind them (`ctx(c)`,
//   `inst(ip)`).

/// ip, x, r, context, table → remaining budget at exit.
typealias Handler = @convention(thin) (UnsafeMutableRawPointer, UnsafeMutablePointer<UInt64>, Int,
                                    UnsafeMutableRawPointer, UnsafeRawPointer) -> Int

/// Why a chain of handlers returned.
enum BlockExit: UInt8 {
    /// Left the page, ended the block, or ran out of budget: go on at `exitPC`.
    case next
    /// An instruction trapped: `Hart.pc` is already the trap handler.
    case trapped
    /// The instruction at `exitPC` straddles two pages.
    case straddle
    /// A spin loop was recognised (Hart+Loops.swift): give up the quantum.
    case spin
}

/// What handlers need besides the hot registers: one per hart, rewritten
/// at the start of every block.
struct BlockContext {
    var page: UnsafeMutablePointer<DecodedInst>
    var pageBase: UInt64
    var readTLB: UnsafeMutablePointer<TLBEntry>
    var writeTLB: UnsafeMutablePointer<TLBEntry>
    var hart: Unmanaged<Hart>
    /// The budget the chain started with (instructions retired = start − r).
    var start: Int
    var exitPC: UInt64 = 0
    var exit: BlockExit = .next
    /// The backward jump being checked by `loopCheck`.
    var branchPC: UInt64 = 0
    /// Fetch TLB and decoded pages of the current privilege, for following
    /// a jump into another page without leaving the chain; nil when
    /// debugging (breakpoints are checked where blocks start).
    var fetchTLB: UnsafeMutablePointer<TLBEntry>?
    var fetchCode: UnsafeMutablePointer<UnsafeMutablePointer<DecodedInst>?>
}

// MARK: The pieces every handler is built from

@inline(__always) func ctx(_ c: UnsafeMutableRawPointer) -> UnsafeMutablePointer<BlockContext> {
    c.assumingMemoryBound(to: BlockContext.self)
}

@inline(__always) func inst(_ ip: UnsafeMutableRawPointer) -> DecodedInst {
    ip.load(as: DecodedInst.self)
}

/// The pc of the instruction at `ip`.
@inline(__always) func pcOf(_ ip: UnsafeMutableRawPointer, _ c: UnsafeMutableRawPointer) -> UInt64 {
    let k = ctx(c)
    // Slots are 16 bytes per 2 bytes of code.
    return k.pointee.pageBase &+ UInt64(truncatingIfNeeded: (ip - UnsafeMutableRawPointer(k.pointee.page)) >> 3)
}

/// Runs the instruction at `ip`.
@inline(__always) func dispatch(_ ip: UnsafeMutableRawPointer, _ x: UnsafeMutablePointer<UInt64>, _ r: Int,
                                _ c: UnsafeMutableRawPointer, _ t: UnsafeRawPointer) -> Int {
    t.assumingMemoryBound(to: Handler.self)[Int(ip.load(as: UInt8.self))](ip, x, r, c, t)
}

/// Retires the current instruction and falls through to the next slot (the
/// `pageEnd` sentinel past the page's last slot catches leaving the page).
@inline(__always) func next(_ ip: UnsafeMutableRawPointer, _ x: UnsafeMutablePointer<UInt64>, _ r: Int,
                            _ c: UnsafeMutableRawPointer, _ t: UnsafeRawPointer, _ length: UInt8) -> Int {
    let following = ip + Int(length) &<< 3
    if r <= 1 { return leave(following, 0, c) }
    return dispatch(following, x, r &- 1, c, t)
}

/// Leaves the chain before the instruction at `ip`.
@inline(__always) func leave(_ ip: UnsafeMutableRawPointer, _ r: Int, _ c: UnsafeMutableRawPointer) -> Int {
    let k = ctx(c)
    k.pointee.exitPC = pcOf(ip, c)
    k.pointee.exit = .next
    return r
}

/// Leaves the chain with `pc` next.
@inline(__always) func leave(pc: UInt64, _ r: Int, _ c: UnsafeMutableRawPointer, _ why: BlockExit = .next) -> Int {
    let k = ctx(c)
    k.pointee.exitPC = pc
    k.pointee.exit = why
    return r
}

@inline(__always) func trapped(_ r: Int, _ c: UnsafeMutableRawPointer) -> Int {
    ctx(c).pointee.exit = .trapped
    return r
}

/// Retires a jump or taken branch from `here` to `target`: continues in
/// this page, or leaves. Backward jumps in the page go through `loopCheck`
/// unless the loop they close is known to be ordinary.
@inline(__always) func jump(_ ip: UnsafeMutableRawPointer, _ x: UnsafeMutablePointer<UInt64>, _ r: Int,
                            _ c: UnsafeMutableRawPointer, _ t: UnsafeRawPointer,
                            to target: UInt64, loopClass: UInt8) -> Int {
    let k = ctx(c)
    let offset = target &- k.pointee.pageBase
    if offset < 4096 && r > 1 {
        let to = UnsafeMutableRawPointer(k.pointee.page) + Int(truncatingIfNeeded: offset) &<< 3
        if to < ip && loopClass != LoopClass.other {
            k.pointee.branchPC = pcOf(ip, c)
            return t.assumingMemoryBound(to: Handler.self)[Hart.loopCheckSlot](to, x, r &- 1, c, t)
        }
        return dispatch(to, x, r &- 1, c, t)
    }
    return follow(x, r &- 1, c, t, to: target)
}

/// Continues the chain at `target` in another page when its decoded page is
/// at hand (a fetch TLB hit), else leaves. Nothing a block boundary checks
/// can have changed: interrupts become pending only between quanta or
/// through a device access, and the slow load/store handlers leave the chain
/// after one that raised something.
@inline(__always) func follow(_ x: UnsafeMutablePointer<UInt64>, _ r: Int, _ c: UnsafeMutableRawPointer,
                              _ t: UnsafeRawPointer, to target: UInt64) -> Int {
    let k = ctx(c)
    if r > 0, let fetchTLB = k.pointee.fetchTLB {
        let vpn = target >> 12
        let slot = Int(truncatingIfNeeded: vpn) & (TLB.slots - 1)
        if fetchTLB[slot].tag == vpn, let page = k.pointee.fetchCode[slot] {
            k.pointee.page = page
            k.pointee.pageBase = target & ~0xfff
            return dispatch(UnsafeMutableRawPointer(page + Int(target & 0xfff) >> 1), x, r, c, t)
        }
    }
    return leave(pc: target, r, c)
}

/// A pc-relative jump or taken branch by `offset` bytes: the target slot is
/// found from `ip` directly (16 bytes of slot per 2 bytes of code), without
/// going through the pc, when it lies in this page.
@inline(__always) func jump(_ ip: UnsafeMutableRawPointer, _ x: UnsafeMutablePointer<UInt64>, _ r: Int,
                            _ c: UnsafeMutableRawPointer, _ t: UnsafeRawPointer,
                            by offset: Int32, loopClass: UInt8) -> Int {
    let to = ip + Int(offset) &<< 3
    let slotOffset = to - UnsafeMutableRawPointer(ctx(c).pointee.page)
    // Two branches, not one `&&`: folded into one flag, the two tests held a
    // callee-saved register, which every branch handler then pushed and popped.
    if _fastPath(UInt(bitPattern: slotOffset) < 4096 &<< 3) {
        if _fastPath(r > 1) {
            if offset < 0 && loopClass != LoopClass.other {
                ctx(c).pointee.branchPC = pcOf(ip, c)
                return t.assumingMemoryBound(to: Handler.self)[Hart.loopCheckSlot](to, x, r &- 1, c, t)
            }
            return dispatch(to, x, r &- 1, c, t)
        }
    }
    return follow(x, r &- 1, c, t, to: pcOf(ip, c) &+ UInt64(bitPattern: Int64(offset)))
}

/// Register-register operations.
@inline(__always) func rr(_ ip: UnsafeMutableRawPointer, _ x: UnsafeMutablePointer<UInt64>, _ r: Int,
                          _ c: UnsafeMutableRawPointer, _ t: UnsafeRawPointer,
                          _ f: (UInt64, UInt64) -> UInt64) -> Int {
    let d = inst(ip)
    x[Int(d.rd)] = f(x[Int(d.rs1)], x[Int(d.rs2)])
    return next(ip, x, r, c, t, d.length)
}

/// Register-immediate operations (the immediate sign-extended).
@inline(__always) func ri(_ ip: UnsafeMutableRawPointer, _ x: UnsafeMutablePointer<UInt64>, _ r: Int,
                          _ c: UnsafeMutableRawPointer, _ t: UnsafeRawPointer,
                          _ f: (UInt64, UInt64) -> UInt64) -> Int {
    let d = inst(ip)
    x[Int(d.rd)] = f(x[Int(d.rs1)], UInt64(bitPattern: Int64(d.imm)))
    return next(ip, x, r, c, t, d.length)
}

/// Conditional branches.
@inline(__always) func branch(_ ip: UnsafeMutableRawPointer, _ x: UnsafeMutablePointer<UInt64>, _ r: Int,
                              _ c: UnsafeMutableRawPointer, _ t: UnsafeRawPointer,
                              _ taken: (UInt64, UInt64) -> Bool) -> Int {
    let d = inst(ip)
    if taken(x[Int(d.rs1)], x[Int(d.rs2)]) {
        return jump(ip, x, r, c, t, by: d.imm, loopClass: d.pad0)
    }
    return next(ip, x, r, c, t, d.length)
}

/// The host address of `width` bytes at the instruction's `rs1 + imm`
/// (as an integer), and whether `tlb` (the block's read or write table)
/// holds their page for a naturally aligned access.
///
/// Misaligned accesses, rare, take the slow path, which handles them (and
/// page crossings) in full; an aligned access cannot cross its page. Two
/// separate tests, each a compare and a branch, keep every value in a
/// scratch register: folding them into one flag (`&&`, or or-ing the
/// misalignment into the tag) cost a callee-saved register and its
/// push/pop. The address is returned as an integer so that no Optional is
/// tested again on the hit path.
@inline(__always) func hostAddress(_ d: DecodedInst, _ x: UnsafeMutablePointer<UInt64>,
                                   _ tlb: UnsafeMutablePointer<TLBEntry>, width: Int) -> (hit: Bool, host: Int) {
    let vaddr = x[Int(d.rs1)] &+ UInt64(bitPattern: Int64(d.imm))
    let vpn = vaddr >> 12
    let e = tlb[Int(truncatingIfNeeded: vpn) & (TLB.slots - 1)]
    guard _fastPath(e.tag == vpn) else { return (false, 0) }
    guard _fastPath(vaddr & UInt64(width &- 1) == 0) else { return (false, 0) }
    return (true, Int(truncatingIfNeeded: vaddr) &+ e.addend)
}

/// Loads: the TLB hit inline; a miss, a device or a trap goes to
/// `slowLoadHandler` by a tail call, so the fast handler needs no frame.
@inline(__always) func loadOp(_ ip: UnsafeMutableRawPointer, _ x: UnsafeMutablePointer<UInt64>, _ r: Int,
                              _ c: UnsafeMutableRawPointer, _ t: UnsafeRawPointer,
                              width: Int, _ extend: (UInt64) -> UInt64) -> Int {
    let d = inst(ip)
    let (hit, host) = hostAddress(d, x, ctx(c).pointee.readTLB, width: width)
    guard _fastPath(hit) else {
        return t.assumingMemoryBound(to: Handler.self)[Hart.slowLoadSlot](ip, x, r, c, t)
    }
    x[Int(d.rd)] = extend(loadLittleEndian(UnsafeRawPointer(bitPattern: host).unsafelyUnwrapped, width: width))
    return next(ip, x, r, c, t, d.length)
}

@inline(__always) func storeOp(_ ip: UnsafeMutableRawPointer, _ x: UnsafeMutablePointer<UInt64>, _ r: Int,
                               _ c: UnsafeMutableRawPointer, _ t: UnsafeRawPointer, width: Int) -> Int {
    let d = inst(ip)
    let (hit, host) = hostAddress(d, x, ctx(c).pointee.writeTLB, width: width)
    guard _fastPath(hit) else {
        return t.assumingMemoryBound(to: Handler.self)[Hart.slowStoreSlot](ip, x, r, c, t)
    }
    storeLittleEndian(UnsafeMutableRawPointer(bitPattern: host).unsafelyUnwrapped, width: width, x[Int(d.rs2)])
    return next(ip, x, r, c, t, d.length)
}

@inline(__always) func sext8(_ v: UInt64) -> UInt64 { UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: v))) }
@inline(__always) func sext16(_ v: UInt64) -> UInt64 { UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: v))) }
@inline(__always) func signed(_ v: UInt64) -> Int64 { Int64(bitPattern: v) }
@inline(__always) func low32(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }

extension Hart {
    /// After a slow-path access: did it raise an interrupt this hart would
    /// take, or ask the board to stop? Then the chain must end so the run
    /// loop sees it, as it would at a page boundary.
    var accessHadEffects: Bool {
        memory.stopRequested || (mipSoftware | mipLines) & mie != 0
    }

    /// The handler of every operation, indexed by `Op.rawValue` (256 slots,
    /// so any byte indexes it). Built once; each hart keeps the pointer.
    nonisolated(unsafe) static let handlerTable: UnsafeRawPointer = {
        let table = UnsafeMutablePointer<Handler>.allocate(capacity: 256)
        table.initialize(repeating: systemHandler, count: 256)
        for op in Op.allCases { table[Int(op.rawValue)] = handler(for: op) }
        table[loopCheckSlot] = loopCheckHandler
        table[slowLoadSlot] = slowLoadHandler
        table[slowStoreSlot] = slowStoreHandler
        return UnsafeRawPointer(table)
    }()

    /// The table slot of `loopCheckHandler` (no operation has this value).
    static let loopCheckSlot = 255
    static let slowLoadSlot = 254
    static let slowStoreSlot = 253

    /// The semantics of each operation. Everything not listed runs out of
    /// line through `systemHandler`.
    static func handler(for op: Op) -> Handler {
        switch op {
        // MARK: RV64I
        case .lui: { ip, x, r, c, t in
            let d = inst(ip)
            x[Int(d.rd)] = UInt64(bitPattern: Int64(d.imm))
            return next(ip, x, r, c, t, d.length)
        }
        case .auipc: { ip, x, r, c, t in
            let d = inst(ip)
            x[Int(d.rd)] = pcOf(ip, c) &+ UInt64(bitPattern: Int64(d.imm))
            return next(ip, x, r, c, t, d.length)
        }
        case .jal: { ip, x, r, c, t in
            let d = inst(ip)
            x[Int(d.rd)] = pcOf(ip, c) &+ UInt64(d.length)
            return jump(ip, x, r, c, t, by: d.imm, loopClass: d.pad0)
        }
        case .jalr: { ip, x, r, c, t in
            let d = inst(ip)
            let target = (x[Int(d.rs1)] &+ UInt64(bitPattern: Int64(d.imm))) & ~1
            x[Int(d.rd)] = pcOf(ip, c) &+ UInt64(d.length)
            return jump(ip, x, r, c, t, to: target, loopClass: d.pad0)
        }
        case .beq: { ip, x, r, c, t in branch(ip, x, r, c, t) { $0 == $1 } }
        case .bne: { ip, x, r, c, t in branch(ip, x, r, c, t) { $0 != $1 } }
        case .blt: { ip, x, r, c, t in branch(ip, x, r, c, t) { signed($0) < signed($1) } }
        case .bge: { ip, x, r, c, t in branch(ip, x, r, c, t) { signed($0) >= signed($1) } }
        case .bltu: { ip, x, r, c, t in branch(ip, x, r, c, t) { $0 < $1 } }
        case .bgeu: { ip, x, r, c, t in branch(ip, x, r, c, t) { $0 >= $1 } }

        case .lb: { ip, x, r, c, t in loadOp(ip, x, r, c, t, width: 1) { sext8($0) } }
        case .lh: { ip, x, r, c, t in loadOp(ip, x, r, c, t, width: 2) { sext16($0) } }
        case .lw: { ip, x, r, c, t in loadOp(ip, x, r, c, t, width: 4) { sext32($0) } }
        case .ld: { ip, x, r, c, t in loadOp(ip, x, r, c, t, width: 8) { $0 } }
        case .lbu: { ip, x, r, c, t in loadOp(ip, x, r, c, t, width: 1) { $0 } }
        case .lhu: { ip, x, r, c, t in loadOp(ip, x, r, c, t, width: 2) { $0 } }
        case .lwu: { ip, x, r, c, t in loadOp(ip, x, r, c, t, width: 4) { $0 } }
        case .sb: { ip, x, r, c, t in storeOp(ip, x, r, c, t, width: 1) }
        case .sh: { ip, x, r, c, t in storeOp(ip, x, r, c, t, width: 2) }
        case .sw: { ip, x, r, c, t in storeOp(ip, x, r, c, t, width: 4) }
        case .sd: { ip, x, r, c, t in storeOp(ip, x, r, c, t, width: 8) }

        case .addi: { ip, x, r, c, t in ri(ip, x, r, c, t) { $0 &+ $1 } }
        case .slti: { ip, x, r, c, t in ri(ip, x, r, c, t) { signed($0) < signed($1) ? 1 : 0 } }
        case .sltiu: { ip, x, r, c, t in ri(ip, x, r, c, t) { $0 < $1 ? 1 : 0 } }
        case .xori: { ip, x, r, c, t in ri(ip, x, r, c, t) { $0 ^ $1 } }
        case .ori: { ip, x, r, c, t in ri(ip, x, r, c, t) { $0 | $1 } }
        case .andi: { ip, x, r, c, t in ri(ip, x, r, c, t) { $0 & $1 } }
        case .slli: { ip, x, r, c, t in ri(ip, x, r, c, t) { $0 << ($1 & 63) } }
        case .srli: { ip, x, r, c, t in ri(ip, x, r, c, t) { $0 >> ($1 & 63) } }
        case .srai: { ip, x, r, c, t in ri(ip, x, r, c, t) { UInt64(bitPattern: signed($0) >> Int64($1 & 63)) } }
        case .addiw: { ip, x, r, c, t in ri(ip, x, r, c, t) { sext32($0 &+ $1) } }
        case .slliw: { ip, x, r, c, t in ri(ip, x, r, c, t) { sext32(UInt64(low32($0) << low32($1 & 31))) } }
        case .srliw: { ip, x, r, c, t in ri(ip, x, r, c, t) { sext32(UInt64(low32($0) >> low32($1 & 31))) } }
        case .sraiw: { ip, x, r, c, t in
            ri(ip, x, r, c, t) { UInt64(bitPattern: Int64(Int32(bitPattern: low32($0)) >> Int32($1 & 31))) }
        }

        case .add: { ip, x, r, c, t in rr(ip, x, r, c, t) { $0 &+ $1 } }
        case .sub: { ip, x, r, c, t in rr(ip, x, r, c, t) { $0 &- $1 } }
        case .sll: { ip, x, r, c, t in rr(ip, x, r, c, t) { $0 << ($1 & 63) } }
        case .slt: { ip, x, r, c, t in rr(ip, x, r, c, t) { signed($0) < signed($1) ? 1 : 0 } }
        case .sltu: { ip, x, r, c, t in rr(ip, x, r, c, t) { $0 < $1 ? 1 : 0 } }
        case .xor: { ip, x, r, c, t in rr(ip, x, r, c, t) { $0 ^ $1 } }
        case .srl: { ip, x, r, c, t in rr(ip, x, r, c, t) { $0 >> ($1 & 63) } }
        case .sra: { ip, x, r, c, t in rr(ip, x, r, c, t) { UInt64(bitPattern: signed($0) >> Int64($1 & 63)) } }
        case .or: { ip, x, r, c, t in rr(ip, x, r, c, t) { $0 | $1 } }
        case .and: { ip, x, r, c, t in rr(ip, x, r, c, t) { $0 & $1 } }
        case .addw: { ip, x, r, c, t in rr(ip, x, r, c, t) { sext32($0 &+ $1) } }
        case .subw: { ip, x, r, c, t in rr(ip, x, r, c, t) { sext32($0 &- $1) } }
        case .sllw: { ip, x, r, c, t in rr(ip, x, r, c, t) { sext32(UInt64(low32($0) << low32($1 & 31))) } }
        case .srlw: { ip, x, r, c, t in rr(ip, x, r, c, t) { sext32(UInt64(low32($0) >> low32($1 & 31))) } }
        case .sraw: { ip, x, r, c, t in
            rr(ip, x, r, c, t) { UInt64(bitPattern: Int64(Int32(bitPattern: low32($0)) >> Int32($1 & 31))) }
        }

        // MARK: M
        case .mul: { ip, x, r, c, t in rr(ip, x, r, c, t) { $0 &* $1 } }
        case .mulw: { ip, x, r, c, t in rr(ip, x, r, c, t) { sext32($0 &* $1) } }
        case .mulh: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.mulh, $0, $1) } }
        case .mulhsu: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.mulhsu, $0, $1) } }
        case .mulhu: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.mulhu, $0, $1) } }
        case .div: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.div, $0, $1) } }
        case .divu: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.divu, $0, $1) } }
        case .rem: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.rem, $0, $1) } }
        case .remu: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.remu, $0, $1) } }
        case .divw: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.divw, $0, $1) } }
        case .divuw: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.divuw, $0, $1) } }
        case .remw: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.remw, $0, $1) } }
        case .remuw: { ip, x, r, c, t in rr(ip, x, r, c, t) { Hart.multiplyDivide(.remuw, $0, $1) } }

        case .fence: { ip, x, r, c, t in next(ip, x, r, c, t, inst(ip).length) }

        // MARK: The decode cache's own entries
        case .undecoded: { ip, x, r, c, t in
            let pc = pcOf(ip, c), page = ctx(c).pointee.page
            // Decoded in place, then run (nothing retired yet).
            if ctx(c).pointee.hart._withUnsafeGuaranteedRef({ $0.decodeSlot(page, pc: pc) }) {
                return dispatch(ip, x, r, c, t)
            }
            return leave(ip, r, c)
        }
        case .pageEnd: { ip, _, r, c, _ in leave(ip, r, c) }
        case .straddle: { ip, _, r, c, _ in leave(pc: pcOf(ip, c), r, c, .straddle) }

        // MARK: A, out of line
        case .lr_w, .sc_w, .amoswap_w, .amoadd_w, .amoxor_w, .amoand_w, .amoor_w,
             .amomin_w, .amomax_w, .amominu_w, .amomaxu_w,
             .lr_d, .sc_d, .amoswap_d, .amoadd_d, .amoxor_d, .amoand_d, .amoor_d,
             .amomin_d, .amomax_d, .amominu_d, .amomaxu_d: { ip, x, r, c, t in
            let d = inst(ip), pc = pcOf(ip, c)
            guard ctx(c).pointee.hart._withUnsafeGuaranteedRef({ $0.executeAtomic(d, pc: pc) }) else {
                return trapped(r, c)
            }
            return next(ip, x, r, c, t, d.length)
        }

        // MARK: F and D, out of line (Hart+Float.swift)
        case .flw, .fsw, .fld, .fsd,
             .fmadd_s, .fmsub_s, .fnmsub_s, .fnmadd_s, .fadd_s, .fsub_s, .fmul_s, .fdiv_s, .fsqrt_s,
             .fsgnj_s, .fsgnjn_s, .fsgnjx_s, .fmin_s, .fmax_s,
             .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s, .fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu,
             .fmv_x_w, .fmv_w_x, .feq_s, .flt_s, .fle_s, .fclass_s,
             .fmadd_d, .fmsub_d, .fnmsub_d, .fnmadd_d, .fadd_d, .fsub_d, .fmul_d, .fdiv_d, .fsqrt_d,
             .fsgnj_d, .fsgnjn_d, .fsgnjx_d, .fmin_d, .fmax_d,
             .fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d, .fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu,
             .fmv_x_d, .fmv_d_x, .feq_d, .flt_d, .fle_d, .fclass_d,
             .fcvt_s_d, .fcvt_d_s: { ip, x, r, c, t in
            let d = inst(ip), pc = pcOf(ip, c)
            guard ctx(c).pointee.hart._withUnsafeGuaranteedRef({ $0.executeFloat(d, pc: pc) }) else {
                return trapped(r, c)
            }
            return next(ip, x, r, c, t, d.length)
        }

        case .illegal, .fence_i, .ecall, .ebreak, .mret, .sret, .wfi, .sfence_vma,
             .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci:
            systemHandler
        }
    }

    /// System and Zicsr instructions (and anything illegal): out of line.
    /// Those that may change what the block hoisted (translation,
    /// privilege, interrupt state) end the block.
    nonisolated(unsafe) static let systemHandler: Handler = { ip, x, r, c, t in
        let d = inst(ip), here = pcOf(ip, c)
        let k = ctx(c)
        let retired = k.pointee.start &- r
        guard let following = k.pointee.hart._withUnsafeGuaranteedRef({
            $0.executeSystem(d, pc: here, retired: retired)
        }) else { return trapped(r, c) }
        if !Hart.endsBlock(d) { return next(ip, x, r, c, t, d.length) }
        return leave(pc: following, r &- 1, c)
    }

    /// Any load whose TLB lookup missed: translation, devices, traps.
    nonisolated(unsafe) static let slowLoadHandler: Handler = { ip, x, r, c, t in
        let d = inst(ip), pc = pcOf(ip, c)
        let vaddr = x[Int(d.rs1)] &+ UInt64(bitPattern: Int64(d.imm))
        guard let raw = ctx(c).pointee.hart._withUnsafeGuaranteedRef({
            $0.loadSlow(vaddr, width: d.op.accessWidth, pc: pc)
        }) else { return trapped(r, c) }
        x[Int(d.rd)] = switch d.op {
        case .lb: sext8(raw)
        case .lh: sext16(raw)
        case .lw: sext32(raw)
        default: raw
        }
        if ctx(c).pointee.hart._withUnsafeGuaranteedRef({ $0.accessHadEffects }) {
            return leave(ip + Int(d.length) &<< 3, r &- 1, c)
        }
        return next(ip, x, r, c, t, d.length)
    }

    /// Any store whose TLB lookup missed (also every store to a page with
    /// cached code, a reservation or a watch: those never get write entries).
    nonisolated(unsafe) static let slowStoreHandler: Handler = { ip, x, r, c, t in
        let d = inst(ip), pc = pcOf(ip, c)
        let vaddr = x[Int(d.rs1)] &+ UInt64(bitPattern: Int64(d.imm)), value = x[Int(d.rs2)]
        guard ctx(c).pointee.hart._withUnsafeGuaranteedRef({
            $0.storeSlow(vaddr, width: d.op.accessWidth, value, pc: pc)
        }) else { return trapped(r, c) }
        if ctx(c).pointee.hart._withUnsafeGuaranteedRef({ $0.accessHadEffects }) {
            return leave(ip + Int(d.length) &<< 3, r &- 1, c)
        }
        return next(ip, x, r, c, t, d.length)
    }

    /// A backward jump inside the page has retired and `ip` is its target:
    /// the loop it closes may be a spin or a fill loop (Hart+Loops.swift).
    /// A handler itself, so that continuing the chain stays a tail call.
    nonisolated(unsafe) static let loopCheckHandler: Handler = { ip, x, r, c, t in
        let k = ctx(c)
        let page = k.pointee.page, pageBase = k.pointee.pageBase
        let branch = k.pointee.branchPC, target = pcOf(ip, c)
        let slot = Int(truncatingIfNeeded: branch &- pageBase) >> 1
        var remaining = r
        let spinning = k.pointee.hart._withUnsafeGuaranteedRef { hart -> Bool in
            if page[slot].pad0 == LoopClass.fill {
                remaining &-= hart.fillLoop(page, slot: slot, pageBase: pageBase, loopStart: target, budget: r)
                return false
            }
            if page[slot].pad0 == LoopClass.copy {
                remaining &-= hart.copyLoop(page, slot: slot, pageBase: pageBase, loopStart: target, budget: r)
                return false
            }
            return hart.isSpinning(page, slot: slot, pageBase: pageBase, loopStart: target, branch: branch)
        }
        if spinning { return leave(pc: target, r, c, .spin) }
        if remaining <= 0 { return leave(ip, remaining, c) }
        return dispatch(ip, x, remaining, c, t)
    }
}
