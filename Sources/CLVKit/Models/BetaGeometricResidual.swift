import CLVNumerics
import RealModule

/// The discounted expected residual transactions of an active BG/NBD or MBG/NBD customer,
/// ```
/// R(A, a, B; ε) = A · E_p[e^z E_{A+1}(z) / p],   z = ε/p,   p ~ Beta(a, B),   ε = δ·base
/// ```
/// No closed form is published (issue 14; Fader, Hardie & Lee 2005 give DERT for the Pareto/NBD
/// only). Derivation: given the purchase rate λ and the dropout probability p, an active customer
/// buys at the arrival times S₁ < S₂ < … of a Poisson process and is still there for purchase k
/// with probability (1−p)^(k−1) (they may leave right after each purchase), so
/// ```
/// ∫₀^∞ e^(−δt) dE[X(T, T+t) | λ, p] = Σ_{k≥1} (1−p)^(k−1) E[e^(−δ S_k)] = Σ_k (1−p)^(k−1) (λ/(λ+δ))^k = λ/(δ + pλ).
/// ```
/// With λ ~ Gamma(A, base), E[λ/(δ+pλ)] = (A/p) · e^z E_{A+1}(z), z = δ·base/p (the Stieltjes
/// transform of the gamma law, DLMF 8.19.4, as in the Pareto/NBD's DERT;
/// `Special.scaledExponentialIntegral`), and the expectation over p is the integral here. The uses:
/// - BG/NBD, alive at T: A = r+x, base = α+T, p ~ Beta(a, b+x), times P(alive);
/// - MBG/NBD, alive at T: A = r+x, base = α+T, p ~ Beta(a, b+x+1), times P(alive).
/// As b → ∞ (no dropout) it tends to E[λ]/δ = A/ε, the NBD's.
///
/// **Quadrature.** In the logit t = ln(p/(1−p)) the Beta weight is p^a (1−p)^B dt, which decays
/// exponentially both ways, and the integrand is analytic in the strip |Im t| < π (the only
/// singularities are the logit map's and the branch cut of E_{A+1}(ε/p) for p < 0, strongest near
/// p = −ε/A, where e^z E_{A+1}(z)/p ≈ 1/(ε + A·p) has its near-pole). The double-exponential
/// substitution t = t₀ + c·sinh(u) (Takahasi & Mori 1974) and the trapezoidal rule in u converge
/// exponentially; t₀ is the peak of the integrand (a root of a quadratic, taking e^z E_{A+1}(z)/p as
/// 1/(ε + A·p)) and c its width there, so that a sharp Beta peak (a, B in the thousands) and a
/// wide one (a, B below 1) get the same number of nodes; a side where the weight already falls
/// double-exponentially (a or B ≥ 20) grows linearly instead (`Rule.t`). The step halves from ½
/// (each level adds the odd nodes of the next). The trapezoidal error of an analytic integrand
/// falls as e^(−c/h), so it about squares when the step halves: the refinement stops when the last
/// difference between levels is below 1e-9 and the error extrapolated from the last two below
/// 1e-12 (`Stopping`), which a test checks against refining until two levels agree to 1e-14 over
/// a wide grid. The nodes stop where the terms are below 1e-19 of the sum (the tails fall
/// double-exponentially in u). Where ε is small against the peak (δ tiny, or x large), the
/// near-pole sits far out in the left tail and narrows the strip in u, which costs one or two
/// more levels, not accuracy.
///
/// Accuracy: 1e-10 relative against mpmath (`Tests/Fixtures/mpmath/beta_geometric_dert.json`, each
/// value computed from the definition δ∫e^(−δt) E[X(T, T+t)] dt and from this form); cost 70–300
/// evaluations of e^z E_{A+1}(z) (20–30 µs), which scoring a table shares per frequency (`Table`).
enum BetaGeometricResidual {
    /// When the refinement stops: when the last difference D₁ between two levels is below 1e-9
    /// and the error extrapolated from it and the one before, D₂, is below 1e-12 (the default), or
    /// at a difference below `tolerance` (`strict`, for the tests).
    struct Stopping: Sendable {
        var tolerance = 1e-12
        var extrapolates = true
        static let strict = Stopping(tolerance: 1e-14, extrapolates: false)

        /// Whether the finer level is accurate enough. D₁²/D₂ assumes the error falls by the same
        /// factor once more; in the trapezoidal rule's asymptotic regime it falls faster (it squares),
        /// so this is conservative there. Before it, the differences can stall for a level (seen
        /// here with δ·(α+T) ~ 1e-5, where the near-pole at p = −ε/A sits far out in the left tail:
        /// 1.4e-3, 3.5e-8, 1.5e-8, 6e-16), which D₁ ≤ 1e-9 guards against: over 30,000 random
        /// parameter sets the result then stays within 1e-10 of refining to 1e-14.
        func isConverged(last d1: Double, previous d2: Double?) -> Bool {
            guard extrapolates else { return d1 <= tolerance }
            guard let d2, d1 <= 1e-9 else { return false }
            return d1 == 0 || d1 * d1 / d2 <= tolerance
        }
    }

    /// P(alive) · R(A, a, B; δ·base): a customer's DERT, refused with a message for δ ≤ 0.
    static func dert(model: String, A: Double, a: Double, B: Double, base: Double, delta: Double, probabilityAlive: Double,
                     x: Double, tx: Double, T: Double) throws(ModelError) -> Double {
        guard delta.isFinite, delta > 0 else {
            throw .undefinedPrediction(model: model, reason: "DERT needs a continuous discount rate δ > 0 per time unit (got \(delta)).")
        }
        let value = probabilityAlive * (try Self.value(A: A, a: a, B: B, scaledRate: delta * base, model: model))
        guard value.isFinite, value >= 0 else {
            throw .undefinedPrediction(model: model, reason: "DERT for x = \(x), t_x = \(tx), T = \(T) at δ = \(delta) is not a finite number.")
        }
        return value
    }

    /// R(A, a, B; ε) (see the type); `model` names the model in errors.
    static func value(A: Double, a: Double, B: Double, scaledRate epsilon: Double, model: String,
                      stopping: Stopping = Stopping()) throws(ModelError) -> Double {
        guard A > 0, a > 0, B > 0, epsilon > 0, A.isFinite, a.isFinite, B.isFinite, epsilon.isFinite else {
            throw .undefinedPrediction(model: model, reason: "DERT needs positive finite parameters and discount rate (got r+x = \(A), a = \(a), b-side \(B), δ·(α+T) = \(epsilon)).")
        }
        let rule = Rule(A: A, a: a, B: B, epsilon: epsilon)
        // Σ weight and Σ weight·g at the same nodes: their ratio needs no B(a, B), whose
        // ln Γ(B) − ln Γ(a+B) would cancel for B in the millions, and the two rules' errors partly cancel.
        var (mass, sum) = rule.term(0)
        // The first level: nodes k·h outwards until the terms are negligible.
        var h = 0.5
        var lower = 0, upper = 0
        for direction in [1, -1] {
            var k = direction, negligible = 0
            while abs(k) <= rule.maxSteps {
                let (w, wg) = rule.term(Double(k) * h)
                mass += w
                sum += wg
                negligible = wg <= 1e-19 * sum && w <= 1e-19 * mass ? negligible + 1 : 0
                if negligible >= 2 { break }
                k += direction
            }
            if direction > 0 { upper = k } else { lower = k }
        }
        var estimate = sum / mass
        var previousDifference: Double? = nil
        for _ in 1...9 {
            // Halve the step: the new nodes are the odd multiples of h/2 within the same range.
            h /= 2
            var j = 2 * lower + 1
            while j <= 2 * upper - 1 {
                let (w, wg) = rule.term(Double(j) * h)
                mass += w
                sum += wg
                j += 2
            }
            let next = sum / mass
            let difference = abs(next - estimate) / next
            let converged = stopping.isConverged(last: difference, previous: previousDifference)
            previousDifference = difference
            estimate = next
            if converged {
                let value = A * estimate
                guard value.isFinite, value > 0 else { break }
                return value
            }
            lower *= 2
            upper *= 2
        }
        throw .undefinedPrediction(model: model, reason: "DERT could not be computed to 1e-10 at r+x = \(A), a = \(a), b-side \(B), δ·(α+T) = \(epsilon) (the quadrature over the dropout probability did not converge).")
    }

    /// The integrand in u: the Beta(a, B) weight p^a (1−p)^B times dt/du (scaled to 1 at the
    /// peak), and that times e^z E_{A+1}(z)/p.
    struct Rule {
        let A: Double, a: Double, B: Double, epsilon: Double
        /// ln p^a (1−p)^B at the peak.
        let logPeak: Double
        let center: Double, width: Double
        /// The exponential growth of t(u) on the left and on the right (`t(u)`).
        let leftGrowth: Double, rightGrowth: Double
        /// The last node, in steps of ½, on either side (a guard: the terms end far sooner).
        let maxSteps = 400
        /// Where z = ε/p exceeds this, e^z E_{A+1}(z)/p = 1/(ε + (A+1)p) to 1e-16 (its asymptotic series).
        let logLargeZ: Double

        init(A: Double, a: Double, B: Double, epsilon: Double) {
            (self.A, self.a, self.B, self.epsilon) = (A, a, B, epsilon)
            // The peak of p^a (1−p)^B / (ε/A + p) in t: the root in (0, 1) of
            // (1 − a − B) p² + (a − 1 − e(a+B)) p + a·e = 0, e = ε/A (positive at 0, negative at 1).
            let e = epsilon / A
            let q2 = 1 - a - B, q1 = a - 1 - e * (a + B), q0 = a * e
            let peak: Double
            if abs(q2) < 1e-300 {
                peak = -q0 / q1
            } else {
                let disc = max(0, q1 * q1 - 4 * q2 * q0).squareRoot()
                let q = -0.5 * (q1 + (q1 >= 0 ? disc : -disc))
                let roots = [q / q2, q == 0 ? .nan : q0 / q]
                peak = roots.first { $0 > 0 && $0 < 1 } ?? a / (a + B)
            }
            let p = min(max(peak, 1e-300), 1 - 1e-16)
            center = Double.log(p) - Double.log(onePlus: -p)
            logPeak = a * Double.log(p) + B * Double.log(onePlus: -p)
            // The curvature of the log-integrand at the peak sets the width (clamped to [0.01, 2]).
            let pq = p * (1 - p), ep = e + p
            let curvature = (a + B) * pq + pq * ((1 - 2 * p) * ep - pq) / (ep * ep)
            width = curvature > 0 ? min(2, max(0.01, 1 / curvature.squareRoot())) : 1
            // A side whose weight falls only as e^(a·t) or e^(−B·t) needs the exponential growth; where
            // a (B) ≥ 20 the weight falls double-exponentially there by itself (p^a (1−p)^B ≈ y^a e^−y
            // with y = B·p), and growth would only steepen the cliff, which narrows the strip in u.
            leftGrowth = a >= 20 ? 0 : width / 2
            rightGrowth = B >= 20 ? 0 : width / 2
            logLargeZ = Double.log(1e8 * (A + 2))
        }

        /// t(u) = t₀ + c·u + k_R(e^u − 1 − u) − k_L(e^−u − 1 + u): slope c at the peak, growing as
        /// k_R e^u to the right and k_L e^|u| to the left; t₀ + c·sinh(u) when k_L = k_R = c/2, and
        /// increasing (t′ ≥ c/2) for k_L, k_R ≤ c/2.
        func t(_ u: Double) -> Double {
            center + width * u + rightGrowth * (Double.expMinusOne(u) - u) - leftGrowth * (Double.expMinusOne(-u) + u)
        }

        func term(_ u: Double) -> (weight: Double, weighted: Double) {
            let t = self.t(u)
            let logDt = Double.log(width + rightGrowth * Double.expMinusOne(u) + leftGrowth * Double.expMinusOne(-u))
            // ln p and ln(1 − p) without cancellation on either side.
            let logP: Double, logQ: Double
            if t < 0 {
                let l = Double.log(onePlus: Double.exp(t))
                (logP, logQ) = (t - l, -l)
            } else {
                let l = Double.log(onePlus: Double.exp(-t))
                (logP, logQ) = (-l, -t - l)
            }
            let logWeight = a * logP + B * logQ - logPeak + logDt
            guard logWeight > -745 else { return (0, 0) }
            let logZ = Double.log(epsilon) - logP
            let logG: Double
            if logZ > logLargeZ {
                logG = -Double.log(epsilon + (A + 1) * Double.exp(logP))
            } else {
                logG = Double.log(Special.scaledExponentialIntegral(order: A + 1, Double.exp(logZ))) - logP
            }
            return (Double.exp(logWeight), Double.exp(logWeight + logG))
        }
    }
}

extension BetaGeometricResidual {
    /// The DERT of a whole table's customers at one rate (`ResidualTransactionsModel.residualTransactions`).
    ///
    /// R depends on a customer only through x (A = r+x, B = b+x or b+x+1) and ε = δ(α+T), and
    /// for one x it is analytic in ln ε (its only singularities are at ε ≤ 0, i.e. Im ln ε = ±π), so
    /// on a cell [k, k+1) of ln ε, ln R is a Chebyshev series that converges geometrically
    /// (Bernstein ellipse ρ ≈ 12.7: 16 terms reach 1e-17). Each (x, cell) that has customers gets
    /// one series from 16 quadratures, kept only when its last three coefficients sum to below 5e-11
    /// (ln R, so relative; the quadrature's own error is below 1e-11); a cell without one gets the
    /// quadrature per customer. The cells are fixed (`FrequencyCells`), so a customer's value
    /// depends on their own x and T only.
    struct Table: ResidualTransactionsEvaluator {
        let model: any ResidualTransactionsModel
        let discountRate: Double
        let alpha: Double
        /// The interpolant of ln R over ln ε for each (frequency, cell) that has one.
        let series: FrequencyCells<LogChebyshev?>

        init(model: any ResidualTransactionsModel, discountRate delta: Double, alpha: Double, a: Double,
             shape: @escaping @Sendable (Double) -> (A: Double, B: Double), frequencies: [Double], T: [Double]) {
            (self.model, discountRate, self.alpha) = (model, delta, alpha)
            let name = type(of: model).displayName
            series = FrequencyCells(frequencies: frequencies, logValues: T.map { Double.log(delta * (alpha + $0)) }) { x, lower, upper in
                let (A, B) = shape(x)
                return LogChebyshev(lower: lower, upper: upper) { logEpsilon in
                    (try? BetaGeometricResidual.value(A: A, a: a, B: B, scaledRate: Double.exp(logEpsilon), model: name)).map { Double.log($0) }
                }
            }
        }

        func dert(frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
            let logEpsilon = Double.log(discountRate * (alpha + T))
            if let entry = series.entry(x: x, logValue: logEpsilon), let s = entry, let logR = s.value(at: logEpsilon) {
                let value = model.probabilityAlive(frequency: x, recency: tx, T: T) * Double.exp(logR)
                if value.isFinite, value >= 0 { return value }
            }
            return try model.discountedExpectedResidualTransactions(frequency: x, recency: tx, T: T, discountRate: discountRate)
        }
    }
}
