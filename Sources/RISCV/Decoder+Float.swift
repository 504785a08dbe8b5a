// Decoder+Float.swift — the F and D rows of the instruction table (ISA
// manual, "RV32/64G Instruction Set Listings": RV32F, RV64F, RV32D, RV64D).
// They join `Decoder.patterns`, so the overlap test covers them.
//
// Operations with a rounding-mode field match any rm (bits 14:12): an rm of
// 5 or 6, or a dynamic rm while frm holds 5–7, is illegal when executed
// (Hart+Float.swift), not when decoded — frm can change after decoding.

extension Decoder {
    static let floatPatterns: [InstPattern] = {
        func p(_ m: String, _ match: UInt32, _ mask: UInt32, _ f: InstFormat, _ op: Op) -> InstPattern {
            InstPattern(mnemonic: m, match: match, mask: mask, format: f, op: op)
        }
        let f3: UInt32 = 0x707f          // opcode + funct3
        let r4: UInt32 = 0x0600_007f     // opcode + fmt (bits 26:25); rm free
        let rm: UInt32 = 0xfe00_007f     // funct7 + opcode; rm free
        let rmRs2: UInt32 = 0xfff0_007f  // funct7 + rs2 + opcode; rm free
        let fixed: UInt32 = 0xfe00_707f  // funct7 + funct3 + opcode
        let fixedRs2: UInt32 = 0xfff0_707f
        func opfp(_ funct7: UInt32, rs2: UInt32 = 0, funct3: UInt32 = 0) -> UInt32 {
            funct7 << 25 | rs2 << 20 | funct3 << 12 | 0x53
        }
        var t: [InstPattern] = [
            p("flw", 0x2007, f3, .fload, .flw), p("fld", 0x3007, f3, .fload, .fld),
            p("fsw", 0x2027, f3, .s, .fsw), p("fsd", 0x3027, f3, .s, .fsd),
        ]
        // (suffix, fmt field, ops…) for S (fmt 0) and D (fmt 1).
        let sets: [(String, UInt32, [Op])] = [
            (".s", 0, [.fmadd_s, .fmsub_s, .fnmsub_s, .fnmadd_s, .fadd_s, .fsub_s, .fmul_s, .fdiv_s, .fsqrt_s,
                       .fsgnj_s, .fsgnjn_s, .fsgnjx_s, .fmin_s, .fmax_s,
                       .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s, .fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu,
                       .fmv_x_w, .fmv_w_x, .feq_s, .flt_s, .fle_s, .fclass_s]),
            (".d", 1, [.fmadd_d, .fmsub_d, .fnmsub_d, .fnmadd_d, .fadd_d, .fsub_d, .fmul_d, .fdiv_d, .fsqrt_d,
                       .fsgnj_d, .fsgnjn_d, .fsgnjx_d, .fmin_d, .fmax_d,
                       .fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d, .fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu,
                       .fmv_x_d, .fmv_d_x, .feq_d, .flt_d, .fle_d, .fclass_d]),
        ]
        for (s, fmt, o) in sets {
            let x = s == ".s" ? "w" : "d"   // fmv.x.w / fmv.x.d
            t += [
                p("fmadd" + s, fmt << 25 | 0x43, r4, .fr, o[0]), p("fmsub" + s, fmt << 25 | 0x47, r4, .fr, o[1]),
                p("fnmsub" + s, fmt << 25 | 0x4b, r4, .fr, o[2]), p("fnmadd" + s, fmt << 25 | 0x4f, r4, .fr, o[3]),
                p("fadd" + s, opfp(0x00 | fmt), rm, .fr, o[4]), p("fsub" + s, opfp(0x04 | fmt), rm, .fr, o[5]),
                p("fmul" + s, opfp(0x08 | fmt), rm, .fr, o[6]), p("fdiv" + s, opfp(0x0c | fmt), rm, .fr, o[7]),
                p("fsqrt" + s, opfp(0x2c | fmt), rmRs2, .fr, o[8]),
                p("fsgnj" + s, opfp(0x10 | fmt), fixed, .fr, o[9]),
                p("fsgnjn" + s, opfp(0x10 | fmt, funct3: 1), fixed, .fr, o[10]),
                p("fsgnjx" + s, opfp(0x10 | fmt, funct3: 2), fixed, .fr, o[11]),
                p("fmin" + s, opfp(0x14 | fmt), fixed, .fr, o[12]),
                p("fmax" + s, opfp(0x14 | fmt, funct3: 1), fixed, .fr, o[13]),
                p("fcvt.w" + s, opfp(0x60 | fmt, rs2: 0), rmRs2, .frx, o[14]),
                p("fcvt.wu" + s, opfp(0x60 | fmt, rs2: 1), rmRs2, .frx, o[15]),
                p("fcvt.l" + s, opfp(0x60 | fmt, rs2: 2), rmRs2, .frx, o[16]),
                p("fcvt.lu" + s, opfp(0x60 | fmt, rs2: 3), rmRs2, .frx, o[17]),
                p("fcvt" + s + ".w", opfp(0x68 | fmt, rs2: 0), rmRs2, .fr, o[18]),
                p("fcvt" + s + ".wu", opfp(0x68 | fmt, rs2: 1), rmRs2, .fr, o[19]),
                p("fcvt" + s + ".l", opfp(0x68 | fmt, rs2: 2), rmRs2, .fr, o[20]),
                p("fcvt" + s + ".lu", opfp(0x68 | fmt, rs2: 3), rmRs2, .fr, o[21]),
                p("fmv.x." + x, opfp(0x70 | fmt), fixedRs2, .frx, o[22]),
                p("fmv." + x + ".x", opfp(0x78 | fmt), fixedRs2, .fr, o[23]),
                p("feq" + s, opfp(0x50 | fmt, funct3: 2), fixed, .frx, o[24]),
                p("flt" + s, opfp(0x50 | fmt, funct3: 1), fixed, .frx, o[25]),
                p("fle" + s, opfp(0x50 | fmt, funct3: 0), fixed, .frx, o[26]),
                p("fclass" + s, opfp(0x70 | fmt, funct3: 1), fixedRs2, .frx, o[27]),
            ]
        }
        t.append(p("fcvt.s.d", opfp(0x20, rs2: 1), rmRs2, .fr, .fcvt_s_d))
        t.append(p("fcvt.d.s", opfp(0x21, rs2: 0), rmRs2, .fr, .fcvt_d_s))
        return t
    }()
}
