import CLVNumerics
import RealModule

/// The shifted-beta-geometric model of subscriber retention (Fader & Hardie 2007, "How to Project
/// Customer Retention", Journal of Interactive Marketing 21(1)).
///
/// Each subscriber cancels at the end of any period with their own probability θ, θ ~ Beta(α, β)
/// across subscribers, so (eqs. 3, 4, 7)
/// ```
/// P(T = t) = B(α+1, β+t−1)/B(α, β),   S(t) = B(α, β+t)/B(α, β),   r(t) = (β+t−1)/(α+β+t−1)
/// ```
/// in rising factorials ln S(t) = ln (β)ₜ − ln (α+β)ₜ and ln P(T = t) = ln α + ln (β)ₜ₋₁ − ln (α+β)ₜ:
/// exact sums of logarithms for the tenures of real data (`RisingFactorial`). The constant-r
/// formula m·r/(1+i−r) is the limit of one θ for everybody; the spread of θ is why the cohort's
/// retention rate r(t) rises with tenure.
public struct SBG: RetentionModel, Equatable {
    public static let identifier = "sbg"
    public static let displayName = "sBG"
    public static let parameterNames = ["alpha", "beta"]

    public let alpha: Double
    public let beta: Double

    public init(alpha: Double, beta: Double) throws(ModelError) {
        try self.init(parameterValues: [alpha, beta])
    }

    public init(parameterValues: [Double]) throws(ModelError) {
        let v = try Self.validated(parameterValues)
        (alpha, beta) = (v[0], v[1])
    }

    public var parameterValues: [Double] { [alpha, beta] }

    /// α = β = 1 (θ uniform), then a cohort that churns fast and one that stays.
    public static func startValues(for data: SubscriberHistory) -> [[Double]] {
        [[1, 1], [0.5, 2], [2, 0.5]]
    }

    public static func logLikelihood(of data: SubscriberHistory) -> any LogLikelihood {
        RetentionLogLikelihood<SBG>(data)
    }

    public static func logSurvival(_ t: Double, parameters p: [Double], order: DerivativeOrder) -> RetentionTerms {
        let (alpha, beta) = (p[0], p[1])
        let fb = RisingFactorial(beta, t, derivatives: order.rawValue)
        let fab = RisingFactorial(alpha + beta, t, derivatives: order.rawValue)
        var out = RetentionTerms(value: fb.value - fab.value)
        guard order >= .gradient else { return out }
        out.gradient = [-fab.first, fb.first - fab.first]
        guard order >= .hessian else { return out }
        out.hessian = [-fab.second, -fab.second, -fab.second, fb.second - fab.second]
        return out
    }

    public static func logChurn(_ t: Double, parameters p: [Double], order: DerivativeOrder) -> RetentionTerms {
        let (alpha, beta) = (p[0], p[1])
        let fb = RisingFactorial(beta, t - 1, derivatives: order.rawValue)
        let fab = RisingFactorial(alpha + beta, t, derivatives: order.rawValue)
        var out = RetentionTerms(value: Double.log(alpha) + fb.value - fab.value)
        guard order >= .gradient else { return out }
        out.gradient = [1 / alpha - fab.first, fb.first - fab.first]
        guard order >= .hessian else { return out }
        out.hessian = [-1 / (alpha * alpha) - fab.second, -fab.second, -fab.second, fb.second - fab.second]
        return out
    }

    /// DERL(d | n−1 renewals) = (β+n−1)/(α+β+n−1) · ₂F₁(1, β+n; α+β+n; 1/(1+d))
    /// (Fader & Hardie 2010, "Customer-Base Valuation in a Contractual Setting: The Perils of
    /// Ignoring Heterogeneity", Marketing Science 29(1), eq. 7).
    public func discountedExpectedResidualLifetime(periodsPaid n: Int, discountRate d: Double) throws(ModelError) -> Double {
        try Self.checkResidualArguments(periodsPaid: n, discountRate: d)
        let m = Double(n)
        do {
            let f = try Hypergeometric.log2F1UnitA(b: beta + m, c: alpha + beta + m, z: 1 / (1 + d))
            return (beta + m - 1) / (alpha + beta + m - 1) * Double.exp(f.value)
        } catch {
            throw .undefinedPrediction(model: Self.displayName, reason: "DERL at α = \(alpha), β = \(beta), n = \(n), d = \(d) cannot be evaluated (\(error)).")
        }
    }

    /// E[periods still to be paid for] without discounting, Σ_{t≥n} S(t)/S(n−1) = (β+n−1)/(α−1):
    /// finite only for α > 1 (nil otherwise: the few subscribers with θ near 0 stay forever).
    public func expectedResidualPeriods(periodsPaid n: Int) -> Double? {
        alpha > 1 ? (beta + Double(n) - 1) / (alpha - 1) : nil
    }
}
