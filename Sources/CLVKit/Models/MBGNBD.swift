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
        MBGNBDLogLikelihood(data)
    }

    /// P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
    /// (Batislam et al. 2007, Appendix A eq. 5 as lifetimes cites it; for every x, including
    /// x = 0, where it is 1 / (1 + a/b · ((α+T)/α)^r) < 1).
    ///
    /// Derivation: the posterior odds of "dropped out right after the purchase at t_x" against
    /// "alive" are E[p(1−p)^x λ^x e^(−λt_x)] / E[(1−p)^(x+1) λ^x e^(−λT)]
    /// = B(a+1, b+x)/B(a, b+x+1) · ((α+T)/(α+t_x))^(r+x) = a/(b+x) · ((α+T)/(α+t_x))^(r+x).
    /// Computed as a logistic of the log-odds, so huge x gives 0, not NaN.
    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        LogSpace.logistic(-logOddsOfDropout(x: x, tx: tx, T: T))
    }

    /// ln[a/(b+x) · ((α+T)/(α+t_x))^(r+x)].
    func logOddsOfDropout(x: Double, tx: Double, T: Double) -> Double {
        Double.log(a) - Double.log(b + x) + (r + x) * (Double.log(alpha + T) - Double.log(alpha + tx))
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
    /// Throws when a = 1 (a removable singularity not handled here) or when the ₂F₁ series
    /// fails; a + b + x > 0 always, so there is no pole (unlike BG/NBD's a+b+x−1 at x = 0).
    public func expectedPurchases(within t: Double, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        let c = a + b + x
        let bracket = try oneMinusHypergeometricTerm(rx: r + x, bx: b + x + 1, c: c, base: alpha + T, t: t)
        return c / (a - 1) * bracket * probabilityAlive(frequency: x, recency: tx, T: T)
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
    /// the result follows with a′ = a−1, b′ = b+1.
    public func expectedPurchasesOfNewCustomer(within t: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        return b / (a - 1) * (try oneMinusHypergeometricTerm(rx: r, bx: b + 1, c: a + b, base: alpha, t: t))
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

    /// 1 − (base/(base+t))^rx · ₂F₁(rx, bx; c; t/(base+t)), the bracket of both expectations,
    /// evaluated as −expm1(ln of the second term) so that short horizons keep their digits.
    private func oneMinusHypergeometricTerm(rx: Double, bx: Double, c: Double, base: Double, t: Double) throws(ModelError) -> Double {
        guard abs(a - 1) > 1e-9 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "expected purchases are not computed at a = 1 (a removable singularity of the formula); a = \(a).")
        }
        let z = t / (base + t)
        let f: Hypergeometric.LogValue
        do {
            f = try Hypergeometric.log2F1(rx, bx, c, z)
        } catch {
            throw .undefinedPrediction(model: Self.displayName, reason: "the hypergeometric series for a horizon of \(t) did not converge (\(error)).")
        }
        let logTerm = rx * Double.log(onePlus: -z) + f.logMagnitude
        let bracket = f.sign > 0 ? -Double.expMinusOne(logTerm) : 1 + Double.exp(logTerm)
        guard bracket.isFinite else {
            throw .undefinedPrediction(model: Self.displayName, reason: "expected purchases overflowed for a horizon of \(t).")
        }
        return bracket
    }
}

/// The MBG/NBD log-likelihood over a purchase history (Batislam et al. 2007; lifetimes'
/// `ModifiedBetaGeoFitter._negative_log_likelihood`), in log-sum-exp form:
/// ```
/// ln Lᵢ = [ln Γ(r+x) − ln Γ(r) + r ln α] + [ln Γ(a+b) + ln Γ(b+x+1) − ln Γ(b) − ln Γ(a+b+x+1)]
///       + ln( e^A₃ + e^A₄ ),   A₃ = −(r+x) ln(α+T),   A₄ = ln a − ln(b+x) − (r+x) ln(α+t_x)
/// ```
/// i.e. L = Γ(r+x)α^r/Γ(r) · B(a, b+x+1)/B(a,b) · [(α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x)],
/// the second term for every x (x = 0 included: dropping out right after the first purchase).
///
/// Same structure as `BGNBDLogLikelihood`: the Γ terms are computed once per distinct
/// frequency (`FrequencyGroups`), the rest once per row in parallel chunks (`ChunkedSum`).
/// Gradient and Hessian are analytic: with πₖ the softmax weights of A₃, A₄,
/// ∇ ln(e^A₃ + e^A₄) = π₃∇A₃ + π₄∇A₄ and ∇² = π₃∇²A₃ + π₄∇²A₄ + π₃π₄ (∇A₃ − ∇A₄)(∇A₃ − ∇A₄)ᵀ, where
/// ```
/// ∇A₃ = (−ln(α+T), −(r+x)/(α+T), 0, 0)        ∇A₄ = (−ln(α+t_x), −(r+x)/(α+t_x), 1/a, −1/(b+x))
/// ∂²A₃/∂r∂α = −1/(α+T), ∂²A₃/∂α² = (r+x)/(α+T)²;  ∂²A₄/∂r∂α = −1/(α+t_x), ∂²A₄/∂α² = (r+x)/(α+t_x)²,
/// ∂²A₄/∂a² = −1/a², ∂²A₄/∂b² = 1/(b+x)²
/// ```
/// and the Γ terms differentiate to digamma ψ and trigamma ψ′ (see `evaluate`).
struct MBGNBDLogLikelihood: LogLikelihood {
    let frequency: [Double]
    let recency: [Double]
    let T: [Double]
    let weight: [Double]
    let groups: FrequencyGroups
    let observationCount: Double
    var rowCount: Int { frequency.count }

    init(_ data: PurchaseHistory) {
        frequency = data.frequency
        recency = data.recency
        T = data.T
        weight = data.weight
        groups = FrequencyGroups(frequency: data.frequency, weight: data.weight)
        observationCount = data.customerCount
    }

    /// Per-row sums: value, gradient (r, α, a, b) and the Hessian's upper triangle.
    struct Sums: Sendable {
        var v = 0.0
        var gr = 0.0, ga = 0.0, gA = 0.0, gB = 0.0           // ∂r, ∂α, ∂a, ∂b
        var hrr = 0.0, hra = 0.0, hrA = 0.0, hrB = 0.0
        var haa = 0.0, haA = 0.0, haB = 0.0
        var hAA = 0.0, hAB = 0.0, hBB = 0.0

        static func + (l: Sums, s: Sums) -> Sums {
            var o = l
            o.v += s.v; o.gr += s.gr; o.ga += s.ga; o.gA += s.gA; o.gB += s.gB
            o.hrr += s.hrr; o.hra += s.hra; o.hrA += s.hrA; o.hrB += s.hrB
            o.haa += s.haa; o.haA += s.haA; o.haB += s.haB
            o.hAA += s.hAA; o.hAB += s.hAB; o.hBB += s.hBB
            return o
        }
    }

    func evaluate(_ p: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        let (r, alpha, a, b) = (p[0], p[1], p[2], p[3])
        let logA = Double.log(a)
        // Per distinct frequency: ln(b+x) and 1/(b+x) for the A₄ term.
        let logBX = groups.frequencies.map { Double.log(b + $0) }
        let invBX = groups.frequencies.map { 1 / (b + $0) }
        let wantGradient = order >= .gradient, wantHessian = order >= .hessian
        let frequency = frequency, recency = recency, T = T, weight = weight, group = groups.groupOfRow

        let parts = ChunkedSum.map(rows: frequency.count) { range -> Sums in
            var s = Sums()
            frequency.withUnsafeBufferPointer { X in
            recency.withUnsafeBufferPointer { TX in
            T.withUnsafeBufferPointer { TT in
            weight.withUnsafeBufferPointer { W in
            group.withUnsafeBufferPointer { G in
                for i in range {
                    let x = X[i], w = W[i], rx = r + x
                    let k = Int(G[i])
                    let aT = alpha + TT[i], at = alpha + TX[i]
                    let lT = Double.log(aT), lt = Double.log(at)
                    let a3 = -rx * lT
                    let a4 = logA - logBX[k] - rx * lt
                    let e = Double.exp(-abs(a3 - a4))
                    s.v += w * (max(a3, a4) + Double.log(onePlus: e))
                    guard wantGradient else { continue }
                    let pBig = 1 / (1 + e), pSmall = e / (1 + e)
                    let p4 = a4 > a3 ? pBig : pSmall, p3 = 1 - p4
                    let g3r = -lT, g3a = -rx / aT
                    let g4r = -lt, g4a = -rx / at, g4A = 1 / a, g4B = -invBX[k]
                    s.gr += w * (p3 * g3r + p4 * g4r)
                    s.ga += w * (p3 * g3a + p4 * g4a)
                    s.gA += w * p4 * g4A
                    s.gB += w * p4 * g4B
                    guard wantHessian else { continue }
                    let dr = g3r - g4r, da = g3a - g4a, dA = -g4A, dB = -g4B
                    let c = w * p3 * p4
                    s.hrr += c * dr * dr
                    s.hra += w * (p3 * (-1 / aT) + p4 * (-1 / at)) + c * dr * da
                    s.hrA += c * dr * dA
                    s.hrB += c * dr * dB
                    s.haa += w * (p3 * rx / (aT * aT) + p4 * rx / (at * at)) + c * da * da
                    s.haA += c * da * dA
                    s.haB += c * da * dB
                    s.hAA += w * p4 * (-1 / (a * a)) + c * dA * dA
                    s.hAB += c * dA * dB
                    s.hBB += w * p4 * invBX[k] * invBX[k] + c * dB * dB
                }
            }}}}}
            return s
        }
        var s = parts.reduce(Sums(), +)

        // Terms that depend on the frequency only, once per distinct x:
        // ln Γ(r+x) − ln Γ(r) + r ln α + ln Γ(a+b) + ln Γ(b+x+1) − ln Γ(b) − ln Γ(a+b+x+1).
        let lgR = Special.logGamma(r), lgAB = Special.logGamma(a + b), lgB = Special.logGamma(b)
        let psiR = wantGradient ? Special.digamma(r) : 0, psiAB = wantGradient ? Special.digamma(a + b) : 0
        let psiB = wantGradient ? Special.digamma(b) : 0
        let triR = wantHessian ? Special.trigamma(r) : 0, triAB = wantHessian ? Special.trigamma(a + b) : 0
        let triB = wantHessian ? Special.trigamma(b) : 0
        let logAlpha = Double.log(alpha)
        for (k, x) in groups.frequencies.enumerated() {
            let w = groups.weights[k]
            s.v += w * (Special.logGamma(r + x) - lgR + r * logAlpha
                        + lgAB + Special.logGamma(b + x + 1) - lgB - Special.logGamma(a + b + x + 1))
            guard wantGradient else { continue }
            let psiABX = Special.digamma(a + b + x + 1)
            s.gr += w * (Special.digamma(r + x) - psiR + logAlpha)
            s.ga += w * r / alpha
            s.gA += w * (psiAB - psiABX)
            s.gB += w * (psiAB + Special.digamma(b + x + 1) - psiB - psiABX)
            guard wantHessian else { continue }
            let triABX = Special.trigamma(a + b + x + 1)
            s.hrr += w * (Special.trigamma(r + x) - triR)
            s.hra += w / alpha
            s.haa -= w * r / (alpha * alpha)
            s.hAA += w * (triAB - triABX)
            s.hAB += w * (triAB - triABX)
            s.hBB += w * (triAB + Special.trigamma(b + x + 1) - triB - triABX)
        }

        guard wantGradient else { return LikelihoodEvaluation(value: s.v) }
        let gradient = [s.gr, s.ga, s.gA, s.gB]
        guard wantHessian else { return LikelihoodEvaluation(value: s.v, gradient: gradient) }
        let h = Matrix([
            [s.hrr, s.hra, s.hrA, s.hrB],
            [s.hra, s.haa, s.haA, s.haB],
            [s.hrA, s.haA, s.hAA, s.hAB],
            [s.hrB, s.haB, s.hAB, s.hBB],
        ])
        return LikelihoodEvaluation(value: s.v, gradient: gradient, hessian: h)
    }
}
