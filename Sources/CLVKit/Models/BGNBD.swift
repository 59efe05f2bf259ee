import CLVNumerics
import RealModule

/// The beta-geometric/negative-binomial distribution model of repeat buying
/// (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way", Marketing Science 24(2)).
///
/// While active, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each
/// purchase they drop out with probability p ~ Beta(a, b). Parameters r, α (purchase rate,
/// α in the summary's time unit) and a, b (dropout).
public struct BGNBD: PurchaseModel, PurchaseCountDistribution, Equatable {
    public static let identifier = "bgnbd"
    public static let displayName = "BG/NBD"
    public static let parameterNames = ["r", "alpha", "a", "b"]

    public let r: Double
    public let alpha: Double
    public let a: Double
    public let b: Double

    public init(r: Double, alpha: Double, a: Double, b: Double) throws(ModelError) {
        try self.init(parameterValues: [r, alpha, a, b])
    }

    public init(parameterValues: [Double]) throws(ModelError) {
        let v = try Self.validated(parameterValues)
        (r, alpha, a, b) = (v[0], v[1], v[2], v[3])
    }

    public var parameterValues: [Double] { [r, alpha, a, b] }

    /// r = 1, a = 1, b = 1 and α matched to the mean purchase rate (E[λ] = r/α ≈ Σx / ΣT),
    /// then the start CLVTools uses (r = 1, α = 3, a = 1, b = 3) rescaled to the data's time unit.
    public static func startValues(for data: PurchaseHistory) -> [[Double]] {
        var sx = 0.0, sT = 0.0
        for i in 0..<data.count {
            sx += data.weight[i] * data.frequency[i]
            sT += data.weight[i] * data.T[i]
        }
        let meanT = max(sT / max(data.customerCount, 1), 1e-6)
        let rateAlpha = sx > 0 ? sT / sx : meanT
        return [[1, rateAlpha, 1, 1], [1, 3 * meanT / 39, 1, 3], [0.1, meanT, 0.5, 0.5]]
    }

    public static func logLikelihood(of data: PurchaseHistory) -> any LogLikelihood {
        BetaGeometricNBDLikelihood(data, dropsOutAtFirstPurchase: false)
    }

    /// P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))   (FHL 2005, eq. 13)
    ///
    /// Computed as a logistic of the log-odds, so x in the thousands gives 0, not NaN, with
    /// ln((α+T)/(α+t_x)) as log1p((T−t_x)/(α+t_x)): a difference of logs would lose its digits
    /// when α ≫ T and carry the loss, times r + x, into the log-odds (r = α = 10⁸: 10⁻⁷ relative).
    /// For x = 0 it is 1: in BG/NBD a customer can only drop out right after a purchase.
    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        guard x > 0 else { return 1 }
        let logOdds = Double.log(a) - Double.log(b + x - 1) + (r + x) * Double.log(onePlus: (T - tx) / (alpha + tx))
        return LogSpace.logistic(-logOdds)
    }

    /// P(X(T, T+t) > 0 | x, t_x, T) = P(alive) · [1 − ((α+T)/(α+T+t))^(r+x)]: a customer alive at T
    /// drops out only just after a purchase, so without one they stay alive and buy by Poisson
    /// with λ | alive ~ Gamma(r+x, α+T) (`BetaGeometricExpectation.purchaseWhileAlive`). It
    /// equals 1 − L(x, t_x, T+t)/L(x, t_x, T), FHL 2005 eq. 6: the history with no purchase in (T, T+t].
    public func probabilityOfPurchase(within t: Double, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        return probabilityAlive(frequency: x, recency: tx, T: T) * BetaGeometricExpectation.purchaseWhileAlive(shape: r + x, base: alpha + T, within: t)
    }

    /// E[Y(t) | x, t_x, T] (FHL 2005, eq. 10):
    /// ```
    /// (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive)
    /// ```
    /// = E[(1 − (1 + p·t/(α+T))^−(r+x))/p | p ~ Beta(a, b+x)] · P(alive): evaluated by
    /// `BetaGeometricExpectation`, which uses the closed form where its estimated rounding error
    /// is below 1e-12 relative and otherwise integrates over p (b → ∞, a near 1, and
    /// a + b ≤ 1 with x = 0, where the closed form cancels, is 0/0, or has a removable pole).
    /// As b → ∞ it tends to the no-dropout NBD's (r+x)·t/(α+T).
    public func expectedPurchases(within t: Double, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        let whileAlive = try BetaGeometricExpectation.value(A: r + x, a: a, B: b + x, base: alpha + T, t: t, model: Self.displayName)
        return whileAlive * probabilityAlive(frequency: x, recency: tx, T: T)
    }

    /// E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))]   (FHL 2005, eq. 9)
    /// = E[(1 − (1 + p·t/α)^−r)/p | p ~ Beta(a, b)], by `BetaGeometricExpectation` (see
    /// `expectedPurchases(within:frequency:recency:T:)`); finite for every a, b > 0.
    public func expectedPurchasesOfNewCustomer(within t: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        return try BetaGeometricExpectation.value(A: r, a: a, B: b, base: alpha, t: t, model: Self.displayName)
    }

    /// P(X(t) = k): the probability that a new customer makes exactly k repeat purchases in
    /// (0, t] (FHL 2005, eq. 8):
    /// ```
    /// B(a, b+k)/B(a,b) · Γ(r+k)/(Γ(r) k!) · (α/(α+t))^r (t/(α+t))^k
    ///   + δ(k>0) · B(a+1, b+k−1)/B(a,b) · [1 − (α/(α+t))^r Σ_{j<k} Γ(r+j)/(Γ(r) j!) (t/(α+t))^j]
    /// ```
    /// Both terms are built from logs; the bracket is the upper tail of the negative binomial
    /// (`NegativeBinomialTail`), summed directly where 1 − Σ would cancel.
    public func probabilityOfPurchases(_ k: Int, within t: Double) -> Double {
        precondition(k >= 0, "A number of purchases is non-negative.")
        guard t > 0 else { return k == 0 ? 1 : 0 }
        let x = Double(k)
        let nb = NegativeBinomialTail(r: r, alpha: alpha, t: t)
        let logBab = Special.logBeta(a, b)
        var p = Double.exp(Special.logBeta(a, b + x) - logBab + nb.logTerm(x))
        if k > 0 {
            p += Double.exp(Special.logBeta(a + 1, b + x - 1) - logBab) * nb.upperTail(from: k)
        }
        return min(max(p, 0), 1)
    }
}

/// The number of purchases N(t) of a customer who stays: Poisson(λt) with λ ~ Gamma(r, α), a
/// negative binomial (FHL 2005 eq. 8's terms):
/// ```
/// P(N(t) = j) = Γ(r+j)/(Γ(r) j!) · (α/(α+t))^r · (t/(α+t))^j
/// ```
struct NegativeBinomialTail {
    let r: Double
    let logP: Double
    let logQ: Double

    init(r: Double, alpha: Double, t: Double) {
        self.r = r
        logP = -Double.log(onePlus: t / alpha)
        logQ = -Double.log(onePlus: alpha / t)
    }

    /// ln P(N(t) = j).
    func logTerm(_ j: Double) -> Double {
        Special.logGamma(r + j) - Special.logGamma(r) - Special.logGamma(j + 1) + r * logP + j * logQ
    }

    /// P(N(t) ≥ k) without cancellation: 1 − Σ_{j<k} P(N = j) while that sum is below ½, else
    /// Σ_{j≥k} P(N = j) directly, whose terms fall by the ratio (r+j)/(j+1) · t/(α+t) once past
    /// the mode (so a tail of 10⁻³⁰ is computed as such, not as 1 − 1). Falls back to 1 − Σ
    /// (floored at 0) if the direct sum needs more than 10⁷ terms (t/(α+t) within 10⁻⁶ of 1).
    func upperTail(from k: Int) -> Double {
        guard k > 0 else { return 1 }
        var below = 0.0
        for j in 0..<k { below += Double.exp(logTerm(Double(j))) }
        if below < 0.5 { return 1 - below }
        let q = Double.exp(logQ)
        var term = Double.exp(logTerm(Double(k)))
        var sum = 0.0
        var j = Double(k)
        for _ in 0..<10_000_000 {
            sum += term
            let ratio = (r + j) / (j + 1) * q
            term *= ratio
            j += 1
            if ratio < 1 && term <= 1e-17 * sum * (1 - ratio) { return sum }
            if term == 0 { return sum }
        }
        return max(0, 1 - below)
    }
}

extension BGNBD: CovariatePurchaseModel {
    /// α (purchase), a and b (dropout), each with its own coefficients (PyMC-Marketing, Fader &
    /// Hardie's note 019); CLVTools' one shared coefficient for a and b is the special case
    /// γ_a = γ_b (`--shared-covariates`).
    public static let covariateShifts = [
        CovariateShift(parameter: "alpha", process: .purchase, sign: -1),
        CovariateShift(parameter: "a", process: .dropout, sign: 1),
        CovariateShift(parameter: "b", process: .dropout, sign: 1),
    ]

    public static func customerLogLikelihoodWithoutShape(frequency: Double, recency: Double, T: Double, parameters θ: SIMD4<Double>,
                                                         logParameters u: SIMD4<Double>, order: DerivativeOrder) -> FourParameterSums {
        BetaGeometricNBDLikelihood.customerTermsWithoutShape(frequency: frequency, recency: recency, T: T,
                                                             r: θ[0], alpha: θ[1], a: θ[2], b: θ[3], logAlpha: u[1], logA: u[2],
                                                             dropsOutAtFirstPurchase: false, order: order)
    }
}

extension BGNBD: ResidualTransactionsModel {
    /// DERT(δ | x, t_x, T) = P(alive) · (r+x) · E[e^z E_{r+x+1}(z)/p], z = δ(α+T)/p,
    /// p ~ Beta(a, b+x): the posterior expectation of λ/(δ + pλ), what a customer with purchase
    /// rate λ who may leave after each purchase with probability p buys over the rest of the
    /// relationship, discounted (derived in `BetaGeometricResidual`; no closed form is published).
    /// Finite for every a, b > 0: discounting bounds the horizon.
    public func discountedExpectedResidualTransactions(frequency x: Double, recency tx: Double, T: Double,
                                                       discountRate delta: Double) throws(ModelError) -> Double {
        try BetaGeometricResidual.dert(model: Self.displayName, A: r + x, a: a, B: b + x, base: alpha + T, delta: delta,
                                       probabilityAlive: probabilityAlive(frequency: x, recency: tx, T: T), x: x, tx: tx, T: T)
    }
}

extension BGNBD {
    /// Interpolated per frequency and cell (`BetaGeometricExpectation.Table`).
    public func horizonExpectations(times: [Double], frequencies: [Double], T: [Double]) -> any HorizonExpectations {
        let (r, b) = (r, b)
        return BetaGeometricExpectation.horizonExpectations(model: self, times: times, alpha: alpha, a: a, shape: { x in (r + x, b + x) },
                                                            frequencies: frequencies, T: T)
    }

    /// Interpolated per frequency and cell (`BetaGeometricResidual.Table`).
    public func residualTransactions(discountRate: Double, frequencies: [Double], T: [Double]) -> any ResidualTransactionsEvaluator {
        let (r, b) = (r, b)
        return BetaGeometricResidual.Table(model: self, discountRate: discountRate, alpha: alpha, a: a, shape: { x in (r + x, b + x) },
                                           frequencies: frequencies, T: T)
    }
}
