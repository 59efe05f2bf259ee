import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// BG/NBD against the paper (Fader, Hardie & Lee 2005), lifetimes 0.11.3 and its own invariants.
@Suite struct BGNBDTests {
    /// The parameters published in FHL 2005 (Table/§5): r = 0.243, α = 4.414, a = 0.793, b = 2.426.
    static let published = try! BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)

    static func fixedParameterFixture() throws -> [String: Any] {
        try Fixtures.json("lifetimes/cdnow_predictions_fixed_params.json") as! [String: Any]
    }

    /// The summed LL at the published parameters equals lifetimes' value on the same summary
    /// (1e-10 relative: the same formula summed in a different order).
    @Test func logLikelihoodAtPublishedParametersMatchesLifetimes() throws {
        let data = try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary())
        let ll = BGNBD.logLikelihood(of: data).evaluate(Self.published.parameterValues, order: .value).value
        let reference = try Self.fixedParameterFixture().number("cdnow_calibration_ll_sum")
        #expect(isClose(ll, reference, relative: 1e-10), "LL \(ll) vs lifetimes \(reference)")
        #expect(isClose(ll, -9582.4, absolute: 0.05))  // the paper's −9582.4, to its one decimal
    }

    /// Per-customer P(alive), E[Y(39)] and LL at the published parameters against lifetimes
    /// (1e-9 relative; lifetimes' values were cross-checked with mpmath at 50 digits to 2e-13).
    @Test func predictionsAtPublishedParametersMatchLifetimes() throws {
        let fixture = try Self.fixedParameterFixture()
        let customers = fixture["customers"] as! [[String: Any]]
        #expect(customers.count >= 5)
        for c in customers {
            let x = c.number("frequency"), tx = c.number("recency"), T = c.number("T")
            let pAlive = Self.published.probabilityAlive(frequency: x, recency: tx, T: T)
            #expect(isClose(pAlive, c.number("p_alive"), relative: 1e-9, floor: 1e-300), "P(alive) x=\(x)")
            if let cet = c["cet_39"] as? NSNumber {
                let y = try Self.published.expectedPurchases(within: 39, frequency: x, recency: tx, T: T)
                #expect(isClose(y, cet.doubleValue, relative: 1e-9, floor: 1e-300), "E[Y(39)] x=\(x) t_x=\(tx) T=\(T)")
            }
            let single = try PurchaseHistory(frequency: [x], recency: [tx], T: [T])
            let ll = BGNBD.logLikelihood(of: single).evaluate(Self.published.parameterValues, order: .value).value
            #expect(isClose(ll, c.number("ll"), relative: 1e-10), "LL x=\(x)")
        }
        for point in fixture["expected_number_of_purchases_up_to_time"] as! [[String: Any]] {
            let ex = try Self.published.expectedPurchasesOfNewCustomer(within: point.number("t"))
            #expect(isClose(ex, point.number("expected_purchases"), relative: 1e-9))
        }
    }

    /// DESIGN.md §2 check values for customer (x = 2, t_x = 30.43, T = 38.86): P(alive) = 0.72661,
    /// E[Y(39)] = 1.22591 at lifetimes' fitted CDNOW parameters (5-digit published values: ±1e-5).
    @Test func hardieSpreadsheetCheckValues() throws {
        let fit = try LifetimesFixtures.cdnowFit()
        let m = try BGNBD(r: fit.number("bgnbd", "params", "r"), alpha: fit.number("bgnbd", "params", "alpha"),
                          a: fit.number("bgnbd", "params", "a"), b: fit.number("bgnbd", "params", "b"))
        #expect(isClose(m.probabilityAlive(frequency: 2, recency: 30.43, T: 38.86), 0.72661, absolute: 1e-5))
        #expect(isClose(try m.expectedPurchases(within: 39, frequency: 2, recency: 30.43, T: 38.86), 1.22591, absolute: 1e-5))
        // DESIGN.md's 1.85797 is quoted to 5 decimals at slightly different parameters: ±5e-5.
        #expect(isClose(try m.expectedPurchasesOfNewCustomer(within: 78), 1.85797, absolute: 5e-5))
        // lifetimes' E[X(t)] at its fitted parameters (the unconditional-expectation test of PEERS.md).
        for point in fit["expected_number_of_purchases_up_to_time"] as! [[String: Any]] {
            #expect(isClose(try m.expectedPurchasesOfNewCustomer(within: point.number("t")), point.number("expected_purchases"), relative: 1e-9))
        }
    }

    /// Hardie's note 027 "#NUM!" customers at (r, α, a, b) = (0.25, 4, 0.8, 2.5), T = 40:
    /// ln L = −0.59947382 for (0, 0) and 100.7957 for (200, 38) (PyMC-Marketing's test, 5 decimals).
    @Test func numericallyStableLikelihoodForExtremeCustomers() throws {
        let data = try PurchaseHistory(frequency: [0, 200], recency: [0, 38], T: [40, 40])
        let ll = BetaGeometricNBDLikelihood(data, dropsOutAtFirstPurchase: false)
        let zero = try PurchaseHistory(frequency: [0], recency: [0], T: [40])
        #expect(isClose(BGNBD.logLikelihood(of: zero).evaluate([0.25, 4, 0.8, 2.5], order: .value).value, -0.59947382, absolute: 1e-7))
        #expect(isClose(ll.evaluate([0.25, 4, 0.8, 2.5], order: .value).value, -0.59947382 + 100.7957, absolute: 1e-4))
    }

    /// Analytic gradient and Hessian against central differences, at the optimum and away from
    /// it (1e-4 relative: central differences with h = 1e-5 carry ~1e-6 relative noise on components
    /// that are 1e-5 of the LL; a wrong formula is off by O(1)).
    @Test(arguments: [[0.243, 4.414, 0.793, 2.426], [1.3, 0.7, 2.5, 0.4], [0.05, 30, 0.3, 9]])
    func derivativesMatchFiniteDifferences(_ theta: [Double]) throws {
        let data = try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary()).compressed()
        let (g, h) = derivativeDiscrepancy(BGNBD.logLikelihood(of: data), at: theta)
        #expect(g < 1e-4, "gradient discrepancy \(g)")
        #expect(h < 1e-4, "Hessian discrepancy \(h)")
    }

    @Test func probabilityAliveStaysInUnitIntervalAndFinite() {
        for x in [0.0, 1, 2, 10, 100, 1000, 100_000] {
            for T in [0.0, 0.5, 39, 1000, 1e7] {
                for fraction in [0.0, 0.3, 1] {
                    let tx = x == 0 ? 0 : T * fraction
                    let p = Self.published.probabilityAlive(frequency: x, recency: tx, T: T)
                    #expect(p >= 0 && p <= 1 && p.isFinite, "x=\(x) t_x=\(tx) T=\(T): \(p)")
                }
            }
        }
        #expect(Self.published.probabilityAlive(frequency: 0, recency: 0, T: 50) == 1)
        // lifetimes: P(alive)(x=1000, t_x=10, T=100) must be 0 without overflow warnings.
        #expect(Self.published.probabilityAlive(frequency: 1000, recency: 10, T: 100) < 1e-300)
    }

    @Test func expectedPurchasesIncreaseWithHorizonAndStayFinite() throws {
        for (x, tx, T) in [(0.0, 0.0, 38.86), (2, 30.43, 38.86), (50, 38, 39), (300, 100, 100)] {
            var previous = 0.0
            for t in [0.5, 1, 10, 39, 100, 520] {
                let y = try Self.published.expectedPurchases(within: t, frequency: x, recency: tx, T: T)
                #expect(y.isFinite && y >= previous, "x=\(x) t=\(t): \(y)")
                previous = y
            }
        }
    }

    /// a = 1 and a + b + x − 1 ≤ 0 are removable singularities of FHL 2005 eqs. 9–10 (E[(1 − e^(−λpt))/p]
    /// is finite for every a, b > 0): evaluated, between the values on either side (the expectation
    /// decreases in a), not refused. Invalid parameters are still errors.
    @Test func removableSingularitiesAreEvaluatedInvalidParametersAreErrors() throws {
        let below = try BGNBD(r: 0.5, alpha: 4, a: 0.999, b: 2), above = try BGNBD(r: 0.5, alpha: 4, a: 1.001, b: 2)
        let aOne = try BGNBD(r: 0.5, alpha: 4, a: 1, b: 2)
        let y = try aOne.expectedPurchasesOfNewCustomer(within: 10)
        #expect(try above.expectedPurchasesOfNewCustomer(within: 10) < y && y < (try below.expectedPurchasesOfNewCustomer(within: 10)))
        let pole = try BGNBD(r: 0.5, alpha: 4, a: 0.3, b: 0.5)  // a + b − 1 < 0 at x = 0
        let e = try pole.expectedPurchases(within: 10, frequency: 0, recency: 0, T: 5)
        #expect(e.isFinite && e > 0 && e < 0.5 * 10 / 9)  // below the no-dropout r·t/(α+T)
        #expect(throws: ModelError.self) { try BGNBD(r: -1, alpha: 4, a: 1, b: 2) }
        #expect(throws: ModelError.self) { try BGNBD(parameterValues: [1, .nan, 1, 1]) }
    }

    /// The summed LL is the sum of the per-customer LLs, and a compressed (weighted) history
    /// gives the same LL and derivatives as the expanded one (1e-11 relative: summation order).
    @Test func weightedEqualsExpandedAndSumOfParts() throws {
        let data = try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary())
        let compressed = data.compressed()
        #expect(compressed.count < data.count)
        #expect(compressed.customerCount == data.customerCount)
        let theta = [0.3, 5, 0.7, 2]
        let full = BGNBD.logLikelihood(of: data).evaluate(theta, order: .hessian)
        let weighted = BGNBD.logLikelihood(of: compressed).evaluate(theta, order: .hessian)
        #expect(isClose(full.value, weighted.value, relative: 1e-11))
        for (u, v) in zip(full.gradient, weighted.gradient) { #expect(isClose(u, v, relative: 1e-10)) }
        var parts = 0.0
        for i in 0..<200 {
            let one = try PurchaseHistory(frequency: [data.frequency[i]], recency: [data.recency[i]], T: [data.T[i]])
            parts += BGNBD.logLikelihood(of: one).evaluate(theta, order: .value).value
        }
        let first200 = try PurchaseHistory(frequency: Array(data.frequency[0..<200]), recency: Array(data.recency[0..<200]), T: Array(data.T[0..<200]))
        #expect(isClose(BGNBD.logLikelihood(of: first200).evaluate(theta, order: .value).value, parts, relative: 1e-12))
    }

    /// P(X(t) = k) at the published parameters against the BTYD documentation values that
    /// lifetimes asserts (PEERS.md §2): P(X(2)=10) = 1.07869e-07, P(X(39)=0) = 0.5737864 and
    /// P(X(30)=11…20). Tolerances: 1e-4 relative for the 6-digit value; 1e-6 absolute for the
    /// 7–10-digit ones (BTYD printed them rounded).
    @Test func probabilityOfPurchasesMatchesBTYD() {
        let m = Self.published
        #expect(isClose(m.probabilityOfPurchases(10, within: 2), 1.07869e-07, relative: 1e-4))
        #expect(isClose(m.probabilityOfPurchases(0, within: 39), 0.5737864, absolute: 1e-6))
        let expected = [0.0019995214, 0.0015170236, 0.0011633150, 0.0009003148, 0.0007023638,
                        0.0005517902, 0.0004361913, 0.0003467171, 0.0002769613, 0.0002222260]
        for (offset, value) in expected.enumerated() {
            #expect(isClose(m.probabilityOfPurchases(11 + offset, within: 30), value, absolute: 1e-9), "k = \(11 + offset)")
        }
    }

    /// The distribution sums to 1 and its mean is E[X(t)] (1e-8: the tail beyond k = 2000 is
    /// negligible at t = 39 and the sum has ~2000 terms).
    @Test func probabilityOfPurchasesIsADistributionWithTheRightMean() throws {
        let m = Self.published
        var total = 0.0, mean = 0.0
        for k in 0...2000 {
            let p = m.probabilityOfPurchases(k, within: 39)
            #expect(p >= 0 && p <= 1)
            total += p
            mean += Double(k) * p
        }
        #expect(isClose(total, 1, absolute: 1e-8))
        #expect(isClose(mean, try m.expectedPurchasesOfNewCustomer(within: 39), relative: 1e-8))
    }
}
