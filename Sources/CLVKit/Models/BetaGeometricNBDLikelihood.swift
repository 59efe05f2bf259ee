import CLVNumerics
import RealModule

/// The log-likelihood of the beta-geometric/NBD family over a purchase history, for BG/NBD
/// (FHL 2005, eq. 6) and MBG/NBD (Batislam et al. 2007; lifetimes'
/// `ModifiedBetaGeoFitter._negative_log_likelihood`), which differ in one assumption: whether a
/// customer may drop out right after the first purchase (MBG/NBD) or only after a repeat one
/// (BG/NBD). With o = 1 for MBG/NBD and o = 0 for BG/NBD, in log-sum-exp form:
/// ```
/// ln Lᵢ = [ln Γ(r+x) − ln Γ(r) + r ln α] + [ln Γ(a+b) + ln Γ(b+x+o) − ln Γ(b) − ln Γ(a+b+x+o)]
///       + ln( e^A₃ + δ e^A₄ ),   A₃ = −(r+x) ln(α+T),   A₄ = ln a − ln(b+x−1+o) − (r+x) ln(α+t_x)
/// ```
/// with δ = 1 for every customer under MBG/NBD and δ = δ(x > 0) under BG/NBD.
/// The Γ terms depend on x only: they are computed once per distinct frequency
/// (`FrequencyGroups`, with summed weights), the rest once per row in parallel chunks
/// (`ChunkedSum`). Gradient and Hessian are analytic: with πₖ the softmax weights of A₃, A₄,
/// ∇ ln(e^A₃ + e^A₄) = π₃∇A₃ + π₄∇A₄ and ∇² = π₃∇²A₃ + π₄∇²A₄ + π₃π₄ (∇A₃ − ∇A₄)(∇A₃ − ∇A₄)ᵀ, where
/// ```
/// ∇A₃ = (−ln(α+T), −(r+x)/(α+T), 0, 0)        ∇A₄ = (−ln(α+t_x), −(r+x)/(α+t_x), 1/a, −1/(b+x−1+o))
/// ∂²A₃/∂r∂α = −1/(α+T), ∂²A₃/∂α² = (r+x)/(α+T)²;  ∂²A₄/∂r∂α = −1/(α+t_x), ∂²A₄/∂α² = (r+x)/(α+t_x)²,
/// ∂²A₄/∂a² = −1/a², ∂²A₄/∂b² = 1/(b+x−1+o)²
/// ```
/// and the Γ terms differentiate to digamma ψ and trigamma ψ′.
struct BetaGeometricNBDLikelihood: LogLikelihood {
    let frequency: [Double]
    let recency: [Double]
    let T: [Double]
    let weight: [Double]
    let groups: FrequencyGroups
    let observationCount: Double
    /// MBG/NBD (true): a customer may drop out right after the first purchase; BG/NBD (false).
    let dropsOutAtFirstPurchase: Bool
    var rowCount: Int { frequency.count }

    init(_ data: PurchaseHistory, dropsOutAtFirstPurchase: Bool) {
        self.dropsOutAtFirstPurchase = dropsOutAtFirstPurchase
        frequency = data.frequency
        recency = data.recency
        T = data.T
        weight = data.weight
        groups = FrequencyGroups(frequency: data.frequency, weight: data.weight)
        observationCount = data.customerCount
    }

    func evaluate(_ p: [Double], order: DerivativeOrder) -> LikelihoodEvaluation {
        let (r, alpha, a, b) = (p[0], p[1], p[2], p[3])
        let logA = Double.log(a)
        // o of the formulas, and whether customers without repeat purchases have the A₄ term.
        let shift = dropsOutAtFirstPurchase ? 1.0 : 0.0, zeroHasA4 = dropsOutAtFirstPurchase
        // Per distinct frequency: ln(b+x−1+o) and 1/(b+x−1+o) for the A₄ term.
        let logBX1 = groups.frequencies.map { $0 > 0 || zeroHasA4 ? Double.log(b + $0 - 1 + shift) : 0 }
        let invBX1 = groups.frequencies.map { $0 > 0 || zeroHasA4 ? 1 / (b + $0 - 1 + shift) : 0 }
        let wantGradient = order >= .gradient, wantHessian = order >= .hessian
        let frequency = frequency, recency = recency, T = T, weight = weight, group = groups.groupOfRow

        let parts = ChunkedSum.map(rows: frequency.count) { range -> FourParameterSums in
            var s = FourParameterSums()
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
                    if x == 0 && !zeroHasA4 {
                        s.v += w * a3
                        guard wantGradient else { continue }
                        s.g0 -= w * lT
                        s.g1 -= w * rx / aT
                        guard wantHessian else { continue }
                        s.h01 -= w / aT
                        s.h11 += w * rx / (aT * aT)
                        continue
                    }
                    let k = Int(G[i])
                    let t = Self.activityTerms(rx: rx, alpha: alpha, tx: TX[i], lT: lT, aT: aT, logA: logA, a: a,
                                               logBX1: logBX1[k], invBX1: invBX1[k], order: order)
                    s.add(t, weight: w)
                }
            }}}}}
            return s
        }
        var s = parts.reduce(FourParameterSums(), +)

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
                        + lgAB + Special.logGamma(b + x + shift) - lgB - Special.logGamma(a + b + x + shift))
            guard wantGradient else { continue }
            let psiABX = Special.digamma(a + b + x + shift)
            s.g0 += w * (Special.digamma(r + x) - psiR + logAlpha)
            s.g1 += w * r / alpha
            s.g2 += w * (psiAB - psiABX)
            s.g3 += w * (psiAB + Special.digamma(b + x + shift) - psiB - psiABX)
            guard wantHessian else { continue }
            let triABX = Special.trigamma(a + b + x + shift)
            s.h00 += w * (Special.trigamma(r + x) - triR)
            s.h01 += w / alpha
            s.h11 -= w * r / (alpha * alpha)
            s.h22 += w * (triAB - triABX)
            s.h23 += w * (triAB - triABX)
            s.h33 += w * (triAB + Special.trigamma(b + x + shift) - triB - triABX)
        }

        return s.evaluation(order)
    }

    /// ln(e^A₃ + e^A₄) of one customer with x > 0 (or any x under MBG/NBD) and its derivatives
    /// in (r, α, a, b), given ln(α+T), α+T and ln(b+x−1+o), 1/(b+x−1+o) (computed by the caller,
    /// once per row or once per distinct frequency). With πₖ the softmax weights of A₃, A₄:
    /// ∇ = π₃∇A₃ + π₄∇A₄ and ∇² = π₃∇²A₃ + π₄∇²A₄ + π₃π₄ (∇A₃ − ∇A₄)(∇A₃ − ∇A₄)ᵀ.
    @inline(__always)
    static func activityTerms(rx: Double, alpha: Double, tx: Double, lT: Double, aT: Double, logA: Double, a: Double,
                              logBX1: Double, invBX1: Double, order: DerivativeOrder) -> FourParameterSums {
        var s = FourParameterSums()
        let a3 = -rx * lT
        let at = alpha + tx
        let lt = Double.log(at)
        let a4 = logA - logBX1 - rx * lt
        let e = Double.exp(-abs(a3 - a4))
        s.v = max(a3, a4) + Double.log(onePlus: e)
        guard order >= .gradient else { return s }
        let pBig = 1 / (1 + e), pSmall = e / (1 + e)
        let p4 = a4 > a3 ? pBig : pSmall, p3 = 1 - p4
        let g3r = -lT, g3a = -rx / aT
        let g4r = -lt, g4a = -rx / at, g4A = 1 / a, g4B = -invBX1
        s.g0 = p3 * g3r + p4 * g4r
        s.g1 = p3 * g3a + p4 * g4a
        s.g2 = p4 * g4A
        s.g3 = p4 * g4B
        guard order >= .hessian else { return s }
        let dr = g3r - g4r, da = g3a - g4a, dA = -g4A, dB = -g4B
        let c = p3 * p4
        s.h00 = c * dr * dr
        s.h01 = (p3 * (-1 / aT) + p4 * (-1 / at)) + c * dr * da
        s.h02 = c * dr * dA
        s.h03 = c * dr * dB
        s.h11 = (p3 * rx / (aT * aT) + p4 * rx / (at * at)) + c * da * da
        s.h12 = c * da * dA
        s.h13 = c * da * dB
        s.h22 = p4 * (-1 / (a * a)) + c * dA * dA
        s.h23 = c * dA * dB
        s.h33 = p4 * invBX1 * invBX1 + c * dB * dB
        return s
    }

    /// ln Lᵢ of one customer at their own (r, α, a, b) but for the shape term ln Γ(r+x) − ln Γ(r)
    /// (the caller adds it, once per distinct x: see `CovariatePurchaseModel`), with derivatives
    /// in (r, α, a, b): what a covariate model sums, customer by customer. ln α and ln a are
    /// given (the covariate layer has them). The Beta ratio is
    /// ln B(a, b+x+o) − ln B(a, b) = ln (b)ₓ₊ₒ − ln (a+b)ₓ₊ₒ (`RisingFactorial`).
    static func customerTermsWithoutShape(frequency x: Double, recency tx: Double, T: Double,
                                          r: Double, alpha: Double, a: Double, b: Double, logAlpha: Double, logA: Double,
                                          dropsOutAtFirstPurchase: Bool, order: DerivativeOrder) -> FourParameterSums {
        let shift = dropsOutAtFirstPurchase ? 1.0 : 0.0
        let rx = r + x, aT = alpha + T, lT = Double.log(aT)
        var s: FourParameterSums
        if x == 0 && !dropsOutAtFirstPurchase {
            s = FourParameterSums()
            s.v = -rx * lT
            if order >= .gradient { s.g0 = -lT; s.g1 = -rx / aT }
            if order >= .hessian { s.h01 = -1 / aT; s.h11 = rx / (aT * aT) }
        } else {
            let bx1 = b + x - 1 + shift
            s = activityTerms(rx: rx, alpha: alpha, tx: tx, lT: lT, aT: aT, logA: logA, a: a,
                              logBX1: Double.log(bx1), invBX1: 1 / bx1, order: order)
        }
        s.v += r * logAlpha
        if order >= .gradient { s.g0 += logAlpha; s.g1 += r / alpha }
        if order >= .hessian { s.h01 += 1 / alpha; s.h11 -= r / (alpha * alpha) }
        let n = x + shift
        guard n > 0 else { return s }
        let k = order.rawValue
        let fb = RisingFactorial(b, n, derivatives: k), fab = RisingFactorial(a + b, n, derivatives: k)
        s.v += fb.value - fab.value
        guard order >= .gradient else { return s }
        s.g2 -= fab.first
        s.g3 += fb.first - fab.first
        guard order >= .hessian else { return s }
        s.h22 -= fab.second
        s.h23 -= fab.second
        s.h33 += fb.second - fab.second
        return s
    }
}
