import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// MBG/NBD against the published CDNOW fit (BTYDplus), lifetimes 0.11.3
/// (Tests/Fixtures/lifetimes/mbgnbd_cdnow.json, made by scripts/lifetimes_fixtures_family.py)
/// and its own invariants.
@Suite struct MBGNBDTests {
    /// P(X(t) = x) at the published parameters, t from 1 to 78 weeks, x from 0 to 30
    /// (`scripts/mbgnbd_pmf_fixture.py`): against mpmath at 50 digits everywhere (values down to
    /// 1.5e-28; 1e-12 relative: ln Γ of arguments ≤ 31 and a tail sum of ≤ 100 terms), and against
    /// lifetimes' `probability_of_n_purchases_up_to_time` where it is above 1e-6 (1e-9 relative;
    /// below that lifetimes' 1 − Σ cancels: at t = 1, x = 30 it gives 2.1e-19 for 1.5e-28).
    /// Mass and mean are checked in ModelProtocolsTests.
    @Test func probabilityOfPurchasesMatchesMpmathAndLifetimes() throws {
        let fixture = try Fixtures.json("lifetimes/mbgnbd_pmf.json") as! [String: Any]
        let rows = fixture["values"] as! [[String: Any]]
        #expect(rows.count == 24)
        for row in rows {
            let t = row.number("t"), x = Int(row.number("x"))
            let got = Self.published.probabilityOfPurchases(x, within: t)
            #expect(isClose(got, row.number("p_mpmath"), relative: 1e-12), "t = \(t), x = \(x): \(got)")
            if row.number("p") > 1e-6 {
                #expect(isClose(got, row.number("p"), relative: 1e-9), "t = \(t), x = \(x): \(got) vs lifetimes")
            }
        }
    }

    /// The published CDNOW parameters (BTYDplus; lifetimes asserts them to 3 decimals).
    static let published = try! MBGNBD(r: 0.5248, alpha: 6.1830, a: 0.8914, b: 1.6140)

    static func cdnow() throws -> PurchaseHistory {
        try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary())
    }

    /// The fit on the CDNOW calibration summary (weeks): r, α, a, b within 0.1 % of the published
    /// 0.5248, 6.1830, 0.8914, 1.6140 (they are quoted to 4 significant digits) and LL −9582.13
    /// ± 0.01 (quoted to 2 decimals). Tighter, against lifetimes on the same data: parameters
    /// within 1e-6 relative of the Newton-polished optimum (both converge to a gradient far below
    /// that), LL not below lifetimes' own optimum, standard errors within 1e-4 of the polished
    /// ones (same definition J(−H)⁻¹J; analytic Hessian vs autograd's) and within 1 % of
    /// lifetimes' own `standard_errors_` (its Hessian at its slightly less converged optimum).
    @Test func fitOnCDNOWMatchesPublishedAndLifetimes() throws {
        let data = try Self.cdnow().compressed()
        let fit = try Estimator().fit(MBGNBD.self, to: data)
        for (got, want) in zip(fit.model.parameterValues, Self.published.parameterValues) {
            #expect(isClose(got, want, relative: 1e-3), "\(got) vs published \(want)")
        }
        #expect(isClose(fit.logLikelihood, -9582.13, absolute: 0.01), "LL \(fit.logLikelihood)")
        #expect(fit.converged)
        #expect(fit.observationCount == 2357)

        let fixture = try LifetimesFixtures.mbgnbdCDNOW()
        for (k, name) in MBGNBD.parameterNames.enumerated() {
            let polished = fixture.number("newton_polished_mle", "params", name)
            #expect(isClose(fit.model.parameterValues[k], polished, relative: 1e-6), "\(name)")
            #expect(isClose(fit.standardErrors[k], fixture.number("newton_polished_mle", "standard_errors", name), relative: 1e-4),
                    "SE \(name) \(fit.standardErrors[k])")
            #expect(isClose(fit.standardErrors[k], fixture.number("lifetimes", "standard_errors", name), relative: 1e-2),
                    "SE \(name) vs lifetimes")
        }
        #expect(fit.logLikelihood >= fixture.number("lifetimes", "ll_sum") - 1e-7)
        #expect(isClose(fit.logLikelihood, fixture.number("newton_polished_mle", "ll_sum"), absolute: 1e-7))
    }

    /// The summed LL at the published parameters equals lifetimes' on the same summary (1e-10
    /// relative: the same formula summed in a different order).
    @Test func logLikelihoodAtPublishedParametersMatchesLifetimes() throws {
        let ll = MBGNBD.logLikelihood(of: try Self.cdnow()).evaluate(Self.published.parameterValues, order: .value).value
        let fixture = try LifetimesFixtures.mbgnbdCDNOW()
        #expect(isClose(ll, fixture.number("published", "ll_sum_at_published_params"), relative: 1e-10), "LL \(ll)")
        #expect(isClose(ll, -9582.13, absolute: 0.01))
    }

    /// Per-customer P(alive), E[Y(t)] for t = 1, 10, 39, 78 weeks, per-customer LL and new-customer
    /// E[X(t)] at the published parameters against lifetimes (scipy's hyp2f1). 1e-9 relative:
    /// lifetimes forms 1 − (…)·₂F₁ by plain subtraction, which loses up to ~3 digits at t = 1
    /// where the bracket is ~1e-3; a wrong formula (e.g. BG/NBD's b+x−1) is off by percents.
    @Test func predictionsAtPublishedParametersMatchLifetimes() throws {
        let fixture = try LifetimesFixtures.mbgnbdCDNOW()
        let predictions = fixture["predictions_at_published_params"] as! [String: Any]
        let customers = predictions["customers"] as! [[String: Any]]
        #expect(customers.count >= 8)
        for c in customers {
            let x = c.number("frequency"), tx = c.number("recency"), T = c.number("T")
            let m = Self.published
            #expect(isClose(m.probabilityAlive(frequency: x, recency: tx, T: T), c.number("p_alive"), relative: 1e-12), "P(alive) x=\(x)")
            for h in [1.0, 10, 39, 78] {
                let y = try m.expectedPurchases(within: h, frequency: x, recency: tx, T: T)
                #expect(isClose(y, c.number("cet_\(Int(h))"), relative: 1e-9), "E[Y(\(h))] x=\(x) t_x=\(tx) T=\(T): \(y)")
            }
            let one = try PurchaseHistory(frequency: [x], recency: [tx], T: [T])
            let ll = MBGNBD.logLikelihood(of: one).evaluate(m.parameterValues, order: .value).value
            #expect(isClose(ll, c.number("ll"), relative: 1e-12), "LL x=\(x)")
        }
        for point in predictions["expected_number_of_purchases_up_to_time"] as! [[String: Any]] {
            let ex = try Self.published.expectedPurchasesOfNewCustomer(within: point.number("t"))
            #expect(isClose(ex, point.number("expected_purchases"), relative: 1e-9), "E[X(\(point.number("t")))]")
        }
    }

    /// Analytic gradient and Hessian against central differences, at the optimum and away from
    /// it (1e-4 relative, as for BG/NBD: differences with h = 1e-5 carry ~1e-6 relative noise on
    /// components that are 1e-5 of the LL; a wrong formula is off by O(1)).
    @Test(arguments: [[0.5248, 6.183, 0.8914, 1.614], [1.3, 0.7, 2.5, 0.4], [0.05, 30, 0.3, 9], [3, 2, 0.2, 0.2]])
    func derivativesMatchFiniteDifferences(_ theta: [Double]) throws {
        let data = try Self.cdnow().compressed()
        let (g, h) = derivativeDiscrepancy(MBGNBD.logLikelihood(of: data), at: theta)
        #expect(g < 1e-4, "gradient discrepancy \(g)")
        #expect(h < 1e-4, "Hessian discrepancy \(h)")
    }

    /// P(alive) is a probability for ordinary and extreme customers; unlike BG/NBD it is below 1
    /// for customers without repeat purchases (they may have dropped out right after the first),
    /// and it falls as T grows with nothing bought.
    @Test func probabilityAliveStaysInUnitInterval() {
        let m = Self.published
        for x in [0.0, 1, 2, 10, 100, 1000, 100_000] {
            for T in [0.0, 0.5, 39, 1000, 1e7] {
                for fraction in [0.0, 0.3, 1] {
                    let tx = x == 0 ? 0 : T * fraction
                    let p = m.probabilityAlive(frequency: x, recency: tx, T: T)
                    #expect(p >= 0 && p <= 1 && p.isFinite, "x=\(x) t_x=\(tx) T=\(T): \(p)")
                }
            }
        }
        // x = 0, T = 0: 1/(1 + a/b) = b/(a+b), the prior chance of surviving the first drop-out.
        #expect(isClose(m.probabilityAlive(frequency: 0, recency: 0, T: 0), m.b / (m.a + m.b), relative: 1e-14))
        #expect(m.probabilityAlive(frequency: 0, recency: 0, T: 50) < m.probabilityAlive(frequency: 0, recency: 0, T: 10))
        #expect(m.probabilityAlive(frequency: 1000, recency: 10, T: 100) < 1e-300)
    }

    /// E[Y(t)] and the new customer's E[X(t)] are finite and increase with the horizon.
    @Test func expectationsIncreaseWithHorizon() throws {
        let m = Self.published
        for (x, tx, T) in [(0.0, 0.0, 38.86), (2, 30.43, 38.86), (50, 38, 39), (300, 100, 100)] {
            var previous = 0.0
            for t in [0.5, 1, 10, 39, 100, 520] {
                let y = try m.expectedPurchases(within: t, frequency: x, recency: tx, T: T)
                #expect(y.isFinite && y > previous, "x=\(x) t=\(t): \(y)")
                previous = y
            }
        }
        var previous = 0.0
        for t in [0.01, 0.5, 1, 10, 39, 78, 520, 5200] {
            let y = try m.expectedPurchasesOfNewCustomer(within: t)
            #expect(y.isFinite && y > previous, "t=\(t): \(y)")
            previous = y
        }
        #expect(try m.expectedPurchasesOfNewCustomer(within: 0) == 0)
    }

    /// a = 1 is a removable singularity of the closed forms: evaluated, between the values at
    /// a = 1 ∓ 10⁻³ (the expectations decrease in a). Invalid parameters are errors.
    @Test func removableSingularityIsEvaluatedInvalidParametersAreErrors() throws {
        let aOne = try MBGNBD(r: 0.5, alpha: 4, a: 1, b: 2)
        let below = try MBGNBD(r: 0.5, alpha: 4, a: 0.999, b: 2), above = try MBGNBD(r: 0.5, alpha: 4, a: 1.001, b: 2)
        let n = try aOne.expectedPurchasesOfNewCustomer(within: 10)
        #expect(try above.expectedPurchasesOfNewCustomer(within: 10) < n && n < (try below.expectedPurchasesOfNewCustomer(within: 10)))
        let y = try aOne.expectedPurchases(within: 10, frequency: 1, recency: 2, T: 5)
        #expect(try above.expectedPurchases(within: 10, frequency: 1, recency: 2, T: 5) < y
                && y < (try below.expectedPurchases(within: 10, frequency: 1, recency: 2, T: 5)))
        #expect(throws: ModelError.self) { try MBGNBD(r: -1, alpha: 4, a: 1, b: 2) }
        #expect(throws: ModelError.self) { try MBGNBD(parameterValues: [1, .nan, 1, 1]) }
        #expect(throws: ModelError.self) { try MBGNBD(parameterValues: [1, 1, 1]) }
    }

    /// A compressed (weighted) history gives the same LL, gradient and Hessian as the expanded one,
    /// and the summed LL is the sum of per-customer LLs (1e-11 / 1e-10 relative: summation order).
    @Test func weightedEqualsExpanded() throws {
        let data = try Self.cdnow()
        let compressed = data.compressed()
        #expect(compressed.count < data.count)
        let theta = [0.4, 5, 0.7, 2]
        let full = MBGNBD.logLikelihood(of: data).evaluate(theta, order: .hessian)
        let weighted = MBGNBD.logLikelihood(of: compressed).evaluate(theta, order: .hessian)
        #expect(isClose(full.value, weighted.value, relative: 1e-11))
        for (u, v) in zip(full.gradient, weighted.gradient) { #expect(isClose(u, v, relative: 1e-10)) }
        for (u, v) in zip(full.hessian!.storage, weighted.hessian!.storage) { #expect(isClose(u, v, relative: 1e-10)) }
        var parts = 0.0
        for i in 0..<100 {
            let one = try PurchaseHistory(frequency: [data.frequency[i]], recency: [data.recency[i]], T: [data.T[i]])
            parts += MBGNBD.logLikelihood(of: one).evaluate(theta, order: .value).value
        }
        let first = try PurchaseHistory(frequency: Array(data.frequency[0..<100]), recency: Array(data.recency[0..<100]), T: Array(data.T[0..<100]))
        #expect(isClose(MBGNBD.logLikelihood(of: first).evaluate(theta, order: .value).value, parts, relative: 1e-12))
    }

    /// The estimator's weighted and expanded fits agree (1e-6 relative: both converge to
    /// |g| ≤ 1e-8·n in ln θ).
    @Test func weightedFitEqualsExpandedFit() throws {
        let data = try Self.cdnow()
        let expanded = try Estimator().fit(MBGNBD.self, to: data)
        let weighted = try Estimator().fit(MBGNBD.self, to: data.compressed())
        for (u, v) in zip(expanded.model.parameterValues, weighted.model.parameterValues) { #expect(isClose(u, v, relative: 1e-6)) }
        #expect(isClose(expanded.logLikelihood, weighted.logLikelihood, relative: 1e-11))
    }

    /// 20,000 simulated customers (seed 11) from the CDNOW-like parameters: every estimate within
    /// 4 standard errors of the truth (a false alarm has probability ~6e-5 per parameter).
    @Test func recoversSimulatedParameters() throws {
        let truth = [0.52, 6.2, 0.89, 1.6]
        let table = Simulate.mbgnbd(customers: 20_000, r: truth[0], alpha: truth[1], a: truth[2], b: truth[3], seed: 11)
        let fit = try Estimator().fit(MBGNBD.self, to: PurchaseHistory(table))
        for (k, want) in truth.enumerated() {
            let got = fit.model.parameterValues[k], se = fit.standardErrors[k]
            #expect(abs(got - want) < 4 * se, "\(MBGNBD.parameterNames[k]) = \(got) ± \(se), truth \(want)")
        }
    }
}
