import Foundation
import Testing
@testable import CLVKit
import CLVNumerics
import CLVOptimize
import CLVTestSupport

/// Fits on CDNOW against the reference values (lifetimes' on the same data) and the
/// papers, and simulate-and-recover on seeded synthetic data.
@Suite struct EstimatorTests {
    /// BG/NBD on the CDNOW sample, weeks, calibration to 1997-09-30: r, α, a, b within 0.1 % of
    /// 0.24259, 4.41353, 0.79289, 2.42575; LL −9582.43 ± 0.01; standard errors within 1 % of
    /// lifetimes' 0.01256, 0.3782, 0.1857, 0.7053. Also within 1e-5 of lifetimes' own optimum.
    @Test func bgnbdOnCDNOW() throws {
        let data = try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary()).compressed()
        let fit = try Estimator().fit(BGNBD.self, to: data)
        let expected = [0.24259, 4.41353, 0.79289, 2.42575]
        for (got, want) in zip(fit.model.parameterValues, expected) {
            #expect(isClose(got, want, relative: 1e-3), "\(got) vs \(want)")
        }
        #expect(isClose(fit.logLikelihood, -9582.43, absolute: 0.01))
        for (got, want) in zip(fit.standardErrors, [0.01256, 0.3782, 0.1857, 0.7053]) {
            #expect(isClose(got, want, relative: 1e-2), "SE \(got) vs \(want)")
        }
        let lifetimes = try LifetimesFixtures.cdnowFit()
        for (name, got) in zip(BGNBD.parameterNames, fit.model.parameterValues) {
            #expect(isClose(got, lifetimes.number("bgnbd", "newton_polished_mle", "params", name), relative: 1e-5))
        }
        #expect(fit.logLikelihood >= lifetimes.number("bgnbd", "ll_sum") - 1e-7)
        #expect(fit.converged)
        #expect(fit.observationCount == 2357)
        #expect(isClose(fit.bic, 4 * log(2357.0) + 2 * 9582.43, absolute: 0.03))
    }

    /// Gamma-Gamma on the 946 repeat customers: p, q, γ within 0.1 % of 6.2488, 3.7446, 15.4477
    /// (LL −4055.92 ± 0.01), standard errors within 1 % of lifetimes'.
    @Test func gammaGammaOnCDNOW() throws {
        let data = try SpendHistory(LifetimesFixtures.cdnowCalibrationSummary())
        let fit = try Estimator().fit(GammaGamma.self, to: data)
        for (got, want) in zip(fit.model.parameterValues, [6.2488, 3.7446, 15.4477]) {
            #expect(isClose(got, want, relative: 1e-3), "\(got) vs \(want)")
        }
        #expect(isClose(fit.logLikelihood, -4055.92, absolute: 0.01))
        let lifetimes = try LifetimesFixtures.cdnowFit()
        for (name, got) in zip(["p", "q", "v"], fit.standardErrors) {
            #expect(isClose(got, lifetimes.number("gamma_gamma", "standard_errors", name), relative: 1e-2))
        }
    }

    /// Weighted (compressed) and expanded fits agree (1e-6 relative: both converge to |g| ≤ 1e-8·n).
    @Test func weightedFitEqualsExpandedFit() throws {
        let data = try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary())
        let expanded = try Estimator().fit(BGNBD.self, to: data)
        let weighted = try Estimator().fit(BGNBD.self, to: data.compressed())
        for (u, v) in zip(expanded.model.parameterValues, weighted.model.parameterValues) { #expect(isClose(u, v, relative: 1e-6)) }
        for (u, v) in zip(expanded.standardErrors, weighted.standardErrors) { #expect(isClose(u, v, relative: 1e-6)) }
        #expect(isClose(expanded.logLikelihood, weighted.logLikelihood, relative: 1e-11))
    }

    /// 20,000 simulated customers (seed 7) from known parameters: each estimate lies within
    /// 4 standard errors of the truth (a false alarm has probability ~6e-5 per parameter).
    @Test func recoversSimulatedParameters() throws {
        let truth = (r: 0.24, alpha: 4.41, a: 0.79, b: 2.43, p: 6.0, q: 3.7, gamma: 15.0)
        let table = Simulate.bgnbd(customers: 20_000, r: truth.r, alpha: truth.alpha, a: truth.a, b: truth.b,
                                   spend: (truth.p, truth.q, truth.gamma), seed: 7)
        let purchase = try Estimator().fit(BGNBD.self, to: PurchaseHistory(table))
        for (k, want) in [truth.r, truth.alpha, truth.a, truth.b].enumerated() {
            let got = purchase.model.parameterValues[k], se = purchase.standardErrors[k]
            #expect(abs(got - want) < 4 * se, "\(BGNBD.parameterNames[k]) = \(got) ± \(se), truth \(want)")
        }
        let spend = try Estimator().fit(GammaGamma.self, to: SpendHistory(table))
        for (k, want) in [truth.p, truth.q, truth.gamma].enumerated() {
            let got = spend.model.parameterValues[k], se = spend.standardErrors[k]
            #expect(abs(got - want) < 4 * se, "\(GammaGamma.parameterNames[k]) = \(got) ± \(se), truth \(want)")
        }
    }

    /// A data set with no repeat purchases at all has no interior maximum: a clear error.
    @Test func degenerateDataIsAClearError() throws {
        let data = try PurchaseHistory(frequency: [0, 0, 0], recency: [0, 0, 0], T: [10, 20, 30])
        #expect(throws: EstimationError.self) { try Estimator().fit(BGNBD.self, to: data) }
    }

    /// An optimiser stopped early is reported as such, with its reason and last parameters,
    /// never as a model with unconverged parameters.
    @Test func unconvergedFitIsAnErrorThatSaysWhy() throws {
        let data = try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary()).compressed()
        let impatient = Estimator(options: NewtonOptions(maxIterations: 1))
        let thrown = #expect(throws: EstimationError.self) { try impatient.fit(BGNBD.self, to: data) }
        let error = try #require(thrown)
        #expect(error.description.contains("BG/NBD: the fit did not converge (max-iterations after 1 iterations"), "\(error)")
        for name in ["r", "alpha", "a", "b"] { #expect(error.description.contains("\(name) = ")) }
    }
}

/// Tiny data sets for every model: one, two and five customers, and five with no repeat
/// purchases at all (the MLE is then on the boundary: no evidence of any purchase rate). Each
/// gives a converged fit with positive finite parameters and a finite log-likelihood, or an
/// `EstimationError` — never NaN parameters.
@Suite struct TinyDataTests {
    static let continuous: [(String, [(Double, Double, Double)])] = [
        ("one customer", [(2, 5, 10)]),
        ("two customers", [(2, 5, 10), (0, 0, 8)]),
        ("five customers", [(2, 5, 10), (0, 0, 8), (7, 30, 31), (1, 2, 20), (0, 0, 3)]),
        ("all x = 0", [(0, 0, 10), (0, 0, 8), (0, 0, 31), (0, 0, 20), (0, 0, 3)]),
    ]
    static let discrete: [(String, [(Double, Double, Double)])] = [
        ("one customer", [(2, 5, 6)]),
        ("two customers", [(2, 5, 6), (0, 0, 6)]),
        ("five customers", [(2, 5, 6), (0, 0, 6), (6, 6, 6), (1, 2, 6), (0, 0, 4)]),
        ("all x = 0", [(0, 0, 6), (0, 0, 6), (0, 0, 5), (0, 0, 3), (0, 0, 6)]),
    ]

    static func check<M: PurchaseModel>(_ type: M.Type, _ label: String, _ rows: [(Double, Double, Double)]) throws {
        let data = try PurchaseHistory(frequency: rows.map(\.0), recency: rows.map(\.1), T: rows.map(\.2))
        do {
            let fit = try Estimator().fit(type, to: data)
            for v in fit.model.parameterValues { #expect(v.isFinite && v > 0, "\(M.displayName), \(label): \(fit.model.parameterValues)") }
            #expect(fit.logLikelihood.isFinite && fit.logLikelihood <= 0, "\(M.displayName), \(label): LL \(fit.logLikelihood)")
            for i in 0..<fit.covariance.rows { #expect(fit.covariance[i, i].isFinite, "\(M.displayName), \(label)") }
        } catch {
            // The error names the model and says what happened.
            #expect(error.description.contains(M.displayName) || error.description.contains(M.identifier), "\(error)")
            #expect(!error.description.lowercased().contains("nan"), "\(M.displayName), \(label): \(error)")
        }
    }

    /// Every model on every set, Pareto/NBD included: on the one- and five-customer sets its
    /// likelihood rises towards the NBD → Poisson, no-dropout edge (r, α → ∞ with r/α fixed, or
    /// s → 0), where the ₂F₁ arguments come within 10⁻⁵…10⁻⁷ of 1. Each fit now ends in well under
    /// a second in a debug build (it took 40–130 s): `Estimator.divergenceDistance` stops a start
    /// once a log-parameter has moved 12 from it, and the ₂F₁ near 1 is a quadrature of fixed cost
    /// (`Hypergeometric.unitAQuadrature`) instead of a continued fraction of ~22/√(1−z) levels.
    @Test(arguments: 0..<4) func continuousModels(index: Int) throws {
        let (label, rows) = Self.continuous[index]
        try Self.check(BGNBD.self, label, rows)
        try Self.check(MBGNBD.self, label, rows)
        try Self.check(ParetoNBD.self, label, rows)
    }

    @Test(arguments: 0..<4) func discreteModel(index: Int) throws {
        let (label, rows) = Self.discrete[index]
        try Self.check(BGBB.self, label, rows)
    }
}

/// Standard errors by an independent method, for every model on its reference data: the
/// Hessian of the log-likelihood in the natural parameters by central differences of values
/// alone (no analytic derivatives, no log transform), inverted: SE = √diag((−H)⁻¹). At a
/// maximum this is the same quantity as the estimator's J·(−H_ln θ)⁻¹·J, so it checks the
/// analytic Hessians, the chain rule and the delta method together; for BG/BB, whose published
/// SEs we do not have, it is the reference asked for besides lifetimes'.
@Suite struct StandardErrorCrossCheckTests {
    /// SEs from a finite-difference Hessian with steps h = 10⁻³θ: truncation ~h²·f⁗ ≈ 1e-6
    /// relative, rounding ε|LL|/h² ≲ 1e-7 relative of each entry.
    static func finiteDifferenceStandardErrors(_ likelihood: any LogLikelihood, at theta: [Double]) throws -> [Double] {
        let k = theta.count
        let f = { (p: [Double]) in likelihood.evaluate(p, order: .value).value }
        let h = theta.map { 1e-3 * $0 }
        func shifted(_ moves: [(Int, Double)]) -> Double {
            var p = theta
            for (i, s) in moves { p[i] += s * h[i] }
            return f(p)
        }
        let f0 = f(theta)
        var negH = Matrix(rows: k, columns: k, repeating: 0)
        for i in 0..<k {
            negH[i, i] = -(shifted([(i, 1)]) - 2 * f0 + shifted([(i, -1)])) / (h[i] * h[i])
            for j in 0..<i {
                let v = (shifted([(i, 1), (j, 1)]) - shifted([(i, 1), (j, -1)]) - shifted([(i, -1), (j, 1)]) + shifted([(i, -1), (j, -1)])) / (4 * h[i] * h[j])
                negH[i, j] = -v
                negH[j, i] = -v
            }
        }
        let covariance = try LAPACK.inverseOfPositiveDefinite(negH)
        return (0..<k).map { covariance[$0, $0].squareRoot() }
    }

    static func check<M: FittableModel>(_ type: M.Type, _ data: M.Observations) throws {
        let fit = try Estimator().fit(type, to: data)
        let reference = try finiteDifferenceStandardErrors(M.logLikelihood(of: data), at: fit.model.parameterValues)
        for (k, name) in M.parameterNames.enumerated() {
            // 1e-3 relative: the differences' own error (above) after inversion, and the
            // estimator's stopping gradient (|g| ≤ 1e-8·n in ln θ) moving the point slightly
            // (measured: 4e-6 BG/NBD, 1.2e-5 BG/BB, 1.4e-5 Pareto/NBD, 1.5e-5 MBG/NBD, 7e-5 Gamma-Gamma).
            #expect(isClose(fit.standardErrors[k], reference[k], relative: 1e-3),
                    "\(M.displayName) SE(\(name)) = \(fit.standardErrors[k]) vs finite differences \(reference[k])")
        }
    }

    @Test func bgnbdOnCDNOW() throws { try Self.check(BGNBD.self, PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary()).compressed()) }
    @Test func mbgnbdOnCDNOW() throws { try Self.check(MBGNBD.self, PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary()).compressed()) }
    @Test func paretoNBDOnCDNOW() throws { try Self.check(ParetoNBD.self, PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary()).compressed()) }
    @Test func bgbbOnDonations() throws { try Self.check(BGBB.self, DiscreteSummaries.donations()) }
    @Test func gammaGammaOnCDNOW() throws { try Self.check(GammaGamma.self, SpendHistory(LifetimesFixtures.cdnowCalibrationSummary())) }
}
