import Foundation
import Testing
@testable import CLVKit
import CLVNumerics
import CLVTestSupport

/// Per-customer intervals (`IntervalScorer`) on the CDNOW golden model.
@Suite struct ScoreIntervalsTests {
    static func golden() throws -> ModelFile {
        try ModelFile.load(path: Fixtures.repositoryRoot.appendingPathComponent("models/cdnow-bgnbd-gg.json").path)
    }
    static let options = try! ScoringOptions(periods: 12, unit: .month, modelUnit: .week, discountRate: 0.01)
    /// CDNOW customer 1 (DESIGN.md §2 check values).
    static let customer = (x: 2.0, tx: 30.428571428571427, T: 38.857142857142854, m: 22.345)

    /// The delta-method interval agrees with brute-force propagation: 4000 draws of ln θ from
    /// N(ln θ̂, Σ) (Cholesky factor from LAPACK, SplitMix64 seed 5), E[Y(12 months)] and the
    /// discounted purchases at each draw, their 5 % and 95 % quantiles. Tolerance 2 % relative:
    /// the Monte Carlo sd of a 5 % quantile of 4000 draws is √(0.05·0.95/4000)/φ(1.645) ≈ 0.033
    /// sd-units, i.e. 0.033 × (log sd ≈ 0.04) ≈ 0.15 % here; the remaining difference is the
    /// delta method's linearisation, second order in that sd (≈ 0.2 %).
    @Test func agreesWithDrawsFromTheAsymptoticNormal() throws {
        let file = try Self.golden()
        let intervals = try IntervalScorer(modelFile: file, options: Self.options, level: 0.9)
        let c = Self.customer
        let delta = try intervals.interval(frequency: c.x, recency: c.tx, T: c.T, monetaryValue: c.m)

        let sigma = file.purchaseModel.logParameterCovariance
        let factor = try LAPACK.cholesky(sigma)
        let center = file.purchaseModel.parameterValues.map { Foundation.log($0) }
        var rng = SplitMix64(seed: 5)
        var draws: [Double] = []
        for _ in 0..<4000 {
            let z = (0..<4).map { _ in rng.normal() }
            let u = zip(center, factor * z).map { $0 + $1 }
            let model = try BGNBD(parameterValues: u.map { Foundation.exp($0) })
            draws.append(try Scorer.horizonPurchases(model, options: Self.options, frequency: c.x, recency: c.tx, T: c.T).cumulative)
        }
        draws.sort()
        let low = draws[199], high = draws[3799]   // the 5 % and 95 % order statistics
        #expect(isClose(delta.expectedPurchases.lowerBound, low, relative: 0.02), "delta \(delta.expectedPurchases), draws \(low)…\(high)")
        #expect(isClose(delta.expectedPurchases.upperBound, high, relative: 0.02), "delta \(delta.expectedPurchases), draws \(low)…\(high)")
    }

    /// Every interval contains the point prediction; 95 % intervals contain 90 % ones; the CLV
    /// interval is wider than the one from the purchase model's uncertainty alone (spend
    /// covariance set to 0), as the two variances add; `intervals(table)` (chunked) equals the
    /// one-customer call row by row.
    @Test func intervalsAreConsistentWithThePointScores() throws {
        let file = try Self.golden()
        let table = Simulate.bgnbd(customers: 300, r: 0.24, alpha: 4.4, a: 0.79, b: 2.4, observation: 30...39,
                                   spend: (p: 6, q: 3.7, gamma: 15), seed: 9)
        let i90 = try IntervalScorer(modelFile: file, options: Self.options, level: 0.9)
        let i95 = try IntervalScorer(modelFile: file, options: Self.options, level: 0.95)
        var certainSpend = file
        certainSpend.spendModel!.covariance = Array(repeating: [0, 0, 0], count: 3)
        let purchaseOnly = try IntervalScorer(modelFile: certainSpend, options: Self.options, level: 0.9).intervals(table)
        let scores = try i90.scorer.score(table)
        let all90 = try i90.intervals(table), all95 = try i95.intervals(table)
        for k in 0..<table.count {
            let s = scores[k], a = all90[k], b = all95[k]
            let clv = try #require(s.clv), clv90 = try #require(a.clv), clv95 = try #require(b.clv)
            #expect(a.expectedPurchases.contains(s.expectedPurchases) && clv90.contains(clv), "customer \(k)")
            #expect(b.expectedPurchases.lowerBound < a.expectedPurchases.lowerBound && b.expectedPurchases.upperBound > a.expectedPurchases.upperBound)
            #expect(clv95.lowerBound < clv90.lowerBound && clv95.upperBound > clv90.upperBound)
            let narrower = try #require(purchaseOnly[k].clv)
            #expect(clv90.lowerBound < narrower.lowerBound && clv90.upperBound > narrower.upperBound && narrower.contains(clv))
            let one = try i90.interval(frequency: table.frequency[k], recency: table.recency[k], T: table.T[k], monetaryValue: table.monetaryValue![k])
            #expect(one == a)
        }
    }

    /// A negative margin flips the CLV interval's ends; a zero margin gives [0, 0]; without a
    /// spend model there is no CLV interval; a level outside (0, 1) is refused.
    @Test func marginsSpendlessModelsAndLevels() throws {
        var file = try Self.golden()
        let c = Self.customer
        var negative = Self.options
        negative.margin = -0.5
        let flipped = try IntervalScorer(modelFile: file, options: negative, level: 0.9).interval(frequency: c.x, recency: c.tx, T: c.T, monetaryValue: c.m)
        let plain = try IntervalScorer(modelFile: file, options: Self.options, level: 0.9).interval(frequency: c.x, recency: c.tx, T: c.T, monetaryValue: c.m)
        let f = try #require(flipped.clv), p = try #require(plain.clv)
        #expect(isClose(f.lowerBound, -0.5 * p.upperBound, relative: 1e-12) && isClose(f.upperBound, -0.5 * p.lowerBound, relative: 1e-12))
        var zero = Self.options
        zero.margin = 0
        #expect(try IntervalScorer(modelFile: file, options: zero, level: 0.9).interval(frequency: c.x, recency: c.tx, T: c.T, monetaryValue: c.m).clv == 0...0)

        file.spendModel = nil
        let spendless = try IntervalScorer(modelFile: file, options: Self.options, level: 0.9)
        #expect(try spendless.interval(frequency: c.x, recency: c.tx, T: c.T, monetaryValue: nil).clv == nil)
        #expect(throws: ScoringError.self) { try IntervalScorer(modelFile: file, options: Self.options, level: 1) }
        #expect(throws: ScoringError.self) { try IntervalScorer(modelFile: file, options: Self.options, level: 0) }
    }

    /// The CSV gets the four interval columns, empty CLV bounds without a spend model.
    @Test func csvColumns() {
        let score = CustomerScore(customerID: "c", probabilityAlive: 0.5, expectedPurchases: 1, expectedSpend: nil, clv: nil)
        let text = String(decoding: Scorer.csv([score], intervals: [ScoreInterval(expectedPurchases: 0.5...2, clv: nil)]), as: UTF8.self)
        #expect(text == "customer_id,p_alive,expected_purchases,expected_spend,clv,expected_purchases_low,expected_purchases_high,clv_low,clv_high\nc,0.5,1,,,0.5,2,,\n")
    }
}
