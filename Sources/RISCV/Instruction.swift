// Instruction.swift — the decoded form of one instruction, and the cache page
// that holds decoded instructions for one physical page of RAM.
//
// Decoding happens once per instruction location (see MemorySystem's code
// cache); execution then reads this 16-byte value. Compressed instructions
// decode to the same operations as their 32-bit expansions, with `length` 2.

/// Every operation the hart executes. The raw values are dense so that the
/// interpreter's `switch` compiles to one jump table.
public enum Op: UInt8, CaseIterable, Sendable {
    /// Not decoded yet: the interpreter decodes it in place and retries.
    case undecoded = 0
    /// A 32-bit instruction straddling a page boundary: never cached, fetched
    /// and decoded on the slow path each time.
    case straddle
    /// Sentinel after the last entry of a page: sequential flow left the page.
    case pageEnd
    case illegal

    // RV64I
    case lui, auipc, jal, jalr
    case beq, bne, blt, bge, bltu, bgeu
    case lb, lh, lw, ld, lbu, lhu, lwu
    case sb, sh, sw, sd
    case addi, slti, sltiu, xori, ori, andi, slli, srli, srai
    case add, sub, sll, slt, sltu, xor, srl, sra, or, and
    case addiw, slliw, srliw, sraiw, addw, subw, sllw, srlw, sraw
    case fence, fence_i, ecall, ebreak
    // Privileged
    case mret, sret, wfi, sfence_vma
    // Zicsr
    case csrrw, csrrs, csrrc, csrrwi, csrrsi, csrrci
    // M
    case mul, mulh, mulhsu, mulhu, div, divu, rem, remu
    case mulw, divw, divuw, remw, remuw
    // A
    case lr_w, sc_w, amoswap_w, amoadd_w, amoxor_w, amoand_w, amoor_w
    case amomin_w, amomax_w, amominu_w, amomaxu_w
    case lr_d, sc_d, amoswap_d, amoadd_d, amoxor_d, amoand_d, amoor_d
    case amomin_d, amomax_d, amominu_d, amomaxu_d
    // F and D (Hart+Float.swift). Kept last, after every integer operation,
    // so the interpreter's switch sends them all to one out-of-line case.
    // fmadd_d…fclass_d stay one contiguous block: executeFloat picks the
    // double format by that range.
    case flw, fsw, fld, fsd
    case fmadd_s, fmsub_s, fnmsub_s, fnmadd_s, fadd_s, fsub_s, fmul_s, fdiv_s, fsqrt_s
    case fsgnj_s, fsgnjn_s, fsgnjx_s, fmin_s, fmax_s
    case fcvt_w_s, fcvt_wu_s, fcvt_l_s, fcvt_lu_s, fcvt_s_w, fcvt_s_wu, fcvt_s_l, fcvt_s_lu
    case fmv_x_w, fmv_w_x, feq_s, flt_s, fle_s, fclass_s
    case fmadd_d, fmsub_d, fnmsub_d, fnmadd_d, fadd_d, fsub_d, fmul_d, fdiv_d, fsqrt_d
    case fsgnj_d, fsgnjn_d, fsgnjx_d, fmin_d, fmax_d
    case fcvt_w_d, fcvt_wu_d, fcvt_l_d, fcvt_lu_d, fcvt_d_w, fcvt_d_wu, fcvt_d_l, fcvt_d_lu
    case fmv_x_d, fmv_d_x, feq_d, flt_d, fle_d, fclass_d
    case fcvt_s_d, fcvt_d_s
}

extension Op {
    /// Bytes a load or store moves; 0 for every other operation.
    var accessWidth: Int {
        switch self {
        case .lb, .lbu, .sb: 1
        case .lh, .lhu, .sh: 2
        case .lw, .lwu, .sw: 4
        case .ld, .sd: 8
        default: 0
        }
    }
}

/// One decoded instruction (16 bytes).
///
/// Register fields are already adjusted for the interpreter: a write to x0 is
/// redirected to the sink register 32 (`Hart.sinkRegister`), so no
/// instruction has to test `rd == 0`.
public struct DecodedInst: Sendable, Equatable {
    public var op: Op
    public var rd: UInt8
    public var rs1: UInt8
    public var rs2: UInt8
    /// 2 for compressed instructions, 4 otherwise.
    public var length: UInt8
    public var pad0: UInt8 = 0
    /// Backward branches: the registers their loop writes (Hart+Loops.swift).
    public var pad1: UInt16 = 0
    /// Immediate (sign-extended), shift amount, or CSR number.
    public var imm: Int32
    /// The instruction bits as fetched (16 or 32 bits): `mtval` for illegal
    /// instructions, and the disassembler's input.
    public var raw: UInt32

    public init(op: Op, rd: UInt8 = 0, rs1: UInt8 = 0, rs2: UInt8 = 0, imm: Int32 = 0, length: UInt8 = 4, raw: UInt32 = 0) {
        self.op = op
        self.rd = rd
        self.rs1 = rs1
        self.rs2 = rs2
        self.length = length
        self.imm = imm
        self.raw = raw
    }

    static let undecoded = DecodedInst(op: .undecoded)
    static let pageEnd = DecodedInst(op: .pageEnd)
}

/// Decoded instructions for one 4 KiB page: one slot per halfword, plus the
/// `pageEnd` sentinel so the interpreter needs no bounds check when it falls
/// off the end of the page.
final class DecodedPage {
    static let slots = 2048
    let entries: UnsafeMutablePointer<DecodedInst>

    init() {
        entries = .allocate(capacity: Self.slots + 2)
        entries.initialize(repeating: .undecoded, count: Self.slots)
        (entries + Self.slots).initialize(repeating: .pageEnd, count: 2)
    }

    /// A page whose every slot ends the block (the straddling instruction's
    /// scratch page; see `Hart.executeStraddling`). Two sentinels follow the
    /// last slot because an instruction there may fall through to +4.
    static func allEnds() -> DecodedPage {
        let page = DecodedPage()
        page.entries.update(repeating: .pageEnd, count: Self.slots)
        return page
    }

    deinit { entries.deallocate() }

    func clear() {
        entries.update(repeating: .undecoded, count: Self.slots)
    }

    /// Marks slots `from...to` (halfword indices, clamped) undecoded.
    func invalidate(from: Int, to: Int) {
        let lo = max(0, from), hi = min(Self.slots - 1, to)
        guard lo <= hi else { return }
        (entries + lo).update(repeating: .undecoded, count: hi - lo + 1)
    }
}
