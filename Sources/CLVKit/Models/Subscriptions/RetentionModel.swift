import CLVNumerics
import RealModule

/// A model of how long subscribers stay (contractual setting: customers renew or cancel, and the
/// cancellation is seen): sBG, BdW. Time is discrete, counted in periods; T is the period in
/// which a subscriber churns (T = 1: never renews). Everything follows from the survival function
/// S(t) = P(T > t), which each model gives in log form with its derivatives (`logSurvival`).
///
/// Invariants every conformer is tested for: S(0) = 1, S decreasing, Σ_{t≤n} P(T = t) + S(n) = 1,
/// and the derivatives against finite differences.
public protocol RetentionModel: FittableModel where Observations == SubscriberHistory {
    /// ln S(t) and, as asked, its derivatives in the parameters (t ≥ 0 a whole number of periods).
    static func logSurvival(_ t: Double, parameters: [Double], order: DerivativeOrder) -> RetentionTerms
    /// ln P(T = t) = ln(S(t−1) − S(t)), t ≥ 1, with derivatives. The default takes the difference
    /// in log space; a model with a closed form gives it (sBG).
    static func logChurn(_ t: Double, parameters: [Double], order: DerivativeOrder) -> RetentionTerms
    /// DERL(d | n − 1 renewals), Fader & Hardie 2010: the discounted expected number of payments
    /// still to come from a subscriber who is active and has paid for n periods,
    /// Σ_{t≥n} [S(t)/S(n−1)]·(1+d)^−(t−n). The first of them (the renewal at the end of period n)
    /// is not discounted. The default sums the series; sBG has a closed form.
    func discountedExpectedResidualLifetime(periodsPaid n: Int, discountRate d: Double) throws(ModelError) -> Double
    /// The same without discounting, Σ_{t≥n} S(t)/S(n−1): nil when it is infinite (a few
    /// subscribers stay forever) or cannot be summed to the stated accuracy.
    func expectedResidualPeriods(periodsPaid n: Int) -> Double?
}

/// A log-probability of the contractual models and its derivatives in the k parameters:
/// `gradient` (k) and `hessian` (k × k, row-major) are empty unless asked for.
public struct RetentionTerms: Sendable, Equatable {
    public var value: Double
    public var gradient: [Double]
    public var hessian: [Double]

    public init(value: Double, gradient: [Double] = [], hessian: [Double] = []) {
        self.value = value
        self.gradient = gradient
        self.hessian = hessian
    }
}

extension RetentionModel {
    /// S(t).
    public func survival(_ t: Int) -> Double {
        Double.exp(Self.logSurvival(Double(t), parameters: parameterValues, order: .value).value)
    }

    /// P(T = t), the share of a new cohort that cancels in period t ≥ 1.
    public func churnProbability(_ t: Int) -> Double {
        Double.exp(Self.logChurn(Double(t), parameters: parameterValues, order: .value).value)
    }

    /// r(t) = S(t)/S(t−1): the share of those still subscribed in period t − 1 who renew into
    /// period t (t ≥ 1). It rises with t under sBG: the "retention paradox" of FH 2007.
    public func retentionRate(_ t: Int) -> Double {
        let p = parameterValues
        return Double.exp(Self.logSurvival(Double(t), parameters: p, order: .value).value
                          - Self.logSurvival(Double(t - 1), parameters: p, order: .value).value)
    }

    /// P(renewal) of an active subscriber who has paid for n periods: r(n).
    public func probabilityOfRenewal(periodsPaid n: Int) -> Double { retentionRate(n) }

    /// ln(S(t−1) − S(t)) from the two log-survivals: with q = S(t)/S(t−1) < 1,
    /// ln P = L₁ + ln(1 − q), ∇ ln P = (∇L₁ − q∇L₂)/(1 − q) and
    /// ∇² ln P = (∇²L₁ + ∇L₁∇L₁ᵀ − q(∇²L₂ + ∇L₂∇L₂ᵀ))/(1 − q) − ∇ln P ∇ln Pᵀ.
    public static func logChurn(_ t: Double, parameters: [Double], order: DerivativeOrder) -> RetentionTerms {
        let l1 = logSurvival(t - 1, parameters: parameters, order: order)
        let l2 = logSurvival(t, parameters: parameters, order: order)
        let delta = l2.value - l1.value
        let oneMinusQ = -Double.expMinusOne(delta)
        var out = RetentionTerms(value: l1.value + Double.log(oneMinusQ))
        guard order >= .gradient else { return out }
        let q = 1 - oneMinusQ, k = parameters.count
        out.gradient = (0..<k).map { (l1.gradient[$0] - q * l2.gradient[$0]) / oneMinusQ }
        guard order >= .hessian else { return out }
        out.hessian = (0..<k * k).map { ij in
            let (i, j) = ij.quotientAndRemainder(dividingBy: k)
            let first = l1.hessian[ij] + l1.gradient[i] * l1.gradient[j]
            let second = l2.hessian[ij] + l2.gradient[i] * l2.gradient[j]
            return (first - q * second) / oneMinusQ - out.gradient[i] * out.gradient[j]
        }
        return out
    }

    /// The series Σ_{t≥n} [S(t)/S(n−1)]·(1+d)^−(t−n), summed until the rest is below 10⁻¹³ of
    /// the sum: S decreases, so the rest after a term u is at most u·Σ_{j≥1}(1+d)^−j = u/d.
    /// Needs d > 0 (undiscounted, the series converges only for some parameters).
    public func discountedExpectedResidualLifetime(periodsPaid n: Int, discountRate d: Double) throws(ModelError) -> Double {
        try Self.checkResidualArguments(periodsPaid: n, discountRate: d)
        let p = parameterValues
        let base = Self.logSurvival(Double(n - 1), parameters: p, order: .value).value
        let logDiscount = Double.log(onePlus: d)
        var sum = 0.0, t = n
        let limit = 10_000_000
        while t - n < limit {
            let term = Double.exp(Self.logSurvival(Double(t), parameters: p, order: .value).value - base - Double(t - n) * logDiscount)
            sum += term
            if term / d <= 1e-13 * sum { return sum }
            t += 1
        }
        throw .undefinedPrediction(model: Self.displayName, reason: "DERL at discount rate \(d) did not converge within \(limit) periods; give a larger --discount-rate.")
    }

    static func checkResidualArguments(periodsPaid n: Int, discountRate d: Double) throws(ModelError) {
        guard n >= 1 else {
            throw .undefinedPrediction(model: displayName, reason: "a subscriber has paid for at least one period (got \(n)).")
        }
        guard d.isFinite, d > 0 else {
            throw .undefinedPrediction(model: displayName, reason: "the discount rate per period must be a number > 0 (got \(d)).")
        }
    }
}

/// The log-likelihood of a subscriber history under a retention model (FH 2007, eq. 5 for a
/// cohort): a cancelled subscriber who paid for n periods contributes ln P(T = n), an active one
/// ln S(n − 1). Rows are grouped by (n, active) first, so a cohort of any size is a few terms.
struct RetentionLogLikelihood<M: RetentionModel>: LogLikelihood {
    let history: SubscriberHistory
    let observationCount: Double
    var rowCount: Int { history.count }

    init(_ data: SubscriberHistory) {
        history = data.grouped()
        observationCount = data.customerCount
    }

    func evaluate(_ p: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        let k = p.count
        var value = 0.0
        var gradient = [Double](repeating: 0, count: order >= .gradient ? k : 0)
        var hessian = [Double](repeating: 0, count: order >= .hessian ? k * k : 0)
        for i in 0..<history.count {
            let n = history.periods[i], w = history.weight[i]
            let t = history.active[i] ? M.logSurvival(n - 1, parameters: p, order: order) : M.logChurn(n, parameters: p, order: order)
            value += w * t.value
            for c in gradient.indices { gradient[c] += w * t.gradient[c] }
            for c in hessian.indices { hessian[c] += w * t.hessian[c] }
        }
        guard value.isFinite else {
            return LikelihoodEvaluation(value: -.infinity, gradient: Array(repeating: .nan, count: k),
                                        hessian: Matrix(rows: k, columns: k, repeating: .nan))
        }
        guard order >= .hessian else { return LikelihoodEvaluation(value: value, gradient: gradient) }
        var h = Matrix(rows: k, columns: k)
        for i in 0..<k { for j in 0..<k { h[i, j] = hessian[i * k + j] } }
        return LikelihoodEvaluation(value: value, gradient: gradient, hessian: h)
    }
}
