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
    /// Computed as a logistic of the log-odds, so x in the thousands gives 0, not NaN.
    /// For x = 0 it is 1: in BG/NBD a customer can only drop out right after a purchase.
    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        guard x > 0 else { return 1 }
        let logOdds = Double.log(a) - Double.log(b + x - 1) + (r + x) * (Double.log(alpha + T) - Double.log(alpha + tx))
        return LogSpace.logistic(-logOdds)
    }

    /// E[Y(t) | x, t_x, T] (FHL 2005, eq. 10):
    /// ```
    /// (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive)
    /// ```
    /// The bracket is evaluated as −expm1(ln of the second term) so short horizons keep their digits.
    /// Throws when a = 1 (the formula's removable singularity is not handled here) or
    /// a + b + x − 1 ≤ 0 (₂F₁ has a pole: possible for x = 0 when a + b ≤ 1).
    public func expectedPurchases(within t: Double, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        let c = a + b + x - 1
        let bracket = try oneMinusHypergeometricTerm(rx: r + x, bx: b + x, c: c, base: alpha + T, t: t)
        return c / (a - 1) * bracket * probabilityAlive(frequency: x, recency: tx, T: T)
    }

    /// E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))]   (FHL 2005, eq. 9)
    public func expectedPurchasesOfNewCustomer(within t: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        let c = a + b - 1
        return c / (a - 1) * (try oneMinusHypergeometricTerm(rx: r, bx: b, c: c, base: alpha, t: t))
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

    /// 1 − (base/(base+t))^rx · ₂F₁(rx, bx; c; t/(base+t)), the bracket shared by eqs. 9 and 10.
    private func oneMinusHypergeometricTerm(rx: Double, bx: Double, c: Double, base: Double, t: Double) throws(ModelError) -> Double {
        guard abs(a - 1) > 1e-9 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "expected purchases are not computed at a = 1 (a removable singularity of FHL 2005 eq. 10); a = \(a).")
        }
        guard c > 0 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "expected purchases are undefined when a + b + x − 1 ≤ 0 (here \(c)): the hypergeometric function has a pole.")
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
