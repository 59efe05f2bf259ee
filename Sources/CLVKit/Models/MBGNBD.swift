import CLVNumerics
import RealModule

/// The modified beta-geometric/negative-binomial distribution model of repeat buying
/// (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of models for
/// customer base analysis", International Journal of Research in Marketing 24(3), 201–209;
/// with the corrected conditional expectation of Wagner & Hoppe 2008, "Erratum on the MBG/NBD
/// model", IJRM 25(3), 225–226).
///
/// As BG/NBD (`BGNBD`): while active a customer buys as a Poisson process with rate
/// λ ~ Gamma(r, α), and drops out with probability p ~ Beta(a, b) right after each repeat
/// purchase. The one change: a customer may also drop out right after the *first* purchase
/// (time 0), so a customer without repeat purchases is not certainly alive, which is the
/// BG/NBD property users find surprising (P(alive) = 1 for x = 0). Parameters r, α (purchase
/// rate, α in the summary's time unit) and a, b (dropout), as in lifetimes'
/// `ModifiedBetaGeoFitter` and BTYDplus' `mbgnbd.*`.
///
/// Every formula below follows from the individual-level likelihood
/// ```
/// L(λ, p | x, t_x, T) = (1−p)^(x+1) λ^x e^(−λT) + p (1−p)^x λ^x e^(−λ t_x)
/// ```
/// (alive throughout, or dropped out right after the purchase at t_x; x = 0 has t_x = 0)
/// integrated over the Gamma and Beta mixing distributions.
public struct MBGNBD: PurchaseModel, PurchaseCountDistribution, Equatable {
    public static let identifier = "mbgnbd"
    public static let displayName = "MBG/NBD"
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

    /// The BG/NBD starts (`BGNBD.startValues`): r = 1, a = b = 1 with α matched to the mean
    /// purchase rate, the CLVTools start rescaled to the data's time unit, and a flat start.
    /// The models share the purchase process, so what starts BG/NBD well starts MBG/NBD well.
    public static func startValues(for data: PurchaseHistory) -> [[Double]] {
        BGNBD.startValues(for: data)
    }

    public static func logLikelihood(of data: PurchaseHistory) -> any LogLikelihood {
        BetaGeometricNBDLikelihood(data, dropsOutAtFirstPurchase: true)
    }

    /// P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
    /// (Batislam et al. 2007, Appendix A eq. 5 as lifetimes cites it; for every x, including
    /// x = 0, where it is 1 / (1 + a/b · ((α+T)/α)^r) < 1).
    ///
    /// Derivation: the posterior odds of "dropped out right after the purchase at t_x" against
    /// "alive" are E[p(1−p)^x λ^x e^(−λt_x)] / E[(1−p)^(x+1) λ^x e^(−λT)]
    /// = B(a+1, b+x)/B(a, b+x+1) · ((α+T)/(α+t_x))^(r+x) = a/(b+x) · ((α+T)/(α+t_x))^(r+x).
    /// Computed as a logistic of the log-odds, so huge x gives 0, not NaN; ln((α+T)/(α+t_x)) is
    /// log1p((T−t_x)/(α+t_x)), which keeps its digits when α ≫ T (r = α = 10⁸).
    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        LogSpace.logistic(-logOddsOfDropout(x: x, tx: tx, T: T))
    }

    /// P(X(T, T+t) > 0 | x, t_x, T) = P(alive) · [1 − ((α+T)/(α+T+t))^(r+x)], as BG/NBD's
    /// (`BGNBD.probabilityOfPurchase`): MBG/NBD's customers also drop out only at a purchase
    /// (the first one included), so one alive at T stays alive until they buy again.
    public func probabilityOfPurchase(within t: Double, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        return probabilityAlive(frequency: x, recency: tx, T: T) * BetaGeometricExpectation.purchaseWhileAlive(shape: r + x, base: alpha + T, within: t)
    }

    /// ln[a/(b+x) · ((α+T)/(α+t_x))^(r+x)].
    func logOddsOfDropout(x: Double, tx: Double, T: Double) -> Double {
        Double.log(a) - Double.log(b + x) + (r + x) * Double.log(onePlus: (T - tx) / (alpha + tx))
    }

    /// E[Y(t) | x, t_x, T], the expected number of purchases in (T, T+t]
    /// (Wagner & Hoppe 2008, correcting Batislam et al. 2007; lifetimes'
    /// `ModifiedBetaGeoFitter.conditional_expected_number_of_purchases_up_to_time`):
    /// ```
    /// (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive | x, t_x, T)
    /// ```
    /// Derivation: alive at T, the customer's posterior is λ ~ Gamma(r+x, α+T),
    /// p ~ Beta(a, b+x+1) (the alive term of the likelihood); given (λ, p) the expected number
    /// of purchases in t is (1/p)(1 − e^(−λpt)), as in BG/NBD (FHL 2005 eq. 7). Taking the
    /// expectation is FHL 2005 eq. 10 with b replaced by b+1.
    ///
    /// That is E[(1 − (1 + p·t/(α+T))^−(r+x))/p | p ~ Beta(a, b+x+1)] · P(alive), evaluated by
    /// `BetaGeometricExpectation`: the closed form where its estimated rounding error is below
    /// 1e-12 relative, else the integral over p (b → ∞, a near 1: cancellation or 0/0).
    public func expectedPurchases(within t: Double, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        let whileAlive = try BetaGeometricExpectation.value(A: r + x, a: a, B: b + x + 1, base: alpha + T, t: t, model: Self.displayName)
        return whileAlive * probabilityAlive(frequency: x, recency: tx, T: T)
    }

    /// E[X(t)] for a customer who has just made their first purchase:
    /// ```
    /// b/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))]
    /// ```
    /// (lifetimes' `ModifiedBetaGeoFitter.expected_number_of_purchases_up_to_time`).
    /// Derivation: alive after the first purchase with probability 1−p, then BG/NBD's
    /// (1/p)(1 − e^(−λpt)), so E[X(t) | λ, p] = ((1−p)/p)(1 − e^(−λpt)). Since
    /// ((1−p)/p) · Beta(a, b) density = b/(a−1) · Beta(a−1, b+1) density and, for p ~ Beta(a′, b′),
    /// E[(α/(α+pt))^r] = (α/(α+t))^r ₂F₁(r, b′; a′+b′; t/(α+t)) (Euler/Pfaff, A&S 15.3.4),
    /// the result follows with a′ = a−1, b′ = b+1. Evaluated as b/(a+b) · E[(1 − (1 + p·t/α)^−r)/p]
    /// with p ~ Beta(a, b+1) ((1−p) · Beta(a, b) density = b/(a+b) · Beta(a, b+1) density) by
    /// `BetaGeometricExpectation`, accurate for every a, b > 0 including a = 1.
    public func expectedPurchasesOfNewCustomer(within t: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        return b / (a + b) * (try BetaGeometricExpectation.value(A: r, a: a, B: b + 1, base: alpha, t: t, model: Self.displayName))
    }

    /// P(X(t) = k): the probability that a new customer makes exactly k repeat purchases in
    /// (0, t]. From the individual level: alive through all k+1 dropout chances (after the first
    /// purchase and each of the k repeats) with exactly k Poisson purchases, or dropped out right
    /// after the k-th repeat purchase (k = 0: right after the first), which happened by t:
    /// (1−p)^(k+1) Pois(k; λt) + p(1−p)^k P(N(t) ≥ k). Integrated over the mixing distributions
    /// (the MBG/NBD analogue of FHL 2005 eq. 8, as in BTYDplus' `mbgnbd.pmf`):
    /// ```
    /// B(a, b+k+1)/B(a,b) · Γ(r+k)/(Γ(r) k!) (α/(α+t))^r (t/(α+t))^k
    ///   + B(a+1, b+k)/B(a,b) · [1 − (α/(α+t))^r Σ_{j<k} Γ(r+j)/(Γ(r) j!) (t/(α+t))^j]
    /// ```
    /// Terms from logs; the bracket is the negative binomial's upper tail (`NegativeBinomialTail`),
    /// summed directly where 1 − Σ would cancel.
    public func probabilityOfPurchases(_ k: Int, within t: Double) -> Double {
        precondition(k >= 0, "A number of purchases is non-negative.")
        guard t > 0 else { return k == 0 ? 1 : 0 }
        let x = Double(k)
        let nb = NegativeBinomialTail(r: r, alpha: alpha, t: t)
        let logBab = Special.logBeta(a, b)
        let p = Double.exp(Special.logBeta(a, b + x + 1) - logBab + nb.logTerm(x))
            + Double.exp(Special.logBeta(a + 1, b + x) - logBab) * nb.upperTail(from: k)
        return min(max(p, 0), 1)
    }
}

extension MBGNBD: CovariatePurchaseModel {
    /// As BG/NBD: α (purchase), a and b (dropout).
    public static var covariateShifts: [CovariateShift] { BGNBD.covariateShifts }

    public static func customerLogLikelihoodWithoutShape(frequency: Double, recency: Double, T: Double, parameters θ: SIMD4<Double>,
                                                         logParameters u: SIMD4<Double>, order: DerivativeOrder) -> FourParameterSums {
        BetaGeometricNBDLikelihood.customerTermsWithoutShape(frequency: frequency, recency: recency, T: T,
                                                             r: θ[0], alpha: θ[1], a: θ[2], b: θ[3], logAlpha: u[1], logA: u[2],
                                                             dropsOutAtFirstPurchase: true, order: order)
    }
}

extension MBGNBD: ResidualTransactionsModel {
    /// DERT(δ | x, t_x, T) = P(alive) · (r+x) · E[e^z E_{r+x+1}(z)/p], z = δ(α+T)/p,
    /// p ~ Beta(a, b+x+1): as BG/NBD's (`BetaGeometricResidual`), with the alive customer's
    /// posterior of p one purchase opportunity further on (they survived the first purchase too).
    public func discountedExpectedResidualTransactions(frequency x: Double, recency tx: Double, T: Double,
                                                       discountRate delta: Double) throws(ModelError) -> Double {
        try BetaGeometricResidual.dert(model: Self.displayName, A: r + x, a: a, B: b + x + 1, base: alpha + T, delta: delta,
                                       probabilityAlive: probabilityAlive(frequency: x, recency: tx, T: T), x: x, tx: tx, T: T)
    }
}

extension MBGNBD {
    /// Interpolated per frequency and cell (`BetaGeometricExpectation.Table`).
    public func horizonExpectations(times: [Double], frequencies: [Double], T: [Double]) -> any HorizonExpectations {
        let (r, b) = (r, b)
        return BetaGeometricExpectation.horizonExpectations(model: self, times: times, alpha: alpha, a: a, shape: { x in (r + x, b + x + 1) },
                                                            frequencies: frequencies, T: T)
    }

    /// Interpolated per frequency and cell (`BetaGeometricResidual.Table`).
    public func residualTransactions(discountRate: Double, frequencies: [Double], T: [Double]) -> any ResidualTransactionsEvaluator {
        let (r, b) = (r, b)
        return BetaGeometricResidual.Table(model: self, discountRate: discountRate, alpha: alpha, a: a, shape: { x in (r + x, b + x + 1) },
                                           frequencies: frequencies, T: T)
    }
}
