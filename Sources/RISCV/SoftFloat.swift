// SoftFloat.swift — IEEE 754-2008 binary32/binary64 arithmetic in software,
// with every rounding mode and the five exception flags, as the RISC-V F and
// D extensions define them (unprivileged spec ch. 11–12). Written from the
// IEEE 754 standard; the instruction semantics around it (NaN boxing,
// register access, fcsr) are in Hart+Float.swift.
//
// Why software: host Float/Double round only to nearest-even and report no
// flags. One format-generic core does every operation exactly: operands are
// unpacked to an integer significand and an exponent (value = sig · 2^exp),
// combined exactly (or with a sticky bit far below the rounding point) in a
// UInt128, and `roundPack` rounds once. RISC-V specifics: every NaN result
// is the canonical NaN; tininess is detected after rounding; conversions to
// integers saturate. A host fast path (`HostFloat`, at the end) serves
// round-to-nearest-even when the flags can be proved cheaply.

/// The five rounding modes, numbered as the `rm` field and `frm` encode them.
public enum RoundingMode: UInt8, Sendable, CaseIterable {
    case nearestEven = 0, towardZero = 1, down = 2, up = 3, nearestMaxMagnitude = 4
}

/// Accrued exception flags, laid out as `fflags` (NV DZ OF UF NX = bits 4…0).
public struct FPFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static let inexact = FPFlags(rawValue: 1)
    public static let underflow = FPFlags(rawValue: 2)
    public static let overflow = FPFlags(rawValue: 4)
    public static let divideByZero = FPFlags(rawValue: 8)
    public static let invalid = FPFlags(rawValue: 16)
}

/// An IEEE binary interchange format: its field widths and derived constants.
/// Values of the format travel as bit patterns in the low bits of a UInt64.
public struct FloatFormat: Sendable, Equatable {
    public let exponentBits: Int
    public let fractionBits: Int

    public static let single = FloatFormat(exponentBits: 8, fractionBits: 23)
    public static let double = FloatFormat(exponentBits: 11, fractionBits: 52)

    /// Significand bits including the hidden one (24, 53).
    @inline(__always) var precision: Int { fractionBits + 1 }
    @inline(__always) var bias: Int { (1 << (exponentBits - 1)) - 1 }
    @inline(__always) var emin: Int { 1 - bias }
    @inline(__always) var emax: Int { bias }
    @inline(__always) var maxBiased: UInt64 { (1 << UInt64(exponentBits)) - 1 }
    @inline(__always) var signBit: UInt64 { 1 << UInt64(exponentBits + fractionBits) }
    @inline(__always) var fractionMask: UInt64 { (1 << UInt64(fractionBits)) - 1 }
    @inline(__always) var quietBit: UInt64 { 1 << UInt64(fractionBits - 1) }
    @inline(__always) var infinity: UInt64 { maxBiased << UInt64(fractionBits) }
    @inline(__always) var maxFinite: UInt64 { infinity - 1 }
    /// RISC-V's canonical NaN: positive, quiet, zero payload (0x7fc00000, 0x7ff8000000000000).
    @inline(__always) public var canonicalNaN: UInt64 { infinity | quietBit }

    @inline(__always) func magnitude(_ a: UInt64) -> UInt64 { a & (signBit - 1) }
    @inline(__always) func isNaN(_ a: UInt64) -> Bool { magnitude(a) > infinity }
    @inline(__always) func isSignalingNaN(_ a: UInt64) -> Bool { isNaN(a) && a & quietBit == 0 }
    @inline(__always) func isInfinite(_ a: UInt64) -> Bool { magnitude(a) == infinity }
    @inline(__always) func isZero(_ a: UInt64) -> Bool { magnitude(a) == 0 }
    @inline(__always) func isNegative(_ a: UInt64) -> Bool { a & signBit != 0 }
    @inline(__always) func signed(_ negative: Bool, _ magnitude: UInt64) -> UInt64 { negative ? magnitude | signBit : magnitude }

    /// A finite nonzero value as (sign, exponent, integer significand):
    /// value = sig · 2^exp. Subnormals keep their short significand.
    @inline(__always) func unpack(_ a: UInt64) -> (negative: Bool, exp: Int, sig: UInt64) {
        let biased = Int((a >> UInt64(fractionBits)) & maxBiased)
        let fraction = a & fractionMask
        if biased == 0 { return (isNegative(a), emin - fractionBits, fraction) }
        return (isNegative(a), biased - bias - fractionBits, fraction | (1 << UInt64(fractionBits)))
    }
}

/// Where the discarded part of a value lies relative to half a unit in the
/// last kept place.
enum RoundingRest {
    case exact, belowHalf, half, aboveHalf
}

public enum SoftFloat {
    // MARK: Rounding

    /// Shifts `sig` right by `s` (left if s ≤ 0, which must not overflow)
    /// and says what was discarded.
    @inline(__always)
    static func shiftRightRounding(_ sig: UInt128, by s: Int) -> (UInt128, RoundingRest) {
        if s <= 0 { return (sig << UInt128(-s), .exact) }
        if s > 128 { return (0, sig == 0 ? .exact : .belowHalf) }
        let kept = s == 128 ? 0 : sig >> UInt128(s)
        let rest = s == 128 ? sig : sig & ((1 << UInt128(s)) - 1)
        let half: UInt128 = 1 << UInt128(s - 1)
        let r: RoundingRest = rest == 0 ? .exact : rest < half ? .belowHalf : rest == half ? .half : .aboveHalf
        return (kept, r)
    }

    /// Whether a value whose kept part is odd/even, with `rest` discarded,
    /// rounds up in magnitude.
    @inline(__always)
    static func roundsUp(_ rest: RoundingRest, odd: Bool, negative: Bool, _ rm: RoundingMode) -> Bool {
        if rest == .exact { return false }
        switch rm {
        case .nearestEven: return rest == .aboveHalf || (rest == .half && odd)
        case .towardZero: return false
        case .down: return negative
        case .up: return !negative
        case .nearestMaxMagnitude: return rest != .belowHalf
        }
    }

    /// Shifts right, ORing everything shifted out into bit 0 (the sticky bit).
    @inline(__always)
    static func shiftRightSticky(_ v: UInt128, _ s: Int) -> UInt128 {
        if s <= 0 { return v }
        if s >= 128 { return v == 0 ? 0 : 1 }
        return v >> UInt128(s) | (v & ((1 << UInt128(s)) - 1) == 0 ? 0 : 1)
    }

    /// Rounds sig · 2^exp (sig may carry a sticky bit at least two places
    /// below the rounding point) to the format: the one place every
    /// arithmetic result is rounded, overflow and underflow detected.
    static func roundPack(_ negative: Bool, _ exp: Int, _ sig: UInt128, _ fmt: FloatFormat,
                          _ rm: RoundingMode, _ flags: inout FPFlags) -> UInt64 {
        guard sig != 0 else { return fmt.signed(negative, 0) }
        let p = fmt.precision
        // The value lies in [2^e, 2^(e+1)).
        let e = exp + (128 - sig.leadingZeroBitCount) - 1
        if e > fmt.emax { return overflow(negative, fmt, rm, &flags) }
        let tiny = e < fmt.emin
        // Exponent of the result's last place: fixed at the subnormal
        // quantum below the normal range.
        let lastPlace = (tiny ? fmt.emin : e) - (p - 1)
        let (kept, rest) = shiftRightRounding(sig, by: lastPlace - exp)
        var m = UInt64(truncatingIfNeeded: kept)
        if roundsUp(rest, odd: m & 1 != 0, negative: negative, rm) { m &+= 1 }
        if rest != .exact {
            flags.insert(.inexact)
            // Underflow needs tininess *after* rounding (RISC-V's choice):
            // would rounding to p bits with an unbounded exponent still be
            // below 2^emin? Only a value just under 2^emin can round out of it.
            if tiny {
                var stillTiny = true
                if e == fmt.emin - 1 {
                    let (u, urest) = shiftRightRounding(sig, by: e - (p - 1) - exp)
                    var uu = UInt64(truncatingIfNeeded: u)
                    if roundsUp(urest, odd: uu & 1 != 0, negative: negative, rm) { uu &+= 1 }
                    stillTiny = uu >> UInt64(p) == 0
                }
                if stillTiny { flags.insert(.underflow) }
            }
        }
        // m includes the hidden bit, so adding it to (biased exponent − 1)
        // sets the exponent field; a carry out of the significand moves to
        // the next binade (or from the largest subnormal to the smallest
        // normal) by itself.
        let bits = tiny ? m : (UInt64(e + fmt.bias - 1) << UInt64(fmt.fractionBits)) &+ m
        if bits >= fmt.infinity { return overflow(negative, fmt, rm, &flags) }
        return fmt.signed(negative, bits)
    }

    static func overflow(_ negative: Bool, _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FPFlags) -> UInt64 {
        flags.formUnion([.overflow, .inexact])
        let toInfinity: Bool = switch rm {
        case .nearestEven, .nearestMaxMagnitude: true
        case .towardZero: false
        case .down: negative
        case .up: !negative
        }
        return fmt.signed(negative, toInfinity ? fmt.infinity : fmt.maxFinite)
    }

    /// The canonical NaN, raising NV if either operand is a signaling NaN.
    @inline(__always)
    static func propagateNaN(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ flags: inout FPFlags) -> UInt64 {
        if fmt.isSignalingNaN(a) || fmt.isSignalingNaN(b) { flags.insert(.invalid) }
        return fmt.canonicalNaN
    }

    @inline(__always)
    static func invalid(_ fmt: FloatFormat, _ flags: inout FPFlags) -> UInt64 {
        flags.insert(.invalid)
        return fmt.canonicalNaN
    }

    /// A zero that is the exact sum of opposite-signed values: +0, except −0
    /// when rounding down (IEEE 754 §6.3).
    @inline(__always)
    static func exactZeroSum(_ rm: RoundingMode, _ fmt: FloatFormat) -> UInt64 {
        rm == .down ? fmt.signBit : 0
    }

    /// Places a significand's top bit at bit 125 (two bits of headroom for
    /// a carry), adjusting the exponent so the value is unchanged.
    @inline(__always)
    static func justify(_ sig: UInt128, _ exp: Int) -> (UInt128, Int) {
        let shift = sig.leadingZeroBitCount - 2
        return (sig << UInt128(shift), exp - shift)
    }

    /// x + y for finite nonzero x, y given as sign, exponent, significand.
    /// Both are justified to bit 125; the smaller is shifted into a sticky
    /// bit. The shift is exact while the smaller one's trailing zeros last
    /// (≥ 20 bits even for a 106-bit product); beyond that the larger term
    /// dominates, the result keeps ≥ 124 bits, and the sticky bit lies far
    /// below the rounding point.
    static func addFinite(_ xNeg: Bool, _ xExp: Int, _ xSig: UInt128, _ yNeg: Bool, _ yExp: Int, _ ySig: UInt128,
                          _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FPFlags) -> UInt64 {
        var (x, ex) = justify(xSig, xExp)
        var (y, ey) = justify(ySig, yExp)
        var xn = xNeg, yn = yNeg
        if ey > ex || (ey == ex && y > x) {
            swap(&x, &y); swap(&ex, &ey); swap(&xn, &yn)
        }
        y = shiftRightSticky(y, ex - ey)
        if xn == yn { return roundPack(xn, ex, x + y, fmt, rm, &flags) }
        let diff = x - y   // x ≥ y by the ordering above
        if diff == 0 { return exactZeroSum(rm, fmt) }
        return roundPack(xn, ex, diff, fmt, rm, &flags)
    }

    // MARK: Arithmetic

    public static func add(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FPFlags,
                           host: Bool = true) -> UInt64 {
        if host && rm == .nearestEven, let r = HostFloat.add(a, b, fmt, &flags) { return r }
        if fmt.isNaN(a) || fmt.isNaN(b) { return propagateNaN(a, b, fmt, &flags) }
        if fmt.isInfinite(a) {
            if fmt.isInfinite(b) && fmt.isNegative(a) != fmt.isNegative(b) { return invalid(fmt, &flags) }
            return a
        }
        if fmt.isInfinite(b) { return b }
        if fmt.isZero(a) {
            if fmt.isZero(b) { return fmt.isNegative(a) == fmt.isNegative(b) ? a : exactZeroSum(rm, fmt) }
            return b
        }
        if fmt.isZero(b) { return a }
        let x = fmt.unpack(a), y = fmt.unpack(b)
        return addFinite(x.negative, x.exp, UInt128(x.sig), y.negative, y.exp, UInt128(y.sig), fmt, rm, &flags)
    }

    public static func sub(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FPFlags,
                           host: Bool = true) -> UInt64 {
        // a − b = a + (−b); a NaN b stays a NaN (and keeps its signaling bit).
        add(a, b ^ fmt.signBit, fmt, rm, &flags, host: host)
    }

    public static func mul(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FPFlags,
                           host: Bool = true) -> UInt64 {
        if host && rm == .nearestEven, let r = HostFloat.mul(a, b, fmt, &flags) { return r }
        if fmt.isNaN(a) || fmt.isNaN(b) { return propagateNaN(a, b, fmt, &flags) }
        let negative = fmt.isNegative(a) != fmt.isNegative(b)
        if fmt.isInfinite(a) || fmt.isInfinite(b) {
            if fmt.isZero(a) || fmt.isZero(b) { return invalid(fmt, &flags) }
            return fmt.signed(negative, fmt.infinity)
        }
        if fmt.isZero(a) || fmt.isZero(b) { return fmt.signed(negative, 0) }
        let x = fmt.unpack(a), y = fmt.unpack(b)
        return roundPack(negative, x.exp + y.exp, UInt128(x.sig) * UInt128(y.sig), fmt, rm, &flags)
    }

    /// (a × b) + c with one rounding; `negateProduct`/`negateAddend` give
    /// fmsub (−c), fnmsub (−ab) and fnmadd (−ab − c).
    public static func fma(_ a: UInt64, _ b: UInt64, _ c: UInt64, negateProduct: Bool, negateAddend: Bool,
                           _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FPFlags, host: Bool = true) -> UInt64 {
        if host && rm == .nearestEven,
           let r = HostFloat.fma(negateProduct ? a ^ fmt.signBit : a, b, negateAddend ? c ^ fmt.signBit : c, fmt, &flags) {
            return r
        }
        let infTimesZero = (fmt.isInfinite(a) && fmt.isZero(b)) || (fmt.isZero(a) && fmt.isInfinite(b))
        if fmt.isNaN(a) || fmt.isNaN(b) || fmt.isNaN(c) {
            // ∞ × 0 is invalid even when the addend is a quiet NaN (spec §11.6).
            if infTimesZero || fmt.isSignalingNaN(a) || fmt.isSignalingNaN(b) || fmt.isSignalingNaN(c) {
                flags.insert(.invalid)
            }
            return fmt.canonicalNaN
        }
        if infTimesZero { return invalid(fmt, &flags) }
        let productNeg = (fmt.isNegative(a) != fmt.isNegative(b)) != negateProduct
        let addendNeg = fmt.isNegative(c) != negateAddend
        if fmt.isInfinite(a) || fmt.isInfinite(b) {
            if fmt.isInfinite(c) && addendNeg != productNeg { return invalid(fmt, &flags) }
            return fmt.signed(productNeg, fmt.infinity)
        }
        if fmt.isInfinite(c) { return fmt.signed(addendNeg, fmt.infinity) }
        if fmt.isZero(a) || fmt.isZero(b) {
            // An exact zero product: the sum is c, or a signed zero.
            if fmt.isZero(c) { return productNeg == addendNeg ? fmt.signed(productNeg, 0) : exactZeroSum(rm, fmt) }
            return fmt.signed(addendNeg, fmt.magnitude(c))
        }
        let x = fmt.unpack(a), y = fmt.unpack(b)
        let product = UInt128(x.sig) * UInt128(y.sig)
        if fmt.isZero(c) { return roundPack(productNeg, x.exp + y.exp, product, fmt, rm, &flags) }
        let z = fmt.unpack(c)
        return addFinite(productNeg, x.exp + y.exp, product, addendNeg, z.exp, UInt128(z.sig), fmt, rm, &flags)
    }

    public static func div(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FPFlags,
                           host: Bool = true) -> UInt64 {
        if host && rm == .nearestEven, let r = HostFloat.div(a, b, fmt, &flags) { return r }
        if fmt.isNaN(a) || fmt.isNaN(b) { return propagateNaN(a, b, fmt, &flags) }
        let negative = fmt.isNegative(a) != fmt.isNegative(b)
        if fmt.isInfinite(a) {
            if fmt.isInfinite(b) { return invalid(fmt, &flags) }
            return fmt.signed(negative, fmt.infinity)
        }
        if fmt.isInfinite(b) { return fmt.signed(negative, 0) }
        if fmt.isZero(b) {
            if fmt.isZero(a) { return invalid(fmt, &flags) }
            flags.insert(.divideByZero)
            return fmt.signed(negative, fmt.infinity)
        }
        if fmt.isZero(a) { return fmt.signed(negative, 0) }
        let x = fmt.unpack(a), y = fmt.unpack(b)
        // Dividend justified to bit 125 over a ≤ 53-bit divisor: the
        // quotient has ≥ 72 bits, and a nonzero remainder becomes the sticky bit.
        let (n, ne) = justify(UInt128(x.sig), x.exp)
        let d = UInt128(y.sig)
        let (q, r) = n.quotientAndRemainder(dividingBy: d)
        return roundPack(negative, ne - y.exp, q | (r == 0 ? 0 : 1), fmt, rm, &flags)
    }

    public static func sqrt(_ a: UInt64, _ fmt: FloatFormat, _ rm: RoundingMode, _ flags: inout FPFlags,
                            host: Bool = true) -> UInt64 {
        if host && rm == .nearestEven, let r = HostFloat.sqrt(a, fmt, &flags) { return r }
        if fmt.isNaN(a) { return propagateNaN(a, a, fmt, &flags) }
        if fmt.isZero(a) { return a }   // √−0 = −0
        if fmt.isNegative(a) { return invalid(fmt, &flags) }
        if fmt.isInfinite(a) { return a }
        let x = fmt.unpack(a)
        // Scale to a 125- or 126-bit radicand with an even exponent, so the
        // integer root has ≥ 62 bits (p + 2 needs 55).
        var shift = 125 - (64 - x.sig.leadingZeroBitCount)
        if (x.exp - shift) & 1 != 0 { shift += 1 }
        let (root, rest) = isqrt(UInt128(x.sig) << UInt128(shift))
        return roundPack(false, (x.exp - shift) >> 1, root | (rest == 0 ? 0 : 1), fmt, rm, &flags)
    }

    /// Integer square root of v < 2^126, digit by digit: (⌊√v⌋, v − ⌊√v⌋²).
    static func isqrt(_ v: UInt128) -> (UInt128, UInt128) {
        var rest = v, root: UInt128 = 0
        var bit: UInt128 = 1 << 126
        while bit > v { bit >>= 2 }
        while bit != 0 {
            if rest >= root + bit {
                rest -= root + bit
                root = (root >> 1) + bit
            } else {
                root >>= 1
            }
            bit >>= 2
        }
        return (root, rest)
    }

    // MARK: Conversions

    /// A signed or unsigned 64-bit integer to the format.
    public static func fromInteger(_ v: UInt64, signed: Bool, _ fmt: FloatFormat, _ rm: RoundingMode,
                                   _ flags: inout FPFlags) -> UInt64 {
        let negative = signed && Int64(bitPattern: v) < 0
        let magnitude = negative ? 0 &- v : v
        return roundPack(negative, 0, UInt128(magnitude), fmt, rm, &flags)
    }

    /// The format to a `bits`-bit (32 or 64) integer, saturating as RISC-V
    /// requires (spec §11.7 table): NaN and +overflow give the largest
    /// value, −overflow the smallest; both raise NV instead of NX. The result
    /// is sign-extended from `bits` (so fcvt.wu of 2^32−1 reads as −1 in rd).
    public static func toInteger(_ a: UInt64, signed: Bool, bits: Int, _ fmt: FloatFormat, _ rm: RoundingMode,
                                 _ flags: inout FPFlags) -> UInt64 {
        let width = UInt64(bits)
        let maxValue: UInt64 = signed ? (1 << (width - 1)) - 1 : (bits == 64 ? .max : (1 << width) - 1)
        let minValue: UInt64 = signed ? 0 &- (1 << (width - 1)) : 0
        func extend(_ v: UInt64) -> UInt64 { bits == 64 ? v : sext32(v) }
        if fmt.isNaN(a) { flags.insert(.invalid); return extend(maxValue) }
        let negative = fmt.isNegative(a)
        if fmt.isInfinite(a) { flags.insert(.invalid); return extend(negative ? minValue : maxValue) }
        if fmt.isZero(a) { return 0 }
        let x = fmt.unpack(a)
        // Magnitude rounded to an integer; anything of 2^65 or more is out of
        // range for every destination, so it is not computed exactly.
        let rounded: UInt128
        var inexact = false
        if x.exp >= 0 {
            rounded = x.exp > 64 ? 1 << 65 : UInt128(x.sig) << UInt128(x.exp)
        } else {
            let (kept, rest) = shiftRightRounding(UInt128(x.sig), by: -x.exp)
            rounded = kept + (roundsUp(rest, odd: kept & 1 != 0, negative: negative, rm) ? 1 : 0)
            inexact = rest != .exact
        }
        let limit: UInt128 = negative ? (signed ? UInt128(1) << UInt128(width - 1) : 0) : UInt128(maxValue)
        if rounded > limit { flags.insert(.invalid); return extend(negative ? minValue : maxValue) }
        if inexact { flags.insert(.inexact) }
        let magnitude = UInt64(truncatingIfNeeded: rounded)
        return extend(negative ? 0 &- magnitude : magnitude)
    }

    /// Between formats: widening is exact, narrowing rounds. NaNs become the
    /// destination's canonical NaN (NV if signaling).
    public static func convert(_ a: UInt64, from: FloatFormat, to: FloatFormat, _ rm: RoundingMode,
                               _ flags: inout FPFlags) -> UInt64 {
        if from.isNaN(a) {
            if from.isSignalingNaN(a) { flags.insert(.invalid) }
            return to.canonicalNaN
        }
        let negative = from.isNegative(a)
        if from.isInfinite(a) { return to.signed(negative, to.infinity) }
        if from.isZero(a) { return to.signed(negative, 0) }
        let x = from.unpack(a)
        return roundPack(negative, x.exp, UInt128(x.sig), to, rm, &flags)
    }

    // MARK: Comparisons, min/max, classification

    /// feq: quiet — NV only for a signaling NaN.
    public static func equal(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ flags: inout FPFlags) -> Bool {
        if fmt.isNaN(a) || fmt.isNaN(b) {
            if fmt.isSignalingNaN(a) || fmt.isSignalingNaN(b) { flags.insert(.invalid) }
            return false
        }
        return a == b || (fmt.isZero(a) && fmt.isZero(b))
    }

    /// flt (orEqual false) and fle (true): signaling — NV for any NaN.
    public static func less(_ a: UInt64, _ b: UInt64, orEqual: Bool, _ fmt: FloatFormat, _ flags: inout FPFlags) -> Bool {
        if fmt.isNaN(a) || fmt.isNaN(b) { flags.insert(.invalid); return false }
        if fmt.isZero(a) && fmt.isZero(b) { return orEqual }
        if a == b { return orEqual }
        return orderedBelow(a, b, fmt)
    }

    /// a < b for non-NaN a ≠ b by bit pattern, with −0 below +0.
    @inline(__always)
    static func orderedBelow(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat) -> Bool {
        let an = fmt.isNegative(a), bn = fmt.isNegative(b)
        if an != bn { return an }
        return an ? a > b : a < b
    }

    /// fmin/fmax (IEEE 754-2019 minimumNumber/maximumNumber): a NaN operand
    /// yields the other one, two NaNs the canonical NaN, −0 < +0, and only
    /// a signaling NaN raises NV.
    public static func minMax(_ a: UInt64, _ b: UInt64, max: Bool, _ fmt: FloatFormat, _ flags: inout FPFlags) -> UInt64 {
        let aNaN = fmt.isNaN(a), bNaN = fmt.isNaN(b)
        if aNaN || bNaN {
            if fmt.isSignalingNaN(a) || fmt.isSignalingNaN(b) { flags.insert(.invalid) }
            if aNaN && bNaN { return fmt.canonicalNaN }
            return aNaN ? b : a
        }
        if a == b { return a }
        return orderedBelow(a, b, fmt) != max ? a : b
    }

    /// fclass: one bit of ten (spec §11.9 table).
    public static func classify(_ a: UInt64, _ fmt: FloatFormat) -> UInt64 {
        let negative = fmt.isNegative(a)
        let biased = (a >> UInt64(fmt.fractionBits)) & fmt.maxBiased
        if fmt.isInfinite(a) { return negative ? 1 << 0 : 1 << 7 }
        if fmt.isNaN(a) { return fmt.isSignalingNaN(a) ? 1 << 8 : 1 << 9 }
        if fmt.isZero(a) { return negative ? 1 << 3 : 1 << 4 }
        if biased == 0 { return negative ? 1 << 2 : 1 << 5 }
        return negative ? 1 << 1 : 1 << 6
    }
}

// MARK: - Host fast path

/// Round-to-nearest-even through the host's Float/Double, used only when
/// the result's flags are provably just "inexact or not" — otherwise nil
/// and the caller falls back to the soft core.
///
/// The guard is on operands: both normal with an exponent within ±k of
/// zero (k = 450 for double, 40 for single). Then no result can overflow
/// or come near the subnormal range, so OF and UF cannot occur, NV and DZ
/// need a NaN, ∞ or zero operand (excluded), and the one open question is
/// exactness, settled by an error-free residual: TwoSum for addition, an
/// FMA residual (a·b − r, a − r·b, a − r·r) for the others. Those residuals
/// are multiples of ≥ 2^−560 (2^−90 for single), so a nonzero one never
/// rounds to zero. Fused multiply-add needs an exact four-term sum (below).
enum HostFloat {
    @inline(__always)
    static func moderate(_ a: UInt64, _ fmt: FloatFormat) -> Bool {
        if fmt.fractionBits == 52 {
            return ((a >> 52) & 0x7ff) &- (1023 - 450) <= 900
        }
        return ((a >> 23) & 0xff) &- (127 - 40) <= 80
    }

    @inline(__always)
    static func add(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ flags: inout FPFlags) -> UInt64? {
        guard moderate(a, fmt) && moderate(b, fmt) else { return nil }
        if fmt.fractionBits == 52 {
            let x = Double(bitPattern: a), y = Double(bitPattern: b)
            let r = x + y, yy = r - x
            if (x - (r - yy)) + (y - yy) != 0 { flags.insert(.inexact) }
            return r.bitPattern
        }
        let x = Float(bitPattern: UInt32(truncatingIfNeeded: a)), y = Float(bitPattern: UInt32(truncatingIfNeeded: b))
        let r = x + y, yy = r - x
        if (x - (r - yy)) + (y - yy) != 0 { flags.insert(.inexact) }
        return UInt64(r.bitPattern)
    }

    @inline(__always)
    static func mul(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ flags: inout FPFlags) -> UInt64? {
        guard moderate(a, fmt) && moderate(b, fmt) else { return nil }
        if fmt.fractionBits == 52 {
            let x = Double(bitPattern: a), y = Double(bitPattern: b)
            let r = x * y
            if (-r).addingProduct(x, y) != 0 { flags.insert(.inexact) }
            return r.bitPattern
        }
        // A product of two singles is exact in a double (48 ≤ 53 bits), so
        // narrowing it is the one rounding.
        let p = Double(Float(bitPattern: UInt32(truncatingIfNeeded: a))) * Double(Float(bitPattern: UInt32(truncatingIfNeeded: b)))
        let r = Float(p)
        if Double(r) != p { flags.insert(.inexact) }
        return UInt64(r.bitPattern)
    }

    @inline(__always)
    static func div(_ a: UInt64, _ b: UInt64, _ fmt: FloatFormat, _ flags: inout FPFlags) -> UInt64? {
        guard moderate(a, fmt) && moderate(b, fmt) else { return nil }
        if fmt.fractionBits == 52 {
            let x = Double(bitPattern: a), y = Double(bitPattern: b)
            let r = x / y
            if x.addingProduct(-r, y) != 0 { flags.insert(.inexact) }
            return r.bitPattern
        }
        let x = Float(bitPattern: UInt32(truncatingIfNeeded: a)), y = Float(bitPattern: UInt32(truncatingIfNeeded: b))
        let r = x / y
        if x.addingProduct(-r, y) != 0 { flags.insert(.inexact) }
        return UInt64(r.bitPattern)
    }

    /// a·b + c, exactness decided by Shewchuk's grow-expansion: the exact
    /// product is ph + pl (pl the FMA residual), then c and −r are added
    /// into that expansion with TwoSum; every step is exact, so a·b + c − r
    /// is the sum of the nonoverlapping components, zero only if each is.
    /// Moderate operands keep every partial sum finite and every nonzero
    /// result a multiple of ≥ 2^−1004 (2^−126 for single): normal, so no UF.
    @inline(__always)
    static func fma(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ fmt: FloatFormat, _ flags: inout FPFlags) -> UInt64? {
        guard moderate(a, fmt) && moderate(b, fmt) && moderate(c, fmt) else { return nil }
        if fmt.fractionBits == 52 {
            let (r, exact) = fusedExact(Double(bitPattern: a), Double(bitPattern: b), Double(bitPattern: c))
            if !exact { flags.insert(.inexact) }
            return r.bitPattern
        }
        let (r, exact) = fusedExact(Float(bitPattern: UInt32(truncatingIfNeeded: a)), Float(bitPattern: UInt32(truncatingIfNeeded: b)),
                                    Float(bitPattern: UInt32(truncatingIfNeeded: c)))
        if !exact { flags.insert(.inexact) }
        return UInt64(r.bitPattern)
    }

    /// Knuth's TwoSum: s + e = a + b exactly (round-to-nearest, no overflow).
    @inline(__always)
    static func twoSum<T: FloatingPoint>(_ a: T, _ b: T) -> (T, T) {
        let s = a + b, bb = s - a
        return (s, (a - (s - bb)) + (b - bb))
    }

    @inline(__always)
    static func fusedExact<T: FloatingPoint>(_ a: T, _ b: T, _ c: T) -> (T, Bool) {
        let r = c.addingProduct(a, b)
        let ph = a * b, pl = (-ph).addingProduct(a, b)
        // [pl, ph] + c
        let (q1, h1) = twoSum(c, pl)
        let (q2, h2) = twoSum(q1, ph)
        // [h1, h2, q2] − r
        let (s1, g1) = twoSum(-r, h1)
        let (s2, g2) = twoSum(s1, h2)
        let (s3, g3) = twoSum(s2, q2)
        return (r, g1 == 0 && g2 == 0 && g3 == 0 && s3 == 0)
    }

    @inline(__always)
    static func sqrt(_ a: UInt64, _ fmt: FloatFormat, _ flags: inout FPFlags) -> UInt64? {
        guard moderate(a, fmt) && !fmt.isNegative(a) else { return nil }
        if fmt.fractionBits == 52 {
            let x = Double(bitPattern: a)
            let r = x.squareRoot()
            if x.addingProduct(-r, r) != 0 { flags.insert(.inexact) }
            return r.bitPattern
        }
        let x = Float(bitPattern: UInt32(truncatingIfNeeded: a))
        let r = x.squareRoot()
        if x.addingProduct(-r, r) != 0 { flags.insert(.inexact) }
        return UInt64(r.bitPattern)
    }
}
