// SoftFloatTests.swift — the float core against an independent oracle and
// against hand-worked cases.
//
// The oracle is the host's x86-64 SSE unit driven through <fenv.h>: it
// rounds in four of the five modes and raises the same five flags with
// the same tininess rule as RISC-V (after rounding). Only NaN encodings
// differ (x86 propagates payloads; RISC-V returns the canonical NaN), and
// x86 has no round-to-nearest-max-magnitude, which has its own cases below.
// The soft core is checked with its host fast path off and on.

import Testing
import TestSupport
@testable import RISCV
#if canImport(Glibc)
import Glibc
#endif

/// Operand generators over TestSupport's splitmix64.
extension SplitMix {
    /// An operand that is often special or near a boundary: zeros,
    /// infinities, NaNs, subnormals, the largest finites, values near 1,
    /// and random bit patterns.
    mutating func operand(_ fmt: FloatFormat) -> UInt64 {
        let r = next()
        let sign = (r >> 63) & 1 == 1 ? fmt.signBit : 0
        let frac = next() & fmt.fractionMask
        let top = fmt.maxBiased
        switch r % 16 {
        case 0: return sign | [0, fmt.infinity, fmt.canonicalNaN, fmt.infinity | 1, fmt.maxFinite, 1, fmt.fractionMask][Int(r >> 8) % 7]
        case 1, 2: return sign | frac >> (r >> 8 & 31)                                          // subnormal
        case 3: return sign | (1 + (r >> 8) % 3) << UInt64(fmt.fractionBits) | frac              // just normal
        case 4: return sign | (top - 1 - (r >> 8) % 3) << UInt64(fmt.fractionBits) | frac      // near overflow
        case 5, 6: return sign | (UInt64(fmt.bias) + (r >> 8) % 8 &- 4) << UInt64(fmt.fractionBits) | frac  // near 1
        case 7: return sign | (UInt64(fmt.bias) << UInt64(fmt.fractionBits)) | (frac & ~(fmt.fractionMask >> 4))  // short significand
        // Around the underflow threshold, and just above/below 1: their
        // products and quotients decide tininess after rounding.
        case 8: return sign | (fmt.fractionMask - (r >> 8) % 4 + ((r >> 12) & 1 == 1 ? fmt.fractionMask + 1 : 0))
        case 9: return (r >> 8) & 1 == 1 ? sign | UInt64(fmt.bias) << UInt64(fmt.fractionBits) | (r >> 9) % 4
            : sign | UInt64(fmt.bias - 1) << UInt64(fmt.fractionBits) | (fmt.fractionMask - (r >> 9) % 4)
        default: return next() & (fmt.signBit | (fmt.signBit - 1))
        }
    }
}

#if arch(x86_64) && canImport(Glibc)
/// Runs `body` on the host under `rm`; returns its result and the RISC-V flags it raised.
func host<T>(_ rm: RoundingMode, _ body: () -> T) -> (T, UInt64) {
    // <fenv.h>'s x86-64 values (glibc's enum/macro pairs import ambiguously).
    let modes: [Int32] = [0, 0xc00, 0x400, 0x800]   // TONEAREST, TOWARDZERO, DOWNWARD, UPWARD
    let inexact: Int32 = 0x20, underflow: Int32 = 0x10, overflow: Int32 = 0x08, divByZero: Int32 = 0x04, invalid: Int32 = 0x01
    let all = inexact | underflow | overflow | divByZero | invalid
    fesetround(modes[Int(rm.rawValue)])
    feclearexcept(all)
    let v = body()
    let e = fetestexcept(all)
    fesetround(0)
    var f: UInt64 = 0
    if e & inexact != 0 { f |= 1 }
    if e & underflow != 0 { f |= 2 }
    if e & overflow != 0 { f |= 4 }
    if e & divByZero != 0 { f |= 8 }
    if e & invalid != 0 { f |= 16 }
    return (v, f)
}

@Suite("Soft float against the host FPU")
struct SoftFloatOracleTests {
    enum Operation: String, CaseIterable { case add, sub, mul, div, sqrt, fma, fnmsub, toOther, fromI64, fromU32 }
    static let modes: [RoundingMode] = [.nearestEven, .towardZero, .down, .up]

    static func soft(_ o: Operation, _ a: UInt64, _ b: UInt64, _ c: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode,
                     host useHost: Bool) -> (UInt64, UInt64) {
        var fl = FPFlags()
        let r: UInt64 = switch o {
        case .add: SoftFloat.add(a, b, fmt, rm, &fl, host: useHost)
        case .sub: SoftFloat.sub(a, b, fmt, rm, &fl, host: useHost)
        case .mul: SoftFloat.mul(a, b, fmt, rm, &fl, host: useHost)
        case .div: SoftFloat.div(a, b, fmt, rm, &fl, host: useHost)
        case .sqrt: SoftFloat.sqrt(a, fmt, rm, &fl, host: useHost)
        case .fma: SoftFloat.fma(a, b, c, negateProduct: false, negateAddend: false, fmt, rm, &fl, host: useHost)
        case .fnmsub: SoftFloat.fma(a, b, c, negateProduct: true, negateAddend: false, fmt, rm, &fl, host: useHost)
        case .toOther: SoftFloat.convert(a, from: fmt, to: fmt == .double ? .single : .double, rm, &fl)
        case .fromI64: SoftFloat.fromInteger(a | b << 32, signed: true, fmt, rm, &fl)
        case .fromU32: SoftFloat.fromInteger(a & 0xffff_ffff, signed: false, fmt, rm, &fl)
        }
        return (r, fl.rawValue)
    }

    static func oracle(_ o: Operation, _ a: UInt64, _ b: UInt64, _ c: UInt64, _ fmt: FloatFormat,
                       _ rm: RoundingMode) -> (UInt64, UInt64) {
        if fmt == .double {
            let x = Double(bitPattern: a), y = Double(bitPattern: b), z = Double(bitPattern: c)
            let (r, f): (UInt64, UInt64) = host(rm) {
                switch o {
                case .add: (x + y).bitPattern
                case .sub: (x - y).bitPattern
                case .mul: (x * y).bitPattern
                case .div: (x / y).bitPattern
                case .sqrt: x.squareRoot().bitPattern
                case .fma: Glibc.fma(x, y, z).bitPattern
                case .fnmsub: Glibc.fma(-x, y, z).bitPattern
                case .toOther: UInt64(Float(x).bitPattern)
                case .fromI64: Double(Int64(bitPattern: a | b << 32)).bitPattern
                case .fromU32: Double(Int64(a & 0xffff_ffff)).bitPattern   // not Double(UInt32): its -Onone lowering makes −0 under RDN
                }
            }
            return (r, f)
        }
        let x = Float(bitPattern: UInt32(truncatingIfNeeded: a)), y = Float(bitPattern: UInt32(truncatingIfNeeded: b))
        let z = Float(bitPattern: UInt32(truncatingIfNeeded: c))
        return host(rm) {
            switch o {
            case .add: UInt64((x + y).bitPattern)
            case .sub: UInt64((x - y).bitPattern)
            case .mul: UInt64((x * y).bitPattern)
            case .div: UInt64((x / y).bitPattern)
            case .sqrt: UInt64(x.squareRoot().bitPattern)
            case .fma: UInt64(Glibc.fmaf(x, y, z).bitPattern)
            case .fnmsub: UInt64(Glibc.fmaf(-x, y, z).bitPattern)
            case .toOther: Double(x).bitPattern
            case .fromI64: UInt64(Float(Int64(bitPattern: a | b << 32)).bitPattern)
            case .fromU32: UInt64(Float(Int64(a & 0xffff_ffff)).bitPattern)
            }
        }
    }

    @Test("every rounding mode, random and boundary operands, bits and flags",
          arguments: Operation.allCases, [FloatFormat.single, .double])
    func agree(_ o: Operation, _ fmt: FloatFormat) {
        var g = SplitMix(seed: 0x5eed &* UInt64(Operation.allCases.firstIndex(of: o)! + 1) &+ (fmt == .double ? 1 : 0))
        var failures = 0
        let dest: FloatFormat = o == .toOther ? (fmt == .double ? .single : .double) : fmt
        for i in 0..<20_000 {
            let a = g.operand(fmt), b = g.operand(fmt), c = g.operand(fmt)
            let rm = Self.modes[i % 4]
            var (want, wantFlags) = Self.oracle(o, a, b, c, fmt, rm)
            // RISC-V makes ∞ × 0 invalid even with a quiet-NaN addend; IEEE
            // leaves it to the implementation and x86 does not signal.
            if o == .fma || o == .fnmsub, fmt.isNaN(c),
               (fmt.isInfinite(a) && fmt.isZero(b)) || (fmt.isZero(a) && fmt.isInfinite(b)) {
                wantFlags |= FPFlags.invalid.rawValue
            }
            for useHost in [false, true] {
                let (got, gotFlags) = Self.soft(o, a, b, c, fmt, rm, host: useHost)
                let same = dest.isNaN(want) ? got == dest.canonicalNaN : got == want
                if !same || gotFlags != wantFlags {
                    failures += 1
                    if failures <= 5 {
                        Issue.record("\(o) \(fmt.fractionBits) rm \(rm) host \(useHost) a \(hex(a)) b \(hex(b)) c \(hex(c)): got \(hex(got)) flags \(gotFlags), want \(hex(want)) flags \(wantFlags)")
                    }
                }
            }
        }
        #expect(failures == 0)
    }

    @Test("fused multiply-add near cancellation (c ≈ −a·b): host fast path and soft core against the host FPU",
          arguments: [FloatFormat.single, .double])
    func fmaCancellation(_ fmt: FloatFormat) {
        var g = SplitMix(seed: 99)
        var failures = 0
        for i in 0..<20_000 {
            // Moderate a and b with short or full significands; c = −round(a·b) nudged by a few ulps.
            let e = UInt64(fmt.bias) + g.next() % 16 &- 8
            let short = i % 3 == 0 ? ~(fmt.fractionMask >> 6) : ~0
            let a = (g.next() & fmt.signBit) | e << UInt64(fmt.fractionBits) | (g.next() & fmt.fractionMask & short)
            let b = (g.next() & fmt.signBit) | e << UInt64(fmt.fractionBits) | (g.next() & fmt.fractionMask & short)
            var f0 = FPFlags()
            let p = SoftFloat.mul(a, b, fmt, .nearestEven, &f0, host: false)
            let c = (p ^ fmt.signBit) &+ (g.next() % 5) &- 2
            let rm = Self.modes[i % 4]
            let (want, wantFlags) = Self.oracle(.fma, a, b, c, fmt, rm)
            for useHost in [false, true] {
                let (got, gotFlags) = Self.soft(.fma, a, b, c, fmt, rm, host: useHost)
                if got != want || gotFlags != wantFlags {
                    failures += 1
                    if failures <= 5 { Issue.record("fma \(hex(a)) \(hex(b)) \(hex(c)) rm \(rm) host \(useHost): got \(hex(got)) \(gotFlags) want \(hex(want)) \(wantFlags)") }
                }
            }
        }
        #expect(failures == 0)
    }

    @Test("conversions to integers in range agree with Swift's rounded(_:) (every mode)", arguments: [FloatFormat.single, .double])
    func toIntegerInRange(_ fmt: FloatFormat) {
        var g = SplitMix(seed: 77)
        var failures = 0
        for i in 0..<20_000 {
            // Magnitudes below 2^62: in range for Int64 after any rounding.
            let e = UInt64(fmt.bias) + g.next() % 62 &- 8
            let a = (g.next() & fmt.signBit) | e << UInt64(fmt.fractionBits) | (g.next() & fmt.fractionMask)
            let rm = Self.modes[i % 4]
            let x = fmt == .double ? Double(bitPattern: a) : Double(Float(bitPattern: UInt32(truncatingIfNeeded: a)))
            let want = UInt64(bitPattern: Int64(x.rounded(hostRule(rm))))
            let inexactWant: UInt64 = x.rounded(hostRule(rm)) == x ? 0 : 1
            var fl = FPFlags()
            let got = SoftFloat.toInteger(a, signed: true, bits: 64, fmt, rm, &fl)
            if got != want || fl.rawValue != inexactWant {
                failures += 1
                if failures <= 5 { Issue.record("\(hex(a)) rm \(rm): got \(hex(got)) \(fl.rawValue) want \(hex(want)) \(inexactWant)") }
            }
        }
        #expect(failures == 0)
    }

    func hostRule(_ rm: RoundingMode) -> FloatingPointRoundingRule {
        switch rm {
        case .nearestEven: .toNearestOrEven
        case .towardZero: .towardZero
        case .down: .down
        case .up: .up
        case .nearestMaxMagnitude: .toNearestOrAwayFromZero
        }
    }
}
#endif

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

@Suite("Soft float: hand-worked cases")
struct SoftFloatCaseTests {
    let s = FloatFormat.single, d = FloatFormat.double

    func add(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode) -> (UInt64, FPFlags) {
        var f = FPFlags()
        return (SoftFloat.add(a, b, fmt, rm, &f, host: false), f)
    }

    @Test("round to nearest, ties to max magnitude")
    func rmm() {
        // 1 + 2^-24 (single): a tie between 1 and 1 + 2^-23; RNE keeps 1, RMM goes up.
        #expect(add(0x3f80_0000, 0x3380_0000, s, .nearestEven) == (0x3f80_0000, .inexact))
        #expect(add(0x3f80_0000, 0x3380_0000, s, .nearestMaxMagnitude) == (0x3f80_0001, .inexact))
        // Negative ties go away from zero too.
        #expect(add(0xbf80_0000, 0xb380_0000, s, .nearestMaxMagnitude) == (0xbf80_0001, .inexact))
        // Overflow under RMM is ∞.
        #expect(add(0x7f7f_ffff, 0x7f7f_ffff, s, .nearestMaxMagnitude) == (0x7f80_0000, [.overflow, .inexact]))
        var f = FPFlags()
        #expect(SoftFloat.toInteger(0x3fc0_0000, signed: true, bits: 32, s, .nearestMaxMagnitude, &f) == 2)   // 1.5 → 2
        #expect(SoftFloat.toInteger(0x4020_0000, signed: true, bits: 32, s, .nearestMaxMagnitude, &f) == 3)   // 2.5 → 3
        #expect(SoftFloat.toInteger(0xc020_0000, signed: true, bits: 32, s, .nearestMaxMagnitude, &f) == UInt64(bitPattern: -3))
        #expect(SoftFloat.toInteger(0x4020_0000, signed: true, bits: 32, s, .nearestEven, &f) == 2)           // 2.5 → 2
    }

    @Test("overflow by rounding mode and sign")
    func overflow() {
        let max = d.maxFinite, inf = d.infinity, neg = d.signBit
        #expect(add(max, max, d, .towardZero).0 == max)
        #expect(add(max, max, d, .down).0 == max)
        #expect(add(max, max, d, .up).0 == inf)
        #expect(add(max | neg, max | neg, d, .up).0 == max | neg)
        #expect(add(max | neg, max | neg, d, .down).0 == inf | neg)
        #expect(add(max, max, d, .nearestEven) == (inf, [.overflow, .inexact]))
    }

    @Test("underflow is detected after rounding")
    func tininessAfterRounding() {
        // (2^-126 − 2^-150) rounds up to 2^-126 under RNE with an unbounded
        // exponent, so it is not tiny: NX without UF. Built as a sum of two
        // doubles narrowed to single.
        var f = FPFlags()
        let v = SoftFloat.convert(0x380f_ffff_f000_0000, from: d, to: s, .nearestEven, &f)   // 2^-126·(1 − 2^-24)
        #expect(v == 0x0080_0000 && f == .inexact)
        f = []
        _ = SoftFloat.convert(0x380f_ffff_f000_0000, from: d, to: s, .towardZero, &f)
        #expect(f == [.inexact, .underflow], "RTZ leaves it tiny")
        // Exact subnormal results raise nothing.
        f = []
        #expect(SoftFloat.mul(0x0080_0000, 0x3f00_0000, s, .nearestEven, &f, host: false) == 0x0040_0000 && f == [])
    }

    @Test("signed zeros")
    func zeros() {
        let nz = d.signBit
        #expect(add(0x3ff0_0000_0000_0000, 0xbff0_0000_0000_0000, d, .nearestEven).0 == 0)
        #expect(add(0x3ff0_0000_0000_0000, 0xbff0_0000_0000_0000, d, .down).0 == nz)
        #expect(add(nz, nz, d, .nearestEven).0 == nz)
        #expect(add(nz, 0, d, .nearestEven).0 == 0)
        #expect(add(nz, 0, d, .down).0 == nz)
        var f = FPFlags()
        #expect(SoftFloat.sqrt(nz, d, .nearestEven, &f) == nz && f == [])
        #expect(SoftFloat.mul(nz, 0x3ff0_0000_0000_0000, d, .nearestEven, &f) == nz)
        #expect(SoftFloat.fma(nz, 0x3ff0_0000_0000_0000, 0, negateProduct: false, negateAddend: false, d, .nearestEven, &f) == 0)
        #expect(SoftFloat.fma(nz, 0x3ff0_0000_0000_0000, nz, negateProduct: false, negateAddend: false, d, .nearestEven, &f) == nz)
    }

    @Test("invalid operations give the canonical NaN and NV; ∞×0 even with a quiet-NaN addend")
    func invalid() {
        var f = FPFlags()
        #expect(SoftFloat.fma(s.infinity, 0, s.canonicalNaN, negateProduct: false, negateAddend: false, s, .nearestEven, &f) == s.canonicalNaN)
        #expect(f == .invalid)
        f = []
        #expect(SoftFloat.fma(0x3f80_0000, 0x3f80_0000, s.canonicalNaN, negateProduct: false, negateAddend: false, s, .nearestEven, &f) == s.canonicalNaN)
        #expect(f == [], "a quiet NaN addend alone is not invalid")
        f = []
        #expect(SoftFloat.div(0, 0, d, .nearestEven, &f) == d.canonicalNaN && f == .invalid)
        f = []
        #expect(SoftFloat.div(0x3ff0_0000_0000_0000, d.signBit, d, .nearestEven, &f) == d.infinity | d.signBit && f == .divideByZero)
        f = []
        #expect(SoftFloat.sqrt(0xbf80_0000, s, .nearestEven, &f) == s.canonicalNaN && f == .invalid)
        f = []
        // NaN payloads are not propagated: a quiet NaN with a payload gives the canonical NaN, no flag.
        #expect(SoftFloat.add(0x7fc1_2345, 0x3f80_0000, s, .nearestEven, &f) == s.canonicalNaN && f == [])
        #expect(SoftFloat.add(0x7f81_2345, 0x3f80_0000, s, .nearestEven, &f) == s.canonicalNaN && f == .invalid)
    }

    @Test("conversions to integers at and beyond the limits")
    func integerLimits() {
        func cvt(_ a: UInt64, _ fmt: FloatFormat, signed: Bool, bits: Int, _ rm: RoundingMode = .towardZero) -> (UInt64, FPFlags) {
            var f = FPFlags()
            return (SoftFloat.toInteger(a, signed: signed, bits: bits, fmt, rm, &f), f)
        }
        let two31 = 0x41e0_0000_0000_0000 as UInt64       // 2^31 (double)
        #expect(cvt(two31, d, signed: true, bits: 32) == (0x7fff_ffff, .invalid))
        #expect(cvt(0x41df_ffff_ffc0_0000, d, signed: true, bits: 32) == (0x7fff_ffff, []))   // 2^31 − 1
        #expect(cvt(0x41df_ffff_ffe0_0000, d, signed: true, bits: 32) == (0x7fff_ffff, .inexact))   // 2^31 − 0.5, RTZ
        #expect(cvt(0x41df_ffff_ffe0_0000, d, signed: true, bits: 32, .nearestEven) == (0x7fff_ffff, .invalid))   // rounds to 2^31
        #expect(cvt(two31 | d.signBit, d, signed: true, bits: 32) == (0xffff_ffff_8000_0000, []))
        #expect(cvt(0xc1e0_0000_0010_0000, d, signed: true, bits: 32) == (0xffff_ffff_8000_0000, .inexact))   // −2^31 − 0.5 RTZ
        #expect(cvt(0xc1e0_0000_0010_0000, d, signed: true, bits: 32, .down) == (0xffff_ffff_8000_0000, .invalid))
        #expect(cvt(0x41f0_0000_0000_0000, d, signed: false, bits: 32) == (.max, .invalid))           // 2^32 → 0xffffffff, sign-extended
        #expect(cvt(0x41ef_ffff_ffe0_0000, d, signed: false, bits: 32) == (.max, []))                 // 2^32 − 1
        #expect(cvt(0xbfe0_0000_0000_0000, d, signed: false, bits: 32) == (0, .inexact))              // −0.5 RTZ → 0
        #expect(cvt(0xbfe0_0000_0000_0000, d, signed: false, bits: 32, .down) == (0, .invalid))       // −0.5 RDN → −1
        #expect(cvt(0xbff0_0000_0000_0000, d, signed: false, bits: 64) == (0, .invalid))              // −1
        #expect(cvt(0x43e0_0000_0000_0000, d, signed: true, bits: 64) == (0x7fff_ffff_ffff_ffff, .invalid))   // 2^63
        #expect(cvt(0xc3e0_0000_0000_0000, d, signed: true, bits: 64) == (0x8000_0000_0000_0000, []))         // −2^63
        #expect(cvt(0x43f0_0000_0000_0000, d, signed: false, bits: 64) == (.max, .invalid))                   // 2^64
        #expect(cvt(0x43ef_ffff_ffff_ffff, d, signed: false, bits: 64) == (0xffff_ffff_ffff_f800, []))
        #expect(cvt(d.canonicalNaN | d.signBit, d, signed: true, bits: 64) == (0x7fff_ffff_ffff_ffff, .invalid), "NaN → max even if negative")
        #expect(cvt(d.canonicalNaN, d, signed: false, bits: 32) == (.max, .invalid))
        #expect(cvt(d.infinity | d.signBit, d, signed: true, bits: 32) == (0xffff_ffff_8000_0000, .invalid))
        #expect(cvt(d.infinity | d.signBit, d, signed: false, bits: 64) == (0, .invalid))
        #expect(cvt(0x7f80_0000, s, signed: true, bits: 64) == (0x7fff_ffff_ffff_ffff, .invalid))
        #expect(cvt(0x0000_0001, s, signed: true, bits: 32, .up) == (1, .inexact))        // tiny subnormal rounds up
        #expect(cvt(0x8000_0001, s, signed: true, bits: 32, .down) == (.max, .inexact))   // → −1
    }

    @Test("fmin/fmax: NaN rules and signed zeros")
    func minMax() {
        var f = FPFlags()
        #expect(SoftFloat.minMax(s.signBit, 0, max: false, s, &f) == s.signBit)
        #expect(SoftFloat.minMax(0, s.signBit, max: false, s, &f) == s.signBit)
        #expect(SoftFloat.minMax(s.signBit, 0, max: true, s, &f) == 0)
        #expect(SoftFloat.minMax(s.canonicalNaN, 0x3f80_0000, max: false, s, &f) == 0x3f80_0000 && f == [])
        #expect(SoftFloat.minMax(0x7f80_0001, 0x3f80_0000, max: true, s, &f) == 0x3f80_0000 && f == .invalid)
        f = []
        #expect(SoftFloat.minMax(0x7fc0_0001, 0x7f80_0001, max: true, s, &f) == s.canonicalNaN && f == .invalid)
    }

    @Test("comparisons: feq is quiet, flt/fle signal on any NaN")
    func compare() {
        var f = FPFlags()
        #expect(!SoftFloat.equal(s.canonicalNaN, s.canonicalNaN, s, &f) && f == [])
        #expect(!SoftFloat.equal(0x7f80_0001, 0, s, &f) && f == .invalid)
        f = []
        #expect(!SoftFloat.less(s.canonicalNaN, 0, orEqual: true, s, &f) && f == .invalid)
        f = []
        #expect(SoftFloat.equal(s.signBit, 0, s, &f) && SoftFloat.less(s.signBit, 0, orEqual: true, s, &f))
        #expect(!SoftFloat.less(s.signBit, 0, orEqual: false, s, &f) && f == [])
        #expect(SoftFloat.less(0xbf80_0000, 0xbf00_0000, orEqual: false, s, &f))   // −1 < −0.5
    }

    @Test("fclass: one bit per class")
    func classify() {
        let cases: [(UInt64, Int)] = [(0xff80_0000, 0), (0xbf80_0000, 1), (0x8000_0001, 2), (0x8000_0000, 3),
                                      (0, 4), (1, 5), (0x3f80_0000, 6), (0x7f80_0000, 7), (0x7f80_0001, 8), (0x7fc0_0000, 9)]
        for (v, bit) in cases { #expect(SoftFloat.classify(v, s) == 1 << UInt64(bit), "\(hex(v))") }
        #expect(SoftFloat.classify(0x000f_ffff_ffff_ffff, d) == 1 << 5)
    }
}
