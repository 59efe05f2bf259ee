/// Parsing of decimal numbers (amounts, summary columns) straight from CSV bytes.
///
/// Accepted: optional surrounding spaces/tabs, an optional sign, digits with an optional `.`
/// fraction (`12`, `12.5`, `.5`, `5.`), an optional exponent (`1e3`, `2.5E-2`). Rejected: empty
/// fields, `NaN`, `inf`, hexadecimal, thousands separators, decimal commas and trailing garbage —
/// every rejection is reported by the caller as `"12,5x" is not a number`.
///
/// Why hand-written: this runs once per transaction row and per summary column. Every path gives
/// the correctly rounded value — the same `Double` that `strtod`, Python's `float()` and pandas'
/// `float_precision="round_trip"` produce:
/// 1. Clinger's fast path (Clinger 1990): a mantissa ≤ 2^53 and a power of ten ≤ 10^22, both
///    exact in a `Double`, need one correctly rounded multiplication or division (`123.45`);
/// 2. otherwise, up to 19 significant digits, the Eisel–Lemire algorithm (Lemire, "Number
///    Parsing at a Gigabyte per Second", Software: Practice and Experience 51(8), 2021; the
///    algorithm of Go's `strconv`, Rust's `core`, .NET and `fast_float`): one or two 64×64-bit
///    products with a 128-bit truncated power of ten give the result, or say that the truncation
///    might change the rounding, which is rare (see ``eiselLemire(_:_:_:)``). This is what
///    reads the 17-digit shortest round-trip numbers (`38.857142857142854`) that summaries hold;
///    with more than 19 digits, the two 19-digit truncations bracketing the value are
///    converted, and agree in nearly every case (§11 of the paper);
/// 3. anything else (ambiguous cases, subnormals, overflow) goes to the standard library's
///    parser (`strtod`, correctly rounded on glibc and Darwin), allocating a `String`.
public enum NumberField {
    /// Parses a decimal number; `nil` if the bytes are not one or the value is not finite
    /// (`1e400` overflows and is rejected rather than read as infinity).
    @inlinable @inline(__always)
    public static func parseDouble(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        scan(field, valueOfExact: true)?.value
    }

    /// Parses a decimal number as ``parseDouble(_:)`` does, and also gives its decimal digits as
    /// an integer and a scale (``ExactAmount``), so that amounts can be summed exactly: the
    /// `Double` is the correctly rounded value of the same decimal.
    @inlinable @inline(__always)
    public static func parseAmount(_ field: UnsafeBufferPointer<UInt8>) -> (value: Double, exact: ExactAmount)? {
        scan(field, valueOfExact: true).map { ($0.value, $0.exact) }
    }

    /// A parsed amount for summing (``parseAmountToSum(_:)``): the decimal's digits, its sign,
    /// and — only when the digits do not fit an ``ExactAmount`` — its `Double`.
    public struct AmountToSum: Sendable {
        public var exact: ExactAmount
        public var negative: Bool
        /// The correctly rounded value when `exact` is not exact (0 otherwise).
        public var inexactValue: Double

        @inlinable init(exact: ExactAmount, negative: Bool, inexactValue: Double) {
            self.exact = exact
            self.negative = negative
            self.inexactValue = inexactValue
        }

        /// The correctly rounded value.
        @inlinable public var value: Double {
            guard exact.isExact else { return inexactValue }
            let magnitude = ExactAmount.double(units: exact.units, scale: exact.scale)
            return negative ? -magnitude : magnitude
        }
    }

    /// ``parseAmount(_:)`` without converting to a `Double` the amounts that are held exactly
    /// (the summarizer sums their digits): one division per row saved on the hot path.
    @inlinable @inline(__always)
    public static func parseAmountToSum(_ field: UnsafeBufferPointer<UInt8>) -> AmountToSum? {
        scan(field, valueOfExact: false).map { AmountToSum(exact: $0.exact, negative: $0.negative, inexactValue: $0.value) }
    }

    /// The scan behind ``parseDouble(_:)``, ``parseAmount(_:)`` and ``parseAmountToSum(_:)``:
    /// the value (0 for an exact amount unless `valueOfExact`), digits and sign.
    @inlinable @inline(__always)
    static func scan(_ field: UnsafeBufferPointer<UInt8>, valueOfExact: Bool) -> (value: Double, exact: ExactAmount, negative: Bool)? {
        guard var p = field.baseAddress else { return nil }
        if field.count <= 8, field.count > 0, let (mantissa, fraction) = shortPlainDecimalParts(p, field.count) {
            let exact = ExactAmount(units: mantissa, scale: UInt8(truncatingIfNeeded: fraction))
            guard valueOfExact else { return (0, exact, false) }
            let value = Double(mantissa)
            return (fraction == 0 ? value : value / exactPowerOfTen(fraction), exact, false)
        }
        var end = p + field.count
        while p < end, p.pointee == 0x20 || p.pointee == 0x09 { p += 1 }
        while end > p, end[-1] == 0x20 || end[-1] == 0x09 { end -= 1 }
        guard p < end else { return nil }
        let start = p

        var negative = false
        if p.pointee == UInt8(ascii: "-") || p.pointee == UInt8(ascii: "+") {
            negative = p.pointee == UInt8(ascii: "-")
            p += 1
        }
        let digitsStart = p

        // Scan, accumulating every digit (wrapping): exact as long as there are at most 19
        // digits, leading zeros included, which is checked after the scan; longer numbers are
        // read again by ``parseManyDigits(_:_:negative:)``.
        var mantissa: UInt64 = 0
        while p < end {
            let d = p.pointee &- 0x30
            guard d < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            p += 1
        }
        var digits = p - digitsStart
        var exponent = 0             // value = mantissa × 10^exponent
        if p < end, p.pointee == UInt8(ascii: ".") {
            p += 1
            let fractionStart = p
            while end - p >= 8, let eight = eightDigits(UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)) {
                mantissa = mantissa &* 100_000_000 &+ eight
                p += 8
            }
            while p < end {
                let d = p.pointee &- 0x30
                guard d < 10 else { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                p += 1
            }
            digits += p - fractionStart
            exponent = fractionStart - p
        }
        guard digits > 0 else { return nil }
        if p < end, p.pointee | 0x20 == UInt8(ascii: "e") {
            p += 1
            var expNegative = false
            if p < end, p.pointee == UInt8(ascii: "-") || p.pointee == UInt8(ascii: "+") {
                expNegative = p.pointee == UInt8(ascii: "-")
                p += 1
            }
            var e = 0
            var sawExpDigit = false
            while p < end {
                let d = p.pointee &- 0x30
                guard d < 10 else { break }
                sawExpDigit = true
                if e < 100_000 { e = e * 10 + Int(d) }
                p += 1
            }
            guard sawExpDigit else { return nil }
            exponent += expNegative ? -e : e
        }
        guard p == end else { return nil }
        if digits > 19 {
            return parseManyDigits(UnsafeBufferPointer(start: start, count: end - start),
                                   UnsafeBufferPointer(start: digitsStart, count: end - digitsStart), negative: negative)
                .map { ($0.value, $0.exact, negative) }
        }
        let exact = ExactAmount(mantissa, exponent)
        if !valueOfExact && exact.isExact { return (0, exact, negative) }

        if mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 {
                value /= exactPowerOfTen(-exponent)
            } else if exponent > 0 {
                value *= exactPowerOfTen(exponent)
            }
            return (negative ? -value : value, exact, negative)
        }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, exact, negative) }
        if let value = eiselLemire(mantissa, exponent, negative) { return (value, exact, negative) }
        return slowParse(UnsafeBufferPointer(start: start, count: end - start)).map { ($0, exact, negative) }
    }

    /// ``parseDouble(_:)`` of a number with more than 19 digits (leading zeros included), already
    /// validated: `text` is the trimmed field, `number` the part after the sign. The first 19
    /// significant digits are kept; the rest only move the exponent or mark the mantissa as
    /// truncated.
    @usableFromInline
    static func parseManyDigits(_ text: UnsafeBufferPointer<UInt8>, _ number: UnsafeBufferPointer<UInt8>, negative: Bool) -> (value: Double, exact: ExactAmount)? {
        var mantissa: UInt64 = 0
        var significant = 0          // digits accumulated in `mantissa` (leading zeros excluded)
        var exponent = 0             // value = mantissa × 10^exponent (before the explicit exponent)
        var truncated = false        // digits beyond 19 significant ones were dropped
        var i = 0
        let n = number.count
        while i < n {
            let d = number[i] &- 0x30
            guard d < 10 else { break }
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                if d != 0 { truncated = true }
            }
            i += 1
        }
        if i < n, number[i] == UInt8(ascii: ".") {
            i += 1
            while i < n {
                let d = number[i] &- 0x30
                guard d < 10 else { break }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else if d != 0 {
                    truncated = true
                }
                i += 1
            }
        }
        if i < n {   // the exponent (validated by the caller)
            i += 1
            var expNegative = false
            if number[i] == UInt8(ascii: "-") || number[i] == UInt8(ascii: "+") {
                expNegative = number[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            while i < n {
                if e < 100_000 { e = e * 10 + Int(number[i] &- 0x30) }
                i += 1
            }
            exponent += expNegative ? -e : e
        }

        // Dropped nonzero digits: not an exact integer with a scale (the value is read still).
        let exact = truncated ? ExactAmount(units: 0, scale: ExactAmount.inexact) : ExactAmount(mantissa, exponent)
        if !truncated, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 {
                value /= exactPowerOfTen(-exponent)
            } else if exponent > 0 {
                value *= exactPowerOfTen(exponent)
            }
            return (negative ? -value : value, exact)
        }
        if mantissa == 0 && !truncated { return (negative ? -0.0 : 0.0, exact) }
        if let value = eiselLemire(mantissa, exponent, negative) {
            if !truncated { return (value, exact) }
            // The exact value lies strictly between mantissa·10^e and (mantissa+1)·10^e (the
            // dropped digits are not all zero); rounding is monotonic, so if both ends round
            // to the same double, so does the value (Lemire 2021, §11). mantissa + 1 ≤ 10^19.
            if let upper = eiselLemire(mantissa + 1, exponent, negative), upper == value { return (value, exact) }
        }
        return slowParse(text).map { ($0, exact) }
    }

    /// The double nearest to `mantissa` × 10^`exponent` (ties to even), negated if `negative`,
    /// by the Eisel–Lemire algorithm — or `nil` when this cheap computation cannot decide it and
    /// the caller must use a full-precision parser: a possible exact tie, a result that is
    /// subnormal, zero or infinite, or an exponent outside 10^-342…10^308. `mantissa` ≠ 0.
    ///
    /// Lemire 2021, §5–§8. Let w = the mantissa shifted left until its top bit is set, and
    /// T = ``powersOfFive`` for the exponent: the first 128 bits of 10^q, truncated, so that the
    /// exact product w·10^q (suitably scaled) lies in [w·T, w·T + w). The top 64 bits of w·T_hi
    /// give the 54 leading bits of the result (53 + one rounding bit) unless adding the unknown
    /// rest — less than w, in units of the low word — could carry into them: only when the low
    /// 9 bits of the high word are all ones and the low word + w overflows. Then w·T_lo is added
    /// (the full 192-bit product of w and T); if the sum can still carry, give up. Rounding: a
    /// computed remainder of exactly zero below the rounding bit may be an exact tie (round to
    /// even) or a value just above it — indistinguishable here, so give up when it matters.
    @usableFromInline
    static func eiselLemire(_ mantissa: UInt64, _ exponent: Int, _ negative: Bool) -> Double? {
        guard exponent >= powersOfFiveMinExponent, exponent <= powersOfFiveMaxExponent else { return nil }
        // Normalisation: w has its top bit set.
        let shift = mantissa.leadingZeroBitCount
        let w = mantissa << UInt64(shift)
        let row = 2 * (exponent - powersOfFiveMinExponent)
        let (powerHigh, powerLow) = powersOfFive.withUnsafeBufferPointer { ($0[row], $0[row + 1]) }

        // Multiplication by the high 64 bits of the power; the low word's error is < w.
        var (high, low) = w.multipliedFullWidth(by: powerHigh)
        if high & 0x1FF == 0x1FF && low &+ w < low {
            // Wider approximation: add w·T_lo below (a 192-bit product, error now < w in its
            // lowest word).
            let (extraHigh, extraLow) = w.multipliedFullWidth(by: powerLow)
            let (mergedLow, carry) = low.addingReportingOverflow(extraHigh)
            let mergedHigh = high &+ (carry ? 1 : 0)
            if mergedHigh & 0x1FF == 0x1FF && mergedLow == .max && extraLow &+ w < extraLow { return nil }
            high = mergedHigh
            low = mergedLow
        }

        // The 54 leading bits of the product (its top bit is bit 63 or 62). The binary exponent:
        // floor(log2(10^q)) = (217706·q) >> 16 for |q| ≤ 347 (checked by the table's script), +
        // 64 for the product's width, + the IEEE bias, − the normalisation shift, − 1 when the
        // product's top bit is 62.
        let upperBit = high >> 63
        var significand = high >> (upperBit + 9)
        var biasedExponent = ((217706 * exponent) >> 16) + 64 + 1023 - shift - Int(1 ^ upperBit)

        // Everything below the rounding bit computed as zero: an exact tie, or just above one
        // (the truncated power hides the difference). Only a tie to an even significand rounds
        // differently from "up", so only that case is sent to the slow path.
        if low == 0 && high & 0x1FF == 0 && significand & 3 == 1 { return nil }

        // Round to 53 bits (half up; the tie-to-even case was excluded above), renormalise.
        significand += significand & 1
        significand >>= 1
        if significand >= 1 << 53 {
            significand >>= 1
            biasedExponent += 1
        }
        // Subnormal, zero or infinite results are left to the full parser.
        guard biasedExponent > 0 && biasedExponent < 0x7FF else { return nil }
        let bits = UInt64(biasedExponent) << 52 | (significand & ((1 << 52) - 1)) | (negative ? 1 << 63 : 0)
        return Double(bitPattern: bits)
    }

    /// The value of 8 ASCII digits loaded as one word (first digit in the lowest-addressed
    /// byte), or `nil` if some byte is not a digit — the SWAR technique of `fast_float` (Lemire
    /// 2021), which turns 8 loop iterations into a few multiplications.
    ///
    /// Test: a byte b is a digit iff b + 0x46 and b − 0x30 both leave its top bit clear. Carries
    /// and borrows can only disturb bytes above the lowest non-digit, which is itself caught.
    /// Value: after subtracting "0", `v·10 + (v >> 8)` leaves each 2-digit pair (≤ 99, no carry)
    /// in the even bytes; two multiplications by 10^k constants sum the four pairs.
    @usableFromInline @inline(__always)
    static func eightDigits(_ raw: UInt64) -> UInt64? {
        let word = UInt64(littleEndian: raw)
        guard ((word &+ 0x4646_4646_4646_4646) | (word &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080 == 0 else {
            return nil
        }
        var v = word &- 0x3030_3030_3030_3030
        v = v &* 10 &+ (v >> 8)
        let pairs02 = v & 0x0000_00FF_0000_00FF           // digits 0–1 (bits 0…) and 4–5 (bits 32…)
        let pairs13 = (v >> 16) & 0x0000_00FF_0000_00FF   // digits 2–3 and 6–7
        return (pairs02 &* (100 + 1_000_000 << 32) &+ pairs13 &* (1 + 10_000 << 32)) >> 32
    }

    /// ``parseDouble(_:)`` of a field of 1–8 bytes that is all digits, or digits with one `.`
    /// between two of them (`42`, `123.91`, `0.5`: how shops write amounts), with a few word
    /// operations instead of a loop per byte; `nil` for any other field, which then takes the
    /// general path (so this never decides that a field is invalid).
    ///
    /// How: the field is loaded as one little-endian word (reading only its own bytes); the `.`
    /// is found with a byte-equality mask and squeezed out by shifting the bytes above it down
    /// one place; the m ≤ 8 digits are moved to the top of a word whose lower bytes are `0`
    /// characters (leading zeros), which ``eightDigits(_:)`` checks and converts. The result is
    /// the same `Double` as the general path's Clinger step: a mantissa below 10^8 (exact) and
    /// one correctly rounded division by 10^(fraction digits).
    @usableFromInline @inline(__always)
    static func shortPlainDecimal(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard let (mantissa, fraction) = shortPlainDecimalParts(p, n) else { return nil }
        let value = Double(mantissa)
        return fraction == 0 ? value : value / exactPowerOfTen(fraction)
    }

    /// The digits (as an integer below 10^8) and the number of digits after the point of a
    /// field ``shortPlainDecimal(_:_:)`` reads; `nil` for any other field.
    @usableFromInline @inline(__always)
    static func shortPlainDecimalParts(_ p: UnsafePointer<UInt8>, _ n: Int) -> (mantissa: UInt64, fraction: Int)? {
        let raw = UnsafeRawPointer(p)
        var word: UInt64
        if n >= 4 {
            // Two overlapping 4-byte loads cover bytes 0..<4 and n-4..<n (equal where they overlap).
            let lo = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let hi = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            word = lo | hi << UInt64(8 * (n - 4))
        } else {
            word = UInt64(p[0]) | UInt64(p[n >> 1]) << UInt64(8 * (n >> 1)) | UInt64(p[n - 1]) << UInt64(8 * (n - 1))
        }
        var digits = n, fraction = 0
        // The high bit of each byte of the field that is a '.' (exact: no carries between bytes).
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let x = word ^ 0x2E2E_2E2E_2E2E_2E2E
        let inField: UInt64 = n == 8 ? ~0 : (1 << UInt64(8 * n)) &- 1
        let dots = ~(((x & low7) &+ low7) | x | low7) & inField
        if dots != 0 {
            guard dots & (dots &- 1) == 0 else { return nil }        // more than one '.'
            let at = dots.trailingZeroBitCount >> 3                  // the '.''s byte
            guard at > 0, at < n - 1 else { return nil }             // `.5`, `5.`: general path
            let below: UInt64 = (1 << UInt64(8 * at)) &- 1
            word = (word & below) | ((word >> 8) & ~below)
            digits = n - 1
            fraction = n - 1 - at
        }
        // Bytes 0..<digits hold the digits, most significant first; above them, zeros.
        let shift = UInt64(8 * (8 - digits))
        let padded = shift == 0 ? word : word << shift | 0x3030_3030_3030_3030 >> UInt64(8 * digits)
        guard let mantissa = eightDigits(padded.littleEndian) else { return nil }
        return (mantissa, fraction)
    }

    /// 10^k for k in 0…22, each exactly representable as a `Double` (a switch of literals: no
    /// lazily initialised table on the hot path).
    @usableFromInline @inline(__always)
    static func exactPowerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// The standard library's decimal parser (`strtod` in the C locale, correctly rounded) on an
    /// already validated decimal (no hex, NaN or inf can reach it).
    @usableFromInline
    static func slowParse(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// Parses a `String` (convenience for options and tests).
    public static func parseDouble(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { parseDouble($0) }
    }

    /// Parses a decimal number written with a decimal comma (`12,50`, `-0,5`, `3`): the comma
    /// is read as the point; a field that also holds a `.` (a thousands separator, or a point
    /// decimal) is rejected, so that `1.234,50` and `12.50` are not silently misread.
    public static func parseDecimalComma(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        parseDecimalCommaAmount(field)?.value
    }

    /// ``parseDecimalComma(_:)`` with the decimal's digits and scale (see ``parseAmount(_:)``).
    public static func parseDecimalCommaAmount(_ field: UnsafeBufferPointer<UInt8>) -> (value: Double, exact: ExactAmount)? {
        parseDecimalCommaAmountToSum(field).map { ($0.value, $0.exact) }
    }

    /// ``parseDecimalComma(_:)`` as ``parseAmountToSum(_:)`` parses.
    public static func parseDecimalCommaAmountToSum(_ field: UnsafeBufferPointer<UInt8>) -> AmountToSum? {
        guard field.count <= 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(field.count, 1)) { copy in
            for i in 0..<field.count {
                let c = field[i]
                if c == UInt8(ascii: ".") { return nil }
                copy[i] = c == UInt8(ascii: ",") ? UInt8(ascii: ".") : c
            }
            return parseAmountToSum(UnsafeBufferPointer(rebasing: copy[0..<field.count]))
        }
    }

    /// Why ``parseDecimalComma(_:)`` rejected `field`.
    public static func explainInvalidDecimalComma(_ field: UnsafeBufferPointer<UInt8>) -> String {
        let text = DataText.string(field)
        if text.contains(".") && !DataText.trimmed(text).isEmpty {
            return "\(DataText.quoted(text)) is not a number with a decimal comma (write it without '.': no thousands separators, ',' before the decimals)"
        }
        return explainInvalid(Array(text.utf8).map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 }, shown: text)
    }

    /// A sentence saying why the field is not a number, for error messages (slow path).
    public static func explainInvalid(_ field: UnsafeBufferPointer<UInt8>) -> String {
        explainInvalid(Array(field), shown: DataText.string(field))
    }

    /// Why `bytes` are not a number; `shown` is the field as the user wrote it.
    static func explainInvalid(_ bytes: [UInt8], shown original: String) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        let trimmed = DataText.trimmed(text)
        if trimmed.isEmpty { return "the value is empty (a number is required)" }
        let shown = DataText.quoted(original)
        let lower = trimmed.lowercased()
        if ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"].contains(lower) {
            return "\(shown) is not a finite number"
        }
        if trimmed.contains(",") {
            return "\(shown) is not a number (write the decimal separator as '.', without thousands separators)"
        }
        // A well-formed decimal that overflowed (`1e400`).
        if trimmed.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || "+-.eE".utf8.contains($0) }),
           let v = Double(trimmed), !v.isFinite {
            return "\(shown) is not a finite number (it overflows a double)"
        }
        return "\(shown) is not a number"
    }
}
