// Hart+Float.swift — the F and D extensions (unprivileged spec ch. 11–12):
// the semantics of every FP instruction around the arithmetic core in
// SoftFloat.swift — register access with NaN boxing, the rounding mode,
// fflags accrual, mstatus.FS. The decoder rows are in Decoder+Float.swift,
// the fflags/frm/fcsr CSRs in CSR.swift.
//
// The interpreter's hot switch (Hart+Execute.swift) sends every FP op to
// `executeFloat` through one case, out of line, so integer code pays
// nothing for this file.

extension DecodedInst {
    /// rs3 (bits 31:27) and rm (bits 14:12) of an FP instruction, packed
    /// into `pad1`: rs3 in bits 4:0, rm in bits 10:8.
    static func floatFields(_ word: UInt32) -> UInt16 {
        UInt16(truncatingIfNeeded: (word >> 27) & 31) | UInt16(truncatingIfNeeded: (word >> 12) & 7) << 8
    }

    /// The third source register of fmadd/fmsub/fnmsub/fnmadd.
    public var rs3: UInt8 { UInt8(truncatingIfNeeded: pad1 & 31) }
    /// The rounding-mode field (7 = dynamic: use frm).
    public var rm: UInt8 { UInt8(truncatingIfNeeded: (pad1 >> 8) & 7) }
}

extension Hart {
    /// The upper half of a NaN-boxed single (spec §12.2).
    static let nanBox: UInt64 = 0xffff_ffff_0000_0000

    /// f[r] as a single: its low 32 bits if properly NaN-boxed; otherwise
    /// the value reads as the canonical NaN (spec §12.2).
    @inline(__always)
    func single(_ r: UInt8) -> UInt64 {
        let v = f[Int(r & 31)]
        return v >= Hart.nanBox ? v & 0xffff_ffff : FloatFormat.single.canonicalNaN
    }

    /// Any write of FP state makes mstatus.FS Dirty (and so SD set).
    @inline(__always)
    func markFloatDirty() { mstatus |= CSRBits.fs }

    @inline(__always)
    func setFloat(_ r: UInt8, _ v: UInt64, _ fmt: FloatFormat) {
        f[Int(r & 31)] = fmt.fractionBits == 52 ? v : v | Hart.nanBox
        markFloatDirty()
    }

    @inline(__always)
    func operand(_ r: UInt8, _ fmt: FloatFormat) -> UInt64 {
        fmt.fractionBits == 52 ? f[Int(r & 31)] : single(r)
    }

    /// The instruction's rounding mode, or nil if it is reserved (rm 5, 6,
    /// or dynamic with frm ≥ 5): those are illegal instructions.
    @inline(__always)
    func roundingMode(_ d: DecodedInst) -> RoundingMode? {
        RoundingMode(rawValue: d.rm == 7 ? UInt8(truncatingIfNeeded: (fcsr >> 5) & 7) : d.rm)
    }

    /// Executes an F or D instruction. False if it trapped.
    @inline(never)
    func executeFloat(_ d: DecodedInst, pc: UInt64) -> Bool {
        // FS = Off: every FP instruction is illegal (privileged spec
        // §3.1.6.6), which is how an OS notices first use of the FPU.
        guard mstatus & CSRBits.fs != 0 else { return illegalFloat(d, pc) }
        let op = d.op
        let fmt: FloatFormat = op.rawValue >= Op.fmadd_d.rawValue && op.rawValue <= Op.fclass_d.rawValue ? .double : .single
        let imm = UInt64(bitPattern: Int64(d.imm))
        let rd = Int(d.rd)
        var flags = FPFlags()

        switch op {
        // MARK: Loads and stores (through the integer paths: same TLB, same traps)
        case .flw:
            guard let v = load(x[Int(d.rs1)] &+ imm, width: 4, pc: pc) else { return false }
            setFloat(d.rd, v, .single)
        case .fld:
            guard let v = load(x[Int(d.rs1)] &+ imm, width: 8, pc: pc) else { return false }
            setFloat(d.rd, v, .double)
        case .fsw:
            // The low 32 bits, boxed or not (spec §12.2: stores don't unbox).
            guard store(x[Int(d.rs1)] &+ imm, width: 4, f[Int(d.rs2 & 31)] & 0xffff_ffff, pc: pc) else { return false }
        case .fsd:
            guard store(x[Int(d.rs1)] &+ imm, width: 8, f[Int(d.rs2 & 31)], pc: pc) else { return false }

        // MARK: Arithmetic
        case .fadd_s, .fadd_d, .fsub_s, .fsub_d, .fmul_s, .fmul_d, .fdiv_s, .fdiv_d:
            guard let rm = roundingMode(d) else { return illegalFloat(d, pc) }
            let a = operand(d.rs1, fmt), b = operand(d.rs2, fmt)
            let r: UInt64 = switch op {
            case .fadd_s, .fadd_d: SoftFloat.add(a, b, fmt, rm, &flags)
            case .fsub_s, .fsub_d: SoftFloat.sub(a, b, fmt, rm, &flags)
            case .fmul_s, .fmul_d: SoftFloat.mul(a, b, fmt, rm, &flags)
            default: SoftFloat.div(a, b, fmt, rm, &flags)
            }
            setFloat(d.rd, r, fmt)
        case .fsqrt_s, .fsqrt_d:
            guard let rm = roundingMode(d) else { return illegalFloat(d, pc) }
            setFloat(d.rd, SoftFloat.sqrt(operand(d.rs1, fmt), fmt, rm, &flags), fmt)
        case .fmadd_s, .fmsub_s, .fnmsub_s, .fnmadd_s, .fmadd_d, .fmsub_d, .fnmsub_d, .fnmadd_d:
            guard let rm = roundingMode(d) else { return illegalFloat(d, pc) }
            let negateProduct = op == .fnmsub_s || op == .fnmadd_s || op == .fnmsub_d || op == .fnmadd_d
            let negateAddend = op == .fmsub_s || op == .fnmadd_s || op == .fmsub_d || op == .fnmadd_d
            let r = SoftFloat.fma(operand(d.rs1, fmt), operand(d.rs2, fmt), operand(d.rs3, fmt),
                                  negateProduct: negateProduct, negateAddend: negateAddend, fmt, rm, &flags)
            setFloat(d.rd, r, fmt)

        // MARK: Sign injection, min/max (no rounding, no rm field)
        case .fsgnj_s, .fsgnj_d, .fsgnjn_s, .fsgnjn_d, .fsgnjx_s, .fsgnjx_d:
            let a = operand(d.rs1, fmt), b = operand(d.rs2, fmt), sign = fmt.signBit
            let s: UInt64 = switch op {
            case .fsgnj_s, .fsgnj_d: b & sign
            case .fsgnjn_s, .fsgnjn_d: ~b & sign
            default: (a ^ b) & sign
            }
            setFloat(d.rd, (a & ~sign) | s, fmt)
        case .fmin_s, .fmin_d, .fmax_s, .fmax_d:
            let isMax = op == .fmax_s || op == .fmax_d
            setFloat(d.rd, SoftFloat.minMax(operand(d.rs1, fmt), operand(d.rs2, fmt), max: isMax, fmt, &flags), fmt)

        // MARK: Conversions
        case .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s, .fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d:
            guard let rm = roundingMode(d) else { return illegalFloat(d, pc) }
            let signed = op == .fcvt_w_s || op == .fcvt_l_s || op == .fcvt_w_d || op == .fcvt_l_d
            let bits = op == .fcvt_w_s || op == .fcvt_wu_s || op == .fcvt_w_d || op == .fcvt_wu_d ? 32 : 64
            x[rd] = SoftFloat.toInteger(operand(d.rs1, fmt), signed: signed, bits: bits, fmt, rm, &flags)
        case .fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu, .fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu:
            guard let rm = roundingMode(d) else { return illegalFloat(d, pc) }
            let v = x[Int(d.rs1)]
            let r: UInt64 = switch op {
            case .fcvt_s_w, .fcvt_d_w: SoftFloat.fromInteger(sext32(v), signed: true, fmt, rm, &flags)
            case .fcvt_s_wu, .fcvt_d_wu: SoftFloat.fromInteger(v & 0xffff_ffff, signed: false, fmt, rm, &flags)
            case .fcvt_s_l, .fcvt_d_l: SoftFloat.fromInteger(v, signed: true, fmt, rm, &flags)
            default: SoftFloat.fromInteger(v, signed: false, fmt, rm, &flags)
            }
            setFloat(d.rd, r, fmt)
        case .fcvt_s_d:
            guard let rm = roundingMode(d) else { return illegalFloat(d, pc) }
            setFloat(d.rd, SoftFloat.convert(f[Int(d.rs1 & 31)], from: .double, to: .single, rm, &flags), .single)
        case .fcvt_d_s:
            // Exact, but the rm field is still checked (as Spike and QEMU do).
            guard let rm = roundingMode(d) else { return illegalFloat(d, pc) }
            setFloat(d.rd, SoftFloat.convert(single(d.rs1), from: .single, to: .double, rm, &flags), .double)

        // MARK: Moves, comparisons, classification (integer results)
        case .fmv_x_w:
            // The raw low 32 bits, boxed or not.
            x[rd] = sext32(f[Int(d.rs1 & 31)])
        case .fmv_x_d:
            x[rd] = f[Int(d.rs1 & 31)]
        case .fmv_w_x:
            setFloat(d.rd, x[Int(d.rs1)] & 0xffff_ffff, .single)
        case .fmv_d_x:
            setFloat(d.rd, x[Int(d.rs1)], .double)
        case .feq_s, .feq_d:
            x[rd] = SoftFloat.equal(operand(d.rs1, fmt), operand(d.rs2, fmt), fmt, &flags) ? 1 : 0
        case .flt_s, .flt_d, .fle_s, .fle_d:
            let orEqual = op == .fle_s || op == .fle_d
            x[rd] = SoftFloat.less(operand(d.rs1, fmt), operand(d.rs2, fmt), orEqual: orEqual, fmt, &flags) ? 1 : 0
        case .fclass_s, .fclass_d:
            x[rd] = SoftFloat.classify(operand(d.rs1, fmt), fmt)

        default:
            return illegalFloat(d, pc)
        }
        if flags.rawValue != 0 {
            fcsr |= flags.rawValue
            markFloatDirty()
        }
        return true
    }

    @inline(never)
    func illegalFloat(_ d: DecodedInst, _ pc: UInt64) -> Bool {
        raiseException(.illegalInstruction, tval: UInt64(d.raw), pc: pc)
        return false
    }
}
