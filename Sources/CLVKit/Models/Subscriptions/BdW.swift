import CLVNumerics
import RealModule

/// The beta-discrete-Weibull model of subscriber retention (Fader, Hardie, Liu, Davin &
/// Steenburgh 2018, "'How to Project Customer Retention' Revisited: The Role of Duration
/// Dependence", Journal of Interactive Marketing 43). A subscriber's churn probability changes
/// with tenure (c < 1: less likely to leave the longer they stay; c > 1: more), with
/// ```
/// S(t) = B(α, β + tᶜ)/B(α, β),   P(T = t) = S(t−1) − S(t)
/// ```
/// and c = 1 is sBG. In ln Γ: with x = tᶜ, ln S(t) = ln Γ(β+x) − ln Γ(α+β+x) − ln Γ(β) + ln Γ(α+β);
/// ∂x/∂c = x ln t, ∂²x/∂c² = x (ln t)².
public struct BdW: RetentionModel, Equatable {
    public static let identifier = "bdw"
    public static let displayName = "BdW"
    public static let parameterNames = ["alpha", "beta", "c"]

    public let alpha: Double
    public let beta: Double
    public let c: Double

    public init(alpha: Double, beta: Double, c: Double) throws(ModelError) {
        try self.init(parameterValues: [alpha, beta, c])
    }

    public init(parameterValues: [Double]) throws(ModelError) {
        let v = try Self.validated(parameterValues)
        (alpha, beta, c) = (v[0], v[1], v[2])
    }

    public var parameterValues: [Double] { [alpha, beta, c] }

    /// sBG's starts with c = 1, then with c = 0.5 and 2.
    public static func startValues(for data: SubscriberHistory) -> [[Double]] {
        SBG.startValues(for: data).map { $0 + [1] } + [[1, 1, 0.5], [1, 1, 2]]
    }

    public static func logLikelihood(of data: SubscriberHistory) -> any LogLikelihood {
        RetentionLogLikelihood<BdW>(data)
    }

    public static func logSurvival(_ t: Double, parameters p: [Double], order: DerivativeOrder) -> RetentionTerms {
        let (alpha, beta, c) = (p[0], p[1], p[2])
        guard t > 0 else {
            return RetentionTerms(value: 0, gradient: order >= .gradient ? [0, 0, 0] : [],
                                  hessian: order >= .hessian ? Array(repeating: 0, count: 9) : [])
        }
        let lnT = Double.log(t)
        let x = Double.exp(c * lnT)
        let ab = alpha + beta
        var out = RetentionTerms(value: Special.logGamma(beta + x) - Special.logGamma(ab + x) - Special.logGamma(beta) + Special.logGamma(ab))
        guard order >= .gradient else { return out }
        let psiBX = Special.digamma(beta + x), psiABX = Special.digamma(ab + x), psiAB = Special.digamma(ab)
        let dx = x * lnT                 // ∂x/∂c
        let slope = psiBX - psiABX       // ∂ ln S/∂x
        out.gradient = [psiAB - psiABX, slope - Special.digamma(beta) + psiAB, slope * dx]
        guard order >= .hessian else { return out }
        let triBX = Special.trigamma(beta + x), triABX = Special.trigamma(ab + x), triAB = Special.trigamma(ab)
        let curve = triBX - triABX
        let haa = triAB - triABX
        let hab = haa
        let hbb = curve - Special.trigamma(beta) + triAB
        let hac = -triABX * dx
        let hbc = curve * dx
        let hcc = curve * dx * dx + slope * dx * lnT
        out.hessian = [haa, hab, hac, hab, hbb, hbc, hac, hbc, hcc]
        return out
    }

    /// E[periods still to be paid for] without discounting, Σ_{t≥n} S(t)/S(n−1). S(t) falls like
    /// K·t^(−cα), K = Γ(α+β)/Γ(β), so the sum is infinite for cα ≤ 1 (nil). Otherwise it is summed
    /// term by term until its asymptotic rest K·N^(1−cα)/(cα−1) is below 10⁻⁹ of the sum, which is
    /// then added; nil when that takes more than 10⁷ periods (cα just above 1).
    public func expectedResidualPeriods(periodsPaid n: Int) -> Double? {
        let decay = c * alpha
        guard decay > 1 else { return nil }
        let p = parameterValues
        let base = Self.logSurvival(Double(n - 1), parameters: p, order: .value).value
        let logK = Special.logGamma(alpha + beta) - Special.logGamma(beta)
        var sum = 0.0, t = n
        while t - n < 10_000_000 {
            sum += Double.exp(Self.logSurvival(Double(t), parameters: p, order: .value).value - base)
            t += 1
            if (t - n) % 16 == 0 || t - n < 16 {
                let rest = Double.exp(logK - base + (1 - decay) * Double.log(Double(t))) / (decay - 1)
                if rest <= 1e-9 * sum { return sum + rest }
            }
        }
        return nil
    }
}
