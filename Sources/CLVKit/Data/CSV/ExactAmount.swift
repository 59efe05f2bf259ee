/// An amount as its decimal digits: `units` / 10^`scale` (`12.50` is 1250 with scale 2, `3e2` is
/// 300 with scale 0), as ``NumberField/parseAmount(_:)`` reads it — or a mark that it does not
/// fit (``isExact`` false): more than 19 significant digits, more than ``maximumScale`` digits
/// after the point, or a whole number of 2^64 or more (`1e308`).
///
/// Why: summing the `Double`s of the amounts rounds after every addition, so the same amounts in
/// another row order give another last bit (`0.1 + 0.2 + 0.3` ≠ `0.3 + 0.2 + 0.1`). Integers add
/// exactly in any order, so ``RFMSummarizer`` sums a customer's amounts as integers at the
/// customer's largest scale (rescaling the sums when a finer amount arrives), and rounds the
/// sum to a `Double` once, at the end (``double(units:scale:)``). For the amounts that do not
/// fit, and sums that reach 2^64 units, see ``ExactDoubleSum``.
public struct ExactAmount: Sendable, Equatable {
    /// The digits as an integer (0 when not ``isExact``).
    public var units: UInt64
    /// Digits after the point, 0…``maximumScale``; ``inexact`` when the amount does not fit.
    public var scale: UInt8

    /// ``scale`` of an amount that does not fit.
    public static let inexact: UInt8 = 0xFF
    /// The most digits after the point an exact amount has: 10^18 < 2^63, so that rescaling by
    /// any difference of scales is one multiplication by a `UInt64` power of ten.
    public static let maximumScale = 18

    @inlinable
    public init(units: UInt64, scale: UInt8) {
        self.units = units
        self.scale = scale
    }

    /// The decimal `mantissa` × 10^`exponent` (at most 19 digits in `mantissa`).
    @inlinable @inline(__always) @usableFromInline
    init(_ mantissa: UInt64, _ exponent: Int) {
        if exponent <= 0 {
            if exponent >= -Self.maximumScale {
                self.init(units: mantissa, scale: UInt8(truncatingIfNeeded: -exponent))
            } else {
                self.init(units: 0, scale: mantissa == 0 ? 0 : Self.inexact)
            }
        } else if mantissa == 0 {
            self.init(units: 0, scale: 0)
        } else if exponent <= 19, case let (whole, overflow) = mantissa.multipliedReportingOverflow(by: Self.powerOfTen(exponent)), !overflow {
            self.init(units: whole, scale: 0)
        } else {
            self.init(units: 0, scale: Self.inexact)
        }
    }

    /// Whether the amount is held exactly (``scale`` is not ``inexact``).
    @inlinable public var isExact: Bool { scale != Self.inexact }

    /// 10^k for k in 0…19 (all below 2^64).
    @inlinable @inline(__always)
    public static func powerOfTen(_ k: Int) -> UInt64 {
        switch k {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }

    /// The `Double` nearest to `units` / 10^`scale` (ties to even; `scale` ≤ ``maximumScale``):
    /// one correctly rounded division when `units` ≤ 2^53 (Clinger's fast path), else
    /// Eisel–Lemire, else the standard library's parser.
    public static func double(units: UInt64, scale: UInt8) -> Double {
        if units <= 1 << 53 {
            let value = Double(units)
            return scale == 0 ? value : value / NumberField.exactPowerOfTen(Int(scale))
        }
        if let value = NumberField.eiselLemire(units, -Int(scale), false) { return value }
        return Double("\(units)e-\(scale)")!
    }
}

/// The exact sum of `Double`s, rounded once: Shewchuk's non-overlapping partials (J. R. Shewchuk,
/// "Adaptive Precision Floating-Point Arithmetic and Fast Robust Geometric Predicates", 1997),
/// with the final correction to round half-even of Python's `math.fsum`. The result is the
/// `Double` nearest to the exact sum, so it does not depend on the order of the additions.
///
/// ``RFMSummarizer`` uses it for the amounts that do not fit an ``ExactAmount`` (each amount is
/// first its correctly rounded `Double`), in a second pass over the customers concerned.
struct ExactDoubleSum {
    private var partials: [Double] = []

    /// Adds `value` (≥ 0, finite); `false` if the sum no longer fits a `Double` (for values ≥ 0
    /// an intermediate overflow means the exact sum rounds to infinity as well).
    mutating func add(_ value: Double) -> Bool {
        var x = value
        var kept = 0
        for j in partials.indices {
            var y = partials[j]
            if abs(x) < abs(y) { swap(&x, &y) }
            let high = x + y
            guard high.isFinite else { return false }
            let low = y - (high - x)
            if low != 0 {
                partials[kept] = low
                kept += 1
            }
            x = high
        }
        partials.removeSubrange(kept...)
        partials.append(x)
        return true
    }

    /// The `Double` nearest to the exact sum (0 for no values).
    var sum: Double {
        var n = partials.count
        guard n > 0 else { return 0 }
        n -= 1
        var high = partials[n], low = 0.0
        while n > 0 {
            let x = high
            n -= 1
            let y = partials[n]
            high = x + y
            low = y - (high - x)
            if low != 0 { break }
        }
        // Half-way case: make the rounding follow the sign of the rest.
        if n > 0 && ((low < 0 && partials[n - 1] < 0) || (low > 0 && partials[n - 1] > 0)) {
            let y = low * 2, x = high + y
            if y == x - high { high = x }
        }
        return high
    }
}
