// Decoder+Compressed.swift — RV64C: each 16-bit instruction expanded to the
// 32-bit instruction it stands for (ISA manual, "C" chapter, table
// "RVC opcode map"), which then decodes through the ordinary table.
//
// Expansion instead of a second set of semantics keeps one implementation of
// every operation; decoding happens once per cached instruction, so the extra
// step costs nothing at run time. Reserved encodings expand to nil (illegal).
// The FP forms (c.fld, c.fsd, c.fldsp, c.fsdsp) expand to fld/fsd
// (Decoder+Float.swift).

extension Decoder {
    /// Decodes a 16-bit instruction.
    public static func decodeCompressed(_ c: UInt16) -> DecodedInst {
        guard let word = expandCompressed(c) else {
            return DecodedInst(op: .illegal, length: 2, raw: UInt32(c))
        }
        return decode(word, length: 2, raw: UInt32(c))
    }

    /// The 32-bit equivalent of a compressed instruction, or nil if reserved.
    public static func expandCompressed(_ c16: UInt16) -> UInt32? {
        let c = UInt32(c16)
        func bits(_ hi: UInt32, _ lo: UInt32) -> UInt32 { (c >> lo) & ((1 << (hi - lo + 1)) - 1) }
        func bit(_ n: UInt32) -> UInt32 { (c >> n) & 1 }
        let funct3 = bits(15, 13)
        let rdFull = bits(11, 7), rs2Full = bits(6, 2)
        let rdP = bits(4, 2) + 8, rs1P = bits(9, 7) + 8   // the x8–x15 "prime" registers
        // 6-bit signed immediate imm[5] = c[12], imm[4:0] = c[6:2] (c.addi, c.li, c.andi…)
        let imm6 = Int32(bitPattern: ((bit(12) << 5 | bits(6, 2)) << 26)) >> 26
        let shamt = bit(12) << 5 | bits(6, 2)

        switch (c & 3, funct3) {
        // Quadrant 0
        case (0, 0b000):  // c.addi4spn
            let nzuimm = bits(12, 11) << 4 | bits(10, 7) << 6 | bit(6) << 2 | bit(5) << 3
            guard nzuimm != 0 else { return nil }   // includes the all-zero word
            return Enc.i(0x13, 0, rdP, 2, Int32(nzuimm))
        case (0, 0b001):  // c.fld
            return Enc.i(0x07, 3, rdP, rs1P, Int32(bits(12, 10) << 3 | bits(6, 5) << 6))
        case (0, 0b010):  // c.lw
            return Enc.i(0x03, 2, rdP, rs1P, Int32(bits(12, 10) << 3 | bit(6) << 2 | bit(5) << 6))
        case (0, 0b011):  // c.ld
            return Enc.i(0x03, 3, rdP, rs1P, Int32(bits(12, 10) << 3 | bits(6, 5) << 6))
        case (0, 0b100):
            return nil
        case (0, 0b101):  // c.fsd
            return Enc.s(0x27, 3, rs1P, rdP, Int32(bits(12, 10) << 3 | bits(6, 5) << 6))
        case (0, 0b110):  // c.sw
            return Enc.s(0x23, 2, rs1P, rdP, Int32(bits(12, 10) << 3 | bit(6) << 2 | bit(5) << 6))
        case (0, 0b111):  // c.sd
            return Enc.s(0x23, 3, rs1P, rdP, Int32(bits(12, 10) << 3 | bits(6, 5) << 6))

        // Quadrant 1
        case (1, 0b000):  // c.addi (c.nop when rd = 0)
            return Enc.i(0x13, 0, rdFull, rdFull, imm6)
        case (1, 0b001):  // c.addiw
            guard rdFull != 0 else { return nil }
            return Enc.i(0x1b, 0, rdFull, rdFull, imm6)
        case (1, 0b010):  // c.li
            return Enc.i(0x13, 0, rdFull, 0, imm6)
        case (1, 0b011):
            if rdFull == 2 {  // c.addi16sp
                let v = bit(12) << 9 | bit(6) << 4 | bit(5) << 6 | bits(4, 3) << 7 | bit(2) << 5
                guard v != 0 else { return nil }
                return Enc.i(0x13, 0, 2, 2, Int32(bitPattern: v << 22) >> 22)
            }
            // c.lui: nzimm[17:12]
            guard imm6 != 0 else { return nil }
            return Enc.u(0x37, rdFull, imm6 << 12)
        case (1, 0b100):
            switch bits(11, 10) {
            case 0b00: return Enc.i(0x13, 5, rs1P, rs1P, Int32(shamt))               // c.srli
            case 0b01: return Enc.i(0x13, 5, rs1P, rs1P, Int32(shamt | 0x400))       // c.srai
            case 0b10: return Enc.i(0x13, 7, rs1P, rs1P, imm6)                        // c.andi
            default:
                let rs2P = bits(4, 2) + 8
                switch (bit(12), bits(6, 5)) {
                case (0, 0b00): return Enc.r(0x33, 0, 0x20, rs1P, rs1P, rs2P)  // c.sub
                case (0, 0b01): return Enc.r(0x33, 4, 0x00, rs1P, rs1P, rs2P)  // c.xor
                case (0, 0b10): return Enc.r(0x33, 6, 0x00, rs1P, rs1P, rs2P)  // c.or
                case (0, 0b11): return Enc.r(0x33, 7, 0x00, rs1P, rs1P, rs2P)  // c.and
                case (1, 0b00): return Enc.r(0x3b, 0, 0x20, rs1P, rs1P, rs2P)  // c.subw
                case (1, 0b01): return Enc.r(0x3b, 0, 0x00, rs1P, rs1P, rs2P)  // c.addw
                default: return nil
                }
            }
        case (1, 0b101):  // c.j
            return Enc.j(0, cjOffset(c))
        case (1, 0b110), (1, 0b111):  // c.beqz, c.bnez
            let v = bit(12) << 8 | bits(11, 10) << 3 | bits(6, 5) << 6 | bits(4, 3) << 1 | bit(2) << 5
            return Enc.b(funct3 == 0b110 ? 0 : 1, rs1P, 0, Int32(bitPattern: v << 23) >> 23)

        // Quadrant 2
        case (2, 0b000):  // c.slli
            return Enc.i(0x13, 1, rdFull, rdFull, Int32(shamt))
        case (2, 0b001):  // c.fldsp
            return Enc.i(0x07, 3, rdFull, 2, Int32(bit(12) << 5 | bits(6, 5) << 3 | bits(4, 2) << 6))
        case (2, 0b010):  // c.lwsp
            guard rdFull != 0 else { return nil }
            return Enc.i(0x03, 2, rdFull, 2, Int32(bit(12) << 5 | bits(6, 4) << 2 | bits(3, 2) << 6))
        case (2, 0b011):  // c.ldsp
            guard rdFull != 0 else { return nil }
            return Enc.i(0x03, 3, rdFull, 2, Int32(bit(12) << 5 | bits(6, 5) << 3 | bits(4, 2) << 6))
        case (2, 0b100):
            switch (bit(12), rdFull, rs2Full) {
            case (0, 0, 0): return nil                                        // c.jr x0: reserved
            case (0, _, 0): return Enc.i(0x67, 0, 0, rdFull, 0)               // c.jr
            case (0, _, _): return Enc.r(0x33, 0, 0, rdFull, 0, rs2Full)      // c.mv
            case (1, 0, 0): return 0x0010_0073                                // c.ebreak
            case (1, _, 0): return Enc.i(0x67, 0, 1, rdFull, 0)               // c.jalr
            default: return Enc.r(0x33, 0, 0, rdFull, rdFull, rs2Full)        // c.add
            }
        case (2, 0b101):  // c.fsdsp
            return Enc.s(0x27, 3, 2, rs2Full, Int32(bits(12, 10) << 3 | bits(9, 7) << 6))
        case (2, 0b110):  // c.swsp
            return Enc.s(0x23, 2, 2, rs2Full, Int32(bits(12, 9) << 2 | bits(8, 7) << 6))
        case (2, 0b111):  // c.sdsp
            return Enc.s(0x23, 3, 2, rs2Full, Int32(bits(12, 10) << 3 | bits(9, 7) << 6))
        default:
            return nil
        }
    }

    /// c.j / c.jal offset: [11|4|9:8|10|6|7|3:1|5] in bits 12:2.
    static func cjOffset(_ c: UInt32) -> Int32 {
        func bit(_ n: UInt32) -> UInt32 { (c >> n) & 1 }
        let v = bit(12) << 11 | bit(11) << 4 | ((c >> 9) & 3) << 8 | bit(8) << 10 | bit(7) << 6
            | bit(6) << 7 | ((c >> 3) & 7) << 1 | bit(2) << 5
        return Int32(bitPattern: v << 20) >> 20
    }
}

/// Instruction encoders, the inverse of `Imm` (used by RVC expansion and tests).
public enum Enc {
    public static func r(_ opcode: UInt32, _ f3: UInt32, _ f7: UInt32, _ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 {
        f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
    }
    public static func i(_ opcode: UInt32, _ f3: UInt32, _ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 {
        (UInt32(bitPattern: imm) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode
    }
    public static func s(_ opcode: UInt32, _ f3: UInt32, _ rs1: UInt32, _ rs2: UInt32, _ imm: Int32) -> UInt32 {
        let v = UInt32(bitPattern: imm)
        return ((v >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (v & 0x1f) << 7 | opcode
    }
    public static func b(_ f3: UInt32, _ rs1: UInt32, _ rs2: UInt32, _ imm: Int32) -> UInt32 {
        let v = UInt32(bitPattern: imm)
        return ((v >> 12) & 1) << 31 | ((v >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12
            | ((v >> 1) & 0xf) << 8 | ((v >> 11) & 1) << 7 | 0x63
    }
    public static func u(_ opcode: UInt32, _ rd: UInt32, _ imm: Int32) -> UInt32 {
        (UInt32(bitPattern: imm) & 0xffff_f000) | rd << 7 | opcode
    }
    public static func j(_ rd: UInt32, _ imm: Int32) -> UInt32 {
        let v = UInt32(bitPattern: imm)
        return ((v >> 20) & 1) << 31 | ((v >> 1) & 0x3ff) << 21 | ((v >> 11) & 1) << 20 | ((v >> 12) & 0xff) << 12
            | rd << 7 | 0x6f
    }
}
