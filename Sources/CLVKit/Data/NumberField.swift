/// Parsing of decimal numbers (amounts, summary columns) straight from CSV bytes.
///
/// Accepted: optional surrounding spaces/tabs, an optional sign, digits with an optional `.`
/// fraction (`12`, `12.5`, `.5`, `5.`), an optional exponent (`1e3`, `2.5E-2`). Rejected: empty
/// fields, `NaN`, `inf`, hexadecimal, thousands separators, decimal commas and trailing garbage —
/// every rejection is reported by the caller as `"12,5x" is not a number`.
///
/// Why hand-written: this runs once per transaction row. The fast path (Clinger 1990: at most 19
/// significant digits giving a mantissa ≤ 2^53 and a power of ten ≤ 10^22, both exact in a
/// `Double`) needs one correctly rounded multiplication or division, so its result is the
/// correctly rounded value — the same `Double` that `strtod`, Python's `float()` and pandas'
/// `float_precision="round_trip"` produce. Anything else falls back to `strtod`, which is also
/// correctly rounded on glibc and Darwin.
public enum NumberField {
    /// Parses a decimal number; `nil` if the bytes are not one or the value is not finite
    /// (`1e400` overflows and is rejected rather than read as infinity).
    @inlinable
    public static func parseDouble(_ field: UnsafeBufferPointer<UInt8>) -> Double? {
        guard var p = field.baseAddress else { return nil }
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
        var mantissa: UInt64 = 0
        var significant = 0          // digits accumulated in `mantissa` (leading zeros excluded)
        var exponent = 0             // value = mantissa × 10^exponent (before the explicit exponent)
        var truncated = false        // digits beyond 19 significant ones were dropped
        var sawDigit = false

        while p < end {
            let d = p.pointee &- 0x30
            guard d < 10 else { break }
            sawDigit = true
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                if mantissa != 0 { significant += 1 }
            } else {
                exponent += 1
                if d != 0 { truncated = true }
            }
            p += 1
        }
        if p < end, p.pointee == UInt8(ascii: ".") {
            p += 1
            while p < end {
                let d = p.pointee &- 0x30
                guard d < 10 else { break }
                sawDigit = true
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    if mantissa != 0 { significant += 1 }
                    exponent -= 1
                } else if d != 0 {
                    truncated = true
                }
                p += 1
            }
        }
        guard sawDigit else { return nil }
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

        if !truncated, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 {
                value /= exactPowerOfTen(-exponent)
            } else if exponent > 0 {
                value *= exactPowerOfTen(exponent)
            }
            return negative ? -value : value
        }
        if mantissa == 0 && !truncated { return negative ? -0.0 : 0.0 }
        return slowParse(UnsafeBufferPointer(start: start, count: end - start))
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

    /// A sentence saying why the field is not a number, for error messages (slow path).
    public static func explainInvalid(_ field: UnsafeBufferPointer<UInt8>) -> String {
        let text = DataText.string(field)
        let trimmed = DataText.trimmed(text)
        if trimmed.isEmpty { return "the value is empty (a number is required)" }
        let shown = DataText.quoted(text)
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
