// Hart+Loops.swift — two kinds of tight loop the interpreter recognises
// and runs faster than one instruction at a time, with exactly the same
// architectural result: spin loops (below) and fill loops (`fillLoop`).
//
// Spin loops: a hart that spins with nothing to do.
//
// Harts run one at a time (round-robin quanta), so a loop that only reads
// memory — `while (started == 0)`, a spinlock's `amoswap` retry — cannot see
// the value it waits for change during its own quantum: only another hart,
// a device or an interrupt can change it, and none of those runs until the
// quantum ends. Running the rest of the quantum would only burn host time
// (QEMU's MTTCG burns a host core on it). So when such a loop goes round
// twice with identical registers and no memory change, the hart gives up
// the rest of its quantum. The outcome is exactly what running it would
// have given — the loop would still be spinning — and just as deterministic.
//
// "Only reads memory" is decided once per loop, from the decoded body
// between the backward branch and its target: loads, ALU ops, branches,
// fences, LR and AMOs (an AMO that changes memory bumps `spinEpoch`), and
// nothing else — no stores, CSR access, calls or system instructions.

/// `DecodedInst.pad0` of a backward branch: what kind of loop it closes,
/// decided the first time it is taken.
enum LoopClass {
    static let unknown: UInt8 = 0
    /// Only reads memory: a possible spin.
    static let pure: UInt8 = 1
    /// Anything else.
    static let other: UInt8 = 2
    /// `s{b,h,w,d} v, 0(p); addi p, p, width; bne p, end, loop`: memset's loop.
    static let fill: UInt8 = 3
    /// `load v, (s); store v, (d); addi s; addi d; bne`: memmove's loop.
    static let copy: UInt8 = 4
}

extension Hart {
    public static let maxSpinBody = 32

    /// Called after the backward jump at `branch` (slot `slot`) to `loopStart`.
    ///
    /// Only the registers the body writes can differ between two trips round
    /// a pure loop, so only they are compared; `classify` leaves them in the
    /// branch's `pad1` (at most two — a loop writing more is not a spin
    /// candidate: real spins load one value and maybe extend it).
    @inline(never)
    func isSpinning(_ page: UnsafeMutablePointer<DecodedInst>, slot: Int, pageBase: UInt64,
                    loopStart: UInt64, branch: UInt64) -> Bool {
        if page[slot].pad0 == LoopClass.unknown {
            let (loopClass, written) = classify(page, pageBase: pageBase, from: loopStart, to: branch)
            page[slot].pad0 = loopClass
            page[slot].pad1 = written
            if loopClass == LoopClass.fill || loopClass == LoopClass.copy { return false }
        }
        guard page[slot].pad0 == LoopClass.pure else { return false }
        let written = page[slot].pad1
        let a = x[Int(written & 0xff)], b = x[Int(written >> 8)]
        if spinBranch == branch && spinSnapshotEpoch == spinEpoch && a == spinRegisters[0] && b == spinRegisters[1] {
            spinsDetected &+= 1
            spinBranch = .max
            return true
        }
        spinBranch = branch
        spinSnapshotEpoch = spinEpoch
        spinRegisters[0] = a
        spinRegisters[1] = b
        return false
    }

    /// The loop's class, from the decoded instructions of its body, and for
    /// a pure loop the registers it writes (`r1 | r2 << 8`, unused ones 0:
    /// x0 is never written, writes to it go to the sink register).
    func classify(_ page: UnsafeMutablePointer<DecodedInst>, pageBase: UInt64, from start: UInt64,
                  to branch: UInt64) -> (UInt8, UInt16) {
        guard start & ~0xfff == pageBase, branch &- start < UInt64(4 * Self.maxSpinBody) else { return (LoopClass.other, 0) }
        if isFillLoop(page, pageBase: pageBase, from: start, to: branch) { return (LoopClass.fill, 0) }
        if CopyLoop(page, pageBase: pageBase, from: start, to: branch) != nil { return (LoopClass.copy, 0) }
        var pc = start
        var count = 0
        var written: [UInt8] = []
        while pc <= branch {
            let d = page[Int(pc &- pageBase) >> 1]
            count += 1
            guard count <= Self.maxSpinBody, Self.isPure(d.op) else { return (LoopClass.other, 0) }
            if !Self.isBranch(d.op) && d.rd != 0 && d.rd != UInt8(Hart.sinkRegister) && !written.contains(d.rd) {
                written.append(d.rd)
            }
            pc &+= UInt64(d.length)
        }
        guard written.count <= 2,
              pc == branch &+ UInt64(page[Int(branch &- pageBase) >> 1].length) else { return (LoopClass.other, 0) }
        let regs = UInt16(written.first ?? 0) | UInt16(written.count > 1 ? written[1] : 0) << 8
        return (LoopClass.pure, regs)
    }

    static func isBranch(_ op: Op) -> Bool {
        switch op {
        case .beq, .bne, .blt, .bge, .bltu, .bgeu: true
        default: false
        }
    }

    static func isPure(_ op: Op) -> Bool {
        switch op {
        case .lui, .auipc, .beq, .bne, .blt, .bge, .bltu, .bgeu,
             .lb, .lh, .lw, .ld, .lbu, .lhu, .lwu,
             .addi, .slti, .sltiu, .xori, .ori, .andi, .slli, .srli, .srai,
             .add, .sub, .sll, .slt, .sltu, .xor, .srl, .sra, .or, .and,
             .addiw, .slliw, .srliw, .sraiw, .addw, .subw, .sllw, .srlw, .sraw,
             .mul, .mulh, .mulhsu, .mulhu, .div, .divu, .rem, .remu, .mulw, .divw, .divuw, .remw, .remuw,
             .fence, .lr_w, .lr_d,
             .amoswap_w, .amoadd_w, .amoxor_w, .amoand_w, .amoor_w, .amomin_w, .amomax_w, .amominu_w, .amomaxu_w,
             .amoswap_d, .amoadd_d, .amoxor_d, .amoand_d, .amoor_d, .amomin_d, .amomax_d, .amominu_d, .amomaxu_d:
            return true
        default:
            return false
        }
    }
}

// MARK: Fill loops
//
// memset compiled by gcc is `sb a1,0(a5); addi a5,a5,1; bne a5,a4,loop`:
// three instructions a byte, 400 million of them when xv6 fills its free
// pages at boot. Recognised once, the loop's remaining iterations — as many
// as the budget allows, within the page, leaving the last one to run
// normally so the loop exits the ordinary way — become one host fill, with
// the registers and the instruction count exactly as if each had run. Only
// through a write TLB entry: a page with cached code, a reservation or a
// watch never has one, so those keep the one-at-a-time path.

extension Hart {
    /// Store width of a store op, or nil.
    static func storeWidth(_ op: Op) -> Int? {
        switch op {
        case .sb: 1
        case .sh: 2
        case .sw: 4
        case .sd: 8
        default: nil
        }
    }

    func isFillLoop(_ page: UnsafeMutablePointer<DecodedInst>, pageBase: UInt64, from start: UInt64, to branch: UInt64) -> Bool {
        let s = page[Int(start &- pageBase) >> 1]
        guard let width = Self.storeWidth(s.op), s.imm == 0 else { return false }
        let a = page[Int(start &+ UInt64(s.length) &- pageBase) >> 1]
        let bAddress = start &+ UInt64(s.length) &+ UInt64(a.length)
        guard bAddress == branch else { return false }
        let b = page[Int(branch &- pageBase) >> 1]
        let p = s.rs1
        guard a.op == .addi, a.rd == p, a.rs1 == p, a.imm == Int32(width), b.op == .bne,
              s.rs2 != p, p != 0 else { return false }
        let end = b.rs1 == p ? b.rs2 : b.rs1
        return (b.rs1 == p || b.rs2 == p) && end != p
    }

    /// Runs whole iterations of the fill loop at `loopStart` (the branch
    /// just went back to it); returns the instructions retired.
    @inline(never)
    func fillLoop(_ page: UnsafeMutablePointer<DecodedInst>, slot: Int, pageBase: UInt64, loopStart: UInt64, budget: Int) -> Int {
        let s = page[Int(loopStart &- pageBase) >> 1]
        let b = page[slot]
        guard let width = Self.storeWidth(s.op) else { return 0 }
        let p = Int(s.rs1), endRegister = Int(b.rs1 == s.rs1 ? b.rs2 : b.rs1)
        let start = x[p], end = x[endRegister]
        let w = UInt64(width)
        guard end > start, (end &- start) % w == 0, start % w == 0 else { return 0 }
        // Leave the last iteration to the interpreter; stay in this page and budget.
        let toPageEnd = (4096 &- (start & 0xfff)) / w
        let iterations = min((end &- start) / w &- 1, toPageEnd, UInt64(max(budget, 0) / 3))
        guard iterations > 0 else { return 0 }
        let vpn = start >> 12
        let e = tlb.entries[TLB.index(set: dataSet, kind: TLB.write, vpn: vpn)]
        guard e.tag == vpn else { return 0 }
        let host = UnsafeMutableRawPointer(bitPattern: Int(truncatingIfNeeded: start) &+ e.addend).unsafelyUnwrapped
        let value = x[Int(s.rs2)]
        // memset stores one byte value however wide its stores are (ours
        // stores `c * 0x0101010101010101` a doubleword at a time): then one
        // host memset does it, whatever the width.
        let byte = UInt8(truncatingIfNeeded: value)
        let mask: UInt64 = width == 8 ? .max : (1 << (8 * w)) &- 1
        if value & mask == UInt64(byte) &* 0x0101_0101_0101_0101 & mask {
            host.initializeMemory(as: UInt8.self, repeating: byte, count: Int(iterations) &* width)
        } else {
            for i in 0..<Int(iterations) { storeLittleEndian(host + i * width, width: width, value) }
        }
        x[p] = start &+ iterations &* w
        return Int(iterations) &* 3
    }
}

// MARK: Copy loops
//
// memmove's forward loop, byte by byte in the lab kernels
// (`addi s,s,1; addi d,d,1; lbu v,-1(s); sb v,-1(d); bne s,end`) and a
// word at a time in ours: four or five instructions per element, for every
// copyin, copyout and buffer-cache copy. Recognised once, the remaining
// iterations (within both pages and the budget, the last left to the
// interpreter) become one host memmove — only when that is exactly what
// the element-by-element forward copy would do: the destination is not
// inside the source range ahead of the reads.

/// A recognised copy loop: the body's registers and offsets.
struct CopyLoop {
    let source: Int, destination: Int, value: Int, end: Int
    let width: Int
    /// Where the load and store fall relative to the pointers' values at the
    /// start of an iteration (the increment may come before or after them).
    let loadOffset: Int, storeOffset: Int
    let signed: Bool
    /// Instructions per iteration, branch included.
    let length: Int

    init?(_ page: UnsafeMutablePointer<DecodedInst>, pageBase: UInt64, from start: UInt64, to branch: UInt64) {
        guard start & ~0xfff == pageBase, branch > start, branch &- start <= 16 else { return nil }
        var body: [DecodedInst] = []
        var pc = start
        while pc < branch {
            let d = page[Int(pc &- pageBase) >> 1]
            body.append(d)
            pc &+= UInt64(d.length)
        }
        let b = page[Int(branch &- pageBase) >> 1]
        guard pc == branch, body.count == 4, b.op == .bne else { return nil }
        guard let li = body.firstIndex(where: { Hart.loadWidth($0.op) != nil }),
              let si = body.firstIndex(where: { Hart.storeWidth($0.op) != nil }) else { return nil }
        let load = body[li], store = body[si]
        let w = Hart.loadWidth(load.op)!
        guard Hart.storeWidth(store.op) == w else { return nil }
        let s = Int(load.rs1), d = Int(store.rs1), v = Int(load.rd)
        guard s != d, v != s, v != d, Int(store.rs2) == v, v != Int(Hart.sinkRegister) else { return nil }
        let adds = body.indices.filter { $0 != li && $0 != si }
        var sInc: Int?, dInc: Int?
        for i in adds {
            let a = body[i]
            guard a.op == .addi, a.rd == a.rs1, Int(a.imm) == w else { return nil }
            if Int(a.rd) == s && sInc == nil { sInc = i } else if Int(a.rd) == d && dInc == nil { dInc = i } else { return nil }
        }
        guard let sInc, let dInc else { return nil }
        let x = Int(b.rs1), y = Int(b.rs2)
        let e = (x == s || x == d) ? y : x
        guard (x == s || x == d || y == s || y == d), e != s, e != d, e != v else { return nil }
        source = s; destination = d; value = v; end = e; width = w
        loadOffset = Int(load.imm) + (sInc < li ? w : 0)
        storeOffset = Int(store.imm) + (dInc < si ? w : 0)
        signed = load.op == .lb || load.op == .lh || load.op == .lw
        length = 5
        counter = (x == s || y == s) ? s : d
    }

    /// The register the branch compares with `end`.
    let counter: Int
}

extension Hart {
    static func loadWidth(_ op: Op) -> Int? {
        switch op {
        case .lb, .lbu: 1
        case .lh, .lhu: 2
        case .lw, .lwu: 4
        case .ld: 8
        default: nil
        }
    }

    /// Runs whole iterations of the copy loop at `loopStart` (the branch just
    /// went back to it); returns the instructions retired.
    @inline(never)
    func copyLoop(_ page: UnsafeMutablePointer<DecodedInst>, slot: Int, pageBase: UInt64, loopStart: UInt64, budget: Int) -> Int {
        let branch = pageBase &+ UInt64(slot) &* 2
        guard let loop = CopyLoop(page, pageBase: pageBase, from: loopStart, to: branch) else { return 0 }
        let w = UInt64(loop.width)
        let s0 = x[loop.source], d0 = x[loop.destination], c0 = x[loop.counter], end = x[loop.end]
        guard end > c0, (end &- c0) % w == 0 else { return 0 }
        let src = s0 &+ UInt64(bitPattern: Int64(loop.loadOffset))
        let dst = d0 &+ UInt64(bitPattern: Int64(loop.storeOffset))
        // Leave the last iteration to the interpreter; stay in both pages.
        var n = min((end &- c0) / w &- 1, UInt64(max(budget, 0) / loop.length))
        n = min(n, (4096 &- (src & 0xfff)) / w, (4096 &- (dst & 0xfff)) / w)
        guard n > 0, src % w == 0, dst % w == 0 else { return 0 }
        let bytes = n &* w
        // A forward element copy equals memmove unless the destination lies
        // ahead inside the source (then it re-reads what it wrote).
        guard dst <= src || dst >= src &+ bytes else { return 0 }
        let rvpn = src >> 12, wvpn = dst >> 12
        let re = tlb.entries[TLB.index(set: dataSet, kind: TLB.read, vpn: rvpn)]
        let we = tlb.entries[TLB.index(set: dataSet, kind: TLB.write, vpn: wvpn)]
        guard re.tag == rvpn, we.tag == wvpn else { return 0 }
        let from = UnsafeRawPointer(bitPattern: Int(truncatingIfNeeded: src) &+ re.addend).unsafelyUnwrapped
        let to = UnsafeMutableRawPointer(bitPattern: Int(truncatingIfNeeded: dst) &+ we.addend).unsafelyUnwrapped
        // The last element copied is what the value register ends up holding.
        let last = loadLittleEndian(from + Int(bytes &- w), width: loop.width)
        to.copyMemory(from: from, byteCount: Int(bytes))
        x[loop.value] = loop.signed ? Hart.signExtend(last, width: loop.width) : last
        x[loop.source] = s0 &+ bytes
        x[loop.destination] = d0 &+ bytes
        return Int(n) &* loop.length
    }

    static func signExtend(_ v: UInt64, width: Int) -> UInt64 {
        let shift = UInt64(64 - 8 * width)
        return UInt64(bitPattern: Int64(bitPattern: v << shift) >> Int64(shift))
    }
}
