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
        BGNBDLogLikelihood(data)
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

/// The BG/NBD log-likelihood over a purchase history (FHL 2005, eq. 6, in the log-sum-exp form):
/// ```
/// ln Lᵢ = [ln Γ(r+x) − ln Γ(r) + r ln α] + [ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x)]
///       + ln( e^A₃ + δ(x>0) e^A₄ ),   A₃ = −(r+x) ln(α+T),   A₄ = ln a − ln(b+x−1) − (r+x) ln(α+t_x)
/// ```
/// The Γ terms depend on x only: they are computed once per distinct frequency (with summed
/// weights), the rest once per row. Gradient and Hessian are analytic: with πₖ the softmax
/// weights of A₃, A₄, ∇ ln(e^A₃ + e^A₄) = π₃∇A₃ + π₄∇A₄ and
/// ∇² = π₃∇²A₃ + π₄∇²A₄ + π₃π₄ (∇A₃ − ∇A₄)(∇A₃ − ∇A₄)ᵀ.
struct BGNBDLogLikelihood: LogLikelihood {
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
        // Per distinct frequency: ln(b+x−1) and 1/(b+x−1) for the A₄ term.
        let logBX1 = groups.frequencies.map { $0 > 0 ? Double.log(b + $0 - 1) : 0 }
        let invBX1 = groups.frequencies.map { $0 > 0 ? 1 / (b + $0 - 1) : 0 }
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
                    let aT = alpha + TT[i]
                    let lT = Double.log(aT)
                    let a3 = -rx * lT
                    if x == 0 {
                        s.v += w * a3
                        guard wantGradient else { continue }
                        s.gr -= w * lT
                        s.ga -= w * rx / aT
                        guard wantHessian else { continue }
                        s.hra -= w / aT
                        s.haa += w * rx / (aT * aT)
                        continue
                    }
                    let k = Int(G[i])
                    let at = alpha + TX[i]
                    let lt = Double.log(at)
                    let a4 = logA - logBX1[k] - rx * lt
                    let e = Double.exp(-abs(a3 - a4))
                    s.v += w * (max(a3, a4) + Double.log(onePlus: e))
                    guard wantGradient else { continue }
                    let pBig = 1 / (1 + e), pSmall = e / (1 + e)
                    let p4 = a4 > a3 ? pBig : pSmall, p3 = 1 - p4
                    let g3r = -lT, g3a = -rx / aT
                    let g4r = -lt, g4a = -rx / at, g4A = 1 / a, g4B = -invBX1[k]
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
                    s.hBB += w * p4 * invBX1[k] * invBX1[k] + c * dB * dB
                }
            }}}}}
            return s
        }
        var s = parts.reduce(Sums(), +)

        // Terms that depend on the frequency only, once per distinct x.
        let lgR = Special.logGamma(r), lgAB = Special.logGamma(a + b), lgB = Special.logGamma(b)
        let psiR = wantGradient ? Special.digamma(r) : 0, psiAB = wantGradient ? Special.digamma(a + b) : 0
        let psiB = wantGradient ? Special.digamma(b) : 0
        let triR = wantHessian ? Special.trigamma(r) : 0, triAB = wantHessian ? Special.trigamma(a + b) : 0
        let triB = wantHessian ? Special.trigamma(b) : 0
        let logAlpha = Double.log(alpha)
        for (k, x) in groups.frequencies.enumerated() {
            let w = groups.weights[k]
            s.v += w * (Special.logGamma(r + x) - lgR + r * logAlpha
                        + lgAB + Special.logGamma(b + x) - lgB - Special.logGamma(a + b + x))
            guard wantGradient else { continue }
            let psiABX = Special.digamma(a + b + x)
            s.gr += w * (Special.digamma(r + x) - psiR + logAlpha)
            s.ga += w * r / alpha
            s.gA += w * (psiAB - psiABX)
            s.gB += w * (psiAB + Special.digamma(b + x) - psiB - psiABX)
            guard wantHessian else { continue }
            let triABX = Special.trigamma(a + b + x)
            s.hrr += w * (Special.trigamma(r + x) - triR)
            s.hra += w / alpha
            s.haa -= w * r / (alpha * alpha)
            s.hAA += w * (triAB - triABX)
            s.hAB += w * (triAB - triABX)
            s.hBB += w * (triAB + Special.trigamma(b + x) - triB - triABX)
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
