import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// BG/BB against Fader, Hardie & Shang (2010) on the donations data, lifetimes 0.11.3
/// (Tests/Fixtures/lifetimes/bgbb_donations.json, made by scripts/lifetimes_fixtures_family.py)
/// and its own invariants.
@Suite struct BGBBTests {
    /// FHS 2010's donations estimates.
    static let published = try! BGBB(alpha: 1.204, beta: 0.750, gamma: 0.657, delta: 2.783)

    static func fixture() throws -> [String: Any] { try LifetimesFixtures.bgbbDonations() }

    /// The parameters lifetimes fitted, at which the fixture's predictions were made.
    static func lifetimesModel() throws -> BGBB {
        let f = try fixture()
        return try BGBB(parameterValues: BGBB.parameterNames.map { f.number("lifetimes", "params", $0) })
    }

    static func patterns() throws -> [[String: Any]] {
        (try fixture()["predictions_at_lifetimes_params"] as! [String: Any])["patterns"] as! [[String: Any]]
    }

    @Test func donationsReaderReadsTheTwentyTwoPatterns() throws {
        let data = try DiscreteSummaries.donations()
        #expect(data.count == 22)
        #expect(data.customerCount == 11_104)
        #expect(Set(data.T) == [6])
        try BGBB.validate(data)
        let text = "periods,weights,frequency,recency\n6,3,0,0\n6,2,2,5\n"
        let parsed = try DiscreteSummaries.parse(text, source: "inline")
        #expect(parsed.frequency == [0, 2] && parsed.recency == [0, 5] && parsed.T == [6, 6] && parsed.weight == [3, 2])
        #expect(throws: DataError.self) { try DiscreteSummaries.parse("frequency,recency\n1,1\n", source: "inline") }
    }

    /// The fit on the donations data: α, β, γ, δ within 0.1 % of the published 1.204, 0.750,
    /// 0.657, 2.783 (quoted to 3 decimals) and LL −33225.6 ± 0.05 (quoted to one decimal, so
    /// ±0.05 is its rounding; the ±0.01 check is against the Newton-polished optimum below, 1e-7).
    /// Tighter, against lifetimes on the same data: parameters within 2e-5 relative of the
    /// Newton-polished optimum (the estimator stops at |∂LL/∂ln θ| ≤ 1e-8·n ≈ 1.1e-4, and with
    /// only ~75 units of information in ln δ here that leaves ~1e-5: 1e-4 of a standard error),
    /// LL within 1e-7 of it and not below lifetimes' optimum, standard errors within 1e-4 of
    /// the polished ones (same definition; analytic Hessian vs autograd's) and within 1 % of
    /// lifetimes' own `standard_errors_`.
    @Test func fitOnDonationsMatchesPublishedAndLifetimes() throws {
        let data = try DiscreteSummaries.donations()
        let fit = try Estimator().fit(BGBB.self, to: data)
        for (got, want) in zip(fit.model.parameterValues, Self.published.parameterValues) {
            #expect(isClose(got, want, relative: 1e-3), "\(got) vs published \(want)")
        }
        #expect(isClose(fit.logLikelihood, -33225.6, absolute: 0.05), "LL \(fit.logLikelihood)")
        #expect(fit.converged)
        #expect(fit.observationCount == 11_104)
        #expect(fit.rows == 22)

        let f = try Self.fixture()
        for (k, name) in BGBB.parameterNames.enumerated() {
            #expect(isClose(fit.model.parameterValues[k], f.number("newton_polished_mle", "params", name), relative: 2e-5), "\(name)")
            #expect(isClose(fit.standardErrors[k], f.number("newton_polished_mle", "standard_errors", name), relative: 1e-4),
                    "SE \(name) \(fit.standardErrors[k])")
            #expect(isClose(fit.standardErrors[k], f.number("lifetimes", "standard_errors", name), relative: 1e-2), "SE \(name) vs lifetimes")
        }
        #expect(fit.logLikelihood >= f.number("lifetimes", "ll_sum_exact") - 1e-7)
        #expect(isClose(fit.logLikelihood, f.number("newton_polished_mle", "ll_sum_exact"), absolute: 1e-7))
    }

    /// The summed LL (tabulated ln Γ) against the floor-free reference at the published
    /// parameters and per pattern at lifetimes' (1e-12 relative: the same ln B terms in another
    /// grouping), and against the single-customer path that calls `Special.logBeta` directly.
    @Test func logLikelihoodMatchesReference() throws {
        let data = try DiscreteSummaries.donations()
        let f = try Self.fixture()
        let total = BGBB.logLikelihood(of: data).evaluate(Self.published.parameterValues, order: .value).value
        #expect(isClose(total, f.number("published", "ll_sum_exact_at_published_params"), relative: 1e-12), "LL \(total)")
        #expect(isClose(total, -33225.6, absolute: 0.1))
        let m = try Self.lifetimesModel()
        for p in try Self.patterns() {
            let x = p.number("frequency"), tx = p.number("recency"), n = p.number("periods")
            let one = try PurchaseHistory(frequency: [x], recency: [tx], T: [n])
            let tabulated = BGBB.logLikelihood(of: one).evaluate(m.parameterValues, order: .value).value
            #expect(isClose(tabulated, p.number("ll"), relative: 1e-12), "x=\(x) t_x=\(tx)")
            #expect(isClose(m.logLikelihood(frequency: x, recency: tx, opportunities: n), tabulated, relative: 1e-12))
        }
    }

    /// FHS 2010 Table 6, P(alive in 2002) = P(alive at opportunity n+1): 0.11 for (x, t_x) = (0, 0),
    /// 0.59 for (2, 4), 0.93 for (6, 6) at our fit (±0.005: two published decimals). Against
    /// lifetimes per pattern for m = 1 (our `probabilityAlive`), 0 and 5 (1e-9 relative;
    /// lifetimes' 1e-15 floor inside the likelihood moves its values by up to ~1e-12).
    @Test func probabilityAliveMatchesTable6AndLifetimes() throws {
        let fit = try Estimator().fit(BGBB.self, to: DiscreteSummaries.donations()).model
        #expect(isClose(fit.probabilityAlive(frequency: 0, recency: 0, T: 6), 0.11, absolute: 0.005))
        #expect(isClose(fit.probabilityAlive(frequency: 2, recency: 4, T: 6), 0.59, absolute: 0.005))
        #expect(isClose(fit.probabilityAlive(frequency: 6, recency: 6, T: 6), 0.93, absolute: 0.005))
        let m = try Self.lifetimesModel()
        for p in try Self.patterns() {
            let x = p.number("frequency"), tx = p.number("recency"), n = p.number("periods")
            #expect(isClose(m.probabilityAlive(frequency: x, recency: tx, T: n), p.number("p_alive_next"), relative: 1e-9))
            #expect(isClose(m.probabilityAlive(after: 0, frequency: x, recency: tx, opportunities: n), p.number("p_alive_now"), relative: 1e-9))
            #expect(isClose(m.probabilityAlive(after: 5, frequency: x, recency: tx, opportunities: n), p.number("p_alive_in_5"), relative: 1e-9))
        }
        // A customer who transacted at the last opportunity was certainly alive at it.
        #expect(m.probabilityAlive(after: 0, frequency: 3, recency: 6, opportunities: 6) == 1)
    }

    /// E[X(n, n+t)] (FHS 2010 eq. 13) against lifetimes' closed form per pattern for t = 1, 2, 5, 10
    /// (our exact finite sum) and t = 2.5 (our closed form), 1e-9 relative (the sum and the
    /// closed form differ only by rounding; lifetimes' floor ~1e-12). Σ weights · E[X(6, 11)] =
    /// 12884.2 (Hardie's "Conditional Expectations (II)" sheet, ±0.05: one decimal) at our fit.
    @Test func conditionalExpectationsMatchLifetimesAndHardieSheet() throws {
        let m = try Self.lifetimesModel()
        for p in try Self.patterns() {
            let x = p.number("frequency"), tx = p.number("recency"), n = p.number("periods")
            for t in [1.0, 2, 5, 10] {
                let y = try m.expectedPurchases(within: t, frequency: x, recency: tx, T: n)
                #expect(isClose(y, p.number("cet_\(Int(t))"), relative: 1e-9), "E[X(\(t))] x=\(x) t_x=\(tx): \(y)")
            }
            let frac = try m.expectedPurchases(within: 2.5, frequency: x, recency: tx, T: n)
            #expect(isClose(frac, p.number("cet_2.5"), relative: 1e-9))
        }
        let f = try Self.fixture()
        let data = try DiscreteSummaries.donations()
        func weightedSum(_ model: BGBB) throws -> Double {
            var s = 0.0
            for i in 0..<data.count {
                s += data.weight[i] * (try model.expectedPurchases(within: 5, frequency: data.frequency[i], recency: data.recency[i], T: data.T[i]))
            }
            return s
        }
        let predictions = f["predictions_at_lifetimes_params"] as! [String: Any]
        #expect(isClose(try weightedSum(m), predictions.number("sum_weighted_cet_5"), relative: 1e-10))
        let fit = try Estimator().fit(BGBB.self, to: data).model
        let total = try weightedSum(fit)
        #expect(isClose(total, 12884.2, absolute: 0.05), "Σ w·E[X(6, 11)] = \(total)")
    }

    /// P(X(6) = x) · 11,104 against lifetimes' `expected_number_of_transactions_in_first_n_periods(6)`
    /// (1e-9 relative) and Hardie's sheet (3454.9 at x = 0, 1253.1 at x = 6, ±0.05) at our fit; the
    /// pmf sums to 1 and its mean is the new-customer E[X(n)] (1e-12: two exact forms).
    @Test func purchaseCountDistributionAndNewCustomerExpectation() throws {
        let m = try Self.lifetimesModel()
        let f = try Self.fixture()
        let predictions = f["predictions_at_lifetimes_params"] as! [String: Any]
        let byX = predictions["expected_donors_by_x_in_6"] as! [String: Any]
        for (key, value) in byX {
            let x = Int(key)!
            #expect(isClose(11_104 * m.probabilityOfPurchases(x, inFirst: 6), (value as! NSNumber).doubleValue, relative: 1e-9), "x=\(x)")
        }
        let fit = try Estimator().fit(BGBB.self, to: DiscreteSummaries.donations()).model
        #expect(isClose(11_104 * fit.probabilityOfPurchases(0, inFirst: 6), 3454.9, absolute: 0.05))
        #expect(isClose(11_104 * fit.probabilityOfPurchases(6, inFirst: 6), 1253.1, absolute: 0.05))

        for n in [1, 2, 6, 15] {
            var total = 0.0, mean = 0.0
            for x in 0...n {
                let p = m.probabilityOfPurchases(x, inFirst: n)
                total += p
                mean += Double(x) * p
            }
            #expect(isClose(total, 1, absolute: 1e-12), "n=\(n): Σ P = \(total)")
            #expect(isClose(try m.expectedPurchasesOfNewCustomer(within: Double(n)), mean, relative: 1e-12), "n=\(n)")
        }
        #expect(m.probabilityOfPurchases(7, inFirst: 6) == 0)
        for point in predictions["new_customer"] as! [[String: Any]] {
            let n = point.number("n")
            #expect(isClose(try m.expectedPurchasesOfNewCustomer(within: n), point.number("expected_transactions"), relative: 1e-10), "n=\(n)")
        }
    }

    /// Analytic gradient and Hessian against central differences (1e-4 relative, as for BG/NBD),
    /// on the donations data and on simulated data with n from 1 to 30 (rows with many i terms).
    @Test(arguments: [[1.204, 0.75, 0.657, 2.783], [0.3, 2.5, 3, 0.4], [8, 0.2, 0.05, 20]])
    func derivativesMatchFiniteDifferences(_ theta: [Double]) throws {
        let donations = try DiscreteSummaries.donations()
        let (g, h) = derivativeDiscrepancy(BGBB.logLikelihood(of: donations), at: theta)
        #expect(g < 1e-4, "gradient discrepancy \(g)")
        #expect(h < 1e-4, "Hessian discrepancy \(h)")
        let simulated = Simulate.bgbb(customers: 3000, alpha: 1.2, beta: 0.75, gamma: 0.66, delta: 2.8,
                                      opportunities: 1...30, seed: 5).compressed()
        let (g2, h2) = derivativeDiscrepancy(BGBB.logLikelihood(of: simulated), at: theta)
        #expect(g2 < 1e-4, "gradient discrepancy \(g2)")
        #expect(h2 < 1e-4, "Hessian discrepancy \(h2)")
    }

    /// Probabilities stay in [0, 1], P(alive at n+m) falls with m, and the expectations are finite
    /// and increase with the horizon, for ordinary and long histories.
    @Test func predictionsAreProbabilitiesAndIncreasing() throws {
        let m = Self.published
        for (x, tx, n) in [(0.0, 0.0, 6.0), (1, 1, 6), (2, 4, 6), (6, 6, 6), (0, 0, 500), (3, 10, 500), (400, 500, 500), (450, 480, 1000)] {
            var previousAlive = 1.0
            for after in [0.0, 1, 2, 10, 100] {
                let p = m.probabilityAlive(after: after, frequency: x, recency: tx, opportunities: n)
                #expect(p >= 0 && p <= 1 && p.isFinite, "x=\(x) t_x=\(tx) n=\(n) m=\(after): \(p)")
                #expect(p <= previousAlive)
                previousAlive = p
            }
            var previous = 0.0
            for t in [1.0, 2, 5, 10, 52, 520] {
                let y = try m.expectedPurchases(within: t, frequency: x, recency: tx, T: n)
                #expect(y.isFinite && y > previous && y <= t, "x=\(x) t=\(t): \(y)")
                previous = y
            }
        }
        var previous = 0.0
        for t in [1.0, 2, 2.5, 6, 10, 100, 1000, 1e6] {
            let y = try m.expectedPurchasesOfNewCustomer(within: t)
            #expect(y.isFinite && y > previous, "t=\(t): \(y)")
            previous = y
        }
    }

    /// The whole-t sum and the fractional-t closed form are the same function: at whole t they
    /// agree (1e-9 relative: the closed form's exponent D is a difference of ln Γ values of size
    /// ~ln Γ(γ+δ+n), so it carries ~ε·ln Γ/|D| ≈ 1e-11 relative error at n = 100, t = 1), and at
    /// γ = 1, where the closed form is singular, the sum still works.
    @Test func expectedOpportunitiesSumEqualsClosedForm() throws {
        let m = Self.published
        for n in [0.0, 6, 100] {
            for t in [1.0, 5, 50] {
                let sum = try m.expectedOpportunitiesAlive(after: n, within: t)
                let nearly = try m.expectedOpportunitiesAlive(after: n, within: t.nextUp)   // closed-form branch
                #expect(isClose(sum, nearly, relative: 1e-9), "n=\(n) t=\(t): \(sum) vs \(nearly)")
            }
        }
        let gammaOne = try BGBB(alpha: 1, beta: 1, gamma: 1, delta: 2)
        // θ ~ Beta(1, 2): Σ_{s=1}^{t} 2/(s+2) for t = 3 is 2/3 + 2/4 + 2/5.
        #expect(isClose(try gammaOne.expectedOpportunitiesAlive(after: 0, within: 3), 2.0 / 3 + 0.5 + 0.4, relative: 1e-15))
        #expect(throws: ModelError.self) { try gammaOne.expectedPurchasesOfNewCustomer(within: 2.5) }
    }

    /// Histories that are not discrete are rejected: `validate` names the row and field; the
    /// likelihood is NaN, so the estimator fails with a clear error instead of fitting nonsense;
    /// predictions are NaN or throw.
    @Test func nonDiscreteDataIsRejected() throws {
        let fractional = try PurchaseHistory(frequency: [0, 2, 1], recency: [0, 3.5, 2], T: [6, 6, 6])
        #expect(throws: DataError.self) { try BGBB.validate(fractional) }
        do {
            try BGBB.validate(fractional, source: "d.csv")
        } catch {
            #expect(error.field == "recency" && error.message.contains("row 2"), "\(error)")
        }
        let fractionalN = try PurchaseHistory(frequency: [1], recency: [1], T: [6.5])
        #expect(throws: DataError.self) { try BGBB.validate(fractionalN) }
        let tooMany = try PurchaseHistory(frequency: [3], recency: [2], T: [6])
        #expect(throws: DataError.self) { try BGBB.validate(tooMany) }
        #expect(BGBB.logLikelihood(of: fractional).evaluate([1, 1, 1, 1], order: .value).value.isNaN)
        #expect(throws: EstimationError.self) { try Estimator().fit(BGBB.self, to: fractional) }
        let m = Self.published
        #expect(m.probabilityAlive(frequency: 2, recency: 3.5, T: 6).isNaN)
        #expect(m.probabilityAlive(frequency: 3, recency: 2, T: 6).isNaN)
        #expect(throws: ModelError.self) { try m.expectedPurchases(within: 5, frequency: 2, recency: 3.5, T: 6) }
        #expect(throws: ModelError.self) { try BGBB(alpha: 1, beta: 0, gamma: 1, delta: 1) }
    }

    /// A compressed history gives the same LL, gradient and Hessian as the expanded one (1e-11 /
    /// 1e-10 relative: summation order), and weighted and expanded fits agree (1e-6).
    @Test func weightedEqualsExpanded() throws {
        let data = try DiscreteSummaries.donations()
        let expanded = data.expanded()
        #expect(expanded.count == 11_104)
        let theta = [1.1, 0.8, 0.7, 2.5]
        let full = BGBB.logLikelihood(of: expanded).evaluate(theta, order: .hessian)
        let weighted = BGBB.logLikelihood(of: data).evaluate(theta, order: .hessian)
        #expect(isClose(full.value, weighted.value, relative: 1e-11))
        for (u, v) in zip(full.gradient, weighted.gradient) { #expect(isClose(u, v, relative: 1e-10)) }
        for (u, v) in zip(full.hessian!.storage, weighted.hessian!.storage) { #expect(isClose(u, v, relative: 1e-10)) }
        let a = try Estimator().fit(BGBB.self, to: expanded)
        let b = try Estimator().fit(BGBB.self, to: data)
        for (u, v) in zip(a.model.parameterValues, b.model.parameterValues) { #expect(isClose(u, v, relative: 1e-6)) }
        for (u, v) in zip(a.standardErrors, b.standardErrors) { #expect(isClose(u, v, relative: 1e-6)) }
    }

    /// 20,000 simulated customers (seed 3) from the donations parameters, n from 4 to 12: every
    /// estimate within 4 standard errors of the truth (false alarm ~6e-5 per parameter).
    @Test func recoversSimulatedParameters() throws {
        let truth = [1.2, 0.75, 0.66, 2.8]
        let data = Simulate.bgbb(customers: 20_000, alpha: truth[0], beta: truth[1], gamma: truth[2], delta: truth[3],
                                 opportunities: 4...12, seed: 3)
        try BGBB.validate(data)
        let fit = try Estimator().fit(BGBB.self, to: data.compressed())
        for (k, want) in truth.enumerated() {
            let got = fit.model.parameterValues[k], se = fit.standardErrors[k]
            #expect(abs(got - want) < 4 * se, "\(BGBB.parameterNames[k]) = \(got) ± \(se), truth \(want)")
        }
    }
}
