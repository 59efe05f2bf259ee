import CLVNumerics
import RealModule

/// The expected number of purchases of an active BG/NBD or MBG/NBD customer,
/// ```
/// E(A, a, B; u) = E_p[(1 − (1 + p·u)^−A) / p],   p ~ Beta(a, B),   u = t/base
///              = (a+B−1)/(a−1) · [1 − (base/(base+t))^A ₂F₁(A, B; a+B−1; t/(base+t))]   (FHL 2005 eq. 10)
/// ```
/// Given the dropout probability p and the purchase rate λ, an active customer makes
/// (1/p)(1 − e^(−λpt)) purchases in t on average (FHL 2005 eq. 7); λ ~ Gamma(A, base) turns
/// e^(−λpt) into (1 + p·u)^−A, and the expectation over p is Euler's integral of ₂F₁ (A&S 15.3.1
/// after Pfaff's transformation 15.3.4). The uses:
/// - BG/NBD, alive at T: A = r+x, base = α+T, p ~ Beta(a, b+x) (FHL 2005 eq. 10 over P(alive));
///   a new customer: A = r, base = α, p ~ Beta(a, b) (eq. 9);
/// - MBG/NBD, alive at T: A = r+x, base = α+T, p ~ Beta(a, b+x+1); a new customer:
///   b/(a+b) · E(r, a, b+1; t/α).
///
/// **Two routes.** The closed form is fast (one ₂F₁ series) and accurate for the parameters fits
/// produce, but it is a difference: the bracket is (a−1)/(a+B−1) · E, so it cancels to nothing
/// when a+B is large (b → ∞, the no-dropout limit, where E → A·u) or a is near 1 (the removable
/// singularity), and its prefactor changes sign at a = 1 and its ₂F₁ has a pole at a+B−1 = 0
/// (BG/NBD, x = 0, a + b ≤ 1) although E itself is finite and smooth there. Its rounding error is
/// estimated from the sizes of what cancels (`closedFormCondition`); where that promises less than
/// 1e-12 relative, a short series in E[pᵐ] where the dropout probability is concentrated near 0
/// (`smallDropoutSeries`, b → ∞), else the integral above (`quadrature`), whose integrand is
/// positive: there is nothing to cancel, for every a, B > 0 (tested against mpmath at 50 digits
/// to 1e-12 relative over a, b, r, α from 1e-8 to 1e12).
enum BetaGeometricExpectation {
    /// Relative accuracy the closed form must promise to be used.
    static let tolerance = 1e-12

    /// E(A, a, B; t/base) (see the type); `model` names the model in errors.
    static func value(A: Double, a: Double, B: Double, base: Double, t: Double, model: String) throws(ModelError) -> Double {
        guard t > 0 else { return 0 }
        if let fast = closedForm(A: A, a: a, B: B, base: base, t: t) { return fast }
        if let nearOne = nearOneSeries(A: A, a: a, B: B, base: base, t: t) { return nearOne }
        if let series = smallDropoutSeries(A: A, a: a, B: B, u: t / base) { return series }
        do {
            return try quadrature(A: A, a: a, B: B, u: t / base)
        } catch {
            throw .undefinedPrediction(model: model, reason: "expected purchases for a horizon of \(t) could not be computed to 1e-12 at a = \(a), b-side parameter \(B), r-side parameter \(A) (the quadrature of the dropout distribution did not converge: \(error)).")
        }
    }

    /// The closed form (a+B−1)/(a−1) · [1 − (1−z)^A ₂F₁(A, B; a+B−1; z)], z = t/(base+t), or nil
    /// when it is undefined (a = 1, a+B−1 ≤ 0), its series fails, or its estimated relative rounding
    /// error exceeds `tolerance`.
    ///
    /// Error estimate. The bracket is −expm1(ℓ) with ℓ = A ln(1−z) + ln ₂F₁ (by Euler's transformation,
    /// A&S 15.3.3, when A + B > C, which adds (C−A−B) ln(1−z) inside ln ₂F₁); an absolute error δℓ
    /// in ℓ is a relative error δℓ·e^ℓ/|bracket| in the bracket. δℓ is a few ε times the sizes of the
    /// terms summed into ℓ. Besides, C − B = a − 1 enters the series through C = a+B−1 and B
    /// rounded separately, which perturbs a − 1 by ε·(B + C): a relative error ε(B+C)/|a−1| in the
    /// result. At the CDNOW fit the estimate is below 100ε for every customer (the closed form is
    /// used); it exceeds 1e-12/ε when b ≳ 10⁴ or |a − 1| ≲ 10⁻⁴.
    static func closedForm(A: Double, a: Double, B: Double, base: Double, t: Double) -> Double? {
        let c = a + B - 1
        // A > C + 1: the Euler-transformed series ₂F₁(C−A, a−1; C; z) alternates in sign (it cancels,
        // without showing in the estimate below); r > a + b (BG/NBD) is never a fit of real data.
        guard a != 1, c > 0, A <= c + 1 else { return nil }
        let z = t / (base + t)
        guard let f = try? Hypergeometric.log2F1(A, B, c, z) else { return nil }
        let ell = Double.log(onePlus: t / base)          // −ln(1 − z)
        let logTerm = -A * ell + f.logMagnitude
        let bracket = f.sign > 0 ? -Double.expMinusOne(logTerm) : 1 + Double.exp(logTerm)
        let value = c / (a - 1) * bracket
        guard value.isFinite, value > 0 else { return nil }
        let summed = A * ell + max(0, A + B - c) * ell + abs(f.logMagnitude) + 1
        let condition = 4 * summed * Double.exp(logTerm) / abs(bracket) + (B + c) / abs(a - 1)
        guard condition * Double.ulpOfOne <= tolerance else { return nil }
        return value
    }

    /// The closed form with its removable singularity at a = 1 taken out, for a near 1 (where the
    /// closed form's (a+B−1)/(a−1) · bracket is a ratio of two small numbers). With η = a − 1,
    /// C = B + η, L = ln(1−z), Euler's transformation (A&S 15.3.3) gives
    /// (1−z)^A ₂F₁(A, B; C; z) = (1−z)^η ₂F₁(B+η−A, η; C; z) = (1−z)^η (1 + η·S), and so
    /// ```
    /// E = C · [−expm1(η L)/η − e^(ηL) · S],   S = Σ_{n≥1} (B+η−A)ₙ (1+η)ₙ₋₁ / ((C)ₙ n!) · zⁿ
    /// ```
    /// (the first term −L at η = 0): nothing divides by a − 1. The two terms still differ (at η = 0
    /// E = C·Σ zⁿ/n · (1 − (B−A)ₙ/(B)ₙ)), by a factor of about B/A, which the rounding estimate
    /// below counts; the series needs z ≤ 0.95 (at most ~800 terms). Nil when the estimated
    /// relative rounding error exceeds `tolerance`. At MBG/NBD's fit to `make bench`'s customers
    /// (a = 0.976) the closed form's estimate fails for most customers and this takes them,
    /// where the quadrature took ~250 µs per expectation.
    static func nearOneSeries(A: Double, a: Double, B: Double, base: Double, t: Double) -> Double? {
        let z = t / (base + t)
        guard z <= 0.95 else { return nil }
        let eta = a - 1, c = B + eta
        guard c > 0 else { return nil }
        let logOneMinusZ = -Double.log(onePlus: t / base)
        let first = eta == 0 ? -logOneMinusZ : -Double.expMinusOne(eta * logOneMinusZ) / eta
        var term = (B + eta - A) / c * z
        var sum = term, absolute = abs(term)
        var n = 1.0
        while n < 2000 {
            term *= (B + eta - A + n) * (eta + n) / ((c + n) * (n + 1)) * z
            sum += term
            absolute += abs(term)
            n += 1
            if abs(term) <= 1e-17 * absolute { break }
        }
        guard n < 2000 else { return nil }
        let damping = Double.exp(eta * logOneMinusZ)
        let value = c * (first - damping * sum)
        guard value.isFinite, value > 0 else { return nil }
        let condition = 4 * (first + damping * absolute) * c / value + 8
        guard condition * Double.ulpOfOne * (1 + Double.log(n)) <= tolerance else { return nil }
        return value
    }

    /// E(A, a, B; u) for a dropout probability concentrated near 0 (B ≫ u·(a + 80): the b → ∞ regime),
    /// by the expectation of the Taylor series of g(p) = (1 − (1+pu)^−A)/p term by term:
    /// ```
    /// E = A·u · Σₘ (A+1)ₘ (a)ₘ / ((a+B)ₘ (m+1)!) · (−u)ᵐ       (E[pᵐ] = (a)ₘ/(a+B)ₘ; = A·u·₃F₂(A+1, a, 1; 2, a+B; −u))
    /// ```
    /// The Taylor series converges for p < 1/u only; the part of Beta(a, B) beyond p* = 1/(2u) weighs
    /// at most E[p⁴⁰]/p*⁴⁰ ≤ (2u(a+40)/(a+B))⁴⁰ < 10⁻²⁰ when 2u(a+80)/(a+B) < 0.3, which is required,
    /// and the terms must fall by a ratio below ½ from the first on (so the alternating sum keeps all but
    /// a few ulps) and reach 1e-17 of the sum within 40 terms; otherwise nil. A few dozen flops where
    /// the quadrature takes ~10⁴.
    static func smallDropoutSeries(A: Double, a: Double, B: Double, u: Double) -> Double? {
        let aB = a + B
        guard 2 * u * (a + 80) / aB < 0.3 else { return nil }
        var term = 1.0, sum = 1.0
        for m in 0..<40 {
            let md = Double(m)
            let ratio = (A + 1 + md) * (a + md) / ((aB + md) * (md + 2)) * u
            guard ratio < 0.5 else { return nil }
            term *= -ratio
            sum += term
            if abs(term) <= 1e-17 * abs(sum) {
                let value = A * u * sum
                return value.isFinite && value > 0 ? value : nil
            }
        }
        return nil
    }

    /// E(A, a, B; u) as the ratio of two integrals over p ~ Beta(a, B), both positive:
    /// ```
    /// E = ∫ g(p) p^(a−1) (1−p)^(B−1) dp / ∫ p^(a−1) (1−p)^(B−1) dp,   g(p) = −expm1(−A·log1p(p·u)) / p
    /// ```
    /// (0 < g ≤ A·u, decreasing). In δ = logit p − logit p₀, centred on the mode p₀ = a/(a+B) of
    /// p^a(1−p)^B (the density in logit p), the log-weight is
    /// ```
    /// φ(δ) = a·δ − (a+B)·ln(1 + p₀(e^δ − 1)) = a·[δ − (e^δ − 1)·λ(p₀(e^δ − 1))],   λ(y) = ln(1+y)/y
    /// ```
    /// concave with φ(0) = 0 and φ''(0) = −aB/(a+B), and written without the (a+B)·p₀ = a
    /// cancellation, so it keeps its digits for a, B up to 10³⁰⁰. Panels start at the mode with the
    /// peak's width min(1, √((a+B)/(aB))) and double outwards until φ has fallen by
    /// 80 + ln(1 + A·u) (by concavity the rest is below e⁻⁸⁰ of both integrals, g being at most
    /// 1 + A·u times its value at the mode); the adaptive Gauss–Kronrod rule (`GaussKronrod.weightedNodes`)
    /// refines them to 1e-14 for both the weight and the weight times g.
    /// Cost: typically 10–40 panels of 15 nodes.
    static func quadrature(A: Double, a: Double, B: Double, u: Double) throws -> Double {
        let logP0 = -Double.log(onePlus: B / a)          // ln(a/(a+B)), accurate also for B ≪ a
        let p0 = Double.exp(logP0)
        let logKappa = Double.log(B) - Double.log(a)      // ln((1−p₀)/p₀)
        let logU = Double.log(u), logA = Double.log(A)
        // L(δ) = ln(1 + p₀(e^δ − 1)), and φ(δ). Where p₀(e^δ − 1) > 1 (p past the mode towards 1),
        // L = ln p₀ + δ + ln(1 + κe^−δ), κ = (1−p₀)/p₀, and φ = −Bδ − (a+B)(ln p₀ + ln(1 + κe^−δ)):
        // the a·δ of φ's two terms cancel analytically (numerically they would leave ε·a·δ of noise
        // at the δ ~ 10⁹ that B ~ 10⁻⁸ needs).
        func isFar(_ delta: Double) -> Bool { delta > 0 && logP0 + Double.log(Double.expMinusOne(delta)) > 0 }
        func logOnePlus(_ delta: Double) -> Double {
            isFar(delta) ? logP0 + delta + Double.log(onePlus: Double.exp(logKappa - delta)) : Double.log(onePlus: p0 * Double.expMinusOne(delta))
        }
        func phi(_ delta: Double) -> Double {
            if isFar(delta) { return -B * delta - (a + B) * (logP0 + Double.log(onePlus: Double.exp(logKappa - delta))) }
            let em1 = Double.expMinusOne(delta)
            let y = p0 * em1
            let lambda = y == 0 ? 1 : Double.log(onePlus: y) / y
            return a * (delta - em1 * lambda)
        }
        // ln g(p(δ)), p = p₀e^δ / (1 + p₀(e^δ − 1)).
        func logG(_ delta: Double) -> Double {
            let logP = logP0 + delta - logOnePlus(delta)
            let pu = Double.exp(logP + logU)
            let q = A * Double.log(onePlus: pu)
            if q < 1e-280 { return logA + logU }        // g = A·u·(1 − O(p·u)), p·u below 1e-280
            return Double.log(-Double.expMinusOne(-q)) - logP
        }

        let width = min(1, ((a + B) / (a * B)).squareRoot())
        let drop = 80 + Double.log(onePlus: A * u)
        var right: [Double] = [], left: [Double] = []
        var w = width
        while true {
            right.append(w)
            if -phi(w) >= drop { break }
            guard right.count < 1100 else { throw GaussKronrod.Failure.invalidIntegrand(at: w) }
            w *= 2
        }
        w = width
        while true {
            left.append(-w)
            if -phi(-w) >= drop { break }
            guard left.count < 1100 else { throw GaussKronrod.Failure.invalidIntegrand(at: -w) }
            w *= 2
        }
        let breakpoints = left.reversed() + [0] + right
        guard let rule = try GaussKronrod.weightedNodes(ofLog: phi, breakpoints: breakpoints, relativeTolerance: 1e-14,
                                                        logExtraWeight: logG, extraTolerance: 1e-14) else {
            throw GaussKronrod.Failure.invalidIntegrand(at: 0)
        }
        var weight = 0.0, weighted = 0.0
        for (node, wi) in zip(rule.nodes, rule.weights) {
            weight += wi
            weighted += wi * Double.exp(logG(node))
        }
        let value = weighted / weight
        guard value.isFinite, value > 0 else { throw GaussKronrod.Failure.invalidIntegrand(at: 0) }
        return value
    }
}

extension BetaGeometricExpectation {
    /// P(a purchase within t | alive at T) under BG/NBD and MBG/NBD, whose customers drop out
    /// only at a purchase, so one alive at T stays alive until they buy: with λ | alive ~
    /// Gamma(A, base), A = r+x and base = α+T, 1 − (base/(base+t))^A, written as
    /// −expm1(−A·log1p(t/base)) so that a small chance keeps its relative accuracy.
    static func purchaseWhileAlive(shape A: Double, base: Double, within t: Double) -> Double {
        -Double.expMinusOne(-A * Double.log(onePlus: t / base))
    }

    /// E[Y(t)] at fixed horizons for a whole table (`PurchaseModel.horizonExpectations`), as
    /// `BetaGeometricResidual.Table` does for DERT: for one x and t, ln E(A, a, B; t/base) is
    /// analytic in ln base (singular only where base ≤ 0 — base = −p·t — i.e. Im ln base = ±π),
    /// so on each unit cell of ln(α+T) it is a 16-term Chebyshev series (`LogChebyshev`, kept only
    /// when its tail is below 5e-11), one per horizon (`FrequencyCells`: a customer's value
    /// depends on their own x and T only). Used for at most 60 horizons (longer ones stop early
    /// per customer, and would need a series each).
    final class Table: HorizonExpectations {
        let model: any PurchaseModel
        let times: [Double]
        let alpha: Double
        /// For each (frequency, cell) a series per horizon (not kept where its tail was too large),
        /// bundled to be evaluated in one pass.
        let series: FrequencyCells<LogChebyshevBundle>

        static let maximumHorizons = 60

        init(model: any PurchaseModel, times: [Double], alpha: Double, a: Double,
             shape: @escaping @Sendable (Double) -> (A: Double, B: Double), frequencies: [Double], T: [Double]) {
            (self.model, self.times, self.alpha) = (model, times, alpha)
            let name = type(of: model).displayName
            series = FrequencyCells(frequencies: frequencies, logValues: T.map { Double.log(alpha + $0) }) { x, lower, upper in
                let (A, B) = shape(x)
                return LogChebyshevBundle(times.map { t in
                    LogChebyshev(lower: lower, upper: upper) { logBase in
                        (try? BetaGeometricExpectation.value(A: A, a: a, B: B, base: Double.exp(logBase), t: t, model: name)).map { Double.log($0) }
                    }
                })
            }
        }

        func expectedPurchases(_ k: Int, frequency x: Double, recency tx: Double, T: Double) throws(ModelError) -> Double {
            let pAlive = model.probabilityAlive(frequency: x, recency: tx, T: T)
            return try withUnsafeTemporaryAllocation(of: Double.self, capacity: times.count) { (values) throws(ModelError) -> Double in
                if try allExpectedPurchases(frequency: x, recency: tx, T: T, probabilityAlive: pAlive, into: values) { return values[k] }
                return try model.expectedPurchases(within: times[k], frequency: x, recency: tx, T: T)
            }
        }

        func allExpectedPurchases(frequency x: Double, recency tx: Double, T: Double, probabilityAlive pAlive: Double,
                                  into values: UnsafeMutableBufferPointer<Double>) throws(ModelError) -> Bool {
            let logBase = Double.log(alpha + T)
            guard let row = series.entry(x: x, logValue: logBase), row.values(at: logBase, into: values) else { return false }
            for k in 0..<times.count {
                let value = pAlive * Double.exp(values[k])
                if value.isFinite, value >= 0 {
                    values[k] = value
                } else {
                    values[k] = try model.expectedPurchases(within: times[k], frequency: x, recency: tx, T: T)
                }
            }
            return true
        }
    }

    /// The table, or each customer alone for more than `Table.maximumHorizons` horizons or a
    /// horizon that is not positive.
    static func horizonExpectations(model: any PurchaseModel, times: [Double], alpha: Double, a: Double,
                                    shape: @escaping @Sendable (Double) -> (A: Double, B: Double),
                                    frequencies: [Double], T: [Double]) -> any HorizonExpectations {
        guard times.count <= Table.maximumHorizons, times.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            return DirectHorizonExpectations(model: model, times: times)
        }
        return Table(model: model, times: times, alpha: alpha, a: a, shape: shape, frequencies: frequencies, T: T)
    }
}
