import RealModule

extension Special {
    /// The standard normal quantile Φ⁻¹(p), for 0 < p < 1: the z with P(Z ≤ z) = p.
    ///
    /// ```
    /// Φ⁻¹(p) ≈ rational approximation of Acklam (2003), relative error < 1.15e-9,
    /// then one Halley step on Φ(z) − p with Φ(z) = erfc(−z/√2)/2
    /// ```
    /// The Halley step brings the result to a few ulps: Φ⁻¹(0.975) = 1.959963984540054….
    /// Returns NaN outside (0, 1), −∞ at 0 and +∞ at 1.
    /// - Complexity: O(1): one log, one exp and one erfc.
    public static func normalQuantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else {
            if p == 0 { return -.infinity }
            if p == 1 { return .infinity }
            return .nan
        }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                 3.754408661907416e+00]
        let pLow = 0.02425
        var z: Double
        if p < pLow || p > 1 - pLow {
            let q = (-2 * Double.log(p < pLow ? p : 1 - p)).squareRoot()
            let tail = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
            z = p < pLow ? tail : -tail
        } else {
            let q = p - 0.5, r = q * q
            z = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        // Halley refinement: e = Φ(z) − p, u = e / φ(z).
        let e = 0.5 * Double.erfc(-z / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * Double.exp(z * z / 2)
        z -= u / (1 + z * u / 2)
        return z
    }
}
