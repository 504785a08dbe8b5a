// Decoder.swift — 32-bit instruction words to `DecodedInst`, by table.
//
// The table lists each instruction as (mnemonic, match, mask, format, op) in
// the order of the spec's opcode map (RISC-V Unprivileged ISA, chapter
// "RV32/64G Instruction Set Listings"). A word matches an entry when
// `word & mask == match`; a test checks that no two entries overlap. Field
// extraction is by named accessors, one per immediate format.
// Compressed instructions are expanded to 32-bit words first
// (Decoder+Compressed.swift) and then go through the same table.

/// How an instruction's operands are laid out in its word.
public enum InstFormat: Sendable {
    case r, i, s, b, u, j
    /// I-type with a 6-bit shift amount (RV64 slli/srli/srai).
    case shift6
    /// I-type with a 5-bit shift amount (the W shifts).
    case shift5
    /// CSR number in imm, source register in rs1.
    case csr
    /// CSR number in imm, 5-bit immediate in rs1.
    case csri
    /// No operands (ecall, mret…); rs1/rs2 kept for sfence.vma.
    case none
    /// I-type whose rd is an FP register (flw, fld): f0 is real, no sink.
    case fload
    /// FP R/R4-type with rs3 and rm in `pad1` (Hart+Float.swift), FP rd.
    case fr
    /// The same with an integer rd (fcvt.w.s, fmv.x.w, feq…): x0 goes to the sink.
    case frx
}

public struct InstPattern: Sendable {
    public let mnemonic: String
    public let match: UInt32
    public let mask: UInt32
    public let format: InstFormat
    public let op: Op
}

public enum Decoder {
    /// The RV64IMAFD + Zicsr + Zifencei + privileged instruction table
    /// (the F and D rows are in Decoder+Float.swift).
    public static let patterns: [InstPattern] = {
        func p(_ m: String, _ match: UInt32, _ mask: UInt32, _ f: InstFormat, _ op: Op) -> InstPattern {
            InstPattern(mnemonic: m, match: match, mask: mask, format: f, op: op)
        }
        let opc: UInt32 = 0x7f, f3: UInt32 = 0x707f, f7: UInt32 = 0xfe00_707f
        let sh6: UInt32 = 0xfc00_707f, amo: UInt32 = 0xf800_707f, lr: UInt32 = 0xf9f0_707f
        var t: [InstPattern] = [
            p("lui", 0x37, opc, .u, .lui),
            p("auipc", 0x17, opc, .u, .auipc),
            p("jal", 0x6f, opc, .j, .jal),
            p("jalr", 0x67, f3, .i, .jalr),
            p("beq", 0x0063, f3, .b, .beq), p("bne", 0x1063, f3, .b, .bne),
            p("blt", 0x4063, f3, .b, .blt), p("bge", 0x5063, f3, .b, .bge),
            p("bltu", 0x6063, f3, .b, .bltu), p("bgeu", 0x7063, f3, .b, .bgeu),
            p("lb", 0x0003, f3, .i, .lb), p("lh", 0x1003, f3, .i, .lh), p("lw", 0x2003, f3, .i, .lw),
            p("ld", 0x3003, f3, .i, .ld), p("lbu", 0x4003, f3, .i, .lbu), p("lhu", 0x5003, f3, .i, .lhu),
            p("lwu", 0x6003, f3, .i, .lwu),
            p("sb", 0x0023, f3, .s, .sb), p("sh", 0x1023, f3, .s, .sh), p("sw", 0x2023, f3, .s, .sw),
            p("sd", 0x3023, f3, .s, .sd),
            p("addi", 0x0013, f3, .i, .addi), p("slti", 0x2013, f3, .i, .slti), p("sltiu", 0x3013, f3, .i, .sltiu),
            p("xori", 0x4013, f3, .i, .xori), p("ori", 0x6013, f3, .i, .ori), p("andi", 0x7013, f3, .i, .andi),
            p("slli", 0x1013, sh6, .shift6, .slli), p("srli", 0x5013, sh6, .shift6, .srli),
            p("srai", 0x4000_5013, sh6, .shift6, .srai),
            p("add", 0x0033, f7, .r, .add), p("sub", 0x4000_0033, f7, .r, .sub), p("sll", 0x1033, f7, .r, .sll),
            p("slt", 0x2033, f7, .r, .slt), p("sltu", 0x3033, f7, .r, .sltu), p("xor", 0x4033, f7, .r, .xor),
            p("srl", 0x5033, f7, .r, .srl), p("sra", 0x4000_5033, f7, .r, .sra), p("or", 0x6033, f7, .r, .or),
            p("and", 0x7033, f7, .r, .and),
            p("addiw", 0x001b, f3, .i, .addiw), p("slliw", 0x101b, f7, .shift5, .slliw),
            p("srliw", 0x501b, f7, .shift5, .srliw), p("sraiw", 0x4000_501b, f7, .shift5, .sraiw),
            p("addw", 0x003b, f7, .r, .addw), p("subw", 0x4000_003b, f7, .r, .subw), p("sllw", 0x103b, f7, .r, .sllw),
            p("srlw", 0x503b, f7, .r, .srlw), p("sraw", 0x4000_503b, f7, .r, .sraw),
            // fence ignores fm/pred/succ/rs1/rd (FENCE.TSO and PAUSE are fences too).
            p("fence", 0x000f, f3, .none, .fence),
            p("fence.i", 0x100f, f3, .none, .fence_i),
            p("ecall", 0x0000_0073, 0xffff_ffff, .none, .ecall),
            p("ebreak", 0x0010_0073, 0xffff_ffff, .none, .ebreak),
            p("sret", 0x1020_0073, 0xffff_ffff, .none, .sret),
            p("mret", 0x3020_0073, 0xffff_ffff, .none, .mret),
            p("wfi", 0x1050_0073, 0xffff_ffff, .none, .wfi),
            p("sfence.vma", 0x1200_0073, 0xfe00_7fff, .r, .sfence_vma),
            p("csrrw", 0x1073, f3, .csr, .csrrw), p("csrrs", 0x2073, f3, .csr, .csrrs),
            p("csrrc", 0x3073, f3, .csr, .csrrc), p("csrrwi", 0x5073, f3, .csri, .csrrwi),
            p("csrrsi", 0x6073, f3, .csri, .csrrsi), p("csrrci", 0x7073, f3, .csri, .csrrci),
            p("mul", 0x0200_0033, f7, .r, .mul), p("mulh", 0x0200_1033, f7, .r, .mulh),
            p("mulhsu", 0x0200_2033, f7, .r, .mulhsu), p("mulhu", 0x0200_3033, f7, .r, .mulhu),
            p("div", 0x0200_4033, f7, .r, .div), p("divu", 0x0200_5033, f7, .r, .divu),
            p("rem", 0x0200_6033, f7, .r, .rem), p("remu", 0x0200_7033, f7, .r, .remu),
            p("mulw", 0x0200_003b, f7, .r, .mulw), p("divw", 0x0200_403b, f7, .r, .divw),
            p("divuw", 0x0200_503b, f7, .r, .divuw), p("remw", 0x0200_603b, f7, .r, .remw),
            p("remuw", 0x0200_703b, f7, .r, .remuw),
        ]
        // A: funct5 in bits 31:27, aq/rl (bits 26:25) accepted and ignored —
        // one host thread runs every hart, so every access is already ordered.
        let amos: [(String, UInt32, Op, Op)] = [
            ("amoadd", 0b00000, .amoadd_w, .amoadd_d), ("amoswap", 0b00001, .amoswap_w, .amoswap_d),
            ("sc", 0b00011, .sc_w, .sc_d), ("amoxor", 0b00100, .amoxor_w, .amoxor_d),
            ("amoor", 0b01000, .amoor_w, .amoor_d), ("amoand", 0b01100, .amoand_w, .amoand_d),
            ("amomin", 0b10000, .amomin_w, .amomin_d), ("amomax", 0b10100, .amomax_w, .amomax_d),
            ("amominu", 0b11000, .amominu_w, .amominu_d), ("amomaxu", 0b11100, .amomaxu_w, .amomaxu_d),
        ]
        t.append(p("lr.w", 0x1000_202f, lr, .r, .lr_w))
        t.append(p("lr.d", 0x1000_302f, lr, .r, .lr_d))
        for (name, f5, w, d) in amos {
            t.append(p(name + ".w", f5 << 27 | 0x202f, amo, .r, w))
            t.append(p(name + ".d", f5 << 27 | 0x302f, amo, .r, d))
        }
        t += floatPatterns
        return t
    }()

    /// Patterns bucketed by the major opcode (bits 6:2) so decoding scans a
    /// handful of entries instead of the whole table.
    static let buckets: [[InstPattern]] = {
        var b = [[InstPattern]](repeating: [], count: 32)
        for p in patterns {
            precondition(p.mask & 0x7f == 0x7f, "every pattern fixes its major opcode")
            b[Int((p.match >> 2) & 0x1f)].append(p)
        }
        return b
    }()

    /// Finds the pattern a 32-bit word matches, or nil if it is illegal.
    public static func pattern(for word: UInt32) -> InstPattern? {
        guard word & 3 == 3 else { return nil }
        for p in buckets[Int((word >> 2) & 0x1f)] where word & p.mask == p.match { return p }
        return nil
    }

    /// Decodes a 32-bit instruction word (or a compressed one already
    /// expanded, with `length` 2 and `raw` the 16 original bits).
    public static func decode(_ word: UInt32, length: UInt8 = 4, raw: UInt32? = nil) -> DecodedInst {
        let rawBits = raw ?? word
        guard let p = pattern(for: word) else {
            return DecodedInst(op: .illegal, length: length, raw: rawBits)
        }
        let rd = UInt8((word >> 7) & 31), rs1 = UInt8((word >> 15) & 31), rs2 = UInt8((word >> 20) & 31)
        var d = DecodedInst(op: p.op, rd: rd, rs1: rs1, rs2: rs2, imm: 0, length: length, raw: rawBits)
        switch p.format {
        case .r, .none: break
        case .i: d.imm = Imm.i(word)
        case .s: d.imm = Imm.s(word)
        case .b: d.imm = Imm.b(word)
        case .u: d.imm = Imm.u(word)
        case .j: d.imm = Imm.j(word)
        case .shift6: d.imm = Int32((word >> 20) & 63)
        case .shift5: d.imm = Int32((word >> 20) & 31)
        case .csr, .csri: d.imm = Int32((word >> 20) & 0xfff)
        case .fload: d.imm = Imm.i(word)
        case .fr, .frx: d.pad1 = DecodedInst.floatFields(word)
        }
        // Writes to x0 go to the sink register instead (see DecodedInst);
        // an FP rd names f0…f31, all real.
        if d.rd == 0 && p.format != .fload && p.format != .fr { d.rd = Hart.sinkRegister }
        return d
    }
}

/// Immediate extraction, one accessor per format (ISA manual figure 2.4).
public enum Imm {
    @inline(__always) static func signed(_ v: UInt32, bits: Int) -> Int32 {
        Int32(bitPattern: v << UInt32(32 - bits)) >> Int32(32 - bits)
    }
    public static func i(_ w: UInt32) -> Int32 { Int32(bitPattern: w) >> 20 }
    public static func s(_ w: UInt32) -> Int32 {
        (Int32(bitPattern: w & 0xfe00_0000) >> 20) | Int32((w >> 7) & 0x1f)
    }
    public static func b(_ w: UInt32) -> Int32 {
        let v = ((w >> 31) & 1) << 12 | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3f) << 5 | ((w >> 8) & 0xf) << 1
        return signed(v, bits: 13)
    }
    public static func u(_ w: UInt32) -> Int32 { Int32(bitPattern: w & 0xffff_f000) }
    public static func j(_ w: UInt32) -> Int32 {
        let v = ((w >> 31) & 1) << 20 | ((w >> 12) & 0xff) << 12 | ((w >> 20) & 1) << 11 | ((w >> 21) & 0x3ff) << 1
        return signed(v, bits: 21)
    }
}
