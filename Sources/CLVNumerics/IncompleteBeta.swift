import RealModule

extension Special {
    /// The regularized incomplete beta function
    /// ```
    /// I_x(a, b) = (1/B(a, b)) ∫₀ˣ t^(a−1) (1−t)^(b−1) dt
    /// ```
    /// the CDF of a Beta(a, b) variable (and, through z ↦ z/(1+z), of a beta-prime one).
    ///
    /// Evaluated by the continued fraction of Abramowitz & Stegun 26.5.8 with the modified Lentz
    /// method, on the side of the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it converges
    /// fast (x < (a+1)/(a+b+2)); the prefactor xᵃ(1−x)ᵇ/B(a, b) is formed in logs.
    /// - Parameters:
    ///   - a, b: positive shape parameters.
    ///   - x: the argument; values ≤ 0 give 0 and values ≥ 1 give 1.
    /// - Returns: I_x(a, b) in [0, 1].
    public static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
        precondition(a > 0 && b > 0, "The incomplete beta function needs positive shape parameters.")
        if !(x > 0) { return 0 }
        if x >= 1 { return 1 }
        let logFront = a * Double.log(x) + b * Double.log(onePlus: -x) - logBeta(a, b)
        if x < (a + 1) / (a + b + 2) {
            return min(max(Double.exp(logFront) * continuedFraction(a, b, x) / a, 0), 1)
        }
        return min(max(1 - Double.exp(logFront) * continuedFraction(b, a, 1 - x) / b, 0), 1)
    }

    /// The continued fraction of I_x(a, b)·a·B(a, b)/(xᵃ(1−x)ᵇ) (A&S 26.5.8), modified Lentz.
    private static func continuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        func guarded(_ v: Double) -> Double { abs(v) < tiny ? tiny : v }
        var c = 1.0
        var d = 1 / guarded(1 - (a + b) * x / (a + 1))
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var step = m * (b - m) * x / ((a - 1 + m2) * (a + m2))
            d = 1 / guarded(1 + step * d)
            c = guarded(1 + step / c)
            h *= d * c
            step = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2))
            d = 1 / guarded(1 + step * d)
            c = guarded(1 + step / c)
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
