import RealModule

/// Special functions the likelihoods need, for positive real arguments.
///
/// `logGamma` comes from swift-numerics (`lgamma_r`, thread-safe); libm has no digamma or
/// trigamma, so those are implemented here with the classic recurrence + asymptotic series
/// (Abramowitz & Stegun 6.3.5, 6.3.18, 6.4.6, 6.4.12).
public enum Special {
    /// ln Γ(x).
    @inlinable
    public static func logGamma(_ x: Double) -> Double { Double.logGamma(x) }

    /// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b).
    @inlinable
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        Double.logGamma(a) + Double.logGamma(b) - Double.logGamma(a + b)
    }

    /// The digamma function ψ(x) = d/dx ln Γ(x), for x > 0.
    ///
    /// ```
    /// ψ(x) = ψ(x + 1) − 1/x                                   (A&S 6.3.5, applied until x ≥ 10)
    /// ψ(x) ≈ ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ)                    (A&S 6.3.18)
    /// ```
    /// Relative error about 1e-16 for x ≥ 10 (first omitted term 3617/(8160 x¹⁶)); the recurrence adds a few ulps below that.
    /// Returns NaN for x ≤ 0 or NaN (the models never evaluate it there).
    public static func digamma(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == .infinity ? .infinity : .nan }
        var x = x
        var result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let inv = 1 / x
        let inv2 = inv * inv
        // Bernoulli terms: 1/12, −1/120, 1/252, −1/240, 1/132, −691/32760, 1/12
        let series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240
            - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760 - inv2 / 12))))))
        return result + Double.log(x) - 0.5 * inv - series
    }

    /// The trigamma function ψ′(x) = d²/dx² ln Γ(x), for x > 0.
    ///
    /// ```
    /// ψ′(x) = ψ′(x + 1) + 1/x²                                (A&S 6.4.6, until x ≥ 10)
    /// ψ′(x) ≈ 1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹                       (A&S 6.4.12)
    /// ```
    public static func trigamma(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == .infinity ? 0 : .nan }
        var x = x
        var result = 0.0
        while x < 10 {
            result += 1 / (x * x)
            x += 1
        }
        let inv = 1 / x
        let inv2 = inv * inv
        // 1/6, −1/30, 1/42, −1/30, 5/66, −691/2730, 7/6
        let series = inv * inv2 * (1.0 / 6 - inv2 * (1.0 / 30 - inv2 * (1.0 / 42 - inv2 * (1.0 / 30
            - inv2 * (5.0 / 66 - inv2 * (691.0 / 2730 - inv2 * 7.0 / 6))))))
        return result + inv + 0.5 * inv2 + series
    }
}

/// Log-space arithmetic: sums of quantities that would overflow or underflow if exponentiated.
public enum LogSpace {
    /// ln(eᵃ + eᵇ) without overflow.
    @inlinable
    public static func add(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        let m = max(a, b)
        return m + Double.log(onePlus: Double.exp(-abs(a - b)))
    }

    /// ln Σ eˣⁱ without overflow; −∞ for an empty sequence.
    public static func sum<C: Collection>(_ values: C) -> Double where C.Element == Double {
        guard let m = values.max(), m > -.infinity else { return -.infinity }
        if m == .infinity { return .infinity }
        var s = 0.0
        for v in values { s += Double.exp(v - m) }
        return m + Double.log(s)
    }

    /// The logistic function 1 / (1 + e⁻ˣ), exact in both tails.
    @inlinable
    public static func logistic(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Double.exp(-x)) }
        let e = Double.exp(x)
        return e / (1 + e)
    }
}
