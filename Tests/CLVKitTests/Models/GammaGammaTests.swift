import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// Gamma-Gamma against Fader & Hardie (2013) note 025, lifetimes 0.11.3 and its invariants.
@Suite struct GammaGammaTests {
    static func repeatCustomers() throws -> SpendHistory {
        try SpendHistory(LifetimesFixtures.cdnowCalibrationSummary())
    }

    @Test func repeatCustomersOfCDNOW() throws {
        let data = try Self.repeatCustomers()
        #expect(data.count == 946)  // FHL 2005b: 946 repeat customers in the calibration period
    }

    /// LL at lifetimes' estimate equals lifetimes' summed LL (1e-10 relative).
    @Test func logLikelihoodMatchesLifetimes() throws {
        let fit = try LifetimesFixtures.cdnowFit()
        let theta = [fit.number("gamma_gamma", "params", "p"), fit.number("gamma_gamma", "params", "q"), fit.number("gamma_gamma", "params", "v")]
        let ll = GammaGamma.logLikelihood(of: try Self.repeatCustomers()).evaluate(theta, order: .value).value
        #expect(isClose(ll, fit.number("gamma_gamma", "ll_sum"), relative: 1e-10))
    }

    /// Expected average spend per customer against lifetimes' conditional_expected_average_profit
    /// (1e-12 relative: closed form).
    @Test func expectedSpendMatchesLifetimes() throws {
        let fit = try LifetimesFixtures.cdnowFit()
        let m = try GammaGamma(p: fit.number("gamma_gamma", "params", "p"), q: fit.number("gamma_gamma", "params", "q"),
                               gamma: fit.number("gamma_gamma", "params", "v"))
        for c in fit["first_customers"] as! [[String: Any]] {
            let e = try m.expectedSpend(frequency: c.number("frequency"), monetaryValue: c.number("monetary_value"))
            #expect(isClose(e, c.number("gg_expected_average_profit"), relative: 1e-12))
        }
        #expect(isClose(try m.populationMeanSpend(), fit.number("gamma_gamma", "population_mean_spend"), relative: 1e-12))
    }

    @Test(arguments: [[6.25, 3.74, 15.44], [1, 1.5, 3], [20, 8, 60]])
    func derivativesMatchFiniteDifferences(_ theta: [Double]) throws {
        let (g, h) = derivativeDiscrepancy(GammaGamma.logLikelihood(of: try Self.repeatCustomers()), at: theta)
        #expect(g < 1e-4, "gradient discrepancy \(g)")
        #expect(h < 1e-4, "Hessian discrepancy \(h)")
    }

    @Test func spendIsUndefinedForQAtMostOne() throws {
        let heavy = try GammaGamma(p: 2, q: 0.9, gamma: 10)
        #expect(throws: ModelError.self) { try heavy.expectedSpend(frequency: 2, monetaryValue: 30) }
    }

    @Test func weightedEqualsExpanded() throws {
        let data = try SpendHistory(frequency: [1, 2, 2, 5], monetaryValue: [10, 20, 35.5, 12], weight: [3, 1, 2, 4])
        let theta = [4.0, 3, 12]
        let w = GammaGamma.logLikelihood(of: data).evaluate(theta, order: .gradient)
        let e = GammaGamma.logLikelihood(of: try data.expanded()).evaluate(theta, order: .gradient)
        #expect(isClose(w.value, e.value, relative: 1e-13))
        for (u, v) in zip(w.gradient, e.gradient) { #expect(isClose(u, v, relative: 1e-12)) }
    }
}
