import Foundation
import Testing
@testable import CLVKit
import CLVTestSupport

/// The calibration frequency histogram (FHL 2005, Figure 2), through `PurchaseCountDistribution`.
@Suite struct FrequencyHistogramTests {
    /// BG/NBD at the published parameters on CDNOW against lifetimes 0.11.3's exact
    /// Σᵢ P(X(Tᵢ) = k) (`scripts/frequency_histogram_fixture.py`): 1406.50, 460.81, 192.71, …
    /// against the actual 1411, 439, 214, 100, 62, 38, 29, 64. Tolerance 1e-9 relative: the same
    /// eq. 8 summed in another order. The expected counts sum to the 2,357 customers (1e-9).
    @Test func bgnbdOnCDNOWMatchesLifetimes() throws {
        let fixture = try Fixtures.json("lifetimes/bgnbd_cdnow_frequency_histogram.json") as! [String: Any]
        let model = try BGNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        let data = try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary())
        let h = try #require(try FrequencyHistogram.compute(model: model, history: data))
        let expected = (fixture["expected"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
        let actual = (fixture["actual"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
        #expect(h.model == "BG/NBD")
        #expect(h.actual == actual)
        #expect(h.expected.count == 8)
        for (k, (got, want)) in zip(h.expected, expected).enumerated() {
            #expect(isClose(got, want, relative: 1e-9), "k = \(k): \(got) vs lifetimes \(want)")
        }
        #expect(isClose(h.expected.reduce(0, +), 2357, relative: 1e-9))
    }

    /// Any model with a PMF works without being named, and weights count as customers: a
    /// compressed history gives the same histogram as the expanded one (1e-12 relative). A model
    /// without P(X(t) = k) gives nil rather than a made-up histogram.
    @Test func worksForAnyDistributionAndNotOtherwise() throws {
        let data = try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary())
        let pareto: any PurchaseModel = try ParetoNBD(r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669)
        let full = try #require(try FrequencyHistogram.compute(model: pareto, history: data, maxCount: 4))
        let compressed = try #require(try FrequencyHistogram.compute(model: pareto, history: data.compressed(), maxCount: 4))
        #expect(full.actual == compressed.actual)
        for (a, b) in zip(full.expected, compressed.expected) { #expect(isClose(a, b, relative: 1e-12)) }
        #expect(isClose(full.expected.reduce(0, +), 2357, relative: 1e-9))
        #expect(full.actual == [1411, 439, 214, 100, 193])
        // The Pareto/NBD fits CDNOW's zero bucket within a few percent (FHL 2005 report both
        // models track the histogram closely).
        #expect(abs(full.expected[0] - 1411) / 1411 < 0.03, "\(full.expected)")
        let mbg: any PurchaseModel = try MBGNBD(r: 0.5248, alpha: 6.1830, a: 0.8914, b: 1.6140)
        let m = try #require(try FrequencyHistogram.compute(model: mbg, history: data))
        #expect(isClose(m.expected.reduce(0, +), 2357, relative: 1e-9))
        let plain: any PurchaseModel = try NoCountDistribution(parameterValues: [0.243, 4.414, 0.793, 2.426])
        #expect(try FrequencyHistogram.compute(model: plain, history: data) == nil)
    }

    /// Per-customer models (covariates): at coefficients 0 the histogram is the one-model one;
    /// with coefficients each bucket is Σᵢ P_i(X(Tᵢ) = k) under customer i's own parameters.
    @Test func perCustomerHistogramSumsEachCustomersProbabilities() throws {
        let data = try PurchaseHistory(LifetimesFixtures.cdnowCalibrationSummary())
        let base = try ParetoNBD(r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669)
        let n = data.count
        let x = (0..<n).map { Double($0 % 3) }
        let design = CovariateDesign(purchase: CovariateColumns(names: ["x"], columns: [x]), dropout: CovariateColumns(names: ["x"], columns: [x]))
        func histogram(_ gamma: [Double]) throws -> FrequencyHistogram? {
            let model = CovariatePurchaseModelOf(base: base, purchaseCovariates: ["x"], dropoutCovariates: ["x"], coefficients: gamma)
            return try FrequencyHistogram.compute(models: CustomerModels(shared: base, covariates: (model, design)), history: data, maxCount: 4)
        }
        let plain = try #require(try FrequencyHistogram.compute(model: base, history: data, maxCount: 4))
        let zero = try #require(try histogram([0, 0]))
        #expect(zero.actual == plain.actual)
        for k in 0...4 { #expect(isClose(zero.expected[k], plain.expected[k], relative: 1e-10)) }
        let shifted = try #require(try histogram([0.4, -0.3]))
        let model = CovariatePurchaseModelOf(base: base, purchaseCovariates: ["x"], dropoutCovariates: ["x"], coefficients: [0.4, -0.3])
        var expected0 = 0.0
        for i in 0..<n { expected0 += try model.customerModel(purchase: [x[i]], dropout: [x[i]]).probabilityOfPurchases(0, within: data.T[i]) }
        #expect(isClose(shifted.expected[0], expected0, relative: 1e-10))
        #expect(isClose(shifted.expected.reduce(0, +), Double(n), relative: 1e-12))
        #expect(abs(shifted.expected[0] - plain.expected[0]) > 1)
    }
}
