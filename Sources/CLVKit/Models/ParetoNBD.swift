import CLVNumerics
import RealModule

/// The Pareto/NBD model of repeat buying (Schmittlein, Morrison & Colombo 1987, "Counting Your
/// Customers: Who Are They and What Will They Do Next?", Management Science 33(1); likelihood
/// and related expressions from Fader & Hardie 2005, "A Note on Deriving the Pareto/NBD Model
/// and Related Expressions", note 009).
///
/// While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); their lifetime
/// is exponential with rate μ ~ Gamma(s, β), independent of λ, and they leave silently at its
/// end. Parameters r, α (purchase rate) and s, β (dropout rate); α and β are in the summary's
/// time unit.
///
/// Every ₂F₁ of note 009 is evaluated through one positive integral,
/// ```
/// G(p, q; A, B) = ∫₀^∞ (A+u)^−p (B+u)^−q du
///              = A^−p B^(1−q) / (p+q−1) · ₂F₁(1, p; p+q; 1 − B/A)        (A ≥ B; swap p↔q, A↔B otherwise)
/// ```
/// (the Euler integral of ₂F₁ followed by Euler's transformation, A&S 15.3.1 and 15.3.3), whose
/// series has positive, monotonically decreasing terms for every customer; see
/// `Hypergeometric.log2F1UnitA`.
public struct ParetoNBD: PurchaseModel, PurchaseCountDistribution, Equatable {
    public static let identifier = "pareto-nbd"
    public static let displayName = "Pareto/NBD"
    public static let parameterNames = ["r", "alpha", "s", "beta"]

    public let r: Double
    public let alpha: Double
    public let s: Double
    public let beta: Double

    public init(r: Double, alpha: Double, s: Double, beta: Double) throws(ModelError) {
        try self.init(parameterValues: [r, alpha, s, beta])
    }

    public init(parameterValues: [Double]) throws(ModelError) {
        let v = try Self.validated(parameterValues)
        (r, alpha, s, beta) = (v[0], v[1], v[2], v[3])
    }

    public var parameterValues: [Double] { [r, alpha, s, beta] }

    /// Start points, best guess first:
    /// 1. r = s = 1 with α matched to the mean purchase rate (E[λ] = r/α ≈ Σx / ΣT) and β = α
    ///    (a mean lifetime of the order of the time between purchases);
    /// 2. CLVTools' start (r = 1, α = 2, s = 1, β = 2 on CDNOW weeks), rescaled to the data's
    ///    time unit by the mean T (CDNOW: mean T ≈ 32.7 weeks, observation window 39 weeks);
    /// 3. weaker heterogeneity and slow dropout: r = s = 0.5, α = β = mean T.
    public static func startValues(for data: PurchaseHistory) -> [[Double]] {
        var sx = 0.0, sT = 0.0
        for i in 0..<data.count {
            sx += data.weight[i] * data.frequency[i]
            sT += data.weight[i] * data.T[i]
        }
        let meanT = max(sT / max(data.customerCount, 1), 1e-6)
        let rateAlpha = sx > 0 ? sT / sx : meanT
        let ctScale = 2 * meanT / 39
        return [[1, rateAlpha, 1, rateAlpha], [1, ctScale, 1, ctScale], [0.5, meanT, 0.5, meanT]]
    }

    public static func logLikelihood(of data: PurchaseHistory) -> any LogLikelihood {
        ParetoNBDLogLikelihood(data)
    }

    /// P(alive | x, t_x, T) = Γ(r+x) α^r β^s / Γ(r) · (α+T)^−(r+x) (β+T)^−s / L(r, α, s, β | x, t_x, T)
    /// (note 009 §5.1, eqs. 36–37: the likelihood's "still alive at T" part over the whole), as
    /// 1/(e^(h₁−a) + e^(h₂−a)) with a the log of the alive part and h₁, h₂ the likelihood's two
    /// positive log-terms (see `ParetoNBDTerms.logAliveRatios`): no cancellation, and x in the
    /// thousands gives a tiny number, not NaN.
    ///
    /// Returns NaN only when a ₂F₁ cannot be evaluated (near argument 1 it is a quadrature of
    /// fixed cost, so only at parameters that are not finite numbers in practice); the scorer
    /// reports a non-finite prediction as an error naming the customer.
    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        (try? logProbabilityAlive(frequency: x, recency: tx, T: T)).map { Double.exp($0) } ?? .nan
    }

    /// P(X(T, T+t) > 0 | x, t_x, T) = P(alive) · ∫₀ᵗ E[λ e^(−λu)] E[e^(−μu)] du: given alive at T,
    /// λ ~ Gamma(r+x, α+T) and μ ~ Gamma(s, β+T) are independent, and the first purchase after T
    /// comes at u with density λe^(−λu) while the customer lives to u (probability e^(−μu)), so
    /// ```
    /// ∫₀ᵗ (r+x)/(α+T) · (1 + u/(α+T))^−(r+x+1) · (1 + u/(β+T))^−s du
    /// ```
    /// (the same as 1 − P(X(T, T+t) = 0 | x, t_x, T), FHL 2005's conditional count at 0, without
    /// the subtraction). Integrated by adaptive Gauss–Kronrod in v = ln(1 + u/c), c = min(α+T, β+T),
    /// where the integrand decays at most exponentially; relative tolerance 1e-12.
    public func probabilityOfPurchase(within t: Double, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        let logAlive = try logProbabilityAlive(frequency: x, recency: tx, T: T)
        let A = alpha + T, B = beta + T, c = min(A, B), n = r + x, s = s
        let logIntegral: Double
        do {
            logIntegral = try GaussKronrod.logIntegral(ofLog: { v in
                let u = c * Double.expMinusOne(v)
                return Double.log(n / A) - (n + 1) * Double.log(onePlus: u / A) - s * Double.log(onePlus: u / B) + Double.log(c + u)
            }, from: 0, to: Double.log(onePlus: t / c), initialPanels: 2, relativeTolerance: 1e-12)
        } catch {
            throw .undefinedPrediction(model: Self.displayName, reason: "P(a purchase within \(t)) for x = \(x), t_x = \(tx), T = \(T): the quadrature failed (\(error)).")
        }
        let p = Double.exp(logAlive + logIntegral)
        guard p.isFinite else {
            throw .undefinedPrediction(model: Self.displayName, reason: "P(a purchase within \(t)) for x = \(x), t_x = \(tx), T = \(T) is not a finite number.")
        }
        return min(p, 1)
    }

    /// ln P(alive | x, t_x, T) ≤ 0, accurate to a few ulps of 1 in absolute terms (the big powers
    /// (α+T)^(r+x) cancel analytically before anything is rounded); throws when a ₂F₁ series does
    /// not converge.
    public func logProbabilityAlive(frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        let ratios: (Double, Double)
        do {
            ratios = try ParetoNBDTerms.logAliveRatios(r: r, alpha: alpha, s: s, beta: beta, x: x, tx: tx, T: T)
        } catch {
            throw .undefinedPrediction(model: Self.displayName, reason: "P(alive) for x = \(x), t_x = \(tx), T = \(T): the hypergeometric series did not converge (\(error)).")
        }
        // e^(h₁−a) + e^(h₂−a) ≥ 1 exactly (it is 1 when t_x = T); rounding may leave it a few ulps below.
        return min(0, -LogSpace.add(ratios.0, ratios.1))
    }

    /// E[Y(t) | x, t_x, T] (SMC 1987; note 009 §6):
    /// ```
    /// (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive | x, t_x, T)
    /// ```
    /// evaluated as (r+x)(β+T)/(α+T) · ℓ · φ((s−1)ℓ) · P(alive) with ℓ = ln(1 + t/(β+T)) and
    /// φ(y) = (1 − e^−y)/y (φ(0) = 1, by expm1). This is the same number for s ≠ 1 and its
    /// continuous limit (r+x)(β+T)/(α+T) · ln((β+T+t)/(β+T)) · P(alive) at s = 1, so s near 1
    /// loses no digits.
    public func expectedPurchases(within t: Double, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        let logAlive = try logProbabilityAlive(frequency: x, recency: tx, T: T)
        let value = (r + x) * (beta + T) / (alpha + T) * Self.lifetimeFactor(t: t, base: beta + T, s: s) * Double.exp(logAlive)
        guard value.isFinite else {
            throw .undefinedPrediction(model: Self.displayName, reason: "expected purchases overflowed for a horizon of \(t) (x = \(x)).")
        }
        return value
    }

    /// E[X(t)] = rβ / (α(s−1)) · [1 − (β/(β+t))^(s−1)]   (SMC 1987; note 009 §3, the mean of the
    /// Pareto/NBD), evaluated as r β/α · ℓ φ((s−1)ℓ) with ℓ = ln(1 + t/β): exact at s = 1 too,
    /// where it is rβ/α · ln(1 + t/β).
    public func expectedPurchasesOfNewCustomer(within t: Double) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        return r * beta / alpha * Self.lifetimeFactor(t: t, base: beta, s: s)
    }

    /// P(X(t) = k): the probability that a new customer makes exactly k repeat purchases in
    /// (0, t] (SMC 1987; Fader & Hardie, note 009 §4, and note 012, "Deriving an Expression for
    /// P(X(t) = x) Under the Pareto/NBD Model").
    ///
    /// Conditional on λ and μ the customer is either alive throughout (0, t] or dies at τ ≤ t:
    /// P = (λt)ᵏe^−λt/k! · e^−μt + ∫₀ᵗ (λτ)ᵏe^−λτ/k! · μe^−μτ dτ. Integrating over the gammas,
    /// ```
    /// P(X(t) = k) = Γ(r+k)/(Γ(r) k!) (α/(α+t))^r (t/(α+t))^k (β/(β+t))^s
    ///             + Γ(r+k)/(Γ(r) k!) α^r s β^s ∫₀ᵗ τᵏ (α+τ)^−(r+k) (β+τ)^−(s+1) dτ
    /// ```
    /// Note 009 writes the integral in closed form as B₁ − Σᵢ₌₀ᵏ (…) B₂(i), a difference of ₂F₁
    /// terms that cancels down to the answer itself (10⁻¹⁰⁸ from terms of order 1 at k = 100,
    /// t = 1 on CDNOW). Here both terms stay positive logarithms: the integral is taken by
    /// adaptive Gauss–Kronrod quadrature in v = ln(1 + τ/c), c = min(α, β), which turns the
    /// power-law tail into an exponential one and keeps a peak at large k a few units wide.
    ///
    /// - Returns: a probability in [0, 1]; 1 for k = 0 and t = 0.
    /// - Throws: `ModelError.undefinedPrediction` when the quadrature does not reach its
    ///   tolerance (1e-13 relative) within its panel budget.
    public func probabilityOfPurchases(_ k: Int, within t: Double) throws(ModelError) -> Double {
        precondition(k >= 0, "A number of purchases is non-negative.")
        guard t > 0 else { return k == 0 ? 1 : 0 }
        let x = Double(k)
        let logCount = Special.logGamma(r + x) - Special.logGamma(r) - Special.logGamma(x + 1)
        let logAlive = logCount - r * Double.log(onePlus: t / alpha) + (k == 0 ? 0 : x * Double.log(t / (alpha + t)))
            - s * Double.log(onePlus: t / beta)
        let c = min(alpha, beta)
        let (r, alpha, s, beta) = (r, alpha, s, beta)
        let logIntegral: Double
        do {
            // τ = c·(eᵛ − 1), dτ = (c + τ) dv; τᵏ(α+τ)^−(r+k) = (α+τ)^−r · e^(−k ln(1 + α/τ)), whose
            // exponent stays small where the integrand matters (k ln τ alone would be ~10⁴ at
            // k = 2000 and carry ~10⁻¹² of rounding into every node).
            logIntegral = try GaussKronrod.logIntegral(ofLog: { v in
                let tau = c * Double.expMinusOne(v)
                let power = k == 0 ? 0 : -x * Double.log(onePlus: alpha / tau)
                return power - r * Double.log(alpha + tau) - (s + 1) * Double.log(beta + tau) + Double.log(c + tau)
            }, from: 0, to: Double.log(onePlus: t / c))
        } catch {
            throw .undefinedPrediction(model: Self.displayName, reason: "P(X(t) = \(k)) for t = \(t): the quadrature of the dropout term failed (\(error)).")
        }
        let logDied = logCount + r * Double.log(alpha) + Double.log(s) + s * Double.log(beta) + logIntegral
        let p = Double.exp(LogSpace.add(logAlive, logDied))
        guard p.isFinite else {
            throw .undefinedPrediction(model: Self.displayName, reason: "P(X(t) = \(k)) for t = \(t) is not a finite number.")
        }
        return min(p, 1)
    }

    /// [1 − (base/(base+t))^(s−1)] / (s−1) = ℓ · (1 − e^−(s−1)ℓ)/((s−1)ℓ), ℓ = ln(1 + t/base):
    /// the expected time alive in (0, t] per unit of rate, with its s → 1 limit ℓ built in.
    static func lifetimeFactor(t: Double, base: Double, s: Double) -> Double {
        let ell = Double.log(onePlus: t / base)
        let y = (s - 1) * ell
        let phi = y == 0 ? 1 : -Double.expMinusOne(-y) / y
        return ell * phi
    }
}

/// The per-customer pieces of the Pareto/NBD likelihood.
///
/// Conditional on λ and μ the likelihood of (x, t_x, T) is
/// λˣ e^−(λ+μ)T + λˣ μ/(λ+μ) (e^−(λ+μ)t_x − e^−(λ+μ)T) = λˣ μ/(λ+μ) e^−(λ+μ)t_x + λˣ⁺¹/(λ+μ) e^−(λ+μ)T
/// (note 009 §2; the right-hand side is the form of Fader & Hardie's note 028 and of PyMC-Marketing).
/// Writing 1/(λ+μ) = ∫₀^∞ e^−(λ+μ)u du and integrating over the gammas gives, with
/// K = ln Γ(r+x) − ln Γ(r) + r ln α + s ln β,
/// ```
/// ln L = K + ln( s · G(r+x, s+1; α+t_x, β+t_x) + (r+x) · G(r+x+1, s; α+T, β+T) )
/// ```
/// a sum of two positive terms: the difference A₀ of note 009 (the source of the cancellation
/// when t_x ≈ T and of the failures reported for lifetimes and BTYD) never forms. Substituting the
/// ₂F₁ form of G gives back exactly note 009's A₀ expression (α ≥ β: ₂F₁(r+s+x, s+1; r+s+x+1; ·)
/// and ₂F₁(r+s+x, s; r+s+x+1; ·); α < β: second parameters r+x and r+x+1).
enum ParetoNBDTerms {
    /// ln G(p, q; A, B) and its derivatives in (p, q, A, B) (zero where not requested).
    struct LogG {
        var value = 0.0
        var gp = 0.0, gq = 0.0, gA = 0.0, gB = 0.0
        var hpp = 0.0, hpq = 0.0, hpA = 0.0, hpB = 0.0
        var hqq = 0.0, hqA = 0.0, hqB = 0.0
        var hAA = 0.0, hAB = 0.0, hBB = 0.0

        /// The same function seen with the roles of (p, A) and (q, B) exchanged: G is symmetric,
        /// G(p, q; A, B) = G(q, p; B, A).
        var swapped: LogG {
            var o = LogG()
            o.value = value
            o.gp = gq; o.gq = gp; o.gA = gB; o.gB = gA
            o.hpp = hqq; o.hqq = hpp; o.hpq = hpq
            o.hpA = hqB; o.hpB = hqA; o.hqA = hpB; o.hqB = hpA
            o.hAA = hBB; o.hBB = hAA; o.hAB = hAB
            return o
        }
    }

    /// ln G(p, q; A, B) with A = a₀ + t, B = b₀ + t, computed from the larger of the two so that
    /// the ₂F₁ argument |a₀ − b₀|/(max + t) is in [0, 1). `difference` = a₀ − b₀ exactly (A − B
    /// would lose digits when t ≫ a₀, b₀).
    static func logG(p: Double, q: Double, A: Double, B: Double, difference: Double,
                     order: Hypergeometric.DerivativeOrder) throws(Hypergeometric.Failure) -> LogG {
        if difference >= 0 {
            return try orientedLogG(p: p, q: q, A: A, B: B, d: difference, order: order)
        }
        return try orientedLogG(p: q, q: p, A: B, B: A, d: -difference, order: order).swapped
    }

    /// A ≥ B, d = A − B ≥ 0:
    /// ```
    /// ln G = −p ln A + (1−q) ln B − ln(p+q−1) + ln ₂F₁(1, p; p+q; z),   z = d/A = 1 − B/A
    /// ```
    /// Derivatives: ₂F₁'s are given in (b, c, z) = (p, p+q, z), so ∂/∂p = ∂_b + ∂_c, ∂/∂q = ∂_c,
    /// and z depends on A, B: ∂z/∂A = B/A², ∂z/∂B = −1/A, ∂²z/∂A² = −2B/A³, ∂²z/∂A∂B = 1/A².
    static func orientedLogG(p: Double, q: Double, A: Double, B: Double, d: Double,
                             order: Hypergeometric.DerivativeOrder) throws(Hypergeometric.Failure) -> LogG {
        let z = d / A
        let f = try Hypergeometric.log2F1UnitA(b: p, c: p + q, z: z, order: order)
        let lnA = Double.log(A), lnB = Double.log(B)
        let m = 1 / (p + q - 1)
        var o = LogG()
        o.value = -p * lnA + (1 - q) * lnB + Double.log(m) + f.value
        guard order >= .gradient else { return o }
        let lp = f.db + f.dc, lq = f.dc, lz = f.dz
        let zA = B / (A * A), zB = -1 / A
        o.gp = -lnA - m + lp
        o.gq = -lnB - m + lq
        o.gA = -p / A + lz * zA
        o.gB = (1 - q) / B + lz * zB
        guard order >= .hessian else { return o }
        let lpp = f.dbb + 2 * f.dbc + f.dcc, lpq = f.dbc + f.dcc, lqq = f.dcc
        let lpz = f.dbz + f.dcz, lqz = f.dcz, lzz = f.dzz
        let zAA = -2 * B / (A * A * A), zAB = 1 / (A * A)
        let m2 = m * m
        o.hpp = m2 + lpp
        o.hpq = m2 + lpq
        o.hqq = m2 + lqq
        o.hpA = -1 / A + lpz * zA
        o.hpB = lpz * zB
        o.hqA = lqz * zA
        o.hqB = -1 / B + lqz * zB
        o.hAA = p / (A * A) + lzz * zA * zA + lz * zAA
        o.hAB = lzz * zA * zB + lz * zAB
        o.hBB = -(1 - q) / (B * B) + lzz * zB * zB
        return o
    }

    /// The two log-terms h₁ = ln s + ln G(r+x, s+1; α+t_x, β+t_x) and
    /// h₂ = ln(r+x) + ln G(r+x+1, s; α+T, β+T), values only: ln L = K + ln(e^h₁ + e^h₂).
    static func logTerms(r: Double, alpha: Double, s: Double, beta: Double,
                         x: Double, tx: Double, T: Double) throws(Hypergeometric.Failure) -> (Double, Double) {
        let d = alpha - beta
        let g1 = try logG(p: r + x, q: s + 1, A: alpha + tx, B: beta + tx, difference: d, order: .value)
        let g2 = try logG(p: r + x + 1, q: s, A: alpha + T, B: beta + T, difference: d, order: .value)
        return (Double.log(s) + g1.value, Double.log(r + x) + g2.value)
    }

    /// h₁ − a and h₂ − a, where a = −(r+x) ln(α+T) − s ln(β+T) is the log of the likelihood's
    /// "alive at T" part (both over K), so that P(alive) = 1/(e^(h₁−a) + e^(h₂−a)).
    ///
    /// Substituting the ₂F₁ form of G, the large terms (r+x) ln(α+T) cancel exactly and only
    /// logs of ratios near 1 remain, with ℓ_α = ln((α+T)/(α+t_x)), ℓ_β = ln((β+T)/(β+t_x)):
    /// ```
    /// α ≥ β, d = α−β:  h₁ − a = ln(s/(r+s+x)) + (r+x) ℓ_α + s ℓ_β + ln ₂F₁(1, r+x;   r+s+x+1; d/(α+t_x))
    ///                  h₂ − a = ln((r+x)/(r+s+x)) − ln(1 + d/(β+T)) + ln ₂F₁(1, r+x+1; r+s+x+1; d/(α+T))
    /// α < β, d = β−α:  h₁ − a = ln(s/(r+s+x)) + (r+x) ℓ_α + s ℓ_β − ln(1 + d/(α+t_x)) + ln ₂F₁(1, s+1; r+s+x+1; d/(β+t_x))
    ///                  h₂ − a = ln((r+x)/(r+s+x)) + ln ₂F₁(1, s; r+s+x+1; d/(β+T))
    /// ```
    /// (ln P(alive) computed as a − ln(e^h₁ + e^h₂) instead would lose |a|·ε ≈ 1e-12 for x ≈ 1000.)
    static func logAliveRatios(r: Double, alpha: Double, s: Double, beta: Double,
                               x: Double, tx: Double, T: Double) throws(Hypergeometric.Failure) -> (Double, Double) {
        let rx = r + x, rsx = r + s + x
        let gap = T - tx
        let ellA = Double.log(onePlus: gap / (alpha + tx)), ellB = Double.log(onePlus: gap / (beta + tx))
        let common1 = Double.log(s / rsx) + rx * ellA + s * ellB
        let common2 = Double.log(rx / rsx)
        if alpha >= beta {
            let d = alpha - beta
            let f1 = try Hypergeometric.log2F1UnitA(b: rx, c: rsx + 1, z: d / (alpha + tx))
            let f2 = try Hypergeometric.log2F1UnitA(b: rx + 1, c: rsx + 1, z: d / (alpha + T))
            return (common1 + f1.value, common2 - Double.log(onePlus: d / (beta + T)) + f2.value)
        }
        let d = beta - alpha
        let f1 = try Hypergeometric.log2F1UnitA(b: s + 1, c: rsx + 1, z: d / (beta + tx))
        let f2 = try Hypergeometric.log2F1UnitA(b: s, c: rsx + 1, z: d / (beta + T))
        return (common1 - Double.log(onePlus: d / (alpha + tx)) + f1.value, common2 + f2.value)
    }
}

/// The Pareto/NBD log-likelihood over a purchase history, ln L = K + ln(e^h₁ + e^h₂) (see
/// `ParetoNBDTerms`), with analytic gradient and Hessian.
///
/// K depends on x only and is computed once per distinct frequency (`FrequencyGroups`); h₁, h₂
/// once per row (`ChunkedSum`), except h₁ of the customers without repeat purchases (x = 0,
/// hence t_x = 0), which is the same for all of them and computed once. With π₁, π₂ the softmax
/// weights of h₁, h₂: ∇ ln(e^h₁ + e^h₂) = π₁∇h₁ + π₂∇h₂ and
/// ∇² = π₁∇²h₁ + π₂∇²h₂ + π₁π₂ (∇h₁ − ∇h₂)(∇h₁ − ∇h₂)ᵀ. The derivatives of h₁, h₂ in (r, α, s, β)
/// are those of ln G in (p, A, q, B) — p, q are r or s plus a constant, A and B α or β plus a
/// time — plus 1/s (h₁) or 1/(r+x) (h₂) from the leading factors.
///
/// When a ₂F₁ cannot be evaluated the value is −∞ and the derivatives NaN, which the optimiser's
/// line search rejects. Arguments near 1 arise on the no-dropout and Poisson boundaries (β/α → ∞
/// or α/β → ∞); there `Hypergeometric.log2F1UnitA` takes its continued fraction (1 − z ≥ 10⁻⁴,
/// ~22/√(1−z) levels) and, closer to 1, a Gauss–Kronrod quadrature whose cost no longer grows
/// (tiny data sets, whose fits run to r, α ~ 10⁶…10⁸ with α/β ~ 10⁶: five rows in a debug build
/// take ~1 ms per value and ~7 ms with Hessian, where the continued fraction took ~9 and ~40 ms).
struct ParetoNBDLogLikelihood: LogLikelihood {
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

    /// ∇h and ∇²h in (r, α, s, β) order from ln G in (p, A, q, B) order, plus `extra` on the
    /// diagonal entry `extraIndex` (0 = r, 2 = s) of the gradient and −extra² on the Hessian's.
    struct Term {
        var value: Double
        var g: (Double, Double, Double, Double)
        // Upper triangle: rr, ra, rs, rb, aa, as, ab, ss, sb, bb
        var h: (Double, Double, Double, Double, Double, Double, Double, Double, Double, Double)

        init(_ lg: ParetoNBDTerms.LogG, logFactor: Double, factorDerivative: Double, onS: Bool) {
            value = logFactor + lg.value
            g = (lg.gp + (onS ? 0 : factorDerivative), lg.gA, lg.gq + (onS ? factorDerivative : 0), lg.gB)
            let f2 = factorDerivative * factorDerivative
            h = (lg.hpp - (onS ? 0 : f2), lg.hpA, lg.hpq, lg.hpB,
                 lg.hAA, lg.hqA, lg.hAB,
                 lg.hqq - (onS ? f2 : 0), lg.hqB, lg.hBB)
        }
    }

    func evaluate(_ p: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        let (r, alpha, s, beta) = (p[0], p[1], p[2], p[3])
        let gOrder: Hypergeometric.DerivativeOrder = order >= .hessian ? .hessian : order >= .gradient ? .gradient : .value
        let wantGradient = order >= .gradient, wantHessian = order >= .hessian
        let d = alpha - beta
        let logS = Double.log(s)
        // h₁ for x = 0 (t_x = 0): G(r, s+1; α, β), shared by every customer without repeat purchases.
        let zeroTerm: Term?
        if groups.frequencies.contains(0) {
            guard let lg = try? ParetoNBDTerms.logG(p: r, q: s + 1, A: alpha, B: beta, difference: d, order: gOrder) else {
                return Self.failure
            }
            zeroTerm = Term(lg, logFactor: logS, factorDerivative: 1 / s, onS: true)
        } else {
            zeroTerm = nil
        }
        let frequency = frequency, recency = recency, T = T, weight = weight

        let parts = ChunkedSum.map(rows: frequency.count) { range -> FourParameterSums in
            var acc = FourParameterSums()
            for i in range {
                let x = frequency[i]
                guard let t = try? Self.activityTerms(r: r, alpha: alpha, s: s, beta: beta, logS: logS,
                                                      x: x, tx: recency[i], T: T[i],
                                                      sharedZeroTerm: x == 0 ? zeroTerm : nil, order: order) else {
                    acc.failed = true
                    return acc
                }
                acc.add(t, weight: weight[i])
            }
            return acc
        }
        var acc = parts.reduce(FourParameterSums(), +)
        if acc.failed { return Self.failure }

        // K = ln Γ(r+x) − ln Γ(r) + r ln α + s ln β, once per distinct x.
        let lgR = Special.logGamma(r)
        let psiR = wantGradient ? Special.digamma(r) : 0
        let triR = wantHessian ? Special.trigamma(r) : 0
        let logAlpha = Double.log(alpha), logBeta = Double.log(beta)
        for (k, x) in groups.frequencies.enumerated() {
            let w = groups.weights[k]
            acc.v += w * (Special.logGamma(r + x) - lgR + r * logAlpha + s * logBeta)
            guard wantGradient else { continue }
            acc.g0 += w * (Special.digamma(r + x) - psiR + logAlpha)
            acc.g1 += w * r / alpha
            acc.g2 += w * logBeta
            acc.g3 += w * s / beta
            guard wantHessian else { continue }
            acc.h00 += w * (Special.trigamma(r + x) - triR)
            acc.h01 += w / alpha
            acc.h11 -= w * r / (alpha * alpha)
            acc.h23 += w / beta
            acc.h33 -= w * s / (beta * beta)
        }

        return acc.evaluation(order)
    }

    /// ln(e^h₁ + e^h₂) of one customer and its derivatives in (r, α, s, β); `sharedZeroTerm` is
    /// h₁ of a customer without repeat purchases when the caller has it (the same for all of
    /// them at one parameter set). With π₁, π₂ the softmax weights of h₁, h₂:
    /// ∇ = π₁∇h₁ + π₂∇h₂ and ∇² = π₁∇²h₁ + π₂∇²h₂ + π₁π₂ (∇h₁ − ∇h₂)(∇h₁ − ∇h₂)ᵀ.
    @inline(__always)
    static func activityTerms(r: Double, alpha: Double, s: Double, beta: Double, logS: Double,
                              x: Double, tx: Double, T bigT: Double, sharedZeroTerm: Term?,
                              order: DerivativeOrder) throws(Hypergeometric.Failure) -> FourParameterSums {
        let gOrder: Hypergeometric.DerivativeOrder = order >= .hessian ? .hessian : order >= .gradient ? .gradient : .value
        let rx = r + x, d = alpha - beta
        let t1: Term
        if let sharedZeroTerm {
            t1 = sharedZeroTerm
        } else {
            let lg1 = try ParetoNBDTerms.logG(p: rx, q: s + 1, A: alpha + tx, B: beta + tx, difference: d, order: gOrder)
            t1 = Term(lg1, logFactor: logS, factorDerivative: 1 / s, onS: true)
        }
        let lg2 = try ParetoNBDTerms.logG(p: rx + 1, q: s, A: alpha + bigT, B: beta + bigT, difference: d, order: gOrder)
        let t2 = Term(lg2, logFactor: Double.log(rx), factorDerivative: 1 / rx, onS: false)
        var acc = FourParameterSums()
        let e = Double.exp(-abs(t1.value - t2.value))
        acc.v = max(t1.value, t2.value) + Double.log(onePlus: e)
        guard order >= .gradient else { return acc }
        let pBig = 1 / (1 + e), pSmall = e / (1 + e)
        let p1 = t1.value >= t2.value ? pBig : pSmall, p2 = 1 - p1
        acc.g0 = p1 * t1.g.0 + p2 * t2.g.0
        acc.g1 = p1 * t1.g.1 + p2 * t2.g.1
        acc.g2 = p1 * t1.g.2 + p2 * t2.g.2
        acc.g3 = p1 * t1.g.3 + p2 * t2.g.3
        guard order >= .hessian else { return acc }
        let dr = t1.g.0 - t2.g.0, da = t1.g.1 - t2.g.1, ds = t1.g.2 - t2.g.2, db = t1.g.3 - t2.g.3
        let c = p1 * p2
        acc.h00 = p1 * t1.h.0 + p2 * t2.h.0 + c * dr * dr
        acc.h01 = p1 * t1.h.1 + p2 * t2.h.1 + c * dr * da
        acc.h02 = p1 * t1.h.2 + p2 * t2.h.2 + c * dr * ds
        acc.h03 = p1 * t1.h.3 + p2 * t2.h.3 + c * dr * db
        acc.h11 = p1 * t1.h.4 + p2 * t2.h.4 + c * da * da
        acc.h12 = p1 * t1.h.5 + p2 * t2.h.5 + c * da * ds
        acc.h13 = p1 * t1.h.6 + p2 * t2.h.6 + c * da * db
        acc.h22 = p1 * t1.h.7 + p2 * t2.h.7 + c * ds * ds
        acc.h23 = p1 * t1.h.8 + p2 * t2.h.8 + c * ds * db
        acc.h33 = p1 * t1.h.9 + p2 * t2.h.9 + c * db * db
        return acc
    }

    /// ln Lᵢ of one customer at their own (r, α, s, β) but for the shape term ln Γ(r+x) − ln Γ(r)
    /// of K (the caller adds it, once per distinct x), with derivatives in (r, α, s, β): what a
    /// covariate model sums. ln α, ln s and ln β are given (the covariate layer has them).
    static func customerTermsWithoutShape(frequency x: Double, recency tx: Double, T: Double,
                                          r: Double, alpha: Double, s: Double, beta: Double,
                                          logAlpha: Double, logS: Double, logBeta: Double,
                                          order: DerivativeOrder) -> FourParameterSums {
        guard var acc = try? activityTerms(r: r, alpha: alpha, s: s, beta: beta, logS: logS,
                                           x: x, tx: tx, T: T, sharedZeroTerm: nil, order: order) else {
            var failed = FourParameterSums()
            failed.failed = true
            return failed
        }
        acc.v += r * logAlpha + s * logBeta
        guard order >= .gradient else { return acc }
        acc.g0 += logAlpha
        acc.g1 += r / alpha
        acc.g2 += logBeta
        acc.g3 += s / beta
        guard order >= .hessian else { return acc }
        acc.h01 += 1 / alpha
        acc.h11 -= r / (alpha * alpha)
        acc.h23 += 1 / beta
        acc.h33 -= s / (beta * beta)
        return acc
    }

    /// What a failed series evaluation returns: a value the optimiser rejects, never a number
    /// that looks like a likelihood.
    static var failure: LikelihoodEvaluation {
        LikelihoodEvaluation(value: -.infinity, gradient: [.nan, .nan, .nan, .nan],
                             hessian: Matrix(rows: 4, columns: 4, repeating: .nan))
    }
}

extension ParetoNBD: CovariatePurchaseModel {
    /// α_i = α·exp(−γ_αᵀxᵢ) (purchase), β_i = β·exp(−γ_βᵀzᵢ) (dropout): CLVTools'
    /// `pnbd_staticcov_alpha_i` / `_beta_i`.
    public static let covariateShifts = [
        CovariateShift(parameter: "alpha", process: .purchase, sign: -1),
        CovariateShift(parameter: "beta", process: .dropout, sign: -1),
    ]

    public static func customerLogLikelihoodWithoutShape(frequency: Double, recency: Double, T: Double, parameters θ: SIMD4<Double>,
                                                         logParameters u: SIMD4<Double>, order: DerivativeOrder) -> FourParameterSums {
        ParetoNBDLogLikelihood.customerTermsWithoutShape(frequency: frequency, recency: recency, T: T,
                                                         r: θ[0], alpha: θ[1], s: θ[2], beta: θ[3],
                                                         logAlpha: u[1], logS: u[2], logBeta: u[3], order: order)
    }
}

extension ParetoNBD: ResidualTransactionsModel {
    /// DERT(δ | x, t_x, T) = P(alive) · (r+x)/(α+T) · E[1/(μ+δ) | alive], μ | alive ~ Gamma(s, β+T):
    /// FHL 2005's α^r β^s δ^(s−1) Γ(r+x+1) U(s, s; δ(β+T)) / (Γ(r) (α+T)^(r+x+1) L), written with
    /// the posterior (λ and μ are independent given the customer is alive) and
    /// E[1/(μ+δ)] = (β+T) · e^z E_s(z), z = δ(β+T) (`Special.scaledExponentialIntegral`), which
    /// has no trouble at whole-number s. Finite for every s > 0: discounting bounds the horizon.
    public func discountedExpectedResidualTransactions(frequency x: Double, recency tx: Double, T: Double,
                                                       discountRate delta: Double) throws(ModelError) -> Double {
        guard delta.isFinite, delta > 0 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "DERT needs a continuous discount rate δ > 0 per time unit (got \(delta)).")
        }
        let b = beta + T
        let lifetime = b * Special.scaledExponentialIntegral(order: s, delta * b)
        let value = Double.exp(try logProbabilityAlive(frequency: x, recency: tx, T: T)) * (r + x) / (alpha + T) * lifetime
        guard value.isFinite, value >= 0 else {
            throw .undefinedPrediction(model: Self.displayName, reason: "DERT for x = \(x), t_x = \(tx), T = \(T) at δ = \(delta) is not a finite number.")
        }
        return value
    }
}
