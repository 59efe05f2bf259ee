import RealModule

extension Special {
    /// e^z E_s(z) = ∫₀^∞ e^(−zv) (1+v)^(−s) dv for real s > 0 and z > 0, E_s the generalized
    /// exponential integral (DLMF 8.19.4; it is z^(s−1)·e^z·Γ(1−s, z), and U(1, 2−s, z), Kummer's
    /// function of the second kind). The Pareto/NBD's DERT needs it as E[1/(μ+δ)] with
    /// μ ~ Gamma(s, b): b·e^(δb)·E_s(δb) (Fader, Hardie & Lee 2005).
    ///
    /// Two methods, no cancellation at whole-number s (where the Tricomi identity BTYD uses is
    /// singular):
    /// - z ≥ 1 or s ≥ 40: the continued fraction of E_s (modified Lentz; Numerical Recipes §6.3),
    ///   e^z E_s(z) = 1/(z+s− 1·s/(z+s+2− 2(s+1)/(z+s+4− …))).
    /// - otherwise the series of Γ(a, z), a = 1 − s, arranged so that its pole at a = 0 cancels
    ///   analytically: Γ(a, z) = (Γ(1+a) − 1)/a − (z^a − 1)/a − z^a Σ_{k≥1} (−z)^k/(k!(a+k)) for
    ///   a > −1/2 (both quotients are smooth through a = 0, by expm1), and for smaller a the
    ///   recurrence Γ(a, z) = (Γ(a+1, z) − z^a e^(−z))/a downwards from a + n ∈ (−1/2, 1/2], in
    ///   the scaled form R_b = e^z z^(−b) Γ(b, z), R_b = (z R_(b+1) − 1)/b. ln Γ(1+a) near a = 0
    ///   comes from its ζ series in a (A&S 6.1.33), not from ln Γ of the rounded 1 + a.
    ///
    /// Accuracy: 1e-13 relative against mpmath over s ∈ [0.01, 250], z ∈ [1e-9, 700]
    /// (`Tests/Fixtures/mpmath/exponential_integral.json`). NaN outside the domain.
    public static func scaledExponentialIntegral(order s: Double, _ z: Double) -> Double {
        guard s.isFinite, z.isFinite, s > 0, z > 0 else { return .nan }
        if z >= 1 || s >= 40 { return exponentialIntegralFraction(s, z) }
        // R_b = e^z z^(−b) Γ(b, z), so that the answer is R_(1−s); R_b = (z R_(b+1) − 1)/b
        // carries Γ's recurrence without overflow (each step multiplies errors by z/|b| < 1).
        let a = 1 - s
        let logZ = Double.log(z)
        let a0 = a > 0.5 ? a : a + (0.5 - a).rounded(.down)    // a itself, or in (−1/2, 1/2]
        var r = Double.exp(z - a0 * logZ) * upperGammaNearZero(a0, z, logZ: logZ)
        var b = a0
        while b > a + 0.25 {
            b -= 1
            r = (z * r - 1) / b
        }
        return r
    }

    /// Γ(a, z) for a ∈ (−1/2, 1), 0 < z < 1, by the rearranged series (see above).
    static func upperGammaNearZero(_ a: Double, _ z: Double, logZ: Double) -> Double {
        let gammaTerm = a == 0 ? -eulerGamma : Double.expMinusOne(logGammaOnePlus(a)) / a
        let powerTerm = a == 0 ? logZ : Double.expMinusOne(a * logZ) / a
        var sum = 0.0, term = 1.0, k = 1.0
        while k < 200 {
            term *= -z / k
            let add = term / (a + k)
            sum += add
            if abs(add) <= 1e-17 * abs(sum) { break }
            k += 1
        }
        return gammaTerm - powerTerm - Double.exp(a * logZ) * sum
    }

    static let eulerGamma = 0.57721566490153286060651209

    /// ln Γ(1 + a) for |a| ≤ 1/2 from a itself (ln Γ(1+a) would round 1 + a first, which costs
    /// a's low digits when a is small): −γa + Σ_{k≥2} (−1)^k ζ(k) a^k / k (A&S 6.1.33).
    static func logGammaOnePlus(_ a: Double) -> Double {
        guard abs(a) < 0.25 else { return Double.logGamma(1 + a) }
        var sum = -eulerGamma * a, power = 1.0    // power = (−a)^k
        power = -a
        for k in 2..<zeta.count {
            power *= -a
            let add = zeta[k] * power / Double(k)
            sum += add
            if abs(add) <= 1e-18 * abs(sum) { break }
        }
        return sum
    }

    /// ζ(k) for k = 2…63 (index k; 0 and 1 unused): Σ_{n<100} n^−k plus the Euler–Maclaurin tail
    /// at N = 100 (its next term is below 1e-16 of ζ(2)).
    static let zeta: [Double] = (0..<64).map { k -> Double in
        guard k >= 2 else { return .nan }
        let s = Double(k), n = 100.0
        var sum = 0.0
        for m in stride(from: 99, through: 1, by: -1) { sum += Double.pow(Double(m), -s) }
        sum += Double.pow(n, 1 - s) / (s - 1) + 0.5 * Double.pow(n, -s) + s * Double.pow(n, -s - 1) / 12
            - s * (s + 1) * (s + 2) * Double.pow(n, -s - 3) / 720
        return sum
    }

    /// e^z E_s(z) by the continued fraction (modified Lentz), for z ≥ 1 or large s.
    static func exponentialIntegralFraction(_ s: Double, _ z: Double) -> Double {
        let tiny = 1e-300
        var b = z + s
        var c = 1 / tiny, d = 1 / b, h = d
        var i = 1.0
        while i < 100_000 {
            let an = -i * (s - 1 + i)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = c * d
            h *= delta
            if abs(delta - 1) <= 1e-16 { return h }
            i += 1
        }
        return .nan
    }
}
