import Foundation
import Testing
@testable import CLVKit
import CLVNumerics
import CLVTestSupport

/// The log-scale delta method behind `score --interval`.
@Suite struct DeltaMethodTests {
    /// For g = θ₀² θ₁ / θ₂, ln g is linear in ln θ with gradient (2, 1, −1), so finite
    /// differences are exact up to rounding and Var[ln g] = ∇ᵀ Σ ∇ must match the hand-computed
    /// value: 1e-8 relative (rounding of ln g ≈ 1e-16 divided by the step 1e-5 gives ~1e-11 on
    /// each gradient entry; 1e-8 leaves room and still fails for any wrong sign or index).
    @Test func exactForLogLinearFunctions() throws {
        let sigma = Matrix([[0.04, 0.01, -0.005], [0.01, 0.09, 0.002], [-0.005, 0.002, 0.0025]])
        let method = LogScaleDeltaMethod(estimates: [2, 3, 0.5], logCovariance: sigma)
        // ∇ᵀΣ∇ with ∇ = (2, 1, −1): 4·0.04 + 0.09 + 0.0025 + 2·(2·0.01 − 2·(−0.005) − 1·0.002) = 0.3085
        let expected = 0.3085
        let values = method.perturbedParameters.map { Foundation.log($0[0] * $0[0] * $0[1] / $0[2]) }
        #expect(isClose(try #require(method.logVariance(logCenter: Foundation.log(24), perturbedLogValues: values)), expected, relative: 1e-8))
        let interval = try #require(method.interval(level: 0.9) { $0[0] * $0[0] * $0[1] / $0[2] })
        let z90 = 1.6448536269514715   // Φ⁻¹(0.95), Python statistics.NormalDist
        #expect(isClose(interval.lowerBound, 24 * Foundation.exp(-z90 * expected.squareRoot()), relative: 1e-8))
        #expect(isClose(interval.upperBound, 24 * Foundation.exp(z90 * expected.squareRoot()), relative: 1e-8))
    }

    /// A function that is 0 or ∞ near the estimates gets no interval (nil), never NaN.
    @Test func noIntervalWhereTheLogIsUndefined() {
        let method = LogScaleDeltaMethod(estimates: [1, 1], logCovariance: Matrix.identity(2))
        #expect(method.interval(level: 0.9) { $0[0] > 1 ? 1 : 0 } == nil)
        #expect(method.interval(level: 0.9) { _ in .infinity } == nil)
    }

    /// Coverage on simulated data: the true value must fall inside the 90 % interval about 90 %
    /// of the time across independent fits.
    ///
    /// 400 BG/NBD + Gamma-Gamma customer bases of 500 customers each (r = 0.5, α = 5, a = 0.8,
    /// b = 2.5; p = 6, q = 4, γ = 15; T uniform on 30–50 weeks; seeds 1000…1399), each fitted
    /// with `Training.train`. Three quantities, each with the truth computed at the true
    /// parameters: a new customer's E[X(39)] (`LogScaleDeltaMethod.interval`), and for a fixed
    /// customer (x = 2, t_x = 20, T = 40, m̄ = 30) E[Y] over 12 months and the 12-month CLV
    /// (`IntervalScorer`, purchase and spend uncertainty combined).
    ///
    /// Tolerance: with 400 replications the observed coverage of a correct 90 % interval has
    /// binomial sd √(0.9·0.1/400) = 0.015; each coverage must be within 3 sd (0.045) of 0.9.
    /// Seeds are fixed, so the result is the same on every run. Fits that fail (or give no
    /// interval) are counted and must be ≤ 2 %; coverage is over the others. Small data sets (500 customers) are where the
    /// linearisation is most strained, so passing here is the meaningful check; the whole test
    /// takes a few seconds in a debug build.
    @Test func intervalsCoverTheTruthOnSimulatedData() throws {
        let truthPurchase = try BGNBD(r: 0.5, alpha: 5, a: 0.8, b: 2.5)
        let truthSpend = try GammaGamma(p: 6, q: 4, gamma: 15)
        let options = try ScoringOptions(periods: 12, unit: .month, modelUnit: .week, discountRate: 0.01)
        let customer = (x: 2.0, tx: 20.0, T: 40.0, m: 30.0)
        let truthNew = try truthPurchase.expectedPurchasesOfNewCustomer(within: 39)
        let truthScore = try Scorer(purchaseModel: truthPurchase, spendModel: truthSpend, options: options)
            .score(id: "fixed", frequency: customer.x, recency: customer.tx, T: customer.T, monetaryValue: customer.m)
        let truthCLV = try #require(truthScore.clv)

        let replications = 400
        var covered = [0, 0, 0], failures = 0
        for rep in 0..<replications {
            let table = Simulate.bgnbd(customers: 500, r: 0.5, alpha: 5, a: 0.8, b: 2.5, observation: 30...50,
                                       spend: (p: 6, q: 4, gamma: 15), seed: UInt64(1000 + rep))
            // A fit may fail, or land where a + b ≤ 1 and a new customer's E[X(t)] is undefined
            // (its ₂F₁ has c = a + b − 1 ≤ 0): counted as failures.
            guard let file = try? Training.train(table, source: "simulated").modelFile,
                  let newCustomer = try? LogScaleDeltaMethod(file.purchaseModel).interval(level: 0.9, of: {
                      try BGNBD(parameterValues: $0).expectedPurchasesOfNewCustomer(within: 39)
                  }) else { failures += 1; continue }
            if newCustomer.contains(truthNew) { covered[0] += 1 }
            let fixed = try IntervalScorer(modelFile: file, options: options, level: 0.9)
                .interval(frequency: customer.x, recency: customer.tx, T: customer.T, monetaryValue: customer.m)
            if fixed.expectedPurchases.contains(truthScore.expectedPurchases) { covered[1] += 1 }
            if try #require(fixed.clv).contains(truthCLV) { covered[2] += 1 }
        }
        #expect(failures <= replications / 50, "\(failures) of \(replications) fits failed")
        let fitted = Double(replications - failures), tolerance = 3 * (0.9 * 0.1 / fitted).squareRoot()
        for (name, count) in zip(["new customer's E[X(39)]", "fixed customer's E[Y(12 months)]", "fixed customer's CLV"], covered) {
            let coverage = Double(count) / fitted
            #expect(abs(coverage - 0.9) <= tolerance, "\(name): 90 % interval covered the truth in \(count) of \(Int(fitted)) fits (\(coverage))")
        }
    }
}
