/// Central finite differences, for checking analytic derivatives (never used to fit).
public enum FiniteDifferences {
    /// ∂f/∂xᵢ ≈ (f(x + hᵢeᵢ) − f(x − hᵢeᵢ)) / 2hᵢ with hᵢ = step · max(1, |xᵢ|).
    /// Truncation error O(h²); with step = 1e-5 about 10 significant digits for smooth f.
    public static func gradient(of f: ([Double]) -> Double, at x: [Double], step: Double = 1e-5) -> [Double] {
        x.indices.map { i in
            let h = step * max(1, abs(x[i]))
            var xp = x, xm = x
            xp[i] += h
            xm[i] -= h
            return (f(xp) - f(xm)) / (2 * h)
        }
    }

    /// The Jacobian of a vector function (e.g. an analytic gradient, giving the Hessian),
    /// row i = ∂g/∂xᵢ... stored as rows[i][j] = ∂gⱼ/∂xᵢ.
    public static func jacobian(of g: ([Double]) -> [Double], at x: [Double], step: Double = 1e-5) -> [[Double]] {
        x.indices.map { i in
            let h = step * max(1, abs(x[i]))
            var xp = x, xm = x
            xp[i] += h
            xm[i] -= h
            let gp = g(xp), gm = g(xm)
            return zip(gp, gm).map { ($0 - $1) / (2 * h) }
        }
    }
}
